"""The order pages: forms, CSV uploads, actions, role checks; the views are thin wiring."""
import io

import pytest
from sqlalchemy import func, select

from tests.orders.conftest import assert_books_agree, reserved
from warehouse_app.ledger.models import CountRequest, Movement
from warehouse_app.orders import purchasing, reserving
from warehouse_app.orders.models import (
    Discrepancy,
    DiscrepancyStatus,
    Order,
    OrderStatus,
    PurchaseOrder,
)

JSON = {"Accept": "application/json"}


@pytest.fixture
def staffed(site, login_as, no_csrf):
    site.stock(site.p.mug, site.bins.na1, 5)
    site.stock(site.p.tee, site.bins.nb1, 3)
    return site


def count(db, model) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(model))


def csv_file(text: str, name: str = "upload.csv"):
    return (io.BytesIO(text.encode()), name)


def test_home_shows_order_tiles_and_every_page_renders(client, db, staffed, login_as):
    login_as("supervisor")
    home = client.get("/").get_data(as_text=True)
    for label in ("Pick", "Orders", "Purchase orders"):
        assert f'<span class="tile-label">{label}</span>' in home
    reserving.place({"reference": "SO-1", "lines": [{"sku": "MUG", "qty": 1}]})
    purchasing.create({"reference": "PO-1", "supplier": "Acme", "lines": [
        {"sku": "MUG", "qty": 1}]})
    db.session.commit()
    for url in ("/orders/", "/orders/?show=all", "/orders/new", "/orders/SO-1", "/orders/pick",
                "/orders/pick/order/SO-1", "/orders/warehouses", "/orders/purchase/",
                "/orders/purchase/new", "/orders/purchase/PO-1",
                "/orders/purchase/PO-1/receive", "/orders/purchase/discrepancies"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get("/orders/SO-404").status_code in (303, 404)


def test_staff_may_not_reach_supervisor_pages(client, db, staffed, login_as):
    login_as("staff")
    for url in ("/orders/warehouses", "/orders/purchase/new", "/orders/purchase/discrepancies"):
        assert client.get(url).status_code == 403, url
    assert client.post("/orders/purchase/new", data={}).status_code == 403


def test_an_order_placed_on_the_page_reserves_and_a_short_one_says_why(client, db, staffed,
                                                                       login_as):
    login_as("staff")
    placed = client.post("/orders/new", data={"reference": "SO-7", "customer": "Ada",
                                              "lines": "MUG 2\nTEE"})
    assert placed.status_code == 303 and placed.headers["Location"].endswith("/orders/SO-7")
    order = db.session.scalars(select(Order)).one()
    assert [(line.product.sku, line.qty, line.reserved) for line in order.lines] == [
        ("MUG", 2, 2), ("TEE", 1, 1)]
    refused = client.post("/orders/new", data={"reference": "SO-8", "lines": "MUG 9"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "MUG</span>: 9 wanted, 3 available" in page
    assert count(db, Order) == 1
    bad = client.post("/orders/new", data={"reference": "SO-8", "lines": "MUG two"})
    assert bad.status_code == 422 and "Line 1: Quantity must be a whole number" in \
        bad.get_data(as_text=True)


def test_a_split_proposed_on_the_page_is_confirmed_with_one_tap(client, db, staffed,
                                                                login_as):
    staffed.stock(staffed.p.tee, staffed.bins.s1, 2)
    login_as("staff")
    proposed = client.post("/orders/new", data={"reference": "SO-5", "lines": "TEE 4"})
    assert proposed.status_code == 409 and 'id="confirm-split"' in proposed.get_data(
        as_text=True)
    confirmed = client.post("/orders/new", data={"reference": "SO-5", "lines": "TEE 4",
                                                 "allow_split": "1"})
    assert confirmed.status_code == 303
    assert {w.code for w in db.session.scalars(select(Order)).one().warehouses} == {
        "NORTH", "SOUTH"}


def test_orders_upload_all_or_nothing(client, db, staffed, login_as):
    login_as("staff")
    good = "reference,sku,qty,customer\nSO-1,MUG,2,Ada\nSO-1,TEE,1,\nSO-2,MUG,1,Bob\n"
    answer = client.post("/orders/import", data={"file": csv_file(good)})
    assert answer.status_code == 303 and count(db, Order) == 2
    assert reserved(db, staffed.p.mug, staffed.north) == 3
    bad = "reference,sku,qty\nSO-3,MUG,1\nSO-4,MUG,99\nSO-5,NOPE,1\n"
    refused = client.post("/orders/import", data={"file": csv_file(bad)})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Line 3: Not enough stock" in page and "Line 4: Line 1: no product with SKU NOPE" in page
    assert count(db, Order) == 2 and reserved(db, staffed.p.mug, staffed.north) == 3


def test_purchase_orders_upload_and_form(client, db, staffed, login_as):
    login_as("supervisor")
    text = ("reference,supplier,sku,qty,unit_cost,expected_date\n"
            "PO-1,Acme,MUG,10,2.5,2030-01-02\nPO-1,Acme,TEE,5,,\nPO-2,Bolt,CAP,1,,\n")
    assert client.post("/orders/purchase/import",
                       data={"file": csv_file(text)}).status_code == 303
    assert count(db, PurchaseOrder) == 2
    again = client.post("/orders/purchase/import", data={"file": csv_file(text)})
    assert again.status_code == 422 and "already exists" in again.get_data(as_text=True)
    made = client.post("/orders/purchase/new", data={"reference": "PO-3", "supplier": "Acme",
                                                     "warehouse": "SOUTH",
                                                     "lines": "CAP 4 1.25"})
    assert made.status_code == 303 and count(db, PurchaseOrder) == 3
    bad = client.post("/orders/purchase/new", data={"reference": "PO-4", "supplier": "Acme",
                                                    "lines": ""})
    assert bad.status_code == 422 and count(db, PurchaseOrder) == 3


def test_receiving_on_the_page_posts_and_holds_over_receipts(client, db, staffed, login_as):
    purchasing.create({"reference": "PO-1", "supplier": "Acme", "lines": [
        {"sku": "MUG", "qty": 3, "unit_cost": "1.5"}]})
    db.session.commit()
    login_as("staff")
    url = "/orders/purchase/PO-1/receive"
    first = client.post(url, json={"location": "N-A-2", "code": "MUG", "qty": 2,
                                   "client_op_id": "a"}, headers=JSON)
    assert first.status_code == 201 and first.json["lines"][0]["remaining"] == 1
    again = client.post(url, json={"location": "N-A-2", "code": "MUG", "qty": 2,
                                   "client_op_id": "a"}, headers=JSON)
    assert again.status_code == 200 and again.json["replayed"]
    split = client.post(url, json={"location": "N-A-2", "code": "MUG", "qty": 2,
                                   "client_op_id": "b"}, headers=JSON)
    assert split.status_code == 201 and split.json["qty"] == 1
    assert split.json["lines"][0]["remaining"] == 0
    assert "Received the 1 × MUG expected; 1 × MUG more than PO-1" in split.json["held"]
    held = client.post(url, json={"location": "N-A-2", "code": "MUG", "qty": 2,
                                  "client_op_id": "c"}, headers=JSON)
    assert held.status_code == 409 and held.json["error"]["code"] == "over_receipt"
    assert "only 0 more MUG expected" in held.json["error"]["message"]
    wrong = client.post(url, json={"location": "N-A-2", "code": "MUG", "qty": 0}, headers=JSON)
    assert wrong.status_code == 422
    assert count(db, Movement) == 4  # two opening receipts and the two on the PO
    flagged = db.session.scalars(select(Discrepancy).order_by(Discrepancy.id)).first()
    assert flagged.qty == 1
    login_as("supervisor")
    assert client.post(f"/orders/purchase/discrepancies/{flagged.id}/accept").status_code == 303
    db.session.refresh(flagged)
    assert flagged.status is DiscrepancyStatus.ACCEPTED and count(db, Movement) == 5


def test_order_actions_on_the_page(client, db, staffed, login_as):
    order = reserving.place({"reference": "SO-1", "lines": [{"sku": "MUG", "qty": 2}]})
    db.session.commit()
    login_as("staff")
    ship = client.post("/orders/SO-1/ship", data={"carrier": "DHL", "tracking": "1"})
    assert ship.status_code == 303
    assert "Nothing of order SO-1 has been picked yet" in client.get("/orders/SO-1").get_data(
        as_text=True)
    pick = client.post("/orders/pick/line", json={"order": "SO-1", "line": order.lines[0].id,
                                                  "location": "N-A-1", "code": "MUG", "qty": 2,
                                                  "client_op_id": "p1"}, headers=JSON)
    assert pick.status_code == 201 and pick.json["status"] == "picked"
    assert client.post("/orders/SO-1/pack").status_code == 303
    client.post("/orders/SO-1/ship", data={"carrier": "DHL", "tracking": "JD1"})
    db.session.refresh(order)
    assert (order.status, order.tracking) == (OrderStatus.SHIPPED, "JD1")
    assert_books_agree(db)


def test_a_short_pick_from_the_phone_creates_a_count_request(client, db, staffed, login_as):
    order = reserving.place({"reference": "SO-1", "lines": [{"sku": "MUG", "qty": 2}]})
    db.session.commit()
    login_as("staff")
    body = {"order": "SO-1", "line": order.lines[0].id, "location": "N-A-1", "qty": 2,
            "client_op_id": "s1"}
    assert client.post("/orders/pick/short", json=body, headers=JSON).status_code == 201
    assert client.post("/orders/pick/short", json=body, headers=JSON).status_code == 201
    assert count(db, CountRequest) == 1
    listed = client.get("/orders/pick/order/SO-1/list").json
    assert listed["tasks"] == [] and listed["missing"][0]["qty"] == 2
    wrong = client.post("/orders/pick/line", json={**body, "code": "MUG", "location": "S-1"},
                        headers=JSON)
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "wrong_bin"


def test_a_wave_starts_from_the_pick_page_and_scanning_an_order_opens_it(client, db, staffed,
                                                                        login_as):
    for ref in ("SO-1", "SO-2"):
        reserving.place({"reference": ref, "lines": [{"sku": "MUG", "qty": 1}]})
    db.session.commit()
    login_as("staff")
    started = client.post("/orders/pick/wave", data={"order": ["SO-1", "SO-2"]})
    assert started.status_code == 303 and "/orders/pick/wave/W" in started.headers["Location"]
    listed = client.get(started.headers["Location"] + "/list").json
    assert [(t["order"], t["tote"]) for t in listed["tasks"]] == [("SO-1", 1), ("SO-2", 2)]
    scanned = client.get("/orders/pick?code=SO-2")
    assert scanned.headers["Location"].endswith("/orders/pick/order/SO-2")
    not_order = client.get("/orders/pick?code=N-A-1", follow_redirects=True)
    assert "N-A-1 is a location, not an order" in not_order.get_data(as_text=True)


def test_routing_settings_are_saved_by_a_supervisor(client, db, staffed, login_as):
    login_as("supervisor")
    saved = client.post("/orders/warehouses", data={"warehouse": "SOUTH", "latitude": "50.8",
                                                    "longitude": "-0.1", "postcode": "bn1",
                                                    "priority": "1"})
    assert saved.status_code == 303
    db.session.refresh(staffed.south)
    assert (staffed.south.priority, staffed.south.postcode) == (1, "BN1")
    bad = client.post("/orders/warehouses", data={"warehouse": "SOUTH", "latitude": "500",
                                                  "longitude": "1"})
    assert bad.status_code == 422 and "latitude must be between" in bad.get_data(as_text=True)
