"""gunicorn settings for `bench/http.py --lock`: warehouse_app/serving.py's, plus a watch on
SQLite's write queue (speed/writequeue.py). Each worker notes, for every writer, how long it
waited for the database's one write lock and how long it then held it (from BEGIN IMMEDIATE to
the end of COMMIT), and leaves the figures in $LOCKWATCH_DIR as it exits. Only for measuring.
"""
import json
import os
import time

from warehouse_app.serving import *  # noqa: F403  (workers, threads, worker class, pre_request)

_NOTES: list[tuple] = []  # (seconds waited, seconds held, asked, got, let go: perf_counter)


def post_fork(server, worker) -> None:
    from warehouse_app.speed.writequeue import WriteQueue
    acquire, release = WriteQueue.acquire, WriteQueue.release

    def timed_acquire(self, timeout: float) -> bool:
        asked = time.perf_counter()
        got = acquire(self, timeout)
        self.watched = (asked, time.perf_counter())
        return got

    def timed_release(self) -> None:
        asked, got = self.watched
        now = time.perf_counter()
        _NOTES.append((got - asked, now - got, asked, got, now))
        release(self)

    WriteQueue.acquire, WriteQueue.release = timed_acquire, timed_release


def worker_exit(server, worker) -> None:
    folder = os.environ.get("LOCKWATCH_DIR")
    if folder:
        with open(os.path.join(folder, f"{os.getpid()}.json"), "w") as out:
            json.dump(_NOTES, out)
