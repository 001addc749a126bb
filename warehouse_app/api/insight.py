"""Open alerts and their acknowledgement, and every report as JSON or CSV."""
from flask import Response
from flask_login import current_user
from marshmallow import INCLUDE, Schema, fields, validate

from warehouse_app.api.openapi import CSV_TOO
from warehouse_app.api.paging import PageArgs, page_schema
from warehouse_app.api.wiring import blueprint
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.errors import NotFound
from warehouse_app.extensions import db
from warehouse_app.insight import alerts, reports
from warehouse_app.insight.models import Alert, AlertKind
from warehouse_app.insight.reports.base import REGISTRY

alerts_blp = blueprint("alerts", "/alerts", "Open alerts: low stock, out of stock, expiring "
                                            "lots, dead stock, count losses.")
reports_blp = blueprint("reports", "/reports", "Reports as JSON or CSV.")
YES = ("1", "true", "yes", "on")


class AlertOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": [kind.value for kind in AlertKind]})
    sku = fields.String()
    lot = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    message = fields.String()
    value = fields.Integer(allow_none=True, metadata={"description": "What was seen: units "
                                                      "available, days left, units lost..."})
    threshold = fields.Integer(allow_none=True, metadata={"description": "The limit crossed"})
    raised_at = fields.String(metadata={"format": "date-time"})
    acknowledged_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    acknowledged_by = fields.String(allow_none=True)
    open = fields.Boolean()


class AlertArgs(PageArgs):
    kind = fields.String(validate=validate.OneOf([kind.value for kind in AlertKind]))
    unacknowledged = fields.String(load_default="", validate=validate.Length(max=5),
                                   metadata={"description": "1 leaves out alerts already seen"})


AlertPage = page_schema(AlertOut, "AlertPage")


def alert_json(alert: Alert) -> dict:
    """An alert as the API shows it."""
    def stamp(moment):
        return moment.isoformat() if moment else None
    return {"id": alert.id, "kind": alert.kind.value, "sku": alert.product.sku,
            "lot": alert.lot.code if alert.lot else None,
            "location": alert.location.code if alert.location else None,
            "message": alert.message, "value": alert.value, "threshold": alert.threshold,
            "raised_at": stamp(alert.raised_at), "acknowledged_at": stamp(alert.acknowledged_at),
            "acknowledged_by": alert.acknowledged_by.username if alert.acknowledged_by else None,
            "open": alert.cleared_at is None}


@alerts_blp.route("", methods=["GET"])
@role_required(Role.SUPERVISOR)
@alerts_blp.arguments(AlertArgs, location="query")
@alerts_blp.response(200, AlertPage)
def list_alerts(args):
    """Open alerts, most urgent first, paginated; `?kind=` one kind, `?unacknowledged=1`
    leaves out those already seen."""
    kind = AlertKind(args["kind"]) if args.get("kind") else None
    found = alerts.open_alerts(include_acknowledged=args["unacknowledged"].lower() not in YES,
                               kind=kind)
    page, per_page = args["page"], args["per_page"]
    shown = found[(page - 1) * per_page:page * per_page]
    return {"items": [alert_json(a) for a in shown], "page": page, "per_page": per_page,
            "total": len(found)}


@alerts_blp.route("/<int:alert_id>/ack", methods=["POST"])
@alerts_blp.response(200, AlertOut)
@role_required(Role.SUPERVISOR)
def acknowledge(alert_id: int):
    """Acknowledge an alert: a condition stays open until it ends, an event closes."""
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"No alert {alert_id}.", field="alert")
    alerts.acknowledge(alert, current_user._get_current_object())
    db.session.commit()
    return alert_json(alert)


class ReportArgs(Schema):
    """The format, and the report's own arguments (each report checks those it uses)."""

    class Meta:
        unknown = INCLUDE

    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))
    days = fields.String(metadata={"description": "movers, abc, turnover, dead-stock, "
                                                  "reorder, forecast: days of history"})
    as_of = fields.String(metadata={"description": "valuation, stock: YYYY-MM-DD"})
    since = fields.String(metadata={"description": "shrinkage: first day, YYYY-MM-DD"})
    until = fields.String(metadata={"description": "shrinkage: last day, YYYY-MM-DD"})
    by = fields.String(metadata={"description": "stock: warehouse or location; valuation: "
                                                "warehouse or product; shrinkage: month or user"})
    warehouse = fields.String(metadata={"description": "stock: one warehouse's code"})
    order = fields.String(metadata={"description": "movers: fast or slow"})
    service_level = fields.String(metadata={"description": "reorder: 0.5 to 0.999"})
    all = fields.String(metadata={"description": "reorder: 1 lists every product"})
    supplier = fields.String(metadata={"description": "reorder: one supplier"})
    sku = fields.String(metadata={"description": "forecast: SKUs, comma separated"})
    limit = fields.String(metadata={"description": "forecast: products shown"})
    horizon = fields.String(metadata={"description": "forecast: weeks ahead"})


class ReportColumnOut(Schema):
    key = fields.String()
    label = fields.String()
    kind = fields.String(metadata={"enum": ["text", "int", "num", "money", "pct", "date"]})


class ReportOut(Schema):
    report = fields.String()
    title = fields.String()
    params = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True))
    columns = fields.List(fields.Nested(ReportColumnOut))
    items = fields.List(fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True)),
                        metadata={"description": "One object per row, keyed by column key"})
    total = fields.Integer()
    totals = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True))
    notes = fields.List(fields.String())


@reports_blp.route("/<name>", methods=["GET"])
@reports_blp.arguments(ReportArgs, location="query")
@reports_blp.response(200, ReportOut)
@reports_blp.doc(responses=CSV_TOO,
                 parameters=[{"in": "path", "name": "name", "required": True,
                              "schema": {"type": "string", "enum": sorted(REGISTRY)}}])
@role_required(Role.SUPERVISOR)
def report(args, name: str):
    """A report by name (valuation, stock, movers, dead-stock, abc, turnover, shrinkage,
    reorder, forecast); `?format=csv` for a spreadsheet."""
    answer = reports.run(name, {key: value for key, value in args.items() if key != "format"})
    if args["format"] == "csv":
        return Response(answer.as_csv(), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{answer.name}.csv"'})
    return answer.as_json()
