"""Small SVG charts drawn on the server: horizontal bars and lines. No library, no script.

Colours come from CSS classes (static/css/app.css, insight section); the SVG scales to the
width of the phone through its viewBox.
"""
from markupsafe import Markup, escape

WIDTH = 360
LABEL_W = 118
ROW = 26


def _num(value: float) -> str:
    if abs(value) >= 10_000:
        return f"{value / 1000:,.0f}k"
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:,.1f}"


def bars(items: list[tuple[str, float]], title: str, unit: str = "") -> Markup:
    """One bar per (label, value); negative values grow left from the zero line."""
    items = items[:20]
    if not items:
        return Markup("")
    top = max(max(v for _, v in items), 0) or 1
    bottom = min(min(v for _, v in items), 0)
    span = (top - bottom) or 1
    room = WIDTH - LABEL_W - 54
    zero = LABEL_W + room * (-bottom / span)
    height = ROW * len(items) + 8
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for i, (label, value) in enumerate(items):
        y = 4 + i * ROW
        length = room * abs(value) / span
        x = zero if value >= 0 else zero - length
        name = label if len(label) <= 16 else label[:15] + "…"
        cls = "bar" if value >= 0 else "bar bar-neg"
        parts.append(f'<text class="chart-label" x="{LABEL_W - 6}" y="{y + 17}" '
                     f'text-anchor="end">{escape(name)}</text>'
                     f'<rect class="{cls}" x="{x:.1f}" y="{y + 4}" width="{max(length, 1):.1f}" '
                     f'height="{ROW - 8}"><title>{escape(label)}: {_num(value)}{unit}</title>'
                     f'</rect><text class="chart-value" x="{max(x + length, zero) + 4:.1f}" '
                     f'y="{y + 17}">{_num(value)}{escape(unit)}</text>')
    parts.append(f'<line class="axis" x1="{zero:.1f}" x2="{zero:.1f}" y1="2" y2="{height - 2}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def lines(series: list[dict], labels: list[str], title: str, height: int = 210) -> Markup:
    """Lines over a shared x axis. Each series: {name, values (None = gap), cls}."""
    count = len(labels)
    values = [v for s in series for v in s["values"] if v is not None]
    if count < 2 or not values:
        return Markup("")
    top = max(max(values), 1) * 1.1
    left, right, above, below = 34, WIDTH - 8, 24, height - 26
    def x(i: int) -> float:
        return left + (right - left) * i / (count - 1)
    def y(v: float) -> float:
        return below - (below - above) * v / top
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>",
             f'<line class="axis" x1="{left}" x2="{right}" y1="{below}" y2="{below}"/>',
             f'<text class="chart-value" x="{left - 4}" y="{above + 4}" text-anchor="end">'
             f"{_num(top)}</text>",
             f'<text class="chart-value" x="{left - 4}" y="{below}" text-anchor="end">0</text>']
    for i in sorted({0, count // 2, count - 1}):
        anchor = "start" if i == 0 else "end" if i == count - 1 else "middle"  # kept inside
        parts.append(f'<text class="chart-value" x="{x(i):.1f}" y="{height - 8}" '
                     f'text-anchor="{anchor}">{escape(labels[i])}</text>')
    for n, s in enumerate(series):
        for run in _runs(s["values"]):
            points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in run)
            parts.append(f'<polyline class="line {escape(s.get("cls", ""))}" points="{points}"/>')
        parts.append(f'<rect class="{escape(s.get("cls", ""))} key" x="{left + n * 110}" y="5" '
                     f'width="12" height="12"/><text class="chart-label" x="{left + 16 + n * 110}" '
                     f'y="15">{escape(s["name"])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _runs(values: list) -> list[list[tuple[int, float]]]:
    """Stretches of consecutive known values (a line breaks where a value is None)."""
    runs, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((i, v))
    if current:
        runs.append(current)
    return [r for r in runs if len(r) > 1 or len(runs) == 1]
