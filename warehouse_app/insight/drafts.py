"""Draft purchase orders: reorder suggestions grouped by supplier, approved by a supervisor.

A draft lives only on the reorder page, with quantities the supervisor may change; approving it
creates an open purchase order through the orders capability's own domain function
(orders/purchasing.create), so it is checked like any other PO.
"""
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.insight.reorder import Point

NO_SUPPLIER = "(no supplier)"


@dataclass
class Draft:
    """What to order from one supplier."""

    supplier: str
    lines: list[Point] = field(default_factory=list)

    @property
    def units(self) -> int:
        return sum(p.suggested for p in self.lines)


def group(points: list[Point]) -> list[Draft]:
    """Products that need ordering, one draft per supplier (products without one last)."""
    drafts: dict[str, Draft] = {}
    for point in points:
        if point.needs_reorder and point.suggested > 0:
            name = point.supplier or NO_SUPPLIER
            drafts.setdefault(name, Draft(name)).lines.append(point)
    return sorted(drafts.values(), key=lambda d: (d.supplier == NO_SUPPLIER, d.supplier.lower()))


def orders_installed() -> bool:
    """True when the orders capability (purchase orders) is part of this app."""
    try:
        from warehouse_app.orders import purchasing  # noqa: F401
    except ImportError:
        return False
    return True


def quantities(form) -> list[dict]:
    """Lines from the approve form: qty-<sku> fields, zero or blank ones left out."""
    lines = []
    for key, value in form.items():
        if not key.startswith("qty-") or not str(value).strip():
            continue
        text = str(value).strip()
        if not text.isdigit():
            raise DomainError(f"The quantity for {key[4:]} must be a whole number.",
                              field=key)
        if int(text) > 0:
            lines.append({"sku": key[4:], "qty": int(text)})
    if not lines:
        raise DomainError("Nothing to order: every quantity is zero.", field="lines")
    return lines


def approve(supplier: str, lines: list[dict], user=None):
    """Create the purchase order for one draft; answers the new PO."""
    if not orders_installed():
        raise DomainError("Purchase orders are not part of this installation; "
                          "download the CSV instead.", field="supplier")
    from warehouse_app.orders import purchasing
    from warehouse_app.orders.models import PurchaseOrder
    if not supplier or supplier == NO_SUPPLIER:
        raise DomainError("Give these products a supplier first.", field="supplier")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    reference, n = f"RO-{stamp}", 1
    while db.session.scalar(select(PurchaseOrder.id).where(
            PurchaseOrder.reference == reference)):
        n += 1
        reference = f"RO-{stamp}-{n}"
    return purchasing.create({"reference": reference, "supplier": supplier, "lines": lines},
                             user)
