"""Writer first: while a thread holds SQLite's write lock, the other threads of its process start
no new work at their checkpoints (a request's start, a look-up) until it lets go, or for at most
WRITER_FIRST_SECONDS. The holder itself never waits for itself."""
import threading
import time

import pytest

from warehouse_app import database

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _hold_write_lock(app, holding: threading.Event, let_go: threading.Event, own: list):
    """A thread that begins a write (BEGIN IMMEDIATE: the write queue's lock), then waits."""
    from warehouse_app.extensions import db

    def run():
        with app.app_context(), db.engine.connect() as connection:
            with connection.begin():
                holding.set()
                started = time.monotonic()
                database.let_writer_finish()  # its own checkpoint: no wait
                own.append(time.monotonic() - started)
                let_go.wait(10)
    thread = threading.Thread(target=run)
    thread.start()
    assert holding.wait(10)
    return thread


def test_a_checkpoint_waits_until_the_writer_lets_go(app, monkeypatch):
    monkeypatch.setattr(database, "WRITER_FIRST_SECONDS", 10.0)
    holding, let_go, own = threading.Event(), threading.Event(), []
    writer = _hold_write_lock(app, holding, let_go, own)
    released_at = []
    timer = threading.Timer(0.3, lambda: (released_at.append(time.monotonic()), let_go.set()))
    timer.start()
    database.let_writer_finish()
    returned_at = time.monotonic()
    writer.join(10)
    assert released_at and returned_at >= released_at[0]  # not before the write ended
    assert returned_at - released_at[0] < 5  # woken by it, not by the 10 s bound
    assert own and own[0] < 1  # the holder went straight on
    started = time.monotonic()
    database.let_writer_finish()  # nobody writes now: no wait at all
    assert time.monotonic() - started < 1


def test_a_checkpoint_waits_no_longer_than_the_bound(app, monkeypatch):
    monkeypatch.setattr(database, "WRITER_FIRST_SECONDS", 0.05)
    holding, let_go, own = threading.Event(), threading.Event(), []
    writer = _hold_write_lock(app, holding, let_go, own)
    try:
        started = time.monotonic()
        database.let_writer_finish()
        waited = time.monotonic() - started
        assert 0.04 <= waited < 2  # the bound, while the writer still holds the lock
        assert not let_go.is_set()
    finally:
        let_go.set()
        writer.join(10)


def test_a_scan_goes_through_while_another_thread_of_its_process_writes(app, client, staff,
                                                                       make_product,
                                                                       make_location, stock,
                                                                       monkeypatch):
    """The write lock's holder taking long (here 0.2 s) delays a scan's look-ups by the bound at
    most: then the scan queues for the lock as ever, and lands once it is free."""
    monkeypatch.setattr(database, "WRITER_FIRST_SECONDS", 0.01)
    stock(make_product("P-1"), make_location("A-01"), 5)
    holding, let_go, own = threading.Event(), threading.Event(), []
    writer = _hold_write_lock(app, holding, let_go, own)
    threading.Timer(0.2, let_go.set).start()
    response = client.post("/api/v1/movements", headers=staff, json={
        "sku": "P-1", "qty": 1, "kind": "pick", "from_location": "A-01"})
    writer.join(10)
    assert response.status_code == 201, response.get_json()
