"""Planning reports: reorder suggestions and demand forecasts."""
from warehouse_app.insight import charts, reorder, series
from warehouse_app.insight.reports.base import Column, Params, Report, register

REORDER_COLUMNS = [
    Column("sku", "SKU"), Column("name", "Name", sub=True),
    Column("supplier", "Supplier", sub=True),
    Column("available", "Available", "int"), Column("on_order", "On order", "int"),
    Column("model", "Model"), Column("avg_daily", "Forecast/day", "num"),
    Column("sd_daily", "Error/day", "num"), Column("lead_time_days", "Lead days", "int"),
    Column("lead_demand", "Over lead", "num"), Column("safety_stock", "Safety", "num"),
    Column("computed", "Computed", "num"), Column("reorder_point", "Reorder at", "int"),
    Column("source", "From"), Column("eoq", "EOQ", "int"), Column("max_stock", "Up to", "int"),
    Column("suggested", "Order", "int")]


@register("reorder", "Reorder suggestions",
          "Reorder point = forecast demand over the lead time + z x the forecast's error per "
          "day x sqrt(lead time); order up to the point + EOQ when available + on order falls "
          "to it.")
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
        for key in ("avg_daily", "sd_daily", "lead_demand", "safety_stock", "computed", "z"):
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


@register("forecast", "Demand forecasts",
          "Daily demand forecasts of the busiest products, the ones their reorder points use: "
          "each candidate model's backtest error (MAE per day) next to the naive one's; a "
          "seasonal model is kept only when it beats naive.")
def forecast_report(p: Params) -> Report:
    horizon = p.whole("horizon", 4, 1, 52)
    days = p.whole("days", reorder.policy().days, 7, 730)
    limit = p.whole("limit", 20, 1, 100)
    skus = [s.strip() for s in (p.text("sku", 2000) or "").split(",") if s.strip()]
    top = series.top_products(limit, skus or None)
    pol = reorder.policy(days)
    found = {pt.product_id: pt for pt in reorder.points(pol, [pid for pid, *_ in top])}
    known = reorder.known_demand(pol, [pid for pid, *_ in top])
    items = []
    for pid, sku, name in top:
        fc = known[pid]
        ahead = fc.ahead(7 * horizon)
        point = found.get(pid)
        items.append({"sku": sku, "name": name, "days": fc.days, "model": fc.model,
                      **{f"mae_{n}": c.mae for n, c in fc.candidates.items()},
                      "kept": [n for n, c in fc.candidates.items() if c.kept],
                      "error": fc.error,
                      "lead_time_days": point.lead_time_days if point else None,
                      "lead_demand": round(point.lead_demand, 3) if point else None,
                      "computed": round(point.computed, 3) if point else None,
                      "next_weeks": round(sum(ahead), 1),
                      "forecast": [round(sum(ahead[i:i + 7]), 2)
                                   for i in range(0, 7 * horizon, 7)],
                      "verdict": fc.verdict})
    return Report("forecast", f"Forecasts, next {horizon} weeks", [
        Column("sku", "SKU"), Column("name", "Name", sub=True), Column("days", "Days", "int"),
        Column("model", "Model"), Column("mae_naive", "Naive MAE", "num"),
        Column("error", "Error/day", "num"), Column("lead_demand", "Over lead time", "num"),
        Column("computed", "Computed point", "num"),
        Column("next_weeks", "Next weeks", "num"), Column("forecast", "Per week", sub=True),
        Column("mae_weekly", "Weekly MAE", "num", page=False),
        Column("mae_yearly", "Yearly MAE", "num", page=False), Column("kept", "Kept", page=False),
        Column("verdict", "What the backtest says", page=False)], items, p.used,
        {"next_weeks": round(sum(r["next_weeks"] for r in items), 1)},
        [f"Daily demand over the last {days} days; error = the chosen model's backtest RMSE "
         "per day. The reorder point = demand over the lead time + z x error x sqrt(lead "
         "time). Forecasts are advice."],
        lambda: charts.bars([(r["sku"], r["next_weeks"]) for r in items[:12]],
                            "Forecast units, next weeks"))
