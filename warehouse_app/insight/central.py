"""The central view: every warehouse side by side, per product, with totals per warehouse.

Stock in transit between warehouses (ledger/transit.py) sits in the destination's transit
bin; here it is on hand in neither warehouse but shown apart (its own column and line), and
counted in the totals.
"""
from dataclasses import dataclass, field

from sqlalchemy import exists, func, or_, select

from warehouse_app.auth import warehouses as kept
from warehouse_app.catalog.models import Category, Product
from warehouse_app.errors import Forbidden
from warehouse_app.extensions import db
from warehouse_app.ledger import sellable, transit
from warehouse_app.ledger.models import Movement, WarehouseStock
from warehouse_app.locations.models import Location, LocationKind

PER_PAGE = 40  # keeps the page light on a phone (well under 100 KB)


@dataclass
class Filters:
    """What the supervisor narrowed the view to."""

    q: str = ""
    category: int | None = None
    warehouse: int | None = None
    page: int = 1


@dataclass
class Central:
    """One page of the central view."""

    warehouses: list[Location]
    rows: list[dict]
    total: int
    pages: int
    totals: dict[int, dict] = field(default_factory=dict)
    latest: int = 0
    page: int = 1


def warehouses() -> list[Location]:
    """Every active warehouse, by code."""
    return db.session.scalars(select(Location).where(Location.kind == LocationKind.WAREHOUSE,
                                                     Location.active,
                                                     kept.clause(Location.id))
                              .order_by(Location.code)).all()


def categories() -> list[tuple[int, str]]:
    """(id, path) of every category, by path, for the filter."""
    return sorted(((c.id, c.path) for c in db.session.scalars(select(Category))),
                  key=lambda item: item[1].lower())


def _category_ids(root: int) -> list[int]:
    """A category and everything under it."""
    parents = dict(db.session.execute(select(Category.id, Category.parent_id)).all())
    found, grew = {root}, True
    while grew:
        more = {cid for cid, parent in parents.items() if parent in found} - found
        found |= more
        grew = bool(more)
    return list(found)


def build(f: Filters) -> Central:
    """The page of products the filters select, with their balance in every warehouse."""
    query = select(Product.id, Product.sku, Product.name).where(Product.active)
    if f.q:
        low = f.q.lower()  # % and _ are searched for, not wildcards
        query = query.where(or_(func.lower(Product.sku).contains(low, autoescape=True),
                                func.lower(Product.name).contains(low, autoescape=True)))
    if f.category:
        query = query.where(Product.category_id.in_(_category_ids(f.category)))
    if f.warehouse and not kept.allows(f.warehouse):
        raise Forbidden("That warehouse is not one you are kept to.", field="warehouse",
                        code="other_warehouse")
    if f.warehouse:
        query = query.where(exists().where(WarehouseStock.product_id == Product.id,
                                           WarehouseStock.warehouse_id == f.warehouse,
                                           WarehouseStock.on_hand > 0))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(max(f.page, 1), pages)
    found = db.session.execute(query.order_by(Product.sku).limit(PER_PAGE)
                               .offset((page - 1) * PER_PAGE)).all()
    cells = balances([pid for pid, _, _ in found])
    rows = [{"id": pid, "sku": sku, "name": name, **cells.get(pid, empty())}
            for pid, sku, name in found]
    shown = [w for w in warehouses() if not f.warehouse or w.id == f.warehouse]
    return Central(shown, rows, total, pages, warehouse_totals(), latest_movement(), page)


def empty() -> dict:
    return {"cells": {}, "on_hand": 0, "available": 0, "in_transit": 0}


def _in_transit_at(carried: list[transit.Carried]) -> dict[tuple[int, int], int]:
    """(product id, destination warehouse id) -> units in its transit bin."""
    found: dict[tuple[int, int], int] = {}
    for c in carried:
        found[(c.product_id, c.to_warehouse_id)] = \
            found.get((c.product_id, c.to_warehouse_id), 0) + c.qty
    return found


