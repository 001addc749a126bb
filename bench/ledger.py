"""Ledger write-path benchmark: movements per second through record(), and through raw sqlite3.

Run: .venv/bin/python bench/ledger.py [--movements 20000] [--skus 1000] [--bins 200]

Both runs start from the same freshly migrated SQLite file (same schema, indexes, triggers and
pragmas), post the same plan of receives, transfers and picks, and commit once per movement.
The raw run issues the statements post() boils down to: the client_op_id look-up, the
conditional decrement, the upsert increment, the warehouse balance of receipts and picks, and
the ledger insert (not the moving-average cost or a savepoint). It prints figures and asserts
nothing about speed.
"""

import sys  # noqa: I001  (first: the path must be set before anything imports http)
from pathlib import Path

# The project folder, not bench/, first on the path: bench/http.py would hide the standard
# library's http package from everything imported below.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, insert, select, update  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from warehouse_app import create_app  # noqa: E402
from warehouse_app.catalog.models import Product  # noqa: E402
from warehouse_app.database import BUSY_TIMEOUT_MS  # noqa: E402
from warehouse_app.extensions import db  # noqa: E402
from warehouse_app.ledger import balances  # noqa: E402
from warehouse_app.ledger.models import MovementKind  # noqa: E402
from warehouse_app.ledger.movements import Line, record  # noqa: E402
from warehouse_app.locations.models import Location, LocationKind  # noqa: E402

MIX = (("receive", 0.35), ("transfer", 0.30), ("pick", 0.35))


