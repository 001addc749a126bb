"""Weekly demand series per product, from the ledger (weeks start on Monday, UTC)."""
from datetime import date, timedelta

from sqlalchemy import func, select

from warehouse_app.extensions import db
from warehouse_app.insight import ledgerq as q

M = q.M


def this_monday() -> date:
    """The start of the current (incomplete) week: series end just before it."""
    today = q.today()
    return today - timedelta(days=today.weekday())


RANK_WEEKS = 13  # "busiest" means over the last quarter: what matters for the next order


def top_products(limit: int, skus: list[str] | None = None) -> list[tuple]:
    """(id, sku, name) of these SKUs, or of the products most in demand lately, most first."""
    from warehouse_app.catalog.models import Product
    if skus:
        return db.session.execute(select(Product.id, Product.sku, Product.name)
                                  .where(Product.sku.in_(skus)).order_by(Product.sku)
                                  .limit(limit)).all()
    virtual = q.virtual_ids()
    end = q.start_of(this_monday())
    total = func.sum(q.demand(virtual))
    return db.session.execute(
        select(Product.id, Product.sku, Product.name)
        .join(M, M.c.product_id == Product.id)
        .where(M.c.created_at >= end - timedelta(weeks=RANK_WEEKS), M.c.created_at < end,
               q.touches_customer(virtual))
        .group_by(Product.id, Product.sku, Product.name)
        .order_by(total.desc(), Product.sku).limit(limit)).all()


def weekly(product_ids: list[int], weeks: int) -> tuple[list[date], dict[int, list[float]]]:
    """Week starts, and per product its weekly net demand since its first movement."""
    virtual = q.virtual_ids()
    end = this_monday()
    start = end - timedelta(weeks=weeks)
    day = q.day_of(M.c.created_at)
    daily = db.session.execute(
        select(M.c.product_id, day, func.sum(q.demand(virtual)))
        .where(M.c.product_id.in_(product_ids), M.c.created_at >= q.start_of(start),
               M.c.created_at < q.start_of(end), q.touches_customer(virtual))
        .group_by(M.c.product_id, day)).all()
    first = dict(db.session.execute(
        select(M.c.product_id, func.min(M.c.created_at))
        .where(M.c.product_id.in_(product_ids)).group_by(M.c.product_id)).all())
    starts = [start + timedelta(weeks=i) for i in range(weeks)]
    series = {pid: [0.0] * weeks for pid in product_ids}
    for pid, when, units in daily:
        index = (q.as_date(when) - start).days // 7
        series[pid][index] += float(units or 0)
    for pid in product_ids:
        began = first.get(pid)
        skip = max(0, (began.date() - start).days // 7) if began else weeks
        series[pid] = series[pid][skip:]
    return starts, series


def daily(product_ids: list[int], days: int, end: date | None = None
          ) -> dict[int, tuple[date, list[float]]]:
    """Per product: the day its series starts and its net demand on each complete day since
    (its first movement, at most `days` back, to the day before `end`, today by default)."""
    virtual = q.virtual_ids()
    stop = end or q.today()
    start = stop - timedelta(days=days)
    day = q.day_of(M.c.created_at)
    rows = db.session.execute(
        select(M.c.product_id, day, func.sum(q.demand(virtual)))
        .where(M.c.product_id.in_(product_ids), M.c.created_at >= q.start_of(start),
               M.c.created_at < q.start_of(stop), q.touches_customer(virtual))
        .group_by(M.c.product_id, day)).all()
    first = dict(db.session.execute(
        select(M.c.product_id, func.min(M.c.created_at))
        .where(M.c.product_id.in_(product_ids), M.c.created_at < q.start_of(stop))
        .group_by(M.c.product_id)).all())
    found = {pid: [0.0] * days for pid in product_ids}
    for pid, when, units in rows:
        found[pid][(q.as_date(when) - start).days] += float(units or 0)
    series = {}
    for pid in product_ids:
        began = q.as_date(first.get(pid))
        skip = min(max(0, (began - start).days), days) if began else days
        series[pid] = (start + timedelta(days=skip), found[pid][skip:])
    return series


YEARS_POOLED = 730  # a category's month index reads at most two years


def category_daily(category_ids: list[int], end: date | None = None
                   ) -> dict[int, tuple[date, list[float]]]:
    """Per category: net demand per product of its products on each complete day (a product
    counted from its first movement on: one added last month does not make last month look
    busy), from its first day of demand (at most two years back) to the day before `end` (today
    by default)."""
    from warehouse_app.catalog.models import Product
    if not category_ids:
        return {}
    virtual = q.virtual_ids()
    stop = end or q.today()
    start = stop - timedelta(days=YEARS_POOLED)
    day = q.day_of(M.c.created_at)
    rows = db.session.execute(
        select(Product.category_id, day, func.sum(q.demand(virtual)))
        .join(Product, Product.id == M.c.product_id)
        .where(Product.category_id.in_(category_ids), M.c.created_at >= q.start_of(start),
               M.c.created_at < q.start_of(stop), q.touches_customer(virtual))
        .group_by(Product.category_id, day)).all()
    began = db.session.execute(
        select(Product.category_id, func.min(M.c.created_at))
        .join(Product, Product.id == M.c.product_id)
        .where(Product.category_id.in_(category_ids), M.c.created_at < q.start_of(stop))
        .group_by(Product.id, Product.category_id)).all()
    found = {cid: [0.0] * YEARS_POOLED for cid in category_ids}
    for cid, when, units in rows:
        found[cid][(q.as_date(when) - start).days] += float(units or 0)
    counted = {cid: [0] * YEARS_POOLED for cid in category_ids}
    for cid, when in began:
        first = max((q.as_date(when) - start).days, 0)
        if first < YEARS_POOLED:
            counted[cid][first] += 1
    series = {}
    for cid, units in found.items():
        active = 0
        for i, new in enumerate(counted[cid]):
            active += new
            units[i] = units[i] / active if active else 0.0
        skip = next((i for i, u in enumerate(units) if u), YEARS_POOLED)
        series[cid] = (start + timedelta(days=skip), units[skip:])
    return series
