"""What purchase orders and customer orders share: references, lines, their errors, and the
document resolver that turns a scanned order or PO reference into the document itself."""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select, true

from warehouse_app.auth import warehouses
from warehouse_app.catalog.models import Product
from warehouse_app.catalog.products import clean_text
from warehouse_app.errors import Conflict, DomainError, NotFound, ascii_digits
from warehouse_app.extensions import db
from warehouse_app.ledger.movements import check_qty, parse_cost
from warehouse_app.locations.models import Location, LocationKind
from warehouse_app.orders.models import REFERENCE_MAX, Order, PurchaseOrder, Wave
from warehouse_app.scanning.resolver import DOCUMENT_RESOLVERS, Scan

MAX_LINES = 500
FORBIDDEN_IN_REFERENCE = set("/?#%\\")


@dataclass
class Wanted:
    """One checked line of a document: a product, a quantity, perhaps a unit cost."""

    number: int  # 1-based, for messages
    product: Product
    qty: int
    unit_cost: Decimal | None = None


def clean_reference(value, field: str = "reference") -> str:
    """A document reference: 1 to 64 characters, no spaces or URL characters."""
    reference = clean_text(value, field, REFERENCE_MAX, required=True)
    if any(ch.isspace() or ch in FORBIDDEN_IN_REFERENCE for ch in reference):
        raise DomainError("A reference has no spaces and none of / ? # % \\.", field=field)
    return reference


def clean_lines(value, with_cost: bool = False) -> list[Wanted]:
    """The lines of a document: a non-empty list of {sku, qty[, unit_cost]}, each SKU once."""
    if not isinstance(value, list):
        raise DomainError("lines is a list of {sku, qty}.", field="lines")
    if not value:
        raise DomainError("A document needs at least one line.", field="lines")
    if len(value) > MAX_LINES:
        raise DomainError(f"At most {MAX_LINES} lines.", field="lines")
    lines, seen = [], {}
    for number, raw in enumerate(value, start=1):
        line = _line(number, raw, with_cost)
        if line.product.id in seen:
            raise DomainError(f"Line {number}: {line.product.sku} is already on line "
                              f"{seen[line.product.id]}; put it on one line.", field="lines")
        seen[line.product.id] = number
        lines.append(line)
    return lines


def lines_from_text(text, with_cost: bool = False) -> list[dict]:
    """Lines typed one per row on a page: "SKU qty" ("SKU qty unit_cost" for a PO)."""
    lines, most = [], 3 if with_cost else 2
    for number, row in enumerate(str(text or "").splitlines(), start=1):
        parts = row.split()
        if not parts:
            continue
        if len(parts) > most:
            raise DomainError(f"Row {number}: write the SKU, then the quantity"
                              f"{', then the unit cost' if with_cost else ''}.", field="lines")
        qty = parts[1] if len(parts) > 1 else "1"
        line = {"sku": parts[0], "qty": int(qty) if ascii_digits(qty) else qty}
        if len(parts) > 2:
            line["unit_cost"] = parts[2]
        lines.append(line)
    return lines


def _line(number: int, raw, with_cost: bool) -> Wanted:
    if not isinstance(raw, dict):
        raise DomainError(f"Line {number} is not an object with sku and qty.", field="lines")
    extra = set(raw) - {"sku", "qty"} - ({"unit_cost"} if with_cost else set())
    if extra:
        raise DomainError(f"Line {number}: {sorted(extra)[0]} is not a field of a line.",
                          field="lines")
    sku = raw.get("sku")
    if not isinstance(sku, str) or not sku.strip():
        raise DomainError(f"Line {number} needs a sku.", field="lines")
    product = db.session.scalar(select(Product).where(Product.sku == sku.strip()))
    if product is None:
        raise NotFound(f"Line {number}: no product with SKU {sku.strip()[:64]}.", field="lines")
    if not product.active:
        raise DomainError(f"Line {number}: {product.sku} is deactivated.", field="lines")
    try:
        qty = check_qty(raw.get("qty"))
        cost = parse_cost(raw.get("unit_cost")) if with_cost else None
    except DomainError as err:
        raise DomainError(f"Line {number}: {err.message}", field="lines") from None
    return Wanted(number, product, qty, cost)


