"""What `flask ledger verify` checks of orders and purchase orders.

An order line's picked is the sum of its picks whose movements stand (not reversed); its
shipped is what of those left for Customer (picked straight there, or shipped from the packing
bin); a purchase order line's received is the sum of its receipts whose movements stand; and a
warehouse's reserved units are what its open orders' lines reserve.
"""
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import aliased

from warehouse_app.extensions import db
from warehouse_app.ledger.balances import DOCUMENT_CHECKS, DocumentMismatch
from warehouse_app.ledger.models import Movement, WarehouseStock
from warehouse_app.locations.models import Location
from warehouse_app.orders.models import (
    FINAL,
    Order,
    OrderLine,
    OrderPick,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
)


def _standing(movement_id_column):
    """True where the movement has not been reversed."""
    reversal = aliased(Movement)  # made per call: aliasing at import would configure mappers
    return ~select(reversal.id).where(reversal.reversal_of_id == movement_id_column).exists()


def order_lines() -> list[DocumentMismatch]:
    """Order lines whose picked or shipped is not the sum of their standing picks."""
    picked, shipped = defaultdict(int), defaultdict(int)
    rows = db.session.execute(
        select(OrderPick.line_id, OrderPick.qty, OrderPick.staged_at_id,
               OrderPick.ship_movement_id, Movement.qty)
        .join(Movement, Movement.id == OrderPick.movement_id)
        .where(_standing(OrderPick.movement_id)))
    for line_id, qty, staged_at, ship_movement, moved in rows:
        picked[line_id] += moved
        if staged_at is None or ship_movement is not None:
            shipped[line_id] += qty
    unshipped = set(db.session.scalars(
        select(OrderPick.ship_movement_id).where(OrderPick.ship_movement_id.is_not(None),
                                                 ~_standing(OrderPick.ship_movement_id))))
    problems = []
    for line in db.session.execute(
            select(OrderLine.id, OrderLine.product_id, OrderLine.picked, OrderLine.shipped,
                   OrderLine.reserved, Order.reference, Order.status)
            .join(Order, Order.id == OrderLine.order_id).order_by(OrderLine.id)):
        where = f"order {line.reference} line {line.id}"
        if line.picked != picked[line.id]:
            problems.append(DocumentMismatch(line.product_id, f"{where} says picked "
                                             f"{line.picked}, its picks in the ledger "
                                             f"{picked[line.id]}"))
        if line.shipped != shipped[line.id]:
            problems.append(DocumentMismatch(line.product_id, f"{where} says shipped "
                                             f"{line.shipped}, the ledger {shipped[line.id]}"))
        if line.status in FINAL and line.reserved:
            problems.append(DocumentMismatch(line.product_id, f"{where} is {line.status.value} "
                                             f"but still reserves {line.reserved}"))
    for movement_id in sorted(unshipped):
        problems.append(DocumentMismatch(
            db.session.get(Movement, movement_id).product_id,
            f"shipment movement {movement_id} was reversed but its picks still say shipped"))
    return problems


def reservations() -> list[DocumentMismatch]:
    """Warehouses whose reserved units are not what their open orders' lines reserve."""
    wanted = defaultdict(int)
    for product_id, warehouse_id, reserved in db.session.execute(
            select(OrderLine.product_id, OrderLine.warehouse_id, OrderLine.reserved)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.status.not_in(FINAL), OrderLine.reserved > 0)):
        wanted[(product_id, warehouse_id)] += reserved
    cached = {(p, w): int(r) for p, w, r in db.session.execute(
        select(WarehouseStock.product_id, WarehouseStock.warehouse_id, WarehouseStock.reserved)
        .where(WarehouseStock.reserved != 0))}
    codes = dict(db.session.execute(select(Location.id, Location.code)
                                    .where(Location.id.in_({w for _p, w in
                                                            set(wanted) | set(cached)}))).all())
    return [DocumentMismatch(p, f"warehouse {codes.get(w, w)} reserves {cached.get((p, w), 0)}, "
                                f"its open order lines {wanted.get((p, w), 0)}")
            for p, w in sorted(set(wanted) | set(cached))
            if wanted.get((p, w), 0) != cached.get((p, w), 0)]


def purchase_lines() -> list[DocumentMismatch]:
    """Purchase order lines whose received is not the sum of their standing receipts."""
    received = defaultdict(int)
    for line_id, moved in db.session.execute(
            select(PurchaseReceipt.line_id, Movement.qty)
            .join(Movement, Movement.id == PurchaseReceipt.movement_id)
            .where(_standing(PurchaseReceipt.movement_id))):
        received[line_id] += moved
    return [DocumentMismatch(product_id, f"purchase order {reference} line {line_id} says "
                                         f"received {said}, its receipts in the ledger "
                                         f"{received[line_id]}")
            for line_id, product_id, said, reference in db.session.execute(
                select(PurchaseOrderLine.id, PurchaseOrderLine.product_id,
                       PurchaseOrderLine.received, PurchaseOrder.reference)
                .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
                .order_by(PurchaseOrderLine.id))
            if said != received[line_id]]


DOCUMENT_CHECKS.extend([order_lines, reservations, purchase_lines])
