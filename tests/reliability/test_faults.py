"""Faults: a killed server, a restarted database, a locked database, a full disk.

The served app (gunicorn, as `make run` starts it) takes a small load from bench/http.py's
scanners; in the middle it is killed with SIGKILL (and, on PostgreSQL, the database server is
restarted). Afterwards every movement whose POST was answered 2xx is in the ledger exactly
once and `ledger verify` is clean. A locked SQLite database and a full disk answer 503 with
Retry-After, change nothing, and the same request succeeds once the cause is gone.
"""
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from sqlalchemy import event, text

from tests.conftest import ENGINES, PG_URL, TEST_CONFIG, CommittingClient
from tests.support import served as load
from warehouse_app import create_app
from warehouse_app.extensions import db as _db

ROOT = Path(__file__).resolve().parents[2]
SCANNERS, SKUS, BINS = 4, 400, 40


def _pg_url(suffix: str) -> str:
    """A database of its own beside the suite's (the load tool drops and recreates it)."""
    parts = urllib.parse.urlsplit(PG_URL)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path + suffix))


def _restart_postgres() -> None:
    """Restart the local PostgreSQL cluster (fast shutdown: open connections are cut)."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart",
                    "-m", "fast"], check=True, capture_output=True, timeout=60)


def _verify(url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "faults"}
    return subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "warehouse_app",
                           "ledger", "verify"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def _ledger_ops(url: str) -> dict[str, int]:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        rows = _db.session.execute(text(
            "SELECT client_op_id, id FROM movement WHERE client_op_id IS NOT NULL")).all()
        _db.engine.dispose()
    return dict(rows)


# Alone, after the parallel run (Makefile): PostgreSQL's server is restarted, and on a loaded
# machine no movement may be acknowledged before the kill.
@pytest.mark.alone
@pytest.mark.parametrize("engine", ENGINES)
def test_kill_9_in_the_middle_of_the_load_loses_no_acknowledged_movement(engine, tmp_path):
    url = f"sqlite:///{tmp_path / 'faults.db'}" if engine == "sqlite" else _pg_url("_faults")
    tokens = load.prepare(url, SCANNERS, skus=SKUS, bins=BINS)
    port = load.free_port()
    servers, before = [load.serve(url, port)], []

    def faults(scanners):
        time.sleep(1.5)
        load.kill(servers[-1])  # SIGKILL to master and workers, requests in flight
        before.append(sum(len(s.acked) for s in scanners))
        if engine == "postgresql":
            _restart_postgres()
        servers.append(load.serve(url, port))
        time.sleep(2.0)

    try:
        ran, _elapsed = load.run_scanners(port, tokens, during=faults, skus=SKUS, bins=BINS,
                                          seed=11)
    finally:
        load.kill(servers[-1])
    acked = {op: movement for s in ran for op, movement in s.acked}
    retries = sum(s.retries for s in ran)
    assert [r for s in ran for r in s.refused] == []  # every answer was 2xx or a retry
    assert before[0] > 0 and len(acked) > before[0]  # work before the kill and after it
    assert retries > 0  # the kill really cut requests off
    in_ledger = _ledger_ops(url)
    assert [op for op in acked if op not in in_ledger] == []
    assert all(in_ledger[op] == movement for op, movement in acked.items())
    verified = _verify(url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    print(f"faults[{engine}]: {len(acked)} movements acknowledged, {before[0]} before the "
          f"kill; {retries} retries; 0 lost; ledger verify clean")


@pytest.fixture
def served(tmp_path, sqlite_template):
    """An app on its own SQLite file (these faults are SQLite's), a 300 ms busy timeout, a
    product, a bin and a token; yields (app, client, headers, path)."""
    import shutil

    from warehouse_app.auth.models import Role
    from warehouse_app.auth.users import create_token, create_user
    from warehouse_app.catalog import products
    from warehouse_app.locations import places
    from warehouse_app.locations.models import LocationKind
    path = tmp_path / "app.db"
    shutil.copy(sqlite_template, path)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SQLITE_BUSY_TIMEOUT_MS": 300, "API_RATE_LIMIT": 0})
    app.instance_path = str(tmp_path / "instance")
    app.test_client_class = CommittingClient
    with app.app_context():
        warehouse = places.create("WH", LocationKind.WAREHOUSE)
        places.create("B-1", LocationKind.BIN, parent=warehouse)
        products.create({"sku": "SKU-1", "name": "Widget"})
        _, secret = create_token("faults", create_user("ops", "ops-password", Role.ADMIN))
        _db.session.commit()
        yield app, app.test_client(), {"Authorization": f"Bearer {secret}"}, path
        _db.session.remove()
        _db.engine.dispose()


def _receive(client, headers, op: str):
    return client.post("/api/v1/movements", headers=headers, json={
        "kind": "receive", "sku": "SKU-1", "qty": 2, "to_location": "B-1", "client_op_id": op})


def _movements() -> int:
    _db.session.rollback()
    return _db.session.scalar(text("SELECT count(*) FROM movement"))


@pytest.mark.alone  # it times the busy timeout: beside the parallel run the machine is shared
def test_a_database_locked_by_another_program_answers_503_and_keeps_nothing(served):
    import sqlite3

    from warehouse_app.ledger import balances
    _app, client, headers, path = served
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # e.g. a backup tool writing
    started = time.monotonic()
    answer = _receive(client, headers, "op-locked")
    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "unavailable"
    assert answer.headers["Retry-After"] == "1"
    assert time.monotonic() - started < 5  # the busy timeout, not a hang
    assert client.get("/api/v1/stock", headers=headers).status_code == 200  # reads go on
    holder.execute("ROLLBACK")
    holder.close()
    assert _movements() == 0
    assert _receive(client, headers, "op-locked").status_code == 201  # the phone's retry
    assert _receive(client, headers, "op-locked").status_code == 200  # ...and once more
    assert _movements() == 1
    assert balances.verify() == []


def test_a_writer_kept_waiting_in_the_app_queue_answers_503(served):
    """Another request of this app holds the write turn longer than the busy timeout."""
    _app, client, headers, _path = served
    with _db.engine.connect() as other:
        other.execute(text("SELECT 1"))  # outside a request: a writing transaction
        answer = _receive(client, headers, "op-queued")
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
        other.rollback()
    assert _movements() == 0
    assert _receive(client, headers, "op-queued").status_code == 201


def test_a_full_disk_answers_503_and_leaves_the_ledger_whole(served):
    from warehouse_app.ledger import balances
    app, client, headers, _path = served
    limit = {"pages": None}

    @event.listens_for(_db.engine, "connect")
    def cap(dbapi_connection, _record):
        if limit["pages"]:
            dbapi_connection.execute(f"PRAGMA max_page_count = {limit['pages']}")
    limit["pages"] = _db.session.execute(text("PRAGMA page_count")).scalar() + 1
    _db.session.close()
    _db.engine.dispose()
    answers = []
    for n in range(3000):
        answer = _receive(client, headers, f"op-full-{n}")
        answers.append(answer.status_code)
        if answer.status_code != 201:
            break
    assert answer.status_code == 503, answers[-5:]
    body = answer.get_json()["error"]
    assert body["code"] == "disk_full" and "nothing was saved" in body["message"]
    assert answer.headers["Retry-After"] == "60"
    saved = answers.count(201)
    assert _movements() == saved  # the refused one left nothing behind
    assert balances.verify() == []
    limit["pages"] = None  # space is freed
    _db.session.close()
    _db.engine.dispose()
    assert _receive(client, headers, f"op-full-{n}").status_code == 201
    assert _movements() == saved + 1
    assert balances.verify() == []
    print(f"disk full after {saved} receipts: 503 disk_full, ledger verify clean")
