"""Report benchmark: every insight report over a 1,000,000-row ledger, on SQLite and PostgreSQL.

Run: .venv/bin/python bench/reports.py [--movements 1000000] [--skus 10000] [--bins 2000]
                                       [--pg postgresql://postgres@127.0.0.1:5432/bench_reports]

Both databases are migrated the normal way, then bulk-loaded without the write path (SQLite:
executemany; PostgreSQL: COPY): two years of receipts, picks, returns, transfers, write-offs
and counts per product, simulated so that no balance goes negative and the moving average cost
follows each receipt, with matching stock_level and warehouse_stock rows. Then each report runs
as the API would run it (build + JSON). PostgreSQL uses its own database (created when missing,
its public schema emptied first). It prints figures and asserts nothing about speed.
"""

import sys  # noqa: I001  (first: the path must be set before anything imports http)
from pathlib import Path

# The project folder, not bench/, first on the path: bench/http.py would hide the standard
# library's http package from everything imported below.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import math
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from warehouse_app import create_app  # noqa: E402
from warehouse_app.catalog.models import Category, Product, Supplier  # noqa: E402
from warehouse_app.extensions import db  # noqa: E402
from warehouse_app.locations.models import Location, LocationKind  # noqa: E402

DAYS = 730
WAREHOUSES = 4
COLUMNS = ("id", "kind", "product_id", "qty", "from_location_id", "to_location_id", "reason",
           "note", "reference", "unit_cost", "created_at")
RUNS = [("valuation", {}), ("valuation", {"as_of": -180}), ("valuation", {"by": "product"}),
        ("valuation", {"by": "product", "as_of": -180}), ("stock", {"as_of": -30}),
        ("movers", {}), ("dead-stock", {}), ("abc", {}), ("turnover", {}), ("shrinkage", {}),
        ("shrinkage", {"by": "user"}), ("reorder", {}), ("forecast", {})]


