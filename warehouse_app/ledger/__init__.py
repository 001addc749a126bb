"""The ledger: movements, balances, and the one function that writes stock."""
from flask import Blueprint

bp = Blueprint("ledger", __name__, cli_group="ledger")
