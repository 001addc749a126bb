"""Locations: the warehouse > zone > bin tree (and, by kind, the virtual ends)."""
from marshmallow import fields, validate
from sqlalchemy import select

from warehouse_app.api.paging import PageArgs, page_schema, paginate
from warehouse_app.api.schemas import LocationSchema
from warehouse_app.api.wiring import blueprint
from warehouse_app.auth import warehouses
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.extensions import db
from warehouse_app.locations import editing, places
from warehouse_app.locations.inputs import LocationCreateSchema, LocationPatchSchema
from warehouse_app.locations.models import PHYSICAL_KINDS, Location, LocationKind

blp = blueprint("locations", "/locations", "Warehouses, zones and bins, named by code.")
LocationPageSchema = page_schema(LocationSchema, "LocationPage")


class LocationQuery(PageArgs):
    kind = fields.String(validate=validate.OneOf([k.value for k in LocationKind]),
                         metadata={"description": "Default: every physical kind"})
    parent = fields.String(validate=validate.Length(max=40),
                           metadata={"description": "Only the direct children of this code"})


@blp.route("", methods=["GET"])
@blp.arguments(LocationQuery, location="query")
@blp.response(200, LocationPageSchema)
def list_locations(args):
    """List locations by code, filtered by kind and parent."""
    query = select(Location).order_by(Location.code)
    if "kind" in args:
        query = query.where(Location.kind == LocationKind(args["kind"]))
    else:
        query = query.where(Location.kind.in_(PHYSICAL_KINDS))
    if "parent" in args:
        parent = places.by_code(args["parent"], field="parent")
        query = query.where(Location.parent_id == parent.id)
    if warehouses.caller() is not None:  # the caller's warehouses and the virtual ends
        query = query.where(Location.warehouse_id.is_(None)
                            | warehouses.clause(Location.warehouse_id))
    return paginate(query, args["page"], args["per_page"])


@blp.route("", methods=["POST"])
@role_required(Role.SUPERVISOR)
@blp.arguments(LocationCreateSchema)
@blp.response(201, LocationSchema)
def create_location(data):
    """Create a warehouse, or a zone or bin under a parent (supervisor or above)."""
    location = editing.create(data)
    db.session.commit()
    return location


@blp.route("/<path:code>", methods=["GET"])
@blp.response(200, LocationSchema)
def get_location(code):
    """One location by code (403 other_warehouse for one of a warehouse the caller is not
    kept to)."""
    location = places.by_code(code, field="code")
    warehouses.check(location, field="code")
    return location


@blp.route("/<path:code>", methods=["PATCH"])
@role_required(Role.SUPERVISOR)
@blp.arguments(LocationPatchSchema)
@blp.response(200, LocationSchema)
def update_location(data, code):
    """Rename, re-sequence, set the capacity of, deactivate or reactivate a location
    (supervisor or above), as its page does."""
    location = places.by_code(code, field="code")
    warehouses.check(location, field="code")
    changes = {key: data[key] for key in editing.EDITABLE if key in data}
    if changes:
        editing.update(location, changes)
    if "active" in data:
        editing.set_active(location, data["active"])
    db.session.commit()
    return location
