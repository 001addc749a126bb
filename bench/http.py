"""HTTP load benchmark: simulated scanners posting movements to the served app, and look-ups.

Run: .venv/bin/python bench/http.py [--seconds 15] [--scanners 8 32] [--engines sqlite postgresql]
     [--pg postgresql://postgres@127.0.0.1:5432/bench] [--lock]

For each engine it migrates a fresh database (SQLite file in a temporary folder; the PostgreSQL
database's public schema dropped and recreated), adds 2,000 products, 200 bins and a token per
scanner, and serves the app as `make run` does (warehouse_app/serving.py: gunicorn, 2 workers x
4 threads, keep-alive; `--stock` for gunicorn's own threaded worker, to compare). It prints how
the worker processes shared the CPU: an uneven split means the connections were not spread.
Each simulated scanner is a thread with its own keep-alive connection posting a receive /
transfer / pick mix (35/30/35) through POST /api/v1/movements, each with its own client_op_id,
on its own products, so every movement is allowed: what is measured is the app, not refusals.
A scanner that loses its connection reconnects and sends the same operation again, as the
phone's outbox does. Then as many look-up page readers (logged-in sessions) fetch
/lookup?code=<sku or bin>. Prints throughput and p50/p95/p99 latency; asserts nothing. With
--lock (SQLite) it also prints how long writers waited for the database's one write lock and
held it: the hold is the ceiling on movements per second.

The same driver is used by tests/reliability/test_faults.py (kill -9 in the middle of it).
"""
import sys
from pathlib import Path

# This file is named http.py: when run as a script its folder comes first on sys.path and
# would hide the standard library's http package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
import uuid  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

