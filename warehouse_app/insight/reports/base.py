"""What every report shares: its shape, the registry, parameter parsing and CSV/JSON output."""
import csv
import io
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from warehouse_app.auth import warehouses
from warehouse_app.csvfile import safe_cell
from warehouse_app.errors import DomainError, Forbidden, NotFound
from warehouse_app.insight import ledgerq as q


@dataclass(frozen=True)
class Column:
    """One column: its key in each row, its heading, and how to show it."""

    key: str
    label: str
    kind: str = "text"  # text, int, num, money, pct, date
    sub: bool = False  # on the page, shown small under the row's first cell (phones are narrow)
    page: bool = True  # False: in the JSON and CSV only (too long for a phone's table)


@dataclass
class Report:
    """A report's answer: rows of plain values, with totals, notes and an optional chart."""

    name: str
    title: str
    columns: list[Column]
    rows: list[dict]
    params: dict
    totals: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    chart: Callable[[], str] | None = None  # drawn only for the page
    total_of: Callable[[list[dict]], dict] | None = None  # totals of some rows (else: sums)

    def as_json(self) -> dict:
        """The API's answer."""
        return {"report": self.name, "title": self.title, "params": plain(self.params),
                "columns": [{"key": c.key, "label": c.label, "kind": c.kind}
                            for c in self.columns],
                "items": [plain(row) for row in self.rows], "total": len(self.rows),
                "totals": plain(self.totals), "notes": self.notes}

    def as_csv(self) -> str:
        """One header line of column keys, then one line per row."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([c.key for c in self.columns])
        for row in self.rows:  # text cells cannot become formulas in a spreadsheet
            writer.writerow([safe_cell(cell(row.get(c.key))) if isinstance(row.get(c.key), str)
                             else cell(row.get(c.key)) for c in self.columns])
        return out.getvalue()


@dataclass(frozen=True)
class Spec:
    name: str
    title: str
    description: str
    build: Callable[["Params"], Report]
    place: str | None = None  # the column naming each row's warehouse or location, if any


REGISTRY: dict[str, Spec] = {}


def register(name: str, title: str, description: str, place: str | None = None):
    """Make a report builder known under a name (place: its column naming a location)."""
    def decorate(build):
        REGISTRY[name] = Spec(name, title, description, build, place)
        return build
    return decorate


def run(name: str, args: Mapping) -> Report:
    """Build a report by name from request arguments; 404 for an unknown name, 422 bad input."""
    spec = REGISTRY.get(name)
    if spec is None:
        raise NotFound(f"There is no report called {name[:40]!r}; try one of: "
                       f"{', '.join(sorted(REGISTRY))}.", field="name")
    kept = warehouses.caller()
    if kept is not None and spec.place is None:
        raise Forbidden(f"The {spec.name} report spans every warehouse; you are kept to some.",
                        field="name", code="other_warehouse")
    report = spec.build(Params(args))
    report.name, report.title = spec.name, report.title or spec.title
    if kept is not None:
        if report.rows and spec.place not in report.rows[0]:  # by=product, by=user
            raise Forbidden(f"This view of the {spec.name} report spans every warehouse; you "
                            "are kept to some.", field="by", code="other_warehouse")
        _keep_to(report, spec.place, kept)
    return report


def _keep_to(report: Report, place: str, kept: frozenset[int]) -> None:
    """Only the rows of the caller's warehouses, and totals of those rows."""
    from sqlalchemy import select

    from warehouse_app.extensions import db
    from warehouse_app.locations.models import Location
    codes = set(db.session.scalars(select(Location.code)
                                   .where(Location.warehouse_id.in_(sorted(kept)))))
    # A line in transit is kept when it leaves or reaches one of them.
    report.rows = [row for row in report.rows if row.get(place) in codes
                   or row.get("from_warehouse") in codes or row.get("to_warehouse") in codes]
    report.totals = report.total_of(report.rows) if report.total_of else {
        key: round(sum(row.get(key) or 0 for row in report.rows), 2)
        if isinstance(value, float) else sum(row.get(key) or 0 for row in report.rows)
        for key, value in report.totals.items()}
    report.chart = None  # drawn from every row before they were kept
    report.notes.append("Only the warehouses you are kept to.")


def plain(value):
    """A value JSON can carry."""
    if isinstance(value, dict):
        return {key: plain(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, 4)
    if isinstance(value, date):
        return value.isoformat()
    return value


def cell(value) -> str:
    """A value as CSV text."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(cell(v) for v in value)
    return str(value)


class Params:
    """A report's query arguments, each parsed once, a bad one refused with its field named."""

    def __init__(self, args: Mapping):
        self.args = args
        self.used: dict = {}

    def raw(self, name: str) -> str | None:
        value = self.args.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None

    def whole(self, name: str, default: int, least: int, most: int) -> int:
        """A whole number within bounds."""
        text, value = self.raw(name), default
        if text is not None:
            try:
                value = int(text)
            except ValueError:
                raise DomainError(f"{name} must be a whole number.", field=name) from None
            if not least <= value <= most:
                raise DomainError(f"{name} must be between {least} and {most}.", field=name)
        self.used[name] = value
        return value

    def fraction(self, name: str, default: float, least: float, most: float) -> float:
        """A number within bounds (a service level, say)."""
        text, value = self.raw(name), default
        if text is not None:
            try:
                value = float(text)
            except ValueError:
                raise DomainError(f"{name} must be a number.", field=name) from None
            if not (math.isfinite(value) and least <= value <= most):
                raise DomainError(f"{name} must be between {least} and {most}.", field=name)
        self.used[name] = value
        return value

    def day(self, name: str, default: date | None = None) -> date | None:
        """A date as YYYY-MM-DD, not in the future."""
        text, value = self.raw(name), default
        if text is not None:
            try:
                value = date.fromisoformat(text)
            except ValueError:
                raise DomainError(f"{name} must be a date as YYYY-MM-DD.", field=name) from None
            if value > q.today():
                raise DomainError(f"{name} cannot be in the future.", field=name)
        self.used[name] = value
        return value

    def choice(self, name: str, options: tuple[str, ...], default: str) -> str:
        """One of a few words."""
        value = self.raw(name) or default
        if value not in options:
            raise DomainError(f"{name} must be one of: {', '.join(options)}.", field=name)
        self.used[name] = value
        return value

    def text(self, name: str, most: int = 64) -> str | None:
        """Free text (a code, a search), length-checked."""
        value = self.raw(name)
        if value is not None and len(value) > most:
            raise DomainError(f"{name} is longer than {most} characters.", field=name)
        self.used[name] = value
        return value

    def flag(self, name: str) -> bool:
        """A yes/no switch: 1, true, yes, on."""
        value = (self.raw(name) or "").lower() in ("1", "true", "yes", "on")
        self.used[name] = value
        return value
