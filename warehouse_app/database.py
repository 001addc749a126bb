"""Engine set-up: SQLite gets WAL, foreign keys, a busy timeout and write-locking transactions.

SQLite allows one writer at a time. A transaction that read first and then tries to write can
fail at once with "database is locked" when another writer committed in between, whatever the
busy timeout. So every transaction that may write starts with BEGIN IMMEDIATE and simply waits
its turn; GET requests start a plain BEGIN and read a WAL snapshot without blocking anyone.
PostgreSQL needs none of this: its row locks and CHECK constraints do the work.
"""
import sqlite3
from pathlib import Path

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.routing import IntegerConverter

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 10_000


def _may_write() -> bool:
    return not has_request_context() or request.method not in SAFE_METHODS


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _on_begin(conn) -> None:
    if conn.dialect.name == "sqlite":
        # Straight to the driver: every transaction starts here, and SQLAlchemy's execution
        # around a statement costs several times what SQLite takes to begin.
        statement = "BEGIN IMMEDIATE" if _may_write() else "BEGIN"
        try:
            conn.connection.dbapi_connection.execute(statement)
        except sqlite3.Error as err:  # e.g. still locked after the busy timeout
            kind = OperationalError if isinstance(err, sqlite3.OperationalError) else DBAPIError
            raise kind(statement, None, err) from err


MAX_ID = 2**31 - 1  # an id column's range


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number beyond an id's range matches nothing (404), instead
    of reaching PostgreSQL, which refuses to compare an integer column with it."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def configure(app: Flask) -> None:
    """Before the engine and routes exist: ids in routes are bounded (IdConverter); an SQLite
    database gets a folder to live in, and no ping.

    A ping before each checkout finds a PostgreSQL connection the server dropped; an SQLite
    file cannot drop, and the ping would be one more statement in every transaction.
    """
    app.url_map.converters["int"] = IdConverter
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if is_sqlite(url):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.pop("pool_pre_ping", None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if is_sqlite(url) and url not in ("sqlite://", "sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def locked(query) -> list:
    """The rows of an ORM query, locked for this transaction and read afresh.

    FOR UPDATE waits for a concurrent writer on PostgreSQL (SQLite writers are serialised by
    BEGIN IMMEDIATE); populate_existing then overwrites what the session held. The rows must be
    fetched: an unconsumed result refreshes nothing.
    """
    from warehouse_app.extensions import db
    return db.session.scalars(query.with_for_update()
                              .execution_options(populate_existing=True)).all()
