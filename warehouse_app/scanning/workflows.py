"""The phone workflows' one write: a confirmed line from receive, move, adjust or return.

A line names the scanned product code and either a number of scans (each one unit, or a pack's
units) or a typed quantity; GS1 lot, expiry and serial come from the scan itself. The line is
loaded by the phone's schema (scanning/inputs.py: the ledger's movement fields, each with the
API's rule) and posted by the API's own function, the ledger's post_movement(), with the
phone's client_op_id, so a line replayed after a network drop posts once.
"""
from datetime import timedelta

from flask import current_app
from marshmallow import Schema
from sqlalchemy import select

from warehouse_app.auth.models import Role
from warehouse_app.catalog.models import Tracking
from warehouse_app.errors import DomainError, Forbidden, NotFound, ascii_digits
from warehouse_app.extensions import db
from warehouse_app.inputs import load
from warehouse_app.ledger.inputs import Named, named_product, op_id, post_movement
from warehouse_app.ledger.models import Movement, MovementKind, StockLevel
from warehouse_app.ledger.movements import reverse
from warehouse_app.locations.models import Location, LocationKind
from warehouse_app.models import utcnow
from warehouse_app.scanning.inputs import PHONE_LINE
from warehouse_app.scanning.resolver import Scan, resolve

UNDO_WINDOW = timedelta(minutes=15)
SHIFT = timedelta(hours=12)  # "posted this session": a user's lines of one workflow this long back
SHIFT_LINES = 100


def product_scan(code) -> Scan:
    """The product a scanned code names; a bin or document where one was expected is refused."""
    scan = resolve(code)
    if scan.type != "product":
        raise DomainError(f"{scan.code} is a {scan.type}, not a product. Scan a product.",
                          field="code", code="wrong_scan")
    return scan


def _int(value, field: str) -> int:
    if isinstance(value, str) and ascii_digits(value.strip()):
        return int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(f"{field} must be a whole number.", field=field)
    return value


def named(data: dict) -> Named:
    """The product a line names: its scanned code (with the lot, serial and expiry a GS1 code
    carries), else its sku or barcode as the API names one."""
    if not data.get("code"):
        return named_product(data)
    scan = product_scan(data["code"])
    gs1 = scan.gs1
    if gs1 is None:
        return Named(scan.product, scan.pack_size)
    lot = gs1.serial if scan.product.tracking is Tracking.SERIAL else gs1.lot
    return Named(scan.product, scan.pack_size, lot, gs1.expiry)


def post_line(data, user, schema: Schema = PHONE_LINE) -> Movement:
    """Check one line of a phone workflow (the phone's JSON, or with PHONE_FORM the plain
    form's text) and post it by the API's road: the ledger's post_movement()."""
    data = load(schema, data)
    if (data["kind"] == MovementKind.ADJUST.value and user.has_role(Role.SUPERVISOR)
            and not data.get("note", "").strip()):  # the phone's own rule: say what happened
        raise DomainError("An adjustment needs a note saying what happened.", field="note")
    return post_movement(data, user, name=named)


def undo(movement_id, user, client_op_id=None) -> Movement:
    """Reverse a line: its poster within 15 minutes, or a supervisor at any time."""
    movement = db.session.get(Movement, _int(movement_id, "movement"))
    if movement is None:
        raise NotFound("No such movement.", field="movement")
    own_and_recent = (movement.user_id == user.id
                      and utcnow() - movement.created_at <= UNDO_WINDOW)
    if not (own_and_recent or user.has_role(Role.SUPERVISOR)):
        raise Forbidden("You can undo your own lines for 15 minutes; ask a supervisor.")
    return reverse(movement, user, client_op_id=op_id(client_op_id))


def docks(limit: int = 4) -> list[Location]:
    """Receiving docks offered as one-tap bins: active bins whose code starts with the prefix."""
    prefix = current_app.config.get("RECEIVING_DOCK_PREFIX", "DOCK")
    return list(db.session.scalars(
        select(Location).where(Location.code.startswith(prefix), Location.active.is_(True),
                               Location.kind.in_([LocationKind.BIN, LocationKind.ZONE]))
        .order_by(Location.code).limit(limit)))


def on_hand_at(product_id: int, location_id: int) -> int:
    """Units of a product in one location, every lot together."""
    rows = db.session.scalars(select(StockLevel.on_hand).where(
        StockLevel.product_id == product_id, StockLevel.location_id == location_id))
    return sum(rows)


def session_lines(user, *where) -> tuple[list[Movement], set[int], int | None]:
    """A user's movements matching `where` in the last 12 hours (newest first), the ids of
    those since reversed, and the one undo would take back now (None: nothing to undo). The
    screens of documents (a pick, a purchase order's receipt) pass their own filter."""
    lines = list(db.session.scalars(
        select(Movement).where(Movement.user_id == user.id, Movement.reversal_of_id.is_(None),
                               Movement.created_at >= utcnow() - SHIFT, *where)
        .order_by(Movement.id.desc()).limit(SHIFT_LINES)))
    ids = [m.id for m in lines]
    undone = set(db.session.scalars(select(Movement.reversal_of_id).where(
        Movement.reversal_of_id.in_(ids)))) if ids else set()
    last = next((m for m in lines if m.id not in undone), None)
    undo_id = last.id if last is not None and utcnow() - last.created_at <= UNDO_WINDOW else None
    return lines, undone, undo_id


def movement_json(m: Movement) -> dict:
    """What the phone shows about a posted line."""
    return {"id": m.id, "kind": m.kind.value, "sku": m.product.sku, "name": m.product.name,
            "qty": m.qty, "from_location": m.from_location.code,
            "to_location": m.to_location.code, "lot": m.lot.code if m.lot else None,
            "reason": m.reason.value if m.reason else None, "client_op_id": m.client_op_id,
            "replayed": bool(getattr(m, "replayed", False)),
            "created_at": m.created_at.isoformat()}


def session_json(user, *where) -> dict:
    """"Posted this session" as the phone reads it back after a reload: the lines (each
    saying whether it was since undone) and the id undo would take back now."""
    lines, undone, undo_id = session_lines(user, *where)
    return {"lines": [{**movement_json(m), "reversed": m.id in undone} for m in lines],
            "undo": undo_id}
