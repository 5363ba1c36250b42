"""Next year's workbook from this year's (``finsam-xl nytt-ar`` and the button Nytt år).

The budget is read with ``reader``, rolled forward by the pure core
(``finsam_xl.core.rollover``), and written into a copy of the workbook that
openpyxl loads with ``keep_vba=True``. Only these parts of the copy change:

* the settings rows for the budget year, the number of comparison and plan
  years, the opening equity and its year (the adoption date and the published
  table heading are cleared);
* the year columns of the tables Rader and Medlemmar: headers are relabelled in
  place (the columns slide one year to the left) and the amounts rewritten;
  when the new model has one year more (a budget without comparison years gets
  one) a column is inserted after the last year column, and every reference
  to the cells to its right (tables, formulas on any sheet, defined names,
  validations, conditional formats, merged cells, widths, charts) is moved with it;
* the "Prognos helår" of each line (the old year's forecast) is cleared; a line
  the rollover drops keeps its row, emptied;
* Medelstilldelning is rewritten in year order (rows move like Excel's sort:
  the table's cells with their formats and comments);
* Publicerat is emptied, Avstämning is cleared;
* a row is appended to the table Historik (created on a sheet Historik);
* the computed sheets are then filled by ``writer.write_results``, with the
  findings of the new budget and of the rollover.

Everything else is kept as openpyxl keeps it: user sheets, formats, comments,
defined names, validations, charts, the VBA project (byte-identical) and the
form buttons. What openpyxl drops (see docs/rollover.md): cached formula
results (Excel and LibreOffice recalculate on open), DrawingML shapes and
text boxes, customUI ribbons, x14 extensions. The input file is never written.
"""

from __future__ import annotations

import re
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from finsam_xl.core import evaluate
from finsam_xl.core.rollover import Rollover, RolloverError, roll_forward
from finsam_xl.jobs import Outcome
from finsam_xl.model.budget import Budget, MappingTarget, Unit
from finsam_xl.model.findings import Finding, Severity, sort_findings
from finsam_xl.model.money import kr
from finsam_xl.model.results import Result
from finsam_xl.workbook import schema as S
from finsam_xl.workbook.cells import col_letters, parse_range, split_ref
from finsam_xl.workbook.reader import ReadResult, read_book, read_workbook
from finsam_xl.workbook.safety import WorkbookError, atomic_write, inspect_package
from finsam_xl.workbook.views import OpenpyxlSheet, SheetView
from finsam_xl.workbook.writer import write_results

HISTORY_SHEET = S.SHEET_HISTORY
HISTORY_TABLE = S.T_HISTORY
HISTORY_COLUMNS = S.HISTORY_COLUMNS
HISTORY_WIDTHS = (18, 36, 14, 14, 120)
FORECAST_HEADER = "Prognos helår"
MAX_CELL_TEXT = 32000
#: Equity accounts when the Kontomappning table names none: BAS and Kommun-BAS class 20.
DEFAULT_EQUITY_ACCOUNTS = (2000, 2099)
BALANCE_ACCOUNTS = (1000, 2999)
RESULT_ACCOUNTS = (3000, 8999)


# --- the job -------------------------------------------------------------------------------


def next_year(
    path: Path,
    out: Path,
    *,
    closing_equity: Decimal | None = None,
    state_allocation: Decimal | None = None,
    books: Path | None = None,
    target_year: int | None = None,
    today: date | None = None,
    when: datetime | None = None,
) -> Outcome:
    """Write next year's workbook ``out`` from ``path``; the input is never written.

    ``closing_equity`` (kr) or ``books`` (an SIE file whose #UB gives it) replaces
    the forecast opening equity; ``state_allocation`` (kr) sets the new budget
    year's contribution. Raises ``WorkbookError`` (Swedish) for a refused
    rollover or an unusable file; input errors in the workbook give an Outcome
    with the findings and nothing written.
    """
    path, out = Path(path), Path(out)
    _check_paths(path, out)
    if books is not None and closing_equity is not None:
        raise WorkbookError("Ange eget kapital antingen som belopp eller ur bokslutet, inte båda.")
    inspect_package(path)
    read = read_workbook(path)
    if read.budget is None or any(f.blocking for f in read.findings):
        return Outcome(read.budget, None, sort_findings(read.findings))
    extra: list[Finding] = []
    if books is not None:
        closing_equity, extra = closing_equity_from_sie(books, read.budget)
    try:
        roll = roll_forward(
            read.budget,
            closing_equity=closing_equity,
            state_allocation=state_allocation,
            today=today or date.today(),
            target_year=target_year,
        )
    except RolloverError as error:
        raise WorkbookError(f"{path.name}: {error}") from None
    outcome = Outcome(None, None, [])

    def produce(tmp: Path) -> None:
        draft = tmp.with_name(tmp.stem + ".draft" + tmp.suffix)
        try:
            budget, result = _write_draft(path, draft, out.name, read, roll, extra, when)
            write_results(draft, tmp, budget, result, when)
        finally:
            draft.unlink(missing_ok=True)
        outcome.budget, outcome.result, outcome.findings = budget, result, result.findings

    atomic_write(out, produce)
    outcome.written = out.resolve()
    return outcome


