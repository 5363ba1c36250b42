"""A stand-in for the xlwings Book/Sheet/Range/Table/Name/App subset in finsam_xl.excel.xltypes.

It behaves like desktop Excel through xlwings where the adapter could notice:

* ``Range.value`` reads scalar / 1-D / 2-D like xlwings, numbers as float;
* assigning a value is Excel's data entry: "'x" is the text x, "=..." a formula,
  text that looks like a number, boolean or ISO date is converted (so a missing
  apostrophe shows up as a changed value), Decimal is refused (COM would make it
  a Currency with 4 decimals);
* a multi-cell target must have the data's shape (stricter than xlwings);
* a protected sheet refuses writes, clears and formats; ``com=True`` gives the
  sheets a Windows-COM-like ``api`` (ProtectContents, Unprotect, Protect).

``FakeBook.from_xlsx`` loads a workbook file with openpyxl (formulas as text).
tests/excel/test_excel_standin.py keeps the member names and signatures equal
to xlwings.main's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import Any

from finsam_xl.xlsx.cells import col_letters, parse_range


class FakeProtectionError(RuntimeError):
    """What Excel raises when a locked cell of a protected sheet is changed."""


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?%?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def excel_entry(value: Any) -> Any:
    """What Excel stores when ``value`` is assigned to Range.Value (en-US entry rules)."""
    if value is None or type(value) is float:  # the common cases first: blanks and amounts
        return value
    if isinstance(value, bool | datetime | date):
        return value
    if isinstance(value, Decimal):
        raise TypeError("Decimal reaches Excel as Currency (4 decimals): convert first")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:]
        if value.startswith("="):
            return value
        text = value.strip()
        if _NUMBER.match(text):
            number = float(text.rstrip("%"))
            return number / 100 if text.endswith("%") else number
        if text.upper() in ("TRUE", "FALSE"):
            return text.upper() == "TRUE"
        if _ISO_DATE.match(text):
            return datetime.fromisoformat(text)
        return value
    raise TypeError(f"Excel cannot hold {type(value).__name__}")


@dataclass
class Calls:
    """Counts of the calls that would cross to Excel (COM/Office.js round trips)."""

    reads: int = 0
    writes: int = 0
    clears: int = 0
    formats: int = 0

    @property
    def total(self) -> int:
        return self.reads + self.writes + self.clears + self.formats


class FakeRange:
    def __init__(self, sheet: FakeSheet, r1: int, c1: int, r2: int, c2: int) -> None:
        self.sheet = sheet
        self.r1, self.c1, self.r2, self.c2 = r1, c1, r2, c2

    @property
    def value(self) -> Any:
        self.sheet.book.calls.reads += 1
        get, cols = self.sheet.cells.get, range(self.c1, self.c2 + 1)  # FakeSheet.get of each
        rows = [list(map(get, zip(repeat(r), cols))) for r in range(self.r1, self.r2 + 1)]
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        if len(rows) == 1:
            return rows[0]
        if len(rows[0]) == 1:
            return [row[0] for row in rows]
        return rows

    def _log(self, op: str, arg: Any = None) -> None:
        self.sheet.book.journal.append(
            (op, self.sheet.sheet_name, self.r1, self.c1, self.r2, self.c2, arg)
        )

    @value.setter
    def value(self, data: Any) -> None:
        self.sheet.book.calls.writes += 1
        self.sheet.check_writable()
        self._log("value", data)
        if isinstance(data, list) and data and isinstance(data[0], list):
            rows = data
        elif isinstance(data, list):
            rows = [data]
        else:
            rows = [[data]]
        height, width = len(rows), max(len(r) for r in rows)
        if (self.r2 - self.r1 + 1, self.c2 - self.c1 + 1) != (1, 1):
            assert (height, width) == (self.r2 - self.r1 + 1, self.c2 - self.c1 + 1), (
                f"data {height}x{width} does not fit {self.address}"
            )
        cells = self.sheet.cells
        for r, row in enumerate(rows, self.r1):
            assert len(row) == width, "ragged rows"
            for c, v in enumerate(row, self.c1):
                # excel_entry and FakeSheet.put, the common kinds told apart at once
                kind = type(v)
                if kind is float:
                    cells[(r, c)] = v
                elif v is None:
                    cells.pop((r, c), None)
                elif kind is int:
                    cells[(r, c)] = float(v)
                elif kind is str and v.startswith("'") and len(v) > 1:
                    cells[(r, c)] = v[1:]
                else:
                    self.sheet.put(r, c, excel_entry(v))

    @property
    def address(self) -> str:
        first = f"${col_letters(self.c1)}${self.r1}"
        if (self.r1, self.c1) == (self.r2, self.c2):
            return first
        return f"{first}:${col_letters(self.c2)}${self.r2}"

    def _cells(self) -> Iterator[tuple[int, int]]:
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                yield r, c

    def clear_contents(self) -> None:
        self.sheet.book.calls.clears += 1
        self.sheet.check_writable()
        self._log("clear_contents")
        self._clear_values()

    def _clear_values(self) -> None:
        r1, c1, r2, c2 = self.r1, self.c1, self.r2, self.c2
        cells = self.sheet.cells
        for key in [(r, c) for r, c in cells if r1 <= r <= r2 and c1 <= c <= c2]:
            del cells[key]

    def clear(self) -> None:
        self.sheet.book.calls.clears += 1
        self.sheet.check_writable()
        self._log("clear")
        self._clear_values()
        self.sheet.pending.append(("clear", self.r1, self.c1, self.r2, self.c2, None))

    @property
    def number_format(self) -> str:
        return self.sheet.number_formats.get((self.r1, self.c1), "General")

    @number_format.setter
    def number_format(self, value: str) -> None:
        self.sheet.book.calls.formats += 1
        self._set_number_format(value)

    def _set_number_format(self, value: str) -> None:
        self.sheet.check_writable()
        self._log("number_format", value)
        self.sheet.pending.append(("number_format", self.r1, self.c1, self.r2, self.c2, value))

    @property
    def color(self) -> Any:
        return self.sheet.colors.get((self.r1, self.c1))

    @color.setter
    def color(self, color_or_rgb: str | tuple[int, int, int] | None) -> None:
        self.sheet.book.calls.formats += 1
        self._set_color(color_or_rgb)

    def _set_color(self, color_or_rgb: str | tuple[int, int, int] | None) -> None:
        self.sheet.check_writable()
        self._log("color", color_or_rgb)
        self.sheet.pending.append(("color", self.r1, self.c1, self.r2, self.c2, color_or_rgb))


class FakeAreas:
    """A multi-area range ('B5:C9,E5:E9'), as Windows COM gives it: one call sets all areas.

    Only the members the adapter uses on several areas at once (number format and
    fill); like Excel, the address string may not be longer than 255 characters.
    """

    def __init__(self, sheet: FakeSheet, address: str) -> None:
        assert len(address) <= MAX_AREA_ADDRESS, f"Range() takes at most 255 characters: {address}"
        self.sheet = sheet
        self.areas = [FakeRange(sheet, *parse_range(part)) for part in address.split(",")]

    @property
    def number_format(self) -> str:
        return self.areas[0].number_format

    @number_format.setter
    def number_format(self, value: str) -> None:
        self.sheet.book.calls.formats += 1
        for area in self.areas:
            area._set_number_format(value)

    @property
    def color(self) -> Any:
        return self.areas[0].color

    @color.setter
    def color(self, color_or_rgb: str | tuple[int, int, int] | None) -> None:
        self.sheet.book.calls.formats += 1
        for area in self.areas:
            area._set_color(color_or_rgb)


#: Excel's limit for the address text of Range("...").
MAX_AREA_ADDRESS = 255


@dataclass
class FakeTable:
    sheet: FakeSheet
    table_name: str
    ref: str
    totals: bool = False

    @property
    def name(self) -> str:
        return self.table_name

    @property
    def range(self) -> FakeRange:
        r1, c1, r2, c2 = parse_range(self.ref)
        return FakeRange(self.sheet, r1, c1, r2, c2)

    @property
    def show_totals(self) -> bool:
        return self.totals


class FakeTables:
    def __init__(self, tables: list[FakeTable]) -> None:
        self._tables = tables

    def __iter__(self) -> Iterator[FakeTable]:
        return iter(self._tables)

    def __getitem__(self, key: int | str) -> FakeTable:
        if isinstance(key, int):
            return self._tables[key]
        return next(t for t in self._tables if t.name == key)


class FakeComSheet:
    """The few members of Excel's Worksheet COM object that the adapter touches."""

    def __init__(self, sheet: FakeSheet) -> None:
        self.sheet = sheet
        self.log: list[str] = []

    @property
    def ProtectContents(self) -> bool:  # noqa: N802 - COM naming
        return self.sheet.protected

    def Unprotect(self, Password: str | None = None) -> None:  # noqa: N802, N803
        self.log.append("Unprotect")
        self.sheet.protected = False

    def Protect(self, **options: Any) -> None:  # noqa: N802
        self.log.append("Protect")
        self.sheet.protected = True


