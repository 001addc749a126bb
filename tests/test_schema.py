"""The schema comes only from migrations, and the migrations match the models on each engine."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from warehouse_app.extensions import db as _db


def test_migrations_match_the_models(db):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, _db.metadata)
    assert diff == []


def test_virtual_locations_come_with_the_first_migration(db):
    from warehouse_app.locations.models import Location
    codes = set(db.session.scalars(db.select(Location.code)))
    assert {"SUPPLIER", "CUSTOMER", "ADJUSTMENT", "SCRAP", "COUNT"} <= codes
