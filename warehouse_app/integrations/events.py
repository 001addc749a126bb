"""What becomes an event: listeners write it to the outbox inside the causing transaction.

A movement's stock.changed is written by the movement_posted subscriber in the same
transaction as the ledger row; a shipped order and a raised alert are seen at flush. Nothing
is sent here: the worker (webhooks.deliver_due) does that, so a scan never waits on a receiver.
"""
import json
import time
from datetime import datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, object_session

from warehouse_app.extensions import db
from warehouse_app.integrations.models import Delivery, OutboxEvent, WebhookEndpoint
from warehouse_app.ledger.movements import movement_posted
from warehouse_app.models import utcnow
from warehouse_app.orders.models import Order, OrderStatus

_EVENT = OutboxEvent.__table__
_DELIVERY = Delivery.__table__
_ENDPOINTS = select(WebhookEndpoint.id, WebhookEndpoint.events).where(
    WebhookEndpoint.active.is_(True))


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"Not JSON: {type(value).__name__}")


# The active endpoints, remembered for a few seconds (WEBHOOK_ENDPOINT_CACHE_SECONDS): asking
# the database for them again with every scan was one more statement per movement. A change
# made in this process takes effect at once (the mapper events below); one made by another
# worker within those seconds.
_KNOWN: dict[object, tuple[float, list[tuple[int, frozenset]]]] = {}
_CHANGED = "webhooks_changed"


def active_endpoints(connection) -> list[tuple[int, frozenset]]:
    """(id, events wanted) of every active endpoint."""
    ttl = float(current_app.config.get("WEBHOOK_ENDPOINT_CACHE_SECONDS", 5))
    session, key, now = db.session(), connection.engine, time.monotonic()
    fresh = ttl > 0 and not session.info.get(_CHANGED)
    if fresh and key in _KNOWN and _KNOWN[key][0] > now:
        return _KNOWN[key][1]
    found = [(row.id, frozenset(row.events.split())) for row in connection.execute(_ENDPOINTS)]
    if fresh:
        _KNOWN[key] = (now + ttl, found)
    return found


@sa_event.listens_for(WebhookEndpoint, "after_insert")
@sa_event.listens_for(WebhookEndpoint, "after_update")
@sa_event.listens_for(WebhookEndpoint, "after_delete")
def _endpoints_changed(_mapper, _connection, target) -> None:
    session = object_session(target)
    if session is not None:
        session.info[_CHANGED] = True
    _KNOWN.clear()


@sa_event.listens_for(Session, "after_commit")
@sa_event.listens_for(Session, "after_rollback")
def _forget_endpoints(session: Session) -> None:
    if session.info.pop(_CHANGED, None):
        _KNOWN.clear()  # a request that read the old list meanwhile must not keep it


def forget_endpoints() -> None:
    """Forget the remembered endpoints: the database was emptied or replaced under this process."""
    _KNOWN.clear()


def enqueue(connection, event: str, data: dict) -> int | None:
    """Write one event and a pending delivery per active endpoint that wants it."""
    targets = [endpoint for endpoint, wanted in active_endpoints(connection) if event in wanted]
    if not targets:
        return None
    now = utcnow()
    body = json.dumps({"event": event, "created_at": now, "data": data}, default=_plain)
    event_id = connection.execute(_EVENT.insert().returning(_EVENT.c.id),
                                  {"event": event, "body": body, "created_at": now}).scalar_one()
    connection.execute(_DELIVERY.insert(), [
        {"event_id": event_id, "endpoint_id": target, "status": "pending", "attempts": 0,
         "next_attempt_at": now, "last_error": ""} for target in targets])
    return event_id


def emit(event: str, data: dict) -> int | None:
    """Queue an event in the current transaction (e.g. emit("count.approved", {...}))."""
    return enqueue(db.session.connection(), event, data)


@movement_posted.connect
def movement_event(movement, **_extra) -> None:
    """stock.changed for each posted movement, in the movement's own transaction."""
    connection = db.session.connection()
    if not any("stock.changed" in wanted for _id, wanted in active_endpoints(connection)):
        return  # nobody listens: not even the payload is built
    enqueue(connection, "stock.changed", {
        "movement_id": movement.id, "kind": movement.kind.value, "sku": movement.product.sku,
        "qty": movement.qty, "from_location": movement.from_location.code,
        "to_location": movement.to_location.code,
        "lot": movement.lot.code if movement.lot else None, "reference": movement.reference,
        "created_at": movement.created_at})


def order_payload(order: Order) -> dict:
    """What a receiver learns about a shipped order."""
    return {"reference": order.reference, "carrier": order.carrier, "tracking": order.tracking,
            "shipped_at": order.shipped_at,
            "lines": [{"sku": line.product.sku, "shipped": line.shipped}
                      for line in order.lines]}


def alert_payload(alert) -> dict:
    """What a receiver learns about a new alert."""
    return {"id": alert.id, "kind": alert.kind.value, "sku": alert.product.sku,
            "message": alert.message, "value": alert.value, "threshold": alert.threshold}


def approval_payload(decision) -> dict:
    """What a receiver learns about an approved count."""
    return {"count_id": decision.count_id, "reference": decision.count.reference,
            "note": decision.note, "detail": decision.detail, "at": decision.at}


PAYLOADS = {"order.shipped": order_payload, "alert.raised": alert_payload,
            "count.approved": approval_payload}


@sa_event.listens_for(Session, "after_flush")
def flushed_events(session: Session, _context) -> None:
    """order.shipped when an order turns shipped; alert.raised, count.approved when recorded."""
    found = []
    for obj in session.dirty:
        if isinstance(obj, Order) and obj.status is OrderStatus.SHIPPED:
            if inspect(obj).attrs.status.history.added:
                found.append(("order.shipped", obj))
    for obj in session.new:
        name = f"{type(obj).__module__}.{type(obj).__name__}"
        if name == "warehouse_app.insight.models.Alert":
            found.append(("alert.raised", obj))
        elif (name == "warehouse_app.counting.models.CountDecision"
              and getattr(obj.kind, "value", None) == "approve"):
            found.append(("count.approved", obj))
    if not found:
        return
    connection = session.connection()
    for name, obj in found:
        enqueue(connection, name, PAYLOADS[name](obj))
