"""Purchase orders: expected receipts to receive against (supervisor creates, anyone reads)."""
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from warehouse_app.api.fields import PathString, text
from warehouse_app.api.schemas import MONEY_OUT, count, money
from warehouse_app.api.wiring import blueprint
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.extensions import db
from warehouse_app.ledger.movements import MAX_QTY
from warehouse_app.orders import purchasing
from warehouse_app.orders.documents import MAX_LINES, po_by_reference
from warehouse_app.orders.models import Discrepancy, DiscrepancyKind, DiscrepancyStatus, POStatus

blp = blueprint("purchase_orders", "/purchase-orders",
                "Purchase orders: what suppliers are expected to deliver.")


class POLineIn(Schema):
    sku = text(64, required=True)
    qty = count(1, MAX_QTY, required=True)
    unit_cost = money(allow_none=True, metadata={"description": "Default: the product's cost"})


class POIn(Schema):
    """A new purchase order (supervisor or above)."""

    reference = text(64, required=True)
    supplier = text(120, required=True)
    warehouse = text(40, allow_none=True, metadata={"description": "Delivered to (code)"})
    expected_date = fields.Date(allow_none=True)
    lines = fields.List(fields.Nested(POLineIn), required=True,
                        validate=validate.Length(min=1, max=MAX_LINES))


class POLineOut(Schema):
    sku = PathString(attribute="product.sku")
    name = PathString(attribute="product.name")
    qty = fields.Integer()
    received = fields.Integer()
    remaining = fields.Integer()
    unit_cost = fields.Decimal(as_string=True, metadata=MONEY_OUT)


class DiscrepancyOut(Schema):
    id = fields.Integer()
    kind = fields.Enum(DiscrepancyKind, by_value=True)
    status = fields.Enum(DiscrepancyStatus, by_value=True)
    code = fields.String(metadata={"description": "What was scanned"})
    sku = PathString(attribute="product.sku", allow_none=True)
    qty = fields.Integer()
    expected = fields.Integer(metadata={"description": "What the PO still expected then"})
    location = PathString(attribute="location.code")
    created_at = fields.DateTime()


class POOut(Schema):
    reference = fields.String()
    supplier = PathString(attribute="supplier.name")
    warehouse = PathString(attribute="warehouse.code", allow_none=True)
    expected_date = fields.Date(allow_none=True)
    status = fields.Enum(POStatus, by_value=True)
    created_at = fields.DateTime()
    lines = fields.List(fields.Nested(POLineOut))
    discrepancies = fields.Method("flagged")

    def flagged(self, po):
        rows = db.session.scalars(select(Discrepancy).where(
            Discrepancy.purchase_order_id == po.id).order_by(Discrepancy.id))
        return DiscrepancyOut(many=True).dump(rows)


@blp.route("", methods=["POST"])
@role_required(Role.SUPERVISOR)
@blp.arguments(POIn)
@blp.response(201, POOut)
def create_po(data):
    """Create a purchase order (supervisor or above); a reference already used is a 409."""
    po = purchasing.create(data, current_user._get_current_object())
    db.session.commit()
    return po


@blp.route("/<reference>", methods=["GET"])
@blp.response(200, POOut)
def get_po(reference):
    """One purchase order: what is expected, received, and flagged."""
    return po_by_reference(reference)


@blp.route("/<reference>/close", methods=["POST"])
@role_required(Role.SUPERVISOR)
@blp.response(200, POOut)
def close_po(reference):
    """Expect nothing more on this purchase order (supervisor or above)."""
    po = purchasing.close(po_by_reference(reference), current_user._get_current_object())
    db.session.commit()
    return po
