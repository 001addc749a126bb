"""Serving (warehouse_app/serving.py): kept-alive connections are spread over the workers.

gunicorn is started as `make run` starts it. A connection's 100th answer says
"Connection: close", and a client that keeps posting simply opens a new one. A worker whose
threads are all busy leaves a new connection to a worker with a free thread, instead of taking
it and making it wait.

These tests time the served app under load, so they run by themselves, after the parallel run
(`alone`): next to another test process a scan's latency can triple.
"""
import http.client
import socket
import time

import pytest

from tests.support import served as load
from warehouse_app import serving

pytestmark = pytest.mark.alone


@pytest.fixture()
def served(tmp_path):
    """The app served on a fresh SQLite file; (port, tokens, start) where start(workers, threads)
    serves it and may be called once."""
    url = f"sqlite:///{tmp_path / 'serving.db'}"
    tokens = load.prepare(url, 16, skus=160, bins=4)
    port, servers = load.free_port(), []

    def start(workers=None, threads=None):
        servers.append(load.serve(url, port, workers, threads))
    yield port, tokens, start
    for server in servers:
        load.kill(server)


def test_a_connection_is_closed_after_its_hundredth_request_and_the_client_goes_on(served):
    port, tokens, start = served
    start()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    answers = []
    for _ in range(serving.REQUESTS_PER_CONNECTION + 5):
        conn.request("GET", "/api/v1/products?per_page=1",
                     headers={"Authorization": f"Bearer {tokens[0]}"})
        response = conn.getresponse()
        response.read()
        answers.append((response.status, response.getheader("Connection"), conn.sock is None))
    assert all(status == 200 for status, _, _ in answers)
    said = [connection for _, connection, _ in answers]
    last = serving.REQUESTS_PER_CONNECTION - 1
    assert said[:last] == ["keep-alive"] * last
    assert said[last] == "close" and answers[last][2]  # the client let that connection go
    assert said[last + 1:] == ["keep-alive"] * 5  # ...and carried on, on a new one


def test_the_scanners_movements_all_land_when_connections_rotate(served):
    port, tokens, start = served
    start()
    ran, _elapsed = load.run_scanners(port, tokens[:1], count=250, skus=20, bins=4)
    scanner = ran[0]
    assert len(scanner.acked) == 250 and not scanner.refused and scanner.retries == 0


def test_with_every_thread_busy_a_new_connection_still_gets_in_soon(served):
    """Sixteen scanners on two workers of two threads: every thread is always busy. A scanner
    whose connection was closed after its 100th request is let in within a pause, not starved
    until the others stop."""
    port, tokens, start = served
    start(workers=2, threads=2)
    ran, _elapsed = load.run_scanners(port, tokens, count=150, skus=160, bins=4)
    assert all(len(s.acked) == 150 and not s.refused for s in ran)
    slowest = max(t for s in ran for t in s.times)
    assert slowest < 1.5, f"a scan waited {slowest:.1f} s"


def _hold_a_thread(port: int) -> socket.socket:
    """A slow phone: a request whose headers never finish, which a worker thread waits on."""
    slow = socket.create_connection(("127.0.0.1", port))
    slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: phone\r\n")
    return slow


def test_a_worker_with_no_free_thread_leaves_a_new_connection_to_another(served):
    port, _tokens, start = served
    start(workers=2, threads=1)
    for _ in range(8):  # gunicorn's own worker takes it about half the time, and it waits
        slow = _hold_a_thread(port)
        time.sleep(0.3)  # one worker has accepted it: its only thread is now busy
        try:
            began = time.monotonic()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            took = time.monotonic() - began
            conn.close()
        finally:
            slow.close()
        assert response.status == 200
        assert took < 1.0, f"a new connection waited {took:.1f} s behind a busy worker"


def _open_live_view(port: int, cookie: str) -> socket.socket:
    """A supervisor's central view: its Server-Sent Events stream, read until it has begun."""
    view = socket.create_connection(("127.0.0.1", port), timeout=10)
    view.sendall(f"GET /insight/events HTTP/1.1\r\nHost: office\r\nCookie: {cookie}\r\n\r\n"
                 .encode())
    seen = b""
    while b"retry: 2000" not in seen:
        chunk = view.recv(4096)
        assert chunk, f"the stream ended before it began: {seen[:300]!r}"
        seen += chunk
    return view


def test_live_views_leave_threads_for_the_scanners(served):
    """Ten open central views on 2 workers x 4 threads: each long stream holds a thread for up
    to 25 s, so at most 2 per worker are long and the rest answer at once (the browser polls).
    A scanner is still answered promptly."""
    port, tokens, start = served
    start()
    cookie = load.login(port)
    views = []
    try:
        for _ in range(10):
            views.append(_open_live_view(port, cookie))
        ran, _elapsed = load.run_scanners(port, tokens[:1], count=20, skus=20, bins=4)
    finally:
        for view in views:
            view.close()
    assert len(ran[0].acked) == 20 and not ran[0].refused
    assert max(ran[0].times) < 2, f"a scan waited {max(ran[0].times):.1f} s"
