"""The adapter behind every Excel path: read an open workbook, run the core, write back.

``press(book, action)`` is the button. ``book`` is anything with the xlwings
subset of ``xltypes``: a desktop ``xw.Book``, the book xlwings Lite hands to a
script, or ``remote.RemoteBook`` built from a VBA client's JSON. It

1. reads each sheet's Excel tables with one ``table.range.value`` call per table
   and the defined names once (``XlBookView``, a ``BookView`` for the shared
   reader; Lite has no ``used_range``, so nothing else is read);
2. evaluates the budget with the core, exactly as ``workbook.jobs.check`` does;
3. writes the cells that ``writer.build_grids`` gives, per computed sheet: one
   2-D block from the sheet's first written row to its last grid row, one call
   that clears the stale rows below (and one the stale columns to the right),
   and the look (``format_plan``): one number format over the block in one
   call, then the other number formats and each fill colour on rectangles, in
   layers (number formats run over blank and text cells, where no format
   shows), one call per multi-area address on Windows COM, per rectangle
   elsewhere. Every call crosses to Excel, so the count is kept small: for a
   2,000-line budget at most 100 on desktop Excel (72) and 200 on the paths
   without multi-area ranges (tests/excel/test_excel_press.py);
4. reports a Swedish summary: the status cell (part of the grids), ``print`` and,
   where the host has one, a message box.

``Kontrollera`` (action ``check``) writes only the findings sheet. A ``recalc``
whose input has errors writes the findings and a status line saying that
nothing was computed; the plan and the allocation keep their previous values,
as ``finsam-xl berakna`` leaves the file unchanged then.

Values are written the way Excel keeps them apart from typing: text gets a
leading apostrophe (so '2025', '1,5' or '2025-01-01' stay text in every locale),
numbers are int or float, links are ``=HYPERLINK(...)`` formulas identical to
the file writer's.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal, cast

from finsam_xl.errors import FinsamError
from finsam_xl.excel.styles import ROLE_FORMATS
from finsam_xl.excel.xltypes import XlBook, XlSheet
from finsam_xl.jobs.evaluate import STALE_TEXT, evaluate_read, stale_finding
from finsam_xl.jobs.outcome import Outcome
from finsam_xl.model import schema as S
from finsam_xl.model.findings import Finding, Severity, sort_findings, summary_text
from finsam_xl.model.money import plain_number
from finsam_xl.sheets.grid import Cell, Grid
from finsam_xl.workbook.reader import read_book
from finsam_xl.workbook.writer import build_grids, findings_grid
from finsam_xl.xlsx.cells import col_letters, parse_range, split_ref
from finsam_xl.xlsx.views import SheetView, TableInfo

if TYPE_CHECKING:
    from finsam_xl.xlsx.package import Package

Action = Literal["recalc", "check"]
ACTIONS: tuple[Action, ...] = ("recalc", "check")
TITLE = "Finsam XL"
#: Rows below a computed area's last written row that are cleared (stale findings etc.).
CLEAR_ROWS = S.FINDINGS_MAX_ROWS + 10
#: Columns cleared to the right of a computed area (a budget with fewer years than before).
CLEAR_COLS = 26
REQUIRED_NAMES = (S.N_PLAN, S.N_ALLOCATION, S.N_FINDINGS, S.N_STATUS)


#: The reader's finding for a result name that is #REF! or was moved off its computed sheet.
MOVED_NAME = "workbook.result-name"


class ExcelError(FinsamError):
    """The workbook cannot be used by the button; ``str()`` is a Swedish message."""


# --- reading ------------------------------------------------------------------------------------
def as_rows(value: Any, rows: int, cols: int) -> list[list[Any]]:
    """An xlwings ``Range.value`` (scalar, 1-D or 2-D) as a list of rows of a known shape."""
    if rows == 1 and cols == 1:
        if isinstance(value, list):
            while isinstance(value, list):
                value = value[0] if value else None
        return [[value]]
    if not isinstance(value, list):
        value = [value]
    if value and isinstance(value[0], list):
        grid = [list(row) for row in value[:rows]]
    elif rows == 1:
        grid = [list(value)]
    else:
        grid = [[v] for v in value[:rows]]
    grid += [[None] * cols for _ in range(rows - len(grid))]
    for i, row in enumerate(grid):  # the rows are the function's own: cut or pad in place
        if len(row) != cols:
            grid[i] = row[:cols] + [None] * (cols - len(row))
    return grid


class _Block:
    """The values of one table range, 1-based corners."""

    __slots__ = ("row", "col", "last_row", "last_col", "values")

    def __init__(self, row: int, col: int, values: list[list[Any]]) -> None:
        self.row, self.col, self.values = row, col, values
        self.last_row = row + len(values) - 1
        self.last_col = col + (len(values[0]) if values else 0) - 1


@dataclass
class XlSheetView:
    """SheetView over the tables of one xlwings sheet (values only; formulas are computed)."""

    name: str
    table_infos: list[TableInfo] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)
    _last: _Block | None = field(default=None, repr=False)

    @property
    def title(self) -> str:
        """The sheet's name."""
        return self.name

    def value(self, row: int, col: int) -> Any:
        """The value Excel shows in a cell of a table; None outside the tables read."""
        block = self._last  # the reader walks one table at a time: try its block first
        if block is None or not (
            block.row <= row <= block.last_row and block.col <= col <= block.last_col
        ):
            for block in self.blocks:  # a handful of tables per sheet
                if block.row <= row <= block.last_row and block.col <= col <= block.last_col:
                    self._last = block
                    break
            else:
                return None
        return block.values[row - block.row][col - block.col]

    def row_values(self, row: int, first_col: int, last_col: int) -> list[Any]:
        """``value`` of each cell of a row from ``first_col`` to ``last_col``: one slice of
        the table's block when it holds them all."""
        for block in self.blocks:
            if block.row <= row <= block.last_row and block.col <= first_col <= block.last_col:
                if last_col <= block.last_col:
                    self._last = block
                    start = first_col - block.col
                    return block.values[row - block.row][start : start + last_col - first_col + 1]
                break
        return [self.value(row, col) for col in range(first_col, last_col + 1)]

    def tables(self) -> list[TableInfo]:
        """The sheet's tables."""
        return list(self.table_infos)

    def merged(self) -> list[tuple[int, int, int, int]]:
        """Always empty: Excel does not allow merged cells inside a table."""
        return []


