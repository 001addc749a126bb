"""Live updates of the central view, as Server-Sent Events.

How an update reaches every viewer, whichever worker or machine serves them:
- PostgreSQL: the transaction that posts movements also runs NOTIFY (hooks.py); the database
  delivers it on commit to every connection LISTENing on the channel. Each stream LISTENs on a
  small autocommit connection of its own and wakes as soon as something committed.
- SQLite (one machine, its file is the only truth): each stream polls the newest movement id
  once a second -- one index lookup, no lock held between polls.
Either way the stream then reads which products moved since the last movement id it sent (with
a little slack, for ids that commit out of order) and sends their balances per warehouse.

A stream lasts at most INSIGHT_SSE_SECONDS (25 s), then ends; the browser's EventSource
reconnects after `retry:` and sends Last-Event-ID, so nothing is missed and a gunicorn sync
worker is never held for good. Still, serve viewers with threads (warehouse_app/serving.py) so
that they do not starve the scanners.
"""
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import select

from warehouse_app.extensions import db
from warehouse_app.insight import central
from warehouse_app.insight.hooks import CHANNEL
from warehouse_app.ledger.models import Movement

SLACK = 50          # movement ids below the last one sent that are looked at again
MAX_PRODUCTS = 200  # more changed products than this: the page reloads instead
MAX_GAP = 5000      # movements missed; beyond this the page reloads too
RETRY_MS = 2000
HEARTBEAT = 10.0


def event(name: str, data: dict, event_id: int | None = None) -> str:
    """One Server-Sent Event."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def changes(since: int, allowed=None) -> tuple[int, list[dict] | None]:
    """The newest movement id, and the balances of products moved after `since` (None: many),
    in the warehouses `allowed` (None: every one)."""
    newest = central.latest_movement()
    if newest <= since:
        return since, []
    if newest - since > MAX_GAP:  # back after a long time away: reload rather than replay
        return newest, None
    moved = db.session.scalars(select(Movement.product_id).where(Movement.id > since - SLACK)
                               .distinct().limit(MAX_PRODUCTS + 1)).all()
    if len(moved) > MAX_PRODUCTS:
        return newest, None
    found = central.balances(moved, allowed)
    rows = [{"id": pid, **found.get(pid, central.empty())} for pid in moved]
    return newest, rows


@contextmanager
def waiter() -> Iterator[Callable[[float], None]]:
    """A function that waits up to some seconds for the ledger to change."""
    if db.engine.dialect.name != "postgresql":
        poll = float(current_app.config.get("INSIGHT_SSE_POLL", 1.0))
        yield lambda seconds: time.sleep(min(seconds, poll))
        return
    import psycopg
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"LISTEN {CHANNEL}")
        yield lambda seconds: _drain(conn, seconds)


def _drain(conn, seconds: float) -> None:
    for _note in conn.notifies(timeout=seconds, stop_after=1):
        pass


def _long_streams():
    """This worker process's slots for long streams (INSIGHT_SSE_STREAMS, 2 by default; read
    at the first stream)."""
    slots = current_app.extensions.get("live_streams")
    if slots is None:
        limit = int(current_app.config.get("INSIGHT_SSE_STREAMS", 2))
        slots = current_app.extensions.setdefault("live_streams",
                                                  threading.BoundedSemaphore(limit))
    return slots


def stream(since: int, allowed=None, seconds: float | None = None) -> Iterator[str]:
    """Events for the central view until the time is up; the browser then reconnects.

    A long stream holds one of the worker's threads, which a scan then cannot have. So each
    worker process keeps at most INSIGHT_SSE_STREAMS of them; a viewer beyond that gets what
    changed since its last event at once, and the stream ends there: its browser comes back
    after `retry:` (2 s), which is polling, at one short request per viewer every 2 s.
    """
    seconds = seconds or float(current_app.config.get("INSIGHT_SSE_SECONDS", 25))
    slots = _long_streams()
    long = slots.acquire(blocking=False)
    try:
        yield from _events(since, allowed, seconds if long else 0)
    finally:
        if long:
            slots.release()


def _update(since: int, allowed) -> tuple[int, str | None]:
    """The newest movement id, and the event for what changed after `since` (None: nothing)."""
    newest, rows = changes(since, allowed)
    totals = central.warehouse_totals(allowed) if rows else {}
    db.session.rollback()  # hold no snapshot, lock or connection while waiting
    if rows is None:
        return newest, event("reload", {}, newest)
    if rows:
        return newest, event("stock", {"products": rows, "warehouses": totals}, newest)
    return newest, None


def _events(since: int, allowed, seconds: float) -> Iterator[str]:
    yield f"retry: {RETRY_MS}\n\n"
    if seconds <= 0:  # one look
        if sent := _update(since, allowed)[1]:
            yield sent
        return
    deadline, quiet_since = time.monotonic() + seconds, time.monotonic()
    with waiter() as wait:  # listening before the first look: nothing slips in between
        while (left := deadline - time.monotonic()) > 0:
            newest, sent = _update(since, allowed)
            if sent:
                yield sent
            elif time.monotonic() - quiet_since > HEARTBEAT:
                yield ": still here\n\n"
            else:
                wait(min(left, HEARTBEAT))
                continue
            since, quiet_since = newest, time.monotonic()
            wait(min(max(deadline - time.monotonic(), 0), HEARTBEAT))
