"""Writer first: while a thread holds SQLite's write lock, the other threads of its process start
no new work at their checkpoints (a request's start, a look-up) until it lets go, or for at most
WRITER_FIRST_SECONDS. The holder itself never waits for itself."""
import threading

import pytest

from warehouse_app import database

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


class Watched(threading.Event):
    """The writer-first event (database._no_writer), noting each wait: the waiting thread,
    the bound it was given, and whether the writer's end woke it (False: the bound ran out)."""

    def __init__(self):
        super().__init__()
        self.set()
        self.waits: list[tuple[int, float | None, bool]] = []

    def wait(self, timeout=None) -> bool:
        woken = super().wait(timeout)
        self.waits.append((threading.get_ident(), timeout, woken))
        return woken


@pytest.fixture
def watched(monkeypatch) -> Watched:
    event = Watched()
    monkeypatch.setattr(database, "_no_writer", event)
    return event


def _hold_write_lock(app, holding: threading.Event, let_go: threading.Event):
    """A thread that begins a write (BEGIN IMMEDIATE: the write queue's lock), passes its own
    checkpoint, then waits."""
    from warehouse_app.extensions import db

    def run():
        with app.app_context(), db.engine.connect() as connection:
            with connection.begin():
                holding.set()
                database.let_writer_finish()  # its own checkpoint: no wait
                let_go.wait(10)
    thread = threading.Thread(target=run)
    thread.start()
    assert holding.wait(10)
    return thread


def test_a_checkpoint_waits_until_the_writer_lets_go(app, monkeypatch, watched):
    monkeypatch.setattr(database, "WRITER_FIRST_SECONDS", 10.0)
    holding, let_go = threading.Event(), threading.Event()
    writer = _hold_write_lock(app, holding, let_go)
    threading.Timer(0.3, let_go.set).start()
    database.let_writer_finish()
    assert let_go.is_set()  # not before the write ended
    writer.join(10)
    me = threading.get_ident()
    # One wait, the checkpoint's: woken by the writer's end, not by the 10 s bound; the holder
    # went straight on (no wait of its thread).
    assert watched.waits == [(me, 10.0, True)]
    database.let_writer_finish()  # nobody writes now: no wait at all
    assert watched.waits == [(me, 10.0, True)]


def test_a_checkpoint_waits_no_longer_than_the_bound(app, monkeypatch, watched):
    monkeypatch.setattr(database, "WRITER_FIRST_SECONDS", 0.05)
    holding, let_go = threading.Event(), threading.Event()
    writer = _hold_write_lock(app, holding, let_go)
    try:
        database.let_writer_finish()
        # the bound ran out while the writer still holds the lock
        assert watched.waits == [(threading.get_ident(), 0.05, False)]
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
    holding, let_go = threading.Event(), threading.Event()
    writer = _hold_write_lock(app, holding, let_go)
    threading.Timer(0.2, let_go.set).start()
    response = client.post("/api/v1/movements", headers=staff, json={
        "sku": "P-1", "qty": 1, "kind": "pick", "from_location": "A-01"})
    writer.join(10)
    assert response.status_code == 201, response.get_json()