class XlBookView:
    """BookView over an open workbook: every sheet's tables and the defined names.

    Excel hands over computed values, not formula text, so a formula typed into
    an input cell reads as its result, and ``cached`` is the same value.
    """

    def __init__(self, book: XlBook) -> None:
        self.book = book
        self.names: dict[str, str] = {}
        for name in book.names:
            refers_to = name.refers_to
            if refers_to is not None:
                self.names[str(name.name)] = str(refers_to)
        self._sheets: list[XlSheetView] = [self._read_sheet(sheet) for sheet in book.sheets]
        self._read_digest()

    def _read_digest(self) -> None:
        """The one cell outside the tables the reader needs: what the sheets were computed from."""
        try:
            sheet, row, col = split_ref(self.names.get(S.N_STYLES) or "")
        except ValueError:
            return
        row += S.DIGEST_ROW_OFFSET
        for view, xl_sheet in zip(self._sheets, self.book.sheets, strict=False):
            if view.name == sheet:
                try:
                    value = xl_sheet.range((row, col)).value
                except Exception:  # a host that cannot read the hidden sheet: unknown
                    return
                view.blocks.append(_Block(row, col, [[value]]))
                return

    @staticmethod
    def _read_sheet(sheet: XlSheet) -> XlSheetView:
        view = XlSheetView(str(sheet.name))
        for table in sheet.tables:
            name = str(table.name)
            rng = table.range
            address = str(rng.address)
            try:
                r1, c1, r2, c2 = parse_range(address)
            except ValueError:
                raise ExcelError(
                    f"{view.name}: tabellen {name} har ett okänt område {address}."
                ) from None
            totals = 1 if table.show_totals else 0
            view.table_infos.append(TableInfo(name, address.replace("$", ""), totals))
            rows, cols = r2 - r1 + 1, c2 - c1 + 1
            view.blocks.append(_Block(r1, c1, as_rows(rng.value, rows, cols)))
        return view

    def sheets(self) -> list[SheetView]:
        """Every worksheet, in order."""
        return list(self._sheets)

    def defined_name(self, name: str) -> str | None:
        """A workbook-level defined name's formula text, or None."""
        return self.names.get(name)

    def cached(self, sheet: str, row: int, col: int) -> Any:
        """The value of a cell that was read (Excel's computed value)."""
        for view in self._sheets:
            if view.name == sheet:
                return view.value(row, col)
        return None


