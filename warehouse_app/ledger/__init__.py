"""The ledger: movements, balances, and the one function that writes stock."""
from flask import Blueprint

bp = Blueprint("ledger", __name__, cli_group="ledger")

from warehouse_app.ledger import cli  # noqa: E402,F401
