"""Hostile text everywhere a user can type it, and on every page that shows it.

Stored: XSS payloads in every free-text field (product name, description, category, supplier,
variants, location names, lot, movement note and reference, order customer and address, PO
supplier, a scanned unknown code, count note, override note, webhook URL, token name, username,
full name; a SKU and a bin code that are themselves markup). Every GET page is fetched (routes
enumerated from app.url_map) and must show them escaped, never raw; labels come as HTML, PDF and
ZPL without a crash. Reflected: the same payloads in every query parameter of every page.
SQL-looking strings go into every search box, SKU and code: no 5xx, no extra rows, tables whole.
"""
import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from tests.hostile.conftest import (
    FIELDS,
    ODD,
    SQL,
    XSS,
    last_crash,
    log_in,
    route_urls,
    row_counts,
    texts,
)

HOSTILE_SKU = '"><script>alert(1)<!--'  # no space: a SKU may not have one
HOSTILE_CODE = '"><SCRIPT>ALERT(2)<!--'  # bin codes are upper-cased; one namespace with SKUs
HOSTILE_USER = "<script>alert(1)</script>"
RAW = ["<script>alert(1)", "<SCRIPT>ALERT(2)", "<img src=x onerror", "<svg onload",
       "ssti49ssti"]  # markup that must never reach a page as markup; SSTI evaluated
SHOWN = ["&lt;script&gt;alert(1)", "&lt;SCRIPT&gt;ALERT(2)", "&lt;img src=x onerror",
         "&lt;svg onload", "ssti{{7*7}}ssti"]  # how they look when escaped
JS_URL = re.compile(r"""(?:href|src|action|formaction|poster|data|xlink:href)\s*=\s*["']?\s*"""
                    r"""javascript:""", re.IGNORECASE)
PARAMS = ["q", "code", "bin", "kind", "show", "entity", "id", "report", "since", "until", "sku",
          "location", "category", "reference", "movement", "po", "template", "next", "parent",
          "within", "from", "to", "all", "from_location", "to_location", "copies", "skip",
          "per", "case", "symbology", "price", "arrow", "format", "lot", "expiry", "qty",
          "note", "warehouse", "page", "days", "weeks", "service_level", "top"]


# Markup payloads in turn; a category path splits at ">", so it gets the javascript: URL.
TEXT = {**texts([p for p in XSS if not p.startswith("javascript:")], FIELDS),
        "category": "javascript:alert(1)"}


@pytest.fixture
def hostile(world):
    return world(TEXT, sku=HOSTILE_SKU, code=HOSTILE_CODE, username=HOSTILE_USER)


def page_urls(app, w: dict) -> list[str]:
    """Every page: each GET route, its URL arguments filled from the world."""
    return [url for _, url in route_urls(app, w, "GET")]


def extra_urls(w: dict, text: dict) -> list[str]:
    """Pages that show more with a query: look-ups, searches, label jobs, reports."""
    labels = {"sku": ["P-1", w["sku"]], "price": "1"}
    receipt = {"reference": text["reference"]}
    return [
        *[f"/lookup?{urlencode({'code': c})}" for c in
          ("P-1", w["sku"], "B-1", "WH1", w["code"], "4006381333931", "Z-1")],
        "/products/?q=P", "/products/?all=1", "/locations/?q=B", "/orders/?show=all",
        "/orders/purchase/?all=1", "/insight/alerts?kind=low_stock", "/audit/?entity=product",
        "/insight/?q=P", "/counting/reports?report=users", f"/counting/{w['count']}?bin=B-1",
        f"/counting/{w['rejected']}/review", f"/counting/{w['rejected']}",
        "/labels/?kind=products", "/labels/?kind=receipts",
        f"/labels/products.html?{urlencode(labels, doseq=True)}",
        f"/labels/products.pdf?{urlencode(labels, doseq=True)}",
        f"/labels/products.zpl?{urlencode({**labels, 'template': 'thermal-2x1'}, doseq=True)}",
        f"/labels/products.html?{urlencode({'category': text['category']})}",
        "/labels/bins.html?location=Z-1", "/labels/bins.pdf?location=Z-1",
        "/labels/bins.zpl?location=Z-1&template=thermal-2x1",
        "/labels/signs.html?location=WH1", "/labels/signs.pdf?location=WH1",
        f"/labels/receipts.html?{urlencode(receipt)}",
        f"/labels/receipts.pdf?{urlencode(receipt)}",
        f"/labels/receipts.zpl?{urlencode({**receipt, 'template': 'thermal-2x1'})}",
    ]


