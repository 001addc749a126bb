"""Customer orders: place (reserving stock), list, read, cancel, pick list, pick, report a
short pick, ship, re-route."""
from datetime import UTC, date, datetime, time, timedelta

from flask import request
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from warehouse_app.api.fields import PathString, text
from warehouse_app.api.paging import PageArgs, page_schema, paginate
from warehouse_app.api.schemas import count
from warehouse_app.api.wiring import blueprint
from warehouse_app.auth import warehouses
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.errors import NotFound
from warehouse_app.extensions import db
from warehouse_app.inputs import printable_text
from warehouse_app.ledger.movements import MAX_QTY
from warehouse_app.orders import picking, picklists, reserving, shipping
from warehouse_app.orders.documents import order_by_reference
from warehouse_app.orders.inputs import ORDER_IN, PICK_IN, line_id
from warehouse_app.orders.models import Order, OrderLine, OrderStatus, PickShortage

blp = blueprint("orders", "/orders", "Customer orders: reservations, routing, picking, shipping.")
def known_reference() -> None:
    """A reference in the URL with a control character names nothing: 404 before any query."""
    reference = (request.view_args or {}).get("reference")
    if isinstance(reference, str) and any(ord(ch) < 32 for ch in reference):
        raise NotFound("No document has control characters in its reference.",
                       field="reference")


blp.before_request(known_reference)  # after the blueprint's guard: credentials come first


class OrderLineOut(Schema):
    line_id = fields.Integer(attribute="id", metadata={"description": "Names the line in picks"})
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
    held_until = fields.DateTime(allow_none=True, metadata={
        "description": "A held order is cancelled after this unless confirmed"})
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
    short = fields.String(validate=validate.OneOf(["backorder", "cancel"]), metadata={
        "description": "With units not picked: backorder (ship the rest later) or cancel "
                       "(drop them); without it such an order is 409 unpicked_units"})


class RouteIn(Schema):
    warehouse = printable_text(40, required=True)


class OrderQuery(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in OrderStatus]))
    since = fields.Date(metadata={"description": "Created on or after this day (UTC)"})
    until = fields.Date(metadata={"description": "Created on or before this day (UTC)"})

    @validates_schema
    def in_order(self, data, **kwargs):
        """since comes before until."""
        if "since" in data and "until" in data and data["since"] > data["until"]:
            raise ValidationError("until is before since.", "until")


class PickPartOut(Schema):
    movement_id = fields.Integer()
    from_location = fields.String()
    lot = fields.String(allow_none=True)
    qty = fields.Integer()


class PickOut(Schema):
    movement_id = fields.Integer()
    line = fields.Integer(metadata={"description": "The order line's line_id"})
    sku = fields.String()
    qty = fields.Integer()
    from_location = fields.String()
    to_location = fields.String(metadata={"description": "The packing bin, or Customer"})
    picked = fields.Integer(metadata={"description": "Units of the line picked so far"})
    to_pick = fields.Integer(metadata={"description": "Reserved units of the line still in bins"})
    order_status = fields.Enum(OrderStatus, by_value=True)
    replayed = fields.Boolean()
    movements = fields.List(fields.Nested(PickPartOut), metadata={
        "description": "Only when location named the warehouse or a zone: the movements the "
                       "pick posted, one per bin (and lot); movement_id is the first's"})


class ShortPickIn(Schema):
    """A bin held less than the ledger said: the units missing for this line there."""

    line = line_id(required=True)
    location = printable_text(40, required=True, metadata={"description": "The bin's code"})
    qty = count(1, MAX_QTY, required=True, metadata={"description": "Units not found"})
    client_op_id = printable_text(64, allow_none=True)


class ShortPickOut(Schema):
    id = fields.Integer()
    line = fields.Integer(metadata={"description": "The order line's line_id"})
    sku = fields.String()
    location = fields.String()
    qty = fields.Integer()
    count_request_id = fields.Integer(metadata={"description": "The bin's count request"})
    replayed = fields.Boolean()


OrderPage = page_schema(OrderOut, "OrderPage")


def _user():
    return current_user._get_current_object()


