"""Order benchmark: orders per second accepted through POST /api/v1/orders, reservations and all.

Run: .venv/bin/python bench/orders.py [--orders 2000] [--clients 8] [--engines sqlite,postgresql]

For each engine: a fresh migrated database (SQLite: a temporary file; PostgreSQL: the
`test_seed` database, its public schema dropped and recreated), two warehouses with bins and
coordinates, 300 products received into both, and a staff API token. gunicorn serves it as
`make run` does (2 workers, 4 threads each). Eight clients, each on its own keep-alive
connection, post orders of 1-3 lines with a delivery point, so routing chooses the warehouse
and every line is reserved with its conditional UPDATE. A second round has every client order
a product with only 40 units left, to show refusals under contention and that nothing is
oversold. Prints figures; asserts nothing about speed.
"""

import sys  # noqa: I001  (first: the path must be set before anything imports http)
from pathlib import Path

# The project folder, not bench/, first on the path: bench/http.py would hide the standard
# library's http package from everything imported below.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import http.client
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from bench import http as load  # noqa: E402  (the shared gunicorn starter)
from warehouse_app import create_app  # noqa: E402
from warehouse_app.auth.models import Role  # noqa: E402
from warehouse_app.auth.users import create_token, create_user  # noqa: E402
from warehouse_app.catalog import products  # noqa: E402
from warehouse_app.extensions import db  # noqa: E402
from warehouse_app.ledger import balances  # noqa: E402
from warehouse_app.ledger.models import MovementKind, WarehouseStock  # noqa: E402
from warehouse_app.ledger.movements import Line, record  # noqa: E402
from warehouse_app.locations import places  # noqa: E402
from warehouse_app.locations.models import LocationKind  # noqa: E402
from warehouse_app.orders.models import Order, OrderLine  # noqa: E402

PG_URL = "postgresql://postgres@127.0.0.1:5432/test_seed"
SKUS, BINS, STOCK, SCARCE = 300, 20, 5000, 40
SITES = [("NORTH", 53.80, -1.55), ("SOUTH", 50.82, -0.14)]
CONFIG = {"SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}


def _app(url: str, folder: Path):
    app = create_app({**CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    app.instance_path = str(folder)
    return app


def reset_postgres(url: str) -> None:
    """The bench's own database starts empty: drop and recreate its schema."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def prepare(url: str, folder: Path) -> str:
    """Migrate, build two warehouses, stock every product in both; return a staff token."""
    app = _app(url, folder)
    with app.app_context():
        upgrade()
        skus = [products.create({"sku": f"SKU-{n:04d}", "name": f"Product {n}"})
                for n in range(SKUS + 1)]
        for code, lat, lon in SITES:
            warehouse = places.create(code, LocationKind.WAREHOUSE)
            warehouse.latitude, warehouse.longitude = lat, lon
            bins = [places.create(f"{code}-{n:02d}", LocationKind.BIN, parent=warehouse,
                                  sequence=n) for n in range(BINS)]
            for n, product in enumerate(skus[:-1]):
                record(Line(MovementKind.RECEIVE, product, STOCK, to_location=bins[n % BINS]))
        record(Line(MovementKind.RECEIVE, skus[-1], SCARCE,
                    to_location=places.by_code("NORTH-00")))
        user = create_user("bench", "bench-password", Role.STAFF)
        _, secret = create_token("bench", user)
        db.session.commit()
        db.engine.dispose()
    return secret






def an_order(rng: random.Random, reference: str, scarce: bool) -> dict:
    if scarce:
        lines = [{"sku": f"SKU-{SKUS:04d}", "qty": 1}]
    else:
        lines = [{"sku": f"SKU-{n:04d}", "qty": rng.randint(1, 3)}
                 for n in rng.sample(range(SKUS), rng.randint(1, 3))]
    return {"reference": reference, "customer": "Bench Ltd", "lines": lines,
            "latitude": round(rng.uniform(50.5, 54.5), 3),
            "longitude": round(rng.uniform(-2.5, 0.5), 3)}


def run_clients(port: int, token: str, clients: int, per_client: int, tag: str,
                scarce: bool) -> tuple[list[float], dict, float]:
    """Each client posts its orders one after another; latencies and status counts."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    times: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(i: int) -> None:
        rng = random.Random(i)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, seen = [], {}
        barrier.wait()
        for n in range(per_client):
            body = json.dumps(an_order(rng, f"{tag}-{i}-{n}", scarce))
            start = time.perf_counter()
            conn.request("POST", "/api/v1/orders", body, headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            seen[response.status] = seen.get(response.status, 0) + 1
        with lock:
            times.extend(mine)
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return times, statuses, time.perf_counter() - started


def check(url: str, folder: Path) -> str:
    """The books after the run: ledger proof, reservations equal to the order lines."""
    app = _app(url, folder)
    with app.app_context():
        problems = balances.verify()
        held = db.session.scalar(select(func.coalesce(func.sum(OrderLine.reserved), 0)))
        cached = db.session.scalar(select(func.coalesce(func.sum(WarehouseStock.reserved), 0)))
        over = db.session.scalar(select(func.count()).where(
            WarehouseStock.reserved > WarehouseStock.on_hand))
        orders = db.session.scalar(select(func.count(Order.id)))
        db.engine.dispose()
    return (f"{orders} orders in the database; ledger verify: {len(problems)} problems; "
            f"reserved {cached} = order lines {held}: {cached == held}; oversold rows: {over}")


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1] * 1000


def bench(engine: str, orders: int, clients: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.db'}" if engine == "sqlite" else PG_URL
        if engine == "postgresql":
            reset_postgres(url)
        token = prepare(url, folder)
        port = load.free_port()
        server = load.serve(url, port)
        try:
            per_client = max(1, orders // clients)
            times, statuses, elapsed = run_clients(port, token, clients, per_client, "B",
                                                   scarce=False)
            race_times, race, _ = run_clients(port, token, clients, 10, "R", scarce=True)
        finally:
            load.stop(server)
        accepted = statuses.get(201, 0)
        print(f"{engine}: {len(times)} orders from {clients} clients "
              f"(gunicorn 2 workers x 4 threads), 1-3 lines each, routed by distance")
        print(f"  {accepted / elapsed:.0f} orders/s accepted   p50 {pct(times, 50):.1f} ms   "
              f"p95 {pct(times, 95):.1f} ms   p99 {pct(times, 99):.1f} ms   statuses {statuses}")
        print(f"  contention: {len(race_times)} orders for a product with {SCARCE} units: "
              f"{race.get(201, 0)} accepted, {race.get(409, 0)} refused (409)   statuses {race}")
        print(f"  {check(url, folder)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    for engine in args.engines.split(","):
        bench(engine.strip(), args.orders, args.clients)


if __name__ == "__main__":
    main()
