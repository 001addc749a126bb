"""One road per input, for purchase-order receipts: the same scanned line sent as the API's body
(POST /api/v1/purchase-orders/<ref>/receipts) and as the phone's
(POST /orders/purchase/<ref>/receive) is checked by the same schema (orders/inputs.py
ReceiptIn) and received by the same purchasing.receive(): the same status, error code and
field, the same movement, balances, receipt counters and discrepancies; a refusal writes
nothing either way. Two identical purchase orders take the two roads' lines."""
import pytest
from sqlalchemy import select

from tests.orders import conftest as orders_conftest
from tests.support.one_road import assert_refused_alike, assert_written_alike
from warehouse_app.ledger.models import Movement, StockLevel
from warehouse_app.orders.models import Discrepancy, PurchaseOrderLine

site = orders_conftest.site
URLS = {"api": "/api/v1/purchase-orders/PO-API/receipts",
        "phone": "/orders/purchase/PO-PHONE/receive"}
LINE = {"code": "MUG", "qty": 3, "location": "N-A-1"}
GOOD = {
    "typed quantity": LINE,
    "by barcode, no qty": {"code": "5901234123457", "location": "N-A-1"},
    "qty null": {**LINE, "qty": None},
    "with an op id and nulls": {**LINE, "client_op_id": "OP", "lot": None, "expiry": None},
}
# Held for a supervisor, received by neither road: each answers in its own shape (the API 202
# with the discrepancy, the phone 409 naming it), and both keep the same discrepancy.
HELD = {
    "not a product here": ({**LINE, "code": "NEW-THING"}, "unknown_product"),
    "not on the order": ({**LINE, "code": "CAP"}, "not_on_order"),
}
BAD = {  # body, status, code, field
    "no code": ({k: v for k, v in LINE.items() if k != "code"}, 422, "invalid", "code"),
    "code not text": ({**LINE, "code": 7}, 422, "invalid", "code"),
    "code too long": ({**LINE, "code": "M" * 257}, 422, "invalid", "code"),
    "a bin's code": ({**LINE, "code": "N-A-2"}, 422, "wrong_scan", "code"),
    "qty 0": ({**LINE, "qty": 0}, 422, "invalid", "qty"),
    "qty -1": ({**LINE, "qty": -1}, 422, "invalid", "qty"),
    "qty 1.5": ({**LINE, "qty": 1.5}, 422, "invalid", "qty"),
    "qty as text": ({**LINE, "qty": "3"}, 422, "invalid", "qty"),
    "qty true": ({**LINE, "qty": True}, 422, "invalid", "qty"),
    "qty huge": ({**LINE, "qty": 10**30}, 422, "invalid", "qty"),
    "no location": ({k: v for k, v in LINE.items() if k != "location"}, 422, "invalid",
                    "location"),
    "unknown bin": ({**LINE, "location": "NOWHERE"}, 404, "not_found", "location"),
    "bin of another warehouse": ({**LINE, "location": "S-1"}, 422, "wrong_bin", "location"),
    "bin code too long": ({**LINE, "location": "N" * 41}, 422, "invalid", "location"),
    "control character": ({**LINE, "location": "N-A-1\x01"}, 422, "invalid", "location"),
    "lot too long": ({**LINE, "lot": "L" * 65}, 422, "invalid", "lot"),
    "lot for an untracked product": ({**LINE, "lot": "L1"}, 422, "invalid", "lot"),
    "date not ISO": ({**LINE, "expiry": "31/12/2026"}, 422, "invalid", "expiry"),
    "no such date": ({**LINE, "expiry": "2026-02-30"}, 422, "invalid", "expiry"),
    "client_op_id of 65": ({**LINE, "client_op_id": "x" * 65}, 422, "invalid", "client_op_id"),
    "client_op_id a number": ({**LINE, "client_op_id": 7}, 422, "invalid", "client_op_id"),
    "confirm_expiry as 1": ({**LINE, "confirm_expiry": 1}, 422, "invalid", "confirm_expiry"),
    "override of 301": ({**LINE, "override_capacity": "o" * 301}, 422, "invalid",
                        "override_capacity"),
    "unknown field": ({**LINE, "colour": "blue"}, 422, "invalid", "colour"),
}


