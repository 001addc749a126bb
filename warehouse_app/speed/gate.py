"""Scans take turns: in a worker process, one scan at a time runs its Python (SQLite only).

A worker serves with several threads (warehouse_app/serving.py), which share one GIL. A thread
gives the GIL up at every SQLite statement and every socket call, about twenty-five times a
scan, and another thread takes it; the first then waits for it to come back. Under load that
hand-over cost more than the scans themselves: one worker process with four threads and four
scanners spent 3.8 ms of CPU per scan and did 275 scans/s, the same process with one thread and
one scanner 2.3 ms and 389/s (bench/http.py --workers 1).

So a scan (a short write from a phone or a till: GATED below) runs from its first line to its
answer holding this process's gate, and the other scans of the process wait in line for it, in
the order they came. It lets go while it waits for SQLite's write lock, which another process
(or a thread writing outside the gate) holds: the next scan in line then does its reading
meanwhile. Once it has the write lock it is first in line to get the gate back, and a scan
holding the gate hands it over at its next checkpoint (the start of a reading_first() block,
reads.py), so the write lock is held for as little time as possible.

Not gated: reads (GET), long writes (imports, approvals, a decoded camera frame), anything on
PostgreSQL (a request there waits on the network, and must not hold up the others meanwhile),
and a body that is not all there yet: it is read before the scan joins the line, so a phone on
bad Wi-Fi sending slowly holds up nobody.
"""
import io
import re
import threading
from collections import deque

# The short, frequent writes: movements, picks, count lines, receipts, from the API and pages.
GATED = re.compile(r"/api/v1/movements|/api/v1/orders/[^/]+/picks|/api/v1/counts/\d+/lines"
                   r"|/api/v1/purchase-orders/[^/]+/receipts|/scan/line|/counting/[^/]+/(scan|set)"
                   r"|/orders/pick/(line|short)|/orders/purchase/[^/]+/receive")


class Gate:
    """A lock handed over in the order it was asked for; writers (holding SQLite's write lock)
    go before everyone else in line."""

    def __init__(self):
        self._guard = threading.Lock()
        self.holder: int | None = None
        self._line: deque[tuple[int, threading.Event, bool]] = deque()  # (thread, wake, writer)
        self._writers = 0  # writers in line; they stand at its front

    def acquire(self, writer: bool = False) -> None:
        me = threading.get_ident()
        with self._guard:
            if self.holder is None and not self._line:
                self.holder = me
                return
            turn = threading.Event()
            self._queue(me, turn, writer)
        turn.wait()  # the thread before hands the gate over: holder is already this one

    def release(self) -> None:
        with self._guard:
            self._hand_on()

    def held(self) -> bool:
        return self.holder == threading.get_ident()

    def checkpoint(self) -> None:
        """If a writer waits for the gate, it goes first; this thread is next after it."""
        if not self._writers or not self.held():
            return
        turn = threading.Event()
        with self._guard:
            self._hand_on()  # to the first writer
            self._line.insert(self._writers, (threading.get_ident(), turn, False))
        turn.wait()

    def _queue(self, me: int, turn: threading.Event, writer: bool) -> None:
        if writer:
            self._line.insert(self._writers, (me, turn, True))
            self._writers += 1
        else:
            self._line.append((me, turn, False))

    def _hand_on(self) -> None:
        if not self._line:
            self.holder = None
            return
        self.holder, turn, writer = self._line.popleft()
        if writer:
            self._writers -= 1
        turn.set()


GATE = Gate()


class GatedApp:
    """WSGI middleware: a gated scan holds the process's gate while the app handles it."""

    def __init__(self, wsgi_app, max_body: int | None):
        self.wsgi_app, self.max_body = wsgi_app, max_body

    def __call__(self, environ, start_response):
        if not self._gated(environ):
            return self.wsgi_app(environ, start_response)
        length = int(environ["CONTENT_LENGTH"])  # digits only (_gated)
        environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(length))
        GATE.acquire()
        try:  # the answer is built by now; the server sends it after the gate is let go
            return self.wsgi_app(environ, start_response)
        finally:
            GATE.release()

    def _gated(self, environ) -> bool:
        if environ.get("REQUEST_METHOD") != "POST" or GATE.held():
            return False
        if not GATED.fullmatch(environ.get("PATH_INFO", "")):
            return False
        length = environ.get("CONTENT_LENGTH", "")
        if not length.isdigit():  # chunked, or nonsense: read as usual, not gated
            return False
        return self.max_body is None or int(length) <= self.max_body
