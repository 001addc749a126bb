"""The phone workflows' one write: a confirmed line from receive, move, adjust or return.

A line names the scanned product code and either a number of scans (each one unit, or a pack's
units) or a typed quantity; GS1 lot, expiry and serial come from the scan itself. The line is
checked and posted through the ledger's record(), with the phone's client_op_id, so a line
replayed after a network drop posts once.
"""
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from warehouse_app.auth.models import Role
from warehouse_app.catalog.models import Tracking
from warehouse_app.errors import DomainError, Forbidden, NotFound, ascii_digits
from warehouse_app.extensions import db
from warehouse_app.ledger import transit
from warehouse_app.ledger.models import Movement, MovementKind, Reason, StockLevel
from warehouse_app.ledger.movements import Line, check_qty, record, reverse
from warehouse_app.locations.models import Location, LocationKind
from warehouse_app.locations.places import by_code
from warehouse_app.models import utcnow
from warehouse_app.scanning.resolver import Scan, resolve

FLOWS = {"receive": MovementKind.RECEIVE, "return": MovementKind.RETURN,
         "move": MovementKind.TRANSFER, "adjust": MovementKind.ADJUST}
UNDO_WINDOW = timedelta(minutes=15)
SHIFT = timedelta(hours=12)  # "posted this session": a user's lines of one workflow this long back
SHIFT_LINES = 100
MAX_SCANS = 10_000
NOTE_MAX = 500


def product_scan(code) -> Scan:
    """The product a scanned code names; a bin or document where one was expected is refused."""
    scan = resolve(code)
    if scan.type != "product":
        raise DomainError(f"{scan.code} is a {scan.type}, not a product. Scan a product.",
                          field="code", code="wrong_scan")
    return scan


def _quantity(data: dict, scan: Scan) -> int:
    if data.get("qty") not in (None, ""):
        return check_qty(_int(data["qty"], "qty"))
    scans = _int(data.get("scans", 1), "scans")
    if not 1 <= scans <= MAX_SCANS:
        raise DomainError(f"Scans must be between 1 and {MAX_SCANS:,}.", field="scans")
    return check_qty(scans * scan.pack_size)


def _int(value, field: str) -> int:
    if isinstance(value, str) and ascii_digits(value.strip()):
        return int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(f"{field} must be a whole number.", field=field)
    return value


def _date(value, field: str = "expiry") -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError("A date is written YYYY-MM-DD.", field=field) from None


def _lot(data: dict, scan: Scan) -> str | None:
    if data.get("lot"):
        return str(data["lot"])
    if scan.gs1 is None:
        return None
    return scan.gs1.serial if scan.product.tracking is Tracking.SERIAL else scan.gs1.lot


def _ends(kind: MovementKind, data: dict):
    source = by_code(data["from_location"], "from_location") if data.get("from_location") else None
    target = by_code(data["to_location"], "to_location") if data.get("to_location") else None
    if kind is MovementKind.ADJUST and source is not None and target is not None:
        raise DomainError("An adjustment takes stock out of a bin or finds it in one, not both.",
                          field="to_location")
    return source, target


def _reason(kind: MovementKind, data: dict) -> Reason | None:
    if kind is not MovementKind.ADJUST:
        return None
    try:
        reason = Reason(data.get("reason"))
    except ValueError:
        raise DomainError("Pick a reason: damage, loss, theft, expiry or found.",
                          field="reason") from None
    if not str(data.get("note") or "").strip():
        raise DomainError("An adjustment needs a note saying what happened.", field="note")
    if (reason is Reason.FOUND) != bool(data.get("to_location")):
        raise DomainError("Found stock goes into a bin; damage, loss, theft and expiry come "
                          "out of one.", field="reason")
    return reason


def post_line(data: dict, user) -> Movement:
    """Check and post one line of a phone workflow."""
    if not isinstance(data, dict):
        raise DomainError("A line is a JSON object.")
    kind = FLOWS.get(data.get("flow"))
    if kind is None:
        raise DomainError("flow is receive, move, adjust or return.", field="flow")
    if kind is MovementKind.ADJUST and not user.has_role(Role.SUPERVISOR):
        raise Forbidden("Only a supervisor can adjust stock.")
    scan = product_scan(data.get("code"))
    source, target = _ends(kind, data)
    note = str(data.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(f"A note is at most {NOTE_MAX} characters.", field="note")
    line = Line(kind=kind, product=scan.product, qty=_quantity(data, scan),
                from_location=source, to_location=target, lot=_lot(data, scan),
                expiry=_date(data.get("expiry")) or (scan.gs1.expiry if scan.gs1 else None),
                reason=_reason(kind, data), note=note,
                reference=str(data.get("reference") or "")[:120],
                unit_cost=data.get("unit_cost") or None,
                confirm_cost=_confirmed(data.get("confirm_cost", False)),
                client_op_id=_op_id(data.get("client_op_id")),
                confirm_expiry=data.get("confirm_expiry") is True,
                override_capacity=data.get("override_capacity"))
    transit.refuse_cross_site(line)
    return record(line, user)


def _confirmed(value) -> bool:
    if not isinstance(value, bool):
        raise DomainError("confirm_cost is true or false.", field="confirm_cost")
    return value


def _op_id(value) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise DomainError("client_op_id is text of at most 64 characters.", field="client_op_id")
    return value


def undo(movement_id, user, client_op_id=None) -> Movement:
    """Reverse a line: its poster within 15 minutes, or a supervisor at any time."""
    movement = db.session.get(Movement, _int(movement_id, "movement"))
    if movement is None:
        raise NotFound("No such movement.", field="movement")
    own_and_recent = (movement.user_id == user.id
                      and utcnow() - movement.created_at <= UNDO_WINDOW)
    if not (own_and_recent or user.has_role(Role.SUPERVISOR)):
        raise Forbidden("You can undo your own lines for 15 minutes; ask a supervisor.")
    return reverse(movement, user, client_op_id=_op_id(client_op_id))


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
