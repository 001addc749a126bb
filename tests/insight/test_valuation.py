"""Valuation at moving average cost, today and as of past dates, against a hand computation."""
import pytest

from tests.insight.conftest import days_ago


@pytest.fixture
def ledger(shop, move, make_product):
    """Receipts at three costs, a pick and a transfer between warehouses, over ten days."""
    p, a, b = shop["product"], shop["A"], shop["B"]
    move("receive", p, 10, days_ago(10), to_location=a, unit_cost="2.00")   # avg 2.00
    move("pick", p, 4, days_ago(8), from_location=a)                         # 6 left
    move("receive", p, 6, days_ago(6), to_location=a, unit_cost="3.00")     # (12+18)/12 = 2.50
    move("transfer", p, 5, days_ago(4), from_location=a, to_location=b)     # A 7, B 5
    move("receive", p, 8, days_ago(2), to_location=b, unit_cost="5.00")     # (30+40)/20 = 3.50
    return p


def report(client, headers, **args):
    answer = client.get("/api/v1/reports/valuation", query_string=args,
                        headers=headers("supervisor"))
    assert answer.status_code == 200, answer.json
    per_warehouse: dict[str, tuple] = {}
    for row in answer.json["items"]:  # one row per warehouse and category: add them up
        units, value = per_warehouse.get(row["warehouse"], (0, 0.0))
        per_warehouse[row["warehouse"]] = (units + row["units"], round(value + row["value"], 2))
    return per_warehouse, answer.json["totals"]


def test_valuation_as_of_past_dates_equals_a_hand_computation(db, ledger, client, headers):
    day = lambda n: days_ago(n).date().isoformat()  # noqa: E731
    nothing_moving = {"in_transit_units": 0, "in_transit_value": 0}
    assert report(client, headers, as_of=day(5)) == ({"WH1": (12, 30.0)},
                                                     {"units": 12, "value": 30.0,
                                                      **nothing_moving})
    assert report(client, headers, as_of=day(3))[0] == {"WH1": (7, 17.5), "WH2": (5, 12.5)}
    assert report(client, headers, as_of=day(1))[0] == {"WH1": (7, 24.5), "WH2": (13, 45.5)}
    assert report(client, headers, as_of=day(11)) == ({}, {"units": 0, "value": 0,
                                                           **nothing_moving})


def test_valuation_today_comes_from_the_balances_and_agrees(db, ledger, client, headers):
    assert report(client, headers)[0] == {"WH1": (7, 24.5), "WH2": (13, 45.5)}
    assert float(ledger.avg_cost) == 3.5


def test_an_empty_shelf_restarts_the_average_at_the_next_receipt(db, shop, move, client,
                                                                 headers):
    p, a = shop["product"], shop["A"]
    move("receive", p, 4, days_ago(5), to_location=a, unit_cost="10.00")
    move("pick", p, 4, days_ago(4), from_location=a)
    move("receive", p, 2, days_ago(3), to_location=a, unit_cost="1.25")
    as_of = days_ago(2).date().isoformat()
    assert report(client, headers, as_of=as_of)[0] == {"WH1": (2, 2.5)}


def test_stock_as_of_a_date_per_location(db, ledger, client, headers):
    answer = client.get("/api/v1/reports/stock", headers=headers("supervisor"),
                        query_string={"as_of": days_ago(3).date().isoformat(), "by": "location"})
    assert {(r["place"], r["on_hand"]) for r in answer.json["items"]} == {("A-01", 7),
                                                                         ("B-01", 5)}
    only = client.get("/api/v1/reports/stock?warehouse=WH2", headers=headers("supervisor"))
    assert [(r["place"], r["on_hand"]) for r in only.json["items"]] == [("WH2", 13)]


