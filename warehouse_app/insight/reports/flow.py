"""Flow reports over a window of the ledger: movers, ABC, turnover and cover, shrinkage."""
from datetime import timedelta

from sqlalchemy import String, case, func, select

from warehouse_app.auth.models import User
from warehouse_app.catalog.models import Product
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.insight import charts
from warehouse_app.insight import ledgerq as q
from warehouse_app.insight.reports.base import Column, Params, Report, register
from warehouse_app.insight.reports.stock import category_paths, codes
from warehouse_app.ledger.models import WarehouseStock
from warehouse_app.locations.models import LocationKind

M = q.M
LOSS_KINDS = (LocationKind.SCRAP, LocationKind.ADJUSTMENT, LocationKind.COUNT)


def window_sums(days: int):
    """Per product over the window: net units out, their cost, and the net physical change."""
    virtual = q.virtual_ids()
    start, stop = q.window(days)
    demand = q.demand(virtual)
    rows = db.session.execute(
        select(M.c.product_id, func.sum(demand), func.sum(demand * M.c.unit_cost),
               func.sum(q.physical_delta(virtual)))
        .where(M.c.created_at >= start, M.c.created_at < stop).group_by(M.c.product_id))
    return {pid: (int(u or 0), float(c or 0), int(d or 0)) for pid, u, c, d in rows}


def products_and_stock():
    """Active products with their on hand (one query)."""
    held = (select(WarehouseStock.product_id, func.sum(WarehouseStock.on_hand).label("h"))
            .group_by(WarehouseStock.product_id).subquery())
    rows = db.session.execute(
        select(Product.id, Product.sku, Product.name, Product.category_id, Product.avg_cost,
               func.coalesce(held.c.h, 0))
        .outerjoin(held, held.c.product_id == Product.id).where(Product.active)
        .order_by(Product.sku))
    return [(pid, sku, name, cat, cost, int(held)) for pid, sku, name, cat, cost, held in rows]


@register("movers", "Fast and slow movers",
          "Units sent to customers (net of returns) per product over the last N days; the top "
          "fifth are fast, the bottom fifth (no sales included) slow.")
