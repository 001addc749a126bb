"""Products, their barcodes, categories and suppliers."""
import enum
from decimal import Decimal

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse_app.extensions import db


def _enum(cls):
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False,
                length=20, validate_strings=True)


class Tracking(enum.Enum):
    NONE = "none"
    LOT = "lot"
    SERIAL = "serial"  # every serial number is a lot of exactly one unit


class BarcodeKind(enum.Enum):
    EAN13 = "ean13"
    EAN8 = "ean8"
    UPC = "upc"
    GTIN = "gtin"
    CODE128 = "code128"
    INTERNAL = "internal"


class Category(db.Model):
    """A node of the category tree (e.g. Apparel > T-shirts)."""

    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))

    parent: Mapped["Category | None"] = relationship(remote_side=[id])

    @property
    def path(self) -> str:
        parts, node = [], self
        while node is not None:
            parts.append(node.name)
            node = node.parent
        return " > ".join(reversed(parts))

    def __str__(self) -> str:
        return self.path


class Supplier(db.Model):
    """Who a product is bought from."""

    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    def __str__(self) -> str:
        return self.name


class Product(db.Model):
    """One stock-keeping unit: each size of a t-shirt is its own product."""

    __audited__ = True
    __table_args__ = (
        CheckConstraint("reorder_point >= 0", name="reorder_point"),
        CheckConstraint("safety_stock >= 0", name="safety_stock"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"), index=True)
    unit_cost: Mapped[Decimal] = mapped_column(default=Decimal(0))  # last or list cost
    avg_cost: Mapped[Decimal] = mapped_column(default=Decimal(0))  # moving average, by receipts
    sale_price: Mapped[Decimal | None]
    # Hand-set by a supervisor, each wins until cleared; None: worked out from demand
    # (insight/reorder.py).
    reorder_point: Mapped[int | None]
    safety_stock: Mapped[int | None]
    lead_time_days: Mapped[int] = mapped_column(default=7)
    tracking: Mapped[Tracking] = mapped_column(_enum(Tracking), default=Tracking.NONE)
    variant_group: Mapped[str | None] = mapped_column(String(64), index=True)  # style code
    variant: Mapped[str | None] = mapped_column(String(64))  # e.g. "M / blue"
    active: Mapped[bool] = mapped_column(default=True)
    # Where it normally lives: directed putaway suggests it when no bin holds the product yet.
    home_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))

    category: Mapped[Category | None] = relationship()
    home_location: Mapped["Location | None"] = relationship()  # noqa: F821
    supplier: Mapped[Supplier | None] = relationship()
    barcodes: Mapped[list["Barcode"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Barcode.id")

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Barcode(db.Model):
    """A code printed on a product or its pack; globally unique; one scan = pack_size units."""

    __audited__ = True
    __table_args__ = (CheckConstraint("pack_size >= 1", name="pack_size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    kind: Mapped[BarcodeKind] = mapped_column(_enum(BarcodeKind), default=BarcodeKind.INTERNAL)
    pack_size: Mapped[int] = mapped_column(default=1)

    product: Mapped[Product] = relationship(back_populates="barcodes")

    def __str__(self) -> str:
        return self.code
