"""Directed putaway: where should this go?

The bin already holding the product (the same lot first), then the product's home bin, then an
empty bin in the zone where the product lives, then any empty bin; a bin with a capacity is
only suggested while the quantity still fits.
"""
from sqlalchemy import func, select

from warehouse_app.catalog.models import Product
from warehouse_app.extensions import db
from warehouse_app.ledger.models import StockLevel
from warehouse_app.locations.models import Location, LocationKind
from warehouse_app.locations.places import is_storage

MAX_SUGGESTIONS = 3


def _held(location_id: int) -> int:
    """Units of every product in one bin."""
    return int(db.session.scalar(select(func.coalesce(func.sum(StockLevel.on_hand), 0))
                                 .where(StockLevel.location_id == location_id)))


def _fits(location: Location, qty: int) -> bool:
    return location.capacity is None or _held(location.id) + qty <= location.capacity


def _empty_bins(parent_id: int | None, warehouse_id: int | None = None) -> list[Location]:
    occupied = (select(StockLevel.id).where(StockLevel.location_id == Location.id,
                                            StockLevel.on_hand > 0).exists())
    query = (select(Location).where(Location.kind == LocationKind.BIN, Location.active.is_(True),
                                    ~occupied)
             .order_by(Location.sequence, Location.code).limit(4 * MAX_SUGGESTIONS))
    if parent_id is not None:
        query = query.where(Location.parent_id == parent_id)
    if warehouse_id is not None:
        query = query.where(Location.warehouse_id == warehouse_id)
    return list(db.session.scalars(query))


def suggest(product: Product, qty: int = 1, lot_id: int | None = None,
            exclude: int | None = None, warehouse_id: int | None = None
            ) -> list[tuple[Location, str]]:
    """Up to three storage bins for this product and quantity (in this warehouse, when
    given), each with why it is suggested; never a dock, a returns or a hold bin."""
    picks: list[tuple[Location, str]] = []

    def offer(location: Location, why: str) -> None:
        if (location.id != exclude and location.active and is_storage(location)
                and (warehouse_id is None or location.warehouse_id == warehouse_id)
                and _fits(location, qty)
                and all(location.id != p.id for p, _ in picks)):
            picks.append((location, why))

    holding = db.session.execute(
        select(StockLevel, Location).join(Location, StockLevel.location_id == Location.id)
        .where(StockLevel.product_id == product.id, StockLevel.on_hand > 0,
               Location.kind == LocationKind.BIN)
        .order_by((StockLevel.lot_id == lot_id).desc() if lot_id else StockLevel.on_hand.desc(),
                  StockLevel.on_hand.desc())).all()
    for level, location in holding:
        offer(location, f"holds {level.on_hand}" + (f" of lot {level.lot.code}"
                                                    if level.lot_id else ""))
    if product.home_location is not None:
        offer(product.home_location, "home bin")
    zone = (product.home_location.parent_id if product.home_location
            else holding[0][1].parent_id if holding else None)
    for location in _empty_bins(zone) if zone else []:
        offer(location, "empty bin in the same zone")
    for location in _empty_bins(None, warehouse_id):
        if len(picks) >= MAX_SUGGESTIONS:
            break
        offer(location, "empty bin")
    return picks[:MAX_SUGGESTIONS]
