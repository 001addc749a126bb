"""Submit and the supervisor's decisions: approve, reject, recount, cancel; reserved stock;
count requests; the audit trail; every wrong order of steps is a clear 409 posting nothing."""
import pytest
from sqlalchemy import func, select

from tests.counting.conftest import books_agree, lines_of, on_hand, submit
from tests.orders.conftest import assert_books_agree
from warehouse_app.audit.models import AuditEntry
from warehouse_app.counting import approval, counting, tolerance
from warehouse_app.counting.models import (
    CountDecision,
    CountLine,
    CountStatus,
    DecisionKind,
)
from warehouse_app.errors import Conflict, DomainError, Forbidden
from warehouse_app.ledger.models import CountRequest, Movement, MovementKind
from warehouse_app.orders import reserving
from warehouse_app.orders.models import Order, OrderStatus


def movements(db) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count(Movement.id)))


@pytest.fixture
def pending(db, floor, open_count, tally):
    """A count of A-1 (books 10 MUG, 9 found: beyond tolerance) submitted by pat."""
    floor.put(floor.p.mug, floor.bins.a1, 10)
    count = open_count("A-1")
    tally(count, "A-1", {"MUG": 9})
    submit(db, count, floor.u.pat)
    assert count.status is CountStatus.PENDING
    return count


def test_approving_posts_the_waiting_difference_with_the_counts_reference(db, floor, pending):
    outcome = approval.approve(pending, floor.u.boss, "Checked the shelf")
    db.session.commit()
    assert (outcome.posted, pending.status) == (1, CountStatus.DONE)
    m = db.session.scalars(select(Movement).where(Movement.kind == MovementKind.COUNT)).one()
    assert (m.qty, m.from_location.code, m.to_location.code, m.reference, m.user_id) == (
        1, "A-1", "COUNT", pending.reference, floor.u.boss.id)
    assert lines_of(db, pending) == {("A-1", "MUG", ""): (9, 10, "approved")}
    assert on_hand(db, floor.p.mug, floor.bins.a1) == 9
    books_agree(db)


def test_every_decision_is_in_the_audit_trail_with_who_and_why(db, floor, pending):
    approval.approve(pending, floor.u.boss, "Checked the shelf")
    db.session.commit()
    decisions = db.session.scalars(select(CountDecision).order_by(CountDecision.id)).all()
    assert [(d.kind.value, d.user_id, d.note) for d in decisions] == [
        ("submit", floor.u.pat.id, ""), ("approve", floor.u.boss.id, "Checked the shelf")]
    assert "1 adjusted (+0 / −1 units" in decisions[1].detail
    trail = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "count_decision")).all()
    assert [e.after["kind"] for e in trail] == ["submit", "approve"]
    assert trail[1].after["note"] == "Checked the shelf" and trail[1].at is not None
    status_changes = [e.after["status"] for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "cycle_count", AuditEntry.action == "update"))
        if "status" in (e.after or {})]
    assert status_changes == ["pending", "done"]


def test_approving_twice_is_a_409_and_posts_nothing_more(db, floor, pending):
    approval.approve(pending, floor.u.boss)
    db.session.commit()
    before = movements(db)
    with pytest.raises(Conflict) as err:
        approval.approve(pending, floor.u.boss)
    assert err.value.code == "count_done" and "adjustments are posted" in err.value.message
    db.session.rollback()
    assert movements(db) == before


def test_a_rejected_count_cannot_be_approved(db, floor, pending):
    approval.reject(pending, floor.u.boss, "Goods were on the dock")
    db.session.commit()
    with pytest.raises(Conflict) as err:
        approval.approve(pending, floor.u.boss)
    assert err.value.code == "count_rejected"
    db.session.rollback()
    assert lines_of(db, pending) == {("A-1", "MUG", ""): (9, 10, "rejected")}
    assert on_hand(db, floor.p.mug, floor.bins.a1) == 10


def test_staff_cannot_decide(db, floor, pending):
    for decide in (approval.approve, approval.reject, approval.recount, approval.cancel):
        with pytest.raises(Forbidden):
            decide(pending, floor.u.pat, "because")
    db.session.rollback()
    assert pending.status is CountStatus.PENDING


