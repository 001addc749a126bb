"""The orders and purchase-orders API: what works, and every kind of bad input (401, 403, 404,
409, 422, 400) answered in the one error shape, changing nothing."""
import pytest
from sqlalchemy import func, select

from tests.orders.conftest import assert_books_agree, reserved
from warehouse_app.ledger.models import Movement
from warehouse_app.orders import picking
from warehouse_app.orders.models import Order, OrderLine, PurchaseOrder

ORDERS, POS = "/api/v1/orders", "/api/v1/purchase-orders"


@pytest.fixture
def stocked(site):
    site.stock(site.p.mug, site.bins.na1, 5)
    site.stock(site.p.tee, site.bins.nb1, 2)
    return site


def error(response, status: int, code: str | None = None, field: str | None = None) -> dict:
    """The answer is an error of this status in the API's shape (extra keys allowed for 409s)."""
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message", "field"} <= set(body["error"])
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    if field is not None:
        assert body["error"]["field"] == field, body
    return body["error"]


def counts(db) -> tuple:
    db.session.commit()
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Order, OrderLine, PurchaseOrder, Movement))


def test_an_order_placed_read_picked_listed_shipped(client, db, stocked, staff):
    created = client.post(ORDERS, json={"reference": "SO-1", "customer": "Ada",
                                        "lines": [{"sku": "MUG", "qty": 2}, {"sku": "TEE",
                                                                            "qty": 1}]},
                          headers=staff)
    assert created.status_code == 201, created.json
    body = created.json
    assert (body["reference"], body["status"], body["warehouse"]) == ("SO-1", "open", "NORTH")
    assert [(x["sku"], x["qty"], x["reserved"], x["to_pick"]) for x in body["lines"]] == [
        ("MUG", 2, 2, 2), ("TEE", 1, 1, 1)]
    assert client.get(f"{ORDERS}/SO-1", headers=staff).json == body
    picklist = client.get(f"{ORDERS}/SO-1/picklist", headers=staff).json
    assert picklist["lines"] == [
        {"sku": "TEE", "name": "T-shirt", "warehouse": "NORTH", "qty": 1, "short": 0,
         "bins": [{"location": "N-B-1", "qty": 1, "lot": None, "expiry": None}]},
        {"sku": "MUG", "name": "Blue mug", "warehouse": "NORTH", "qty": 2, "short": 0,
         "bins": [{"location": "N-A-1", "qty": 2, "lot": None, "expiry": None}]}]
    error(client.post(f"{ORDERS}/SO-1/ship", json={"carrier": "DHL", "tracking": "1"},
                      headers=staff), 409, "nothing_picked")
    order = db.session.scalars(select(Order)).one()
    for line, bin_code in zip(order.lines, ("N-A-1", "N-B-1"), strict=True):
        picking.pick(order, {"line": line.id, "location": bin_code, "code": line.product.sku,
                             "qty": line.qty}, None)
    shipped = client.post(f"{ORDERS}/SO-1/ship", json={"carrier": "DHL", "tracking": "JD1"},
                          headers=staff)
    assert shipped.status_code == 200, shipped.json
    assert (shipped.json["status"], shipped.json["carrier"], shipped.json["tracking"]) == (
        "shipped", "DHL", "JD1")
    assert reserved(db, stocked.p.mug, stocked.north) == 0
    assert_books_agree(db)


def test_the_last_unit_twice_is_a_409_listing_the_short_lines(client, db, stocked, staff):
    ok = client.post(ORDERS, json={"reference": "SO-1", "lines": [{"sku": "TEE", "qty": 2}]},
                     headers=staff)
    assert ok.status_code == 201
    before = counts(db)
    body = error(client.post(ORDERS, json={"reference": "SO-2", "lines": [
        {"sku": "TEE", "qty": 1}, {"sku": "MUG", "qty": 9}]}, headers=staff),
        409, "insufficient_stock", "lines")
    assert body["lines"] == [{"sku": "TEE", "wanted": 1, "available": 0},
                             {"sku": "MUG", "wanted": 9, "available": 5}]
    assert counts(db) == before


def test_a_backorder_is_accepted_when_asked(client, db, stocked, staff):
    answer = client.post(ORDERS, json={"reference": "SO-1", "allow_backorder": True,
                                       "lines": [{"sku": "TEE", "qty": 5}]}, headers=staff)
    assert answer.status_code == 201
    assert (answer.json["status"], answer.json["lines"][0]["reserved"],
            answer.json["lines"][0]["waiting"]) == ("backorder", 2, 3)


def test_a_split_is_proposed_then_accepted(client, db, stocked, staff):
    stocked.stock(stocked.p.tee, stocked.bins.s1, 2)
    body = {"reference": "SO-1", "lines": [{"sku": "TEE", "qty": 3}]}
    proposed = error(client.post(ORDERS, json=body, headers=staff), 409, "split_proposed")
    assert proposed["proposal"] == [{"warehouse": "NORTH", "lines": [{"sku": "TEE", "qty": 2}]},
                                    {"warehouse": "SOUTH", "lines": [{"sku": "TEE", "qty": 1}]}]
    accepted = client.post(ORDERS, json={**body, "allow_split": True}, headers=staff)
    assert accepted.status_code == 201
    assert (accepted.json["warehouse"], accepted.json["warehouses"]) == (None,
                                                                         ["NORTH", "SOUTH"])


