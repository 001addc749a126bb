"""Orders give back reservations a count found gone (counting/shortfall.py says why): the
newest orders first, only units still to pick, never staged or shipped ones. Those orders show
the units as waiting (a backorder, picked up again by "Reserve what has arrived")."""
from sqlalchemy import select

from warehouse_app.catalog.models import Product
from warehouse_app.extensions import db
from warehouse_app.ledger import reservations
from warehouse_app.ledger.reservations import Released
from warehouse_app.orders.models import FINAL, Order, OrderLine, OrderStatus
from warehouse_app.orders.reserving import lock, refresh_status

UNTOUCHABLE = frozenset(FINAL | {OrderStatus.PACKED})


def holders(product_id: int, warehouse_id: int) -> list[OrderLine]:
    """Open order lines reserving a product in a warehouse, newest order first."""
    return list(db.session.scalars(
        select(OrderLine).join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.product_id == product_id, OrderLine.warehouse_id == warehouse_id,
               OrderLine.reserved > 0, Order.status.not_in(list(UNTOUCHABLE)))
        .order_by(Order.created_at.desc(), Order.id.desc())))


@reservations.reservations_held.connect
def references(product: Product, warehouse_id: int) -> list[str]:
    """The orders a loss of this product in this warehouse would take from."""
    return [line.order.reference for line in holders(product.id, warehouse_id)]


@reservations.reservations_lost.connect
def give_back(product: Product, warehouse_id: int, qty: int) -> list[Released]:
    """Release up to qty units of the orders' reservations, newest order first."""
    released = []
    for line in holders(product.id, warehouse_id):
        order = lock(line.order)
        db.session.refresh(order)  # read afresh under the order's lock: a pick may have run
        db.session.refresh(line)
        take = min(line.to_pick, qty)
        if take <= 0:
            continue
        line.reserved -= take
        reservations.release(product, line.warehouse, take)
        refresh_status(order)
        qty -= take
        released.append(Released(order.reference, product.sku, take, order.status.value))
        if qty == 0:
            break
    return released
