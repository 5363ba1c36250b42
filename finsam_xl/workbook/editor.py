"""Editing a workbook with openpyxl for next year's workbook, and reading the edit back.

``NextYearEditor`` applies the pure core's ``NextYear`` to a copy of the
workbook loaded with ``keep_vba=True``. Only these parts change:

* the settings rows for the budget year, the number of comparison and plan
  years, the opening equity and its year (the adoption date and the published
  table heading are cleared);
* the year columns of the tables Rader and Medlemmar: headers are relabelled in
  place (the columns slide one year to the left) and the amounts rewritten;
  when the new model has one year more (a budget without comparison years gets
  one) a column is inserted after the last year column and every reference to
  the cells to its right is moved with it (``shift``);
* the "Prognos helår" of each line (the old year's forecast) is cleared; a line
  that is dropped keeps its row, emptied;
* Medelstilldelning is rewritten in year order (rows move like Excel's sort:
  the table's cells with their formats and comments);
* Publicerat is emptied, Avstämning is cleared;
* a row is appended to the table Historik (created on a sheet Historik).

``NextYearEditor.formula_warnings`` then names every formula outside the computed
sheets that the relabelling changes: a structured reference to the year rolled away
(``Rader[2024]`` becomes #NAMN?) and an A1 reference into a year column (which now
holds another year).

Everything else is kept as openpyxl keeps it: user sheets, formats, comments,
defined names, validations, charts, the VBA project (byte-identical) and the
form buttons. What openpyxl drops (docs/next-year.md): cached formula results,
DrawingML shapes and text boxes, customUI ribbons, x14 extensions.
``EditedBook`` reads the edited, unsaved workbook through the ordinary reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from copy import copy
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from finsam_xl.core.next_year import NextYear
from finsam_xl.model import labels as L
from finsam_xl.model import schema as S
from finsam_xl.model.budget import Unit
from finsam_xl.model.findings import Finding, Severity
from finsam_xl.model.money import display_number
from finsam_xl.model.schema import RESULT_SHEETS
from finsam_xl.workbook.reader import ReadResult, TableRange, year_offset
from finsam_xl.xlsx.cells import col_letters, parse_range, put, split_ref
from finsam_xl.xlsx.limits import WorkbookError
from finsam_xl.xlsx.shift import (
    ColumnShift,
    grow_table,
    rename_everywhere,
    set_table_ref,
    shrink_table,
)
from finsam_xl.xlsx.views import OpenpyxlBook, OpenpyxlSheet

HISTORY_SHEET = S.SHEET_HISTORY
HISTORY_TABLE = S.T_HISTORY
HISTORY_COLUMNS = S.HISTORY_COLUMNS
HISTORY_WIDTHS = (18, 36, 14, 14, 120)
FORECAST_HEADER = "Prognos helår"
MAX_CELL_TEXT = 32000


@dataclass(frozen=True)
class YearColumns:
    """How the rollover relabelled one table's year columns (for ``formula_warnings``)."""

    table: str
    sheet: str
    header: str  # the year columns' header, with {} for the year
    rows: tuple[int, int]  # the table's first and last row
    moved: dict[int, tuple[int, int]]  # column -> (old year, new year), old columns only
    dropped: tuple[int, ...]  # the old years no longer in the table


_WHOLE_COLUMNS = re.compile(r"^\$?([A-Za-z]{1,3}):\$?([A-Za-z]{1,3})$")


def _reference_span(address: str) -> tuple[int, int, int, int] | None:
    """(first row, first column, last row, last column) of an A1 reference; None if not one."""
    whole = _WHOLE_COLUMNS.match(address)
    if whole:
        from finsam_xl.xlsx.cells import col_index

        return 1, col_index(whole.group(1).upper()), 1_048_576, col_index(whole.group(2).upper())
    try:
        return parse_range(address.upper())
    except ValueError:
        return None


