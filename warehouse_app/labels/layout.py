"""Where things go on one label: text lines, symbols and arrows in mm from the label's corner."""
from collections.abc import Iterator
from dataclasses import dataclass, field

from warehouse_app.errors import DomainError
from warehouse_app.labels import text
from warehouse_app.labels.symbols import QUIET, Spec, Symbol, SymbolError, as_qr, encode
from warehouse_app.labels.templates import Template

LINE = 1.15  # line pitch, in font sizes
ASCENT = 0.86  # baseline below the top of a line, in font sizes
MIN_BAR = 5.0  # shortest bars (mm) worth printing; below that the data goes into a QR code


@dataclass(frozen=True)
class Label:
    """What one label says; layouts decide where."""

    kind: str  # product, bin, sign, receipt
    code: str  # the SKU or location code, printed big
    spec: Spec  # the barcode or QR code
    title: str = ""  # product or location name
    price: str = ""
    lines: tuple[str, ...] = ()  # small details (lot, expiry, reference...)
    arrow: str = ""  # "up" or "down": the bin is above or below a shelf-rail label


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    size: float  # em size in mm
    text: str
    face: str = "sans"
    anchor: str = "start"  # start, middle, end
    width: float = 0.0  # measured with the label font


@dataclass(frozen=True)
class Mark:
    """A symbol: its left edge x, top y, module width and the height of its bars (mm)."""

    x: float
    y: float
    module: float
    height: float
    symbol: Symbol


@dataclass(frozen=True)
class Shape:
    points: tuple[tuple[float, float], ...]


@dataclass
class Row:
    """One band of a stacked layout: lines of text, or a symbol with its printed line."""

    lines: list[str] = field(default_factory=list)
    size: float = 3.0
    face: str = "sans"
    anchor: str = "start"
    spec: Spec | None = None
    hri: float = 0.0  # size of the printed line under a symbol; 0 for none
    cap: float = 1e9  # tallest the symbol may be

    def height(self) -> float:
        return len(self.lines) * LINE * self.size


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def fit_symbol(spec: Spec, room_w: float, room_h: float, tpl: Template,
               bleed: float = 0.0) -> tuple[Symbol, float]:
    """The symbol and the largest whole-dot module that fits; a QR when 1D bars cannot fit.

    Bars stay within room_w; quiet zones may reach `bleed` mm further, into the label's margin."""
    for candidate in _candidates(spec):
        largest = tpl.module_dots[0]
        if not candidate.linear:  # a QR code grows to fill its square
            largest = max(largest, int(min(room_w, room_h) * tpl.dpmm / candidate.width))
        for dots in range(largest, tpl.module_dots[1] - 1, -1):
            if _fits(candidate, dots * tpl.dot, room_w, room_h, bleed):
                return candidate, dots * tpl.dot
    raise DomainError(f"{spec.hri[:40]} is too long for a label of template {tpl.name}; "
                      "pick a larger template.", field="template", code="too_long")


def _fits(symbol: Symbol, module: float, room_w: float, room_h: float, bleed: float) -> bool:
    if not symbol.linear:
        return symbol.width * module <= min(room_w, room_h) + 1e-9
    bars = (symbol.width - sum(QUIET[symbol.spec.symbology])) * module
    return (bars <= room_w + 1e-9 and symbol.width * module <= room_w + bleed + 1e-9
            and room_h >= MIN_BAR)


def settle(spec: Spec, room_w: float, room_h: float, tpl: Template, bleed: float = 0.0) -> Spec:
    """The spec itself when it fits as asked, else the QR form the layout falls back to."""
    return fit_symbol(spec, room_w, room_h, tpl, bleed)[0].spec


def _candidates(spec: Spec) -> Iterator[Symbol]:
    """The symbol as asked, then (only if still needed) the same data as a QR code."""
    for make in (lambda: spec, lambda: None if spec.symbology == "qr" else as_qr(spec)):
        try:
            if (wanted := make()) is not None:
                yield encode(wanted)
        except SymbolError:
            continue


def text_rows(row: Row, x: float, top: float, room: float) -> list[Text]:
    """A row's lines from top, aligned in a box of width room starting at x."""
    out = []
    for i, line in enumerate(row.lines):
        line = text.cut(line, row.size, room, row.face)
        at = {"start": x, "middle": x + room / 2, "end": x + room}[row.anchor]
        out.append(Text(at, top + (i * LINE + ASCENT) * row.size, row.size, line, row.face,
                        row.anchor, text.width(line, row.size, row.face)))
    return out


def symbol_row(row: Row, x: float, top: float, room_w: float, room_h: float,
               tpl: Template, bleed: float = 0.0) -> tuple[list, float]:
    """A symbol centred in its band, its printed line under it; the prims and height used."""
    hri_h = LINE * row.hri if row.hri else 0.0
    tall = min(room_h, row.cap) - hri_h
    symbol, module = fit_symbol(row.spec, room_w, tall, tpl, bleed)
    bar_h = tall if symbol.linear else symbol.height * module
    left = x + (room_w - symbol.width * module) / 2
    prims: list = [Mark(left, top, module, bar_h, symbol)]
    if row.hri:
        size = min(row.hri, text.fit(symbol.spec.hri, room_w, row.hri, 1.5, "mono"))
        hri = Row([symbol.spec.hri], size, "mono", "middle")
        prims += text_rows(hri, x, top + bar_h + 0.1 * row.hri, room_w)
    return prims, bar_h + hri_h


def stack(rows: list[Row], box: tuple[float, float, float, float], tpl: Template,
          bleed: float = 0.0, spread: bool = False) -> list:
    """Rows from top to bottom in box (x, y, w, h); the symbol row takes the height left.

    The block is centred, or with spread its slack is shared between the rows."""
    x, y, w, h = box
    rows = [r for r in rows if r.lines or r.spec is not None]
    sym = next((r for r in rows if r.spec is not None), None)
    gap = 0.6
    for _ in range(4):  # shrink the text until the symbol has room for its shortest bars
        fixed = sum(r.height() for r in rows if r.spec is None) + gap * max(0, len(rows) - 1)
        sym_room = h - fixed
        if sym is None or sym_room >= MIN_BAR + LINE * sym.hri:
            break
        for row in rows:
            row.size *= 0.8 if row.spec is None else 1
    sym_h = symbol_row(sym, x, y, w, sym_room, tpl, bleed)[1] if sym else 0.0
    slack = max(0.0, h - fixed - sym_h)
    if spread and len(rows) > 1:
        gap, top = gap + slack / (len(rows) - 1), y
    else:
        top = y + slack / 2
    prims: list = []
    for row in rows:
        if row.spec is None:
            prims += text_rows(row, x, top, w)
            top += row.height() + gap
            continue
        got, height = symbol_row(row, x, top, w, sym_room, tpl, bleed)
        prims += got
        top += height + gap
    return prims


def arrow(direction: str, x: float, y: float, w: float, h: float) -> Shape:
    """A bold arrow up or down, centred in the box."""
    cx, head, shaft = x + w / 2, min(h * 0.45, w * 0.9), w * 0.18
    half = min(w, h * 0.8) / 2
    pts = [(cx, 0.0), (cx + half, head), (cx + shaft, head), (cx + shaft, h),
           (cx - shaft, h), (cx - shaft, head), (cx - half, head)]
    if direction == "down":
        pts = [(px, h - py) for px, py in pts]
    return Shape(tuple((px, y + py) for px, py in pts))
