"""Records every insert, update and delete of an audited model, in the same transaction.

A model opts in with `__audited__ = True`; `__audit_hidden__` names columns whose values are
never copied into the trail (a password hash shows only as "changed").
"""
import enum
from datetime import date, datetime
from decimal import Decimal

from flask import g, has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapper, Session

from warehouse_app.audit.models import AuditEntry

HIDDEN = "(changed)"


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _columns(obj) -> list:
    return [attr for attr in inspect(obj).mapper.column_attrs if attr.key != "id"]


def _snapshot(obj) -> dict:
    hidden = getattr(obj, "__audit_hidden__", frozenset())
    return {attr.key: HIDDEN if attr.key in hidden else _plain(getattr(obj, attr.key))
            for attr in _columns(obj)}


def _changes(obj) -> tuple[dict, dict]:
    state, hidden = inspect(obj), getattr(obj, "__audit_hidden__", frozenset())
    ignored = getattr(obj, "__audit_ignored__", frozenset())
    before, after = {}, {}
    for attr in _columns(obj):
        if attr.key in ignored:
            continue
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if _plain(old) == _plain(new):
            continue
        before[attr.key] = HIDDEN if attr.key in hidden else _plain(old)
        after[attr.key] = HIDDEN if attr.key in hidden else _plain(new)
    return before, after


def actor() -> tuple[int | None, str]:
    """The user behind the current change: the logged-in user, the token's user, or the CLI."""
    if has_request_context():
        from flask_login import current_user
        if current_user and getattr(current_user, "is_authenticated", False):
            token = g.get("api_token")
            name = current_user.username
            if token:
                name = f"{name} (token {token.name})"
            return current_user.id, name
        return None, "anonymous"
    return None, g.get("cli_actor", "cli") if _has_app_g() else "cli"


def _has_app_g() -> bool:
    from flask import has_app_context
    return has_app_context()


def _entry(action: str, obj, before, after) -> AuditEntry:
    user_id, name = actor()
    return AuditEntry(user_id=user_id, actor=name[:120], action=action,  # the column's size
                      entity=obj.__tablename__, entity_id=obj.id, label=str(obj)[:200],
                      before=before, after=after)


def _keep_old_value(target, value, oldvalue, initiator):
    return value


@event.listens_for(Mapper, "mapper_configured")
def _load_old_values(mapper: Mapper, cls) -> None:
    """Audited columns load their old value when set, so 'before' is known even after a commit."""
    if getattr(cls, "__audited__", False):
        for attr in mapper.column_attrs:
            event.listen(getattr(cls, attr.key), "set", _keep_old_value, active_history=True,
                         retval=True)


@event.listens_for(Session, "before_flush")
def _record_changes(session: Session, _ctx, _instances) -> None:
    pending = session.info.setdefault("audit_new", [])
    for obj in session.new:
        if getattr(obj, "__audited__", False):
            pending.append(obj)  # its id is known only after the flush
    for obj in session.dirty:
        if getattr(obj, "__audited__", False) and session.is_modified(obj):
            before, after = _changes(obj)
            if after:
                session.add(_entry("update", obj, before, after))
    for obj in session.deleted:
        if getattr(obj, "__audited__", False):
            session.add(_entry("delete", obj, _snapshot(obj), None))


@event.listens_for(Session, "after_flush_postexec")
def _record_inserts(session: Session, _ctx) -> None:
    pending = session.info.pop("audit_new", [])
    for obj in pending:
        session.add(_entry("create", obj, None, _snapshot(obj)))


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("audit_new", None)