def make_app(url: str, folder: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    app.instance_path = folder
    return app


def master_data(skus: int, bins: int) -> dict:
    """Categories, suppliers, products, warehouses and bins; answers the ids the ledger needs."""
    db.session.execute(insert(Category), [{"name": f"Category {n}"} for n in range(20)])
    db.session.execute(insert(Supplier), [{"name": f"Supplier {n}"} for n in range(50)])
    rng = random.Random(7)
    db.session.execute(insert(Product), [
        {"sku": f"SKU-{n:05d}", "name": f"Bench product {n}", "description": "",
         "category_id": 1 + n % 20, "supplier_id": 1 + n % 50,
         "unit_cost": round(rng.uniform(0.5, 80), 2), "avg_cost": 0, "reorder_point": None,
         "safety_stock": None, "lead_time_days": rng.choice((3, 7, 14)), "active": True}
        for n in range(skus)])
    for w in range(WAREHOUSES):
        db.session.execute(insert(Location).values(code=f"WH{w}", name=f"Warehouse {w}",
                                                   kind=LocationKind.WAREHOUSE, sequence=w,
                                                   active=True))
    warehouses = dict(db.session.execute(select(Location.code, Location.id)
                                         .where(Location.kind == LocationKind.WAREHOUSE)).all())
    db.session.execute(text("UPDATE location SET warehouse_id = id WHERE kind = 'warehouse'"))
    db.session.execute(insert(Location), [
        {"code": f"B{n % WAREHOUSES}-{n:04d}", "name": "", "kind": LocationKind.BIN,
         "parent_id": warehouses[f"WH{n % WAREHOUSES}"],
         "warehouse_id": warehouses[f"WH{n % WAREHOUSES}"], "sequence": n, "active": True}
        for n in range(bins)])
    db.session.commit()
    ids = dict(db.session.execute(select(Location.code, Location.id)).all())
    bin_ids = [i for code, i in ids.items() if code.startswith("B")]
    return {"bins": bin_ids, "warehouse_of": {i: warehouses[f"WH{int(c[1])}"] for c, i
                                               in ids.items() if c.startswith("B")},
            "supplier": ids["SUPPLIER"], "customer": ids["CUSTOMER"], "scrap": ids["SCRAP"],
            "adjustment": ids["ADJUSTMENT"], "count": ids["COUNT"],
            "costs": dict(db.session.execute(select(Product.id, Product.unit_cost)).all())}


def simulate(pid: int, n: int, ids: dict, rng: random.Random, start: datetime):
    """One product's movements in time order; answers (rows, bin balances, average cost)."""
    homes = rng.sample(ids["bins"], rng.choice((1, 2, 3)))
    stock = dict.fromkeys(homes, 0)
    base, avg, rows = float(ids["costs"][pid]), 0.0, []
    seasonal = rng.random() < 0.3

    def moment() -> float:  # a seasonal product moves mostly around its yearly peak
        while True:
            t = rng.random()
            if not seasonal or rng.random() < 0.5 + 0.5 * math.sin(2 * math.pi * t * DAYS / 365):
                return t
    for t in sorted(moment() for _ in range(n)):
        when = start + timedelta(days=t * DAYS)
        where = rng.choice(homes)
        total = sum(stock.values())
        roll = rng.random()
        if total < 5 or roll < 0.12:
            qty, cost = rng.randint(20, 120), round(base * rng.uniform(0.9, 1.1), 4)
            avg = round((avg * total + cost * qty) / (total + qty), 4)
            rows.append(("receive", pid, qty, ids["supplier"], where, None, cost, when))
            stock[where] += qty
            continue
        source = max(stock, key=stock.get)
        qty = max(1, min(stock[source], rng.randint(1, 6)))
        if roll < 0.85:
            rows.append(("pick", pid, qty, source, ids["customer"], None, avg, when))
            stock[source] -= qty
        elif roll < 0.92 and len(homes) > 1:
            target = rng.choice([b for b in homes if b != source])
            rows.append(("transfer", pid, qty, source, target, None, avg, when))
            stock[source] -= qty
            stock[target] += qty
        elif roll < 0.95:
            rows.append(("return", pid, 1, ids["customer"], where, None, avg, when))
            stock[where] += 1
        elif roll < 0.98:
            reason = rng.choice(("damage", "loss", "theft"))
            end = ids["scrap"] if reason == "damage" else ids["adjustment"]
            rows.append(("adjust", pid, 1, source, end, reason, avg, when))
            stock[source] -= 1
        else:
            rows.append(("count", pid, 1, source, ids["count"], None, avg, when))
            stock[source] -= 1
    return rows, stock, avg


def ledger(movements: int, skus: int, ids: dict) -> tuple[list, dict, dict]:
    """Every movement (sorted by time, with ids), the final bin balances and average costs."""
    rng = random.Random(11)
    start = datetime.now(UTC) - timedelta(days=DAYS)
    weights = [rng.lognormvariate(0, 1.2) for _ in range(skus)]
    scale = movements / sum(weights)
    rows, balances, costs = [], {}, {}
    for pid, weight in enumerate(weights, start=1):
        made, stock, avg = simulate(pid, max(2, round(weight * scale)), ids, rng, start)
        rows.extend(made)
        costs[pid] = avg
        balances.update({(pid, b): q for b, q in stock.items()})
    rows.sort(key=lambda r: r[-1])
    return [(i, *r) for i, r in enumerate(rows, start=1)], balances, costs


def sqlite_row(r) -> tuple:
    i, kind, pid, qty, src, dst, reason, cost, when = r
    return (i, kind, pid, qty, src, dst, reason, "", "", cost,
            when.strftime("%Y-%m-%d %H:%M:%S.%f"))


def load(app, rows, balances, costs, ids) -> None:
    """Movements, balances and costs straight into the tables."""
    with app.app_context():
        raw = db.engine.raw_connection()
        cur = raw.cursor()
        names = ", ".join(COLUMNS)
        stock_rows = [(pid, b, q) for (pid, b), q in balances.items()]
        per_wh: dict = {}
        for (pid, b), q in balances.items():
            key = (pid, ids["warehouse_of"][b])
            per_wh[key] = per_wh.get(key, 0) + q
        if isinstance(raw.driver_connection, sqlite3.Connection):
            cur.execute("BEGIN")
            cur.executemany(f"INSERT INTO movement ({names}) VALUES ({', '.join('?' * 11)})",
                            (sqlite_row(r) for r in rows))
        else:
            with cur.copy(f"COPY movement ({names}) FROM STDIN") as copy:
                for i, kind, pid, qty, src, dst, reason, cost, when in rows:
                    copy.write_row((i, kind, pid, qty, src, dst, reason, "", "", cost, when))
            cur.execute("SELECT setval('movement_id_seq', (SELECT max(id) FROM movement))")
        mark = "?" if isinstance(raw.driver_connection, sqlite3.Connection) else "%s"
        cur.executemany("INSERT INTO stock_level (product_id, location_id, on_hand, reserved) "
                        f"VALUES ({mark}, {mark}, {mark}, 0)", stock_rows)
        cur.executemany("INSERT INTO warehouse_stock (product_id, warehouse_id, on_hand, "
                        f"reserved) VALUES ({mark}, {mark}, {mark}, 0)",
                        [(p, w, q) for (p, w), q in per_wh.items()])
        cur.executemany(f"UPDATE product SET avg_cost = {mark} WHERE id = {mark}",
                        [(c, p) for p, c in costs.items()])
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
        raw.close()


def time_reports(app) -> dict:
    """Seconds per report (the best of two runs), as the API builds and serialises it."""
    from warehouse_app.insight import alerts, central, reports
    found = {}
    with app.app_context():
        today = datetime.now(UTC).date()
        for name, args in RUNS:
            args = {k: (today + timedelta(days=v)).isoformat() if k == "as_of" else v
                    for k, v in args.items()}
            label = name + ("" if not args else f" {'&'.join(f'{k}={v}' for k, v in args.items())}")
            best = math.inf
            for _ in range(2):
                started = time.perf_counter()
                answer = reports.run(name, args)
                answer.as_json()
                best = min(best, time.perf_counter() - started)
                db.session.rollback()
            found[label] = (best, len(answer.rows))
        for label, job in (("central view page", lambda: central.build(central.Filters())),
                           ("alerts for 5 products (commit hook)",
                            lambda: alerts.evaluate([1, 2, 3, 4, 5])),
                           ("alerts sweep, every product", lambda: alerts.evaluate())):
            started = time.perf_counter()
            job()
            found[label] = (time.perf_counter() - started, 0)
            db.session.rollback()
    return found


def prepare_postgres(url: str) -> None:
    """Create the benchmark's own database when missing, and empty its public schema."""
    name = url.rsplit("/", 1)[1]
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def build(url: str, folder: str, args) -> dict:
    app = make_app(url, folder)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        ids = master_data(args.skus, args.bins)
    rows, balances, costs = ledger(args.movements, args.skus, ids)
    load(app, rows, balances, costs, ids)
    print(f"  loaded {len(rows):,} movements, {len(balances):,} balances "
          f"in {time.perf_counter() - started:.0f} s", flush=True)
    return time_reports(app)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--bins", type=int, default=2_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/"
                                        "bench_reports")
    parser.add_argument("--keep", help="keep the SQLite file in this folder (to look into it)")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or scratch
        Path(folder).mkdir(parents=True, exist_ok=True)
        Path(folder, "bench.db").unlink(missing_ok=True)
        print("SQLite:", flush=True)
        results["sqlite"] = build(f"sqlite:///{folder}/bench.db", folder, args)
        print("PostgreSQL:", flush=True)
        prepare_postgres(args.pg)
        results["postgresql"] = build(args.pg, folder, args)
    print(f"\n{'report':<44} {'SQLite s':>9} {'PostgreSQL s':>13} {'rows':>7}")
    for label in results["sqlite"]:
        lite, pg = results["sqlite"][label], results["postgresql"][label]
        print(f"{label:<44} {lite[0]:>9.3f} {pg[0]:>13.3f} {lite[1]:>7}")


if __name__ == "__main__":
    main()
