"""The rights of every API route in one table. Each row says the lowest role that may call the
route, the token scope that covers it, and what a caller kept to another warehouse gets when
the call names a thing of warehouse WH-A. From the row, the test works out the answer of every
caller and calls the route as each:

| caller                                   | expected answer                                     |
| ---------------------------------------- | --------------------------------------------------- |
| anonymous                                | 401                                                 |
| staff, supervisor, admin                 | 403 below the row's role, else past the rights      |
| a token of each scope (an admin's)       | 403 outside the scope, else past the rights         |
| a supervisor's token, user now staff     | what staff get                                      |
| an admin's token, user now staff         | what staff get                                      |
| an admin's token, user now deactivated   | 401                                                 |
| staff kept to WH-B                       | 403 below the row's role, else as the row's role    |
| the row's role kept to WH-B              | the row's third column (below)                      |
| the row's role kept to WH-A (the control)| past the rights and the warehouse (EVERY: refused)  |

"Past the rights" is any answer but 401 and 403 (200, 404, 409, 415, 422...). The third column:
SAME (not tied to a warehouse: as a caller of every warehouse), REFUSED (403 other_warehouse),
UNKNOWN (404, as if it did not exist), HIDDEN (200 without WH-A's thing, which the control
sees), BAD_ROWS (an import: 422 naming the row, nothing written), EVERY (it spans every
warehouse: 403 other_warehouse to any caller kept to some; an admin for the admin routes, a
token kept to WH-B). Callers kept to another warehouse change nothing.

A route without a row fails, a row without a route fails. Rights come before the body: a caller
without the role is refused before what they sent is read. Pages (the routes outside /api) are
tests/test_access_sweep.py's."""
import uuid

import pytest
from sqlalchemy import func, select

from warehouse_app.auth import warehouses
from warehouse_app.auth.models import Role
from warehouse_app.auth.users import create_token

S, V, A = "staff", "supervisor", "admin"
# The areas a scope covers (warehouse_app/auth/scopes.py): "read" covers every GET and the scan
# look-ups; "stock-write" the stock area; "orders" the orders area; "admin" everything.
STOCK, ORDERS, OTHER, LOOKUP = "stock", "orders", "other", "look-up"
# What a caller kept to another warehouse gets (see above).
SAME, REFUSED, UNKNOWN, HIDDEN, BAD_ROWS, EVERY = (
    "same", "refused", "unknown", "hidden", "bad_rows", "every")

