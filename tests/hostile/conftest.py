"""Shared by the hostile-input tests: the payloads, and how a crash is caught as a failure."""
import pytest
from flask import got_request_exception
from sqlalchemy import func, inspect, select, text

from warehouse_app.extensions import db as _db

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
       "</textarea><svg onload=alert(1)>", "ssti{{7*7}}ssti"]
SQL = ["' OR 1=1 --", '"; DROP TABLE movement; --', "') OR ('1'='1", "1; SELECT pg_sleep(5)--"]
# Not SQL, but what a hostile box meets too: a NUL byte, LIKE wildcards, a very long term.
ODD = ["A\x00B", "%", "_", "x" * 5000, "\u202e\ufeff\U0001f4a9"]


@pytest.fixture
def crash_as_500(app):
    """A crash in a view answers 500 instead of raising into the test, so a sweep can go on
    and name every route that failed; `app.crashes` keeps what was raised, last one last.
    The session the crash left failed is rolled back (requests share the test's session)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.crashes = []

    def keep(sender, exception, **extra):
        _db.session.rollback()
        app.crashes.append(f"{type(exception).__name__}: {str(exception).splitlines()[0][:90]}")
    got_request_exception.connect(keep, app)
    yield app
    got_request_exception.disconnect(keep, app)


def last_crash(app) -> str:
    """What the last crashed request raised."""
    return app.crashes[-1] if getattr(app, "crashes", None) else "(no exception recorded)"


def row_counts() -> dict[str, int]:
    """Rows in every table: what 'changes nothing' is checked against."""
    _db.session.rollback()
    names = inspect(_db.engine).get_table_names()
    counts = {name: _db.session.scalar(select(func.count()).select_from(text(f'"{name}"')))
              for name in names if name != "alembic_version"}
    _db.session.rollback()
    return counts


def texts(values: list[str], fields: list[str]) -> dict[str, str]:
    """Each free-text field its own value, taking the values in turn."""
    return {name: values[i % len(values)] for i, name in enumerate(fields)}


FIELDS = ["product_name", "description", "category", "supplier", "variant_group", "variant",
          "warehouse_name", "zone_name", "bin_name", "lot", "note", "reference", "customer",
          "address", "postcode", "po_supplier", "count_note", "decision_note", "webhook",
          "token_name", "full_name", "override_note", "scanned_code", "adjust_note"]


@pytest.fixture
def world(db, make_user, make_product, make_location, stock):
    """build(text, sku, code, username) -> a warehouse where every free-text field a user can
    set holds text[field]: products, bins, lots, movements, an order in a wave, a purchase order
    with a discrepancy, a count awaiting approval and one rejected, an alert, an override, a
    webhook, a token. Answers the names and ids the pages are reached by."""
    from warehouse_app.auth.users import create_token
    from warehouse_app.counting import approval, counting, planning
    from warehouse_app.insight import alerts, reorder
    from warehouse_app.insight.models import Alert
    from warehouse_app.integrations import webhooks
    from warehouse_app.ledger.models import MovementKind, Reason
    from warehouse_app.ledger.movements import Line, record
    from warehouse_app.orders import picking, purchasing, reserving
    from warehouse_app.orders.models import Discrepancy

    def build(text: dict[str, str], sku: str = "P-2", code: str = "B-2",
              username: str = "victim") -> dict:
        boss = make_user("boss", "supervisor")
        victim = make_user(username, "staff")
        victim.full_name = text["full_name"][:120]
        wh = make_location("WH1", "warehouse", name=text["warehouse_name"])
        zone = make_location("Z-1", "zone", parent=wh, name=text["zone_name"])
        b1 = make_location("B-1", parent=zone, name=text["bin_name"], sequence=1)
        b2 = make_location(code, parent=zone, name=text["bin_name"], sequence=2)
        make_location("DOCK-1", parent=wh)
        p1 = make_product("P-1", name=text["product_name"], description=text["description"],
                          category=text["category"], supplier=text["supplier"],
                          variant_group=text["variant_group"], variant=text["variant"],
                          tracking="lot", reorder_point=50, barcodes=["4006381333931"])
        p2 = make_product(sku, name=text["product_name"], supplier=text["supplier"],
                          category=text["category"])
        stock(p1, b1, 40, lot=text["lot"], note=text["note"], reference=text["reference"],
              unit_cost="2.50")
        stock(p2, b2, 30, note=text["note"], reference=text["reference"], unit_cost="1.25")
        record(Line(MovementKind.ADJUST, p2, 1, from_location=b2, reason=Reason.DAMAGE,
                    note=text["adjust_note"]), boss)
        order = reserving.place({"reference": "SO-1", "customer": text["customer"],
                                 "address": text["address"], "postcode": text["postcode"][:20],
                                 "lines": [{"sku": "P-1", "qty": 2}, {"sku": sku, "qty": 1}]},
                                victim)
        wave = picking.start_wave([order], victim)
        picking.pick(order, {"line": order.lines[1].id, "location": code, "code": sku,
                             "qty": 1}, victim)
        po = purchasing.create({"reference": "PO-1", "supplier": text["po_supplier"],
                                "lines": [{"sku": "P-1", "qty": 5}]}, boss)
        purchasing.receive(po, {"location": "DOCK-1", "code": text["scanned_code"][:200],
                                "qty": 1}, victim)
        count = planning.open_count({"locations": ["B-1"], "note": text["count_note"][:200]},
                                    boss)
        counting.add(count, {"location": "B-1", "code": "P-1", "qty": 3,
                             "lot": text["lot"]}, victim)
        counting.close_bin(count, {"location": "B-1"}, victim)
        approval.submit(count, victim)
        rejected = planning.open_count({"locations": [code]}, boss)
        counting.add(rejected, {"location": code, "code": sku, "qty": 5}, victim)
        counting.close_bin(rejected, {"location": code}, victim)
        approval.submit(rejected, victim)
        approval.reject(rejected, boss, text["decision_note"][:500])
        reorder.set_override(p2, 60, 90, text["override_note"], boss)
        alerts.evaluate()
        endpoint = webhooks.create_endpoint("https://evil.example/" + text["webhook"])
        token, _ = create_token(text["token_name"][:80], boss)
        db.session.commit()
        return {"sku": sku, "code": code, "product_id": p1.id, "product2_id": p2.id,
                "location_id": b1.id, "order": order.reference, "wave": wave.code,
                "po": po.reference, "count": count.reference, "rejected": rejected.reference,
                "user_id": victim.id, "token_id": token.id, "endpoint_id": endpoint.id,
                "barcode_id": p1.barcodes[0].id,
                "alert_id": db.session.scalar(select(func.min(Alert.id))),
                "discrepancy_id": db.session.scalar(select(func.min(Discrepancy.id)))}
    return build


def log_in(client, user) -> None:
    """Put an existing user's login into the client's session (as login_as does for new ones)."""
    from flask_login.utils import _create_identifier
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session.update({"_user_id": user.get_id(), "_fresh": True, "_id": identifier})


NOT_PAGES = {"static", "labels.font", "scanning.service_worker", "insight.central_events",
             "web.healthz"}


def route_urls(app, w: dict, method: str) -> list[tuple[str, str]]:
    """(endpoint, URL) of every route answering `method` outside the API (its docs page
    aside), each URL argument filled with a real thing of the world `w`, in every variant."""
    from flask import url_for

    from warehouse_app.insight.reports.base import REGISTRY
    from warehouse_app.scanning.views import FLOW_PAGES
    choices = {"product_id": [w["product_id"], w["product2_id"]],
               "location_id": [w["location_id"]], "code": [w["wave"]],
               "sku": ["P-1", w["sku"]], "name": sorted(REGISTRY), "flow": sorted(FLOW_PAGES),
               "what": ["products", "locations", "stock"], "barcode_id": [w["barcode_id"]],
               "user_id": [w["user_id"]], "token_id": [w["token_id"]],
               "endpoint_id": [w["endpoint_id"]], "alert_id": [w["alert_id"]],
               "discrepancy_id": [w["discrepancy_id"]],
               "report_id": [1]}  # a damage report that may not exist: answered 4xx then
    actions = {"counting.decide": ["approve", "reject", "recount", "cancel"],
               "orders.resolve_discrepancy": ["accept", "dismiss"],
               "scanning.decide_report": ["approve", "reject"]}
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if (method not in rule.methods or rule.endpoint in NOT_PAGES
                    or rule.rule.startswith("/api/v1/")
                    and rule.endpoint != "api_reference.reference"):
                continue
            combos = [{}]
            for arg in sorted(rule.arguments - set(rule.defaults or {})):
                if arg == "action":
                    values = actions[rule.endpoint]
                elif arg == "reference":
                    values = [w["count"] if rule.endpoint.startswith("counting.") else
                              w["po"] if rule.endpoint.startswith("orders.po_") else w["order"]]
                else:
                    values = choices[arg]
                combos = [{**c, arg: v} for c in combos for v in values]
            found += [(rule.endpoint, url_for(rule.endpoint, **combo)) for combo in combos]
    return found
