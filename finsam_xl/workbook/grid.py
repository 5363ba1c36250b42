"""A computed sheet as cells to write: the grid every writer and the button share.

``Grid`` holds one computed sheet's cells by (row, column) with their style
role, row heights for wrapped text, and the print layout (title, widths,
blocks kept on one page). The sheet builders fill grids; the zip writer
(``writer``) and the Excel button (``excel.xlbook``) write them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

Value = str | int | float | Decimal | None


#: Characters per line of the findings' message column (width 66) when wrapped, counted
#: for a font wider than Calibri so that rows are never too low.
WRAP_CHARS = 58


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes when wrapped at word boundaries in a column ``width`` characters wide.

    Counted with the findings column's ratio (``WRAP_CHARS`` to 66) so that rows are
    never too low; a word longer than a line takes a line of its own (columns fitted
    with ``fit_widths`` are never narrower than their longest word).
    """
    per_line = max(1, int(width * WRAP_CHARS / 66))
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split():
            if used and used + 1 + len(word) > per_line:
                lines += 1
                used = 0
            used += (1 if used else 0) + len(word)
    return max(1, lines)


def fit_widths(
    wants: Sequence[float], floors: Sequence[float], fixed: float, room: float
) -> list[float]:
    """Widths of wrapping columns: each its ``want`` when they fit in ``room`` beside ``fixed``,
    else shrunk by one ratio toward its ``floor`` (the longest word), never below it."""
    spare = room - fixed - sum(floors)
    extra = sum(w - f for w, f in zip(wants, floors, strict=True))
    ratio = 1.0 if extra <= 0 else max(0.0, min(1.0, spare / extra))
    return [f + (w - f) * ratio for w, f in zip(wants, floors, strict=True)]


@dataclass
class Cell:
    """One cell to write: value, style role, and an optional internal hyperlink target."""

    value: Value
    role: str = "text"
    link: str | None = None  # e.g. "'Rader'!H12"


@dataclass
class Grid:
    """Cells of one computed sheet by (row, column), 1-based."""

    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)  # row -> points, for wrapped text
    #: Print layout (zip writer only): the page header's title, column widths (characters)
    #: from which scale and orientation are chosen, and row ranges kept on one page.
    title: str | None = None
    widths: dict[int, float] = field(default_factory=dict)
    blocks: list[tuple[int, int]] = field(default_factory=list)
    #: 1: amounts (roles "amount", "amount_bold") are shown with one decimal
    #: (``core.document.display_decimals``, a tkr workbook with half-thousands).
    decimals: int = 0

    def put(
        self, row: int, col: int, value: Value, role: str = "text", link: str | None = None
    ) -> None:
        """Set one cell; a long header or wrapped text makes its row taller."""
        if self.decimals and role in ("amount", "amount_bold"):
            role += "_dec"
        self.cells[(row, col)] = Cell(value, role, link)
        if role == "header" and isinstance(value, str) and len(value) > 14:
            self.heights[row] = max(self.heights.get(row, 15.0), 30.0)
        elif role == "wrap" and isinstance(value, str):
            lines = max(1, -(-len(value) // WRAP_CHARS))
            self.heights[row] = max(self.heights.get(row, 15.0), 15.0 * lines)

    def merge(self, other: Grid) -> None:
        """Take over another grid's cells and row heights."""
        self.cells.update(other.cells)
        for row, height in other.heights.items():
            self.heights[row] = max(self.heights.get(row, 15.0), height)
        self.title = other.title or self.title
        self.widths.update(other.widths)
        self.blocks += other.blocks

    def put_row(self, row: int, col: int, values: Iterable[Value], role: str = "text") -> None:
        """Set consecutive cells of a row."""
        for offset, value in enumerate(values):
            self.put(row, col + offset, value, role)
