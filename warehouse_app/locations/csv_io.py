"""Locations as CSV: export the physical tree parents first, import (create or update) it."""
from sqlalchemy import select

from warehouse_app import csvfile
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.inputs import load, problems
from warehouse_app.locations import editing, places
from warehouse_app.locations.inputs import LocationCreateSchema, LocationPatchSchema
from warehouse_app.locations.models import PHYSICAL_KINDS, Location, LocationKind

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


def row_fields(row: dict[str, str]) -> dict:
    """A row's location fields, as text (the schemas' text=True reads them); active apart."""
    return {key: value for key, value in row.items() if key in COLUMNS and key != "active"}


def _import_row(row: dict[str, str]) -> str:
    data = load(LocationCreateSchema(text=True), row_fields(row))
    code = data["code"].upper()
    existing = db.session.scalar(select(Location).where(Location.code == code))
    active = parse_bool(row.get("active", ""))
    if existing is None:
        location = editing.create(data)
        if active is False:
            editing.set_active(location, False)
        return "created"
    if LocationKind(data["kind"]) is not existing.kind:
        raise DomainError(f"{code} exists as a {existing.kind.value}; its kind cannot change.",
                          field="kind")
    parent = (data.get("parent") or "").upper()
    if "parent" in row and parent != (existing.parent.code if existing.parent else ""):
        raise DomainError(f"{code} exists under another parent; it cannot move.",
                          field="parent")
    editing.update(existing, load(LocationPatchSchema(text=True), {
        key: row[key] for key in ("name", "sequence", "capacity") if key in row}))
    if active is not None and active != existing.active:
        editing.set_active(existing, active)
    return "updated"


def bad_cells(upload: csvfile.Upload) -> list[csvfile.RowError]:
    """Every bad cell of every line, found by the location schema without writing anything."""
    schema = LocationCreateSchema(text=True)
    errors = [csvfile.RowError(line, message, field)
              for line, row in upload.rows for field, message in problems(schema, row_fields(row))]
    return errors + csvfile.bad_cells(upload, {"active": parse_bool})


def import_file(storage):
    """Create or update locations from an uploaded file (or a request body); all rows or none,
    every bad cell of every line reported at once, a code twice refused."""
    upload = csvfile.read(storage, REQUIRED, set(COLUMNS))
    twice = csvfile.once(upload, lambda row: [places.normalise_code(row["code"]) or ""],
                         "Code", field="code")
    return csvfile.run(upload, _import_row,
                       errors=sorted(bad_cells(upload), key=lambda e: e.line) + twice)
