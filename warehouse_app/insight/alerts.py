"""Alerts: raised and cleared by the movements that cause them, acknowledged by a supervisor.

Conditions (low stock, out of stock, a lot expiring soon, dead stock) are re-evaluated for the
products a transaction moved, just before it commits (hooks.py), and for every product by
`flask insight sweep` (time passing expires lots without any movement). Each condition has one
open alert at most (its open_key is unique); it clears itself when the condition ends. Events
(a count that found fewer units) stay open until acknowledged.
"""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import (
    Select,
    String,
    bindparam,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import selectinload

from warehouse_app.auth import warehouses
from warehouse_app.catalog.models import Product
from warehouse_app.errors import Conflict, Forbidden
from warehouse_app.extensions import db
from warehouse_app.insight import ledgerq as q
from warehouse_app.insight import reorder
from warehouse_app.insight.models import CONDITIONS, Alert, AlertKind
from warehouse_app.ledger.models import Lot, Movement, StockLevel
from warehouse_app.locations.models import LocationKind
from warehouse_app.models import utcnow

DEFAULTS = {"INSIGHT_EXPIRY_DAYS": 30, "INSIGHT_DEAD_DAYS": 90}
ORDER = [AlertKind.OUT_OF_STOCK, AlertKind.COUNT_LOSS, AlertKind.EXPIRING, AlertKind.LOW_STOCK,
         AlertKind.DEAD_STOCK]


@dataclass
class Wish:
    """An alert that should be open now."""

    kind: AlertKind
    product_id: int
    message: str
    value: int | None = None
    threshold: int | None = None
    lot_id: int | None = None
    location_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.product_id}:{self.lot_id or ''}"


def setting(name: str) -> int:
    """A day count from the config, with its default."""
    return int(current_app.config.get(name, DEFAULTS[name]))


DEAD = AlertKind.DEAD_STOCK.value
# What a movement can change at once; dead stock is made by time passing (the sweep).
ON_MOVEMENT = (AlertKind.OUT_OF_STOCK, AlertKind.LOW_STOCK, AlertKind.EXPIRING)


def evaluate(product_ids=None) -> list[Alert]:
    """Open, update or clear the condition alerts of some products (all when None)."""
    ids = None if product_ids is None else sorted(product_ids)
    wishes = stock_wishes(ids) + expiry_wishes(ids) + dead_wishes(ids)
    return sync(ids, {wish.key: wish for wish in wishes})


def evaluate_moved(product_ids, sold=()) -> list[Alert]:
    """What a commit does for the products it moved: stock and expiry, and dead stock cleared
    for what went to a customer (time makes stock dead: the sweep raises it)."""
    return apply_moved(plan_moved(product_ids, sold))


@dataclass
class Plan:
    """What evaluating some moved products found: the wished alerts, and what is open now."""

    ids: list
    wishes: dict
    stale_dead: list
    changes: bool


_ALERT = Alert.__table__


def _open_of(kinds) -> Select:
    """The open alerts of these kinds of some products (the kinds written into the statement:
    building it costs more than running it)."""
    kind = cast(_ALERT.c.kind, String)
    return (select(_ALERT.c.product_id, _ALERT.c.open_key, kind.label("kind"),
                   _ALERT.c.message, _ALERT.c.value, _ALERT.c.threshold)
            .where(_ALERT.c.cleared_at.is_(None),
                   _ALERT.c.product_id.in_(bindparam("ids", expanding=True)),
                   or_(*(kind == literal_column(f"'{k.value}'") for k in kinds))))


_OPEN_OF = {sold: _open_of(ON_MOVEMENT + ((AlertKind.DEAD_STOCK,) if sold else ()))
            for sold in (True, False)}


def plan_moved(product_ids, sold=()) -> Plan:
    """Read (never write) what the products' alerts should be now.

    The reorder point is the one in force now, worked out as the reorder page works it out
    (reorder.current_points), and stock and what is on order are read now: an alert opens and
    clears with the change that causes it, in every worker. Most commits change no alert; they
    stop here without writing anything.
    """
    ids = sorted(product_ids)
    open_now = {row.open_key: row for row in db.session.connection().execute(
        _OPEN_OF[bool(sold)], {"ids": ids})}
    found = reorder.current_points(ids)
    wishes = [wish for point in found if (wish := stock_wish(point))]
    tracked = [point.product_id for point in found if point.extra["tracked"]]
    if tracked:
        wishes += expiry_wishes(tracked)
    wished = {wish.key: wish for wish in wishes}
    sold_ids = {str(pid) for pid in sold}
    stale_dead = [key for key, row in open_now.items()
                  if row.kind == DEAD and key.split(":")[1] in sold_ids]
    current = {key: (row.message, row.value, row.threshold) for key, row in open_now.items()
               if row.kind != DEAD}
    changes = bool(stale_dead) or current != {
        key: (wish.message[:300], wish.value, wish.threshold) for key, wish in wished.items()}
    return Plan(ids, wished, stale_dead, changes)


