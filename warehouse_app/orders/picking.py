"""Picking: waves, each pick posted through the ledger, and short picks.

A pick takes units of an order line from a bin. When the warehouse has a packing bin
(<WAREHOUSE>-PACK or PACK) the pick is a transfer into it, and the units stay reserved until
they ship (see shipping.py); otherwise the pick goes straight to Customer and releases the
reservation in the same post (Line.release_reserved). Either way the line's counters change in
the same transaction as the movement, and a replayed client_op_id changes nothing twice.
A short pick records the shortage, flags the bin for a count (CountRequest) and the pick list
stops offering that bin, so the next bin with stock comes up.
"""
from dataclasses import dataclass
from uuid import uuid4

from sqlalchemy import select

from warehouse_app.catalog.models import Tracking
from warehouse_app.errors import Conflict, DomainError, NotFound
from warehouse_app.extensions import db
from warehouse_app.ledger import sourcing
from warehouse_app.ledger.inputs import op_id
from warehouse_app.ledger.models import CountRequest, Lot, Movement, MovementKind, StockLevel
from warehouse_app.ledger.movements import Line, check_qty, record
from warehouse_app.ledger.sellable import is_expired, refuse_expired, refuse_held
from warehouse_app.locations.models import Location
from warehouse_app.locations.places import by_code
from warehouse_app.orders.documents import reused
from warehouse_app.orders.models import (
    FINAL,
    Order,
    OrderLine,
    OrderPick,
    OrderStatus,
    PickShortage,
    Wave,
)
from warehouse_app.orders.picklists import packing_location
from warehouse_app.orders.reserving import lock, refresh_status
from warehouse_app.scanning.workflows import product_scan

MAX_WAVE = 30
PICKABLE = frozenset({OrderStatus.OPEN, OrderStatus.BACKORDER, OrderStatus.PICKING})


@dataclass
class Picked:
    """What one pick did."""

    movement: Movement
    line: OrderLine
    replayed: bool = False


def _line_of(order: Order, line_id) -> OrderLine:
    for line in order.lines:
        if line.id == line_id:
            return line
    raise NotFound(f"Order {order.reference} has no line {str(line_id)[:12]}.", field="line")


def _check_open(order: Order) -> None:
    if order.status is OrderStatus.HELD:
        raise Conflict(f"Order {order.reference} is held until its sale is confirmed.",
                       field="order", code="order_held")
    if order.status in FINAL or order.status is OrderStatus.PACKED:
        raise Conflict(f"Order {order.reference} is {order.status.value}; nothing more to pick.",
                       field="order", code="order_closed")


def _bin(line: OrderLine, code) -> Location:
    """The bin a picker scanned (or the warehouse or a zone of it, whose bins the ledger then
    chooses), which must be a place in the line's warehouse."""
    location = by_code(code, "location")
    if not location.is_physical or location.warehouse_id != line.warehouse_id:
        raise DomainError(f"{location.code} is not a bin of {line.warehouse.code}, where "
                          f"{line.product.sku} ships from.", field="location", code="wrong_bin")
    if location.kind in sourcing.PLACE_KINDS:
        return location
    refuse_held(location, line.product.sku)
    packing = packing_location(line.warehouse)
    if packing is not None and packing.id == location.id:
        raise DomainError(f"{location.code} is the packing bin; pick from a storage bin.",
                          field="location", code="wrong_bin")
    return location


def _lot_in_bin(line: OrderLine, location: Location, qty: int) -> str | None:
    """The lot to take when the picker did not scan one: the earliest expiry in the bin."""
    if line.product.tracking is Tracking.NONE:
        return None
    rows = db.session.execute(select(Lot.code, Lot.expiry).join(
        StockLevel, StockLevel.lot_id == Lot.id).where(
        StockLevel.product_id == line.product_id, StockLevel.location_id == location.id,
        StockLevel.on_hand >= qty)).all()
    rows = [r for r in rows if not is_expired(r.expiry)]
    rows.sort(key=lambda r: (r.expiry is None, r.expiry, r.code))
    return rows[0].code if rows else None


