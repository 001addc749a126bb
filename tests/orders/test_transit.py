"""Between warehouses stock is in transit: dispatched at the source, received by scan at the
destination, shown in the central view; `ledger verify` checks the transit bins."""
import pytest
from sqlalchemy import select

from tests.orders.conftest import assert_books_agree
from warehouse_app.ledger.models import Movement, Transit, TransitStatus

MOVES, TRANSITS = "/api/v1/movements", "/api/v1/transits"
JSON = {"Accept": "application/json"}


@pytest.fixture
def stocked(site):
    site.stock(site.p.mug, site.bins.na1, 5)
    return site


def test_a_transfer_between_warehouses_goes_through_transit_api(client, db, stocked, staff):
    instant = client.post(MOVES, json={"kind": "transfer", "sku": "MUG", "qty": 3,
                                       "from_location": "N-A-1", "to_location": "S-1"},
                          headers=staff)
    assert instant.status_code == 409 and instant.json["error"]["code"] == "use_dispatch"
    sent = client.post(TRANSITS, json={"sku": "MUG", "qty": 3, "from_location": "N-A-1",
                                       "to_warehouse": "SOUTH"}, headers=staff)
    assert sent.status_code == 201, sent.json
    body = sent.json
    assert (body["status"], body["qty"], body["via_location"], body["to_location"]) == (
        "in_transit", 3, "SOUTH-TRANSIT", None)
    assert [t["code"] for t in client.get(TRANSITS, headers=staff).json] == [body["code"]]
    assert client.post("/api/v1/orders", json={"reference": "SO-1", "warehouse": "SOUTH",
                                                "lines": [{"sku": "MUG", "qty": 1}]},
                       headers=staff).status_code == 409  # in transit is not available
    assert_books_agree(db)
    url = f"{TRANSITS}/{body['code']}/receive"
    wrong = client.post(url, json={"location": "N-A-2"}, headers=staff)
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "wrong_bin"
    got = client.post(url, json={"location": "S-1"}, headers=staff)
    assert got.status_code == 200 and got.json["status"] == "received"
    assert got.json["to_location"] == "S-1"
    again = client.post(url, json={"location": "S-1"}, headers=staff)
    assert again.status_code == 409 and again.json["error"]["code"] == "not_in_transit"
    assert client.get(TRANSITS, headers=staff).json == []
    assert client.post("/api/v1/orders", json={"reference": "SO-2", "warehouse": "SOUTH",
                                                "lines": [{"sku": "MUG", "qty": 3}]},
                       headers=staff).status_code == 201
    assert_books_agree(db)


@pytest.mark.parametrize("body, field", [
    ({"qty": 0}, "qty"), ({"qty": "3"}, "qty"), ({"to_warehouse": "S-1"}, "to_warehouse"),
    ({"to_warehouse": "NORTH"}, "to_warehouse"), ({"from_location": "NOPE"}, "from_location"),
    ({"sku": "NOPE"}, "sku"), ({"qty": 9}, "qty")])
def test_bad_dispatches_change_nothing(client, db, stocked, staff, body, field):
    answer = client.post(TRANSITS, json={"sku": "MUG", "qty": 3, "from_location": "N-A-1",
                                         "to_warehouse": "SOUTH", **body}, headers=staff)
    assert answer.status_code in (404, 409, 422), answer.json
    assert db.session.scalar(select(Transit.id)) is None
    assert len(db.session.scalars(select(Movement)).all()) == 1


def test_reversals_follow_the_transit(client, db, runner, stocked, staff, supervisor):
    sent = client.post(TRANSITS, json={"sku": "MUG", "qty": 2, "from_location": "N-A-1",
                                       "to_warehouse": "SOUTH"}, headers=staff).json
    client.post(f"{TRANSITS}/{sent['code']}/receive", json={"location": "S-1"}, headers=staff)
    transit = db.session.scalar(select(Transit))
    refused = client.post(f"{MOVES}/{transit.dispatch_movement_id}/reverse", headers=supervisor)
    assert refused.status_code == 409 and "undo its receipt first" in refused.json["error"][
        "message"]
    assert client.post(f"{MOVES}/{transit.receive_movement_id}/reverse",
                       headers=supervisor).status_code == 201
    db.session.refresh(transit)
    assert transit.status is TransitStatus.IN_TRANSIT
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0
    assert client.post(f"{MOVES}/{transit.dispatch_movement_id}/reverse",
                       headers=supervisor).status_code == 201
    db.session.refresh(transit)
    assert transit.status is TransitStatus.CANCELLED
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0
    assert_books_agree(db)


def test_the_central_view_shows_what_is_in_transit(client, db, stocked, login_as, no_csrf):
    from warehouse_app.ledger import transit
    from warehouse_app.locations.places import by_code
    sent = transit.dispatch(stocked.p.mug, 2, by_code("N-A-1"), "SOUTH")
    db.session.commit()
    login_as("supervisor")
    page = client.get("/insight/").get_data(as_text=True)
    assert "In transit" in page and sent.code in page and "NORTH (N-A-1) → SOUTH" in page


def test_dispatch_and_arrival_on_the_phone(client, db, stocked, login_as, no_csrf):
    login_as("staff")
    moved = client.post("/scan/line", json={"flow": "move", "code": "MUG", "qty": 1,
                                            "from_location": "N-A-1", "to_location": "S-1"},
                        headers=JSON)
    assert moved.status_code == 409 and moved.json["error"]["code"] == "use_dispatch"
    assert "Between sites" in client.get("/").get_data(as_text=True)
    for qty in ("x", "\u0663", "\uff13", "-3", ""):  # Arabic-Indic and full-width 3 too
        bad = client.post("/scan/transit/dispatch", data={"code": "MUG", "qty": qty,
                                                          "from_location": "N-A-1",
                                                          "to_warehouse": "SOUTH"})
        assert bad.status_code == 422 and db.session.scalar(select(Transit.id)) is None
    sent = client.post("/scan/transit/dispatch", data={"code": "MUG", "qty": "3",
                                                       "from_location": "N-A-1",
                                                       "to_warehouse": "SOUTH"})
    assert sent.status_code == 303
    transit = db.session.scalar(select(Transit))
    arrivals = client.get("/scan/transit/arrivals").get_data(as_text=True)
    assert transit.code in arrivals
    wrong = client.post("/scan/transit/arrivals", data={"transit": transit.code,
                                                        "location": "N-A-2"})
    assert wrong.status_code == 422
    got = client.post("/scan/transit/arrivals", data={"transit": transit.code.lower(),
                                                      "location": "S-1"})
    assert got.status_code == 303
    db.session.refresh(transit)
    assert transit.status is TransitStatus.RECEIVED and transit.to_location.code == "S-1"
    assert_books_agree(db)
