"""Products, barcodes, categories and suppliers."""
from flask import Blueprint

bp = Blueprint("catalog", __name__, url_prefix="/products")

from warehouse_app.catalog import views  # noqa: E402,F401
