"""The app's Flask class, remembering ensure_sync(): the one piece of the speed machinery on
every database (it is not about SQLite). Paired runs of bench/http.py --roads (8 pairs, SQLite):
the API's p95 11 % lower with it, throughput 8 % higher (docs/performance.md)."""
from flask import Flask


class App(Flask):
    """Flask, remembering ensure_sync(): for every hook and view of every request Flask asks
    whether it is a coroutine function (13 times a scan), and the answer never changes."""

    SYNCED_MAX = 512  # per-request callbacks (after_this_request) are new each time: not kept

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._synced: dict = {}

    def ensure_sync(self, func):
        try:
            return self._synced[func]
        except KeyError:
            synced = super().ensure_sync(func)
            if len(self._synced) < self.SYNCED_MAX:
                self._synced[func] = synced
            return synced
        except TypeError:  # unhashable
            return super().ensure_sync(func)
