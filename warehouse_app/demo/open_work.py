"""The work the demo leaves open, so every workflow can be tried right after `make run`.

Customer orders to pick (a small one alone, a few more for a wave), purchase orders on their way
(what the history ordered and has not received yet), a planned blind count and a count whose
differences wait for a supervisor. All of it goes through the same domain functions as the
pages and the API. The counts take bins of the dead stock at the end of aisle C, which no order
picks from, and never aisle MAIN-A (tests/support/phone_pages.py opens a count of it).
"""
import math
from dataclasses import dataclass, field
from datetime import timedelta

from warehouse_app.counting import approval, counting, planning
from warehouse_app.demo.history import History, Item
from warehouse_app.demo.layout import Layout
from warehouse_app.orders import purchasing, reserving

CUSTOMERS = ("Harbour Café", "Maple Street Office", "Greenleaf Garden Centre",
             "Northside Hardware", "Bright Spark Electrics")
WAVE_ORDERS = 4


@dataclass
class OpenWork:
    """References of what was left open."""

    orders: list[str] = field(default_factory=list)  # the first one is for picking alone
    purchase_orders: list[str] = field(default_factory=list)
    planned_count: str = ""
    waiting_count: str = ""


def leave(history: History, sites: Layout) -> OpenWork:
    """Place the open orders and purchase orders and the two counts; the caller commits."""
    work = OpenWork()
    work.purchase_orders = _purchase_orders(history)
    work.orders = _orders(history)
    dead_bins = sites.bins("MAIN-C")[6:]  # homes of the dead stock (see seeding._catalogue)
    boss, staff = history.users["supervisor"], history.users["staff"]
    planned = planning.open_count({"locations": [b.code for b in dead_bins[:3]], "blind": True,
                                   "note": "Demo: a blind count to try"}, boss)
    work.planned_count = planned.reference
    work.waiting_count = _waiting_count(history, dead_bins[3:], boss, staff)
    return work


def _purchase_orders(history: History) -> list[str]:
    """One PO per supplier for what is still on its way; when nothing is (a short history),
    one for the products lowest against their reorder point."""
    due: dict[str, list[tuple[Item, int, int]]] = {}
    for item in history.items:
        for day, qty, _ref in item.on_order:
            due.setdefault(item.spec.supplier, []).append((item, qty, day))
    if not due:
        lowest = sorted((i for i in history.items if i.spec.pace != "dead"),
                        key=lambda i: (history.book.total(i.product, i.bins)
                                       / max(i.product.reorder_point, 1), i.spec.sku))[:3]
        for item in lowest:
            due.setdefault(item.spec.supplier, []).append(
                (item, max(6, math.ceil(item.spec.daily_units * 40)),
                 history.days + item.spec.lead_time))
    refs = []
    for supplier in sorted(due):
        lines = sorted(due[supplier], key=lambda line: line[0].spec.sku)
        arrives = history.first + timedelta(days=max(day for _, _, day in lines))
        po = purchasing.create({
            "reference": history.ref("PO"), "supplier": supplier, "warehouse": "MAIN",
            "expected_date": arrives.isoformat(),
            "lines": [{"sku": item.spec.sku, "qty": qty, "unit_cost": str(item.spec.cost)}
                      for item, qty, _ in lines]}, history.users["supervisor"])
        refs.append(po.reference)
    return refs


def _orders(history: History) -> list[str]:
    """A small order to pick alone, then a few that share products, for a wave."""
    stocked = [i for i in history.items if i.spec.pace in ("fast", "medium")
               and not i.spec.shelf_life and history.book.qty(i.product, i.home) >= 6]
    rng, refs = history.rng, []
    chosen = rng.sample(stocked, min(len(stocked), 8))
    baskets = [chosen[:2]] + [rng.sample(chosen[2:], 3) for _ in range(WAVE_ORDERS)]
    for number, basket in enumerate(baskets):
        order = reserving.place({
            "reference": history.ref("SO"), "customer": CUSTOMERS[number % len(CUSTOMERS)],
            "warehouse": "MAIN",
            "lines": [{"sku": item.spec.sku, "qty": 1 + (n + number) % 2}
                      for n, item in enumerate(sorted(basket, key=lambda i: i.spec.sku))]},
            history.users["admin"])
        refs.append(order.reference)
    return refs


def _waiting_count(history: History, bins, boss, staff) -> str:
    """Staff count the fullest of these bins, two products off the books; submitted, the
    differences wait for the supervisor (beyond the default tolerance of 1 unit and 2 %)."""
    held = {b.code: [(item, lot, qty) for item in history.items if b in item.bins
                     for lot, qty in history.book.lots(item.product, b)] for b in bins}
    code = max(sorted(held), key=lambda c: len(held[c]))
    count = planning.open_count({"locations": [code], "blind": True,
                                 "note": "Demo: counted, waiting for approval"}, boss)
    for n, (item, lot, qty) in enumerate(sorted(held[code], key=lambda h: h[0].spec.sku)):
        off = (-min(2, qty), 2)[n] if n < 2 else 0  # a loss, then a find
        counting.set_counted(count, {"location": code, "sku": item.spec.sku, "lot": lot or "",
                                     "counted_qty": qty + off}, staff)
    counting.close_bin(count, {"location": code}, staff)
    approval.submit(count, staff)
    return count.reference
