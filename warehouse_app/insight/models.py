"""Alerts raised by movements, the outbox of their e-mails, and hand-set reorder points."""
import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse_app.catalog.models import Product
from warehouse_app.extensions import db
from warehouse_app.ledger.models import Lot
from warehouse_app.locations.models import Location
from warehouse_app.models import utcnow


class AlertKind(enum.Enum):
    LOW_STOCK = "low_stock"          # available at or below the reorder point
    OUT_OF_STOCK = "out_of_stock"    # nothing available
    EXPIRING = "expiring"            # a lot in stock expires within N days
    DEAD_STOCK = "dead_stock"        # on hand, no outbound movement for N days
    COUNT_LOSS = "count_loss"        # a count found fewer units than the ledger held


# Kinds that describe a state: they clear by themselves when the state ends. The others are
# events: they stay open until a supervisor acknowledges them.
CONDITIONS = frozenset({AlertKind.LOW_STOCK, AlertKind.OUT_OF_STOCK, AlertKind.EXPIRING,
                        AlertKind.DEAD_STOCK})


class Alert(db.Model):
    """Something a supervisor should look at; open until its condition ends or it is seen."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AlertKind] = mapped_column(
        Enum(AlertKind, values_callable=lambda e: [m.value for m in e], native_enum=False,
             length=20, validate_strings=True), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    # Unique while open (e.g. "low_stock:12"), NULL once cleared: at most one open alert per
    # condition, even when two transactions raise it at the same moment.
    open_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    message: Mapped[str] = mapped_column(String(300))
    value: Mapped[int | None]       # what was seen (units available, days left...)
    threshold: Mapped[int | None]   # the limit it crossed
    raised_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    cleared_at: Mapped[datetime | None]

    product: Mapped[Product] = relationship()
    lot: Mapped[Lot | None] = relationship()
    location: Mapped[Location | None] = relationship()
    acknowledged_by: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


class ReorderOverride(db.Model):
    """A supervisor's own reorder point (and order-up-to level) for a product; it wins."""

    __table_args__ = (
        CheckConstraint("reorder_point >= 0", name="reorder_point"),
        CheckConstraint("max_stock IS NULL OR max_stock > reorder_point", name="max_stock"),
    )

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    reorder_point: Mapped[int]
    max_stock: Mapped[int | None]
    note: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship()


class MailStatus(enum.Enum):
    PENDING = "pending"   # to send, on the next `flask alerts mail` (again, after a failure)
    SENDING = "sending"   # claimed by one run of `flask alerts mail`
    SENT = "sent"
    DROPPED = "dropped"   # its user takes no mail any more (no address, role, preference)
    FAILED = "failed"     # given up after MAIL_MAX_ATTEMPTS attempts


class AlertMail(db.Model):
    """One alert for one user's mailbox: queued in the transaction that raised the alert,
    sent once by `flask alerts mail` (insight/mail.py), alone or in the day's digest."""

    __table_args__ = (UniqueConstraint("alert_id", "user_id"),
                      Index("ix_alert_mail_status_day", "status", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    digest: Mapped[bool] = mapped_column(default=False)  # in the day's digest, not alone
    day: Mapped[date]  # the day (UTC) the alert was raised: its digest
    status: Mapped[MailStatus] = mapped_column(
        Enum(MailStatus, values_callable=lambda e: [m.value for m in e], native_enum=False,
             length=10, validate_strings=True), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    claim: Mapped[str | None] = mapped_column(String(32))  # the run that holds it now
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    alert: Mapped[Alert] = relationship()
    user: Mapped["User"] = relationship()  # noqa: F821
