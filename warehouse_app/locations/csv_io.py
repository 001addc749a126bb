"""Locations as CSV: export the physical tree parents first, import (create or update) it."""
from sqlalchemy import select

from warehouse_app import csvfile
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.locations import editing, places
from warehouse_app.locations.models import PHYSICAL_KINDS, Location

COLUMNS = ["code", "kind", "name", "parent", "sequence", "capacity", "active"]
REQUIRED = {"code", "kind"}
TRUE, FALSE = {"1", "yes", "true", "y", "active"}, {"0", "no", "false", "n", "inactive"}


def parse_bool(value: str, field: str = "active") -> bool | None:
    """yes/no, true/false, 1/0; None when blank."""
    text = (value or "").strip().lower()
    if not text:
        return None
    if text in TRUE | FALSE:
        return text in TRUE
    raise DomainError(f"{field} is yes or no.", field=field)


def tree_order() -> list[Location]:
    """Physical locations, each after its parent, siblings by walking order then code."""
    nodes = db.session.scalars(select(Location).where(Location.kind.in_(PHYSICAL_KINDS))
                               .order_by(Location.sequence, Location.code)).all()
    children: dict[int | None, list[Location]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    ordered, stack = [], list(reversed(children.get(None, [])))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(children.get(node.id, [])))
    return ordered


def export_rows() -> list[list]:
    """One row per physical location, parents first."""
    return [[loc.code, loc.kind.value, loc.name,
             loc.parent.code if loc.parent else "", loc.sequence,
             loc.capacity if loc.capacity is not None else "", "yes" if loc.active else "no"]
            for loc in tree_order()]


def _import_row(row: dict[str, str]) -> str:
    code = row["code"].strip().upper()
    fields = {key: row[key] for key in ("name", "sequence", "capacity")
              if key in row}
    existing = db.session.scalar(select(Location).where(Location.code == code)) if code else None
    active = parse_bool(row.get("active", ""))
    if existing is None:
        location = editing.create({**fields, "code": code, "kind": row["kind"],
                                   "parent": row.get("parent", "")})
        if active is False:
            editing.set_active(location, False)
        return "created"
    if editing.parse_kind(row["kind"]) is not existing.kind:
        raise DomainError(f"{code} exists as a {existing.kind.value}; its kind cannot change.",
                          field="kind")
    parent = (row.get("parent") or "").strip().upper()
    if "parent" in row and parent != (existing.parent.code if existing.parent else ""):
        raise DomainError(f"{code} exists under another parent; it cannot move.",
                          field="parent")
    editing.update(existing, fields)
    if active is not None and active != existing.active:
        editing.set_active(existing, active)
    return "updated"


def _code(value: str) -> None:
    norm = places.normalise_code(value)
    if not norm or len(norm) > places.CODE_MAX or any(ch.isspace() for ch in norm):
        raise DomainError(f"A location code is 1 to {places.CODE_MAX} characters without "
                          "spaces.", field="code")


CHECKS = {
    "code": _code,
    "kind": editing.parse_kind,
    "name": editing.clean_name,
    "sequence": lambda v: editing.parse_whole(v, "sequence", editing.SEQUENCE_MAX),
    "capacity": lambda v: editing.parse_whole(v, "capacity", editing.CAPACITY_MAX, low=1),
    "active": parse_bool,
}


def import_file(storage):
    """Create or update locations from an uploaded file (or a request body); all rows or none,
    every bad cell of every line reported at once, a code twice refused."""
    upload = csvfile.read(storage, REQUIRED, set(COLUMNS))
    twice = csvfile.once(upload, lambda row: [places.normalise_code(row["code"]) or ""],
                         "Code", field="code")
    return csvfile.run(upload, _import_row,
                       errors=csvfile.bad_cells(upload, CHECKS) + twice)
