"""Reorder points from the ledger, and how much to order.

Reorder point = forecast demand over the lead time + safety stock, where
safety stock = z (for the service level) x the forecast's error per day x sqrt(lead time).
The forecast (forecast.py) is of daily demand, units to customers net of returns on each complete
day of the last `days` (from the product's first movement, days without movement counting as
zero); its model is chosen by backtest and its error is the backtest's RMSE per day. What is in
force: a supervisor's override (with its
order-up-to level), else the product's hand-set reorder point, else the computed one; a
hand-set safety stock replaces the computed safety stock in it. Each wins until cleared; the
computed figures are kept beside them (the product page shows both, and which is in force).

How much: an (s, S) policy with S = reorder point + EOQ (Wilson's economic order quantity,
sqrt(2 x annual demand x cost per order / yearly holding cost per unit)); when the product has no
cost, EOQ falls back to COVER_DAYS of demand. An override's max_stock replaces S. Inventory
position = available (on hand - reserved) + still on order from open purchase orders.
"""
import math
from dataclasses import asdict, dataclass, field
from statistics import NormalDist

from flask import current_app
from sqlalchemy import bindparam, func, select

from warehouse_app.catalog.models import Product, Supplier, Tracking
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.insight import forecast, series
from warehouse_app.insight import ledgerq as q
from warehouse_app.insight.models import ReorderOverride
from warehouse_app.ledger.models import WarehouseStock

COVER_DAYS = 30
DEFAULTS = {"INSIGHT_DEMAND_DAYS": 90, "INSIGHT_SERVICE_LEVEL": 0.95,
            "INSIGHT_ORDER_COST": 25.0, "INSIGHT_HOLDING_RATE": 0.25}


@dataclass(frozen=True)
class Policy:
    """The knobs: demand window, service level, ordering and holding costs."""

    days: int = 90
    service_level: float = 0.95
    order_cost: float = 25.0
    holding_rate: float = 0.25  # of the unit cost, per year

    @property
    def z(self) -> float:
        return NormalDist().inv_cdf(self.service_level)


def policy(days: int | None = None, service_level: float | None = None) -> Policy:
    """The app's policy, with a report's own window or service level if given."""
    conf = {key: current_app.config.get(key, value) for key, value in DEFAULTS.items()}
    return Policy(days=days or int(conf["INSIGHT_DEMAND_DAYS"]),
                  service_level=service_level or float(conf["INSIGHT_SERVICE_LEVEL"]),
                  order_cost=float(conf["INSIGHT_ORDER_COST"]),
                  holding_rate=float(conf["INSIGHT_HOLDING_RATE"]))


@dataclass
class Point:
    """One product's reorder point and suggestion, with every number that produced them."""

    product_id: int
    sku: str
    name: str
    supplier: str
    days: int
    avg_daily: float         # forecast per day over the lead time
    sd_daily: float          # the forecast's error per day (backtest RMSE)
    lead_time_days: int
    z: float
    safety_stock: float      # in force: hand-set, else computed_safety
    computed: float          # lead_demand + computed_safety: demand alone
    override: int | None
    hand_set: int | None     # the product's own reorder point
    reorder_point: int       # in force
    source: str              # override, hand-set or computed
    eoq: int
    max_stock: int
    computed_safety: float = 0.0
    hand_safety: int | None = None
    on_hand: int = 0
    available: int = 0
    on_order: int = 0
    suggested: int = 0
    needs_reorder: bool = False
    model: str = "naive"     # the forecast's model
    lead_demand: float = 0.0  # forecast units over the lead time
    extra: dict = field(default_factory=dict)

    @property
    def position(self) -> int:
        return self.available + self.on_order

    def as_row(self) -> dict:
        row = asdict(self)
        row.pop("extra")
        row["position"] = self.position
        return row


def compute(product, fc: forecast.Forecast, pol: Policy,
            override: ReorderOverride | None = None) -> Point:
    """The reorder point and EOQ of one product (a row of ITEM), from its demand forecast."""
    lead = product.lead_time_days or 0
    lead_demand = fc.over(lead)
    mean = lead_demand / lead if lead else fc.on(fc.start)
    sd = fc.error
    worked = pol.z * sd * math.sqrt(lead)
    computed = lead_demand + worked
    safety = worked if product.safety_stock is None else float(product.safety_stock)
    if override is not None:
        point, source = override.reorder_point, "override"
    elif product.reorder_point is not None:
        point, source = product.reorder_point, "hand-set"
    else:
        point, source = math.ceil(round(lead_demand + safety, 6)), "computed"
    eoq = economic_quantity(mean, float(product.avg_cost or product.unit_cost or 0), pol)
    top = override.max_stock if override is not None and override.max_stock else point + eoq
    found = Point(product.id, product.sku, product.name, product.supplier or "", pol.days, mean,
                  sd, lead, pol.z, safety, computed,
                  override.reorder_point if override else None, product.reorder_point, point,
                  source, eoq, top, worked, product.safety_stock, model=fc.model,
                  lead_demand=lead_demand)
    found.extra["forecast"] = fc
    return found