def apply_moved(plan: Plan) -> list[Alert]:
    """Write what plan_moved found to differ (nothing when nothing does)."""
    if not plan.changes:
        return []
    if plan.stale_dead:
        now = utcnow()
        for alert in db.session.scalars(select(Alert).where(Alert.open_key.in_(plan.stale_dead))):
            alert.cleared_at, alert.open_key = now, None
    return sync(plan.ids, dict(plan.wishes), ON_MOVEMENT)


def stock_wish(point: reorder.Point) -> Wish | None:
    """Out of stock (nothing available), or low stock: what the reorder page lists, the
    position (available + on order) at or below the reorder point in force. A product that
    never had stock (a new one) has neither: nothing has run out."""
    pid, sku, available = point.product_id, point.sku, point.available
    if not point.extra["stocked"]:
        return None
    if available <= 0:
        return Wish(AlertKind.OUT_OF_STOCK, pid, f"{sku} is out of stock ({available} available).",
                    available, point.reorder_point)
    if point.needs_reorder:
        coming = f" + {point.on_order} on order" if point.on_order else ""
        return Wish(AlertKind.LOW_STOCK, pid, f"{sku}: {available} available{coming}, at or "
                    f"below its reorder point of {point.reorder_point}.", available,
                    point.reorder_point)
    return None


def stock_wishes(ids) -> list[Wish]:
    """Out-of-stock and low-stock alerts that should be open for these products."""
    found = (stock_wish(point) for point in reorder.points(reorder.policy(), ids))
    return [wish for wish in found if wish is not None]


def expiry_wishes(ids) -> list[Wish]:
    """Lots in stock that expire within the configured number of days (or have expired)."""
    days = setting("INSIGHT_EXPIRY_DAYS")
    today = q.today()
    query = (select(Lot, func.sum(StockLevel.on_hand))
             .join(StockLevel, StockLevel.lot_id == Lot.id)
             .where(Lot.expiry.is_not(None), Lot.expiry <= today + timedelta(days=days))
             .group_by(Lot.id).having(func.sum(StockLevel.on_hand) > 0)
             .options(selectinload(Lot.product)))
    if ids is not None:
        query = query.where(Lot.product_id.in_(ids))
    wishes = []
    for lot, units in db.session.execute(query):
        left = (lot.expiry - today).days
        when = f"expired {-left} days ago" if left < 0 else f"expires in {left} days"
        wishes.append(Wish(AlertKind.EXPIRING, lot.product_id,
                           f"{lot.product.sku} lot {lot.code} {when} ({lot.expiry}): "
                           f"{int(units)} units in stock.", left, days, lot_id=lot.id))
    return wishes


def dead_wishes(ids) -> list[Wish]:
    """Products on hand that have not gone to a customer for N days (and are older than that)."""
    days = setting("INSIGHT_DEAD_DAYS")
    cutoff = q.start_of(q.today()) - timedelta(days=days)
    virtual = q.virtual_ids()
    customers = q.ids_of(virtual, LocationKind.CUSTOMER)
    M = q.M
    last_out = func.max(M.c.created_at).filter(M.c.to_location_id.in_(customers))
    first = func.min(M.c.created_at)
    query = (select(M.c.product_id, first, last_out).group_by(M.c.product_id)
             .having(first < cutoff))
    if ids is not None:
        query = query.where(M.c.product_id.in_(ids))
    held = reorder.stock_sums(ids)
    wishes = []
    for pid, _first, last in db.session.execute(query):
        units = held.get(pid, (0, 0))[0]
        if units > 0 and (last is None or last < cutoff):
            since = f"since {last:%Y-%m-%d}" if last else "ever"
            wishes.append(Wish(AlertKind.DEAD_STOCK, pid,
                               f"{units} units on hand, none sent to a customer {since}.",
                               units, days))
    return wishes


def sync(ids, wishes: dict[str, Wish], kinds=CONDITIONS) -> list[Alert]:
    """Make the open alerts of these kinds and products exactly the wished ones."""
    query = select(Alert).where(Alert.kind.in_(kinds), Alert.cleared_at.is_(None))
    if ids is not None:
        query = query.where(Alert.product_id.in_(ids))
    now, raised = utcnow(), []
    for alert in db.session.scalars(query):
        wish = wishes.pop(alert.open_key, None)
        if wish is None:
            alert.cleared_at, alert.open_key = now, None
        else:
            alert.message, alert.value, alert.threshold = wish.message, wish.value, wish.threshold
    # The product objects too, not just ids: listeners of the flush read alert.product.
    needed = {wish.product_id for wish in wishes.values()}
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_(needed)))} if needed else {}
    for key, wish in wishes.items():
        alert = Alert(kind=wish.kind, product=products[wish.product_id],
                      product_id=wish.product_id, lot_id=wish.lot_id,
                      location_id=wish.location_id, open_key=key, message=wish.message[:300],
                      value=wish.value, threshold=wish.threshold, raised_at=now)
        db.session.add(alert)
        raised.append(alert)
    db.session.flush()
    return raised