ROUTES = {
    ("GET", "/api/v1/products"): (S, OTHER, SAME),
    ("POST", "/api/v1/products"): (V, OTHER, SAME),
    ("GET", "/api/v1/products/<path:sku>"): (S, OTHER, HIDDEN),
    ("PATCH", "/api/v1/products/<path:sku>"): (V, OTHER, SAME),
    ("POST", "/api/v1/products/import"): (V, OTHER, SAME),
    ("GET", "/api/v1/locations"): (S, OTHER, HIDDEN),
    ("POST", "/api/v1/locations"): (V, OTHER, REFUSED),
    ("GET", "/api/v1/locations/<path:code>"): (S, OTHER, REFUSED),
    ("PATCH", "/api/v1/locations/<path:code>"): (V, OTHER, REFUSED),
    ("POST", "/api/v1/locations/import"): (V, OTHER, BAD_ROWS),
    ("POST", "/api/v1/stock/import"): (V, OTHER, BAD_ROWS),
    ("GET", "/api/v1/stock"): (S, STOCK, REFUSED),
    ("POST", "/api/v1/movements"): (S, STOCK, REFUSED),
    ("GET", "/api/v1/movements"): (S, STOCK, HIDDEN),
    ("GET", "/api/v1/movements/<int:movement_id>"): (S, STOCK, UNKNOWN),
    ("POST", "/api/v1/movements/<int:movement_id>/reverse"): (V, STOCK, UNKNOWN),
    ("POST", "/api/v1/transits"): (S, STOCK, REFUSED),
    ("GET", "/api/v1/transits"): (S, STOCK, HIDDEN),
    ("GET", "/api/v1/transits/<code>"): (S, STOCK, REFUSED),
    ("POST", "/api/v1/transits/<code>/receive"): (S, STOCK, REFUSED),
    ("GET", "/api/v1/counts"): (S, STOCK, HIDDEN),
    ("POST", "/api/v1/counts"): (V, STOCK, REFUSED),
    ("GET", "/api/v1/counts/proposals"): (V, STOCK, HIDDEN),
    ("GET", "/api/v1/counts/<int:count_id>"): (S, STOCK, REFUSED),
    ("POST", "/api/v1/counts/<int:count_id>/lines"): (S, STOCK, REFUSED),
    ("POST", "/api/v1/counts/<int:count_id>/bins/<location>/close"): (S, STOCK, REFUSED),
    ("POST", "/api/v1/counts/<int:count_id>/submit"): (S, STOCK, REFUSED),
    ("POST", "/api/v1/counts/<int:count_id>/approve"): (V, STOCK, REFUSED),
    ("POST", "/api/v1/counts/<int:count_id>/reject"): (V, STOCK, REFUSED),
    ("POST", "/api/v1/counts/<int:count_id>/recount"): (V, STOCK, REFUSED),
    ("POST", "/api/v1/scan/resolve"): (S, LOOKUP, REFUSED),
    ("POST", "/api/v1/scan/decode"): (S, LOOKUP, SAME),
    ("POST", "/api/v1/orders"): (S, ORDERS, REFUSED),
    ("GET", "/api/v1/orders"): (S, ORDERS, HIDDEN),
    ("GET", "/api/v1/orders/<reference>"): (S, ORDERS, REFUSED),
    ("POST", "/api/v1/orders/<reference>/confirm"): (S, ORDERS, REFUSED),
    ("POST", "/api/v1/orders/<reference>/cancel"): (S, ORDERS, REFUSED),
    ("GET", "/api/v1/orders/<reference>/picklist"): (S, ORDERS, REFUSED),
    ("POST", "/api/v1/orders/<reference>/ship"): (S, ORDERS, REFUSED),
    ("POST", "/api/v1/orders/<reference>/route"): (V, ORDERS, REFUSED),
    ("POST", "/api/v1/orders/<reference>/picks"): (S, ORDERS, REFUSED),
    ("POST", "/api/v1/orders/<reference>/shortages"): (S, ORDERS, REFUSED),
    ("GET", "/api/v1/purchase-orders"): (S, ORDERS, HIDDEN),
    ("POST", "/api/v1/purchase-orders"): (V, ORDERS, REFUSED),
    ("GET", "/api/v1/purchase-orders/<reference>"): (S, ORDERS, REFUSED),
    ("POST", "/api/v1/purchase-orders/<reference>/close"): (V, ORDERS, REFUSED),
    ("POST", "/api/v1/purchase-orders/<reference>/receipts"): (S, ORDERS, REFUSED),
    ("POST", "/api/v1/purchase-orders/discrepancies/<int:discrepancy_id>/accept"):
        (V, ORDERS, REFUSED),
    ("POST", "/api/v1/purchase-orders/discrepancies/<int:discrepancy_id>/dismiss"):
        (V, ORDERS, REFUSED),
    ("GET", "/api/v1/exports/journal.csv"): (V, ORDERS, EVERY),
    ("GET", "/api/v1/exports/shipments"): (V, ORDERS, HIDDEN),
    ("POST", "/api/v1/shipments/tracking"): (V, ORDERS, REFUSED),
    ("GET", "/api/v1/alerts"): (V, OTHER, HIDDEN),
    ("POST", "/api/v1/alerts/<int:alert_id>/ack"): (V, OTHER, REFUSED),
    ("GET", "/api/v1/reports/<name>"): (V, OTHER, HIDDEN),
    ("GET", "/api/v1/webhooks"): (A, OTHER, EVERY),
    ("POST", "/api/v1/webhooks"): (A, OTHER, EVERY),
    ("PATCH", "/api/v1/webhooks/<int:endpoint_id>"): (A, OTHER, EVERY),
    ("GET", "/api/v1/webhooks/<int:endpoint_id>/deliveries"): (A, OTHER, EVERY),
    ("GET", "/api/v1/labels/<any(products, bins, signs, receipts):kind>.<any(pdf, zpl):fmt>"):
        (S, OTHER, REFUSED),
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
    """A bearer header for each role's token, for an admin's token of each scope, for the old
    tokens of a supervisor and an admin who are staff now, and of an admin deactivated."""
    heads = {}
    admin = None
    for role in (S, V, A):
        user = make_user(f"{role}-{uuid.uuid4().hex[:6]}", role)
        admin = user if role == A else admin
        heads[role] = create_token(f"t-{role}-{uuid.uuid4().hex[:6]}", user)[1]
    for scope in ("read", "stock-write", "orders"):
        heads[scope] = create_token(f"s-{scope}-{uuid.uuid4().hex[:6]}", admin, None,
                                    [scope])[1]
    for role in (V, A):
        user = make_user(f"was-{role}-{uuid.uuid4().hex[:6]}", role)
        heads[f"demoted {role}"] = create_token(f"d-{role}-{uuid.uuid4().hex[:6]}", user)[1]
        user.role = Role.STAFF  # as `users set-role NAME staff` leaves it
    gone = make_user(f"gone-{uuid.uuid4().hex[:6]}", A)
    heads["deactivated"] = create_token(f"g-{uuid.uuid4().hex[:6]}", gone)[1]
    gone.active = False  # as `users deactivate NAME` leaves it
    db.session.commit()
    return {name: {"Authorization": f"Bearer {secret}"} for name, secret in heads.items()}


def test_every_api_route_has_a_row_and_every_row_a_route(app):
    rules = set(api_rules(app))
    assert rules - set(ROUTES) == set(), "routes without a row in ROUTES: add their rights"
    assert set(ROUTES) - rules == set(), "rows of routes that are gone"
    kept = {(m, r) for (m, r), (_, _, where) in ROUTES.items() if where != SAME}
    assert kept - set(CALLS) == set(), "rows tied to a warehouse need a call in CALLS"
    assert set(CALLS) - kept == set(), "calls of rows that are not tied to a warehouse"


def expected(method: str, row) -> dict[str, int | None]:
    """The answer of each caller not kept to a warehouse (None: past the rights)."""
    row_role, area, _ = row
    want = {"anonymous": 401}
    for role in (S, V, A):
        want[role] = None if allowed(role, row_role) else 403
    for scope in ("read", "stock-write", "orders"):
        want[scope] = None if covers(scope, method, area) else 403
    for role in (V, A):
        want[f"demoted {role}"] = want[S]  # the role of the moment, not the token's birth
    want["deactivated"] = 401
    return want


def test_every_api_route_answers_each_caller_as_its_row_says(app, client, callers):
    wrong = []
    for (method, rule), url in sorted(api_rules(app).items()):
        body = {} if method != "GET" else None
        for caller, want in expected(method, ROUTES[(method, rule)]).items():
            headers = callers.get(caller, {})
            got = client.open(url, method=method, headers=headers, json=body).status_code
            if want is None and got in (401, 403) or want is not None and got != want:
                wrong.append((method, rule, caller, want or "past the rights", got))
    assert wrong == [], "\n".join(map(str, wrong))


# Calls naming a thing of WH-A, for every row tied to a warehouse: url, body (JSON, or CSV
# text), and for HIDDEN the text that names WH-A's thing in the answer (A-3 where staff would
# not see A-1's books: A-1 is under a blind count).
CSV = "text/csv"
CALLS = {
    ("GET", "/api/v1/products/<path:sku>"): ("/api/v1/products/P-1", None, "A-3"),
    ("GET", "/api/v1/locations"): ("/api/v1/locations?per_page=200", None, "A-1"),
    ("POST", "/api/v1/locations"): ("/api/v1/locations",
                                    {"code": "A-9", "kind": "bin", "parent": "WH-A"}, None),
    ("GET", "/api/v1/locations/<path:code>"): ("/api/v1/locations/A-1", None, None),
    ("PATCH", "/api/v1/locations/<path:code>"): ("/api/v1/locations/A-1", {"name": "x"}, None),
    ("POST", "/api/v1/locations/import"): ("/api/v1/locations/import",
                                           (CSV, "code,kind,parent\nA-8,bin,WH-A\n"), None),
    ("POST", "/api/v1/stock/import"): ("/api/v1/stock/import",
                                       (CSV, "sku,location,qty\nP-1,A-1,1\n"), None),
    ("GET", "/api/v1/stock"): ("/api/v1/stock?location=A-1", None, None),
    ("POST", "/api/v1/movements"): ("/api/v1/movements", {
        "kind": "receive", "sku": "P-1", "qty": 1, "to_location": "A-1"}, None),
    ("GET", "/api/v1/movements"): ("/api/v1/movements", None, "A-3"),
    ("GET", "/api/v1/movements/<int:movement_id>"): ("/api/v1/movements/{receipt}", None, None),
    ("POST", "/api/v1/movements/<int:movement_id>/reverse"):
        ("/api/v1/movements/{receipt}/reverse", {}, None),
    ("POST", "/api/v1/transits"): ("/api/v1/transits", {
        "sku": "P-1", "qty": 1, "from_location": "A-1", "to_warehouse": "WH-C"}, None),
    ("GET", "/api/v1/transits"): ("/api/v1/transits", None, "{transit}"),
    ("GET", "/api/v1/transits/<code>"): ("/api/v1/transits/{transit}", None, None),
    ("POST", "/api/v1/transits/<code>/receive"): ("/api/v1/transits/{transit}/receive",
                                                  {"location": "A-2"}, None),
    ("GET", "/api/v1/counts"): ("/api/v1/counts", None, "{count_ref}"),
    ("POST", "/api/v1/counts"): ("/api/v1/counts", {"locations": ["A-2"]}, None),
    ("GET", "/api/v1/counts/proposals"): ("/api/v1/counts/proposals", None, "A-3"),
    ("GET", "/api/v1/counts/<int:count_id>"): ("/api/v1/counts/{count}", None, None),
    ("POST", "/api/v1/counts/<int:count_id>/lines"): ("/api/v1/counts/{count}/lines", {
        "sku": "P-1", "location": "A-1", "counted_qty": 10}, None),
    ("POST", "/api/v1/counts/<int:count_id>/bins/<location>/close"):
        ("/api/v1/counts/{count}/bins/A-1/close", {}, None),
    ("POST", "/api/v1/counts/<int:count_id>/submit"): ("/api/v1/counts/{count}/submit", {}, None),
    ("POST", "/api/v1/counts/<int:count_id>/approve"): ("/api/v1/counts/{count}/approve", {},
                                                        None),
    ("POST", "/api/v1/counts/<int:count_id>/reject"): ("/api/v1/counts/{count}/reject",
                                                       {"note": "no"}, None),
    ("POST", "/api/v1/counts/<int:count_id>/recount"): ("/api/v1/counts/{count}/recount",
                                                        {"note": "again"}, None),
    ("POST", "/api/v1/scan/resolve"): ("/api/v1/scan/resolve", {"code": "A-1"}, None),
    ("POST", "/api/v1/orders"): ("/api/v1/orders", {
        "reference": "SO-X", "warehouse": "WH-A", "lines": [{"sku": "P-1", "qty": 1}]}, None),
    ("GET", "/api/v1/orders"): ("/api/v1/orders", None, "SO-A"),
    ("GET", "/api/v1/orders/<reference>"): ("/api/v1/orders/SO-A", None, None),
    ("POST", "/api/v1/orders/<reference>/confirm"): ("/api/v1/orders/SO-A/confirm", None, None),
    ("POST", "/api/v1/orders/<reference>/cancel"): ("/api/v1/orders/SO-A/cancel", None, None),
    ("GET", "/api/v1/orders/<reference>/picklist"): ("/api/v1/orders/SO-A/picklist", None, None),
    ("POST", "/api/v1/orders/<reference>/ship"): ("/api/v1/orders/SO-A/ship", {
        "carrier": "DHL", "tracking": "1"}, None),
    ("POST", "/api/v1/orders/<reference>/route"): ("/api/v1/orders/SO-A/route",
                                                   {"warehouse": "WH-A"}, None),
    ("POST", "/api/v1/orders/<reference>/picks"): ("/api/v1/orders/SO-A/picks", {
        "line": "{line}", "location": "A-1", "code": "P-1", "qty": 1}, None),
    ("POST", "/api/v1/orders/<reference>/shortages"): ("/api/v1/orders/SO-A/shortages", {
        "line": "{line}", "location": "A-1", "qty": 1}, None),
    ("GET", "/api/v1/purchase-orders"): ("/api/v1/purchase-orders", None, "PO-A"),
    ("POST", "/api/v1/purchase-orders"): ("/api/v1/purchase-orders", {
        "reference": "PO-X", "supplier": "Acme", "warehouse": "WH-A",
        "lines": [{"sku": "P-1", "qty": 1}]}, None),
    ("GET", "/api/v1/purchase-orders/<reference>"): ("/api/v1/purchase-orders/PO-A", None, None),
    ("POST", "/api/v1/purchase-orders/<reference>/close"):
        ("/api/v1/purchase-orders/PO-A/close", None, None),
    ("POST", "/api/v1/purchase-orders/<reference>/receipts"):
        ("/api/v1/purchase-orders/PO-A/receipts", {"code": "P-1", "location": "A-1", "qty": 1},
         None),
    ("POST", "/api/v1/purchase-orders/discrepancies/<int:discrepancy_id>/accept"):
        ("/api/v1/purchase-orders/discrepancies/{held}/accept", {"sku": "P-1"}, None),
    ("POST", "/api/v1/purchase-orders/discrepancies/<int:discrepancy_id>/dismiss"):
        ("/api/v1/purchase-orders/discrepancies/{held}/dismiss", None, None),
    ("GET", "/api/v1/exports/journal.csv"):
        ("/api/v1/exports/journal.csv?from=2000-01-01&to=2099-12-31", None, None),
    ("GET", "/api/v1/exports/shipments"): ("/api/v1/exports/shipments", None, "SO-P"),
    ("POST", "/api/v1/shipments/tracking"): ("/api/v1/shipments/tracking", {
        "rows": [{"reference": "SO-A", "carrier": "DHL", "tracking": "1"}]}, None),
    ("GET", "/api/v1/alerts"): ("/api/v1/alerts", None, "A-1"),
    ("POST", "/api/v1/alerts/<int:alert_id>/ack"): ("/api/v1/alerts/{alert}/ack", None, None),
    ("GET", "/api/v1/reports/<name>"): ("/api/v1/reports/valuation", None, "WH-A"),
    ("GET", "/api/v1/webhooks"): ("/api/v1/webhooks", None, None),
    ("POST", "/api/v1/webhooks"): ("/api/v1/webhooks", {"url": "https://93.184.216.34/w"},
                                   None),
    ("PATCH", "/api/v1/webhooks/<int:endpoint_id>"): ("/api/v1/webhooks/{hook}",
                                                      {"active": False}, None),
    ("GET", "/api/v1/webhooks/<int:endpoint_id>/deliveries"):
        ("/api/v1/webhooks/{hook}/deliveries", None, None),
    ("GET", "/api/v1/labels/<any(products, bins, signs, receipts):kind>.<any(pdf, zpl):fmt>"):
        ("/api/v1/labels/bins.pdf?location=A-1", None, None),
}


@pytest.fixture
def world(client, db, make_location, make_product, stock, make_user):
    """Warehouses WH-A (bins A-1, A-2, A-3), WH-B (B-1), WH-C (C-1), each thing a route can
    name in WH-A, and bearer headers for each role kept to WH-A, to WH-B, and to none."""
    from warehouse_app.insight import alerts
    from warehouse_app.integrations import webhooks
    from warehouse_app.ledger.models import CountRequest
    from warehouse_app.orders.models import Order, OrderStatus
    a, b, c = (make_location(code, "warehouse") for code in ("WH-A", "WH-B", "WH-C"))
    a1, a2, a3 = (make_location(code, parent=a) for code in ("A-1", "A-2", "A-3"))
    make_location("B-1", parent=b)
    c1 = make_location("C-1", parent=c)
    p = make_product("P-1")
    w = {"receipt": stock(p, a1, 10).id}
    stock(p, a3, 5)
    stock(p, c1, 5)
    root = make_user("root", A)
    boss = {"Authorization": f"Bearer {create_token('boss', root)[1]}"}
    db.session.add(CountRequest(location_id=a3.id, product_id=p.id, reason="Short pick"))
    w["alert"] = alerts.count_discrepancy(p, a1, 10, 7, "C-A").id
    w["hook"] = webhooks.create_endpoint("https://93.184.216.34/hook").id
    db.session.commit()

    def made(method, url, body):
        response = client.open(url, method=method, headers=boss, json=body)
        assert response.status_code in (201, 202), (url, response.get_json())
        return response.json
    order = made("POST", "/api/v1/orders", {"reference": "SO-A", "warehouse": "WH-A",
                                            "lines": [{"sku": "P-1", "qty": 1}]})
    w["line"] = order["lines"][0]["line_id"]
    made("POST", "/api/v1/orders", {"reference": "SO-P", "warehouse": "WH-A",
                                    "lines": [{"sku": "P-1", "qty": 1}]})
    packed = db.session.scalar(select(Order).where(Order.reference == "SO-P"))
    packed.status = OrderStatus.PACKED  # waiting for a carrier: what the shipments export lists
    count = made("POST", "/api/v1/counts", {"locations": ["A-1"]})
    w["count"], w["count_ref"] = count["id"], count["reference"]
    made("POST", "/api/v1/purchase-orders", {"reference": "PO-A", "supplier": "Acme",
                                             "warehouse": "WH-A",
                                             "lines": [{"sku": "P-1", "qty": 5}]})
    w["held"] = made("POST", "/api/v1/purchase-orders/PO-A/receipts", {
        "code": "NO-SUCH", "location": "A-2", "qty": 1})["discrepancy"]["id"]
    w["transit"] = made("POST", "/api/v1/transits", {
        "sku": "P-1", "qty": 1, "from_location": "C-1", "to_warehouse": "WH-A"})["code"]
    heads = {}
    for role in (S, V, A):
        for where in ("WH-A", "WH-B", None):
            user = make_user(f"{role}-{where or 'all'}".lower(), role)
            token, secret = create_token(f"t-{role}-{where}", user)
            if where:  # an admin user is never kept: an admin's token is
                (warehouses.keep_token(token, [where]) if role == A
                 else warehouses.keep_user(user, [where]))
            heads[(role, where)] = {"Authorization": f"Bearer {secret}"}
    db.session.commit()
    return w, heads


def state(db) -> dict:
    """What a refused caller must leave as it was."""
    from warehouse_app.counting.models import Count
    from warehouse_app.insight.models import Alert
    from warehouse_app.integrations.models import WebhookEndpoint
    from warehouse_app.ledger.models import Movement, Transit
    from warehouse_app.locations.models import Location
    from warehouse_app.orders.models import Discrepancy, Order, PurchaseOrder
    db.session.commit()
    db.session.expire_all()
    seen = {"movements": db.session.scalar(select(func.count()).select_from(Movement))}
    for model, column in ((Order, "status"), (PurchaseOrder, "status"), (Count, "status"),
                          (Discrepancy, "status"), (Transit, "status"),
                          (Alert, "acknowledged_at"), (WebhookEndpoint, "active"),
                          (Location, "name")):
        seen[model.__name__] = sorted(str(getattr(row, column))
                                      for row in db.session.scalars(select(model)))
    return seen


def call(client, method, url, body, headers):
    if isinstance(body, tuple):
        return client.open(url, method=method, headers=headers, data=body[1],
                           content_type=body[0])
    return client.open(url, method=method, headers=headers, json=body)


def test_every_api_route_answers_callers_of_other_warehouses_as_its_row_says(app, client, db,
                                                                             world):
    w, heads = world
    plain = {k: str(v) for k, v in w.items()}
    urls = api_rules(app)

    def fill(value):
        if isinstance(value, str):
            filled = value.format(**plain)
            return int(filled) if value == "{line}" else filled
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    def the_call(key):
        method = key[0]
        if key in CALLS:
            url, body, marker = CALLS[key]
            return fill(url), fill(body), marker and fill(marker)
        return urls[key], ({} if method != "GET" else None), None

    wrong = []
    before = state(db)
    for key in sorted(ROUTES):
        method, rule = key
        row_role, _, where = ROUTES[key]
        url, body, marker = the_call(key)
        got = call(client, method, url, body, heads[(row_role, "WH-B")])
        code = (got.get_json(silent=True) or {}).get("error", {}).get("code")
        text = got.get_data().decode(errors="replace")
        if where == SAME:
            same = call(client, method, url, body, heads[(row_role, None)]).status_code
            ok = got.status_code == same and got.status_code not in (401, 403)
        elif where in (REFUSED, EVERY):
            ok = got.status_code == 403 and code == "other_warehouse"
        elif where == UNKNOWN:
            ok = got.status_code == 404
        elif where == HIDDEN:
            ok = got.status_code == 200 and marker not in text
        else:
            ok = got.status_code == 422 and code == "bad_rows"
        if not ok:
            wrong.append((method, rule, f"{row_role} of WH-B", where, got.status_code, text[:200]))
        staff = call(client, method, url, body, heads[(S, "WH-B")])
        if row_role != S and staff.status_code != 403:
            wrong.append((method, rule, "staff of WH-B", 403, staff.status_code))
    assert wrong == [], "\n".join(map(str, wrong))
    assert state(db) == before, "a caller of another warehouse changed something"
    for key in sorted(ROUTES):  # the control: the same calls by callers of WH-A
        method, rule = key
        row_role, _, where = ROUTES[key]
        if where == SAME:
            continue
        url, body, marker = the_call(key)
        got = call(client, method, url, body, heads[(row_role, "WH-A")])
        text = got.get_data().decode(errors="replace")
        if where == EVERY:
            ok = got.status_code == 403 and "other_warehouse" in text
            ok = ok and call(client, method, url, body,
                             heads[(row_role, None)]).status_code not in (401, 403)
        elif where == HIDDEN:
            ok = got.status_code == 200 and marker in text
        else:
            ok = got.status_code not in (401, 403, 404)
        if not ok:
            wrong.append((method, rule, f"{row_role} of WH-A", where, got.status_code, text[:200]))
    assert wrong == [], "\n".join(map(str, wrong))