@dataclass
class FakeSheet:
    book: FakeBook
    sheet_name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    table_list: list[FakeTable] = field(default_factory=list)
    protected: bool = False
    #: Format changes not yet applied to the per-cell dicts: (op, r1, c1, r2, c2, value).
    #: Excel formats a range in its own process; the stand-in defers the per-cell work
    #: until a test reads ``number_formats`` or ``colors``, so a press's time is the adapter's.
    pending: list[tuple[str, int, int, int, int, Any]] = field(default_factory=list)
    _number_formats: dict[tuple[int, int], str] = field(default_factory=dict)
    _colors: dict[tuple[int, int], Any] = field(default_factory=dict)
    _api: FakeComSheet | None = None

    @property
    def name(self) -> str:
        return self.sheet_name

    @property
    def tables(self) -> FakeTables:
        return FakeTables(self.table_list)

    @property
    def number_formats(self) -> dict[tuple[int, int], str]:
        """Number format per cell that has one set ('General' when absent)."""
        self._apply_pending()
        return self._number_formats

    @property
    def colors(self) -> dict[tuple[int, int], Any]:
        """Fill colour per filled cell."""
        self._apply_pending()
        return self._colors

    def _apply_pending(self) -> None:
        pending, self.pending = self.pending, []
        for op, r1, c1, r2, c2, value in pending:
            if op == "clear":
                for store in (self._number_formats, self._colors):
                    for key in [k for k in store if r1 <= k[0] <= r2 and c1 <= k[1] <= c2]:
                        del store[key]
                continue
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if op == "number_format":
                        self._number_formats[(r, c)] = value
                    elif value is None:
                        self._colors.pop((r, c), None)
                    else:
                        self._colors[(r, c)] = value

    @property
    def api(self) -> FakeComSheet:
        if self._api is None:
            raise NotImplementedError("no .api on this host")
        return self._api

    def range(
        self,
        cell1: str | tuple[int, int] | FakeRange,
        cell2: str | tuple[int, int] | FakeRange | None = None,
    ) -> Any:
        if isinstance(cell1, str) and "," in cell1:
            # Windows COM's Range("A1:B2,D4") gives a multi-area range; Lite's and the
            # remote engine's address parser (xlwings utils.a1_to_tuples) refuse it
            if self._api is None:
                raise ValueError(f"no multi-area ranges on this host: {cell1}")
            assert cell2 is None
            return FakeAreas(self, cell1)
        r1, c1, r2, c2 = _corners(cell1)
        if cell2 is not None:
            s1, d1, s2, d2 = _corners(cell2)
            r1, c1, r2, c2 = min(r1, s1), min(c1, d1), max(r2, s2), max(c2, d2)
        return FakeRange(self, r1, c1, r2, c2)

    def get(self, row: int, col: int) -> Any:
        return self.cells.get((row, col))

    def put(self, row: int, col: int, value: Any) -> None:
        if value is None or value == "":
            self.cells.pop((row, col), None)
        else:
            self.cells[(row, col)] = value

    def check_writable(self) -> None:
        if self.protected:
            raise FakeProtectionError(f"Bladet {self.sheet_name} är skyddat")


