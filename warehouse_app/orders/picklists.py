"""Pick lists: which bins to take each order line from, in walking order.

For each line, the units still to pick are allocated to bins of its warehouse that hold the
product: earliest expiry first when lots carry expiry dates (FEFO), else in walking order. The
resulting tasks are then sorted into one walk: warehouse, then zone sequence, then bin sequence,
then code, at every level of the tree. Receiving docks (codes starting RECEIVING_DOCK_PREFIX,
"DOCK") are taken from last: goods there are waiting to be put away. Packing bins (their stock
is staged for orders), bins flagged for a count (a picker found them short), hold bins and lots
past their expiry date are never offered.
"""
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select

from warehouse_app.extensions import db
from warehouse_app.ledger.models import CountRequest, Lot, StockLevel
from warehouse_app.ledger.sellable import is_expired
from warehouse_app.ledger.walking import walk_keys
from warehouse_app.locations.models import Location
from warehouse_app.locations.places import packing_codes
from warehouse_app.orders.models import Order, OrderLine

LAST_DAY = date.max


def packing_location(warehouse: Location) -> Location | None:
    """The warehouse's packing bin: code <WAREHOUSE>-PACK, or PACK, inside that warehouse."""
    found = db.session.scalars(select(Location).where(
        Location.code.in_(packing_codes(warehouse)),
        Location.warehouse_id == warehouse.id, Location.active.is_(True))).all()
    found.sort(key=lambda loc: loc.code != packing_codes(warehouse)[0])
    return found[0] if found else None


@dataclass
class Task:
    """Take qty of a product (and lot) from one bin for one order line."""

    order: str
    tote: int
    line_id: int
    sku: str
    name: str
    location: str
    qty: int
    lot: str | None = None
    expiry: date | None = None
    walk: tuple = field(default=(), repr=False)

    def as_dict(self) -> dict:
        return {"order": self.order, "tote": self.tote, "line": self.line_id, "sku": self.sku,
                "name": self.name, "location": self.location, "qty": self.qty, "lot": self.lot,
                "expiry": self.expiry.isoformat() if self.expiry else None}


@dataclass
class PickList:
    """The walk for some orders, and what no bin can supply (short everywhere)."""

    tasks: list[Task]
    missing: list[dict]


@dataclass
class _Source:
    level_id: int
    location: Location
    lot: Lot | None
    left: int
    walk: tuple

    def rank(self, dock_prefix: str) -> tuple:
        """Storage bins before docks; then earliest expiry; then the walk."""
        expiry = self.lot.expiry if self.lot is not None and self.lot.expiry else LAST_DAY
        return (self.location.code.startswith(dock_prefix), expiry, self.walk)


def _sources(lines: list[OrderLine], keys: dict[int, tuple]) -> dict[tuple, list[_Source]]:
    """Bins holding each (product, warehouse), in the order to take from them."""
    products = {line.product_id for line in lines}
    warehouses = {line.warehouse_id for line in lines}
    excluded = {loc.id for loc in (packing_location(line.warehouse) for line in lines) if loc}
    flagged = {(r.location_id, r.product_id) for r in db.session.scalars(
        select(CountRequest).where(CountRequest.resolved_at.is_(None)))}
    rows = db.session.execute(
        select(StockLevel, Location).join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.product_id.in_(products), StockLevel.on_hand > 0,
               Location.warehouse_id.in_(warehouses))).all()
    found: dict[tuple, list[_Source]] = {}
    for level, location in rows:
        if (location.id in excluded or (location.id, None) in flagged
                or (location.id, level.product_id) in flagged
                or location.hold or (level.lot is not None and is_expired(level.lot.expiry))):
            continue
        found.setdefault((level.product_id, location.warehouse_id), []).append(
            _Source(level.id, location, level.lot, level.on_hand, keys.get(location.id, ())))
    dock = current_app.config.get("RECEIVING_DOCK_PREFIX", "DOCK") or "\0"
    for sources in found.values():
        sources.sort(key=lambda s: s.rank(dock))
    return found


def build(orders: list[Order]) -> PickList:
    """The pick list of some orders: one walk, each order its own tote (1, 2, ...)."""
    lines = [(tote, order, line) for tote, order in enumerate(orders, start=1)
             for line in order.lines if line.to_pick > 0]
    if not lines:
        return PickList([], [])
    keys = walk_keys({line.warehouse_id for _, _, line in lines})
    sources = _sources([line for _, _, line in lines], keys)
    tasks, missing = [], []
    for tote, order, line in lines:
        need = line.to_pick
        for source in sources.get((line.product_id, line.warehouse_id), []):
            take = min(need, source.left)
            if take < 1:
                continue
            source.left -= take
            need -= take
            tasks.append(Task(order.reference, tote, line.id, line.product.sku,
                              line.product.name, source.location.code, take,
                              source.lot.code if source.lot else None,
                              source.lot.expiry if source.lot else None, source.walk))
            if need == 0:
                break
        if need:
            missing.append({"order": order.reference, "line": line.id,
                            "sku": line.product.sku, "qty": need})
    tasks.sort(key=lambda t: (t.walk, t.sku, t.tote))
    return PickList(tasks, missing)


def for_order(order: Order) -> list[dict]:
    """An order's lines with the bins to pick each from, lines in walking order."""
    pick_list = build([order])
    by_line: dict[int, list[Task]] = {}
    for task in pick_list.tasks:
        by_line.setdefault(task.line_id, []).append(task)
    short = {m["line"]: m["qty"] for m in pick_list.missing}
    out = []
    for line in order.lines:
        if line.to_pick < 1:
            continue
        tasks = by_line.get(line.id, [])
        out.append({"sku": line.product.sku, "name": line.product.name,
                    "warehouse": line.warehouse.code, "qty": line.to_pick,
                    "short": short.get(line.id, 0),
                    "bins": [{"location": t.location, "qty": t.qty, "lot": t.lot,
                              "expiry": t.expiry.isoformat() if t.expiry else None}
                             for t in tasks],
                    "_walk": (0, tasks[0].walk) if tasks else (1, ())})
    out.sort(key=lambda x: x["_walk"])
    for x in out:
        del x["_walk"]
    return out
