"""Demo data: a believable small warehouse with history."""
from flask import Blueprint

bp = Blueprint("demo", __name__, cli_group="demo")
