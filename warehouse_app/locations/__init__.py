"""Warehouses, zones, bins and the virtual locations."""
from flask import Blueprint

bp = Blueprint("locations", __name__, url_prefix="/locations")
