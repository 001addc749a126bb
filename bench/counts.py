"""Cycle-count benchmark: a count of 20,000 lines over 2,000 bins entered, submitted, its
variances computed and its adjustments posted, then the waiting ones approved.

Run: .venv/bin/python bench/counts.py [--bins 2000] [--per-bin 10] [--off 0.10] [--profile]

A freshly migrated SQLite file gets one warehouse of 20 zones x 100 bins, 5,000 products and
100 units of 10 products in every bin (posted through record(), not timed). Timed: opening the
count of the whole warehouse; entering every line as one batch (batch.set_lines, bulk INSERT);
submitting it (every bin closed with one snapshot of its balances, tolerances looked up, the
differences within tolerance posted through record() in the one transaction); the commit
(insight's alert hooks run here); approving the lines that waited. `--off` is the share of
lines counted wrong: half of them by one unit (1 %, within the default tolerance), half by
five (beyond it). `--profile` prints where submit spends its time. Prints figures; asserts
nothing about speed.
"""

import sys  # noqa: I001  (first: the path must be set before anything imports http)
from pathlib import Path

# The project folder, not bench/, first on the path: bench/http.py would hide the standard
# library's http package from everything imported below.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import g  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from warehouse_app import create_app  # noqa: E402
from warehouse_app.auth.models import Role  # noqa: E402
from warehouse_app.auth.users import create_user  # noqa: E402
from warehouse_app.catalog.models import Product  # noqa: E402
from warehouse_app.counting import approval, batch, planning  # noqa: E402
from warehouse_app.counting.models import CountLine, LineStatus  # noqa: E402
from warehouse_app.extensions import db  # noqa: E402
from warehouse_app.ledger import balances  # noqa: E402
from warehouse_app.ledger.models import Movement, MovementKind  # noqa: E402
from warehouse_app.ledger.movements import Line, record  # noqa: E402
from warehouse_app.locations.models import Location, LocationKind  # noqa: E402

ZONES, STOCK, SKUS = 20, 100, 5000


