"""Orders and purchase orders from a CSV file: one row per line, rows grouped by reference.

A file imports whole or not at all: each document goes in its own savepoint, every bad one is
listed with the line its first row is on, and any bad one refuses the file.
"""
from collections import Counter
from collections.abc import Callable

from warehouse_app import csvfile
from warehouse_app.errors import DomainError, ascii_digits
from warehouse_app.extensions import db
from warehouse_app.inputs import load
from warehouse_app.orders import purchasing, reserving
from warehouse_app.orders.inputs import ORDER_TEXT

ORDER_REQUIRED = {"reference", "sku", "qty"}
ORDER_HEADER = ("reference", "customer", "address", "postcode", "latitude", "longitude",
                "warehouse", "allow_backorder", "allow_split")
ORDER_OPTIONAL = set(ORDER_HEADER) - ORDER_REQUIRED
PO_REQUIRED = {"reference", "supplier", "sku", "qty"}
PO_OPTIONAL = {"warehouse", "expected_date", "unit_cost"}


def _qty(value: str):
    """A quantity cell: digits become a number; anything else is left for the check to refuse."""
    text = (value or "").strip()
    return int(text) if ascii_digits(text) else text


def _groups(upload: csvfile.Upload) -> list[tuple[int, list[dict]]]:
    """Rows by reference, in file order, each group with the line of its first row."""
    groups: dict[str, tuple[int, list[dict]]] = {}
    for line, row in upload.rows:
        groups.setdefault(row.get("reference", "").strip(), (line, []))[1].append(row)
    return list(groups.values())


def _order_fields(rows: list[dict]) -> dict:
    """An order's fields as OrderIn loads them (text): the first row's header, every row's line."""
    first = rows[0]
    fields = {key: first.get(key) or "" for key in ORDER_HEADER}
    fields["lines"] = [{"sku": r.get("sku") or "", "qty": r.get("qty") or ""} for r in rows]
    return fields


def _po_fields(rows: list[dict]) -> dict:
    first = rows[0]
    fields = {key: first[key] for key in ("reference", "supplier", "warehouse", "expected_date")
              if first.get(key)}
    fields["lines"] = [{"sku": r["sku"], "qty": _qty(r["qty"]),
                        **({"unit_cost": r["unit_cost"]} if r.get("unit_cost") else {})}
                       for r in rows]
    return fields


def _run(upload: csvfile.Upload, make: Callable[[list[dict]], object], noun: str) -> Counter:
    errors = list(upload.errors)
    done = 0
    for line, rows in _groups(upload):
        try:
            with db.session.begin_nested():
                make(rows)
                done += 1
        except DomainError as err:
            errors.append(csvfile.RowError(line, err.message, err.field))
    if errors:
        raise csvfile.BadRows(sorted(errors, key=lambda e: e.line))
    if not done:
        raise csvfile.FileRefused("The file has a header but no rows.", field="file")
    return Counter({noun: done})


def import_orders(storage, user) -> Counter:
    """Place every order of a CSV file (each reserves its stock), or none of them."""
    upload = csvfile.read(storage, ORDER_REQUIRED, ORDER_OPTIONAL)
    return _run(upload, lambda rows: reserving.place(load(ORDER_TEXT, _order_fields(rows)), user),
                "orders")


def import_purchase_orders(storage, user) -> Counter:
    """Create every purchase order of a CSV file, or none of them."""
    upload = csvfile.read(storage, PO_REQUIRED, PO_OPTIONAL)
    return _run(upload, lambda rows: purchasing.create(_po_fields(rows), user),
                "purchase orders")
