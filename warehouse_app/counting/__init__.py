"""Cycle counting: plan counts, count bins blind on a phone, approve discrepancies, reports."""
from flask import Blueprint

bp = Blueprint("counting", __name__, url_prefix="/counting")
