"""The supervisor's desk is for supervisors: staff get 403, anonymous callers must log in."""
import pytest

PAGES = ["/insight/", "/insight/events", "/insight/alerts", "/insight/reorder",
         "/insight/reports/", "/insight/reports/valuation", "/insight/products/TEE-1"]
API = ["/api/v1/alerts", "/api/v1/reports/valuation", "/api/v1/reports/forecast?format=csv"]
POSTS = ["/insight/alerts/1/ack", "/insight/alerts/check", "/insight/alerts/ack-all",
         "/insight/reorder/approve",
         "/insight/products/TEE-1/override"]


@pytest.mark.parametrize("path", PAGES)
def test_staff_get_403_on_pages(db, shop, client, login_as, path):
    login_as("staff")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", POSTS)
def test_staff_cannot_post(db, shop, client, login_as, no_csrf, path):
    login_as("staff")
    assert client.post(path).status_code == 403


@pytest.mark.parametrize("path", API)
def test_staff_get_403_from_the_api(db, client, headers, path):
    answer = client.get(path, headers=headers("staff"))
    assert answer.status_code == 403 and answer.json["error"]["code"] == "forbidden"
    ack = client.post("/api/v1/alerts/1/ack", headers=headers("staff"))
    assert ack.status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_pages_redirect_to_login(db, client, path):
    answer = client.get(path)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", API)
def test_anonymous_api_is_401(db, client, path):
    answer = client.get(path)
    assert answer.status_code == 401 and answer.json["error"]["code"] == "unauthorized"
