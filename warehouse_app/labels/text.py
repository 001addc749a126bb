"""Fonts for labels (DejaVu Sans, with accents), text measured in mm, wrapped and cut to fit."""
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from warehouse_app.config import Config

FONT_DIRS = [Config.LABEL_FONT_DIR, "/usr/share/fonts/truetype/dejavu",
             "/usr/share/fonts/dejavu", "/usr/local/share/fonts/dejavu"]
FACES = {"sans": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf",
         "mono": "DejaVuSansMono-Bold.ttf"}
FALLBACK = {"sans": "Helvetica", "bold": "Helvetica-Bold", "mono": "Courier-Bold"}
ELLIPSIS = "…"


def font_file(face: str) -> Path | None:
    """The TTF file of a face ('sans', 'bold', 'mono'), if DejaVu is installed."""
    for folder in FONT_DIRS:
        if folder and (path := Path(folder) / FACES[face]).is_file():
            return path
    return None


def _register() -> tuple[dict[str, str], str]:
    names, note = {}, ""
    for face in FACES:
        path = font_file(face)
        if path is None:
            names[face] = FALLBACK[face]
            note = ("DejaVu Sans is not installed (Debian: fonts-dejavu-core), so labels use "
                    "Helvetica: letters outside Latin-1 may print as boxes.")
            continue
        name = f"Labels-{face}"
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))
        names[face] = name
    return names, note


FONTS, FONT_NOTE = _register()


def width(text: str, size: float, face: str = "sans") -> float:
    """Width in mm of text set at size mm."""
    return pdfmetrics.stringWidth(text, FONTS[face], size)


def cut(text: str, size: float, room: float, face: str = "sans") -> str:
    """The text, shortened with an ellipsis when it is wider than room."""
    if width(text, size, face) <= room + 1e-6:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        mid = (low + high + 1) // 2
        if width(text[:mid].rstrip() + ELLIPSIS, size, face) <= room:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + ELLIPSIS


def wrap(text: str, size: float, room: float, lines: int, face: str = "sans") -> list[str]:
    """At most `lines` lines no wider than room; words too long are broken, the rest cut."""
    words, out, line = " ".join(text.split()).split(" "), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if width(trial, size, face) <= room:
            line = trial
            continue
        if line:
            out.append(line)
        while width(word, size, face) > room and len(out) < lines:
            piece = _longest_prefix(word, size, room, face)
            out.append(piece)
            word = word[len(piece):]
        line = word
        if len(out) >= lines:
            break
    if line and len(out) < lines:
        out.append(line)
    if len(out) > lines or (out and " ".join(out).replace(" ", "") != "".join(words)):
        out = out[:lines]
        out[-1] = cut(out[-1] + ELLIPSIS, size, room, face)
    return [line for line in out if line]


def _longest_prefix(word: str, size: float, room: float, face: str) -> str:
    for end in range(len(word), 0, -1):
        if width(word[:end], size, face) <= room:
            return word[:end]
    return word[:1]


def fit(text: str, room: float, largest: float, smallest: float, face: str = "bold") -> float:
    """The largest size (mm) between smallest and largest at which text fits in room."""
    natural = width(text, 1.0, face)
    if natural <= 0:
        return largest
    return max(smallest, min(largest, room / natural * 0.999))
