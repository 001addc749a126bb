"""Finding and creating locations."""
from flask import current_app
from sqlalchemy import func, select

from warehouse_app import codes
from warehouse_app.database import one_by
from warehouse_app.errors import Conflict, DomainError, NotFound
from warehouse_app.extensions import db
from warehouse_app.locations.models import (
    PARENT_KINDS,
    PHYSICAL_KINDS,
    VIRTUAL_CODES,
    Location,
    LocationKind,
)

CODE_MAX = 40


def virtual(kind: LocationKind) -> Location:
    """The one virtual location of a kind (Supplier, Customer, ...), made by the first migration."""
    location = db.session.scalar(select(Location).where(Location.code == VIRTUAL_CODES[kind]))
    if location is None:  # a database seeded without migrations: make it now
        location = Location(code=VIRTUAL_CODES[kind], name=kind.value.title(), kind=kind)
        db.session.add(location)
        db.session.flush()
        codes.claim(location.code, "location", location.id)
    return location


def normalise_code(code) -> str:
    """Codes are compared upper-case and without surrounding spaces: scanners differ."""
    if not isinstance(code, str):
        raise DomainError("A location code must be text.", field="code")
    return code.strip().upper()


def by_code(code, field: str = "location") -> Location:
    """The location with this code, or a 404 naming the code."""
    norm = normalise_code(code) if isinstance(code, str) else None
    if not norm:
        raise DomainError("A location code is required.", field=field)
    location = with_code(norm)
    if location is None:
        raise NotFound(f"No location with code {norm[:60]}.", field=field)
    return location


def with_code(code: str) -> Location | None:
    """The location with exactly this (normalised) code, if any."""
    return one_by(Location.code, code)


def create(code, kind: LocationKind, name: str = "", parent: Location | None = None,
           sequence: int = 0, capacity: int | None = None, hold: bool = False) -> Location:
    """Add a physical location under a parent that fits its kind."""
    norm = normalise_code(code)
    if not norm or len(norm) > CODE_MAX or any(ch.isspace() for ch in norm):
        raise DomainError(f"A location code is 1 to {CODE_MAX} characters without spaces.",
                          field="code")
    if kind not in PHYSICAL_KINDS:
        raise DomainError("Only warehouses, zones and bins can be created.", field="kind")
    check_parent(kind, parent)
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)
                                 or not 1 <= capacity <= 1_000_000_000):
        raise DomainError("Capacity is a whole number of units from 1, or empty.",
                          field="capacity")
    if db.session.scalar(select(func.count()).where(Location.code == norm)):
        raise Conflict(f"Location code {norm} is already used.", field="code",
                       code="duplicate_code")
    location = Location(code=norm, kind=kind, name=(name or "").strip()[:120] or norm,
                        parent=parent, sequence=sequence, capacity=capacity, hold=hold is True,
                        warehouse_id=parent.warehouse_id if parent is not None else None)
    db.session.add(location)
    db.session.flush()
    codes.claim(norm, "location", location.id)
    if kind is LocationKind.WAREHOUSE:
        location.warehouse_id = location.id
        db.session.flush()
    return location


def check_parent(kind: LocationKind, parent: Location | None) -> None:
    """A zone or bin hangs under a warehouse or zone; a warehouse under nothing."""
    allowed = PARENT_KINDS[kind]
    if parent is None and allowed:
        raise DomainError(f"A {kind.value} needs a parent warehouse or zone.", field="parent")
    if parent is not None and parent.kind not in allowed:
        raise DomainError(f"A {kind.value} cannot be placed under {parent.code} "
                          f"({parent.kind.value}).", field="parent")


PACK_SUFFIX = "-PACK"


def packing_codes(warehouse: Location) -> list[str]:
    """Codes a warehouse's packing bin may have: <WAREHOUSE>-PACK, or PACK (stock staged there
    is an order's, waiting to ship)."""
    return [f"{warehouse.code}{PACK_SUFFIX}", "PACK"]


def is_storage(location: Location) -> bool:
    """A bin stock is stored in: not a receiving dock, a returns or a hold bin (their codes
    start with RECEIVING_DOCK_PREFIX or one of NON_STORAGE_PREFIXES)."""
    return is_storage_code(location.code)


def is_storage_code(code: str) -> bool:
    """Whether a bin's code names a storage bin (see is_storage)."""
    config = current_app.config
    prefixes = [config.get("RECEIVING_DOCK_PREFIX", "DOCK"),
                *config.get("NON_STORAGE_PREFIXES", ("RET", "HOLD", "QUAR", "DAMAGE"))]
    code = code.upper()
    return not any(p and code.startswith(p.upper()) for p in prefixes)


def descendants(location: Location) -> list[int]:
    """Ids of a location and everything below it (a warehouse's zones and bins)."""
    ids, frontier = [location.id], [location.id]
    while frontier:
        frontier = list(db.session.scalars(select(Location.id)
                                           .where(Location.parent_id.in_(frontier))))
        ids.extend(frontier)
    return ids
