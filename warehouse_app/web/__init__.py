"""The phone shell: home tiles, look-up, health check."""
from flask import Blueprint

bp = Blueprint("web", __name__)

from warehouse_app.web import views  # noqa: E402,F401
