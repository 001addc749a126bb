"""The walk through a warehouse's bins: warehouse, then zone sequence, then bin sequence, then
code, at every level of the tree. Pickers (orders) and counters (counting) walk it alike."""
from sqlalchemy import select

from warehouse_app.extensions import db
from warehouse_app.locations.models import Location


def walk_keys(warehouse_ids: set[int]) -> dict[int, tuple]:
    """For every location of these warehouses: its place in the walk, warehouse first."""
    rows = db.session.execute(select(Location.id, Location.parent_id, Location.sequence,
                                     Location.code).where(
        Location.warehouse_id.in_(warehouse_ids))).all()
    parent = {r.id: r.parent_id for r in rows}
    own = {r.id: (r.sequence, r.code) for r in rows}
    keys: dict[int, tuple] = {}

    def key(location_id: int) -> tuple:
        if location_id not in keys:
            up = parent.get(location_id)
            keys[location_id] = (key(up) if up in own else ()) + (own[location_id],)
        return keys[location_id]
    for location_id in own:
        key(location_id)
    return keys
