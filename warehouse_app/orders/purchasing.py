"""Purchase orders: what suppliers are expected to deliver, and receiving against them.

A receipt posts a RECEIVE movement that carries the PO's reference and the line's unit cost, so
the product's moving average cost follows. A product the PO does not list, or a code no
product carries, is not posted: it becomes a Discrepancy, which a supervisor accepts (the
receipt posts then) or dismisses. More than the PO still expects posts what was expected and
only the excess becomes a discrepancy. Deliveries may come over several days.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, true

from warehouse_app import codes
from warehouse_app.auth import warehouses
from warehouse_app.auth.models import Role
from warehouse_app.catalog.models import Product
from warehouse_app.catalog.products import by_sku, clean_text, supplier_named
from warehouse_app.errors import Conflict, DomainError, Forbidden, NotFound
from warehouse_app.extensions import db
from warehouse_app.ledger.inputs import op_id
from warehouse_app.ledger.models import Movement, MovementKind
from warehouse_app.ledger.movements import Line, check_qty, record
from warehouse_app.locations.models import Location
from warehouse_app.locations.places import by_code
from warehouse_app.models import utcnow
from warehouse_app.orders.documents import (
    clean_lines,
    clean_reference,
    pos_of_caller,
    reused,
    warehouse_by_code,
)
from warehouse_app.orders.models import (
    Discrepancy,
    DiscrepancyKind,
    DiscrepancyStatus,
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
)
from warehouse_app.scanning.resolver import resolve

FIELDS = {"reference", "supplier", "warehouse", "expected_date", "lines"}


def create(fields: dict, user=None) -> PurchaseOrder:
    """A new purchase order with its lines; a reference already used is a 409."""
    if not isinstance(fields, dict):
        raise DomainError("A purchase order is an object.")
    unknown = sorted(set(fields) - FIELDS)
    if unknown:
        raise DomainError(f"{unknown[0]} is not a field of a purchase order.", field=unknown[0])
    reference = clean_reference(fields.get("reference"))
    if db.session.scalar(select(PurchaseOrder.id).where(PurchaseOrder.reference == reference)):
        raise Conflict(f"Purchase order {reference} already exists.", field="reference",
                       code="duplicate_reference")
    if not clean_text(fields.get("supplier"), "supplier", 120):
        raise DomainError("supplier is required.", field="supplier")
    expected = _date(fields.get("expected_date"))
    warehouse = (warehouse_by_code(fields["warehouse"]) if fields.get("warehouse") not in
                 (None, "") else None)
    warehouses.check(warehouse, user, "warehouse")
    lines = clean_lines(fields.get("lines"), with_cost=True)
    po = PurchaseOrder(reference=reference, supplier=supplier_named(fields["supplier"]),
                       warehouse=warehouse, expected_date=expected,
                       user_id=getattr(user, "id", None))
    po.lines = [PurchaseOrderLine(product=w.product, qty=w.qty,
                                  unit_cost=w.unit_cost if w.unit_cost is not None
                                  else w.product.unit_cost)
                for w in lines]
    db.session.add(po)
    db.session.flush()
    codes.claim(po.reference, "purchase_order", po.id, field="reference")
    return po


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else _bad_date()
    except ValueError:
        return _bad_date()


def _bad_date():
    raise DomainError("expected_date is a date written YYYY-MM-DD.", field="expected_date")


def refresh_status(po: PurchaseOrder) -> None:
    """Open, partially received or received, from the lines; closed stays closed."""
    if po.status is POStatus.CLOSED:
        return
    if any(line.received for line in po.lines):
        done = all(line.received >= line.qty for line in po.lines)
        po.status = POStatus.RECEIVED if done else POStatus.PARTIAL
    else:
        po.status = POStatus.OPEN


def close(po: PurchaseOrder, user) -> PurchaseOrder:
    """Expect nothing more on this PO (supervisor)."""
    _supervisor(user)
    po.status = POStatus.CLOSED
    db.session.flush()
    return po


def _supervisor(user) -> None:
    if user is None or not user.has_role(Role.SUPERVISOR):
        raise Forbidden("This needs the supervisor role.")


@dataclass
class Received:
    """What one receipt line did: posted a movement, or raised a discrepancy."""

    movement: Movement | None = None
    discrepancy: Discrepancy | None = None
    line: PurchaseOrderLine | None = None
    replayed: bool = False


def lock_po(po: PurchaseOrder) -> None:
    """Lock a purchase order's row for this transaction and read its lines afresh."""
    db.session.execute(select(PurchaseOrder).where(PurchaseOrder.id == po.id).with_for_update()
                       .execution_options(populate_existing=True))
    db.session.execute(select(PurchaseOrderLine)
                       .where(PurchaseOrderLine.purchase_order_id == po.id)
                       .execution_options(populate_existing=True))


