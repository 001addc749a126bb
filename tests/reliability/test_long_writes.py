"""Long writes beside the floor, on the served app and both engines: 8 scanners post
movements while a supervisor imports a product file of 256 KB (2,150 products, each checked
then written in transactions of about 20 ms), and while 6 people log in over and over. No
scan may be refused or answered "busy", the import must land whole, and the ledger verifies.
The scans' figures are printed; bench/floor.py measures them with the 5 MB file (a test of
that size would take minutes).

Runs alone, after the parallel run: it loads the machine for a while.
"""
import statistics
import threading

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import ENGINES
from tests.reliability.test_concurrency import _pg_url, _sa
from tests.reliability.test_faults import _verify
from tests.support import served

pytestmark = pytest.mark.alone
SCANNERS = 8


@pytest.fixture(scope="module", params=ENGINES)
def floor(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("long")
    url = (f"sqlite:///{folder / 'long.db'}" if request.param == "sqlite"
           else _pg_url("_long"))
    tokens = served.prepare(url, SCANNERS)
    people = served.add_people(url, 6)
    port = served.free_port()
    server = served.serve(url, port, log=str(folder / "server.log"))
    try:
        yield url, port, tokens, people
    finally:
        served.stop(server)
    checked = _verify(url)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def figures(label: str, scanners) -> str:
    times = sorted(t for s in scanners for t in s.times)
    p95 = statistics.quantiles(times, n=100)[94] * 1000
    line = (f"{label}: {len(times)} scans, p50 {statistics.median(times) * 1000:.1f} ms, "
            f"p95 {p95:.1f} ms, max {times[-1] * 1000:.0f} ms")
    print(line)
    return line


def assert_every_scan_went_through(scanners) -> None:
    refused = [r for s in scanners for r in s.refused]
    assert not refused, refused[:3]
    assert sum(s.retries for s in scanners) == 0, "scans were answered busy (503)"
    assert all(s.acked for s in scanners)


def test_a_product_import_while_8_scanners_post(floor):
    url, port, tokens, _ = floor
    data, answer = served.product_file(0.25), []
    cookie = served.login(port)
    scanners, _ = served.run_scanners(
        port, tokens, seed=11,
        during=lambda _: answer.append(served.post_import(port, cookie, "products", data)))
    status, took, message = answer[0]
    figures(f"during a {len(data) // 1024} KB import ({took:.0f} s)", scanners)
    assert status == 303 and "created" in message, (status, message)
    rows = data.count(b"\n") - 1
    engine = create_engine(_sa(url))
    with engine.connect() as conn:
        imported = conn.execute(text("SELECT count(*) FROM product WHERE sku LIKE 'IMP-%'"))
        assert imported.scalar() == rows
    engine.dispose()
    assert_every_scan_went_through(scanners)


def test_six_people_logging_in_while_8_scanners_post(floor):
    _, port, tokens, people = floor
    done, halt = [], threading.Event()
    threads = [threading.Thread(target=served.keep_logging_in, args=(port, name, halt, done))
               for name in people]
    for thread in threads:
        thread.start()
    try:
        scanners, elapsed = served.run_scanners(port, tokens, seconds=10, seed=12)
    finally:
        halt.set()
        for thread in threads:
            thread.join()
    figures(f"with 6 people logging in ({len(done)} logins in {elapsed:.0f} s)", scanners)
    assert len(done) >= len(people)
    assert_every_scan_went_through(scanners)
