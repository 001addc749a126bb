"""The supervisor's desk kept to warehouses: alerts, purchase orders and their held lines,
reorder, webhooks and the exports. A caller kept to some warehouses sees and acts on only
theirs (others' are not listed, or refused 403 other_warehouse with nothing changed); what
spans every warehouse is refused to them; admins see all."""
import pytest
from sqlalchemy import func, select

from tests.api.checks import assert_error
from tests.auth.test_warehouses import bearer, log_in, sites  # noqa: F401  (fixture)
from warehouse_app.auth import warehouses
from warehouse_app.insight import alerts
from warehouse_app.insight.models import Alert, AlertKind
from warehouse_app.integrations.models import WebhookEndpoint
from warehouse_app.ledger.models import Movement
from warehouse_app.orders.models import Discrepancy, POStatus, PurchaseOrder


def total(db, model) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def desk(db, sites):  # noqa: F811
    """A count loss in A-1 and one in B-1, a low-stock alert of every warehouse together."""
    sites.alert_a = alerts.count_discrepancy(sites.p, sites.a1, 10, 7, "C-A")
    sites.alert_b = alerts.count_discrepancy(sites.p, sites.b1, 20, 18, "C-B")
    sites.alert_all = Alert(kind=AlertKind.LOW_STOCK, product=sites.q, open_key="low_stock:q",
                            message="Q-1: 5 available, at or below its reorder point of 9.")
    db.session.add(sites.alert_all)
    db.session.commit()
    return sites


# Alerts ---------------------------------------------------------------------------------------

def test_alerts_list_only_those_of_the_callers_warehouses(client, desk):
    mine = client.get("/api/v1/alerts", headers=desk.boss).json
    assert [a["id"] for a in mine["items"]] == [desk.alert_a.id] and mine["total"] == 1
    every = client.get("/api/v1/alerts", headers=desk.admin).json
    assert {a["id"] for a in every["items"]} == {desk.alert_a.id, desk.alert_b.id,
                                                 desk.alert_all.id}


@pytest.mark.parametrize("which", ["alert_b", "alert_all"])
def test_an_alert_of_another_warehouse_is_not_acknowledged(client, db, desk, which):
    alert_id = getattr(desk, which).id
    assert_error(client.post(f"/api/v1/alerts/{alert_id}/ack", headers=desk.boss), 403,
                 "other_warehouse", "alert")
    db.session.expire_all()
    assert db.session.get(Alert, alert_id).acknowledged_at is None
    assert client.post(f"/api/v1/alerts/{alert_id}/ack", headers=desk.admin).status_code == 200


def test_an_alert_of_the_callers_warehouse_is_acknowledged(client, db, desk):
    done = client.post(f"/api/v1/alerts/{desk.alert_a.id}/ack", headers=desk.boss)
    assert done.status_code == 200 and done.json["acknowledged_at"]
    assert_error(client.post("/api/v1/alerts/999999/ack", headers=desk.boss), 404)


def test_a_token_kept_to_a_warehouse_sees_its_alerts_only(client, db, desk, make_user):
    una = make_user("una", "supervisor")  # every warehouse, but this token only WH-B
    token = bearer(db, una, warehouses=["WH-B"])
    listed = client.get("/api/v1/alerts", headers=token).json["items"]
    assert [a["id"] for a in listed] == [desk.alert_b.id]
    assert_error(client.post(f"/api/v1/alerts/{desk.alert_a.id}/ack", headers=token), 403,
                 "other_warehouse")


def test_the_alerts_page_badge_and_ack_all_keep_to_the_callers_warehouses(client, db, desk,
                                                                          no_csrf):
    log_in(client, desk.sam)
    page = client.get("/insight/alerts").get_data(as_text=True)
    assert "C-A" in page and "C-B" not in page and "Q-1: 5 available" not in page
    home = client.get("/").get_data(as_text=True)
    assert 'data-alert-count="1"' in home
    refused = client.post(f"/insight/alerts/{desk.alert_b.id}/ack", follow_redirects=True)
    assert "not kept to" in refused.get_data(as_text=True)
    client.post("/insight/alerts/ack-all")
    db.session.expire_all()
    seen = {a.id for a in db.session.scalars(select(Alert).where(
        Alert.acknowledged_at.is_not(None)))}
    assert seen == {desk.alert_a.id}


# Purchase orders ------------------------------------------------------------------------------