class DefinedNames:
    """An open book's defined names -> (sheet, row, col): the button's ``sheets.grid.Anchors``
    (what ``writer.build_grids`` needs of a workbook; a file's ``Package`` is the other)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def anchor(self, name: str) -> tuple[str, int, int]:
        """(sheet, row, column) of a defined name's first cell; KeyError if undefined."""
        return split_ref(self.names[name])

    def missing(self, names: tuple[str, ...]) -> list[str]:
        """Which of ``names`` are undefined or do not point at a cell."""
        out = []
        for name in names:
            try:
                self.anchor(name)
            except (KeyError, ValueError):
                out.append(name)
        return out


# --- writing ------------------------------------------------------------------------------------
def excel_value(cell: Cell) -> Any:
    """The value to assign to ``Range.value`` for a writer cell.

    Decimal becomes int or float, text gets a leading apostrophe so Excel keeps
    it as text, and a link becomes the file writer's HYPERLINK formula.
    """
    value = cell.value
    if cell.link:  # else no link formula
        link = cell.link_formula
        if link is not None:
            return "=" + link
    if type(value) is Decimal:  # the common kinds first, by exact type
        return plain_number(value)
    if type(value) is str:
        return "'" + value
    if value is None or type(value) is int or type(value) is float:
        return value
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, str):
        return "'" + value
    return value


Rect = tuple[int, int, int, int]
#: Excel's limit for the address text of ``Range("...")`` (a multi-area address included).
MAX_ADDRESS = 255
#: The number format of a block none of whose cells shows one (all text or blank).
BASE_FORMAT = "General"
#: Rank (``paint_layers``) of a cell that every layer may paint: its look does not show.
FREE = 1 << 30
#: Rank of a cell that no layer may paint: it keeps what it has.
KEEP = -1


def shows_text_as_is(number_format: str) -> bool:
    """True when Excel shows a text cell the same under ``number_format`` as under General.

    A format changes how text looks only through a text section: the fourth section
    (``0;-0;0;"x"@``) or an ``@`` in a single one. Quoted text and escapes are skipped.
    """
    plain = re.sub(r'"[^"]*"|\\.', "", number_format)
    return "@" not in plain and plain.count(";") < 3


#: Whether text cells may take any role's number format unseen (true for every format in
#: ``styles.ROLE_FORMATS``; tests/excel/test_excel_press.py checks each).
TEXT_IGNORES_FORMATS = all(shows_text_as_is(f) for _, f in ROLE_FORMATS.values())


def _grow(ranks: list[list[int]], layer: int, row: int, col: int) -> list[Rect]:
    """Rectangles grown from (row, col) over cells of rank >= ``layer``: one across first
    then down, one down first then across; each then widened to the left and upwards."""
    n_rows, n_cols = len(ranks), len(ranks[0])
    out = []
    for across_first in (True, False):
        r1 = r2 = row
        c1 = c2 = col
        if across_first:
            line = ranks[row]
            while c2 + 1 < n_cols and line[c2 + 1] >= layer:
                c2 += 1
            while r2 + 1 < n_rows and min(ranks[r2 + 1][c1 : c2 + 1]) >= layer:
                r2 += 1
        else:
            while r2 + 1 < n_rows and ranks[r2 + 1][col] >= layer:
                r2 += 1
            while c2 + 1 < n_cols and all(ranks[y][c2 + 1] >= layer for y in range(r1, r2 + 1)):
                c2 += 1
        while c1 > 0 and all(ranks[y][c1 - 1] >= layer for y in range(r1, r2 + 1)):
            c1 -= 1
        while r1 > 0 and min(ranks[r1 - 1][c1 : c2 + 1]) >= layer:
            r1 -= 1
        out.append((r1, c1, r2, c2))
    return out


