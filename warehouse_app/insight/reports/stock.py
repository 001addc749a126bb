"""Stock reports: valuation, stock as of a date, dead stock.

Units in transit between warehouses (ledger/transit.py) sit in the destination's transit
bin; valuation and stock show them apart, on lines of their own ("in transit", from and to
warehouse), counted in no warehouse's units and in the report's total.
"""
from datetime import timedelta

from sqlalchemy import func, select, union_all

from warehouse_app.catalog.models import Category, Product
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.insight import asof, charts
from warehouse_app.insight import ledgerq as q
from warehouse_app.insight.reports.base import Column, Params, Report, register
from warehouse_app.ledger import transit
from warehouse_app.ledger.models import WarehouseStock
from warehouse_app.locations import places
from warehouse_app.locations.models import Location, LocationKind

M = q.M
IN_TRANSIT = "in transit"  # the place of a line in transit


def _net(source, carried, place: str = "to_warehouse_id"):
    """(product_id, place_id, qty) of `source` less what is in transit there (the transit
    bins hold it: per warehouse, the destination's; per location, the transit bin)."""
    flows = union_all(
        select(source.c.product_id.label("p"), source.c.place_id.label("w"),
               source.c.qty.label("q")),
        select(carried.c.product_id, carried.c[place], -carried.c.qty)).subquery()
    total = func.sum(flows.c.q)
    return (select(flows.c.p.label("product_id"), flows.c.w.label("place_id"),
                   total.label("qty")).group_by(flows.c.p, flows.c.w)
            .having(total != 0).subquery())


def category_paths() -> dict[int | None, str]:
    """Every category's full path by id ('' for none)."""
    paths = {c.id: c.path for c in db.session.scalars(select(Category))}
    paths[None] = "(no category)"
    return paths


def codes() -> dict[int, str]:
    """Location codes by id, for the places a report names."""
    return dict(db.session.execute(select(Location.id, Location.code)).all())


@register("valuation", "Stock valuation",
          "Units and value at moving average cost, per warehouse and category (or per product "
          "with by=product), today or as of a past date (recomputed from the ledger).",
          place="warehouse")
def valuation(p: Params) -> Report:
    as_of = p.day("as_of")
    by = p.choice("by", ("warehouse", "product"), "warehouse")
    P = Product.__table__
    cut = None if as_of is None or as_of >= q.today() else q.start_of(as_of + timedelta(days=1))
    if cut is None:
        held = WarehouseStock.__table__
        source = select(held.c.product_id, held.c.warehouse_id.label("place_id"),
                        held.c.on_hand.label("qty")).where(held.c.on_hand != 0).subquery()
        cost = P.c.avg_cost

        def costed(part):
            return part.join(P, P.c.id == part.c.product_id)
    else:
        source = asof.quantities(cut)
        costs = asof.costs(cut, source)  # the average counts the units in transit too
        cost = func.coalesce(costs.c.cost, P.c.avg_cost)

        def costed(part):
            return (part.join(P, P.c.id == part.c.product_id)
                    .outerjoin(costs, costs.c.product_id == part.c.product_id))
    carried = transit.carried_query(cut).subquery()
    if by == "product":
        rows = db.session.execute(
            select(P.c.id, P.c.sku, P.c.name, func.sum(source.c.qty), func.max(cost),
                   func.sum(source.c.qty * cost))
            .select_from(costed(source)).group_by(P.c.id, P.c.sku, P.c.name)
            .having(func.sum(source.c.qty) != 0).order_by(P.c.sku)).all()
        moving = dict(db.session.execute(select(carried.c.product_id, func.sum(carried.c.qty))
                                         .group_by(carried.c.product_id)).all())
        return _product_valuation(p, rows, moving, as_of)
    net = _net(source, carried)
    rows = db.session.execute(
        select(net.c.place_id, P.c.category_id, func.sum(net.c.qty),
               func.sum(net.c.qty * cost), func.count())
        .select_from(costed(net)).group_by(net.c.place_id, P.c.category_id)).all()
    moving = db.session.execute(
        select(carried.c.from_warehouse_id, carried.c.to_warehouse_id, P.c.category_id,
               func.sum(carried.c.qty), func.sum(carried.c.qty * cost),
               func.count(func.distinct(carried.c.product_id)))
        .select_from(costed(carried))
        .group_by(carried.c.from_warehouse_id, carried.c.to_warehouse_id,
                  P.c.category_id)).all()
    return _valuation_report(p, rows, moving, as_of)


