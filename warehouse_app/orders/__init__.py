"""Orders: purchase orders to receive against, customer orders that reserve stock, picking."""
from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/orders", cli_group="orders")