def movers(p: Params) -> Report:
    days = p.whole("days", 30, 1, 3650)
    order = p.choice("order", ("fast", "slow"), "fast")
    sums, paths = window_sums(days), category_paths()
    items = []
    for pid, sku, name, category, _cost, on_hand in products_and_stock():
        units = sums.get(pid, (0, 0, 0))[0]
        if units == 0 and on_hand == 0:
            continue
        rate = units / days
        items.append({"sku": sku, "name": name, "category": paths.get(category, ""),
                      "units_out": units, "per_day": round(rate, 2), "on_hand": int(on_hand),
                      "days_of_cover": round(on_hand / rate, 1) if rate > 0 else None})
    items.sort(key=lambda r: (-r["units_out"], r["sku"]))
    fifth = max(len(items) // 5, 1)
    for rank, row in enumerate(items, 1):
        row["rank"] = rank
        row["class"] = ("fast" if rank <= fifth and row["units_out"] > 0 else
                        "slow" if rank > len(items) - fifth or row["units_out"] <= 0 else "medium")
    if order == "slow":
        items.reverse()
    return Report("movers", f"Movers over {days} days", [
        Column("sku", "SKU"), Column("name", "Name", sub=True),
        Column("category", "Category", sub=True), Column("units_out", "Units out", "int"),
        Column("per_day", "Per day", "num"), Column("on_hand", "On hand", "int"),
        Column("days_of_cover", "Days cover", "num"), Column("class", "Class"),
        Column("rank", "Rank", "int")], items, p.used,
        {"units_out": sum(r["units_out"] for r in items)},
        chart=lambda: charts.bars([(r["sku"], r["units_out"]) for r in items[:12]],
                                  f"Units out, {order}est first"))


@register("abc", "ABC analysis",
          "Products ranked by the cost of what they sent to customers over N days: A = the "
          "first 80 % of that value, B = the next 15 %, C = the rest.")
def abc(p: Params) -> Report:
    days = p.whole("days", 90, 1, 3650)
    sums = window_sums(days)
    items = [{"sku": sku, "name": name, "units_out": sums.get(pid, (0, 0.0, 0))[0],
              "value": round(sums.get(pid, (0, 0.0, 0))[1], 2), "on_hand": int(on_hand)}
             for pid, sku, name, _c, _cost, on_hand in products_and_stock()
             if pid in sums or on_hand]
    items.sort(key=lambda r: (-r["value"], r["sku"]))
    total = sum(max(r["value"], 0) for r in items) or 1.0
    running, classes = 0.0, {"A": [0, 0.0], "B": [0, 0.0], "C": [0, 0.0]}
    for row in items:
        before = running / total
        running += max(row["value"], 0)
        row["share_pct"] = round(100 * row["value"] / total, 2)
        row["cumulative_pct"] = round(100 * running / total, 2)
        row["class"] = "A" if before < 0.8 and row["value"] > 0 else (
            "B" if before < 0.95 and row["value"] > 0 else "C")
        classes[row["class"]][0] += 1
        classes[row["class"]][1] += row["value"]
    count = len(items) or 1
    notes = [f"{k}: {n} products ({100 * n / count:.0f} %), {100 * v / total:.0f} % of value"
             for k, (n, v) in classes.items()]
    return Report("abc", f"ABC analysis over {days} days", [
        Column("sku", "SKU"), Column("name", "Name", sub=True),
        Column("units_out", "Units out", "int"),
        Column("value", "Value out", "money"), Column("share_pct", "Share", "pct"),
        Column("cumulative_pct", "Cumulative", "pct"), Column("class", "Class")], items,
        p.used, {"value": round(sum(r["value"] for r in items), 2)}, notes,
        lambda: charts.bars([(f"{k}: % of products", 100 * n / count) for k, (n, _) in
                             classes.items()] + [(f"{k}: % of value", 100 * v / total)
                                                 for k, (_, v) in classes.items()],
                            "Share of products and of value per class", " %"))


@register("turnover", "Turnover and days of cover",
          "Cost of goods sent to customers over N days against the average stock value, "
          "annualised; days of cover = on hand / average daily units out.")
def turnover(p: Params) -> Report:
    days = p.whole("days", 90, 1, 3650)
    sums, paths = window_sums(days), category_paths()
    items, per_cat = [], {}
    for pid, sku, name, category, cost, on_hand in products_and_stock():
        units, cogs, change = sums.get(pid, (0, 0.0, 0))
        if not (units or on_hand):
            continue
        average = (int(on_hand) * 2 - change) / 2 * float(cost or 0)
        rate = units / days
        row = {"sku": sku, "name": name, "category": paths.get(category, ""), "units_out": units,
               "cogs": round(cogs, 2), "avg_stock_value": round(average, 2),
               "turnover": round(cogs / average * 365 / days, 2) if average > 0 else None,
               "on_hand": int(on_hand),
               "days_of_cover": round(on_hand / rate, 1) if rate > 0 else None}
        items.append(row)
        cat = per_cat.setdefault(row["category"], [0.0, 0.0])
        cat[0], cat[1] = cat[0] + cogs, cat[1] + average
    items.sort(key=lambda r: (r["turnover"] is None, -(r["turnover"] or 0), r["sku"]))
    cogs, value = sum(c for c, _ in per_cat.values()), sum(v for _, v in per_cat.values())
    bars = sorted(((c, a / v * 365 / days) for c, (a, v) in per_cat.items() if v > 0),
                  key=lambda kv: -kv[1])
    return Report("turnover", f"Turnover and cover over {days} days", [
        Column("sku", "SKU"), Column("name", "Name", sub=True),
        Column("category", "Category", sub=True),
        Column("units_out", "Units out", "int"), Column("cogs", "Cost out", "money"),
        Column("avg_stock_value", "Avg stock", "money"), Column("turnover", "Turns/yr", "num"),
        Column("on_hand", "On hand", "int"), Column("days_of_cover", "Days cover", "num")],
        items, p.used, {"cogs": round(cogs, 2), "avg_stock_value": round(value, 2),
                        "turnover": round(cogs / value * 365 / days, 2) if value else None},
        ["Average stock = (stock at the start + stock now) / 2, at today's average cost."],
        lambda: charts.bars(bars, "Turns per year by category"))


@register("shrinkage", "Shrinkage",
          "Stock written off to Scrap or Adjustment and lost in counts (found stock counts "
          "back), by month, reason and location (or by=user: by who posted it), in units and "
          "value.", place="location")
def shrinkage(p: Params) -> Report:
    until = p.day("until", q.today())
    since = p.day("since", until - timedelta(days=365))
    by = p.choice("by", ("month", "user"), "month")
    if since > until:
        raise DomainError("since must not be after until.", field="since")
    if by == "user":
        return _shrinkage_by_user(p, since, until)
    virtual = q.virtual_ids()
    losses = q.ids_of(virtual, *LOSS_KINDS)
    lost = M.c.to_location_id.in_(losses)
    sign = case((lost, 1), else_=-1)
    place = case((lost, M.c.from_location_id), else_=M.c.to_location_id)
    month = q.month_of(M.c.created_at)
    why = func.coalesce(M.c.reason, M.c.kind, type_=String())
    rows = db.session.execute(
        select(month, why, place, func.sum(sign * M.c.qty),
               func.sum(sign * M.c.qty * M.c.unit_cost))
        .where(M.c.created_at >= q.start_of(since),
               M.c.created_at < q.start_of(until + timedelta(days=1)),
               lost | M.c.from_location_id.in_(losses))
        .group_by(month, why, place)).all()
    names = codes()
    items = sorted(({"month": m, "reason": r, "location": names.get(loc, "?"), "units": int(u),
                     "value": round(float(v or 0), 2)} for m, r, loc, u, v in rows),
                   key=lambda r: (r["month"], -r["value"]), reverse=False)
    months: dict[str, float] = {}
    for row in items:
        months[row["month"]] = months.get(row["month"], 0) + row["value"]
    return Report("shrinkage", f"Shrinkage {since} to {until}", [
        Column("month", "Month"), Column("reason", "Reason", sub=True),
        Column("location", "Location"),
        Column("units", "Units lost", "int"), Column("value", "Value lost", "money")], items,
        p.used, {"units": sum(r["units"] for r in items),
                 "value": round(sum(r["value"] for r in items), 2)},
        ["Negative = found (more than the books said)."],
        lambda: charts.bars(sorted(months.items()), "Net value lost per month"))


def _shrinkage_by_user(p: Params, since, until) -> Report:
    """Shrinkage per person who posted it, and reason."""
    virtual = q.virtual_ids()
    losses = q.ids_of(virtual, *LOSS_KINDS)
    lost = M.c.to_location_id.in_(losses)
    sign = case((lost, 1), else_=-1)
    why = func.coalesce(M.c.reason, M.c.kind, type_=String())
    rows = db.session.execute(
        select(M.c.user_id, why, func.sum(sign * M.c.qty),
               func.sum(sign * M.c.qty * M.c.unit_cost))
        .where(M.c.created_at >= q.start_of(since),
               M.c.created_at < q.start_of(until + timedelta(days=1)),
               lost | M.c.from_location_id.in_(losses))
        .group_by(M.c.user_id, why)).all()
    names = dict(db.session.execute(select(User.id, User.username)).all())
    items = sorted(({"user": names.get(uid, "(no user)"), "reason": r, "units": int(u),
                     "value": round(float(v or 0), 2)} for uid, r, u, v in rows),
                   key=lambda r: (-r["value"], r["user"], r["reason"]))
    people: dict[str, float] = {}
    for row in items:
        people[row["user"]] = people.get(row["user"], 0) + row["value"]
    return Report("shrinkage", f"Shrinkage by user {since} to {until}", [
        Column("user", "User"), Column("reason", "Reason", sub=True),
        Column("units", "Units lost", "int"), Column("value", "Value lost", "money")], items,
        p.used, {"units": sum(r["units"] for r in items),
                 "value": round(sum(r["value"] for r in items), 2)},
        ["Negative = found (more than the books said). The user is who posted the "
         "write-off or the count's adjustment."],
        lambda: charts.bars(sorted(people.items(), key=lambda kv: -kv[1]),
                            "Net value lost per user"))