def _product_valuation(p: Params, rows, moving: dict, as_of) -> Report:
    """One row per product held: quantity (in transit included, and apart), moving average
    cost and value."""
    items = [{"sku": sku, "name": name, "quantity": int(qty),
              "in_transit": int(moving.get(pid) or 0),
              "avg_cost": round(float(cost or 0), 4), "value": round(float(value or 0), 2)}
             for pid, sku, name, qty, cost, value in rows]
    when = as_of.isoformat() if as_of else "today"
    top = sorted(items, key=lambda r: -r["value"])[:12]
    return Report("valuation", f"Stock valuation per product, {when}", [
        Column("sku", "SKU"), Column("name", "Name", sub=True),
        Column("quantity", "Quantity", "int"), Column("avg_cost", "Average cost", "money"),
        Column("value", "Value", "money"), Column("in_transit", "Of which in transit", "int")],
        items,
        p.used, {"quantity": sum(r["quantity"] for r in items),
                 "in_transit": sum(r["in_transit"] for r in items),
                 "value": round(sum(r["value"] for r in items), 2)},
        ["Moving average cost: each receipt folds its cost into the product's average."
         + ("" if as_of is None else " Quantities and costs recomputed from the ledger.")
         + " Quantity counts the units in transit between warehouses."],
        lambda: charts.bars([(r["sku"], r["value"]) for r in top], "Most valuable products"))


def valuation_totals(rows: list[dict]) -> dict:
    """Units and value of every line, and of the lines in transit apart."""
    moving = [r for r in rows if r["warehouse"] == IN_TRANSIT]
    return {"units": sum(r["units"] for r in rows),
            "value": round(sum(r["value"] for r in rows), 2),
            "in_transit_units": sum(r["units"] for r in moving),
            "in_transit_value": round(sum(r["value"] for r in moving), 2)}


def _valuation_report(p: Params, rows, moving, as_of) -> Report:
    names, paths = codes(), category_paths()
    total = (sum(float(v or 0) for *_, v, _n in rows)
             + sum(float(v or 0) for *_, v, _n in moving)) or 1.0
    items = sorted(({"warehouse": names.get(w, "?"), "from_warehouse": None,
                     "to_warehouse": None, "category": paths.get(c, "?"),
                     "products": n, "units": int(u), "value": round(float(v or 0), 2),
                     "share_pct": round(100 * float(v or 0) / total, 1)}
                    for w, c, u, v, n in rows), key=lambda r: (r["warehouse"], -r["value"]))
    items += sorted(({"warehouse": IN_TRANSIT, "from_warehouse": names.get(f, "?"),
                      "to_warehouse": names.get(t, "?"), "category": paths.get(c, "?"),
                      "products": n, "units": int(u), "value": round(float(v or 0), 2),
                      "share_pct": round(100 * float(v or 0) / total, 1)}
                     for f, t, c, u, v, n in moving),
                    key=lambda r: (r["from_warehouse"], r["to_warehouse"], -r["value"]))
    by_wh: dict[str, float] = {}
    for row in items:
        by_wh[row["warehouse"]] = by_wh.get(row["warehouse"], 0) + row["value"]
    when = as_of.isoformat() if as_of else "today"
    return Report("valuation", f"Stock valuation, {when}", [
        Column("warehouse", "Warehouse"), Column("category", "Category", sub=True),
        Column("products", "Products", "int"), Column("units", "Units", "int"),
        Column("value", "Value", "money"), Column("share_pct", "Share", "pct"),
        Column("from_warehouse", "From"), Column("to_warehouse", "To")], items,
        p.used, valuation_totals(items),
        ["Moving average cost: each receipt folds its cost into the product's average."
         + ("" if as_of is None else " Quantities and costs recomputed from the ledger."),
         "In transit: dispatched from one warehouse, not yet received at the other; in "
         "neither warehouse's units, in the totals."],
        lambda: charts.bars(sorted(by_wh.items(), key=lambda kv: -kv[1]),
                            "Value per warehouse"), total_of=valuation_totals)


@register("stock", "Stock as of a date",
          "Units per product and warehouse (or location) at the end of a past day, "
          "recomputed from the ledger.", place="place")
