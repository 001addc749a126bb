"""Locations: the warehouse > zone > bin tree (and, by kind, the virtual ends)."""
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from warehouse_app.api.fields import StrictBoolean, text
from warehouse_app.api.paging import PageArgs, page_schema, paginate
from warehouse_app.api.schemas import LocationCreateSchema, LocationSchema, count
from warehouse_app.api.wiring import blueprint
from warehouse_app.auth import warehouses
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.extensions import db
from warehouse_app.locations import editing, places
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
    parent = places.by_code(data["parent"], field="parent") if data.get("parent") else None
    editing.check_place(parent)
    location = places.create(data["code"], LocationKind(data["kind"]), name=data.get("name", ""),
                             parent=parent, sequence=data.get("sequence", 0),
                             capacity=data.get("capacity"), hold=data.get("hold", False))
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


class LocationPatchSchema(Schema):
    """What may change about a location (its code and kind stay)."""

    name = text(120)
    sequence = count(0, 1_000_000, metadata={"description": "Walking order among siblings"})
    capacity = count(1, 1_000_000_000, allow_none=True, metadata={
        "description": "Units it holds at most; null: no limit"})
    active = StrictBoolean(metadata={"description": "false deactivates it and everything "
                                                    "below it (only when empty)"})
    hold = StrictBoolean(metadata={"description": "true: a hold bin (returns, quarantine, "
                                                  "damaged); its stock is not available"})


@blp.route("/<path:code>", methods=["PATCH"])
@role_required(Role.SUPERVISOR)
@blp.arguments(LocationPatchSchema)
@blp.response(200, LocationSchema)
def update_location(data, code):
    """Rename, re-sequence, set the capacity of, deactivate or reactivate a location
    (supervisor or above), as its page does."""
    location = places.by_code(code, field="code")
    warehouses.check(location, field="code")
    changes = {key: ("" if data[key] is None else data[key]) for key in editing.EDITABLE
               if key in data}
    if changes:
        editing.update(location, changes)
    if "active" in data:
        editing.set_active(location, data["active"])
    db.session.commit()
    return location