def unescaped(html: str) -> list[str]:
    """The hostile markup this page lets through."""
    found = [raw for raw in RAW if raw in html]
    if JS_URL.search(html):
        found.append("javascript: URL in an attribute")
    return found


def test_stored_payloads_are_escaped_on_every_page(app, client, db, hostile, login_as,
                                                   crash_as_500):
    login_as("admin")
    urls = page_urls(app, hostile) + extra_urls(hostile, TEXT)
    problems, showing, kinds = [], 0, {"html": 0, "pdf": 0, "zpl": 0, "other": 0}
    files = {"pdf": 0, "zpl": 0}  # label files that came out whole
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code} {last_crash(crash_as_500)}")
            continue
        kind = {"text/html": "html", "application/pdf": "pdf"}.get(response.mimetype, "other")
        body = response.data.decode("utf-8", "replace")
        kind = "zpl" if url.split("?")[0].endswith(".zpl") else kind
        kinds[kind] += 1
        if kind == "pdf":
            files["pdf"] += response.data.startswith(b"%PDF")
        if kind == "zpl" and response.status_code == 200:
            files["zpl"] += body.count("^XA") == body.count("^XZ") > 0
        if kind != "html":
            continue
        if bad := unescaped(body):
            problems.append(f"{url}: {bad}")
        showing += any(shown in body for shown in SHOWN)
    print(f"hostile: {len(XSS) + 3} XSS payloads in {len(FIELDS) + 3} fields x {len(urls)} "
          f"pages ({kinds}), {showing} pages show them escaped, {files} label files made, "
          f"{len(problems)} unescaped/5xx")
    assert not problems, "\n".join(problems)
    assert showing >= 40 and files["pdf"] >= 3 and files["zpl"] >= 3


def test_staff_named_in_markup_see_their_own_pages_escaped(app, client, db, hostile,
                                                            crash_as_500):
    """The phone pages as the staff user whose username is a script tag."""
    from warehouse_app.auth.models import User
    log_in(client, db.session.get(User, hostile["user_id"]))
    urls = [url for url in page_urls(app, hostile) if url.startswith(
        ("/scan/", "/orders/pick", "/counting/", "/lookup", "/labels/")) or url == "/"]
    problems, showing = [], 0
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code} {last_crash(crash_as_500)}")
        elif response.mimetype == "text/html":
            problems += [f"{url}: {bad}" for bad in unescaped(response.text)]
            showing += any(shown in response.text for shown in SHOWN)
    print(f"hostile: staff named {HOSTILE_USER} on {len(urls)} phone pages, {showing} show "
          f"hostile text escaped, {len(problems)} unescaped/5xx")
    assert not problems, "\n".join(problems)
    assert len(urls) >= 15 and showing >= 5


