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
