"""What `flask ledger verify` checks of the orders: every warehouse's reserved units are the
units its order lines hold reserved, and a shipped or cancelled order holds none."""
from dataclasses import dataclass

from sqlalchemy import func, select

from warehouse_app.extensions import db
from warehouse_app.ledger import balances
from warehouse_app.ledger.models import WarehouseStock
from warehouse_app.orders.models import FINAL, Order, OrderLine


@dataclass(frozen=True)
class ReservationMismatch:
    product_id: int
    location_id: int  # the warehouse
    lines: int
    cached: int
    closed: int  # units still reserved by shipped or cancelled orders

    def describe(self, names: dict) -> str:
        sku, code = names.get(("p", self.product_id), "?"), names.get(("l", self.location_id), "?")
        if self.closed:
            return (f"{sku} in warehouse {code}: shipped or cancelled orders still hold "
                    f"{self.closed} reserved")
        return (f"{sku} in warehouse {code}: open order lines reserve {self.lines}, "
                f"warehouse_stock says {self.cached} reserved")


def verify_reservations() -> list[ReservationMismatch]:
    lines, closed = {}, {}
    for product, warehouse, final, units in db.session.execute(
            select(OrderLine.product_id, OrderLine.warehouse_id, Order.status.in_(FINAL),
                   func.sum(OrderLine.reserved))
            .join(Order, Order.id == OrderLine.order_id)
            .group_by(OrderLine.product_id, OrderLine.warehouse_id, Order.status.in_(FINAL))):
        key = (product, warehouse)
        lines[key] = lines.get(key, 0) + int(units or 0)
        if final:
            closed[key] = int(units or 0)
    cached = {(p, w): int(r) for p, w, r in db.session.execute(
        select(WarehouseStock.product_id, WarehouseStock.warehouse_id, WarehouseStock.reserved))}
    return [ReservationMismatch(p, w, lines.get((p, w), 0), cached.get((p, w), 0),
                                closed.get((p, w), 0))
            for p, w in sorted(set(lines) | set(cached))
            if lines.get((p, w), 0) != cached.get((p, w), 0) or closed.get((p, w), 0)]


balances.CHECKS.append(verify_reservations)
