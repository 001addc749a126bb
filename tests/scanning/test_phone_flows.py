"""The phone scanning workflows in a real Chromium at phone size, against a live server.

One headless Debian Chromium per module (plus one with a fake camera, only for the camera test);
each test gets a fresh context (cookies, IndexedDB, service worker), a live server on the test's
own database, and runs on SQLite and PostgreSQL. What the phone does is checked in the ledger.
"""
import base64
import io
import shutil
import subprocess
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.phone import (
    ARTIFACTS,
    CHROMIUM,
    INSTALL_HINT,
    PASSWORD,
    PHONE,
    feedback,
    fits,
    fresh,
    launch,
    need,
    wedge,
)
from tests.scanning import corpus
from tests.scanning.barcodes import SAMPLES, clean, encode
from warehouse_app.catalog.models import Product
from warehouse_app.ledger.models import Movement, MovementKind, Reason, StockLevel
from warehouse_app.locations.models import Location
from warehouse_app.scanning import decoder

pytestmark = pytest.mark.browser

FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
EAN = "5901234123457"          # the EAN-13 that barcodes.clean("ean13") draws
PACK = "MUG-BOX-6"             # a pack barcode: 6 units
CAMERA_BIN = SAMPLES["code128"][1]  # "A-01-02", the Code 128 that barcodes.clean("code128") draws
FLOW_PAGES = ("receive", "move", "adjust", "return")
NO_WEBASSEMBLY = "delete window.WebAssembly;"  # a browser where it is missing or switched off
WASM = "GET /static/vendor/zxing-wasm-3.1.8/reader/zxing_reader.wasm"

# ---------- fake camera, phone ----------
@pytest.fixture(scope="module")
def fake_camera(tmp_path_factory):
    """A 1280x720 .y4m of a Code 128 bin label above an EAN-13 product label."""
    need(FFMPEG, "ffmpeg")
    folder = tmp_path_factory.mktemp("camera")
    frame = Image.new("L", (1280, 720), 235)
    frame.paste(clean("code128"), (120, 90))  # the decoder lists codes top down: the bin first
    frame.paste(clean("ean13"), (120, 400))
    frame.save(folder / "frame.png")
    ARTIFACTS.mkdir(exist_ok=True)
    frame.save(ARTIFACTS / "scan-camera-frame.png")
    subprocess.run([FFMPEG, "-y", "-loglevel", "error", "-i", str(folder / "frame.png"),
                    "-pix_fmt", "yuv420p", str(folder / "fake.y4m")], check=True, timeout=30)
    return folder / "fake.y4m"


