"""Render every template to PDF, rasterise it, read each symbol back: the value asked for,
inside the cell the template gives that label (skip included), in the right count."""
from datetime import date

import pytest

from warehouse_app.labels import pdf
from warehouse_app.labels.layout import Label
from warehouse_app.labels.symbols import Spec, gs1
from warehouse_app.labels.templates import TEMPLATES

from .raster import pdf_text, rasterise, read

RECEIPT = gs1("4006381333931", date(2026, 12, 31), "LOT42A")


def samples() -> list[tuple[Label, str]]:
    """Labels of every kind and symbology with the value each symbol must carry."""
    return [
        (Label("product", "TEE-M-BLUE", Spec("code128", "TEE-M-BLUE", "TEE-M-BLUE"),
               "Organic cotton T-shirt, medium, ocean blue", "12.50"), "TEE-M-BLUE"),
        (Label("product", "EAN-1", Spec("ean13", "4006381333931", "4006381333931"),
               "Crème brûlée <b>x</b>"), "4006381333931"),
        (Label("bin", "A-01-02-03", Spec("code128", "A-01-02-03", "A-01-02-03"), arrow="up"),
         "A-01-02-03"),
        (Label("receipt", "TEE-M", RECEIPT, "Organic tee",
               lines=("TEE-M · 1 unit", "Lot LOT42A · Exp 2026-12-31", "Received 2025-01-02")),
         RECEIPT.data),
        (Label("product", "QR-1", Spec("qr", "QR-1", "QR-1"), "In a QR code"), "QR-1"),
    ]


def dpi_for(template) -> int:
    return 203 if template.thermal else 300


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_symbol_reads_back_inside_its_cell(name, tmp_path):
    template = TEMPLATES[name]
    cases = samples() if template.per_page > 1 or template.thermal else samples()[:3]
    skip = 4 if template.per_page > 1 else 0
    labels = [label for label, _ in cases]
    images = rasterise(pdf.render(labels, template, skip), tmp_path, dpi_for(template))
    assert len(images) == template.cell(skip + len(labels) - 1)[0] + 1
    reads = read(images, dpi_for(template))
    assert sorted(r.text for r in reads) == sorted(value for _, value in cases)
    for index, (_, value) in enumerate(cases):
        page, left, top = template.cell(skip + index)
        hit = next(r for r in reads if r.text == value)
        assert hit.page == page, value
        assert left < hit.x < left + template.label_w, (value, hit)
        assert top < hit.y < top + template.label_h, (value, hit)


def test_skip_starts_a_part_used_sheet_at_the_next_free_cell(tmp_path):
    template = TEMPLATES["letter-3x10"]
    label = samples()[0][0]
    reads = read(rasterise(pdf.render([label] * 2, template, skip=29), tmp_path, 300), 300)
    assert len(reads) == 2
    for hit, cell in zip(sorted(reads, key=lambda r: r.page), (29, 30), strict=True):
        page, left, top = template.cell(cell)  # the last cell of sheet 1, the first of sheet 2
        assert hit.page == page
        assert left < hit.x < left + template.label_w and top < hit.y < top + template.label_h


def test_printed_lines_keep_accents_and_gs1_parentheses(tmp_path):
    template = TEMPLATES["a4-3x10"]
    printed = pdf_text(pdf.render([label for label, _ in samples()], template), tmp_path)
    assert "Crème brûlée <b>x</b>" in printed
    assert "(01)04006381333931(17)261231(10)LOT42A" in printed
    assert "ñ" not in printed  # python-barcode's own GS1 text is not used


def test_thermal_bars_land_on_whole_printer_dots(tmp_path):
    """Rasterised at the printer's 8 dots/mm, every bar and space of a 2 x 1 in label is a
    whole number of 2-dot modules, with no half-covered (mid-grey) dots at its edges."""
    template = TEMPLATES["thermal-2x1"]
    label = samples()[2][0]
    image = rasterise(pdf.render([label], template), tmp_path, 203.2)[0]
    mark_row = round(150 * 203.2 / 203)
    grey = [image.getpixel((x, mark_row)) for x in range(image.width)]
    assert not [v for v in grey if 64 < v < 192], "bar edges fall between printer dots"
    row = [v < 128 for v in grey]
    runs, start = [], 0
    for x in range(1, len(row) + 1):
        if x == len(row) or row[x] != row[start]:
            runs.append(x - start)
            start = x
    bars_and_spaces = runs[1:-1]
    assert len(bars_and_spaces) > 40
    assert all(run % 2 == 0 for run in bars_and_spaces), bars_and_spaces