def balances(product_ids: list[int], allowed=kept.CALLER) -> dict[int, dict]:
    """Per product: on hand and available in each warehouse (the caller's, or `allowed`), in
    transit between them, and in total (warehouses and transit)."""
    if not product_ids:
        return {}
    found: dict[int, dict] = {}
    rows = db.session.execute(select(WarehouseStock.product_id, WarehouseStock.warehouse_id,
                                     WarehouseStock.on_hand, WarehouseStock.reserved)
                              .where(WarehouseStock.product_id.in_(product_ids),
                                     kept.clause(WarehouseStock.warehouse_id,
                                                 allowed=allowed)))
    unsellable = sellable.unsellable_by_warehouse(product_ids)  # held, expired, in transit
    carried = transit.carried(product_ids=product_ids, allowed=allowed)
    arriving = _in_transit_at(carried)
    for pid, wid, on_hand, reserved in rows:
        entry = found.setdefault(pid, empty())
        here = int(on_hand) - arriving.get((pid, wid), 0)  # the transit bin is in no warehouse
        free = int(here - reserved) - (unsellable.get((pid, wid), 0) - arriving.get((pid, wid), 0))
        entry["cells"][wid] = {"on_hand": here, "available": free}
        entry["on_hand"] += here
        entry["available"] += free
    for c in carried:
        entry = found.setdefault(c.product_id, empty())
        entry["in_transit"] += c.qty
        entry["on_hand"] += c.qty  # the total counts it: units on their way are still ours
    return found


def warehouse_totals(allowed=kept.CALLER) -> dict:
    """Per warehouse (the caller's, or `allowed`): units on hand, available, value at average
    cost, products held; and under "transit", the units and value in transit."""
    rows = db.session.execute(
        select(WarehouseStock.warehouse_id, func.sum(WarehouseStock.on_hand),
               func.sum(WarehouseStock.reserved),
               func.sum(WarehouseStock.on_hand * Product.avg_cost),
               func.count().filter(WarehouseStock.on_hand > 0))
        .join(Product, Product.id == WarehouseStock.product_id)
        .where(kept.clause(WarehouseStock.warehouse_id, allowed=allowed))
        .group_by(WarehouseStock.warehouse_id))
    unsellable: dict[int, int] = {}
    for (_pid, wid), units in sellable.unsellable_by_warehouse().items():
        unsellable[wid] = unsellable.get(wid, 0) + units
    carried = transit.carried(allowed=allowed)
    costs = dict(db.session.execute(select(Product.id, Product.avg_cost).where(
        Product.id.in_({c.product_id for c in carried}))).all()) if carried else {}
    arriving = _in_transit_at(carried)
    # A product whose only units in a warehouse are those arriving is not held there.
    only_arriving: dict[int, int] = {}
    if arriving:
        for pid, wid, on_hand in db.session.execute(
                select(WarehouseStock.product_id, WarehouseStock.warehouse_id,
                       WarehouseStock.on_hand)
                .where(WarehouseStock.product_id.in_({p for p, _ in arriving}))):
            if (pid, wid) in arriving and on_hand == arriving[(pid, wid)]:
                only_arriving[wid] = only_arriving.get(wid, 0) + 1
    units_to: dict[int, int] = {}
    value_to: dict[int, float] = {}
    for (pid, wid), units in arriving.items():
        units_to[wid] = units_to.get(wid, 0) + units
        value_to[wid] = value_to.get(wid, 0.0) + units * float(costs.get(pid) or 0)
    totals: dict = {
        wid: {"on_hand": int(h or 0) - units_to.get(wid, 0),
              "available": int((h or 0) - (r or 0)) - unsellable.get(wid, 0),
              "value": round(float(v or 0) - value_to.get(wid, 0.0), 2),
              "products": int(n or 0) - only_arriving.get(wid, 0)}
        for wid, h, r, v, n in rows}
    totals["transit"] = {"on_hand": sum(c.qty for c in carried), "available": 0,
                         "value": round(sum(c.qty * float(costs.get(c.product_id) or 0)
                                            for c in carried), 2),
                         "products": len({c.product_id for c in carried})}
    return totals


def latest_movement() -> int:
    """The newest movement's id (0 for an empty ledger): where the live feed starts."""
    return db.session.scalar(select(func.coalesce(func.max(Movement.id), 0)))
