"""Bin capacity: a movement into a bin never takes it over its capacity, unless a supervisor
overrides with a reason, which the audit trail keeps."""
from sqlalchemy import func, select

from warehouse_app.audit.models import AuditEntry
from warehouse_app.audit.trail import actor
from warehouse_app.auth.models import Role
from warehouse_app.errors import Conflict, DomainError, Forbidden
from warehouse_app.extensions import db
from warehouse_app.ledger.models import Movement, StockLevel
from warehouse_app.locations.models import Location

REASON_MAX = 300


class OverCapacity(Conflict):
    code = "over_capacity"


def held_in(location: Location) -> int:
    """Units in a bin, every product and lot together."""
    return int(db.session.scalar(select(func.coalesce(func.sum(StockLevel.on_hand), 0))
                                 .where(StockLevel.location_id == location.id)))


def clean_override(value) -> str | None:
    """An override's reason: text up to REASON_MAX characters, or None when not given."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not value.strip():
        raise DomainError("override_capacity is the reason, as text.", field="override_capacity")
    if len(value) > REASON_MAX:
        raise DomainError(f"The override's reason is at most {REASON_MAX} characters.",
                          field="override_capacity")
    return value.strip()


def check(target: Location, qty: int, override: str | None, user) -> dict | None:
    """Refuse a movement that would take a bin over its capacity, saying what fits; with a
    supervisor's override, answer what to audit once it is posted."""
    if not target.is_physical or target.capacity is None:
        return None
    held = held_in(target)
    if held + qty <= target.capacity:
        return None
    fits = max(target.capacity - held, 0)
    if override is None:
        raise OverCapacity(f"{target.code} holds {held} of its capacity of {target.capacity}: "
                           f"{fits} more fit, {qty} asked.", field="qty")
    if user is None or not user.has_role(Role.SUPERVISOR):
        raise Forbidden("Only a supervisor may fill a bin over its capacity.",
                        field="override_capacity")
    return {"location": target.code, "capacity": target.capacity, "held": held, "qty": qty,
            "reason": override}


def audit(movement: Movement, override: dict) -> None:
    """Keep a supervisor's over-capacity override in the audit trail."""
    user_id, name = actor()
    db.session.add(AuditEntry(user_id=user_id, actor=name[:120], action="override",
                              entity="movement", entity_id=movement.id,
                              label=f"Over capacity of {override['location']}"[:200],
                              before=None, after=override))
