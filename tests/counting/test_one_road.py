"""One road per input, for counted totals: the same line sent as the API's body
(POST /api/v1/counts/<id>/lines) and as the phone's (POST /counting/<ref>/set) is checked by the
same schema (counting/inputs.py CountLineIn) and recorded by the same counting.set_counted(): the
same status, error code and field, the same count lines and scans written; a refusal writes
nothing either way. Two counts, one bin each (A-1, A-2, each holding 10 MUG), take the two
roads' lines, so each road starts from the same state."""
import pytest
from sqlalchemy import select

from tests.support.one_road import assert_refused_alike, assert_written_alike
from warehouse_app.counting.models import Count, CountLine, CountScan
from warehouse_app.ledger.models import Movement

BIN = object()  # stands for the road's bin: A-1 for the API's count, A-2 for the phone's
LINE = {"sku": "MUG", "location": BIN, "counted_qty": 7}
GOOD = {
    "a total": LINE,
    "nothing there": {**LINE, "counted_qty": 0},
    "a billion": {**LINE, "counted_qty": 10**9},
    "a lot": {**LINE, "sku": "HONEY", "lot": "L1", "counted_qty": 2},
    "with an op id": {**LINE, "client_op_id": "OP"},
    "lot null": {**LINE, "lot": None},
}
BAD = {  # body, status, code, field
    "no total": ({k: v for k, v in LINE.items() if k != "counted_qty"}, 422, "invalid",
                 "counted_qty"),
    "total -1": ({**LINE, "counted_qty": -1}, 422, "invalid", "counted_qty"),
    "total 1.5": ({**LINE, "counted_qty": 1.5}, 422, "invalid", "counted_qty"),
    "total as text": ({**LINE, "counted_qty": "7"}, 422, "invalid", "counted_qty"),
    "total true": ({**LINE, "counted_qty": True}, 422, "invalid", "counted_qty"),
    "total null": ({**LINE, "counted_qty": None}, 422, "invalid", "counted_qty"),
    "total over a billion": ({**LINE, "counted_qty": 10**9 + 1}, 422, "invalid", "counted_qty"),
    "no sku": ({k: v for k, v in LINE.items() if k != "sku"}, 422, "invalid", "sku"),
    "sku not text": ({**LINE, "sku": 7}, 422, "invalid", "sku"),
    "sku too long": ({**LINE, "sku": "S" * 65}, 422, "invalid", "sku"),
    "control character": ({**LINE, "sku": "MUG\x01"}, 422, "invalid", "sku"),
    "unknown sku": ({**LINE, "sku": "NOPE"}, 404, "not_found", "sku"),
    "no bin": ({k: v for k, v in LINE.items() if k != "location"}, 422, "invalid", "location"),
    "bin code too long": ({**LINE, "location": "A" * 41}, 422, "invalid", "location"),
    "a bin of no count here": ({**LINE, "location": "B-1"}, 422, "not_in_count", "location"),
    "lot of an untracked product": ({**LINE, "lot": "L1"}, 422, "invalid", "lot"),
    "no lot for a lot product": ({**LINE, "sku": "HONEY"}, 422, "lot_required", "lot"),
    "lot too long": ({**LINE, "sku": "HONEY", "lot": "L" * 65}, 422, "invalid", "lot"),
    "client_op_id of 65": ({**LINE, "client_op_id": "x" * 65}, 422, "invalid", "client_op_id"),
    "client_op_id a number": ({**LINE, "client_op_id": 7}, 422, "invalid", "client_op_id"),
    "a scanned code instead": ({**{k: v for k, v in LINE.items() if k != "sku"},
                                "code": "MUG"}, 422, "invalid", "sku"),
    "unknown field": ({**LINE, "colour": "blue"}, 422, "invalid", "colour"),
}


@pytest.fixture
def roads(app, client, db, floor, open_count, api_token, login_as, no_csrf):
    """send(road, body): (status, (code, field) or None, what it wrote)."""
    floor.put(floor.p.mug, floor.bins.a1, 10)
    floor.put(floor.p.mug, floor.bins.a2, 10)
    counts = {"api": open_count("A-1"), "phone": open_count("A-2")}
    bins = {"api": "A-1", "phone": "A-2"}
    headers = api_token("staff")
    login_as("staff")  # the phone's session on the shared client; the API goes by its token
    api = app.test_client()

    def send(road, body):
        body = {k: (bins[road] if v is BIN else v) for k, v in body.items()}
        if body.get("client_op_id") == "OP":
            body["client_op_id"] = f"op-{road}"
        before = books(db)
        if road == "api":
            response = api.post(f"/api/v1/counts/{counts[road].id}/lines", json=body,
                                headers=headers)
        else:
            response = client.post(f"/counting/{counts[road].reference}/set", json=body,
                                   headers={"Accept": "application/json"})
        error = (response.get_json() or {}).get("error")
        return (response.status_code, error and (error["code"], error["field"]),
                written(before, books(db)))
    return send


def books(db) -> dict:
    """Count lines and scans (without which count or bin), and the ledger."""
    db.session.commit()
    return {"lines": {line.id: (line.product.sku, line.lot_code, line.counted)
                      for line in db.session.scalars(select(CountLine))},
            "scans": {s.id: (s.qty, s.absolute) for s in db.session.scalars(select(CountScan))},
            "moves": set(db.session.scalars(select(Movement.id)))}


def written(before: dict, after: dict) -> tuple:
    def new(key):
        return sorted(v for k, v in after[key].items() if k not in before[key])
    return new("lines"), new("scans"), sorted(after["moves"] - before["moves"])


NOTHING = ([], [], [])


@pytest.mark.parametrize("name", list(GOOD))
def test_a_good_line_is_counted_the_same_both_ways(roads, name):
    assert_written_alike(roads("api", GOOD[name]), roads("phone", GOOD[name]), NOTHING)


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_line_is_refused_alike_and_writes_nothing(roads, name):
    body = BAD[name][0]
    assert_refused_alike(roads("api", body), roads("phone", body), BAD[name], NOTHING)


SCAN = {"location": "A-2", "code": "MUG"}


@pytest.mark.parametrize("body, field", [
    ({**SCAN, "qty": 0}, "qty"), ({**SCAN, "qty": "2"}, "qty"), ({**SCAN, "qty": 1.5}, "qty"),
    ({**SCAN, "qty": 10**9 + 1}, "qty"), ({"location": "A-2"}, "code"), ({"code": "MUG"},
                                                                          "location"),
    ({**SCAN, "code": "M" * 257}, "code"), ({**SCAN, "location": "A-2\x01"}, "location"),
    ({**SCAN, "lot": 5}, "lot"), ({**SCAN, "client_op_id": "x" * 65}, "client_op_id"),
    ({**SCAN, "colour": "blue"}, "colour"), ([SCAN], None),
])
def test_a_bad_scan_in_a_bin_is_refused_by_its_schema(roads, client, db, body, field):
    """The phone's scan (POST /counting/<ref>/scan, adding to a line) loads CountScanIn: the
    same field rules, each bad field named, nothing written."""
    before = books(db)
    count = db.session.scalars(select(Count).order_by(Count.id)).all()[-1]  # A-2's
    response = client.post(f"/counting/{count.reference}/scan", json=body,
                           headers={"Accept": "application/json"})
    assert response.status_code == 422, response.json
    assert response.json["error"]["field"] == field
    assert written(before, books(db)) == NOTHING
    good = client.post(f"/counting/{count.reference}/scan", json={**SCAN, "qty": 2},
                       headers={"Accept": "application/json"})
    assert good.status_code == 201, good.json
