"""Posting movements over the API: each kind, idempotent replays, reversals, the ledger."""
import pytest

from tests.api.checks import assert_error
from warehouse_app.ledger.models import Movement

URL = "/api/v1/movements"


@pytest.fixture
def shelf(make_product, make_location, stock):
    """P-1 with 10 units in bin A-01, and an empty bin A-02."""
    product, a, b = make_product("P-1", barcodes=["4006381333931"]), make_location("A-01"), \
        make_location("A-02")
    stock(product, a, 10)
    return product, a, b


def post(client, headers, **body):
    return client.post(URL, json=body, headers=headers)


def test_receive_answers_201_with_the_movement(client, supervisor, make_product,
                                               make_location):
    make_product("P-1")
    make_location("A-01")
    response = post(client, supervisor, kind="receive", sku="P-1", qty=5, to_location="a-01",
                    unit_cost="2.5", reference="PO-7", client_op_id="op-1")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert isinstance(body["id"], int)
    assert {k: body[k] for k in ("kind", "sku", "qty", "from_location", "to_location",
                                 "reference", "unit_cost", "client_op_id")} == {
        "kind": "receive", "sku": "P-1", "qty": 5, "from_location": "SUPPLIER",
        "to_location": "A-01", "reference": "PO-7", "unit_cost": "2.5000",
        "client_op_id": "op-1"}
    assert body["user"].startswith("api-supervisor") and body["created_at"]


def test_pick_goes_to_customer(client, staff, shelf):
    body = post(client, staff, kind="pick", sku="P-1", qty=3, from_location="A-01").get_json()
    assert (body["from_location"], body["to_location"]) == ("A-01", "CUSTOMER")


def test_transfer_moves_between_bins(client, staff, shelf):
    response = post(client, staff, kind="transfer", sku="P-1", qty=4, from_location="A-01",
                    to_location="A-02")
    assert response.status_code == 201
    stock = client.get("/api/v1/stock?sku=P-1", headers=staff).get_json()["items"]
    assert [(r["location"], r["on_hand"]) for r in stock] == [("A-01", 6), ("A-02", 4)]


def test_return_comes_from_customer(client, db, staff, shelf, make_location):
    make_location("RET-01", hold=True)
    db.session.commit()
    body = post(client, staff, kind="return", sku="P-1", qty=1, to_location="RET-01").get_json()
    assert (body["from_location"], body["to_location"]) == ("CUSTOMER", "RET-01")
    refused = post(client, staff, kind="return", sku="P-1", qty=1, to_location="A-02")
    assert refused.status_code == 422 and refused.json["error"]["code"] == "not_hold_bin"


def test_supervisor_adjusts_damage_to_scrap(client, supervisor, shelf):
    response = post(client, supervisor, kind="adjust", sku="P-1", qty=2, from_location="A-01",
                    reason="damage", note="dropped")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["to_location"], body["reason"], body["note"]) == ("SCRAP", "damage", "dropped")


def test_staff_adjust_is_403_and_posts_nothing(client, staff, shelf, rows):
    response = post(client, staff, kind="adjust", sku="P-1", qty=2, from_location="A-01",
                    reason="loss")
    assert_error(response, 403, "forbidden")
    assert rows(Movement) == 1


def test_barcode_names_the_product(client, staff, shelf):
    body = post(client, staff, kind="pick", barcode="4006381333931", qty=1,
                from_location="A-01").get_json()
    assert body["sku"] == "P-1"


def test_receive_with_lot_and_expiry(client, staff, make_product, make_location):
    make_product("P-L", tracking="lot")
    make_location("A-01")
    body = post(client, staff, kind="receive", sku="P-L", qty=6, to_location="A-01", lot="L1",
                expiry="2030-01-31").get_json()
    assert (body["lot"], body["expiry"]) == ("L1", "2030-01-31")


