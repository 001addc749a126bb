"""What a scoped API token may do, and the per-token rate limit.

A token with no scopes keeps the full rights of its role. A scoped token is refused (403
insufficient_scope) outside its areas: `read` every GET (and scan look-ups), `stock-write`
movements, transits and counts, `orders` orders and purchase orders, `admin` everything. The
rate limit is a fixed window per token, shared by every worker process (SharedWindows).
"""
import fcntl
import os
import struct
import threading
import time

from flask import current_app, g, request

from warehouse_app.errors import DomainError, error_json

SCOPES = ("read", "stock-write", "orders", "admin")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY_WRITES = frozenset({"api_scan"})  # POSTs that look things up and change nothing
AREAS = {"stock-write": frozenset({"api_movements", "api_counts", "api_stock",
                                   "api_transits"}),
         "orders": frozenset({"api_orders", "api_purchase_orders", "api_integrations"})}
_lock = threading.Lock()


def parse_scopes(values) -> str:
    """The scopes as stored (space-separated, known, no repeats); refuses an unknown one."""
    names = []
    for value in values or ():
        for name in str(value).replace(",", " ").split():
            if name not in SCOPES:
                raise DomainError(f"Unknown scope {name}; known: {', '.join(SCOPES)}.",
                                  field="scopes")
            names.append(name)
    return " ".join(dict.fromkeys(names))


def allows(scopes: str, blueprint: str | None, method: str) -> bool:
    """Whether a token with these scopes may call this blueprint with this method."""
    granted = set(scopes.split())
    if not granted or "admin" in granted:
        return True
    if "read" in granted and (method in READ_METHODS or blueprint in READ_ONLY_WRITES):
        return True
    return any(blueprint in AREAS.get(name, ()) for name in granted)


def check_token() -> object | None:
    """Before an API call: refuse a token outside its scopes or over its rate."""
    if not request.path.startswith("/api/"):
        return None
    from flask_login import current_user
    current_user.is_authenticated  # noqa: B018  (runs the request loader, which sets g.api_token)
    token = g.get("api_token")
    if token is None:
        return None
    if wait := _over_limit(token.id):
        response, status = error_json(429, "rate_limited",
                                      f"Too many requests for this token; retry in {wait} s.")
        response.headers["Retry-After"] = str(wait)
        return response, status
    if not allows(token.scopes or "", request.blueprint, request.method):
        return error_json(403, "insufficient_scope",
                          f"This token's scopes ({token.scopes}) do not cover this call.")
    return None


def _over_limit(token_id: int) -> int:
    """Seconds to wait when this token used up its window, else 0."""
    limit = current_app.config.get("API_RATE_LIMIT", 600)
    window = current_app.config.get("API_RATE_WINDOW", 60)
    if not limit:
        return 0
    return _windows(current_app.instance_path).spend(token_id, limit, window, time.time())


class SharedWindows:
    """Fixed-window counters that every worker process of this instance shares.

    One small file in the instance folder, a 24-byte slot per token (its id, the window's
    start, the calls in it), read and written under an exclusive flock (and a thread lock:
    flock does not keep apart two threads of one process). About 10 µs a call. Workers on
    other machines keep their own files: behind a load balancer, N machines allow N x the
    limit.
    """

    SLOT = struct.Struct("<qdq")
    SLOTS = 65_536  # slot = id mod SLOTS; a token meeting another's slot starts it afresh

    def __init__(self, path: str):
        self.path, self.fd, self.pid = path, None, None

    def _file(self) -> int:
        if self.fd is None or self.pid != os.getpid():  # a forked worker opens its own
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            self.fd, self.pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
        return self.fd

    def spend(self, token_id: int, limit: int, window: int, now: float) -> int:
        """Count one call; seconds to wait instead when the window is used up."""
        offset = (token_id % self.SLOTS) * self.SLOT.size
        with _lock:
            fd = self._file()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                raw = os.pread(fd, self.SLOT.size, offset)
                owner, start, used = (self.SLOT.unpack(raw) if len(raw) == self.SLOT.size
                                      else (0, 0.0, 0))
                if owner != token_id or not start <= now < start + window:
                    start, used = now, 0
                if used >= limit:
                    return max(1, int(start + window - now + 0.999))
                os.pwrite(fd, self.SLOT.pack(token_id, start, used + 1), offset)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        return 0


_WINDOWS: dict[str, SharedWindows] = {}


def _windows(instance_path: str) -> SharedWindows:
    path = os.path.join(instance_path, "api-rate.bin")
    if path not in _WINDOWS:
        _WINDOWS[path] = SharedWindows(path)
    return _WINDOWS[path]