@pytest.mark.parametrize("decide", [approval.reject, approval.recount])
def test_rejecting_or_sending_back_needs_a_reason(db, floor, pending, decide):
    with pytest.raises(DomainError) as err:
        decide(pending, floor.u.boss, "  ")
    assert err.value.field == "note"


def test_submitting_twice_is_a_409_but_a_replay_is_harmless(db, floor, open_count, tally):
    floor.put(floor.p.mug, floor.bins.a1, 100)
    count = open_count("A-1")
    tally(count, "A-1", {"MUG": 99})
    approval.submit(count, floor.u.pat, "submit-1")
    db.session.commit()
    before = movements(db)
    assert approval.submit(count, floor.u.pat, "submit-1").replayed
    with pytest.raises(Conflict) as err:
        approval.submit(count, floor.u.pat, "submit-2")
    assert err.value.code == "count_done"
    db.session.rollback()
    assert movements(db) == before


def test_submit_refuses_while_a_bin_is_uncounted(db, floor, open_count, tally):
    count = open_count("A-1", "A-2", "A-3")
    tally(count, "A-1", {"MUG": 1})
    with pytest.raises(Conflict) as err:
        approval.submit(count, floor.u.pat)
    assert err.value.code == "bins_not_counted"
    assert "A-2, A-3" in err.value.message


def test_a_bin_counted_but_not_closed_is_closed_at_submit(db, floor, open_count):
    floor.put(floor.p.mug, floor.bins.a1, 5)
    count = open_count("A-1")
    counting.set_counted(count, {"location": "A-1", "sku": "MUG", "counted_qty": 5},
                         floor.u.pat)
    submit(db, count, floor.u.pat)
    assert lines_of(db, count) == {("A-1", "MUG", ""): (5, 5, "matched")}


def test_a_recount_sends_only_the_waiting_bins_back(db, floor, open_count, tally):
    floor.put(floor.p.mug, floor.bins.a1, 10)
    floor.put(floor.p.tee, floor.bins.a2, 4)
    count = open_count("A-1", "A-2")
    tally(count, "A-1", {"MUG": 2})
    tally(count, "A-2", {"TEE": 4})
    submit(db, count, floor.u.pat)
    sent = approval.recount(count, floor.u.boss, "8 missing is a lot")
    db.session.commit()
    assert sent == ["A-1"] and count.status is CountStatus.OPEN
    with pytest.raises(DomainError):
        approval.recount(count, floor.u.boss, "again")  # it is open now, not pending
    db.session.rollback()
    tally(count, "A-1", {"MUG": 9}, user=floor.u.sam)
    submit(db, count, floor.u.sam)
    assert lines_of(db, count) == {("A-1", "MUG", ""): (9, 10, "waiting"),
                                   ("A-2", "TEE", ""): (4, 4, "matched")}


def test_a_count_request_closes_when_its_bin_is_settled_not_when_rejected(db, floor,
                                                                         open_count, tally):
    floor.put(floor.p.mug, floor.bins.a1, 10)
    floor.put(floor.p.tee, floor.bins.a2, 10)
    for where in (floor.bins.a1, floor.bins.a2):
        db.session.add(CountRequest(location_id=where.id, reason="Short pick"))
    db.session.commit()
    count = open_count("A-1", "A-2")
    tally(count, "A-1", {"MUG": 10})
    tally(count, "A-2", {"TEE": 3})
    submit(db, count, floor.u.pat)
    requests = {r.location.code: r.is_open for r in db.session.scalars(select(CountRequest))}
    assert requests == {"A-1": False, "A-2": True}
    approval.reject(count, floor.u.boss, "Recount next week")
    db.session.commit()
    assert db.session.scalars(select(CountRequest).where(
        CountRequest.location_id == floor.bins.a2.id)).one().is_open


def test_cancelling_an_open_count_frees_its_bins(db, floor, open_count, tally):
    count = open_count("A-1")
    tally(count, "A-1", {"MUG": 1})
    approval.cancel(count, floor.u.boss, "Wrong zone")
    db.session.commit()
    assert count.status is CountStatus.CANCELLED
    assert open_count("A-1").status is CountStatus.OPEN


