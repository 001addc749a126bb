"""Serving (warehouse_app/serving.py): gunicorn as `make run` starts it keeps scanning while
supervisors watch the live views, and a scanner's movements all land.

These tests time the served app under load, so they run by themselves, after the parallel run
(`alone`): next to another test process a scan's latency can triple.
"""
import socket

import pytest

from tests.support import served as load

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


def test_a_scanners_movements_all_land(served):
    port, tokens, start = served
    start()
    ran, _elapsed = load.run_scanners(port, tokens[:1], count=250, skus=20, bins=4)
    scanner = ran[0]
    assert len(scanner.acked) == 250 and not scanner.refused and scanner.retries == 0


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
