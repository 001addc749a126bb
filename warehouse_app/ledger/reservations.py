"""Reservations: what orders have promised out of a warehouse's stock.

available = on hand - reserved - held - expired, per product and warehouse: on hand and
reserved in one row of warehouse_stock, held and expired units from the bins and lots
(ledger/sellable.py).
Reserving is one conditional UPDATE (reserved + q where on_hand - reserved >= q), so two
systems ordering the last unit at the same moment cannot both get it, on either engine. A pick
for the order releases what it takes in the same statement that lowers on_hand (post() does it
when the movement carries `release_reserved`); anything else may only take unreserved stock
(a CHECK on warehouse_stock).
"""
from dataclasses import dataclass

from blinker import signal
from sqlalchemy import bindparam, select, update

from warehouse_app.catalog.models import Product
from warehouse_app.errors import Conflict, DomainError
from warehouse_app.extensions import db
from warehouse_app.ledger import sellable
from warehouse_app.ledger.models import WarehouseStock
from warehouse_app.locations.models import Location, LocationKind

_WS = WarehouseStock.__table__
_ROW = (_WS.c.product_id == bindparam("p"), _WS.c.warehouse_id == bindparam("w"))
# Held and expired units ("u") are on hand but never promised.
_RESERVE = (update(_WS).where(*_ROW, _WS.c.on_hand - _WS.c.reserved - bindparam("u")
                              >= bindparam("q"))
            .values(reserved=_WS.c.reserved + bindparam("q")))
_RELEASE = (update(_WS).where(*_ROW, _WS.c.reserved >= bindparam("q"))
            .values(reserved=_WS.c.reserved - bindparam("q")))


# A count found reserved units gone (a loss is not a choice: counting/shortfall.py). Whoever
# holds reservations (orders) listens, inside the caller's transaction, sent with the product
# and warehouse_id: to reservations_held it answers its references, newest first; to
# reservations_lost (with qty) it releases up to qty units, newest first, and answers a list
# of Released.
reservations_held = signal("reservations-held")
reservations_lost = signal("reservations-lost")


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


class NotAvailable(Conflict):
    code = "insufficient_stock"

    def __init__(self, sku: str, warehouse: str, wanted: int, available: int):
        super().__init__(f"Only {available} of {sku} available in {warehouse}; {wanted} asked.",
                         field="qty")
        self.sku, self.wanted, self.available = sku, wanted, available


def _check(product: Product, warehouse: Location, qty: int) -> None:
    if warehouse.kind is not LocationKind.WAREHOUSE:
        raise DomainError(f"{warehouse.code} is not a warehouse.", field="warehouse")
    if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
        raise DomainError("A reservation is a whole number of units from 1.", field="qty")


def balance(product_id: int, warehouse_id: int) -> tuple[int, int]:
    """On hand and reserved of a product in a warehouse."""
    row = db.session.execute(select(_WS.c.on_hand, _WS.c.reserved).where(
        _WS.c.product_id == product_id, _WS.c.warehouse_id == warehouse_id)).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def available(product_id: int, warehouse_id: int) -> int:
    """On hand less reserved, held and expired units."""
    on_hand, reserved = balance(product_id, warehouse_id)
    return on_hand - reserved - sellable.unsellable_units(product_id, warehouse_id)


def reserve(product: Product, warehouse: Location, qty: int) -> None:
    """Promise qty of a product out of a warehouse, or refuse with what is available."""
    _check(product, warehouse, qty)
    unsellable = sellable.unsellable_units(product.id, warehouse.id)
    done = db.session.execute(_RESERVE, {"p": product.id, "w": warehouse.id, "q": qty,
                                         "u": unsellable})
    if done.rowcount != 1:
        raise NotAvailable(product.sku, warehouse.code, qty,
                           max(0, available(product.id, warehouse.id)))


def release(product: Product, warehouse: Location, qty: int) -> None:
    """Give back a promise (a cancelled or changed order)."""
    _check(product, warehouse, qty)
    done = db.session.execute(_RELEASE, {"p": product.id, "w": warehouse.id, "q": qty})
    if done.rowcount != 1:
        raise Conflict(f"Less than {qty} of {product.sku} is reserved in {warehouse.code}.",
                       field="qty")


def holders(product: Product, warehouse_id: int) -> list[str]:
    """References of whoever reserves this product in this warehouse, newest first."""
    return [reference for _listener, answer in
            reservations_held.send(product, warehouse_id=warehouse_id) for reference in answer]


def give_back(product: Product, warehouse_id: int, qty: int) -> list[Released]:
    """Have the holders release up to qty reserved units a count found gone; what they gave."""
    return [released for _listener, answer in
            reservations_lost.send(product, warehouse_id=warehouse_id, qty=qty)
            for released in answer]
