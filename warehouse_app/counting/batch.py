"""Many typed totals at once (a handheld's upload, the benchmark): checked whole, stored set-based.

Every entry is checked before anything is written; one bad entry refuses the batch, naming it.
Each entry replaces the count of its product (and lot) in its bin, as set_counted() does for
one line, but with a handful of queries for the whole batch instead of a few per line.
"""
from sqlalchemy import insert, select, update

from warehouse_app.catalog.models import Product, Tracking
from warehouse_app.counting.counting import LOT_MAX, counted_qty
from warehouse_app.counting.documents import refuse_unless
from warehouse_app.counting.models import (
    BinStatus,
    Count,
    CountBin,
    CountLine,
    CountStatus,
    LineStatus,
)
from warehouse_app.counting.snapshot import chunks
from warehouse_app.errors import Conflict, DomainError
from warehouse_app.extensions import db
from warehouse_app.locations.models import Location
from warehouse_app.models import utcnow

MAX_ENTRIES = 100_000


def _bins(count: Count) -> dict[str, tuple]:
    rows = db.session.execute(select(Location.code, CountBin.id, CountBin.location_id,
                                     CountBin.round, CountBin.status, CountBin.product_id,
                                     CountBin.not_by_id)
                              .join(Location, Location.id == CountBin.location_id)
                              .where(CountBin.count_id == count.id))
    return {row[0]: tuple(row[1:]) for row in rows}


def _products(skus) -> dict[str, tuple]:
    found = {}
    for batch in chunks(sorted(skus)):
        found.update({sku: (pid, tracking) for sku, pid, tracking in db.session.execute(
            select(Product.sku, Product.id, Product.tracking).where(Product.sku.in_(batch)))})
    return found


def _lot(entry: dict, sku: str, tracking: Tracking, where: str) -> str:
    lot = entry.get("lot") or ""
    if not isinstance(lot, str) or len(lot.strip()) > LOT_MAX:
        raise DomainError(f"{where}: the lot is text of at most {LOT_MAX} characters.",
                          field="lot")
    lot = lot.strip()
    if tracking is Tracking.NONE and lot:
        raise DomainError(f"{where}: {sku} is not tracked by lot.", field="lot")
    if tracking is not Tracking.NONE and not lot:
        raise DomainError(f"{where}: {sku} is counted per lot; give the lot.", field="lot")
    return lot


def _check(entries, bins: dict, products: dict, user) -> dict[tuple, int]:
    """(bin id, location, product, lot) -> total, every entry checked first."""
    totals, me = {}, getattr(user, "id", None)
    for number, entry in enumerate(entries, start=1):
        where = f"Entry {number}"
        if not isinstance(entry, dict):
            raise DomainError(f"{where} is not an object with sku, location and counted_qty.")
        code = str(entry.get("location") or "").strip().upper()
        if code not in bins:
            raise DomainError(f"{where}: {code[:40] or '(no location)'} is not a bin of this "
                              "count.", field="location", code="not_in_count")
        bin_id, loc, _round, status, only, not_by = bins[code]
        if status is BinStatus.CLOSED:
            raise Conflict(f"{where}: {code} is already counted.", field="location",
                           code="bin_closed")
        if not_by is not None and not_by == me:
            raise Conflict(f"{where}: {code} must be recounted by someone else.",
                           field="location", code="recount_by_other")
        sku = entry.get("sku")
        if not isinstance(sku, str) or sku not in products:
            raise DomainError(f"{where}: no product with SKU {str(sku)[:64]}.", field="sku",
                              code="not_found", status=404)
        pid, tracking = products[sku]
        if only is not None and only != pid:
            raise DomainError(f"{where}: {code} is counted for one other product only.",
                              field="sku", code="wrong_product")
        total = counted_qty(entry.get("counted_qty"))
        if tracking is Tracking.SERIAL and total > 1:
            raise DomainError(f"{where}: a serial number is one unit.", field="counted_qty")
        key = (bin_id, loc, pid, _lot(entry, sku, tracking, where))
        if key in totals:
            raise DomainError(f"{where} repeats an earlier entry for {sku} in {code}.",
                              field="lines")
        totals[key] = total
    return totals


def _existing(bin_ids: set[int], rounds: dict[int, int]) -> dict[tuple, int]:
    """(bin, product, lot) -> line id of the lines these bins already have this round."""
    found = {}
    for ids in chunks(sorted(bin_ids)):
        for row in db.session.execute(select(CountLine.id, CountLine.bin_id, CountLine.round,
                                             CountLine.product_id, CountLine.lot_code)
                                      .where(CountLine.bin_id.in_(ids))):
            if row.round == rounds[row.bin_id]:
                found[(row.bin_id, row.product_id, row.lot_code)] = row.id
    return found


def set_lines(count: Count, entries: list, user) -> int:
    """Store many typed totals in a count still being counted; how many lines were written."""
    refuse_unless(count, CountStatus.OPEN)
    if not isinstance(entries, list) or not entries:
        raise DomainError("Send a non-empty list of lines.", field="lines")
    if len(entries) > MAX_ENTRIES:
        raise DomainError(f"At most {MAX_ENTRIES:,} lines at once.", field="lines")
    bins = _bins(count)
    totals = _check(entries, bins, _products({e.get("sku") for e in entries
                                              if isinstance(e, dict)
                                              and isinstance(e.get("sku"), str)}), user)
    rounds = {b[0]: b[2] for b in bins.values()}
    existing = _existing({key[0] for key in totals}, rounds)
    now, me = utcnow(), getattr(user, "id", None)
    updates, inserts = [], []
    for (bin_id, loc, pid, lot), total in totals.items():
        stamp = {"counted": total, "counted_by_id": me, "counted_at": now}
        if (line_id := existing.get((bin_id, pid, lot))) is not None:
            updates.append({"id": line_id, **stamp})
        else:
            inserts.append({"count_id": count.id, "bin_id": bin_id, "round": rounds[bin_id],
                            "location_id": loc, "product_id": pid, "lot_code": lot,
                            "status": LineStatus.COUNTED, "reason": "", **stamp})
    if updates:
        db.session.execute(update(CountLine), updates)
    if inserts:
        db.session.execute(insert(CountLine), inserts)
    waiting = {b[0] for b in bins.values() if b[3] is BinStatus.TO_COUNT}
    started = sorted({key[0] for key in totals} & waiting)
    for ids in chunks(started):
        db.session.execute(update(CountBin).where(CountBin.id.in_(ids))
                           .values(status=BinStatus.COUNTING, started_at=now)
                           .execution_options(synchronize_session=False))
    db.session.expire_all()
    return len(totals)