def build_database(folder: Path, skus: int, bins: int):
    """A migrated SQLite file with products and bins; returns the app bound to it."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'app.db'}",
                      "SECRET_KEY": "bench"})
    app.instance_path = str(folder)
    with app.app_context():
        upgrade()
        db.session.execute(insert(Product), [
            {"sku": f"SKU-{n:05d}", "name": f"Bench product {n}", "description": "",
             "unit_cost": Decimal("2.5"), "avg_cost": Decimal(0), "reorder_point": None,
             "safety_stock": None, "lead_time_days": 7, "active": True} for n in range(skus)])
        db.session.execute(insert(Location).values(
            code="WH", name="WH", kind=LocationKind.WAREHOUSE, sequence=0, active=True))
        wh = db.session.scalar(select(Location.id).where(Location.code == "WH"))
        db.session.execute(update(Location).where(Location.id == wh).values(warehouse_id=wh))
        db.session.execute(insert(Location), [
            {"code": f"B-{n:04d}", "name": f"Bin {n}", "kind": LocationKind.BIN, "parent_id": wh,
             "warehouse_id": wh, "sequence": n, "active": True} for n in range(bins)])
        db.session.commit()
        db.engine.dispose()
    return app


def make_plan(product_ids, bin_ids, count: int, seed: int = 7) -> list[tuple]:
    """Movements that never overdraw: (kind, product, from, to, qty, client_op_id)."""
    rng, held, keys, plan = random.Random(seed), {}, [], []
    for _ in range(count):
        roll = rng.random()
        kind = "receive" if roll < MIX[0][1] or not keys else (
            "transfer" if roll < MIX[0][1] + MIX[1][1] else "pick")
        if kind == "receive":
            pid, src, qty = rng.choice(product_ids), None, rng.randint(1, 50)
            dst = rng.choice(bin_ids)
        else:
            pid, src = rng.choice(keys)
            qty = rng.randint(1, min(held[pid, src], 20))
            dst = None
            if kind == "transfer":
                dst = rng.choice(bin_ids)
                dst = dst if dst != src else bin_ids[(bin_ids.index(src) + 1) % len(bin_ids)]
            _move(held, keys, (pid, src), -qty)
        if dst is not None:
            _move(held, keys, (pid, dst), qty)
        plan.append((kind, pid, src, dst, qty, str(uuid.UUID(int=rng.getrandbits(128)))))
    return plan


def _move(held: dict, keys: list, key: tuple, qty: int) -> None:
    before = held.get(key, 0)
    held[key] = before + qty
    if before == 0 and held[key] > 0:
        keys.append(key)
    elif held[key] == 0:
        keys.remove(key)
        del held[key]


HOOKS = {"seconds": 0.0, "started": 0.0}


def _hooks_start(_session) -> None:
    HOOKS["started"] = time.perf_counter()


def _hooks_end(_session) -> None:
    HOOKS["seconds"] += time.perf_counter() - HOOKS["started"]


def run_app(app, plan) -> tuple[float, float]:
    """Post the plan through record(), one commit each; wall and CPU seconds taken.

    Products and locations are loaded once, as a request has them after its look-ups; the
    session keeps them across commits (expire_on_commit off) so that what is timed is the
    write path, not re-reading a thousand products after every commit. The time between the
    first and the last listener of the session's before_commit is what the commit hooks cost
    (insight/hooks.py: alert evaluation), printed per movement.
    """
    event.listen(Session, "before_commit", _hooks_start, insert=True)
    event.listen(Session, "before_commit", _hooks_end)
    with app.app_context():
        db.session().expire_on_commit = False
        products = {p.id: p for p in db.session.scalars(select(Product))}
        places = {loc.id: loc for loc in db.session.scalars(select(Location))}
        kinds = {k.value: k for k in MovementKind}
        start, cpu = time.perf_counter(), time.process_time()
        for kind, pid, src, dst, qty, op in plan:
            record(Line(kinds[kind], products[pid], qty, from_location=places.get(src),
                        to_location=places.get(dst), client_op_id=op,
                        unit_cost=Decimal("2.5") if kind == "receive" else None))
            db.session.commit()
        took = time.perf_counter() - start, time.process_time() - cpu
        event.remove(Session, "before_commit", _hooks_start)
        event.remove(Session, "before_commit", _hooks_end)
        problems = balances.verify()
        if problems:
            print(f"verify found {len(problems)} mismatch(es)!")
        db.engine.dispose()
    return took


SQL = {
    "seen": "SELECT id FROM movement WHERE client_op_id = ?",
    "take": ("UPDATE stock_level SET on_hand = on_hand - ? WHERE product_id = ? "
             "AND location_id = ? AND lot_id IS NULL AND on_hand >= ?"),
    "bump": ("UPDATE stock_level SET on_hand = on_hand + ? WHERE product_id = ? "
             "AND location_id = ? AND lot_id IS NULL"),
    "create": ("INSERT INTO stock_level (product_id, location_id, lot_id, on_hand, reserved) "
               "VALUES (?, ?, NULL, ?, 0) ON CONFLICT DO NOTHING RETURNING id"),
    "wh_take": ("UPDATE warehouse_stock SET on_hand = on_hand - ?, reserved = reserved - 0 "
                "WHERE product_id = ? AND warehouse_id = ? AND reserved >= 0 "
                "AND on_hand - ? >= reserved - 0"),
    "wh_bump": "UPDATE warehouse_stock SET on_hand = on_hand + ? WHERE product_id = ? "
               "AND warehouse_id = ?",
    "wh_create": ("INSERT INTO warehouse_stock (product_id, warehouse_id, on_hand, reserved) "
                  "VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING RETURNING id"),
    "ledger": ("INSERT INTO movement (kind, product_id, qty, from_location_id, to_location_id, "
               "lot_id, reason, note, reference, unit_cost, user_id, client_op_id, "
               "reversal_of_id, created_at) VALUES (?, ?, ?, ?, ?, NULL, NULL, '', '', ?, NULL, "
               "?, NULL, ?)"),
}


def run_raw(path: Path, plan) -> tuple[float, float]:
    """Post the plan with plain sqlite3, one BEGIN IMMEDIATE ... COMMIT each; wall and CPU s."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("foreign_keys = ON", f"busy_timeout = {BUSY_TIMEOUT_MS}",
                   "journal_mode = WAL", "synchronous = NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    ends = dict(conn.execute("SELECT code, id FROM location "
                             "WHERE code IN ('SUPPLIER', 'CUSTOMER', 'WH')"))
    warehouse = ends["WH"]
    start, cpu = time.perf_counter(), time.process_time()
    for kind, pid, src, dst, qty, op in plan:
        src = src or ends["SUPPLIER"]
        dst = dst or ends["CUSTOMER"]
        conn.execute("BEGIN IMMEDIATE")
        if conn.execute(SQL["seen"], (op,)).fetchone() is None:
            if kind != "receive" and conn.execute(SQL["take"], (qty, pid, src, qty)).rowcount != 1:
                raise RuntimeError("plan overdraws")
            if kind != "pick" and conn.execute(SQL["bump"], (qty, pid, dst)).rowcount != 1:
                if conn.execute(SQL["create"], (pid, dst, qty)).fetchone() is None:
                    conn.execute(SQL["bump"], (qty, pid, dst))
            if kind == "pick":  # receipts and picks cross the warehouse's walls
                conn.execute(SQL["wh_take"], (qty, pid, warehouse, qty))
            elif kind == "receive":
                if conn.execute(SQL["wh_bump"], (qty, pid, warehouse)).rowcount != 1:
                    conn.execute(SQL["wh_create"], (pid, warehouse, qty)).fetchone()
            conn.execute(SQL["ledger"], (kind, pid, qty, src, dst, "2.5000", op,
                                         datetime.now(UTC).isoformat(sep=" ")))
        conn.execute("COMMIT")
    took = time.perf_counter() - start, time.process_time() - cpu
    conn.close()
    return took