def _lot(data: dict, scan, line: OrderLine) -> str | None:
    """The lot the picker named or scanned (GS1), for a tracked product."""
    lot = data.get("lot")
    if lot not in (None, "") and not isinstance(lot, str):
        raise DomainError("lot is text.", field="lot")
    if line.product.tracking is Tracking.NONE:
        return lot or None
    return lot or (scan.gs1.serial or scan.gs1.lot if scan.gs1 else None)


def pick(order: Order, data: dict, user) -> Picked:
    """Take units of an order line from a bin: to the packing bin, or straight to Customer."""
    if not isinstance(data, dict):
        raise DomainError("A pick is a JSON object.")
    op = op_id(data.get("client_op_id"))
    lock(order)
    line = _line_of(order, data.get("line"))
    place = by_code(data["location"], "location") if isinstance(data.get("location"), str) \
        and data["location"].strip() else None
    if place is not None and place.kind in sourcing.PLACE_KINDS:
        return _pick_from_place(order, line, data, op, user)
    if op and (seen := db.session.scalar(select(Movement).where(Movement.client_op_id == op))):
        if seen.reference != order.reference or seen.product_id != line.product_id:
            raise reused(op)
        return Picked(seen, line, replayed=True)
    _check_open(order)
    location = _bin(line, data.get("location"))
    scan = product_scan(data.get("code"))
    if scan.product.id != line.product_id:
        raise DomainError(f"That is {scan.product.sku}; this line wants {line.product.sku}.",
                          field="code", code="wrong_product")
    qty = check_qty(data["qty"] if data.get("qty") not in (None, "") else scan.pack_size)
    if qty > line.to_pick:
        raise Conflict(f"Only {line.to_pick} more {line.product.sku} to pick for "
                       f"{order.reference}; {qty} scanned.", field="qty", code="over_pick")
    lot = _lot(data, scan, line) or _lot_in_bin(line, location, qty)
    if lot:  # an expired lot goes to Scrap, never into an order (nor its packing bin)
        refuse_expired(db.session.scalar(select(Lot).where(
            Lot.product_id == line.product_id, Lot.code == lot)), line.product.sku)
    packing = packing_location(line.warehouse)
    kind, release = (MovementKind.TRANSFER, 0) if packing else (MovementKind.PICK, qty)
    movement = record(Line(kind=kind, product=line.product, qty=qty, from_location=location,
                           to_location=packing, lot=lot, reference=order.reference,
                           note=f"Pick for {order.reference}", client_op_id=op,
                           release_reserved=release), user)
    if getattr(movement, "replayed", False):
        return Picked(movement, line, replayed=True)
    line.picked += qty
    if not packing:
        line.shipped += qty
        line.reserved -= qty
    db.session.add(OrderPick(line=line, movement_id=movement.id, location_id=location.id,
                             lot_id=movement.lot_id, qty=qty,
                             staged_at_id=packing.id if packing else None))
    refresh_status(order)
    db.session.flush()
    return Picked(movement, line)


def _pick_from_place(order: Order, line: OrderLine, data: dict, op: str | None,
                     user) -> Picked:
    """A pick naming the warehouse or a zone: the ledger takes the units from its sellable
    bins (ledger/sourcing.py), never from bins flagged for a count; one movement per bin."""
    packing = packing_location(line.warehouse)
    scan = product_scan(data.get("code"))
    if scan.product.id != line.product_id:
        raise DomainError(f"That is {scan.product.sku}; this line wants {line.product.sku}.",
                          field="code", code="wrong_product")
    ask = Line(kind=MovementKind.TRANSFER if packing else MovementKind.PICK,
               product=line.product,
               qty=check_qty(data["qty"] if data.get("qty") not in (None, "")
                             else scan.pack_size),
               from_location=_bin(line, data.get("location")), to_location=packing,
               lot=_lot(data, scan, line), reference=order.reference,
               note=f"Pick for {order.reference}", client_op_id=op)
    if op and (seen := sourcing.replayed(ask, ask.from_location)):
        return Picked(seen, line, replayed=True)
    _check_open(order)
    if ask.qty > line.to_pick:
        raise Conflict(f"Only {line.to_pick} more {line.product.sku} to pick for "
                       f"{order.reference}; {ask.qty} asked.", field="qty", code="over_pick")
    ask.release_reserved = 0 if packing else ask.qty
    flagged = frozenset(db.session.scalars(select(CountRequest.location_id).where(
        CountRequest.resolved_at.is_(None),
        (CountRequest.product_id == line.product_id) | CountRequest.product_id.is_(None))))
    done = sourcing.pick(ask, user, exclude=flagged, reserved_for_it=ask.qty)
    if done.replayed:
        return Picked(done, line, replayed=True)
    line.picked += ask.qty
    if not packing:
        line.shipped += ask.qty
        line.reserved -= ask.qty
    for movement in done.movements:
        db.session.add(OrderPick(line=line, movement_id=movement.id,
                                 location_id=movement.from_location_id,
                                 lot_id=movement.lot_id, qty=movement.qty,
                                 staged_at_id=packing.id if packing else None))
    refresh_status(order)
    db.session.flush()
    return Picked(done, line)


