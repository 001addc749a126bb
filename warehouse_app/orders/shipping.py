"""Pack and ship: an order leaves the warehouse.

Where the reservation is consumed. A reservation promises units in a warehouse, so it is
released exactly once, when those units leave the warehouse:
- picked straight to Customer (the warehouse has no packing bin): the pick itself releases it,
  in the same statement that lowers on_hand (Line.release_reserved on the PICK movement);
- picked to the packing bin (<WAREHOUSE>-PACK or PACK): that is a transfer inside the
  warehouse and the units stay reserved while staged, so no other order or movement can take
  them; ship() posts a PICK from the packing bin to Customer that releases them.
An order with units not picked ships only when told what becomes of them (else 409
unpicked_units): short="cancel" ships what was picked and gives the rest of the reservation
back, so a shipped order holds no reservation; short="backorder" ships what was picked and
keeps the order open for the rest (its reservations stay, the next ship sends the rest).
"""
from sqlalchemy import select

from warehouse_app.catalog.products import clean_text
from warehouse_app.errors import Conflict, DomainError
from warehouse_app.extensions import db
from warehouse_app.ledger import reservations
from warehouse_app.ledger.models import MovementKind
from warehouse_app.ledger.movements import Line, record
from warehouse_app.models import utcnow
from warehouse_app.orders.models import FINAL, Order, OrderLine, OrderPick, OrderStatus
from warehouse_app.orders.reserving import lock, refresh_status

SHORT_CHOICES = ("backorder", "cancel")


class UnpickedUnits(Conflict):
    code = "unpicked_units"


def unpicked(order: Order) -> list[tuple[OrderLine, int]]:
    """Lines with units not picked yet, and how many."""
    return [(line, line.unpicked) for line in order.lines if line.unpicked]


def _short_choice(value) -> str | None:
    if value in (None, ""):
        return None
    if value not in SHORT_CHOICES:
        raise DomainError('short is "backorder" or "cancel".', field="short")
    return value


def _has_picks(order: Order) -> None:
    if order.status in FINAL:
        raise Conflict(f"Order {order.reference} is already {order.status.value}.",
                       field="reference", code="order_closed")
    if not any(line.picked for line in order.lines):
        raise Conflict(f"Nothing of order {order.reference} has been picked yet.",
                       field="reference", code="nothing_picked")


def pack(order: Order, user=None) -> Order:
    """Mark a picked order packed: no more picks go into it."""
    lock(order)
    _has_picks(order)
    if order.status is not OrderStatus.PACKED:
        order.status, order.packed_at = OrderStatus.PACKED, utcnow()
    db.session.flush()
    return order


def staged_picks(order: Order) -> list[OrderPick]:
    """Picks of an order waiting in a packing bin."""
    return list(db.session.scalars(
        select(OrderPick).join(OrderLine, OrderLine.id == OrderPick.line_id)
        .where(OrderLine.order_id == order.id, OrderPick.staged_at_id.is_not(None),
               OrderPick.ship_movement_id.is_(None)).order_by(OrderPick.id)))


def ship(order: Order, carrier, tracking, user=None, short=None) -> Order:
    """Ship what was picked: staged units leave for Customer; units not picked wait on a
    backorder or are cancelled, as short says (409 unpicked_units when it says nothing)."""
    carrier = clean_text(carrier, "carrier", 60, required=True)
    tracking = clean_text(tracking, "tracking", 100, required=True)
    short = _short_choice(short)
    lock(order)
    _has_picks(order)
    missing = unpicked(order)
    if missing and short is None:
        listed = ", ".join(f"{n} × {line.product.sku}" for line, n in missing)
        raise UnpickedUnits(f"Order {order.reference} has units not picked ({listed}): ship "
                            'with short "backorder" to send the rest later, or "cancel" to '
                            "drop them.", field="short")
    groups: dict[tuple, list[OrderPick]] = {}
    for staged in staged_picks(order):
        groups.setdefault((staged.line_id, staged.staged_at_id, staged.lot_id), []).append(staged)
    for picks in groups.values():
        line, qty = picks[0].line, sum(p.qty for p in picks)
        movement = record(Line(kind=MovementKind.PICK, product=line.product, qty=qty,
                               from_location=picks[0].staged_at,
                               lot=picks[0].lot.code if picks[0].lot else None,
                               reference=order.reference, release_reserved=qty,
                               note=f"Shipped by {carrier}, tracking {tracking}"[:500]), user)
        for p in picks:
            p.ship_movement_id = movement.id
        line.shipped += qty
        line.reserved -= qty
    order.shipped_at, order.carrier, order.tracking = utcnow(), carrier, tracking
    if missing and short == "backorder":
        order.status, order.packed_at = OrderStatus.OPEN, None
        refresh_status(order)
        db.session.flush()
        return order
    for line in order.lines:
        if line.reserved:
            reservations.release(line.product, line.warehouse, line.reserved)
            line.reserved = 0
    order.status = OrderStatus.SHIPPED
    db.session.flush()
    return order
