"""Supervisor pages: the central view and its live feed, alerts; the home badge."""
from flask import (
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from warehouse_app.auth import warehouses
from warehouse_app.auth.access import has_role, role_required
from warehouse_app.auth.models import Role
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.insight import alerts, bp, central, hooks, live, mail, planning_views  # noqa: F401  (listeners, pages)
from warehouse_app.insight.models import Alert, AlertKind
from warehouse_app.ledger import transit

TILES = (("Stock overview", "All warehouses, live", "insight.central"),
         ("Alerts", "Low, out, expiring", "insight.alerts"),
         ("Reorder", "What to buy", "insight.reorder"),
         ("Reports", "Value, movers, shrinkage", "insight.reports"))


@bp.app_context_processor
def desk() -> dict:
    """For every page: the supervisor's tiles and the count of unseen alerts (top bar, home)."""
    def insight_tiles() -> list[dict]:
        if not has_role(Role.SUPERVISOR):
            return []
        kept = warehouses.caller() is not None  # reordering spans every warehouse
        return [{"label": label, "hint": hint, "url": url_for(endpoint)}
                for label, hint, endpoint in TILES if not (kept and endpoint == "insight.reorder")]

    def insight_alert_count() -> int:
        if not has_role(Role.SUPERVISOR):
            return 0
        if "insight_alert_count" not in g:  # the top bar and the home page ask: one query
            g.insight_alert_count = alerts.unseen_count()
        return g.insight_alert_count

    def product_url(sku: str) -> str:
        """A product's planning page, or its look-up for a caller kept to some warehouses
        (planning spans every warehouse)."""
        if warehouses.caller() is not None:
            return url_for("web.lookup", code=sku)
        return url_for("insight.product", sku=sku)
    return {"insight_tiles": insight_tiles, "insight_alert_count": insight_alert_count,
            "product_url": product_url}


def _filters() -> central.Filters:
    args = request.args

    def number(key: str) -> int | None:
        return int(args[key]) if args.get(key, "").isdigit() else None
    return central.Filters(q=args.get("q", "").strip()[:100], category=number("category"),
                           warehouse=number("warehouse"), page=number("page") or 1)


@bp.get("/", endpoint="central")
@role_required(Role.SUPERVISOR)
def central_page():
    """Every warehouse side by side; updates live while staff scan."""
    filters = _filters()
    view = central.build(filters)
    return render_template("insight/central.html", view=view, filters=filters,
                           categories=central.categories(), all_warehouses=central.warehouses(),
                           transits=transit.in_transit(filters.warehouse))


@bp.get("/events", endpoint="central_events")
@role_required(Role.SUPERVISOR)
def central_events():
    """Server-Sent Events: balances of products as movements post."""
    given = request.headers.get("Last-Event-ID") or request.args.get("since", "")
    since = int(given) if given.isdigit() else central.latest_movement()
    allowed = warehouses.caller()  # read now: the stream outlives the session of the login
    db.session.rollback()
    return Response(stream_with_context(live.stream(since, allowed)),
                    mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _kind(value: str | None) -> AlertKind | None:
    try:
        return AlertKind(value) if value else None
    except ValueError:
        return None


@bp.get("/alerts", endpoint="alerts")
@role_required(Role.SUPERVISOR)
def alerts_page():
    """Open alerts, most urgent first (one kind with ?kind=), each with an acknowledge button."""
    kind = _kind(request.args.get("kind"))
    return render_template("insight/alerts.html", alerts=alerts.open_alerts(kind=kind),
                           kind=kind, counts=alerts.open_counts())


@bp.post("/alerts/ack-all", endpoint="alerts_ack_all")
@role_required(Role.SUPERVISOR)
def alerts_ack_all():
    """Acknowledge every unseen alert shown (all, or one kind)."""
    kind = _kind(request.form.get("kind"))
    done = alerts.acknowledge_all(kind, current_user._get_current_object())
    db.session.commit()
    flash(f"Acknowledged {done} alert{'' if done == 1 else 's'}.", "ok")
    return redirect(url_for("insight.alerts", kind=kind.value if kind else None), 303)


@bp.post("/alerts/<int:alert_id>/ack", endpoint="alert_ack")
@role_required(Role.SUPERVISOR)
def alert_ack(alert_id: int):
    """Acknowledge one alert."""
    alert = db.get_or_404(Alert, alert_id)
    try:
        alerts.acknowledge(alert, current_user._get_current_object())
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("insight.alerts"), 303)
    db.session.commit()
    flash(f"Acknowledged: {alert.message}", "ok")
    return redirect(url_for("insight.alerts"), 303)


@bp.post("/alerts/check", endpoint="alerts_check")
@role_required(Role.SUPERVISOR)
def alerts_check():
    """Re-check every product now (expiry and dead stock change with time, not movements)."""
    raised = alerts.evaluate()
    db.session.commit()
    flash(f"Checked every product: {len(raised)} new alert(s).", "ok")
    return redirect(url_for("insight.alerts"), 303)