def report_short(order: Order, data: dict, user) -> PickShortage:
    """A bin holds less than the ledger says: record it and flag the bin for a count."""
    if not isinstance(data, dict):
        raise DomainError("A short pick is a JSON object.")
    op = op_id(data.get("client_op_id"))
    if op and (seen := db.session.scalar(select(PickShortage)
                                          .where(PickShortage.client_op_id == op))):
        if seen.line.order_id != order.id:
            raise reused(op)
        return seen
    lock(order)
    _check_open(order)
    line = _line_of(order, data.get("line"))
    location = _bin(line, data.get("location"))
    missing = check_qty(data.get("qty"))
    if missing > line.to_pick:
        raise Conflict(f"Only {line.to_pick} {line.product.sku} are left to pick for "
                       f"{order.reference}; {missing} reported missing.", field="qty",
                       code="over_pick")
    request = db.session.scalar(select(CountRequest).where(
        CountRequest.location_id == location.id, CountRequest.product_id == line.product_id,
        CountRequest.resolved_at.is_(None)))
    if request is None:
        request = CountRequest(location_id=location.id, product_id=line.product_id,
                               user_id=getattr(user, "id", None),
                               reason=f"Short pick for {order.reference}: {missing} × "
                                      f"{line.product.sku} not found"[:200])
        db.session.add(request)
        db.session.flush()
    shortage = PickShortage(line=line, location_id=location.id, qty=missing,
                            count_request_id=request.id, client_op_id=op,
                            user_id=getattr(user, "id", None))
    db.session.add(shortage)
    db.session.flush()
    return shortage


def start_wave(orders: list[Order], user) -> Wave:
    """One pick walk for several orders; each must have something to pick and no other wave."""
    if not orders:
        raise DomainError("Choose at least one order for the wave.", field="orders")
    if len(orders) > MAX_WAVE:
        raise DomainError(f"A wave holds at most {MAX_WAVE} orders.", field="orders")
    if len({o.id for o in orders}) != len(orders):
        raise DomainError("An order is listed twice.", field="orders")
    for order in orders:
        lock(order)
        if order.status not in PICKABLE or not any(line.to_pick for line in order.lines):
            raise Conflict(f"Order {order.reference} has nothing to pick "
                           f"({order.status.value}).", field="orders", code="nothing_to_pick")
        if order.wave is not None and in_progress(order.wave, other_than=order):
            raise Conflict(f"Order {order.reference} is in wave {order.wave.code}.",
                           field="orders", code="in_wave")
    wave = Wave(code=uuid4().hex[:20], user_id=getattr(user, "id", None))
    db.session.add(wave)
    db.session.flush()
    wave.code = f"W{wave.id:05d}"
    for order in orders:
        order.wave = wave
    db.session.flush()
    return wave


def in_progress(wave: Wave, other_than: Order | None = None) -> bool:
    """True while an order of the wave (other than one) still has units to pick."""
    return any(o is not other_than and o.status in PICKABLE and
               any(line.to_pick for line in o.lines) for o in wave.orders)


def pickable_orders(limit: int = 100) -> list[Order]:
    """Orders with units to pick, oldest first."""
    found = db.session.scalars(select(Order).where(Order.status.in_(PICKABLE))
                               .order_by(Order.created_at, Order.id).limit(limit * 2)).all()
    return [o for o in found if any(line.to_pick for line in o.lines)][:limit]
