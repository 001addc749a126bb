"""Phone page benchmark: what each scanning page costs a phone on slow 3G, cold and warm.

Run: .venv/bin/python bench/phones.py [--latency 400] [--throughput 50000]

Migrates a fresh SQLite file, loads the demo (`flask demo seed`, in-process) plus six open orders
and a count of aisle MAIN-A, serves it with gunicorn (2 workers, 4 threads) and logs in as the
demo staff user (the supervisor for Adjust, which staff may not open). Each scanning page is
opened in headless Debian Chromium at 390x844, each time in a fresh browser context:
  cold    empty HTTP cache, no service worker, slow 3G;
  warm    the same context a second time (HTTP cache; the worker once a scan flow installed it);
  worker  Receive opened first (it installs the service worker, which then controls every
          page), then the page twice: the second visit, slow 3G;
  fast    as cold, network not throttled.
Slow 3G is Network.emulateNetworkConditions on the page's CDP session and on every service worker
the page starts (emulation is per target). Per visit: bytes on the wire (encodedDataLength of each
Network.loadingFinished; the page's requests and, apart, the worker's own fetches), requests,
the time from navigation start until the scan field is on screen and until a typed key lands in
it, and the load event. The aim: under 100 KB (100,000 bytes, page and worker together) and the
key in the field within 2 s. Prints figures; asserts nothing.
"""
import argparse
import json
import math
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project instead of bench/ first on the path: bench/http.py would hide the stdlib's http.
sys.path[:] = [str(ROOT)] + [p for p in sys.path
                             if Path(p or ".").resolve() != Path(__file__).resolve().parent]


from flask import g  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from bench import http as load  # noqa: E402  (the shared gunicorn starter)
from warehouse_app import create_app  # noqa: E402
from tests.support.phone_pages import Page, scan_pages, work_to_do  # noqa: E402
from warehouse_app.demo import seeding  # noqa: E402
from warehouse_app.extensions import db  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
PASSWORDS = {"staff": "staff-demo", "supervisor": "supervisor-demo"}  # the demo logins
AIM_BYTES, AIM_MS = 100_000, 2000
QUIET = 1.0  # seconds without network traffic after the load event: the visit is over
MARK = "7"  # the character typed into the scan field
# A field is in the DOM (and takes typed keys) before the render-blocking CSS has arrived; a
# person sees it, and autofocus puts the cursor in it, only from the first paint.
ON_SCREEN = """s => !document.querySelector(s).disabled
                 && performance.getEntriesByName("first-contentful-paint").length > 0"""
# In every document of the context, before the page's own code: note when the field appears.
WATCH = """(() => {
  const seen = () => {
    const el = document.querySelector(SELECTOR);
    if (el && !el.disabled) { window.__fieldAt = performance.now(); watch.disconnect(); }
  };
  const watch = new MutationObserver(seen);
  watch.observe(document, { childList: true, subtree: true, attributes: true });
})();"""
# Milliseconds from navigation start: the field on screen, and the typed key landing in it.
TIMES = """() => [Math.max(window.__fieldAt,
                            performance.getEntriesByName("first-contentful-paint")[0].startTime),
                   window.__landed]"""


@dataclass
class Visit:
    """What one visit of a page cost."""

    status: int = 0
    bytes: int = 0  # the page's own requests, on the wire
    requests: int = 0
    from_worker: int = 0  # of those, answered by the service worker
    sw_bytes: int = 0  # the service worker's own fetches (install, network-first, refresh)
    sw_requests: int = 0
    ready_ms: float = math.nan  # the field enabled and painted, timed in the page
    typed_ms: float = math.nan  # a key typed once Playwright saw that landed in it
    load_ms: float = math.nan
    focused: bool = False  # the field had the focus by itself (a wedge scanner types at once)
    sizes: dict = field(default_factory=dict)  # url -> bytes on the wire (page requests)
    kinds: dict = field(default_factory=dict)  # url -> what came back: html, css, javascript...

    @property
    def total(self) -> int:
        return self.bytes + self.sw_bytes

    def verdict(self) -> str:
        why = [w for w, bad in (("bytes", self.total >= AIM_BYTES),
                                ("time", not self.typed_ms < AIM_MS)) if bad]
        return "pass" if self.status == 200 and not why else "FAIL " + "+".join(why or ["status"])


