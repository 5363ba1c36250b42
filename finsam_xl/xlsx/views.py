"""The minimal view of a workbook that the reader needs, and its openpyxl implementation.

The same reader serves a file (openpyxl), an open workbook in Excel (xlwings
``Book``) and a remote-interpreter payload (JSON): each supplies a
``BookView``. Values are raw: a formula cell's value is a ``Formula`` (a str
starting with '='); a text cell that merely starts with '=' (typed with a
leading apostrophe, or stored as text) stays a plain ``str`` and is text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


class Formula(str):
    """The text of a formula cell ('=A1+1'): only a cell whose type is formula is one.

    A plain ``str`` that starts with '=' is text ("=> Samverkan", "=1+1" typed
    with an apostrophe) and is never evaluated.
    """

    __slots__ = ()


def is_formula(value: object) -> bool:
    """True for a formula cell's value (a ``Formula``, even an empty '='), never for text."""
    return isinstance(value, Formula)


@dataclass(frozen=True)
class TableInfo:
    """An Excel table: its name, its range ('A3:K20') and the number of totals rows."""

    name: str
    ref: str
    totals: int = 0


class SheetView(Protocol):
    """One sheet, read-only."""

    @property
    def title(self) -> str:
        """The sheet's name."""
        ...

    def value(self, row: int, col: int) -> Any:
        """The raw value of a cell (1-based); a formula cell as a ``Formula``."""
        ...

    def tables(self) -> list[TableInfo]:
        """The Excel tables on this sheet."""
        ...

    def merged(self) -> list[tuple[int, int, int, int]]:
        """Merged ranges as (first_row, first_col, last_row, last_col)."""
        ...


class BookView(Protocol):
    """A whole workbook, read-only."""

    def sheets(self) -> list[SheetView]:
        """Every sheet, in order."""
        ...

    def defined_name(self, name: str) -> str | None:
        """The formula text of a workbook-level defined name, or None."""
        ...

    def cached(self, sheet: str, row: int, col: int) -> Any:
        """The cached result of a formula cell, or None when there is none."""
        ...


class OpenpyxlSheet:
    """SheetView over an openpyxl worksheet."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        # openpyxl's ws.cell() creates a cell for every address it is asked about, so a
        # table claiming a million rows would allocate a million rows of cells: read the
        # loaded cells directly instead, and know each column's last non-empty row.
        self._cells: dict[tuple[int, int], Any] | None = getattr(ws, "_cells", None)
        self._last: dict[int, int] | None = None

    @property
    def title(self) -> str:
        """The sheet's name."""
        return str(self.ws.title)

    def value(self, row: int, col: int) -> Any:
        """The raw value; formula cells (array formulas too) as a ``Formula``. Never creates a cell.

        Only a cell whose type is formula (openpyxl's ``data_type == 'f'``) is a
        formula: a text cell "=1+1" stays text.
        """
        if self._cells is not None:
            cell = self._cells.get((row, col))
        else:
            cell = self.ws.cell(row, col)
        if cell is None:
            return None
        value = cell.value
        text = getattr(value, "text", None)  # ArrayFormula, DataTableFormula
        if isinstance(text, str):
            return Formula(text)
        if isinstance(value, str) and cell.data_type == "f":
            return Formula(value)
        return value

    def last_row(self, first_col: int, last_col: int) -> int | None:
        """The last row with a value in columns first_col..last_col (0 if none); None if unknown."""
        if self._cells is None:
            return None
        if self._last is None:
            last: dict[int, int] = {}
            for (row, col), cell in self._cells.items():
                if cell.value not in (None, "") and row > last.get(col, 0):
                    last[col] = row
            self._last = last
        return max((r for c, r in self._last.items() if first_col <= c <= last_col), default=0)

    def last_col(self) -> int | None:
        """The last column with a value anywhere on the sheet; None if unknown."""
        if self._cells is None:
            return None
        self.last_row(1, 1)
        return max(self._last or {0: 0})

    def tables(self) -> list[TableInfo]:
        """The sheet's tables."""
        return [TableInfo(t.name, t.ref, t.totalsRowCount or 0) for t in self.ws.tables.values()]

    def merged(self) -> list[tuple[int, int, int, int]]:
        """Merged ranges."""
        return [(m.min_row, m.min_col, m.max_row, m.max_col) for m in self.ws.merged_cells.ranges]


class OpenpyxlBook:
    """BookView over a workbook file loaded with openpyxl (formulas kept)."""

    def __init__(self, path: Path, wb: Any) -> None:
        self.path = path
        self.wb = wb
        self._cached: Any = None

    def sheets(self) -> list[SheetView]:
        """Every worksheet (chart sheets have no cells and are left out)."""
        return [OpenpyxlSheet(ws) for ws in self.wb.worksheets]

    def defined_name(self, name: str) -> str | None:
        """A workbook-level defined name's formula text."""
        defined = self.wb.defined_names.get(name)
        return None if defined is None else str(defined.attr_text)

    def cached(self, sheet: str, row: int, col: int) -> Any:
        """Cached formula results, from a second, read-only load made only when needed."""
        if self._cached is None:
            from openpyxl import load_workbook

            self._cached = load_workbook(self.path, data_only=True, read_only=True)
        try:
            return self._cached[sheet].cell(row, col).value
        except KeyError:
            return None
