"""What the books held in each bin when it was counted: taken when the bin is closed.

The choice: a bin's expected quantities are its balances at the moment the counter CLOSES it,
read in one query for any number of bins. Counting is slow and stock keeps moving: a pick from
a bin after it was closed (or from a bin not counted yet) changes the balance the next snapshot
reads, so it never shows up as a variance; and the adjustment posted later is the difference
(counted - expected), applied to whatever the balance is by then, which is still right after
any movement since. Taking the balance at the first scan instead would count every pick made
while the counter was still in the bin as missing stock.

The one window neither choice can see through is a movement in the bin between its first scan
and its close (the counter may or may not have counted the units that moved). Such a bin is
marked `disturbed`; its differences never post without a supervisor, who is told why.
"""
from itertools import islice

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from warehouse_app.catalog.models import Product
from warehouse_app.counting.models import BinStatus, Count, CountBin, CountLine, LineStatus
from warehouse_app.extensions import db
from warehouse_app.ledger.models import Lot, Movement, MovementKind, StockLevel
from warehouse_app.models import utcnow

CHUNK = 900  # ids per IN (...): well inside SQLite's and PostgreSQL's limits
_LINE, _BIN = CountLine.__table__, CountBin.__table__
# executemany statements, built once (Core: the ORM's bulk UPDATE costs several times more)
_SET_EXPECTED = (update(_LINE).where(_LINE.c.id == bindparam("line"))
                 .values(expected=bindparam("b_expected"), unit_cost=bindparam("b_cost")))
_CLOSE_BIN = (update(_BIN).where(_BIN.c.id == bindparam("bin"))
              .values(status=BinStatus.CLOSED, closed_at=bindparam("b_closed_at"),
                      closed_by_id=bindparam("b_closer"), disturbed=bindparam("b_disturbed")))


def chunks(values, size: int = CHUNK):
    """Successive lists of at most size values."""
    it = iter(values)
    while batch := list(islice(it, size)):
        yield batch


def balances(cbins: list[CountBin]) -> dict[tuple[int, int, str], int]:
    """(location, product, lot code) -> on hand for these bins (a product-only bin: that one)."""
    only = {b.location_id: b.product_id for b in cbins}
    found = {}
    for ids in chunks(sorted(only)):
        rows = db.session.execute(
            select(StockLevel.location_id, StockLevel.product_id, Lot.code, StockLevel.on_hand)
            .outerjoin(Lot, Lot.id == StockLevel.lot_id)
            .where(StockLevel.location_id.in_(ids), StockLevel.on_hand > 0))
        for loc, pid, lot, qty in rows:
            if only[loc] is None or only[loc] == pid:
                found[(loc, pid, lot or "")] = int(qty)
    return found


def costs(product_ids) -> dict[int, object]:
    """Each product's moving average cost now."""
    found = {}
    for ids in chunks(sorted(set(product_ids))):
        found.update(db.session.execute(select(Product.id, Product.avg_cost)
                                        .where(Product.id.in_(ids))).all())
    return found


def _lines(cbins: list[CountBin]):
    rounds = {b.id: b.round for b in cbins}
    for ids in chunks(sorted(rounds)):
        for row in db.session.execute(select(CountLine.id, CountLine.bin_id, CountLine.round,
                                             CountLine.location_id, CountLine.product_id,
                                             CountLine.lot_code)
                                      .where(CountLine.bin_id.in_(ids))):
            if row.round == rounds[row.bin_id]:
                yield row


def disturbed(cbins: list[CountBin]) -> set[int]:
    """Locations where stock moved (other than by a count) between first scan and now."""
    started = {b.location_id: b.started_at for b in cbins if b.started_at is not None}
    hit = set()
    for ids in chunks(sorted(started)):
        since = min(started[i] for i in ids)
        rows = db.session.execute(
            select(Movement.from_location_id, Movement.to_location_id, Movement.created_at)
            .where(Movement.created_at >= since, Movement.kind != MovementKind.COUNT,
                   or_(Movement.from_location_id.in_(ids), Movement.to_location_id.in_(ids))))
        for source, target, at in rows:
            hit.update(loc for loc in (source, target) if loc in started and at >= started[loc])
    return hit


def _expire_lines(bin_ids: set[int]) -> None:
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, CountLine) and obj.bin_id in bin_ids:
            db.session.expire(obj)


def close_bins(count: Count, cbins: list[CountBin], user, at=None) -> None:
    """Close bins: fill every line's expected quantity and cost from the books, add a zero
    line for each balance nobody counted, and mark the bins closed. Set-based."""
    if not cbins:
        return
    db.session.flush()
    now, by_loc = at or utcnow(), {b.location_id: b for b in cbins}
    held = balances(cbins)
    existing = list(_lines(cbins))
    cost = costs({pid for _, pid, _ in held} | {r.product_id for r in existing})
    updates = [{"line": r.id, "b_expected": held.pop((r.location_id, r.product_id, r.lot_code),
                                                      0),
                "b_cost": cost.get(r.product_id)} for r in existing]
    inserts = [{"count_id": count.id, "bin_id": by_loc[loc].id, "round": by_loc[loc].round,
                "location_id": loc, "product_id": pid, "lot_code": lot, "counted": 0,
                "expected": qty, "unit_cost": cost.get(pid), "status": LineStatus.COUNTED,
                "reason": ""} for (loc, pid, lot), qty in held.items()]
    if updates:
        db.session.execute(_SET_EXPECTED, updates)
    if inserts:
        db.session.execute(insert(CountLine), inserts)
    moved, closer = disturbed(cbins), getattr(user, "id", None)
    db.session.execute(_CLOSE_BIN, [
        {"bin": b.id, "b_closed_at": now, "b_closer": closer,
         "b_disturbed": b.location_id in moved} for b in cbins])
    for b in cbins:
        for key, value in (("status", BinStatus.CLOSED), ("closed_at", now),
                           ("closed_by_id", closer), ("disturbed", b.location_id in moved)):
            set_committed_value(b, key, value)
    _expire_lines({b.id for b in cbins})


def reopen(cbin: CountBin) -> None:
    """Undo a close: forget the books' balances and the zero lines the close added."""
    db.session.flush()
    db.session.execute(delete(CountLine).where(CountLine.bin_id == cbin.id,
                                               CountLine.round == cbin.round,
                                               CountLine.counted_by_id.is_(None)))
    db.session.execute(update(CountLine).where(CountLine.bin_id == cbin.id,
                                               CountLine.round == cbin.round)
                       .values(expected=None, unit_cost=None))
    counted = db.session.scalar(select(CountLine.id).where(CountLine.bin_id == cbin.id,
                                                           CountLine.round == cbin.round).limit(1))
    cbin.status = BinStatus.COUNTING if counted else BinStatus.TO_COUNT
    cbin.closed_at = cbin.closed_by_id = cbin.close_op_id = None
    cbin.disturbed = False
    db.session.flush()
    _expire_lines({cbin.id})
