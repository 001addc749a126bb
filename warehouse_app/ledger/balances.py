"""Reading balances: stock per location, totals, and the proof that balances equal the ledger."""
from dataclasses import dataclass

from sqlalchemy import func, literal, select, union_all

from warehouse_app.auth import warehouses
from warehouse_app.errors import Conflict
from warehouse_app.extensions import db
from warehouse_app.ledger.models import Lot, Movement, StockLevel, WarehouseStock
from warehouse_app.locations.editing import deactivating
from warehouse_app.locations.models import PHYSICAL_KINDS, Location
from warehouse_app.locations.places import descendants  # noqa: F401  (read beside balances)


@dataclass(frozen=True)
class Mismatch:
    product_id: int
    location_id: int
    lot_id: int | None
    ledger: int
    cached: int

    def describe(self, names: dict) -> str:
        sku, code = names.get(("p", self.product_id), "?"), names.get(("l", self.location_id), "?")
        lot = f" lot {self.lot_id}" if self.lot_id else ""
        return (f"{sku} in {code}{lot}: ledger says {self.ledger}, "
                f"stock_level says {self.cached}")


def ledger_balances() -> dict[tuple[int, int, int | None], int]:
    """Every physical balance recomputed from the movements alone."""
    physical = select(Location.id).where(Location.kind.in_(PHYSICAL_KINDS))
    flows = union_all(
        select(Movement.product_id.label("p"), Movement.to_location_id.label("l"),
               Movement.lot_id.label("lot"), Movement.qty.label("q"))
        .where(Movement.to_location_id.in_(physical)),
        select(Movement.product_id, Movement.from_location_id, Movement.lot_id,
               (literal(0) - Movement.qty))
        .where(Movement.from_location_id.in_(physical)),
    ).subquery()
    rows = db.session.execute(
        select(flows.c.p, flows.c.l, flows.c.lot, func.sum(flows.c.q))
        .group_by(flows.c.p, flows.c.l, flows.c.lot))
    return {(p, loc, lot): int(total) for p, loc, lot, total in rows}


@dataclass(frozen=True)
class WarehouseMismatch:
    product_id: int
    location_id: int  # the warehouse
    bins: int
    cached: int

    def describe(self, names: dict) -> str:
        sku, code = names.get(("p", self.product_id), "?"), names.get(("l", self.location_id), "?")
        return (f"{sku} in warehouse {code}: its locations hold {self.bins}, "
                f"warehouse_stock says {self.cached}")


def verify_warehouses() -> list[WarehouseMismatch]:
    """Per-warehouse balances that disagree with the sum of the warehouse's locations."""
    held = {(p, w): int(q) for p, w, q in db.session.execute(
        select(StockLevel.product_id, Location.warehouse_id, func.sum(StockLevel.on_hand))
        .join(Location, Location.id == StockLevel.location_id)
        .where(Location.warehouse_id.is_not(None))
        .group_by(StockLevel.product_id, Location.warehouse_id))}
    cached = {(p, w): int(q) for p, w, q in db.session.execute(
        select(WarehouseStock.product_id, WarehouseStock.warehouse_id, WarehouseStock.on_hand))}
    return [WarehouseMismatch(p, w, held.get((p, w), 0), cached.get((p, w), 0))
            for p, w in sorted(set(held) | set(cached))
            if held.get((p, w), 0) != cached.get((p, w), 0)]


@dataclass(frozen=True)
class SerialMismatch:
    product_id: int
    lot: str
    units: int
    flagged: int

    def describe(self, names: dict) -> str:
        sku = names.get(("p", self.product_id), "?")
        if self.units > 1:
            return f"{sku} serial {self.lot}: {self.units} units in stock (a serial is one)"
        return (f"{sku} serial {self.lot}: {self.units} in stock, but lot.serial_in_stock "
                f"says {self.flagged}")


def verify_serials() -> list[SerialMismatch]:
    """Serial numbers in stock more than once, or not as their lot's flag says."""
    from warehouse_app.catalog.models import Product, Tracking
    units = func.coalesce(func.sum(StockLevel.on_hand), 0)
    rows = db.session.execute(
        select(Lot.product_id, Lot.code, units, Lot.serial_in_stock)
        .join(Product, Product.id == Lot.product_id)
        .outerjoin(StockLevel, StockLevel.lot_id == Lot.id)
        .where(Product.tracking == Tracking.SERIAL)
        .group_by(Lot.id, Lot.product_id, Lot.code, Lot.serial_in_stock)
        .having((units > 1) | (units != Lot.serial_in_stock))
        .order_by(Lot.product_id, Lot.code))
    return [SerialMismatch(p, code, int(held), int(flag)) for p, code, held, flag in rows]


