"""Printable labels: products, bins, signs and receipts as PDF, ZPL or a browser print page."""
from flask import Blueprint

bp = Blueprint("labels", __name__, url_prefix="/labels")
