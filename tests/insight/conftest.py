"""Builders for insight tests: a small two-warehouse shop and history posted in the past."""
from datetime import UTC, datetime, time, timedelta

import pytest

from warehouse_app.ledger.models import MovementKind
from warehouse_app.ledger.movements import Line, record


def days_ago(n: int, hour: int = 12) -> datetime:
    """Noon UTC, n days before today."""
    today = datetime.now(UTC).date()
    return datetime.combine(today - timedelta(days=n), time(hour), UTC)


@pytest.fixture(autouse=True)
def _fixed_clock(request):
    """History here is posted "n days ago": it is read back on a fixed day (browser tests keep
    the real clock, which the browser's cookies are checked against)."""
    if "live_server" not in request.fixturenames and "server" not in request.fixturenames:
        request.getfixturevalue("fixed_clock")


@pytest.fixture
def shop(db, make_location, make_product):
    """Two warehouses with a bin each, and a product on a 4-day lead time."""
    wh1 = make_location("WH1", "warehouse")
    wh2 = make_location("WH2", "warehouse")
    bins = {"A": make_location("A-01", parent=wh1), "B": make_location("B-01", parent=wh2)}
    product = make_product("TEE-1", name="Tee", lead_time_days=4, supplier="Acme Textiles",
                           category="Apparel > T-shirts")
    return {"wh1": wh1, "wh2": wh2, **bins, "product": product}


@pytest.fixture
def move(db):
    """Post one movement (optionally in the past) and commit, as a request would."""
    def post(kind: str, product, qty: int, at: datetime | None = None, **ends):
        movement = record(Line(MovementKind(kind), product, qty, at=at, **ends))
        db.session.commit()
        return movement
    return post


@pytest.fixture
def supervisor(login_as):
    return login_as("supervisor")


@pytest.fixture
def headers(api_token):
    """Bearer headers for a role."""
    return api_token