def prepare(folder: Path) -> list[Page]:
    """Migrate, load the demo and the open work; the pages, with URLs from the blueprints."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'phones.db'}",
                      "SECRET_KEY": "bench"})
    app.instance_path = str(folder)
    with app.app_context():
        upgrade()
        g.cli_actor = "demo seed"
        seeding.load()
        order, count = work_to_do()
        db.session.commit()
        with app.test_request_context():
            return scan_pages(order, count)


class Wire:
    """What one phone page and the service worker it starts fetch, both throttled alike.

    The page's requests come from its CDP session (Network.loadingFinished). The worker's come
    from Playwright's request events, which see it from its first fetch; the worker is throttled
    through a CDP session of its own, attached as it starts. Playwright resumes a new worker
    too, so its first install fetches may beat the throttle: they come after the scan field is
    ready and change no time here. On the warm visit the worker is long attached."""

    def __init__(self, context, page):
        self.conditions, self.sent, self.workers = None, 0, []
        self.cdp = context.new_cdp_session(page)
        self.cdp.on("Network.requestWillBeSent", self._page_request)
        self.cdp.on("Network.responseReceived", self._page_response)
        self.cdp.on("Network.loadingFinished", self._page_done)
        self.cdp.on("Network.loadingFailed", lambda e: self._end(("page", e["requestId"])))
        self.cdp.on("Target.attachedToTarget", self._attached)
        self.cdp.on("Target.detachedFromTarget", lambda e: self.workers.remove(e["sessionId"])
                    if e["sessionId"] in self.workers else None)
        context.on("request", self._worker_request)
        context.on("requestfinished", self._worker_done)
        context.on("requestfailed", lambda r: self._end(("worker", r)))
        self.cdp.send("Network.enable")
        self.cdp.send("Target.setAutoAttach", {"autoAttach": True, "flatten": False,
                                               "waitForDebuggerOnStart": True})
        self.reset()

    def reset(self) -> None:
        self.visit, self.urls, self.inflight, self.last = Visit(), {}, set(), time.monotonic()

    def throttle(self, conditions: dict | None) -> None:
        """From now on, these conditions for the page and its workers (None: no throttling)."""
        self.conditions = conditions
        given = conditions or {"offline": False, "latency": 0, "downloadThroughput": -1,
                               "uploadThroughput": -1}
        self.cdp.send("Network.emulateNetworkConditions", given)
        for session in self.workers:
            self._to_worker(session, "Network.emulateNetworkConditions", given)

    def _to_worker(self, session: str, method: str, params: dict | None = None) -> None:
        self.sent += 1
        message = json.dumps({"id": self.sent, "method": method, "params": params or {}})
        self.cdp.send("Target.sendMessageToTarget", {"sessionId": session, "message": message})

    def _attached(self, event: dict) -> None:
        session = event["sessionId"]
        if event["targetInfo"]["type"] == "service_worker":
            self.workers.append(session)
            self._to_worker(session, "Network.enable")
            if self.conditions:
                self._to_worker(session, "Network.emulateNetworkConditions", self.conditions)
        if event.get("waitingForDebugger"):
            self._to_worker(session, "Runtime.runIfWaitingForDebugger")

    def _worker_request(self, request) -> None:
        if request.service_worker:
            self.visit.sw_requests += 1
            self._start(("worker", request))

    def _worker_done(self, request) -> None:
        if request.service_worker:
            sizes = request.sizes()  # the two parts of the request's encodedDataLength
            self.visit.sw_bytes += sizes["responseHeadersSize"] + max(0, sizes["responseBodySize"])
            self._end(("worker", request))

    def _page_request(self, event: dict) -> None:
        if event["request"]["url"].startswith("http"):
            self.visit.requests += 1
            self.urls[event["requestId"]] = event["request"]["url"]
            self._start(("page", event["requestId"]))

    def _page_response(self, event: dict) -> None:
        self.visit.kinds[event["response"]["url"]] = event["response"]["mimeType"].split("/")[-1]
        if event["response"].get("fromServiceWorker"):
            self.visit.from_worker += 1

    def _page_done(self, event: dict) -> None:
        if url := self.urls.get(event["requestId"]):
            self.visit.bytes += int(event["encodedDataLength"])
            self.visit.sizes[url] = self.visit.sizes.get(url, 0) + int(event["encodedDataLength"])
        self._end(("page", event["requestId"]))

    def _start(self, key) -> None:
        self.inflight.add(key)
        self.last = time.monotonic()

    def _end(self, key) -> None:
        self.inflight.discard(key)
        self.last = time.monotonic()

    def settle(self, page, limit: float = 90) -> None:
        """Wait for the load event, then until the network (page and worker) has been quiet."""
        page.wait_for_load_state("load", timeout=limit * 1000)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if not self.inflight and time.monotonic() - self.last >= QUIET:
                return
            page.wait_for_timeout(100)


def open_page(page, wire: Wire, url: str, scan: str) -> Visit:
    """Navigate; type into the scan field once it is on screen and enabled; wait for quiet."""
    wire.reset()
    visit = wire.visit
    response = page.goto(url, wait_until="commit")
    box = page.locator(scan)
    box.wait_for(state="visible")
    page.wait_for_function(ON_SCREEN, arg=scan)
    visit.focused = box.evaluate("el => document.activeElement === el")
    box.evaluate("el => el.addEventListener('input', (e) => { window.__landed = e.timeStamp; },"
                 " {once: true})")
    box.press_sequentially(MARK)
    page.wait_for_function("([s, m]) => document.querySelector(s).value.includes(m)",
                           arg=[scan, MARK])
    visit.ready_ms, visit.typed_ms = page.evaluate(TIMES)
    wire.settle(page)
    visit.status = response.status
    visit.load_ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    return visit


def log_in(browser, base: str, user: str) -> dict:
    """The cookies of a real form login (made in a context thrown away, so caches stay cold)."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{base}/login?next=/")
    page.fill("#f-username", user)
    page.fill("#f-password", PASSWORDS[user])
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    state = context.storage_state()
    context.close()
    return state