def _corners(cell: str | tuple[int, int] | FakeRange) -> tuple[int, int, int, int]:
    if isinstance(cell, FakeRange):
        return cell.r1, cell.c1, cell.r2, cell.c2
    if isinstance(cell, tuple):
        assert cell[0] >= 1 and cell[1] >= 1, cell
        return cell[0], cell[1], cell[0], cell[1]
    return parse_range(cell)


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self.book = book

    def __iter__(self) -> Iterator[FakeSheet]:
        return iter(self.book.sheet_list)

    def __getitem__(self, key: int | str) -> FakeSheet:
        if isinstance(key, int):
            return self.book.sheet_list[key]
        for sheet in self.book.sheet_list:
            if sheet.name.casefold() == key.casefold():
                return sheet
        raise KeyError(key)


@dataclass
class FakeName:
    defined: str
    formula: str | None

    @property
    def name(self) -> str:
        return self.defined

    @property
    def refers_to(self) -> str | None:
        return self.formula


class FakeNames:
    def __init__(self, names: list[FakeName]) -> None:
        self._names = names

    def __iter__(self) -> Iterator[FakeName]:
        return iter(self._names)

    def __getitem__(self, item: int | str) -> FakeName:
        if isinstance(item, int):
            return self._names[item]
        return next(n for n in self._names if n.name == item)


class FakeApp:
    def __init__(self) -> None:
        self.alerts: list[dict[str, Any]] = []

    def alert(
        self,
        prompt: str,
        title: str | None = None,
        buttons: str = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> str | None:
        self.alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})
        return "ok"