def build(folder: Path, bins: int, per_bin: int):
    """The migrated database with its warehouse, products and stock; the app and the plan."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'counts.db'}",
                      "SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    app.instance_path = str(folder)
    with app.app_context():
        upgrade()
        g.cli_actor = "bench"
        db.session.execute(insert(Product), [
            {"sku": f"SKU-{n:05d}", "name": f"Product {n}", "description": "",
             "unit_cost": Decimal("2.5"), "avg_cost": Decimal("2.5"), "reorder_point": None,
             "safety_stock": None, "lead_time_days": 7, "active": True} for n in range(SKUS)])
        wh = Location(code="WH", name="WH", kind=LocationKind.WAREHOUSE)
        db.session.add(wh)
        db.session.flush()
        wh.warehouse_id = wh.id
        zones = [Location(code=f"Z{z:02d}", name=f"Zone {z}", kind=LocationKind.ZONE,
                          parent_id=wh.id, warehouse_id=wh.id, sequence=z) for z in range(ZONES)]
        db.session.add_all(zones)
        db.session.flush()
        db.session.execute(insert(Location), [
            {"code": f"B-{n:05d}", "name": f"Bin {n}", "kind": LocationKind.BIN,
             "parent_id": zones[n % ZONES].id, "warehouse_id": wh.id, "sequence": n,
             "active": True} for n in range(bins)])
        products = db.session.scalars(select(Product).order_by(Product.id)).all()
        places = db.session.scalars(select(Location).where(
            Location.kind == LocationKind.BIN).order_by(Location.id)).all()
        plan = []
        for n, place in enumerate(places):
            for k in range(per_bin):
                product = products[(n * per_bin + k) % SKUS]
                record(Line(MovementKind.RECEIVE, product, STOCK, to_location=place,
                            unit_cost=Decimal("2.5")))
                plan.append((place.code, product.sku))
        users = create_user("bench-boss", "bench-password", Role.SUPERVISOR), \
            create_user("bench-staff", "bench-password", Role.STAFF)
        db.session.commit()
        return app, plan, [u.id for u in users]


def lines_for(plan, off: float, rng: random.Random) -> list[dict]:
    """What the counters found: mostly the books; some by one unit, some by five."""
    found = []
    for code, sku in plan:
        roll, qty = rng.random(), STOCK
        if roll < off / 2:
            qty = STOCK + rng.choice((-1, 1))
        elif roll < off:
            qty = STOCK - 5
        found.append({"location": code, "sku": sku, "counted_qty": qty})
    return found


def timed(label: str, work, figures: list, units: int | None = None):
    """Run one step, print how long it took (and its rate), keep the figure."""
    started = time.perf_counter()
    result = work()
    took = time.perf_counter() - started
    rate = f"  ({units / took:,.0f}/s)" if units else ""
    figures.append((label, took))
    print(f"  {label:<44} {took:7.2f} s{rate}")
    return result


def report(figures: list, profile) -> None:
    """The total, what the ledger holds now, and the profile when asked for."""
    total = sum(took for label, took in figures if not label.startswith("open"))
    print(f"  {'enter + submit + commit + approve':<44} {total:7.2f} s")
    moved = db.session.scalar(select(func.count(Movement.id)).where(
        Movement.kind == MovementKind.COUNT))
    left = db.session.scalar(select(func.count(CountLine.id)).where(
        CountLine.status.in_([LineStatus.COUNTED, LineStatus.WAITING])))
    problems = balances.verify()
    print(f"  COUNT movements posted: {moved:,}; lines still open: {left}; "
          f"ledger verify: {'OK' if not problems else f'{len(problems)} mismatches'}")
    if profile:
        print("\nWhere submit + commit spend their time (cumulative, top 25):")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


def run(args) -> None:
    """Build the warehouse, then time each step of one big count."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        app, plan, (boss_id, staff_id) = build(Path(folder), args.bins, args.per_bin)
        print(f"Set-up: {args.bins:,} bins, {len(plan):,} stocked lines "
              f"({time.perf_counter() - started:.1f} s, not timed)")
        entries = lines_for(plan, args.off, random.Random(7))
        with app.app_context():
            g.cli_actor = "bench"
            from warehouse_app.auth.models import User
            boss, staff = db.session.get(User, boss_id), db.session.get(User, staff_id)
            figures: list = []
            count = timed("open the count (whole warehouse)",
                          lambda: planning.open_count({"locations": ["WH"]}, boss), figures)
            db.session.commit()
            timed(f"enter {len(entries):,} lines (one batch) + commit",
                  lambda: (batch.set_lines(count, entries, staff), db.session.commit()),
                  figures, len(entries))
            profile = cProfile.Profile() if args.profile else None
            if profile:
                profile.enable()
            outcome = timed("submit: snapshot, variances, post", lambda: approval.submit(
                count, staff), figures, len(entries))
            timed("commit (insight alert hooks run here)", db.session.commit, figures)
            if profile:
                profile.disable()
            print(f"    -> {outcome.matched:,} matched, {outcome.posted:,} posted at submit, "
                  f"{outcome.waiting:,} waiting")
            timed(f"approve {outcome.waiting:,} waiting lines + commit",
                  lambda: (approval.approve(count, boss, "bench"), db.session.commit()),
                  figures, outcome.waiting or None)
            report(figures, profile)
            db.engine.dispose()


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bins", type=int, default=2000)
    parser.add_argument("--per-bin", type=int, default=10)
    parser.add_argument("--off", type=float, default=0.10)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    print(f"Cycle count benchmark on SQLite: {args.bins:,} bins x {args.per_bin} lines, "
          f"{args.off:.0%} counted wrong")
    run(args)


if __name__ == "__main__":
    main()