def rollover(source: Path, out: Path) -> Outcome:
    """The button's entry point (``finsam_xl.excel.button.next_year``): raise unless written."""
    outcome = next_year(source, out)
    if outcome.written is None:
        problems = "; ".join(f.format() for f in outcome.findings if f.blocking)[:500]
        raise WorkbookError(f"Rätta felen i arbetsboken först: {problems}")
    return outcome


def _check_paths(path: Path, out: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        raise WorkbookError(f"{path}: nytt år görs från en arbetsbok (.xlsx eller .xlsm).")
    if out.suffix.lower() != suffix:
        lost = " (makron och knappar skulle gå förlorade)" if suffix == ".xlsm" else ""
        raise WorkbookError(
            f"{out.name}: nästa års arbetsbok ska ha samma filtyp som {path.name} ({suffix}){lost}."
        )
    same = out.resolve() == path.resolve()
    if not same and out.exists() and path.exists():
        same = out.samefile(path)
    if same:
        raise WorkbookError(
            f"{out}: nästa års arbetsbok får inte skriva över årets; välj ett annat filnamn."
        )


def _write_draft(
    path: Path,
    draft: Path,
    name: str,
    read: ReadResult,
    roll: Rollover,
    extra: list[Finding],
    when: datetime | None,
) -> tuple[Budget, Result]:
    """Edit a copy of the workbook with openpyxl, read it back, evaluate; save to ``draft``."""
    from openpyxl import load_workbook

    xlsm = path.suffix.lower() == ".xlsm"
    wb = load_workbook(path, keep_vba=xlsm)
    editor = _Editor(wb, read, roll)
    editor.apply()
    _append_history(wb, path.name, roll, when or datetime.now())
    wb.calculation.fullCalcOnLoad = True
    back = read_book(name, _EditedBook(wb, path, editor.inserted))
    if back.budget is None or any(f.blocking for f in back.findings):
        problems = "; ".join(f.format() for f in back.findings if f.blocking)[:500]
        raise WorkbookError(f"den nya arbetsboken kunde inte läsas tillbaka: {problems}")
    result = evaluate(back.budget)
    findings = sort_findings(
        back.findings + back.locator.place(result.findings + roll.findings + extra)
    )
    wb.save(draft)
    return back.budget, result.model_copy(update={"findings": findings})


# --- reading the edited workbook back ------------------------------------------------------


@dataclass
class _Inserted:
    """Columns inserted on a sheet: ``count`` new columns start at ``at``."""

    sheet: str
    at: int
    count: int


class _EditedBook:
    """BookView over the edited, unsaved workbook; cached values come from the original file.

    Cells the rollover writes are values; the cached results of the formulas it
    leaves alone are looked up at their old place in the original file.
    """

    def __init__(self, wb: Any, original: Path, inserted: list[_Inserted]) -> None:
        self.wb = wb
        self.original = original
        self.inserted = inserted
        self._cached: Any = None

    def sheets(self) -> list[SheetView]:
        """Every worksheet."""
        return [OpenpyxlSheet(ws) for ws in self.wb.worksheets]

    def defined_name(self, name: str) -> str | None:
        """A workbook-level defined name's formula text."""
        defined = self.wb.defined_names.get(name)
        return None if defined is None else str(defined.attr_text)

    def cached(self, sheet: str, row: int, col: int) -> Any:
        """The original file's cached result for the cell that is now at (row, col)."""
        for shift in self.inserted:
            if shift.sheet == sheet and col >= shift.at:
                if col < shift.at + shift.count:
                    return None
                col -= shift.count
        if self._cached is None:
            from openpyxl import load_workbook

            self._cached = load_workbook(self.original, data_only=True, read_only=True)
        try:
            return self._cached[sheet].cell(row, col).value
        except KeyError:
            return None


# --- editing -------------------------------------------------------------------------------


def _display(amount: Decimal | None, unit: Unit) -> int | float | None:
    """An amount in kr as the number shown in the workbook's unit."""
    if amount is None:
        return None
    value = amount / 1000 if unit is Unit.TKR else amount
    return int(value) if value == value.to_integral_value() else float(value)


def _row_of(address: str | None) -> int | None:
    if not address:
        return None
    match = re.search(r"(\d+)$", address)
    return int(match.group(1)) if match else None


@dataclass
class _Table:
    """An openpyxl table and its sheet, with its bounds (data rows exclude totals)."""

    ws: Any
    table: Any

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        """(header_row, first_col, last_data_row, last_col)."""
        r1, c1, r2, c2 = parse_range(self.table.ref)
        return r1, c1, r2 - (self.table.totalsRowCount or 0), c2

    def headers(self) -> dict[int, str]:
        """Column -> header text."""
        r1, c1, _, c2 = self.bounds
        return {c: str(self.ws.cell(r1, c).value or "") for c in range(c1, c2 + 1)}

    def col(self, header: str) -> int | None:
        """The column whose header matches (case and spacing ignored)."""
        wanted = S.normalise(header)
        return next((c for c, h in self.headers().items() if S.normalise(h) == wanted), None)

    def set_header(self, col: int, text: str) -> None:
        """Set a header cell and the table column's name (Excel requires them equal)."""
        r1, c1, _, _ = self.bounds
        self.ws.cell(r1, col).value = text
        self.table.tableColumns[col - c1].name = text

    def set_ref(self, r1: int, c1: int, r2: int, c2: int) -> None:
        """Move or resize the table (and its autofilter)."""
        ref = f"{col_letters(c1)}{r1}:{col_letters(c2)}{r2}"
        self.table.ref = ref
        if self.table.autoFilter is not None:
            last = r2 - (self.table.totalsRowCount or 0)
            self.table.autoFilter.ref = f"{col_letters(c1)}{r1}:{col_letters(c2)}{last}"

    def add_rows(self, count: int) -> None:
        """Grow the table downwards by ``count`` rows, refusing to cover other cells."""
        r1, c1, r2, c2 = parse_range(self.table.ref)
        for row in range(r2 + 1, r2 + 1 + count):
            for col in range(c1, c2 + 1):
                if self.ws.cell(row, col).value not in (None, ""):
                    raise WorkbookError(
                        f"{self.ws.title}: tabellen {self.table.displayName} behöver fler rader "
                        f"men cellen {col_letters(col)}{row} under den är inte tom."
                    )
        for row in range(r2 + 1, r2 + 1 + count):
            for col in range(c1, c2 + 1):
                self.ws.cell(row, col)._style = copy(self.ws.cell(row - 1, col)._style)
        self.set_ref(r1, c1, r2 + count, c2)

    def clear_row(self, row: int) -> None:
        """Empty a row's cells within the table (formats stay)."""
        _, c1, _, c2 = self.bounds
        for col in range(c1, c2 + 1):
            cell = self.ws.cell(row, col)
            cell.value = None
            cell.comment = None


def find_table(wb: Any, name: str) -> _Table | None:
    """The table ``name`` on any sheet (case-insensitive), or None."""
    for ws in wb.worksheets:
        for table in ws.tables.values():
            if str(table.displayName or table.name).casefold() == name.casefold():
                return _Table(ws, table)
    return None


class _Editor:
    """Applies a Rollover to an openpyxl workbook loaded from the input file."""

    def __init__(self, wb: Any, read: ReadResult, roll: Rollover) -> None:
        assert read.budget is not None
        self.wb = wb
        self.old = read.budget
        self.cells = read.locator.cells
        self.roll = roll
        self.new = roll.budget
        self.unit = self.new.forbund.unit
        self.inserted: list[_Inserted] = []

    def table(self, name: str) -> _Table:
        found = find_table(self.wb, name)
        if found is None:  # the reader found it, so this cannot happen with a readable file
            raise WorkbookError(f"Tabellen '{name}' saknas.")
        return found

    def apply(self) -> None:
        """Every edit of the rollover, in an order where positions stay valid."""
        self.settings()
        member_cols = self.year_columns(S.T_MEMBERS, S.MEMBER_YEAR, "Fast belopp {}")
        line_cols = self.year_columns(S.T_LINES, S.LINE_YEAR, "{}")
        self.members(member_cols)
        self.lines(line_cols)
        self.contributions()
        self.published()
        self.plan_sheet()
        self.clear_recon()
        self.titles()

    # -- settings --------------------------------------------------------------------------
    def settings(self) -> None:
        new, eq = self.new, self.new.equity
        self.set_setting("budget_year", new.years.budget)
        self.set_setting("comparison_years", len(new.years.comparison))
        self.set_setting("plan_years", len(new.years.plan))
        self.set_setting("adopted", None)
        self.set_setting("equity_opening", _display(eq.opening, self.unit))
        self.set_setting("equity_opening_year", new.opening_year)
        self.set_setting("table_heading", None)

    def set_setting(self, key: str, value: Any) -> None:
        t = self.table(S.T_SETTINGS)
        label_col, value_col = t.col("Inställning"), t.col("Värde")
        assert label_col is not None and value_col is not None
        _, _, last, _ = t.bounds
        row = next(
            (
                r
                for r in range(t.bounds[0] + 1, last + 1)
                if S.lookup(S.SETTING_LABELS, t.ws.cell(r, label_col).value) == key
            ),
            None,
        )
        if row is None:
            if value is None:
                return
            t.add_rows(1)
            row = t.bounds[2]
            t.clear_row(row)
            t.ws.cell(row, label_col).value = S.SETTING_LABELS[key]
        t.ws.cell(row, value_col).value = value

    # -- year columns ------------------------------------------------------------------------
    def year_columns(self, name: str, pattern: re.Pattern[str], header: str) -> dict[int, int]:
        """Relabel (and if needed insert) the table's year columns; returns year -> column."""
        t = self.table(name)
        old_years, new_years = self.old.years.all, self.new.years.all
        found: dict[int, int] = {}
        for col, text in t.headers().items():
            match = pattern.match(" ".join(text.split()))
            if not match:
                continue
            year = int(match.group(1))
            if year in found:
                raise WorkbookError(
                    f"{t.ws.title}: tabellen {name} har två kolumner för {year}; ta bort den ena."
                )
            found[year] = col
        stray = sorted(y for y in found if y not in old_years and y in new_years)
        if stray:
            raise WorkbookError(
                f"{t.ws.title}: tabellen {name} har redan en kolumn för {stray[0]}, som inte hör "
                "till årets budget; ta bort eller byt namn på den före nytt år."
            )
        slots = sorted(col for year, col in found.items() if year in old_years)
        missing = len(new_years) - len(slots)
        if missing > 0:
            at = slots[-1] + 1 if slots else t.bounds[3] + 1
            self.insert_columns(t, at, missing)
            slots = [c + missing if c >= at else c for c in slots]
            slots += list(range(at, at + missing))
        for col, year in zip(slots, new_years, strict=False):
            t.set_header(col, header.format(year))
        return dict(zip(new_years, slots, strict=False))

    def insert_columns(self, t: _Table, at: int, count: int) -> None:
        """Insert ``count`` table columns before ``at``, moving every reference to the right."""
        _ColumnShift(self.wb, t.ws, at, count).apply(skip=t.table)
        _grow_table(t.ws, t.table, at, count)
        self.inserted.append(_Inserted(t.ws.title, at, count))

    # -- tables -----------------------------------------------------------------------------
    def members(self, cols: dict[int, int]) -> None:
        t = self.table(S.T_MEMBERS)
        for i, member in enumerate(self.new.members):
            row = _row_of(self.cells.get(("member", i, "name")))
            if row is None:
                continue
            for year, col in cols.items():
                t.ws.cell(row, col).value = _display(member.amounts.get(year), self.unit)

    def lines(self, cols: dict[int, int]) -> None:
        t = self.table(S.T_LINES)
        forecast_col = t.col(FORECAST_HEADER)
        for element, mapping, lines in (
            ("cost", self.roll.cost_map, self.new.costs),
            ("income", self.roll.income_map, self.new.income),
        ):
            for old_index, new_index in enumerate(mapping):
                row = _row_of(self.cells.get((element, old_index, "name")))
                if row is None:
                    continue
                if new_index is None:
                    t.clear_row(row)
                    continue
                line = lines[new_index]
                for year, col in cols.items():
                    t.ws.cell(row, col).value = _display(line.amounts.get(year), self.unit)
                if forecast_col is not None:
                    t.ws.cell(row, forecast_col).value = _display(line.forecast, self.unit)

    def contributions(self) -> None:
        """Rewrite Medelstilldelning in year order; a kept year's row moves with its cells."""
        t = self.table(S.T_CONTRIBUTIONS)
        new = sorted(self.new.contributions, key=lambda c: c.year)
        r1, c1, last, c2 = t.bounds
        if len(new) > last - r1:
            t.add_rows(len(new) - (last - r1))
            r1, c1, last, c2 = t.bounds
        old_rows = {
            year: row
            for (element, year), address in _pairs(self.cells, "contribution")
            if (row := _row_of(address)) is not None and isinstance(year, int)
        }
        snapshot = {
            row: [
                (t.ws.cell(row, c).value, copy(t.ws.cell(row, c)._style), t.ws.cell(row, c).comment)
                for c in range(c1, c2 + 1)
            ]
            for row in old_rows.values()
        }
        cols = {c.header: t.col(c.header) for c in S.CONTRIBUTION_COLUMNS}
        for k, entry in enumerate(new):
            row = r1 + 1 + k
            source = old_rows.get(entry.year)
            for i, col in enumerate(range(c1, c2 + 1)):
                cell = t.ws.cell(row, col)
                if source is not None:
                    value, style, comment = snapshot[source][i]
                    cell.value, cell._style, cell.comment = value, copy(style), comment
                else:
                    cell.value, cell.comment = None, None
                    if k > 0:
                        cell._style = copy(t.ws.cell(row - 1, col)._style)
            values = {
                "År": entry.year,
                "Inmatning": S.MODE_LABELS[entry.mode],
                "Belopp": _display(entry.amount, self.unit),
                "Beslutat": S.YES if entry.decided else S.NO,
            }
            for header, value in values.items():
                col_of = cols.get(header)
                if col_of is not None:
                    t.ws.cell(row, col_of).value = value
        for row in range(r1 + 1 + len(new), last + 1):
            t.clear_row(row)

    def published(self) -> None:
        found = find_table(self.wb, S.T_PUBLISHED)
        if found is None:
            return
        r1, _, last, _ = found.bounds
        for row in range(r1 + 1, last + 1):
            found.clear_row(row)

    # -- computed sheets and titles ----------------------------------------------------------
    def plan_sheet(self) -> None:
        """Widen the plan's chart series and print area when the model gained a year."""
        old_n, new_n = len(self.old.years.all), len(self.new.years.all)
        defined = self.wb.defined_names.get(S.N_PLAN)
        if new_n == old_n or defined is None:
            return
        sheet, row0, col0 = split_ref(str(defined.attr_text))
        if sheet not in self.wb.sheetnames:
            return
        ws = self.wb[sheet]
        first, old_last, new_last = col0 + 1, col0 + old_n, col0 + new_n

        def widen(ref: str) -> str:
            name, bang, cells = ref.rpartition("!")
            try:
                ra, ca, rb, cb = parse_range(cells)
            except ValueError:
                return ref
            if ra == rb and ca == first and cb == old_last:
                return f"{name}{bang}${col_letters(ca)}${ra}:${col_letters(new_last)}${rb}"
            return ref

        for chart in ws._charts:
            for series in chart.series:
                for part in (series.val, series.cat):
                    ref = None if part is None else (part.numRef or part.strRef)
                    if ref is not None and ref.f:
                        ref.f = widen(ref.f)
        area = ws.print_area
        if area:
            try:
                ra, ca, rb, cb = parse_range(str(area).split(",")[0].rpartition("!")[2])
            except ValueError:
                return
            if cb < new_last:  # widen to the new year columns; never narrow
                ws.print_area = f"{col_letters(ca)}{ra}:{col_letters(new_last)}{rb}"
        width = ws.column_dimensions[col_letters(old_last)].width if old_last else None
        if width:
            for col in range(old_last + 1, new_last + 1):
                ws.column_dimensions[col_letters(col)].width = width

    def clear_recon(self) -> None:
        """The reconciliation belonged to the old year: empty its sheet below the title."""
        defined = self.wb.defined_names.get(S.N_RECON)
        if defined is None:
            return
        sheet, row0, _ = split_ref(str(defined.attr_text))
        if sheet not in self.wb.sheetnames:
            return
        ws = self.wb[sheet]
        for row in ws.iter_rows(min_row=max(1, row0 - 2)):
            for cell in row:
                if cell.value is not None:
                    cell.value = None
        ws.cell(max(1, row0 - 2), 1).value = f"Ingen avstämning för {self.new.years.budget} ännu."

    def titles(self) -> None:
        """Titles that name the budget year (instructions sheet, document properties)."""
        old = f"Budget {self.old.years.budget} – {self.old.forbund.name}"
        new = f"Budget {self.new.years.budget} – {self.new.forbund.name}"
        if S.SHEET_INSTRUCTIONS in self.wb.sheetnames:
            cell = self.wb[S.SHEET_INSTRUCTIONS]["A1"]
            if cell.value == old:
                cell.value = new
        if self.wb.properties.title == old:
            self.wb.properties.title = new


def _pairs(cells: dict[tuple[Any, ...], str], element: str) -> list[tuple[tuple[Any, ...], str]]:
    return [
        (key, address)
        for key, address in cells.items()
        if len(key) == 2 and key[0] == element and key[1] is not None
    ]


# --- moving references when columns are inserted ---------------------------------------------

_PART = re.compile(r"^(\$?)([A-Za-z]{1,3})?(\$?)(\d+)?$")


def shift_address(address: str, at: int, count: int) -> str:
    """Shift the columns of an A1 reference ('H4', '$H$4:$K$9', 'H:K') that lie at or after ``at``.

    A range that starts before ``at`` and ends at or after it grows; anything
    that is not a plain A1 reference is returned unchanged.
    """
    pieces = address.split(":")
    if len(pieces) > 2:
        return address
    parsed = []
    for piece in pieces:
        match = _PART.match(piece)
        if not match or not (match.group(2) or match.group(4)):
            return address
        if len(pieces) == 1 and not (match.group(2) and match.group(4)):
            return address  # a lone 'H' or '4' is a name or a number, not a reference
        parsed.append(match)
    out = []
    for match in parsed:
        dollar_c, letters, dollar_r, digits = match.groups()
        if letters:
            from finsam_xl.workbook.cells import col_index

            col = col_index(letters)
            if col >= at:
                col += count
            letters = col_letters(col)
        out.append(f"{dollar_c}{letters or ''}{dollar_r}{digits or ''}")
    return ":".join(out)


def _unquote(sheet: str) -> str:
    if sheet.startswith("'") and sheet.endswith("'"):
        return sheet[1:-1].replace("''", "'")
    return sheet


def shift_reference(ref: str, host: str | None, target: str, at: int, count: int) -> str:
    """Shift one reference token ('Rader!H4', "'Rader'!$H:$H", 'H4' on the host sheet)."""
    sheet, bang, address = ref.rpartition("!")
    if bang:
        if sheet.startswith("[") or ":" in sheet.strip("'"):
            return ref  # external or 3D references are left alone
        if _unquote(sheet) != target:
            return ref
    elif host != target:
        return ref
    return f"{sheet}{bang}{shift_address(address, at, count)}"


def shift_formula(formula: str, host: str | None, target: str, at: int, count: int) -> str:
    """A formula ('=...' or without '=') with its references into ``target`` shifted."""
    from openpyxl.formula.tokenizer import Token, Tokenizer

    text = formula if formula.startswith("=") else "=" + formula
    try:
        tokens = Tokenizer(text)
    except Exception:  # an unparsable formula is left as it is
        return formula
    changed = False
    for token in tokens.items:
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            moved = shift_reference(token.value, host, target, at, count)
            if moved != token.value:
                token.value, changed = moved, True
    if not changed:
        return formula
    rendered = str(tokens.render())
    return rendered if formula.startswith("=") else rendered[1:]


def _shift_sqref(text: str, at: int, count: int) -> str:
    return " ".join(shift_address(part, at, count) for part in str(text).split())


@dataclass
class _ColumnShift:
    """Moves everything that refers to columns ``at``.. of ``ws`` by ``count``."""

    wb: Any
    ws: Any
    at: int
    count: int
    title: str = field(init=False)

    def __post_init__(self) -> None:
        self.title = self.ws.title

    def formula(self, text: str, host: str | None) -> str:
        return shift_formula(text, host, self.title, self.at, self.count)

    def apply(self, skip: Any = None) -> None:
        """Insert the columns and repair what openpyxl's ``insert_cols`` leaves behind."""
        ws, at, n = self.ws, self.at, self.count
        ws.insert_cols(at, n)
        for cell in _cells(ws):
            if cell.hyperlink is not None:
                cell.hyperlink.ref = cell.coordinate
        for table in ws.tables.values():
            if table is skip:
                continue
            _, c1, _, c2 = parse_range(table.ref)
            if c1 < at <= c2:
                _grow_table(ws, table, at, n)  # another table across the new columns
            else:
                table.ref = _shift_sqref(table.ref, at, n)
                if table.autoFilter is not None and table.autoFilter.ref:
                    table.autoFilter.ref = _shift_sqref(table.autoFilter.ref, at, n)
        for dv in ws.data_validations.dataValidation:
            dv.sqref = _shift_sqref(str(dv.sqref), at, n)
        self._conditional_formats()
        from openpyxl.worksheet.cell_range import CellRange

        merged = [str(m) for m in ws.merged_cells.ranges]
        for text in merged:
            ws.merged_cells.remove(text)
        for text in merged:
            ws.merged_cells.add(CellRange(_shift_sqref(text, at, n)))
        self._column_widths()
        if ws.freeze_panes:
            ws.freeze_panes = shift_address(ws.freeze_panes, at, n)
        if ws.auto_filter.ref:
            ws.auto_filter.ref = _shift_sqref(ws.auto_filter.ref, at, n)
        if ws.print_area:
            ws.print_area = ",".join(
                shift_address(a.rpartition("!")[2], at, n) for a in str(ws.print_area).split(",")
            )
        self._formulas_everywhere()

    def _conditional_formats(self) -> None:
        from openpyxl.formatting.formatting import ConditionalFormatting

        cf_list = self.ws.conditional_formatting
        rebuilt: dict[Any, list[Any]] = {}
        for cf in list(cf_list):
            new = ConditionalFormatting(
                sqref=_shift_sqref(str(cf.sqref), self.at, self.count), pivot=cf.pivot
            )
            for rule in cf.rules:
                rule.formula = [self.formula(f, self.title) for f in (rule.formula or [])]
            rebuilt.setdefault(new, []).extend(cf.rules)
        cf_list._cf_rules.clear()
        cf_list._cf_rules.update(rebuilt)

    def _column_widths(self) -> None:
        from openpyxl.utils import get_column_letter

        dims = self.ws.column_dimensions
        entries = []
        for key in list(dims.keys()):
            dim = dims[key]
            lo = int(dim.min or _col(str(dim.index)))
            hi = int(dim.max or lo)
            entries.append((dim, lo, hi))
            del dims[key]
        for dim, lo, hi in entries:
            if lo >= self.at:
                lo, hi = lo + self.count, hi + self.count
            elif hi >= self.at:
                hi += self.count
            dim.min, dim.max = lo, hi
            dim.index = get_column_letter(lo)
            dims[dim.index] = dim

    def _formulas_everywhere(self) -> None:
        from openpyxl.worksheet.formula import ArrayFormula

        for sheet in self.wb.worksheets:
            for cell in _cells(sheet):
                value = cell.value
                if isinstance(value, str) and value.startswith("="):
                    cell.value = self.formula(value, sheet.title)
                elif isinstance(value, ArrayFormula):
                    value.text = self.formula(value.text, sheet.title)
                    if sheet is self.ws:
                        value.ref = _shift_sqref(value.ref, self.at, self.count)
                link = cell.hyperlink
                if link is not None and link.location:
                    link.location = shift_reference(
                        link.location, sheet.title, self.title, self.at, self.count
                    )
            if sheet is not self.ws:
                for dv in sheet.data_validations.dataValidation:
                    dv.formula1 = dv.formula1 and self.formula(dv.formula1, sheet.title)
                    dv.formula2 = dv.formula2 and self.formula(dv.formula2, sheet.title)
                for cf in sheet.conditional_formatting:
                    for rule in cf.rules:
                        rule.formula = [self.formula(f, sheet.title) for f in (rule.formula or [])]
            else:
                for dv in sheet.data_validations.dataValidation:
                    dv.formula1 = dv.formula1 and self.formula(dv.formula1, sheet.title)
                    dv.formula2 = dv.formula2 and self.formula(dv.formula2, sheet.title)
            for chart in getattr(sheet, "_charts", []):
                for series in chart.series:
                    for part in (series.val, series.cat, series.tx):
                        ref = None
                        if part is not None:
                            ref = getattr(part, "numRef", None) or getattr(part, "strRef", None)
                        if ref is not None and ref.f:
                            ref.f = self.formula(ref.f, None)
            for defined in sheet.defined_names.values():
                defined.attr_text = self.formula(str(defined.attr_text), None)
        for defined in self.wb.defined_names.values():
            defined.attr_text = self.formula(str(defined.attr_text), None)


def _grow_table(ws: Any, table: Any, at: int, count: int) -> None:
    """Widen a table over ``count`` columns just inserted at ``at`` (cells already moved).

    The new columns get unique placeholder headers (the caller may rename them)
    and the formats of the column to their left.
    """
    from openpyxl.worksheet.table import TableColumn

    r1, c1, r2, c2 = parse_range(table.ref)
    next_id = max((c.id for c in table.tableColumns), default=0) + 1
    names = {str(c.name) for c in table.tableColumns}
    for i in range(count):
        name, n = f"Kolumn{next_id + i}", next_id + i
        while name in names:
            n += 1
            name = f"Kolumn{n}"
        names.add(name)
        table.tableColumns.insert(at - c1 + i, TableColumn(id=next_id + i, name=name))
        if table.headerRowCount != 0:
            ws.cell(r1, at + i).value = name
    _Table(ws, table).set_ref(r1, c1, r2, c2 + count)
    for col in range(at, at + count):
        for row in range(r1, r2 + 1):
            ws.cell(row, col)._style = copy(ws.cell(row, at - 1)._style)


def _col(letters: str) -> int:
    from finsam_xl.workbook.cells import col_index

    return col_index(letters)


def _cells(ws: Any) -> list[Any]:
    return list(ws._cells.values())


# --- history ---------------------------------------------------------------------------------


def _append_history(wb: Any, source_name: str, roll: Rollover, when: datetime) -> None:
    """Add a row to the table Historik (created on a sheet Historik when missing)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.table import Table, TableStyleInfo

    found = find_table(wb, HISTORY_TABLE)
    if found is None:
        if HISTORY_SHEET in wb.sheetnames:
            ws = wb[HISTORY_SHEET]
            top = ws.max_row + 2
        else:
            ws = wb.create_sheet(HISTORY_SHEET)
            ws["A1"] = "Historik: tidigare versioner av arbetsboken"
            ws["A1"].font = Font(bold=True, size=14)
            ws["A2"] = "En rad per nytt år (finsam-xl nytt-ar): varifrån den här boken kom."
            ws["A2"].font = Font(italic=True, color="555555")
            ws.freeze_panes = "A4"
            top = 3
        for i, header in enumerate(HISTORY_COLUMNS, start=1):
            ws.cell(top, i, header)
            ws.column_dimensions[col_letters(i)].width = HISTORY_WIDTHS[i - 1]
        table = Table(displayName=HISTORY_TABLE, ref=f"A{top}:E{top + 1}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        table._initialise_columns()
        for column, header in zip(table.tableColumns, HISTORY_COLUMNS, strict=True):
            column.name = header
        ws.add_table(table)
        found = _Table(ws, table)
        row = top + 1
    else:
        r1, c1, last, c2 = found.bounds
        used = [
            r
            for r in range(r1 + 1, last + 1)
            if any(found.ws.cell(r, c).value not in (None, "") for c in range(c1, c2 + 1))
        ]
        row = (used[-1] if used else r1) + 1
        if row > last:
            found.add_rows(1)
            row = found.bounds[2]
    text = "; ".join(roll.changes)
    values = {
        "Datum": when.replace(microsecond=0, tzinfo=None),
        "Från fil": source_name,
        "Från budgetår": roll.from_year,
        "Till budgetår": roll.to_year,
        "Ändringar": text[:MAX_CELL_TEXT],
    }
    for header, value in values.items():
        col = found.col(header)
        if col is None:
            continue
        cell = found.ws.cell(row, col)
        cell.value = value
        if header == "Datum":
            cell.number_format = "yyyy-mm-dd hh:mm"
        if header == "Ändringar":
            cell.alignment = Alignment(wrap_text=True, vertical="top")


# --- closing equity from the books -----------------------------------------------------------


def _in(account: str, ranges: list[tuple[int, int]]) -> bool:
    return account.isdigit() and any(lo <= int(account) <= hi for lo, hi in ranges)


def _closing_from_postings(
    opening: dict[str, Decimal], booked: dict[str, Decimal]
) -> dict[str, Decimal]:
    """Closing balances of the balance accounts: opening balance plus the year's postings."""
    accounts = {a for a in (*opening, *booked) if _in(a, [BALANCE_ACCOUNTS])}
    return {a: opening.get(a, Decimal(0)) + booked.get(a, Decimal(0)) for a in accounts}


def closing_equity_from_sie(path: Path, budget: Budget) -> tuple[Decimal, list[Finding]]:
    """The equity at the end of the budget year from an SIE file's closing balances.

    Equity = −Σ ``#UB 0`` of the equity accounts (credit is negative): the
    accounts the Kontomappning table maps to Eget kapital, else 2000–2099. A
    file without any ``#UB`` gets them computed as ``#IB 0`` plus the ``#TRANS``
    rows of its vouchers (and the result from the vouchers when ``#RES`` is
    missing). When
    the balance accounts (1000–2999) do not sum to zero and the difference is
    exactly the year's result (``#RES 0``, 3000–8999), the result has not been
    booked against equity yet; it is added, and a finding says so. Raises
    ``WorkbookError`` for an unreadable file, the wrong fiscal year, or no
    equity balances.
    """
    from finsam_xl.sie import (
        Balance,
        Coverage,
        FiscalYear,
        Issue,
        SieError,
        Voucher,
        iter_records,
    )

    year = budget.years.budget
    rules = [r for r in budget.settings.mappings if r.target is MappingTarget.EQUITY]
    ranges = [r.account_range() for r in rules] or [DEFAULT_EQUITY_ACCOUNTS]
    issues: list[Issue] = []
    closing: dict[str, Decimal] = {}
    results: dict[str, Decimal] = {}
    opening: dict[str, Decimal] = {}
    booked: dict[str, Decimal] = {}
    fiscal: FiscalYear | None = None
    covered: date | None = None
    try:
        for record in iter_records(path, issues=issues, name=path.name):
            if isinstance(record, Voucher):
                for row in record.transactions():
                    booked[row.account] = booked.get(row.account, Decimal(0)) + row.amount
            elif isinstance(record, Balance) and record.year_index == 0:
                sums = {"UB": closing, "RES": results, "IB": opening}[record.kind]
                sums[record.account] = sums.get(record.account, Decimal(0)) + record.amount
            elif isinstance(record, FiscalYear) and record.year_index == 0:
                fiscal = record
            elif isinstance(record, Coverage):
                covered = record.date
    except SieError as error:
        raise WorkbookError(f"Bokslutsfilen kan inte läsas: {error}") from None
    except OSError as error:
        raise WorkbookError(f"{path}: kan inte läsa filen ({error.strerror}).") from None
    errors = [i for i in issues if getattr(i.severity, "value", i.severity) == "error"]
    if errors:
        raise WorkbookError("Bokslutsfilen har fel: " + "; ".join(str(i) for i in errors[:3]))
    findings: list[Finding] = []
    if not closing and (opening or booked):
        closing = _closing_from_postings(opening, booked)
        results = results or {a: v for a, v in booked.items() if _in(a, [RESULT_ACCOUNTS])}
        findings.append(
            Finding(
                rule="rollover.books-computed",
                severity=Severity.INFO,
                message=(
                    f"{path.name} har inga utgående balanser (#UB); de är beräknade som "
                    "ingående balans (#IB) plus verifikationerna."
                ),
                location=path.name,
            )
        )
    if fiscal is None:
        findings.append(
            Finding(
                rule="rollover.books-year",
                severity=Severity.WARNING,
                message=(
                    f"{path.name} anger inget räkenskapsår (#RAR 0); kontrollera att bokslutet "
                    f"gäller {year}."
                ),
                location=path.name,
            )
        )
    elif fiscal.end.year != year:
        raise WorkbookError(
            f"{path.name}: bokslutet gäller räkenskapsåret {fiscal.start}–{fiscal.end}, men "
            f"arbetsbokens budgetår är {year}; eget kapital vid utgången av {year} behövs."
        )
    accounts = sorted(a for a in closing if _in(a, ranges))
    if not accounts:
        spans = ", ".join(f"{lo}–{hi}" if lo != hi else str(lo) for lo, hi in ranges)
        raise WorkbookError(
            f"{path.name}: inga utgående balanser (#UB 0) för eget kapital-kontona ({spans}). "
            "Ange eget kapital med --eget-kapital, eller koppla kontona i Kontomappning."
        )
    equity = -sum((closing[a] for a in accounts), Decimal(0))
    balance = sum((v for a, v in closing.items() if _in(a, [BALANCE_ACCOUNTS])), Decimal(0))
    result = sum((v for a, v in results.items() if _in(a, [RESULT_ACCOUNTS])), Decimal(0))
    if abs(balance) >= 1:
        if results and abs(balance + result) < 1:
            equity += balance
            findings.append(
                Finding(
                    rule="rollover.books-result",
                    severity=Severity.INFO,
                    message=(
                        f"Årets resultat {kr(balance)} är inte bokfört mot eget kapital i "
                        f"{path.name}; det har räknats med i eget kapital."
                    ),
                    location=path.name,
                )
            )
        else:
            findings.append(
                Finding(
                    rule="rollover.books-unbalanced",
                    severity=Severity.WARNING,
                    message=(
                        f"Balanskontonas utgående saldon i {path.name} summerar till "
                        f"{kr(balance)}, inte 0; kontrollera att filen är komplett. Eget kapital "
                        "är taget från eget kapital-kontona utan justering."
                    ),
                    location=path.name,
                )
            )
    if covered is not None and covered < date(year, 12, 31):
        findings.append(
            Finding(
                rule="rollover.books-partial",
                severity=Severity.WARNING,
                message=(
                    f"{path.name} omfattar bokföringen till och med {covered}; eget kapital "
                    f"{kr(equity)} är preliminärt, inte bokslutets."
                ),
                location=path.name,
            )
        )
    findings.append(
        Finding(
            rule="rollover.books-equity",
            severity=Severity.INFO,
            message=(
                f"Eget kapital vid utgången av {year} enligt {path.name}: {kr(equity)} "
                f"(#UB 0 för konto {', '.join(accounts)}, kredit som positivt eget kapital)."
            ),
            location=path.name,
        )
    )
    return equity, findings


__all__ = [
    "HISTORY_COLUMNS",
    "HISTORY_SHEET",
    "HISTORY_TABLE",
    "closing_equity_from_sie",
    "find_table",
    "next_year",
    "rollover",
    "shift_address",
    "shift_formula",
]
