"""A count that finds fewer units than orders have reserved: the orders wait, visibly.

The decision. The ledger refuses to take reserved stock (post() raises Reserved), which is
right for a pick or a move, but a count loss is not a choice: the units are physically gone.
So a loss that would eat into reservations never posts by itself at submit, whatever the
tolerance: the line waits for a supervisor with the orders named. When the supervisor approves,
the reservations the missing units carried are released first (the newest orders give theirs
back first, only units still to pick, never staged or shipped ones), those orders show the
units as waiting (a backorder, picked up again by "Reserve what has arrived" when stock comes
in), and the loss posts. The approval's decision lists every order touched. If the orders
cannot give back enough (the units are staged in the packing bin), the approval is refused with
that message and nothing changes.
"""
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from warehouse_app.catalog.models import Product
from warehouse_app.extensions import db
from warehouse_app.ledger import reservations
from warehouse_app.ledger.models import WarehouseStock
from warehouse_app.locations.models import Location
from warehouse_app.orders.models import FINAL, Order, OrderLine, OrderStatus
from warehouse_app.orders.reserving import lock, refresh_status

UNTOUCHABLE = frozenset(FINAL | {OrderStatus.PACKED})


@dataclass
class Released:
    """Units of an order's reservation given back because a count found them missing."""

    order: str
    sku: str
    qty: int
    status: str

    def describe(self) -> str:
        """'SO-3: 2 × MUG released (now backorder)'."""
        return f"{self.order}: {self.qty} × {self.sku} released (now {self.status})"


_WS = WarehouseStock.__table__
_FREE = select(_WS.c.on_hand - _WS.c.reserved).where(_WS.c.product_id == bindparam("p"),
                                                     _WS.c.warehouse_id == bindparam("w"))


def short_by(product_id: int, location: Location, loss: int) -> int:
    """How many units of a loss in this location are promised to orders (0 when none)."""
    if location.warehouse_id is None:
        return 0
    free = db.session.execute(_FREE, {"p": product_id, "w": location.warehouse_id}).scalar()
    return max(loss - int(free or 0), 0)


def holders(product_id: int, warehouse_id: int) -> list[OrderLine]:
    """Open order lines reserving a product in a warehouse, newest order first."""
    return list(db.session.scalars(
        select(OrderLine).join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.product_id == product_id, OrderLine.warehouse_id == warehouse_id,
               OrderLine.reserved > 0, Order.status.not_in(list(UNTOUCHABLE)))
        .order_by(Order.created_at.desc(), Order.id.desc())))


def orders_holding(product_id: int, location: Location) -> list[str]:
    """References of the orders a loss here would take from (for the waiting line's reason)."""
    if location.warehouse_id is None:
        return []
    return [line.order.reference for line in holders(product_id, location.warehouse_id)]


def make_room(product: Product, location: Location, loss: int) -> list[Released]:
    """Before posting a count loss: release the reservations it would break, newest first."""
    short = short_by(product.id, location, loss)
    released = []
    for line in holders(product.id, location.warehouse_id) if short else []:
        order = lock(line.order)
        db.session.refresh(order)  # read afresh under the order's lock: a pick may have run
        db.session.refresh(line)
        take = min(line.to_pick, short)
        if take <= 0:
            continue
        line.reserved -= take
        reservations.release(product, line.warehouse, take)
        refresh_status(order)
        short -= take
        released.append(Released(order.reference, product.sku, take, order.status.value))
        if short == 0:
            break
    db.session.flush()
    return released
