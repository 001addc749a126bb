"""The JSON API under /api/v1, documented by its generated OpenAPI document."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API blueprints and the OpenAPI document."""