def _structured_columns(content: str) -> set[str]:
    """The column names a structured reference's brackets name ('[[#Data],[2024]]' -> {'2024'})."""
    names = set()
    for token in re.split(r"[\[\],:@]", content):
        token = token.strip()
        if token and not token.startswith("#"):
            names.add(re.sub(r"'(.)", r"\1", token).casefold())
    return names


@dataclass
class Inserted:
    """Columns inserted on a sheet: ``count`` new columns start at ``at``."""

    sheet: str
    at: int
    count: int


class EditedBook(OpenpyxlBook):
    """BookView over the edited, unsaved workbook; cached values come from the original file.

    Cells the editor writes are values; the cached results of the formulas it
    leaves alone are looked up at their old place in the original file.
    """

    def __init__(self, wb: Any, original: Path, inserted: list[Inserted]) -> None:
        super().__init__(original, wb)
        self.inserted = inserted

    def cached(self, sheet: str, row: int, col: int) -> Any:
        """The original file's cached result for the cell that is now at (row, col)."""
        for shift in reversed(self.inserted):  # undo the latest shift first
            if shift.sheet == sheet and col >= shift.at:
                if col < shift.at + shift.count:
                    return None
                col -= shift.count
        return super().cached(sheet, row, col)


# --- editing --------------------------------------------------------------------------------


def _row_of(address: str | None) -> int | None:
    if not address:
        return None
    match = re.search(r"(\d+)$", address)
    return int(match.group(1)) if match else None


@dataclass
class EditableTable:
    """An openpyxl table and its sheet, to edit; reading goes through the reader's TableRange."""

    ws: Any
    table: Any

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        """(header_row, first_col, last_data_row, last_col)."""
        r1, c1, r2, c2 = parse_range(self.table.ref)
        return r1, c1, r2 - (self.table.totalsRowCount or 0), c2

    def view(self) -> TableRange:
        """The table as the reader sees it (headers and columns as they are now)."""
        name = str(self.table.displayName or self.table.name)
        totals = self.table.totalsRowCount or 0
        return TableRange(OpenpyxlSheet(self.ws), name, self.table.ref, totals)

    def headers(self) -> dict[int, str]:
        """Column -> header text."""
        return self.view().headers

    def col(self, header: str) -> int | None:
        """The column whose header matches (case and spacing ignored)."""
        return self.view().col(header)

    def set_header(self, col: int, text: str) -> None:
        """Set a header cell and the table column's name (Excel requires them equal)."""
        r1, c1, _, _ = self.bounds
        put(self.ws.cell(r1, col), text)
        self.table.tableColumns[col - c1].name = text

    def set_ref(self, r1: int, c1: int, r2: int, c2: int) -> None:
        """Move or resize the table (and its autofilter)."""
        set_table_ref(self.table, r1, c1, r2, c2)

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
            put(cell, None)
            cell.comment = None


def find_table(wb: Any, name: str) -> EditableTable | None:
    """The table ``name`` on any sheet (case-insensitive), or None."""
    for ws in wb.worksheets:
        for table in ws.tables.values():
            if str(table.displayName or table.name).casefold() == name.casefold():
                return EditableTable(ws, table)
    return None


