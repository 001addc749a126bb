"""Labels as ZPL II for Zebra thermal printers: the printer draws the bars from ^BC/^BE/^BQ."""
from warehouse_app.errors import DomainError
from warehouse_app.labels import designs
from warehouse_app.labels.layout import Label, Mark, Shape, Text
from warehouse_app.labels.symbols import Symbol
from warehouse_app.labels.templates import TEMPLATES, Template

# ^FH_ makes "_" the escape: _5E is a caret, _7E a tilde, _5F the underscore itself.
ESCAPES = {"^": "_5E", "~": "_7E", "_": "_5F", "\\": "_5C"}
EAN_TEXT_ZONE = 13  # dots the firmware keeps under EAN/UPC bars (guard bars reach into it)
# Marks the layout adds, spelled in plain ASCII for the printer's resident font.
PLAIN = str.maketrans({"…": "...", "→": "->"})
START = {103: (">9", "A"), 104: (">:", "B"), 105: (">;", "C")}
SWITCH = {("C", 100): (">6", "B"), ("C", 101): (">7", "A"), ("B", 99): (">5", "C"),
          ("B", 101): (">7", "A"), ("A", 99): (">5", "C"), ("A", 100): (">6", "B")}


def field(value: str) -> str:
    """Field data with ^, ~ and _ hex-escaped, for use after ^FH_ (no control characters)."""
    if any(ord(ch) < 32 for ch in value):
        raise DomainError("Label text cannot carry control characters.", code="bad_text")
    return "".join(ESCAPES.get(ch, ch) for ch in value)


def code128_data(codes: tuple[int, ...]) -> str:
    """Code 128 code values as ^BC field data with explicit subsets, so the printer draws the
    very symbol python-barcode measured: >; start C, >: start B, >5/>6/>7 switch, >8 FNC1,
    >0 a literal ">"."""
    start, charset = START[codes[0]]
    out = [start]
    for value in codes[1:]:
        if value == 102:
            out.append(">8")
        elif (charset, value) in SWITCH:
            text, charset = SWITCH[(charset, value)]
            out.append(text)
        elif charset == "C":
            out.append(f"{value:02d}")
        elif value < 64 or (charset == "B" and value < 96):
            char = chr(value + 32)
            out.append(">0" if char == ">" else char)  # ">" starts invocation codes
        else:
            raise DomainError("ZPL labels carry printable characters only.", code="bad_text")
    return "".join(out)


def render(labels: list[Label], tpl: Template) -> str:
    """One ^XA ... ^XZ format per label, UTF-8 text (^CI28)."""
    if not tpl.thermal:
        names = ", ".join(t.name for t in TEMPLATES.values() if t.thermal)
        raise DomainError(f"ZPL is for label printers: use template {names}.",
                          field="template", code="unknown_template")
    dots = tpl.dpmm
    head = f"^XA^CI28^PW{round(tpl.label_w * dots)}^LL{round(tpl.label_h * dots)}^LH0,0"
    drawn: dict[Label, str] = {}
    for label in labels:
        if label not in drawn:
            drawn[label] = "".join(_zpl(prim, tpl) for prim in designs.draw(label, tpl))
    return "".join(f"{head}{drawn[label]}^XZ\n" for label in labels)


def _d(mm: float, tpl: Template) -> int:
    return max(0, round(mm * tpl.dpmm))


def _zpl(prim, tpl: Template) -> str:
    if isinstance(prim, Text):
        return _text(prim, tpl)
    if isinstance(prim, Mark):
        return _symbol(prim, tpl)
    if isinstance(prim, Shape):
        return _shape(prim, tpl)
    raise TypeError(f"cannot draw {prim!r}")


def _text(prim: Text, tpl: Template) -> str:
    height = max(10, _d(prim.size, tpl))
    edge = tpl.pad_x / 2  # the ^FB box clips the text to the label
    if prim.anchor == "start":
        left, box = prim.x, tpl.label_w - edge - prim.x
    elif prim.anchor == "end":
        left, box = edge, prim.x - edge
    else:
        half = min(prim.x - edge, tpl.label_w - edge - prim.x)
        left, box = prim.x - half, 2 * half
    justify = {"start": "L", "middle": "C", "end": "R"}[prim.anchor]
    return (f"^FO{_d(left, tpl)},{_d(prim.y - 0.8 * prim.size, tpl)}^A0N,{height},{height}"
            f"^FB{_d(box, tpl)},1,0,{justify}^FH_^FD{field(prim.text.translate(PLAIN))}^FS")


def _symbol(mark: Mark, tpl: Template) -> str:
    symbol: Symbol = mark.symbol
    dots = round(mark.module * tpl.dpmm)
    x, y = _d(mark.x + symbol.quiet * mark.module, tpl), _d(mark.y, tpl)
    spec = symbol.spec
    if spec.symbology == "qr":
        return (f"^FO{x},{y}^BQN,2,{min(dots, 10)}^FH_^FDMA,{field(spec.data)}^FS")
    height = _d(mark.height, tpl)
    retail = max(20, height - EAN_TEXT_ZONE)
    command = {"ean13": f"^BEN,{retail},N,N^FD{spec.data[:12]}",
               "ean8": f"^B8N,{retail},N,N^FD{spec.data[:7]}",
               "upca": f"^BUN,{retail},N,N,N^FD{spec.data[:11]}"}.get(spec.symbology)
    if command is None:
        command = f"^BCN,{height},N,N,N,N^FH_^FD{field(code128_data(symbol.codes))}"
    return f"^FO{x},{y}^BY{dots}{command}^FS"


def _shape(shape: Shape, tpl: Template) -> str:
    """A filled polygon as horizontal ^GB strips 2 dots high (ZPL has no polygon fill)."""
    ys = [y for _, y in shape.points]
    out, y = [], min(ys)
    step = 2 / tpl.dpmm
    while y < max(ys):
        xs = _crossings(shape.points, y + step / 2)
        for left, right in zip(xs[::2], xs[1::2], strict=False):
            if right - left > 0:
                out.append(f"^FO{_d(left, tpl)},{_d(y, tpl)}^GB{max(1, _d(right - left, tpl))},"
                           f"2,2^FS")
        y += step
    return "".join(out)


def _crossings(points, y: float) -> list[float]:
    xs = []
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        if (y1 <= y < y2) or (y2 <= y < y1):
            xs.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    return sorted(xs)