def test_cancel_releases_and_a_second_cancel_is_409(client, db, stocked, staff):
    client.post(ORDERS, json={"reference": "SO-1", "lines": [{"sku": "MUG", "qty": 3}]},
                headers=staff)
    answer = client.post(f"{ORDERS}/SO-1/cancel", headers=staff)
    assert (answer.status_code, answer.json["status"]) == (200, "cancelled")
    assert reserved(db, stocked.p.mug, stocked.north) == 0
    error(client.post(f"{ORDERS}/SO-1/cancel", headers=staff), 409, "order_closed")


def test_reroute_needs_a_supervisor(client, db, stocked, staff, supervisor):
    stocked.stock(stocked.p.mug, stocked.bins.s1, 3)
    client.post(ORDERS, json={"reference": "SO-1", "warehouse": "NORTH",
                              "lines": [{"sku": "MUG", "qty": 3}]}, headers=staff)
    error(client.post(f"{ORDERS}/SO-1/route", json={"warehouse": "SOUTH"}, headers=staff),
          403, "forbidden")
    moved = client.post(f"{ORDERS}/SO-1/route", json={"warehouse": "SOUTH"}, headers=supervisor)
    assert (moved.status_code, moved.json["warehouse"]) == (200, "SOUTH")
    error(client.post(f"{ORDERS}/SO-1/route", json={"warehouse": "NOWHERE"}, headers=supervisor),
          404, "not_found", "warehouse")
    assert_books_agree(db)


def test_a_purchase_order_created_and_read(client, db, stocked, supervisor, staff):
    created = client.post(POS, json={"reference": "PO-1", "supplier": "Acme",
                                     "warehouse": "NORTH", "expected_date": "2030-03-01",
                                     "lines": [{"sku": "MUG", "qty": 10, "unit_cost": "2.5"}]},
                          headers=supervisor)
    assert created.status_code == 201, created.json
    assert created.json["lines"] == [{"sku": "MUG", "name": "Blue mug", "qty": 10,
                                      "received": 0, "remaining": 10, "unit_cost": "2.5000"}]
    read = client.get(f"{POS}/PO-1", headers=staff).json
    assert (read["status"], read["supplier"], read["expected_date"], read["discrepancies"]) == (
        "open", "Acme", "2030-03-01", [])
    error(client.post(f"{POS}/PO-1/close", headers=staff), 403, "forbidden")
    assert client.post(f"{POS}/PO-1/close", headers=supervisor).json["status"] == "closed"


GOOD_ORDER = {"reference": "SO-9", "lines": [{"sku": "MUG", "qty": 1}]}
BAD_ORDERS = [
    ({"lines": [{"sku": "MUG", "qty": 1}]}, 422, "reference"),
    ({"reference": "SO-9"}, 422, "lines"),
    ({**GOOD_ORDER, "lines": []}, 422, "lines"),
    ({**GOOD_ORDER, "lines": [{"sku": "MUG", "qty": 0}]}, 422, "lines"),
    ({**GOOD_ORDER, "lines": [{"sku": "MUG", "qty": "1"}]}, 422, "lines"),
    ({**GOOD_ORDER, "lines": [{"sku": "MUG", "qty": 1.5}]}, 422, "lines"),
    ({**GOOD_ORDER, "lines": [{"sku": "MUG"}]}, 422, "lines"),
    ({**GOOD_ORDER, "lines": "MUG"}, 422, "lines"),
    ({**GOOD_ORDER, "lines": [{"sku": "NOPE", "qty": 1}]}, 404, "lines"),
    ({**GOOD_ORDER, "lines": [{"sku": "MUG", "qty": 1}, {"sku": "MUG", "qty": 1}]}, 422,
     "lines"),
    ({**GOOD_ORDER, "reference": 7}, 422, "reference"),
    ({**GOOD_ORDER, "reference": "SO 9"}, 422, "reference"),
    ({**GOOD_ORDER, "latitude": 91, "longitude": 0}, 422, "latitude"),
    ({**GOOD_ORDER, "latitude": 50}, 422, "latitude"),
    ({**GOOD_ORDER, "allow_backorder": "yes"}, 422, "allow_backorder"),
    ({**GOOD_ORDER, "warehouse": "N-A-1"}, 422, "warehouse"),
    ({**GOOD_ORDER, "warehouse": "NOWHERE"}, 404, "warehouse"),
    ({**GOOD_ORDER, "colour": "red"}, 422, "colour"),
    ([GOOD_ORDER], 422, None),
]


@pytest.mark.parametrize("body, status, field", BAD_ORDERS)
def test_bad_orders_are_refused_and_change_nothing(client, db, stocked, staff, body, status,
                                                   field):
    before = counts(db)
    error(client.post(ORDERS, json=body, headers=staff), status, field=field)
    assert counts(db) == before
    assert reserved(db, stocked.p.mug, stocked.north) == 0


