"""One road per input, for picks: the same pick sent as the API's body
(POST /api/v1/orders/<ref>/picks) and as the phone's (POST /orders/pick/line, the same fields
and the order) answers the same status, error code and field, and writes the same movement,
balances and order-line counters; a refusal writes nothing either way. Two identical orders
take the two roads' picks, so each road starts from the same state."""
import pytest
from sqlalchemy import select

from tests.orders import conftest as orders_conftest
from tests.support.one_road import assert_refused_alike, assert_written_alike
from warehouse_app.ledger.models import Movement, StockLevel
from warehouse_app.orders.models import OrderLine

site = orders_conftest.site
LINE = object()  # stands for the order line's id, which differs between the two orders
PICK = {"line": LINE, "location": "N-A-1", "code": "MUG", "qty": 2}
GOOD = {
    "typed quantity": PICK,
    "by barcode, one pack": {**PICK, "code": "5901234123457", "qty": None},
    "no qty: the pack size": {k: v for k, v in PICK.items() if k != "qty"},
    "from the warehouse": {**PICK, "location": "NORTH"},
    "with an op id": {**PICK, "client_op_id": "OP"},
}
BAD = {  # body, status, code, field
    "line as text": ({**PICK, "line": "1"}, 422, "invalid", "line"),
    "line 0": ({**PICK, "line": 0}, 422, "invalid", "line"),
    "no line": ({k: v for k, v in PICK.items() if k != "line"}, 422, "invalid", "line"),
    "no such line": ({**PICK, "line": 2**31 - 1}, 404, "not_found", "line"),
    "line too big": ({**PICK, "line": 2**31}, 422, "invalid", "line"),
    "no location": ({k: v for k, v in PICK.items() if k != "location"}, 422, "invalid",
                    "location"),
    "unknown bin": ({**PICK, "location": "NOWHERE"}, 404, "not_found", "location"),
    "bin of another warehouse": ({**PICK, "location": "S-1"}, 422, "wrong_bin", "location"),
    "bin code too long": ({**PICK, "location": "N" * 41}, 422, "invalid", "location"),
    "control character": ({**PICK, "location": "N-A-1\x01"}, 422, "invalid", "location"),
    "no code": ({k: v for k, v in PICK.items() if k != "code"}, 422, "invalid", "code"),
    "code not text": ({**PICK, "code": 7}, 422, "invalid", "code"),
    "code too long": ({**PICK, "code": "M" * 257}, 422, "invalid", "code"),
    "unknown code": ({**PICK, "code": "NOPE"}, 404, "not_found", "code"),
    "another product": ({**PICK, "code": "TEE"}, 422, "wrong_product", "code"),
    "qty 0": ({**PICK, "qty": 0}, 422, "invalid", "qty"),
    "qty -1": ({**PICK, "qty": -1}, 422, "invalid", "qty"),
    "qty 1.5": ({**PICK, "qty": 1.5}, 422, "invalid", "qty"),
    "qty as text": ({**PICK, "qty": "2"}, 422, "invalid", "qty"),
    "qty true": ({**PICK, "qty": True}, 422, "invalid", "qty"),
    "qty huge": ({**PICK, "qty": 10**30}, 422, "invalid", "qty"),
    "more than the line": ({**PICK, "qty": 4}, 409, "over_pick", "qty"),
    "lot too long": ({**PICK, "lot": "L" * 65}, 422, "invalid", "lot"),
    "client_op_id of 65": ({**PICK, "client_op_id": "x" * 65}, 422, "invalid", "client_op_id"),
    "client_op_id a number": ({**PICK, "client_op_id": 7}, 422, "invalid", "client_op_id"),
    "unknown field": ({**PICK, "colour": "blue"}, 422, "invalid", "colour"),
}


@pytest.fixture
def roads(app, client, db, site, api_token, login_as, no_csrf):
    """Two orders of 3 MUG each (SO-API, SO-PHONE), 20 MUG in N-A-1; send(road, body):
    (status, (code, field) or None, what it wrote)."""
    site.stock(site.p.mug, site.bins.na1, 20)
    headers = api_token("staff")
    for ref in ("SO-API", "SO-PHONE"):
        placed = client.post("/api/v1/orders", json={"reference": ref, "lines": [
            {"sku": "MUG", "qty": 3}]}, headers=headers)
        assert placed.status_code == 201, placed.json
    lines = dict(db.session.execute(select(OrderLine.order_id, OrderLine.id)).all())
    order_ids = sorted(lines)
    login_as("staff")  # the phone's session on the shared client; the API goes by its token
    api = app.test_client()

    def send(road, body):
        line = lines[order_ids[0] if road == "api" else order_ids[1]]
        body = {k: (line if v is LINE else v) for k, v in body.items()}
        if body.get("client_op_id") == "OP":
            body["client_op_id"] = f"op-{road}"
        before = books(db)
        if road == "api":
            response = api.post("/api/v1/orders/SO-API/picks", json=body, headers=headers)
        else:
            response = client.post("/orders/pick/line", json={**body, "order": "SO-PHONE"},
                                   headers={"Accept": "application/json"})
        error = (response.get_json() or {}).get("error")
        return (response.status_code, error and (error["code"], error["field"]),
                written(before, books(db)))
    return send


def books(db) -> dict:
    """Movements (without what differs by order), balances and order-line counters."""
    db.session.commit()
    moves = {m.id: (m.kind.value, m.product.sku, m.qty, m.from_location.code,
                    m.to_location.code, m.lot_id)
             for m in db.session.scalars(select(Movement))}
    stock = {(s.product_id, s.location_id, s.lot_id): s.on_hand
             for s in db.session.scalars(select(StockLevel))}
    counters = {n: (line.reserved, line.picked, line.shipped)
                for n, line in enumerate(db.session.scalars(
                    select(OrderLine).order_by(OrderLine.id)))}
    return {"moves": moves, "stock": stock, "counters": counters}


def written(before: dict, after: dict) -> tuple:
    """The new movements, and how balances and each order's line counters changed (the two
    orders' lines compared as one: whichever order the road picked for)."""
    new = sorted(m for k, m in after["moves"].items() if k not in before["moves"])
    stock = {k: after["stock"].get(k, 0) - before["stock"].get(k, 0)
             for k in set(before["stock"]) | set(after["stock"])
             if after["stock"].get(k, 0) != before["stock"].get(k, 0)}
    counters = sorted(tuple(a - b for a, b in zip(after["counters"][n], before["counters"][n],
                                                  strict=True))
                      for n in after["counters"])
    return new, stock, counters


NOTHING = ([], {}, [(0, 0, 0), (0, 0, 0)])


@pytest.mark.parametrize("name", list(GOOD))
def test_a_good_pick_writes_the_same_both_ways(roads, name):
    assert_written_alike(roads("api", GOOD[name]), roads("phone", GOOD[name]), NOTHING)


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_pick_is_refused_alike_and_writes_nothing(roads, name):
    body = BAD[name][0]
    assert_refused_alike(roads("api", body), roads("phone", body), BAD[name], NOTHING)
