"""Look-up: turn a scanned string into a product or a location, and gather what the page shows."""
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from warehouse_app.auth import warehouses as kept
from warehouse_app.catalog import products
from warehouse_app.catalog.models import Product
from warehouse_app.counting import blind
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.ledger import balances
from warehouse_app.ledger.models import Movement, StockLevel
from warehouse_app.locations import places
from warehouse_app.locations.models import Location

RECENT = 20
ROW_LIMIT = 80  # keeps a warehouse page well under 100 KB; the CSV export has everything


@dataclass
class Found:
    """What a code names: a product (and the units one scan means) or a location."""

    kind: str
    thing: Product | Location
    pack_size: int = 1
    via: str = ""


def resolve(code: str) -> Found | None:
    """The product (by SKU, then barcode) or location (by code) this string names, if any."""
    code = (code or "").strip()
    if not code:
        return None
    try:
        return Found("product", products.by_sku(code), via="sku")
    except DomainError:
        pass
    product = db.session.scalar(select(Product).where(func.lower(Product.sku) == code.lower())
                                .order_by(Product.id).limit(1))
    if product is not None:
        return Found("product", product, via="sku")
    try:
        product, pack = products.by_barcode(code)
        return Found("product", product, pack_size=pack, via="barcode")
    except DomainError:
        pass
    try:
        return Found("location", places.by_code(code), via="code")
    except DomainError:
        return None


def recent_movements(product_id: int | None = None, location_ids: list[int] | None = None):
    """The last movements of a product, or into and out of some locations, newest first."""
    query = (select(Movement).options(selectinload(Movement.product),
                                      selectinload(Movement.from_location),
                                      selectinload(Movement.to_location),
                                      selectinload(Movement.lot), selectinload(Movement.user))
             .order_by(Movement.created_at.desc(), Movement.id.desc()).limit(RECENT))
    if product_id is not None:
        query = query.where(Movement.product_id == product_id)
    if location_ids is not None:
        query = query.where(or_(Movement.from_location_id.in_(location_ids),
                                Movement.to_location_id.in_(location_ids)))
    if kept.caller() is not None:  # what moved into or out of the caller's warehouses
        query = query.where(or_(kept.location_clause(Movement.from_location_id),
                                kept.location_clause(Movement.to_location_id)))
    return db.session.scalars(query).all()


def _add(total: dict, row: StockLevel) -> None:
    total["on_hand"] += row.on_hand
    total["reserved"] += row.reserved
    total["available"] += row.available


def _zero(**extra) -> dict:
    return {"on_hand": 0, "reserved": 0, "available": 0, **extra}


def product_summary(product: Product) -> dict:
    """Totals, per-warehouse subtotals, per-bin rows and recent movements of one product."""
    every, hidden = balances.stock_rows(product_id=product.id), blind.hidden_bins()
    rows = blind.visible(every, hidden)
    warehouses: dict[str, dict] = {}
    for row in rows:
        home = row.location.warehouse or row.location
        _add(warehouses.setdefault(home.code, _zero(location=home)), row)
    return {"totals": blind.visible_totals(balances.totals_seen(product.id, every), every,
                                           hidden),
            "warehouses": list(warehouses.values()),
            "rows": rows[:ROW_LIMIT], "more": max(0, len(rows) - ROW_LIMIT),
            "movements": blind.visible_movements(recent_movements(product_id=product.id),
                                                 hidden)}


def location_summary(location: Location) -> dict:
    """What is in a location (and below it) per product, its bins, and recent movements."""
    kept.check(location, field="code")
    ids = balances.descendants(location)
    hidden = blind.hidden_bins()
    rows = blind.visible(balances.stock_rows(location_ids=ids), hidden)
    per_product: dict[int, dict] = {}
    for row in rows:
        _add(per_product.setdefault(row.product_id, _zero(product=row.product)), row)
    items = sorted(per_product.values(), key=lambda item: item["product"].sku)
    nested = len(ids) > 1
    return {"products": items[:ROW_LIMIT], "more": max(0, len(items) - ROW_LIMIT),
            "rows": rows[:ROW_LIMIT] if nested else [], "nested": nested,
            "children": len(ids) - 1,
            "movements": blind.visible_movements(recent_movements(location_ids=ids), hidden)}


def on_hand_for(product_ids: list[int]) -> dict[int, int]:
    """Total on hand of each of these products (for a list page, in one query)."""
    if not product_ids:
        return {}
    rows = db.session.execute(
        select(StockLevel.product_id, func.sum(StockLevel.on_hand))
        .where(StockLevel.product_id.in_(product_ids)).group_by(StockLevel.product_id))
    return {pid: int(total or 0) for pid, total in rows}