def test_payloads_in_every_query_parameter_are_escaped(app, client, db, hostile, login_as,
                                                       crash_as_500):
    """Reflected: every parameter a page might read, each payload once per page."""
    login_as("admin")
    payloads = XSS + [HOSTILE_SKU, HOSTILE_CODE]
    problems, tried = [], 0
    for url in page_urls(app, hostile):
        if url.endswith(".csv") or "/labels/" in url and not url.endswith((".html", "/")):
            continue  # files, not pages: the stored test reads them
        for turn in range(len(payloads)):
            query = {name: payloads[(i + turn) % len(payloads)] for i, name in enumerate(PARAMS)}
            response = client.get(f"{url}?{urlencode(query)}")
            tried += 1
            if response.status_code >= 500:
                problems.append(f"{url} ?{turn}: {response.status_code} "
                                f"{last_crash(crash_as_500)}")
            elif response.mimetype == "text/html" and (bad := unescaped(response.text)):
                problems.append(f"{url} ?{turn}: {bad}")
    print(f"hostile: {len(payloads)} payloads x {len(PARAMS)} query parameters on {tried} page "
          f"requests, {len(problems)} unescaped/5xx")
    assert tried >= 200
    assert not problems, "\n".join(problems)


def test_labels_do_not_carry_zpl_commands_from_a_product_name(client, db, make_product,
                                                             login_as):
    """A name or SKU with ^ and ~ stays text on the printer: one format per label."""
    make_product("ZPL^XZ~JR", name="^XZ^XA^FO0,0^FDpwned^FS^XZ~JA", description="~JR")
    login_as("staff")
    response = client.get("/labels/products.zpl",
                          query_string={"sku": "ZPL^XZ~JR", "template": "thermal-2x1",
                                        "copies": "2"})
    assert response.status_code == 200
    zpl = response.text
    assert zpl.count("^XA") == zpl.count("^XZ") == 2
    assert "^FDpwned" not in zpl and "~JA" not in zpl and "~JR" not in zpl


# --- SQL-looking strings -------------------------------------------------------------------

BOXES = ["/products/?q={}", "/locations/?q={}", "/insight/?q={}", "/lookup?code={}",
         "/labels/products.html?q={}", "/labels/products.html?sku={}",
         "/labels/products.html?category={}", "/labels/bins.html?location={}",
         "/labels/receipts.html?reference={}", "/orders/pick?code={}",
         "/orders/purchase/?code={}", "/counting/?code={}", "/audit/?entity={}",
         "/scan/putaway?code={}", "/insight/alerts?kind={}", "/orders/?show={}",
         "/counting/reports?report={}", "/insight/reports/stock?category={}",
         "/api/v1/products?q={}", "/api/v1/locations?parent={}", "/api/v1/stock?sku={}",
         "/api/v1/stock?location={}", "/api/v1/movements?sku={}",
         "/api/v1/movements?location={}", "/api/v1/products/{}", "/api/v1/locations/{}",
         "/api/v1/orders/{}", "/api/v1/purchase-orders/{}", "/api/v1/reports/stock?sku={}"]
# Boxes that filter a list: with a term matching nothing they must not show the rows.
FILTERS = {"/products/?q={}": ["P-1"], "/locations/?q={}": ["B-1"], "/insight/?q={}": ["P-1"],
           "/api/v1/products?q={}": ["P-1"],
           "/api/v1/stock?sku={}": ["P-1"], "/api/v1/stock?location={}": ["B-1"],
           "/api/v1/movements?sku={}": ["P-1"], "/api/v1/movements?location={}": ["B-1"]}


@pytest.fixture
def plain(world):
    return world(texts(["Plain text"], FIELDS))


def test_sql_in_every_search_box_gives_no_5xx_no_extra_rows_and_keeps_the_tables(
        client, db, plain, login_as, api_token, crash_as_500):
    from warehouse_app.ledger.models import Movement
    login_as("admin")
    headers = api_token("admin")
    before = row_counts()
    problems, tried = [], 0
    for box in BOXES:
        for term in SQL + ODD:
            url = box.format(_quote(term))
            response = client.get(url, headers=headers if url.startswith("/api/") else None)
            tried += 1
            if response.status_code >= 500:
                problems.append(f"{box} with {term[:30]!r}: {response.status_code} "
                                f"{last_crash(crash_as_500)}")
                continue
            if box in FILTERS and term in SQL:
                body = response.get_data(as_text=True)
                extra = [row for row in FILTERS[box] if row in body]
                if extra:
                    problems.append(f"{box} with {term!r}: shows {extra}")
    after = row_counts()
    print(f"hostile: {len(SQL) + len(ODD)} SQL-looking and odd terms x {len(BOXES)} search "
          f"boxes = {tried} requests, {len(problems)} 5xx/extra rows, "
          f"{sum(after.values())} rows in {len(after)} tables before and after")
    assert after == before and db.session.scalar(select(func.count(Movement.id))) > 0
    assert not problems, "\n".join(problems)


