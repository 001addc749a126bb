"""POST /api/v1/scan/resolve and /api/v1/scan/decode."""
import io

import pytest

from tests.scanning.barcodes import clean, encode


@pytest.fixture
def headers(api_token):
    return api_token("staff")


def test_resolve_a_gs1_code_over_the_api(client, headers, make_product):
    make_product("MILK", tracking="lot", barcodes=["09501101530003"])
    answer = client.post("/api/v1/scan/resolve", headers=headers,
                         json={"code": "(01)09501101530003(17)261231(10)LOT42A"})
    assert answer.status_code == 200
    assert (answer.json["type"], answer.json["sku"], answer.json["lot"],
            answer.json["expiry"]) == ("product", "MILK", "LOT42A", "2026-12-31")


def test_resolve_a_location(client, headers, make_location):
    make_location("A-01-02")
    answer = client.post("/api/v1/scan/resolve", headers=headers, json={"code": "A-01-02"})
    assert (answer.json["type"], answer.json["location"]) == ("location", "A-01-02")


@pytest.mark.parametrize("body, status", [
    ({"code": "NOPE"}, 404), ({"code": ""}, 422), ({}, 422), ({"code": 7}, 422),
    ({"code": "x" * 300}, 422), ({"code": "A\x00"}, 422)])
def test_resolve_refuses_bad_and_unknown_codes(client, headers, body, status):
    answer = client.post("/api/v1/scan/resolve", headers=headers, json=body)
    assert answer.status_code == status
    assert answer.json["error"]["message"]


def test_resolve_needs_credentials(client):
    assert client.post("/api/v1/scan/resolve", json={"code": "A"}).status_code == 401


def test_decode_over_the_api(client, headers):
    data = {"image": (io.BytesIO(encode(clean("ean13"))), "label.png")}
    answer = client.post("/api/v1/scan/decode", headers=headers, data=data,
                         content_type="multipart/form-data")
    assert answer.status_code == 200
    assert answer.json["codes"] == [{"format": "ean13", "value": "5901234123457"}]


def test_decode_without_an_image_is_refused(client, headers):
    answer = client.post("/api/v1/scan/decode", headers=headers, data={},
                         content_type="multipart/form-data")
    assert answer.status_code == 422
    assert answer.json["error"]["field"] == "image"


def test_decode_spec_is_documented(client):
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/scan/decode" in spec["paths"] and "/api/v1/scan/resolve" in spec["paths"]
