"""The design of each kind of label (product, bin, sign, receipt), scaled to the template."""
from warehouse_app.labels import text
from warehouse_app.labels.layout import (
    LINE,
    Label,
    Mark,
    Row,
    arrow,
    clamp,
    fit_symbol,
    settle,
    stack,
    text_rows,
)
from warehouse_app.labels.templates import Template


def draw(label: Label, tpl: Template) -> list:
    """The prims of one label, in mm from its top-left corner."""
    return DESIGNS[label.kind](label, tpl)


def _box(tpl: Template) -> tuple[float, float, float, float]:
    return tpl.pad_x, tpl.pad_y, tpl.label_w - 2 * tpl.pad_x, tpl.label_h - 2 * tpl.pad_y


def _code_row(code: str, size: float, room: float, face: str = "mono") -> Row:
    """A code shrunk to fit its room, else broken over lines: never cut, it must be readable."""
    size = min(size, text.fit(code, room, size, size * 0.6, face))
    lines = text.wrap(code, size, room, 4, face) if text.width(code, size, face) > room else [code]
    return Row(lines, size, face)


def _side(label: Label, tpl: Template, rows: list[Row]) -> list | None:
    """A QR code left, full height, text rows right; None unless the label needs a QR code."""
    x, y, w, h = _box(tpl)
    spec = settle(label.spec, w, h * 0.55, tpl, 2 * tpl.pad_x)
    if spec.symbology != "qr" or tpl.portrait:
        return None
    symbol, module = fit_symbol(spec, min(h, w * 0.45), h, tpl)
    side = symbol.width * module
    prims: list = [Mark(x, y + (h - side) / 2, module, side, symbol)]
    room = w - side - 1.0
    for row in rows:
        if row.face != "mono":
            row.lines = [part for line in row.lines
                         for part in text.wrap(line, row.size, room, 2, row.face)]
    return prims + stack(rows, (x + side + 1.0, y, room, h), tpl)


def product(label: Label, tpl: Template) -> list:
    x, y, w, h = _box(tpl)
    if tpl.portrait:
        return _product_tall(label, tpl)
    size = clamp(h * 0.13, 2.2, 7.0)
    price_w = text.width(label.price, size * 1.3, "bold") + 1.5 if label.price else 0.0
    name = text.wrap(label.title, size, w - price_w, 2 if h >= 18 else 1)
    side = _side(label, tpl, [_code_row(label.code, size * 1.2, w * 0.5),
                              Row(name, size * 0.9), Row([label.price], size * 1.2, "bold")])
    if side:
        return side
    rows = [Row(name, size)]
    if label.spec.hri != label.code:  # an EAN/UPC under the bars: the SKU goes above them
        rows.append(Row([text.cut(label.code, size * 0.9, w, "mono")], size * 0.9, "mono"))
    rows.append(Row(spec=label.spec, hri=clamp(h * 0.1, 1.9, 6.0), cap=w * 0.5))
    prims = stack(rows, (x, y, w, h), tpl, 2 * tpl.pad_x)
    if label.price:
        top = min((p.y for p in prims if hasattr(p, "face")), default=y + size) - 0.86 * size
        prims += text_rows(Row([label.price], size * 1.3, "bold", "end"), x, top, w)
    return prims


def _product_tall(label: Label, tpl: Template) -> list:
    x, y, w, h = _box(tpl)
    size = clamp(w * 0.075, 3.0, 9.0)
    rows = [Row(text.wrap(label.title, size, w, 3, "bold"), size, "bold")]
    code = _code_row(label.code, size * 1.4, w, "mono")  # big, for a picker across the aisle
    rows.append(Row(code.lines, code.size, "mono", "middle"))
    rows.append(Row(spec=label.spec, hri=size * 0.9, cap=h * 0.3))
    if label.price:
        rows.append(Row([label.price], text.fit(label.price, w, size * 2.6, size), "bold",
                        "middle"))
    return stack(rows, (x, y, w, h), tpl, 2 * tpl.pad_x, spread=True)