def paint_layers(ranks: list[list[int]], layers: int, start: int = 0) -> list[list[Rect]]:
    """Rectangles per layer such that painting layer 0, then 1, ... gives every cell of rank
    i layer i's look, and leaves cells of rank ``KEEP`` untouched.

    ``ranks`` is a rectangular grid (0-based rows and columns, the rectangles' coordinates):
    per cell the layer whose look it needs, ``FREE`` for a cell any layer may paint, or
    ``KEEP``. A rectangle of layer i covers only cells of rank >= i (its own, free ones, and
    ones a later layer paints over again). Greedy: from the first cell still to paint, the
    better of two grown rectangles (``_grow``), the one that paints more cells still to do.
    Layers before ``start`` are left to the caller (an empty list each).
    """
    todo = [list(line) for line in ranks]
    out: list[list[Rect]] = [[] for _ in range(start)]
    for layer in range(start, layers):
        rects: list[Rect] = []
        for row, line in enumerate(todo):
            while layer in line:
                col = line.index(layer)
                best, most = (row, col, row, col), 0
                for rect in _grow(ranks, layer, row, col):
                    r1, c1, r2, c2 = rect
                    done = sum(cells[c1 : c2 + 1].count(layer) for cells in todo[r1 : r2 + 1])
                    if done > most:
                        best, most = rect, done
                r1, c1, r2, c2 = best
                for cells in todo[r1 : r2 + 1]:
                    for x in range(c1, c2 + 1):
                        if cells[x] == layer:
                            cells[x] = FREE
                rects.append(best)
        out.append(rects)
    return out


def _painted(
    needs: dict[tuple[int, int], str], order: list[str], box: Rect, other: int, start: int = 0
) -> list[list[Rect]]:
    """``paint_layers`` for cells needing one of ``order``'s looks, in sheet coordinates;
    the box's other cells get rank ``other`` (``FREE`` or ``KEEP``)."""
    if start >= len(order):
        return [[] for _ in order]
    first, col1, last_row, last_col = box
    rank = {key: i for i, key in enumerate(order)}
    ranks = [[other] * (last_col - col1 + 1) for _ in range(last_row - first + 1)]
    for (r, c), key in needs.items():
        ranks[r - first][c - col1] = rank[key]
    return [
        [(r1 + first, c1 + col1, r2 + first, c2 + col1) for r1, c1, r2, c2 in rects]
        for rects in paint_layers(ranks, len(order), start)
    ]


def _count(plan: list[tuple[str, str, list[Rect]]]) -> int:
    return sum(len(rects) for _, _, rects in plan)


def format_plan(grid: Grid, first: int) -> list[tuple[str, str, list[Rect]]]:
    """What a written block's look takes, in order: (``"number_format"`` or ``"color"``,
    value, rectangles); a later step may paint over an earlier one.

    Number formats: a base format over the whole block (rows ``first`` to the last grid
    row, columns 1 to the last grid column) in one call, so that no cell keeps a format
    from elsewhere, then each other format on rectangles. Only cells holding a number show
    their number format; a blank cell shows none, and text shows as it is under every
    format without a text section (``TEXT_IGNORES_FORMATS``), so the rectangles run over
    blank and text cells. The base is the format that leaves the fewest
    rectangles (the most common one, mostly), 'General' when no cell holds a number.
    Fills: each colour on rectangles of its cells, the most common colour first (a
    rectangle may cover cells a later colour paints); a blank cell or a role without a
    fill is never covered and keeps its fill. So every cell holding a number gets its
    role's number format, every grid cell with a filled role its fill
    (``styles.ROLE_FORMATS``), and no other cell changes its look.
    """
    cells = grid.cells
    last_row, last_col = max(cells)[0], max(map(itemgetter(1), cells))
    # styles.role_format per cell, as two lookups: an unknown role has no fill and General
    fill_of = {role: fill for role, (fill, _) in ROLE_FORMATS.items() if fill is not None}
    fills = {pos: fill_of[cell.role] for pos, cell in cells.items() if cell.role in fill_of}
    format_of = {role: number_format for role, (_, number_format) in ROLE_FORMATS.items()}
    number_formats = {  # a number's format shows; a blank cell shows none, text as it is
        pos: format_of.get(cell.role, BASE_FORMAT)
        for pos, cell in cells.items()
        if cell.value is not None and (type(cell.value) is not str or not TEXT_IGNORES_FORMATS)
    }
    box = (first, 1, last_row, last_col)
    formats = [k for k, _ in Counter(number_formats.values()).most_common()]
    best: list[tuple[str, str, list[Rect]]] = [("number_format", BASE_FORMAT, [box])]
    for base in formats:  # the base paints the whole block: try each, keep the fewest calls
        order = [base, *(k for k in formats if k != base)]
        layers = _painted(number_formats, order, box, FREE, start=1)
        plan = [("number_format", base, [box])]
        plan += [("number_format", k, r) for k, r in zip(order[1:], layers[1:], strict=True)]
        if base == formats[0] or _count(plan) < _count(best):
            best = plan
    colours = [k for k, _ in Counter(fills.values()).most_common()]
    best += [
        ("color", k, rects)
        for k, rects in zip(colours, _painted(fills, colours, box, KEEP), strict=True)
        if rects
    ]
    return best