@pytest.fixture
def pos(client, db, sites):  # noqa: F811
    """PO-A delivered to WH-A, PO-B to WH-B, PO-N to no warehouse named; a held line on PO-B."""
    for reference, warehouse in (("PO-A", "WH-A"), ("PO-B", "WH-B"), ("PO-N", None)):
        assert client.post("/api/v1/purchase-orders", headers=sites.admin, json={
            "reference": reference, "supplier": "Acme", "warehouse": warehouse,
            "lines": [{"sku": "P-1", "qty": 5}]}).status_code == 201
    held = client.post("/api/v1/purchase-orders/PO-B/receipts", headers=sites.admin,
                       json={"code": "R-1", "location": "B-1", "qty": 1})
    assert held.status_code == 202, held.json
    sites.held = held.json["discrepancy"]["id"]
    return sites


def test_purchase_orders_list_only_those_of_the_callers_warehouses(client, pos):
    listed = client.get("/api/v1/purchase-orders", headers=pos.staff).json
    assert {p["reference"] for p in listed["items"]} == {"PO-A", "PO-N"}
    assert listed["total"] == 2
    every = client.get("/api/v1/purchase-orders", headers=pos.admin).json["items"]
    assert {p["reference"] for p in every} == {"PO-A", "PO-B", "PO-N"}


@pytest.mark.parametrize("method,url,body", [
    ("GET", "/api/v1/purchase-orders/PO-B", None),
    ("POST", "/api/v1/purchase-orders/PO-B/receipts", {"code": "P-1", "location": "A-1",
                                                       "qty": 1}),
    ("POST", "/api/v1/purchase-orders/PO-B/close", None),
    ("POST", "/api/v1/scan/resolve", {"code": "PO-B"}),
    ("POST", "/api/v1/purchase-orders/discrepancies/{held}/accept", {}),
    ("POST", "/api/v1/purchase-orders/discrepancies/{held}/dismiss", None),
])
def test_a_purchase_order_of_another_warehouse_is_refused(client, db, pos, method, url, body):
    before = total(db, Movement), total(db, Discrepancy)
    response = client.open(url.format(held=pos.held), method=method, headers=pos.boss, json=body)
    assert_error(response, 403, "other_warehouse")
    assert (total(db, Movement), total(db, Discrepancy)) == before
    db.session.expire_all()
    po = db.session.scalar(select(PurchaseOrder).where(PurchaseOrder.reference == "PO-B"))
    assert po.status is POStatus.OPEN
    assert db.session.get(Discrepancy, pos.held).status.value == "open"


@pytest.mark.parametrize("code", ["P-1", "NO-SUCH-CODE", "R-1"])
def test_a_po_of_no_warehouse_is_received_only_into_the_callers_bins(client, db, pos, code):
    before = total(db, Movement), total(db, Discrepancy)
    assert_error(client.post("/api/v1/purchase-orders/PO-N/receipts", headers=pos.staff,
                             json={"code": code, "location": "B-1", "qty": 1}),
                 403, "other_warehouse", "location")
    assert (total(db, Movement), total(db, Discrepancy)) == before  # nothing held there either
    assert client.post("/api/v1/purchase-orders/PO-N/receipts", headers=pos.staff, json={
        "code": "P-1", "location": "A-1", "qty": 1}).status_code == 201


def test_a_po_of_the_callers_warehouse_is_read_and_received(client, pos):
    assert client.get("/api/v1/purchase-orders/PO-A", headers=pos.staff).status_code == 200
    assert client.post("/api/v1/purchase-orders/PO-A/receipts", headers=pos.staff, json={
        "code": "P-1", "location": "A-1", "qty": 2}).status_code == 201
    assert_error(client.get("/api/v1/purchase-orders/NOPE", headers=pos.staff), 404)


def test_nobody_creates_a_po_for_another_warehouse(client, db, pos):
    before = total(db, PurchaseOrder)
    assert_error(client.post("/api/v1/purchase-orders", headers=pos.boss, json={
        "reference": "PO-X", "supplier": "Acme", "warehouse": "WH-B",
        "lines": [{"sku": "P-1", "qty": 1}]}), 403, "other_warehouse", "warehouse")
    assert total(db, PurchaseOrder) == before
    assert client.post("/api/v1/purchase-orders", headers=pos.boss, json={
        "reference": "PO-Y", "supplier": "Acme", "warehouse": "WH-A",
        "lines": [{"sku": "P-1", "qty": 1}]}).status_code == 201


