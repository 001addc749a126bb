"""Warehouse scanning app: create_app() is the table of contents."""
from pathlib import Path

from flask import Flask

from warehouse_app.config import Config
from warehouse_app.speed.app import App

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, commands."""
    app = App(__name__, instance_relative_config=True,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.config.from_object(Config)
    overrides = overrides or {}
    app.config.update({key: value for key, value in Config.from_instance(app.instance_path,
                                                                         overrides).items()})
    app.config.update(overrides)
    if "REMEMBER_COOKIE_SECURE" not in overrides:  # the remember-me cookie as the session's
        app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]

    from warehouse_app import database
    from warehouse_app.extensions import csrf, db, login_manager, migrate
    database.configure(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    csrf.init_app(app)

    from warehouse_app.errors import register_error_handlers
    register_error_handlers(app)
    from warehouse_app import assets
    assets.init_app(app)
    from warehouse_app import compress
    compress.init_app(app)

    register_blueprints(app)
    from warehouse_app import api
    api.init_app(app)
    from warehouse_app import ratelimit
    ratelimit.init_app(app)  # after the blueprints: a token's scopes are checked first
    from warehouse_app import retries
    retries.init_app(app)  # after every view exists
    from warehouse_app import bodies
    bodies.init_app(app)  # an over-long body is refused before it is read
    from warehouse_app import speed
    speed.init_app(app)  # last: the gate is outermost
    return app


def register_blueprints(app: Flask) -> None:
    """Each capability's blueprint, by name, after its pages (views), commands (cli) and the
    API's rights (access) have joined it: they are imported here, so models never import views.
    The /api/v1 routes are registered by api.init_app."""
    import warehouse_app.audit.trail  # noqa: F401  audited models record changes (session events)

    # Their pages, commands and the API's rights, which add themselves to the blueprints.
    import warehouse_app.audit.views
    import warehouse_app.auth.access
    import warehouse_app.auth.cli
    import warehouse_app.auth.views
    import warehouse_app.catalog.views
    import warehouse_app.counting.views
    import warehouse_app.demo.cli
    import warehouse_app.insight.cli
    import warehouse_app.insight.views
    import warehouse_app.integrations.cli
    import warehouse_app.integrations.views
    import warehouse_app.labels.views
    import warehouse_app.ledger.cli
    import warehouse_app.locations.views
    import warehouse_app.orders.cli
    import warehouse_app.orders.views
    import warehouse_app.scanning.views
    import warehouse_app.web.views  # noqa: F401
    from warehouse_app import (
        audit,
        auth,
        catalog,
        counting,
        demo,
        insight,
        integrations,
        labels,
        ledger,
        locations,
        orders,
        scanning,
        web,
    )
    for blueprint in (auth.bp, web.bp, catalog.bp, locations.bp, ledger.bp, audit.bp,
                      scanning.bp, demo.bp, labels.bp, orders.bp, counting.bp, insight.bp,
                      integrations.bp):
        app.register_blueprint(blueprint)
