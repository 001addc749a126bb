"""Products, barcodes, categories and suppliers."""
from flask import Blueprint

bp = Blueprint("catalog", __name__, url_prefix="/products")