def economic_quantity(mean_daily: float, unit_cost: float, pol: Policy) -> int:
    """Wilson's EOQ in units (at most a year of demand); COVER_DAYS of demand without a cost."""
    annual = mean_daily * 365
    if annual <= 0:
        return 0
    holding = unit_cost * pol.holding_rate
    if holding <= 0:
        return max(1, math.ceil(mean_daily * COVER_DAYS))
    eoq = math.sqrt(2 * annual * pol.order_cost / holding)
    return max(1, math.ceil(min(eoq, annual)))


def settle(point: Point, on_hand: int, available: int, on_order: int) -> Point:
    """Fill in stock and decide: order up to max_stock when the position is at the point."""
    point.on_hand, point.available, point.on_order = on_hand, available, on_order
    point.needs_reorder = point.position <= point.reorder_point and (
        point.reorder_point > 0 or point.avg_daily > 0)
    point.suggested = max(point.max_stock - point.position, 0) if point.needs_reorder else 0
    return point


# Working out a reorder point is mostly reading the product's daily demand over the window and
# fitting its forecast, and that demand is of complete UTC days only: the ledger is append-only
# and stamps each movement with the moment it posts, so the forecast is the same in every worker
# all day long: the alerts judged in a commit, the product page, the reorder page and the API
# all read this one forecast. Each process remembers it per (database, window, day, product),
# and the category series it pools per (database, day, category); everything else a point rests
# on (lead time, the catalogue's point and safety stock, an override, stock, what is on order)
# is read in the transaction that uses it. A miss reads a batch at once (the products next to
# it by id), as one product costs nearly as much as a few hundred.
_DEMAND: dict[tuple, dict[int, forecast.Forecast]] = {}
_POOLED: dict[tuple, dict[int, forecast.Pool]] = {}
WARM_BATCH = 500
_NEXT_ACTIVE = (select(Product.id).where(Product.active, Product.id >= bindparam("start"))
                .order_by(Product.id).limit(WARM_BATCH))


def known_demand(pol: Policy, product_ids) -> dict[int, forecast.Forecast]:
    """Demand forecasts of these products over the policy's window ending today (remembered
    for the day unless INSIGHT_DEMAND_MEMO is off)."""
    if not current_app.config.get("INSIGHT_DEMAND_MEMO", True):
        return forecasts(pol.days, list(product_ids))
    base = (db.engine, pol.days, q.today())  # the engine object: hashing its URL renders it
    if base not in _DEMAND:
        if len(_DEMAND) > 16:  # yesterday's, other databases' (tests)
            _DEMAND.clear()
        _DEMAND[base] = {}
    memo = _DEMAND[base]
    missing = [pid for pid in product_ids if pid not in memo]
    if missing:
        batch = set(missing)
        if len(batch) < WARM_BATCH:
            for pid in db.session.scalars(_NEXT_ACTIVE, {"start": min(missing)}):
                if len(batch) < WARM_BATCH and pid not in memo:
                    batch.add(pid)
        memo.update(forecasts(pol.days, sorted(batch)))
    return {pid: memo[pid] for pid in product_ids}


def forget_demand(product_id: int) -> None:
    """A movement posted with a past date (the demo's history) changes complete days: the
    product's forecast, and the month index of every category (which one is not known here)."""
    for memo in _DEMAND.values():
        memo.pop(product_id, None)
    _POOLED.clear()


def forget_all() -> None:
    """Forget every remembered forecast: the database was emptied or replaced under this process
    (a restore; the tests, which hand one app a fresh database each)."""
    _DEMAND.clear()
    _POOLED.clear()


def renew(pol: Policy, product_ids) -> dict[int, forecast.Forecast]:
    """Work these products' forecasts out again (and remember them for the day)."""
    found = forecasts(pol.days, product_ids)
    base = (db.engine, pol.days, q.today())
    if base in _DEMAND and current_app.config.get("INSIGHT_DEMAND_MEMO", True):
        _DEMAND[base].update(found)
    return found


