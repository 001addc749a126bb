"""What a scoped API token may do, and the per-token rate limit.

A token with no scopes keeps the full rights of its role. A scoped token is refused (403
insufficient_scope) outside its areas: `read` every GET (and scan look-ups), `stock-write`
movements, transits and counts, `orders` orders and purchase orders, `admin` everything. The
rate limit is warehouse_app/ratelimit.py's.
"""
from flask import g, request

from warehouse_app.errors import DomainError, error_json

SCOPES = ("read", "stock-write", "orders", "admin")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY_WRITES = frozenset({"api_scan"})  # POSTs that look things up and change nothing
AREAS = {"stock-write": frozenset({"api_movements", "api_counts", "api_stock",
                                   "api_transits"}),
         "orders": frozenset({"api_orders", "api_purchase_orders", "api_integrations"})}


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
    """Before an API call: refuse a token outside its scopes."""
    if not request.path.startswith("/api/"):
        return None
    from flask_login import current_user
    current_user.is_authenticated  # noqa: B018  (runs the request loader, which sets g.api_token)
    token = g.get("api_token")
    if token is None:
        return None
    if not allows(token.scopes or "", request.blueprint, request.method):
        return error_json(403, "insufficient_scope",
                          f"This token's scopes ({token.scopes}) do not cover this call.")
    return None
