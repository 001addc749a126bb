"""The supervisor's desk: central stock view, alerts, reorder points, forecasts and reports."""
from flask import Blueprint

bp = Blueprint("insight", __name__, url_prefix="/insight", cli_group="insight")
