"""A till or a web store picks from a warehouse or zone, not a bin: the ledger takes from its
sellable bins, earliest expiry first, then the pick face, then the fullest bin; split across
bins it posts every movement or none, under one client_op_id."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.api.checks import assert_error
from warehouse_app.ledger import balances
from warehouse_app.ledger.models import Movement, StockLevel, WarehouseStock
from warehouse_app.ledger.sellable import today
from warehouse_app.ledger.sourcing import part_op_id

URL = "/api/v1/movements"


class Shop:
    """SHOP: zone FLOOR (bins F-1, F-2), zone BACK (bins K-1, K-2), a dock DOCK-S1, a hold
    bin R-1 (returns), a packing bin SHOP-PACK. Another warehouse, DEPOT, with bin D-1."""


@pytest.fixture
def shop(db, make_location, make_product):
    s = Shop()
    s.wh = make_location("SHOP", "warehouse")
    s.floor = make_location("FLOOR", "zone", parent=s.wh)
    s.back = make_location("BACK", "zone", parent=s.wh)
    s.f1, s.f2 = make_location("F-1", parent=s.floor), make_location("F-2", parent=s.floor)
    s.k1, s.k2 = make_location("K-1", parent=s.back), make_location("K-2", parent=s.back)
    s.dock = make_location("DOCK-S1", parent=s.wh)
    s.ret = make_location("R-1", parent=s.wh, hold=True)
    s.pack = make_location("SHOP-PACK", parent=s.wh)
    s.depot = make_location("DEPOT", "warehouse")
    s.d1 = make_location("D-1", parent=s.depot)
    return s


def pick(client, headers, **body):
    return client.post(URL, json={"kind": "pick", "sku": "P-1", **body}, headers=headers)


def taken(answer) -> list[tuple[str, int]]:
    return [(m["from_location"], m["qty"]) for m in answer["movements"]]


def on_hand(db, product) -> dict[str, int]:
    db.session.commit()
    return {row.location.code: row.on_hand for row in db.session.scalars(
        select(StockLevel).where(StockLevel.product_id == product.id, StockLevel.on_hand > 0))}


def count_movements(db) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Movement))


def test_a_till_sells_from_the_shop_without_naming_a_bin(client, staff, shop, make_product,
                                                         stock):
    product = make_product("P-1")
    stock(product, shop.k1, 5)
    response = pick(client, staff, qty=2, from_location="shop", client_op_id="till-1")
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["kind"], body["sku"], body["qty"], body["from_location"],
            body["to_location"], body["client_op_id"]) == ("pick", "P-1", 2, "SHOP",
                                                          "CUSTOMER", "till-1")
    assert taken(body) == [("K-1", 2)]
    assert body["id"] == body["movements"][0]["id"]
    assert body["movements"][0]["client_op_id"] == "till-1"
    assert on_hand(db_of(client), product) == {"K-1": 3}


def db_of(client):
    from warehouse_app.extensions import db
    return db


def test_the_fullest_bin_goes_first(client, db, staff, shop, make_product, stock):
    product = make_product("P-1")
    stock(product, shop.k1, 3)
    stock(product, shop.k2, 8)
    stock(product, shop.f1, 5)
    assert taken(pick(client, staff, qty=2, from_location="SHOP").json) == [("K-2", 2)]


def test_the_pick_face_beats_a_fuller_bin(client, db, staff, shop, make_product, stock):
    product = make_product("P-1", home_location="F-2")
    stock(product, shop.k2, 50)
    stock(product, shop.f2, 4)
    assert taken(pick(client, staff, qty=3, from_location="SHOP").json) == [("F-2", 3)]


def test_the_earliest_expiry_beats_the_pick_face(client, db, staff, shop, make_product, stock):
    product = make_product("P-1", tracking="lot", home_location="F-1")
    day = today()
    stock(product, shop.f1, 10, lot="LATE", expiry=day + timedelta(days=60))
    stock(product, shop.k1, 2, lot="SOON", expiry=day + timedelta(days=5))
    stock(product, shop.k2, 9, lot="NODATE")
    body = pick(client, staff, qty=4, from_location="SHOP").json
    assert [(m["from_location"], m["lot"], m["qty"]) for m in body["movements"]] == [
        ("K-1", "SOON", 2), ("F-1", "LATE", 2)]
    assert body["lot"] is None  # two lots: the answer names none
    assert on_hand(db, product) == {"F-1": 8, "K-2": 9}
    rest = pick(client, staff, qty=17, from_location="SHOP").json
    assert taken(rest) == [("F-1", 8), ("K-2", 9)]  # dated lots before the undated one


def test_a_split_posts_every_part_under_one_operation(client, db, staff, shop, make_product,
                                                      stock):
    product = make_product("P-1")
    stock(product, shop.k1, 3)
    stock(product, shop.k2, 4)
    stock(product, shop.f1, 2)
    before = count_movements(db)
    response = pick(client, staff, qty=8, from_location="SHOP", client_op_id="sale-9",
                    reference="TILL-3")
    assert response.status_code == 201, response.json
    body = response.json
    assert taken(body) == [("K-2", 4), ("K-1", 3), ("F-1", 1)]
    assert [m["client_op_id"] for m in body["movements"]] == ["sale-9", "sale-9#2", "sale-9#3"]
    assert {m["reference"] for m in body["movements"]} == {"TILL-3"}
    assert count_movements(db) == before + 3
    assert on_hand(db, product) == {"F-1": 1}
    assert db.session.scalar(select(WarehouseStock.on_hand).where(
        WarehouseStock.product_id == product.id)) == 1
    assert balances.verify_all() == []
    # The ledger lists each part; one of them reads as a movement like any other.
    one = client.get(f"{URL}/{body['movements'][1]['id']}", headers=staff).json
    assert (one["from_location"], one["qty"], one["to_location"]) == ("K-1", 3, "CUSTOMER")


def test_a_zone_takes_only_from_its_own_bins(client, db, staff, shop, make_product, stock):
    product = make_product("P-1")
    stock(product, shop.k1, 30)
    stock(product, shop.f1, 2)
    stock(product, shop.f2, 1)
    assert taken(pick(client, staff, qty=3, from_location="FLOOR").json) == [("F-1", 2),
                                                                           ("F-2", 1)]
    refused = pick(client, staff, qty=1, from_location="FLOOR")
    assert refused.status_code == 409 and refused.json["error"]["available"] == 0
    assert on_hand(db, product) == {"K-1": 30}


def test_held_dock_packing_and_expired_stock_is_never_sold(client, db, staff, shop,
                                                           make_product, stock):
    product = make_product("P-1", tracking="lot")
    stock(product, shop.ret, 10, lot="A")
    stock(product, shop.dock, 10, lot="A")
    stock(product, shop.pack, 10, lot="A")
    stock(product, shop.k1, 10, lot="OLD", expiry=today() - timedelta(days=1))
    stock(product, shop.k2, 2, lot="A")
    before, levels = count_movements(db), on_hand(db, product)
    response = pick(client, staff, qty=3, from_location="SHOP")
    assert response.status_code == 409
    error = response.json["error"]
    assert (error["code"], error["field"], error["available"]) == ("insufficient_stock", "qty",
                                                                   2)
    assert "Only 2 of P-1 can be sold from SHOP; 3 asked" in error["message"]
    assert count_movements(db) == before and on_hand(db, product) == levels
    assert taken(pick(client, staff, qty=2, from_location="SHOP").json) == [("K-2", 2)]


def test_stock_reserved_for_orders_is_not_sold(client, db, staff, shop, make_product, stock):
    product = make_product("P-1")
    stock(product, shop.k1, 5)
    stock(product, shop.ret, 4)  # held: never promised, never sold
    order = client.post("/api/v1/orders", headers=staff, json={
        "reference": "WEB-1", "warehouse": "SHOP", "lines": [{"sku": "P-1", "qty": 3}]})
    assert order.status_code == 201, order.json
    before = count_movements(db)
    refused = pick(client, staff, qty=3, from_location="SHOP")
    assert refused.status_code == 409 and refused.json["error"]["available"] == 2
    assert count_movements(db) == before
    assert taken(pick(client, staff, qty=2, from_location="SHOP").json) == [("K-1", 2)]
    assert db.session.scalar(select(WarehouseStock.reserved).where(
        WarehouseStock.product_id == product.id)) == 3


def test_not_enough_changes_nothing_even_when_some_bins_could_give(client, db, staff, shop,
                                                                    make_product, stock):
    product = make_product("P-1")
    stock(product, shop.k1, 3)
    stock(product, shop.k2, 4)
    before, levels = count_movements(db), on_hand(db, product)
    response = pick(client, staff, qty=8, from_location="SHOP", client_op_id="too-many")
    assert response.status_code == 409 and response.json["error"]["available"] == 7
    assert count_movements(db) == before and on_hand(db, product) == levels
    # The refused id was never used: the same operation may be sent again with less.
    assert pick(client, staff, qty=7, from_location="SHOP",
                client_op_id="too-many").status_code == 201


def test_a_retry_answers_the_same_movements(client, db, staff, shop, make_product, stock):
    product = make_product("P-1")
    stock(product, shop.k1, 3)
    stock(product, shop.k2, 4)
    first = pick(client, staff, qty=5, from_location="SHOP", client_op_id="op-r")
    assert first.status_code == 201
    before = count_movements(db)
    again = pick(client, staff, qty=5, from_location="SHOP", client_op_id="op-r")
    assert again.status_code == 200, again.json
    assert again.json == first.json
    assert count_movements(db) == before and on_hand(db, product) == {"K-1": 2}
    for changed in ({"qty": 4}, {"from_location": "FLOOR"}, {"reference": "X"},
                    {"from_location": "K-2"}):
        assert_error(pick(client, staff, **{"qty": 5, "from_location": "SHOP",
                                            "client_op_id": "op-r", **changed}),
                     409, "client_op_id_reused", "client_op_id")
    assert count_movements(db) == before


def test_a_long_client_op_id_still_names_every_part(client, db, staff, shop, make_product,
                                                    stock):
    product = make_product("P-1")
    stock(product, shop.k1, 1)
    stock(product, shop.k2, 1)
    op = "x" * 64
    body = pick(client, staff, qty=2, from_location="SHOP", client_op_id=op).json
    ids = [m["client_op_id"] for m in body["movements"]]
    assert ids[0] == op and ids[1] == part_op_id(op, 2) and len(ids[1]) <= 64
    assert pick(client, staff, qty=2, from_location="SHOP",
                client_op_id=op).status_code == 200
    assert on_hand(db, product) == {}


def test_serials_are_taken_one_movement_each(client, db, staff, shop, make_product, stock):
    product = make_product("P-1", tracking="serial")
    for serial, bin_ in (("S1", shop.k1), ("S2", shop.k1), ("S3", shop.k2)):
        stock(product, bin_, 1, lot=serial)
    body = pick(client, staff, qty=2, from_location="SHOP").json
    assert len(body["movements"]) == 2 and {m["qty"] for m in body["movements"]} == {1}
    assert balances.verify_all() == []


@pytest.mark.parametrize("body, status, code, field", [
    ({"from_location": "NOPE"}, 404, "not_found", "from_location"),
    ({"from_location": "SHOP", "qty": 0}, 422, None, "qty"),
    ({"from_location": "SHOP", "qty": -3}, 422, None, "qty"),
    ({"from_location": "SHOP", "qty": 10**12}, 422, None, "qty"),
    ({"from_location": "SHOP", "qty": "2"}, 422, None, "qty"),
    ({"from_location": "SHOP", "qty": 1.5}, 422, None, "qty"),
    ({"from_location": "SHOP", "to_location": "K-1"}, 422, None, None),
    ({"from_location": "SHOP", "sku": "NOPE"}, 404, "not_found", "sku"),
    ({"from_location": "CUSTOMER"}, 422, None, None),
])
def test_wrong_input_is_refused_and_changes_nothing(client, db, staff, shop, make_product,
                                                     stock, body, status, code, field):
    product = make_product("P-1")
    stock(product, shop.k1, 5)
    before = count_movements(db)
    response = pick(client, staff, **{"qty": 1, **body})
    assert response.status_code == status, response.json
    if code:
        assert response.json["error"]["code"] == code
    if field:
        assert response.json["error"]["field"] == field
    assert count_movements(db) == before and on_hand(db, product) == {"K-1": 5}


def test_a_zone_of_another_warehouse_names_its_own_warehouse(client, db, staff, shop,
                                                             make_product, stock,
                                                             make_location):
    product = make_product("P-1")
    stock(product, shop.k1, 5)
    make_location("DEPOT-Z", "zone", parent=shop.depot)
    before = count_movements(db)
    response = pick(client, staff, qty=1, from_location="DEPOT-Z")
    assert response.status_code == 409 and response.json["error"]["available"] == 0
    assert "DEPOT-Z" in response.json["error"]["message"]
    assert count_movements(db) == before and on_hand(db, product) == {"K-1": 5}


def test_a_bin_code_picks_from_that_bin_as_before(client, db, staff, shop, make_product, stock):
    product = make_product("P-1")
    stock(product, shop.k1, 5)
    stock(product, shop.k2, 9)
    body = pick(client, staff, qty=2, from_location="K-1").json
    assert (body["from_location"], body["qty"]) == ("K-1", 2) and "movements" not in body
    assert_error(pick(client, staff, qty=9, from_location="K-1"), 409, "insufficient_stock")
    assert_error(pick(client, staff, qty=1, from_location="R-1"), 409)


def test_stock_kept_on_the_warehouse_itself_is_sold_too(client, db, staff, shop, make_product,
                                                         stock):
    product = make_product("P-1")
    stock(product, shop.wh, 2)
    stock(product, shop.k1, 1)
    assert taken(pick(client, staff, qty=3, from_location="SHOP").json) == [("SHOP", 2),
                                                                          ("K-1", 1)]


def test_a_warehouse_the_caller_is_not_kept_to_is_refused(client, db, shop, make_product,
                                                          stock, make_user):
    from tests.auth.test_warehouses import bearer
    from warehouse_app.auth import warehouses
    product = make_product("P-1")
    stock(product, shop.d1, 5)
    clerk = make_user("clerk", "staff")
    warehouses.keep_user(clerk, ["SHOP"])
    db.session.commit()
    headers = bearer(db, clerk)
    before = count_movements(db)
    for place in ("DEPOT", "D-1"):
        assert_error(pick(client, headers, qty=1, from_location=place), 403, "other_warehouse",
                     "from_location")
    assert count_movements(db) == before and on_hand(db, product) == {"D-1": 5}


def statements(client, headers, body) -> tuple[int, list[str]]:
    """The answer's status and the first word of each SQL statement the request sent (on
    SQLite as the driver saw them: the speed machinery's look-ups bypass the engine)."""
    from sqlalchemy import event

    from warehouse_app.extensions import db
    seen, traced = [], []

    def note(statement: str) -> None:
        seen.append(statement.split()[0].upper())

    def checkout(dbapi_connection, *_):
        dbapi_connection.set_trace_callback(note)
        traced.append(dbapi_connection)
    sqlite = db.engine.dialect.name == "sqlite"
    target, name, listener = ((db.engine.pool, "checkout", checkout) if sqlite else
                              (db.engine, "before_cursor_execute",
                               lambda conn, cursor, statement, *_: note(statement)))
    db.session.remove()  # as a served request finds it: no connection held
    event.listen(target, name, listener)
    try:
        response = client.post(URL, json=body, headers=headers)
    finally:
        event.remove(target, name, listener)
        for dbapi_connection in traced:
            dbapi_connection.set_trace_callback(None)
    return response.status_code, seen


