"""Supervisor pages: reports, reorder drafts, one product's reorder point and forecast."""
from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from warehouse_app.auth import warehouses
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.catalog import panels, products
from warehouse_app.errors import DomainError, NotFound
from warehouse_app.extensions import db
from warehouse_app.insight import alerts, bp, charts, drafts, forecast, reorder, reports, series

PAGE_ROWS = 100  # the page shows this many rows; CSV and JSON carry them all


def point_in_force(product) -> reorder.Point | None:
    """A product's reorder point in force and the computed one (none when deactivated)."""
    found = reorder.current_points([product.id])
    return found[0] if found else None


@bp.record_once
def _point_on_product_form(state) -> None:
    """The product form shows the reorder point in force beside the computed one."""
    panels.provide(state.app, reorder_point=point_in_force)


@bp.get("/reports/", endpoint="reports")
@role_required(Role.SUPERVISOR)
def reports_index():
    """The list of reports."""
    return render_template("insight/reports.html", specs=sorted(reports.REGISTRY.values(),
                                                               key=lambda s: s.title))


@bp.get("/reports/<name>", endpoint="report")
@role_required(Role.SUPERVISOR)
def report_page(name: str):
    """One report: its parameters, a chart where a picture reads better, the first rows."""
    if name not in reports.REGISTRY:
        abort(404, f"There is no report called {name[:40]!r}.")
    spec = reports.REGISTRY[name]
    try:
        answer = reports.run(name, request.args)
    except DomainError as err:
        flash(err.message, "error")
        return render_template("insight/report.html", spec=spec, report=None,
                               args=request.args, error=err), err.status
    query = {k: v for k, v in request.args.items() if k not in ("name", "format") and v}
    return render_template("insight/report.html", spec=spec, report=answer, args=request.args,
                           query=query, rows=answer.rows[:PAGE_ROWS],
                           more=max(len(answer.rows) - PAGE_ROWS, 0),
                           chart=answer.chart() if answer.chart else "")


def every_warehouse(what: str) -> None:
    """Reorder points, drafts and forecasts are worked out from the stock and demand of every
    warehouse together: a caller kept to some is refused (as by the reorder report)."""
    warehouses.require_every(what, "warehouse")


@bp.get("/reorder", endpoint="reorder")
@role_required(Role.SUPERVISOR)
def reorder_page():
    """Draft purchase orders per supplier, quantities editable, each approved with one tap."""
    every_warehouse("Reordering")
    pol = reorder.policy()
    found = drafts.group(reorder.points(pol))
    return render_template("insight/reorder.html", drafts=found, policy=pol,
                           orders=drafts.orders_installed(), no_supplier=drafts.NO_SUPPLIER)


@bp.post("/reorder/approve", endpoint="reorder_approve")
@role_required(Role.SUPERVISOR)
def reorder_approve():
    """Turn one draft into a purchase order."""
    every_warehouse("Reordering")
    try:
        po = drafts.approve(request.form.get("supplier", ""), drafts.quantities(request.form),
                            current_user._get_current_object())
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("insight.reorder"), 303)
    db.session.commit()
    flash(f"Purchase order {po.reference} created for {po.supplier.name}.", "ok")
    return redirect(url_for("insight.reorder"), 303)


AHEAD_DAYS = 28  # the page draws and lists four weeks of forecast


@bp.get("/products/<sku>", endpoint="product")
@role_required(Role.SUPERVISOR)
def product_page(sku: str):
    """How one product's reorder point was reached from its forecast, and its override."""
    every_warehouse("A product's reorder point")
    try:
        product = products.by_sku(sku)
    except NotFound:
        abort(404, f"No product {sku[:64]!r}.")
    pol = reorder.policy()
    # The point the alerts judge by: the same remembered forecast, the same function.
    found = reorder.current_points([product.id])
    point = found[0] if found else None
    fc = (point.extra["forecast"] if point
          else reorder.known_demand(pol, [product.id])[product.id])
    start, history = series.daily([product.id], pol.days)[product.id]
    ahead = fc.ahead(AHEAD_DAYS)
    weeks = [round(sum(ahead[i:i + 7]), 1) for i in range(0, AHEAD_DAYS, 7)]
    return render_template("insight/product.html", product=product, point=point, fc=fc,
                           ahead=ahead, weeks=weeks, labels=forecast.LABELS,
                           lead_days=[fc.start + timedelta(days=i)
                                      for i in range(point.lead_time_days if point else 0)],
                           chart=_forecast_chart(start, history, fc, ahead))


def _forecast_chart(start, history: list[float], fc: forecast.Forecast, ahead: list[float]):
    """Daily history, the chosen model's backtest over the held-back days, and the forecast."""
    n, k = len(history), fc.holdout
    backtest = [round(float(v), 2) for v in fc.candidates[fc.model].backtest] if k else []
    labels = [(start + timedelta(days=i)).strftime("%d %b") for i in range(n + len(ahead))]
    return charts.lines([
        {"name": "Actual", "values": history + [None] * len(ahead), "cls": "s-actual"},
        {"name": "Backtest", "values": [None] * (n - len(backtest)) + backtest
         + [None] * len(ahead), "cls": "s-backtest"},
        {"name": "Forecast", "values": [None] * (n - 1) + [history[-1] if n else 0] + ahead,
         "cls": "s-forecast"}], labels, "Daily demand: actual, backtest and forecast")


@bp.post("/products/<sku>/override", endpoint="override")
@role_required(Role.SUPERVISOR)
def override(sku: str):
    """Set (or, with clear=1, remove) the hand-set reorder point of a product."""
    every_warehouse("A product's reorder point")
    product = products.by_sku(sku)
    try:
        if request.form.get("clear"):
            done = reorder.clear_override(product)
            message = "Back to the computed reorder point." if done else "There was no override."
        else:
            saved = reorder.set_override(product, request.form.get("reorder_point"),
                                         request.form.get("max_stock"),
                                         request.form.get("note", ""), current_user)
            message = f"Reorder point of {product.sku} set to {saved.reorder_point}."
        alerts.evaluate([product.id])
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("insight.product", sku=product.sku), 303)
    db.session.commit()
    flash(message, "ok")
    return redirect(url_for("insight.product", sku=product.sku), 303)
