"""Scans take turns (warehouse_app/speed/gate.py): the gate's order, which requests it covers, a
slow body kept out of it, and scans that all land while threads of one process write at once."""
import io
import threading
import time

import pytest

from warehouse_app import create_app
from warehouse_app.speed import gate
from warehouse_app.speed.gate import Gate, GatedApp


def _in_line(g: Gate, count: int) -> None:
    deadline = time.monotonic() + 5  # bounds the wait; what is asserted is the line
    while len(g._line) < count and time.monotonic() < deadline:
        time.sleep(0.001)
    assert len(g._line) >= count, "nobody joined the line"


def _start(g: Gate, name: str, order: list, writer: bool = False) -> threading.Thread:
    def run():
        g.acquire(writer=writer)
        order.append(name)
        g.release()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_the_gate_goes_round_in_the_order_it_was_asked_for_writers_first():
    g, order = Gate(), []
    g.acquire()
    threads = []
    for n, (name, writer) in enumerate([("a", False), ("b", False), ("w1", True), ("c", False),
                                        ("w2", True)], start=1):
        threads.append(_start(g, name, order, writer))
        _in_line(g, n)
    g.release()
    for thread in threads:
        thread.join(5)
    assert order == ["w1", "w2", "a", "b", "c"]
    assert g.holder is None and not g._line and g._writers == 0


def test_a_checkpoint_lets_a_waiting_writer_go_first_and_keeps_its_place_before_the_rest():
    g, order = Gate(), []
    g.acquire()
    g.checkpoint()  # nobody waits: it goes straight on
    assert g.held()
    reader = _start(g, "reader", order)
    _in_line(g, 1)
    g.checkpoint()  # no writer waits: the reader does not get ahead
    assert g.held() and order == []
    writer = _start(g, "writer", order, writer=True)
    _in_line(g, 2)
    g.checkpoint()
    order.append("me")  # back after the writer, before the reader who asked later
    g.release()
    for thread in (reader, writer):
        thread.join(5)
    assert order == ["writer", "me", "reader"]
    assert g.holder is None and not g._line


