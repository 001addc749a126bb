"""Customer orders: place (reserving stock), read, cancel, pick list, ship, re-route."""
from flask_login import current_user
from marshmallow import Schema, fields, validate

from warehouse_app.api.fields import PathString, StrictBoolean, text
from warehouse_app.api.schemas import count
from warehouse_app.api.wiring import blueprint
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.extensions import db
from warehouse_app.ledger.movements import MAX_QTY
from warehouse_app.orders import picklists, reserving, shipping
from warehouse_app.orders.documents import MAX_LINES, order_by_reference
from warehouse_app.orders.models import OrderStatus

blp = blueprint("orders", "/orders", "Customer orders: reservations, routing, picking, shipping.")


class OrderLineIn(Schema):
    sku = text(64, required=True)
    qty = count(1, MAX_QTY, required=True)


class OrderIn(Schema):
    """A new order: it reserves its stock at once, or is refused with 409."""

    reference = text(64, required=True)
    lines = fields.List(fields.Nested(OrderLineIn), required=True,
                        validate=validate.Length(min=1, max=MAX_LINES))
    warehouse = text(40, allow_none=True, metadata={
        "description": "Ship from this warehouse (code); else the app chooses"})
    customer = text(200)
    address = text(1000)
    postcode = text(20)
    latitude = fields.Float(allow_none=True, validate=validate.Range(-90, 90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(-180, 180))
    allow_backorder = StrictBoolean(metadata={
        "description": "Reserve what exists; the rest waits instead of a 409"})
    allow_split = StrictBoolean(metadata={
        "description": "Accept a split across warehouses when none ships it complete"})


class OrderLineOut(Schema):
    sku = PathString(attribute="product.sku")
    name = PathString(attribute="product.name")
    warehouse = PathString(attribute="warehouse.code")
    qty = fields.Integer()
    reserved = fields.Integer(metadata={"description": "Units reserved, staged ones included"})
    picked = fields.Integer()
    staged = fields.Integer(metadata={"description": "Picked to the packing bin, not shipped"})
    shipped = fields.Integer()
    to_pick = fields.Integer()
    waiting = fields.Integer(metadata={"description": "Backordered: not reserved yet"})


class OrderOut(Schema):
    reference = fields.String()
    status = fields.Enum(OrderStatus, by_value=True)
    customer = fields.String()
    address = fields.String()
    postcode = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    allow_backorder = fields.Boolean()
    warehouse = fields.Method("one_warehouse", allow_none=True,
                              metadata={"description": "Null when split across several"})
    warehouses = fields.Method("all_warehouses")
    wave = PathString(attribute="wave.code", allow_none=True)
    carrier = fields.String()
    tracking = fields.String()
    created_at = fields.DateTime()
    packed_at = fields.DateTime(allow_none=True)
    shipped_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(OrderLineOut))

    def one_warehouse(self, order):
        codes = self.all_warehouses(order)
        return codes[0] if len(codes) == 1 else None

    def all_warehouses(self, order):
        return [w.code for w in order.warehouses]


class BinOut(Schema):
    location = fields.String()
    qty = fields.Integer()
    lot = fields.String(allow_none=True)
    expiry = fields.String(allow_none=True)


class PickLineOut(Schema):
    sku = fields.String()
    name = fields.String()
    warehouse = fields.String()
    qty = fields.Integer(metadata={"description": "Units still to pick"})
    short = fields.Integer(metadata={"description": "Units no offered bin can supply"})
    bins = fields.List(fields.Nested(BinOut), metadata={"description": "In walking order"})


class PickListOut(Schema):
    order = fields.String()
    status = fields.String()
    lines = fields.List(fields.Nested(PickLineOut))


class ShipIn(Schema):
    carrier = text(60, required=True)
    tracking = text(100, required=True)


class RouteIn(Schema):
    warehouse = text(40, required=True)


def _user():
    return current_user._get_current_object()


@blp.route("", methods=["POST"])
@blp.arguments(OrderIn)
@blp.response(201, OrderOut)
def place_order(data):
    """Place an order: reserve every line, or 409 insufficient_stock listing the short lines
    (split_proposed when several warehouses together could ship it)."""
    order = reserving.place(data, _user())
    # The answer is what was just written: keep it loaded rather than read it all back (on
    # SQLite that would be a second write transaction, holding the lock while it serialises).
    db.session().expire_on_commit = False
    db.session.commit()
    return order


@blp.route("/<reference>", methods=["GET"])
@blp.response(200, OrderOut)
def get_order(reference):
    """One order with its lines and where each ships from."""
    return order_by_reference(reference)


@blp.route("/<reference>/cancel", methods=["POST"])
@blp.response(200, OrderOut)
def cancel_order(reference):
    """Cancel an order and release its reservations (409 once stock has left)."""
    order = reserving.cancel(order_by_reference(reference), _user())
    db.session.commit()
    return order


@blp.route("/<reference>/picklist", methods=["GET"])
@blp.response(200, PickListOut)
def picklist(reference):
    """The lines still to pick, each with the bins to take it from, in walking order."""
    order = order_by_reference(reference)
    return {"order": order.reference, "status": order.status.value,
            "lines": picklists.for_order(order)}


@blp.route("/<reference>/ship", methods=["POST"])
@blp.arguments(ShipIn)
@blp.response(200, OrderOut)
def ship_order(data, reference):
    """Ship what was picked with a carrier and tracking number; unpicked units are released."""
    order = shipping.ship(order_by_reference(reference), data["carrier"], data["tracking"],
                          _user())
    db.session.commit()
    return order


@blp.route("/<reference>/route", methods=["POST"])
@role_required(Role.SUPERVISOR)
@blp.arguments(RouteIn)
@blp.response(200, OrderOut)
def reroute_order(data, reference):
    """Re-route an order to another warehouse (supervisor): release here, reserve there."""
    order = reserving.reroute(order_by_reference(reference), data["warehouse"], _user())
    db.session.commit()
    return order