def bin_label(label: Label, tpl: Template) -> list:
    x, y, w, h = _box(tpl)
    if tpl.portrait:
        return _bin_tall(label, tpl)
    aw = min(h * 0.3, w * 0.16) if label.arrow else 0.0
    big = text.fit(label.code, w - aw - (1.5 if aw else 0), h * 0.45, 2.5)
    name = [label.title] if label.title and label.title != label.code else []
    side = _side(label, tpl, [Row([label.code], big * 0.6, "bold"), Row(name, big * 0.22)])
    if side:
        return ([arrow(label.arrow, x + w - aw, y, aw, h)] if aw else []) + side
    rows = [Row([label.code], big, "bold", "middle"), Row(spec=label.spec, cap=h * 0.45)]
    prims = stack(rows, (x, y, w, h), tpl, 2 * tpl.pad_x)
    if aw:  # the arrow sits beside the code, the bars keep the full width below
        code = next(p for p in prims if hasattr(p, "face"))
        shift = (aw + 1.5) / 2
        prims[prims.index(code)] = type(code)(code.x + shift, code.y, code.size, code.text,
                                              code.face, code.anchor, code.width)
        top = code.y - 0.86 * big
        prims.append(arrow(label.arrow, code.x + shift - code.width / 2 - aw - 1.5, top, aw,
                           big * LINE * 0.95))
    return prims


def _bin_tall(label: Label, tpl: Template) -> list:
    x, y, w, h = _box(tpl)
    prims: list = []
    if label.arrow:
        prims.append(arrow(label.arrow, x + w * 0.25, y, w * 0.5, h * 0.3))
        y, h = y + h * 0.33, h * 0.67
    big = text.fit(label.code, w, h * 0.28, 4.0)
    name = [label.title] if label.title and label.title != label.code else []
    rows = [Row([label.code], big, "bold", "middle"),
            Row(text.wrap(" ".join(name), big * 0.3, w, 2), big * 0.3, "sans", "middle"),
            Row(spec=label.spec, cap=h * 0.4)]
    return prims + stack(rows, (x, y, w, h), tpl, 2 * tpl.pad_x, spread=True)


def sign(label: Label, tpl: Template) -> list:
    x, y, w, h = _box(tpl)
    big = text.fit(label.code, w, h * 0.36, 4.0)
    small = clamp(h * 0.06, 2.0, 14.0)
    name = label.title if label.title != label.code else ""
    rows = [Row(list(label.lines[:1]), small, "bold", "middle"),
            Row([label.code], big, "bold", "middle"),
            Row(text.wrap(name, small * 1.2, w, 2), small * 1.2, "sans", "middle"),
            Row(spec=label.spec, cap=h * 0.3)]
    return stack(rows, (x, y, w, h), tpl, 2 * tpl.pad_x, spread=tpl.portrait)


def receipt(label: Label, tpl: Template) -> list:
    x, y, w, h = _box(tpl)
    size = clamp((w * 0.06 if tpl.portrait else h * 0.12), 2.1, 7.0)
    tall = 3 if tpl.portrait else 1
    name = text.wrap(label.title, size, w, tall, "bold")
    details = [part for line in label.lines[:-1]
               for part in text.wrap(line, size * 0.9, w, tall)]
    footer = list(label.lines[-1:])
    side = _side(label, tpl, [Row(name[:1], size, "bold"), Row(details, size * 0.85),
                              Row(footer, size * 0.75)])
    if side:
        return side
    rows = [Row(name, size, "bold"), Row(details, size * 0.9),
            Row(spec=label.spec, hri=clamp(h * 0.09, 1.8, 5.0), cap=h * 0.4),
            Row(text.wrap(" ".join(footer), size * 0.8, w, tall), size * 0.8)]
    return stack(rows, (x, y, w, h), tpl, 2 * tpl.pad_x, spread=tpl.portrait)


DESIGNS = {"product": product, "bin": bin_label, "sign": sign, "receipt": receipt}
