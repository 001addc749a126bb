"""Supervisors and phones racing on one count: the row lock and the status check, not luck,
decide. Each thread has its own app context (session, connection) and starts at a barrier."""
from sqlalchemy import func, select

from tests.counting.conftest import books_agree, submit
from tests.orders.test_races import race
from warehouse_app.auth.models import User
from warehouse_app.counting import approval
from warehouse_app.counting.documents import by_id
from warehouse_app.errors import Conflict
from warehouse_app.extensions import db as _db
from warehouse_app.ledger.models import Movement, MovementKind


def count_movements(db) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count(Movement.id)).where(
        Movement.kind == MovementKind.COUNT))


def test_eight_supervisors_approve_at_once_and_it_posts_once(app, db, floor, open_count, tally):
    floor.put(floor.p.mug, floor.bins.a1, 10)
    count = open_count("A-1")
    tally(count, "A-1", {"MUG": 4})
    submit(db, count, floor.u.pat)
    count_id, boss_id = count.id, floor.u.boss.id

    def work(_i):
        return approval.approve(by_id(count_id), _db.session.get(User, boss_id), "race")
    results = race(app, db, 8, work)
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(lost) == 7 and all(r.code == "count_done" for r in lost), results
    assert count_movements(db) == 1
    books_agree(db)


def test_six_phones_submit_at_once_and_it_posts_once(app, db, floor, open_count, tally):
    floor.put(floor.p.mug, floor.bins.a1, 100)
    count = open_count("A-1")
    tally(count, "A-1", {"MUG": 99})
    count_id, pat_id = count.id, floor.u.pat.id

    def work(_i):
        return approval.submit(by_id(count_id), _db.session.get(User, pat_id))
    results = race(app, db, 6, work)
    assert sum(isinstance(r, Conflict) for r in results) == 5, results
    assert count_movements(db) == 1
    books_agree(db)
