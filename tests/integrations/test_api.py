"""Webhook endpoints and labels through /api/v1: what the admin and label pages do, scripted."""
from sqlalchemy import select

from warehouse_app.integrations import webhooks
from warehouse_app.integrations.models import WebhookEndpoint


def test_an_integrator_adds_lists_disables_and_reads_the_log_of_a_webhook(db, client, site,
                                                                         api_token, receiver):
    admin = api_token("admin")
    made = client.post("/api/v1/webhooks", headers=admin,
                       json={"url": receiver.url, "events": ["stock.changed"]})
    assert made.status_code == 201
    body = made.get_json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["stock.changed"]
    listed = client.get("/api/v1/webhooks", headers=admin).get_json()
    assert [e["url"] for e in listed] == [receiver.url]
    assert "secret" not in listed[0]  # shown once
    site.stock(site.p.mug, site.bins.na1, 2)
    log = client.get(f"/api/v1/webhooks/{body['id']}/deliveries", headers=admin).get_json()
    assert log["total"] == 1 and log["items"][0]["status"] == "pending"
    assert log["items"][0]["event"] == "stock.changed"
    receiver.start()
    assert webhooks.deliver_due() == (1, 0)
    log = client.get(f"/api/v1/webhooks/{body['id']}/deliveries?status=delivered",
                     headers=admin).get_json()
    assert log["total"] == 1 and log["items"][0]["last_status"] == 204
    off = client.patch(f"/api/v1/webhooks/{body['id']}", headers=admin, json={"active": False})
    assert off.status_code == 200 and off.get_json()["active"] is False
    site.stock(site.p.mug, site.bins.na1, 1)  # a disabled endpoint gets nothing new
    assert client.get(f"/api/v1/webhooks/{body['id']}/deliveries",
                      headers=admin).get_json()["total"] == 1


def test_webhook_api_refuses_bad_input_and_changes_nothing(db, client, api_token):
    admin = api_token("admin")
    bad = [({"url": "ftp://example.com/hook"}, 422, "url"),
           ({"url": "http://example.com/h", "events": ["stock.exploded"]}, 422, "events"),
           ({"url": "http://example.com/h", "events": []}, 422, "events"),
           ({"url": ""}, 422, "url"),
           ({"url": "http://" + "a" * 600}, 422, "url"),
           ({"events": ["stock.changed"]}, 422, "url"),
           ({"url": 5}, 422, "url")]
    for body, status, field in bad:
        answer = client.post("/api/v1/webhooks", headers=admin, json=body)
        assert answer.status_code == status, body
        assert answer.get_json()["error"]["field"] == field, body
    not_json = client.post("/api/v1/webhooks", headers={**admin, "Content-Type": "text/plain"},
                           data="url=http://x")
    assert not_json.status_code == 400
    assert client.patch("/api/v1/webhooks/999", headers=admin,
                        json={"active": True}).status_code == 404
    assert client.patch("/api/v1/webhooks/99999999999", headers=admin,
                        json={"active": True}).status_code == 404
    assert client.get("/api/v1/webhooks/999/deliveries", headers=admin).status_code == 404
    assert db.session.scalars(select(WebhookEndpoint)).all() == []


def test_only_admins_manage_webhooks(db, client, api_token):
    for role in ("staff", "supervisor"):
        assert client.get("/api/v1/webhooks", headers=api_token(role)).status_code == 403
        assert client.post("/api/v1/webhooks", headers=api_token(role),
                           json={"url": "http://example.com/h"}).status_code == 403
    assert client.get("/api/v1/webhooks").status_code == 401
    assert db.session.scalars(select(WebhookEndpoint)).all() == []


def test_labels_come_as_pdf_and_zpl_through_the_api(db, client, site, api_token):
    staff = api_token("staff")
    sheet = client.get("/api/v1/labels/products.pdf?sku=MUG&sku=TEE&copies=2", headers=staff)
    assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
    assert sheet.data.startswith(b"%PDF")
    zebra = client.get("/api/v1/labels/bins.zpl?location=N-A", headers=staff)
    assert zebra.status_code == 200
    text = zebra.get_data(as_text=True)
    assert text.count("^XA") == 2 and "N-A-1" in text and "N-A-2" in text


def test_labels_api_refuses_bad_requests(db, client, site, api_token):
    staff = api_token("staff")
    cases = [("/api/v1/labels/products.pdf", 422, "sku"),
             ("/api/v1/labels/products.pdf?sku=NOPE", 404, "sku"),
             ("/api/v1/labels/products.pdf?sku=MUG&copies=0", 422, "copies"),
             ("/api/v1/labels/products.pdf?sku=MUG&copies=x", 422, "copies"),
             ("/api/v1/labels/products.pdf?sku=MUG&template=poster", 422, "template"),
             ("/api/v1/labels/bins.zpl?location=NOWHERE", 404, "location"),
             ("/api/v1/labels/receipts.pdf", 422, "reference")]
    for url, status, field in cases:
        answer = client.get(url, headers=staff)
        assert answer.status_code == status, url
        assert answer.get_json()["error"]["field"] == field, url
    assert client.get("/api/v1/labels/pallets.pdf", headers=staff).status_code == 404
    assert client.get("/api/v1/labels/products.html?sku=MUG", headers=staff).status_code == 404
    assert client.get("/api/v1/labels/products.pdf?sku=MUG").status_code == 401


def test_alerts_are_paginated_and_filtered_by_kind(db, client, api_token, make_product, stock,
                                                   make_location):
    from warehouse_app.ledger.models import MovementKind
    from warehouse_app.ledger.movements import Line, record
    bin_ = make_location("B-1")
    for n in range(3):
        product = make_product(f"LOW-{n}", reorder_point=5)
        stock(product, bin_, 3 + n * 3)  # 3 and 6 and 9 units: two low, then one sold out
    record(Line(MovementKind.PICK, product, 9, from_location=bin_))
    db.session.commit()
    sup = api_token("supervisor")
    first = client.get("/api/v1/alerts?per_page=1", headers=sup).get_json()
    assert (first["total"], len(first["items"]), first["page"]) == (2, 1, 1)
    assert first["items"][0]["kind"] == "out_of_stock"  # the most urgent first
    second = client.get("/api/v1/alerts?per_page=1&page=2", headers=sup).get_json()
    assert second["items"][0]["kind"] == "low_stock"
    low = client.get("/api/v1/alerts?kind=low_stock", headers=sup).get_json()
    assert [a["sku"] for a in low["items"]] == ["LOW-0"]
    for bad in ("kind=nope", "per_page=0", "per_page=201", "page=0", "page=x"):
        answer = client.get(f"/api/v1/alerts?{bad}", headers=sup)
        assert answer.status_code == 422, bad
