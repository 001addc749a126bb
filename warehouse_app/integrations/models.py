"""Webhook endpoints, the outbox of events, and one delivery per event and endpoint."""
import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse_app.extensions import db
from warehouse_app.models import utcnow

EVENTS = ("stock.changed", "order.shipped", "alert.raised", "count.approved")


class DeliveryStatus(enum.Enum):
    PENDING = "pending"
    DELIVERED = "delivered"


class WebhookEndpoint(db.Model):
    """A URL that receives signed events; its secret signs them."""

    __audited__ = True
    __audit_hidden__ = frozenset({"secret"})

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(100))
    events: Mapped[str] = mapped_column(String(200), default=" ".join(EVENTS))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def wants(self, event: str) -> bool:
        return event in self.events.split()


class OutboxEvent(db.Model):
    """One event, written in the transaction that caused it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(40), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(db.Model):
    """One event for one endpoint: delivered in order, retried with backoff until it is."""

    __table_args__ = (Index("ix_delivery_endpoint_status", "endpoint_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_event.id"))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id"))
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, values_callable=lambda e: [m.value for m in e], native_enum=False,
             length=20), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    last_status: Mapped[int | None]
    delivered_at: Mapped[datetime | None]

    event: Mapped[OutboxEvent] = relationship()
    endpoint: Mapped[WebhookEndpoint] = relationship()