SKUS, BINS = 2000, 200
PASSWORD = "bench-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str, scanners: int, skus: int = SKUS, bins: int = BINS) -> list[str]:
    """Migrate a fresh database, add products, bins, a user and one token per scanner."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, text

    from warehouse_app import create_app
    from warehouse_app.auth.models import Role
    from warehouse_app.auth.users import create_token, create_user
    from warehouse_app.catalog.models import Product
    from warehouse_app.extensions import db
    from warehouse_app.locations import places
    from warehouse_app.locations.models import LocationKind

    if url.startswith("sqlite:///"):
        for stale in Path(url.removeprefix("sqlite:///")).parent.glob("*.db*"):
            stale.unlink()
    else:
        ensure_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        if url.startswith("postgresql"):
            db.session.execute(text("DROP SCHEMA public CASCADE"))
            db.session.execute(text("CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        warehouse = places.create("WH", LocationKind.WAREHOUSE)
        for n in range(bins):
            places.create(f"B-{n:03d}", LocationKind.BIN, parent=warehouse)
        db.session.execute(insert(Product), [
            {"sku": f"SKU-{n:05d}", "name": f"Product {n}", "description": "", "unit_cost": 2,
             "avg_cost": 0, "reorder_point": 0, "safety_stock": 0, "lead_time_days": 7,
             "active": True} for n in range(skus)])
        user = create_user("bench", PASSWORD, Role.ADMIN)
        tokens = [create_token(f"scanner-{n}", user)[1] for n in range(scanners)]
        db.session.commit()
        db.engine.dispose()
    return tokens


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in the URL when it does not exist."""
    import psycopg
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def serve(url: str, port: int, workers: int | None = None, threads: int | None = None,
          stock: bool = False, lock_notes: str | None = None) -> subprocess.Popen:
    """gunicorn as `make run` starts it (warehouse_app/serving.py's settings), in its own process
    group (so kill -9 takes it all). `stock`: gunicorn's own threaded worker and kept-alive
    connections never closed, as served before serving.py (for comparison). `lock_notes`: a
    folder where each worker leaves its waits for and holds of SQLite's write lock as it exits
    (bench/lockwatch.py)."""
    from warehouse_app import serving
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "API_RATE_LIMIT": "0"}
    command = [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers or serving.workers),
               "--threads", str(threads or serving.threads)]
    if stock:
        command += ["--worker-class", "gthread"]
    elif lock_notes:
        command += ["--config", str(HERE / "lockwatch.py")]
        env["LOCKWATCH_DIR"] = lock_notes
    else:
        command += ["--config", "python:warehouse_app.serving"]
    server = subprocess.Popen(
        command + ["warehouse_app:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    wait_until_up(port, server)
    return server


def wait_until_up(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.05)
    kill(server)
    raise RuntimeError("gunicorn did not start")


def stop(server: subprocess.Popen, how: int = signal.SIGTERM) -> None:
    """End gunicorn's whole process group, the ordinary way unless told otherwise."""
    try:
        os.killpg(server.pid, how)
    except ProcessLookupError:
        pass
    server.wait(10)


def kill(server: subprocess.Popen) -> None:
    """kill -9 the master and its workers, as a power cut would."""
    stop(server, signal.SIGKILL)


@dataclass
class Scanner:
    """One phone: its own products, connection and record of what the server acknowledged."""

    number: int
    token: str
    port: int
    skus: list[str]
    rng: random.Random
    held: dict = field(default_factory=dict)
    times: list = field(default_factory=list)
    acked: list = field(default_factory=list)  # (client_op_id, movement id) answered 2xx
    refused: list = field(default_factory=list)  # (status, body) of 4xx answers
    retries: int = 0
    bins: int = BINS
    conn: http.client.HTTPConnection | None = None

    def next_body(self) -> dict:
        """Receive / transfer / pick, 35/30/35, never taking more than a bin holds."""
        stocked = [key for key, qty in self.held.items() if qty > 0]
        roll = self.rng.random()
        if roll < 0.35 or not stocked:
            key = (self.rng.choice(self.skus), f"B-{self.rng.randrange(self.bins):03d}")
            qty = self.rng.randint(1, 20)
            self.held[key] = self.held.get(key, 0) + qty
            return {"kind": "receive", "sku": key[0], "qty": qty, "to_location": key[1],
                    "unit_cost": "2.50"}
        sku, source = self.rng.choice(stocked)
        qty = self.rng.randint(1, self.held[(sku, source)])
        self.held[(sku, source)] -= qty
        if roll < 0.65:
            target = f"B-{self.rng.randrange(self.bins):03d}"
            target = (target if target != source
                      else f"B-{(int(source[2:]) + 1) % self.bins:03d}")
            self.held[(sku, target)] = self.held.get((sku, target), 0) + qty
            return {"kind": "transfer", "sku": sku, "qty": qty, "from_location": source,
                    "to_location": target}
        return {"kind": "pick", "sku": sku, "qty": qty, "from_location": source}

    def post(self, body: dict, stop: threading.Event) -> None:
        """Send one operation until the server answers it (reconnecting, same client_op_id)."""
        body["client_op_id"] = str(uuid.UUID(int=self.rng.getrandbits(128)))
        payload = json.dumps(body)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        while True:
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                start = time.perf_counter()
                self.conn.request("POST", "/api/v1/movements", payload, headers)
                response = self.conn.getresponse()
                answer = response.read()
                took = time.perf_counter() - start
            except (OSError, http.client.HTTPException):
                self.conn = None
                if stop.is_set():
                    return  # unanswered: it may or may not have been saved, never twice
                self.retries += 1
                time.sleep(0.05)
                continue
            if response.status in (200, 201):
                self.times.append(took)
                self.acked.append((body["client_op_id"], json.loads(answer)["id"]))
                return
            if response.status == 503 and not stop.is_set():  # busy or restarting: again
                self.retries += 1
                time.sleep(0.05)
                continue
            self.refused.append((response.status, answer[:300]))
            return

    def run(self, stop: threading.Event, count: int | None) -> None:
        done = 0
        while not stop.is_set() and (count is None or done < count):
            self.post(self.next_body(), stop)
            done += 1


def run_scanners(port: int, tokens: list[str], seconds: float | None = None,
                 count: int | None = None, seed: int = 7, during=None,
                 skus: int = SKUS, bins: int = BINS) -> tuple[list[Scanner], float]:
    """One scanner per token, on its own share of the products, for some seconds (or count
    operations each). `during(scanners)`, if given, runs in this thread meanwhile (a fault);
    without seconds the scanners stop when it returns. Returns the scanners and time taken."""
    per = skus // len(tokens)
    scanners = [Scanner(n, token, port, [f"SKU-{k:05d}" for k in range(n * per, (n + 1) * per)],
                        random.Random(seed * 1000 + n), bins=bins)
                for n, token in enumerate(tokens)]
    stop = threading.Event()
    threads = [threading.Thread(target=s.run, args=(stop, count), daemon=True)
               for s in scanners]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    if during is not None:
        during(scanners)
    if seconds is not None:
        time.sleep(max(0.0, seconds - (time.perf_counter() - start)))
    if seconds is not None or during is not None:
        stop.set()
    for thread in threads:
        thread.join()
    return scanners, time.perf_counter() - start


def login(port: int) -> str:
    """A logged-in session cookie for the look-up page."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": csrf, "username": "bench",
                                   "password": PASSWORD, "next": ""})
    conn.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded",
                                          "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    return response.getheader("Set-Cookie", cookie).split(";")[0]


def run_lookups(port: int, cookie: str, readers: int, seconds: float) -> tuple[list, int, float]:
    """Readers fetching the look-up page for random SKUs and bins; (times, errors, elapsed)."""
    times, errors, stop = [], [0], threading.Event()

    def read(n: int) -> None:
        rng, conn = random.Random(n), http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while not stop.is_set():
            code = (f"SKU-{rng.randrange(SKUS):05d}" if rng.random() < 0.7
                    else f"B-{rng.randrange(BINS):03d}")
            start = time.perf_counter()
            conn.request("GET", f"/lookup?code={code}", headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            times.append(time.perf_counter() - start)
            errors[0] += response.status != 200
    threads = [threading.Thread(target=read, args=(n,), daemon=True) for n in range(readers)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return times, errors[0], time.perf_counter() - start


def ms(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1] * 1000 if len(values) > 1 else 0.0


def line(label: str, count: int, elapsed: float, times: list[float], extra: str = "") -> str:
    return (f"  {label:<26} {count / elapsed:7.0f}/s   p50 {ms(times, 50):6.1f} ms   "
            f"p95 {ms(times, 95):6.1f} ms   p99 {ms(times, 99):6.1f} ms{extra}")


def worker_seconds(server: subprocess.Popen) -> list[float]:
    """CPU seconds used so far by each of gunicorn's worker processes (Linux /proc)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    seconds = []
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        seconds.append((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    return seconds


def lock_line(folder: str, elapsed: float) -> str:
    """How long writers waited for SQLite's write lock and held it, from the workers' notes."""
    notes = [note for path in Path(folder).glob("*.json")
             for note in json.loads(path.read_text())]
    if os.environ.get("LOCKWATCH_KEEP"):  # for a closer look: every note, with its worker
        Path(os.environ["LOCKWATCH_KEEP"]).write_text(json.dumps(
            {path.stem: json.loads(path.read_text()) for path in Path(folder).glob("*.json")}))
    if len(notes) < 2:
        return "  (no notes of the write lock: the workers did not exit in time)"
    waited, held = [note[0] for note in notes], [note[1] for note in notes]
    return (f"  SQLite's write lock, {len(notes):,} writes: waited p50 {ms(waited, 50):.1f} ms, "
            f"p95 {ms(waited, 95):.1f} ms; held p50 {ms(held, 50):.2f} ms, p90 "
            f"{ms(held, 90):.2f} ms, p99 {ms(held, 99):.2f} ms, mean "
            f"{statistics.mean(held) * 1000:.2f} ms; held {sum(held) / elapsed:.0%} of the time")


def bench_engine(url: str, label: str, sizes: list[int], seconds: float,
                 workers: int | None, threads: int | None, stock: bool,
                 lock: bool = False, lookups: bool = True) -> None:
    for scanners in sizes:
        tokens = prepare(url, scanners)
        port = free_port()
        notes = tempfile.mkdtemp(prefix="lock-notes-") if lock and "sqlite" in url else None
        server = serve(url, port, workers, threads, stock, lock_notes=notes)
        try:
            cpu, before = time.process_time(), worker_seconds(server)
            ran, elapsed = run_scanners(port, tokens, seconds=seconds)
            client = (time.process_time() - cpu) / elapsed / (os.cpu_count() or 1)
            split = [after - was for after, was in zip(worker_seconds(server), before,
                                                        strict=False)]
            times = [t for s in ran for t in s.times]
            refused = sum(len(s.refused) for s in ran)
            print(line(f"{label}, {scanners} scanners", len(times), elapsed, times,
                       f"   ({len(times):,} movements, {refused} refused; the load tool "
                       f"used {client:.0%} of the CPUs; workers' CPU "
                       f"{' / '.join(f'{used / elapsed:.0%}' for used in split)})"))
            restarted = bool(notes)
            if notes:  # the workers leave their notes as they exit: stop them gently
                stop(server)
                print(lock_line(notes, elapsed))
                if not lookups:
                    continue
                server = serve(url, port, workers, threads, stock)
            if not lookups:
                continue
            cookie = login(port)
            if restarted:  # new workers: their first requests set things up, untimed
                run_lookups(port, cookie, scanners, 1)
            times, errors, elapsed = run_lookups(port, cookie, scanners, seconds / 2)
            print(line(f"{label}, {scanners} look-ups", len(times), elapsed, times,
                       f"   ({len(times):,} pages, {errors} not 200)"))
        finally:
            kill(server)
            if notes:
                shutil.rmtree(notes, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--scanners", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--workers", type=int, help="gunicorn workers (make run: 2)")
    parser.add_argument("--threads", type=int, help="threads each (make run: 4)")
    parser.add_argument("--stock", action="store_true",
                        help="gunicorn's own threaded worker, connections kept alive for good")
    parser.add_argument("--lock", action="store_true",
                        help="SQLite: also print how long writers waited for and held the write "
                             "lock (bench/lockwatch.py)")
    parser.add_argument("--no-lookups", action="store_true",
                        help="only the scanners (shorter runs, for paired comparisons)")
    parser.add_argument("--pg", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench"))
    args = parser.parse_args()
    from warehouse_app import serving
    print(f"gunicorn {args.workers or serving.workers} workers x "
          f"{args.threads or serving.threads} threads, keep-alive, "
          + ("gunicorn's own worker" if args.stock else
             f"connections closed after {serving.REQUESTS_PER_CONNECTION} requests")
          + f"; {os.cpu_count()} CPUs shared with the load tool; {args.seconds:.0f} s per run")
    with tempfile.TemporaryDirectory(prefix="http-bench-") as tmp:
        folder = Path(tmp)
        for engine in args.engines:
            url = f"sqlite:///{folder / 'bench.db'}" if engine == "sqlite" else args.pg
            bench_engine(url, engine, args.scanners, args.seconds, args.workers, args.threads,
                         args.stock, args.lock, not args.no_lookups)


if __name__ == "__main__":
    main()
