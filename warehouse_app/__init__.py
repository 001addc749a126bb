"""Warehouse scanning app: create_app() is the table of contents."""
from pathlib import Path

from flask import Flask

from warehouse_app.config import Config

ROOT = Path(__file__).resolve().parent.parent


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
    db.init_app(app)
    database.configure(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)

    from warehouse_app.errors import register_error_handlers
    register_error_handlers(app)

    from warehouse_app import api, audit, auth, catalog, demo, ledger, locations, web
    for module in (auth, web, catalog, locations, ledger, audit, demo):
        app.register_blueprint(module.bp)
    api.init_app(app)
    return app
