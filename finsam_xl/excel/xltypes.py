"""The subset of the xlwings object model that ``finsam_xl.excel`` uses, as Protocols.

Everything the adapter does to a workbook goes through these members, so one
adapter serves desktop xlwings (``xw.Book.caller()``), xlwings Lite (the book
handed to a script) and the remote book of ``finsam-xl server``. The names and
signatures are those of ``xlwings.main`` (tests/excel checks them against the
installed xlwings, together with the test stand-in and ``remote.RemoteBook``).

Used members::

    Book.name, Book.sheets, Book.names, Book.app
    Sheets[...] (name or index), iter(Sheets), iter(Tables), iter(Names)
    Sheet.name, Sheet.tables, Sheet.range(cell1, cell2=None)
    Table.name, Table.range, Table.show_totals
    Name.name, Name.refers_to
    Range.value (get, set), Range.address, Range.clear_contents(), Range.clear(),
    Range.number_format (set), Range.color (set)
    App.alert(prompt, title=None, buttons="ok", mode=None, callback=None)

Not used, because xlwings Lite and the remote book lack them: ``Sheet.used_range``,
``Range.formula``, ``Range.merge_cells``, ``.api`` (only tried, guarded, for sheet
protection on desktop Windows).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

Cell = str | tuple[int, int]


class XlRange(Protocol):
    """A block of cells."""

    @property
    def value(self) -> Any:
        """Scalar for one cell, a list for one row or column, else a list of rows."""
        ...

    @value.setter
    def value(self, data: Any) -> None: ...

    @property
    def address(self) -> str:
        """Absolute address without the sheet, e.g. '$A$3:$K$20'."""
        ...

    def clear_contents(self) -> None:
        """Empty the cells, keeping their formats."""
        ...

    def clear(self) -> None:
        """Empty the cells and reset their formats."""
        ...

    @property
    def number_format(self) -> str:
        """The number format code (en-US codes such as '#,##0')."""
        ...

    @number_format.setter
    def number_format(self, value: str) -> None: ...

    @property
    def color(self) -> Any:
        """The fill colour."""
        ...

    @color.setter
    def color(self, color_or_rgb: str | tuple[int, int, int] | None) -> None: ...


class XlTable(Protocol):
    """An Excel table (ListObject)."""

    @property
    def name(self) -> str:
        """The table's name."""
        ...

    @property
    def range(self) -> XlRange:
        """The whole table: header, body and totals row."""
        ...

    @property
    def show_totals(self) -> bool:
        """True when the table has a totals row."""
        ...


class XlTables(Protocol):
    """The tables of a sheet."""

    def __iter__(self) -> Iterator[XlTable]: ...


class XlName(Protocol):
    """A defined name."""

    @property
    def name(self) -> str:
        """'fx_plan', or 'Plan!Print_Area' for a sheet-scoped name."""
        ...

    @property
    def refers_to(self) -> str | None:
        """The formula text, e.g. "='Plan'!$A$4"."""
        ...


class XlNames(Protocol):
    """The defined names of a workbook."""

    def __iter__(self) -> Iterator[XlName]: ...


class XlSheet(Protocol):
    """A worksheet."""

    @property
    def name(self) -> str:
        """The sheet's name."""
        ...

    @property
    def tables(self) -> XlTables:
        """The sheet's Excel tables."""
        ...

    def range(self, cell1: Cell, cell2: Cell | None = None) -> XlRange:
        """A range by address ('A1', 'A1:C3') or by 1-based (row, column) corners."""
        ...


class XlSheets(Protocol):
    """The worksheets of a workbook, in order."""

    def __iter__(self) -> Iterator[XlSheet]: ...

    def __getitem__(self, key: int | str) -> XlSheet: ...


class XlApp(Protocol):
    """The Excel application (only its message box is used)."""

    def alert(
        self,
        prompt: str,
        title: str | None = None,
        buttons: str = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> str | None:
        """Show a message box."""
        ...


class XlBook(Protocol):
    """A workbook."""

    @property
    def name(self) -> str:
        """The file name, e.g. 'Budget 2025.xlsm'."""
        ...

    @property
    def sheets(self) -> XlSheets:
        """The worksheets."""
        ...

    @property
    def names(self) -> XlNames:
        """The defined names."""
        ...

    @property
    def app(self) -> XlApp:
        """The application the workbook is open in."""
        ...
