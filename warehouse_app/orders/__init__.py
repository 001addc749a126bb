"""Orders: purchase orders to receive against, customer orders that reserve stock, picking."""
from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/orders", cli_group="orders")

# Its listeners: reversals that follow into documents, and what ledger verify checks; the
# receipts the labels' "receipts" kind prints.
from warehouse_app.orders import checks, following, receipt_labels  # noqa: E402,F401
