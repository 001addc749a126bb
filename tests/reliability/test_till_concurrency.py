"""Tills selling at once from one warehouse (not naming bins), on the served app and on both
engines: the ledger chooses the bins for each, splits where one bin is short, and never sells
a unit twice. No 5xx; what the 201s sold is what left the bins; a retry racing its first
sending posts nothing twice; `flask ledger verify` is clean, and PostgreSQL counted no
deadlock.

Runs alone, after the parallel run: the load would disturb timings elsewhere.
"""
import uuid

import pytest

from tests.conftest import ENGINES
from tests.reliability.test_concurrency import Served, _deadlocks, _pg_url, codes, on_hand
from tests.support import served

pytestmark = pytest.mark.alone
N = 20
BINS = 6


@pytest.fixture(scope="module", params=ENGINES)
def shop(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("tills")
    url = (f"sqlite:///{folder / 'tills.db'}" if request.param == "sqlite"
           else _pg_url("_tills"))
    token = served.prepare(url, 1, skus=4, bins=BINS)[0]
    port, log = served.free_port(), folder / "server.log"
    deadlocks = _deadlocks(url) if request.param == "postgresql" else 0
    server = served.serve(url, port, log=str(log))
    try:
        yield Served(url, port, token, log)
    finally:
        served.stop(server)
    from tests.reliability.test_faults import _verify
    checked = _verify(url)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    if request.param == "postgresql":
        assert _deadlocks(url) == deadlocks, "the database log has deadlocks"
    assert "running it again" not in log.read_text(), "a write was retried after a deadlock"


def fill(app: Served, sku: str, per_bin: list[int]) -> None:
    for n, qty in enumerate(per_bin):
        status, body = app.call("POST", "/api/v1/movements", {
            "kind": "receive", "sku": sku, "qty": qty, "to_location": f"B-{n:03d}",
            "unit_cost": "1.00"})
        assert status == 201, body


def sale(sku: str, qty: int, op: str | None = None) -> tuple:
    return ("POST", "/api/v1/movements", {"kind": "pick", "sku": sku, "qty": qty,
                                          "from_location": "WH",
                                          "client_op_id": op or str(uuid.uuid4())})


def negative_rows(app: Served) -> int:
    return int(app.sql("SELECT count(*) FROM stock_level WHERE on_hand < 0")[0][0])


def test_twenty_tills_sell_from_one_warehouse_at_once(shop):
    fill(shop, "SKU-00000", [3, 2, 4, 1, 2, 3])  # 15 units over six bins
    answers = shop.burst([sale("SKU-00000", 2) for _ in range(N)])
    assert set(codes(answers)) <= {201, 409}, answers
    sold = [body for status, body in answers if status == 201]
    assert sum(body["qty"] for body in sold) == 15 - on_hand(shop, "SKU-00000")
    assert all(sum(m["qty"] for m in body["movements"]) == 2 for body in sold)
    assert negative_rows(shop) == 0
    # Nothing was refused while two units could still be sold.
    assert on_hand(shop, "SKU-00000") < 2
    for status, body in answers:
        if status == 409:
            assert body["error"]["code"] in {"insufficient_stock", "reserved"}, body
    moved = shop.sql("SELECT coalesce(sum(m.qty), 0) FROM movement m JOIN product p "
                     "ON p.id = m.product_id WHERE p.sku = 'SKU-00000' AND m.kind = 'pick'")
    assert int(moved[0][0]) == sum(body["qty"] for body in sold)


def test_retries_racing_their_first_sending_sell_once(shop):
    fill(shop, "SKU-00001", [2, 2, 2, 2, 2, 2])  # 12 units
    ops = [str(uuid.uuid4()) for _ in range(N // 2)]
    answers = shop.burst([sale("SKU-00001", 1 + n % 2, op) for n, op in enumerate(ops * 2)])
    assert set(codes(answers)) <= {200, 201, 409}, answers
    by_op: dict[str, list] = {}
    for (status, body), op in zip(answers, ops * 2, strict=True):
        by_op.setdefault(op, []).append((status, body))
    sold = 0
    for pair in by_op.values():
        won = [body for status, body in pair if status in (200, 201)]
        if won:  # both sendings name the same movements
            assert len({tuple(m["id"] for m in body["movements"]) for body in won}) == 1, pair
            sold += won[0]["qty"]
            assert [status for status, _ in pair].count(201) <= 1, pair
    assert sold == 12 - on_hand(shop, "SKU-00001")
    assert negative_rows(shop) == 0