def count_losses(movements: list[Movement]) -> list[Alert]:
    """An alert for each count that found fewer units than the ledger held."""
    raised = []
    for m in movements:
        alert = Alert(kind=AlertKind.COUNT_LOSS, product=m.product, product_id=m.product_id,
                      lot_id=m.lot_id,
                      location_id=m.from_location_id, open_key=f"count_loss:m{m.id}",
                      message=f"Count in {m.from_location.code} found {m.qty} fewer "
                              f"{m.product.sku} than expected.", value=m.qty)
        db.session.add(alert)
        raised.append(alert)
    db.session.flush()
    return raised


def count_discrepancy(product, location, expected: int, counted: int,
                      reference: str = "") -> Alert | None:
    """Hook for counts (issue 5): flag a count line that found fewer units, before approval."""
    if counted >= expected:
        return None
    key = f"count_loss:{reference or 'count'}:{product.id}:{location.id}"[:80]
    alert = db.session.scalar(select(Alert).where(Alert.open_key == key))
    if alert is None:
        alert = Alert(kind=AlertKind.COUNT_LOSS, product=product, product_id=product.id,
                      open_key=key,
                      location_id=location.id, message="")
        db.session.add(alert)
    alert.value, alert.threshold = expected - counted, expected
    alert.message = (f"Count {reference} of {product.sku} in {location.code}: {counted} found, "
                     f"{expected} expected.")[:300]
    db.session.flush()
    return alert


def of_caller(user=None):
    """A WHERE clause keeping the alerts of the caller's (or this user's: a mail's recipient)
    warehouses: those of a bin in one of them. An alert of no bin (stock, an expiring lot or
    dead stock of every warehouse taken together) is of every warehouse: only callers of every
    warehouse see it, as only they see the reports that span every warehouse."""
    return warehouses.location_clause(Alert.location_id, user)


def check(alert: Alert, user=None) -> None:
    """Refuse (403 other_warehouse) an alert that is not of the user's (the caller's)
    warehouses."""
    if alert.location is not None:
        warehouses.check(alert.location, user, "alert")
    elif not warehouses.allows(None, user):
        raise Forbidden("This alert is about every warehouse together; you are kept to some.",
                        field="alert", code="other_warehouse")


def open_alerts(include_acknowledged: bool = True, kind: AlertKind | None = None) -> list[Alert]:
    """Open alerts of the caller's warehouses, the most urgent kind first, newest first within
    a kind."""
    query = (select(Alert).where(Alert.cleared_at.is_(None), of_caller())
             .options(selectinload(Alert.product), selectinload(Alert.lot),
                      selectinload(Alert.location), selectinload(Alert.acknowledged_by)))
    if not include_acknowledged:
        query = query.where(Alert.acknowledged_at.is_(None))
    if kind is not None:
        query = query.where(Alert.kind == kind)
    found = db.session.scalars(query).all()
    return sorted(found, key=lambda a: (a.acknowledged_at is not None, ORDER.index(a.kind),
                                        -a.raised_at.timestamp(), a.id))


def open_counts() -> dict[AlertKind, int]:
    """How many alerts of each kind are open (of the caller's warehouses), in order of
    urgency."""
    counts = dict(db.session.execute(select(Alert.kind, func.count(Alert.id))
                                     .where(Alert.cleared_at.is_(None), of_caller())
                                     .group_by(Alert.kind))
                  .all())
    return {kind: counts[kind] for kind in ORDER if counts.get(kind)}


def unseen_count() -> int:
    """Open alerts of the caller's warehouses nobody has acknowledged yet (the home screen's
    badge)."""
    return db.session.scalar(select(func.count(Alert.id)).where(
        Alert.cleared_at.is_(None), Alert.acknowledged_at.is_(None), of_caller()))


def acknowledge(alert: Alert, user) -> Alert:
    """A supervisor has seen it; an event alert closes, a condition stays open until it ends.
    Only an alert of the user's warehouses (403 other_warehouse)."""
    check(alert, user)
    if alert.cleared_at is not None:
        raise Conflict("This alert has already cleared.", field="alert", code="alert_cleared")
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by_id = utcnow(), getattr(user, "id", None)
    if alert.kind not in CONDITIONS:
        alert.cleared_at, alert.open_key = alert.acknowledged_at, None
    db.session.flush()
    return alert


def acknowledge_all(kind: AlertKind | None, user) -> int:
    """Acknowledge every open alert not yet seen (of one kind); answers how many."""
    found = open_alerts(include_acknowledged=False, kind=kind)
    for alert in found:
        acknowledge(alert, user)
    return len(found)
