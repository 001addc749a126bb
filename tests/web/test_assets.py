"""Static files are linked by their content's digest and kept by phones until they change."""
import base64
import hashlib
import json
import re

import pytest

from tests.phone import log_in, new_page
from warehouse_app.assets import YEAR, version_of

LINK = re.compile(r'(?:src|href)="(/static/[^"?]+)\?v=([0-9a-f]{12})"')
IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.S)


def import_map_of(client) -> dict:
    """The import map of the login page, parsed."""
    return json.loads(IMPORT_MAP.search(client.get("/login").get_data(True)).group(1))


def kept(response) -> bool:
    """Whether the answer lets the phone keep the file without asking again."""
    control = response.cache_control
    return control.max_age == YEAR and control.immutable and not control.no_cache


def test_pages_link_static_files_by_their_current_digest(client, app, login_as):
    login_as("staff")
    html = client.get("/scan/receive").get_data(True)
    links = LINK.findall(html)
    assert {"/static/css/app.css", "/static/js/app.js", "/static/js/scanflow.js"} <= {
        path for path, _ in links}
    with app.app_context():
        for path, version in links:
            assert version == version_of(path.removeprefix("/static/"))
    for path, version in links:
        answer = client.get(f"{path}?v={version}")
        assert answer.status_code == 200 and kept(answer), path
        again = client.get(f"{path}?v={version}", headers={"If-None-Match": answer.headers["ETag"]})
        assert again.status_code == 304 and kept(again), path


def test_the_import_map_sends_every_imported_module_to_its_versioned_address(client, app):
    html = client.get("/login").get_data(True)
    imports = json.loads(IMPORT_MAP.search(html).group(1))["imports"]
    # Exactly the modules another module imports; pages link the others by url_for.
    assert set(imports) == {f"/static/js/{name}.js"
                            for name in ("attention", "camera", "docscan", "feedback", "outbox",
                                         "session", "wedge")}
    for plain, versioned in imports.items():
        assert versioned.startswith(plain + "?v="), versioned
        assert kept(client.get(versioned)), versioned
    assert html.index('type="importmap"') < html.index('type="module"')  # it must come first


@pytest.mark.fresh_app  # it changes the app's static folder
def test_a_module_newly_imported_joins_the_import_map(client, app, tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "app.js").write_text("// nothing imported\n")
    app.static_folder = str(tmp_path)
    assert import_map_of(client) == {"imports": {}}
    (tmp_path / "js" / "tool.js").write_text("export const x = 1;\n")
    (tmp_path / "js" / "app.js").write_text('import { x } from "./tool.js";\n'
                                            'import("./later.js");\n')
    imports = import_map_of(client)
    assert set(imports["imports"]) == {"/static/js/tool.js", "/static/js/later.js"}
    assert imports["imports"]["/static/js/tool.js"].startswith("/static/js/tool.js?v=")
    assert imports["imports"]["/static/js/later.js"] == "/static/js/later.js"  # no such file


@pytest.mark.parametrize("query", ["", "?v=", "?v=000000000000", "?v=" + "f" * 500,
                                   "?v=%3Cscript%3E", "?v=abc&v=def", "?x=1"])
def test_any_other_version_is_served_but_revalidated(client, query):
    answer = client.get(f"/static/js/app.js{query}")
    assert answer.status_code == 200 and answer.data
    assert not kept(answer) and answer.cache_control.no_cache


@pytest.mark.parametrize("path", ["/static/nothing.js?v=123456789012",
                                  "/static/../warehouse_app/config.py?v=1",
                                  "/static/%2e%2e/pyproject.toml?v=1",
                                  "/static/js/?v=1"])
def test_files_outside_or_missing_are_not_found_and_never_kept(client, path):
    answer = client.get(path)
    assert answer.status_code == 404
    assert answer.cache_control.max_age is None


@pytest.mark.fresh_app  # it changes the app's static folder
def test_a_changed_file_gets_a_new_link(client, app, tmp_path):
    (tmp_path / "js").mkdir()
    script = tmp_path / "js" / "app.js"
    script.write_text("// first\n")
    app.static_folder = str(tmp_path)
    first = re.search(r'src="/static/js/app.js\?v=(\w+)"', client.get("/login").get_data(True))
    script.write_text("// second, longer\n")
    second = re.search(r'src="/static/js/app.js\?v=(\w+)"', client.get("/login").get_data(True))
    assert first.group(1) != second.group(1)
    assert not kept(client.get(f"/static/js/app.js?v={first.group(1)}"))  # yesterday's link
    assert kept(client.get(f"/static/js/app.js?v={second.group(1)}"))
    with app.app_context():
        assert version_of("../pyproject.toml") is None and version_of("js") is None
        assert version_of("js/app\x00.js") is None  # a NUL in the name: no file, no error


def test_the_service_worker_keeps_the_versioned_addresses(client):
    script = client.get("/scan/sw.js").get_data(True)
    shell = re.search(r"const SHELL = \[(.*?)\];", script, re.S).group(1)
    statics = re.findall(r'"(/static/[^"]+)"', shell)
    assert statics and all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in statics), statics
    for url in statics:
        assert kept(client.get(url)), url


@pytest.mark.browser
def test_a_phone_opening_its_page_again_asks_for_no_static_file(chromium, live_server, make_user,
                                                                  engine_name):
    make_user("pat")
    page = new_page(chromium, service_workers="block")  # the HTTP cache alone, no worker
    log_in(page, live_server.url, "pat", "/scan/receive")
    page.wait_for_load_state("networkidle")
    first = [r for r in live_server.requests if " /static/" in r]
    assert {"GET /static/js/scanflow.js", "GET /static/js/outbox.js"} <= set(first)
    live_server.requests.clear()
    page.goto(f"{live_server.url}/scan/move")  # another page of the same kind, then back
    page.goto(f"{live_server.url}/scan/receive")
    page.wait_for_load_state("networkidle")
    page.locator("#scan").fill("NOTHING-LIKE-THIS")
    page.locator("#scan").press("Enter")  # the modules run: the page answers the scan
    page.locator("#feedback.feedback-error").wait_for()
    assert [r for r in live_server.requests if " /static/" in r] == []
    assert "GET /scan/receive" in live_server.requests
    page.context.close()


def test_the_import_map_is_the_one_inline_script_the_page_allows(client):
    answer = client.get("/login")
    text = IMPORT_MAP.search(answer.get_data(True)).group(1)
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    policy = answer.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1).split()
    # and WebAssembly compiled (the camera's zxing-cpp reader), which allows no JavaScript eval
    assert script_src == ["'self'", f"'sha256-{digest}'", "'wasm-unsafe-eval'"]
    assert "unsafe-inline" not in policy
    assert "sha256" not in client.get("/static/js/app.js").headers.get(
        "Content-Security-Policy", "")
