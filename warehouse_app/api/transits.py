"""Transits: stock on its way between warehouses, dispatched at one and received at the other."""
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from warehouse_app.api.fields import PathString, text
from warehouse_app.api.schemas import count
from warehouse_app.api.wiring import blueprint
from warehouse_app.catalog import products
from warehouse_app.extensions import db
from warehouse_app.ledger import transit
from warehouse_app.ledger.models import Transit, TransitStatus
from warehouse_app.ledger.movements import MAX_QTY
from warehouse_app.locations import places

blp = blueprint("transits", "/transits", "Stock in transit between warehouses.")


class TransitSchema(Schema):
    code = fields.String()
    status = fields.Enum(TransitStatus, by_value=True)
    sku = PathString(attribute="product.sku")
    lot = PathString(attribute="lot.code", allow_none=True)
    qty = fields.Integer()
    from_location = PathString(attribute="from_location.code")
    to_warehouse = PathString(attribute="to_warehouse.code")
    via_location = PathString(attribute="via_location.code",
                              metadata={"description": "The destination's transit bin"})
    to_location = PathString(attribute="to_location.code", allow_none=True)
    dispatched_at = fields.DateTime()
    received_at = fields.DateTime(allow_none=True)


class DispatchIn(Schema):
    sku = text(64, required=True)
    qty = count(1, MAX_QTY, required=True)
    from_location = text(40, required=True, metadata={"description": "A bin of the source"})
    to_warehouse = text(40, required=True, metadata={"description": "The destination warehouse"})
    lot = text(64, allow_none=True)
    client_op_id = text(64, allow_none=True)


class ReceiveIn(Schema):
    location = text(40, required=True, metadata={"description": "A bin of the destination"})


class TransitQuery(Schema):
    status = fields.String(validate=validate.OneOf([s.value for s in TransitStatus]))


@blp.route("", methods=["POST"])
@blp.arguments(DispatchIn)
@blp.response(201, TransitSchema)
def dispatch(data):
    """Dispatch stock from a bin towards another warehouse: it is in transit until received."""
    found = transit.dispatch(products.by_sku(data["sku"], field="sku"), data["qty"],
                             places.by_code(data["from_location"], field="from_location"),
                             data["to_warehouse"], lot=data.get("lot"),
                             user=current_user._get_current_object(),
                             client_op_id=data.get("client_op_id"))
    db.session.commit()
    return found


@blp.route("", methods=["GET"])
@blp.arguments(TransitQuery, location="query")
@blp.response(200, TransitSchema(many=True))
def list_transits(args):
    """Transits, oldest first: by default those still in transit."""
    status = TransitStatus(args.get("status", TransitStatus.IN_TRANSIT.value))
    return db.session.scalars(select(Transit).where(Transit.status == status, transit.callers())
                              .order_by(Transit.id).limit(500)).all()


@blp.route("/<code>", methods=["GET"])
@blp.response(200, TransitSchema)
def get_transit(code):
    """One transit by its code."""
    return transit.by_code(code)


@blp.route("/<code>/receive", methods=["POST"])
@blp.arguments(ReceiveIn)
@blp.response(200, TransitSchema)
def receive(data, code):
    """Receive a transit into a bin of its destination (409 not_in_transit when it was)."""
    found = transit.receive(transit.by_code(code), data["location"],
                            user=current_user._get_current_object())
    db.session.commit()
    return found