def test_the_purchase_pages_keep_to_the_callers_warehouses(client, db, pos, no_csrf):
    log_in(client, pos.sam)
    listed = client.get("/orders/purchase/").get_data(as_text=True)
    assert "PO-A" in listed and "PO-N" in listed and "PO-B" not in listed
    for url in ("/orders/purchase/PO-B", "/orders/purchase/PO-B/receive"):
        refused = client.get(url, follow_redirects=True)
        assert "not kept to" in refused.get_data(as_text=True), url
    held = client.get("/orders/purchase/discrepancies").get_data(as_text=True)
    assert "R-1" not in held
    before = total(db, Movement)
    client.post(f"/orders/purchase/discrepancies/{pos.held}/accept")
    client.post("/orders/purchase/PO-B/receive", data={"location": "B-1", "code": "P-1",
                                                       "qty": "1"})
    assert total(db, Movement) == before
    db.session.expire_all()
    assert db.session.get(Discrepancy, pos.held).status.value == "open"


def test_receipt_labels_of_another_warehouse_are_refused(client, pos):
    assert client.post("/api/v1/purchase-orders/PO-B/receipts", headers=pos.admin, json={
        "code": "P-1", "location": "B-1", "qty": 1}).status_code == 201
    assert_error(client.get("/api/v1/labels/receipts.pdf?po=PO-B", headers=pos.staff), 403,
                 "other_warehouse", "po")
    assert client.get("/api/v1/labels/receipts.pdf?po=PO-B",
                      headers=pos.admin).status_code == 200


# What spans every warehouse -------------------------------------------------------------------

def test_webhooks_are_for_admins_of_every_warehouse(client, db, sites):  # noqa: F811
    assert_error(client.get("/api/v1/webhooks", headers=sites.boss), 403, "forbidden")
    assert client.get("/api/v1/webhooks", headers=sites.admin).status_code == 200
    kept = bearer(db, sites.root, warehouses=["WH-A"])
    assert_error(client.get("/api/v1/webhooks", headers=kept), 403, "other_warehouse")
    before = total(db, WebhookEndpoint)
    assert_error(client.post("/api/v1/webhooks", headers=kept,
                             json={"url": "https://example.com/hook"}), 403, "other_warehouse")
    assert_error(client.post("/api/v1/webhooks", headers=sites.boss,
                             json={"url": "https://example.com/hook"}), 403, "forbidden")
    assert total(db, WebhookEndpoint) == before


def test_reorder_pages_are_refused_to_a_supervisor_kept_to_some(client, db, sites,  # noqa: F811
                                                                no_csrf):
    log_in(client, sites.sam)
    assert "/insight/reorder" not in client.get("/").get_data(as_text=True)  # no tile
    for url in ("/insight/reorder", "/insight/products/P-1"):
        refused = client.get(url, follow_redirects=True)
        assert "spans every warehouse" in refused.get_data(as_text=True), url
    before = total(db, PurchaseOrder)
    client.post("/insight/reorder/approve", data={"supplier": "Acme", "qty-P-1": "5"})
    client.post("/insight/products/P-1/override", data={"reorder_point": "3"})
    assert total(db, PurchaseOrder) == before
    from warehouse_app.insight.models import ReorderOverride
    assert total(db, ReorderOverride) == 0


def test_the_journal_is_refused_and_shipments_kept_to_the_callers(client, db, sites):  # noqa: F811
    assert_error(client.get("/api/v1/exports/journal.csv?from=2020-01-01&to=2030-01-01",
                            headers=sites.boss), 403, "other_warehouse")
    assert client.get("/api/v1/exports/journal.csv?from=2020-01-01&to=2030-01-01",
                      headers=sites.admin).status_code == 200
    for reference, sku in (("SO-A", "R-1"), ("SO-B", "Q-1")):
        assert client.post("/api/v1/orders", headers=sites.admin, json={
            "reference": reference, "lines": [{"sku": sku, "qty": 1}]}).status_code == 201
        from warehouse_app.orders.models import Order, OrderStatus
        order = db.session.scalar(select(Order).where(Order.reference == reference))
        order.status = OrderStatus.PACKED
    db.session.commit()
    mine = client.get("/api/v1/exports/shipments", headers=sites.boss).json
    assert [o["reference"] for o in mine] == ["SO-A"]
    every = client.get("/api/v1/exports/shipments", headers=sites.admin).json
    assert {o["reference"] for o in every} == {"SO-A", "SO-B"}


def test_nothing_is_kept_outside_a_request(db, desk):
    assert len(alerts.open_alerts()) == 3
    assert warehouses.caller() is None


def test_product_links_lead_a_supervisor_kept_to_some_to_the_look_up(client, desk):
    log_in(client, desk.sam)
    page = client.get("/insight/alerts").get_data(as_text=True)
    assert 'href="/lookup?code=P-1"' in page and "/insight/products/" not in page
    log_in(client, desk.root)
    assert "/insight/products/P-1" in client.get("/insight/alerts").get_data(as_text=True)
