"""A counter's "Posted this session" and undo, read back from the server: the scans they made
in a count, and their last scan taken back once while its bin is open."""
import pytest

from warehouse_app.counting.models import CountScan
from warehouse_app.extensions import db as _db

JSON = {"Accept": "application/json"}  # as the phone asks: errors answer JSON


@pytest.fixture
def counter(client, db, floor, open_count, login_as, no_csrf):
    """pat logged in, counting A-1 (2 scans of MUG, then 3 TEE typed); the count's reference."""
    count = open_count("A-1", "A-2")
    user = login_as("staff", "counter")
    ref = count.reference
    for n, (code, qty) in enumerate([("MUG", None), ("MUG", None), ("TEE", 3)]):
        body = {"location": "A-1", "code": code, "client_op_id": f"op-{n}"}
        if qty:
            body["qty"] = qty
        assert client.post(f"/counting/{ref}/scan", json=body).status_code == 201
    return ref, user


def counted(client, ref) -> dict:
    state = client.get(f"/counting/{ref}/state").json
    return {line["sku"]: line["counted_qty"] for b in state["bins"] for line in b["lines"]}


def test_posted_lists_my_scans_newest_first_with_the_one_to_undo(client, counter):
    ref, _ = counter
    posted = client.get(f"/counting/{ref}/posted").json
    assert [(s["sku"], s["qty"], s["location"]) for s in posted["lines"]] == [
        ("TEE", 3, "A-1"), ("MUG", 1, "A-1"), ("MUG", 1, "A-1")]
    assert posted["undo"] == posted["lines"][0]["id"]
    assert [s["client_op_id"] for s in posted["lines"]] == ["op-2", "op-1", "op-0"]


def test_undo_takes_back_the_last_scan_once(client, counter):
    ref, _ = counter
    last = client.get(f"/counting/{ref}/posted").json["undo"]
    body = {"scan": last, "client_op_id": "u-1"}
    answer = client.post(f"/counting/{ref}/undo", json=body, headers=JSON)
    assert answer.status_code == 201
    assert answer.json["line"]["counted_qty"] == 0
    assert counted(client, ref) == {"MUG": 2, "TEE": 0}
    again = client.post(f"/counting/{ref}/undo", json=body, headers=JSON)
    assert again.status_code == 200 and again.json["replayed"]  # the same undo replayed
    assert counted(client, ref) == {"MUG": 2, "TEE": 0}
    posted = client.get(f"/counting/{ref}/posted").json
    assert [s["sku"] for s in posted["lines"]] == ["MUG", "MUG"] and posted["undo"] is None
    older = {"scan": posted["lines"][0]["id"]}
    refused = client.post(f"/counting/{ref}/undo", json=older, headers=JSON)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "not_last_scan"
    assert counted(client, ref) == {"MUG": 2, "TEE": 0}


def test_no_undo_once_the_bin_is_closed(client, counter):
    ref, _ = counter
    last = client.get(f"/counting/{ref}/posted").json["undo"]
    assert client.post(f"/counting/{ref}/close", json={"location": "A-1"}).status_code == 200
    assert client.get(f"/counting/{ref}/posted").json["undo"] is None
    refused = client.post(f"/counting/{ref}/undo", json={"scan": last}, headers=JSON)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "undo_refused"
    assert counted(client, ref) == {"MUG": 2, "TEE": 3}


def test_someone_else_cannot_undo_my_scan(client, counter, login_as):
    ref, _ = counter
    last = client.get(f"/counting/{ref}/posted").json["undo"]
    login_as("staff", "other")
    assert client.get(f"/counting/{ref}/posted").json == {"lines": [], "undo": None}
    refused = client.post(f"/counting/{ref}/undo", json={"scan": last}, headers=JSON)
    assert refused.status_code == 409
    assert counted(client, ref) == {"MUG": 2, "TEE": 3}


@pytest.mark.parametrize("body", [None, [], "x", {}, {"scan": "1"}, {"scan": True},
                                  {"scan": 1.5}, {"scan": None}, {"scan": 10**12},
                                  {"scan": 1, "client_op_id": 5},
                                  {"scan": 1, "client_op_id": "x" * 65}])
def test_wrong_undo_bodies_are_refused_and_change_nothing(client, counter, body):
    ref, _ = counter
    before = _db.session.query(CountScan).count()
    response = client.post(f"/counting/{ref}/undo", json=body, headers=JSON)
    assert 400 <= response.status_code < 500
    assert "error" in response.json
    assert _db.session.query(CountScan).count() == before
    assert counted(client, ref) == {"MUG": 2, "TEE": 3}


def test_posted_and_undo_need_a_login_and_a_known_count(client, counter, login_as):
    ref, _ = counter
    assert client.get("/counting/CC-99999/posted", headers=JSON).status_code == 404
    assert client.post("/counting/CC-99999/undo", json={"scan": 1},
                       headers=JSON).status_code == 404
    client.post("/logout")
    with client.session_transaction() as session:
        session.clear()
    assert client.get(f"/counting/{ref}/posted").status_code in (302, 401)