def test_a_loss_of_reserved_units_waits_and_approval_backorders_the_newest_orders(
        db, floor, open_count, tally):
    tolerance.save({"max_units": "100", "max_pct": "100"}, product=floor.p.mug)
    floor.put(floor.p.mug, floor.bins.a1, 10)
    for ref, qty in (("SO-1", 6), ("SO-2", 3)):
        reserving.place({"reference": ref, "lines": [{"sku": "MUG", "qty": qty}]})
    db.session.commit()
    count = open_count("A-1")
    tally(count, "A-1", {"MUG": 5})
    outcome = submit(db, count, floor.u.pat)
    assert (outcome.posted, outcome.waiting) == (0, 1)  # within tolerance, but reserved
    assert lines_of(db, count) == {("A-1", "MUG", ""): (5, 10, "waiting")}
    assert "Orders SO-2, SO-1 have reserved" in db.session.scalars(select(CountLine)).one().reason
    outcome = approval.approve(count, floor.u.boss, "Shelf checked")
    db.session.commit()
    assert [r.describe() for r in outcome.released] == [
        "SO-2: 3 × MUG released (now backorder)", "SO-1: 1 × MUG released (now backorder)"]
    orders = {o.reference: (o.status, o.lines[0].reserved, o.lines[0].waiting)
              for o in db.session.scalars(select(Order))}
    assert orders == {"SO-1": (OrderStatus.BACKORDER, 5, 1), "SO-2": (OrderStatus.BACKORDER, 0, 3)}
    decision = db.session.scalars(select(CountDecision).where(
        CountDecision.kind == DecisionKind.APPROVE)).one()
    assert "SO-2: 3 × MUG released" in decision.detail
    assert on_hand(db, floor.p.mug, floor.bins.a1) == 5
    assert_books_agree(db)


def test_a_big_approval_posts_in_chunks_and_ends_as_one_decision(db, floor, open_count, tally,
                                                                  monkeypatch):
    """More waiting lines than one chunk: each chunk commits (scans of the same bins wait for
    a chunk, not the whole count), and the count still ends approved once, with every line."""
    monkeypatch.setattr(approval, "APPROVE_CHUNK", 2)
    places = [floor.bins.a1, floor.bins.a2, floor.bins.a3, floor.bins.b1]
    for place in places:
        floor.put(floor.p.mug, place, 10)
        floor.put(floor.p.tee, place, 10)
    count = open_count(*(p.code for p in places))
    for place in places:
        tally(count, place.code, {"MUG": 5, "TEE": 14})
    submit(db, count, floor.u.pat)
    assert count.status is CountStatus.PENDING
    outcome = approval.approve(count, floor.u.boss, "All checked")
    db.session.commit()
    assert (outcome.posted, count.status) == (8, CountStatus.DONE)
    assert {v[2] for v in lines_of(db, count).values()} == {"approved"}
    assert [on_hand(db, floor.p.mug, p) for p in places] == [5] * 4
    assert [on_hand(db, floor.p.tee, p) for p in places] == [14] * 4
    kinds = db.session.scalars(select(CountDecision.kind).where(
        CountDecision.count_id == count.id)).all()
    assert kinds == [DecisionKind.SUBMIT, DecisionKind.APPROVE]
    books_agree(db)