def _quote(term: str) -> str:
    from urllib.parse import quote
    return quote(term, safe="")


# Fields the page forms post, split by what they carry: structure (kept valid in one pass so a
# request gets as far as storing the text) and free text (always hostile).
STRUCTURE = {"qty": "1", "sku": "P-1", "code": "P-1", "location": "B-1", "from_location": "B-1",
             "to_location": "B-1", "kind": "bin", "parent": "Z-1", "reason": "damage",
             "tracking": "none", "role": "staff", "active": "1", "order": "SO-1",
             "warehouse": "WH1", "lines": "P-1 1", "reorder_point": "5", "max_stock": "9",
             "task": "", "what": "tolerance", "action": "count", "empty": "1", "scopes": "read",
             "user": "boss", "password": "password123", "supplier": "Acme", "sequence": "1",
             "capacity": "10", "pack_size": "1", "unit_cost": "1", "sale_price": "2"}
FREE_TEXT = ["name", "description", "category", "variant_group", "variant", "note",
             "reference", "customer", "address", "postcode", "lot", "full_name", "username",
             "barcodes", "url", "back", "carrier", "tracking_number", "locations", "product",
             "target", "entity", "q", "expiry", "next"]


def test_hostile_text_in_every_form_field_never_answers_5xx(app, client, db, plain, login_as,
                                                             no_csrf, crash_as_500):
    """Every form of every page (POST routes from app.url_map), every free-text field SQL, a
    NUL byte, markup or 5000 characters; once with every field hostile, once with the rest of
    the form valid so the text reaches the database."""
    from warehouse_app.ledger.models import Movement
    admin = login_as("admin")
    routes = [(endpoint, url) for endpoint, url in route_urls(app, plain, "POST")
              if endpoint not in ("auth.login", "auth.logout")]
    terms = SQL[:2] + ["A\x00B", "x" * 5000, XSS[1]]
    problems, tried, reached = [], 0, 0
    for endpoint, url in routes:
        for term in terms:
            for form in ({**dict.fromkeys(STRUCTURE, term), **dict.fromkeys(FREE_TEXT, term)},
                         {**STRUCTURE, **dict.fromkeys(FREE_TEXT, term)}):
                response = client.post(url, data=form)
                tried += 1
                reached += not response.headers.get("Location", "").startswith("/login")
                if response.status_code >= 500:
                    problems.append(f"POST {url} ({endpoint}) with {term[:20]!r}: "
                                    f"{response.status_code} {last_crash(crash_as_500)}")
                log_in(client, admin)  # whatever the form did, the next one is still ours
    print(f"hostile: {len(terms)} hostile terms in {len(FREE_TEXT)} text fields x {len(routes)} "
          f"page forms = {tried} posts ({reached} past the login), {len(problems)} 5xx")
    assert reached == tried and len(routes) >= 50
    assert db.session.scalar(select(func.count(Movement.id))) > 0
    assert not problems, "\n".join(sorted(set(problems)))


