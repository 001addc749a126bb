"""Damage and loss reports: staff report, a supervisor decides. Approval posts the adjustment
through the ledger (bin to Scrap or Adjustment); a rejection posts nothing."""
from sqlalchemy import select

from warehouse_app.auth.models import Role
from warehouse_app.errors import Conflict, DomainError, Forbidden, InsufficientStock, NotFound
from warehouse_app.extensions import db
from warehouse_app.ledger.models import MovementKind, Reason
from warehouse_app.ledger.movements import Line, record
from warehouse_app.locations.places import by_code
from warehouse_app.models import utcnow
from warehouse_app.scanning import workflows
from warehouse_app.scanning.models import DamageReport, ReportStatus

REPORT_REASONS = (Reason.DAMAGE, Reason.LOSS, Reason.THEFT, Reason.EXPIRY)
NOTE_MAX = 500  # a report's note (its own input, not yet loaded by the movement's schema)


def report(data, user) -> DamageReport:
    """A staff member's report of units damaged, lost, stolen or expired in a bin."""
    if not isinstance(data, dict):
        raise DomainError("A report is a JSON object.")
    scan = workflows.product_scan(data.get("code"))
    code = data.get("from_location")
    if not isinstance(code, str) or not code.strip():
        raise DomainError("Say which bin: from_location is a bin code.", field="from_location")
    source = by_code(code, "from_location")
    if not source.is_physical:
        raise DomainError(f"{source.code} is not a bin in the warehouse.", field="from_location")
    reason = data.get("reason")
    if reason not in [r.value for r in REPORT_REASONS]:
        raise DomainError("reason is damage, loss, theft or expiry.", field="reason")
    note = data.get("note")
    if not isinstance(note, str) or not note.strip() or len(note.strip()) > NOTE_MAX:
        raise DomainError(f"Say what happened (1 to {NOTE_MAX} characters).", field="note")
    qty = workflows._quantity(data, scan)
    held = workflows.on_hand_at(scan.product.id, source.id)
    if qty > held:
        raise InsufficientStock(scan.product.sku, source.code, qty, held)
    lot = data.get("lot")
    if lot is not None and (not isinstance(lot, str) or len(lot) > 64):
        raise DomainError("lot is text of at most 64 characters.", field="lot")
    found = DamageReport(product=scan.product, location=source, qty=qty, lot=lot or None,
                         reason=Reason(reason), note=note.strip(), reported_by_id=user.id,
                         status=ReportStatus.OPEN, decision_note="")
    db.session.add(found)
    db.session.flush()
    return found


def open_reports() -> list[DamageReport]:
    """Reports waiting for a supervisor, oldest first."""
    return list(db.session.scalars(select(DamageReport).where(
        DamageReport.status == ReportStatus.OPEN).order_by(DamageReport.id)))


def _deciding(report_id, user) -> DamageReport:
    if not user.has_role(Role.SUPERVISOR):
        raise Forbidden("Only a supervisor decides on a damage or loss report.")
    found = db.session.get(DamageReport, report_id) if isinstance(report_id, int) else None
    if found is None:
        raise NotFound("No such report.", field="report")
    if found.status is not ReportStatus.OPEN:
        raise Conflict(f"Report {found.id} was {found.status.value} already.", field="report",
                       code="already_decided")
    if found.reported_by_id == user.id:
        raise Forbidden("Nobody decides on their own report.")
    return found


def approve(report_id, user, note: str = "") -> DamageReport:
    """Approve a report: its adjustment posts now."""
    found = _deciding(report_id, user)
    found.movement = record(Line(
        MovementKind.ADJUST, found.product, found.qty, from_location=found.location,
        lot=found.lot, reason=found.reason, reference=f"DR-{found.id}",
        note=f"{found.note} (reported by {found.reported_by.username})"[:NOTE_MAX]), user)
    return _decided(found, ReportStatus.APPROVED, user, note)


def reject(report_id, user, note: str = "") -> DamageReport:
    """Reject a report: nothing posts."""
    return _decided(_deciding(report_id, user), ReportStatus.REJECTED, user, note)


def _decided(found: DamageReport, status: ReportStatus, user, note) -> DamageReport:
    if not isinstance(note, str) or len(note) > NOTE_MAX:
        raise DomainError(f"A note is at most {NOTE_MAX} characters.", field="note")
    found.status, found.decided_by_id, found.decided_at = status, user.id, utcnow()
    found.decision_note = note.strip()
    db.session.flush()
    return found
