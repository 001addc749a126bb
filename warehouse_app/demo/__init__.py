"""Demo data: a believable small warehouse with history."""
from flask import Blueprint

bp = Blueprint("demo", __name__, cli_group="demo")

from warehouse_app.demo import cli  # noqa: E402,F401
