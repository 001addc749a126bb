"""Tolerances: within posts at submit, beyond waits; product and category overrides; the rule."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.counting.conftest import books_agree, lines_of, on_hand, submit
from warehouse_app.catalog import products
from warehouse_app.counting import tolerance
from warehouse_app.counting.models import CountLine, CountStatus, LineStatus
from warehouse_app.counting.tolerance import Rule
from warehouse_app.errors import DomainError
from warehouse_app.ledger.models import Movement, MovementKind


def count_movements(db) -> list[tuple]:
    db.session.expire_all()
    return [(m.product.sku, m.qty, m.from_location.code, m.to_location.code, m.reference)
            for m in db.session.scalars(select(Movement).where(
                Movement.kind == MovementKind.COUNT).order_by(Movement.id))]


@pytest.mark.parametrize(("expected", "counted", "within"), [
    (100, 100, True), (100, 99, True), (100, 101, True), (50, 49, True), (100, 98, False),
    (10, 9, False), (0, 1, False), (1, 0, False), (1000, 1001, True)])
def test_the_default_rule_is_one_unit_and_two_percent(expected, counted, within):
    assert Rule(1, Decimal(2)).within(expected, counted, Decimal("3.00")) is within


def test_a_value_cap_holds_too():
    rule = Rule(5, Decimal(10), Decimal("20"))
    assert rule.within(100, 98, Decimal("10")) is True
    assert rule.within(100, 97, Decimal("10")) is False


def test_within_tolerance_posts_at_submit(db, floor, open_count, tally):
    floor.put(floor.p.mug, floor.bins.a1, 100)
    count = open_count("A-1")
    tally(count, "A-1", {"MUG": 99})
    outcome = submit(db, count, floor.u.pat)
    assert (outcome.posted, outcome.waiting, count.status) == (1, 0, CountStatus.DONE)
    assert count_movements(db) == [("MUG", 1, "A-1", "COUNT", count.reference)]
    assert lines_of(db, count) == {("A-1", "MUG", ""): (99, 100, "posted")}
    assert on_hand(db, floor.p.mug, floor.bins.a1) == 99
    books_agree(db)


def test_found_stock_within_tolerance_posts_into_the_bin(db, floor, open_count, tally):
    floor.put(floor.p.mug, floor.bins.a1, 100)
    count = open_count("A-1")
    tally(count, "A-1", {"MUG": 101})
    submit(db, count, floor.u.pat)
    assert count_movements(db) == [("MUG", 1, "COUNT", "A-1", count.reference)]
    assert on_hand(db, floor.p.mug, floor.bins.a1) == 101


def test_beyond_tolerance_waits_for_a_supervisor_and_posts_nothing(db, floor, open_count,
                                                                  tally):
    floor.put(floor.p.mug, floor.bins.a1, 10)
    floor.put(floor.p.tee, floor.bins.a2, 100)
    count = open_count("A-1", "A-2")
    tally(count, "A-1", {"MUG": 9})
    tally(count, "A-2", {"TEE": 99})
    outcome = submit(db, count, floor.u.pat)
    assert (outcome.posted, outcome.waiting, count.status) == (1, 1, CountStatus.PENDING)
    assert count_movements(db) == [("TEE", 1, "A-2", "COUNT", count.reference)]
    lines = lines_of(db, count)
    assert lines[("A-1", "MUG", "")] == (9, 10, "waiting")
    assert on_hand(db, floor.p.mug, floor.bins.a1) == 10


def test_a_product_override_widens_its_tolerance(db, floor, open_count, tally):
    tolerance.save({"max_units": "5", "max_pct": "50"}, product=floor.p.mug)
    floor.put(floor.p.mug, floor.bins.a1, 10)
    floor.put(floor.p.tee, floor.bins.a2, 10)
    count = open_count("A-1", "A-2")
    tally(count, "A-1", {"MUG": 7})
    tally(count, "A-2", {"TEE": 9})
    submit(db, count, floor.u.pat)
    lines = lines_of(db, count)
    assert lines[("A-1", "MUG", "")][2] == "posted"
    assert lines[("A-2", "TEE", "")][2] == "waiting"


def test_a_category_override_applies_to_its_subcategories(db, floor, open_count, tally):
    products.update(floor.p.tee, {"category": "Apparel > Shirts"})
    tolerance.save({"max_units": "3", "max_pct": "30"},
                   category=tolerance.category_by_path("Apparel"))
    floor.put(floor.p.tee, floor.bins.a2, 10)
    floor.put(floor.p.mug, floor.bins.a1, 10)
    count = open_count("A-1", "A-2")
    tally(count, "A-1", {"MUG": 8})
    tally(count, "A-2", {"TEE": 8})
    submit(db, count, floor.u.pat)
    lines = lines_of(db, count)
    assert lines[("A-2", "TEE", "")][2] == "posted"
    assert lines[("A-1", "MUG", "")][2] == "waiting"
    waiting = db.session.scalars(select(CountLine).where(
        CountLine.status == LineStatus.WAITING)).one()
    assert waiting.reason == "Beyond tolerance: 1 unit and 2 %."


def test_a_product_rule_beats_its_categorys(db, floor):
    products.update(floor.p.mug, {"category": "Kitchen"})
    tolerance.save({"max_units": "9", "max_pct": "90"},
                   category=tolerance.category_by_path("Kitchen"))
    tolerance.save({"max_units": "0", "max_pct": "0"}, product=floor.p.mug)
    rules = tolerance.rules_for([floor.p.mug.id, floor.p.tee.id])
    assert (rules[floor.p.mug.id].units, rules[floor.p.mug.id].source) == (0, "product")
    assert rules[floor.p.tee.id].source == "default"


def test_saving_a_tolerance_again_replaces_it_and_removing_falls_back(db, floor):
    first = tolerance.save({"max_units": "2", "max_pct": "5"}, product=floor.p.mug)
    again = tolerance.save({"max_units": "3", "max_pct": "5", "max_value": "12.5"},
                           product=floor.p.mug)
    assert first.id == again.id and (again.max_units, again.max_value) == (3, Decimal("12.5"))
    tolerance.remove(again.id)
    assert tolerance.rules_for([floor.p.mug.id])[floor.p.mug.id].source == "default"


@pytest.mark.parametrize(("fields", "field"), [
    ({"max_units": "-1", "max_pct": "2"}, "max_units"),
    ({"max_units": "x", "max_pct": "2"}, "max_units"),
    ({"max_units": "1", "max_pct": ""}, "max_pct"),
    ({"max_units": "1", "max_pct": "101"}, "max_pct"),
    ({"max_units": "1", "max_pct": "nan"}, "max_pct"),
    ({"max_units": "1", "max_pct": "2", "max_value": "-3"}, "max_value")])
def test_bad_tolerances_are_refused(db, floor, fields, field):
    with pytest.raises(DomainError) as err:
        tolerance.save(fields, product=floor.p.mug)
    assert err.value.field == field


def test_the_default_comes_from_the_config(app, db, floor):
    app.config.update(COUNT_TOLERANCE_UNITS=4, COUNT_TOLERANCE_PCT="10",
                      COUNT_TOLERANCE_VALUE="50")
    rule = tolerance.default_rule()
    assert (rule.units, rule.pct, rule.value) == (4, Decimal(10), Decimal(50))
    assert rule.describe() == "4 units and 10 % and 50.00 in value"
