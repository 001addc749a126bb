"""The JSON API under /api/v1, documented by its generated OpenAPI document."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API blueprints, the OpenAPI document and its readable page."""
    # Imported here, once the capabilities' models are loaded: they import one another.
    from warehouse_app.api import (
        counts,
        docs,
        imports,
        insight,
        integrations,
        labels,
        locations,
        movements,
        orders,
        products,
        purchase_orders,
        scan,
        stock,
        transits,
        webhooks,
    )
    from warehouse_app.api.openapi import make_api

    api = make_api(app)
    for blp in (products.blp, locations.blp, stock.blp, movements.blp, scan.blp, orders.blp,
                purchase_orders.blp, integrations.blp, counts.blp, insight.alerts_blp,
                insight.reports_blp, webhooks.blp, labels.blp, transits.blp, imports.blp):
        api.register_blueprint(blp)
    app.register_blueprint(docs.bp)
    app.extensions["warehouse_api"] = api
