"""Changing locations: create from form or file fields, edit, deactivate and reactivate."""
from blinker import signal
from sqlalchemy import select

from warehouse_app.auth import warehouses
from warehouse_app.errors import DomainError, ascii_digits
from warehouse_app.extensions import db
from warehouse_app.locations import places
from warehouse_app.locations.models import PHYSICAL_KINDS, Location, LocationKind

NAME_MAX = 120
SEQUENCE_MAX = 1_000_000
CAPACITY_MAX = 1_000_000_000
EDITABLE = ("name", "sequence", "capacity", "hold")

# Sent before a location and everything below it (ids) are deactivated; a receiver refuses by
# raising a DomainError (the ledger: a location still holding stock).
deactivating = signal("location-deactivating")


def parse_kind(value) -> LocationKind:
    """warehouse, zone or bin."""
    text = (value or "").strip().lower() if isinstance(value, str) else ""
    try:
        kind = LocationKind(text)
    except ValueError:
        kind = None
    if kind not in PHYSICAL_KINDS:
        raise DomainError("Kind is warehouse, zone or bin.", field="kind")
    return kind


def parse_whole(value, field: str, limit: int, low: int = 0) -> int | None:
    """A whole number from low to limit, or None when blank."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    if not ascii_digits(text):
        raise DomainError(f"{field.title()} must be a whole number.", field=field)
    number = int(text)
    if number < low or number > limit:
        raise DomainError(f"{field.title()} must be between {low} and {limit:,}.", field=field)
    return number


def parse_hold(value) -> bool:
    """A hold flag: true/false, or a form's checkbox ("1"/"on" ticked, "" or absent not)."""
    if isinstance(value, bool):
        return value
    if value in ("", None, "0", "no", "false"):
        return False
    if value in ("1", "on", "yes", "true"):
        return True
    raise DomainError("hold is yes or no.", field="hold")


def clean_name(value) -> str:
    """A location name: trimmed, at most 120 characters, no control characters."""
    name = (value or "").strip() if isinstance(value, str) else ""
    if len(name) > NAME_MAX:
        raise DomainError(f"A name is at most {NAME_MAX} characters.", field="name")
    if any(ord(ch) < 32 for ch in name):
        raise DomainError("The name contains control characters.", field="name")
    return name


def parent_for(code) -> Location | None:
    """The active parent named by a code, or None when no code is given."""
    if not (code or "").strip():
        return None
    parent = places.by_code(code, field="parent")
    if not parent.active:
        raise DomainError(f"Parent {parent.code} is deactivated.", field="parent")
    return parent


def check_place(parent: Location | None) -> None:
    """Refuse (403 other_warehouse) a new location under another warehouse, or a new warehouse,
    to a caller kept to some warehouses (a new one is none of theirs)."""
    if parent is None:
        warehouses.require_every("A new warehouse", "parent")
    warehouses.check(parent, field="parent")


def create(fields: dict) -> Location:
    """A new warehouse, zone or bin from text fields (code, kind, parent code, name, ...)."""
    kind = parse_kind(fields.get("kind"))
    parent = parent_for(fields.get("parent"))
    check_place(parent)
    return places.create(fields.get("code", ""), kind, name=clean_name(fields.get("name")),
                         parent=parent,
                         sequence=parse_whole(fields.get("sequence"), "sequence",
                                              SEQUENCE_MAX) or 0,
                         capacity=parse_whole(fields.get("capacity"), "capacity",
                                              CAPACITY_MAX, low=1))


def update(location: Location, fields: dict) -> Location:
    """Change a location's name, walking sequence or capacity (blank capacity: no limit)."""
    if not location.is_physical:
        raise DomainError("Virtual locations cannot be changed.", field="code")
    warehouses.check(location, field="code")
    if "name" in fields:
        location.name = clean_name(fields["name"]) or location.code
    if "sequence" in fields:
        location.sequence = parse_whole(fields["sequence"], "sequence", SEQUENCE_MAX) or 0
    if "capacity" in fields:
        location.capacity = parse_whole(fields["capacity"], "capacity", CAPACITY_MAX, low=1)
    if "hold" in fields:
        location.hold = parse_hold(fields["hold"])
    db.session.flush()
    return location


def set_active(location: Location, active: bool) -> Location:
    """Deactivate a location and everything below it (when empty), or reactivate it alone."""
    if not location.is_physical:
        raise DomainError("Virtual locations cannot be deactivated.", field="code")
    warehouses.check(location, field="code")
    if active:
        if location.parent is not None and not location.parent.active:
            raise DomainError(f"Reactivate {location.parent.code} first.", field="parent")
        location.active = True
    else:
        ids = places.descendants(location)
        deactivating.send(location, ids=ids)
        for node in db.session.scalars(select(Location).where(Location.id.in_(ids))):
            node.active = False
    db.session.flush()
    return location
