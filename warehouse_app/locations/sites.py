"""The warehouses as a user's or a token's rights name them.

auth keeps those rights as warehouse ids and knows no locations; these answer what it asks of
them (a warehouse by its code, every warehouse, their codes, the locations inside them). They
are given to auth when the locations' blueprint is registered.
"""
from sqlalchemy import Select, select

from warehouse_app.auth import warehouses
from warehouse_app.extensions import db
from warehouse_app.locations import bp
from warehouse_app.locations.models import Location, LocationKind


def warehouse(code: str) -> Location | None:
    """The warehouse with this code (None when no location has it, or it is no warehouse)."""
    location = db.session.scalar(select(Location).where(Location.code == code))
    return location if location is not None and location.kind is LocationKind.WAREHOUSE else None


def every() -> list[Location]:
    """Every active warehouse, by code."""
    return list(db.session.scalars(select(Location).where(
        Location.kind == LocationKind.WAREHOUSE, Location.active).order_by(Location.code)))


def codes(ids) -> list[str]:
    """The codes of these locations, in order."""
    return list(db.session.scalars(select(Location.code).where(Location.id.in_(sorted(ids)))
                                   .order_by(Location.code)))


def inside(ids) -> Select:
    """The ids of every location in these warehouses (a subquery)."""
    return select(Location.id).where(Location.warehouse_id.in_(sorted(ids)))


@bp.record_once
def _name_the_warehouses(state) -> None:
    """Users' and tokens' rights name their warehouses through this module."""
    warehouses.provide(state.app, warehouse=warehouse, every=every, codes=codes, inside=inside)
