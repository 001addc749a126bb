"""Webhook endpoints through the API: add, list, enable or disable, and read the delivery log.

Admins only, and only with a token kept to no warehouses: an endpoint receives the events of
every warehouse (403 other_warehouse for a token kept to some).

What the admin's webhook page does, for an integrator's set-up script. The signing secret is
in the answer to the POST only, as on the page.
"""
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from warehouse_app.api.fields import text
from warehouse_app.api.paging import PageArgs, page_schema, paginate
from warehouse_app.api.wiring import blueprint
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.auth.warehouses import every_required
from warehouse_app.extensions import db
from warehouse_app.integrations import webhooks
from warehouse_app.integrations.models import EVENTS, Delivery, DeliveryStatus, WebhookEndpoint

blp = blueprint("webhooks", "/webhooks", "Signed events sent to other systems, and their log.")


class EndpointIn(Schema):
    url = text(500, required=True)
    events = fields.List(fields.String(validate=validate.OneOf(EVENTS)),
                         validate=validate.Length(min=1, max=len(EVENTS)),
                         metadata={"description": "Default: every event"})


class EndpointPatch(Schema):
    active = fields.Boolean(required=True)


class EndpointOut(Schema):
    id = fields.Integer()
    url = fields.String()
    events = fields.Method("event_list", metadata={"type": "array", "items": {"type": "string"}})
    active = fields.Boolean()
    created_at = fields.DateTime()

    def event_list(self, endpoint) -> list[str]:
        return endpoint.events.split()


class NewEndpointOut(EndpointOut):
    secret = fields.String(metadata={"description": "Signs every delivery (HMAC-SHA256); "
                                                    "shown only now"})


class DeliveryArgs(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in DeliveryStatus]))


class DeliveryOut(Schema):
    id = fields.Integer()
    event = fields.Function(lambda d: d.event.event)
    event_id = fields.Integer()
    status = fields.Function(lambda d: d.status.value,
                             metadata={"enum": [s.value for s in DeliveryStatus]})
    attempts = fields.Integer()
    last_status = fields.Integer(allow_none=True, metadata={"description": "HTTP status"})
    last_error = fields.String()
    next_attempt_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)


@blp.route("", methods=["GET"])
@blp.response(200, EndpointOut(many=True))
@role_required(Role.ADMIN)
@every_required("Webhooks")  # they carry the events of every warehouse
def list_endpoints():
    """Every endpoint, enabled or not (secrets are never shown again)."""
    return db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()


@blp.route("", methods=["POST"])
@role_required(Role.ADMIN)
@every_required("Webhooks")  # they carry the events of every warehouse
@blp.arguments(EndpointIn)
@blp.response(201, NewEndpointOut)
def add_endpoint(data):
    """Add an endpoint for some events (all by default); its secret is in this answer only."""
    endpoint = webhooks.create_endpoint(data["url"], data.get("events"))
    db.session.commit()
    return endpoint


@blp.route("/<int:endpoint_id>", methods=["PATCH"])
@role_required(Role.ADMIN)
@every_required("Webhooks")  # they carry the events of every warehouse
@blp.arguments(EndpointPatch)
@blp.response(200, EndpointOut)
def set_active(data, endpoint_id: int):
    """Disable an endpoint (its pending deliveries wait) or enable it again."""
    endpoint = webhooks.endpoint_by_id(endpoint_id)
    endpoint.active = data["active"]
    db.session.commit()
    return endpoint


@blp.route("/<int:endpoint_id>/deliveries", methods=["GET"])
@role_required(Role.ADMIN)
@every_required("Webhooks")  # they carry the events of every warehouse
@blp.arguments(DeliveryArgs, location="query")
@blp.response(200, page_schema(DeliveryOut, "DeliveryPage"))
def deliveries(args, endpoint_id: int):
    """An endpoint's delivery log, newest first: attempts, last HTTP status, last error."""
    endpoint = webhooks.endpoint_by_id(endpoint_id)
    query = (select(Delivery).where(Delivery.endpoint_id == endpoint.id)
             .order_by(Delivery.id.desc()))
    if args.get("status"):
        query = query.where(Delivery.status == DeliveryStatus(args["status"]))
    return paginate(query, args["page"], args["per_page"])