def coordinate(value, name: str, limit: int) -> float | None:
    """A latitude (limit 90) or longitude (limit 180) in degrees, or None when not given."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise DomainError(f"{name} must be a number.", field=name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DomainError(f"{name} must be a number.", field=name) from None
    if not -limit <= number <= limit:  # NaN fails this too
        raise DomainError(f"{name} must be between -{limit} and {limit}.", field=name)
    return number


def warehouse_by_code(code, field: str = "warehouse") -> Location:
    """An active warehouse named by its code."""
    if not isinstance(code, str) or not code.strip():
        raise DomainError("A warehouse code is required.", field=field)
    location = db.session.scalar(select(Location).where(Location.code == code.strip().upper()))
    if location is None:
        raise NotFound(f"No warehouse with code {code.strip()[:40]}.", field=field)
    if location.kind is not LocationKind.WAREHOUSE:
        raise DomainError(f"{location.code} is a {location.kind.value}, not a warehouse.",
                          field=field)
    if not location.active:
        raise DomainError(f"Warehouse {location.code} is deactivated.", field=field)
    return location


class OrderShort(Conflict):
    """Some lines cannot be covered; the answer lists them."""

    code = "insufficient_stock"

    def __init__(self, short: list[dict], where: str):
        parts = "; ".join(f"{s['sku']}: {s['wanted']} wanted, {s['available']} available"
                          for s in short[:10])
        super().__init__(f"Not enough stock {where}: {parts}.", field="lines")
        self.lines = short

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["error"]["lines"] = self.lines
        return body


class SplitProposed(Conflict):
    """No warehouse can ship it complete, but several together can: the caller confirms."""

    code = "split_proposed"

    def __init__(self, proposal: list[dict]):
        where = ", ".join(f"{p['warehouse']} ({sum(x['qty'] for x in p['lines'])} units)"
                          for p in proposal)
        super().__init__(f"No single warehouse can ship this order complete. Proposed split: "
                         f"{where}. Send allow_split: true to accept it.", field="warehouse")
        self.proposal = proposal

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["error"]["proposal"] = self.proposal
        return body


def order_by_reference(reference, field: str = "reference") -> Order:
    """The customer order with this reference, or a 404."""
    found = db.session.scalar(select(Order).where(Order.reference == str(reference)[:100]))
    if found is None:
        raise NotFound(f"No order {str(reference)[:64]}.", field=field)
    warehouses.check_document(found, f"Order {found.reference}", field)
    return found


def po_by_reference(reference, field: str = "reference") -> PurchaseOrder:
    """The purchase order with this reference, or a 404."""
    found = db.session.scalar(select(PurchaseOrder)
                              .where(PurchaseOrder.reference == str(reference)[:100]))
    if found is None:
        raise NotFound(f"No purchase order {str(reference)[:64]}.", field=field)
    warehouses.check_document(found, f"Purchase order {found.reference}", field)
    return found


def pos_of_caller():
    """A WHERE clause keeping the purchase orders delivered to one of the caller's warehouses
    (or to no warehouse named)."""
    if warehouses.caller() is None:
        return true()
    return PurchaseOrder.warehouse_id.is_(None) | warehouses.clause(PurchaseOrder.warehouse_id)


def wave_by_code(code) -> Wave:
    """A wave by its code, or a 404."""
    found = db.session.scalar(select(Wave).where(Wave.code == str(code).upper()[:20]))
    if found is None:
        raise NotFound(f"No wave {str(code)[:20]}.", field="wave")
    return found


def _scan_document(code: str) -> Scan | None:
    """A scanned order or purchase order reference."""
    order = db.session.scalar(select(Order).where(Order.reference == code))
    if order is not None:
        return Scan("order", code, document=order,
                    extra={"reference": order.reference, "status": order.status.value})
    po = db.session.scalar(select(PurchaseOrder).where(PurchaseOrder.reference == code))
    if po is not None:
        return Scan("purchase_order", code, document=po,
                    extra={"reference": po.reference, "status": po.status.value})
    return None


if _scan_document not in DOCUMENT_RESOLVERS:
    DOCUMENT_RESOLVERS.append(_scan_document)


def reused(op: str) -> Conflict:
    """A retry must be the same operation: an id already used for another one is a mistake."""
    return Conflict(f"client_op_id {op} was already used for another operation.",
                    field="client_op_id", code="client_op_id_reused")
