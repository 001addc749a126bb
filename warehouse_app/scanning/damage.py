"""Damage and loss reports: staff report, a supervisor decides. Approval posts the adjustment
through the ledger (bin to Scrap or Adjustment); a rejection posts nothing."""
from sqlalchemy import select

from warehouse_app.auth.models import Role
from warehouse_app.errors import Conflict, DomainError, Forbidden, InsufficientStock, NotFound
from warehouse_app.extensions import db
from warehouse_app.inputs import load
from warehouse_app.ledger.inputs import NOTE_MAX
from warehouse_app.ledger.models import MovementKind, Reason
from warehouse_app.ledger.movements import Line, check_qty, record
from warehouse_app.locations.places import by_code
from warehouse_app.models import utcnow
from warehouse_app.scanning import workflows
from warehouse_app.scanning.inputs import DAMAGE_REPORT
from warehouse_app.scanning.models import DamageReport, ReportStatus

DECISION_NOTE_MAX = 500  # a supervisor's note on the decision (the reports page's form)


def report(data, user) -> DamageReport:
    """A staff member's report of units damaged, lost, stolen or expired in a bin."""
    data = load(DAMAGE_REPORT, data)
    scan = workflows.product_scan(data["code"])
    source = by_code(data["from_location"], "from_location")
    if not source.is_physical:
        raise DomainError(f"{source.code} is not a bin in the warehouse.", field="from_location")
    qty = data["qty"] if "qty" in data else check_qty(data.get("scans", 1) * scan.pack_size)
    held = workflows.on_hand_at(scan.product.id, source.id)
    if qty > held:
        raise InsufficientStock(scan.product.sku, source.code, qty, held)
    found = DamageReport(product=scan.product, location=source, qty=qty,
                         lot=data.get("lot") or None, reason=Reason(data["reason"]),
                         note=data["note"].strip(), reported_by_id=user.id,
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
    if not isinstance(note, str) or len(note) > DECISION_NOTE_MAX:
        raise DomainError(f"A note is at most {DECISION_NOTE_MAX} characters.", field="note")
    found.status, found.decided_by_id, found.decided_at = status, user.id, utcnow()
    found.decision_note = note.strip()
    db.session.flush()
    return found
