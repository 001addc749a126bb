"""The counts API: the whole cycle, blind for staff, and every kind of bad input answered in
the one error shape (401, 403, 404, 409, 422, 400), changing nothing."""
import pytest
from sqlalchemy import func, select

from tests.api.checks import assert_error
from tests.counting.conftest import books_agree
from warehouse_app.counting.models import Count, CountLine, CountScan
from warehouse_app.ledger.models import Movement

COUNTS = "/api/v1/counts"


@pytest.fixture
def stocked(floor):
    floor.put(floor.p.mug, floor.bins.a1, 10)
    floor.put(floor.p.tee, floor.bins.a2, 100)
    return floor


def rows(db) -> tuple:
    db.session.commit()
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Count, CountLine, CountScan, Movement))


def opened(client, supervisor, *codes) -> dict:
    response = client.post(COUNTS, json={"locations": list(codes)}, headers=supervisor)
    assert response.status_code == 201, response.json
    return response.json


def keys_in(value) -> set:
    """Every key anywhere in a JSON answer."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


def test_the_whole_cycle_through_the_api(client, db, stocked, staff, supervisor):
    count = opened(client, supervisor, "Z-A")
    assert (count["reference"], count["status"], count["blind"]) == (
        f"CC-{count['id']:05d}", "open", True)
    assert [b["location"] for b in count["bins"]] == ["A-1", "A-2", "A-3"]
    url = f"{COUNTS}/{count['id']}"
    for sku, where, qty in (("MUG", "A-1", 7), ("TEE", "A-2", 99)):
        line = client.post(f"{url}/lines", json={"sku": sku, "location": where,
                                                 "counted_qty": qty}, headers=staff)
        assert line.status_code == 201, line.json
        assert line.json["counted_qty"] == qty and "expected_qty" not in line.json
    assert client.post(f"{url}/bins/A-3/close", json={"empty": True},
                       headers=staff).status_code == 200
    done = client.post(f"{url}/submit", json={}, headers=staff)
    assert done.status_code == 200, done.json
    assert done.json["status"] == "pending" and done.json["result"] == {"waiting": 1,
                                                                       "replayed": False}
    review = client.get(url, headers=supervisor).json
    lines = {(x["location"], x["sku"]): (x["counted_qty"], x["expected_qty"], x["status"])
             for b in review["bins"] for x in b["lines"]}
    assert lines == {("A-1", "MUG"): (7, 10, "waiting"), ("A-2", "TEE"): (99, 100, "posted")}
    approved = client.post(f"{url}/approve", json={"note": "Shelf checked"}, headers=supervisor)
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "done" and approved.json["result"]["posted"] == 1
    assert_error(client.post(f"{url}/approve", json={}, headers=supervisor), 409, "count_done")
    books_agree(db)


def test_staff_never_see_the_books_of_a_blind_count(client, db, stocked, staff, supervisor):
    count = opened(client, supervisor, "A-1")
    url = f"{COUNTS}/{count['id']}"
    client.post(f"{url}/lines", json={"sku": "TEE", "location": "A-1", "counted_qty": 2},
                headers=staff)
    client.post(f"{url}/bins/A-1/close", json={}, headers=staff)
    seen = client.get(url, headers=staff).json
    assert not keys_in(seen) & {"expected_qty", "variance", "variance_value", "reason"}
    assert [x["sku"] for b in seen["bins"] for x in b["lines"]] == ["TEE"]  # not MUG's 0
    assert seen["books_shown"] is False and "MUG" not in str(seen)
    assert all("status" not in x for b in seen["bins"] for x in b["lines"])  # no matched/not
    boss_view = client.get(url, headers=supervisor).json
    assert {x["sku"]: x["expected_qty"] for b in boss_view["bins"] for x in b["lines"]} == {
        "TEE": 0, "MUG": 10}


def test_a_count_opened_not_blind_shows_staff_the_books(client, db, stocked, staff, supervisor):
    count = client.post(COUNTS, json={"locations": ["A-1"], "blind": False},
                        headers=supervisor).json
    client.post(f"{COUNTS}/{count['id']}/bins/A-1/close", json={"empty": True}, headers=staff)
    seen = client.get(f"{COUNTS}/{count['id']}", headers=staff).json
    assert seen["bins"][0]["lines"][0]["expected_qty"] == 10


def test_no_credentials_is_401_everywhere(client, db, stocked, supervisor):
    url = f"{COUNTS}/{opened(client, supervisor, 'A-1')['id']}"
    for method, path in (("get", COUNTS), ("post", COUNTS), ("get", url),
                         ("post", f"{url}/lines"), ("post", f"{url}/submit"),
                         ("post", f"{url}/approve"), ("post", f"{url}/reject"),
                         ("post", f"{url}/recount"), ("post", f"{url}/bins/A-1/close"),
                         ("get", f"{COUNTS}/proposals")):
        assert_error(getattr(client, method)(path, json={}), 401, "unauthorized")


def test_staff_get_403_for_the_supervisors_calls(client, db, stocked, staff, supervisor):
    url = f"{COUNTS}/{opened(client, supervisor, 'A-1')['id']}"
    before = rows(db)
    assert_error(client.post(COUNTS, json={"locations": ["A-2"]}, headers=staff), 403,
                 "forbidden")
    for action in ("approve", "reject", "recount"):
        assert_error(client.post(f"{url}/{action}", json={"note": "x"}, headers=staff), 403,
                     "forbidden")
    assert_error(client.get(f"{COUNTS}/proposals", headers=staff), 403, "forbidden")
    assert rows(db) == before


def test_unknown_counts_are_404(client, db, stocked, staff):
    for path in ("/999", "/999/lines", "/999/submit", "/999/bins/A-1/close", "/x",
                 f"/{2**64}", f"/{2**31}/submit"):  # beyond any id: 404, not an SQL error
        method = client.post if "/" in path[1:] else client.get
        body = {"sku": "MUG", "location": "A-1", "counted_qty": 1} if "lines" in path else {}
        assert_error(method(f"{COUNTS}{path}", json=body, headers=staff), 404)


@pytest.mark.parametrize(("body", "field"), [
    ({"sku": "MUG", "location": "A-1", "counted_qty": -1}, "counted_qty"),
    ({"sku": "MUG", "location": "A-1", "counted_qty": 1.5}, "counted_qty"),
    ({"sku": "MUG", "location": "A-1", "counted_qty": "x"}, "counted_qty"),
    ({"sku": "MUG", "location": "A-1", "counted_qty": "3"}, "counted_qty"),
    ({"sku": "MUG", "location": "A-1", "counted_qty": 10**10}, "counted_qty"),
    ({"sku": "MUG", "location": "A-1", "counted_qty": True}, "counted_qty"),
    ({"sku": "MUG", "location": "A-1"}, "counted_qty"),
    ({"location": "A-1", "counted_qty": 1}, "sku"),
    ({"sku": "MUG", "counted_qty": 1}, "location"),
    ({"sku": "MUG", "location": "A-1", "counted_qty": 1, "extra": 1}, "extra"),
    ({"sku": "MUG", "location": "A-2", "counted_qty": 1}, "location"),
    ({"sku": "HONEY", "location": "A-1", "counted_qty": 1}, "lot"),
    ({"sku": "MUG", "location": "A-1", "counted_qty": 1, "lot": "L1"}, "lot")])
def test_bad_lines_are_422_and_change_nothing(client, db, stocked, staff, supervisor, body, field):
    url = f"{COUNTS}/{opened(client, supervisor, 'A-1')['id']}"
    before = rows(db)
    assert_error(client.post(f"{url}/lines", json=body, headers=staff), 422, field=field)
    assert rows(db) == before


def test_an_unknown_sku_is_404(client, db, stocked, staff, supervisor):
    url = f"{COUNTS}/{opened(client, supervisor, 'A-1')['id']}"
    assert_error(client.post(f"{url}/lines", json={"sku": "NOPE", "location": "A-1",
                                                   "counted_qty": 1}, headers=staff), 404,
                 "not_found", "sku")


def test_a_replayed_line_answers_200_and_counts_once(client, db, stocked, staff, supervisor):
    url = f"{COUNTS}/{opened(client, supervisor, 'A-1')['id']}"
    body = {"sku": "MUG", "location": "A-1", "counted_qty": 4, "client_op_id": "op-1"}
    assert client.post(f"{url}/lines", json=body, headers=staff).status_code == 201
    again = client.post(f"{url}/lines", json={**body, "counted_qty": 6}, headers=staff)
    assert again.status_code == 200 and again.json["counted_qty"] == 4
    assert rows(db)[2] == 1


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"locations": "A-1"}, 422, "locations"),
    ({"locations": [1]}, 422, "locations"),
    ({"locations": ["A-1"], "blind": "yes"}, 422, "blind"),
    ({"locations": ["A-1"], "colour": "red"}, 422, "colour"),
    ({}, 422, "locations"),
    ({"locations": ["NOWHERE"]}, 404, "locations"),
    ({"locations": ["SUPPLIER"]}, 422, "locations"),
    ({"product": "NOPE"}, 404, "product")])
def test_bad_new_counts_are_refused(client, db, stocked, supervisor, body, status, field):
    before = rows(db)
    assert_error(client.post(COUNTS, json=body, headers=supervisor), status, field=field)
    assert rows(db) == before


def test_overlapping_counts_are_409(client, db, stocked, supervisor):
    opened(client, supervisor, "A-1")
    assert_error(client.post(COUNTS, json={"locations": ["Z-A"]}, headers=supervisor), 409,
                 "already_counting")


def test_the_wrong_order_of_steps_is_409(client, db, stocked, staff, supervisor):
    url = f"{COUNTS}/{opened(client, supervisor, 'A-1', 'A-2')['id']}"
    assert_error(client.post(f"{url}/approve", json={}, headers=supervisor), 409, "count_open")
    assert_error(client.post(f"{url}/submit", json={}, headers=staff), 409, "bins_not_counted")
    assert_error(client.post(f"{url}/bins/A-1/close", json={}, headers=staff), 422,
                 "nothing_counted")
    for where in ("A-1", "A-2"):
        client.post(f"{url}/lines", json={"sku": "MUG", "location": where, "counted_qty": 10},
                    headers=staff)
    assert client.post(f"{url}/submit", json={}, headers=staff).status_code == 200
    before = rows(db)
    assert_error(client.post(f"{url}/submit", json={}, headers=staff), 409, "count_pending")
    assert_error(client.post(f"{url}/lines", json={"sku": "MUG", "location": "A-1",
                                                   "counted_qty": 1}, headers=staff), 409)
    assert_error(client.post(f"{url}/reject", json={}, headers=supervisor), 422, field="note")
    assert_error(client.post(f"{url}/reject", json={"note": 5}, headers=supervisor), 422,
                 field="note")
    assert client.post(f"{url}/reject", json={"note": "Miscount"}, headers=supervisor).status_code \
        == 200
    assert_error(client.post(f"{url}/approve", json={}, headers=supervisor), 409, "count_rejected")
    assert_error(client.post(f"{url}/recount", json={"note": "x"}, headers=supervisor), 409)
    assert rows(db)[3] == before[3]  # nothing posted


def test_a_recount_through_the_api(client, db, stocked, api_token, supervisor):
    pat, sam = api_token("staff"), api_token("staff")
    url = f"{COUNTS}/{opened(client, supervisor, 'A-1')['id']}"
    client.post(f"{url}/lines", json={"sku": "MUG", "location": "A-1", "counted_qty": 3},
                headers=pat)
    client.post(f"{url}/submit", json={}, headers=pat)
    sent = client.post(f"{url}/recount", json={"note": "Too far off", "locations": ["A-1"]},
                       headers=supervisor)
    assert sent.status_code == 200 and sent.json["recount"] == ["A-1"]
    assert_error(client.post(f"{url}/lines", json={"sku": "MUG", "location": "A-1",
                                                   "counted_qty": 10}, headers=pat), 409,
                 "recount_by_other")
    assert client.post(f"{url}/lines", json={"sku": "MUG", "location": "A-1",
                                             "counted_qty": 10}, headers=sam).status_code == 201
    assert client.post(f"{url}/submit", json={}, headers=sam).json["status"] == "done"


def test_bodies_must_be_json(client, db, stocked, staff, supervisor):
    url = f"{COUNTS}/{opened(client, supervisor, 'A-1')['id']}"
    assert_error(client.post(f"{url}/lines", data="sku=MUG", headers={
        **staff, "Content-Type": "application/x-www-form-urlencoded"}), 400, "not_json")


def test_lists_and_proposals(client, db, stocked, staff, supervisor):
    opened(client, supervisor, "A-1")
    assert [c["status"] for c in client.get(COUNTS, headers=staff).json["items"]] == ["open"]
    assert client.get(f"{COUNTS}?status=done", headers=staff).json["items"] == []
    assert_error(client.get(f"{COUNTS}?status=nope", headers=staff), 422, field="status")
    assert client.get(f"{COUNTS}/proposals", headers=supervisor).status_code == 200


def test_scanning_a_counts_reference_resolves_to_the_count(client, db, stocked, staff, supervisor):
    count = opened(client, supervisor, "A-1")
    found = client.post("/api/v1/scan/resolve", json={"code": count["reference"]},
                        headers=staff).json
    assert (found["type"], found["code"]) == ("count", count["reference"])


def test_the_openapi_document_lists_the_count_paths(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/counts", "/api/v1/counts/{count_id}",
                 "/api/v1/counts/{count_id}/lines", "/api/v1/counts/{count_id}/submit",
                 "/api/v1/counts/{count_id}/approve", "/api/v1/counts/{count_id}/reject"):
        assert path in paths
