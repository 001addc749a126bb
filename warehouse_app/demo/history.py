"""120 days of warehouse life, every movement posted through the ledger's one write path.

Deliveries arrive at the dock and are put away; pickers fill orders six days a week, busiest on
Mondays and Fridays; a weekly truck stocks the shop, whose shelves are filled from its back room
and which sells every day, most at the weekend. Fast movers have a reserve bin; slow and dead
ones barely move; a few returns, damages, losses and expired lots happen along the way.
"""
import math
import random
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from warehouse_app.catalog.models import Product
from warehouse_app.demo.catalog_data import Spec
from warehouse_app.demo.layout import Layout
from warehouse_app.demo.stockbook import Stockbook
from warehouse_app.ledger.models import MovementKind, Reason
from warehouse_app.locations.models import Location
from warehouse_app.models import utcnow

DAYS = 120
COVER_DAYS = 40  # a purchase order covers five to six weeks of sales
PICK_DAYS = (1.25, 1.15, 1.05, 1.0, 1.2, 0.45, 0.0)  # Monday .. Sunday: the warehouse rests
SHOP_DAYS = (0.7, 0.8, 0.9, 1.0, 1.3, 1.7, 0.6)
ADJUSTMENTS = [  # reason, weight, note
    (Reason.DAMAGE, 40, "Dropped by the forklift"), (Reason.LOSS, 20, "Missing at the bin check"),
    (Reason.THEFT, 15, "Empty packaging found in the shop"),
    (Reason.FOUND, 25, "Found behind the rack")]
T = MovementKind