def stock_as_of(p: Params) -> Report:
    as_of = p.day("as_of", q.today())
    by = p.choice("by", ("warehouse", "location"), "warehouse")
    where = p.text("warehouse", 40)
    cut = q.start_of(as_of + timedelta(days=1))
    carried = transit.carried_query(cut).subquery()
    held = _net(asof.quantities(cut, by), carried,
                "to_warehouse_id" if by == "warehouse" else "via_location_id")
    query = (select(Product.sku, Product.name, held.c.place_id, held.c.qty)
             .join(held, held.c.product_id == Product.id).order_by(Product.sku))
    moving = (select(Product.sku, Product.name, carried.c.from_warehouse_id,
                     carried.c.to_warehouse_id, carried.c.qty)
              .join(carried, carried.c.product_id == Product.id)
              .order_by(Product.sku, carried.c.from_warehouse_id, carried.c.to_warehouse_id))
    if where:
        warehouse = places.by_code(where, field="warehouse")
        if warehouse.kind is not LocationKind.WAREHOUSE:
            raise DomainError(f"{where} is not a warehouse.", field="warehouse")
        ids = select(Location.id).where(Location.warehouse_id == warehouse.id)
        query = query.where(held.c.place_id.in_(ids))
        moving = moving.where((carried.c.from_warehouse_id == warehouse.id)
                              | (carried.c.to_warehouse_id == warehouse.id))
    names = codes()
    items = [{"sku": sku, "name": name, "place": names.get(place, "?"), "from_warehouse": None,
              "to_warehouse": None, "on_hand": int(qty), "in_transit": None}
             for sku, name, place, qty in db.session.execute(query)]
    items.sort(key=lambda row: (row["sku"], row["place"]))  # a product's places by code
    items += [{"sku": sku, "name": name, "place": IN_TRANSIT, "from_warehouse": names.get(f, "?"),
               "to_warehouse": names.get(t, "?"), "on_hand": None, "in_transit": int(qty)}
              for sku, name, f, t, qty in db.session.execute(moving)]
    return Report("stock", f"Stock at the end of {as_of}", [
        Column("sku", "SKU"), Column("name", "Name", sub=True),
        Column("place", "Warehouse" if by == "warehouse" else "Location"),
        Column("on_hand", "On hand", "int"), Column("in_transit", "In transit", "int"),
        Column("from_warehouse", "From"), Column("to_warehouse", "To")],
        items, p.used, stock_totals(items),
        ["In transit: dispatched from one warehouse, not yet received at the other; on hand "
         "in neither, counted in the units."], total_of=stock_totals)


def stock_totals(rows: list[dict]) -> dict:
    """On hand, in transit, and both."""
    on_hand = sum(r["on_hand"] or 0 for r in rows)
    moving = sum(r["in_transit"] or 0 for r in rows)
    return {"on_hand": on_hand, "in_transit": moving, "units": on_hand + moving}


@register("dead-stock", "Dead stock",
          "Products on hand that have not gone to a customer for N days "
          "(products younger than that are left out).")
def dead_stock(p: Params) -> Report:
    days = p.whole("days", 90, 1, 3650)
    since = q.start_of(q.today()) - timedelta(days=days)
    virtual = q.virtual_ids()
    customers = q.ids_of(virtual, LocationKind.CUSTOMER)
    held = dict(db.session.execute(
        select(WarehouseStock.product_id, func.sum(WarehouseStock.on_hand))
        .group_by(WarehouseStock.product_id).having(func.sum(WarehouseStock.on_hand) > 0)).all())
    moving = set(db.session.scalars(
        select(M.c.product_id).where(M.c.created_at >= since,
                                     M.c.to_location_id.in_(customers)).distinct()))
    idle = [pid for pid in held if pid not in moving]
    first = func.min(M.c.created_at)
    last = func.max(M.c.created_at).filter(M.c.to_location_id.in_(customers))
    found = db.session.execute(
        select(Product.id, Product.sku, Product.name, Product.avg_cost, first, last)
        .join(M, M.c.product_id == Product.id).where(Product.id.in_(idle))
        .group_by(Product.id, Product.sku, Product.name, Product.avg_cost)
        .having(first < since)).all() if idle else []
    today = q.today()
    items = sorted(({"sku": sku, "name": name, "on_hand": int(held[pid]),
                     "value": round(float(cost or 0) * int(held[pid]), 2),
                     "last_outbound": last.date() if last else None,
                     "days_idle": (today - (last or start).date()).days}
                    for pid, sku, name, cost, start, last in found),
                   key=lambda r: -r["value"])
    return Report("dead-stock", f"Dead stock: nothing out for {days} days", [
        Column("sku", "SKU"), Column("name", "Name", sub=True), Column("on_hand", "On hand", "int"),
        Column("value", "Value", "money"), Column("last_outbound", "Last out", "date"),
        Column("days_idle", "Days idle", "int")], items, p.used,
        {"on_hand": sum(r["on_hand"] for r in items),
         "value": round(sum(r["value"] for r in items), 2)},
        ["Last out = the last time it went to a customer; blank = never."],
        lambda: charts.bars([(r["sku"], r["value"]) for r in items[:12]],
                            "Value tied up, largest first"))
