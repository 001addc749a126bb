"""Purchase orders: expected receipts (supervisor creates, anyone reads and receives), and the
discrepancies a supervisor accepts or dismisses."""
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from warehouse_app.api.fields import PathString, text
from warehouse_app.api.orders import known_reference, printable_text
from warehouse_app.api.paging import PageArgs, page_schema, paginate
from warehouse_app.api.schemas import CostOut, count
from warehouse_app.api.wiring import blueprint
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.catalog.models import Supplier
from warehouse_app.errors import NotFound
from warehouse_app.extensions import db
from warehouse_app.ledger.inputs import money
from warehouse_app.ledger.movements import MAX_QTY
from warehouse_app.orders import purchasing
from warehouse_app.orders.documents import MAX_LINES, po_by_reference, pos_of_caller
from warehouse_app.orders.inputs import RECEIPT_IN
from warehouse_app.orders.models import (
    Discrepancy,
    DiscrepancyKind,
    DiscrepancyStatus,
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
)

blp = blueprint("purchase_orders", "/purchase-orders",
                "Purchase orders: what suppliers are expected to deliver.")
blp.before_request(known_reference)


class POLineIn(Schema):
    sku = printable_text(64, required=True)
    qty = count(1, MAX_QTY, required=True)
    unit_cost = money(allow_none=True, metadata={"description": "Default: the product's cost"})


class POIn(Schema):
    """A new purchase order (supervisor or above)."""

    reference = text(64, required=True)
    supplier = text(120, required=True)
    warehouse = printable_text(40, allow_none=True,
                               metadata={"description": "Delivered to (code)"})
    expected_date = fields.Date(allow_none=True)
    lines = fields.List(fields.Nested(POLineIn), required=True,
                        validate=validate.Length(min=1, max=MAX_LINES))


class POLineOut(Schema):
    sku = PathString(attribute="product.sku")
    name = PathString(attribute="product.name")
    qty = fields.Integer()
    received = fields.Integer()
    remaining = fields.Integer()
    unit_cost = CostOut()


class DiscrepancyOut(Schema):
    id = fields.Integer()
    kind = fields.Enum(DiscrepancyKind, by_value=True)
    status = fields.Enum(DiscrepancyStatus, by_value=True)
    code = fields.String(metadata={"description": "What was scanned"})
    sku = PathString(attribute="product.sku", allow_none=True)
    qty = fields.Integer()
    expected = fields.Integer(metadata={"description": "What the PO still expected then"})
    location = PathString(attribute="location.code")
    lot = fields.String(allow_none=True)
    expiry = fields.Date(allow_none=True)
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    movement_id = fields.Integer(allow_none=True,
                                 metadata={"description": "The receipt posted on accepting it"})


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


class POQuery(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in POStatus]))
    supplier = printable_text(120, metadata={"description": "Supplier name contains this"})


class ReceiptLineOut(Schema):
    sku = PathString(attribute="product.sku")
    qty = fields.Integer()
    received = fields.Integer()
    remaining = fields.Integer()


class ReceiptOut(Schema):
    movement_id = fields.Integer(allow_none=True, metadata={"description": "Null when held"})
    discrepancy = fields.Nested(DiscrepancyOut, allow_none=True,
                                metadata={"description": "Held for a supervisor instead"})
    line = fields.Nested(ReceiptLineOut, allow_none=True)
    po_status = fields.Enum(POStatus, by_value=True)
    replayed = fields.Boolean()


class AcceptIn(Schema):
    sku = printable_text(64, allow_none=True, metadata={
        "description": "The product an unknown code is (required for unknown_product)"})
    qty = count(1, MAX_QTY, allow_none=True,
                metadata={"description": "Receive only part of what was held (default: all)"})


class DecisionOut(DiscrepancyOut):
    """A discrepancy once decided, with the purchase order it belongs to."""

    purchase_order = PathString(attribute="purchase_order.reference")
    po_status = fields.Enum(POStatus, by_value=True, attribute="purchase_order.status")


POPage = page_schema(POOut, "POPage")


@blp.route("", methods=["GET"])
@blp.arguments(POQuery, location="query")
@blp.response(200, POPage)
def list_pos(args):
    """Purchase orders, newest first, filtered by status and supplier name; only those
    delivered to the caller's warehouses (or to none named)."""
    query = (select(PurchaseOrder).order_by(PurchaseOrder.created_at.desc(),
                                            PurchaseOrder.id.desc())
             .options(selectinload(PurchaseOrder.supplier), selectinload(PurchaseOrder.warehouse),
                      selectinload(PurchaseOrder.lines).selectinload(PurchaseOrderLine.product))
             .where(pos_of_caller()))  # delivered to the caller's warehouses (or to none named)
    if "status" in args:
        query = query.where(PurchaseOrder.status == POStatus(args["status"]))
    if args.get("supplier"):
        query = query.join(Supplier, PurchaseOrder.supplier_id == Supplier.id).where(
            Supplier.name.icontains(args["supplier"].strip(), autoescape=True))
    return paginate(query, args["page"], args["per_page"])


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


@blp.route("/<reference>/receipts", methods=["POST"])
@blp.arguments(RECEIPT_IN)
@blp.response(201, ReceiptOut)
@blp.alt_response(202, schema=ReceiptOut, description="Not received: held as a discrepancy "
                  "(unknown_product, not_on_order, over_receipt) for a supervisor")
@blp.alt_response(200, schema=ReceiptOut,
                  description="This client_op_id was received before: the first result")
def receive_line(data, reference):
    """Receive one scanned line into a bin (409 po_closed; 422 wrong_bin or wrong_scan)."""
    po = po_by_reference(reference)
    done = purchasing.receive(po, data, current_user._get_current_object())
    db.session.commit()  # a discrepancy is kept: the supervisor decides on it
    answer = {"movement_id": done.movement.id if done.movement else None,
              "discrepancy": done.discrepancy, "line": done.line, "po_status": po.status,
              "replayed": done.replayed}
    if done.replayed:
        return answer, 200
    return answer, 202 if done.movement is None else 201


@blp.route("/discrepancies/<int:discrepancy_id>/accept", methods=["POST"])
@role_required(Role.SUPERVISOR)
@blp.arguments(AcceptIn, required=False)
@blp.response(200, DecisionOut)
def accept_discrepancy(data, discrepancy_id):
    """Accept a held receipt line, or part of it (supervisor): the receipt posts on the PO
    (409 resolved once decided)."""
    flagged = _discrepancy(discrepancy_id)
    purchasing.accept(flagged, current_user._get_current_object(), data.get("sku"),
                      data.get("qty"))
    db.session.commit()
    return flagged


@blp.route("/discrepancies/<int:discrepancy_id>/dismiss", methods=["POST"])
@role_required(Role.SUPERVISOR)
@blp.response(200, DecisionOut)
def dismiss_discrepancy(discrepancy_id):
    """Refuse a held receipt line (supervisor): nothing posts (409 resolved once decided)."""
    flagged = purchasing.dismiss(_discrepancy(discrepancy_id), current_user._get_current_object())
    db.session.commit()
    return flagged


def _discrepancy(discrepancy_id: int) -> Discrepancy:
    found = db.session.get(Discrepancy, discrepancy_id)  # routes bound <int:> to an id's range
    if found is None:
        raise NotFound(f"No discrepancy {discrepancy_id}.", field="discrepancy")
    return found
