"""Schemathesis over the OpenAPI document with bodies of every size and depth.

Schemathesis makes each operation's requests (paths, path parameters, query strings) from the
app's own spec; hypothesis gives each a JSON body of any shape: small documents of every kind,
brackets and objects nested from 1 to far past JSON_MAX_DEPTH, and texts from empty to past
the size limits. Whoever sends it, no answer is a 5xx; a body nested too deep is a 400 and one
over the limit a 413, before any view sees it.
"""
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import last_crash

EXAMPLES = 6  # per operation and caller: about 70 operations

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(
    max_size=40)
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.text(max_size=12), inner, max_size=4),
                         max_leaves=40).map(lambda value: (json.dumps(value).encode(), None))


def nested(depth: int, kind: str) -> tuple[bytes, int]:
    """A body nested `depth` deep, and its depth."""
    if kind == "list":
        return b"[" * depth + b"]" * depth, depth
    return b'{"a":' * depth + b"1" + b"}" * depth, depth


DEEP = st.builds(nested, st.integers(min_value=1, max_value=3000),
                 st.sampled_from(["list", "object"]))
# Sizes around every limit: the anonymous one (64 KB) and the logged-in one (16 MB).
SIZES = st.sampled_from([0, 1, 100, 4096, 64 * 1024 - 20, 64 * 1024 + 1, 1024 * 1024,
                         16 * 1024 * 1024 + 1])
LARGE = SIZES.map(lambda size: (b'{"pad": "' + b"x" * max(size - 11, 0) + b'"}', 1))
BODIES = st.one_of(DOCUMENTS, DEEP, LARGE)  # (body, its depth when known)


@pytest.fixture
def operations(app, db, make_location, make_product, stock, crash_as_500):
    app.config["API_RATE_LIMIT"] = 0  # one fast client; the limit is tested apart
    stock(make_product("SKU-1", barcodes=["4006381333931"]), make_location("B-1"), 5)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    found = [op for op in (result.ok() for result in schema.get_all_operations())]
    assert len(found) > 20
    return found


def expected(app, body: bytes, depth: int | None, credentials: bool) -> set[int] | None:
    """The answers a body may get whatever the operation, or None (any 2xx-4xx): too big,
    413 before it is read; too deep, 400 before any login matters; else, without a login,
    401 (or the 404/422 errors.refuse_unstorable gives first to a NUL or broken text)."""
    limit = app.config["MAX_CONTENT_LENGTH"] if credentials else app.config[
        "ANON_MAX_CONTENT_LENGTH"]
    if len(body) > limit:
        return {413}
    if depth is not None and depth > app.config["JSON_MAX_DEPTH"]:
        return {400}
    return None if credentials else {401, 404, 422}


@pytest.mark.parametrize("who", ["admin", "anonymous"])
def test_bodies_of_every_size_and_depth_never_answer_5xx(app, db, client, operations,
                                                          api_token, who):
    headers = api_token("admin") if who == "admin" else {}
    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:
        failures.extend(_fuzz(app, db, client, operation, headers, statuses))
    assert not failures, "\n".join(sorted(set(failures))[:40])
    assert {400, 413} <= set(statuses)  # bodies too deep and too big were really sent
    assert len(statuses) >= 3 * len(operations)


def _fuzz(app, db, client, operation, headers: dict, statuses: list[int]) -> list[str]:
    """Up to EXAMPLES requests to one operation; the failures found, as text."""
    found: list[str] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), sent=BODIES)
    def run(case, sent):
        body, depth = sent
        response = client.open(case.formatted_path, method=case.method, headers=headers,
                               query_string=case.query or {}, data=body,
                               content_type="application/json")
        db.session.rollback()
        statuses.append(response.status_code)
        where = f"{case.method} {case.formatted_path} ({len(body)} bytes, {body[:12]!r})"
        if response.status_code >= 500:
            found.append(f"{where}: {response.status_code} {last_crash(app)}")
            return
        want = expected(app, body, depth, bool(headers))
        if want is not None and response.status_code not in want:
            found.append(f"{where}: {response.status_code}, expected {want}")
        if response.status_code >= 400 and case.path.startswith("/api/"):
            error = (response.get_json(silent=True) or {}).get("error")
            if not isinstance(error, dict) or set(error) != {"code", "message", "field"}:
                found.append(f"{where}: {response.status_code} not in the error shape")

    run()
    return found