def _line_for(po: PurchaseOrder, product: Product) -> PurchaseOrderLine | None:
    return next((line for line in po.lines if line.product_id == product.id), None)


def _replay(po: PurchaseOrder, op: str | None) -> Received | None:
    if not op:
        return None
    if seen := db.session.scalar(select(Movement).where(Movement.client_op_id == op)):
        if seen.reference != po.reference:
            raise reused(op)
        excess = db.session.scalar(select(Discrepancy).where(Discrepancy.client_op_id == op))
        return Received(movement=seen, discrepancy=excess, line=_line_for(po, seen.product),
                        replayed=True)
    if flagged := db.session.scalar(select(Discrepancy).where(Discrepancy.client_op_id == op)):
        if flagged.purchase_order_id != po.id:
            raise reused(op)
        return Received(discrepancy=flagged, replayed=True)
    return None


def _bin(po: PurchaseOrder, code) -> Location:
    location = by_code(code, "location")
    if not location.is_physical:
        raise DomainError(f"{location.code} is not a bin in the warehouse.", field="location")
    warehouses.check(location, field="location")  # before a discrepancy is kept there
    if po.warehouse_id and location.warehouse_id != po.warehouse_id:
        raise DomainError(f"{po.reference} is delivered to {po.warehouse.code}; {location.code} "
                          "is elsewhere.", field="location", code="wrong_bin")
    return location


def receive(po: PurchaseOrder, data: dict, user) -> Received:
    """Receive one scanned line against a PO into a bin, or flag it for a supervisor."""
    if not isinstance(data, dict):
        raise DomainError("A receipt line is a JSON object.")
    op = op_id(data.get("client_op_id"))
    if replay := _replay(po, op):
        return replay
    if po.status is POStatus.CLOSED:
        raise Conflict(f"Purchase order {po.reference} is closed.", field="reference",
                       code="po_closed")
    location = _bin(po, data.get("location"))
    typed = check_qty(data["qty"]) if data.get("qty") not in (None, "") else None
    flag = _flagger(po, data, location, op, user)
    try:
        scan = resolve(data.get("code"))
    except NotFound:
        return flag(DiscrepancyKind.UNKNOWN_PRODUCT, None, typed or 1, 0)
    if scan.type != "product":
        raise DomainError(f"{scan.code} is a {scan.type.replace('_', ' ')}, not a product.",
                          field="code", code="wrong_scan")
    qty = typed or check_qty(scan.pack_size)
    lot = _text(data.get("lot"), "lot") or (scan.gs1.serial or scan.gs1.lot if scan.gs1 else None)
    expiry = data.get("expiry") or (scan.gs1.expiry if scan.gs1 else None)
    lock_po(po)
    line = _line_for(po, scan.product)
    if line is None:
        return flag(DiscrepancyKind.NOT_ON_ORDER, scan.product, qty, 0, lot, expiry)
    expected = line.remaining
    if line.received + qty > line.qty and expected == 0:
        return flag(DiscrepancyKind.OVER_RECEIPT, scan.product, qty, 0, lot, expiry)
    excess, qty = max(qty - expected, 0), min(qty, expected)
    movement = record(Line(kind=MovementKind.RECEIVE, product=scan.product, qty=qty,
                           to_location=location, lot=lot, expiry=_date_or_none(expiry),
                           reference=po.reference, unit_cost=line.unit_cost, client_op_id=op,
                           note=f"Receipt against {po.reference}",
                           confirm_expiry=data.get("confirm_expiry") is True,
                           override_capacity=data.get("override_capacity")), user)
    if not getattr(movement, "replayed", False):
        line.received += qty
        db.session.add(PurchaseReceipt(line=line, movement_id=movement.id, qty=qty))
        refresh_status(po)
        db.session.flush()
    held = None
    if excess:  # the expected part is in; only what is over the PO waits for a supervisor
        held = flag(DiscrepancyKind.OVER_RECEIPT, scan.product, excess, expected, lot,
                    expiry).discrepancy
    return Received(movement=movement, discrepancy=held, line=line,
                    replayed=getattr(movement, "replayed", False))


