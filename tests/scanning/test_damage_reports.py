"""Staff report damage or loss; a supervisor approves (the adjustment posts then) or rejects."""
import uuid

import pytest
from sqlalchemy import func, select

from warehouse_app.ledger.models import Movement, MovementKind, Reason, StockLevel
from warehouse_app.scanning.models import DamageReport, ReportStatus

JSON = {"Accept": "application/json"}


@pytest.fixture
def shelf(db, make_product, make_location, stock):
    product = make_product("MUG-1", barcodes=["5901234123457"])
    bin_ = make_location("A-01")
    stock(product, bin_, 5)
    db.session.commit()
    return product, bin_


def report(client, **body):
    fields = {"code": "MUG-1", "from_location": "A-01", "qty": 2, "reason": "damage",
              "note": "dropped", **body}
    return client.post("/scan/report", json=fields, headers=JSON)


def adjustments(db) -> int:
    return db.session.scalar(select(func.count(Movement.id)).where(
        Movement.kind == MovementKind.ADJUST))


def on_hand(db, product, location) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.sum(StockLevel.on_hand)).where(
        StockLevel.product_id == product.id, StockLevel.location_id == location.id))


def test_a_staff_report_posts_nothing_until_a_supervisor_approves(client, db, login_as,
                                                                  no_csrf, shelf):
    product, bin_ = shelf
    login_as("staff")
    response = report(client)
    assert response.status_code == 201, response.json
    assert response.json["status"] == "open" and adjustments(db) == 0
    login_as("supervisor")
    page = client.get("/scan/reports")
    assert "dropped" in page.get_data(True)
    done = client.post(f"/scan/reports/{response.json['id']}/approve")
    assert done.status_code == 303
    found = db.session.get(DamageReport, response.json["id"])
    db.session.refresh(found)
    assert found.status is ReportStatus.APPROVED
    assert (found.movement.qty, found.movement.reason, found.movement.to_location.code) == (
        2, Reason.DAMAGE, "SCRAP")
    assert on_hand(db, product, bin_) == 3
    again = client.post(f"/scan/reports/{found.id}/reject", follow_redirects=True)
    assert "approved already" in again.get_data(True)
    assert adjustments(db) == 1


def test_a_rejected_report_posts_nothing(client, db, login_as, no_csrf, shelf):
    product, bin_ = shelf
    login_as("staff")
    made = report(client, reason="loss").json["id"]
    login_as("supervisor")
    client.post(f"/scan/reports/{made}/reject", data={"note": "it was in B-02"})
    found = db.session.get(DamageReport, made)
    db.session.refresh(found)
    assert (found.status, found.decision_note) == (ReportStatus.REJECTED, "it was in B-02")
    assert adjustments(db) == 0 and on_hand(db, product, bin_) == 5


def test_staff_cannot_decide_on_reports(client, db, login_as, no_csrf, shelf):
    login_as("staff")
    made = report(client).json["id"]
    assert client.get("/scan/reports").status_code == 403
    assert client.post(f"/scan/reports/{made}/approve").status_code == 403
    assert adjustments(db) == 0


@pytest.mark.parametrize("body, field", [
    ({"qty": 0}, "qty"), ({"qty": "two"}, "qty"), ({"reason": "found"}, "reason"),
    ({"reason": None}, "reason"), ({"note": ""}, "note"), ({"note": "x" * 2001}, "note"),
    ({"note": 5}, "note"), ({"from_location": ""}, "from_location"),
    ({"from_location": "NOPE"}, "from_location"), ({"from_location": "SCRAP"}, "from_location"),
    ({"code": "NOPE"}, "code"), ({"lot": 7}, "lot")])
def test_a_bad_report_is_refused_in_words(client, db, login_as, no_csrf, shelf, body, field):
    login_as("staff")
    response = report(client, **body)
    assert 400 <= response.status_code < 500
    assert response.json["error"]["field"] == field and response.json["error"]["message"]
    assert db.session.scalar(select(func.count(DamageReport.id))) == 0


def test_more_than_the_bin_holds_is_refused(client, db, login_as, no_csrf, shelf):
    login_as("staff")
    response = report(client, qty=6, client_op_id=str(uuid.uuid4()))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "insufficient_stock"


@pytest.mark.parametrize("body, field, message", [
    ({"note": "   "}, "note", "note: Say what happened."),
    ({"note": ""}, "note", "note: Say what happened."),
    ({"note": None}, "note", "note may not be null."),
    ({"reason": "found"}, "reason", "reason is damage, loss, theft or expiry."),
    ({"qty": True}, "qty", "qty: Not a valid integer."),
    ({"qty": 1.5}, "qty", "qty: Not a valid integer."),
    ({"qty": -1}, "qty", "qty: Must be greater than or equal to 1 and less than or equal to "
                         "1000000000."),
    ({"qty": None, "scans": 0}, "scans", "scans: Must be greater than or equal to 1 and less "
                                         "than or equal to 10000."),
    ({"code": ""}, "code", "code: Shorter than minimum length 1."),
    ({"lot": "L" * 65}, "lot", "lot: Length must be between 0 and 64."),
    ({"from_location": "B" * 41}, "from_location",
     "from_location: Length must be between 1 and 40."),
    ({"to_location": "A-01"}, "to_location", "to_location is not a field of this request."),
    ({"sku": "MUG-1"}, "sku", "sku is not a field of this request."),
    ({"flow": "move"}, "flow", "flow: Must be one of: adjust."),
])
def test_a_report_is_loaded_by_the_movement_rules(client, db, login_as, no_csrf, shelf, body,
                                                  field, message):
    login_as("staff")
    fields = {"code": "MUG-1", "from_location": "A-01", "qty": 2, "reason": "damage",
              "note": "dropped", **body}
    response = client.post("/scan/report", json={k: v for k, v in fields.items()
                                                 if not (k == "qty" and v is None)},
                           headers=JSON)
    assert response.status_code == 422
    assert (response.json["error"]["field"], response.json["error"]["message"]) == (
        field, message)
    assert db.session.scalar(select(func.count(DamageReport.id))) == 0


def test_a_report_s_note_follows_the_movement_line_s_rule(client, db, login_as, no_csrf,
                                                          shelf):
    """A note of 2,000 characters is a report's as it is a movement line's; 2,001 is refused
    by both in the same words."""
    login_as("staff")
    line = {"flow": "adjust", "code": "MUG-1", "from_location": "A-01", "qty": 1,
            "reason": "damage"}
    reported = report(client, note="n" * 2000, qty=1)
    assert reported.status_code == 201, reported.json
    refused = [client.post(url, json={**line, "note": "n" * 2001}, headers=JSON)
               for url in ("/scan/report", "/scan/line")]
    assert [r.status_code for r in refused] == [422, 422]
    assert refused[0].json["error"] == {**refused[1].json["error"]}
    found = db.session.get(DamageReport, reported.json["id"])
    assert len(found.note) == 2000
    assert db.session.scalar(select(func.count(DamageReport.id))) == 1
