"""Stock in transit between warehouses: dispatched at the source, received at the destination.

A move between two warehouses is not instant. Dispatch takes the units from a bin of the
source into the destination's transit bin (<WAREHOUSE>-TRANSIT, a hold bin: on hand there,
counted in the destination's stock as in transit, never available, picked or reserved); the
destination receives them by scanning the transit's code and a bin. Both steps are transfers
posted through the one write path, each with the Transit document changed in the same
transaction. The phone and API edges refuse an instant transfer between warehouses
(`refuse_cross_site`): it goes through dispatch.
"""
from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4

from sqlalchemy import case, func, or_, select, true

from warehouse_app.auth import warehouses
from warehouse_app.catalog.models import Product
from warehouse_app.errors import Conflict, DomainError, Forbidden, NotFound
from warehouse_app.extensions import db
from warehouse_app.ledger.balances import DOCUMENT_CHECKS, DocumentMismatch
from warehouse_app.ledger.models import Movement, MovementKind, StockLevel, Transit, TransitStatus
from warehouse_app.ledger.movements import Line, check_qty, movement_reversing, record
from warehouse_app.locations import places
from warehouse_app.locations.models import Location, LocationKind
from warehouse_app.models import utcnow

TRANSIT_SUFFIX = "-TRANSIT"


class UseDispatch(Conflict):
    code = "use_dispatch"


def refuse_cross_site(line: Line) -> None:
    """An edge's transfer between two warehouses is refused: it is dispatched instead."""
    source, target = line.from_location, line.to_location
    if (line.kind is MovementKind.TRANSFER and source is not None and target is not None
            and source.is_physical and target.is_physical
            and source.warehouse_id != target.warehouse_id
            and not is_transit_bin(source) and not is_transit_bin(target)):
        raise UseDispatch(f"{source.code} and {target.code} are in different warehouses: "
                          "dispatch the stock (POST /api/v1/transits, or the Dispatch page) "
                          "and receive it there by scan.", field="to_location")


def is_transit_bin(location: Location) -> bool:
    """The transit bin of a warehouse."""
    return location.warehouse is not None and \
        location.code == f"{location.warehouse.code}{TRANSIT_SUFFIX}"


def transit_bin(warehouse: Location) -> Location:
    """The warehouse's transit bin, made the first time stock is sent its way."""
    code = f"{warehouse.code}{TRANSIT_SUFFIX}"
    found = places.with_code(code)
    if found is not None:
        return found
    return places.create(code, LocationKind.BIN, name=f"In transit to {warehouse.code}",
                         parent=warehouse, hold=True)


def _warehouse(code) -> Location:
    warehouse = places.by_code(code, field="to_warehouse")
    if warehouse.kind is not LocationKind.WAREHOUSE:
        raise DomainError(f"{warehouse.code} is not a warehouse.", field="to_warehouse")
    return warehouse


def dispatch(product: Product, qty, from_location: Location, to_warehouse, lot=None,
             user=None, client_op_id=None) -> Transit:
    """Send units from a bin of one warehouse towards another: they are in transit."""
    check_qty(qty)
    warehouse = to_warehouse if isinstance(to_warehouse, Location) else _warehouse(to_warehouse)
    if not from_location.is_physical or from_location.kind is LocationKind.WAREHOUSE:
        raise DomainError(f"{from_location.code} is not a bin.", field="from_location")
    if from_location.warehouse_id == warehouse.id:
        raise DomainError(f"{from_location.code} is in {warehouse.code} already: move it "
                          "with a transfer.", field="to_warehouse", code="same_warehouse")
    if client_op_id and (seen := db.session.scalar(
            select(Transit).join(Movement, Movement.id == Transit.dispatch_movement_id)
            .where(Movement.client_op_id == client_op_id))):
        return seen
    code = f"T-{uuid4().hex[:10].upper()}"
    movement = record(Line(kind=MovementKind.TRANSFER, product=product, qty=qty,
                           from_location=from_location, to_location=transit_bin(warehouse),
                           lot=lot, reference=code, client_op_id=client_op_id,
                           note=f"Dispatched to {warehouse.code}", to_transit=True), user)
    transit = Transit(code=code, product_id=product.id, lot_id=movement.lot_id, qty=qty,
                      from_location_id=from_location.id, to_warehouse_id=warehouse.id,
                      via_location_id=movement.to_location_id,
                      dispatch_movement_id=movement.id, user_id=getattr(user, "id", None))
    db.session.add(transit)
    db.session.flush()
    return transit