@pytest.fixture(scope="module")
def camera_browser(playwright_driver, fake_camera):
    """A second Chromium whose camera shows the fake frame (the file is fixed per browser)."""
    browser = launch(playwright_driver, (
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={fake_camera.resolve()}"))
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def big_camera_browser(playwright_driver, tmp_path_factory):
    """A Chromium whose camera is a 1920x1080 one showing the Code 128 bin label."""
    need(FFMPEG, "ffmpeg")
    folder = tmp_path_factory.mktemp("big-camera")
    frame = Image.new("L", (1920, 1080), 235)
    frame.paste(clean("code128"), (300, 300))
    frame.save(folder / "frame.png")
    subprocess.run([FFMPEG, "-y", "-loglevel", "error", "-i", str(folder / "frame.png"),
                    "-pix_fmt", "yuv420p", str(folder / "fake.y4m")], check=True, timeout=30)
    browser = launch(playwright_driver, (
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={(folder / 'fake.y4m').resolve()}"))
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def code39_camera_browser(playwright_driver, tmp_path_factory):
    """A Chromium whose camera shows a Code 39 the phone's zxing-wasm does not read (see
    test_the_phone_reads_every_format_as_the_server_does) and the server does."""
    need(FFMPEG, "ffmpeg")
    folder = tmp_path_factory.mktemp("code39-camera")
    corpus.placed(corpus.symbol("code39"), corpus.MODULE_PX).save(folder / "frame.png")
    subprocess.run([FFMPEG, "-y", "-loglevel", "error", "-i", str(folder / "frame.png"),
                    "-pix_fmt", "yuv420p", str(folder / "fake.y4m")], check=True, timeout=30)
    browser = launch(playwright_driver, (
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={(folder / 'fake.y4m').resolve()}"))
    yield browser
    browser.close()


@pytest.fixture
def server(live_server):
    return live_server


@pytest.fixture
def floor(db, make_user, make_product, make_location):
    """A staff member, a supervisor, a mug with an EAN and a 6-pack barcode, two bins."""
    make_user("staff1", "staff", PASSWORD)
    make_user("boss", "supervisor", PASSWORD)
    product = make_product("MUG-1", name="Blue mug", barcodes=[EAN, {"code": PACK, "pack_size": 6}])
    a, b = make_location("A-01"), make_location("B-02")
    return fresh(db, lambda: SimpleNamespace(product=product.id, a=a.id, b=b.id))


@pytest.fixture
def phone(chromium, server):
    """phone(user, path) -> a 390x844 touch page logged in as user, showing path."""
    contexts = []

    def open_phone(user="staff1", path="/scan/receive", on=None, script=None, **options):
        context = (on or chromium).new_context(**PHONE, **options)
        contexts.append(context)
        if script:  # run in every page of the context before the page's own code
            context.add_init_script(script)
        page = context.new_page()
        page.set_default_timeout(10_000)
        # printed when a test fails: what the page said and sent
        page.on("console", lambda m: print(f"console {m.type}: {m.text}"))
        page.on("pageerror", lambda e: print(f"page error: {e}"))
        page.on("requestfinished", lambda r: print(
            f"{r.method} {r.url.split('/', 3)[-1]} {r.post_data or ''}"[:200]))
        page.on("requestfailed", lambda r: print(f"FAILED {r.method} {r.url} {r.failure}"))
        page.goto(f"{server.url}/login?next={path}")
        page.fill("#f-username", user)
        page.fill("#f-password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"**{path}")
        if path.startswith("/scan/"):
            expect(page.locator("#undo")).to_be_visible()  # scanflow.js has started
        return page

    yield open_phone
    for context in contexts:
        context.close()


# ---------- helpers ----------
def snap(page, name: str, engine: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"scan-{name}-{engine}.png"), full_page=True)


def on_hand(db, product: int, location: int) -> int:
    return fresh(db, lambda: db.session.scalar(
        select(func.coalesce(func.sum(StockLevel.on_hand), 0)).where(
            StockLevel.product_id == product, StockLevel.location_id == location)))


def moves(db, kind: MovementKind | None = None) -> list[tuple]:
    """(kind, qty, from code, to code, reason, note, client_op_id) of each movement, in order."""
    source, target = Location.__table__.alias("src"), Location.__table__.alias("dst")
    query = (select(Movement.kind, Movement.qty, source.c.code, target.c.code, Movement.reason,
                    Movement.note, Movement.client_op_id)
             .join(source, source.c.id == Movement.from_location_id)
             .join(target, target.c.id == Movement.to_location_id).order_by(Movement.id))
    if kind is not None:
        query = query.where(Movement.kind == kind)
    return fresh(db, lambda: [tuple(row) for row in db.session.execute(query)])


def put(db, stock, floor, qty: int) -> None:
    """qty mugs into A-01 by a real receipt, committed before the phone looks."""
    stock(db.session.get(Product, floor.product), db.session.get(Location, floor.a), qty)
    db.session.rollback()


def outbox_size(page) -> int:
    """Lines still kept in the phone's IndexedDB outbox."""
    return page.evaluate("""() => new Promise((ok, no) => {
        const r = indexedDB.open('warehouse-outbox');
        r.onsuccess = () => { const c = r.result.transaction('lines').objectStore('lines').count();
                              c.onsuccess = () => ok(c.result); c.onerror = no; };
        r.onerror = no; })""")


def small_targets(page) -> list[str]:
    """Visible buttons, fields and tap rows shorter than 48 CSS pixels."""
    return page.evaluate("""() => [...document.querySelectorAll(
        'button, a.btn, select, textarea, .reason, label.check,'
        + 'input:not([type=hidden]):not([type=radio]):not([type=checkbox])')]
        .filter(el => el.offsetParent !== null && el.getClientRects().length)
        .filter(el => el.getBoundingClientRect().height < 47.5)
        .map(el => `${el.getBoundingClientRect().height | 0}px ${el.outerHTML.slice(0, 90)}`)""")


# ---------- the tests ----------
def test_chromium_and_ffmpeg_are_installed():
    """Fails (does not skip) when the browser tests cannot run here."""
    assert Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}: {INSTALL_HINT}"
    assert Path(FFMPEG).exists(), f"no ffmpeg: {INSTALL_HINT}"


def test_wedge_scanner_receive_at_full_speed(phone, db, floor, engine_name):
    page = phone()
    assert page.evaluate("document.activeElement.id") == "scan"
    wedge(page, "A-01", EAN, EAN, PACK, EAN)
    page.fill("#qty", "3")       # a typed quantity goes with the next scan only
    page.focus("#scan")
    wedge(page, EAN, "MUG-1")
    line = page.locator("#posted li")
    expect(line).to_have_text("MUG-1 Blue mug → A-01: 13")
    expect(page.locator("#waiting")).to_be_hidden()
    feedback(page, "ok", "(13 on this line)")
    expect(page.locator('[data-value-for="bin"]')).to_have_text("A-01")
    assert page.evaluate("document.activeElement.id") == "scan"
    snap(page, "receive-wedge", engine_name)

    receipts = moves(db)
    assert [(kind, qty, src, dst) for kind, qty, src, dst, *_ in receipts] == [
        (MovementKind.RECEIVE, qty, "SUPPLIER", "A-01") for qty in (1, 1, 6, 1, 3, 1)]
    assert len({op for *_, op in receipts}) == 6 and all(op for *_, op in receipts)
    assert on_hand(db, floor.product, floor.a) == 13


def test_move_refuses_more_than_the_bin_holds_then_posts_to_the_destination(
        phone, db, floor, stock, engine_name):
    put(db, stock, floor, 3)
    before = len(moves(db))
    page = phone(path="/scan/move")
    wedge(page, "A-01", EAN, EAN)
    feedback(page, "ok", "(2 to move)")
    wedge(page, PACK)             # 6 more: the bin holds 3
    feedback(page, "error", "Only 3 × MUG-1 in A-01; you have 2 in this move.")
    expect(page.locator("#pending-lines li")).to_have_text(["2 × MUG-1"])
    snap(page, "move-refused", engine_name)
    assert len(moves(db)) == before, "the refused scan posted nothing"

    wedge(page, "B-02")
    feedback(page, "ok", "✓ 2 × MUG-1")
    expect(page.locator("#pending")).to_be_hidden()
    expect(page.locator("#posted li")).to_have_text(["MUG-1 A-01 → B-02: 2"])
    transfers = moves(db, MovementKind.TRANSFER)
    assert [(qty, src, dst) for _, qty, src, dst, *_ in transfers] == [(2, "A-01", "B-02")]
    assert (on_hand(db, floor.product, floor.a), on_hand(db, floor.product, floor.b)) == (1, 2)
    snap(page, "move-done", engine_name)


def test_supervisor_posts_damage_to_scrap_and_staff_may_not_adjust(
        phone, server, db, floor, stock, engine_name):
    put(db, stock, floor, 5)
    page = phone("boss", "/scan/adjust")
    expect(page.locator("#adjust-post")).to_be_hidden()  # until a product is scanned
    wedge(page, "A-01", EAN)
    expect(page.locator("#adjust-post")).to_be_visible()
    page.locator("label.reason", has_text="Damage").tap()
    page.fill("#note", "Dropped from the top shelf")
    snap(page, "adjust-ready", engine_name)
    page.locator("#adjust-post").tap()
    feedback(page, "ok", "✓ 1 × MUG-1")
    expect(page.locator("#posted li")).to_have_text(["damage: MUG-1 out of A-01: 1"])
    expect(page.locator("#adjust-post")).to_be_hidden()
    adjustments = moves(db, MovementKind.ADJUST)
    assert [row[1:6] for row in adjustments] == [
        (1, "A-01", "SCRAP", Reason.DAMAGE, "Dropped from the top shelf")]
    assert on_hand(db, floor.product, floor.a) == 4

    staff = phone("staff1", "/scan/receive")
    response = staff.goto(f"{server.url}/scan/adjust")  # staff report; they do not adjust
    assert response.status == 200
    expect(staff.locator("h1")).to_have_text("Report damage or loss")
    assert len(moves(db, MovementKind.ADJUST)) == 1


def test_wrong_scans_get_plain_words_and_post_nothing(phone, db, floor, engine_name):
    page = phone()
    wedge(page, EAN)              # a product where the bin was expected
    feedback(page, "error", "Scan the bin first, then the products.")
    snap(page, "wrong-product-for-bin", engine_name)
    wedge(page, "NOPE-404")
    feedback(page, "error", "Unknown code NOPE-404: not a product, bin or document here.")
    wedge(page, "SCRAP")          # a virtual location is not a bin
    feedback(page, "error", "SCRAP is not a bin in the warehouse.")
    wedge(page, "A-01", "NOPE-405")
    feedback(page, "error", "Unknown code NOPE-405")
    expect(page.locator('[data-value-for="bin"]')).to_have_text("A-01")
    snap(page, "wrong-unknown", engine_name)
    expect(page.locator("#posted li")).to_have_text(["Nothing yet."])
    assert moves(db) == []

    move = phone(path="/scan/move")
    wedge(move, "MUG-1")          # a product before the source bin
    feedback(move, "error", "Scan the bin you are taking from first.")
    assert moves(db) == []


def test_undo_last_line_posts_a_reversal(phone, db, floor, engine_name):
    page = phone()
    wedge(page, "A-01", EAN, EAN)
    expect(page.locator("#posted li")).to_have_text(["MUG-1 Blue mug → A-01: 2"])
    assert on_hand(db, floor.product, floor.a) == 2
    page.locator("#undo").tap()
    feedback(page, "ok", "↶ Undone: 1 × MUG-1")
    expect(page.locator("#posted li")).to_have_text(["MUG-1 Blue mug → A-01: 1"])
    expect(page.locator("#undo")).to_be_disabled()
    snap(page, "undo", engine_name)
    ledger = moves(db)
    assert [(kind, qty, src, dst) for kind, qty, src, dst, *_ in ledger] == [
        (MovementKind.RECEIVE, 1, "SUPPLIER", "A-01"),
        (MovementKind.RECEIVE, 1, "SUPPLIER", "A-01"),
        (MovementKind.REVERSAL, 1, "A-01", "SUPPLIER")]
    assert on_hand(db, floor.product, floor.a) == 1


def test_camera_frames_are_decoded_on_the_server_where_webassembly_is_missing(
        phone, camera_browser, server, db, floor, make_location, engine_name):
    make_location(CAMERA_BIN)
    bin_id = fresh(db, lambda: db.session.scalar(select(Location.id).where(
        Location.code == CAMERA_BIN)))
    page = phone(on=camera_browser, script=NO_WEBASSEMBLY)
    # So frames go to the server: no BarcodeDetector here, and no WebAssembly for zxing-wasm.
    assert page.evaluate("'BarcodeDetector' in window || 'WebAssembly' in window") is False
    page.evaluate("""() => {  // note when each code the camera passes on is looked up
        window.lookups = [];
        const send = window.fetch;
        window.fetch = (url, options) => {
            if (String(url).endsWith('/scan/resolve')) {
                window.lookups.push([performance.now(), JSON.parse(options.body).code]);
            }
            return send(url, options);
        };
    }""")
    page.locator("#camera-btn").tap()
    expect(page.locator("#camera")).to_be_visible()
    expect(page.locator('[data-value-for="bin"]')).to_have_text(CAMERA_BIN, timeout=15_000)
    feedback(page, "ok", "✓ 1 × MUG-1")
    page.wait_for_timeout(1200)  # both labels stay in view a while
    snap(page, "camera", engine_name)
    page.locator("#camera-stop").tap()
    expect(page.locator("#camera")).to_be_hidden()
    closed_at = page.evaluate("performance.now()")
    page.wait_for_timeout(500)  # a frame still being decoded when the camera closed is dropped
    expect(page.locator("#waiting")).to_be_hidden()
    lookups = page.evaluate("window.lookups")

    assert server.requests.count("POST /scan/decode") >= 2
    assert not [r for r in server.requests if "/static/vendor/" in r]
    assert {code for _, code in lookups} == {CAMERA_BIN, EAN}
    assert all(at < closed_at for at, _ in lookups), "a code was taken after Close camera"
    # A label in view is taken again only every 2.5 s. With one "last code" remembered, the bin
    # and the product took turns being new, and the product posted every other frame (~0.9 s).
    for code in (CAMERA_BIN, EAN):
        times = [at for at, seen in lookups if seen == code]
        assert all(b - a > 2400 for a, b in pairwise(times)), (code, times)
    receipts = moves(db)
    assert {(kind, qty, src, dst) for kind, qty, src, dst, *_ in receipts} == {
        (MovementKind.RECEIVE, 1, "SUPPLIER", CAMERA_BIN)}
    assert len(receipts) <= len([code for _, code in lookups if code == EAN])
    expect(page.locator("#posted li")).to_have_text(
        [f"MUG-1 Blue mug → {CAMERA_BIN}: {len(receipts)}"])
    assert on_hand(db, floor.product, bin_id) == len(receipts)


def test_camera_reads_on_the_phone_with_webassembly_and_sends_no_frame(
        phone, camera_browser, server, db, floor, make_location, engine_name):
    """No BarcodeDetector in this Chromium: the vendored zxing-cpp WebAssembly reads the labels
    on the phone. It is fetched only when the camera opens (not part of the page's weight)."""
    make_location(CAMERA_BIN)
    page = phone(on=camera_browser)
    assert page.evaluate("'BarcodeDetector' in window") is False
    page.wait_for_load_state("networkidle")
    assert not [r for r in server.requests if "/static/vendor/" in r]  # not on first load
    page.locator("#camera-btn").tap()
    expect(page.locator('[data-value-for="bin"]')).to_have_text(CAMERA_BIN, timeout=15_000)
    feedback(page, "ok", "✓ 1 × MUG-1")
    page.wait_for_timeout(2000)  # both labels stay in view: read again and again, posted once
    snap(page, "camera-on-phone", engine_name)
    page.locator("#camera-stop").tap()
    page.wait_for_timeout(300)
    expect(page.locator("#waiting")).to_be_hidden()

    assert WASM in server.requests
    assert "POST /scan/decode" not in server.requests  # every frame was read on the phone
    assert [(kind, qty, src, dst) for kind, qty, src, dst, *_ in moves(db)] == [
        (MovementKind.RECEIVE, 1, "SUPPLIER", CAMERA_BIN)]
    expect(page.locator("#posted li")).to_have_text([f"MUG-1 Blue mug → {CAMERA_BIN}: 1"])


def test_camera_falls_back_to_the_server_when_the_webassembly_cannot_load(
        phone, camera_browser, server, db, floor, make_location):
    """The reader's files do not arrive (blocked, a network that drops them): frames go to the
    server as before, after the short wait for the reader."""
    make_location(CAMERA_BIN)
    # No service worker: it would fetch the files itself, past the page's routes.
    page = phone(on=camera_browser, service_workers="block")
    page.route("**/static/vendor/**", lambda route: route.abort())
    page.locator("#camera-btn").tap()
    expect(page.locator('[data-value-for="bin"]')).to_have_text(CAMERA_BIN, timeout=15_000)
    feedback(page, "ok", "✓ 1 × MUG-1")
    page.locator("#camera-stop").tap()
    assert server.requests.count("POST /scan/decode") >= 1
    assert not [r for r in server.requests if "/static/vendor/" in r]  # none got through


def test_a_code_the_phone_cannot_read_goes_to_the_server_now_and_then(
        phone, code39_camera_browser, server, floor, make_location):
    make_location("BIN-07")
    page = phone(on=code39_camera_browser)
    page.locator("#camera-btn").tap()
    expect(page.locator('[data-value-for="bin"]')).to_have_text("BIN-07", timeout=15_000)
    page.locator("#camera-stop").tap()
    assert WASM in server.requests  # the phone was reading, and read nothing
    assert server.requests.count("POST /scan/decode") >= 1


def test_the_phone_reads_every_format_as_the_server_does(phone, server, floor):
    """Each corpus symbol in a plain frame, read by the phone's zxing-wasm with camera.js's
    trust rule and by the server's decoder: the same text (GS1 identifiers, UPC-E, UPC-A,
    full ASCII Code 39, FNC4, Shift_JIS), but for one Code 39."""
    page = phone()
    frames, server_values = {}, {}
    for name in corpus.SYMBOLS:
        frame = corpus.placed(corpus.symbol(name), corpus.MODULE_PX)
        frames[name] = base64.b64encode(encode(frame)).decode()
        server_values[name] = [c.value for c in decoder.read(frame, budget=None)]
    phone_values = page.evaluate("""async (frames) => {
        const camera = await import('/static/js/camera.js');
        const reader = await camera.loadWasm();
        const out = {};
        for (const [name, png] of Object.entries(frames)) {
            const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
            const found = await reader.readBarcodes(bytes, {formats: camera.WASM_OPTIONS.formats,
                                                            textMode: 'Plain'});
            out[name] = found.map(camera.trusted).filter((v) => v !== null);
        }
        return out;
    }""", frames)
    # zxing-wasm 3.1.8 (a newer zxing-cpp) does not read this Code 39 drawn by zxing-cpp 3.1.1's
    # writer (a clean python-barcode one it does): a frame the phone reads nothing in goes to
    # the server now and then (camera.js), which does.
    assert phone_values.pop("code39") == [] and server_values.pop("code39") == ["BIN-07"]
    assert phone_values == server_values
    assert all(server_values.values())


@pytest.mark.parametrize("read,value", [
    ({"format": "EAN13", "text": "5901234123457"}, "5901234123457"),
    ({"format": "EAN13", "text": "5901234123458"}, None),            # check digit fails
    ({"format": "EAN13", "text": "0036000291452"}, "036000291452"),  # the UPC-A it prints as
    ({"format": "EAN13", "text": "5901234123457", "isInverted": True}, None),  # a retry's number
    ({"format": "UPCE", "text": "0012345000065", "extra": '{"UPCE":"01234565"}'}, "01234565"),
    ({"format": "UPCE", "text": "0012345000066", "extra": '{"UPCE":"01234566"}'}, None),
    ({"format": "UPCE", "text": "0012345000065", "extra": "not json"}, None),
    ({"format": "ITF", "text": "15400141288763"}, "15400141288763"),
    ({"format": "ITF", "text": "123456"}, None),                      # no check digit: two readers
    ({"format": "QRCode", "text": "SKU-TSHIRT-M", "isInverted": True}, "SKU-TSHIRT-M"),
    ({"format": "DataBar", "text": "0109501101530003", "contentType": "GS1",
      "symbologyIdentifier": "]e0"}, "]e00109501101530003"),
])
def test_the_phone_trusts_a_read_as_the_server_would(phone, floor, read, value):
    page = phone()
    trusted = page.evaluate("""async (read) => {
        const camera = await import('/static/js/camera.js');
        return camera.trusted({isInverted: false, contentType: 'Text', ...read});
    }""", read)
    assert trusted == value


def test_camera_sends_the_server_frames_of_at_most_1280x720(phone, big_camera_browser, server,
                                                             floor, make_location):
    make_location(CAMERA_BIN)
    page = phone(on=big_camera_browser, script=NO_WEBASSEMBLY)  # frames go to the server
    # A phone camera may answer the page's "ideal 1280x720" with more: this one gives 1920x1080.
    page.evaluate("""() => {
        const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
        navigator.mediaDevices.getUserMedia = (wanted) => open({...wanted,
            video: {width: {exact: 1920}, height: {exact: 1080}}});
    }""")
    sizes = []

    def measure(route, request):  # the JPEG inside the multipart body, as the server gets it
        body = request.post_data_buffer
        jpeg = body[body.find(b"\xff\xd8"):body.rfind(b"\xff\xd9") + 2]
        sizes.append(Image.open(io.BytesIO(jpeg)).size)
        route.continue_()

    page.route("**/scan/decode", measure)
    page.locator("#camera-btn").tap()
    expect(page.locator('[data-value-for="bin"]')).to_have_text(CAMERA_BIN, timeout=15_000)
    video = page.evaluate("[...document.querySelectorAll('video')].map(v => v.videoWidth)")
    page.locator("#camera-stop").tap()
    assert max(video) > 1280  # the camera gives more than is sent
    assert sizes and all(w <= 1280 and h <= 720 for w, h in sizes), sizes


def test_offline_scans_wait_on_the_phone_and_post_once_when_back(phone, server, db, floor,
                                                                 engine_name):
    page = phone()
    wedge(page, "A-01")
    feedback(page, "ok", "Bin A-01")
    page.context.set_offline(True)
    wedge(page, EAN, "MUG-1", EAN, PACK, EAN)
    expect(page.locator("#waiting")).to_have_text("5 waiting to post")
    expect(page.locator("#net")).to_have_text("Offline")
    feedback(page, "offline", "It posts when the network is back.")
    snap(page, "offline-queued", engine_name)
    assert moves(db) == []

    page.context.set_offline(False)
    expect(page.locator("#waiting")).to_be_hidden(timeout=15_000)
    expect(page.locator("#net")).to_have_text("Online")
    snap(page, "offline-drained", engine_name)
    receipts = moves(db)
    assert [qty for _, qty, *_ in receipts] == [1, 1, 1, 6, 1]
    assert len({op for *_, op in receipts}) == 5 and None not in {op for *_, op in receipts}
    assert on_hand(db, floor.product, floor.a) == 10
    assert outbox_size(page) == 0

    # A line the server posted but whose answer never reached the phone: it stays queued, is
    # sent again with the same client_op_id, and the server answers with the first posting.
    def answer_lost(route):
        route.fetch()
        route.abort("connectionreset")
    page.route("**/scan/line", answer_lost, times=1)
    wedge(page, EAN)
    expect(page.locator("#net")).to_have_text("Offline")  # the send failed, as far as it knows
    expect(page.locator("#waiting")).to_have_text("1 waiting to post")
    assert len(moves(db)) == 6
    page.evaluate("window.dispatchEvent(new Event('online'))")  # or wait for the 4 s retry
    expect(page.locator("#waiting")).to_be_hidden()
    feedback(page, "ok", "✓ 1 × MUG-1")
    receipts = moves(db)
    assert len(receipts) == 6 and len({op for *_, op in receipts}) == 6
    assert on_hand(db, floor.product, floor.a) == 11
    assert outbox_size(page) == 0


def test_service_worker_serves_the_shell_offline(phone, server, floor, engine_name):
    page = phone()
    assert page.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)") is True
    page.reload()  # now controlled by the worker
    assert page.evaluate("!!navigator.serviceWorker.controller")

    page.context.set_offline(True)
    seen = len(server.requests)
    response = page.reload()
    expect(page.locator("#scan")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Receive")
    assert response is not None and response.from_service_worker
    reached_server = [r for r in server.requests[seen:] if r.startswith("GET /scan/receive")]

    # Whatever the emulation does to the worker's own fetches, a stopped server is a cut network.
    server.stop()
    response = page.goto(server.url + "/scan/move")  # precached at install, never opened
    expect(page.locator("h1")).to_have_text("Put away / move")
    expect(page.locator("#undo")).to_be_visible()    # its scripts came from the cache too
    snap(page, "offline-shell", engine_name)
    assert response is not None and response.from_service_worker
    assert reached_server == [], "set_offline did not cut the service worker's own fetch"


def test_scan_pages_fit_390px_with_48px_targets(phone, db, floor, stock, engine_name):
    put(db, stock, floor, 3)
    page = phone("boss", "/scan/receive")
    for flow in FLOW_PAGES:
        page.goto(f"{page.url.split('/scan/')[0]}/scan/{flow}")
        expect(page.locator("#undo")).to_be_visible()
        assert fits(page), f"/scan/{flow} scrolls sideways at 390 px"
        assert small_targets(page) == [], f"/scan/{flow}"
        snap(page, f"page-{flow}", engine_name)
    # what a scan opens: adjust's post button, move's list to move, the lot box, the camera
    page.goto(page.url.replace("/scan/return", "/scan/adjust"))
    expect(page.locator("#undo")).to_be_visible()
    wedge(page, "A-01", EAN)
    expect(page.locator("#adjust-post")).to_be_visible()
    assert fits(page) and small_targets(page) == [], "adjust with a product scanned"
    # each reason is one 48 px row, its radio centred on its word (app.css's ".scan label
    # {display: block}" made them 63 px with the radio riding high)
    assert page.evaluate("""() => [...document.querySelectorAll('.reason')].every(tile => {
        const box = tile.getBoundingClientRect(), dot = tile.querySelector('input')
            .getBoundingClientRect(), word = tile.querySelector('span').getBoundingClientRect();
        const mid = (r) => r.top + r.height / 2;
        return box.height < 56 && Math.abs(mid(dot) - mid(word)) < 3
            && Math.abs(mid(dot) - mid(box)) < 3; })""")
    snap(page, "page-adjust-product", engine_name)

    page.goto(page.url.replace("/scan/adjust", "/scan/move"))
    expect(page.locator("#undo")).to_be_visible()
    wedge(page, "A-01", EAN)
    expect(page.locator("#pending")).to_be_visible()
    assert fits(page) and small_targets(page) == [], "move with products to move"
    snap(page, "page-move-pending", engine_name)


CACHED_PAGES = """async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) {
      paths.push(new URL(request.url).pathname);
    }
  }
  return paths.sort();
}"""


def test_logging_out_forgets_the_pages_kept_for_offline_use(phone, server, floor):
    """A shared phone: the next user must not be shown the last one's pages from the cache."""
    page = phone()
    assert page.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)") is True
    page.wait_for_function("caches.keys().then(n => n.length > 0)")
    page.wait_for_function(f"({CACHED_PAGES})().then(p => p.includes('/scan/receive'))")
    page.locator("form.logout button").click()
    page.wait_for_url("**/login**")
    page.wait_for_function(
        f"({CACHED_PAGES})().then(p => p.every(path => path.startsWith('/static/')))")
    kept = page.evaluate(CACHED_PAGES)
    assert kept and all(path.startswith("/static/") for path in kept)
