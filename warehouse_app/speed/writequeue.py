"""Writers to one SQLite file wait their turn in a queue of ours, not in SQLite's busy handler.

SQLite's busy handler sleeps 1, 2, 5, 10... up to 100 ms between tries, so with eight scanners
posting at once most waits were far longer than the write they waited for (p95 over 300 ms).
Here a writer waits on a thread lock (its process's other threads) and then on an flock of
`<database>.lock` polled every half millisecond (the other worker processes), and holds both
until its COMMIT or ROLLBACK has run. After the busy timeout it gives up with "database is
locked", which the app answers with 503 and Retry-After.

`attach(engine)` (speed.init_app) gives each new connection of that engine its file's queue;
the listeners below act only on connections that have one. A transaction that may write takes
its turn in the queue when database.py is about to issue BEGIN IMMEDIATE (`take_turn`), and
commits or rolls back on the driver itself, so that the next writer starts only once it has
(SQLAlchemy's own call then finds no transaction and does nothing).
"""
import fcntl
import os
import sqlite3
import threading
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import Pool

from warehouse_app.database import busy_timeout_ms
from warehouse_app.speed.gate import GATE


class WriteQueue:
    """The queue of one SQLite file's writers, shared by this process's threads."""

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
        return True

    def release(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.threads.release()


def attach(engine: Engine) -> None:
    """Each new connection of this engine (an SQLite file's) gets the file's queue."""
    event.listen(engine, "connect", _give_queue)


def _give_queue(dbapi_connection, record) -> None:
    path = next((row[2] for row in dbapi_connection.execute("PRAGMA database_list")
                 if row[1] == "main"), "")
    if path:
        record.info["write_queue"] = WriteQueue.for_file(path)
        record.info["take_turn"] = _take_turn


def _take_turn(connection) -> bool:
    """database.py's BEGIN of a writer asks first: the queue, within the busy timeout."""
    if not connection.info["write_queue"].acquire(busy_timeout_ms() / 1000):
        return False
    connection.info["write_queue_held"] = True
    return True


def _let_go(connection) -> None:
    if connection.info.pop("write_queue_held", False):
        connection.info["write_queue"].release()


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
    """A connection going back to the pool (or away), or whose BEGIN failed, never keeps its
    place in the queue."""
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