def measure(browser, base: str, pages: list[Page], logins: dict, conditions: dict | None,
            visits: int = 1, prime: Page | None = None) -> list[list[Visit]]:
    """Each page in a fresh context, visited so many times in a row; the visits by round.

    prime: a page opened first, unthrottled and not measured (to install the service worker)."""
    rounds: list[list[Visit]] = [[] for _ in range(visits)]
    for p in pages:
        context = browser.new_context(**PHONE, storage_state=logins[p.user])
        context.add_init_script(WATCH.replace("SELECTOR", json.dumps(p.scan)))
        page = context.new_page()
        page.set_default_timeout(90_000)
        wire = Wire(context, page)
        if prime:
            open_page(page, wire, base + prime.path, prime.scan)
        if conditions:
            wire.throttle(conditions)
        for visits_so_far in rounds:
            visits_so_far.append(open_page(page, wire, base + p.path, p.scan))
        context.close()
    return rounds


def kb(n: int) -> str:
    return f"{n / 1000:.1f}"


def table(title: str, pages: list[Page], visits: list[Visit]) -> None:
    print(f"\n{title}")
    print(f"  {'page':<15}{'KB':>6}{'req':>5}{'SW KB':>7}{'SW req':>7}{'ready':>7}{'typed':>7}"
          f"{'load':>7}{'focus':>7}  aim")
    for p, v in zip(pages, visits, strict=True):
        sw = (kb(v.sw_bytes), str(v.sw_requests)) if v.sw_requests else ("-", "-")
        notes = [f"{v.from_worker} of {v.requests} from the worker"] if v.from_worker else []
        notes += [] if v.status == 200 else [f"HTTP {v.status}"]
        print(f"  {p.name:<15}{kb(v.bytes):>6}{v.requests:>5}{sw[0]:>7}{sw[1]:>7}"
              f"{v.ready_ms:>7,.0f}{v.typed_ms:>7,.0f}{v.load_ms:>7,.0f}"
              f"{'auto' if v.focused else 'tap':>7}  {v.verdict()}"
              + (f"  ({'; '.join(notes)})" if notes else ""))


