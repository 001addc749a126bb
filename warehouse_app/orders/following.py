"""Documents follow the ledger: reversing a movement an order or a purchase order counted.

A reversal (the phone's undo, a supervisor's reverse) is a movement like any other; the
document the original belongs to changes in the same transaction, or the reversal is refused
with a Conflict that names the document's own way back:
- an order's pick: the line is un-picked (and, when the pick went straight to Customer, its
  units are reserved for the order again); refused once the order has shipped (a return
  brings shipped units back);
- an order's shipment: refused (a customer return is how shipped units come back);
- a purchase order's receipt: the line's received goes down by the receipt.
"""
from sqlalchemy import select

from warehouse_app.errors import Conflict
from warehouse_app.extensions import db
from warehouse_app.ledger import reservations
from warehouse_app.ledger.models import Movement
from warehouse_app.ledger.movements import movement_reversing
from warehouse_app.orders.models import OrderPick, OrderStatus, PurchaseReceipt
from warehouse_app.orders.purchasing import lock_po
from warehouse_app.orders.purchasing import refresh_status as refresh_po
from warehouse_app.orders.reserving import lock, refresh_status


class DocumentConflict(Conflict):
    code = "document_conflict"


@movement_reversing.connect
def _order_pick(movement: Movement):
    picked = db.session.scalar(select(OrderPick).where(OrderPick.movement_id == movement.id))
    if picked is None:
        return None
    line = picked.line
    order = line.order
    lock(order)  # before the reversal's balances: the lock order every pick keeps
    if picked.ship_movement_id is not None or order.status is OrderStatus.SHIPPED:
        raise DocumentConflict(
            f"Movement {movement.id} is a pick of order {order.reference}, which has shipped; "
            "bring the units back with a customer return.", field="movement")
    straight = picked.staged_at_id is None  # went to Customer: the reservation was released

    def follow(_reversal: Movement) -> None:
        line.picked -= picked.qty
        if straight:
            line.shipped -= picked.qty
            if order.status is not OrderStatus.CANCELLED:
                reservations.reserve(line.product, line.warehouse, picked.qty)
                line.reserved += picked.qty
        db.session.delete(picked)
        if order.status is OrderStatus.PACKED:
            order.status, order.packed_at = OrderStatus.PICKING, None
        refresh_status(order)
        db.session.flush()
    return follow


@movement_reversing.connect
def _order_shipment(movement: Movement):
    shipped = db.session.scalar(select(OrderPick).where(
        OrderPick.ship_movement_id == movement.id).limit(1))
    if shipped is None:
        return None
    raise DocumentConflict(
        f"Movement {movement.id} is the shipment of order {shipped.line.order.reference}; "
        "bring the units back with a customer return.", field="movement")


@movement_reversing.connect
def _purchase_receipt(movement: Movement):
    receipt = db.session.scalar(select(PurchaseReceipt)
                                .where(PurchaseReceipt.movement_id == movement.id))
    if receipt is None:
        return None

    line = receipt.line
    lock_po(line.purchase_order)  # before the reversal's balances, as a receipt does

    def follow(_reversal: Movement) -> None:
        line.received -= receipt.qty
        db.session.delete(receipt)
        refresh_po(line.purchase_order)
        db.session.flush()
    return follow
