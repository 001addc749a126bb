"""Customer orders and their reservations: place, cancel, reserve backorders, re-route.

Placing an order reserves every line through ledger.reservations.reserve(), one conditional
UPDATE per line, in a savepoint: an order is reserved whole or not at all, and two systems
ordering the last unit at the same moment cannot both get it, on either engine. Lines reserve
in product order so two orders never wait on each other's rows (no deadlock on PostgreSQL).
Every change to an order first locks its row (FOR UPDATE on PostgreSQL; SQLite transactions
that write are serial already), so a pick, a cancel and a ship of one order never interleave.
"""
from datetime import timedelta

from sqlalchemy import select

from warehouse_app import codes
from warehouse_app.auth.models import Role
from warehouse_app.database import locked
from warehouse_app.errors import Conflict, Forbidden
from warehouse_app.extensions import db
from warehouse_app.inputs import load
from warehouse_app.ledger import reservations
from warehouse_app.models import utcnow
from warehouse_app.orders import routing
from warehouse_app.orders.documents import (
    OrderShort,
    clean_lines,
    warehouse_by_code,
)
from warehouse_app.orders.inputs import ORDER_IN
from warehouse_app.orders.models import FINAL, Order, OrderLine, OrderStatus

ROUTING_ATTEMPTS = 3
HOLD_MINUTES = 30


def place(fields: dict, user=None) -> Order:
    """Create an order and reserve its stock, or refuse it (409) and change nothing. The
    fields are OrderIn's (orders.inputs), whichever road they came by."""
    data = load(ORDER_IN, fields)
    reference = data["reference"]
    if db.session.scalar(select(Order.id).where(Order.reference == reference)):
        raise Conflict(f"Order {reference} already exists.", field="reference",
                       code="duplicate_reference")
    details = {key: data.get(key, "") for key in ("customer", "address", "postcode")}
    details |= {"latitude": data.get("latitude"), "longitude": data.get("longitude"),
                "allow_backorder": data.get("allow_backorder", False)}
    hold = data.get("hold", False)
    minutes = data.get("hold_minutes") or HOLD_MINUTES
    lines = clean_lines(data["lines"])
    release_expired_holds()  # stock an unpaid checkout no longer keeps is free for this one
    warehouse = warehouse_by_code(data["warehouse"]) if data.get("warehouse") else None
    dest = routing.Destination(details["latitude"], details["longitude"], details["postcode"])
    for attempt in range(ROUTING_ATTEMPTS):
        planned = routing.plan(lines, dest, warehouse, details["allow_backorder"],
                               data.get("allow_split", False))
        try:
            order = _create(reference, details, planned, user, hold=hold)
            if hold:
                order.held_until = utcnow() + timedelta(minutes=minutes)
            return order
        except OrderShort:
            # Another order took the stock between the plan and the reservation: plan again
            # on what is left (a named warehouse has nowhere else to go).
            if warehouse is not None or attempt == ROUTING_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _create(reference: str, details: dict, planned: list, user, hold: bool = False) -> Order:
    """The order and its lines, reserved whole in a savepoint, or nothing at all."""
    with db.session.begin_nested():
        order = Order(reference=reference, user_id=getattr(user, "id", None), **details)
        order.lines = [OrderLine(product=p.wanted.product, product_id=p.wanted.product.id,
                                 warehouse=p.warehouse, warehouse_id=p.warehouse.id, qty=p.qty,
                                 reserved=0, picked=0, shipped=0)
                       for p in planned]
        db.session.add(order)
        _reserve_lines(order, {id(line): p.reserve for line, p in zip(order.lines, planned,
                                                                       strict=True)})
        refresh_status(order)
        if hold:  # a checkout: the stock is promised, the warehouse waits for the payment
            order.status = OrderStatus.HELD
        db.session.flush()
        codes.claim(reference, "order", order.id, field="reference")
    return order


def _reserve_lines(order: Order, amounts: dict[int, int],
                   where: str = "(taken by another order just now)") -> None:
    """Reserve each line's amount; a line that must be whole and cannot be refuses the order."""
    short, lines = [], sorted(order.lines, key=lambda x: (x.product_id, x.warehouse_id))
    for line in lines:  # set first, so the lines' INSERT carries them: no UPDATE after
        line.reserved = amounts[id(line)]
    for line in lines:
        want = amounts[id(line)]
        if order.allow_backorder:
            if (got := reserve_up_to(line, want)) != want:
                line.reserved = got
            continue
        try:
            reservations.reserve(line.product, line.warehouse, want)
        except reservations.NotAvailable as err:
            short.append({"sku": err.sku, "wanted": want, "available": err.available})
    if short:
        raise OrderShort(short, where)


