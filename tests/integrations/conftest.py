"""A local webhook receiver, a site with stock, and a packed order."""
import http.server
import socket
import threading

import pytest
from sqlalchemy import select

from tests.api.conftest import rows  # noqa: F401  (fixtures)
from tests.orders.conftest import site  # noqa: F401
from warehouse_app.orders import picking, shipping
from warehouse_app.orders.models import Order


class Receiver:
    """An http.server on 127.0.0.1 in a thread, keeping what it was sent."""

    def __init__(self, port: int):
        self.port, self.got, self.server = port, [], None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        got = self.got

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                got.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def local_receivers_allowed(app):
    """The receivers here listen on 127.0.0.1: the admin setting that allows it."""
    app.config["WEBHOOK_ALLOWED_HOSTS"] = "127.0.0.1"


@pytest.fixture
def receiver():
    """A receiver not started yet (start() it, or leave it down)."""
    found = Receiver(free_port())
    yield found
    found.stop()


@pytest.fixture
def packed(client, db, site, api_token):  # noqa: F811
    """Order SO-1 for 2 MUG to Ada's address, picked and packed."""
    site.stock(site.p.mug, site.bins.na1, 5, unit_cost="3.50")
    response = client.post("/api/v1/orders", headers=api_token("staff"), json={
        "reference": "SO-1", "customer": "Ada", "address": "1 Main St, Leeds",
        "postcode": "LS1 1AA", "lines": [{"sku": "MUG", "qty": 2}]})
    assert response.status_code == 201, response.json
    order = db.session.scalars(select(Order)).one()
    line = order.lines[0]
    picking.pick(order, {"line": line.id, "location": "N-A-1", "code": "MUG", "qty": 2}, None)
    shipping.pack(order)
    db.session.commit()
    return order
