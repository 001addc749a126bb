"""JSON API: open alerts and their acknowledgement, and every report as JSON or CSV.

Built like the rest of /api/v1 (api/wiring.py: token or session, JSON errors). Registered with
the app by views.py, so it needs no change to the api package; not yet in the OpenAPI document.
"""
from flask import Response, jsonify, request
from flask_login import current_user

from warehouse_app.api.wiring import blueprint
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.errors import DomainError, NotFound
from warehouse_app.extensions import db
from warehouse_app.insight import alerts, reports
from warehouse_app.insight.models import Alert

alerts_blp = blueprint("alerts", "/alerts", "Open alerts: low stock, out of stock, expiring "
                                            "lots, dead stock, count losses.")
reports_blp = blueprint("reports", "/reports", "Reports as JSON or CSV.")


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
def list_alerts():
    """Open alerts, most urgent first; `?unacknowledged=1` leaves out those already seen."""
    fresh = request.args.get("unacknowledged", "").lower() in ("1", "true", "yes")
    found = alerts.open_alerts(include_acknowledged=not fresh)
    return jsonify({"items": [alert_json(a) for a in found], "total": len(found)})


@alerts_blp.route("/<int:alert_id>/ack", methods=["POST"])
@role_required(Role.SUPERVISOR)
def acknowledge(alert_id: int):
    """Acknowledge an alert: a condition stays open until it ends, an event closes."""
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"No alert {alert_id}.", field="alert")
    alerts.acknowledge(alert, current_user._get_current_object())
    db.session.commit()
    return jsonify(alert_json(alert))


@reports_blp.route("/<name>", methods=["GET"])
@role_required(Role.SUPERVISOR)
def report(name: str):
    """A report by name (valuation, stock, movers, dead-stock, abc, turnover, shrinkage,
    reorder, forecast); `?format=csv` for a spreadsheet."""
    fmt = (request.args.get("format") or "json").lower()
    if fmt not in ("json", "csv"):
        raise DomainError("format must be json or csv.", field="format")
    answer = reports.run(name, request.args)
    if fmt == "csv":
        return Response(answer.as_csv(), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{answer.name}.csv"'})
    return jsonify(answer.as_json())
