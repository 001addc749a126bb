"""The rights of every API route in one table: the lowest role that may call it and the token
scope that covers it. The test walks the URL map: a route without a row fails, a row without a
route fails, and each route is called by anonymous, staff, supervisor and admin tokens and by a
token of each scope (an admin's, so that only the scope decides). The expected answer is 401
for anonymous, 403 below the row's role or outside the token's scope, and anything else (the
call got past the rights: 200, 404, 415, 422...) otherwise. Rights come before the body: a caller
without them is refused before what they sent is read.

Tokens of a demoted or deactivated user and staff of another warehouse are
tests/test_rights_matrix.py's."""
import uuid

import pytest

from warehouse_app.auth.models import Role
from warehouse_app.auth.users import create_token

S, V, A = "staff", "supervisor", "admin"
# The areas a scope covers (warehouse_app/auth/scopes.py): "read" covers every GET and the scan
# look-ups; "stock-write" the stock area; "orders" the orders area; "admin" everything.
STOCK, ORDERS, OTHER, LOOKUP = "stock", "orders", "other", "look-up"

ROUTES = {
    ("GET", "/api/v1/products"): (S, OTHER),
    ("POST", "/api/v1/products"): (V, OTHER),
    ("GET", "/api/v1/products/<path:sku>"): (S, OTHER),
    ("PATCH", "/api/v1/products/<path:sku>"): (V, OTHER),
    ("POST", "/api/v1/products/import"): (V, OTHER),
    ("GET", "/api/v1/locations"): (S, OTHER),
    ("POST", "/api/v1/locations"): (V, OTHER),
    ("GET", "/api/v1/locations/<path:code>"): (S, OTHER),
    ("PATCH", "/api/v1/locations/<path:code>"): (V, OTHER),
    ("POST", "/api/v1/locations/import"): (V, OTHER),
    ("POST", "/api/v1/stock/import"): (V, OTHER),
    ("GET", "/api/v1/stock"): (S, STOCK),
    ("POST", "/api/v1/movements"): (S, STOCK),
    ("GET", "/api/v1/movements"): (S, STOCK),
    ("GET", "/api/v1/movements/<int:movement_id>"): (S, STOCK),
    ("POST", "/api/v1/movements/<int:movement_id>/reverse"): (V, STOCK),
    ("POST", "/api/v1/transits"): (S, STOCK),
    ("GET", "/api/v1/transits"): (S, STOCK),
    ("GET", "/api/v1/transits/<code>"): (S, STOCK),
    ("POST", "/api/v1/transits/<code>/receive"): (S, STOCK),
    ("GET", "/api/v1/counts"): (S, STOCK),
    ("POST", "/api/v1/counts"): (V, STOCK),
    ("GET", "/api/v1/counts/proposals"): (V, STOCK),
    ("GET", "/api/v1/counts/<int:count_id>"): (S, STOCK),
    ("POST", "/api/v1/counts/<int:count_id>/lines"): (S, STOCK),
    ("POST", "/api/v1/counts/<int:count_id>/bins/<location>/close"): (S, STOCK),
    ("POST", "/api/v1/counts/<int:count_id>/submit"): (S, STOCK),
    ("POST", "/api/v1/counts/<int:count_id>/approve"): (V, STOCK),
    ("POST", "/api/v1/counts/<int:count_id>/reject"): (V, STOCK),
    ("POST", "/api/v1/counts/<int:count_id>/recount"): (V, STOCK),
    ("POST", "/api/v1/scan/resolve"): (S, LOOKUP),
    ("POST", "/api/v1/scan/decode"): (S, LOOKUP),
    ("POST", "/api/v1/orders"): (S, ORDERS),
    ("GET", "/api/v1/orders"): (S, ORDERS),
    ("GET", "/api/v1/orders/<reference>"): (S, ORDERS),
    ("POST", "/api/v1/orders/<reference>/confirm"): (S, ORDERS),
    ("POST", "/api/v1/orders/<reference>/cancel"): (S, ORDERS),
    ("GET", "/api/v1/orders/<reference>/picklist"): (S, ORDERS),
    ("POST", "/api/v1/orders/<reference>/ship"): (S, ORDERS),
    ("POST", "/api/v1/orders/<reference>/route"): (V, ORDERS),
    ("POST", "/api/v1/orders/<reference>/picks"): (S, ORDERS),
    ("POST", "/api/v1/orders/<reference>/shortages"): (S, ORDERS),
    ("GET", "/api/v1/purchase-orders"): (S, ORDERS),
    ("POST", "/api/v1/purchase-orders"): (V, ORDERS),
    ("GET", "/api/v1/purchase-orders/<reference>"): (S, ORDERS),
    ("POST", "/api/v1/purchase-orders/<reference>/close"): (V, ORDERS),
    ("POST", "/api/v1/purchase-orders/<reference>/receipts"): (S, ORDERS),
    ("POST", "/api/v1/purchase-orders/discrepancies/<int:discrepancy_id>/accept"): (V, ORDERS),
    ("POST", "/api/v1/purchase-orders/discrepancies/<int:discrepancy_id>/dismiss"): (V, ORDERS),
    ("GET", "/api/v1/exports/journal.csv"): (V, ORDERS),
    ("GET", "/api/v1/exports/shipments"): (V, ORDERS),
    ("POST", "/api/v1/shipments/tracking"): (V, ORDERS),
    ("GET", "/api/v1/alerts"): (V, OTHER),
    ("POST", "/api/v1/alerts/<int:alert_id>/ack"): (V, OTHER),
    ("GET", "/api/v1/reports/<name>"): (V, OTHER),
    ("GET", "/api/v1/webhooks"): (A, OTHER),
    ("POST", "/api/v1/webhooks"): (A, OTHER),
    ("PATCH", "/api/v1/webhooks/<int:endpoint_id>"): (A, OTHER),
    ("GET", "/api/v1/webhooks/<int:endpoint_id>/deliveries"): (A, OTHER),
    ("GET", "/api/v1/labels/<any(products, bins, signs, receipts):kind>.<any(pdf, zpl):fmt>"):
        (S, OTHER),
}
SCOPE_AREAS = {"stock-write": STOCK, "orders": ORDERS}
OPEN_API = {"/api/v1/openapi.json", "/api/v1/docs"}  # the document and its page: no data


