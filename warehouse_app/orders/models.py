"""Purchase orders (expected receipts), customer orders with their reservations, waves, picks."""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse_app.catalog.models import Product, Supplier
from warehouse_app.extensions import db
from warehouse_app.ledger.models import Lot, Movement
from warehouse_app.locations.models import Location
from warehouse_app.models import utcnow

REFERENCE_MAX = 64


def _enum(cls):
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False,
                length=20, validate_strings=True)


class POStatus(enum.Enum):
    OPEN = "open"
    PARTIAL = "partially_received"
    RECEIVED = "received"
    CLOSED = "closed"


class DiscrepancyKind(enum.Enum):
    OVER_RECEIPT = "over_receipt"    # more than the PO still expects
    NOT_ON_ORDER = "not_on_order"    # a known product the PO does not list
    UNKNOWN_PRODUCT = "unknown_product"  # a code no product here carries


class DiscrepancyStatus(enum.Enum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class OrderStatus(enum.Enum):
    HELD = "held"            # reserved at a web store's checkout, not picked until confirmed
    OPEN = "open"            # reserved, nothing picked yet
    BACKORDER = "backorder"  # some units wait for stock
    PICKING = "picking"
    PICKED = "picked"        # nothing reserved is left to pick
    PACKED = "packed"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


FINAL = frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED})


class PurchaseOrder(db.Model):
    """What a supplier is expected to deliver, received against over one or more days."""

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(REFERENCE_MAX), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"))
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    expected_date: Mapped[date | None]
    status: Mapped[POStatus] = mapped_column(_enum(POStatus), default=POStatus.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    supplier: Mapped[Supplier] = relationship()
    warehouse: Mapped[Location | None] = relationship()
    lines: Mapped[list["PurchaseOrderLine"]] = relationship(
        back_populates="purchase_order", order_by="PurchaseOrderLine.id",
        cascade="all, delete-orphan")

    @property
    def warehouse_ids(self) -> frozenset[int]:
        """The warehouse it is delivered to, if named (who may see it: auth/warehouses.py; a
        PO of no warehouse is anyone's, and each receipt's bin is checked)."""
        return frozenset({self.warehouse_id} if self.warehouse_id else ())

    def __str__(self) -> str:
        return self.reference


class PurchaseOrderLine(db.Model):
    """qty of a product expected at a unit cost; received counts what came in against it."""

    __table_args__ = (CheckConstraint("qty >= 0", name="qty"),
                      CheckConstraint("received >= 0", name="received"))

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    qty: Mapped[int]  # 0 for a product a supervisor accepted although the PO did not list it
    received: Mapped[int] = mapped_column(default=0)
    unit_cost: Mapped[Decimal] = mapped_column(default=Decimal(0))

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    @property
    def remaining(self) -> int:
        return max(self.qty - self.received, 0)


class PurchaseReceipt(db.Model):
    """One receipt movement posted against a purchase order line: the line's received is the
    sum of its receipts (a reversed receipt is deleted with the reversal)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_line.id"), index=True)
    movement_id: Mapped[int] = mapped_column(ForeignKey("movement.id"), unique=True)
    qty: Mapped[int]

    line: Mapped[PurchaseOrderLine] = relationship()


class Discrepancy(db.Model):
    """A receipt line refused on the phone and left for a supervisor to accept or dismiss."""

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    kind: Mapped[DiscrepancyKind] = mapped_column(_enum(DiscrepancyKind))
    status: Mapped[DiscrepancyStatus] = mapped_column(
        _enum(DiscrepancyStatus), default=DiscrepancyStatus.OPEN, index=True)
    code: Mapped[str] = mapped_column(String(256), default="")  # what was scanned
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    qty: Mapped[int]
    expected: Mapped[int] = mapped_column(default=0)  # what the PO still expected then
    lot: Mapped[str | None] = mapped_column(String(64))
    expiry: Mapped[date | None]
    client_op_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("movement.id"))

    purchase_order: Mapped[PurchaseOrder] = relationship()
    product: Mapped[Product | None] = relationship()
    location: Mapped[Location] = relationship()
    user: Mapped["User | None"] = relationship(foreign_keys=[user_id])  # noqa: F821


class Wave(db.Model):
    """Several orders picked in one walk."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    orders: Mapped[list["Order"]] = relationship(back_populates="wave", order_by="Order.id")


class Order(db.Model):
    """A customer order: its lines reserve stock in a warehouse until picked and shipped."""

    __tablename__ = "customer_order"  # "order" is an SQL keyword
    __table_args__ = (
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)",
                        name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude >= -180 AND longitude <= 180)",
                        name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(REFERENCE_MAX), unique=True)
    customer: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    allow_backorder: Mapped[bool] = mapped_column(default=False)
    status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus), default=OrderStatus.OPEN,
                                                index=True)
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("wave.id"), index=True)
    carrier: Mapped[str] = mapped_column(String(60), default="")
    tracking: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    packed_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    held_until: Mapped[datetime | None]  # a checkout's hold: released after this, if unpaid

    wave: Mapped[Wave | None] = relationship(back_populates="orders")
    lines: Mapped[list["OrderLine"]] = relationship(back_populates="order", order_by="OrderLine.id",
                                                    cascade="all, delete-orphan")

    @property
    def warehouses(self) -> list[Location]:
        """The warehouses its lines ship from, by code."""
        return sorted({line.warehouse for line in self.lines}, key=lambda w: w.code)

    @property
    def warehouse_ids(self) -> frozenset[int]:
        """Ids of the warehouses its lines ship from (who may see it: auth/warehouses.py)."""
        return frozenset(line.warehouse_id for line in self.lines)

    def __str__(self) -> str:
        return self.reference


