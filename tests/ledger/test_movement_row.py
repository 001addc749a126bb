"""The ledger row a movement writes (one Core INSERT, the object then adopted by the session)
reads back exactly as it was posted."""
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select, text

from warehouse_app.ledger.models import Movement, MovementKind, Reason
from warehouse_app.ledger.movements import Line, record


def test_a_movement_reads_back_exactly_as_it_was_posted(db, make_product, make_location, stock):
    product, bin_ = make_product(), make_location()
    at = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    posted = record(Line(MovementKind.RECEIVE, product, 7, to_location=bin_, at=at,
                         unit_cost="2.37", reference="PO-1", note="Über ☃",
                         client_op_id="op-fast-1"))
    record(Line(MovementKind.ADJUST, product, 2, from_location=bin_, reason=Reason.DAMAGE))
    db.session.commit()
    posted_id = posted.id
    db.session.expunge_all()
    first, second = db.session.scalars(select(Movement).order_by(Movement.id)).all()
    assert first.id == posted_id
    assert (first.kind, first.qty, first.unit_cost, first.created_at, first.reference,
            first.note, first.client_op_id) == (MovementKind.RECEIVE, 7, Decimal("2.3700"), at,
                                                "PO-1", "Über ☃", "op-fast-1")
    assert (second.kind, second.reason, second.to_location.code) == (
        MovementKind.ADJUST, Reason.DAMAGE, "SCRAP")
    # What the driver stored is what SQLAlchemy itself would have stored.
    raw = db.session.execute(text("SELECT kind, reason FROM movement ORDER BY id")).all()
    assert [tuple(row) for row in raw] == [("receive", None), ("adjust", "damage")]
