"""Endpoints, signatures and the delivery worker's one pass over the outbox.

Each endpoint gets its events in order: a pass sends an endpoint's oldest pending delivery
first and stops at that endpoint on a failure, retrying it later with exponential backoff.
"""
import hashlib
import hmac
import http.client
import secrets
import time
from datetime import datetime, timedelta

from sqlalchemy import select

from warehouse_app.errors import DomainError, NotFound
from warehouse_app.extensions import db
from warehouse_app.integrations import targets
from warehouse_app.integrations.models import EVENTS, Delivery, DeliveryStatus, WebhookEndpoint
from warehouse_app.models import utcnow

SIGNATURE_HEADER = "X-Warehouse-Signature"
TIMEOUT = 5
BACKOFF_BASE = 2  # seconds before the first retry; doubles each attempt
BACKOFF_MAX = 3600
BATCH = 100


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, tolerance: int = 300,
           now: float | None = None) -> bool:
    """What a receiver does: recompute the signature and check the timestamp is recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp), header)


def create_endpoint(url: str, events: list[str] | None = None) -> WebhookEndpoint:
    """A new endpoint with a fresh secret; refuses a non-http(s) URL, an internal host
    (targets.py) or an unknown event."""
    if not isinstance(url, str):
        raise DomainError("The URL must be http:// or https:// with a host.", field="url")
    url = targets.check_url(url.strip())
    events = events or list(EVENTS)
    unknown = [name for name in events if name not in EVENTS]
    if unknown:
        raise DomainError(f"Unknown event {unknown[0]}; known: {', '.join(EVENTS)}.",
                          field="events")
    endpoint = WebhookEndpoint(url=url, secret="whsec_" + secrets.token_urlsafe(24),
                               events=" ".join(dict.fromkeys(events)))
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def endpoint_by_id(endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"No webhook endpoint {endpoint_id}.", field="id")
    return endpoint


def backoff(attempts: int) -> timedelta:
    """How long to wait after this many failed attempts."""
    return timedelta(seconds=min(BACKOFF_MAX, BACKOFF_BASE * 2 ** max(0, attempts - 1)))


def send(delivery: Delivery, now: datetime) -> None:
    """POST one delivery, recording the outcome on it."""
    body = delivery.event.body.encode()
    headers = {
        "Content-Type": "application/json", "User-Agent": "warehouse-app-webhooks",
        "X-Warehouse-Event": delivery.event.event, "X-Warehouse-Delivery": str(delivery.id),
        SIGNATURE_HEADER: sign(delivery.endpoint.secret, body, int(now.timestamp()))}
    delivery.attempts += 1
    try:
        status = targets.post(delivery.endpoint.url, body, headers, TIMEOUT)
    except targets.Refused as err:
        delivery.last_status, delivery.last_error = None, f"Refused: {err}"[:500]
    except (OSError, ValueError, http.client.HTTPException) as err:
        delivery.last_status, delivery.last_error = None, str(err)[:500] or type(err).__name__
    else:
        delivery.last_status = status
        if 200 <= status < 300:
            delivery.status, delivery.delivered_at, delivery.last_error = (
                DeliveryStatus.DELIVERED, now, "")
            return
        delivery.last_error = (f"HTTP {status} (redirects are not followed)"
                               if 300 <= status < 400 else f"HTTP {status}")
    delivery.next_attempt_at = now + backoff(delivery.attempts)


def deliver_due(now: datetime | None = None) -> tuple[int, int]:
    """One pass: send what is due, endpoint by endpoint in order; (delivered, failed)."""
    now = now or utcnow()
    delivered = failed = 0
    endpoints = db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.active.is_(True)).order_by(WebhookEndpoint.id)).all()
    for endpoint in endpoints:
        pending = db.session.scalars(
            select(Delivery).where(Delivery.endpoint_id == endpoint.id,
                                   Delivery.status == DeliveryStatus.PENDING)
            .order_by(Delivery.id).limit(BATCH)).all()
        for delivery in pending:
            if delivery.next_attempt_at > now:
                break  # the oldest waits for its retry; later ones wait behind it
            send(delivery, now)
            db.session.commit()
            if delivery.status is not DeliveryStatus.DELIVERED:
                failed += 1
                break
            delivered += 1
    return delivered, failed


def recent_deliveries(limit: int = 50) -> list[Delivery]:
    """The delivery log, newest first."""
    return list(db.session.scalars(select(Delivery).order_by(Delivery.id.desc()).limit(limit)))