GOOD_PO = {"reference": "PO-9", "supplier": "Acme", "lines": [{"sku": "MUG", "qty": 1}]}
BAD_POS = [
    ({**GOOD_PO, "supplier": ""}, 422, "supplier"),
    ({k: v for k, v in GOOD_PO.items() if k != "supplier"}, 422, "supplier"),
    ({**GOOD_PO, "lines": []}, 422, "lines"),
    ({**GOOD_PO, "lines": [{"sku": "MUG", "qty": 0}]}, 422, "lines"),
    ({**GOOD_PO, "lines": [{"sku": "MUG", "qty": 1, "unit_cost": "free"}]}, 422, "lines"),
    ({**GOOD_PO, "lines": [{"sku": "NOPE", "qty": 1}]}, 404, "lines"),
    ({**GOOD_PO, "expected_date": "tomorrow"}, 422, "expected_date"),
    ({**GOOD_PO, "qty": 3}, 422, "qty"),
]


@pytest.mark.parametrize("body, status, field", BAD_POS)
def test_bad_purchase_orders_are_refused_and_change_nothing(client, db, stocked, supervisor, body,
                                                            status, field):
    before = counts(db)
    error(client.post(POS, json=body, headers=supervisor), status, field=field)
    assert counts(db) == before


def test_duplicate_references_are_409(client, db, stocked, staff, supervisor):
    assert client.post(ORDERS, json=GOOD_ORDER, headers=staff).status_code == 201
    error(client.post(ORDERS, json=GOOD_ORDER, headers=staff), 409, "duplicate_reference",
          "reference")
    assert client.post(POS, json=GOOD_PO, headers=supervisor).status_code == 201
    error(client.post(POS, json=GOOD_PO, headers=supervisor), 409, "duplicate_reference")
    assert reserved(db, stocked.p.mug, stocked.north) == 1


ENDPOINTS = [("post", ORDERS, GOOD_ORDER), ("get", f"{ORDERS}/SO-1", None),
             ("post", f"{ORDERS}/SO-1/cancel", None), ("get", f"{ORDERS}/SO-1/picklist", None),
             ("post", f"{ORDERS}/SO-1/ship", {"carrier": "DHL", "tracking": "1"}),
             ("post", f"{ORDERS}/SO-1/route", {"warehouse": "SOUTH"}),
             ("post", POS, GOOD_PO), ("get", f"{POS}/PO-1", None),
             ("post", f"{POS}/PO-1/close", None)]


@pytest.mark.parametrize("method, url, body", ENDPOINTS)
def test_every_endpoint_wants_credentials(client, db, stocked, method, url, body):
    error(getattr(client, method)(url, json=body), 401, "unauthorized")
    error(getattr(client, method)(url, json=body, headers={"Authorization": "Bearer nope"}),
          401, "unauthorized")


@pytest.mark.parametrize("method, url, body", [e for e in ENDPOINTS if e[1] != ORDERS
                                               and e[1] != POS])
def test_unknown_references_are_404(client, db, stocked, supervisor, method, url, body):
    url = url.replace("SO-1", "SO-404").replace("PO-1", "PO-404")
    error(getattr(client, method)(url, json=body, headers=supervisor), 404, "not_found")


@pytest.mark.parametrize("url", [POS, f"{POS}/PO-1/close", f"{ORDERS}/SO-1/route"])
def test_staff_may_not_use_supervisor_endpoints(client, db, stocked, staff, url):
    before = counts(db)
    error(client.post(url, json=GOOD_PO if url == POS else {"warehouse": "SOUTH"},
                      headers=staff), 403, "forbidden")
    assert counts(db) == before


@pytest.mark.parametrize("url, body, field", [
    (f"{ORDERS}/SO-1/ship", {"carrier": "DHL"}, "tracking"),
    (f"{ORDERS}/SO-1/ship", {"carrier": "", "tracking": "1"}, "carrier"),
    (f"{ORDERS}/SO-1/ship", {"carrier": "DHL", "tracking": 5}, "tracking"),
    (f"{ORDERS}/SO-1/route", {}, "warehouse"),
    (f"{ORDERS}/SO-1/route", {"warehouse": ["SOUTH"]}, "warehouse"),
])
def test_bad_bodies_of_order_actions_are_422(client, db, stocked, staff, supervisor, url, body,
                                            field):
    client.post(ORDERS, json={**GOOD_ORDER, "reference": "SO-1"}, headers=staff)
    before = counts(db)
    error(client.post(url, json=body, headers=supervisor), 422, field=field)
    assert counts(db) == before


def test_a_body_that_is_not_json_is_400(client, db, stocked, staff):
    response = client.post(ORDERS, data="reference=SO-1", headers={
        **staff, "Content-Type": "application/x-www-form-urlencoded"})
    error(response, 400, "not_json")
    error(client.post(ORDERS, data="{nope", headers={**staff, "Content-Type":
                                                     "application/json"}), 400)
