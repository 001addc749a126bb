"""What a scoped API token may do, and the per-token rate limit.

A token with no scopes keeps the full rights of its role. A scoped token is refused (403
insufficient_scope) outside its areas: `read` every GET (and scan look-ups), `stock-write`
movements and counts, `orders` orders and purchase orders, `admin` everything. The rate limit
is a fixed window counted in memory, per worker process: N workers allow up to N x the limit.
"""
import threading
import time

from flask import current_app, g, request

from warehouse_app.errors import DomainError, error_json

SCOPES = ("read", "stock-write", "orders", "admin")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY_WRITES = frozenset({"api_scan"})  # POSTs that look things up and change nothing
AREAS = {"stock-write": frozenset({"api_movements", "api_counts", "api_stock"}),
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
    counters = current_app.extensions.setdefault("api_rate", {})
    now = time.monotonic()
    with _lock:
        start, used = counters.get(token_id, (now, 0))
        if now - start >= window:
            start, used = now, 0
        if used >= limit:
            return max(1, int(start + window - now + 0.999))
        counters[token_id] = (start, used + 1)
    return 0
