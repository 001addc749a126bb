"""Valuation per product (quantity, moving average cost, value) and shrinkage per user, through
the API (JSON and CSV) and on the report page."""
import csv
import io

import pytest

from tests.insight.conftest import days_ago
from warehouse_app.ledger.models import MovementKind
from warehouse_app.ledger.movements import Line, record


@pytest.fixture
def ledger(db, shop, move, make_product, make_user):
    """Two products at moving average costs, and write-offs by two people (one found stock)."""
    tee, a, b = shop["product"], shop["A"], shop["B"]
    mug = make_product("MUG-1", name="Mug")
    move("receive", tee, 10, days_ago(10), to_location=a, unit_cost="2.00")
    move("receive", tee, 10, days_ago(8), to_location=b, unit_cost="3.00")   # 20 at 2.50
    move("receive", mug, 4, days_ago(6), to_location=a, unit_cost="4.00")    # 4 at 4.00
    ann, bob = make_user("ann", "supervisor"), make_user("bob", "supervisor")
    for line, who in ((Line(MovementKind.ADJUST, tee, 3, at=days_ago(4), from_location=a,
                            reason="damage"), ann),
                      (Line(MovementKind.ADJUST, mug, 1, at=days_ago(3), from_location=a,
                            reason="theft"), bob),
                      (Line(MovementKind.ADJUST, tee, 1, at=days_ago(2), to_location=b,
                            reason="found"), bob)):
        record(line, user=who)
        db.session.commit()
    return tee, mug


def test_valuation_by_product_gives_quantity_average_cost_and_value(db, ledger, client,
                                                                     headers):
    answer = client.get("/api/v1/reports/valuation?by=product", headers=headers("supervisor"))
    assert answer.status_code == 200, answer.json
    rows = {r["sku"]: (r["quantity"], r["avg_cost"], r["value"]) for r in answer.json["items"]}
    assert rows == {"TEE-1": (18, 2.5, 45.0), "MUG-1": (3, 4.0, 12.0)}
    assert answer.json["totals"] == {"quantity": 21, "in_transit": 0,
                                     "value": 57.0}


def test_valuation_by_product_as_of_a_past_day(db, ledger, client, headers):
    day = days_ago(7).date().isoformat()
    answer = client.get(f"/api/v1/reports/valuation?by=product&as_of={day}",
                        headers=headers("supervisor"))
    assert [(r["sku"], r["quantity"], r["avg_cost"], r["value"])
            for r in answer.json["items"]] == [("TEE-1", 20, 2.5, 50.0)]


def test_valuation_by_product_as_csv(db, ledger, client, headers):
    answer = client.get("/api/v1/reports/valuation?by=product&format=csv",
                        headers=headers("supervisor"))
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0] == ["sku", "name", "quantity", "avg_cost", "value", "in_transit"]
    assert [row[0] for row in rows[1:]] == ["MUG-1", "TEE-1"]
    assert [float(cell) for cell in rows[1][2:]] == [3, 4.0, 12.0, 0]


def test_shrinkage_by_user(db, ledger, client, headers):
    answer = client.get("/api/v1/reports/shrinkage?by=user", headers=headers("supervisor"))
    assert answer.status_code == 200, answer.json
    rows = {(r["user"], r["reason"]): (r["units"], r["value"]) for r in answer.json["items"]}
    assert rows == {("ann", "damage"): (3, 7.5), ("bob", "theft"): (1, 4.0),
                    ("bob", "found"): (-1, -2.5)}
    assert answer.json["totals"] == {"units": 3, "value": 9.0}


def test_the_report_page_shows_both_new_views(db, ledger, client, login_as):
    login_as("supervisor")
    page = client.get("/insight/reports/valuation?by=product").get_data(as_text=True)
    assert "Stock valuation per product" in page and "MUG-1" in page
    page = client.get("/insight/reports/shrinkage?by=user").get_data(as_text=True)
    assert "Shrinkage by user" in page and "ann" in page and "bob" in page


@pytest.mark.parametrize("path, field", [
    ("valuation?by=user", "by"), ("valuation?by=Product", "by"), ("shrinkage?by=product", "by"),
    ("shrinkage?by=user,month", "by"), ("valuation?by=product&as_of=nope", "as_of"),
    ("shrinkage?by=user&since=2026-05-01&until=2026-01-01", "since")])
def test_a_bad_by_is_a_422_naming_the_field(db, client, headers, path, field):
    answer = client.get(f"/api/v1/reports/{path}", headers=headers("supervisor"))
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["field"] == field


def test_staff_cannot_read_the_new_reports(db, client, headers):
    for path in ("valuation?by=product", "shrinkage?by=user"):
        assert client.get(f"/api/v1/reports/{path}", headers=headers("staff")).status_code == 403
