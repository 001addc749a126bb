"""Engine set-up: SQLite gets WAL, foreign keys, a busy timeout and write-locking transactions.

SQLite allows one writer at a time. A transaction that read first and then tries to write can
fail at once with "database is locked" when another writer committed in between, whatever the
busy timeout. So every transaction that may write starts with BEGIN IMMEDIATE and simply waits
its turn; GET requests start a plain BEGIN and read a WAL snapshot without blocking anyone.
PostgreSQL needs none of this: its row locks and CHECK constraints do the work.
"""
import fcntl
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool
from werkzeug.routing import IntegerConverter

from warehouse_app.config import Config
from warehouse_app.gate import GATE

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 10_000


def _may_write() -> bool:
    if not has_request_context():
        return True
    return request.method not in SAFE_METHODS and not g.get("reading_first")


def has_changes(session) -> bool:
    """New, changed or deleted objects wait in the session (a query would flush them first)."""
    return bool(session.new or session.deleted or session.dirty)


@contextmanager
def reading_first():
    """On SQLite, the block's queries run in a read transaction of their own, ended after it.

    A POST's transaction begins with BEGIN IMMEDIATE, taking the database's one write lock at
    its first query. A scan's first queries only read (its token, the product, the bins), so
    they now run before the lock is taken and the writers queue only for their writes. What
    the block loaded stays loaded (not expired by the end of its transaction). Inside an open
    transaction, with changes waiting to be written, and on PostgreSQL, it runs as it is.
    """
    from warehouse_app.extensions import db
    let_writer_finish()
    session = db.session()
    if (not has_request_context() or holds_connection(session)
            or has_changes(session)  # it would write: it takes the lock anyway
            or engine_of(session).dialect.name != "sqlite"):
        yield
        return
    g.reading_first = True
    try:
        yield
    finally:
        g.reading_first = False
        held = g.pop("reading_connection", None)
        if held is not None:
            held.close()  # back to the pool
    # Only a read transaction begun on the database is ended here. Objects handed to the session
    # without one (prepared.Loader) began only the session's own bookkeeping, which the write
    # then goes on in: ending it would cost a commit's events for nothing.
    if holds_connection(session):
        keep, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = keep


def reads_alone(session: Session) -> bool:
    """Whether a read may run in no transaction at all: inside reading_first() on SQLite, before
    anything began one on the database (prepared.Loader reads so)."""
    return (has_request_context() and g.get("reading_first", False)
            and not holds_connection(session))


def engine_of(session: Session) -> Engine:
    """The session's engine, looked up once per session (Flask-SQLAlchemy's get_bind() goes
    through the current app each time, and a scan asked about ten times)."""
    engine = session.info.get("engine")
    if engine is None:
        engine = session.info["engine"] = session.get_bind()
    return engine


def reading_connection(session: Session):
    """The driver's connection that the reads of this reading_first() block share, outside any
    transaction (see reads_alone()): checked out of the pool once for the block, not per read."""
    held = g.get("reading_connection")
    if held is None:
        held = g.reading_connection = engine_of(session).raw_connection()
    return held.driver_connection


_CONNECTED = "connected"


def holds_connection(session: Session) -> bool:
    """Whether the session's transaction has begun one on the database (not only its own)."""
    return session.info.get(_CONNECTED, False)


@event.listens_for(Session, "after_begin")
def _connected(session: Session, transaction, connection) -> None:
    session.info[_CONNECTED] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CONNECTED, None)


def _busy_timeout_ms() -> int:
    return int(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)
               if has_app_context() else BUSY_TIMEOUT_MS)


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {_busy_timeout_ms()}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        path = next((row[2] for row in cursor.execute("PRAGMA database_list")
                     if row[1] == "main"), "")
        cursor.close()
        if path:  # a file: its writers queue (an in-memory database has one connection)
            record.info["write_queue"] = WriteQueue.for_file(path)


class WriteQueue:
    """Writers to one SQLite file wait their turn here, not in SQLite's busy handler.

    SQLite's busy handler sleeps 1, 2, 5, 10... up to 100 ms between tries, so with eight
    scanners posting at once most waits were far longer than the write they waited for (p95
    over 300 ms). Here a writer waits on a thread lock (its process's other threads) and then
    on an flock of `<database>.lock` polled every half millisecond (the other worker
    processes), and holds both until its COMMIT or ROLLBACK has run. After the busy timeout it
    gives up with "database is locked", which the app answers with 503 and Retry-After.
    """

    _queues: dict[str, "WriteQueue"] = {}
    _guard = threading.Lock()

    def __init__(self, path: str):
        self.path, self.threads, self.fd, self.pid = f"{path}.lock", threading.Lock(), None, None

    @classmethod
    def for_file(cls, path: str) -> "WriteQueue":
        with cls._guard:
            if path not in cls._queues:
                cls._queues[path] = cls(path)
            return cls._queues[path]

    def acquire(self, timeout: float) -> bool:
        """Take the write lock; a scan holding its process's gate (gate.py) lets go of the gate
        while it waits, and is first in line for it again once it has the lock."""
        if self.threads.acquire(blocking=False):
            if self._take():
                return True
            self.threads.release()
        gated = GATE.held()  # in line for the write lock: the next scan reads meanwhile
        if gated:
            GATE.release()
        try:
            return self._wait(timeout)
        finally:
            if gated:
                GATE.acquire(writer=True)

    def _wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if not self.threads.acquire(timeout=timeout):
            return False
        while not self._take():
            if time.monotonic() >= deadline:
                self.threads.release()
                return False
            time.sleep(0.0005)
        return True

    def _take(self) -> bool:
        """The flock, if free (this process's thread lock is held)."""
        if self.fd is None or self.pid != os.getpid():  # a forked worker opens its own
            self.fd, self.pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        _writing(threading.get_ident())
        return True

    def release(self) -> None:
        _writing(None)  # before the next writer of this process can have taken the lock
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.threads.release()


