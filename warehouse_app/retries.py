"""A safety net, not a mechanism: a write that PostgreSQL ended as a deadlock or a
serialization failure (SQLSTATE 40P01, 40001) is rolled back and run again, at most
MAX_ATTEMPTS times in all.

The write paths take their locks in one order (ledger/movements.py, _apply), so a deadlock
should not happen; if one does, the phone should not pay for it with an error. Every retry is
counted (per process), logged as a warning, and told to the caller in the `X-DB-Retries`
header, which bench/http.py adds up: a retry is a bug to look at, not a feature.
"""
import functools
import random
import threading
import time

from flask import Flask, current_app, g, request
from sqlalchemy.exc import DBAPIError

from warehouse_app.database import SAFE_METHODS

RETRYABLE = {"40001": "serialization failure", "40P01": "deadlock"}
MAX_ATTEMPTS = 3
HEADER = "X-DB-Retries"


class Counter:
    """How many writes this process ran again, by cause."""

    def __init__(self):
        self._lock, self.counts = threading.Lock(), {}

    def add(self, cause: str) -> None:
        with self._lock:
            self.counts[cause] = self.counts.get(cause, 0) + 1

    def total(self) -> int:
        return sum(self.counts.values())


RETRIES = Counter()


def sqlstate(err: DBAPIError) -> str | None:
    """The SQLSTATE of a driver error (psycopg), if it has one."""
    return getattr(err.orig, "sqlstate", None)


def retrying(view):
    """The view, run again from the start when its transaction lost a deadlock or a
    serialization conflict (writes only; a read has nothing to lose)."""
    @functools.wraps(view)
    def run(*args, **kwargs):
        if request.method in SAFE_METHODS:
            return view(*args, **kwargs)
        from warehouse_app.extensions import db
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return view(*args, **kwargs)
            except DBAPIError as err:
                cause = RETRYABLE.get(sqlstate(err))
                if cause is None or attempt == MAX_ATTEMPTS:
                    raise
                db.session.rollback()
                RETRIES.add(cause)
                g.db_retries = attempt
                current_app.logger.warning("%s %s: %s, running it again (attempt %d)",
                                           request.method, request.path, cause, attempt + 1)
                time.sleep(random.uniform(0.001, 0.01) * attempt)  # let the other one finish
        raise AssertionError("unreachable")
    return run


def init_app(app: Flask) -> None:
    """Every view of the app runs under retrying(); answers say how often they were retried."""
    for endpoint, view in list(app.view_functions.items()):
        app.view_functions[endpoint] = retrying(view)

    @app.after_request
    def tell(response):
        if retried := g.get("db_retries"):
            response.headers[HEADER] = str(retried)
        return response
