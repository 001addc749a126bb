"""Stock and moving average cost as they were at a moment, recomputed from the ledger.

Quantities: what the ledger moved before the moment, added up -- or, when the moment is nearer
today than the ledger's start, today's balances minus what moved since (balances always equal
the ledger: `flask ledger verify`). Either way only one side of the moment is read, through the
index on created_at.

Cost: the write path folds each receipt into the product's moving average,
avg' = (avg x stock before + cost x qty) / (stock before + qty), rounded to 4 places; every other
movement records the average of its moment as its unit_cost. So the average at the moment is the
unit_cost of the product's last non-receipt movement before it (one index probe per product),
folded with the receipts that came after that one and before the moment -- usually none or one --
by a short recursive CTE. Reversals carry the cost of what they undo and leave it alone.
"""
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Numeric,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.selectable import CTE, Subquery

from warehouse_app.extensions import db
from warehouse_app.insight import ledgerq as q
from warehouse_app.ledger.models import MovementKind, StockLevel, WarehouseStock
from warehouse_app.locations.models import Location

M = q.M
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE = literal_column("1.0")  # numeric on PostgreSQL, and no integer division on SQLite
FOLDED = (MovementKind.RECEIVE, MovementKind.REVERSAL)  # receipts, and what may sit among them


def quantities(cut: datetime, by: str = "warehouse") -> CTE:
    """(product_id, place_id, qty) held at the cut, per warehouse or per physical location.

    Whichever is shorter: the movements before the cut added up, or today's balances minus the
    movements since (balances equal the ledger: `flask ledger verify`)."""
    loc = Location.__table__
    place = loc.c.warehouse_id if by == "warehouse" else loc.c.id
    backward = _nearer_now(cut)
    when = M.c.created_at >= cut if backward else M.c.created_at < cut
    sign = -1 if backward else 1
    # "+ 0": SQLite would otherwise walk each bin's whole history through the location index
    # instead of only the movements on the right side of the cut through the created_at index.
    ins = (select(M.c.product_id.label("p"), place.label("w"), (sign * M.c.qty).label("q"))
           .join(loc, loc.c.id == M.c.to_location_id + 0)
           .where(when, loc.c.warehouse_id.is_not(None)))
    outs = (select(M.c.product_id, place, (-sign * M.c.qty))
            .join(loc, loc.c.id == M.c.from_location_id + 0)
            .where(when, loc.c.warehouse_id.is_not(None)))
    parts = [ins, outs]
    if backward:
        parts.insert(0, _balances_now(by))
    flows = union_all(*parts).subquery()
    total = func.sum(flows.c.q)
    return (select(flows.c.p.label("product_id"), flows.c.w.label("place_id"),
                   total.label("qty"))
            .group_by(flows.c.p, flows.c.w).having(total != 0).cte("held"))


def _nearer_now(cut: datetime) -> bool:
    """True when the cut is nearer today than the ledger's first movement."""
    first = db.session.scalar(select(func.min(M.c.created_at)))
    return first is None or cut - first > q.start_of(q.today()) - cut


def _balances_now(by: str):
    """Today's balances per warehouse or per location, as (p, w, q)."""
    if by == "warehouse":
        ws = WarehouseStock.__table__
        return select(ws.c.product_id.label("p"), ws.c.warehouse_id.label("w"),
                      ws.c.on_hand.label("q"))
    sl = StockLevel.__table__
    return select(sl.c.product_id.label("p"), sl.c.location_id.label("w"),
                  sl.c.on_hand.label("q"))


def costs(cut: datetime, held: CTE) -> Subquery:
    """(product_id, cost): the moving average at the cut of each product in `held`."""
    anchors = _anchors(cut, held)
    delta = q.physical_delta(q.virtual_ids())
    later = and_(M.c.created_at >= anchors.c.since,  # each product's index range starts there
                 or_(anchors.c.anchor_id.is_(None), M.c.created_at > anchors.c.since,
                     M.c.id > anchors.c.anchor_id))
    trail = (select(M.c.product_id, M.c.kind, M.c.qty, M.c.unit_cost,
                    func.row_number().over(partition_by=M.c.product_id,
                                           order_by=(M.c.created_at, M.c.id)).label("n"),
                    (anchors.c.stock - func.sum(delta).over(
                        partition_by=M.c.product_id,
                        order_by=(M.c.created_at.desc(), M.c.id.desc()))).label("before"))
             # "+ 0": SQLite then walks the anchors and looks each product's rows up by index
             .join(anchors, M.c.product_id == anchors.c.product_id + 0)
             .where(M.c.created_at < cut, M.c.kind.in_(FOLDED), later).cte("trail"))
    return _fold(anchors, trail)


def _anchors(cut: datetime, held: CTE) -> CTE:
    """Per product held at the cut: its stock then, and its last non-receipt movement before."""
    totals = (select(held.c.product_id, func.sum(held.c.qty).label("stock"))
              .group_by(held.c.product_id).subquery())
    probe = M.alias("probe")
    last_id = (select(probe.c.id)
               .where(probe.c.product_id == totals.c.product_id, probe.c.created_at < cut,
                      probe.c.kind.not_in(FOLDED))
               .order_by(probe.c.created_at.desc(), probe.c.id.desc()).limit(1)
               .scalar_subquery())
    found = select(totals.c.product_id, totals.c.stock, last_id.label("anchor_id")).subquery()
    anchor = M.alias("anchor")
    return (select(found.c.product_id, found.c.stock, found.c.anchor_id,
                   func.coalesce(anchor.c.created_at, literal(EPOCH, M.c.created_at.type))
                   .label("since"), anchor.c.unit_cost.label("start"))
            .outerjoin(anchor, anchor.c.id == found.c.anchor_id).cte("anchors"))


def _fold(anchors: CTE, trail: CTE) -> Subquery:
    """Walk each product's trailing receipts from its anchor's average, one step per receipt."""
    steps = (select(trail.c.product_id, func.count().label("last"))
             .group_by(trail.c.product_id).subquery())
    walk = (select(anchors.c.product_id, cast(literal(0), BigInteger).label("n"),
                   cast(func.coalesce(steps.c.last, 0), BigInteger).label("last"),
                   cast(func.coalesce(anchors.c.start, 0), Numeric()).label("cost"))
            .outerjoin(steps, steps.c.product_id == anchors.c.product_id)
            .cte("walk", recursive=True))
    held = case((trail.c.before > 0, trail.c.before), else_=0)
    folded = func.round((walk.c.cost * held + trail.c.unit_cost * trail.c.qty) * ONE
                        / (held + trail.c.qty), 4)
    walk = walk.union_all(
        select(trail.c.product_id, trail.c.n, walk.c.last,
               cast(case((trail.c.kind == MovementKind.RECEIVE, folded), else_=walk.c.cost),
                    Numeric()))
        .where(trail.c.product_id == walk.c.product_id, trail.c.n == walk.c.n + 1))
    return select(walk.c.product_id, walk.c.cost).where(walk.c.n == walk.c.last).subquery()


def costs_now() -> dict[int, float]:
    """Every product's average now, for checks: the fold at a cut after the last movement."""
    cut = q.start_of(q.today() + timedelta(days=1))
    held = quantities(cut)
    found = costs(cut, held)
    return {pid: float(cost) for pid, cost in db.session.execute(
        select(found.c.product_id, found.c.cost))}
