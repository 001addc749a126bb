"""Cycle counting: plan counts, count bins blind on a phone, approve discrepancies, reports."""
from flask import Blueprint

bp = Blueprint("counting", __name__, url_prefix="/counting")

from warehouse_app.counting import following  # noqa: E402,F401  (its listener)
