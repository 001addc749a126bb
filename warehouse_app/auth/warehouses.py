"""The warehouses a caller is kept to: every read and every write is filtered by them.

A user with no warehouses works in all of them, and so does an admin whatever their list. A
token is kept to its user's warehouses of the moment, and further to its own when it has some.
Outside a request (the command line, a seed) nothing is filtered.

The rights hold warehouse ids. What names the warehouses (a code, the bins inside one) is the
locations' to answer: they provide it when their blueprint is registered (locations/sites.py),
so auth imports no locations.
"""
from collections.abc import Callable
from functools import wraps

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import false, true

from warehouse_app.auth.models import ApiToken, Role, User
from warehouse_app.errors import DomainError, Forbidden
from warehouse_app.extensions import db

MOST = 80  # warehouses one user or token may be kept to (their ids fit the column)
KEY = "warehouse_sites"
SITES = {
    "warehouse": "a code -> the warehouse with that code, or None",
    "every": "-> every active warehouse, by code",
    "codes": "warehouse ids -> their codes, in order",
    "inside": "warehouse ids -> a subquery of the ids of every location in them",
}


def provide(app: Flask, **sites: Callable) -> None:
    """Name the warehouses for this app's rights (the locations do, at registration)."""
    unknown = sorted(set(sites) - set(SITES))
    if unknown:
        raise TypeError(f"No warehouse site question named {', '.join(unknown)}.")
    app.extensions.setdefault(KEY, {}).update(sites)


def _sites(question: str) -> Callable:
    return current_app.extensions[KEY][question]


def kept_to(user) -> frozenset[int] | None:
    """Ids of the warehouses this user may work in now; None: every one. Read from the rows
    the login loaded (the user's, and the request's token's): no query."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    own = None if user.role is Role.ADMIN else _ids(user.warehouses)
    token = g.get("api_token") if has_request_context() else None
    if token is not None and token.user_id == user.id and (mine := _ids(token.warehouses)):
        own = mine if own is None else own & mine
    return own


def of_user(user: User) -> frozenset[int] | None:
    """The warehouses a user is kept to by their own rights, outside any request or token
    (None: every one): whose alerts reach them by mail."""
    return None if user.role is Role.ADMIN else _ids(user.warehouses)


def _ids(stored: str | None) -> frozenset[int] | None:
    """The ids a warehouses column holds (None when empty: every warehouse)."""
    found = frozenset(int(part) for part in (stored or "").split())
    return found or None


def _stored(places: list) -> str:
    return " ".join(str(w.id) for w in sorted(places, key=lambda w: w.id))


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


CALLER = object()  # clause()'s default: the caller's warehouses, read now


def clause(column, user=None, allowed=CALLER):
    """A WHERE clause keeping rows whose warehouse column is one of the caller's (or the
    user's, or these ids read earlier: a stream outlives the session its user came from)."""
    if allowed is CALLER:
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
    return column.in_(_sites("inside")(allowed))


def check(location, user=None, field: str = "location") -> None:
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


def require_every(what: str, field: str | None = None) -> None:
    """Refuse (403 other_warehouse) a caller kept to some warehouses: what they ask for spans
    every warehouse (a company-wide figure, a feed of every warehouse's events)."""
    if caller() is not None:
        raise Forbidden(f"{what} spans every warehouse; you are kept to some.", field=field,
                        code="other_warehouse")


def every_required(what: str):
    """A view decorator: require_every before the view (and before its body is read)."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            require_every(what)
            return view(*args, **kwargs)
        return wrapped
    return decorate


def parse(codes) -> list:
    """The warehouses named by these codes; refuses anything that is not a warehouse code."""
    if codes is None:
        return []
    if isinstance(codes, str) or not isinstance(codes, list | tuple):
        raise DomainError("Warehouses are a list of warehouse codes.", field="warehouses")
    found = []
    for code in codes:
        if not isinstance(code, str) or not code.strip() or len(code) > 40:
            raise DomainError("A warehouse code is 1 to 40 characters.", field="warehouses")
        location = _sites("warehouse")(code.strip())
        if location is None:
            raise DomainError(f"{code.strip()} is not a warehouse.", field="warehouses")
        if location not in found:
            found.append(location)
    if len(found) > MOST:
        raise DomainError(f"A user or token is kept to at most {MOST} warehouses (none: every "
                          "one).", field="warehouses")
    return found


def keep_user(user: User, codes) -> list:
    """Keep a user to these warehouses (none: every one); at once for sessions and tokens."""
    places = parse(codes)
    user.warehouses = _stored(places)
    db.session.flush()
    return places


def keep_token(token: ApiToken, codes) -> list:
    """Keep a token to these warehouses; it never reaches beyond its user's of the moment."""
    places = parse(codes)
    mine = None if token.user.role is Role.ADMIN else _ids(token.user.warehouses)
    if mine is not None and any(w.id not in mine for w in places):
        raise DomainError(f"A token cannot reach a warehouse {token.user.username} is not "
                          "kept to.", field="warehouses")
    token.warehouses = _stored(places)
    db.session.flush()
    return places


def every() -> list:
    """Every active warehouse, by code: what a user or token may be kept to."""
    return _sites("every")()


def codes_of_token(token: ApiToken) -> list[str]:
    """The codes of the warehouses a token is kept to itself (empty: its user's)."""
    ids = _ids(token.warehouses)
    return [] if ids is None else _sites("codes")(ids)


def codes_of(user: User) -> list[str]:
    """The codes of the warehouses a user is kept to (empty: every one)."""
    ids = _ids(user.warehouses)
    return [] if ids is None else _sites("codes")(ids)