def test_a_pick_from_the_shop_costs_few_statements_more_than_from_a_bin(
        client, db, staff, shop, make_product, stock, engine_name):
    product = make_product("P-1")
    stock(product, shop.k1, 50)
    stock(product, shop.k2, 50)
    body = {"kind": "pick", "sku": "P-1", "qty": 1}
    client.post(URL, json={**body, "from_location": "K-1"}, headers=staff)  # warm
    client.post(URL, json={**body, "from_location": "SHOP"}, headers=staff)
    status, from_bin = statements(client, staff, {**body, "from_location": "K-1"})
    assert status == 201
    status, from_shop = statements(client, staff, {**body, "from_location": "SHOP"})
    assert status == 201
    # The plan's one read; on PostgreSQL also the savepoint around the parts (SAVEPOINT and
    # RELEASE): a bin emptied by another pick meanwhile rolls them back, with the row locks they
    # took, before the bins are chosen again.
    extra = 1 if engine_name == "sqlite" else 3
    assert len(from_shop) <= len(from_bin) + extra, (from_bin, from_shop)


# An order's line picked from the warehouse or a zone ------------------------------------------

def place(client, headers, reference, qty, warehouse="SHOP"):
    response = client.post("/api/v1/orders", headers=headers, json={
        "reference": reference, "warehouse": warehouse, "lines": [{"sku": "P-1", "qty": qty}]})
    assert response.status_code == 201, response.json
    return response.json["lines"][0]["line_id"]


