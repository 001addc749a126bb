"""Count reports: accuracy per month, counts and adjustments per person, bad periods."""
from datetime import date

import pytest

from tests.counting.conftest import submit
from warehouse_app.counting import approval, reports
from warehouse_app.errors import DomainError
from warehouse_app.insight import ledgerq as q

# History "n days ago" and "this month" are read on a fixed day (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def counted(db, floor, open_count, tally):
    """Pat counts A-1 (10 MUG: 10 found) and A-2 (100 TEE at 2.00: 99 found, posted);
    Sam counts B-1 (5 MUG: 2 found, approved by the boss)."""
    floor.put(floor.p.mug, floor.bins.a1, 10)
    floor.put(floor.p.tee, floor.bins.a2, 100)
    floor.put(floor.p.mug, floor.bins.b1, 5)
    count = open_count("A-1", "A-2", "B-1")
    tally(count, "A-1", {"MUG": 10})
    tally(count, "A-2", {"TEE": 99})
    tally(count, "B-1", {"MUG": 2}, user=floor.u.sam)
    submit(db, count, floor.u.pat)
    approval.approve(count, floor.u.boss, "ok")
    db.session.commit()
    return count


def test_accuracy_is_the_share_of_lines_matching(db, counted):
    table = reports.run("accuracy", {})
    month = q.today().strftime("%Y-%m")
    assert table.rows == [{"month": month, "lines": 3, "matching": 1, "accuracy_pct": 33.3,
                           "within_tolerance_pct": 66.7, "units_off": 4, "value_off": 8.0}]
    assert table.totals == {"lines": 3, "matching": 1, "accuracy_pct": 33.3}


def test_counts_and_adjustments_by_person(db, counted):
    rows = {r["user"]: r for r in reports.run("users", {}).rows}
    assert (rows["pat"]["bins_counted"], rows["pat"]["lines_counted"],
            rows["pat"]["accuracy_pct"], rows["pat"]["units_missing"]) == (2, 2, 50.0, 1)
    assert (rows["pat"]["adjustments_posted"], rows["pat"]["units_out"],
            rows["pat"]["value"]) == (1, 1, -2.0)
    assert (rows["sam"]["bins_counted"], rows["sam"]["units_missing"],
            rows["sam"]["adjustments_posted"]) == (1, 3, 0)
    assert (rows["boss"]["adjustments_posted"], rows["boss"]["units_out"],
            rows["boss"]["value"]) == (1, 3, -6.0)


def test_an_empty_period_reports_nothing(db, counted):
    assert reports.run("accuracy", {"since": "2001-01-01", "until": "2001-12-31"}).rows == []


@pytest.mark.parametrize("args", [{"since": "yesterday"}, {"until": "2020-13-01"},
                                  {"since": "2024-02-01", "until": "2024-01-01"}])
def test_bad_periods_are_refused(db, args):
    with pytest.raises(DomainError):
        reports.period(args)


def test_csv_rows_follow_the_columns(db, counted):
    table = reports.run("accuracy", {"until": date.today().isoformat()})
    assert table.csv_rows()[0][:3] == [q.today().strftime("%Y-%m"), 3, 1]
