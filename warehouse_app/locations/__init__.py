"""Warehouses, zones, bins and the virtual locations."""
from flask import Blueprint

bp = Blueprint("locations", __name__, url_prefix="/locations")

from warehouse_app.locations import views  # noqa: E402,F401