def rect_address(rect: Rect) -> str:
    """'B5:C9', or 'B5' for one cell (relative: a multi-area address must stay short)."""
    r1, c1, r2, c2 = rect
    first = f"{col_letters(c1)}{r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:{col_letters(c2)}{r2}"


def area_addresses(rects: list[Rect]) -> list[str]:
    """The rectangles as few multi-area addresses ('B5:C9,B11:C20') of ≤ ``MAX_ADDRESS`` chars."""
    out: list[str] = []
    for rect in rects:
        address = rect_address(rect)
        if out and len(out[-1]) + 1 + len(address) <= MAX_ADDRESS:
            out[-1] += "," + address
        else:
            out.append(address)
    return out


def _com_api(sheet: XlSheet) -> Any | None:
    """The sheet's Windows COM object (desktop xlwings on Windows), else None.

    Lite and the remote book have no ``.api``; on macOS it is an appscript
    reference without ``ProtectContents``. Only COM takes multi-area addresses
    (``Range("B5:C9,E5:E9")``) and lets the adapter lift sheet protection.
    """
    try:
        api = getattr(sheet, "api")  # noqa: B009 - optional member, absent in Lite/remote
        return api if isinstance(api.ProtectContents, bool) else None
    except Exception:
        return None


def apply_formats(sheet: XlSheet, plan: list[tuple[str, str, list[Rect]]]) -> None:
    """Set number formats and fills in the plan's order (a later step may paint over an
    earlier one): one call per multi-area address on Windows COM, elsewhere (Lite, the
    remote client, macOS) one call per rectangle."""
    areas = _com_api(sheet) is not None
    for what, value, rects in plan:
        ranges = (
            [sheet.range(a) for a in area_addresses(rects)]
            if areas
            else [sheet.range((r1, c1), (r2, c2)) for r1, c1, r2, c2 in rects]
        )
        for rng in ranges:
            if what == "color":
                rng.color = value
            else:
                rng.number_format = value


@contextlib.contextmanager
def _unprotected(sheet: XlSheet) -> Iterator[None]:
    """Lift a password-less sheet protection while writing, where the host allows it.

    Desktop Excel on Windows (COM): ``Unprotect`` and ``Protect`` again with the
    template's options. Elsewhere (macOS, Lite, the remote client) the sheet is
    written as it is, which fails if its written cells are locked and protected.
    """
    api = _com_api(sheet)
    if api is None or api.ProtectContents is not True:
        yield
        return
    api.Unprotect()
    try:
        yield
    finally:
        api.Protect(
            DrawingObjects=True,
            Contents=True,
            Scenarios=True,
            AllowFormattingColumns=True,
            AllowFormattingRows=True,
        )


