"""The admin's integrations page: webhook endpoints, the delivery log, exports, tracking in."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.auth.warehouses import every_required
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.integrations import bp, exports, webhooks
from warehouse_app.integrations.models import EVENTS, WebhookEndpoint


def _page(status: int = 200, secret: str | None = None, form=None):
    endpoints = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    return render_template("integrations/index.html", endpoints=endpoints, events=EVENTS,
                           log=webhooks.recent_deliveries(), secret=secret,
                           form=form or {}), status


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    """Webhook endpoints and their delivery log; links to the exports."""
    return _page()


@bp.post("/webhooks")
@role_required(Role.ADMIN)
def add_endpoint():
    """Add an endpoint; its signing secret is shown once."""
    try:
        endpoint = webhooks.create_endpoint(request.form.get("url", ""),
                                            request.form.getlist("events"))
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _page(err.status, form=request.form)
    secret = endpoint.secret
    db.session.commit()
    flash(f"Webhook to {endpoint.url} added. Copy its signing secret now.", "success")
    return _page(201, secret=secret)


@bp.post("/webhooks/<int:endpoint_id>/active")
@role_required(Role.ADMIN)
def endpoint_active(endpoint_id: int):
    """Disable an endpoint (its pending deliveries wait), or enable it again."""
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    endpoint.active = request.form.get("active") == "1"
    db.session.commit()
    flash(f"Webhook to {endpoint.url} {'enabled' if endpoint.active else 'disabled'}.",
          "success")
    return redirect(url_for("integrations.index"), 303)


@bp.get("/journal.csv")
@role_required(Role.SUPERVISOR)
@every_required("The inventory journal")
def journal():
    """The inventory journal of a period, for the bookkeeper."""
    return exports.journal_csv(request.args.get("from"), request.args.get("to"))


@bp.get("/shipments.csv")
@role_required(Role.SUPERVISOR)
def shipments():
    """Packed orders for the carrier."""
    return exports.shipments_csv()


@bp.post("/tracking")
@role_required(Role.SUPERVISOR)
def tracking():
    """Import the carrier's tracking numbers: every order in the file ships, or none."""
    try:
        shipped = exports.import_tracking(request.files.get("file"),
                                          current_user._get_current_object())
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        for row in getattr(err, "errors", [])[:20]:
            flash(f"Line {row.line}: {row.message}", "error")
        return redirect(url_for("integrations.index"), 303)
    db.session.commit()
    flash(f"{shipped} order(s) shipped.", "success")
    return redirect(url_for("integrations.index"), 303)
