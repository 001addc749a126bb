"""The Import / Export page: products, locations and stock as CSV files (supervisors+).

The page spans three rooms (the catalog, locations, the ledger's opening stock), so it lives
here, above them; it keeps its place among the product pages (/products/import, the catalog's
endpoints), where users and templates find it."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from warehouse_app import csvfile
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.catalog import bp
from warehouse_app.catalog import csv_io as product_csv
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.ledger import stock_csv
from warehouse_app.locations import csv_io as location_csv

EXPORTS = {
    "products": (product_csv.COLUMNS, product_csv.export_rows),
    "locations": (location_csv.COLUMNS, location_csv.export_rows),
    "stock": (stock_csv.COLUMNS, stock_csv.export_rows),
}
IMPORTS = {
    "products": product_csv.import_file,
    "locations": location_csv.import_file,
    "stock": lambda storage: stock_csv.import_file(storage, current_user),
}
SHOWN_ERRORS = 500  # every bad line is counted; a page lists this many of them


@bp.get("/import")
@role_required(Role.SUPERVISOR)
def import_export():
    """Download CSV files and upload products, locations and opening stock."""
    return render_template("catalog/import_export.html", columns=_columns())


def _columns() -> dict:
    return {"products": product_csv.COLUMNS, "locations": location_csv.COLUMNS,
            "stock": ["sku", "location", "qty", "lot", "expiry", "unit_cost"]}


@bp.get("/export/<what>.csv")
@role_required(Role.SUPERVISOR)
def export_csv(what: str):
    """One CSV file: products (with barcodes), locations, or current stock."""
    if what not in EXPORTS:
        abort(404)
    columns, rows = EXPORTS[what]
    return csvfile.download(f"{what}.csv", columns, rows())


@bp.post("/import/<what>")
@role_required(Role.SUPERVISOR)
def import_csv(what: str):
    """Import one CSV file: every row, or nothing and a list of every bad line."""
    if what not in IMPORTS:
        abort(404)
    try:
        counts = IMPORTS[what](request.files.get("file"))
    except csvfile.BadRows as err:
        db.session.rollback()
        flash(err.message, "error")
        return render_template("catalog/import_export.html", columns=_columns(), what=what,
                               errors=err.errors[:SHOWN_ERRORS],
                               hidden=max(0, len(err.errors) - SHOWN_ERRORS)), err.status
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return render_template("catalog/import_export.html", columns=_columns(),
                               what=what), err.status
    db.session.commit()
    done = ", ".join(f"{n} {word}" for word, n in sorted(counts.items()))
    flash(f"Imported {what}: {done}.", "ok")
    return redirect(url_for("catalog.import_export"), 303)