def api_rules(app) -> dict[tuple[str, str], str]:
    """(method, rule) -> a URL to call, for every API route of the URL map."""
    found = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule in OPEN_API:
            continue
        url = rule.rule
        url = (url.replace("<path:sku>", "NOPE").replace("<path:code>", "NOPE")
               .replace("<reference>", "NOPE").replace("<code>", "NOPE")
               .replace("<location>", "NOPE").replace("<name>", "valuation"))
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "999999")
        url = url.replace("<any(products, bins, signs, receipts):kind>.<any(pdf, zpl):fmt>",
                          "products.pdf")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found[(method, rule.rule)] = url
    return found


def allowed(role: str, row_role: str) -> bool:
    return Role(role) >= Role(row_role)


def covers(scope: str, method: str, area: str) -> bool:
    if scope == "read":
        return method == "GET" or area == LOOKUP
    return SCOPE_AREAS[scope] == area


@pytest.fixture
def callers(db, make_user):
    """A bearer header for each role's token, and for an admin's token of each scope."""
    heads = {}
    admin = None
    for role in (S, V, A):
        user = make_user(f"{role}-{uuid.uuid4().hex[:6]}", role)
        admin = user if role == A else admin
        heads[role] = create_token(f"t-{role}-{uuid.uuid4().hex[:6]}", user)[1]
    for scope in ("read", "stock-write", "orders"):
        heads[scope] = create_token(f"s-{scope}-{uuid.uuid4().hex[:6]}", admin, None,
                                    [scope])[1]
    db.session.commit()
    return {name: {"Authorization": f"Bearer {secret}"} for name, secret in heads.items()}


def test_every_api_route_has_a_row_and_every_row_a_route(app):
    rules = set(api_rules(app))
    assert rules - set(ROUTES) == set(), "routes without a row in ROUTES: add their rights"
    assert set(ROUTES) - rules == set(), "rows of routes that are gone"


def test_every_api_route_answers_each_caller_as_its_row_says(app, client, callers):
    wrong = []
    for (method, rule), url in sorted(api_rules(app).items()):
        row_role, area = ROUTES[(method, rule)]
        body = {} if method != "GET" else None
        expected = {"anonymous": 401}
        for role in (S, V, A):
            expected[role] = None if allowed(role, row_role) else 403
        for scope in ("read", "stock-write", "orders"):
            expected[scope] = None if covers(scope, method, area) else 403
        for caller, want in expected.items():
            headers = callers.get(caller, {})
            got = client.open(url, method=method, headers=headers, json=body).status_code
            if want is None and got in (401, 403) or want is not None and got != want:
                wrong.append((method, rule, caller, want or "past the rights", got))
    assert wrong == []