def main() -> None:
    """Build, copy, run both, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movements", type=int, default=20_000)
    parser.add_argument("--skus", type=int, default=1_000)
    parser.add_argument("--bins", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        folder = Path(tmp)
        app = build_database(folder, args.skus, args.bins)
        shutil.copy(folder / "app.db", folder / "raw.db")
        with app.app_context():
            pids = list(db.session.scalars(select(Product.id).order_by(Product.id)))
            bins = list(db.session.scalars(select(Location.id).where(
                Location.kind == LocationKind.BIN).order_by(Location.id)))
            db.engine.dispose()
        plan = make_plan(pids, bins, args.movements)
        counts = {k: sum(1 for p in plan if p[0] == k) for k, _ in MIX}
        print(f"{len(plan):,} movements ({', '.join(f'{v:,} {k}' for k, v in counts.items())}) "
              f"over {args.skus:,} SKUs and {args.bins} bins, SQLite, one commit each")
        app_s = run_app(app, plan)
        raw_s = run_raw(folder / "raw.db", plan)
    report(len(plan), app_s, raw_s)


def report(count: int, app_s: tuple, raw_s: tuple) -> None:
    """Rates by the wall clock, and per CPU second (steadier on a busy machine)."""
    (app_wall, app_cpu), (raw_wall, raw_cpu) = app_s, raw_s
    print(f"app  record():  {count / app_wall:10,.0f} movements/s  ({app_wall:.2f} s wall, "
          f"{count / app_cpu:,.0f}/s per CPU second)")
    print(f"raw  sqlite3:   {count / raw_wall:10,.0f} movements/s  ({raw_wall:.2f} s wall, "
          f"{count / raw_cpu:,.0f}/s per CPU second)")
    print(f"ratio app/raw:  {raw_wall / app_wall:10.2f}  (per CPU second: {raw_cpu / app_cpu:.2f})")
    print(f"alert evaluation at commit: {HOOKS['seconds'] / count * 1e6:8,.0f} µs per movement "
          f"({100 * HOOKS['seconds'] / app_wall:.0f} % of the app's time)")


if __name__ == "__main__":
    main()
