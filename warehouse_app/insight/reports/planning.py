"""Planning reports: reorder suggestions and demand forecasts."""
from warehouse_app.insight import charts, forecast, reorder, series
from warehouse_app.insight.reports.base import Column, Params, Report, register

REORDER_COLUMNS = [
    Column("sku", "SKU"), Column("name", "Name", sub=True),
    Column("supplier", "Supplier", sub=True),
    Column("available", "Available", "int"), Column("on_order", "On order", "int"),
    Column("avg_daily", "Avg/day", "num"), Column("sd_daily", "SD/day", "num"),
    Column("lead_time_days", "Lead days", "int"), Column("safety_stock", "Safety", "num"),
    Column("computed", "Computed", "num"), Column("reorder_point", "Reorder at", "int"),
    Column("source", "From"), Column("eoq", "EOQ", "int"), Column("max_stock", "Up to", "int"),
    Column("suggested", "Order", "int")]


@register("reorder", "Reorder suggestions",
          "Reorder point = average daily demand x lead time + z x SD of daily demand x "
          "sqrt(lead time); order up to the point + EOQ when available + on order falls to it.")
def reorder_report(p: Params) -> Report:
    days = p.whole("days", reorder.policy().days, 7, 730)
    level = p.fraction("service_level", reorder.policy().service_level, 0.5, 0.999)
    everything = p.flag("all")
    supplier = p.text("supplier", 120)
    pol = reorder.policy(days, level)
    found = [pt for pt in reorder.points(pol) if everything or pt.needs_reorder]
    if supplier:
        found = [pt for pt in found if pt.supplier.lower() == supplier.lower()]
    rows = [pt.as_row() for pt in found]
    for row in rows:
        for key in ("avg_daily", "sd_daily", "safety_stock", "computed", "z"):
            row[key] = round(row[key], 3)
    by_supplier: dict[str, int] = {}
    for pt in found:
        by_supplier[pt.supplier or "(no supplier)"] = (by_supplier.get(pt.supplier or
                                                       "(no supplier)", 0) + pt.suggested)
    return Report("reorder", "Reorder suggestions", REORDER_COLUMNS, rows, p.used,
                  {"suggested": sum(pt.suggested for pt in found)},
                  [f"Demand over the last {days} days; service level {level:.1%} "
                   f"(z = {pol.z:.3f}); EOQ with {pol.order_cost:g} per order and "
                   f"{pol.holding_rate:.0%} of cost per year to hold."],
                  lambda: charts.bars(sorted(by_supplier.items(), key=lambda kv: -kv[1]),
                                      "Units to order per supplier"))


def forecast_params(p: Params) -> dict:
    """The forecast knobs, checked."""
    return {"season": p.whole("season", 52, 2, 52), "horizon": p.whole("horizon", 8, 1, 52),
            "holdout": p.whole("holdout", 26, 1, 104), "weeks": p.whole("weeks", 156, 8, 520)}


@register("forecast", "Demand forecasts",
          "Weekly demand forecasts for the busiest products, each with its backtest error "
          "(MASE) next to the seasonal naive baseline. Advice: edit the order quantity.")
def forecast_report(p: Params) -> Report:
    knobs = forecast_params(p)
    limit = p.whole("limit", 20, 1, 100)
    skus = [s.strip() for s in (p.text("sku", 2000) or "").split(",") if s.strip()]
    top = series.top_products(limit, skus or None)
    _starts, weekly = series.weekly([pid for pid, *_ in top], knobs["weeks"])
    items = []
    for pid, sku, name in top:
        result = forecast.predict(weekly[pid], knobs["season"], knobs["horizon"],
                                  knobs["holdout"])
        items.append({"sku": sku, "name": name, "weeks": len(weekly[pid]),
                      "model": result.model, "mase": result.mase, "baseline": result.baseline,
                      "baseline_mase": result.baseline_mase,
                      "next_weeks": round(sum(result.forecast), 1),
                      "forecast": result.forecast, "verdict": result.verdict})
    return Report("forecast", f"Forecasts, next {knobs['horizon']} weeks", [
        Column("sku", "SKU"), Column("name", "Name", sub=True), Column("weeks", "Weeks", "int"),
        Column("model", "Model"), Column("mase", "MASE", "num"),
        Column("baseline", "Baseline"), Column("baseline_mase", "Baseline MASE", "num"),
        Column("next_weeks", "Next weeks", "num"), Column("forecast", "Per week", sub=True),
        Column("verdict", "What the backtest says", page=False)], items, p.used,
        {"next_weeks": round(sum(r["next_weeks"] for r in items), 1)},
        ["MASE below 1 beats repeating last week; compare with the baseline's MASE. "
         "Forecasts are advice."],
        lambda: charts.bars([(r["sku"], r["next_weeks"]) for r in items[:12]],
                            "Forecast units, next weeks"))
