"""What the browser tests share: Debian's Chromium at phone size against the app served live.

The `chromium` and `live_server` fixtures in tests/conftest.py use this; tests import the
helpers (phone login, keyboard-wedge typing, feedback checks, layout checks, screenshots).
"""
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "password123"
INSTALL_HINT = "`make test` installs it (apt-get install chromium); never `playwright install`"


def need(path: str, what: str) -> None:
    """Fail, never skip, when a tool the browser tests need is missing."""
    if not Path(path).exists():
        pytest.fail(f"{what} is missing at {path}: {INSTALL_HINT}.", pytrace=False)


def launch(playwright, extra_args: tuple = ()):
    """Headless Debian Chromium (Playwright's own browser download does not work here)."""
    need(CHROMIUM, "Debian's chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS + list(extra_args))


class LiveServer:
    """The app on a free localhost port, in a background thread, noting each request."""

    def __init__(self, app):
        self.requests: list[str] = []
        self.httpd = make_server("127.0.0.1", 0, self._noting(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.running = True

    def _noting(self, app):
        def call(environ, start_response):
            self.requests.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
            return app(environ, start_response)
        return call

    def stop(self) -> None:
        if self.running:
            self.running = False
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join(5)


def new_page(browser, **options):
    """A phone-sized page whose console, errors and failed requests print when a test fails."""
    context = browser.new_context(**{**PHONE, **options})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda m: print(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: print(f"page error: {e}"))
    page.on("requestfailed", lambda r: print(f"FAILED {r.method} {r.url} {r.failure}"))
    return page


def log_in(page, base_url: str, user: str, path: str = "/", password: str = PASSWORD):
    """Log in through the real form and land on path."""
    page.goto(f"{base_url}/login?next={path}")
    page.fill("#f-username", user)
    page.fill("#f-password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")
    return page


def fresh(db, query):
    """A read in its own short transaction: an open SQLite read in the test thread would make
    the live server's writers wait."""
    db.session.rollback()
    try:
        return query()
    finally:
        db.session.rollback()


def wedge(page, *codes: str) -> None:
    """What a keyboard-wedge scanner does: type the code fast, then Enter; no waiting between."""
    for code in codes:
        page.keyboard.type(code)
        page.keyboard.press("Enter")


def feedback(page, kind: str, text: str | None = None) -> None:
    """The big banner shows this kind of feedback (ok, error, offline), with this text."""
    expect(page.locator("#feedback")).to_have_class(re.compile(rf"\bfeedback-{kind}\b"))
    if text is not None:
        expect(page.locator("#prompt")).to_contain_text(text)


def fits(page) -> bool:
    """No sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def small_targets(page) -> list[str]:
    """Visible buttons, fields and tiles shorter than 48 CSS pixels."""
    return page.evaluate("""() => [...document.querySelectorAll(
        'button, a.btn, select, textarea, summary, .tile, .item-main,'
        + 'input:not([type=hidden]):not([type=radio]):not([type=checkbox])')]
        .filter(el => el.offsetParent !== null && el.getClientRects().length)
        .filter(el => el.getBoundingClientRect().height < 47.5)
        .map(el => `${el.getBoundingClientRect().height | 0}px ${el.outerHTML.slice(0, 90)}`)""")


def snap(page, name: str) -> None:
    """A full-page screenshot in test-artifacts/, to look at like a user would."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
