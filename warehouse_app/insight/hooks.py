"""Where insight listens to the ledger: the movement_posted signal and the session's commit.

post() sends movement_posted for each new movement. We only note the product here; just before
the transaction commits, the products it moved are evaluated once (a seed of thousands of
movements in one transaction evaluates each product once), inside a savepoint so that a problem
with an alert can never cost a movement. On PostgreSQL the same transaction sends NOTIFY, which
the database delivers on commit to every live view (live.py), whichever worker or machine
serves it. New alerts reach webhooks through the integrations capability, which turns each
new Alert row into an `alert.raised` event in the same transaction.
"""
import logging

from flask import current_app
from sqlalchemy import event, text
from sqlalchemy.orm import Session, object_session

from warehouse_app.extensions import db
from warehouse_app.insight import alerts
from warehouse_app.ledger.movements import movement_posted
from warehouse_app.locations.models import LocationKind

CHANNEL = "insight_stock"
MOVED, COUNTED, SOLD = "insight_moved", "insight_counted", "insight_sold"
log = logging.getLogger(__name__)


@movement_posted.connect
def note_movement(movement, **_extra) -> None:
    """Remember what a transaction moved, to evaluate it when it commits."""
    session = object_session(movement)
    if session is None:
        return
    session.info.setdefault(MOVED, set()).add(movement.product_id)
    if movement.to_location.kind is LocationKind.CUSTOMER:
        session.info.setdefault(SOLD, set()).add(movement.product_id)
    if movement.to_location.kind is LocationKind.COUNT and movement.from_location.is_physical:
        session.info.setdefault(COUNTED, []).append(movement)


@event.listens_for(Session, "before_commit")
def evaluate_before_commit(session: Session) -> None:
    """Raise and clear the alerts of what this transaction moved; wake the live views."""
    if session.in_nested_transaction():  # a savepoint (each post() has one): not yet
        return
    moved, counted = session.info.pop(MOVED, None), session.info.pop(COUNTED, [])
    sold = session.info.pop(SOLD, set())
    if not moved or session is not db.session():
        return
    try:
        with session.begin_nested():
            alerts.evaluate_moved(moved, sold)
            alerts.count_losses(counted)
    except Exception:  # a clash with a concurrent transaction, or a bug: keep the movement
        if current_app.testing:  # ...but let tests see it
            raise
        log.exception("Alerts were not evaluated for products %s", sorted(moved))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


@event.listens_for(Session, "after_rollback")
def forget_on_rollback(session: Session) -> None:
    """Nothing was moved after all."""
    for key in (MOVED, COUNTED):
        session.info.pop(key, None)