def _text(value, field: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise DomainError(f"{field} is text.", field=field)
    return value


def _date_or_none(value) -> date | None:
    if value in (None, "") or isinstance(value, date):
        return value or None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError("expiry is a date written YYYY-MM-DD.", field="expiry") from None


def _flagger(po: PurchaseOrder, data: dict, location: Location, op, user):
    """A function that records a discrepancy for this receipt line."""
    def flag(kind, product, qty, expected, lot=None, expiry=None) -> Received:
        found = Discrepancy(purchase_order_id=po.id, kind=kind, product=product,
                            code=str(data.get("code") or "")[:256], location_id=location.id,
                            qty=qty, expected=expected, lot=(str(lot)[:64] if lot else None),
                            expiry=_date_or_none(expiry), client_op_id=op,
                            user_id=getattr(user, "id", None))
        db.session.add(found)
        db.session.flush()
        return Received(discrepancy=found)
    return flag


def accept(discrepancy: Discrepancy, user, sku=None, qty=None) -> Movement:
    """A supervisor accepts a flagged line (or qty of it): the receipt posts now, on the PO."""
    _supervisor(user)
    check_discrepancy(discrepancy, user)
    qty = discrepancy.qty if qty in (None, "") else check_qty(qty)
    if qty > discrepancy.qty:
        raise DomainError(f"At most the {discrepancy.qty} held can be received.", field="qty")
    if discrepancy.status is not DiscrepancyStatus.OPEN:
        raise Conflict(f"This discrepancy is already {discrepancy.status.value}.",
                       field="discrepancy", code="resolved")
    product = discrepancy.product
    if product is None:
        if sku in (None, ""):
            raise DomainError(f"No product carries {discrepancy.code}: name the SKU it is "
                              "(create the product first if it is new).", field="sku")
        product = by_sku(sku)
    po = discrepancy.purchase_order
    lock_po(po)
    line = _line_for(po, product)
    if line is None:
        line = PurchaseOrderLine(product=product, qty=0, received=0, unit_cost=product.unit_cost)
        po.lines.append(line)
    movement = record(Line(kind=MovementKind.RECEIVE, product=product, qty=qty,
                           to_location=discrepancy.location, lot=discrepancy.lot,
                           expiry=discrepancy.expiry, reference=po.reference,
                           unit_cost=line.unit_cost, client_op_id=f"discrepancy-{discrepancy.id}",
                           note=f"Accepted {discrepancy.kind.value} on {po.reference}"), user)
    line.received += qty
    db.session.add(PurchaseReceipt(line=line, movement_id=movement.id, qty=qty))
    _resolve(discrepancy, DiscrepancyStatus.ACCEPTED, user)
    discrepancy.product, discrepancy.movement_id = product, movement.id
    refresh_status(po)
    db.session.flush()
    return movement


def dismiss(discrepancy: Discrepancy, user) -> Discrepancy:
    """A supervisor refuses a flagged line: nothing posts."""
    _supervisor(user)
    check_discrepancy(discrepancy, user)
    if discrepancy.status is not DiscrepancyStatus.OPEN:
        raise Conflict(f"This discrepancy is already {discrepancy.status.value}.",
                       field="discrepancy", code="resolved")
    _resolve(discrepancy, DiscrepancyStatus.DISMISSED, user)
    db.session.flush()
    return discrepancy


def check_discrepancy(discrepancy: Discrepancy, user=None) -> None:
    """Refuse (403 other_warehouse) a held line of another warehouse: its bin's, or its PO's."""
    warehouses.check(discrepancy.location, user, "discrepancy")
    warehouses.check(discrepancy.purchase_order.warehouse, user, "discrepancy")


def _resolve(discrepancy: Discrepancy, status: DiscrepancyStatus, user) -> None:
    discrepancy.status, discrepancy.resolved_at = status, utcnow()
    discrepancy.resolved_by_id = getattr(user, "id", None)


def open_discrepancies() -> list[Discrepancy]:
    """Flagged receipt lines waiting for a supervisor, oldest first (those of the caller's
    warehouses)."""
    return list(db.session.scalars(select(Discrepancy)
                                   .where(Discrepancy.status == DiscrepancyStatus.OPEN,
                                          discrepancies_of_caller())
                                   .order_by(Discrepancy.id)))


def discrepancies_of_caller():
    """A WHERE clause keeping held lines whose bin and PO are in the caller's warehouses."""
    if warehouses.caller() is None:
        return true()
    return (warehouses.location_clause(Discrepancy.location_id)
            & Discrepancy.purchase_order_id.in_(select(PurchaseOrder.id).where(pos_of_caller())))