# Writer first. A thread holding SQLite's write lock gives up the GIL at every statement, and
# gets it back only when the thread running Python meanwhile blocks or has run its switch
# interval: under load a write held the lock two to three times as long as alone, and the lock
# is what every writer queues for. So while a thread of this process holds it, the process's
# other threads start nothing new at the checkpoints below (a request, a look-up) for up to
# WRITER_FIRST_SECONDS, unless it is let go sooner; work already under way runs on.
WRITER_FIRST_SECONDS = Config.WRITER_FIRST_SECONDS  # the app's own, once configure() ran
_no_writer = threading.Event()
_no_writer.set()
_writer: int | None = None  # the thread of this process holding a write lock


def _writing(thread: int | None) -> None:
    global _writer
    _writer = thread
    if thread is None:
        _no_writer.set()
    else:
        _no_writer.clear()


LET_OTHERS_WRITE_SECONDS = 0.005


def let_others_write() -> None:
    """Between two transactions of a long write (an import, an approval in chunks): a pause in
    which the writers queued for the lock take it before the long write asks again (the
    queue's other processes poll every half millisecond, and a thread lock is not fair)."""
    time.sleep(LET_OTHERS_WRITE_SECONDS)


def let_writer_finish() -> None:
    """A checkpoint before new work: wait while another thread of this process writes (a scan
    holding the gate hands it to a writer waiting for it, and goes on right after)."""
    if GATE.held():
        GATE.checkpoint()
        return
    writer = _writer
    if writer is not None and writer != threading.get_ident() and WRITER_FIRST_SECONDS > 0:
        _no_writer.wait(WRITER_FIRST_SECONDS)


def _queue_of(conn):
    return conn.connection.info.get("write_queue")


@event.listens_for(Engine, "begin")
def _on_begin(conn) -> None:
    if conn.dialect.name == "sqlite":
        # Straight to the driver: every transaction starts here, and SQLAlchemy's execution
        # around a statement costs several times what SQLite takes to begin.
        writing = _may_write()
        statement = "BEGIN IMMEDIATE" if writing else "BEGIN"
        queue = _queue_of(conn) if writing else None
        if queue is not None:
            if not queue.acquire(_busy_timeout_ms() / 1000):
                raise OperationalError(statement, None,
                                       sqlite3.OperationalError("database is locked"))
            conn.connection.info["write_queue_held"] = True
        try:
            conn.connection.dbapi_connection.execute(statement)
        except sqlite3.Error as err:  # e.g. an outside program holds the database
            _let_go(conn.connection)
            kind = OperationalError if isinstance(err, sqlite3.OperationalError) else DBAPIError
            raise kind(statement, None, err) from err


def _let_go(connection) -> None:
    if connection.info.pop("write_queue_held", False):
        connection.info["write_queue"].release()


# The commit and rollback events come before SQLAlchemy's own call: the transaction is ended
# here on the driver (SQLAlchemy's call then finds none and does nothing), so that the next
# writer starts only once it has.
@event.listens_for(Engine, "commit")
def _on_commit(conn) -> None:
    if conn.connection.info.get("write_queue_held"):
        dbapi_connection = conn.connection.dbapi_connection
        try:
            dbapi_connection.commit()
        except sqlite3.Error as err:  # a full disk, say: nothing of it stays
            try:
                dbapi_connection.rollback()
            except sqlite3.Error:
                pass
            raise DBAPIError.instance("COMMIT", None, err, sqlite3.Error) from err
        finally:
            _let_go(conn.connection)


@event.listens_for(Engine, "rollback")
def _on_rollback(conn) -> None:
    if conn.connection.info.get("write_queue_held"):
        try:
            conn.connection.dbapi_connection.rollback()
        finally:
            _let_go(conn.connection)


def _release_record(dbapi_connection, record) -> None:
    """A connection going back to the pool (or away) never keeps its place in the queue."""
    if record is not None and record.info.pop("write_queue_held", False):
        try:
            dbapi_connection.rollback()
        finally:
            record.info["write_queue"].release()


@event.listens_for(Pool, "reset")
def _on_reset(dbapi_connection, connection_record, reset_state) -> None:
    _release_record(dbapi_connection, connection_record)


@event.listens_for(Pool, "invalidate")
def _on_invalidate(dbapi_connection, connection_record, exception) -> None:
    _release_record(dbapi_connection, connection_record)


@event.listens_for(Pool, "close")
def _on_close(dbapi_connection, connection_record) -> None:
    _release_record(dbapi_connection, connection_record)


MAX_ID = 2**31 - 1  # an id column's range


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number beyond an id's range matches nothing (404), instead
    of reaching PostgreSQL, which refuses to compare an integer column with it."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def is_sqlite_file(url: str) -> bool:
    """SQLite in a file: its writers queue in WriteQueue (an in-memory database has no queue)."""
    return is_sqlite(url) and url not in ("sqlite://", "sqlite:///:memory:")


def configure(app: Flask) -> None:
    """Before the engine and routes exist: ids in routes are bounded (IdConverter); an SQLite
    database gets a folder to live in, and no ping.

    A ping before each checkout finds a PostgreSQL connection the server dropped; an SQLite
    file cannot drop, and the ping would be one more statement in every transaction.
    """
    global WRITER_FIRST_SECONDS
    WRITER_FIRST_SECONDS = float(app.config["WRITER_FIRST_SECONDS"])
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
