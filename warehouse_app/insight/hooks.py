"""Where insight listens to the ledger: the movement_posted signal and the session's commit.

post() sends movement_posted for each new movement. We only note the product here, as we note
each product whose reorder point may have changed (its lead time, reorder point or safety stock,
an override, a purchase order line: what the reorder page works the point and the position out
from); just before the transaction commits, those products are evaluated once (a seed of
thousands of movements in one transaction evaluates each product once), the writes inside a
savepoint so that a problem with an alert can never cost a movement. On PostgreSQL the same
transaction sends NOTIFY, which the database delivers on commit to every live view (live.py),
whichever worker or machine serves it. New alerts reach webhooks through the integrations
capability, which turns each new Alert row into an `alert.raised` event in the same transaction.
"""
import logging

from flask import current_app
from sqlalchemy import event, inspect, text
from sqlalchemy.orm import Session, object_session

from warehouse_app.catalog.models import Product
from warehouse_app.database import engine_of
from warehouse_app.extensions import db
from warehouse_app.insight import alerts, reorder
from warehouse_app.insight import ledgerq as q
from warehouse_app.insight.models import ReorderOverride
from warehouse_app.ledger.movements import movement_coming, movement_posted
from warehouse_app.locations.models import LocationKind

CHANNEL = "insight_stock"
MOVED, COUNTED, SOLD = "insight_moved", "insight_counted", "insight_sold"
TOUCHED = "insight_touched"
# What a product's reorder point and low-stock decision rest on, besides its stock.
POLICY_FIELDS = ("reorder_point", "safety_stock", "lead_time_days", "active", "tracking")
log = logging.getLogger(__name__)


@movement_coming.connect
def warm_points(product, **_extra) -> None:
    """The product's demand (what its reorder point rests on), read now when not yet known
    today, not inside the write: it is read with a batch of others, which can take tens of
    milliseconds."""
    reorder.known_demand(reorder.policy(), [product.id])


@movement_posted.connect
def note_movement(movement, **_extra) -> None:
    """Remember what a transaction moved, to evaluate it when it commits.

    A move between two physical places (a transfer, also between warehouses) leaves a product's
    total and available stock and each lot's total as they were: no alert can change with it.
    """
    session = object_session(movement)
    if session is None:
        return
    session.info[TOUCHED] = True
    if movement.created_at is not None and movement.created_at < q.start_of(q.today()):
        reorder.forget_demand(movement.product_id)  # a past day's demand changed
    source, target = movement.from_location, movement.to_location
    if source.is_physical and target.is_physical:
        return
    session.info.setdefault(MOVED, set()).add(movement.product_id)
    if target.kind is LocationKind.CUSTOMER:
        session.info.setdefault(SOLD, set()).add(movement.product_id)
    if target.kind is LocationKind.COUNT and source.is_physical:
        session.info.setdefault(COUNTED, []).append(movement)


def _policy_products(session: Session) -> set[int]:
    """Products whose reorder point or position these pending changes may change."""
    from warehouse_app.orders.models import PurchaseOrder, PurchaseOrderLine
    found = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, Product):  # a new one has never had stock: nothing to judge
            state = inspect(obj)
            if obj not in session.new and any(state.attrs[name].history.has_changes()
                                              for name in POLICY_FIELDS):
                found.add(obj.id)
        elif isinstance(obj, ReorderOverride | PurchaseOrderLine):
            found.add(obj.product_id)
        elif isinstance(obj, PurchaseOrder) and inspect(obj).attrs.status.history.has_changes():
            found.update(line.product_id for line in obj.lines)
    found.discard(None)
    return found


@event.listens_for(Session, "after_flush")
def note_policy(session: Session, _context) -> None:
    """Remember products whose reorder point or order position a flush changed."""
    if changed := _policy_products(session):
        session.info.setdefault(MOVED, set()).update(changed)
        session.info[TOUCHED] = True


@event.listens_for(Session, "before_commit")
def evaluate_before_commit(session: Session) -> None:
    """Raise and clear the alerts of what this transaction moved; wake the live views.

    The reading is done first and usually finds nothing to change; only writes get a savepoint
    of their own. The reads (two statements) take none: they clash with nobody, and a read that
    fails is a bug that should cost the request, as it would anywhere else.
    """
    if session.in_nested_transaction():  # a savepoint: not yet
        return
    if session is db.session() and (session.new or session.dirty or session.deleted):
        session.flush()  # note_policy sees the last changes too
    moved, counted = session.info.pop(MOVED, None), session.info.pop(COUNTED, [])
    sold, touched = session.info.pop(SOLD, set()), session.info.pop(TOUCHED, False)
    if not touched or session is not db.session():
        return
    postgres = engine_of(session).dialect.name == "postgresql"
    if moved or counted:
        try:
            plan = alerts.plan_moved(moved, sold) if moved else None
            if (plan and plan.changes) or counted:
                with session.begin_nested():
                    if plan:
                        alerts.apply_moved(plan)
                    alerts.count_losses(counted)
        except Exception:  # a clash with a concurrent transaction, or a bug: keep the movement
            if current_app.testing:  # ...but let tests see it
                raise
            log.exception("Alerts were not evaluated for products %s", sorted(moved or ()))
    if postgres:
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


@event.listens_for(Session, "after_rollback")
def forget_on_rollback(session: Session) -> None:
    """Nothing was moved after all."""
    for key in (MOVED, COUNTED, SOLD, TOUCHED):
        session.info.pop(key, None)
