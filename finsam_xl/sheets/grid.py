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
from typing import Protocol

Value = str | int | float | Decimal | None


#: Characters per line of the findings' message column (width 66) when wrapped, counted
#: for a font wider than Calibri so that rows are never too low.
WRAP_CHARS = 58
#: Widths in characters of the width unit (Calibri's digit) that a text needs where the
#: sheet is drawn in a wider font (LibreOffice without Calibri: DejaVu Sans), padding
#: included: per letter of a bold heading word, and per character of a plain cell.
HEADING_CHAR = 1.15
TEXT_CHAR = 1.0
#: Roles whose text is measured for the column width (status lines and section titles
#: run over the empty cells to their right and are not).
MEASURED = ("text", "link", "kr", "amount", "amount_bold", "pct", "header")


def heading_lines(text: str, width: float) -> int:
    """How many lines a heading wraps to (at spaces) in a column ``width`` characters wide."""
    lines, used = 1, 0.0
    for word in text.split():
        size = len(word) * HEADING_CHAR
        if used and used + HEADING_CHAR + size > width - 2:
            lines, used = lines + 1, size
        else:
            used += (HEADING_CHAR if used else 0.0) + size
    return lines


def text_width(value: Value, role: str) -> float:
    """The column width ``value`` needs: a heading its longest word (it wraps at spaces)."""
    if value is None or value == "":
        return 0.0
    if isinstance(value, (int, float, Decimal)):
        text = f"{value:,.0f}" if role != "pct" else "100.0 %"
    else:
        text = str(value)
    if role == "header":
        return max(len(word) for word in text.split()) * HEADING_CHAR + 2
    return len(text) * TEXT_CHAR + 2


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes when wrapped at word boundaries in a column ``width`` characters wide.

    Counted with the findings column's ratio (``WRAP_CHARS`` to 66) so that rows are
    never too low; a word longer than a line takes a line of its own (columns fitted
    with ``fit_widths`` are never narrower than their longest word).
    """
    per_line = max(1, int(width * WRAP_CHARS / 66))
    if len(text) <= per_line and "\n" not in text:
        return 1  # the words and the spaces between them fit on one line
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


@dataclass(slots=True)
class Cell:
    """One cell to write: value, style role, and an optional internal hyperlink target."""

    value: Value
    role: str = "text"
    link: str | None = None  # e.g. "'Rader'!H12"

    @property
    def link_formula(self) -> str | None:
        """The HYPERLINK formula (without '=') that shows the text and jumps to ``link``.

        None unless the cell is a link with text. The one place the formula is
        written: the zip writer and the Excel button both take it from here.
        """
        if not self.link or not isinstance(self.value, str):
            return None
        target = self.link.replace('"', '""')
        shown = self.value.replace('"', '""')
        return f'HYPERLINK("#{target}","{shown}")'


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
        if role != "header" and role != "wrap":  # most cells: no taller row
            return
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

    def fit_widths(
        self,
        least: float = 8.0,
        most: float = 48.0,
        skip: Iterable[tuple[int, int]] = (),
        wider: dict[int, float] | None = None,
    ) -> None:
        """Set each column's width from its content, between ``least`` and ``most``.

        Every heading word fits its column (headings wrap at spaces only), and a text
        or amount up to ``most`` characters is shown whole. Cells in ``skip`` (prose split
        over rows that runs across the empty cells to its right) are not measured;
        ``wider`` gives some columns (a long name) a larger maximum than ``most``.
        """
        skipped = set(skip)
        need: dict[int, float] = {}
        for (row, col), cell in self.cells.items():
            if (row, col) in skipped or cell.role.removesuffix("_dec") not in MEASURED:
                continue
            need[col] = max(need.get(col, least), text_width(cell.value, cell.role))
        for col, width in need.items():
            top = (wider or {}).get(col, most)
            self.widths[col] = round(min(top, max(least, width)), 1)
        for (row, col), cell in self.cells.items():
            if cell.role == "header" and isinstance(cell.value, str) and col in self.widths:
                lines = heading_lines(cell.value, self.widths[col])
                self.heights[row] = max(self.heights.get(row, 15.0), 15.0 * lines)

    def put_row(self, row: int, col: int, values: Iterable[Value], role: str = "text") -> None:
        """Set consecutive cells of a row (``put`` of each)."""
        if role == "header" or role == "wrap":  # a row height may change: put each
            for offset, value in enumerate(values):
                self.put(row, col + offset, value, role)
            return
        if self.decimals and role in ("amount", "amount_bold"):
            role += "_dec"
        cells = self.cells
        for at, value in enumerate(values, col):
            cells[(row, at)] = Cell(value, role)


class Anchors(Protocol):
    """What building the grids needs of a workbook: where a defined name points."""

    def anchor(self, name: str) -> tuple[str, int, int]:
        """(sheet, row, column) of a defined name's first cell."""
        ...
