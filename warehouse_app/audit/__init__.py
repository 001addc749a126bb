"""Audit trail: who changed which product, barcode, location, user or token, and how."""
from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")
