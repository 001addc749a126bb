"""Webhooks go to public hosts only: refused when added, refused again when the delivery
resolves the host, and a redirect is never followed."""
import http.server
import threading

import pytest
from sqlalchemy import select

from tests.integrations.conftest import free_port
from warehouse_app.errors import DomainError
from warehouse_app.integrations import targets, webhooks
from warehouse_app.integrations.models import Delivery, DeliveryStatus
from warehouse_app.models import utcnow

INTERNAL = ["http://127.0.0.1/hook", "http://localhost:8080/hook", "http://LOCALHOST./x",
            "http://169.254.169.254/latest/meta-data/", "http://2130706433/", "http://0x7f000001/",
            "http://0177.0.0.1/", "http://127.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
            "http://10.0.0.5/", "http://192.168.1.1/", "http://172.16.0.1/",
            "http://100.64.0.1/", "http://224.0.0.1/", "http://0.0.0.0/", "http://[fe80::1]/",
            "http://metadata.google.internal/", "http://printer.local/", "http://intranet/",
            "http://app.localhost/", "https://[fd00::1]/"]


@pytest.fixture
def no_allowance(app):
    app.config["WEBHOOK_ALLOWED_HOSTS"] = ""


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_targets_are_refused_when_added(db, no_allowance, url):
    with pytest.raises(DomainError) as refused:
        webhooks.create_endpoint(url)
    assert refused.value.field == "url"


def test_the_api_refuses_an_internal_target_with_422(client, admin, no_allowance, rows):
    from warehouse_app.integrations.models import WebhookEndpoint
    for url in INTERNAL[:6]:
        response = client.post("/api/v1/webhooks", headers=admin, json={"url": url})
        assert response.status_code == 422, url
        assert response.json["error"]["field"] == "url"
    assert rows(WebhookEndpoint) == 0


@pytest.mark.parametrize("url", ["https://example.com/hook", "http://93.184.215.14:8080/x",
                                 "https://[2606:4700::1111]/hook"])
def test_public_targets_are_accepted(db, no_allowance, url):
    assert webhooks.create_endpoint(url).url == url


def test_the_admin_setting_allows_a_named_internal_host(app, db):
    app.config["WEBHOOK_ALLOWED_HOSTS"] = "10.0.0.5, hooks.internal"
    webhooks.create_endpoint("http://10.0.0.5/hook")
    webhooks.create_endpoint("https://hooks.internal/hook")
    with pytest.raises(DomainError):
        webhooks.create_endpoint("http://10.0.0.6/hook")


def test_delivery_refuses_a_host_no_longer_allowed(app, db, site, receiver):
    receiver.start()
    webhooks.create_endpoint(receiver.url)
    db.session.commit()
    site.stock(site.p.mug, site.bins.na1, 2)
    app.config["WEBHOOK_ALLOWED_HOSTS"] = ""
    webhooks.deliver_due(utcnow())
    db.session.commit()
    delivery = db.session.scalars(select(Delivery)).one()
    assert delivery.status is not DeliveryStatus.DELIVERED
    assert delivery.last_error.startswith("Refused:")
    assert receiver.got == []


def test_resolution_checks_every_address_of_a_name(app, no_allowance):
    with pytest.raises(targets.Refused):
        targets.resolve("localhost", 80)
    app.config["WEBHOOK_ALLOWED_HOSTS"] = "localhost"
    assert targets.resolve("localhost", 80) in ("127.0.0.1", "::1")


def test_a_redirect_is_not_followed(app, db, site, receiver):
    receiver.start()
    hops = []

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            hops.append(dict(self.headers))
            self.send_response(307)
            self.send_header("Location", receiver.url)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", free_port()), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        webhooks.create_endpoint(f"http://127.0.0.1:{server.server_port}/hook")
        db.session.commit()
        site.stock(site.p.mug, site.bins.na1, 2)
        webhooks.deliver_due(utcnow())
        db.session.commit()
    finally:
        server.shutdown()
        server.server_close()
    delivery = db.session.scalars(select(Delivery)).one()
    assert len(hops) == 1 and webhooks.SIGNATURE_HEADER in hops[0]
    assert receiver.got == []  # the signed body never reached the redirect's target
    assert delivery.status is not DeliveryStatus.DELIVERED
    assert (delivery.last_status, "redirects are not followed" in delivery.last_error) == (307,
                                                                                           True)
