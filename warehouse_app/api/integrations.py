"""Exports for other systems (the inventory journal, packed orders) and carrier tracking in."""

from flask_login import current_user
from marshmallow import Schema, fields, validate

from warehouse_app.api.fields import text
from warehouse_app.api.openapi import CSV_TOO
from warehouse_app.api.wiring import blueprint
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.auth.warehouses import every_required
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.integrations import exports

blp = blueprint("integrations", "", "Accounting and carrier exports, tracking numbers in.")
CSV = {"200": {"description": "A CSV file", "content": {"text/csv": {"schema": {
    "type": "string"}}}}}
MAX_ROWS = 1000


class PeriodIn(Schema):
    start = fields.String(data_key="from", required=True,
                          metadata={"description": "First day, YYYY-MM-DD"})
    end = fields.String(data_key="to", required=True,
                        metadata={"description": "Last day (included), YYYY-MM-DD"})


class FormatIn(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class ShipmentItemOut(Schema):
    sku = fields.String()
    qty = fields.Integer()


class ShipmentOut(Schema):
    reference = fields.String()
    customer = fields.String()
    address = fields.String()
    postcode = fields.String()
    items = fields.List(fields.Nested(ShipmentItemOut))
    packed_at = fields.String(allow_none=True)


class TrackingRowIn(Schema):
    reference = text(64, required=True)
    carrier = text(60, required=True)
    tracking = text(100, required=True)


class TrackingIn(Schema):
    rows = fields.List(fields.Nested(TrackingRowIn), required=True,
                       validate=validate.Length(min=1, max=MAX_ROWS))


class TrackingOut(Schema):
    shipped = fields.Integer()


@blp.route("/exports/journal.csv", methods=["GET"])
@role_required(Role.SUPERVISOR)
@every_required("The inventory journal")
@blp.arguments(PeriodIn, location="query")
@blp.doc(responses=CSV)
def journal(period):
    """The inventory journal (receipts at cost, COGS of picks, shrinkage) of a period, as CSV."""
    return exports.journal_csv(period["start"], period["end"])


@blp.route("/exports/shipments", methods=["GET"])
@role_required(Role.SUPERVISOR)
@blp.arguments(FormatIn, location="query")
@blp.response(200, ShipmentOut(many=True))
@blp.doc(responses=CSV_TOO)
def shipments(args):
    """Packed orders waiting for a carrier, with their address; ?format=csv for a file."""
    if args["format"] == "csv":
        return exports.shipments_csv()
    return exports.packed_orders()


@blp.route("/shipments/tracking", methods=["POST"])
@role_required(Role.SUPERVISOR)
@blp.arguments(TrackingIn)
@blp.response(200, TrackingOut)
def tracking(data):
    """Tracking numbers from the carrier: each order ships; one bad row refuses them all."""
    user = current_user._get_current_object()
    for number, row in enumerate(data["rows"]):
        try:
            exports.apply_tracking(row, user)
        except DomainError as err:
            db.session.rollback()
            err.message = f"rows.{number}: {err.message}"
            err.field = "rows"
            raise
    db.session.commit()
    return {"shipped": len(data["rows"])}