def test_a_chunked_approval_stops_when_another_supervisor_decided_meanwhile(
        db, floor, open_count, tally, monkeypatch):
    """Between two chunks another supervisor rejected the rest: the chunk posted stays, the
    rest is not posted, and the answer is the usual 409."""
    monkeypatch.setattr(approval, "APPROVE_CHUNK", 1)
    places = [floor.bins.a1, floor.bins.a2, floor.bins.a3]
    for place in places:
        floor.put(floor.p.mug, place, 10)
    count = open_count(*(p.code for p in places))
    for place in places:
        tally(count, place.code, {"MUG": 5})
    submit(db, count, floor.u.pat)
    posted = []

    def meanwhile():
        posted.append(1)
        if len(posted) == 1:  # after the first chunk's commit, before the second's lock
            db.session.execute(CountLine.__table__.update().where(
                CountLine.count_id == count.id, CountLine.status == "waiting")
                .values(status="rejected"))
            db.session.execute(type(count).__table__.update().where(
                type(count).id == count.id).values(status="rejected"))
            db.session.commit()
    monkeypatch.setattr(approval, "let_others_write", meanwhile)
    with pytest.raises(Conflict):
        approval.approve(count, floor.u.boss)
    db.session.rollback()
    statuses = sorted(v[2] for v in lines_of(db, count).values())
    assert statuses == ["approved", "rejected", "rejected"]
    books_agree(db)


def test_a_big_submit_posts_in_chunks_and_ends_as_one_submit(db, floor, open_count, tally,
                                                             monkeypatch):
    """More lines within tolerance than one chunk: each chunk commits (scans of the same bins
    wait for a chunk, not the whole count); the count ends submitted once, with every line
    settled and the outcome of all the chunks."""
    monkeypatch.setattr(approval, "APPROVE_CHUNK", 2)
    tolerance.save({"max_units": "100", "max_pct": "100"}, product=floor.p.tee)
    places = [floor.bins.a1, floor.bins.a2, floor.bins.a3, floor.bins.b1]
    for place in places:
        floor.put(floor.p.mug, place, 10)
        floor.put(floor.p.tee, place, 10)
    count = open_count(*(p.code for p in places))
    for place in places:  # mugs match (a1's: 10 -> 3, beyond tolerance), tees post
        tally(count, place.code, {"MUG": 3 if place is floor.bins.a1 else 10, "TEE": 14})
    commits = []
    monkeypatch.setattr(approval, "let_others_write", lambda: commits.append(1))
    outcome = submit(db, count, floor.u.pat)
    assert (outcome.matched, outcome.posted, outcome.waiting) == (3, 4, 1)
    assert len(commits) == 1 and count.status is CountStatus.PENDING
    assert [on_hand(db, floor.p.tee, p) for p in places] == [14] * 4
    assert on_hand(db, floor.p.mug, floor.bins.a1) == 10
    statuses = sorted(v[2] for v in lines_of(db, count).values())
    assert statuses == ["matched"] * 3 + ["posted"] * 4 + ["waiting"]
    kinds = db.session.scalars(select(CountDecision.kind).where(
        CountDecision.count_id == count.id)).all()
    assert kinds == [DecisionKind.SUBMIT]
    books_agree(db)


def test_a_submit_cut_short_between_chunks_goes_on_when_submitted_again(
        db, floor, open_count, tally, monkeypatch):
    """The worker's phone lost the answer after the first chunk (the process stopped): the
    posted lines stay posted, the count stays open, and submitting again posts the rest once."""
    monkeypatch.setattr(approval, "APPROVE_CHUNK", 1)
    tolerance.save({"max_units": "100", "max_pct": "100"}, product=floor.p.tee)
    places = [floor.bins.a1, floor.bins.a2, floor.bins.a3]
    for place in places:
        floor.put(floor.p.tee, place, 10)
    count = open_count(*(p.code for p in places))
    for place in places:
        tally(count, place.code, {"TEE": 12})

    def stop():
        raise SystemExit("the worker process stopped")
    monkeypatch.setattr(approval, "let_others_write", stop)
    with pytest.raises(SystemExit):
        approval.submit(count, floor.u.pat, "op-1")
    db.session.rollback()
    assert sorted(v[2] for v in lines_of(db, count).values()) == ["counted", "counted", "posted"]
    db.session.refresh(count)
    assert count.status is CountStatus.OPEN
    monkeypatch.setattr(approval, "let_others_write", lambda: None)
    outcome = approval.submit(count, floor.u.pat, "op-1")
    db.session.commit()
    assert (outcome.posted, count.status) == (2, CountStatus.DONE)
    assert [on_hand(db, floor.p.tee, p) for p in places] == [12] * 3
    assert approval.submit(count, floor.u.pat, "op-1").replayed
    books_agree(db)
