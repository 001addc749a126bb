"""HTTP load benchmark: simulated scanners posting movements to the served app, and look-ups.

Run: .venv/bin/python bench/http.py [--seconds 15] [--scanners 8 32] [--engines sqlite postgresql]
     [--pg postgresql://postgres@127.0.0.1:5432/bench] [--lock] [--contention] [--roads]

For each engine it migrates a fresh database (SQLite file in a temporary folder; the PostgreSQL
database's public schema dropped and recreated), adds 2,000 products, 200 bins and a token per
scanner, and serves the app as `make run` does (warehouse_app/serving.py: gunicorn, 2 workers x
4 threads, keep-alive). It prints how the worker processes shared the CPU: an uneven split
means the connections were not spread.
Each simulated scanner is a thread with its own keep-alive connection posting a receive /
transfer / pick mix (35/30/35) through POST /api/v1/movements, each with its own client_op_id,
on its own products, so every movement is allowed: what is measured is the app, not refusals.
A scanner that loses its connection reconnects and sends the same operation again, as the
phone's outbox does. Then as many look-up page readers (logged-in sessions) fetch
/lookup?code=<sku or bin>. Prints throughput and p50/p95/p99 latency; asserts nothing. With
--lock (SQLite) it also prints how long writers waited for the database's one write lock and
held it: the hold is the ceiling on movements per second.

The served app and the scanners are tests/support/served.py's, which the reliability tests
use too (kill -9 in the middle of the load, and many hands at once).
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
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from tests.support.served import (  # noqa: E402
    BINS,
    FloorScanner,
    PhoneScanner,
    phone_sessions,
    SKUS,
    free_port,
    kill,
    login,
    prepare,
    run_scanners,
    STOCKED_BINS,
    seed_stock,
    serve,
    stop,
)


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


def deadlocks(url: str) -> int:
    """Deadlocks PostgreSQL has counted in this database (0 for SQLite, which has none)."""
    if not url.startswith("postgresql"):
        return 0
    import psycopg
    with psycopg.connect(url) as conn:
        return int(conn.execute("SELECT deadlocks FROM pg_stat_database "
                                "WHERE datname = current_database()").fetchone()[0] or 0)


CONTENDED_SKUS, CONTENDED_BINS = 5, 200


def bench_contention(url: str, label: str, scanners: int, seconds: float,
                     root: Path | None) -> None:
    """Every scanner on the same 5 products: receipts at changing costs (each folds into the
    product's moving average) into any of 200 bins, transfers and picks out of the 10 bins
    stocked first."""
    tokens = prepare(url, scanners, skus=CONTENDED_SKUS, bins=CONTENDED_BINS)
    port = free_port()
    server = serve(url, port, root=root or ROOT)
    try:
        seed_stock(port, tokens[0], CONTENDED_SKUS, STOCKED_BINS, 100_000)
        before = deadlocks(url)
        ran, elapsed = run_scanners(port, tokens, seconds=seconds, skus=CONTENDED_SKUS,
                                    bins=CONTENDED_BINS, contended=True)
    finally:
        stop(server)  # its connections close: PostgreSQL's counters are then up to date
    times = [t for s in ran for t in s.times]
    refused = [status for s in ran for status, _ in s.refused]
    errors = sum(1 for status in refused if status >= 500)
    print(line(f"{label}, {scanners} on 5 SKUs", len(times), elapsed, times,
               f"   ({len(times):,} movements, {len(refused) - errors} refused, {errors} "
               f"errors, {sum(s.db_retries for s in ran)} retried after a deadlock, "
               f"{deadlocks(url) - before} deadlocks)"))


def bench_roads(url: str, label: str, sizes: list[int], seconds: float,
                root: Path | None) -> None:
    """The API's road and the phone's own (/scan/line from a logged-in page session, with its
    CSRF token) side by side, on the same mix (receipts with a cost and transfers, half and
    half, each scanner on its own products), one served app, one after the other."""
    for scanners in sizes:
        tokens = prepare(url, scanners)
        port = free_port()
        server = serve(url, port, root=root or ROOT)
        try:
            phones = phone_sessions(port, scanners)
            rates = {}
            for road, kind, keys in (("API", FloorScanner, tokens),
                                     ("phone", PhoneScanner, phones)):
                ran, elapsed = run_scanners(port, keys, seconds=seconds, kind=kind,
                                            seed=11 if road == "API" else 13)
                times = [t for s in ran for t in s.times]
                refused = [status for s in ran for status, _ in s.refused]
                rates[road] = len(times) / elapsed
                print(line(f"{label}, {scanners} scanners, {road}", len(times), elapsed, times,
                           f"   ({len(times):,} movements, {len(refused)} refused"
                           + (f": {sorted(set(refused))}" if refused else "") + ")"))
            print(f"{label}, {scanners} scanners: the phone's road does "
                  f"{rates['phone'] / rates['API']:.2f} of the API's")
        finally:
            kill(server)


def bench_engine(url: str, label: str, sizes: list[int], seconds: float,
                 workers: int | None, threads: int | None,
                 lock: bool = False, lookups: bool = True, root: Path | None = None) -> None:
    for scanners in sizes:
        tokens = prepare(url, scanners)
        port = free_port()
        notes = tempfile.mkdtemp(prefix="lock-notes-") if lock and "sqlite" in url else None
        server = serve(url, port, workers, threads, lock_notes=notes, root=root or ROOT)
        try:
            cpu, before = time.process_time(), worker_seconds(server)
            ran, elapsed = run_scanners(port, tokens, seconds=seconds)
            client = (time.process_time() - cpu) / elapsed / (os.cpu_count() or 1)
            split = [after - was for after, was in zip(worker_seconds(server), before,
                                                        strict=False)]
            times = [t for s in ran for t in s.times]
            refused = sum(len(s.refused) for s in ran)
            retried = sum(s.db_retries for s in ran)
            print(line(f"{label}, {scanners} scanners", len(times), elapsed, times,
                       f"   ({len(times):,} movements, {refused} refused, {retried} retried "
                       f"after a deadlock; the load tool "
                       f"used {client:.0%} of the CPUs; workers' CPU "
                       f"{' / '.join(f'{used / elapsed:.0%}' for used in split)})"))
            restarted = bool(notes)
            if notes:  # the workers leave their notes as they exit: stop them gently
                stop(server)
                print(lock_line(notes, elapsed))
                if not lookups:
                    continue
                server = serve(url, port, workers, threads, root=root or ROOT)
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
    parser.add_argument("--lock", action="store_true",
                        help="SQLite: also print how long writers waited for and held the write "
                             "lock (bench/lockwatch.py)")
    parser.add_argument("--no-lookups", action="store_true",
                        help="only the scanners (shorter runs, for paired comparisons)")
    parser.add_argument("--contention", action="store_true",
                        help="every scanner on the same 5 SKUs and 10 bins (default 32 "
                             "scanners): receipts with costs, transfers, picks")
    parser.add_argument("--roads", action="store_true",
                        help="the API's road and the phone's (/scan/line), same mix, side by "
                             "side (default 8 scanners)")
    parser.add_argument("--app-root", type=Path,
                        help="serve the app of another checkout (paired runs against a commit)")
    parser.add_argument("--pg", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench"))
    args = parser.parse_args()
    from warehouse_app import serving
    print(f"gunicorn {args.workers or serving.workers} workers x "
          f"{args.threads or serving.threads} threads, keep-alive"
          + f"; {os.cpu_count()} CPUs shared with the load tool; {args.seconds:.0f} s per run")
    with tempfile.TemporaryDirectory(prefix="http-bench-") as tmp:
        folder = Path(tmp)
        for engine in args.engines:
            url = f"sqlite:///{folder / 'bench.db'}" if engine == "sqlite" else args.pg
            if args.roads:
                bench_roads(url, engine, args.scanners if args.scanners != [8, 32] else [8],
                            args.seconds, args.app_root)
                continue
            if args.contention:
                for scanners in (args.scanners if args.scanners != [8, 32] else [32]):
                    bench_contention(url, engine, scanners, args.seconds, args.app_root)
                continue
            bench_engine(url, engine, args.scanners, args.seconds, args.workers, args.threads,
                         args.lock, not args.no_lookups, args.app_root)


if __name__ == "__main__":
    main()
