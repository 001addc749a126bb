"""Orders: purchase orders to receive against, customer orders that reserve stock, picking."""
from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/orders", cli_group="orders")

# Its listeners: reversals that follow into documents, what ledger verify checks, and
# reservations a count found gone; the receipts the labels' "receipts" kind prints.
from warehouse_app.orders import checks, following, giving_back, receipt_labels  # noqa: E402,F401
