"""The append-only ledger, lots, and the cached balances it keeps."""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse_app.catalog.models import Product
from warehouse_app.extensions import db
from warehouse_app.locations.models import Location
from warehouse_app.models import utcnow


def _enum(cls):
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False,
                length=20, validate_strings=True)


class MovementKind(enum.Enum):
    RECEIVE = "receive"      # Supplier -> physical
    PICK = "pick"            # physical -> Customer
    TRANSFER = "transfer"    # physical -> physical
    RETURN = "return"        # Customer -> physical
    ADJUST = "adjust"        # physical <-> Adjustment / Scrap, with a reason
    COUNT = "count"          # physical <-> Count, from a cycle count
    REVERSAL = "reversal"    # the mirror of an earlier movement


class Reason(enum.Enum):
    DAMAGE = "damage"
    LOSS = "loss"
    THEFT = "theft"
    EXPIRY = "expiry"
    FOUND = "found"
    COUNT = "count"
    CORRECTION = "correction"
    OTHER = "other"


class Lot(db.Model):
    """A batch of one product (code and expiry); for serial-tracked products, one serial number."""

    __table_args__ = (db.UniqueConstraint("product_id", "code"),
                      CheckConstraint("serial_in_stock IN (0, 1)", name="serial_once"))

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    code: Mapped[str] = mapped_column(String(64))
    expiry: Mapped[date | None]
    # A serial number (a lot of a serial-tracked product) is in stock at most once: 1 while it
    # is. Only post() writes it, in the same transaction as the balances.
    serial_in_stock: Mapped[int] = mapped_column(default=0, server_default="0")

    product: Mapped[Product] = relationship()

    def __str__(self) -> str:
        return self.code


class Movement(db.Model):
    """qty of a product moved from one location to another: one row of the ledger, never changed."""

    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("from_location_id <> to_location_id", name="distinct_ends"),
        Index("ix_movement_product_created", "product_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MovementKind] = mapped_column(_enum(MovementKind), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    qty: Mapped[int]
    from_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    to_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    reason: Mapped[Reason | None] = mapped_column(_enum(Reason))
    note: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(120), default="", index=True)
    unit_cost: Mapped[Decimal] = mapped_column(default=Decimal(0))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    client_op_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    reversal_of_id: Mapped[int | None] = mapped_column(ForeignKey("movement.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    product: Mapped[Product] = relationship()
    from_location: Mapped[Location] = relationship(foreign_keys=[from_location_id])
    to_location: Mapped[Location] = relationship(foreign_keys=[to_location_id])
    lot: Mapped[Lot | None] = relationship()
    user: Mapped["User | None"] = relationship()  # noqa: F821
    reversal_of: Mapped["Movement | None"] = relationship(remote_side=[id])


class StockLevel(db.Model):
    """Cached balance of one product (and lot) in one physical location; only post() writes it."""

    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        # One row per product, location and lot; "no lot" counts as lot 0 so it is unique too.
        Index("uq_stock_level_key", "product_id", "location_id",
              func.coalesce(literal_column("lot_id"), 0), unique=True),
        Index("ix_stock_level_location", "location_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    on_hand: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved: Mapped[int] = mapped_column(BigInteger, default=0)

    product: Mapped[Product] = relationship()
    location: Mapped[Location] = relationship()
    lot: Mapped[Lot | None] = relationship()

    @property
    def available(self) -> int:
        """On hand less reserved; nothing in a hold bin or of a lot past its expiry date."""
        if self.location.hold or (self.lot is not None and self.lot.expiry is not None
                                  and self.lot.expiry < utcnow().date()):
            return 0
        return self.on_hand - self.reserved


class WarehouseStock(db.Model):
    """Cached balance of one product in one warehouse, and how much of it orders have reserved.

    post() keeps on_hand equal to the sum of the warehouse's bins; reservations move `reserved`.
    The CHECK makes reserved stock untouchable by anything but the order it is reserved for.
    """

    __table_args__ = (
        db.UniqueConstraint("product_id", "warehouse_id"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("on_hand >= reserved", name="reserved_within_on_hand"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    on_hand: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved: Mapped[int] = mapped_column(BigInteger, default=0)

    product: Mapped[Product] = relationship()
    warehouse: Mapped[Location] = relationship()

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class TransitStatus(enum.Enum):
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    CANCELLED = "cancelled"  # its dispatch was reversed before it arrived


class Transit(db.Model):
    """Stock on its way between warehouses: dispatched from a bin of one into the other's
    transit bin (on hand there, not available), received by scan into a bin of the other."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[TransitStatus] = mapped_column(_enum(TransitStatus),
                                                  default=TransitStatus.IN_TRANSIT, index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    qty: Mapped[int]
    from_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    to_warehouse_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    via_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))  # the transit bin
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    dispatch_movement_id: Mapped[int] = mapped_column(ForeignKey("movement.id"), unique=True)
    receive_movement_id: Mapped[int | None] = mapped_column(ForeignKey("movement.id"),
                                                            unique=True)
    dispatched_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    product: Mapped[Product] = relationship()
    lot: Mapped[Lot | None] = relationship()
    from_location: Mapped[Location] = relationship(foreign_keys=[from_location_id])
    to_warehouse: Mapped[Location] = relationship(foreign_keys=[to_warehouse_id])
    via_location: Mapped[Location] = relationship(foreign_keys=[via_location_id])
    to_location: Mapped[Location | None] = relationship(foreign_keys=[to_location_id])

    def __str__(self) -> str:
        return self.code


class CountRequest(db.Model):
    """Someone found a bin not holding what the ledger says: count it. Open until resolved.

    Picks stay away from it meanwhile (orders); the count that closes the bin resolves it."""

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
        """Not resolved by a count yet."""
        return self.resolved_at is None
