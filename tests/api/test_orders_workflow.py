"""The order and purchase-order workflows driven through the JSON API alone, as an integrator
would: list, pick, report short, ship; list, receive, have discrepancies decided. Every refused
request answers one clear 4xx and leaves the ledger, the stock and the documents as they were."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from tests.api.checks import assert_error
from tests.orders import conftest as orders_conftest
from tests.orders.conftest import assert_books_agree
from warehouse_app.catalog.models import Product
from warehouse_app.ledger.models import CountRequest, Movement, StockLevel
from warehouse_app.locations.models import Location
from warehouse_app.orders.models import (
    Discrepancy,
    Order,
    OrderLine,
    PickShortage,
    PurchaseOrder,
    PurchaseOrderLine,
)

ORDERS, POS = "/api/v1/orders", "/api/v1/purchase-orders"
DISCREPANCIES = f"{POS}/discrepancies"
MUG_EAN = "5901234123457"
site = orders_conftest.site  # NORTH and SOUTH with bins, products MUG, TEE and CAP


@pytest.fixture
def stocked(site):
    """MUG: 2 in N-A-2 (walked first), 5 in N-A-1; TEE: 2 in N-B-1; nothing in SOUTH."""
    site.stock(site.p.mug, site.bins.na2, 2)
    site.stock(site.p.mug, site.bins.na1, 5)
    site.stock(site.p.tee, site.bins.nb1, 2)
    return site


@pytest.fixture
def order(client, stocked, staff):
    """SO-1: 3 MUG and 2 TEE, reserved in NORTH; its line ids by SKU."""
    placed = client.post(ORDERS, json={"reference": "SO-1", "lines": [
        {"sku": "MUG", "qty": 3}, {"sku": "TEE", "qty": 2}]}, headers=staff)
    assert placed.status_code == 201, placed.json
    return {line["sku"]: line["line_id"] for line in placed.json["lines"]}


@pytest.fixture
def po(client, stocked, supervisor):
    """PO-1 from Acme Ltd to NORTH: 10 MUG at 2.50, 4 TEE."""
    created = client.post(POS, json={"reference": "PO-1", "supplier": "Acme Ltd",
                                     "warehouse": "NORTH",
                                     "lines": [{"sku": "MUG", "qty": 10, "unit_cost": "2.5"},
                                               {"sku": "TEE", "qty": 4}]}, headers=supervisor)
    assert created.status_code == 201, created.json
    return created.json


def books(db) -> dict:
    """Everything a request could have written: ledger, balances, orders, POs, flags."""
    db.session.commit()

    def rows(*columns):
        return sorted(tuple(row) for row in db.session.execute(select(*columns)))
    return {"movements": rows(Movement.id),
            "stock": rows(StockLevel.product_id, StockLevel.location_id, StockLevel.lot_id,
                          StockLevel.on_hand),
            "orders": rows(Order.id, Order.status),
            "order_lines": rows(OrderLine.id, OrderLine.reserved, OrderLine.picked,
                                OrderLine.shipped),
            "shortages": rows(PickShortage.id),
            "count_requests": rows(CountRequest.id),
            "pos": rows(PurchaseOrder.id, PurchaseOrder.status),
            "po_lines": rows(PurchaseOrderLine.id, PurchaseOrderLine.received),
            "discrepancies": rows(Discrepancy.id, Discrepancy.status, Discrepancy.movement_id)}


def on_hand(db, sku: str, code: str) -> int:
    db.session.commit()
    return db.session.scalar(
        select(func.coalesce(func.sum(StockLevel.on_hand), 0))
        .join(Location, Location.id == StockLevel.location_id)
        .join(Product, Product.id == StockLevel.product_id)
        .where(Location.code == code, Product.sku == sku))


def listed(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item.get("reference") for item in response.json["items"]]


# Orders: list, pick, short, ship


def test_an_integrator_picks_reports_short_and_ships_an_order(client, db, stocked, order, staff):
    assert listed(client.get(ORDERS, headers=staff)) == ["SO-1"]
    pick_tee = {"line": order["TEE"], "location": "N-B-1", "code": "TEE", "qty": 2,
                "client_op_id": "hh-1-0001"}
    first = client.post(f"{ORDERS}/SO-1/picks", json=pick_tee, headers=staff)
    assert first.status_code == 201, first.json
    assert first.json == {"movement_id": first.json["movement_id"], "line": order["TEE"],
                          "sku": "TEE", "qty": 2, "from_location": "N-B-1",
                          "to_location": "CUSTOMER", "picked": 2, "to_pick": 0,
                          "order_status": "picking", "replayed": False}
    again = client.post(f"{ORDERS}/SO-1/picks", json=pick_tee, headers=staff)
    assert again.status_code == 200, again.json
    assert {**again.json, "replayed": False} == first.json and again.json["replayed"] is True
    assert db.session.scalar(select(func.count()).where(
        Movement.client_op_id == "hh-1-0001")) == 1
    assert on_hand(db, "TEE", "N-B-1") == 0

    scanned = client.post(f"{ORDERS}/SO-1/picks", json={
        "line": order["MUG"], "location": "N-A-2", "code": MUG_EAN}, headers=staff)
    assert (scanned.status_code, scanned.json["qty"], scanned.json["to_pick"]) == (201, 1, 2)
    short = client.post(f"{ORDERS}/SO-1/shortages", json={
        "line": order["MUG"], "location": "N-A-2", "qty": 1, "client_op_id": "hh-1-0002"},
        headers=staff)
    assert short.status_code == 201, short.json
    assert short.json == {"id": short.json["id"], "line": order["MUG"], "sku": "MUG",
                          "location": "N-A-2", "qty": 1,
                          "count_request_id": short.json["count_request_id"],
                          "replayed": False}
    flagged = db.session.get(CountRequest, short.json["count_request_id"])
    assert (flagged.location.code, flagged.product.sku, flagged.resolved_at) == (
        "N-A-2", "MUG", None)
    replayed = client.post(f"{ORDERS}/SO-1/shortages", json={
        "line": order["MUG"], "location": "N-A-2", "qty": 1, "client_op_id": "hh-1-0002"},
        headers=staff)
    assert (replayed.status_code, replayed.json["id"], replayed.json["replayed"]) == (
        200, short.json["id"], True)
    assert db.session.scalar(select(func.count()).select_from(PickShortage)) == 1
    bins = client.get(f"{ORDERS}/SO-1/picklist", headers=staff).json["lines"][0]["bins"]
    assert [b["location"] for b in bins] == ["N-A-1"]  # the short bin is no longer offered

    rest = client.post(f"{ORDERS}/SO-1/picks", json={
        "line": order["MUG"], "location": "N-A-1", "code": "MUG", "qty": 2}, headers=staff)
    assert (rest.status_code, rest.json["to_pick"], rest.json["order_status"]) == (
        201, 0, "picked")
    shipped = client.post(f"{ORDERS}/SO-1/ship", json={"carrier": "DPD", "tracking": "T1"},
                          headers=staff)
    assert (shipped.status_code, shipped.json["status"]) == (200, "shipped")
    assert [(x["line_id"], x["picked"], x["shipped"]) for x in shipped.json["lines"]] == [
        (order["MUG"], 3, 3), (order["TEE"], 2, 2)]
    assert (on_hand(db, "MUG", "N-A-2"), on_hand(db, "MUG", "N-A-1")) == (1, 3)
    assert_error(client.post(f"{ORDERS}/SO-1/picks", json={
        "line": order["MUG"], "location": "N-A-1", "code": "MUG", "qty": 1}, headers=staff),
        409, "order_closed")
    assert listed(client.get(ORDERS, query_string={"status": "shipped"},
                             headers=staff)) == ["SO-1"]
    assert_books_agree(db)


def test_with_a_packing_bin_picks_are_staged_until_shipped(client, db, stocked, make_location,
                                                          staff):
    make_location("NORTH-PACK", "bin", parent=stocked.north)
    placed = client.post(ORDERS, json={"reference": "SO-2", "lines": [{"sku": "TEE", "qty": 2}]},
                         headers=staff).json
    picked = client.post(f"{ORDERS}/SO-2/picks", json={
        "line": placed["lines"][0]["line_id"], "location": "N-B-1", "code": "TEE"},
        headers=staff)
    assert picked.status_code == 201, picked.json
    assert (picked.json["to_location"], picked.json["qty"], picked.json["to_pick"]) == (
        "NORTH-PACK", 1, 1)
    assert on_hand(db, "TEE", "NORTH-PACK") == 1
    line = client.get(f"{ORDERS}/SO-2", headers=staff).json["lines"][0]
    assert (line["picked"], line["staged"], line["shipped"], line["reserved"]) == (1, 1, 0, 2)
    short = client.post(f"{ORDERS}/SO-2/ship", json={"carrier": "DPD", "tracking": "T2"},
                        headers=staff)
    assert short.status_code == 409 and short.json["error"]["code"] == "unpicked_units"
    client.post(f"{ORDERS}/SO-2/ship", json={"carrier": "DPD", "tracking": "T2",
                                             "short": "cancel"}, headers=staff)
    assert (on_hand(db, "TEE", "NORTH-PACK"), on_hand(db, "TEE", "N-B-1")) == (0, 1)
    assert_books_agree(db)


def test_orders_are_listed_newest_first_filtered_by_status_and_day_and_paged(client, db, stocked,
                                                                            staff):
    for n in range(1, 5):
        assert client.post(ORDERS, json={"reference": f"SO-{n}", "lines": [
            {"sku": "MUG", "qty": 1}]}, headers=staff).status_code == 201
    client.post(f"{ORDERS}/SO-2/cancel", headers=staff)
    days = {"SO-1": datetime(2024, 3, 9, 23, 59, tzinfo=UTC),
            "SO-2": datetime(2024, 3, 10, 0, 0, tzinfo=UTC),
            "SO-3": datetime(2024, 3, 10, 23, 59, 59, tzinfo=UTC)}
    for reference, moment in days.items():
        db.session.execute(update(Order).where(Order.reference == reference)
                           .values(created_at=moment))
    db.session.commit()

    assert listed(client.get(ORDERS, headers=staff)) == ["SO-4", "SO-3", "SO-2", "SO-1"]
    first = client.get(ORDERS, query_string={"per_page": 3}, headers=staff)
    assert (listed(first), first.json["total"], first.json["page"]) == (
        ["SO-4", "SO-3", "SO-2"], 4, 1)
    assert listed(client.get(ORDERS, query_string={"per_page": 3, "page": 2},
                             headers=staff)) == ["SO-1"]
    assert listed(client.get(ORDERS, query_string={"page": 9}, headers=staff)) == []
    assert listed(client.get(ORDERS, query_string={"status": "cancelled"},
                             headers=staff)) == ["SO-2"]
    assert listed(client.get(ORDERS, query_string={"status": "open"}, headers=staff)) == [
        "SO-4", "SO-3", "SO-1"]
    one_day = {"since": "2024-03-10", "until": "2024-03-10"}
    assert listed(client.get(ORDERS, query_string=one_day, headers=staff)) == ["SO-3", "SO-2"]
    assert listed(client.get(ORDERS, query_string={"until": "2024-03-09"},
                             headers=staff)) == ["SO-1"]
    assert listed(client.get(ORDERS, query_string={"since": "2024-03-11"},
                             headers=staff)) == ["SO-4"]
    assert listed(client.get(ORDERS, query_string={"until": "9999-12-31", "since": "0001-01-01"},
                             headers=staff)) == ["SO-4", "SO-3", "SO-2", "SO-1"]
    for args, field in [({"status": "lost"}, "status"), ({"since": "yesterday"}, "since"),
                        ({"until": "2024-02-30"}, "until"), ({"per_page": 0}, "per_page"),
                        ({"per_page": 201}, "per_page"), ({"page": "x"}, "page"),
                        ({"since": "2024-03-11", "until": "2024-03-10"}, "until")]:
        assert_error(client.get(ORDERS, query_string=args, headers=staff), 422, "invalid",
                     field)


# Purchase orders: list, receive, discrepancies


def test_purchase_orders_are_listed_newest_first_by_status_and_supplier(client, db, po,
                                                                       supervisor, staff):
    client.post(POS, json={"reference": "PO-2", "supplier": "Bolt & Nut",
                           "lines": [{"sku": "CAP", "qty": 1}]}, headers=supervisor)
    client.post(f"{POS}/PO-2/close", headers=supervisor)
    page = client.get(POS, headers=staff)
    assert (listed(page), page.json["total"]) == (["PO-2", "PO-1"], 2)
    assert page.json["items"][1] == client.get(f"{POS}/PO-1", headers=staff).json
    assert listed(client.get(POS, query_string={"supplier": "acme"}, headers=staff)) == ["PO-1"]
    assert listed(client.get(POS, query_string={"supplier": " & "}, headers=staff)) == ["PO-2"]
    assert listed(client.get(POS, query_string={"supplier": "%"}, headers=staff)) == []
    assert listed(client.get(POS, query_string={"status": "closed"}, headers=staff)) == ["PO-2"]
    assert listed(client.get(POS, query_string={"status": "open", "supplier": "Bolt"},
                             headers=staff)) == []
    assert listed(client.get(POS, query_string={"per_page": 1, "page": 2},
                             headers=staff)) == ["PO-1"]
    for args, field in [({"status": "lost"}, "status"), ({"supplier": "x" * 121}, "supplier"),
                        ({"supplier": "a\x00b"}, "supplier"), ({"per_page": 0}, "per_page")]:
        assert_error(client.get(POS, query_string=args, headers=staff), 422, "invalid", field)


def test_a_delivery_is_received_line_by_line_and_surprises_are_held(client, db, po, staff):
    receipts = f"{POS}/PO-1/receipts"
    part = client.post(receipts, json={"code": "MUG", "qty": 4, "location": "N-A-1",
                                       "client_op_id": "dock-1"}, headers=staff)
    assert part.status_code == 201, part.json
    assert part.json == {"movement_id": part.json["movement_id"], "discrepancy": None,
                         "line": {"sku": "MUG", "qty": 10, "received": 4, "remaining": 6},
                         "po_status": "partially_received", "replayed": False}
    retry = client.post(receipts, json={"code": "MUG", "qty": 4, "location": "N-A-1",
                                        "client_op_id": "dock-1"}, headers=staff)
    assert (retry.status_code, retry.json["movement_id"], retry.json["replayed"]) == (
        200, part.json["movement_id"], True)
    assert on_hand(db, "MUG", "N-A-1") == 5 + 4
    receipt = db.session.get(Movement, part.json["movement_id"])
    assert (receipt.reference, str(receipt.unit_cost), receipt.to_location.code) == (
        "PO-1", "2.5000", "N-A-1")

    rest = client.post(receipts, json={"code": MUG_EAN, "qty": 6, "location": "N-A-2"},
                       headers=staff)
    assert (rest.status_code, rest.json["line"]["remaining"]) == (201, 0)
    tee = client.post(receipts, json={"code": "TEE", "qty": 4, "location": "N-B-1"},
                      headers=staff)
    assert (tee.status_code, tee.json["po_status"]) == (201, "received")

    before = books(db)
    over = client.post(receipts, json={"code": "MUG", "qty": 2, "location": "N-A-1",
                                       "client_op_id": "dock-9"}, headers=staff)
    assert over.status_code == 202, over.json
    assert (over.json["movement_id"], over.json["line"], over.json["po_status"]) == (
        None, None, "received")
    held = over.json["discrepancy"]
    assert (held["kind"], held["status"], held["sku"], held["qty"], held["expected"],
            held["location"], held["movement_id"]) == (
        "over_receipt", "open", "MUG", 2, 0, "N-A-1", None)
    again = client.post(receipts, json={"code": "MUG", "qty": 2, "location": "N-A-1",
                                        "client_op_id": "dock-9"}, headers=staff)
    assert (again.status_code, again.json["discrepancy"]["id"]) == (200, held["id"])
    unknown = client.post(receipts, json={"code": "4000000000006", "location": "N-A-1"},
                          headers=staff)
    assert unknown.status_code == 202, unknown.json
    assert (unknown.json["discrepancy"]["kind"], unknown.json["discrepancy"]["sku"],
            unknown.json["discrepancy"]["code"], unknown.json["discrepancy"]["qty"]) == (
        "unknown_product", None, "4000000000006", 1)
    not_listed = client.post(receipts, json={"code": "CAP", "qty": 3, "location": "N-A-1"},
                             headers=staff)
    assert (not_listed.status_code, not_listed.json["discrepancy"]["kind"]) == (
        202, "not_on_order")
    after = books(db)
    assert {k: v for k, v in after.items() if k != "discrepancies"} == {
        k: v for k, v in before.items() if k != "discrepancies"}  # nothing posted
    assert len(after["discrepancies"]) == 3
    shown = client.get(f"{POS}/PO-1", headers=staff).json["discrepancies"]
    assert [d["kind"] for d in shown] == ["over_receipt", "unknown_product", "not_on_order"]
    assert_books_agree(db)


@pytest.fixture
def held(client, po, staff):
    """Two lines held on PO-1: 3 MUG too many (id "over") and an unknown code ("unknown")."""
    receipts = f"{POS}/PO-1/receipts"
    client.post(receipts, json={"code": "MUG", "qty": 10, "location": "N-A-1"}, headers=staff)
    over = client.post(receipts, json={"code": "MUG", "qty": 3, "location": "N-A-1",
                                       "lot": None, "expiry": None}, headers=staff)
    unknown = client.post(receipts, json={"code": "NEW-THING", "qty": 2, "location": "N-A-2"},
                          headers=staff)
    assert (over.status_code, unknown.status_code) == (202, 202)
    return {"over": over.json["discrepancy"]["id"],
            "unknown": unknown.json["discrepancy"]["id"]}


def test_a_supervisor_accepts_part_of_an_over_receipt(client, db, held, supervisor):
    accepted = client.post(f"{DISCREPANCIES}/{held['over']}/accept", json={"qty": 2},
                           headers=supervisor)
    assert accepted.status_code == 200, accepted.json
    body = accepted.json
    assert (body["id"], body["status"], body["purchase_order"], body["po_status"]) == (
        held["over"], "accepted", "PO-1", "partially_received")
    assert body["resolved_at"] and body["movement_id"]
    posted = db.session.get(Movement, body["movement_id"])
    assert (posted.product.sku, posted.qty, posted.to_location.code, posted.reference) == (
        "MUG", 2, "N-A-1", "PO-1")
    assert on_hand(db, "MUG", "N-A-1") == 5 + 10 + 2
    mug = client.get(f"{POS}/PO-1", headers=supervisor).json["lines"][0]
    assert (mug["qty"], mug["received"]) == (10, 12)
    before = books(db)
    assert_error(client.post(f"{DISCREPANCIES}/{held['over']}/accept", headers=supervisor),
                 409, "resolved")
    assert_error(client.post(f"{DISCREPANCIES}/{held['over']}/dismiss", headers=supervisor),
                 409, "resolved")
    assert books(db) == before
    assert_books_agree(db)


def test_an_unknown_code_is_accepted_as_a_named_sku_or_dismissed(client, db, held, supervisor):
    before = books(db)
    assert_error(client.post(f"{DISCREPANCIES}/{held['unknown']}/accept", json={},
                             headers=supervisor), 422, field="sku")
    assert_error(client.post(f"{DISCREPANCIES}/{held['unknown']}/accept",
                             json={"sku": "NOPE"}, headers=supervisor), 404, field="sku")
    assert books(db) == before
    accepted = client.post(f"{DISCREPANCIES}/{held['unknown']}/accept", json={"sku": "CAP"},
                           headers=supervisor)
    assert (accepted.status_code, accepted.json["sku"], accepted.json["status"]) == (
        200, "CAP", "accepted")
    assert on_hand(db, "CAP", "N-A-2") == 2
    cap = client.get(f"{POS}/PO-1", headers=supervisor).json["lines"][-1]
    assert (cap["sku"], cap["qty"], cap["received"]) == ("CAP", 0, 2)

    dismissed = client.post(f"{DISCREPANCIES}/{held['over']}/dismiss", headers=supervisor)
    assert dismissed.status_code == 200, dismissed.json
    assert (dismissed.json["status"], dismissed.json["movement_id"]) == ("dismissed", None)
    assert on_hand(db, "MUG", "N-A-1") == 5 + 10
    assert_books_agree(db)


def test_staff_may_not_decide_discrepancies(client, db, held, staff):
    before = books(db)
    for action, body in (("accept", {"qty": 1}), ("accept", None), ("dismiss", None)):
        assert_error(client.post(f"{DISCREPANCIES}/{held['over']}/{action}", json=body,
                                 headers=staff), 403, "forbidden")
    assert books(db) == before


@pytest.mark.parametrize("path, body, status, field", [
    ("{over}/accept", {"qty": 0}, 422, "qty"),
    ("{over}/accept", {"qty": 4}, 422, "qty"),  # more than the 3 held
    ("{over}/accept", {"qty": 1.5}, 422, "qty"),
    ("{over}/accept", {"qty": "1"}, 422, "qty"),
    ("{over}/accept", {"qty": 10**9 + 1}, 422, "qty"),
    ("{over}/accept", {"sku": 5}, 422, "sku"),
    ("{over}/accept", {"sku": "x" * 65}, 422, "sku"),
    ("{over}/accept", {"note": "ok"}, 422, "note"),
    ("{over}/accept", [1], 422, None),
    ("999999/accept", None, 404, "discrepancy"),
    (f"{2**31}/accept", None, 404, None),  # beyond an id's range: no such route
    ("999999/dismiss", None, 404, "discrepancy"),
])
def test_bad_discrepancy_decisions_change_nothing(client, db, held, supervisor, path, body,
                                                  status, field):
    before = books(db)
    url = f"{DISCREPANCIES}/{path.format(**held)}"
    assert_error(client.post(url, json=body, headers=supervisor), status, field=field)
    assert books(db) == before


def test_a_purchase_order_named_discrepancies_is_still_a_purchase_order(client, db, stocked,
                                                                        supervisor, staff):
    created = client.post(POS, json={"reference": "discrepancies", "supplier": "Acme",
                                     "lines": [{"sku": "CAP", "qty": 2}]}, headers=supervisor)
    assert created.status_code == 201, created.json
    read = client.get(f"{POS}/discrepancies", headers=staff)
    assert (read.status_code, read.json["reference"]) == (200, "discrepancies")
    received = client.post(f"{POS}/discrepancies/receipts", json={
        "code": "CAP", "qty": 2, "location": "S-1"}, headers=staff)
    assert (received.status_code, received.json["po_status"]) == (201, "received")
    assert on_hand(db, "CAP", "S-1") == 2


# Bad input: a clear 4xx, and nothing moves

LINE = "<line>"  # replaced by the MUG line's id
GOOD_PICK = {"line": LINE, "location": "N-A-1", "code": "MUG", "qty": 1}


def without(body: dict, key: str) -> dict:
    return {k: v for k, v in body.items() if k != key}


@pytest.mark.parametrize("reference, body, status, code, field", [
    ("SO-1", without(GOOD_PICK, "line"), 422, "invalid", "line"),
    ("SO-1", without(GOOD_PICK, "location"), 422, "invalid", "location"),
    ("SO-1", without(GOOD_PICK, "code"), 422, "invalid", "code"),
    ("SO-1", {**GOOD_PICK, "line": "1"}, 422, "invalid", "line"),
    ("SO-1", {**GOOD_PICK, "line": 1.5}, 422, "invalid", "line"),
    ("SO-1", {**GOOD_PICK, "line": 2**31}, 422, "invalid", "line"),
    ("SO-1", {**GOOD_PICK, "qty": 0}, 422, "invalid", "qty"),
    ("SO-1", {**GOOD_PICK, "qty": -1}, 422, "invalid", "qty"),
    ("SO-1", {**GOOD_PICK, "qty": 1.5}, 422, "invalid", "qty"),
    ("SO-1", {**GOOD_PICK, "qty": "1"}, 422, "invalid", "qty"),
    ("SO-1", {**GOOD_PICK, "qty": True}, 422, "invalid", "qty"),
    ("SO-1", {**GOOD_PICK, "qty": 10**9 + 1}, 422, "invalid", "qty"),
    ("SO-1", {**GOOD_PICK, "qty": 10**30}, 422, "invalid", "qty"),
    ("SO-1", {**GOOD_PICK, "location": 7}, 422, "invalid", "location"),
    ("SO-1", {**GOOD_PICK, "location": "N" * 41}, 422, "invalid", "location"),
    ("SO-1", {**GOOD_PICK, "location": "N-A-1\x00"}, 422, "invalid", "location"),
    ("SO-1", {**GOOD_PICK, "code": ""}, 422, "invalid", "code"),
    ("SO-1", {**GOOD_PICK, "code": ["MUG"]}, 422, "invalid", "code"),
    ("SO-1", {**GOOD_PICK, "lot": "L" * 65}, 422, "invalid", "lot"),
    ("SO-1", {**GOOD_PICK, "client_op_id": "x" * 65}, 422, "invalid", "client_op_id"),
    ("SO-1", {**GOOD_PICK, "order": "SO-1"}, 422, "invalid", "order"),
    ("SO-1", [GOOD_PICK], 422, "invalid", None),
    ("SO-404", GOOD_PICK, 404, "not_found", "reference"),
    ("SO-1", {**GOOD_PICK, "line": 999_999}, 404, "not_found", "line"),
    ("SO-1", {**GOOD_PICK, "location": "NOPE"}, 404, "not_found", "location"),
    ("SO-1", {**GOOD_PICK, "location": "S-1"}, 422, "wrong_bin", "location"),
    ("SO-1", {**GOOD_PICK, "code": "TEE"}, 422, "wrong_product", "code"),
    ("SO-1", {**GOOD_PICK, "code": "N-A-1"}, 422, "wrong_scan", "code"),
    ("SO-1", {**GOOD_PICK, "code": "NO-SUCH-THING"}, 404, "not_found", "code"),
    ("SO-1", {**GOOD_PICK, "qty": 4}, 409, "over_pick", "qty"),
    ("SO-1", {**GOOD_PICK, "location": "N-A-2", "qty": 3}, 409, "insufficient_stock", "qty"),
])
def test_bad_picks_are_refused_and_change_nothing(client, db, order, staff, reference, body,
                                                  status, code, field):
    if isinstance(body, dict) and body.get("line") == LINE:
        body = {**body, "line": order["MUG"]}
    before = books(db)
    assert_error(client.post(f"{ORDERS}/{reference}/picks", json=body, headers=staff), status,
                 code, field)
    assert books(db) == before


GOOD_SHORT = {"line": LINE, "location": "N-A-1", "qty": 1}


@pytest.mark.parametrize("reference, body, status, code, field", [
    ("SO-1", without(GOOD_SHORT, "qty"), 422, "invalid", "qty"),
    ("SO-1", without(GOOD_SHORT, "line"), 422, "invalid", "line"),
    ("SO-1", without(GOOD_SHORT, "location"), 422, "invalid", "location"),
    ("SO-1", {**GOOD_SHORT, "qty": 0}, 422, "invalid", "qty"),
    ("SO-1", {**GOOD_SHORT, "qty": -2}, 422, "invalid", "qty"),
    ("SO-1", {**GOOD_SHORT, "qty": 0.5}, 422, "invalid", "qty"),
    ("SO-1", {**GOOD_SHORT, "qty": 10**9 + 1}, 422, "invalid", "qty"),
    ("SO-1", {**GOOD_SHORT, "line": None}, 422, "invalid", "line"),
    ("SO-1", {**GOOD_SHORT, "client_op_id": "x" * 65}, 422, "invalid", "client_op_id"),
    ("SO-1", {**GOOD_SHORT, "code": "MUG"}, 422, "invalid", "code"),
    ("SO-404", GOOD_SHORT, 404, "not_found", "reference"),
    ("SO-1", {**GOOD_SHORT, "line": 999_999}, 404, "not_found", "line"),
    ("SO-1", {**GOOD_SHORT, "location": "NOPE"}, 404, "not_found", "location"),
    ("SO-1", {**GOOD_SHORT, "location": "S-2"}, 422, "wrong_bin", "location"),
    ("SO-1", {**GOOD_SHORT, "qty": 4}, 409, "over_pick", "qty"),
])
def test_bad_short_picks_are_refused_and_change_nothing(client, db, order, staff, reference,
                                                        body, status, code, field):
    if isinstance(body, dict) and body.get("line") == LINE:
        body = {**body, "line": order["MUG"]}
    before = books(db)
    assert_error(client.post(f"{ORDERS}/{reference}/shortages", json=body, headers=staff),
                 status, code, field)
    assert books(db) == before


GOOD_RECEIPT = {"code": "MUG", "qty": 1, "location": "N-A-1"}


@pytest.mark.parametrize("reference, body, status, code, field", [
    ("PO-1", without(GOOD_RECEIPT, "code"), 422, "invalid", "code"),
    ("PO-1", without(GOOD_RECEIPT, "location"), 422, "invalid", "location"),
    ("PO-1", {**GOOD_RECEIPT, "qty": 0}, 422, "invalid", "qty"),
    ("PO-1", {**GOOD_RECEIPT, "qty": -5}, 422, "invalid", "qty"),
    ("PO-1", {**GOOD_RECEIPT, "qty": 2.5}, 422, "invalid", "qty"),
    ("PO-1", {**GOOD_RECEIPT, "qty": "2"}, 422, "invalid", "qty"),
    ("PO-1", {**GOOD_RECEIPT, "qty": 10**9 + 1}, 422, "invalid", "qty"),
    ("PO-1", {**GOOD_RECEIPT, "code": 5901234123457}, 422, "invalid", "code"),
    ("PO-1", {**GOOD_RECEIPT, "code": "C" * 257}, 422, "invalid", "code"),
    ("PO-1", {**GOOD_RECEIPT, "code": "MUG\x00"}, 422, "invalid", "code"),
    ("PO-1", {**GOOD_RECEIPT, "location": "N" * 41}, 422, "invalid", "location"),
    ("PO-1", {**GOOD_RECEIPT, "lot": "L" * 65}, 422, "invalid", "lot"),
    ("PO-1", {**GOOD_RECEIPT, "expiry": "2031-02-30"}, 422, "invalid", "expiry"),
    ("PO-1", {**GOOD_RECEIPT, "expiry": "soon"}, 422, "invalid", "expiry"),
    ("PO-1", {**GOOD_RECEIPT, "client_op_id": "x" * 65}, 422, "invalid", "client_op_id"),
    ("PO-1", {**GOOD_RECEIPT, "unit_cost": "1.00"}, 422, "invalid", "unit_cost"),
    ("PO-1", "MUG", 422, "invalid", None),
    ("PO-404", GOOD_RECEIPT, 404, "not_found", "reference"),
    ("PO-1", {**GOOD_RECEIPT, "location": "NOPE"}, 404, "not_found", "location"),
    ("PO-1", {**GOOD_RECEIPT, "location": "S-1"}, 422, "wrong_bin", "location"),
    ("PO-1", {**GOOD_RECEIPT, "location": "SUPPLIER"}, 422, "invalid", "location"),
    ("PO-1", {**GOOD_RECEIPT, "code": "N-B-1"}, 422, "wrong_scan", "code"),
])
def test_bad_receipts_are_refused_and_change_nothing(client, db, po, staff, reference, body,
                                                     status, code, field):
    before = books(db)
    assert_error(client.post(f"{POS}/{reference}/receipts", json=body, headers=staff), status,
                 code, field)
    assert books(db) == before


def test_a_closed_purchase_order_receives_nothing(client, db, po, supervisor, staff):
    client.post(f"{POS}/PO-1/close", headers=supervisor)
    before = books(db)
    assert_error(client.post(f"{POS}/PO-1/receipts", json=GOOD_RECEIPT, headers=staff), 409,
                 "po_closed")
    assert books(db) == before


@pytest.mark.parametrize("method, url", [
    ("get", ORDERS), ("post", f"{ORDERS}/SO-1/picks"), ("post", f"{ORDERS}/SO-1/shortages"),
    ("get", POS), ("post", f"{POS}/PO-1/receipts"), ("post", f"{DISCREPANCIES}/1/accept"),
    ("post", f"{DISCREPANCIES}/1/dismiss")])
def test_the_new_endpoints_want_credentials(client, db, method, url):
    assert_error(getattr(client, method)(url, json={} if method == "post" else None), 401,
                 "unauthorized")


@pytest.mark.parametrize("url, body, field", [
    (f"{ORDERS}/SO%001/picks", GOOD_PICK, "path"),  # a NUL anywhere: refused app-wide
    (f"{ORDERS}/SO%001", None, "path"),
    (f"{POS}/PO%0A1/receipts", GOOD_RECEIPT, "reference"),
    (ORDERS, {"reference": "SO-2", "lines": [{"sku": "MUG\x00", "qty": 1}]}, "lines.0.sku"),
    (ORDERS, {"reference": "SO-2", "warehouse": "NORTH\x00", "lines": [{"sku": "MUG", "qty": 1}]},
     "warehouse"),
    (POS, {"reference": "PO-2", "supplier": "Acme", "lines": [{"sku": "\x00", "qty": 1}]},
     "lines.0.sku"),
])
def test_control_characters_are_refused_before_reaching_the_database(client, db, order, po,
                                                                      supervisor, url, body,
                                                                      field):
    """PostgreSQL fails a query holding a NUL byte: such input is a 4xx, never a 500."""
    before = books(db)
    response = (client.post(url, json=body, headers=supervisor) if body is not None
                else client.get(url, headers=supervisor))
    assert_error(response, 404 if field in ("reference", "path") else 422, field=field)
    assert books(db) == before


def test_a_client_op_id_reused_for_another_operation_is_a_conflict(client, db, order, po,
                                                                   staff, supervisor):
    """A retry replays its own operation; the same id on a different one is refused (409)."""
    picked = client.post(f"{ORDERS}/SO-1/picks", headers=staff, json={
        "line": order["MUG"], "location": "N-A-2", "code": "MUG", "qty": 1,
        "client_op_id": "op-shared"})
    assert picked.status_code == 201, picked.json
    before = books(db)
    other_line = client.post(f"{ORDERS}/SO-1/picks", headers=staff, json={
        "line": order["TEE"], "location": "N-B-1", "code": "TEE", "qty": 1,
        "client_op_id": "op-shared"})
    assert_error(other_line, 409, "client_op_id_reused")
    receipt = client.post(f"{POS}/PO-1/receipts", headers=staff, json={
        "code": "MUG", "qty": 1, "location": "N-A-1", "client_op_id": "op-shared"})
    assert_error(receipt, 409, "client_op_id_reused")
    short = client.post(f"{ORDERS}/SO-1/shortages", headers=staff, json={
        "line": order["MUG"], "location": "N-A-2", "qty": 1, "client_op_id": "op-short"})
    assert short.status_code == 201, short.json
    client.post(ORDERS, json={"reference": "SO-2", "lines": [{"sku": "MUG", "qty": 1}]},
                headers=staff)
    other = {line["sku"]: line["line_id"]
             for line in client.get(f"{ORDERS}/SO-2", headers=staff).json["lines"]}
    before = books(db)
    again = client.post(f"{ORDERS}/SO-2/shortages", headers=staff, json={
        "line": other["MUG"], "location": "N-A-1", "qty": 1, "client_op_id": "op-short"})
    assert_error(again, 409, "client_op_id_reused")
    assert books(db) == before


def test_a_web_store_holds_stock_at_checkout_then_confirms_or_cancels(client, db, stocked,
                                                                      staff):
    """Checkout reserves at once; the order is picked only once the sale is confirmed, and
    an abandoned checkout gives its stock back."""
    from warehouse_app.ledger.reservations import available
    held = client.post(ORDERS, headers=staff, json={
        "reference": "WEB-1", "hold": True, "lines": [{"sku": "MUG", "qty": 4}]})
    assert held.status_code == 201 and held.json["status"] == "held"
    line = held.json["lines"][0]["line_id"]
    assert available(stocked.p.mug.id, stocked.north.id) == 3  # 7 on hand, 4 promised
    too_soon = client.post(f"{ORDERS}/WEB-1/picks", headers=staff, json={
        "line": line, "location": "N-A-1", "code": "MUG", "qty": 1})
    assert_error(too_soon, 409, "order_held")
    listed = client.get(f"{ORDERS}?status=held", headers=staff).json
    assert [o["reference"] for o in listed["items"]] == ["WEB-1"]
    confirmed = client.post(f"{ORDERS}/WEB-1/confirm", headers=staff)
    assert confirmed.status_code == 200 and confirmed.json["status"] == "open"
    assert client.post(f"{ORDERS}/WEB-1/confirm", headers=staff).json["status"] == "open"
    picked = client.post(f"{ORDERS}/WEB-1/picks", headers=staff, json={
        "line": line, "location": "N-A-1", "code": "MUG", "qty": 1})
    assert picked.status_code == 201, picked.json
    abandoned = client.post(ORDERS, headers=staff, json={
        "reference": "WEB-2", "hold": True, "lines": [{"sku": "TEE", "qty": 2}]})
    assert abandoned.json["status"] == "held"
    assert available(stocked.p.tee.id, stocked.north.id) == 0
    assert client.post(f"{ORDERS}/WEB-2/cancel", headers=staff).json["status"] == "cancelled"
    assert available(stocked.p.tee.id, stocked.north.id) == 2
    assert_error(client.post(f"{ORDERS}/WEB-2/confirm", headers=staff), 409, "order_closed")
    assert_error(client.post(ORDERS, headers=staff, json={
        "reference": "WEB-3", "hold": "yes", "lines": [{"sku": "TEE", "qty": 1}]}), 422,
        field="hold")
    assert_error(client.post(f"{ORDERS}/NOPE/confirm", headers=staff), 404)
    assert_books_agree(db)


def test_an_unpaid_checkout_lapses_and_its_stock_is_sold_to_the_next(client, db, stocked,
                                                                     staff, runner):
    """A hold past its minutes is cancelled: by the next order that wants the stock, or by
    `flask orders release-holds`; one confirmed in time is not."""
    from datetime import timedelta

    from warehouse_app.models import utcnow
    first = client.post(ORDERS, headers=staff, json={
        "reference": "WEB-1", "hold": True, "hold_minutes": 15,
        "lines": [{"sku": "TEE", "qty": 2}]})
    assert first.status_code == 201 and first.json["held_until"]
    refused = client.post(ORDERS, headers=staff, json={
        "reference": "SHOP-1", "lines": [{"sku": "TEE", "qty": 2}]})
    assert refused.status_code == 409  # the hold still has it
    assert refused.json["error"]["code"] == "insufficient_stock"
    db.session.execute(update(Order).where(Order.reference == "WEB-1").values(
        held_until=utcnow() - timedelta(seconds=1)))
    sold = client.post(ORDERS, headers=staff, json={
        "reference": "SHOP-2", "lines": [{"sku": "TEE", "qty": 2}]})
    assert sold.status_code == 201, sold.json
    assert client.get(f"{ORDERS}/WEB-1", headers=staff).json["status"] == "cancelled"
    later = client.post(ORDERS, headers=staff, json={
        "reference": "WEB-2", "hold": True, "lines": [{"sku": "MUG", "qty": 1}]})
    paid = client.post(ORDERS, headers=staff, json={
        "reference": "WEB-3", "hold": True, "lines": [{"sku": "MUG", "qty": 1}]})
    assert client.post(f"{ORDERS}/WEB-3/confirm", headers=staff).json["held_until"] is None
    assert later.json["held_until"] and paid.status_code == 201
    db.session.execute(update(Order).where(Order.reference.in_(["WEB-2", "WEB-3"])).values(
        held_until=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    result = runner.invoke(args=["orders", "release-holds"])
    assert result.exit_code == 0 and "1 expired hold(s) released: WEB-2." in result.output
    assert client.get(f"{ORDERS}/WEB-3", headers=staff).json["status"] == "open"
    for bad in (0, -1, 10**6, "15", True, 1.5):
        assert_error(client.post(ORDERS, headers=staff, json={
            "reference": "WEB-9", "hold": True, "hold_minutes": bad,
            "lines": [{"sku": "MUG", "qty": 1}]}), 422, field="hold_minutes")
    assert_error(client.post(ORDERS, headers=staff, json={
        "reference": "WEB-9", "hold_minutes": 5, "lines": [{"sku": "MUG", "qty": 1}]}), 422,
        field="hold_minutes")
    assert_books_agree(db)
