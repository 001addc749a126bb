"""How gunicorn serves the app (`make run`, the benchmarks, the faults test):

    gunicorn -c python:warehouse_app.serving 'warehouse_app:create_app()'

Two worker processes of four threads each: one process per core, and threads so that a
supervisor's live view (a Server-Sent Events stream, up to INSIGHT_SSE_SECONDS) or a slow phone
does not stop scanning. A worker keeps at most INSIGHT_SSE_STREAMS (2) long streams; further
viewers poll (insight/live.py), so at least half the threads are always left for scans.
Arguments on gunicorn's command line win over these settings.

A kept-alive connection stays with the worker that accepted it. A till or a scanner that posts
without pause keeps its connection for as long as it posts, and gunicorn's own threaded worker
accepts whatever arrives while it has room. In bench/http.py (8 scanners) its first worker took
all or most of the connections in 4 runs of 9: one process at a full core, the other nearly
idle, 143-152 movements/s against 265-348/s when the split happened to be even. So here:
- a worker whose threads are all busy leaves a waiting connection to a worker with a free
  thread (SpreadingWorker);
- the answer to a connection's REQUESTS_PER_CONNECTION-th request says "Connection: close" (as
  nginx's keepalive_requests does): the client opens a new connection with its next request,
  and a worker with a free thread takes it.
Spread, 5 runs of 5 gave 294-335/s, each worker at about 80 % of a core. A phone scanning every
few seconds never gets to 100 requests: its connection is closed after `keepalive` idle
seconds anyway.

A pool thread starts its request only once this process's writer, if it has one, has let go of
SQLite's write lock (or after a few milliseconds): see "Writer first" in database.py. On SQLite
a worker's scans then take turns at its gate (gate.py) rather than share the GIL among threads.
"""
import time

from gunicorn.workers.gthread import ThreadWorker

from warehouse_app.database import let_writer_finish

REQUESTS_PER_CONNECTION = 100
FULL_PAUSE = 0.01  # seconds

workers = 2
threads = 4
worker_class = "warehouse_app.serving.SpreadingWorker"


def pre_request(worker, req) -> None:
    """gunicorn's hook before each request: the connection's last one is answered with close."""
    if req.req_number >= REQUESTS_PER_CONNECTION:
        req.must_close = True


class SpreadingWorker(ThreadWorker):
    """gunicorn's threaded worker, which leaves new connections to workers with a free thread.

    The stock worker accepts whenever it holds fewer than worker_connections connections, so a
    busy worker takes new connections as readily as an idle one and queues their requests
    behind its own. This one, while its threads are all busy, lets a waiting connection wait
    FULL_PAUSE seconds for a worker with a free thread to take it, and takes it only when
    nobody did: when every worker is busy a new connection still gets in, soon.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.in_flight, self.seen_waiting = 0, None  # when a waiting connection was first left

    def full(self) -> bool:
        return self.in_flight >= self.cfg.threads

    def handle(self, conn):  # on a pool thread: a request starts once this process's writer,
        let_writer_finish()  # if it has one, let go of SQLite's write lock (database.py)
        return super().handle(conn)

    def enqueue_req(self, conn):  # on the main thread, as everything below
        super().enqueue_req(conn)
        self.in_flight += 1

    def finish_request(self, conn, fs):
        self.in_flight -= 1
        if not self.full():
            self.seen_waiting = None
        super().finish_request(conn, fs)

    def accept(self, listener):
        if self.full():
            now = time.monotonic()
            if self.seen_waiting is None or now - self.seen_waiting < FULL_PAUSE:
                self.seen_waiting = self.seen_waiting or now  # first seen: leave it a while
                super().set_accept_enabled(False)
                return
        self.seen_waiting = None
        super().accept(listener)

    def set_accept_enabled(self, enabled):  # the run loop's call, each time round
        if enabled and self.full() and self.seen_waiting is not None:
            enabled = time.monotonic() - self.seen_waiting >= FULL_PAUSE
        super().set_accept_enabled(enabled)