class NextYearEditor:
    """Applies next year's changes (a ``NextYear``) to an openpyxl workbook of the input file."""

    def __init__(self, wb: Any, read: ReadResult, roll: NextYear) -> None:
        assert read.budget is not None
        self.wb = wb
        self.old = read.budget
        self.cells = read.locator.cells
        self.roll = roll
        self.new = roll.budget
        self.tkr = self.new.forbund.unit is Unit.TKR
        self.inserted: list[Inserted] = []
        self.relabelled: list[YearColumns] = []

    def table(self, name: str) -> EditableTable:
        """The input table ``name`` (the reader found it, so it exists)."""
        found = find_table(self.wb, name)
        if found is None:  # the reader found it, so this cannot happen with a readable file
            raise WorkbookError(f"Tabellen '{name}' saknas.")
        return found

    def apply(self) -> None:
        """Every edit of the rollover, in an order where positions stay valid."""
        self.settings()
        member_cols = self.year_columns(S.T_MEMBERS, S.MEMBER_YEAR, S.MEMBER_YEARS.header)
        line_cols = self.year_columns(S.T_LINES, S.LINE_YEAR, S.LINE_YEARS.header)
        self.members(member_cols)
        self.lines(line_cols)
        self.contributions()
        self.actuals()
        self.published()
        self.plan_sheet()
        self.clear_recon()
        self.titles()

    # -- settings --------------------------------------------------------------------------
    def settings(self) -> None:
        """The settings rows: budget year, number of years, opening equity; cleared dates."""
        new, eq = self.new, self.new.equity
        self.set_setting("budget_year", new.years.budget)
        self.set_setting("comparison_years", len(new.years.comparison))
        self.set_setting("plan_years", len(new.years.plan))
        self.set_setting("adopted", None)
        if self.old.revised is not None:
            self.set_setting("revised", None)
        self.set_setting("equity_opening", display_number(eq.opening, self.tkr))
        self.set_setting("equity_opening_year", new.opening_year)
        self.set_setting("table_heading", None)

    def set_setting(self, key: str, value: Any) -> None:
        """Set one settings row by its key (a row is added when it is missing)."""
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
            put(t.ws.cell(row, label_col), S.SETTING_LABELS[key])
        put(t.ws.cell(row, value_col), value)

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
        by_col = {col: year for year, col in found.items() if year in old_years}
        self.relabelled.append(
            YearColumns(
                table=name,
                sheet=t.ws.title,
                header=header,
                rows=(t.bounds[0], t.bounds[2]),
                moved={
                    col: (by_col[col], year)
                    for col, year in zip(slots, new_years, strict=False)
                    if col in by_col and by_col[col] != year
                },
                dropped=tuple(y for y in sorted(by_col.values()) if y not in new_years),
            )
        )
        for col, year in zip(slots, new_years, strict=False):
            t.set_header(col, header.format(year))
        return dict(zip(new_years, slots, strict=False))

    # -- the user's own formulas -----------------------------------------------------------
    def formula_warnings(self) -> list[Finding]:
        """A warning for each formula (outside the computed sheets) the relabelling changes.

        Call after ``apply``. A structured reference to a year no longer in its table
        (``=SUMIFS(Rader[2024];…)``) shows #NAMN? in the new workbook; an A1 reference
        into a year column (``=SUMMA(Rader!D5:D20)``) now counts another year.
        """
        from openpyxl.formula.tokenizer import Token, Tokenizer
        from openpyxl.worksheet.formula import ArrayFormula

        skip = {*RESULT_SHEETS.values(), S.SHEET_STYLES}
        found: list[Finding] = []
        for ws in self.wb.worksheets:
            if ws.title in skip:
                continue
            for cell in sorted(ws._cells.values(), key=lambda c: (c.row, c.column)):
                value = cell.value
                text = value.text if isinstance(value, ArrayFormula) else value
                if not isinstance(text, str) or not text.startswith("="):
                    continue
                try:
                    tokens = Tokenizer(text).items
                except Exception:  # an unparsable formula: Excel will say so itself
                    continue
                refs = [
                    t.value for t in tokens if t.type == Token.OPERAND and t.subtype == Token.RANGE
                ]
                where = f"{ws.title}!{cell.coordinate}"
                found.extend(self._reference_warnings(refs, ws.title, where, text))
        return found

    def _reference_warnings(
        self, refs: list[str], host: str, where: str, formula: str
    ) -> list[Finding]:
        shown = formula if len(formula) <= 120 else formula[:119] + "…"
        out: list[Finding] = []
        for change in self.relabelled:
            dropped = {change.header.format(y).casefold(): y for y in change.dropped}
            hit_dropped: int | None = None
            hit_moved: tuple[str, int, int] | None = None
            for ref in refs:
                table, bracket, content = ref.partition("[")
                if bracket and table:
                    names = _structured_columns(bracket + content)
                    if table.strip().casefold() == change.table.casefold():
                        hit = next((dropped[n] for n in names if n in dropped), None)
                        hit_dropped = hit_dropped or hit
                    continue
                sheet, bang, address = ref.rpartition("!")
                sheet = sheet.strip("'").replace("''", "'") if bang else host
                span = _reference_span(address)
                if sheet != change.sheet or span is None or hit_moved is not None:
                    continue
                r1, c1, r2, c2 = span
                if r2 < change.rows[0] or r1 > change.rows[1]:
                    continue
                for col in sorted(change.moved):
                    if c1 <= col <= c2:
                        old, new = change.moved[col]
                        hit_moved = (ref, old, new)
                        break
            if hit_dropped is not None:
                column = change.header.format(hit_dropped)
                out.append(
                    Finding(
                        rule="rollover.formula-dropped-year",
                        severity=Severity.WARNING,
                        location=where,
                        message=(
                            f"Formeln {shown} hänvisar till kolumnen {column} i tabellen "
                            f"{change.table}, som inte finns i nästa års arbetsbok (året "
                            f"{hit_dropped} rullas bort). Formeln visar #NAMN? tills du ändrar den."
                        ),
                    )
                )
            if hit_moved is not None:
                ref, old, new = hit_moved
                out.append(
                    Finding(
                        rule="rollover.formula-moved-year",
                        severity=Severity.WARNING,
                        location=where,
                        message=(
                            f"Formeln {shown} hänvisar till {ref}, kolumnen för {old} i tabellen "
                            f"{change.table}; i nästa års arbetsbok står {new} där. Kontrollera "
                            f"att formeln ska räkna med {new}"
                            + (
                                f" (året {old} rullas bort)."
                                if old in change.dropped
                                else f", eller skriv den som {change.table}"
                                f"[{change.header.format(old)}]."
                            )
                        ),
                    )
                )
        return out

    def insert_columns(self, t: EditableTable, at: int, count: int) -> None:
        """Insert ``count`` table columns before ``at``, moving every reference to the right."""
        insert_table_columns(self.wb, t, at, count, self.inserted)

    # -- tables -----------------------------------------------------------------------------
    def members(self, cols: dict[int, int]) -> None:
        """Members' fixed amounts per year, in the relabelled year columns."""
        t = self.table(S.T_MEMBERS)
        for i, member in enumerate(self.new.members):
            row = _row_of(self.cells.get(("member", i, "name")))
            if row is None:
                continue
            for year, col in cols.items():
                put(t.ws.cell(row, col), display_number(member.amounts.get(year), self.tkr))

    def lines(self, cols: dict[int, int]) -> None:
        """Lines' amounts per year; dropped lines are emptied; the forecast is cleared."""
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
                    put(t.ws.cell(row, col), display_number(line.amounts.get(year), self.tkr))
                if forecast_col is not None:
                    put(t.ws.cell(row, forecast_col), display_number(line.forecast, self.tkr))

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
                (
                    t.ws.cell(row, c).value,
                    t.ws.cell(row, c).data_type == "f",
                    copy(t.ws.cell(row, c)._style),
                    t.ws.cell(row, c).comment,
                )
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
                    value, formula, style, comment = snapshot[source][i]
                    put(cell, value, formula=formula)
                    cell._style, cell.comment = copy(style), comment
                else:
                    put(cell, None)
                    cell.comment = None
                    if k > 0:
                        cell._style = copy(t.ws.cell(row - 1, col)._style)
            values = {
                "År": entry.year,
                "Inmatning": L.MODE_LABELS[entry.mode],
                "Belopp": display_number(entry.amount, self.tkr),
                "Beslutat": L.YES if entry.decided else L.NO,
            }
            for header, value in values.items():
                col_of = cols.get(header)
                if col_of is not None:
                    put(t.ws.cell(row, col_of), value)
        for row in range(r1 + 1 + len(new), last + 1):
            t.clear_row(row)

    def actuals(self) -> None:
        """Rewrite the Utfall table (the equity history) in year order: the closing year joins.

        A workbook made before the table existed has none; its history then lives
        only in the new budget's findings (nothing is created here).
        """
        found = find_table(self.wb, S.T_ACTUALS)
        if found is None:
            return
        rows = sorted(self.new.actuals, key=lambda a: a.year)
        r1, _, last, _ = found.bounds
        if len(rows) > last - r1:
            found.add_rows(len(rows) - (last - r1))
            r1, _, last, _ = found.bounds
        cols = {c.header: found.col(c.header) for c in S.ACTUAL_COLUMNS}
        for k, actual in enumerate(rows):
            row = r1 + 1 + k
            found.clear_row(row)
            values = {
                "År": actual.year,
                "Medlemsbidrag": display_number(actual.contributions, self.tkr),
                "Kostnader": display_number(actual.costs, self.tkr),
                "Resultat": display_number(actual.result, self.tkr),
                "Eget kapital 31/12": display_number(actual.equity_end, self.tkr),
                "Utfall eller prognos": L.ACTUAL_STATUS_LABELS[actual.status.value],
            }
            for header, value in values.items():
                col = cols.get(header)
                if col is not None:
                    put(found.ws.cell(row, col), value)
        for row in range(r1 + 1 + len(rows), last + 1):
            found.clear_row(row)

    def published(self) -> None:
        """Empty the published totals: they belonged to last year's document."""
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
        """Avstämning and Uppföljning belonged to the old year: empty them below the title."""
        year = self.new.years.budget
        for name, text in (
            (S.N_RECON, f"Ingen avstämning för {year} ännu."),
            (S.N_FOLLOWUP, f"Ingen uppföljning för {year} ännu."),
        ):
            defined = self.wb.defined_names.get(name)
            if defined is None:
                continue
            sheet, row0, _ = split_ref(str(defined.attr_text))
            if sheet not in self.wb.sheetnames:
                continue
            ws = self.wb[sheet]
            for row in ws.iter_rows(min_row=max(1, row0 - 2)):
                for cell in row:
                    if cell.value is not None:
                        put(cell, None)
            put(ws.cell(max(1, row0 - 2), 1), text)

    def titles(self) -> None:
        """Titles that name the budget year (instructions sheet, document properties, and
        the page header of every input sheet)."""
        old = f"Budget {self.old.years.budget} – {self.old.forbund.name}"
        new = f"Budget {self.new.years.budget} – {self.new.forbund.name}"
        if S.SHEET_INSTRUCTIONS in self.wb.sheetnames:
            cell = self.wb[S.SHEET_INSTRUCTIONS]["A1"]
            if cell.value == old:
                put(cell, new)
        if self.wb.properties.title == old:
            self.wb.properties.title = new
        left, right = S.input_header(self.new.forbund.name, self.new.years.budget)
        for name in S.INPUT_SHEETS:
            if name in self.wb.sheetnames:
                head = self.wb[name].oddHeader
                head.left.text = left.replace("&", "&&")
                head.left.font = "-,Bold"
                head.right.text = right