def reserve_up_to(line: OrderLine, qty: int) -> int:
    """Reserve as much of qty as is available for a line; how much was reserved."""
    for _ in range(5):  # another order may take some between the read and the update
        if qty < 1:
            return 0
        try:
            reservations.reserve(line.product, line.warehouse, qty)
            return qty
        except reservations.NotAvailable as err:
            qty = min(qty - 1, err.available)
    return 0


def lock(order: Order) -> Order:
    """Lock an order's row for this transaction and read it and its lines afresh."""
    locked(select(Order).where(Order.id == order.id))
    locked(select(OrderLine).where(OrderLine.order_id == order.id))
    db.session.expire(order, ["lines"])
    return order


def refresh_status(order: Order) -> None:
    """Set the status from the lines (held, packed, shipped and cancelled are set by their
    steps)."""
    if order.status in FINAL or order.status in (OrderStatus.PACKED, OrderStatus.HELD):
        return
    to_pick = sum(line.to_pick for line in order.lines)
    waiting = sum(line.waiting for line in order.lines)
    picked = any(line.picked for line in order.lines)
    if to_pick == 0 and waiting:
        order.status = OrderStatus.BACKORDER
    elif to_pick == 0 and picked:
        order.status = OrderStatus.PICKED
    elif picked:
        order.status = OrderStatus.PICKING
    else:
        order.status = OrderStatus.BACKORDER if waiting else OrderStatus.OPEN


def release_expired_holds(now=None) -> list[Order]:
    """Cancel the held orders whose checkout was never paid in time; their stock is free."""
    now = now or utcnow()
    expired = db.session.scalars(select(Order).where(
        Order.status == OrderStatus.HELD, Order.held_until <= now).order_by(Order.id)).all()
    for order in expired:
        cancel(order)
    return expired


def confirm(order: Order, user=None) -> Order:
    """A held order is paid for: it joins the orders to pick. Confirming again is harmless."""
    lock(order)
    if order.status is OrderStatus.CANCELLED:
        raise Conflict(f"Order {order.reference} was cancelled.", field="reference",
                       code="order_closed")
    if order.status is OrderStatus.HELD:
        order.status, order.held_until = OrderStatus.OPEN, None
        refresh_status(order)
        db.session.flush()
    return order


def cancel(order: Order, user=None) -> Order:
    """Cancel an order and give back its reservations; refused once stock has left."""
    lock(order)
    if order.status in FINAL:
        raise Conflict(f"Order {order.reference} is already {order.status.value}.",
                       field="reference", code="order_closed")
    if any(line.shipped for line in order.lines):
        raise Conflict(f"Stock of order {order.reference} has already left the warehouse; "
                       "it cannot be cancelled.", field="reference", code="order_closed")
    for line in order.lines:
        if line.reserved:
            reservations.release(line.product, line.warehouse, line.reserved)
            line.reserved = 0
    order.status, order.cancelled_at = OrderStatus.CANCELLED, utcnow()
    db.session.flush()
    return order


def fill_backorders(order: Order) -> int:
    """Reserve what has become available for the units still waiting; how many were reserved."""
    lock(order)
    if order.status in FINAL or order.status is OrderStatus.PACKED:
        raise Conflict(f"Order {order.reference} is {order.status.value}.", field="reference",
                       code="order_closed")
    got = 0
    for line in sorted(order.lines, key=lambda x: (x.product_id, x.warehouse_id)):
        if line.waiting:
            more = reserve_up_to(line, line.waiting)
            line.reserved += more
            got += more
    refresh_status(order)
    db.session.flush()
    return got


def reroute(order: Order, warehouse_code, user) -> Order:
    """Supervisor override: release in the current warehouses, reserve in another, atomically."""
    if not user.has_role(Role.SUPERVISOR):
        raise Forbidden("Only a supervisor can re-route an order.", field="warehouse")
    target = warehouse_by_code(warehouse_code)
    lock(order)
    if order.status in FINAL or order.status is OrderStatus.PACKED:
        raise Conflict(f"Order {order.reference} is {order.status.value}.", field="reference",
                       code="order_closed")
    if any(line.picked for line in order.lines):
        raise Conflict(f"Picking of {order.reference} has started; finish or cancel it.",
                       field="reference", code="picking_started")
    with db.session.begin_nested():
        for line in order.lines:
            if line.reserved:
                reservations.release(line.product, line.warehouse, line.reserved)
                line.reserved = 0
        for line in order.lines:
            line.warehouse, line.warehouse_id = target, target.id
        _reserve_lines(order, {id(line): line.qty - line.shipped for line in order.lines},
                       f"in {target.code}")
        refresh_status(order)  # a held order stays held
        db.session.flush()
    return order

