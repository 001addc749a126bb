"""The warehouses a caller is kept to: every read and every write is filtered by them.

A user with no warehouses works in all of them, and so does an admin whatever their list. A
token is kept to its user's warehouses of the moment, and further to its own when it has some.
Outside a request (the command line, a seed) nothing is filtered.
"""
from flask import g, has_request_context
from sqlalchemy import delete, false, select, true

from warehouse_app.auth.models import ApiToken, Role, TokenWarehouse, User, UserWarehouse
from warehouse_app.errors import DomainError, Forbidden
from warehouse_app.extensions import db
from warehouse_app.locations.models import Location, LocationKind


def kept_to(user) -> frozenset[int] | None:
    """Ids of the warehouses this user may work in now; None: every one."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cache = g.setdefault("warehouses_kept_to", {}) if has_request_context() else {}
    if user.id not in cache:
        own = None if user.role is Role.ADMIN else _ids(
            select(UserWarehouse.warehouse_id).where(UserWarehouse.user_id == user.id))
        token = g.get("api_token") if has_request_context() else None
        if token is not None and token.user_id == user.id:
            mine = _ids(select(TokenWarehouse.warehouse_id)
                        .where(TokenWarehouse.token_id == token.id))
            own = mine if own is None else own if mine is None else own & mine
        cache[user.id] = own
    return cache[user.id]


def _ids(query) -> frozenset[int] | None:
    found = frozenset(db.session.scalars(query))
    return found or None


def caller() -> frozenset[int] | None:
    """The warehouses of the caller of this request (None: every one, or no request)."""
    if not has_request_context():
        return None
    from flask_login import current_user
    return kept_to(current_user)


def allows(warehouse_id: int | None, user=None) -> bool:
    """Whether this user (default: the caller) may work in this warehouse."""
    allowed = caller() if user is None else kept_to(user)
    return allowed is None or warehouse_id in allowed


def clause(column, user=None):
    """A WHERE clause keeping rows whose warehouse column is one of the caller's."""
    allowed = caller() if user is None else kept_to(user)
    if allowed is None:
        return true()
    return column.in_(sorted(allowed)) if allowed else false()


def location_clause(column, user=None):
    """A WHERE clause keeping rows whose location column is in one of the caller's
    warehouses (a virtual location is in none)."""
    allowed = caller() if user is None else kept_to(user)
    if allowed is None:
        return true()
    return column.in_(select(Location.id).where(Location.warehouse_id.in_(sorted(allowed))))


def check(location: Location | None, user=None, field: str = "location") -> None:
    """Refuse (403 other_warehouse) a physical location outside the user's warehouses."""
    if location is None or not location.is_physical:
        return
    if not allows(location.warehouse_id, user):
        raise Forbidden(f"{location.code} is in a warehouse you are not kept to.",
                        field=field, code="other_warehouse")


def check_document(document, what: str, field: str, every: bool = False) -> None:
    """Refuse (403 other_warehouse) a document (an order, a count) of no warehouse of the
    caller's; with every, of any warehouse not the caller's (a count is worked bin by bin)."""
    allowed = caller()
    if allowed is None:
        return
    where = document.warehouse_ids
    if not where:
        return
    seen = [w in allowed for w in where]
    if not (all(seen) if every else any(seen)):
        raise Forbidden(f"{what} belongs to a warehouse you are not kept to.", field=field,
                        code="other_warehouse")


def parse(codes) -> list[Location]:
    """The warehouses named by these codes; refuses anything that is not a warehouse code."""
    if codes is None:
        return []
    if isinstance(codes, str) or not isinstance(codes, list | tuple):
        raise DomainError("Warehouses are a list of warehouse codes.", field="warehouses")
    found = []
    for code in codes:
        if not isinstance(code, str) or not code.strip() or len(code) > 40:
            raise DomainError("A warehouse code is 1 to 40 characters.", field="warehouses")
        location = db.session.scalar(select(Location).where(Location.code == code.strip()))
        if location is None or location.kind is not LocationKind.WAREHOUSE:
            raise DomainError(f"{code.strip()} is not a warehouse.", field="warehouses")
        if location not in found:
            found.append(location)
    return found


def keep_user(user: User, codes) -> list[Location]:
    """Keep a user to these warehouses (none: every one); at once for sessions and tokens."""
    places = parse(codes)
    db.session.execute(delete(UserWarehouse).where(UserWarehouse.user_id == user.id))
    db.session.add_all(UserWarehouse(user_id=user.id, warehouse_id=w.id) for w in places)
    db.session.flush()
    return places


def keep_token(token: ApiToken, codes) -> list[Location]:
    """Keep a token to these warehouses; it never reaches beyond its user's of the moment."""
    places = parse(codes)
    mine = kept_to_stored(token.user)
    if mine is not None and any(w.id not in mine for w in places):
        raise DomainError(f"A token cannot reach a warehouse {token.user.username} is not "
                          "kept to.", field="warehouses")
    db.session.execute(delete(TokenWarehouse).where(TokenWarehouse.token_id == token.id))
    db.session.add_all(TokenWarehouse(token_id=token.id, warehouse_id=w.id) for w in places)
    db.session.flush()
    return places


def kept_to_stored(user: User) -> frozenset[int] | None:
    """A user's own warehouses as stored, outside any request's token (None: every one)."""
    if user.role is Role.ADMIN:
        return None
    return _ids(select(UserWarehouse.warehouse_id).where(UserWarehouse.user_id == user.id))


def codes_of(user: User) -> list[str]:
    """The codes of the warehouses a user is kept to (empty: every one)."""
    return list(db.session.scalars(
        select(Location.code).join(UserWarehouse, UserWarehouse.warehouse_id == Location.id)
        .where(UserWarehouse.user_id == user.id).order_by(Location.code)))
