"""Fixtures: every database test runs on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL.

The schema comes from the real migrations. SQLite: migrated once into a template file that each
test copies. PostgreSQL: migrated once per run, then emptied before each test.
"""
import os
import shutil
import urllib.parse
import uuid
from datetime import UTC, datetime

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, make_url, text

from warehouse_app import create_app
from warehouse_app.extensions import db as _db
from warehouse_app.insight import reorder
from warehouse_app.integrations.events import forget_endpoints


def _own_database(url: str) -> str:
    """Under pytest-xdist (`make test` runs two processes) each worker has a database of its
    own beside TEST_DATABASE_URL's: <name>_gw0, <name>_gw1. The pg_ready fixture creates it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"{parts.path}_{worker}"))


PG_URL = _own_database(os.environ.get("TEST_DATABASE_URL", ""))
ENGINES = ["sqlite"] + (["postgresql"] if PG_URL else [])
VIRTUAL = [("SUPPLIER", "Supplier", "supplier"), ("CUSTOMER", "Customer", "customer"),
           ("ADJUSTMENT", "Adjustment", "adjustment"), ("SCRAP", "Scrap", "scrap"),
           ("COUNT", "Count", "count")]
TEST_CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret",
               "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
               "WEBHOOK_ENDPOINT_CACHE_SECONDS": 0}  # each test sees its webhook endpoints at once


def _sa_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _migrate(url: str, instance: str) -> None:
    from flask_migrate import upgrade
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    app.instance_path = instance
    with app.app_context():
        upgrade()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.db"
    _migrate(f"sqlite:///{path}", str(folder))
    return path


@pytest.fixture(scope="session")
def pg_ready(tmp_path_factory):
    from tests.support.served import ensure_database
    ensure_database(PG_URL)
    url = _sa_url(PG_URL)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    _migrate(url, str(tmp_path_factory.mktemp("pg")))
    return url


_TABLES: dict[str, list[str]] = {}


def _empty_postgres(url: str) -> None:
    """Every table emptied and every sequence back at 1, then the virtual locations. DELETE,
    not TRUNCATE: on tables of a few rows TRUNCATE (new files for 41 tables) took 100-290 ms a
    test, DELETE takes about 15."""
    engine = create_engine(url)
    with engine.begin() as conn:
        if url not in _TABLES:
            _TABLES[url] = [row[0] for row in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"))]
        conn.exec_driver_sql(
            "SET LOCAL session_replication_role = replica;"  # past the guards and foreign keys
            + "".join(f'DELETE FROM "{table}";' for table in _TABLES[url])
            + "SELECT setval(s.oid, 1, false) FROM pg_class s JOIN pg_namespace n "
              "ON n.oid = s.relnamespace WHERE s.relkind = 'S' AND n.nspname = 'public';")
        for code, name, kind in VIRTUAL:
            conn.execute(text("INSERT INTO location (code, name, kind, sequence, active) "
                              "VALUES (:c, :n, :k, 0, true)"), {"c": code, "n": name, "k": kind})
        conn.execute(text("INSERT INTO scan_code (code, kind, ref_id) "
                          "SELECT code, 'location', id FROM location"))
    engine.dispose()


# A Wednesday morning (UTC) far from midnight and from a month's or year's end.
FIXED_NOW = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)


@pytest.fixture
def fixed_clock(time_machine):
    """The clock set to FIXED_NOW and running on from there, for tests that build history "n
    days ago" and read it back: they then pass on any day and at any hour they are run. (Tests
    of the clock's edges stop it at each edge themselves: tests/support/clock.py.)"""
    time_machine.move_to(FIXED_NOW, tick=True)
    return FIXED_NOW


@pytest.fixture(params=ENGINES)
def database_url(request, tmp_path):
    """A freshly migrated, empty database on each engine (on SQLite a file of the test's own)."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_ready")
    _empty_postgres(url)
    return url


class CommittingClient(FlaskClient):
    """Commits the test's own session before each request, so the request sees what the test
    built and is not kept waiting by the test's open transaction.

    A request reuses the test's app context (Flask pushes none of its own when one is active),
    so `g` is emptied first: otherwise the user Flask-Login cached in `g` by one request would
    answer for the next."""

    def open(self, *args, **kwargs):
        _db.session.commit()
        for key in list(vars(g)):
            delattr(g, key)
        return super().open(*args, **kwargs)


# One app per engine in each test process, handed to test after test: building one (its routes,
# the OpenAPI document) and warming it (compiled statements, templates) cost more than most
# tests. Each test gets it with the settings it was built with, its rate limits forgotten, and
# a fresh database. A test that changes the app itself (a route, its static folder) is marked
# `fresh_app` and gets one of its own; one marked `plain` gets one with the speed machinery off.
_WARM: dict[str, tuple] = {}
_SQLITE_FILE: list[str] = [""]  # the file the shared SQLite app's new connections open


def _built(database_url: str, **settings):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **settings})
    app.test_client_class = CommittingClient
    return app


def _to_this_tests_file(dialect, connection_record, cargs, cparams) -> None:
    """The shared SQLite app opens the running test's own file. (One path for every test
    would let a connection a test left open write into the next test's journal.)"""
    cargs[0] = _SQLITE_FILE[0]


