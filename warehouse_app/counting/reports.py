"""Count reports: accuracy per month, and counts and adjustments per person; CSV too.

Shrinkage (losses by reason, location and month, in units and value) is insight's report
`shrinkage` (GET /api/v1/reports/shrinkage): it already includes count losses, so it is linked,
not repeated. Each report is a couple of GROUP BY queries.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select

from warehouse_app.auth.models import User
from warehouse_app.counting.models import CountBin, CountLine, LineStatus
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.insight import ledgerq as q
from warehouse_app.ledger.models import Movement, MovementKind
from warehouse_app.locations.models import LocationKind

EVALUATED = (LineStatus.MATCHED, LineStatus.POSTED, LineStatus.WAITING, LineStatus.APPROVED,
             LineStatus.REJECTED)
WITHIN = (LineStatus.MATCHED, LineStatus.POSTED)


@dataclass
class Table:
    """A report: columns (key, heading), rows of plain values, totals, notes."""

    name: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict]
    totals: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def csv_rows(self) -> list[list]:
        """The rows as CSV cells, in column order."""
        return [[row.get(key, "") for key, _ in self.columns] for row in self.rows]


def period(args) -> tuple[date, date]:
    """since and until (YYYY-MM-DD) from request arguments; the last 365 days by default."""
    until = _day(args.get("until"), "until") or q.today()
    since = _day(args.get("since"), "since") or until - timedelta(days=365)
    if since > until:
        raise DomainError("since must not be after until.", field="since")
    return since, until


def _day(value, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(f"{name} is a date written YYYY-MM-DD.", field=name) from None


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _lines(since: date, until: date):
    """Evaluated count lines of bins closed in the period."""
    return (select().select_from(CountLine).join(CountBin, CountBin.id == CountLine.bin_id)
            .where(CountLine.status.in_(EVALUATED),
                   CountBin.closed_at >= q.start_of(since),
                   CountBin.closed_at < q.start_of(until + timedelta(days=1))))


def accuracy(since: date, until: date) -> Table:
    """Per month: lines counted, the share that matched the books, the share within tolerance."""
    month = q.month_of(CountBin.closed_at)
    off = func.abs(CountLine.counted - CountLine.expected)
    rows = db.session.execute(_lines(since, until).add_columns(
        month, func.count(CountLine.id),
        func.sum(case((CountLine.counted == CountLine.expected, 1), else_=0)),
        func.sum(case((CountLine.status.in_(WITHIN), 1), else_=0)), func.sum(off),
        func.sum(off * func.coalesce(CountLine.unit_cost, 0))).group_by(month).order_by(month))
    items = [{"month": m, "lines": n, "matching": int(ok or 0), "accuracy_pct": _pct(ok or 0, n),
              "within_tolerance_pct": _pct(within or 0, n), "units_off": int(units or 0),
              "value_off": round(float(value or 0), 2)}
             for m, n, ok, within, units, value in rows]
    lines, ok = sum(r["lines"] for r in items), sum(r["matching"] for r in items)
    return Table("accuracy", f"Count accuracy {since} to {until}", [
        ("month", "Month"), ("lines", "Lines"), ("matching", "Matching"),
        ("accuracy_pct", "Accuracy %"), ("within_tolerance_pct", "Within tolerance %"),
        ("units_off", "Units off"), ("value_off", "Value off")], items,
        {"lines": lines, "matching": ok, "accuracy_pct": _pct(ok, lines)},
        ["Accuracy = lines whose count matched the books exactly."])


def _counters(since: date, until: date) -> dict[int, dict]:
    diff = CountLine.counted - CountLine.expected
    rows = db.session.execute(_lines(since, until).add_columns(
        CountBin.closed_by_id, func.count(func.distinct(CountBin.id)), func.count(CountLine.id),
        func.sum(case((diff == 0, 1), else_=0)), func.sum(case((diff > 0, diff), else_=0)),
        func.sum(case((diff < 0, -diff), else_=0))).group_by(CountBin.closed_by_id))
    return {uid: {"bins_counted": bins, "lines_counted": n, "matching": int(ok or 0),
                  "accuracy_pct": _pct(ok or 0, n), "units_found": int(more or 0),
                  "units_missing": int(less or 0)}
            for uid, bins, n, ok, more, less in rows if uid is not None}


def _adjusters(since: date, until: date) -> dict[int, dict]:
    count_ids = q.ids_of(q.virtual_ids(), LocationKind.COUNT)
    lost = Movement.to_location_id.in_(count_ids)
    sign = case((lost, -1), else_=1)
    rows = db.session.execute(
        select(Movement.user_id, func.count(Movement.id),
               func.sum(case((lost, 0), else_=Movement.qty)),
               func.sum(case((lost, Movement.qty), else_=0)),
               func.sum(sign * Movement.qty * Movement.unit_cost))
        .where(Movement.kind == MovementKind.COUNT,
               Movement.created_at >= q.start_of(since),
               Movement.created_at < q.start_of(until + timedelta(days=1)))
        .group_by(Movement.user_id))
    return {uid: {"adjustments_posted": n, "units_in": int(gained or 0),
                  "units_out": int(lost_units or 0),
                  "value": round(float(value or Decimal(0)), 2)}
            for uid, n, gained, lost_units, value in rows if uid is not None}


def by_user(since: date, until: date) -> Table:
    """Per person: bins and lines counted and their accuracy; count adjustments they posted."""
    counters, adjusters = _counters(since, until), _adjusters(since, until)
    ids = set(counters) | set(adjusters)
    names = dict(db.session.execute(select(User.id, User.username)
                                    .where(User.id.in_(ids))).all()) if ids else {}
    blank = {"bins_counted": 0, "lines_counted": 0, "matching": 0, "accuracy_pct": None,
             "units_found": 0, "units_missing": 0, "adjustments_posted": 0, "units_in": 0,
             "units_out": 0, "value": 0.0}
    items = sorted(({"user": names.get(uid, "?"), **blank, **counters.get(uid, {}),
                     **adjusters.get(uid, {})} for uid in ids), key=lambda r: r["user"])
    return Table("users", f"Counts and adjustments by person {since} to {until}", [
        ("user", "User"), ("bins_counted", "Bins counted"), ("lines_counted", "Lines"),
        ("accuracy_pct", "Accuracy %"), ("units_found", "Found +"),
        ("units_missing", "Missing −"), ("adjustments_posted", "Adjustments posted"),
        ("units_in", "Units in"), ("units_out", "Units out"), ("value", "Value")], items,
        {"adjustments_posted": sum(r["adjustments_posted"] for r in items),
         "value": round(sum(r["value"] for r in items), 2)},
        ["Counted: bins the person closed. Posted: count adjustments posted at their submit "
         "or approval."])


REPORTS = {"accuracy": accuracy, "users": by_user}


def run(name: str, args) -> Table:
    """A count report by name for the period in the arguments."""
    if name not in REPORTS:
        raise DomainError(f"No count report {name[:40]!r}; try accuracy or users.",
                          field="report", code="not_found", status=404)
    return REPORTS[name](*period(args))
