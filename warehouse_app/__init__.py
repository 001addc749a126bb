"""Warehouse scanning app: create_app() is the table of contents."""
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from flask import Flask

from warehouse_app.config import Config

ROOT = Path(__file__).resolve().parent.parent
# Each capability is a package with a blueprint `bp`; its views and commands load in create_app.
CAPABILITIES = ("auth", "web", "catalog", "locations", "ledger", "audit", "scanning", "demo",
                "labels", "orders", "counting", "insight", "integrations")


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, commands."""
    app = Flask(__name__, instance_relative_config=True,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.config.from_object(Config)
    overrides = overrides or {}
    app.config.update({key: value for key, value in Config.from_instance(app.instance_path,
                                                                         overrides).items()})
    app.config.update(overrides)

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

    # Audited models record changes through session events defined here.
    import_module("warehouse_app.audit.trail")
    for name in CAPABILITIES:
        capability = import_module(f"warehouse_app.{name}")
        for part in ("access", "views", "cli"):  # loaded here, so models never import views
            if find_spec(f"warehouse_app.{name}.{part}"):
                import_module(f"warehouse_app.{name}.{part}")
        app.register_blueprint(capability.bp)
    from warehouse_app import api
    api.init_app(app)
    return app