def pick_line(client, headers, reference, line, location, qty, **extra):
    return client.post(f"/api/v1/orders/{reference}/picks", headers=headers, json={
        "line": line, "location": location, "code": "P-1", "qty": qty, **extra})


def test_an_order_line_picked_from_the_shop_takes_from_its_bins_to_the_packing_bin(
        client, db, staff, shop, make_product, stock):
    product = make_product("P-1")
    stock(product, shop.k1, 3)
    stock(product, shop.k2, 4)
    line = place(client, staff, "WEB-1", 5)
    response = pick_line(client, staff, "WEB-1", line, "SHOP", 5, client_op_id="web-op")
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["qty"], body["from_location"], body["to_location"], body["picked"],
            body["to_pick"]) == (5, "SHOP", "SHOP-PACK", 5, 0)
    assert [(m["from_location"], m["qty"]) for m in body["movements"]] == [("K-2", 4),
                                                                         ("K-1", 1)]
    assert body["movement_id"] == body["movements"][0]["movement_id"]
    again = pick_line(client, staff, "WEB-1", line, "SHOP", 5, client_op_id="web-op")
    assert again.status_code == 200 and again.json["movements"] == body["movements"]
    assert on_hand(db, product) == {"K-1": 2, "SHOP-PACK": 5}
    shipped = client.post("/api/v1/orders/WEB-1/ship", headers=staff,
                          json={"carrier": "DHL", "tracking": "T1"})
    assert shipped.status_code == 200, shipped.json
    assert on_hand(db, product) == {"K-1": 2}
    assert balances.verify_all() == []


