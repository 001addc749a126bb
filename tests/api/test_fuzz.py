"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis).

Every operation gets a few generated requests with an admin bearer token: none may answer 5xx,
and every answer must match the documented schema. Bounded: a few examples per operation.
"""
import pytest
import schemathesis
from flask import g
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

MAX_EXAMPLES = 25
COUNTS = "/api/v1/counts"
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def fuzz_schema(app, db, api_token, make_location, make_product, stock):
    """The app's own OpenAPI document, some data to hit, and an admin token."""
    app.config["API_RATE_LIMIT"] = 0  # the fuzzer is one fast client; the limit is tested apart
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 answer, reported as such
    stock(make_product("SKU-1", barcodes=["4006381333931"]), make_location("B-1"), 5)
    # The WSGI client does not undo gzip (compress.py): the answers are read as sent. Now
    # that a report's JSON answer is documented beside its CSV one, it is checked too.
    headers = {**api_token("admin"), "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return schema, headers


def test_the_api_never_answers_5xx_and_matches_its_schema(db, fuzz_schema):
    failures, statuses, operations = _fuzz_all(db, fuzz_schema, counts=False)
    assert not failures, "\n".join(failures)
    assert len(operations) > 20
    assert len(statuses) >= 2 * len(operations)  # the requests really ran
    assert any(code < 300 for code in statuses) and any(code >= 400 for code in statuses)


def test_the_counts_api_never_answers_5xx_and_matches_its_schema(db, fuzz_schema):
    failures, _, operations = _fuzz_all(db, fuzz_schema, counts=True)
    assert operations
    assert not failures, "\n".join(failures)


def test_a_nul_byte_in_a_stock_filter_is_refused_not_a_500(client, api_token):
    """Found by the fuzzer on PostgreSQL: a NUL in ?sku= failed the query."""
    response = client.get("/api/v1/stock", query_string={"sku": "A\x00B"},
                          headers=api_token("staff"))
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "sku"


def _fuzz_all(db, fuzz_schema, counts: bool) -> tuple[list[str], list[int], list]:
    """Fuzz the counts operations, or every other one; (failures, statuses, operations)."""
    schema, headers = fuzz_schema
    operations = [op for op in (result.ok() for result in schema.get_all_operations())
                  if op.path.startswith(COUNTS) == counts]
    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:
        failures.extend(_fuzz(operation, headers, db, statuses))
    return sorted(set(failures)), statuses, operations


def _fuzz(operation, headers: dict, db, statuses: list[int]) -> list[str]:
    """Up to MAX_EXAMPLES requests to one operation; the failures found, as text."""
    found: list[str] = []

    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        db.session.commit()
        for key in list(vars(g)):  # a request in the test's app context: forget the last user
            delattr(g, key)
        try:
            response = case.call(headers=headers)  # re-raises what crashed the app (a 500)
        except Exception as err:  # noqa: BLE001
            db.session.rollback()
            found.append(f"{case.method} {case.formatted_path}: 500 {type(err).__name__}: "
                         f"{str(err).splitlines()[0][:200]}")
            return
        statuses.append(response.status_code)
        db.session.rollback()
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as err:  # noqa: BLE001  (collect them all)
            found.append(f"{operation.method.upper()} {operation.path}: {_brief(err)}")

    run()
    return found


def _brief(err: Exception) -> str:
    """The lines of a schemathesis failure that say what went wrong."""
    parts = list(getattr(err, "exceptions", None) or [err])
    return "; ".join(" ".join(str(part).strip().splitlines()[:12])[:500] for part in parts)
