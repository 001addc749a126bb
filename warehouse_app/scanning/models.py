"""Damage and loss reports: staff say what they found broken or missing; a supervisor
approves (the adjustment posts then) or rejects."""
import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse_app.catalog.models import Product
from warehouse_app.extensions import db
from warehouse_app.ledger.models import Movement, Reason
from warehouse_app.locations.models import Location
from warehouse_app.models import utcnow


def _enum(cls, name: str):
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e],
                native_enum=False, length=20, validate_strings=True)


class ReportStatus(enum.Enum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"


class DamageReport(db.Model):
    """Units of a product a staff member found damaged, lost, stolen or expired in a bin."""

    __tablename__ = "damage_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    lot: Mapped[str | None] = mapped_column(String(64))
    qty: Mapped[int]
    reason: Mapped[Reason] = mapped_column(_enum(Reason, "reason"))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReportStatus] = mapped_column(_enum(ReportStatus, "reportstatus"),
                                                 default=ReportStatus.OPEN, index=True)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("movement.id"))

    product: Mapped[Product] = relationship()
    location: Mapped[Location] = relationship()
    movement: Mapped[Movement | None] = relationship()
    reported_by: Mapped["User"] = relationship(foreign_keys=[reported_by_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821
