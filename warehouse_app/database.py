"""Engine set-up: SQLite gets WAL, foreign keys, a busy timeout and write-locking transactions.

SQLite allows one writer at a time. A transaction that read first and then tries to write can
fail at once with "database is locked" when another writer committed in between, whatever the
busy timeout. So every transaction that may write starts with BEGIN IMMEDIATE and simply waits
its turn; GET requests start a plain BEGIN and read a WAL snapshot without blocking anyone.
PostgreSQL needs none of this: its row locks and CHECK constraints do the work.

Two questions the domain asks here have a plain answer and, when the speed machinery is on
(`speed/`, SQLite), a faster one it plugs in (`app.extensions["speed"]`): `reading_first()`
(these look-ups only read: they may run before the write lock is taken) and `one_by()` (the
object whose unique column holds a value). The domain imports this module, never `speed/`.
"""
import sqlite3
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 10_000


def may_write() -> bool:
    """Whether a transaction beginning now may write (it then begins with BEGIN IMMEDIATE)."""
    if not has_request_context():
        return True
    return request.method not in SAFE_METHODS and not g.get("reads_only")


@contextmanager
def reads_only():
    """In the block, a transaction begins as a reader (plain BEGIN) even in a POST: for the
    speed machinery's reads before the write lock (speed/reads.py)."""
    g.reads_only = True
    try:
        yield
    finally:
        g.reads_only = False


def _faster():
    return current_app.extensions.get("speed") if has_app_context() else None


def reading_first():
    """A block of look-ups that only read, before a request's write (its token, the product,
    the bins). Plainly it runs in the request's transaction; with the speed machinery on, on
    SQLite, before the write lock is taken (speed/reads.py)."""
    faster = _faster()
    return faster.reading_first() if faster is not None else nullcontext()


def one_by(column, value, *options):
    """The object whose unique `column` (Product.sku, say) holds `value`, or None: a query with
    these loader `options`, or with the speed machinery on the same object loaded without the
    ORM's query (speed/loader.py), its relationships left to load when used."""
    from warehouse_app.extensions import db
    faster = _faster()
    if faster is not None:
        return faster.one_by(db.session(), column, value)
    return db.session.scalar(select(column.class_).where(column == value).options(*options))


def has_changes(session) -> bool:
    """New, changed or deleted objects wait in the session (a query would flush them first)."""
    return bool(session.new or session.deleted or session.dirty)


def engine_of(session: Session) -> Engine:
    """The session's engine, looked up once per session (Flask-SQLAlchemy's get_bind() goes
    through the current app each time, and a scan asked about ten times)."""
    engine = session.info.get("engine")
    if engine is None:
        engine = session.info["engine"] = session.get_bind()
    return engine


def busy_timeout_ms() -> int:
    return int(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)
               if has_app_context() else BUSY_TIMEOUT_MS)


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()


LET_OTHERS_WRITE_SECONDS = 0.005


def let_others_write() -> None:
    """Between two transactions of a long write (an import, an approval in chunks): a pause in
    which the writers waiting for SQLite's write lock take it before the long write asks again
    (a lock is not fair: the thread that just let go would most often take it back)."""
    time.sleep(LET_OTHERS_WRITE_SECONDS)


@event.listens_for(Engine, "begin")
def _on_begin(conn) -> None:
    if conn.dialect.name == "sqlite":
        # Straight to the driver: every transaction starts here, and SQLAlchemy's execution
        # around a statement costs several times what SQLite takes to begin.
        writing = may_write()
        statement = "BEGIN IMMEDIATE" if writing else "BEGIN"
        # A writer may first wait its turn in a queue of the speed machinery's
        # (speed/writequeue.py gives each connection to an SQLite file its file's queue).
        take_turn = conn.connection.info.get("take_turn") if writing else None
        if take_turn is not None and not take_turn(conn.connection):
            raise OperationalError(statement, None,
                                   sqlite3.OperationalError("database is locked"))
        try:
            conn.connection.dbapi_connection.execute(statement)
        except sqlite3.Error as err:  # e.g. an outside program holds the database
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


def is_sqlite_file(url: str) -> bool:
    """SQLite in a file, where the speed machinery works (an in-memory database has one
    connection)."""
    return is_sqlite(url) and url not in ("sqlite://", "sqlite:///:memory:")


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
    if is_sqlite_file(url):
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
