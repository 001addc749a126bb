"""Counting bins: scans, typed totals, lots, closing (the snapshot), reopening, bad input."""
import pytest
from sqlalchemy import func, select

from tests.counting.conftest import books_agree, lines_of, on_hand, submit
from warehouse_app.counting import counting
from warehouse_app.counting.models import BinStatus, CountBin, CountLine, CountScan
from warehouse_app.errors import Conflict, DomainError
from warehouse_app.ledger.models import Movement, MovementKind
from warehouse_app.ledger.movements import Line, record


def scans(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(CountScan.id)))


def test_scans_add_up_per_product_and_a_replayed_scan_counts_once(db, floor, open_count):
    count = open_count("A-1")
    pat = floor.u.pat
    counting.add(count, {"location": "a-1", "code": "MUG", "client_op_id": "op-1"}, pat)
    counting.add(count, {"location": "A-1", "code": "5901234123457", "client_op_id": "op-2"}, pat)
    again = counting.add(count, {"location": "A-1", "code": "MUG", "client_op_id": "op-2"}, pat)
    counting.add(count, {"location": "A-1", "code": "TEE", "qty": 4}, pat)
    db.session.commit()
    assert again.replayed
    assert lines_of(db, count) == {("A-1", "MUG", ""): (2, None, "counted"),
                                   ("A-1", "TEE", ""): (4, None, "counted")}
    cbin = db.session.scalars(select(CountBin)).one()
    assert cbin.status is BinStatus.COUNTING and cbin.started_at is not None


def test_a_typed_total_replaces_what_was_counted(db, floor, open_count):
    count = open_count("A-1")
    counting.add(count, {"location": "A-1", "code": "MUG", "qty": 7}, floor.u.pat)
    counting.set_counted(count, {"location": "A-1", "sku": "MUG", "counted_qty": 5}, floor.u.pat)
    db.session.commit()
    assert lines_of(db, count)[("A-1", "MUG", "")][0] == 5


def test_a_bin_outside_the_count_is_refused_and_nothing_is_written(db, floor, open_count):
    count = open_count("A-1")
    with pytest.raises(DomainError) as err:
        counting.add(count, {"location": "A-2", "code": "MUG"}, floor.u.pat)
    assert err.value.code == "not_in_count" and "A-2 is not a bin of count" in err.value.message
    with pytest.raises(DomainError):
        counting.set_counted(count, {"location": "NOWHERE", "sku": "MUG", "counted_qty": 1},
                             floor.u.pat)
    assert scans(db) == 0 and lines_of(db, count) == {}


@pytest.mark.parametrize("bad", [-1, 1.5, "x", 10**10, True, None, "", "1e3", [2]])
def test_absurd_counted_quantities_are_refused(db, floor, open_count, bad):
    count = open_count("A-1")
    with pytest.raises(DomainError) as err:
        counting.set_counted(count, {"location": "A-1", "sku": "MUG", "counted_qty": bad},
                             floor.u.pat)
    assert err.value.field == "counted_qty"
    if bad not in (None, ""):
        with pytest.raises(DomainError):
            counting.add(count, {"location": "A-1", "code": "MUG", "qty": bad}, floor.u.pat)
    assert scans(db) == 0 and lines_of(db, count) == {}


def test_a_scan_cannot_push_a_line_past_a_billion(db, floor, open_count):
    count = open_count("A-1")
    counting.set_counted(count, {"location": "A-1", "sku": "MUG", "counted_qty": 10**9},
                         floor.u.pat)
    with pytest.raises(DomainError, match="more than 1,000,000,000"):
        counting.add(count, {"location": "A-1", "code": "MUG"}, floor.u.pat)


def test_closing_a_bin_takes_the_books_then_and_counts_what_was_not_found_as_zero(
        db, floor, open_count, tally):
    floor.put(floor.p.mug, floor.bins.a1, 10)
    floor.put(floor.p.tee, floor.bins.a1, 3)
    count = open_count("A-1")
    tally(count, "A-1", {"MUG": 9})
    assert lines_of(db, count) == {("A-1", "MUG", ""): (9, 10, "counted"),
                                   ("A-1", "TEE", ""): (0, 3, "counted")}
    auto = db.session.scalars(select(CountLine).where(CountLine.counted == 0)).one()
    assert auto.counted_by_id is None  # added by the snapshot: staff never see it


def test_a_product_the_books_do_not_expect_is_counted(db, floor, open_count, tally):
    count = open_count("A-2")
    tally(count, "A-2", {"TEE": 2})
    assert lines_of(db, count) == {("A-2", "TEE", ""): (2, 0, "counted")}


def test_an_untouched_bin_closes_only_when_confirmed_empty(db, floor, open_count):
    floor.put(floor.p.mug, floor.bins.a3, 2)
    count = open_count("A-3")
    with pytest.raises(DomainError) as err:
        counting.close_bin(count, {"location": "A-3"}, floor.u.pat)
    assert err.value.code == "nothing_counted"
    counting.close_bin(count, {"location": "A-3", "empty": True}, floor.u.pat)
    db.session.commit()
    assert lines_of(db, count) == {("A-3", "MUG", ""): (0, 2, "counted")}


