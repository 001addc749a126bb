"""The ledger: movements, balances, and the one function that writes stock."""
from flask import Blueprint

bp = Blueprint("ledger", __name__, cli_group="ledger")

# Transits between warehouses: their reversal listener and what ledger verify checks of them.
from warehouse_app.ledger import transit  # noqa: E402,F401
