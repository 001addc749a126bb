"""The inventory journal for a bookkeeper; packed orders out to a carrier, tracking back in."""
import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.api.checks import assert_error
from warehouse_app.ledger.models import MovementKind, Reason
from warehouse_app.ledger.movements import Line, record
from warehouse_app.orders.models import Order, OrderStatus

# History "n days ago" and "this month" are read on a fixed day (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fixed_clock")


JOURNAL = "/api/v1/exports/journal.csv"


def today() -> str:
    return date.today().isoformat()


def parse(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_journal_has_receipts_at_cost_cogs_and_shrinkage(client, db, site, api_token):
    site.stock(site.p.mug, site.bins.na1, 10, unit_cost="2.50")
    record(Line(MovementKind.PICK, site.p.mug, 4, from_location=site.bins.na1))
    record(Line(MovementKind.ADJUST, site.p.mug, 1, from_location=site.bins.na1,
                reason=Reason.DAMAGE))
    record(Line(MovementKind.TRANSFER, site.p.mug, 2, from_location=site.bins.na1,
                to_location=site.bins.na2))
    db.session.commit()
    rows = parse(client.get(JOURNAL, query_string={"from": today(), "to": today()},
                            headers=api_token("supervisor")))
    got = [(r["account"], r["debit"], r["credit"]) for r in rows]
    assert got == [("1300 Inventory", "25.00", ""),
                   ("2100 Goods received not invoiced", "", "25.00"),
                   ("5000 Cost of goods sold", "10.00", ""), ("1300 Inventory", "", "10.00"),
                   ("5100 Inventory shrinkage", "2.50", ""), ("1300 Inventory", "", "2.50")]
    assert rows[4]["memo"] == "damage"
    assert {r["sku"] for r in rows} == {"MUG"}


def test_journal_is_bounded_by_the_period(client, site, api_token):
    site.stock(site.p.mug, site.bins.na1, 1, unit_cost="1")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert parse(client.get(JOURNAL, query_string={"from": yesterday, "to": yesterday},
                            headers=api_token("supervisor"))) == []


def test_journal_refuses_a_bad_period_and_staff(client, api_token):
    boss = api_token("supervisor")
    assert_error(client.get(JOURNAL, query_string={"from": "yesterday", "to": today()},
                            headers=boss), 422, "invalid", "from")
    assert_error(client.get(JOURNAL, query_string={"from": today(), "to": "2000-01-01"},
                            headers=boss), 422, "invalid", "from")
    assert_error(client.get(JOURNAL, query_string={"to": today()}, headers=boss), 422)
    assert_error(client.get(JOURNAL, query_string={"from": today(), "to": today()},
                            headers=api_token("staff")), 403)


def test_journal_page_link_downloads_it(client, login_as, site):
    login_as("supervisor")
    response = client.get("/integrations/journal.csv", query_string={"from": today(),
                                                                     "to": today()})
    assert response.status_code == 200 and response.mimetype == "text/csv"


def test_packed_orders_export_with_address(client, packed, api_token):
    boss = api_token("supervisor")
    listed = client.get("/api/v1/exports/shipments", headers=boss)
    assert listed.status_code == 200
    (only,) = listed.json
    assert (only["reference"], only["address"], only["postcode"]) == (
        "SO-1", "1 Main St, Leeds", "LS1 1AA")
    assert only["items"] == [{"sku": "MUG", "qty": 2}]
    rows = parse(client.get("/api/v1/exports/shipments?format=csv", headers=boss))
    assert rows[0]["reference"] == "SO-1" and rows[0]["items"] == "MUGx2"


def test_tracking_numbers_ship_the_orders(client, db, packed, api_token):
    response = client.post("/api/v1/shipments/tracking", headers=api_token("supervisor"),
                           json={"rows": [{"reference": "SO-1", "carrier": "DHL",
                                           "tracking": "JD1"}]})
    assert response.status_code == 200, response.json
    assert response.json == {"shipped": 1}
    order = db.session.scalars(select(Order)).one()
    assert (order.status, order.carrier, order.tracking) == (OrderStatus.SHIPPED, "DHL", "JD1")


def test_a_bad_tracking_row_ships_nothing(client, db, packed, api_token):
    response = client.post("/api/v1/shipments/tracking", headers=api_token("supervisor"),
                           json={"rows": [{"reference": "SO-1", "carrier": "DHL",
                                           "tracking": "JD1"},
                                          {"reference": "SO-404", "carrier": "DHL",
                                           "tracking": "JD2"}]})
    assert_error(response, 404, "not_found", "rows")
    db.session.commit()
    assert db.session.scalars(select(Order)).one().status is OrderStatus.PACKED


def test_tracking_csv_upload_on_the_page(client, db, packed, login_as, no_csrf):
    login_as("supervisor")
    bad = io.BytesIO(b"reference,carrier,tracking\r\nSO-1,DHL,\r\n")
    client.post("/integrations/tracking", data={"file": (bad, "t.csv")})
    db.session.commit()
    assert db.session.scalars(select(Order)).one().status is OrderStatus.PACKED
    good = io.BytesIO(b"reference,carrier,tracking\r\nSO-1,DHL,JD9\r\n")
    response = client.post("/integrations/tracking", data={"file": (good, "t.csv")})
    assert response.status_code == 303
    db.session.commit()
    order = db.session.scalars(select(Order)).one()
    assert (order.status, order.tracking) == (OrderStatus.SHIPPED, "JD9")
