"""The shared app of a test process (tests/conftest.py `app`): each test gets its own empty
database, whatever the tests before it did."""
import pytest
from sqlalchemy import func, select, text

from warehouse_app.catalog.models import Product


@pytest.mark.parametrize("turn", [1, 2, 3])
def test_each_test_starts_on_its_own_empty_database(db, make_product, database_url, turn):
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0
    if database_url.startswith("sqlite"):
        files = [row[2] for row in db.session.execute(text("PRAGMA database_list"))]
        assert files[0] == database_url.removeprefix("sqlite:///")
    make_product(f"LEFT-BEHIND-{turn}")  # the next turn must not see it


@pytest.mark.parametrize("turn", [1, 2])
def test_a_setting_changed_by_a_test_is_back_for_the_next(app, turn):
    assert app.config["WTF_CSRF_ENABLED"] is not False
    app.config["WTF_CSRF_ENABLED"] = False
