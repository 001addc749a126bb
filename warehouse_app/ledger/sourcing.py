"""A pick from a warehouse or zone: the ledger chooses the bins. A till or a web store knows
the shop it sells from, not its shelves.

The units come from the place's sellable stock only: never a hold bin (returns, quarantine,
transit), a receiving dock or another bin that stores nothing for sale (places.is_storage), the
packing bin (stock staged for orders), a lot past its expiry, nor units that orders reserved.
Among the rest: the earliest expiry first (FEFO; stock without a date after every date), then
the product's pick face (its home bin), then the fullest bin, then by code. Stock kept on the
warehouse or zone itself counts as one more bin.

Several bins (or lots) make several movements, posted together (movements.post_together): all
or nothing. One operation, one client_op_id: the first movement carries it, the others
"<id>#2", "<id>#3"... (a hash of the id in its place when that would not fit the column). A
retry finds them all and answers them unchanged; the same id with anything else differing is
409 client_op_id_reused.
"""
import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from warehouse_app.auth import warehouses
from warehouse_app.database import engine_of, reading_first
from warehouse_app.errors import Conflict, DomainError, InsufficientStock
from warehouse_app.extensions import db
from warehouse_app.ledger import balances
from warehouse_app.ledger.models import Lot, Movement, MovementKind, StockLevel, WarehouseStock
from warehouse_app.ledger.movements import (
    COST_PLACES,
    Line,
    check_qty,
    movement_coming,
    post_together,
    virtual_end,
)
from warehouse_app.ledger.sellable import is_expired
from warehouse_app.locations.models import Location, LocationKind
from warehouse_app.locations.places import is_storage_code, packing_codes

PLACE_KINDS = frozenset({LocationKind.WAREHOUSE, LocationKind.ZONE})
ATTEMPTS = 5  # plans made again when another pick emptied a chosen bin meanwhile (PostgreSQL)
OP_ID_MAX = 64
PARTS_READ = 50  # parts of a replayed operation looked up per query


class NotEnoughSellable(InsufficientStock):
    """Less sellable stock in the place than asked: nothing was posted."""

    def __init__(self, sku: str, place: str, wanted: int, available: int):
        Conflict.__init__(self, f"Only {available} of {sku} can be sold from {place}; {wanted} "
                                "asked (held, expired, reserved and dock stock is not sold).",
                          field="qty")
        self.available = available

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["error"]["available"] = self.available
        return body


@dataclass
class Picked:
    """One pick from a warehouse or zone: what was asked, and the movements that did it.

    Read as a movement (the API's answer): qty and from_location are the operation's, the
    lot is the one every part shares (else none), the rest is the first movement's."""

    movements: list[Movement]
    from_location: Location
    qty: int
    replayed: bool = False

    @property
    def lot(self) -> Lot | None:
        lots = {m.lot_id for m in self.movements}
        return self.movements[0].lot if len(lots) == 1 else None

    def __getattr__(self, name: str):
        if name == "movements":  # not set yet: no recursion
            raise AttributeError(name)
        return getattr(self.movements[0], name)


def takes_from_bins(line: Line) -> bool:
    """Whether this line is a pick whose source is a warehouse or zone (not a bin)."""
    return (line.kind is MovementKind.PICK and line.from_location is not None
            and line.from_location.kind in PLACE_KINDS)


def part_op_id(op: str, n: int) -> str:
    """The client_op_id of the n-th movement (from 1) of the operation op."""
    if n == 1:
        return op
    suffix = f"#{n}"
    if len(op) + len(suffix) > OP_ID_MAX:
        op = hashlib.sha256(op.encode()).hexdigest()[:OP_ID_MAX - 8]
    return op + suffix


def pick(line: Line, user=None, exclude: frozenset[int] = frozenset(),
         reserved_for_it: int = 0) -> Picked:
    """Take line.qty of a product from the sellable bins of a warehouse or zone (see above):
    a pick to Customer, or (an order's pick with a packing bin) a transfer to one bin of the
    same warehouse. `exclude`: bins not to take from (flagged for a count, say);
    `reserved_for_it`: units of its own order's reservation it may take (a pick releasing
    them says so with line.release_reserved)."""
    check_qty(line.qty)
    place = line.from_location
    target = _target(line, place)
    warehouses.check(place, user, "from_location")
    if line.client_op_id and (seen := replayed(line, place)):
        return seen
    if movement_coming.receivers:
        with reading_first():
            movement_coming.send(line.product)
    own = max(reserved_for_it, line.release_reserved)
    for attempt in range(1, ATTEMPTS + 1):
        plan, unsellable = _plan(line, place, exclude | {target.id}, own)
        parts = [_movement(line, location, lot, qty, target, user, n)
                 for n, (location, lot, qty) in enumerate(plan, start=1)]
        try:
            return Picked(post_together(parts, unsellable, line.release_reserved), place,
                          line.qty)
        except InsufficientStock:
            if attempt == ATTEMPTS or engine_of(db.session()).dialect.name == "sqlite":
                raise  # SQLite: planned under the write lock, so a refusal is no race
        except IntegrityError:  # a retry of the same operation raced this one and won
            if line.client_op_id and (seen := replayed(line, place)):
                return seen
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _target(line: Line, place: Location) -> Location:
    """Customer for a pick; for a transfer, its bin, which must be in the place's warehouse."""
    target = line.to_location
    if line.kind is MovementKind.PICK:
        if target is not None and target.kind is not LocationKind.CUSTOMER:
            raise DomainError(f"A pick goes to the customer, not {target.code}.",
                              field="to_location")
        return virtual_end(LocationKind.CUSTOMER)
    if (line.kind is not MovementKind.TRANSFER or target is None or not target.is_physical
            or target.warehouse_id != place.warehouse_id):
        raise DomainError("Only a pick, or a transfer to a bin of the same warehouse, takes "
                          "from a warehouse's or zone's bins.", field="from_location")
    return target