def _environ(method="POST", path="/api/v1/movements", body=b"{}", length=None):
    return {"REQUEST_METHOD": method, "PATH_INFO": path, "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)) if length is None else length}


@pytest.mark.parametrize("environ, gated", [
    (_environ(), True),
    (_environ(path="/api/v1/orders/SO-1/picks"), True),
    (_environ(path="/api/v1/counts/3/lines"), True),
    (_environ(path="/scan/line"), True),
    (_environ(path="/counting/CC-1/scan"), True),
    (_environ(path="/orders/pick/line"), True),
    (_environ(method="GET"), False),
    (_environ(path="/api/v1/movements/5/reverse"), False),  # not a scan
    (_environ(path="/api/v1/scan/decode"), False),  # a camera frame: long native work
    (_environ(path="/products/import/products"), False),
    (_environ(path="/api/v1/movementsX"), False),
    (_environ(length=""), False),  # chunked: the body is not all there
    (_environ(length="12abc"), False),
    (_environ(body=b"x" * 101), False),  # over the size limit: refused as usual, not gated
])
def test_which_requests_take_the_gate(environ, gated):
    seen = []

    def app(environ, start_response):
        seen.append((gate.GATE.held(), environ["wsgi.input"].read()))
        return [b""]

    body = environ["wsgi.input"].getvalue()
    GatedApp(app, max_body=100)(environ, lambda *a: None)
    assert seen == [(gated, body)]  # the app reads the whole body either way
    assert not gate.GATE.held()


def test_a_body_still_arriving_holds_up_no_other_scan():
    """The body is read before the scan joins the line: a phone sending slowly keeps the gate
    free for the others."""
    arrived, answered = threading.Event(), []

    class Trickle(io.RawIOBase):
        def read(self, size=-1):
            assert arrived.wait(5)
            return b"{}"

    def app(environ, start_response):
        answered.append(environ["wsgi.input"].read())
        return [b""]

    gated = GatedApp(app, max_body=None)
    slow = threading.Thread(target=gated, args=({**_environ(length="2"),
                                                  "wsgi.input": Trickle()}, None))
    slow.start()
    time.sleep(0.05)
    assert gate.GATE.holder is None  # the slow one waits for its body outside the gate
    gated(_environ(), None)
    assert answered == [b"{}"]
    arrived.set()
    slow.join(5)
    assert answered == [b"{}", b"{}"] and gate.GATE.holder is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_only_a_file_database_with_the_speed_machinery_on_is_gated(database_url, tmp_path):
    from tests.conftest import TEST_CONFIG
    on = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    off = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SPEED": False})
    memory = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert isinstance(on.wsgi_app, GatedApp) and "speed" in on.extensions
    for plain in (off, memory):
        assert not isinstance(plain.wsgi_app, GatedApp) and "speed" not in plain.extensions


def test_postgresql_is_not_gated(app, engine_name):
    assert isinstance(app.wsgi_app, GatedApp) == (engine_name == "sqlite")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_scans_from_many_threads_all_land_while_another_writer_holds_the_lock(
        app, staff, make_product, make_location, stock):
    """Six threads of one process post 15 scans each; for the first 0.2 s a writer outside the
    gate holds SQLite's write lock, so the gated scans wait for it with the gate let go."""
    from warehouse_app.extensions import db
    from warehouse_app.ledger import balances
    from warehouse_app.ledger.models import Movement
    for n in range(6):
        stock(make_product(f"P-{n}"), make_location(f"A-{n}"), 100)
    make_location("B-0")
    db.session.commit()
    holding, let_go = threading.Event(), threading.Event()

    def hold():
        with app.app_context(), db.engine.connect() as connection, connection.begin():
            holding.set()
            let_go.wait(5)

    def scan(n: int, answers: list):
        with app.app_context():  # each thread its own, as a served request has
            client = app.test_client()
            for i in range(15):
                answers.append(client.post("/api/v1/movements", headers=staff, json={
                    "sku": f"P-{n}", "qty": 1, "kind": "transfer", "from_location": f"A-{n}",
                    "to_location": "B-0", "client_op_id": f"gate-{n}-{i}"}).status_code)

    writer = threading.Thread(target=hold)
    writer.start()
    assert holding.wait(5)
    answers = [[] for _ in range(6)]
    scanners = [threading.Thread(target=scan, args=(n, answers[n])) for n in range(6)]
    for thread in scanners:
        thread.start()
    time.sleep(0.2)
    assert gate.GATE.holder is None  # every scan waits for the write lock, none holds the gate
    let_go.set()
    writer.join(10)
    for thread in scanners:
        thread.join(60)
    assert answers == [[201] * 15] * 6
    db.session.expire_all()
    assert db.session.query(Movement).count() == 6 + 90  # the stock, then every scan once
    assert balances.verify() == []
    assert gate.GATE.holder is None and not gate.GATE._line


# A path for each of GATED's alternatives, as the app names them.
SCAN_PATHS = ["/api/v1/movements", "/api/v1/orders/SO-1/picks", "/api/v1/counts/3/lines",
              "/api/v1/purchase-orders/PO-1/receipts", "/scan/line", "/counting/CC-1/scan",
              "/counting/CC-1/set", "/orders/pick/line", "/orders/pick/short",
              "/orders/purchase/PO-1/receive"]


def _alternatives(pattern: str) -> list[str]:
    """GATED's top-level alternatives (a | inside parentheses belongs to one of them)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(pattern):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    return parts + [pattern[start:]]


def test_every_gated_path_is_a_scan_route_of_the_app(app):
    """A renamed route would silently fall out of the gate: each alternative of GATED has a
    path here, and each path is one the app posts to."""
    import re
    alternatives = _alternatives(gate.GATED.pattern)
    assert len(alternatives) == 8
    for alternative in alternatives:
        assert any(re.fullmatch(alternative, path) for path in SCAN_PATHS), alternative
    urls = app.url_map.bind("localhost")
    for path in SCAN_PATHS:
        assert gate.GATED.fullmatch(path)
        endpoint, _args = urls.match(path, method="POST")
        assert endpoint != "static"
