"""Expired lots are on hand but not available: never reserved, never on a pick list, never
picked to a customer (Scrap takes them); receiving an expired or nearly expired lot asks for
confirmation."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.orders.conftest import assert_books_agree
from warehouse_app.ledger.models import Movement
from warehouse_app.models import utcnow
from warehouse_app.orders import picklists, reserving
from warehouse_app.orders.models import Order

ORDERS, MOVES = "/api/v1/orders", "/api/v1/movements"
JSON = {"Accept": "application/json"}


def days(n: int) -> str:
    return (utcnow().date() + timedelta(days=n)).isoformat()


@pytest.fixture
def milk(db, site, make_product):
    """MILK: 3 of lot OLD that expired 35 days ago in N-B-1 (walked first), 4 of lot NEW
    (a year to go) in N-A-1."""
    product = make_product("MILK", tracking="lot")
    site.stock(product, site.bins.nb1, 3, lot="OLD", expiry=utcnow().date() - timedelta(35))
    site.stock(product, site.bins.na1, 4, lot="NEW", expiry=utcnow().date() + timedelta(365))
    return product


def test_expired_units_are_not_available_nor_reservable_api(client, db, site, milk, staff):
    shown = client.get("/api/v1/products/MILK", headers=staff).json
    assert (shown["on_hand"], shown["available"]) == (7, 4)
    too_many = client.post(ORDERS, json={"reference": "SO-1", "lines": [{"sku": "MILK",
                                                                         "qty": 5}]},
                           headers=staff)
    assert too_many.status_code == 409, too_many.json
    assert client.post(ORDERS, json={"reference": "SO-1", "lines": [{"sku": "MILK", "qty": 4}]},
                       headers=staff).status_code == 201
    listed = client.get(f"{ORDERS}/SO-1/picklist", headers=staff).json
    assert [(b["location"], b["lot"]) for b in listed["lines"][0]["bins"]] == [("N-A-1", "NEW")]


def test_the_expired_lot_is_not_first_on_the_pick_list_and_cannot_be_picked(client, db, site,
                                                                            milk, staff,
                                                                            supervisor):
    order = reserving.place({"reference": "SO-1", "lines": [{"sku": "MILK", "qty": 2}]})
    db.session.commit()
    tasks = picklists.build([order]).tasks
    assert [(t.location, t.lot) for t in tasks] == [("N-A-1", "NEW")]
    line = order.lines[0].id
    refused = client.post(f"{ORDERS}/SO-1/picks", json={"line": line, "location": "N-B-1",
                                                        "code": "MILK", "lot": "OLD", "qty": 1},
                          headers=staff)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "expired_lot"
    unscanned = client.post(f"{ORDERS}/SO-1/picks", json={"line": line, "location": "N-B-1",
                                                          "code": "MILK", "qty": 1},
                            headers=staff)
    assert unscanned.status_code in (409, 422)
    till = client.post(MOVES, json={"kind": "pick", "sku": "MILK", "qty": 1, "lot": "OLD",
                                    "from_location": "N-B-1"}, headers=staff)
    assert till.status_code == 409 and till.json["error"]["code"] == "expired_lot"
    scrapped = client.post(MOVES, json={"kind": "adjust", "sku": "MILK", "qty": 3, "lot": "OLD",
                                        "from_location": "N-B-1", "reason": "expiry"},
                           headers=supervisor)
    assert scrapped.status_code == 201 and scrapped.json["to_location"] == "SCRAP"
    assert_books_agree(db)


def test_the_phone_pick_page_refuses_the_expired_lot(client, db, site, milk, login_as, no_csrf):
    reserving.place({"reference": "SO-1", "lines": [{"sku": "MILK", "qty": 2}]})
    db.session.commit()
    line = db.session.scalar(select(Order)).lines[0].id
    login_as("staff")
    listed = client.get("/orders/pick/order/SO-1/list").json
    assert [(t["location"], t["lot"]) for t in listed["tasks"]] == [("N-A-1", "NEW")]
    refused = client.post("/orders/pick/line", json={"order": "SO-1", "line": line,
                                                     "location": "N-B-1", "code": "MILK",
                                                     "lot": "OLD", "qty": 1}, headers=JSON)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "expired_lot"
    assert "expired" in refused.json["error"]["message"]


@pytest.mark.parametrize("expiry_in, warns", [(-35, True), (0, True), (10, True), (30, True),
                                              (31, False), (400, False)])
def test_receiving_an_expired_or_nearly_expired_lot_asks_first_api(client, db, site,
                                                                   make_product, staff,
                                                                   expiry_in, warns):
    make_product("MILK", tracking="lot")
    body = {"kind": "receive", "sku": "MILK", "qty": 2, "lot": "L1", "expiry": days(expiry_in),
            "to_location": "N-A-1"}
    first = client.post(MOVES, json=body, headers=staff)
    if not warns:
        assert first.status_code == 201
        return
    assert first.status_code == 409 and first.json["error"]["code"] == "expiry_warning"
    assert db.session.scalar(select(Movement.id)) is None
    for bad in ("yes", 1, None):
        assert client.post(MOVES, json={**body, "confirm_expiry": bad},
                           headers=staff).status_code == 422
    assert client.post(MOVES, json={**body, "confirm_expiry": True},
                       headers=staff).status_code == 201


def test_receiving_an_expired_lot_on_the_phone_asks_first(client, db, site, make_product,
                                                          login_as, no_csrf):
    make_product("MILK", tracking="lot")
    login_as("staff")
    body = {"flow": "receive", "code": "MILK", "qty": 2, "lot": "L1", "expiry": days(-35),
            "to_location": "N-A-1"}
    first = client.post("/scan/line", json=body, headers=JSON)
    assert first.status_code == 409 and first.json["error"]["code"] == "expiry_warning"
    assert "35 days ago" in first.json["error"]["message"]
    assert client.post("/scan/line", json={**body, "confirm_expiry": True},
                       headers=JSON).status_code == 201


def test_receiving_an_expired_lot_on_a_purchase_order_asks_first(client, db, site, make_product,
                                                                 login_as, no_csrf):
    from warehouse_app.orders import purchasing
    make_product("MILK", tracking="lot")
    purchasing.create({"reference": "PO-1", "supplier": "Acme", "lines": [
        {"sku": "MILK", "qty": 5}]})
    db.session.commit()
    login_as("staff")
    body = {"location": "N-A-2", "code": "MILK", "qty": 2, "lot": "L1", "expiry": days(5)}
    first = client.post("/orders/purchase/PO-1/receive", json=body, headers=JSON)
    assert first.status_code == 409 and first.json["error"]["code"] == "expiry_warning"
    done = client.post("/orders/purchase/PO-1/receive", json={**body, "confirm_expiry": True},
                       headers=JSON)
    assert done.status_code == 201, done.json


# Hold bins: returns land there; their stock is not available until a supervisor releases it.

@pytest.fixture
def returns(db, site, make_location):
    """RET-01, a hold bin of NORTH; 2 MUG on the shelf in N-A-1."""
    site.stock(site.p.mug, site.bins.na1, 2)
    return make_location("RET-01", "bin", parent=site.north, hold=True)


def test_a_bin_is_marked_hold_by_a_supervisor_api(client, db, site, staff, supervisor):
    url = "/api/v1/locations/N-B-1"
    assert client.patch(url, json={"hold": True}, headers=staff).status_code == 403
    for bad in ("yes", 1, None):
        assert client.patch(url, json={"hold": bad}, headers=supervisor).status_code == 422
    assert client.get(url, headers=staff).json["hold"] is False
    assert client.patch(url, json={"hold": True}, headers=supervisor).json["hold"] is True
    made = client.post("/api/v1/locations", json={"code": "Q-1", "kind": "bin", "parent": "NORTH",
                                                  "hold": True}, headers=supervisor)
    assert made.status_code == 201 and made.json["hold"] is True


def test_a_bin_is_marked_hold_on_its_page(client, db, site, login_as, no_csrf):
    login_as("supervisor")
    page = client.get(f"/locations/{site.bins.nb1.id}").get_data(as_text=True)
    assert 'name="hold"' in page
    saved = client.post(f"/locations/{site.bins.nb1.id}", data={
        "name": "N-B-1", "sequence": "1", "capacity": "", "hold": "1"})
    assert saved.status_code == 303
    db.session.refresh(site.bins.nb1)
    assert site.bins.nb1.hold is True
    client.post(f"/locations/{site.bins.nb1.id}", data={"name": "N-B-1", "sequence": "1",
                                                        "capacity": ""})
    db.session.refresh(site.bins.nb1)
    assert site.bins.nb1.hold is False


def test_a_return_waits_in_hold_until_a_supervisor_releases_it_api(client, db, site, returns,
                                                                   staff, supervisor):
    wrong = client.post(MOVES, json={"kind": "return", "sku": "MUG", "qty": 1,
                                     "to_location": "N-A-2"}, headers=staff)
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "not_hold_bin"
    back = client.post(MOVES, json={"kind": "return", "sku": "MUG", "qty": 3,
                                    "to_location": "RET-01", "note": "box damaged"},
                       headers=staff)
    assert back.status_code == 201
    shown = client.get("/api/v1/products/MUG", headers=staff).json
    assert (shown["on_hand"], shown["available"]) == (5, 2)
    assert client.post(ORDERS, json={"reference": "SO-1", "lines": [{"sku": "MUG", "qty": 3}]},
                       headers=staff).status_code == 409
    assert client.post(ORDERS, json={"reference": "SO-1", "lines": [{"sku": "MUG", "qty": 2}]},
                       headers=staff).status_code == 201
    listed = client.get(f"{ORDERS}/SO-1/picklist", headers=staff).json
    assert [b["location"] for b in listed["lines"][0]["bins"]] == ["N-A-1"]
    line = db.session.scalar(select(Order)).lines[0].id
    refused = client.post(f"{ORDERS}/SO-1/picks", json={"line": line, "location": "RET-01",
                                                        "code": "MUG", "qty": 1}, headers=staff)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "held_stock"
    till = client.post(MOVES, json={"kind": "pick", "sku": "MUG", "qty": 1,
                                    "from_location": "RET-01"}, headers=staff)
    assert till.status_code == 409 and till.json["error"]["code"] == "held_stock"
    release = {"kind": "transfer", "sku": "MUG", "qty": 2, "from_location": "RET-01",
               "to_location": "N-A-2"}
    assert client.post(MOVES, json=release, headers=staff).status_code == 403
    assert client.post(MOVES, json=release, headers=supervisor).status_code == 201
    scrap = client.post(MOVES, json={"kind": "adjust", "sku": "MUG", "qty": 1, "reason": "damage",
                                     "from_location": "RET-01"}, headers=supervisor)
    assert scrap.status_code == 201 and scrap.json["to_location"] == "SCRAP"
    shown = client.get("/api/v1/products/MUG", headers=staff).json
    assert (shown["on_hand"], shown["reserved"], shown["available"]) == (4, 2, 2)
    assert_books_agree(db)


def test_a_return_on_the_phone_is_held_and_not_on_the_next_wave(client, db, site, returns,
                                                                login_as, no_csrf):
    login_as("staff")
    back = client.post("/scan/line", json={"flow": "return", "code": "MUG", "qty": 1,
                                           "to_location": "RET-01", "note": "box damaged"},
                       headers=JSON)
    assert back.status_code == 201, back.json
    reserving.place({"reference": "SO-1", "lines": [{"sku": "MUG", "qty": 2}]})
    db.session.commit()
    started = client.post("/orders/pick/wave", data={"order": ["SO-1"]})
    listed = client.get(started.headers["Location"] + "/list").json
    assert [t["location"] for t in listed["tasks"]] == ["N-A-1"]
    line = db.session.scalar(select(Order)).lines[0].id
    refused = client.post("/orders/pick/line", json={"order": "SO-1", "line": line,
                                                     "location": "RET-01", "code": "MUG",
                                                     "qty": 1}, headers=JSON)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "held_stock"
    release = {"flow": "move", "code": "MUG", "qty": 1, "from_location": "RET-01",
               "to_location": "N-A-2"}
    assert client.post("/scan/line", json=release, headers=JSON).status_code == 403
    login_as("supervisor")
    assert client.post("/scan/line", json=release, headers=JSON).status_code == 201