def current_points(product_ids) -> list[Point]:
    """The points in force of these products now (active ones), as the reorder page has them:
    what an alert is raised or cleared by."""
    pol = policy()
    ids = sorted(product_ids)
    return points(pol, ids, known_demand(pol, ids))


_CATEGORIES = select(Product.id, Product.category_id).where(
    Product.id.in_(bindparam("ids", expanding=True)))


def forecasts(days: int, product_ids) -> dict[int, forecast.Forecast]:
    """Per product: its demand forecast from its daily demand over the window, its category's
    pooled over two years for the yearly model."""
    ids = list(product_ids)
    if not ids:
        return {}
    history = series.daily(ids, days)
    category = dict(db.session.execute(_CATEGORIES, {"ids": ids}).all())
    pooled = pooled_series({c for c in category.values() if c is not None})
    pids = list(history)
    found = dict(zip(pids, forecast.predict_many(
        [(history[pid][1], history[pid][0], pooled.get(category.get(pid))) for pid in pids]),
        strict=True))
    for pid, fc in found.items():
        fc.category = category.get(pid)
    return found


def pooled_series(category_ids) -> dict[int, forecast.Pool]:
    """The categories' daily demand per product, remembered per day (with the month indices
    worked out from them) unless INSIGHT_DEMAND_MEMO is off."""
    if not current_app.config.get("INSIGHT_DEMAND_MEMO", True):
        return {c: forecast.Pool(start, units) for c, (start, units)
                in series.category_daily(sorted(category_ids)).items()}
    base = (db.engine, q.today())
    if base not in _POOLED:
        if len(_POOLED) > 16:
            _POOLED.clear()
        _POOLED[base] = {}
    memo = _POOLED[base]
    missing = sorted(c for c in category_ids if c not in memo)
    if missing:
        memo.update({c: forecast.Pool(start, units) for c, (start, units)
                     in series.category_daily(missing).items()})
    return {c: memo[c] for c in category_ids}


WS = WarehouseStock.__table__
_STOCK_SUMS = select(WS.c.product_id, func.sum(WS.c.on_hand),
                    func.sum(WS.c.reserved)).group_by(WS.c.product_id)
# Built once: building a statement costs several times more than running it.
_STOCK_SUMS_OF = _STOCK_SUMS.where(WS.c.product_id.in_(bindparam("ids", expanding=True)))


def stock_sums(product_ids=None) -> dict[int, tuple[int, int]]:
    """Per product: on hand and available over every warehouse."""
    rows = (db.session.execute(_STOCK_SUMS) if product_ids is None
            else db.session.execute(_STOCK_SUMS_OF, {"ids": list(product_ids)}))
    return {pid: (int(h or 0), int(h or 0) - int(r or 0)) for pid, h, r in rows}


def on_order(product_ids=None) -> dict[int, int]:
    """Units still expected on open purchase orders (none while orders are not installed)."""
    try:
        from warehouse_app.orders.models import POStatus, PurchaseOrder, PurchaseOrderLine
    except ImportError:
        return {}
    line = PurchaseOrderLine
    query = (select(line.product_id, func.sum(line.qty - line.received))
             .join(PurchaseOrder, PurchaseOrder.id == line.purchase_order_id)
             .where(PurchaseOrder.status.in_([POStatus.OPEN, POStatus.PARTIAL]),
                    line.qty > line.received)
             .group_by(line.product_id))
    if product_ids is not None:
        query = query.where(line.product_id.in_(product_ids))
    return {pid: int(n or 0) for pid, n in db.session.execute(query)}


# What a reorder point needs of a product: plain columns, no ORM objects (10,000 of them add up).
ITEM = (select(Product.id, Product.sku, Product.name, Supplier.name.label("supplier"),
               Product.lead_time_days, Product.avg_cost, Product.unit_cost,
               Product.reorder_point, Product.safety_stock, Product.tracking,
               Product.category_id)
        .outerjoin(Supplier, Supplier.id == Product.supplier_id))


