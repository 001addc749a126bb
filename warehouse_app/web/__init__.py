"""The phone shell: home tiles, look-up, health check."""
from flask import Blueprint

bp = Blueprint("web", __name__)
