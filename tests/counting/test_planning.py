"""Planning: what a count covers (bins, zones, warehouses, a product), overlaps, and today's
proposal (short picks, rejected losses, the ABC cycle with configurable frequencies)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.counting.conftest import submit
from warehouse_app.counting import approval, counting, planning
from warehouse_app.counting.models import CountBin, CountFrequency
from warehouse_app.errors import Conflict, DomainError, Forbidden, NotFound
from warehouse_app.ledger.models import CountRequest, MovementKind
from warehouse_app.ledger.movements import Line, record
from warehouse_app.models import utcnow

# History "n days ago" and "this month" are read on a fixed day (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fixed_clock")


def bins_of(db, count) -> list[str]:
    return sorted(b.location.code for b in db.session.scalars(
        select(CountBin).where(CountBin.count_id == count.id)))


def test_a_zone_or_a_warehouse_counts_all_its_bins(db, floor, open_count):
    assert bins_of(db, open_count("Z-A")) == ["A-1", "A-2", "A-3"]
    assert bins_of(db, open_count("B-1")) == ["B-1"]


def test_a_whole_warehouse(db, floor, open_count):
    count = open_count("MAIN")
    assert bins_of(db, count) == ["A-1", "A-2", "A-3", "B-1"]
    assert count.reference == f"CC-{count.id:05d}" and count.blind


def test_a_product_count_covers_the_bins_holding_it_and_only_that_product(db, floor,
                                                                          open_count):
    floor.put(floor.p.mug, floor.bins.a2, 3)
    floor.put(floor.p.mug, floor.bins.b1, 1)
    count = open_count(product="MUG")
    assert bins_of(db, count) == ["A-2", "B-1"]
    with pytest.raises(DomainError) as err:
        counting.add(count, {"location": "A-2", "code": "TEE"}, floor.u.pat)
    assert err.value.code == "wrong_product"


def test_a_product_in_named_places_only(db, floor, open_count):
    floor.put(floor.p.mug, floor.bins.a2, 3)
    floor.put(floor.p.mug, floor.bins.b1, 1)
    assert bins_of(db, open_count("Z-B", product="MUG")) == ["B-1"]


@pytest.mark.parametrize(("fields", "error", "code"), [
    ({}, DomainError, "invalid"),
    ({"locations": ["NOPE"]}, NotFound, "not_found"),
    ({"locations": ["COUNT"]}, DomainError, "invalid"),
    ({"locations": "A-1"}, DomainError, "invalid"),
    ({"product": "NOPE"}, NotFound, "not_found"),
    ({"product": "TEE"}, DomainError, "nothing_to_count"),
    ({"locations": ["A-1"], "blind": "no"}, DomainError, "invalid")])
def test_bad_plans_are_refused(db, floor, fields, error, code):
    with pytest.raises(error) as err:
        planning.open_count(fields, floor.u.boss)
    assert err.value.code == code


def test_staff_cannot_open_a_count(db, floor):
    with pytest.raises(Forbidden):
        planning.open_count({"locations": ["A-1"]}, floor.u.pat)


def test_a_bin_cannot_be_in_two_unfinished_counts(db, floor, open_count):
    first = open_count("A-1")
    with pytest.raises(Conflict) as err:
        planning.open_count({"locations": ["Z-A"]}, floor.u.boss)
    assert err.value.code == "already_counting" and f"A-1 ({first.reference})" in err.value.message


def test_short_picks_are_proposed_first(db, floor):
    db.session.add(CountRequest(location_id=floor.bins.a2.id, product_id=floor.p.mug.id,
                                reason="Short pick for SO-1: 1 × MUG not found"))
    db.session.commit()
    found = planning.propose()
    assert [(p.location.code, p.reasons) for p in found] == [
        ("A-2", ["Short pick for SO-1: 1 × MUG not found"])]


def test_the_abc_cycle_proposes_a_daily_share_of_each_class(db, floor, open_count, tally):
    floor.put(floor.p.mug, floor.bins.a1, 50, cost="10.00")
    floor.put(floor.p.tee, floor.bins.a2, 50, cost="1.00")
    sold = utcnow() - timedelta(days=2)  # ABC reads whole days before today
    record(Line(MovementKind.PICK, floor.p.mug, 30, from_location=floor.bins.a1, at=sold))
    record(Line(MovementKind.PICK, floor.p.tee, 30, from_location=floor.bins.a2, at=sold))
    db.session.commit()
    assert planning.abc_classes() == {floor.p.mug.id: "A", floor.p.tee.id: "B"}
    proposed = {p.location.code: p.reasons for p in planning.propose()}
    assert proposed == {"A-1": ["MUG: Class A (every 30 days), never counted"],
                        "A-2": ["TEE: Class B (every 90 days), never counted"]}
    count = open_count("A-1")
    tally(count, "A-1", {"MUG": 20})
    submit(db, count, floor.u.pat)
    # counted today: not due again for 30 days; then due, and 10 days later overdue too
    assert "A-1" not in {p.location.code for p in planning.propose()}
    later = utcnow().date() + timedelta(days=30)
    assert [p.location.code for p in planning.propose(later)] == ["A-1", "A-2"]


def test_frequencies_are_configurable(db, floor):
    assert planning.frequencies() == {"A": 30, "B": 90, "C": 180}
    assert planning.set_frequencies({"A": "7", "C": ""}) == {"A": 7, "B": 90, "C": 180}
    assert db.session.scalars(select(CountFrequency)).one().days == 7
    for bad in ("0", "x", "4000"):
        with pytest.raises(DomainError) as err:
            planning.set_frequencies({"B": bad})
        assert err.value.field == "B"


def test_a_rejected_loss_is_proposed_again_and_busy_bins_are_not(db, floor, open_count, tally):
    floor.put(floor.p.tee, floor.bins.b1, 10, cost="0")
    count = open_count("B-1")
    tally(count, "B-1", {"TEE": 2})
    submit(db, count, floor.u.pat)
    approval.reject(count, floor.u.boss, "Not believable")
    db.session.commit()
    proposed = {p.location.code: p.reasons for p in planning.propose()}
    assert "A count found fewer TEE and was rejected: the books may be high" in proposed["B-1"]
    open_count("B-1")
    assert "B-1" not in {p.location.code for p in planning.propose()}