def write_grids(
    book: XlBook, grids: dict[str, tuple[Grid, int]], formats: bool = True
) -> list[str]:
    """Write computed sheets: the rows from ``first`` down are replaced by the grid's cells.

    Per sheet: one values block (rows first..last grid row, columns 1..last grid
    column), one ``clear_contents`` of the stale columns to its right, one
    ``clear`` of up to ``CLEAR_ROWS`` stale rows below it, then the number formats
    and fills of ``format_plan`` (one call per style and multi-area address on
    Windows COM, per style and rectangle elsewhere). Returns the sheet names written.
    """
    written: list[str] = []
    numbers: dict[Decimal, int | float] = {}  # excel_value of an amount, once per amount
    for sheet_name, (grid, first) in grids.items():
        if not grid.cells:
            continue
        try:
            sheet = book.sheets[sheet_name]
        except Exception:
            raise ExcelError(
                f"Bladet '{sheet_name}' för resultaten saknas i arbetsboken."
            ) from None
        last_row = max(grid.cells)[0]
        last_col = max(map(itemgetter(1), grid.cells))
        block: list[list[Any]] = [[None] * last_col for _ in range(last_row - first + 1)]
        for (r, c), cell in grid.cells.items():
            value = cell.value
            if type(value) is Decimal:  # excel_value: a number, link or not
                number = numbers.get(value)
                if number is None:
                    number = numbers[value] = excel_value(cell)
                block[r - first][c - 1] = number
            else:
                block[r - first][c - 1] = excel_value(cell)
        try:
            with _unprotected(sheet):
                sheet.range((first, 1), (last_row, last_col)).value = block
                if last_col < CLEAR_COLS:
                    sheet.range((first, last_col + 1), (last_row, CLEAR_COLS)).clear_contents()
                bottom = first + CLEAR_ROWS
                if last_row < bottom:
                    sheet.range((last_row + 1, 1), (bottom, max(last_col, CLEAR_COLS))).clear()
                if formats:
                    apply_formats(sheet, format_plan(grid, first))
        except Exception as error:  # desktop Excel refuses synchronously (e.g. a protected sheet)
            done = f" Bladen {', '.join(written)} hann skrivas." if written else ""
            raise ExcelError(
                f"Excel tog inte emot resultaten i bladet '{sheet_name}' ({error}).{done} Är "
                "bladet skyddat? Ta bort bladskyddet (Granska › Ta bort bladskydd) och tryck "
                "igen."
            ) from error
        written.append(sheet_name)
    return written


def write_cell(book: XlBook, sheet_name: str, row: int, col: int, cell: Cell) -> None:
    """Write one cell and nothing else (the status line when nothing was computed)."""
    sheet = book.sheets[sheet_name]
    with _unprotected(sheet):
        sheet.range((row, col)).value = excel_value(cell)