def insert_table_columns(
    wb: Any, t: EditableTable, at: int, count: int, inserted: list[Inserted]
) -> None:
    """Insert ``count`` table columns before ``at``, moving every reference to the right."""
    ColumnShift(wb, t.ws, at, count).apply(skip=t.table)
    grow_table(t.ws, t.table, at, count)
    inserted.append(Inserted(t.ws.title, at, count))


def delete_table_column(wb: Any, t: EditableTable, col: int, inserted: list[Inserted]) -> None:
    """Delete one (empty) table column, moving every reference to its right one to the left."""
    ColumnShift(wb, t.ws, col + 1, -1).apply(skip=t.table)
    shrink_table(t.ws, t.table, col)
    inserted.append(Inserted(t.ws.title, col, -1))


# --- the year headings after the year settings changed (recalc) ------------------------------


@dataclass
class YearChange:
    """What the realignment did or would do, for the findings."""

    renamed: list[str]
    added: list[str]
    removed: list[str]
    refused: list[Finding]


class YearRealigner:
    """Renames the input tables' year headings to the year settings, in Excel's own tables.

    Used by recalc when Budgetår, Antal planår or Antal jämförelseår changed after
    the amounts were typed. Every heading moves by the same number of years
    (``year_offset``: the amounts typed under 2027 become the new budget year's
    when Budgetår went from 2027 to 2026), the header cell and the table column's
    name together, and the structured references of every formula follow
    (``shift.rename_everywhere``). Year columns the settings no longer need are
    deleted and missing ones inserted (``shift.ColumnShift``); Medelstilldelning's
    rows get the same years, and rows for missing years. A column or row that
    holds an amount is never removed: ``plan`` refuses with a finding naming it.
    """

    TABLES = (
        (S.T_LINES, S.LINE_YEAR, S.LINE_YEARS.header),
        (S.T_MEMBERS, S.MEMBER_YEAR, S.MEMBER_YEARS.header),
    )

    def __init__(
        self,
        wb: Any,
        settings_years: list[int],
        budget_year: int,
        table_years: dict[str, list[int]],
    ) -> None:
        self.wb = wb
        self.want = sorted(settings_years)
        self.budget = budget_year
        base = table_years.get(S.T_LINES) or table_years.get(S.T_MEMBERS) or []
        self.offset = year_offset(sorted(base), self.want)
        self.inserted: list[Inserted] = []

    def _year_tables(
        self,
    ) -> Iterator[tuple[str, re.Pattern[str], str, EditableTable, dict[int, int]]]:
        """(name, heading pattern, heading format, table, year -> column) of each input
        table that has year columns."""
        for name, pattern, header in self.TABLES:
            t = find_table(self.wb, name)
            if t is not None and (cols := self._year_cols(t, pattern)):
                yield name, pattern, header, t, cols

    def _year_cols(self, t: EditableTable, pattern: re.Pattern[str]) -> dict[int, int]:
        found: dict[int, int] = {}
        for col, text in t.headers().items():
            match = pattern.match(" ".join(text.split()))
            if match:
                found.setdefault(int(match.group(1)), col)
        return found

    @staticmethod
    def _filled_rows(t: EditableTable, col: int) -> list[int]:
        r1, _, last, _ = t.bounds
        return [r for r in range(r1 + 1, last + 1) if t.ws.cell(r, col).value not in (None, "")]

    def plan(self) -> YearChange:
        """What would change; ``refused`` names every amount that a removal would drop."""
        change = YearChange([], [], [], [])
        for name, _pattern, header, t, cols in self._year_tables():
            moved = [y for y in sorted(cols) if self.offset and y + self.offset in self.want]
            if moved:
                change.renamed.append(
                    f"{name}: {_span(header, moved, 0)} → {_span(header, moved, self.offset)}"
                )
            for year, col in sorted(cols.items()):
                new = year + self.offset
                if new not in self.want:
                    change.removed.append(f"{name}: {header.format(year)}")
                    filled = self._filled_rows(t, col)
                    if filled:
                        where = f"{col_letters(col)}{filled[0]}"
                        change.refused.append(
                            Finding(
                                rule="read.year-column-amounts",
                                severity=Severity.ERROR,
                                message=(
                                    f"Budgetåret eller antalet år har ändrats, så kolumnen "
                                    f"'{header.format(year)}' i tabellen '{name}' behövs inte "
                                    f"längre (åren är nu {self.want[0]}–{self.want[-1]}), men "
                                    f"den har belopp ({len(filled)} st, första i {where}). "
                                    "Inget har ändrats. Flytta beloppen eller töm kolumnen, "
                                    "eller ändra tillbaka Budgetår/Antal planår/Antal "
                                    "jämförelseår i Inställningar, och kör recalc igen."
                                ),
                                location=f"{t.ws.title}!{where}",
                            )
                        )
            shifted = {y + self.offset for y in cols}
            change.added += [f"{name}: {header.format(y)}" for y in self.want if y not in shifted]
        contributions = find_table(self.wb, S.T_CONTRIBUTIONS)
        if contributions is not None:
            self._plan_contributions(contributions, change)
        return change

    def _contribution_rows(self, t: EditableTable) -> list[tuple[int, int]]:
        """(row, year) of Medelstilldelning's rows that have a year."""
        year_col = t.col("År")
        if year_col is None:
            return []
        r1, _, last, _ = t.bounds
        out = []
        for row in range(r1 + 1, last + 1):
            value = t.ws.cell(row, year_col).value
            if isinstance(value, int | float) and not isinstance(value, bool):
                out.append((row, int(value)))
        return out

    def _plan_contributions(self, t: EditableTable, change: YearChange) -> None:
        amount_col = t.col("Belopp")
        rows = self._contribution_rows(t)
        moved = sorted(y for _, y in rows if self.offset and y + self.offset in self.want)
        if moved:
            change.renamed.append(
                f"{S.T_CONTRIBUTIONS}: {_span('{}', moved, 0)} → {_span('{}', moved, self.offset)}"
            )
        for row, year in rows:
            new = year + self.offset
            if new not in self.want:
                change.removed.append(f"{S.T_CONTRIBUTIONS}: {year}")
                value = None if amount_col is None else t.ws.cell(row, amount_col).value
                if value not in (None, ""):
                    where = f"{col_letters(amount_col or 1)}{row}"
                    change.refused.append(
                        Finding(
                            rule="read.year-column-amounts",
                            severity=Severity.ERROR,
                            message=(
                                f"Budgetåret eller antalet år har ändrats, så raden för {year} i "
                                f"tabellen '{S.T_CONTRIBUTIONS}' behövs inte längre (åren är nu "
                                f"{self.want[0]}–{self.want[-1]}), men den har ett belopp. Inget "
                                "har ändrats. Töm beloppet eller ändra tillbaka Budgetår/Antal "
                                "planår i Inställningar, och kör recalc igen."
                            ),
                            location=f"{t.ws.title}!{where}",
                        )
                    )
        have = {y + self.offset for _, y in rows}
        budget_and_plan = [y for y in self.want if y >= self.budget]
        change.added += [f"{S.T_CONTRIBUTIONS}: {y}" for y in budget_and_plan if y not in have]

    def apply(self) -> YearChange:
        """Make the change; nothing is changed when ``plan`` refuses."""
        change = self.plan()
        if change.refused:
            return change
        for _name, pattern, header, t, cols in self._year_tables():
            renames = {
                header.format(y): header.format(y + self.offset)
                for y in cols
                if self.offset and y + self.offset in self.want
            }
            for year, col in cols.items():
                t.set_header(col, header.format(year + self.offset))
            rename_everywhere(self.wb, str(t.table.displayName), renames)
            for year, col in sorted(cols.items(), reverse=True):
                if year + self.offset not in self.want:
                    delete_table_column(self.wb, t, col, self.inserted)
            cols = self._year_cols(t, pattern)
            for year in self.want:
                if year in cols:
                    continue
                later = [c for y, c in cols.items() if y > year]
                at = min(later) if later else max(cols.values()) + 1
                insert_table_columns(self.wb, t, at, 1, self.inserted)
                t.set_header(at, header.format(year))
                for row in range(t.bounds[0] + 1, t.bounds[2] + 1):
                    put(t.ws.cell(row, at), None)
                cols = self._year_cols(t, pattern)
        contributions = find_table(self.wb, S.T_CONTRIBUTIONS)
        if contributions is not None:
            self._apply_contributions(contributions)
        return change

    def _apply_contributions(self, t: EditableTable) -> None:
        year_col, mode_col, decided_col = t.col("År"), t.col("Inmatning"), t.col("Beslutat")
        assert year_col is not None
        rows = self._contribution_rows(t)
        for row, year in rows:
            if year + self.offset in self.want:
                put(t.ws.cell(row, year_col), year + self.offset)
            else:
                t.clear_row(row)
        have = {y + self.offset for _, y in rows if y + self.offset in self.want}
        missing = [y for y in self.want if y >= self.budget and y not in have]
        if not missing:
            return
        template = next((r for r, y in reversed(rows) if y + self.offset in self.want), None)
        r1, c1, last, c2 = t.bounds
        free = [
            r
            for r in range(r1 + 1, last + 1)
            if all(t.ws.cell(r, c).value in (None, "") for c in range(c1, c2 + 1))
        ]
        if len(free) < len(missing):
            t.add_rows(len(missing) - len(free))
            free += list(range(last + 1, t.bounds[2] + 1))
        for row, year in zip(free, missing, strict=False):
            put(t.ws.cell(row, year_col), year)
            for col in (mode_col, decided_col):
                if col is not None and template is not None:
                    put(t.ws.cell(row, col), t.ws.cell(template, col).value)


