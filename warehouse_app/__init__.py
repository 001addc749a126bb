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


class App(Flask):
    """Flask, remembering ensure_sync(): for every hook and view of every request Flask asks
    whether it is a coroutine function (13 times a scan), and the answer never changes."""

    SYNCED_MAX = 512  # per-request callbacks (after_this_request) are new each time: not kept

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._synced: dict = {}

    def ensure_sync(self, func):
        try:
            return self._synced[func]
        except KeyError:
            synced = super().ensure_sync(func)
            if len(self._synced) < self.SYNCED_MAX:
                self._synced[func] = synced
            return synced
        except TypeError:  # unhashable
            return super().ensure_sync(func)


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
    from warehouse_app import ratelimit
    ratelimit.init_app(app)  # after the blueprints: a token's scopes are checked first
    from warehouse_app import retries
    retries.init_app(app)  # after every view exists
    from warehouse_app import bodies
    bodies.init_app(app)  # an over-long body is refused before it is read
    if app.config["SCAN_GATE"] and database.is_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"]):
        from warehouse_app.gate import GatedApp
        # The gate reads a scan's body before login is checked: only one within the anonymous
        # limit (a scan's is far smaller), which BodyLimit behind it would let through anyway.
        app.wsgi_app = GatedApp(app.wsgi_app, bodies.anonymous_limit(app.config))
    return app
