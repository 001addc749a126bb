"""Logging in, roles, users and API tokens."""
from flask import Blueprint

bp = Blueprint("auth", __name__, cli_group=None)
