"""A counter's own scans in one count, for "Posted this session" and undo to survive a reload.

Undo takes back the counter's last scan, once: it is recorded as a scan of minus that many
units (its own client_op_id, so a replay counts once), only while the bin is still open and
in the same round, within the 15 minutes a movement's undo allows.
"""
from sqlalchemy import select

from warehouse_app.counting.counting import Counted, _open_bin, _record, op_id
from warehouse_app.counting.models import BinStatus, Count, CountLine, CountScan
from warehouse_app.errors import Conflict, DomainError, Forbidden
from warehouse_app.extensions import db
from warehouse_app.models import utcnow
from warehouse_app.scanning.workflows import SHIFT, SHIFT_LINES, UNDO_WINDOW


def _mine(count: Count, user) -> list[CountScan]:
    """The user's scans in this count of the last 12 hours, newest first."""
    return list(db.session.scalars(
        select(CountScan).join(CountLine, CountLine.id == CountScan.line_id)
        .where(CountLine.count_id == count.id, CountScan.user_id == user.id,
               CountScan.at >= utcnow() - SHIFT)
        .order_by(CountScan.id.desc()).limit(SHIFT_LINES)))


def _undoable(count: Count, scan: CountScan | None) -> bool:
    if scan is None or scan.absolute or scan.qty <= 0:
        return False  # a typed total, or an undo itself: nothing to take back
    line = db.session.get(CountLine, scan.line_id)
    return (line.bin.status is not BinStatus.CLOSED and line.round == line.bin.round
            and utcnow() - scan.at <= UNDO_WINDOW)


def session_json(count: Count, user) -> dict:
    """The user's scans (undone ones left out) and the one undo would take back now."""
    scans = _mine(count, user)
    undone = set()
    for newer, older in zip(scans, scans[1:], strict=False):
        if not newer.absolute and newer.qty < 0:  # an undo: it took back the scan before it
            undone.update({newer.id, older.id})
    lines = []
    for scan in scans:
        if scan.id in undone or scan.qty < 0:
            continue
        line = db.session.get(CountLine, scan.line_id)
        lines.append({"id": scan.id, "client_op_id": scan.client_op_id, "sku": line.product.sku,
                      "name": line.product.name, "lot": line.lot_code or None,
                      "location": line.location.code, "qty": scan.qty,
                      "absolute": scan.absolute})
    last = scans[0] if scans else None
    return {"lines": lines, "undo": last.id if _undoable(count, last) else None}


def undo(count: Count, data, user) -> Counted:
    """Take back the user's last scan in this count (by its id), once."""
    if not isinstance(data, dict):
        raise DomainError("An undo is a JSON object.")
    op = op_id(data.get("client_op_id"))
    if op and (seen := db.session.scalar(select(CountScan).where(CountScan.client_op_id == op))):
        return Counted(db.session.get(CountLine, seen.line_id), replayed=True, scan_id=seen.id)
    wanted = data.get("scan")
    if isinstance(wanted, bool) or not isinstance(wanted, int):
        raise DomainError("scan is the id of a scan.", field="scan")
    scans = _mine(count, user)
    last = scans[0] if scans else None
    if last is None or last.id != wanted:
        raise Conflict("Only your last scan in this count can be undone.", field="scan",
                       code="not_last_scan")
    if not _undoable(count, last):
        if not last.absolute and last.qty > 0 and utcnow() - last.at > UNDO_WINDOW:
            raise Forbidden("You can undo a scan for 15 minutes; fix the line instead.",
                            field="scan")
        raise Conflict("That scan cannot be undone now (its bin is counted, or it was a "
                       "typed total): fix the line instead.", field="scan", code="undo_refused")
    line = db.session.get(CountLine, last.line_id)
    cbin = _open_bin(count, line.location.code, user)
    if line.counted < last.qty:
        raise Conflict(f"{line.product.sku} in {line.location.code} was changed since: fix the "
                       "line instead.", field="scan", code="undo_refused")
    scan = _record(cbin, line, line.counted - last.qty, -last.qty, False, op, user)
    return Counted(line, scan_id=scan.id)
