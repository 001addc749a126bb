"""Fixed moments for clock-sensitive code: every weekday, month and year ends, and the seconds
either side of midnight UTC. Tests stop the clock at each with time-machine's `time_machine`
fixture (`time_machine.move_to(moment, tick=False)`), so they pass on any day they are run."""
from datetime import UTC, date, datetime, time, timedelta

import pytest

MONDAY = date(2026, 12, 7)


def utc(*parts: int) -> datetime:
    """A UTC moment: utc(2026, 12, 31, 23, 59, 59)."""
    return datetime(*parts, tzinfo=UTC)


WEEKDAYS = {f"{(MONDAY + timedelta(days=d)):%a}-noon": datetime.combine(
    MONDAY + timedelta(days=d), time(12), UTC) for d in range(7)}
EDGES = {
    "sunday-23:59:59": utc(2026, 12, 13, 23, 59, 59),
    "monday-00:00:01": utc(2026, 12, 14, 0, 0, 1),
    "month-end-23:59:59": utc(2026, 11, 30, 23, 59, 59),
    "month-start-00:00:00": utc(2026, 12, 1),
    "year-end-23:59:59": utc(2026, 12, 31, 23, 59, 59),
    "new-year-00:00:01": utc(2027, 1, 1, 0, 0, 1),
    "leap-day-12:00": utc(2028, 2, 29, 12),
}
MOMENTS = {**WEEKDAYS, **EDGES}


def moments():
    """pytest.mark.parametrize over every fixed moment, named for it."""
    return pytest.mark.parametrize("moment", list(MOMENTS.values()), ids=list(MOMENTS))


def monday_of(day: date) -> date:
    """The Monday that starts the ISO week of a day."""
    return day - timedelta(days=day.weekday())
