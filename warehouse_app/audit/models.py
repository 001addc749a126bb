"""The audit trail of every change that is not a movement."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse_app.extensions import db
from warehouse_app.models import utcnow


class AuditEntry(db.Model):
    """Who changed what, when, with the values before and after."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor: Mapped[str] = mapped_column(String(120), default="")  # username, token or "cli"
    action: Mapped[str] = mapped_column(String(20))  # create / update / delete
    entity: Mapped[str] = mapped_column(String(40), index=True)
    entity_id: Mapped[int | None]
    label: Mapped[str] = mapped_column(String(200), default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    user: Mapped["User | None"] = relationship()  # noqa: F821
