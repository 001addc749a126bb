"""The speed machinery behind its seam: with it off (SPEED=0) the same app runs on plain
SQLAlchemy and answers alike. The phone's and the API's roads are compared again here
(tests/scanning/test_one_road.py's cases), with the look-ups answered by queries."""
import pytest

from tests.scanning.test_one_road import *  # noqa: F403  (its cases and fixtures, run plain)
from warehouse_app.speed.gate import GatedApp

pytestmark = [pytest.mark.plain, pytest.mark.parametrize("database_url", ["sqlite"],
                                                         indirect=True)]


def test_the_plain_app_has_none_of_it(app):
    assert "speed" not in app.extensions
    assert not isinstance(app.wsgi_app, GatedApp)


def test_a_look_up_by_a_unique_column_is_a_query(app, db, make_product, make_location):
    from sqlalchemy import event

    from warehouse_app.catalog.models import Product
    from warehouse_app.database import one_by, reading_first
    from warehouse_app.locations.models import Location
    product, place = make_product("P-Q"), make_location("A-Q")
    queried = []
    event.listen(db.engine, "before_cursor_execute", seen := lambda conn, cursor, statement, *_:
                 queried.append(statement))
    try:
        with app.test_request_context("/", method="POST"), reading_first():
            assert one_by(Product.sku, "P-Q") is product
            assert one_by(Location.code, "A-Q") is place
            assert one_by(Product.sku, "NOPE") is None
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len([s for s in queried if s.lstrip().upper().startswith("SELECT")]) == 3
