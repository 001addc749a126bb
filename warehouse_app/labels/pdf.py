"""Labels as a vector PDF drawn with reportlab: bars snapped to the printer's dot grid."""
import io

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from warehouse_app.labels import designs
from warehouse_app.labels.layout import Label, Mark, Shape, Text
from warehouse_app.labels.templates import Template
from warehouse_app.labels.text import FONTS

rl_config.useA85 = 0  # binary compressed streams: smaller and faster than ASCII85 text


def render(labels: list[Label], tpl: Template, skip: int = 0, title: str = "Labels") -> bytes:
    """One PDF: labels in cell order from the (skip+1)-th cell of the first sheet."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(tpl.page_w * mm, tpl.page_h * mm), pageCompression=1,
                        invariant=1)
    pdf.setTitle(title)
    pdf.setCreator("warehouse_app labels")
    drawn: dict[Label, list] = {}  # copies of a label share one layout
    page = 0
    for label, (at_page, cx, cy) in zip(labels, tpl.cells(len(labels), skip), strict=True):
        while page < at_page:
            pdf.showPage()
            page += 1
        if label not in drawn:
            drawn[label] = designs.draw(label, tpl)
        for prim in drawn[label]:
            _draw(pdf, prim, cx, cy, tpl)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _draw(pdf: canvas.Canvas, prim, cx: float, cy: float, tpl: Template) -> None:
    """One prim at a label corner (cx, cy) given in mm from the page's top-left."""
    top = tpl.page_h
    if isinstance(prim, Text):
        pdf.setFont(FONTS[prim.face], prim.size * mm)
        x, y = (cx + prim.x) * mm, (top - cy - prim.y) * mm
        {"start": pdf.drawString, "middle": pdf.drawCentredString,
         "end": pdf.drawRightString}[prim.anchor](x, y, prim.text)
    elif isinstance(prim, Mark):
        path = pdf.beginPath()
        for x, y, w, h in rects(prim, cx, cy, tpl):
            path.rect(x * mm, (top - y - h) * mm, w * mm, h * mm)
        pdf.drawPath(path, stroke=0, fill=1)
    elif isinstance(prim, Shape):
        path = pdf.beginPath()
        (x0, y0), *rest = prim.points
        path.moveTo((cx + x0) * mm, (top - cy - y0) * mm)
        for x, y in rest:
            path.lineTo((cx + x) * mm, (top - cy - y) * mm)
        path.close()
        pdf.drawPath(path, stroke=0, fill=1)


def snap(value: float, tpl: Template) -> float:
    """The nearest position on the printer's dot grid (mm from the page edge)."""
    return round(value * tpl.dpmm) / tpl.dpmm


def rects(mark: Mark, cx: float, cy: float, tpl: Template):
    """Dark rectangles (x, y, w, h) of a symbol in mm from the page's top-left, on whole dots."""
    x0, y0, m = snap(cx + mark.x, tpl), snap(cy + mark.y, tpl), mark.module
    if mark.symbol.linear:
        for x, _, w, _ in mark.symbol.runs:
            yield x0 + x * m, y0, w * m, mark.height
    else:
        for x, y, w, h in mark.symbol.runs:
            yield x0 + x * m, y0 + y * m, w * m, h * m