def by_code(code) -> Transit:
    """The transit with this code, or a 404."""
    if not isinstance(code, str) or not code.strip():
        raise DomainError("A transit code is required.", field="code")
    found = db.session.scalar(select(Transit).where(Transit.code == code.strip().upper()[:20]))
    if found is None:
        raise NotFound(f"No transit {code.strip()[:30]}.", field="code")
    if not (warehouses.allows(found.to_warehouse_id)
            or warehouses.allows(found.from_location.warehouse_id)):
        raise Forbidden(f"Transit {found.code} is between warehouses you are not kept to.",
                        field="code", code="other_warehouse")
    return found


def receive(transit: Transit, location_code, user=None) -> Transit:
    """The destination scans the transit and a bin: the units are there, and available."""
    db.session.refresh(transit, with_for_update=True)
    if transit.status is not TransitStatus.IN_TRANSIT:
        raise Conflict(f"Transit {transit.code} is {transit.status.value.replace('_', ' ')}.",
                       field="code", code="not_in_transit")
    location = places.by_code(location_code, field="location")
    if (not location.is_physical or location.kind is LocationKind.WAREHOUSE
            or location.warehouse_id != transit.to_warehouse_id or location.hold):
        raise DomainError(f"{location.code} is not a bin of {transit.to_warehouse.code} to "
                          "receive into.", field="location", code="wrong_bin")
    movement = record(Line(kind=MovementKind.TRANSFER, product=transit.product, qty=transit.qty,
                           from_location=transit.via_location, to_location=location,
                           lot=transit.lot.code if transit.lot else None,
                           reference=transit.code, note=f"Received from transit {transit.code}",
                           from_transit=True), user)
    transit.status, transit.received_at = TransitStatus.RECEIVED, utcnow()
    transit.receive_movement_id, transit.to_location_id = movement.id, location.id
    db.session.flush()
    return transit


def in_transit(warehouse_id: int | None = None) -> list[Transit]:
    """Transits still on their way (to one warehouse, or anywhere), oldest first."""
    query = select(Transit).where(Transit.status == TransitStatus.IN_TRANSIT)
    if warehouse_id is not None:
        query = query.where(Transit.to_warehouse_id == warehouse_id)
    return list(db.session.scalars(query.where(callers()).order_by(Transit.id)))


def callers():
    """A WHERE clause keeping the transits coming to or leaving the caller's warehouses."""
    if warehouses.caller() is None:
        return true()
    return or_(warehouses.clause(Transit.to_warehouse_id),
               warehouses.location_clause(Transit.from_location_id))


@dataclass(frozen=True, order=True)
class Carried:
    """Units of a product on their way from one warehouse to another, in the destination's
    transit bin (`via`): on hand in neither warehouse."""

    product_id: int
    from_warehouse_id: int
    to_warehouse_id: int
    via_location_id: int
    qty: int


