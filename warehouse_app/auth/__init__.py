"""Logging in, roles, users and API tokens."""
from flask import Blueprint

bp = Blueprint("auth", __name__, cli_group=None)

from warehouse_app.auth import access, cli, views  # noqa: E402,F401