def test_an_order_line_without_a_packing_bin_ships_from_the_bins_and_frees_its_promise(
        client, db, staff, shop, make_product, stock):
    product = make_product("P-1")
    stock(product, shop.d1, 6)
    other = place(client, staff, "WEB-2", 2, warehouse="DEPOT")
    line = place(client, staff, "WEB-3", 4, warehouse="DEPOT")
    response = pick_line(client, staff, "WEB-3", line, "DEPOT", 4)
    assert response.status_code == 201, response.json
    assert response.json["to_location"] == "CUSTOMER"
    assert [(m["from_location"], m["qty"]) for m in response.json["movements"]] == [("D-1", 4)]
    db.session.commit()
    assert db.session.scalar(select(WarehouseStock.reserved).where(
        WarehouseStock.product_id == product.id)) == 2  # WEB-2's promise stays
    assert pick_line(client, staff, "WEB-2", other, "DEPOT", 2).status_code == 201
    assert on_hand(db, product) == {} and balances.verify_all() == []


def test_an_order_line_picked_from_the_shop_refuses_what_it_cannot_take(
        client, db, staff, shop, make_product, stock):
    product = make_product("P-1")
    stock(product, shop.k1, 3)
    stock(product, shop.d1, 9)
    line = place(client, staff, "WEB-4", 3)
    before = count_movements(db)
    assert_error(pick_line(client, staff, "WEB-4", line, "SHOP", 4), 409, "over_pick")
    assert_error(pick_line(client, staff, "WEB-4", line, "DEPOT", 1), 422, "wrong_bin")
    assert_error(pick_line(client, staff, "WEB-4", line, "NOPE", 1), 404)
    assert pick_line(client, staff, "WEB-4", line, "BACK", 0).status_code == 422
    assert count_movements(db) == before
    assert on_hand(db, product) == {"K-1": 3, "D-1": 9}