SURROGATE = "A\ud800B"  # JSON may carry "\ud800"; UTF-8 (so every database) cannot
JSON_WRITES = [  # (method, path, a body that is good but for the one field holding SURROGATE)
    ("POST", "/api/v1/products", {"sku": SURROGATE, "name": "x"}),
    *[("POST", "/api/v1/products", {"sku": "NEW-9", "name": "x", field: SURROGATE})
      for field in ("name", "description", "category", "supplier", "variant_group",
                    "variant", "home_location")],
    ("POST", "/api/v1/products", {"sku": "NEW-9", "name": "x", "barcodes": [SURROGATE]}),
    *[("PATCH", "/api/v1/products/P-1", {field: SURROGATE}) for field in ("name", "supplier")],
    ("POST", "/api/v1/locations", {"code": SURROGATE, "kind": "bin", "parent": "Z-1"}),
    ("POST", "/api/v1/locations", {"code": "N-9", "kind": "bin", "parent": SURROGATE}),
    ("POST", "/api/v1/locations", {"code": "N-9", "kind": "bin", "parent": "Z-1",
                                   "name": SURROGATE}),
    *[("POST", "/api/v1/movements", {"kind": "receive", "sku": "P-1", "qty": 1,
                                     "to_location": "B-1", "lot": "L-9", field: SURROGATE})
      for field in ("sku", "to_location", "lot", "note", "reference", "client_op_id")],
    ("POST", "/api/v1/movements", {"kind": "receive", "barcode": SURROGATE, "qty": 1,
                                   "to_location": "B-1"}),
    *[("POST", "/api/v1/orders", {"reference": "SO-9", "lines": [{"sku": "P-2", "qty": 1}],
                                  field: SURROGATE})
      for field in ("reference", "customer", "address", "postcode", "warehouse")],
    ("POST", "/api/v1/orders", {"reference": "SO-9", "lines": [{"sku": SURROGATE, "qty": 1}]}),
    *[("POST", "/api/v1/purchase-orders", {"reference": "PO-9", "supplier": "Acme",
                                           "lines": [{"sku": "P-1", "qty": 1}],
                                           field: SURROGATE})
      for field in ("reference", "supplier", "warehouse")],
    ("POST", "/api/v1/counts", {"locations": [SURROGATE]}),
    ("POST", "/api/v1/counts", {"locations": ["B-2"], "note": SURROGATE}),
    ("POST", "/api/v1/webhooks", {"url": f"https://evil.example/{SURROGATE}"}),
    ("POST", "/api/v1/scan/resolve", {"code": SURROGATE}),
    ("POST", "/api/v1/shipments/tracking", {"rows": [{"reference": SURROGATE,
                                                       "carrier": "DHL", "tracking": "1"}]}),
]


def test_a_lone_surrogate_in_any_json_field_is_refused_not_a_500(client, db, plain, api_token,
                                                                 crash_as_500):
    """A request the API cannot store is bad input (4xx), like the NUL byte before it."""
    headers = api_token("admin")
    before = row_counts()
    problems = []
    for method, path, body in JSON_WRITES:
        response = client.open(path, method=method, json=body, headers=headers)
        if response.status_code >= 500:
            field = next(k for k, v in body.items() if SURROGATE in repr(v).encode(
                "utf-8", "surrogatepass").decode("unicode_escape", "surrogatepass"))
            problems.append(f"{method} {path} {field}: {response.status_code} "
                            f"{last_crash(crash_as_500)}")
    print(f"hostile: a lone surrogate in {len(JSON_WRITES)} JSON fields of "
          f"{len({p for _, p, _ in JSON_WRITES})} API writes, {len(problems)} answered 5xx")
    assert row_counts() == before
    assert not problems, "\n".join(problems)


def test_the_longest_username_and_token_name_still_leave_an_audit_trail(client, db, make_user,
                                                                        crash_as_500):
    """Both are free text (80 characters each); the audit trail names the actor with both."""
    from warehouse_app.audit.models import AuditEntry
    from warehouse_app.auth.users import create_token
    _, secret = create_token("t" * 80, make_user("u" * 80, "admin"))
    db.session.commit()
    response = client.post("/api/v1/products", json={"sku": "N-1", "name": "x"},
                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 201, last_crash(crash_as_500)
    actor = db.session.scalar(select(AuditEntry.actor).where(AuditEntry.entity == "product"))
    assert actor.startswith("u" * 80)