def assets(pages: list[Page], visits: list[Visit], base: str) -> None:
    """Every URL the cold pages fetched, largest first, with the pages that fetch it."""
    print("\nwhat the cold pages download: bytes on the wire (headers + body), largest first")
    seen: dict[str, tuple[int, str, list[str]]] = {}
    for p, v in zip(pages, visits, strict=True):
        for url, size in v.sizes.items():
            path = url.removeprefix(base).split("?v=")[0]  # static files: without their digest
            top, kind, names = seen.get(path, (0, v.kinds.get(url, "?"), []))
            seen[path] = (max(top, size), kind, names + [p.name])
    for path, (size, kind, names) in sorted(seen.items(), key=lambda item: -item[1][0]):
        print(f"  {size:>7,}  {kind:<11}{path:<36}"
              f"{'every page' if len(names) == len(pages) else ', '.join(names)}")


def report(args, version: str, pages: list[Page], base: str, runs: list) -> None:
    print(f"phone pages: headless Chromium {version} at 390x844; gunicorn 2 workers x 4 threads;"
          f" SQLite with the demo data, 6 open orders and an open count of aisle MAIN-A")
    print(f"slow 3G: latency {args.latency:,.0f} ms, {args.throughput:,.0f} bytes/s down and up,"
          f" on the page and on its service worker")
    print(f"aim: under {AIM_BYTES // 1000} KB on the wire (KB = 1,000 bytes; page + worker) and"
          f" a typed key in the scan field within {AIM_MS / 1000:g} s of navigation start")
    print("  KB, req      the page's requests (encodedDataLength of Network.loadingFinished)")
    print("  SW KB, req   the service worker's own fetches (install; network-first page, refresh)")
    print("  ready        ms from navigation start until the field is enabled and painted")
    print("  typed        ms until a key typed once Playwright saw that landed in it (the aim)")
    print("  load         ms until the load event ended (every module script has run)")
    print("  focus        auto: the page focused the field itself; tap: a scanner needs a tap")
    print("pages (as staff; adjust as supervisor, staff may not open it):")
    for p in pages:
        print(f"  {p.name:<15}{p.path:<30}field {p.scan}")
    for title, visits in runs:
        table(title, pages, visits)
    assets(pages, runs[0][1], base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=400,
                        help="ms (DevTools' own '3G' preset multiplies 400 by 5: 2000)")
    parser.add_argument("--throughput", type=float, default=50_000, help="bytes/s, down and up")
    args = parser.parse_args()
    slow = {"offline": False, "latency": args.latency, "downloadThroughput": args.throughput,
            "uploadThroughput": args.throughput}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as driver:
        folder = Path(tmp)
        pages = prepare(folder)
        port = load.free_port()
        server = load.serve(f"sqlite:///{folder / 'phones.db'}", port)
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        base = f"http://127.0.0.1:{port}"
        try:
            logins = {user: log_in(browser, base, user) for user in {p.user for p in pages}}
            measure(browser, base, pages, logins, None)  # the server's first requests
            cold, warm = measure(browser, base, pages, logins, slow, visits=2)
            receive = next(p for p in pages if p.name == "receive")
            _, worker = measure(browser, base, pages, logins, slow, visits=2, prime=receive)
            [fast] = measure(browser, base, pages, logins, None)
            version = browser.version
        finally:
            browser.close()
            load.stop(server)
    report(args, version, pages, base, [
        ("cold: first visit, empty cache, no service worker yet, slow 3G", cold),
        ("warm: second visit in the same context, slow 3G", warm),
        ("warm with the service worker: Receive opened once before (installs it, and it"
         " controls every page), then the page twice; the second visit, slow 3G", worker),
        ("unthrottled: first visit, empty cache, no throttling", fast)])


if __name__ == "__main__":
    main()
