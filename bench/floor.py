"""Long writes beside the floor: do scans go on while a big import or many logins run?

Run: .venv/bin/python bench/floor.py [--engines sqlite postgresql] [--scanners 8]
     [--megabytes 5] [--people 6] [--seconds 15] [--app-root <another checkout>]

For each engine: a fresh database with 2,000 products and 200 bins, served as `make run` does;
8 scanners post receive / transfer / pick movements (tests/support/served.py). Three runs:
the scanners alone; the scanners while a supervisor imports a product CSV of about 5 MB
(45,000 new products with categories and barcodes) on the import page; the scanners while 6
people log in over and over (passwords hashed with scrypt, as in production). Prints the
scans' throughput and p50/p95/p99, the scans refused (4xx) and those answered "busy" (503,
sent again), the import's time and answer, and the logins done. Asserts nothing.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import argparse
import os
import statistics
import tempfile
import threading

from tests.support.served import (
    add_people,
    free_port,
    keep_logging_in,
    login,
    post_import,
    prepare,
    product_file,
    run_scanners,
    serve,
    stop,
)


def ms(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1] * 1000 if len(values) > 1 else 0.0


def scans_line(label: str, scanners, elapsed: float) -> str:
    times = [t for s in scanners for t in s.times]
    refused = sum(len(s.refused) for s in scanners)
    busy = sum(s.retries for s in scanners)
    return (f"  {label:<22} {len(times) / elapsed:6.0f} scans/s   p50 {ms(times, 50):6.1f} ms"
            f"   p95 {ms(times, 95):6.1f} ms   p99 {ms(times, 99):7.1f} ms   "
            f"refused {refused}   busy (503, sent again) {busy}")


def bench(url: str, engine: str, args) -> None:
    tokens = prepare(url, args.scanners)
    people = add_people(url, args.people)
    port = free_port()
    server = serve(url, port, root=args.app_root or ROOT)
    try:
        print(f"{engine}:")
        if "alone" in args.cases:
            scanners, elapsed = run_scanners(port, tokens, seconds=args.seconds, seed=1)
            print(scans_line("scanners alone", scanners, elapsed))
        if "import" in args.cases:
            import_case(port, tokens, args)
        if "logins" in args.cases:
            logins_case(port, tokens, people, args)
    finally:
        stop(server)


def import_case(port: int, tokens: list[str], args) -> None:
    data, answer = product_file(args.megabytes), []
    cookie = login(port)
    scanners, elapsed = run_scanners(
        port, tokens, seed=2,
        during=lambda _: answer.append(post_import(port, cookie, "products", data)))
    status, took, message = answer[0]
    print(scans_line("during the import", scanners, elapsed))
    print(f"  import of {len(data) / 1024 / 1024:.1f} MB: {status} in {took:.1f} s: "
          f"{message[:120]}")


def logins_case(port: int, tokens: list[str], people: list[str], args) -> None:
    done, halt = [], threading.Event()
    threads = [threading.Thread(target=keep_logging_in, args=(port, name, halt, done),
                                daemon=True) for name in people]
    for thread in threads:
        thread.start()
    scanners, elapsed = run_scanners(port, tokens, seconds=args.seconds, seed=3)
    halt.set()
    for thread in threads:
        thread.join()
    print(scans_line(f"with {len(people)} logging in", scanners, elapsed))
    print(f"  logins: {len(done)} in {elapsed:.0f} s, p50 {ms(done, 50):.0f} ms, "
          f"p95 {ms(done, 95):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--scanners", type=int, default=8)
    parser.add_argument("--megabytes", type=float, default=5)
    parser.add_argument("--people", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--cases", nargs="+", default=["alone", "import", "logins"],
                        choices=["alone", "import", "logins"])
    parser.add_argument("--app-root", type=Path,
                        help="serve the app of another checkout (paired runs against a commit)")
    parser.add_argument("--pg", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="floor-bench-") as tmp:
        for engine in args.engines:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}" if engine == "sqlite" else args.pg
            bench(url, engine, args)


if __name__ == "__main__":
    main()
