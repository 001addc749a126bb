"""Pieces of set-based ledger queries shared by reports, reorder points and alerts.

Every report is a GROUP BY over `movement`; these build its columns. Demand is what went to
customers net of what came back: a pick (or a reversed return) to the Customer location counts
+qty, a return (or a reversed pick) from it counts -qty. Dates are UTC days.
"""
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, String, case, cast, func, literal, select
from sqlalchemy.sql import ColumnElement

from warehouse_app.extensions import db
from warehouse_app.ledger.models import Movement
from warehouse_app.locations.models import PHYSICAL_KINDS, Location, LocationKind
from warehouse_app.models import utcnow

M = Movement.__table__


def virtual_ids() -> dict[LocationKind, list[int]]:
    """Ids of the virtual locations, by kind (a handful of rows)."""
    found: dict[LocationKind, list[int]] = {}
    rows = db.session.execute(select(Location.id, Location.kind)
                              .where(Location.kind.not_in(PHYSICAL_KINDS)))
    for location_id, kind in rows:
        found.setdefault(kind, []).append(location_id)
    return found


def ids_of(virtual: dict, *kinds: LocationKind) -> list[int]:
    """The ids of some virtual kinds, never empty (-1 matches nothing)."""
    return [i for kind in kinds for i in virtual.get(kind, [])] or [-1]


def all_virtual(virtual: dict) -> list[int]:
    """Every virtual location id."""
    return [i for ids in virtual.values() for i in ids] or [-1]


def demand(virtual: dict) -> ColumnElement:
    """Units to customers net of returns, for one movement row."""
    customers = ids_of(virtual, LocationKind.CUSTOMER)
    return case((M.c.to_location_id.in_(customers), M.c.qty),
                (M.c.from_location_id.in_(customers), -M.c.qty), else_=0)


def touches_customer(virtual: dict) -> ColumnElement:
    """A movement to or from a customer."""
    customers = ids_of(virtual, LocationKind.CUSTOMER)
    return M.c.to_location_id.in_(customers) | M.c.from_location_id.in_(customers)


def physical_delta(virtual: dict) -> ColumnElement:
    """How much one movement changed the product's total physical stock."""
    outside = all_virtual(virtual)
    return (case((M.c.to_location_id.not_in(outside), M.c.qty), else_=0)
            - case((M.c.from_location_id.not_in(outside), M.c.qty), else_=0))


def engine() -> str:
    """The dialect name of the session's database."""
    return db.session.get_bind().dialect.name


def day_of(column) -> ColumnElement:
    """The UTC calendar day of a timestamp column."""
    if engine() == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def month_of(column) -> ColumnElement:
    """'YYYY-MM' of a timestamp column, in UTC."""
    if engine() == "postgresql":
        return func.to_char(func.timezone("UTC", column), literal("YYYY-MM"))
    return cast(func.strftime("%Y-%m", column), String)


def as_date(value) -> date | None:
    """A day read back from either engine (SQLite answers text)."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of a day."""
    return datetime.combine(day, time(), UTC)


def today() -> date:
    """Today in UTC."""
    return utcnow().date()


def window(days: int, end: date | None = None) -> tuple[datetime, datetime]:
    """The last `days` complete days before `end` (today by default), as [start, stop)."""
    stop = start_of(end or today())
    return stop - timedelta(days=days), stop
