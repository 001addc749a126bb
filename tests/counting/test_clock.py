"""The ABC cycle at fixed moments: a product counted on a day is due again on the day its
class's days have passed, from the first second of that day (UTC) and not before."""
from datetime import UTC, datetime, time, timedelta

from tests.counting.conftest import submit
from tests.support.clock import moments
from warehouse_app.counting import planning
from warehouse_app.ledger.models import MovementKind
from warehouse_app.ledger.movements import Line, record


@moments()
def test_a_class_a_product_is_due_thirty_days_after_its_count(db, floor, open_count, tally,
                                                              time_machine, moment):
    time_machine.move_to(moment, tick=False)
    floor.put(floor.p.mug, floor.bins.a1, 50, cost="10.00")
    floor.put(floor.p.tee, floor.bins.a2, 50, cost="1.00")
    sold = moment - timedelta(days=2)  # ABC reads whole days before today
    record(Line(MovementKind.PICK, floor.p.mug, 30, from_location=floor.bins.a1, at=sold))
    record(Line(MovementKind.PICK, floor.p.tee, 30, from_location=floor.bins.a2, at=sold))
    db.session.commit()
    assert "A-1" in {p.location.code for p in planning.propose()}
    count = open_count("A-1")
    tally(count, "A-1", {"MUG": 20})
    submit(db, count, floor.u.pat)
    assert "A-1" not in {p.location.code for p in planning.propose()}
    due_day = moment.date() + timedelta(days=30)
    midnight = datetime.combine(due_day, time(), UTC)
    time_machine.move_to(midnight - timedelta(seconds=1), tick=False)
    assert "A-1" not in {p.location.code for p in planning.propose()}
    time_machine.move_to(midnight, tick=False)
    assert "A-1" in {p.location.code for p in planning.propose()}