def test_a_bin_with_counted_units_is_not_empty(db, floor, open_count):
    count = open_count("A-1")
    counting.add(count, {"location": "A-1", "code": "MUG"}, floor.u.pat)
    with pytest.raises(Conflict) as err:
        counting.close_bin(count, {"location": "A-1", "empty": True}, floor.u.pat)
    assert err.value.code == "bin_not_empty"


def test_a_closed_bin_takes_no_more_scans_until_reopened(db, floor, open_count, tally):
    floor.put(floor.p.mug, floor.bins.a1, 4)
    count = open_count("A-1")
    tally(count, "A-1", {"TEE": 1})
    with pytest.raises(Conflict) as err:
        counting.add(count, {"location": "A-1", "code": "MUG"}, floor.u.pat)
    assert err.value.code == "bin_closed"
    counting.reopen_bin(count, "A-1", floor.u.pat)
    db.session.commit()
    # the snapshot's zero line for MUG is gone again, the books are forgotten
    assert lines_of(db, count) == {("A-1", "TEE", ""): (1, None, "counted")}
    tally(count, "A-1", {"MUG": 4})
    assert lines_of(db, count) == {("A-1", "TEE", ""): (1, 0, "counted"),
                                   ("A-1", "MUG", ""): (4, 4, "counted")}


def test_a_lot_tracked_product_counts_per_lot_and_a_gs1_scan_gives_the_lot(
        db, floor, open_count, tally):
    from warehouse_app.catalog import products
    products.update(floor.p.honey, {"barcodes": ["4006381333931"]})
    floor.put(floor.p.honey, floor.bins.b1, 5, lot="L1")
    count = open_count("B-1")
    with pytest.raises(DomainError) as err:
        counting.add(count, {"location": "B-1", "code": "HONEY"}, floor.u.pat)
    assert err.value.code == "lot_required"
    tally(count, "B-1", {"(01)04006381333931(10)L2": 2}, close=False)
    counting.add(count, {"location": "B-1", "code": "HONEY", "lot": "L1", "qty": 5},
                 floor.u.pat)
    counting.close_bin(count, {"location": "B-1"}, floor.u.pat)
    db.session.commit()
    assert lines_of(db, count) == {("B-1", "HONEY", "L2"): (2, 0, "counted"),
                                   ("B-1", "HONEY", "L1"): (5, 5, "counted")}


def test_a_pick_during_the_count_does_not_produce_a_false_variance(db, floor, open_count,
                                                                  tally):
    floor.put(floor.p.mug, floor.bins.a1, 10)
    floor.put(floor.p.tee, floor.bins.a2, 5)
    count = open_count("A-1", "A-2")
    tally(count, "A-1", {"MUG": 10})
    # while the count goes on: a pick from a bin already counted, and one from a bin not yet
    record(Line(MovementKind.PICK, floor.p.mug, 3, from_location=floor.bins.a1))
    record(Line(MovementKind.PICK, floor.p.tee, 2, from_location=floor.bins.a2))
    db.session.commit()
    tally(count, "A-2", {"TEE": 3})
    outcome = submit(db, count, floor.u.pat)
    assert (outcome.matched, outcome.posted, outcome.waiting) == (2, 0, 0)
    assert count.status.value == "done"
    assert db.session.scalar(select(func.count(Movement.id))
                             .where(Movement.kind == MovementKind.COUNT)) == 0
    assert on_hand(db, floor.p.mug, floor.bins.a1) == 7
    assert on_hand(db, floor.p.tee, floor.bins.a2) == 3
    books_agree(db)


def test_a_pick_while_the_bin_is_being_counted_sends_it_to_a_supervisor(db, floor, open_count,
                                                                       tally):
    floor.put(floor.p.mug, floor.bins.a1, 10)
    count = open_count("A-1")
    counting.add(count, {"location": "A-1", "code": "MUG", "qty": 10}, floor.u.pat)
    db.session.commit()
    record(Line(MovementKind.PICK, floor.p.mug, 1, from_location=floor.bins.a1))
    db.session.commit()
    counting.close_bin(count, {"location": "A-1"}, floor.u.pat)
    db.session.commit()
    outcome = submit(db, count, floor.u.pat)
    assert outcome.waiting == 1 and outcome.posted == 0
    line = db.session.scalars(select(CountLine)).one()
    assert "moved in this bin while it was being counted" in line.reason


def test_a_recount_must_be_by_someone_else(db, floor, open_count, tally):
    from warehouse_app.counting import approval
    floor.put(floor.p.mug, floor.bins.a1, 10)
    count = open_count("A-1")
    tally(count, "A-1", {"MUG": 6})
    submit(db, count, floor.u.pat)
    approval.recount(count, floor.u.boss, "Too far off")
    db.session.commit()
    with pytest.raises(Conflict) as err:
        counting.add(count, {"location": "A-1", "code": "MUG"}, floor.u.pat)
    assert err.value.code == "recount_by_other"
    tally(count, "A-1", {"MUG": 10}, user=floor.u.sam)
    outcome = submit(db, count, floor.u.sam)
    assert (outcome.matched, outcome.waiting, count.status.value) == (1, 0, "done")
    assert lines_of(db, count) == {("A-1", "MUG", ""): (10, 10, "matched")}