def carried_query(cut: datetime | None = None, product_ids=None, allowed=warehouses.CALLER):
    """(product_id, from_warehouse_id, to_warehouse_id, via_location_id, qty) in transit now
    (cut None: the transits on their way) or at a past moment (what the transits' own
    movements, reversals included, left in their transit bins before it), to or from the
    caller's warehouses (or `allowed`'s)."""
    source = Location.__table__.alias("source")
    keys = (Transit.product_id.label("product_id"),
            source.c.warehouse_id.label("from_warehouse_id"),
            Transit.to_warehouse_id.label("to_warehouse_id"),
            Transit.via_location_id.label("via_location_id"))
    if cut is None:
        qty = func.sum(Transit.qty)
        query = select(*keys, qty.label("qty")).where(Transit.status == TransitStatus.IN_TRANSIT)
    else:  # a transit's movements (dispatch, receipt, their reversals) carry its code
        qty = func.sum(case((Movement.to_location_id == Transit.via_location_id, Movement.qty),
                            else_=0)
                       - case((Movement.from_location_id == Transit.via_location_id,
                               Movement.qty), else_=0))
        query = (select(*keys, qty.label("qty")).select_from(Transit)
                 .join(Movement, Movement.reference == Transit.code)
                 .where(Movement.created_at < cut, Movement.product_id == Transit.product_id))
    query = query.join(source, source.c.id == Transit.from_location_id)
    if product_ids is not None:
        query = query.where(Transit.product_id.in_(list(product_ids)))
    return (query.where(or_(warehouses.clause(Transit.to_warehouse_id, allowed=allowed),
                            warehouses.clause(source.c.warehouse_id, allowed=allowed)))
            .group_by(Transit.product_id, source.c.warehouse_id, Transit.to_warehouse_id,
                      Transit.via_location_id)
            .having(qty != 0))


def carried(cut: datetime | None = None, product_ids=None,
            allowed=warehouses.CALLER) -> list[Carried]:
    """What is in transit (see carried_query), by product, source and destination."""
    rows = db.session.execute(carried_query(cut, product_ids, allowed)
                              .order_by(Transit.product_id, Transit.to_warehouse_id))
    return sorted(Carried(p, f, t, v, int(q)) for p, f, t, v, q in rows)


@movement_reversing.connect
def _transit_movement(movement: Movement):
    """Undoing a dispatch cancels its transit (refused once received); undoing a receipt puts
    the transit back on its way."""
    dispatched = db.session.scalar(select(Transit).where(
        Transit.dispatch_movement_id == movement.id))
    if dispatched is not None:
        if dispatched.status is TransitStatus.RECEIVED:
            raise Conflict(f"Movement {movement.id} dispatched transit {dispatched.code}, "
                           "which has been received: undo its receipt first.",
                           field="movement", code="document_conflict")

        def cancel(_reversal):
            dispatched.status = TransitStatus.CANCELLED
        return cancel
    received = db.session.scalar(select(Transit).where(
        Transit.receive_movement_id == movement.id))
    if received is not None:
        def back_on_its_way(_reversal):
            received.status, received.received_at = TransitStatus.IN_TRANSIT, None
            received.receive_movement_id = received.to_location_id = None
        return back_on_its_way
    return None


def check_transit_bins() -> list[DocumentMismatch]:
    """Each transit bin holds exactly what its transits in transit carry."""
    carried = {(p, lot, via): int(q) for p, lot, via, q in db.session.execute(
        select(Transit.product_id, Transit.lot_id, Transit.via_location_id, func.sum(Transit.qty))
        .where(Transit.status == TransitStatus.IN_TRANSIT)
        .group_by(Transit.product_id, Transit.lot_id, Transit.via_location_id))}
    vias = set(db.session.scalars(select(Transit.via_location_id).distinct()))
    held = {(p, lot, loc): int(q) for p, lot, loc, q in db.session.execute(
        select(StockLevel.product_id, StockLevel.lot_id, StockLevel.location_id,
               StockLevel.on_hand).where(StockLevel.location_id.in_(vias),
                                         StockLevel.on_hand != 0))} if vias else {}
    return [DocumentMismatch(p, f"transit bin {via} holds {held.get((p, lot, via), 0)}, its "
                                f"transits carry {carried.get((p, lot, via), 0)}")
            for p, lot, via in sorted(set(carried) | set(held), key=lambda k: (k[0], k[2],
                                                                                k[1] or 0))
            if carried.get((p, lot, via), 0) != held.get((p, lot, via), 0)]


DOCUMENT_CHECKS.append(check_transit_bins)
