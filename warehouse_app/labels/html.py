"""Labels as SVG pages for the browser's print dialog: exact millimetres, vector bars."""
from markupsafe import Markup, escape

from warehouse_app.labels import designs
from warehouse_app.labels.layout import Label, Mark, Shape, Text
from warehouse_app.labels.pdf import rects
from warehouse_app.labels.templates import Template

ANCHOR = {"start": "start", "middle": "middle", "end": "end"}


def _n(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def pages(labels: list[Label], tpl: Template, skip: int = 0) -> list[Markup]:
    """One <svg> per page, sized in mm; empty cells are outlined for the screen only."""
    out: list[list[str]] = []
    drawn: dict[Label, list] = {}
    for label, (page, cx, cy) in zip(labels, tpl.cells(len(labels), skip), strict=True):
        while len(out) <= page:
            out.append(_outlines(tpl))
        if label not in drawn:
            drawn[label] = designs.draw(label, tpl)
        out[page].extend(_svg(prim, cx, cy, tpl) for prim in drawn[label])
    return [Markup(
        f'<svg class="label-page" xmlns="http://www.w3.org/2000/svg" '
        f'width="{_n(tpl.page_w)}mm" height="{_n(tpl.page_h)}mm" '
        f'viewBox="0 0 {_n(tpl.page_w)} {_n(tpl.page_h)}" role="img" '
        f'aria-label="Page {number} of {len(out)}">'
        f'<rect class="label-paper" width="{_n(tpl.page_w)}" height="{_n(tpl.page_h)}"/>'
        + "".join(parts) + "</svg>") for number, parts in enumerate(out, 1)]


def _outlines(tpl: Template) -> list[str]:
    return [f'<rect class="label-cell" x="{_n(x)}" y="{_n(y)}" width="{_n(tpl.label_w)}" '
            f'height="{_n(tpl.label_h)}" rx="1"/>' for _, x, y in tpl.cells(tpl.per_page)]


def _svg(prim, cx: float, cy: float, tpl: Template) -> str:
    """One prim as SVG; text carries its measured length so no fallback font can overflow."""
    if isinstance(prim, Text):
        return (f'<text class="f-{prim.face}" x="{_n(cx + prim.x)}" y="{_n(cy + prim.y)}" '
                f'font-size="{_n(prim.size)}" text-anchor="{ANCHOR[prim.anchor]}" '
                f'textLength="{_n(prim.width)}" lengthAdjust="spacingAndGlyphs">'
                f"{escape(prim.text)}</text>")
    if isinstance(prim, Mark):
        path = "".join(f"M{_n(x)} {_n(y)}h{_n(w)}v{_n(h)}h-{_n(w)}z"
                       for x, y, w, h in rects(prim, cx, cy, tpl))
        return f'<path class="label-bars" d="{path}"/>'
    if isinstance(prim, Shape):
        points = " ".join(f"{_n(cx + x)},{_n(cy + y)}" for x, y in prim.points)
        return f'<polygon points="{points}"/>'
    raise TypeError(f"cannot draw {prim!r}")


def page_css(tpl: Template, font_urls: dict[str, str]) -> str:
    """The stylesheet that sizes the printed page for a template (no inline styles: CSP)."""
    faces = "".join(
        f'@font-face {{ font-family: "Labels {face}"; src: url("{url}") format("truetype"); '
        f'font-weight: {400 if face == "sans" else 700}; }}\n'
        for face, url in font_urls.items())
    return (f"{faces}@page {{ size: {_n(tpl.page_w)}mm {_n(tpl.page_h)}mm; margin: 0; }}\n"
            f"@media print {{ .label-page {{ width: {_n(tpl.page_w)}mm; "
            f"height: {_n(tpl.page_h)}mm; }} }}\n")