def _span(header: str, years: list[int], offset: int) -> str:
    """'2024–2028' or 'Fast belopp 2024–2028' (one year: 'Fast belopp 2024')."""
    first, last = years[0] + offset, years[-1] + offset
    return header.format(first if first == last else f"{first}–{last}")


def _pairs(cells: dict[tuple[Any, ...], str], element: str) -> list[tuple[tuple[Any, ...], str]]:
    return [
        (key, address)
        for key, address in cells.items()
        if len(key) == 2 and key[0] == element and key[1] is not None
    ]


# --- history --------------------------------------------------------------------------------


def append_history(wb: Any, source_name: str, roll: NextYear, when: datetime) -> None:
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
            put(ws["A1"], "Historik: tidigare versioner av arbetsboken")
            ws["A1"].font = Font(bold=True, size=14)
            put(ws["A2"], "En rad per nytt år (finsam-xl nytt-ar): varifrån den här boken kom.")
            ws["A2"].font = Font(italic=True, color="555555")
            ws.freeze_panes = "A4"
            _print_setup(ws, roll.budget.forbund.name)
            top = 3
        for i, header in enumerate(HISTORY_COLUMNS, start=1):
            put(ws.cell(top, i), header)
            ws.column_dimensions[col_letters(i)].width = HISTORY_WIDTHS[i - 1]
        table = Table(displayName=HISTORY_TABLE, ref=f"A{top}:E{top + 1}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        table._initialise_columns()
        for column, header in zip(table.tableColumns, HISTORY_COLUMNS, strict=True):
            column.name = header
        ws.add_table(table)
        found = EditableTable(ws, table)
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
        put(cell, value)  # the file name and the texts are text, never a formula
        if header == "Datum":
            cell.number_format = "yyyy-mm-dd hh:mm"
        if header == "Ändringar":
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _print_setup(ws: Any, forbund: str) -> None:
    """Historik prints like the computed sheets: A4 landscape, fitted to the page width,
    the förbund's name in the header, the date and page x of y in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "3:3"
    ws.oddHeader.left.text = forbund.replace("&", "&&")
    ws.oddHeader.right.text = "Historik"
    ws.oddFooter.left.text = "&D"
    ws.oddFooter.right.text = "Sida &P av &N"
