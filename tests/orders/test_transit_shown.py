"""Stock in transit is shown apart in the central view and the stock and valuation reports:
on hand in neither warehouse, counted in the totals, with where it comes from and goes to."""
import csv
import io

import pytest
from sqlalchemy import select

from tests.orders.conftest import assert_books_agree
from warehouse_app.auth import warehouses
from warehouse_app.insight import central
from warehouse_app.ledger import transit
from warehouse_app.ledger.models import Transit
from warehouse_app.locations.places import by_code

REPORTS = "/api/v1/reports"


@pytest.fixture
def moving(db, site):
    """MUG: 5 received into N-A-1 at 2.00 and 1 into S-1 at 2.00; 2 dispatched NORTH -> SOUTH."""
    site.stock(site.p.mug, site.bins.na1, 5, unit_cost="2.00")
    site.stock(site.p.mug, site.bins.s1, 1, unit_cost="2.00")
    sent = transit.dispatch(site.p.mug, 2, by_code("N-A-1"), "SOUTH")
    db.session.commit()
    return sent


def rows_of(answer) -> list[dict]:
    assert answer.status_code == 200, answer.json
    return answer.json["items"]


def test_the_central_view_counts_transit_in_neither_warehouse_but_in_the_total(db, site,
                                                                                moving):
    view = central.build(central.Filters(q="MUG"))
    mug = view.rows[0]
    north, south = site.north.id, site.south.id
    assert mug["cells"][north] == {"on_hand": 3, "available": 3}
    assert mug["cells"][south] == {"on_hand": 1, "available": 1}
    assert (mug["in_transit"], mug["on_hand"], mug["available"]) == (2, 6, 4)
    assert view.totals[north]["on_hand"] == 3 and view.totals[north]["value"] == 6.0
    assert view.totals[south] == {"on_hand": 1, "available": 1, "value": 2.0, "products": 1}
    assert view.totals["transit"] == {"on_hand": 2, "available": 0, "value": 4.0,
                                      "products": 1}
    assert_books_agree(db)


def test_a_product_only_arriving_is_not_held_at_the_destination(db, site):
    site.stock(site.p.tee, site.bins.na1, 4, unit_cost="1.50")
    transit.dispatch(site.p.tee, 4, by_code("N-A-1"), "SOUTH")
    db.session.commit()
    totals = central.warehouse_totals()
    assert totals[site.south.id] == {"on_hand": 0, "available": 0, "value": 0.0, "products": 0}
    assert totals["transit"]["on_hand"] == 4 and totals["transit"]["value"] == 6.0


def test_the_central_page_shows_the_transit_line_and_column(db, site, moving, client,
                                                            login_as):
    login_as("supervisor")
    page = client.get("/insight/").get_data(as_text=True)
    assert 'data-wh-total="transit"' in page and ">In transit</th>" in page
    assert "NORTH (N-A-1) → SOUTH" in page and "value 4.00" in page
    assert "<td class=\"num\" data-transit><b>2</b></td>" in page


def test_the_live_feed_sends_transit_apart(db, app, site, moving, client, login_as):
    app.config["INSIGHT_SSE_SECONDS"] = 0.3
    login_as("supervisor")
    since = central.latest_movement() - 1
    body = client.get("/insight/events", headers={"Last-Event-ID": str(since)}).get_data(
        as_text=True)
    assert '"in_transit":2' in body and '"transit":{"on_hand":2' in body


def test_receipt_and_its_reversal_move_the_units_in_and_out_of_transit(db, site, moving,
                                                                        client, supervisor):
    transit.receive(moving, "S-2")
    db.session.commit()
    view = central.build(central.Filters(q="MUG"))
    assert view.rows[0]["cells"][site.south.id]["on_hand"] == 3
    assert view.rows[0]["in_transit"] == 0 and view.totals["transit"]["on_hand"] == 0
    undone = client.post(f"/api/v1/movements/{moving.receive_movement_id}/reverse",
                         headers=supervisor)
    assert undone.status_code == 201, undone.json
    stock = rows_of(client.get(f"{REPORTS}/stock", headers=supervisor))
    assert [(r["place"], r["on_hand"], r["in_transit"]) for r in stock] == [
        ("NORTH", 3, None), ("SOUTH", 1, None), ("in transit", None, 2)]
    assert_books_agree(db)


