"""Assertions shared by the API tests."""
def assert_error(response, status: int, code: str | None = None, field: str | None = None):
    """The answer is an error of this status in the API's one shape."""
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    if field is not None:
        assert body["error"]["field"] == field
    return body["error"]
