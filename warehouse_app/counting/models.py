"""Cycle counts: a count of some bins, each bin's counted lines, decisions, tolerances.

A count holds bins (CountBin); counting a bin records what was found per product and lot
(CountLine.counted). Closing the bin stores what the books held at that moment
(CountLine.expected), so variance = counted - expected. Lines and bins are not audited one by
one (a count may hold 20,000 lines); the count's status and every decision are.
"""
import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse_app.catalog.models import Category, Product
from warehouse_app.extensions import db
from warehouse_app.locations.models import Location
from warehouse_app.models import utcnow


def _enum(cls):
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False,
                length=20, validate_strings=True)


class CountStatus(enum.Enum):
    OPEN = "open"            # being counted
    PENDING = "pending"      # submitted; discrepancies wait for a supervisor
    DONE = "done"            # every adjustment posted
    REJECTED = "rejected"    # a supervisor refused the discrepancies: the books stand
    CANCELLED = "cancelled"  # withdrawn before it was submitted


class BinStatus(enum.Enum):
    TO_COUNT = "to_count"
    COUNTING = "counting"  # its first scan happened
    CLOSED = "closed"      # counted; the books' balances were taken


class LineStatus(enum.Enum):
    COUNTED = "counted"        # not submitted yet
    MATCHED = "matched"        # counted = expected
    POSTED = "posted"          # within tolerance: adjusted at submit
    WAITING = "waiting"        # beyond tolerance (or blocked): a supervisor decides
    APPROVED = "approved"      # adjusted on approval
    REJECTED = "rejected"      # refused: the books stand
    SUPERSEDED = "superseded"  # sent back; a recount replaced it


class DecisionKind(enum.Enum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    RECOUNT = "recount"
    CANCEL = "cancel"


class Count(db.Model):
    """A cycle count of some bins (perhaps of one product only), blind by default."""

    __audited__ = True
    __tablename__ = "cycle_count"  # "count" reads like SQL's COUNT()

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[CountStatus] = mapped_column(_enum(CountStatus), default=CountStatus.OPEN,
                                                index=True)
    blind: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submit_op_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    decided_at: Mapped[datetime | None]

    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])  # noqa: F821
    submitted_by: Mapped["User | None"] = relationship(  # noqa: F821
        foreign_keys=[submitted_by_id])
    bins: Mapped[list["CountBin"]] = relationship(back_populates="count", order_by="CountBin.id")

    @property
    def is_open(self) -> bool:
        """Still being counted."""
        return self.status is CountStatus.OPEN

    @property
    def warehouse_ids(self) -> frozenset[int]:
        """Ids of the warehouses of its bins (who may see it: auth/warehouses.py)."""
        return frozenset(db.session.scalars(
            select(Location.warehouse_id).join(CountBin, CountBin.location_id == Location.id)
            .where(CountBin.count_id == self.id).distinct()))

    def __str__(self) -> str:
        return self.reference


class CountBin(db.Model):
    """One bin of a count; round goes up each time a supervisor sends it back for a recount."""

    __table_args__ = (UniqueConstraint("count_id", "location_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("cycle_count.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))  # one product only
    status: Mapped[BinStatus] = mapped_column(_enum(BinStatus), default=BinStatus.TO_COUNT)
    round: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    close_op_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    not_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # recount: not them
    disturbed: Mapped[bool] = mapped_column(default=False)  # stock moved while it was counted

    count: Mapped[Count] = relationship(back_populates="bins")
    location: Mapped[Location] = relationship()
    product: Mapped[Product | None] = relationship()
    closed_by: Mapped["User | None"] = relationship(foreign_keys=[closed_by_id])  # noqa: F821
    not_by: Mapped["User | None"] = relationship(foreign_keys=[not_by_id])  # noqa: F821


class CountLine(db.Model):
    """What was found of a product (and lot) in a bin, and what the books held at close."""

    __table_args__ = (
        UniqueConstraint("bin_id", "round", "product_id", "lot_code"),
        CheckConstraint("counted >= 0", name="counted"),
        CheckConstraint("expected IS NULL OR expected >= 0", name="expected"),
        Index("ix_count_line_count_status", "count_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("cycle_count.id"))
    bin_id: Mapped[int] = mapped_column(ForeignKey("count_bin.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    lot_code: Mapped[str] = mapped_column(String(64), default="")
    counted: Mapped[int] = mapped_column(default=0)
    expected: Mapped[int | None]
    unit_cost: Mapped[Decimal | None]  # moving average cost when the bin closed
    status: Mapped[LineStatus] = mapped_column(_enum(LineStatus), default=LineStatus.COUNTED)
    reason: Mapped[str] = mapped_column(String(300), default="")  # why it waits
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    counted_at: Mapped[datetime | None]
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("movement.id"))

    bin: Mapped[CountBin] = relationship()
    location: Mapped[Location] = relationship()
    product: Mapped[Product] = relationship()
    counted_by: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def variance(self) -> int | None:
        """Counted minus the books (None until the bin closed)."""
        return None if self.expected is None else self.counted - self.expected

    @property
    def variance_value(self) -> Decimal | None:
        """The variance at the moving average cost when the bin closed."""
        if self.variance is None:
            return None
        return (self.variance * (self.unit_cost or Decimal(0))).quantize(Decimal("0.01"))


class CountScan(db.Model):
    """One scan or typed quantity from a phone; its client_op_id makes a replay harmless."""

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("count_line.id"), index=True)
    qty: Mapped[int]  # units added (or, when absolute, the new total)
    absolute: Mapped[bool] = mapped_column(default=False)
    client_op_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CountDecision(db.Model):
    """Who decided what about a count, when and why (submit, approve, reject, recount)."""

    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("cycle_count.id"), index=True)
    kind: Mapped[DecisionKind] = mapped_column(_enum(DecisionKind))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="")  # why
    detail: Mapped[str] = mapped_column(Text, default="")  # what it did

    count: Mapped[Count] = relationship()
    user: Mapped["User | None"] = relationship()  # noqa: F821

    def __str__(self) -> str:
        return f"{self.kind.value} {self.count.reference if self.count else self.count_id}"


class CountTolerance(db.Model):
    """How far a count may differ from the books and still post without a supervisor.

    For one product or one category (and its subcategories); the app default applies
    elsewhere. A line is within when |variance| <= max_units AND its share of the expected
    quantity <= max_pct AND (when set) its value <= max_value."""

    __audited__ = True
    __table_args__ = (
        CheckConstraint("(product_id IS NULL) <> (category_id IS NULL)", name="one_target"),
        CheckConstraint("max_units >= 0", name="max_units"),
        CheckConstraint("max_pct >= 0", name="max_pct"),
        CheckConstraint("max_value IS NULL OR max_value >= 0", name="max_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), unique=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), unique=True)
    max_units: Mapped[int] = mapped_column(default=1)
    max_pct: Mapped[Decimal] = mapped_column(default=Decimal(2))
    max_value: Mapped[Decimal | None]

    product: Mapped[Product | None] = relationship()
    category: Mapped[Category | None] = relationship()

    def __str__(self) -> str:
        return f"tolerance {self.product.sku if self.product else self.category}"


class CountFrequency(db.Model):
    """How many days apart products of an ABC class are counted."""

    __audited__ = True
    __table_args__ = (CheckConstraint("days >= 1 AND days <= 3650", name="days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    abc_class: Mapped[str] = mapped_column(String(1), unique=True)
    days: Mapped[int]

    def __str__(self) -> str:
        return f"class {self.abc_class} every {self.days} days"
