"""The JSON API under /api/v1, documented by its generated OpenAPI document."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API blueprints, the OpenAPI document and its readable page."""
    # Imported here, once the capabilities' models are loaded: they import one another.
    from warehouse_app.api import (
        counts,
        docs,
        integrations,
        locations,
        movements,
        orders,
        products,
        purchase_orders,
        scan,
        stock,
    )
    from warehouse_app.api.openapi import make_api

    api = make_api(app)
    for module in (products, locations, stock, movements, scan, orders, purchase_orders,
                   integrations, counts):
        api.register_blueprint(module.blp)
    app.register_blueprint(docs.bp)
    app.extensions["warehouse_api"] = api
