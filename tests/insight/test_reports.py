"""Every report answers JSON, CSV and a light page; bad names and parameters are refused."""
import csv
import io

import pytest

from tests.insight.conftest import days_ago
from warehouse_app.insight.reports import REGISTRY

NAMES = ["valuation", "stock", "movers", "dead-stock", "abc", "turnover", "shrinkage",
         "reorder", "forecast"]
ARGS = {"dead-stock": {"days": "30"}, "reorder": {"all": "1"}}


@pytest.fixture
def busy(shop, move, make_product):
    """Two products with receipts, sales, a return, a transfer and write-offs over 40 days."""
    p, a, b = shop["product"], shop["A"], shop["B"]
    slow = make_product("MUG-1", name="Mug", category="Kitchen", supplier="Potters")
    move("receive", p, 200, days_ago(40), to_location=a, unit_cost="2.00")
    move("receive", slow, 30, days_ago(40), to_location=b, unit_cost="4.00")
    for n in range(35, 0, -1):
        move("pick", p, 3 + n % 4, days_ago(n), from_location=a)
    move("return", p, 2, days_ago(6), to_location=a)
    move("transfer", p, 10, days_ago(5), from_location=a, to_location=b)
    move("adjust", p, 3, days_ago(4), from_location=a, reason="damage")
    move("adjust", slow, 1, days_ago(3), to_location=b, reason="found")
    move("count", p, 2, days_ago(2), from_location=a)
    return p, slow


def test_every_report_is_registered():
    assert sorted(REGISTRY) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_report_answers_json_and_csv(db, busy, client, headers, name):
    sup = headers("supervisor")
    answer = client.get(f"/api/v1/reports/{name}", headers=sup, query_string=ARGS.get(name))
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["report"] == name and body["total"] == len(body["items"]) > 0
    keys = [c["key"] for c in body["columns"]]
    assert set(keys) <= set(body["items"][0]) | {"forecast"}
    sheet = client.get(f"/api/v1/reports/{name}", headers=sup,
                       query_string={**ARGS.get(name, {}), "format": "csv"})
    assert sheet.status_code == 200 and sheet.mimetype == "text/csv"
    assert f'filename="{name}.csv"' in sheet.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(sheet.get_data(as_text=True))))
    assert rows[0] == keys and len(rows) == body["total"] + 1


@pytest.mark.parametrize("name", NAMES)
def test_each_report_page_is_light_and_has_its_table(db, busy, client, supervisor, name):
    page = client.get(f"/insight/reports/{name}", query_string=ARGS.get(name))
    assert page.status_code == 200
    assert b"<table" in page.data and len(page.data) < 100_000


def test_movers_shrinkage_and_abc_figures(db, busy, client, headers):
    sup = headers("supervisor")
    movers = client.get("/api/v1/reports/movers?days=30", headers=sup).json["items"]
    tee = next(r for r in movers if r["sku"] == "TEE-1")
    picked = sum(3 + n % 4 for n in range(30, 0, -1))
    assert tee["units_out"] == picked - 2 and tee["class"] == "fast"
    assert next(r for r in movers if r["sku"] == "MUG-1")["class"] == "slow"
    shrink = client.get("/api/v1/reports/shrinkage", headers=sup).json
    by_reason = {(r["reason"], r["location"]): (r["units"], r["value"]) for r in shrink["items"]}
    assert by_reason[("damage", "A-01")] == (3, 6.0)
    assert by_reason[("count", "A-01")] == (2, 4.0)
    assert by_reason[("found", "B-01")] == (-1, -4.0)
    assert shrink["totals"] == {"units": 4, "value": 6.0}
    abc = client.get("/api/v1/reports/abc", headers=sup).json["items"]
    assert [(r["sku"], r["class"]) for r in abc] == [("TEE-1", "A"), ("MUG-1", "C")]


def test_dead_stock_lists_what_has_not_sold(db, busy, client, headers):
    items = client.get("/api/v1/reports/dead-stock?days=30",
                       headers=headers("supervisor")).json["items"]
    assert [(r["sku"], r["on_hand"], r["last_outbound"]) for r in items] == [("MUG-1", 31, None)]


def test_turnover_and_days_of_cover(db, busy, client, headers):
    items = client.get("/api/v1/reports/turnover?days=30",
                       headers=headers("supervisor")).json["items"]
    tee = next(r for r in items if r["sku"] == "TEE-1")
    rate = tee["units_out"] / 30
    assert tee["days_of_cover"] == pytest.approx(tee["on_hand"] / rate, abs=0.05)
    assert tee["turnover"] > 0


def test_an_unknown_report_is_a_404_in_the_error_shape(db, client, headers, supervisor):
    answer = client.get("/api/v1/reports/nonsense", headers=headers("supervisor"))
    assert answer.status_code == 404
    assert answer.json["error"]["code"] == "not_found" and "valuation" in answer.json["error"][
        "message"]
    assert client.get("/insight/reports/nonsense").status_code == 404


@pytest.mark.parametrize("path, field", [
    ("valuation?as_of=2024-13-01", "as_of"), ("valuation?as_of=yesterday", "as_of"),
    ("valuation?as_of=2999-01-01", "as_of"), ("stock?by=shelf", "by"),
    ("stock?warehouse=NOPE", "warehouse"), ("movers?days=0", "days"),
    ("movers?days=abc", "days"), ("dead-stock?days=99999", "days"),
    ("shrinkage?since=2026-05-01&until=2026-01-01", "since"),
    ("reorder?service_level=1.5", "service_level"), ("forecast?limit=0", "limit"),
    ("forecast?horizon=0", "horizon"), ("forecast?days=ten", "days"),
    ("valuation?format=xml", "format")])
def test_bad_parameters_are_a_422_naming_the_field(db, client, headers, path, field):
    answer = client.get(f"/api/v1/reports/{path}", headers=headers("supervisor"))
    assert answer.status_code == (404 if field == "warehouse" else 422), answer.json
    assert answer.json["error"]["field"] == field


def test_a_bad_parameter_on_the_page_says_so(db, client, supervisor):
    page = client.get("/insight/reports/movers?days=-3")
    assert page.status_code == 422 and b"days must be between 1 and 3650" in page.data
