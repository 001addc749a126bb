"""The Labels page on a phone-sized Chromium, and its print page printed by Chromium itself."""
import pytest

from tests.phone import ARTIFACTS, fits, new_page, small_targets
from warehouse_app.labels.templates import TEMPLATES

from .conftest import EAN
from .raster import rasterise, read

pytestmark = pytest.mark.browser


@pytest.fixture
def server(live_server):
    return live_server.url


@pytest.fixture
def phone(chromium, server):
    """A 390x844 touch phone page."""
    page = new_page(chromium, device_scale_factor=1)
    yield page
    page.context.close()


def test_a_worker_prints_a_letter_sheet_from_the_phone(phone, server, shop, make_user,
                                                       engine_name, tmp_path):
    make_user("picker", "staff", "password123")
    page = phone
    page.goto(f"{server}/login?next=/labels/")
    page.fill("#f-username", "picker")
    page.fill("#f-password", "password123")
    page.click("button[type=submit]")
    page.wait_for_url("**/labels/")
    assert fits(page) and small_targets(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"labels-form-{engine_name}.png"), full_page=True)
    page.fill("#products-sku", f"{EAN}\nCREME-1")
    page.select_option("#products-template", "letter-3x10")
    assert page.is_visible("#products-skip")
    page.fill("#products-skip", "2")
    page.click("#products-sku >> xpath=ancestor::form//button[text()='Print page']")
    page.wait_for_url("**/labels/products.html?**")
    assert page.is_visible("[data-label-print]") and fits(page)
    page.screenshot(path=str(ARTIFACTS / f"labels-print-{engine_name}.png"), full_page=True)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    reads = read(rasterise(pdf, tmp_path, 300), 300)
    assert sorted(r.text for r in reads) == sorted([EAN, "CREME-1"])
    assert all(r.page == 0 for r in reads)  # one Letter page: the print CSS sized it
    for value, cell in ((EAN, 2), ("CREME-1", 3)):  # in order, after the 2 skipped cells
        read_back = next(r for r in reads if r.text == value)
        _, left, top = TEMPLATES["letter-3x10"].cell(cell)
        assert left < read_back.x < left + 66.675 and top < read_back.y < top + 25.4
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{server}/labels/")
    assert fits(page), "the Labels page at 360 px"
