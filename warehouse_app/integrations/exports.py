"""Files for other systems: the inventory journal for a bookkeeper, packed orders for a carrier,
and tracking numbers coming back from the carrier."""
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from warehouse_app import csvfile
from warehouse_app.auth import warehouses
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.ledger.models import Movement
from warehouse_app.locations.models import LocationKind
from warehouse_app.orders import shipping
from warehouse_app.orders.documents import order_by_reference
from warehouse_app.orders.models import Order, OrderLine, OrderStatus

INVENTORY = "1300 Inventory"
# The account on the other side of a movement, by the virtual location it comes from or goes to.
ACCOUNTS = {LocationKind.SUPPLIER: "2100 Goods received not invoiced",
            LocationKind.CUSTOMER: "5000 Cost of goods sold",
            LocationKind.ADJUSTMENT: "5100 Inventory shrinkage",
            LocationKind.SCRAP: "5100 Inventory shrinkage",
            LocationKind.COUNT: "5100 Inventory shrinkage"}
JOURNAL_HEADER = ["date", "entry", "account", "debit", "credit", "sku", "qty", "unit_cost",
                  "kind", "reference", "memo"]
SHIPMENT_HEADER = ["reference", "customer", "address", "postcode", "items", "packed_at"]
MAX_DAYS = 3660


def parse_period(start: str | None, end: str | None) -> tuple[datetime, datetime]:
    """[from, to] as whole UTC days; refuses a missing, malformed or reversed period."""
    days = []
    for name, value in (("from", start), ("to", end)):
        try:
            days.append(date.fromisoformat((value or "").strip()))
        except ValueError:
            raise DomainError(f"{name} is a date like 2026-01-31.", field=name) from None
    if days[0] > days[1]:
        raise DomainError("from is after to.", field="from")
    if (days[1] - days[0]).days > MAX_DAYS:
        raise DomainError("A period is at most ten years.", field="to")
    first = datetime.combine(days[0], time.min, UTC)
    return first, datetime.combine(days[1], time.min, UTC) + timedelta(days=1)


def journal_rows(start: datetime, end: datetime) -> Iterable[list]:
    """Two lines (debit, credit) per movement that changes inventory value, oldest first."""
    movements = db.session.scalars(
        select(Movement).options(joinedload(Movement.product), joinedload(Movement.from_location),
                                 joinedload(Movement.to_location))
        .where(Movement.created_at >= start, Movement.created_at < end)
        .order_by(Movement.created_at, Movement.id))
    for m in movements:
        inbound, outbound = m.to_location.is_physical, m.from_location.is_physical
        if inbound == outbound:
            continue  # bin to bin: value stays in inventory
        other = ACCOUNTS[(m.from_location if inbound else m.to_location).kind]
        debit, credit = (INVENTORY, other) if inbound else (other, INVENTORY)
        amount = (Decimal(m.qty) * m.unit_cost).quantize(Decimal("0.01"))
        memo = (m.reason.value if m.reason else "") or m.note[:100]
        common = [m.product.sku, m.qty, m.unit_cost, m.kind.value, m.reference, memo]
        day = m.created_at.date().isoformat()
        yield [day, m.id, debit, amount, "", *common]
        yield [day, m.id, credit, "", amount, *common]


def journal_csv(start: str | None, end: str | None):
    """The inventory journal of a period as a CSV download."""
    first, after = parse_period(start, end)
    name = f"journal-{first.date()}-{(after - timedelta(days=1)).date()}.csv"
    return csvfile.download(name, JOURNAL_HEADER, journal_rows(first, after))


def packed_orders() -> list[dict]:
    """Orders packed and waiting for a carrier, with their address when known (those shipping
    from one of the caller's warehouses)."""
    orders = db.session.scalars(select(Order).where(
        Order.status == OrderStatus.PACKED,
        Order.lines.any(warehouses.clause(OrderLine.warehouse_id)))
                                .order_by(Order.packed_at, Order.id))
    return [{"reference": o.reference, "customer": o.customer, "address": o.address,
             "postcode": o.postcode,
             "items": [{"sku": line.product.sku, "qty": line.picked} for line in o.lines
                       if line.picked],
             "packed_at": o.packed_at.isoformat() if o.packed_at else None} for o in orders]


def shipments_csv():
    """Packed orders as a CSV for a carrier's import."""
    rows = ([o["reference"], o["customer"], o["address"], o["postcode"],
             " ".join(f"{i['sku']}x{i['qty']}" for i in o["items"]), o["packed_at"]]
            for o in packed_orders())
    return csvfile.download("shipments.csv", SHIPMENT_HEADER, rows)


def apply_tracking(row: dict[str, str], user=None) -> str:
    """Ship one order with the carrier's tracking number (one row of the import)."""
    reference = csvfile.unsafe(row.get("reference", ""))
    if not reference:
        raise DomainError("reference is required.", field="reference")
    order = order_by_reference(reference)
    shipping.ship(order, csvfile.unsafe(row.get("carrier", "")),
                  csvfile.unsafe(row.get("tracking", "")), user,
                  short=csvfile.unsafe(row.get("short") or "") or None)
    return "shipped"


def import_tracking(storage, user=None) -> int:
    """Ship every order of an uploaded CSV (reference, carrier, tracking, and short for an
    order with units not picked: backorder or cancel), all or nothing."""
    upload = csvfile.read(storage, {"reference", "carrier", "tracking"}, {"short"})
    counts = csvfile.run(upload, lambda row: apply_tracking(row, user))
    return counts["shipped"]
