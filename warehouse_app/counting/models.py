"""A request to count a bin (and perhaps one product in it), raised when stock looked wrong."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse_app.catalog.models import Product
from warehouse_app.extensions import db
from warehouse_app.locations.models import Location
from warehouse_app.models import utcnow


class CountRequest(db.Model):
    """Someone found a bin not holding what the ledger says: count it. Open until resolved."""

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolved_at: Mapped[datetime | None]

    location: Mapped[Location] = relationship()
    product: Mapped[Product | None] = relationship()
    user: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