def test_the_valuation_report_has_a_line_in_transit(db, site, moving, client, supervisor):
    answer = client.get(f"{REPORTS}/valuation", headers=supervisor)
    lines = {(r["warehouse"], r["from_warehouse"], r["to_warehouse"]): (r["units"], r["value"])
             for r in rows_of(answer)}
    assert lines == {("NORTH", None, None): (3, 6.0), ("SOUTH", None, None): (1, 2.0),
                     ("in transit", "NORTH", "SOUTH"): (2, 4.0)}
    assert answer.json["totals"] == {"units": 6, "value": 12.0, "in_transit_units": 2,
                                     "in_transit_value": 4.0}
    by_product = client.get(f"{REPORTS}/valuation?by=product", headers=supervisor)
    assert [(r["sku"], r["quantity"], r["in_transit"], r["value"])
            for r in rows_of(by_product)] == [("MUG", 6, 2, 12.0)]
    text = client.get(f"{REPORTS}/valuation?format=csv", headers=supervisor).get_data(
        as_text=True)
    table = list(csv.DictReader(io.StringIO(text)))
    assert {(r["warehouse"], r["from_warehouse"], r["to_warehouse"], r["units"])
            for r in table} == {("NORTH", "", "", "3"), ("SOUTH", "", "", "1"),
                                ("in transit", "NORTH", "SOUTH", "2")}


def test_the_stock_report_shows_transit_by_warehouse_by_location_and_filtered(
        db, site, moving, client, supervisor):
    by_location = rows_of(client.get(f"{REPORTS}/stock?by=location", headers=supervisor))
    assert [(r["place"], r["on_hand"], r["in_transit"], r["from_warehouse"],
             r["to_warehouse"]) for r in by_location] == [
        ("N-A-1", 3, None, None, None), ("S-1", 1, None, None, None),
        ("in transit", None, 2, "NORTH", "SOUTH")]  # no SOUTH-TRANSIT line
    for where in ("NORTH", "SOUTH"):
        one = client.get(f"{REPORTS}/stock?warehouse={where}", headers=supervisor)
        assert [r["place"] for r in rows_of(one)] == [where, "in transit"]
        assert one.json["totals"]["in_transit"] == 2
    answer = client.get(f"{REPORTS}/stock", headers=supervisor)
    assert answer.json["totals"] == {"on_hand": 4, "in_transit": 2, "units": 6}
    text = client.get(f"{REPORTS}/stock?format=csv", headers=supervisor).get_data(as_text=True)
    assert text.splitlines()[0] == "sku,name,place,on_hand,in_transit,from_warehouse,to_warehouse"
    assert "MUG,Blue mug,in transit,,2,NORTH,SOUTH" in text.splitlines()


def test_a_supervisor_kept_to_one_end_sees_the_transit_and_only_their_warehouse(
        db, site, moving, client, make_user, make_location):
    from tests.auth.test_warehouses import bearer
    make_location("EAST", "warehouse")
    south_boss, east_boss = make_user("sb", "supervisor"), make_user("eb", "supervisor")
    warehouses.keep_user(south_boss, ["SOUTH"])
    warehouses.keep_user(east_boss, ["EAST"])
    db.session.commit()
    mine = client.get(f"{REPORTS}/valuation", headers=bearer(db, south_boss))
    assert [(r["warehouse"], r["units"]) for r in rows_of(mine)] == [("SOUTH", 1),
                                                                       ("in transit", 2)]
    assert mine.json["totals"] == {"units": 3, "value": 6.0, "in_transit_units": 2,
                                   "in_transit_value": 4.0}
    theirs = client.get(f"{REPORTS}/stock", headers=bearer(db, east_boss))
    assert rows_of(theirs) == [] and theirs.json["totals"]["in_transit"] == 0


def test_the_report_pages_show_transit_apart(db, site, moving, client, login_as):
    login_as("supervisor")
    for name in ("valuation", "stock"):
        page = client.get(f"/insight/reports/{name}").get_data(as_text=True)
        assert "in transit" in page and ">From</th>" in page and ">To</th>" in page
        assert "In transit: dispatched from one warehouse" in page
    assert db.session.scalar(select(Transit.qty)) == 2