@blp.route("", methods=["POST"])
@blp.arguments(ORDER_IN)
@blp.response(201, OrderOut)
def place_order(data):
    """Place an order: reserve every line, or 409 insufficient_stock listing the short lines
    (split_proposed when several warehouses together could ship it)."""
    order = reserving.place(data, _user())
    # Reserving in a warehouse the caller is not kept to is refused (and rolled back).
    warehouses.check_document(order, f"Order {order.reference}", "warehouse", every=True)
    # The answer is what was just written: keep it loaded rather than read it all back (on
    # SQLite that would be a second write transaction, holding the lock while it serialises).
    db.session().expire_on_commit = False
    db.session.commit()
    return order


@blp.route("", methods=["GET"])
@blp.arguments(OrderQuery, location="query")
@blp.response(200, OrderPage)
def list_orders(args):
    """Orders, newest first, filtered by status and the day they were created."""
    query = (select(Order).order_by(Order.created_at.desc(), Order.id.desc())
             .options(selectinload(Order.wave),
                      selectinload(Order.lines).selectinload(OrderLine.product),
                      selectinload(Order.lines).selectinload(OrderLine.warehouse)))
    if warehouses.caller() is not None:  # orders shipping from one of the caller's warehouses
        query = query.where(Order.lines.any(warehouses.clause(OrderLine.warehouse_id)))
    if "status" in args:
        query = query.where(Order.status == OrderStatus(args["status"]))
    if "since" in args:
        query = query.where(Order.created_at >= _midnight(args["since"]))
    if "until" in args and args["until"] < date.max:
        query = query.where(Order.created_at < _midnight(args["until"] + timedelta(days=1)))
    return paginate(query, args["page"], args["per_page"])


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


@blp.route("/<reference>", methods=["GET"])
@blp.response(200, OrderOut)
def get_order(reference):
    """One order with its lines and where each ships from."""
    return order_by_reference(reference)


@blp.route("/<reference>/confirm", methods=["POST"])
@blp.response(200, OrderOut)
def confirm_order(reference):
    """Confirm a held order (the sale went through): it can be picked now. Idempotent."""
    order = reserving.confirm(order_by_reference(reference), _user())
    db.session.commit()
    return order


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
    """Ship what was picked with a carrier and tracking number; with units not picked, short
    says whether they wait on a backorder or are cancelled (409 unpicked_units without it)."""
    order = shipping.ship(order_by_reference(reference), data["carrier"], data["tracking"],
                          _user(), short=data.get("short"))
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


@blp.route("/<reference>/picks", methods=["POST"])
@blp.arguments(PICK_IN)
@blp.response(201, PickOut)
@blp.alt_response(200, schema=PickOut,
                  description="This client_op_id was picked before: that pick, unchanged")
def pick_line(data, reference):
    """Pick units of a line from a bin (409 over_pick beyond what is left, order_closed once
    packed, shipped or cancelled; 422 wrong_bin or wrong_product)."""
    done = picking.pick(order_by_reference(reference), data, _user())
    db.session.commit()
    movement, line = done.movement, done.line
    answer = {"movement_id": movement.id, "line": line.id, "sku": movement.product.sku,
              "qty": movement.qty, "from_location": movement.from_location.code,
              "to_location": movement.to_location.code, "picked": line.picked,
              "to_pick": line.to_pick, "order_status": line.order.status,
              "replayed": done.replayed}
    if parts := getattr(movement, "movements", None):  # taken from a warehouse's or zone's bins
        answer["movements"] = [{"movement_id": m.id, "from_location": m.from_location.code,
                                "lot": m.lot.code if m.lot else None, "qty": m.qty}
                               for m in parts]
    return answer, 200 if done.replayed else 201


@blp.route("/<reference>/shortages", methods=["POST"])
@blp.arguments(ShortPickIn)
@blp.response(201, ShortPickOut)
@blp.alt_response(200, schema=ShortPickOut,
                  description="This client_op_id was reported before: that shortage")
def report_short(data, reference):
    """Report units missing from a bin: recorded, and the bin is flagged for a count."""
    order = order_by_reference(reference)
    op = data.get("client_op_id")
    earlier = op and db.session.scalar(select(PickShortage.id)
                                       .where(PickShortage.client_op_id == op))
    shortage = picking.report_short(order, data, _user())
    replayed = bool(earlier) and shortage.id == earlier
    db.session.commit()
    answer = {"id": shortage.id, "line": shortage.line_id, "sku": shortage.line.product.sku,
              "location": shortage.location.code, "qty": shortage.qty,
              "count_request_id": shortage.count_request_id, "replayed": replayed}
    return answer, 200 if replayed else 201