@pytest.fixture
def roads(app, client, db, site, api_token, login_as, no_csrf):
    """PO-API and PO-PHONE, each 10 MUG at 2.50 and 4 TEE into NORTH; send(road, body):
    (status, (code, field) or None, what it wrote)."""
    boss, headers = api_token("supervisor"), api_token("staff")
    for ref in ("PO-API", "PO-PHONE"):
        made = client.post("/api/v1/purchase-orders", headers=boss, json={
            "reference": ref, "supplier": "Acme Ltd", "warehouse": "NORTH",
            "lines": [{"sku": "MUG", "qty": 10, "unit_cost": "2.5"}, {"sku": "TEE", "qty": 4}]})
        assert made.status_code == 201, made.json
    login_as("staff")  # the phone's session on the shared client; the API goes by its token
    api = app.test_client()

    def send(road, body):
        if body.get("client_op_id") == "OP":
            body = {**body, "client_op_id": f"op-{road}"}
        before = books(db)
        if road == "api":
            response = api.post(URLS[road], json=body, headers=headers)
        else:
            response = client.post(URLS[road], json=body, headers={"Accept": "application/json"})
        error = (response.get_json() or {}).get("error")
        return (response.status_code, error and (error["code"], error["field"]),
                written(before, books(db)))
    return send


def books(db) -> dict:
    """Movements (without what differs by order), balances, receipt counters, discrepancies."""
    db.session.commit()
    return {
        "moves": {m.id: (m.kind.value, m.product.sku, m.qty, m.from_location.code,
                         m.to_location.code, m.lot_id, m.unit_cost)
                  for m in db.session.scalars(select(Movement))},
        "stock": {(s.product_id, s.location_id, s.lot_id): s.on_hand
                  for s in db.session.scalars(select(StockLevel))},
        "received": {line.id: line.received
                     for line in db.session.scalars(select(PurchaseOrderLine))},
        "held": {d.id: (d.kind.value, d.code, d.qty, d.location_id)
                 for d in db.session.scalars(select(Discrepancy))}}


def written(before: dict, after: dict) -> tuple:
    """What a request wrote, whichever of the two orders it was for."""
    def new(key):
        return sorted(v for k, v in after[key].items() if k not in before[key])
    stock = {k: after["stock"].get(k, 0) - before["stock"].get(k, 0)
             for k in set(before["stock"]) | set(after["stock"])
             if after["stock"].get(k, 0) != before["stock"].get(k, 0)}
    received = sorted(after["received"][k] - before["received"][k] for k in after["received"]
                      if after["received"][k] != before["received"][k])
    return new("moves"), stock, received, new("held")


NOTHING = ([], {}, [], [])


@pytest.mark.parametrize("name", list(GOOD))
def test_a_good_receipt_writes_the_same_both_ways(roads, name):
    assert_written_alike(roads("api", GOOD[name]), roads("phone", GOOD[name]), NOTHING)


@pytest.mark.parametrize("name", list(HELD))
def test_a_held_line_keeps_the_same_discrepancy_both_ways(roads, name):
    body, kind = HELD[name]
    api, phone = roads("api", body), roads("phone", body)
    assert (api[0], phone[0], phone[1]) == (202, 409, (kind, "code"))
    assert api[2] == phone[2] and api[2][:3] == NOTHING[:3] and len(api[2][3]) == 1


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_receipt_is_refused_alike_and_writes_nothing(roads, name):
    body = BAD[name][0]
    assert_refused_alike(roads("api", body), roads("phone", body), BAD[name], NOTHING)