def _warm_app(database_url: str):
    engine = make_url(database_url).get_backend_name()
    key = engine if engine == "sqlite" else database_url
    app, settings = _WARM.get(key) or (None, None)
    if app is None:
        app = _built(database_url)
        if engine == "sqlite":
            with app.app_context():
                event.listen(_db.engine, "do_connect", _to_this_tests_file)
        settings = dict(app.config)
        _WARM[key] = (app, settings)
    app.config.clear()
    app.config.update(settings, SQLALCHEMY_DATABASE_URI=database_url)
    if engine == "sqlite":
        _SQLITE_FILE[0] = make_url(database_url).database
    app.extensions["rate_limiter"].reset()
    forget_endpoints()  # what the process remembers of the database it had
    reorder.forget_all()
    return app


@pytest.fixture
def app(request, database_url, tmp_path):
    if request.node.get_closest_marker("plain") is not None:
        app = _built(database_url, SPEED=False)
    elif request.node.get_closest_marker("fresh_app") is not None:
        app = _built(database_url)
    else:
        app = _warm_app(database_url)
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        _db.engine.dispose()  # no connection of an earlier test's file is handed out
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def engine_name(app) -> str:
    return _db.engine.dialect.name


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def no_csrf(app):
    """For tests about something other than CSRF: forms post without the token."""
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def make_user(db):
    from warehouse_app.auth.models import Role
    from warehouse_app.auth.users import create_user

    def make(username="user", role="staff", password="password123"):
        user = create_user(username, password, Role(role))
        db.session.commit()
        return user
    return make


@pytest.fixture
def login_as(client, make_user):
    """Log the test client in as a new user of a role (session cookie, no password round trip)."""
    def login(role="staff", username=None):
        from flask_login.utils import _create_identifier
        user = make_user(username or f"{role}-{uuid.uuid4().hex[:6]}", role)
        with client.application.test_request_context(environ_base=client.environ_base):
            identifier = _create_identifier()  # session_protection="strong" checks it
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["_id"] = identifier
        return user
    return login


@pytest.fixture
def api_token(db, make_user):
    """A bearer token header for a new user of a role."""
    from warehouse_app.auth.users import create_token

    def make(role="admin"):
        user = make_user(f"api-{role}-{uuid.uuid4().hex[:6]}", role)
        _, secret = create_token(f"token-{uuid.uuid4().hex[:8]}", user)
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}
    return make


@pytest.fixture
def make_location(db):
    from warehouse_app.locations import places
    from warehouse_app.locations.models import LocationKind

    def make(code="A-01", kind="bin", parent=None, **fields):
        if parent is None and kind != "warehouse":
            parent = make.default_warehouse()
        location = places.create(code, LocationKind(kind), parent=parent, **fields)
        db.session.commit()
        return location

    def default_warehouse():
        from warehouse_app.locations.models import Location
        found = db.session.scalar(db.select(Location).where(Location.code == "WH1"))
        return found or make("WH1", "warehouse")
    make.default_warehouse = default_warehouse
    return make


# Bearer headers of a new user of each role, for API tests (page tests that log in instead
# define their own `staff` or `supervisor` in their folder's conftest).
@pytest.fixture
def admin(api_token):
    return api_token("admin")


@pytest.fixture
def supervisor(api_token):
    return api_token("supervisor")


@pytest.fixture
def staff(api_token):
    return api_token("staff")


@pytest.fixture
def make_product(db):
    from warehouse_app.catalog import products

    def make(sku="SKU-1", **fields):
        product = products.create({"sku": sku, "name": fields.pop("name", sku), **fields})
        db.session.commit()
        return product
    return make


@pytest.fixture
def stock(db):
    """Put qty of a product into a location by a real receipt."""
    from warehouse_app.ledger.models import MovementKind
    from warehouse_app.ledger.movements import Line, record

    def put(product, location, qty, **fields):
        movement = record(Line(MovementKind.RECEIVE, product, qty, to_location=location,
                               **fields))
        db.session.commit()
        return movement
    return put


@pytest.fixture(scope="module")
def playwright_driver():
    """Playwright's driver, one per test module (a second one in the same thread is refused)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def chromium(playwright_driver):
    """One headless Debian Chromium per test module."""
    from tests.phone import launch
    browser = launch(playwright_driver)
    yield browser
    browser.close()


@pytest.fixture
def live_server(app):
    """The test's app served on a free localhost port while the test runs."""
    from tests.phone import LiveServer
    server = LiveServer(app)
    yield server
    server.stop()
