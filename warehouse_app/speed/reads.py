"""A scan's look-ups before its write, outside SQLite's write lock (database.reading_first()).

A POST's transaction begins with BEGIN IMMEDIATE, taking the database's one write lock at its
first query. A scan's first queries only read (its token, the product, the bins), so here they
run before the lock is taken, and the writers queue only for their writes. What the block
loaded stays loaded (not expired by the end of its read transaction). Inside an open
transaction and with changes waiting to be written the block runs as it is. (The machinery is
plugged in for SQLite files only: speed.init_app.)
"""
from contextlib import contextmanager

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from warehouse_app.database import engine_of, has_changes, reads_only
from warehouse_app.speed.gate import GATE


@contextmanager
def reading_first():
    from warehouse_app.extensions import db
    GATE.checkpoint()  # a scan holding its worker's gate lets a writer waiting for it go first
    session = db.session()
    if (not has_request_context() or holds_connection(session)
            or has_changes(session)):  # it would write: it takes the lock anyway
        yield
        return
    try:
        with reads_only():
            yield
    finally:
        held = g.pop("reading_connection", None)
        if held is not None:
            held.close()  # back to the pool
    # Only a read transaction begun on the database is ended here. Objects handed to the session
    # without one (loader.Loader) began only the session's own bookkeeping, which the write then
    # goes on in: ending it would cost a commit's events for nothing.
    if holds_connection(session):
        keep, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = keep


def reads_alone(session: Session) -> bool:
    """Whether a read may run in no transaction at all: inside reading_first() on SQLite, before
    anything began one on the database (loader.Loader reads so)."""
    return (has_request_context() and g.get("reads_only", False)
            and not holds_connection(session))


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
