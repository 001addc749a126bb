"""The demo's own memory of what it posted, so that no made-up movement ever overdraws a bin.

Every movement goes through ledger.movements.record(), the one write path; this book only
mirrors the balances to choose sensible quantities and lots (first expiry, first out).
"""
import random
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from warehouse_app.catalog.models import Product
from warehouse_app.ledger.models import MovementKind
from warehouse_app.ledger.movements import Line, record
from warehouse_app.locations.models import Location


class Stockbook:
    """Balances per product, bin and lot as the demo history posts them, and the clock."""

    def __init__(self, rng: random.Random, user):
        self.rng = rng
        self.user = user
        self.held: dict[tuple[int, int], dict[str | None, int]] = defaultdict(dict)
        self.expiry: dict[tuple[int, str], date] = {}
        self.counts: Counter = Counter()
        self.at = datetime.min

    def start_day(self, day: datetime) -> None:
        """Set the clock to the start of a working day."""
        self.at = day

    def tick(self, low: float = 1, high: float = 6) -> None:
        """Let a few minutes pass between two scans."""
        self.at += timedelta(minutes=self.rng.uniform(low, high))

    def qty(self, product: Product, location: Location) -> int:
        """Units of a product in a bin, all lots together."""
        return sum(self.held.get((product.id, location.id), {}).values())

    def total(self, product: Product, locations: list[Location]) -> int:
        """Units of a product over several bins."""
        return sum(self.qty(product, loc) for loc in locations if loc is not None)

    def lots(self, product: Product, location: Location) -> list[tuple[str | None, int]]:
        """(lot, units) in a bin, the first to expire first."""
        found = [(lot, q) for lot, q in self.held.get((product.id, location.id), {}).items()
                 if q > 0]
        return sorted(found, key=lambda pair: (self.expiry.get((product.id, pair[0]), date.max)
                                               if pair[0] else date.min))

    def post(self, kind: MovementKind, product: Product, qty: int, source=None, target=None,
             user=None, **fields) -> None:
        """Record one movement at the current time and mirror it here."""
        lot = fields.get("lot")
        record(Line(kind, product, qty, from_location=source, to_location=target,
                    at=self.at, **fields), user=user or self.user)
        if source is not None:
            self._change(product, source, lot, -qty)
        if target is not None:
            self._change(product, target, lot, qty)
        self.counts[kind.value] += 1

    def move(self, kind: MovementKind, product: Product, qty: int, source: Location,
             target: Location | None = None, **fields) -> int:
        """Take up to qty from a bin, lot by lot (first expiry first); the units moved."""
        moved = 0
        for lot, held in self.lots(product, source):
            step = min(held, qty - moved)
            if step <= 0:
                break
            self.post(kind, product, step, source, target, lot=lot, **fields)
            moved += step
        return moved

    def receive(self, product: Product, qty: int, target: Location, shelf_life: int | None,
                **fields) -> None:
        """A delivery from the supplier; lot-tracked goods get a lot named for the day."""
        lot = expiry = None
        if shelf_life:
            lot = f"L{self.at:%y%m%d}"
            expiry = self.expiry.setdefault((product.id, lot),
                                            self.at.date() + timedelta(days=shelf_life))
        self.post(MovementKind.RECEIVE, product, qty, target=target, lot=lot, expiry=expiry,
                  **fields)

    def _change(self, product: Product, location: Location, lot: str | None, qty: int) -> None:
        lots = self.held[product.id, location.id]
        lots[lot] = lots.get(lot, 0) + qty
        if lots[lot] < 0:
            raise AssertionError(f"demo history overdrew {product.sku} in {location.code}")
        if lots[lot] == 0:
            del lots[lot]
