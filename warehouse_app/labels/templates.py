"""Label stock: the sheet or roll each template prints on, its cells and its printer's dot grid."""
from collections.abc import Iterator
from dataclasses import dataclass

from warehouse_app.errors import DomainError

INCH = 25.4  # mm


@dataclass(frozen=True)
class Template:
    """One label stock; every length is in millimetres, top-left origin."""

    name: str
    title: str
    page_w: float
    page_h: float
    label_w: float
    label_h: float
    cols: int = 1
    rows: int = 1
    left: float = 0.0
    top: float = 0.0
    gap_x: float = 0.0
    gap_y: float = 0.0
    dpmm: float = 300 / INCH  # printer dots per mm; bars are whole dots wide
    module_dots: tuple[int, int] = (3, 2)  # preferred and smallest module, in dots
    pad_x: float = 3.0
    pad_y: float = 2.5
    thermal: bool = False  # a roll for a label printer: one label per page, ZPL possible
    short: str = ""  # the name on a phone's menu

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    @property
    def dot(self) -> float:
        """One printer dot in mm."""
        return 1 / self.dpmm

    @property
    def portrait(self) -> bool:
        return self.label_h > self.label_w * 1.2

    def cell(self, index: int) -> tuple[int, float, float]:
        """Page number and top-left corner (mm) of the index-th cell, counting from 0."""
        page, k = divmod(index, self.per_page)
        row, col = divmod(k, self.cols)
        return (page, self.left + col * (self.label_w + self.gap_x),
                self.top + row * (self.label_h + self.gap_y))

    def cells(self, count: int, skip: int = 0) -> Iterator[tuple[int, float, float]]:
        """Where each of count labels goes, after skipping used cells of the first sheet."""
        for index in range(skip, skip + count):
            yield self.cell(index)


THERMAL = {"dpmm": 8.0, "thermal": True}  # 203 dpi Zebra printers: 8 dots per mm
TEMPLATES = {t.name: t for t in (
    Template("a4-3x10", "A4 sheet, 3 x 10 labels 70 x 29.7 mm", 210, 297, 70, 29.7, 3, 10,
             pad_x=4.0, pad_y=3.0, short="A4 sheet 3×10"),
    Template("letter-3x10", "US Letter sheet, 3 x 10 labels 2.625 x 1 in (Avery 5160 layout)",
             8.5 * INCH, 11 * INCH, 2.625 * INCH, 1 * INCH, 3, 10, left=0.1875 * INCH,
             top=0.5 * INCH, gap_x=0.125 * INCH, pad_x=3.0, pad_y=2.0, short="Letter sheet 3×10"),
    Template("thermal-2x1", "Thermal label 2 x 1 in (203 dpi)", 2 * INCH, 1 * INCH,
             2 * INCH, 1 * INCH, module_dots=(2, 2), pad_x=2.0, pad_y=1.5, short="Thermal 2×1 in",
             **THERMAL),
    Template("thermal-4x6", "Thermal label 4 x 6 in (203 dpi)", 4 * INCH, 6 * INCH, 4 * INCH,
             6 * INCH, module_dots=(4, 2), pad_x=4.0, pad_y=4.0, short="Thermal 4×6 in",
             **THERMAL),
    Template("a4-sign", "A4 landscape sign, one per page", 297, 210, 297, 210,
             module_dots=(6, 3), pad_x=14.0, pad_y=12.0, short="A4 sign"),
    Template("letter-sign", "US Letter landscape sign, one per page", 11 * INCH, 8.5 * INCH,
             11 * INCH, 8.5 * INCH, module_dots=(6, 3), pad_x=14.0, pad_y=12.0,
             short="Letter sign"),
)}
DEFAULTS = {"sheet": "a4-3x10", "sign": "a4-sign", "thermal": "thermal-2x1",
            "thermal-sign": "thermal-4x6"}


def get(name: str | None, fallback: str) -> Template:
    """The template of this name (fallback when blank), or a 422 listing the valid ones."""
    name = (name or "").strip() or fallback
    if name not in TEMPLATES:
        raise DomainError(f"Unknown template {name[:40]}; use one of {', '.join(TEMPLATES)}.",
                          field="template", code="unknown_template")
    return TEMPLATES[name]
