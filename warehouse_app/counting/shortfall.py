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

Counting does not know orders: it asks whoever holds the reservations (ledger/reservations.py's
signals; orders/giving_back.py answers).
"""
from sqlalchemy import bindparam, select

from warehouse_app.catalog.models import Product
from warehouse_app.extensions import db
from warehouse_app.ledger import reservations
from warehouse_app.ledger.models import WarehouseStock
from warehouse_app.ledger.reservations import Released
from warehouse_app.locations.models import Location

_WS = WarehouseStock.__table__
_FREE = select(_WS.c.on_hand - _WS.c.reserved).where(_WS.c.product_id == bindparam("p"),
                                                     _WS.c.warehouse_id == bindparam("w"))


def short_by(product_id: int, location: Location, loss: int) -> int:
    """How many units of a loss in this location are promised to orders (0 when none)."""
    if location.warehouse_id is None:
        return 0
    free = db.session.execute(_FREE, {"p": product_id, "w": location.warehouse_id}).scalar()
    return max(loss - int(free or 0), 0)


def orders_holding(product: Product, location: Location) -> list[str]:
    """References of the orders a loss here would take from (for the waiting line's reason)."""
    if location.warehouse_id is None:
        return []
    return reservations.holders(product, location.warehouse_id)


def make_room(product: Product, location: Location, loss: int) -> list[Released]:
    """Before posting a count loss: release the reservations it would break, newest first."""
    short = short_by(product.id, location, loss)
    released = reservations.give_back(product, location.warehouse_id, short) if short else []
    db.session.flush()
    return released
