"""Counting on the floor: scans and typed totals per product and lot, closing and reopening bins.

A scan adds units of the scanned product (one, a pack's units, or a typed quantity) to its line
in the bin; a typed total (the API's counted_qty) replaces the line's count. Products the books
do not expect in the bin are counted like any other. A lot-tracked product is counted per lot
(a GS1 scan carries it; else it must be given). Closing a bin says "what I did not count is not
here": snapshot.close_bins() then takes the books' balances of the bin (see there for why at
close). An untouched bin closes only when explicitly confirmed empty. Each phone operation
carries a client_op_id, so a line replayed after a network drop counts once.
"""
from dataclasses import dataclass

from sqlalchemy import select

from warehouse_app.catalog.models import Product, Tracking
from warehouse_app.catalog.products import by_sku
from warehouse_app.counting import snapshot
from warehouse_app.counting.documents import refuse_unless
from warehouse_app.counting.models import (
    BinStatus,
    Count,
    CountBin,
    CountLine,
    CountScan,
    CountStatus,
)
from warehouse_app.errors import Conflict, DomainError
from warehouse_app.extensions import db
from warehouse_app.ledger.inputs import op_id
from warehouse_app.ledger.movements import MAX_QTY, check_qty
from warehouse_app.locations.models import Location
from warehouse_app.locations.places import normalise_code
from warehouse_app.models import utcnow
from warehouse_app.scanning.resolver import Scan
from warehouse_app.scanning.workflows import product_scan

LOT_MAX = 64


@dataclass
class Counted:
    """What one counting operation left: the line and whether it was a replay."""

    line: CountLine
    replayed: bool = False
    scan_id: int | None = None  # the scan it recorded (the phone's undo names it)


def counted_qty(value, field: str = "counted_qty") -> int:
    """A counted total: a whole number of units from 0 to a billion (not -1, 1.5, "x")."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError("A counted quantity is a whole number of units.", field=field)
    if not 0 <= value <= MAX_QTY:
        raise DomainError(f"A counted quantity is between 0 and {MAX_QTY:,}.", field=field)
    return value


def bin_of(count: Count, code) -> CountBin:
    """The count's bin with this location code; a bin outside the count is refused."""
    if not isinstance(code, str) or not code.strip():
        raise DomainError("Scan the bin first.", field="location")
    if any(ord(ch) < 32 for ch in code) or len(code) > 256:
        raise DomainError("That is not a bin code.", field="location")
    norm = normalise_code(code)
    found = db.session.scalar(select(CountBin).join(Location, Location.id == CountBin.location_id)
                              .where(CountBin.count_id == count.id, Location.code == norm))
    if found is not None:
        return found
    raise DomainError(f"{norm[:40]} is not a bin of count {count.reference}.",
                      field="location", code="not_in_count")


def check_counter(cbin: CountBin, user) -> None:
    """A bin sent back for a recount must be counted by someone else."""
    if cbin.not_by_id is not None and cbin.not_by_id == getattr(user, "id", None):
        raise Conflict(f"{cbin.location.code} was sent back for a recount by someone else: "
                       f"you counted it last time.", field="location", code="recount_by_other")


def _open_bin(count: Count, code, user) -> CountBin:
    refuse_unless(count, CountStatus.OPEN)
    cbin = bin_of(count, code)
    if cbin.status is BinStatus.CLOSED:
        raise Conflict(f"{cbin.location.code} is already counted. Tap “Count again” to "
                       "recount it.", field="location", code="bin_closed")
    check_counter(cbin, user)
    return cbin


def lot_code(product: Product, lot, scan: Scan | None = None) -> str:
    """The lot a line is for: '' for untracked products; required for tracked ones."""
    given = lot.strip() if isinstance(lot, str) else ""
    if lot not in (None, "") and not isinstance(lot, str):
        raise DomainError("A lot is text.", field="lot")
    if not given and scan is not None and scan.gs1 is not None:
        given = (scan.gs1.serial if product.tracking is Tracking.SERIAL else scan.gs1.lot) or ""
    if product.tracking is Tracking.NONE:
        if given:
            raise DomainError(f"{product.sku} is not tracked by lot.", field="lot")
        return ""
    what = "serial number" if product.tracking is Tracking.SERIAL else "lot"
    if not given:
        raise DomainError(f"{product.sku} is counted per {what}: scan its GS1 label or type "
                          f"the {what}.", field="lot", code="lot_required")
    if len(given) > LOT_MAX or not given.isprintable():
        raise DomainError(f"The {what} is printable text of at most {LOT_MAX} characters.",
                          field="lot")
    return given


def check_total(product: Product, total: int) -> None:
    """A serial number is one unit; anything else up to a billion."""
    if total > MAX_QTY:
        raise DomainError(f"That makes more than {MAX_QTY:,} units in one bin.", field="qty")
    if product.tracking is Tracking.SERIAL and total > 1:
        raise DomainError(f"A serial number of {product.sku} is one unit.", field="qty")