@dataclass
class Item:
    """A demo product, where it lives, and what is on order for it."""

    product: Product
    spec: Spec
    home: Location
    reserve: Location | None = None
    shop_back: Location | None = None
    shop_floor: Location | None = None
    on_order: list[tuple[int, int, str]] = field(default_factory=list)  # (day, qty, PO)

    @property
    def bins(self) -> list[Location]:
        return [b for b in (self.home, self.reserve, self.shop_back, self.shop_floor) if b]

    @property
    def home_max(self) -> int:
        return max(6, math.ceil(self.spec.daily_units * 12))

    @property
    def shop_target(self) -> int:
        return math.ceil(self.spec.shop_rate * 1.5 * 10) + 2


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class History:
    """Plays the days one by one; run() answers the number of movements by kind."""

    def __init__(self, items: list[Item], layout: Layout, users: dict, rng: random.Random,
                 days: int = DAYS, today: date | None = None):
        self.items, self.users, self.rng, self.days = items, users, rng, days
        self.book = Stockbook(rng, users["staff"])
        dock = layout.bins("MAIN-DOCK")
        self.docks, self.returns_bin = dock[:2], dock[2]
        self.first = (today or utcnow().date()) - timedelta(days=days)  # a UTC day, as reports
        self.numbers: Counter = Counter()
        self.recent: deque = deque(maxlen=300)  # (item, order) of recent picks, for returns

    def run(self, checkpoint=None) -> Counter:
        """Post the whole history; checkpoint(), if given, after each day (a commit, so a
        seed into a served database holds the write lock a day at a time, not for minutes)."""
        for day in range(self.days):
            self.one_day(day)
            if checkpoint is not None:
                checkpoint()
        return self.book.counts

    def ref(self, prefix: str) -> str:
        """The next document number of a kind: PO-4001, SO-10001 ..."""
        self.numbers[prefix] += 1
        start = {"PO": 4000, "SO": 10000, "TR": 700, "RMA": 300}.get(prefix, 0)
        return f"{prefix}-{start + self.numbers[prefix]}"

    def one_day(self, day: int) -> None:
        """Everything that happens on one day, in the order it happens."""
        today = self.first + timedelta(days=day)
        weekday, trend = today.weekday(), 0.85 + 0.3 * day / self.days
        self.book.start_day(datetime.combine(today, time(7, 0), tzinfo=UTC))
        if day == 0:
            self.opening()
        if PICK_DAYS[weekday]:
            self.receive_due(day)
            self.replenish()
            if weekday == 0:
                self.shop_truck()
            self.pick_orders(PICK_DAYS[weekday] * trend)
        self.fill_shelves()
        self.shop_sales(today, SHOP_DAYS[weekday] * trend)
        self.returns()
        self.adjust()
        if weekday == 4:
            self.write_off_expired(today)
        if weekday < 5:
            self.reorder(day)

    def _cost(self, item: Item) -> Decimal:
        return (item.spec.cost * Decimal(str(self.rng.uniform(0.95, 1.06)))).quantize(
            Decimal("0.01"))

    def opening(self) -> None:
        """Opening stock, counted in before the history starts, a little older than fresh."""
        for item in self.items:
            spec, ref = item.spec, "Opening stock"
            qty = (self.rng.randint(3, 24) if spec.pace == "dead"
                   else math.ceil(spec.daily_units * (spec.lead_time + COVER_DAYS / 2)) + 2)
            life = spec.shelf_life and spec.shelf_life - self.rng.randint(10, 70)
            home = qty if item.reserve is None else min(qty, item.home_max)
            for bin_, units in ((item.home, home), (item.reserve, qty - home),
                                (item.shop_back, item.shop_target if spec.pace != "dead" else 0)):
                if bin_ is not None and units > 0:
                    self.book.tick(0.2, 1)
                    self.book.receive(item.product, units, bin_, life, reference=ref,
                                      unit_cost=self._cost(item))

    def receive_due(self, day: int) -> None:
        """Deliveries due today arrive at the dock in the morning and are put away."""
        arrived = []
        for item in self.items:
            for due in [o for o in item.on_order if o[0] <= day]:
                item.on_order.remove(due)
                dock = self.rng.choice(self.docks)
                self.book.tick(2, 6)
                self.book.receive(item.product, due[1], dock, item.spec.shelf_life,
                                  reference=due[2], unit_cost=self._cost(item))
                arrived.append((item, dock, due[1], due[2]))
        for item, dock, qty, ref in arrived:
            self.book.tick(2, 5)
            room = max(item.home_max - self.book.qty(item.product, item.home), 0)
            to_home = qty if item.reserve is None else min(qty, room)
            self.book.move(T.TRANSFER, item.product, to_home, dock, item.home, reference=ref)
            if qty > to_home:
                self.book.move(T.TRANSFER, item.product, qty - to_home, dock, item.reserve,
                               reference=ref)

    def replenish(self) -> None:
        """Fast movers' pick faces topped up from their reserve bins."""
        for item in self.items:
            held = self.book.qty(item.product, item.home)
            if item.reserve is None or held >= item.spec.daily_units * 3:
                continue
            self.book.tick(1, 3)
            self.book.move(T.TRANSFER, item.product, item.home_max - held, item.reserve,
                           item.home, note="Pick face replenishment")

    def shop_truck(self) -> None:
        """Monday's truck takes what the shop needs from the main warehouse."""
        ref = self.ref("TR")
        for item in self.items:
            if item.shop_back is None:
                continue
            need = item.shop_target - self.book.total(item.product,
                                                      [item.shop_back, item.shop_floor])
            spare = self.book.qty(item.product, item.home) - math.ceil(item.spec.daily_units * 2)
            if min(need, spare) > 0:
                self.book.tick(1, 3)
                self.book.move(T.TRANSFER, item.product, min(need, spare), item.home,
                               item.shop_back, reference=ref)

    def pick_orders(self, busy: float) -> None:
        """Order lines of the day, shuffled across products, a few lines per order."""
        lines = [(item, self.rng.randint(1, item.spec.biggest)) for item in self.items
                 for _ in range(poisson(self.rng, item.spec.rate * busy))]
        self.rng.shuffle(lines)
        order, left = "", 0
        for item, qty in lines:
            if left == 0:
                order, left = self.ref("SO"), self.rng.randint(1, 4)
            left -= 1
            source = item.home if self.book.qty(item.product, item.home) else item.reserve
            if source is None:
                continue  # out of stock: the line waits for the next delivery
            self.book.tick(2, 7)
            if self.book.move(T.PICK, item.product, qty, source, reference=order):
                self.recent.append((item, order))

    def fill_shelves(self) -> None:
        """Shop shelves filled from the back room when they run low."""
        for item in self.items:
            if item.shop_floor is None:
                continue
            target = max(2, math.ceil(item.spec.shop_rate * 1.5 * 4))
            held = self.book.qty(item.product, item.shop_floor)
            if held * 2 < target and self.book.qty(item.product, item.shop_back):
                self.book.tick(1, 3)
                self.book.move(T.TRANSFER, item.product, target - held, item.shop_back,
                               item.shop_floor, note="Shelf fill")

    def shop_sales(self, today: date, busy: float) -> None:
        """Till sales in the shop, one or two units each."""
        for item in self.items:
            for _ in range(poisson(self.rng, item.spec.shop_rate * busy)):
                if item.shop_floor and self.book.qty(item.product, item.shop_floor):
                    self.numbers["POS"] += 1
                    self.book.tick(1, 5)
                    self.book.move(T.PICK, item.product, self.rng.randint(1, 2),
                                   item.shop_floor,
                                   reference=f"POS-{today:%y%m%d}-{self.numbers['POS']}")

    def returns(self) -> None:
        """Now and then a customer sends something back: restocked, or scrapped if damaged."""
        picks = [(i, o) for i, o in self.recent if not i.spec.shelf_life]
        if not picks or self.rng.random() > 0.3:
            return
        item, order = self.rng.choice(picks)
        self.book.tick(2, 10)
        self.book.post(T.RETURN, item.product, 1, target=self.returns_bin,
                       reference=self.ref("RMA"), note=f"Customer return of {order}")
        self.book.tick(5, 30)
        if self.rng.random() < 0.75:
            self.book.move(T.TRANSFER, item.product, 1, self.returns_bin, item.home,
                           note="Restocked after inspection", user=self.users["supervisor"])
        else:
            self.book.move(T.ADJUST, item.product, 1, self.returns_bin, reason=Reason.DAMAGE,
                           note="Returned damaged", user=self.users["supervisor"])

    def adjust(self) -> None:
        """Some days a supervisor writes off a damaged or missing item, or books one found."""
        if self.rng.random() > 0.16:
            return
        reason, _, note = self.rng.choices(ADJUSTMENTS, weights=[a[1] for a in ADJUSTMENTS])[0]
        stocked = [i for i in self.items if not i.spec.shelf_life
                   and self.book.qty(i.product, i.home)]
        if not stocked:
            return
        item = self.rng.choice(stocked)
        qty = self.rng.randint(1, min(3, self.book.qty(item.product, item.home)))
        self.book.tick(5, 20)
        supervisor = self.users["supervisor"]
        if reason is Reason.FOUND:
            self.book.post(T.ADJUST, item.product, qty, target=item.home, reason=reason,
                           note=note, user=supervisor)
        else:
            self.book.move(T.ADJUST, item.product, qty, item.home, reason=reason, note=note,
                           user=supervisor)

    def write_off_expired(self, today: date) -> None:
        """Fridays: lots within a week of their best-before date go to scrap."""
        for item in self.items:
            if not item.spec.shelf_life:
                continue
            for bin_ in item.bins:
                for lot, qty in self.book.lots(item.product, bin_):
                    if self.book.expiry[item.product.id, lot] <= today + timedelta(days=7):
                        self.book.tick(1, 4)
                        self.book.post(T.ADJUST, item.product, qty, bin_, lot=lot,
                                       reason=Reason.EXPIRY, note="Best-before date reached",
                                       user=self.users["supervisor"])

    def reorder(self, day: int) -> None:
        """At the end of the day, order what fell to its reorder point."""
        for item in self.items:
            spec = item.spec
            if spec.pace == "dead":
                continue
            position = (self.book.total(item.product, item.bins)
                        + sum(qty for _, qty, _ in item.on_order))
            if position > item.product.reorder_point:
                continue
            qty = max(6, math.ceil(spec.daily_units * COVER_DAYS))
            qty = math.ceil(qty / 6) * 6 if spec.pack else qty
            item.on_order.append((day + spec.lead_time + self.rng.randint(0, 2), qty,
                                  self.ref("PO")))
