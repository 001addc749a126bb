"""Locations: the physical tree (warehouse > zone > bin) and the virtual ends of movements."""
import enum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse_app.extensions import db


class LocationKind(enum.Enum):
    WAREHOUSE = "warehouse"
    ZONE = "zone"
    BIN = "bin"
    SUPPLIER = "supplier"
    CUSTOMER = "customer"
    ADJUSTMENT = "adjustment"
    SCRAP = "scrap"
    COUNT = "count"

    @property
    def is_physical(self) -> bool:
        return self in PHYSICAL_KINDS


PHYSICAL_KINDS = frozenset({LocationKind.WAREHOUSE, LocationKind.ZONE, LocationKind.BIN})
# The parent each physical kind may hang under.
PARENT_KINDS = {
    LocationKind.WAREHOUSE: frozenset(),
    LocationKind.ZONE: frozenset({LocationKind.WAREHOUSE, LocationKind.ZONE}),
    LocationKind.BIN: frozenset({LocationKind.WAREHOUSE, LocationKind.ZONE}),
}
# Codes of the virtual locations the first migration creates.
VIRTUAL_CODES = {
    LocationKind.SUPPLIER: "SUPPLIER",
    LocationKind.CUSTOMER: "CUSTOMER",
    LocationKind.ADJUSTMENT: "ADJUSTMENT",
    LocationKind.SCRAP: "SCRAP",
    LocationKind.COUNT: "COUNT",
}


class Location(db.Model):
    """A place stock can be, physical or virtual, named by a unique scannable code."""

    __audited__ = True
    __table_args__ = (CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[LocationKind] = mapped_column(
        Enum(LocationKind, values_callable=lambda e: [m.value for m in e], native_enum=False,
             length=20, validate_strings=True))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"), index=True)
    # The warehouse a physical location belongs to (itself for a warehouse), kept at creation:
    # parents never change, and per-warehouse balances and reports need it on every movement.
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"), index=True)
    sequence: Mapped[int] = mapped_column(default=0)  # walking order among siblings
    capacity: Mapped[int | None]  # units a bin holds, when it matters
    active: Mapped[bool] = mapped_column(default=True)
    # A hold bin (returns awaiting inspection, quarantine, damaged): its stock is on hand but
    # not available; only a supervisor releases it (a transfer out) or scraps it.
    hold: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Warehouses only: where it is and how much it is preferred, for routing customer orders.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    postcode: Mapped[str | None] = mapped_column(String(20))
    priority: Mapped[int | None]  # 1 ships first; empty comes after every number

    parent: Mapped["Location | None"] = relationship(remote_side=[id], back_populates="children",
                                                     foreign_keys=[parent_id])
    children: Mapped[list["Location"]] = relationship(back_populates="parent",
                                                      foreign_keys=[parent_id])

    @property
    def is_physical(self) -> bool:
        return self.kind.is_physical

    @property
    def warehouse(self) -> "Location | None":
        """The warehouse this location belongs to (itself for a warehouse)."""
        node = self
        while node is not None and node.kind is not LocationKind.WAREHOUSE:
            node = node.parent
        return node

    @property
    def path(self) -> str:
        """Codes from the warehouse down, e.g. 'WH1 / A / A-01-02'."""
        parts, node = [], self
        while node is not None:
            parts.append(node.code)
            node = node.parent
        return " / ".join(reversed(parts))

    def __str__(self) -> str:
        return self.code