def line_for(cbin: CountBin, product: Product, lot: str) -> CountLine:
    """The bin's line (this round) for a product and lot, created at its first count."""
    line = db.session.scalar(select(CountLine).where(
        CountLine.bin_id == cbin.id, CountLine.round == cbin.round,
        CountLine.product_id == product.id, CountLine.lot_code == lot))
    if line is None:
        line = CountLine(count_id=cbin.count_id, bin=cbin, bin_id=cbin.id, round=cbin.round,
                         location_id=cbin.location_id, product=product, product_id=product.id,
                         lot_code=lot, counted=0)
        db.session.add(line)
    return line


def _replayed(op: str | None) -> Counted | None:
    if op and (seen := db.session.scalar(select(CountScan).where(CountScan.client_op_id == op))):
        return Counted(db.session.get(CountLine, seen.line_id), replayed=True, scan_id=seen.id)
    return None


def _check_product(cbin: CountBin, product: Product) -> None:
    if cbin.product_id is not None and cbin.product_id != product.id:
        raise DomainError(f"This count is for {cbin.product.sku} only; that is {product.sku}.",
                          field="code", code="wrong_product")


def _record(cbin: CountBin, line: CountLine, total: int, qty: int, absolute: bool, op,
            user) -> CountScan:
    now = utcnow()
    line.counted, line.counted_by_id, line.counted_at = total, getattr(user, "id", None), now
    if cbin.status is BinStatus.TO_COUNT:
        cbin.status, cbin.started_at = BinStatus.COUNTING, now
    db.session.flush()
    scan = CountScan(line_id=line.id, qty=qty, absolute=absolute, client_op_id=op,
                     user_id=getattr(user, "id", None), at=now)
    db.session.add(scan)
    db.session.flush()
    return scan


def add(count: Count, data: dict, user) -> Counted:
    """A scan in a bin: add one (a pack's units, or a typed quantity) of the scanned product."""
    if not isinstance(data, dict):
        raise DomainError("A scan is a JSON object.")
    op = op_id(data.get("client_op_id"))
    if seen := _replayed(op):
        return seen
    cbin = _open_bin(count, data.get("location"), user)
    scan = product_scan(data.get("code"))
    _check_product(cbin, scan.product)
    given = data.get("qty")
    qty = check_qty(scan.pack_size if given in (None, "") else counted_qty(given, "qty"))
    lot = lot_code(scan.product, data.get("lot"), scan)
    line = line_for(cbin, scan.product, lot)
    total = (line.counted or 0) + qty
    check_total(scan.product, total)
    return Counted(line, scan_id=_record(cbin, line, total, qty, False, op, user).id)


def set_counted(count: Count, data: dict, user) -> Counted:
    """A typed total of a product (and lot) in a bin: it replaces what was counted so far."""
    if not isinstance(data, dict):
        raise DomainError("A count line is a JSON object.")
    op = op_id(data.get("client_op_id"))
    if seen := _replayed(op):
        return seen
    cbin = _open_bin(count, data.get("location"), user)
    if data.get("sku") not in (None, ""):
        if not isinstance(data["sku"], str) or not data["sku"].isprintable():
            raise DomainError("sku is a product's SKU.", field="sku")
        product, scan = by_sku(data["sku"]), None
    else:
        scan = product_scan(data.get("code"))
        product = scan.product
    _check_product(cbin, product)
    total = counted_qty(data.get("counted_qty"))
    lot = lot_code(product, data.get("lot"), scan)
    check_total(product, total)
    line = line_for(cbin, product, lot)
    return Counted(line, scan_id=_record(cbin, line, total, total, True, op, user).id)


def close_bin(count: Count, data: dict, user) -> CountBin:
    """The counter is done with a bin: what was not counted is not there. Snapshot the books."""
    if not isinstance(data, dict):
        raise DomainError("Closing a bin is a JSON object.")
    op = op_id(data.get("client_op_id"))
    if op and (seen := db.session.scalar(select(CountBin).where(CountBin.close_op_id == op))):
        return seen
    cbin = _open_bin(count, data.get("location"), user)
    empty = data.get("empty") in (True, "1", "true", "on", "yes")
    lines = db.session.scalars(select(CountLine).where(
        CountLine.bin_id == cbin.id, CountLine.round == cbin.round)).all()
    found = sum(line.counted for line in lines)
    if empty and found:
        raise Conflict(f"{cbin.location.code} is not empty: {found} units were counted in it. "
                       "Close it instead.", field="location", code="bin_not_empty")
    if not lines and not empty:
        raise DomainError(f"Nothing was counted in {cbin.location.code}: scan its products, or "
                          "confirm it is empty.", field="location", code="nothing_counted")
    snapshot.close_bins(count, [cbin], user)
    cbin.close_op_id = op
    db.session.flush()
    return cbin


def reopen_bin(count: Count, code, user) -> CountBin:
    """Count a closed bin again (before the count is submitted): its counts stay, the books'
    balances are taken again when it closes."""
    refuse_unless(count, CountStatus.OPEN)
    cbin = bin_of(count, code)
    if cbin.status is not BinStatus.CLOSED:
        raise Conflict(f"{cbin.location.code} is not closed.", field="location",
                       code="bin_open")
    check_counter(cbin, user)
    snapshot.reopen(cbin)
    return cbin
