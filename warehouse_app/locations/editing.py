"""Changing locations: create from form or file fields, edit, deactivate and reactivate."""
from blinker import signal
from sqlalchemy import select

from warehouse_app.auth import warehouses
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.inputs import load
from warehouse_app.locations import places
from warehouse_app.locations.inputs import LocationCreateSchema, LocationPatchSchema
from warehouse_app.locations.models import Location, LocationKind

EDITABLE = ("name", "sequence", "capacity", "hold")

# Sent before a location and everything below it (ids) are deactivated; a receiver refuses by
# raising a DomainError (the ledger: a location still holding stock).
deactivating = signal("location-deactivating")


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
    """A new warehouse, zone or bin (code, kind, parent code, name, ...), loaded through
    LocationCreateSchema."""
    data = load(LocationCreateSchema(), fields)
    parent = parent_for(data.get("parent"))
    check_place(parent)
    return places.create(data["code"], LocationKind(data["kind"]), name=data.get("name", ""),
                         parent=parent, sequence=data.get("sequence", 0),
                         capacity=data.get("capacity"), hold=data.get("hold", False))


def update(location: Location, fields: dict) -> Location:
    """Change a location's name, walking sequence, capacity (None: no limit) or hold flag,
    loaded through LocationPatchSchema."""
    data = load(LocationPatchSchema(), {k: v for k, v in fields.items() if k in EDITABLE})
    if not location.is_physical:
        raise DomainError("Virtual locations cannot be changed.", field="code")
    warehouses.check(location, field="code")
    if "name" in data:
        location.name = data["name"] or location.code
    if "sequence" in data:
        location.sequence = data["sequence"]
    if "capacity" in data:
        location.capacity = data["capacity"]
    if "hold" in data:
        location.hold = data["hold"]
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
