"""The OpenAPI document is a contract other systems can use as it is: it validates against the
OpenAPI 3 specification, and a client generated from it by openapi-python-client works against
the served app (gunicorn, as `make run` serves it) on each engine."""
import importlib
import io
import json
import subprocess
import sys
import urllib.parse

import pytest
from openapi_spec_validator import validate

from tests.conftest import ENGINES, PG_URL
from tests.support import served


def test_the_openapi_document_validates_against_the_specification(client):
    validate(client.get("/api/v1/openapi.json").json)


def test_a_csv_answer_keeps_the_json_answer_beside_it(client):
    """A report and the shipments export answer JSON or, with ?format=csv, CSV: both are
    documented, each with its description."""
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/reports/{name}", "/api/v1/exports/shipments"):
        answer = paths[path]["get"]["responses"]["200"]
        assert answer["description"]
        assert set(answer["content"]) == {"application/json", "text/csv"}


def _database(engine: str, folder) -> str:
    if engine == "sqlite":
        return f"sqlite:///{folder / 'contract.db'}"
    parts = urllib.parse.urlsplit(PG_URL)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path + "_contract"))


@pytest.fixture(params=ENGINES)
def app_served(request, tmp_path):
    """(base URL, an admin's token) of the app served by gunicorn on a fresh database."""
    token = served.prepare(_database(request.param, tmp_path), 1, skus=2, bins=2)[0]
    port = served.free_port()
    server = served.serve(_database(request.param, tmp_path), port)
    try:
        yield f"http://127.0.0.1:{port}", token
    finally:
        served.stop(server)


def generate_client(base_url: str, folder, name: str):
    """The package openapi-python-client generates from the served document, imported."""
    import httpx
    spec = folder / "openapi.json"
    spec.write_bytes(httpx.get(f"{base_url}/api/v1/openapi.json").raise_for_status().content)
    # No ruff run over the generated code; a text/csv body (the imports) sent as the file it
    # is (the generator's own setting for content types it does not know).
    config = folder / "generator.json"
    config.write_text(json.dumps({"post_hooks": [],
                                  "content_type_overrides": {"text/csv":
                                                             "application/octet-stream"}}))
    made = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(spec),
         "--output-path", str(folder / name), "--meta", "none", "--config", str(config)],
        capture_output=True, text=True)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "Warning" not in made.stdout + made.stderr, made.stdout + made.stderr
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))


def test_a_generated_client_posts_a_movement_and_reads_the_product(app_served, tmp_path,
                                                                    request):
    base_url, token = app_served
    name = f"warehouse_client_{request.node.callspec.id}"
    package = generate_client(base_url, tmp_path, name)
    post_movement = importlib.import_module(f"{name}.api.api_movements.post_api_v1_movements")
    read_product = importlib.import_module(f"{name}.api.api_products.get_api_v1_products_sku")
    import_products = importlib.import_module(
        f"{name}.api.api_imports.post_api_v1_products_import")
    models = importlib.import_module(f"{name}.models")
    types = importlib.import_module(f"{name}.types")

    with package.AuthenticatedClient(base_url=base_url, token=token) as api:
        answer = post_movement.sync_detailed(client=api, body=models.MovementIn(
            kind=models.MovementInKind.RECEIVE, sku="SKU-00001", qty=7, to_location="B-001",
            unit_cost=2.5, client_op_id="8d0c5a52-6a5e-4c39-9a59-1d2f0c7b7e11"))
        assert answer.status_code == 201, answer.content
        movement = answer.parsed
        assert isinstance(movement, models.Movement) and movement.id > 0
        assert (movement.sku, movement.qty, movement.to_location) == ("SKU-00001", 7, "B-001")

        product = read_product.sync(client=api, sku="SKU-00001")
        assert isinstance(product, models.ProductDetail)
        assert (product.sku, product.on_hand, product.available) == ("SKU-00001", 7, 7)
        assert [(at.location, at.on_hand) for at in product.locations] == [("B-001", 7)]

        unknown = read_product.sync_detailed(client=api, sku="NO-SUCH")
        assert unknown.status_code == 404 and isinstance(unknown.parsed, models.Error)
        assert unknown.parsed.error.code == "not_found"

        sheet = io.BytesIO(b"sku,name,reorder_point\nNEW-1,New one,4\n")
        imported = import_products.sync(client=api, body=types.File(payload=sheet))
        assert isinstance(imported, models.ImportOut) and imported.created == 1
        assert read_product.sync(client=api, sku="NEW-1").reorder_point == 4
