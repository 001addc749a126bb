"""A burst of big anonymous bodies costs the served workers nothing that stays: each is refused
(413) from its declared length, before it is read and before login, and the workers' memory
after the burst is about what it was before.

`alone`: it serves the app with gunicorn and reads the workers' resident memory, which another
test process beside it would disturb."""
import http.client
import os
import socket
import time
from pathlib import Path

import pytest

from tests.support import served as load

pytestmark = pytest.mark.alone

BODY = 13 * 1024 * 1024
BURST = 8
GROWTH_ALLOWED = 50 * 1024 * 1024  # per worker, after the burst


def rss_of_workers(master: int) -> dict[int, int]:
    """Resident bytes of each gunicorn worker (the master's children), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("PPid", "0").strip() or 0) == master:
            found[int(entry.name)] = int(fields["VmRSS"].split()[0]) * 1024
    return found


def send_big(port: int) -> int:
    """Declare a 13 MB body and send it whole (as the attack did); the answer's status."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"POST /api/v1/movements HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\n"
                     + f"Content-Length: {BODY}\r\n\r\n".encode())
        chunk = b"[" * 65536
        try:
            for _ in range(BODY // len(chunk)):
                sock.sendall(chunk)
        except OSError:
            pass  # refused and closed before the body was all sent: the point
        answer = sock.recv(200)
    return int(answer.split()[1])


def test_a_burst_of_big_anonymous_bodies_leaves_memory_where_it_was(tmp_path):
    url = f"sqlite:///{tmp_path / 'memory.db'}"
    os.environ.setdefault("SECRET_KEY", "memory")
    port = load.free_port()
    server = load.serve(url, port, workers=2)
    try:
        for _ in range(20):  # warm both workers up
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
        before = rss_of_workers(server.pid)
        assert len(before) == 2
        statuses = [send_big(port) for _ in range(BURST)]
        time.sleep(1)
        after = rss_of_workers(server.pid)
    finally:
        load.stop(server)
    assert statuses == [413] * BURST
    for pid, size in after.items():
        assert size - before.get(pid, size) < GROWTH_ALLOWED, (pid, before, after)