@dataclass(frozen=True)
class DocumentMismatch:
    """A document (an order line, a purchase order line, a warehouse's reservations) whose
    figure disagrees with the ledger or with the documents it sums."""

    product_id: int
    what: str

    def describe(self, names: dict) -> str:
        return f"{names.get(('p', self.product_id), '?')}: {self.what}"


# Checks the document capabilities register (orders: lines picked, shipped, received,
# reservations): each answers a list of DocumentMismatch. The ledger imports no document.
DOCUMENT_CHECKS: list = []


def verify() -> list:
    """Balances that disagree with the ledger, or ledger balances below zero; serials in
    stock more than once."""
    expected = ledger_balances()
    cached = {(s.product_id, s.location_id, s.lot_id): s.on_hand
              for s in db.session.execute(select(StockLevel.product_id, StockLevel.location_id,
                                                 StockLevel.lot_id, StockLevel.on_hand))}
    problems = []
    for key in sorted(set(expected) | set(cached), key=lambda k: (k[0], k[1], k[2] or 0)):
        want, have = expected.get(key, 0), cached.get(key, 0)
        if want != have or want < 0:
            problems.append(Mismatch(*key, ledger=want, cached=have))
    return problems + verify_warehouses() + verify_serials()


def verify_documents() -> list[DocumentMismatch]:
    """Documents whose figures disagree with their movements (the registered checks)."""
    return [problem for check in DOCUMENT_CHECKS for problem in check()]


def verify_all() -> list:
    """What `flask ledger verify` reports: the balances, then the documents."""
    return verify() + verify_documents()


def names_for(problems: list[Mismatch]) -> dict:
    """SKUs and location codes to print mismatches in words."""
    from warehouse_app.catalog.models import Product
    names = {}
    pids = {m.product_id for m in problems}
    lids = {m.location_id for m in problems if getattr(m, "location_id", None) is not None}
    if pids:
        query = select(Product.id, Product.sku).where(Product.id.in_(pids))
        for pid, sku in db.session.execute(query):
            names[("p", pid)] = sku
    if lids:
        for lid, code in db.session.execute(select(Location.id, Location.code)
                                            .where(Location.id.in_(lids))):
            names[("l", lid)] = code
    return names


def stock_rows(product_id: int | None = None, location_ids=None, nonzero: bool = True):
    """Balances with their product, location and lot loaded, in location order (only the
    caller's warehouses)."""
    query = stock_query(product_id, location_ids, nonzero)
    return db.session.scalars(query).all()


def stock_query(product_id: int | None = None, location_ids=None, nonzero: bool = True):
    """The query of stock_rows, for a caller that pages it."""
    query = (select(StockLevel).join(StockLevel.location)
             .where(warehouses.clause(Location.warehouse_id))
             .order_by(Location.code, StockLevel.lot_id, StockLevel.product_id))
    if product_id is not None:
        query = query.where(StockLevel.product_id == product_id)
    if location_ids is not None:
        query = query.where(StockLevel.location_id.in_(location_ids))
    if nonzero:
        query = query.where((StockLevel.on_hand > 0) | (StockLevel.reserved > 0))
    return query


def totals(product_id: int) -> dict[str, int]:
    """On hand, reserved (by orders, per warehouse) and available (less held and expired
    units) for one product."""
    on_hand = db.session.scalar(select(func.coalesce(func.sum(StockLevel.on_hand), 0))
                                .where(StockLevel.product_id == product_id))
    reserved = db.session.scalar(select(func.coalesce(func.sum(WarehouseStock.reserved), 0))
                                 .where(WarehouseStock.product_id == product_id))
    from warehouse_app.ledger.sellable import unsellable_units
    return {"on_hand": int(on_hand), "reserved": int(reserved),
            "available": int(on_hand) - int(reserved) - unsellable_units(product_id)}


def totals_seen(product_id: int, rows) -> dict[str, int]:
    """A product's totals as the caller may see them: of every warehouse, or (a caller kept to
    some) the sum of its rows from stock_rows."""
    if warehouses.caller() is None:
        return totals(product_id)
    return {"on_hand": sum(r.on_hand for r in rows), "reserved": sum(r.reserved for r in rows),
            "available": sum(r.available for r in rows)}


@deactivating.connect
def refuse_held_stock(location: Location, ids: list[int]) -> None:
    """A location still holding stock (in it or below it) is not deactivated."""
    held = db.session.scalar(select(func.coalesce(func.sum(StockLevel.on_hand), 0))
                             .where(StockLevel.location_id.in_(ids)))
    if held:
        raise Conflict(f"{location.code} still holds {held} unit(s); move them out first.",
                       field="code")