# --- the button ----------------------------------------------------------------------------------
@dataclass(kw_only=True)
class Summary(Outcome):
    """What one press did: the outcome, Swedish text for the user, and the sheets written."""

    action: str
    text: str
    sheets: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Number of error findings."""
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)


def _findings_only(findings: list[Finding], anchors: DefinedNames) -> dict[str, tuple[Grid, int]]:
    """The findings sheet as ``build_grids`` writes it (table plus summary line above)."""
    sheet, row, col = anchors.anchor(S.N_FINDINGS)
    grid = findings_grid(findings, row, col)
    grid.put(row - 2, col, summary_text(findings), "status")
    return {sheet: (grid, row - 2)}


def compute(
    book: XlBook, action: Action, when: datetime | None = None
) -> tuple[Summary, dict[str, tuple[Grid, int]], tuple[str, int, int, Cell] | None]:
    """Read and evaluate ``book``; the summary, the grids to write and an extra status cell."""
    if action not in ACTIONS:
        raise ValueError(f"okänd åtgärd {action!r}")
    try:
        view = XlBookView(book)
        read = read_book(str(book.name), view)
    except FinsamError as error:  # a workbook (or a cell in it) the reader cannot use
        raise ExcelError(str(error)) from None
    moved = [f for f in read.findings if f.rule == MOVED_NAME and f.severity is Severity.ERROR]
    if moved and action == "recalc":  # as the file writer: no result is written through it
        raise ExcelError(f"{moved[0].message} Inget skrevs.")
    anchors = DefinedNames(view.names)
    missing = anchors.missing(REQUIRED_NAMES)
    if missing:
        raise ExcelError(
            f"Arbetsboken saknar de definierade namnen {', '.join(missing)} som anger var "
            "resultaten ska skrivas. Skapa arbetsboken med 'finsam-xl ny'."
        )
    outcome = evaluate_read(read)
    findings = outcome.findings
    stale = stale_finding(read) if action == "check" else None
    if stale is not None:
        findings = sort_findings([*findings, stale])
    counts = summary_text(findings)
    extra: tuple[str, int, int, Cell] | None = None
    if action == "recalc" and not outcome.blocked:
        budget, result = outcome.computed()
        grids = build_grids(budget, result, cast("Package", anchors), when)
        text = (
            f"Beräknat: {counts}. Se bladen Plan, Fördelning och Kontroller, "
            "dokumentbladen Budget, Not 1, Insatser och Eget kapital, och Fakturaplan."
        )
    else:
        grids = _findings_only(findings, anchors)
        if action == "recalc":
            stamp = (when or datetime.now()).strftime("%Y-%m-%d %H:%M")
            text = (
                f"Inget beräknades: indata har fel ({counts}). Rätta dem enligt bladet "
                "Kontroller och tryck Beräkna igen."
            )
            sheet, row, col = anchors.anchor(S.N_STATUS)
            extra = (
                sheet,
                row,
                col,
                Cell(
                    f"Inte beräknad {stamp}: indata har fel ({counts}); "
                    "planen visar förra beräkningen.",
                    "status",
                ),
            )
        else:
            text = f"Kontroll klar: {counts}. Se bladet Kontroller."
            if stale is not None:
                text = f"Kontroll klar: {counts}. {STALE_TEXT} Se bladet Kontroller."
                sheet, row, col = anchors.anchor(S.N_STATUS)
                stamp = (when or datetime.now()).strftime("%Y-%m-%d %H:%M")
                extra = (
                    sheet,
                    row,
                    col,
                    Cell(
                        f"Kontrollerad {stamp}: {STALE_TEXT} Indata har ändrats sedan planen "
                        "och dokumentbladen beräknades.",
                        "status",
                    ),
                )
    summary = Summary(outcome.budget, outcome.result, findings, action=action, text=text)
    return summary, grids, extra


def notify(book: XlBook, summary: Summary, alert: bool = True, echo: bool = True) -> None:
    """Print the summary (``echo``) and, when ``alert``, show it in a message box if possible."""
    if echo:
        print(summary.text)
    if not alert:
        return
    try:
        book.app.alert(
            summary.text,
            title=TITLE,
            buttons="ok",
            mode="critical" if summary.errors or summary.blocked else "info",
        )
    except Exception:  # a host without message boxes: the status cell and print() remain
        pass


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """CPython's cyclic garbage collector paused for one press, and enabled again after.

    A press makes some 100,000 objects that live until it ends (the budget, the rows of
    the document tables, the grids' cells) and no reference cycles; the collector would
    traverse them again and again meanwhile (a fifth of a 2,000-line press's CPU) and
    find nothing. Reference counting frees everything as before; cycles made elsewhere
    in the process meanwhile wait for the next collection. Only a collector that was
    enabled is enabled again, so a host that turned it off keeps it off, and of the
    server's threads the last to finish leaves it enabled.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def press(
    book: XlBook,
    action: Action,
    when: datetime | None = None,
    alert: bool = True,
    formats: bool = True,
    echo: bool = True,
) -> Summary:
    """Run one button (``recalc`` or ``check``) on an open workbook; the shared adapter.

    ``alert`` shows the summary in a message box, ``echo`` prints it, ``formats``
    applies fill and number formats. A workbook the button cannot use gives a
    Summary with ``blocked`` and the reason in ``text`` (also shown); other
    exceptions propagate to the caller.
    """
    try:
        with collector_paused():  # the grids are freed before it runs again
            summary = _compute_and_write(book, action, when, formats)
    except ExcelError as error:
        summary = Summary(None, None, [], action=action, text=str(error))
    notify(book, summary, alert, echo)
    return summary


def _compute_and_write(
    book: XlBook, action: Action, when: datetime | None, formats: bool
) -> Summary:
    """``compute`` and write what it gives; the summary with the sheets written."""
    summary, grids, extra = compute(book, action, when)
    summary.sheets = write_grids(book, grids, formats=formats)
    if extra is not None:
        sheet, row, col, cell = extra
        write_cell(book, sheet, row, col, cell)
    return summary