def _plan(line: Line, place: Location, exclude: set[int], own: int
          ) -> tuple[list[tuple[Location, Lot | None, int]], int]:
    """[(bin, lot, qty)] to take, in the order to take them, and the warehouse's held and
    expired units; or NotEnoughSellable. `own`: units of reserved stock this take may use."""
    product, warehouse_id = line.product, place.warehouse_id
    level, ws = StockLevel.__table__, WarehouseStock.__table__
    # Every bin holding the product in the warehouse, each row with the warehouse's balance
    # (on hand, reserved): one statement. No row: nothing to sell, whatever the balance.
    rows = db.session.execute(
        select(level.c.on_hand, Location, Lot, ws.c.on_hand, ws.c.reserved)
        .join(Location, Location.id == level.c.location_id)
        .outerjoin(Lot, Lot.id == level.c.lot_id)
        .outerjoin(ws, (ws.c.product_id == level.c.product_id)
                   & (ws.c.warehouse_id == Location.warehouse_id))
        .where(level.c.product_id == product.id, level.c.on_hand > 0,
               Location.warehouse_id == warehouse_id)).all()
    on_hand, reserved = (rows[0][3] or 0, rows[0][4] or 0) if rows else (0, 0)
    rows = [row[:3] for row in rows]
    unsellable = sum(qty for qty, location, lot in rows
                     if location.hold or (lot is not None and is_expired(lot.expiry)))
    inside = None if place.kind is LocationKind.WAREHOUSE else set(balances.descendants(place))
    packing = set(packing_codes(place if place.kind is LocationKind.WAREHOUSE
                                else place.warehouse))
    wanted_lot = (line.lot or "").strip() or None
    sources = [(qty, location, lot) for qty, location, lot in rows
               if (inside is None or location.id in inside) and not location.hold
               and location.id not in exclude
               and not (lot is not None and is_expired(lot.expiry))
               and is_storage_code(location.code) and location.code not in packing
               and (wanted_lot is None or (lot is not None and lot.code == wanted_lot))]
    free = int(on_hand) - int(reserved) + own - unsellable
    available = max(0, min(sum(qty for qty, _l, _lot in sources), free))
    if line.qty > available:
        raise NotEnoughSellable(product.sku, place.code, line.qty, available)
    home = product.home_location_id

    def order(source: tuple) -> tuple:
        qty, location, lot = source
        expiry = lot.expiry if lot is not None and lot.expiry is not None else date.max
        return (expiry, location.id != home, -qty, location.code, lot.code if lot else "")
    plan, need = [], line.qty
    for qty, location, lot in sorted(sources, key=order):
        take = min(qty, need)
        plan.append((location, lot, take))
        need -= take
        if need == 0:
            break
    return plan, unsellable


def _movement(line: Line, location: Location, lot: Lot | None, qty: int, target: Location,
              user, n: int) -> Movement:
    m = Movement(kind=line.kind, product=line.product, product_id=line.product.id,
                 qty=qty, from_location=location, from_location_id=location.id,
                 to_location=target, to_location_id=target.id, lot=lot,
                 lot_id=lot.id if lot is not None else None, reason=line.reason,
                 note=line.note or "", reference=line.reference or "",
                 unit_cost=(line.product.avg_cost or Decimal(0)).quantize(COST_PLACES),
                 user_id=getattr(user, "id", None),
                 client_op_id=part_op_id(line.client_op_id, n) if line.client_op_id else None)
    if line.at is not None:
        m.created_at = line.at
    return m


def replayed(line: Line, place: Location) -> Picked | None:
    """The operation posted before under this client_op_id, when it is the same one (else
    409 client_op_id_reused); None when the id is new."""
    op = line.client_op_id
    first = db.session.scalar(select(Movement).where(Movement.client_op_id == op))
    if first is None:
        return None
    parts, n = [first], 2
    while True:
        ids = [part_op_id(op, k) for k in range(n, n + PARTS_READ)]
        found = {m.client_op_id: m for m in db.session.scalars(
            select(Movement).where(Movement.client_op_id.in_(ids)))}
        for wanted in ids:
            if wanted not in found:
                break
            parts.append(found[wanted])
        else:
            n += PARTS_READ
            continue
        break
    inside = (None if place.kind is LocationKind.WAREHOUSE
              else set(balances.descendants(place)))
    wanted_lot = (line.lot or "").strip() or None
    differ = [name for name, same in (
        ("kind", all(m.kind is line.kind for m in parts)),
        ("sku", all(m.product_id == line.product.id for m in parts)),
        ("qty", sum(m.qty for m in parts) == line.qty),
        ("from_location", all(m.from_location.warehouse_id == place.warehouse_id
                              and (inside is None or m.from_location_id in inside)
                              for m in parts)),
        ("to_location", all(line.to_location is None or m.to_location_id == line.to_location.id
                             for m in parts)),
        ("reason", all(m.reason == line.reason for m in parts)),
        ("reference", all(m.reference == (line.reference or "") for m in parts)),
        ("note", all(m.note == (line.note or "") for m in parts)),
        ("lot", wanted_lot is None or all(m.lot is not None and m.lot.code == wanted_lot
                                          for m in parts)),
    ) if not same]
    if differ:
        raise Conflict(f"client_op_id {op} was already used for another movement (its "
                       f"{', '.join(differ)} differ).", field="client_op_id",
                       code="client_op_id_reused")
    return Picked(parts, place, line.qty, replayed=True)
