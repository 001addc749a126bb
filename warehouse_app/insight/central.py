"""The central view: every warehouse side by side, per product, with totals per warehouse."""
from dataclasses import dataclass, field

from sqlalchemy import exists, func, or_, select

from warehouse_app.auth import warehouses as kept
from warehouse_app.catalog.models import Category, Product
from warehouse_app.errors import Forbidden
from warehouse_app.extensions import db
from warehouse_app.ledger import sellable
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
    return {"cells": {}, "on_hand": 0, "available": 0}


def balances(product_ids: list[int], allowed=kept.CALLER) -> dict[int, dict]:
    """Per product: on hand and available in each warehouse (the caller's, or `allowed`), and
    in total."""
    if not product_ids:
        return {}
    found: dict[int, dict] = {}
    rows = db.session.execute(select(WarehouseStock.product_id, WarehouseStock.warehouse_id,
                                     WarehouseStock.on_hand, WarehouseStock.reserved)
                              .where(WarehouseStock.product_id.in_(product_ids),
                                     kept.clause(WarehouseStock.warehouse_id,
                                                 allowed=allowed)))
    unsellable = sellable.unsellable_by_warehouse(product_ids)  # held, expired, in transit
    for pid, wid, on_hand, reserved in rows:
        entry = found.setdefault(pid, empty())
        free = int(on_hand - reserved) - unsellable.get((pid, wid), 0)
        entry["cells"][wid] = {"on_hand": int(on_hand), "available": free}
        entry["on_hand"] += int(on_hand)
        entry["available"] += free
    return found


def warehouse_totals(allowed=kept.CALLER) -> dict[int, dict]:
    """Per warehouse (the caller's, or `allowed`): units on hand, available, value at average
    cost, products held."""
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
    return {wid: {"on_hand": int(h or 0),
                  "available": int((h or 0) - (r or 0)) - unsellable.get(wid, 0),
                  "value": round(float(v or 0), 2), "products": int(n or 0)}
            for wid, h, r, v, n in rows}


def latest_movement() -> int:
    """The newest movement's id (0 for an empty ledger): where the live feed starts."""
    return db.session.scalar(select(func.coalesce(func.max(Movement.id), 0)))