class OrderLine(db.Model):
    """qty of a product from one warehouse. reserved: units promised and still in the warehouse
    (staged ones too); picked: units taken from bins; shipped: units that left the warehouse."""

    __table_args__ = (
        CheckConstraint("qty > 0", name="qty"),
        CheckConstraint("reserved >= 0", name="reserved"),
        CheckConstraint("shipped >= 0 AND shipped <= picked", name="shipped"),
        CheckConstraint("picked <= qty", name="picked"),
        CheckConstraint("reserved + shipped <= qty", name="within_qty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    qty: Mapped[int]
    reserved: Mapped[int] = mapped_column(default=0)
    picked: Mapped[int] = mapped_column(default=0)
    shipped: Mapped[int] = mapped_column(default=0)

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()
    warehouse: Mapped[Location] = relationship()

    @property
    def staged(self) -> int:
        """Picked to the packing bin, not shipped yet."""
        return self.picked - self.shipped

    @property
    def to_pick(self) -> int:
        """Reserved units still in their bins."""
        return max(self.reserved - self.staged, 0)

    @property
    def unpicked(self) -> int:
        """Units ordered and not picked (reserved or waiting)."""
        return max(self.qty - self.picked, 0)

    @property
    def waiting(self) -> int:
        """Units not reserved yet (a backorder)."""
        return max(self.qty - self.shipped - self.reserved, 0)


class OrderPick(db.Model):
    """One pick posted for an order line: where from, which lot, and whether it is staged."""

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), index=True)
    movement_id: Mapped[int] = mapped_column(ForeignKey("movement.id"), unique=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    qty: Mapped[int]
    staged_at_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))  # packing bin
    ship_movement_id: Mapped[int | None] = mapped_column(ForeignKey("movement.id"))

    line: Mapped[OrderLine] = relationship()
    movement: Mapped[Movement] = relationship(foreign_keys=[movement_id])
    location: Mapped[Location] = relationship(foreign_keys=[location_id])
    lot: Mapped[Lot | None] = relationship()
    staged_at: Mapped[Location | None] = relationship(foreign_keys=[staged_at_id])


class PickShortage(db.Model):
    """A bin that held less than the ledger said when a picker came for an order."""

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    qty: Mapped[int]  # units the picker could not find there
    count_request_id: Mapped[int] = mapped_column(ForeignKey("count_request.id"))
    client_op_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    line: Mapped[OrderLine] = relationship()
    location: Mapped[Location] = relationship()