def replay(db, cut) -> dict[str, tuple[int, float]]:
    """The oracle: walk the ledger row by row as the write path did, up to the cut."""
    from decimal import ROUND_HALF_UP, Decimal

    from sqlalchemy import select

    from warehouse_app.ledger.models import Movement, MovementKind
    held, stock, avg = {}, {}, {}
    rows = db.session.scalars(select(Movement).where(Movement.created_at < cut)
                              .order_by(Movement.created_at, Movement.id))
    for m in rows:
        p = m.product_id
        before = stock.get(p, 0)
        for end, sign in ((m.from_location, -1), (m.to_location, 1)):
            if end.is_physical:
                key = (p, end.warehouse.code)
                held[key] = held.get(key, 0) + sign * m.qty
                stock[p] = stock.get(p, 0) + sign * m.qty
        if m.kind is MovementKind.RECEIVE:
            old, base = avg.get(p, Decimal(0)), max(before, 0)
            avg[p] = ((old * base + m.unit_cost * m.qty) / (base + m.qty)).quantize(
                Decimal("0.0001"), ROUND_HALF_UP)
    totals: dict[str, list] = {}
    for (p, code), units in held.items():
        if units:
            entry = totals.setdefault(code, [0, Decimal(0)])
            entry[0] += units
            entry[1] += units * avg[p]
    return {code: (u, float(v.quantize(Decimal("0.01")))) for code, (u, v) in totals.items()}


def test_valuation_as_of_any_day_matches_a_replay_of_the_ledger(db, shop, move, make_product,
                                                               client, headers):
    import random
    from datetime import timedelta

    from tests.insight.conftest import days_ago as ago
    from warehouse_app.ledger.movements import reverse
    rng = random.Random(5)
    products = [shop["product"], make_product("P-2"), make_product("P-3")]
    bins = [shop["A"], shop["B"]]
    stock = {(p.id, b.id): 0 for p in products for b in bins}
    posted = []
    for step in range(90):
        at = ago(30) + timedelta(hours=8 * step)
        p, b = rng.choice(products), rng.choice(bins)
        other = bins[1 - bins.index(b)]
        if stock[(p.id, b.id)] < 3 or rng.random() < 0.3:
            qty = rng.randint(1, 12)
            posted.append(move("receive", p, qty, at, to_location=b,
                               unit_cost=f"{rng.uniform(1, 9):.2f}"))
            stock[(p.id, b.id)] += qty
        elif rng.random() < 0.7:
            qty = rng.randint(1, stock[(p.id, b.id)])
            posted.append(move("pick", p, qty, at, from_location=b))
            stock[(p.id, b.id)] -= qty
        else:
            qty = rng.randint(1, stock[(p.id, b.id)])
            move("transfer", p, qty, at, from_location=b, to_location=other)
            stock[(p.id, b.id)] -= qty
            stock[(p.id, other.id)] += qty
    reverse(posted[-1])  # a reversal today: it carries the cost of what it undoes
    db.session.commit()
    for n in (28, 20, 12, 5, 1):
        day = ago(n).date()
        expected = replay(db, ago(n - 1, hour=0))
        got = report(client, headers, as_of=day.isoformat())[0]
        assert got.keys() == expected.keys(), (n, got, expected)
        for code, (units, value) in expected.items():
            assert got[code][0] == units and got[code][1] == pytest.approx(value, abs=0.011), (
                n, got, expected)


def test_the_fold_gives_every_product_its_current_average(db, shop, move, make_product):
    from warehouse_app.insight import asof
    p = shop["product"]
    move("receive", p, 10, days_ago(9), to_location=shop["A"], unit_cost="1.10")
    move("receive", p, 3, days_ago(8), to_location=shop["A"], unit_cost="2.30")
    move("receive", p, 7, days_ago(7), to_location=shop["B"], unit_cost="0.70")
    move("pick", p, 5, days_ago(6), from_location=shop["A"])
    move("receive", p, 1, days_ago(5), to_location=shop["B"], unit_cost="9.99")
    db.session.refresh(p)
    assert asof.costs_now()[p.id] == pytest.approx(float(p.avg_cost), abs=1e-9)