class FakeBook:
    def __init__(self, book_name: str = "Budget.xlsx") -> None:
        self.book_name = book_name
        self.sheet_list: list[FakeSheet] = []
        self.name_list: list[FakeName] = []
        self.calls = Calls()
        #: Every change as (operation, sheet, r1, c1, r2, c2, argument), areas one by one:
        #: ``xlsx_replay`` applies it to the workbook file to compare fonts and borders too.
        self.journal: list[tuple[str, str, int, int, int, int, Any]] = []
        self._app = FakeApp()

    @property
    def name(self) -> str:
        return self.book_name

    @property
    def sheets(self) -> FakeSheets:
        return FakeSheets(self)

    @property
    def names(self) -> FakeNames:
        return FakeNames(self.name_list)

    @property
    def app(self) -> FakeApp:
        return self._app

    @classmethod
    def caller(cls) -> FakeBook:
        raise RuntimeError("set a book explicitly in tests")

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def from_xlsx(cls, path: Path, com: bool = True, protect: bool = True) -> FakeBook:
        """The workbook as Excel would hold it after opening ``path``."""
        stat = path.stat()
        opened = _opened(path.resolve(), stat.st_mtime_ns, stat.st_size)
        book = cls(path.name)
        for title, is_protected, cells, tables, area in opened.sheets:
            sheet = FakeSheet(book, title, cells=dict(cells), protected=protect and is_protected)
            if com:
                sheet._api = FakeComSheet(sheet)
            sheet.table_list.extend(FakeTable(sheet, *table) for table in tables)
            if area:
                book.name_list.append(FakeName(f"{title}!Print_Area", "=" + area))
            book.sheet_list.append(sheet)
        book.name_list.extend(FakeName(name, formula) for name, formula in opened.names)
        return book

    def sheet_values(self, name: str) -> dict[tuple[int, int], Any]:
        """A copy of a sheet's non-empty cells."""
        return dict(self.sheets[name].cells)


# --- the remote client's side: run returned actions on a fake workbook ---------------------------
def apply_actions(book: FakeBook, actions: list[dict[str, Any]]) -> list[str]:
    """Do what xlwings' Remote.bas does with each action; returns the alert prompts shown."""
    shown = []
    for action in actions:
        assert set(action) == {
            "func",
            "args",
            "values",
            "sheet_position",
            "start_row",
            "start_column",
            "row_count",
            "column_count",
        }, action
        func = action["func"]
        if func == "alert":
            assert all(isinstance(a, str) for a in action["args"]) and len(action["args"]) == 5
            shown.append(action["args"][0])
            continue
        sheet = book.sheet_list[action["sheet_position"]]
        r1, c1 = action["start_row"] + 1, action["start_column"] + 1
        rng = sheet.range((r1, c1), (r1 + action["row_count"] - 1, c1 + action["column_count"] - 1))
        if func == "setValues":
            values = action["values"]
            # Remote.bas passes a JSON null on as Null, which Range.Value does not take
            assert all(v is not None for row in values for v in row), "null in setValues"
            assert len(values) == action["row_count"]
            assert all(len(row) == action["column_count"] for row in values)
            rng.value = [[_parse_iso(v) for v in row] for row in values]
        elif func == "rangeClearContents":
            rng.clear_contents()
        elif func == "rangeClear":
            rng.clear()
        elif func == "setNumberFormat":
            rng.number_format = action["args"][0]
        elif func == "setRangeColor":
            rng.color = action["args"][0]
        else:
            raise AssertionError(f"unexpected action {func}")
    return shown


_VBA_ISO = re.compile(r"^-?\d+-\d+-\d+(T.*)?$")


def _parse_iso(value: Any) -> Any:
    """WebHelpers.ParseIso, as setValues applies it to every value (text int-int-int → date)."""
    if isinstance(value, str) and _VBA_ISO.match(value):
        head = value.split("T")[0]
        y, m, d = (int(p) for p in head.split("-"))
        return datetime(y, m, d)
    return value


@dataclass(frozen=True)
class _Opened:
    """What Excel shows of a file after opening it, read once per file version."""

    #: (title, protected, cells, tables as (name, ref, totals), print area or "")
    sheets: tuple[
        tuple[str, bool, dict[tuple[int, int], Any], tuple[tuple[str, str, bool], ...], str],
        ...,
    ]
    names: tuple[tuple[str, str], ...]


@lru_cache(maxsize=32)
def _opened(path: Path, mtime_ns: int, size: int) -> _Opened:
    """The values, tables and names of the file at ``path`` (openpyxl's full load, once per
    path, modification time and size: the tests build many books from one file)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        cells: dict[tuple[int, int], Any] = {}
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                text = getattr(value, "text", None)
                value = text if isinstance(text, str) else value
                if isinstance(value, int) and not isinstance(value, bool):
                    value = float(value)
                if value is not None and value != "":
                    cells[(cell.row, cell.column)] = value
        tables = tuple(
            (table.name, table.ref, bool(table.totalsRowCount)) for table in ws.tables.values()
        )
        area = ws.print_area if isinstance(ws.print_area, str) else (ws.print_area or [""])[0]
        area = area if area and area.split("!")[-1] else ""
        sheets.append((ws.title, bool(ws.protection.sheet), cells, tables, area))
    names = tuple((name, "=" + str(d.attr_text)) for name, d in wb.defined_names.items())
    return _Opened(tuple(sheets), names)
