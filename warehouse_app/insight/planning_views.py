"""Supervisor pages: reports, reorder drafts, one product's reorder point and forecast."""
from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from warehouse_app.auth import warehouses
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.catalog import products
from warehouse_app.errors import DomainError, NotFound
from warehouse_app.extensions import db
from warehouse_app.insight import alerts, bp, charts, drafts, forecast, reorder, reports, series
from warehouse_app.insight.reports.planning import forecast_params

PAGE_ROWS = 100  # the page shows this many rows; CSV and JSON carry them all


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


@bp.get("/products/<sku>", endpoint="product")
@role_required(Role.SUPERVISOR)
def product_page(sku: str):
    """How one product's reorder point was reached, its override, and its forecast."""
    every_warehouse("A product's reorder point")
    try:
        product = products.by_sku(sku)
    except NotFound:
        abort(404, f"No product {sku[:64]!r}.")
    try:
        knobs = forecast_params(reports.Params(request.args))
    except DomainError as err:
        flash(err.message, "error")
        knobs = forecast_params(reports.Params({}))
    point = reorder.points(reorder.policy(), [product.id])[0] if product.active else None
    starts, weekly = series.weekly([product.id], knobs["weeks"])
    history = weekly[product.id]
    result = forecast.predict(history, knobs["season"], knobs["horizon"], knobs["holdout"])
    return render_template("insight/product.html", product=product, point=point,
                           result=result, weeks=len(history), knobs=knobs,
                           labels=forecast.LABELS,
                           chart=_forecast_chart(starts[len(starts) - len(history):], history,
                                                 result))


def _forecast_chart(starts, history: list[float], result: forecast.Result):
    """History, the backtest over the held-back weeks, and the forecast, on one time axis."""
    ahead = len(result.forecast)
    future = [(starts[-1] if starts else series.this_monday()) + timedelta(weeks=i + 1)
              for i in range(ahead)]
    labels = [d.strftime("%d %b %y") for d in list(starts) + future]
    n, k = len(history), len(result.backtest)
    return charts.lines([
        {"name": "Actual", "values": history + [None] * ahead, "cls": "s-actual"},
        {"name": "Backtest", "values": [None] * (n - k) + result.backtest + [None] * ahead,
         "cls": "s-backtest"},
        {"name": "Forecast", "values": [None] * (n - 1) + [history[-1] if n else 0]
         + result.forecast, "cls": "s-forecast"}], labels,
        "Weekly demand: actual, backtest and forecast")


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
