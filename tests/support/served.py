"""A served app for tests and benchmarks: a fresh database, gunicorn as `make run` starts it,
and simulated scanners posting movements to it (bench/http.py imports these; never the
reverse).

Each simulated scanner is a thread with its own keep-alive connection posting a receive /
transfer / pick mix (35/30/35) through POST /api/v1/movements, each with its own client_op_id,
on its own products, so every movement is allowed. A scanner that loses its connection
reconnects and sends the same operation again, as the phone's outbox does.
"""
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKUS, BINS = 2000, 200
PASSWORD = "bench-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str, scanners: int, skus: int = SKUS, bins: int = BINS) -> list[str]:
    """Migrate a fresh database, add products, bins, a user and one token per scanner."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select, text

    from warehouse_app import create_app
    from warehouse_app.auth.models import Role
    from warehouse_app.auth.users import create_token, create_user
    from warehouse_app.catalog.models import Product
    from warehouse_app.codes import ScanCode
    from warehouse_app.extensions import db
    from warehouse_app.locations import places
    from warehouse_app.locations.models import LocationKind

    if url.startswith("sqlite:///"):
        for stale in Path(url.removeprefix("sqlite:///")).parent.glob("*.db*"):
            stale.unlink()
    else:
        ensure_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        if url.startswith("postgresql"):
            db.session.execute(text("DROP SCHEMA public CASCADE"))
            db.session.execute(text("CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        warehouse = places.create("WH", LocationKind.WAREHOUSE)
        for n in range(bins):
            places.create(f"B-{n:03d}", LocationKind.BIN, parent=warehouse)
        db.session.execute(insert(Product), [
            {"sku": f"SKU-{n:05d}", "name": f"Product {n}", "description": "", "unit_cost": 2,
             "avg_cost": 0, "reorder_point": None, "safety_stock": None, "lead_time_days": 7,
             "active": True} for n in range(skus)])
        db.session.execute(insert(ScanCode), [  # as products.create() claims them
            {"code": sku, "kind": "product", "ref_id": pid}
            for pid, sku in db.session.execute(select(Product.id, Product.sku))])
        user = create_user("bench", PASSWORD, Role.ADMIN)
        tokens = [create_token(f"scanner-{n}", user)[1] for n in range(scanners)]
        db.session.commit()
        db.engine.dispose()
    return tokens


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in the URL when it does not exist."""
    import psycopg
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def serve(url: str, port: int, workers: int | None = None, threads: int | None = None,
          lock_notes: str | None = None, log: str | None = None,
          root: Path = ROOT) -> subprocess.Popen:
    """gunicorn as `make run` starts it (warehouse_app/serving.py's settings), in its own process
    group (so kill -9 takes it all). `lock_notes`: a folder where each worker leaves its waits
    for and holds of SQLite's write lock as it exits (bench/lockwatch.py). `log`: a file for the
    server's log (warnings such as retries). `root`: the checkout whose app is served (another
    commit's, for paired runs)."""
    from warehouse_app import serving
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "API_RATE_LIMIT": "0"}
    command = [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers or serving.workers),
               "--threads", str(threads or serving.threads)]
    if lock_notes:
        command += ["--config", str(ROOT / "bench" / "lockwatch.py")]
        env["LOCKWATCH_DIR"] = lock_notes
    else:
        command += ["--config", "python:warehouse_app.serving"]
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (the server's)
    server = subprocess.Popen(
        command + ["warehouse_app:create_app()"],
        cwd=root, env=env, stdout=output, stderr=output, start_new_session=True)
    if log:
        output.close()  # the server holds its own copy
    wait_until_up(port, server)
    return server


def wait_until_up(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.05)
    kill(server)
    raise RuntimeError("gunicorn did not start")


def stop(server: subprocess.Popen, how: int = signal.SIGTERM) -> None:
    """End gunicorn's whole process group, the ordinary way unless told otherwise; one that
    has not ended 10 s later (requests still being answered on a loaded machine) is killed."""
    try:
        os.killpg(server.pid, how)
    except ProcessLookupError:
        pass
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        if how == signal.SIGKILL:
            raise
        stop(server, signal.SIGKILL)


def kill(server: subprocess.Popen) -> None:
    """kill -9 the master and its workers, as a power cut would."""
    stop(server, signal.SIGKILL)


@dataclass
class Scanner:
    """One phone: its own products, connection and record of what the server acknowledged."""

    number: int
    token: str
    port: int
    skus: list[str]
    rng: random.Random
    held: dict = field(default_factory=dict)
    times: list = field(default_factory=list)
    acked: list = field(default_factory=list)  # (client_op_id, movement id) answered 2xx
    refused: list = field(default_factory=list)  # (status, body) of 4xx answers
    retries: int = 0
    bins: int = BINS
    conn: http.client.HTTPConnection | None = None
    db_retries: int = 0  # writes the server ran again after a deadlock (X-DB-Retries)

    RECEIVES, TRANSFERS_BELOW = 0.35, 0.65  # the mix: receive / transfer / pick, 35/30/35

    def next_body(self) -> dict:
        """Receive, transfer or pick (the mix above), never taking more than a bin holds."""
        stocked = [key for key, qty in self.held.items() if qty > 0]
        roll = self.rng.random()
        if roll < self.RECEIVES or not stocked:
            key = (self.rng.choice(self.skus), f"B-{self.rng.randrange(self.bins):03d}")
            qty = self.rng.randint(1, 20)
            self.held[key] = self.held.get(key, 0) + qty
            return {"kind": "receive", "sku": key[0], "qty": qty, "to_location": key[1],
                    "unit_cost": "2.50"}
        sku, source = self.rng.choice(stocked)
        qty = self.rng.randint(1, self.held[(sku, source)])
        self.held[(sku, source)] -= qty
        if roll < self.TRANSFERS_BELOW:
            target = f"B-{self.rng.randrange(self.bins):03d}"
            target = (target if target != source
                      else f"B-{(int(source[2:]) + 1) % self.bins:03d}")
            self.held[(sku, target)] = self.held.get((sku, target), 0) + qty
            return {"kind": "transfer", "sku": sku, "qty": qty, "from_location": source,
                    "to_location": target}
        return {"kind": "pick", "sku": sku, "qty": qty, "from_location": source}

    def request_for(self, body: dict) -> tuple[str, str, dict]:
        """The path, body and headers one operation is sent with: the API's movement."""
        return "/api/v1/movements", json.dumps(body), {
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    def post(self, body: dict, stop: threading.Event) -> None:
        """Send one operation until the server answers it (reconnecting, same client_op_id)."""
        body["client_op_id"] = str(uuid.UUID(int=self.rng.getrandbits(128)))
        path, payload, headers = self.request_for(body)
        while True:
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                start = time.perf_counter()
                self.conn.request("POST", path, payload, headers)
                response = self.conn.getresponse()
                answer = response.read()
                took = time.perf_counter() - start
            except (OSError, http.client.HTTPException):
                self.conn = None
                if stop.is_set():
                    return  # unanswered: it may or may not have been saved, never twice
                self.retries += 1
                time.sleep(0.05)
                continue
            self.db_retries += int(response.getheader("X-DB-Retries") or 0)
            if response.status in (200, 201):
                self.times.append(took)
                self.acked.append((body["client_op_id"], json.loads(answer)["id"]))
                return
            if response.status == 503 and not stop.is_set():  # busy or restarting: again
                self.retries += 1
                time.sleep(0.05)
                continue
            self.refused.append((response.status, answer[:300]))
            return

    def run(self, stop: threading.Event, count: int | None) -> None:
        done = 0
        while not stop.is_set() and (count is None or done < count):
            self.post(self.next_body(), stop)
            done += 1


class FloorScanner(Scanner):
    """The moves both roads have (the phone's pick goes through an order): receipts with a
    cost and transfers out of what this scanner received, half and half."""

    RECEIVES, TRANSFERS_BELOW = 0.5, 1.0


PHONE_FLOWS = {"receive": "receive", "transfer": "move"}


class PhoneScanner(FloorScanner):
    """The phone's own road: a logged-in page session posting each confirmed line to
    /scan/line with its CSRF token, as static/js/outbox.js does (`token` is "cookie csrf")."""

    def request_for(self, body: dict) -> tuple[str, str, dict]:
        cookie, csrf = self.token.split(" ", 1)
        line = {"flow": PHONE_FLOWS[body["kind"]], "code": body["sku"], "qty": body["qty"],
                "client_op_id": body["client_op_id"]}
        for name in ("from_location", "to_location", "unit_cost"):
            if name in body:
                line[name] = body[name]
        return "/scan/line", json.dumps(line), {
            "Cookie": cookie, "X-CSRFToken": csrf, "Content-Type": "application/json"}


def phone_sessions(port: int, count: int, username: str = "bench") -> list[str]:
    """count logged-in phones: each "cookie csrf", from the receive screen as a phone opens it."""
    sessions = []
    for _ in range(count):
        cookie = login(port, username)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/scan/receive", headers={"Cookie": cookie})
        response = conn.getresponse()
        page = response.read().decode()
        assert response.status == 200, response.status
        cookie = response.getheader("Set-Cookie", cookie).split(";")[0]
        csrf = re.search(r'csrf[-_]token"?\s+(?:value|content)="([^"]+)"', page).group(1)
        sessions.append(f"{cookie} {csrf}")
    return sessions


COSTS = ("1.50", "2.50", "3.75", "5.00")
STOCKED_BINS = 10  # seed_stock() fills these; the others start empty


class ContendedScanner(Scanner):
    """A phone on the same few products as every other: receipts at changing costs, transfers
    and picks of a few units out of the well-stocked bins (seed_stock)."""

    def next_body(self) -> dict:
        """Receipts into any bin (often a bin the product was never in: a new balance row),
        transfers from a stocked bin to any other, picks from a stocked bin."""
        roll, sku = self.rng.random(), self.rng.choice(self.skus)
        source = f"B-{self.rng.randrange(STOCKED_BINS):03d}"
        target = f"B-{self.rng.randrange(STOCKED_BINS, self.bins):03d}"
        if roll < 0.35:
            return {"kind": "receive", "sku": sku, "qty": self.rng.randint(1, 20),
                    "to_location": self.rng.choice((source, target)),
                    "unit_cost": self.rng.choice(COSTS)}
        qty = self.rng.randint(1, 3)
        if roll < 0.65:
            return {"kind": "transfer", "sku": sku, "qty": qty, "from_location": source,
                    "to_location": target}
        return {"kind": "pick", "sku": sku, "qty": qty, "from_location": source}


def seed_stock(port: int, token: str, skus: int, bins: int, qty: int) -> None:
    """qty of each of the first skus products in each of the first bins bins (receipts)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for k in range(skus):
        for b in range(bins):
            body = json.dumps({"kind": "receive", "sku": f"SKU-{k:05d}", "qty": qty,
                               "to_location": f"B-{b:03d}", "unit_cost": "2.00"})
            conn.request("POST", "/api/v1/movements", body,
                         {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            assert response.status == 201, response.status


def run_scanners(port: int, tokens: list[str], seconds: float | None = None,
                 count: int | None = None, seed: int = 7, during=None,
                 skus: int = SKUS, bins: int = BINS,
                 contended: bool = False, kind=None) -> tuple[list[Scanner], float]:
    """One scanner per token, on its own share of the products (contended: all on the same
    skus products and bins), for some seconds (or count operations each). `during(scanners)`,
    if given, runs in this thread meanwhile (a fault); without seconds the scanners stop when
    it returns. Returns the scanners and time taken."""
    per = skus // len(tokens)
    kind = kind or (ContendedScanner if contended else Scanner)
    scanners = [kind(n, token, port,
                     [f"SKU-{k:05d}" for k in (range(skus) if contended
                                               else range(n * per, (n + 1) * per))],
                     random.Random(seed * 1000 + n), bins=bins)
                for n, token in enumerate(tokens)]
    stop = threading.Event()
    threads = [threading.Thread(target=s.run, args=(stop, count), daemon=True)
               for s in scanners]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    if during is not None:
        during(scanners)
    if seconds is not None:
        time.sleep(max(0.0, seconds - (time.perf_counter() - start)))
    if seconds is not None or during is not None:
        stop.set()
    for thread in threads:
        thread.join()
    return scanners, time.perf_counter() - start


def login(port: int, username: str = "bench", password: str = PASSWORD) -> str:
    """A logged-in session cookie (the login page's form, as a browser sends it)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": csrf, "username": username,
                                   "password": password, "next": ""})
    conn.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded",
                                          "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    assert response.status == 302, f"the login was refused: {response.status}"
    return response.getheader("Set-Cookie", cookie).split(";")[0]


def form_token(port: int, cookie: str, path: str) -> tuple[str, str]:
    """A page's CSRF token, and the session cookie that now holds it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", cookie).split(";")[0]
    return cookie, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def product_file(megabytes: float) -> bytes:
    """A product CSV of about this size: new products, each with a category and a barcode."""
    lines = ["sku,name,description,category,unit_cost,barcodes"]
    size, n = len(lines[0]) + 1, 0
    while True:
        line = (f"IMP-{n:06d},Imported product {n},A product from a supplier's price list "
                f"number {n},Imports > Group {n % 50},{1 + n % 97}.25,{7_000_000_000 + n}")
        if size + len(line) + 1 > megabytes * 1024 * 1024:  # the import page's limit: 5 MB
            return ("\n".join(lines) + "\n").encode()
        lines.append(line)
        size += len(line) + 1
        n += 1


def post_import(port: int, cookie: str, what: str, data: bytes) -> tuple[int, float, str]:
    """Upload a CSV file on the import page as a supervisor would: (status, seconds, the flashed
    message or the start of the answer)."""
    cookie, csrf = form_token(port, cookie, "/products/import")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{what}.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    start = time.perf_counter()
    conn.request("POST", f"/products/import/{what}", body,
                 {"Cookie": cookie, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    response = conn.getresponse()
    answer = response.read().decode(errors="replace")
    took = time.perf_counter() - start
    if response.status == 303:  # the flashed answer is in the session cookie it set
        cookie = response.getheader("Set-Cookie", cookie).split(";")[0]
        conn.request("GET", "/products/import", headers={"Cookie": cookie})
        answer = conn.getresponse().read().decode()
    flashed = re.search(r'class="flash flash-[^"]*"[^>]*>\s*([^<]*)', answer)
    return response.status, took, (flashed.group(1).strip() if flashed else answer)[:300]


def add_token(url: str, username: str, role: str) -> str:
    """A new user of that role and an API token acting for them."""
    from warehouse_app import create_app
    from warehouse_app.auth.models import Role
    from warehouse_app.auth.users import create_token, create_user
    from warehouse_app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        user = create_user(username, PASSWORD, Role(role))
        token = create_token(f"{username}-token", user)[1]
        db.session.commit()
        db.engine.dispose()
    return token


def add_people(url: str, count: int) -> list[str]:
    """People who log in on the pages, their passwords hashed as in production (scrypt)."""
    from warehouse_app import create_app
    from warehouse_app.auth.models import Role
    from warehouse_app.auth.users import create_user
    from warehouse_app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        names = [f"person-{n}" for n in range(count)]
        for name in names:
            create_user(name, PASSWORD, Role.STAFF)
        db.session.commit()
        db.engine.dispose()
    return names


def keep_logging_in(port: int, username: str, stop: threading.Event, done: list) -> None:
    """One person logging in over and over (a full page login each time) until stop."""
    while not stop.is_set():
        start = time.perf_counter()
        login(port, username)
        done.append(time.perf_counter() - start)
