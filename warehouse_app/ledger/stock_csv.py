"""Stock as CSV: export current balances, import opening stock as receipts through record()."""
import hashlib
from datetime import date
from functools import partial

from sqlalchemy import select

from warehouse_app import csvfile
from warehouse_app.catalog import products
from warehouse_app.catalog.models import Product, Tracking
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.ledger import balances
from warehouse_app.ledger.models import Movement, MovementKind
from warehouse_app.ledger.movements import Line, check_qty, record
from warehouse_app.locations import places
from warehouse_app.money import parse_cost

COLUMNS = ["sku", "name", "location", "lot", "expiry", "qty", "reserved", "available",
           "unit_cost"]
REQUIRED = {"sku", "location", "qty"}
REFERENCE = "opening stock {}"


def export_rows() -> list[list]:
    """One row per product, location and lot holding stock; qty is the quantity on hand."""
    rows = sorted(balances.stock_rows(), key=lambda r: (r.product.sku, r.location.code,
                                                         r.lot.code if r.lot else ""))
    return [[r.product.sku, r.product.name, r.location.code,
             r.lot.code if r.lot else "",
             r.lot.expiry.isoformat() if r.lot and r.lot.expiry else "",
             r.on_hand, r.reserved, r.available, r.product.avg_cost] for r in rows]


def parse_qty(text: str) -> int:
    """A quantity written in a file: whole units from 1 to a billion."""
    text = (text or "").strip()
    if not text.lstrip("-").isdigit():
        raise DomainError("Quantity must be a whole number.", field="qty")
    return check_qty(int(text))


def parse_expiry(text: str) -> date | None:
    """An expiry date as YYYY-MM-DD, or None when blank."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(f"Expiry {text[:20]} is not a date like 2027-03-31.",
                          field="expiry") from None


def _import_row(reference: str, user, lines: dict[int, int], row: dict[str, str]) -> str:
    product = products.by_sku(row["sku"])
    location = places.by_code(row["location"])
    if not location.is_physical:
        raise DomainError(f"{location.code} is not a warehouse, zone or bin.", field="location")
    line = Line(MovementKind.RECEIVE, product, parse_qty(row["qty"]), to_location=location,
                lot=row.get("lot", "") or None,
                expiry=parse_expiry(row.get("expiry", "")),
                unit_cost=parse_cost(row.get("unit_cost", "").strip()), reference=reference,
                note="Opening stock from a CSV file",
                client_op_id=f"{reference}:{lines[id(row)]}")  # the same file twice: once
    record(line, user)
    return "received"


def _required(column: str):
    def check(value: str) -> None:
        if not (value or "").strip():
            raise DomainError(f"{column} is required.", field=column)
    return check


CHECKS = {
    "sku": _required("sku"),
    "location": _required("location"),
    "qty": parse_qty,
    "expiry": parse_expiry,
    "unit_cost": lambda v: parse_cost((v or "").strip()),
}


def import_file(storage, user):
    """Receive opening stock from an uploaded file; all rows or none, and each file only once."""
    upload = csvfile.read(storage, REQUIRED, set(COLUMNS))
    if db.session.scalar(select(Movement.id).where(Movement.reference == reference_of(upload))
                         .limit(1)):
        raise csvfile.FileRefused("This file was imported before; its stock is already in.",
                                  field="file")
    return receive(upload, user)


def reference_of(upload: csvfile.Upload) -> str:
    return REFERENCE.format(hashlib.sha256(upload.data).hexdigest()[:16])


def receive(upload: csvfile.Upload, user):
    """Post the file's rows in short transactions. Each line is an operation of its own (the
    file's digest and the line's number), so a second upload of the file that raced past
    import_file's check replays the lines rather than posting them twice."""
    serial = set(db.session.scalars(select(Product.sku).where(
        Product.tracking == Tracking.SERIAL)))
    twice = csvfile.once(upload, lambda row: [f"{row['sku']} {row.get('lot', '')}"]
                         if row["sku"] in serial and row.get("lot") else [], "Serial number")
    # Lines of the same product and bin add up (each is a receipt): only a serial number
    # given twice is a key twice.
    lines = {id(row): line for line, row in upload.rows}
    return csvfile.run(upload, partial(_import_row, reference_of(upload), user, lines),
                       chunked=True, errors=csvfile.bad_cells(upload, CHECKS) + twice)