def test_replay_answers_200_with_the_same_movement(client, staff, shelf, rows):
    first = post(client, staff, kind="pick", sku="P-1", qty=2, from_location="A-01",
                 client_op_id="phone-1")
    again = post(client, staff, kind="pick", sku="P-1", qty=2, from_location="A-01",
                 client_op_id="phone-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert rows(Movement) == 2  # the receipt and one pick


def test_replayed_serial_receipt_answers_200(client, staff, make_product, make_location, rows):
    make_product("P-S", tracking="serial")
    make_location("A-01")
    body = {"kind": "receive", "sku": "P-S", "qty": 1, "to_location": "A-01", "lot": "SN-1",
            "client_op_id": "phone-2"}
    first = client.post(URL, json=body, headers=staff)
    again = client.post(URL, json=body, headers=staff)
    assert (first.status_code, again.status_code) == (201, 200), again.get_json()
    assert again.get_json()["id"] == first.get_json()["id"]
    assert rows(Movement) == 1


def test_client_op_id_reused_for_another_movement_is_409(client, staff, shelf, rows):
    post(client, staff, kind="pick", sku="P-1", qty=2, from_location="A-01", client_op_id="x")
    response = post(client, staff, kind="pick", sku="P-1", qty=3, from_location="A-01",
                    client_op_id="x")
    assert_error(response, 409, "client_op_id_reused", "client_op_id")
    assert rows(Movement) == 2


def test_more_than_on_hand_is_409_insufficient_stock(client, staff, shelf, rows):
    response = post(client, staff, kind="pick", sku="P-1", qty=11, from_location="A-01")
    assert_error(response, 409, "insufficient_stock", "qty")
    assert rows(Movement) == 1


def test_reverse_posts_the_mirror_image(client, supervisor, shelf):
    moved = post(client, supervisor, kind="transfer", sku="P-1", qty=4, from_location="A-01",
                 to_location="A-02").get_json()
    response = client.post(f"{URL}/{moved['id']}/reverse", headers=supervisor)
    assert response.status_code == 201, response.get_json()
    back = response.get_json()
    assert (back["kind"], back["from_location"], back["to_location"], back["reversal_of"]) == (
        "reversal", "A-02", "A-01", moved["id"])


def test_reverse_twice_is_409_but_a_replay_is_200(client, supervisor, shelf):
    moved = post(client, supervisor, kind="pick", sku="P-1", qty=1,
                 from_location="A-01").get_json()
    reverse = f"{URL}/{moved['id']}/reverse"
    first = client.post(reverse, json={"client_op_id": "rev-1"}, headers=supervisor)
    again = client.post(reverse, json={"client_op_id": "rev-1"}, headers=supervisor)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert_error(client.post(reverse, headers=supervisor), 409, "conflict")


def test_staff_cannot_reverse(client, staff, shelf, rows):
    movement_id = client.get(URL, headers=staff).get_json()["items"][0]["id"]
    assert_error(client.post(f"{URL}/{movement_id}/reverse", headers=staff), 403)
    assert rows(Movement) == 1


def test_reverse_unknown_movement_is_404(client, supervisor):
    assert_error(client.post(f"{URL}/999/reverse", headers=supervisor), 404, "not_found")


def test_get_one_movement(client, staff, shelf):
    movement_id = client.get(URL, headers=staff).get_json()["items"][0]["id"]
    body = client.get(f"{URL}/{movement_id}", headers=staff).get_json()
    assert (body["kind"], body["qty"]) == ("receive", 10)


def test_ledger_is_newest_first_and_paginated(client, staff, shelf):
    for qty in (1, 2, 3):
        post(client, staff, kind="pick", sku="P-1", qty=qty, from_location="A-01")
    page = client.get(f"{URL}?per_page=2", headers=staff).get_json()
    assert ([m["qty"] for m in page["items"]], page["total"]) == ([3, 2], 4)
    page2 = client.get(f"{URL}?per_page=2&page=2", headers=staff).get_json()
    assert [m["qty"] for m in page2["items"]] == [1, 10]


def test_ledger_filters_by_kind_sku_and_location(client, staff, shelf, make_product,
                                                 make_location, stock):
    stock(make_product("P-2"), make_location("B-01"), 1)
    post(client, staff, kind="transfer", sku="P-1", qty=1, from_location="A-01",
         to_location="A-02")
    kinds = client.get(f"{URL}?kind=transfer", headers=staff).get_json()["items"]
    assert [m["kind"] for m in kinds] == ["transfer"]
    by_sku = client.get(f"{URL}?sku=P-2", headers=staff).get_json()["items"]
    assert [m["sku"] for m in by_sku] == ["P-2"]
    in_bin = client.get(f"{URL}?location=A-02", headers=staff).get_json()["items"]
    assert [m["kind"] for m in in_bin] == ["transfer"]
    in_warehouse = client.get(f"{URL}?location=WH1", headers=staff).get_json()
    assert in_warehouse["total"] == 3


def test_ledger_filters_by_time(client, staff, shelf):
    assert client.get(f"{URL}?since=2000-01-01", headers=staff).get_json()["total"] == 1
    assert client.get(f"{URL}?until=2000-01-01T00:00:00Z",
                      headers=staff).get_json()["total"] == 0
    assert_error(client.get(f"{URL}?since=yesterday", headers=staff), 422, field="since")


def test_the_answer_to_a_scan_reads_nothing_back(client, staff, shelf):
    """The answer is built from what was written: no transaction begins after the movement's
    commit. A column never set (reversal_of_id) used to be read back in one of its own: on
    SQLite a second BEGIN IMMEDIATE per scan, queueing behind every writer."""
    from sqlalchemy import event

    from warehouse_app.extensions import db
    seen = []

    def began(conn):
        seen.append("begin")

    def committed(conn):
        seen.append("commit")
    event.listen(db.engine, "begin", began)
    event.listen(db.engine, "commit", committed)
    try:
        for body in ({"kind": "transfer", "from_location": "A-01", "to_location": "A-02"},
                     {"kind": "pick", "from_location": "A-02"}):
            seen.clear()
            response = post(client, staff, sku="P-1", qty=1, **body)
            assert response.status_code == 201 and response.get_json()["reversal_of"] is None
            assert seen and seen[-1] == "commit", seen
    finally:
        event.remove(db.engine, "begin", began)
        event.remove(db.engine, "commit", committed)