def _position_of_few():
    """ITEM with each product's stock over every warehouse, what is still on order and its
    override, in one statement: what a commit reads for the few products it moved (five
    statements, one a table, cost more than one with four subqueries by product key)."""
    from warehouse_app.orders.models import POStatus, PurchaseOrder
    from warehouse_app.orders.models import PurchaseOrderLine as line
    by_product = WS.c.product_id == Product.id
    ordered = (select(func.coalesce(func.sum(line.qty - line.received), 0))
               .join(PurchaseOrder, PurchaseOrder.id == line.purchase_order_id)
               .where(line.product_id == Product.id, line.qty > line.received,
                      PurchaseOrder.status.in_([POStatus.OPEN, POStatus.PARTIAL])))
    return (ITEM.add_columns(
                select(func.sum(WS.c.on_hand)).where(by_product)
                .scalar_subquery().label("on_hand"),
                select(func.sum(WS.c.reserved)).where(by_product)
                .scalar_subquery().label("reserved"),
                ordered.scalar_subquery().label("ordered"),
                ReorderOverride)
            .outerjoin(ReorderOverride, ReorderOverride.product_id == Product.id)
            .where(Product.active, Product.id.in_(bindparam("ids", expanding=True)))
            .order_by(Product.sku))


_FEW = None
FEW = 20  # up to this many products are read with _position_of_few


def forecasts_of(pol: Policy, products, sums=None) -> dict[int, forecast.Forecast]:
    """The forecasts of these products (rows of ITEM): the remembered ones the alerts judge by
    unless given, worked out again for a product put in another category since (in any
    worker: its pool changed)."""
    if sums is None:
        sums = known_demand(pol, [p.id for p in products])
    moved = [p.id for p in products if p.id in sums and sums[p.id].category != p.category_id]
    if moved:
        sums = {**sums, **renew(pol, moved)}
    return sums


def points(pol: Policy, product_ids=None, sums=None) -> list[Point]:
    """Reorder points and suggestions of active products (or some), by SKU; `sums`: their
    demand forecasts when already known."""
    if product_ids is not None and len(product_ids) <= FEW:
        return _few_points(pol, list(product_ids), sums)
    query = ITEM.where(Product.active).order_by(Product.sku)
    if product_ids is not None:
        query = query.where(Product.id.in_(product_ids))
    products = db.session.execute(query).all()
    ids = None if product_ids is None else [p.id for p in products]
    sums = forecasts_of(pol, products, sums)
    stock = stock_sums(ids)
    ordered = on_order(ids)
    overrides = {o.product_id: o for o in db.session.scalars(
        select(ReorderOverride) if ids is None
        else select(ReorderOverride).where(ReorderOverride.product_id.in_(ids)))}
    found = []
    for product in products:
        fc = sums.get(product.id) or forecast.predict([], q.today())
        point = compute(product, fc, pol, overrides.get(product.id))
        on_hand, available = stock.get(product.id, (0, 0))
        point.extra["stocked"] = product.id in stock  # it has had stock at some time
        point.extra["tracked"] = product.tracking is not Tracking.NONE
        found.append(settle(point, on_hand, available, ordered.get(product.id, 0)))
    return found


def _few_points(pol: Policy, product_ids: list, sums=None) -> list[Point]:
    global _FEW
    if _FEW is None:  # built once: building it costs more than running it
        _FEW = _position_of_few()
    rows = db.session.execute(_FEW, {"ids": product_ids}).all()
    sums = forecasts_of(pol, rows, sums)
    found = []
    for row in rows:
        fc = sums.get(row.id) or forecast.predict([], q.today())
        point = compute(row, fc, pol, row.ReorderOverride)
        on_hand, reserved = int(row.on_hand or 0), int(row.reserved or 0)
        point.extra["stocked"] = row.on_hand is not None  # it has had stock at some time
        point.extra["tracked"] = row.tracking is not Tracking.NONE
        found.append(settle(point, on_hand, on_hand - reserved, int(row.ordered or 0)))
    return found


def set_override(product: Product, reorder_point, max_stock=None, note: str = "",
                 user=None) -> ReorderOverride:
    """Store a hand-set reorder point (and order-up-to level) for a product."""
    point = _whole(reorder_point, "reorder_point", 0)
    top = _whole(max_stock, "max_stock", point + 1) if max_stock not in (None, "") else None
    override = db.session.get(ReorderOverride, product.id) or ReorderOverride(
        product_id=product.id)
    override.reorder_point, override.max_stock = point, top
    override.note, override.user_id = (note or "")[:200], getattr(user, "id", None)
    db.session.add(override)
    db.session.flush()
    return override


def clear_override(product: Product) -> bool:
    """Go back to the computed point; True when there was an override."""
    override = db.session.get(ReorderOverride, product.id)
    if override is None:
        return False
    db.session.delete(override)
    db.session.flush()
    return True


def _whole(value, field_name: str, least: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(f"{field_name} must be a whole number.", field=field_name) from None
    if number < least or number > 1_000_000_000:
        raise DomainError(f"{field_name} must be between {least} and 1,000,000,000.",
                          field=field_name)
    return number
