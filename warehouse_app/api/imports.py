"""CSV imports for other systems: the import page's files, sent as a text/csv body.

The page and the API run the same importer (catalog/csv_io.py for products): all rows or none,
in short transactions so scans keep flowing, and a refusal that lists every bad cell of every
line at once (`422 bad_rows` with `rows: [{line, field, message}]`).
"""
from flask import request
from flask_login import current_user
from marshmallow import Schema, fields

from warehouse_app import csvfile
from warehouse_app.api.wiring import blueprint
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.catalog import csv_io as product_csv
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.ledger import stock_csv
from warehouse_app.locations import csv_io as location_csv

blp = blueprint("imports", "", "CSV imports: products, locations and opening stock, all or "
                              "nothing.")
# A file as the body (format binary: a generated client sends it as it is).
CSV_BODY = {"required": True,
            "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The CSV file, its first line naming the columns"}


class ImportOut(Schema):
    created = fields.Integer()
    updated = fields.Integer()


class StockImportOut(Schema):
    received = fields.Integer(metadata={"description": "Lines received as opening stock"})


def _body():
    """The request's CSV body as an uploaded file."""
    if request.mimetype != "text/csv":
        raise DomainError("Send the file as the body, with Content-Type: text/csv.",
                          field="file", code="not_csv", status=415)
    return csvfile.body_file(request.get_data())


def _answer(counts) -> dict:
    return {"created": counts.get("created", 0), "updated": counts.get("updated", 0)}


@blp.route("/products/import", methods=["POST"])
@blp.doc(requestBody=CSV_BODY)
@blp.response(201, ImportOut)
@role_required(Role.SUPERVISOR)
def import_products():
    """Create or update products from CSV (the columns of the products export): all or
    nothing; 422 lists every bad cell of every line."""
    counts = product_csv.import_file(_body())
    db.session.commit()
    return _answer(counts)


@blp.route("/locations/import", methods=["POST"])
@blp.doc(requestBody=CSV_BODY)
@blp.response(201, ImportOut)
@role_required(Role.SUPERVISOR)
def import_locations():
    """Create or update locations from CSV (the columns of the locations export), parents
    before their children: all or nothing; 422 lists every bad cell of every line."""
    counts = location_csv.import_file(_body())
    db.session.commit()
    return _answer(counts)


@blp.route("/stock/import", methods=["POST"])
@blp.doc(requestBody=CSV_BODY)
@blp.response(201, StockImportOut)
@role_required(Role.SUPERVISOR)
def import_stock():
    """Receive opening stock from CSV (sku, location, qty, lot, expiry, unit_cost): all or
    nothing, each file once; 422 lists every bad cell of every line."""
    counts = stock_csv.import_file(_body(),
                                   current_user._get_current_object())
    db.session.commit()
    return {"received": counts.get("received", 0)}
