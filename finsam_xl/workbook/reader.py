"""Read the standard workbook into a Budget, tolerant of what people type.

Tables are found by name and columns by header, so reordered or extra columns
and moved tables are fine. Numbers may be text with spaces, non-breaking
spaces or a decimal comma. Formulas are taken from their cached value, or
evaluated when they are plain arithmetic, or refused with a message naming the
cell. A blank amount is never silently a zero: it is reported. Every problem
becomes a Finding located at ``Sheet!Cell``; the reader does not stop at the
first one.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from math import isfinite
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload
from xml.etree import ElementTree as ET

from pydantic import ValidationError

from finsam_xl.model import labels as L
from finsam_xl.model import schema as S
from finsam_xl.model.budget import (
    ActualStatus,
    Budget,
    CostGroup,
    KeyType,
    PaymentFrequency,
    Unit,
)
from finsam_xl.model.findings import Element, Finding, Ref, Severity
from finsam_xl.model.interchange import swedish
from finsam_xl.model.labels import KIND_ORDER, MONTHS_SV
from finsam_xl.model.money import (
    NUMBER_LIMIT,
    AmbiguousNumber,
    NumberTextError,
    NumberTooLarge,
    bounded,
    parse_number_text,
    to_decimal,
    unit_kronor,
)
from finsam_xl.model.schema import RESULT_SHEETS
from finsam_xl.model.text import nfc
from finsam_xl.sheets.layout import PLAN_ROW_INDEX
from finsam_xl.workbook.result_names import result_name_problem
from finsam_xl.xlsx.cells import address, parse_range, split_ref
from finsam_xl.xlsx.formulas import FormulaError, evaluate_formula
from finsam_xl.xlsx.limits import MAX_TABLE_COLS, MAX_TABLE_ROWS
from finsam_xl.xlsx.limits import WorkbookError as WorkbookError  # what read_book raises
from finsam_xl.xlsx.views import BookView, SheetView, is_formula

if TYPE_CHECKING:  # types only: the embedded Lite code does without the module
    from finsam_xl.workbook.read_data import (
        ActualData,
        BandData,
        BudgetData,
        ContributionData,
        CostData,
        DocumentData,
        EquityData,
        IncomeData,
        InsatsData,
        LineData,
        MappingData,
        MemberData,
        PublishedData,
        SettingsData,
        SettingsRead,
        YearsData,
    )

_K = TypeVar("_K")
_V = TypeVar("_V")

_PLAN_FIELDS = {"admin_share_pct": "admin_share"}

#: Whole numbers the settings and tables accept: years, and how many years are shown.
YEAR_RANGE = (2000, 2200)  # the model's own bounds for a budget year
COMPARISON_YEARS_RANGE = (0, 2)  # as the help text in Inställningar says
PLAN_YEARS_RANGE = (0, 5)


def _candidates(ref: Ref) -> list[tuple[Any, ...]]:
    """The keys the reader recorded cells under for ``ref``, the most precise first."""
    e = ref.element
    if e in (Element.MEMBER, Element.COST, Element.INCOME):
        return [
            (e, ref.index, ref.year),
            (e, ref.index, ref.field),
            (e, ref.index, "name"),
            (e, None, None),
        ]
    if e is Element.CONTRIBUTION:
        return [(e, ref.year), (e, None)]
    if e is Element.PUBLISHED:
        if ref.key == "table_heading":
            return [("settings", "table_heading")]
        return [(e, ref.key, ref.year), (e, ref.key, None), (e, None, None)]
    if e is Element.ACTUAL:
        return [(e, ref.year, ref.field), (e, ref.year, None), (e, None, None)]
    if e is Element.MAPPING:
        return [(e, ref.index, ref.field)]
    return _settings_candidates(ref)


def _settings_candidates(ref: Ref) -> list[tuple[Any, ...]]:
    """The keys of the settings table's cells for a settings-like ``ref``."""
    e = ref.element
    if e in (Element.ADOPTED, Element.REVISED):
        return [("settings", e)]
    if e is Element.YEARS:
        return [("settings", "plan_years" if ref.field == "plan" else "budget_year")]
    if e is Element.EQUITY:
        return [("settings", f"equity_{ref.field or 'opening'}"), ("settings", None)]
    if e is Element.SETTINGS:
        return [("settings", ref.field), ("settings", None)]
    if e is Element.FORBUND:
        return [("settings", "forbund")]
    return []


@dataclass
class Locator:
    """Maps model references to workbook cells, as recorded while reading."""

    cells: dict[tuple[Any, ...], str] = field(default_factory=dict)
    plan_anchor: tuple[str, int, int] | None = None
    years: list[int] = field(default_factory=list)

    def locate(self, ref: Ref | None) -> str | None:
        """``Sheet!Cell`` for a reference, or the nearest place known (table, sheet)."""
        if ref is None:
            return None
        if ref.element is Element.PLAN:
            return self._plan_cell(ref)
        for candidate in _candidates(ref):
            if candidate in self.cells:
                return self.cells[candidate]
        return None

    def _plan_cell(self, ref: Ref) -> str | None:
        """The plan sheet's cell of a plan row and year, when the plan's anchor is known."""
        if not self.plan_anchor or ref.year not in self.years:
            return None
        sheet, row, col = self.plan_anchor
        key = _PLAN_FIELDS.get(ref.field or "", ref.field or "")
        if key not in PLAN_ROW_INDEX:
            return None
        return address(sheet, row + 1 + PLAN_ROW_INDEX[key], col + 1 + self.years.index(ref.year))

    def place(self, findings: list[Finding]) -> list[Finding]:
        """The findings with ``location`` filled in where a cell is known."""
        return [
            f if f.location else f.model_copy(update={"location": self.locate(f.ref)})
            for f in findings
        ]


@dataclass
class ReadResult:
    """What the reader found: the budget (None when it could not be built) and the problems."""

    budget: Budget | None
    findings: list[Finding]
    locator: Locator
    #: ``interchange.digest`` of the budget the computed sheets were last computed from
    #: (None: never computed by this version, or unknown).
    computed_from: str | None = None
    #: The status cell ('Plan!A2'), where a finding about the computed sheets is shown.
    status_cell: str | None = None
    #: The years the settings ask for (comparison, budget, plan), when they could be read.
    settings_years: list[int] | None = None
    #: The years the input tables name: table -> years of its headings (Rader, Medlemmar)
    #: or of its rows (Medelstilldelning), in sheet order.
    table_years: dict[str, list[int]] = field(default_factory=dict)
    #: The budget year the settings ask for, when it could be read.
    budget_year: int | None = None


def _plain_number(value: object) -> Decimal | None:
    """A typed number (not text, not a formula) as ``to_decimal`` makes it, when it is in
    bounds; None for anything else, which ``WorkbookReader.number`` reads the long way."""
    if type(value) is float and isfinite(value):
        found = Decimal(int(value)) if value.is_integer() else Decimal(repr(value))
    elif type(value) is int:
        found = Decimal(value)
    else:
        return None
    return found if found.copy_abs() < NUMBER_LIMIT else None


class TableRange:
    """One Excel table as read: header -> column index, and its data rows.

    The reader and the editor of next year's workbook both find columns through it.
    """

    def __init__(self, ws: SheetView, name: str, ref: str, totals: int) -> None:
        try:
            self.header_row, self.first_col, last_row, self.last_col = parse_range(ref)
        except ValueError:
            raise WorkbookError(
                f"{ws.title}: tabellen {name} har ett ogiltigt område {ref}"
            ) from None
        self.ws, self.name = ws, name
        self._prefixes: dict[int, str] = {}
        self.last_row = last_row - totals
        self._bound(ws, name, ref)
        self.columns: dict[str, int] = {}
        self.headers: dict[int, str] = {}
        for col in range(self.first_col, self.last_col + 1):  # bounded by _bound above
            text = ws.value(self.header_row, col)
            self.headers[col] = str(text or "")
            self.columns.setdefault(S.normalise(text), col)

    def _bound(self, ws: SheetView, name: str, ref: str) -> None:
        """Trim the table to its used rows and columns; refuse one too large to be a budget.

        A table over whole columns ($A$3:$S$1048576, as when whole columns were selected
        before inserting it) is read to its last non-empty row; nothing is allocated per
        claimed cell.
        """
        used_col = getattr(ws, "last_col", None)
        last_col = used_col() if callable(used_col) else None
        if isinstance(last_col, int) and self.last_col > max(last_col, self.first_col):
            self.last_col = max(last_col, self.first_col)
        used_row = getattr(ws, "last_row", None)
        last = used_row(self.first_col, self.last_col) if callable(used_row) else None
        if isinstance(last, int) and self.last_row > max(last, self.header_row):
            self.last_row = max(last, self.header_row)
        rows = self.last_row - self.header_row
        cols = self.last_col - self.first_col + 1
        if rows > MAX_TABLE_ROWS or cols > MAX_TABLE_COLS:
            raise WorkbookError(
                f"{ws.title}: tabellen {name} ({ref}) har {rows} rader och {cols} kolumner med "
                f"innehåll; högst {MAX_TABLE_ROWS} rader och {MAX_TABLE_COLS} kolumner kan "
                "läsas. Minska tabellen (Tabelldesign › Ändra storlek på tabell) till de rader "
                "som används."
            )

    def col(self, header: str) -> int | None:
        """The column whose header matches (case and spacing ignored)."""
        return self.columns.get(S.normalise(header))

    def rows(self) -> Iterator[int]:
        """The data rows (totals excluded)."""
        return iter(range(self.header_row + 1, self.last_row + 1))

    def where(self, row: int, col: int) -> str:
        """'Sheet!A1' of a cell (``cells.address``; the 'Sheet!A' of each column made once)."""
        prefix = self._prefixes.get(col)
        if prefix is None:
            prefix = self.prefix(col)
        return f"{prefix}{row}"

    def prefix(self, col: int) -> str:
        """'Sheet!A' of a column: ``where`` is this and the row number."""
        prefix = self._prefixes.get(col)
        if prefix is None:
            prefix = self._prefixes[col] = address(self.ws.title, 0, col)[:-1]
        return prefix

    def row_values(self, row: int) -> list[Any]:
        """The values of one row from the first to the last column (``ws.value`` of each);
        in one call where the view has ``row_values`` (an open workbook's, a file's)."""
        values = getattr(self.ws, "row_values", None)
        if values is not None:
            return list(values(row, self.first_col, self.last_col))
        return [self.ws.value(row, c) for c in range(self.first_col, self.last_col + 1)]


class WorkbookReader:
    """Reads one workbook; collects findings and cell locations as it goes."""

    def __init__(self, name: str, book: BookView) -> None:
        self.name = name
        self.book = book
        self.findings: list[Finding] = []
        self.locator = Locator()
        self.sheet_names: list[str] = []
        self._formulas: dict[tuple[str, int, int], Any] = {}
        self.tables: dict[str, TableRange] = {}
        self.settings_years: list[int] | None = None
        self.table_years: dict[str, list[int]] = {}
        self.budget_year: int | None = None
        self.year_heading_cell: str | None = None
        for ws in book.sheets():
            self.sheet_names.append(ws.title)
            for table in ws.tables():
                found = TableRange(ws, table.name, table.ref, table.totals)
                self.tables[table.name.casefold()] = found

    # -- findings -------------------------------------------------------------------------
    def problem(
        self, rule: str, message: str, where: str | None, severity: Severity = Severity.ERROR
    ) -> None:
        """Record one problem at a place."""
        self.findings.append(
            Finding(rule=rule, severity=severity, message=message, location=where or self.name)
        )

    # -- cells ----------------------------------------------------------------------------
    def raw(self, table: TableRange, row: int, col: int | None) -> Any:
        """A cell's value with formulas resolved; None for blank or unreadable."""
        if col is None:
            return None
        value = table.ws.value(row, col)
        kind = type(value)
        if kind is float or kind is int or value is None:  # most cells: nothing to resolve
            return value
        if is_formula(value):  # the cell's type is formula; text "=1+1" stays text
            key = (table.ws.title, row, col)
            if key not in self._formulas:  # evaluate (and report) each formula cell once
                self._formulas[key] = self._formula(table, row, col, value)
            return self._formulas[key]
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def _formula(self, table: TableRange, row: int, col: int, text: str) -> Any:
        cached = self.book.cached(table.ws.title, row, col)
        if cached is not None:
            return cached
        try:
            return evaluate_formula(text)
        except FormulaError as error:
            shown = text if len(text) <= 60 else f"{text[:57]}…"
            self.problem(
                "read.formula",
                (
                    f"Cellen innehåller formeln {shown} men saknar beräknat värde ({error}). "
                    "Öppna och spara filen i Excel, eller skriv in värdet."
                ),
                table.where(row, col),
            )
            return None

    def text(self, table: TableRange, row: int, col: int | None) -> str | None:
        """A cell as stripped text in NFC (model.text), or None."""
        value = self.raw(table, row, col)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return nfc(str(value).strip()) or None

    def number(
        self,
        table: TableRange,
        row: int,
        col: int | None,
        what: str,
        percent: bool = False,
    ) -> Decimal | None:
        """A cell as Decimal; a non-number is an error at the cell.

        Text numbers follow the number policy (``money.parse_number_text``):
        Swedish forms are read, an ambiguous '1,234' is refused with both
        readings, and a trailing '%' only where ``percent`` (a percentage or a
        key) allows it. A formula's result is bounded like a typed number.
        """
        value = self.raw(table, row, col)
        if value is None or col is None:
            return None
        plain = _plain_number(value)
        if plain is not None:
            return plain
        where = table.where(row, col)
        try:
            if isinstance(value, str) and value.strip().startswith("="):
                self.problem(
                    "read.text-not-number",
                    f"{what}: '{value.strip()}' är text, inte ett tal eller en formel (cellen "
                    "är formaterad som Text eller inledd med apostrof), och Excel räknar inte "
                    "med den i summor. Skriv in beloppet som ett tal.",
                    where,
                )
                return None
            if isinstance(value, str):
                return parse_number_text(value, percent=percent)
            if isinstance(value, datetime | date):
                raise ValueError("ett datum")
            return bounded(to_decimal(value), value)
        except NumberTooLarge as error:
            self.problem("read.number-too-large", f"{what}: {error}.", where)
            return None
        except AmbiguousNumber as error:
            self.problem("read.number-ambiguous", f"{what}: {error}.", where)
            return None
        except NumberTextError as error:
            self.problem("read.not-a-number", f"{what}: {error}.", where)
            return None
        except ValueError:
            self.problem(
                "read.not-a-number", f"{what}: '{value}' är inte ett belopp eller tal.", where
            )
            return None

    def integer(
        self, table: TableRange, row: int, col: int | None, what: str, low: int, high: int
    ) -> int | None:
        """A cell that must hold a whole number between ``low`` and ``high`` (a year, a count).

        2025.9 is not silently cut to 2025: a fraction or a number out of range is
        an error at the cell, and None is returned.
        """
        value = self.number(table, row, col, what)
        if value is None or col is None:
            return None
        if value != value.to_integral_value():
            shown = str(value).replace(".", ",")
            self.problem(
                "read.not-an-integer",
                f"{what}: {shown} är inget heltal; skriv ett helt tal ({low}–{high}).",
                table.where(row, col),
            )
            return None
        if not low <= value <= high:
            self.problem(
                "read.out-of-range",
                f"{what}: {int(value)} ligger utanför det tillåtna {low}–{high}.",
                table.where(row, col),
            )
            return None
        return int(value)

    def day(self, table: TableRange, row: int, col: int | None, what: str) -> date | None:
        """A cell as a date (a real date, or text YYYY-MM-DD)."""
        value = self.raw(table, row, col)
        if value is None or col is None:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            self.problem(
                "read.not-a-date",
                f"{what}: '{value}' är inget datum (ÅÅÅÅ-MM-DD).",
                table.where(row, col),
            )
            return None

    # -- tables ---------------------------------------------------------------------------
    def table(self, name: str, sheet: str, columns: tuple[S.Column, ...]) -> TableRange | None:
        """The table ``name``, checking required columns and merged cells."""
        table = self.tables.get(name.casefold())
        if table is None:
            where = sheet if sheet in self.sheet_names else self.name
            what = f"bladet '{sheet}'" if sheet in self.sheet_names else "arbetsboken"
            self.problem(
                "read.missing-table",
                f"Tabellen '{name}' saknas i {what}; den behövs för budgeten.",
                where,
            )
            return None
        ok = True
        for column in columns:
            if column.required and table.col(column.header) is None:
                self.problem(
                    "read.missing-column",
                    f"Tabellen '{name}' saknar kolumnen '{column.header}'.",
                    table.where(table.header_row, table.first_col),
                )
                ok = False
        for r1, c1, r2, c2 in table.ws.merged():
            if (
                r1 <= table.last_row
                and r2 >= table.header_row
                and c1 <= table.last_col
                and c2 >= table.first_col
            ):
                coord = f"{address(table.ws.title, r1, c1)}:{address('', r2, c2)[1:]}"
                self.problem(
                    "read.merged",
                    f"Sammanfogade celler {coord.split('!')[1]} i tabellen '{name}'; dela upp "
                    "dem så att varje värde har en egen cell.",
                    coord,
                )
                ok = False
        if ok:
            self._below(table)
        return table if ok else None

    def _below(self, table: TableRange, depth: int = 20) -> None:
        """Warn about values typed just below a table: Excel would not count them in."""
        for row in range(table.last_row + 1, table.last_row + 1 + depth):
            if not self.blank(table, row):
                self.problem(
                    "read.below-table",
                    f"Rad {row} under tabellen '{table.name}' har värden men ingår inte i "
                    "tabellen och räknas inte; dra ut tabellen över raden (Excel: Tabelldesign "
                    "› Ändra storlek på tabell; LibreOffice: markera tabellen med raden och "
                    "välj Data › Definiera område) eller skriv in raden i tabellen.",
                    address(table.ws.title, row, table.first_col),
                    Severity.WARNING,
                )
                return

    def blank(self, table: TableRange, row: int) -> bool:
        """True when every cell of the table row is empty."""
        return _blank(table.row_values(row))


def _blank(values: list[Any]) -> bool:
    """True when every value is empty (None or '')."""
    return values.count(None) + values.count("") == len(values)


#: The warning when a LibreOffice save (or another editor) dropped the xlwings Lite code.
LOST_MESSAGE = "Lite-koden saknas; kör finsam-xl lite"


def lost_lite_findings(archive: zipfile.ZipFile, name: str) -> list[Finding]:
    """``workbook.lite_missing`` at ``name:taskpanes.xml`` when the Lite code is lost."""
    from finsam_xl.xlsx.package import TASKPANES, dangling_taskpane  # not in Lite's code

    try:
        part = dangling_taskpane(archive)
    except (ET.ParseError, ValueError, KeyError):
        part = TASKPANES
    if part is None:
        return []
    return [
        Finding(
            rule="workbook.lite_missing",
            severity=Severity.WARNING,
            message=LOST_MESSAGE,
            location=f"{name}:{part}",
        )
    ]


def read_workbook(path: str | Path) -> ReadResult:
    """Read a workbook file into a Budget with located findings.

    The file is read straight from its package XML (``zipview``), which reads
    what openpyxl reads (tests/workbook/test_zipview.py) at a fraction of the
    cost; ``open_workbook`` is for the jobs that edit with openpyxl.
    """
    from finsam_xl.xlsx.zipview import open_zip_view

    path = Path(path)
    view = open_zip_view(path)
    result = read_book(path.name, view)
    result.findings.extend(lost_lite_findings(view.archive, path.name))
    return result


def open_workbook(path: Path, keep_vba: bool = False, keep_links: bool = False) -> Any:
    """Load a workbook with openpyxl (formulas kept) after checking the package is safe.

    ``keep_vba`` and ``keep_links`` are for a load that will be edited and saved.
    Raises ``WorkbookError`` with a Swedish message for a file that cannot be used.
    """
    from finsam_xl.xlsx.safety import inspect_package  # not in Lite's code

    inspect_package(path)
    from openpyxl import load_workbook

    try:
        return load_workbook(path, data_only=False, keep_vba=keep_vba, keep_links=keep_links)
    except Exception as error:  # openpyxl raises many kinds for broken packages
        name = type(error).__name__
        if _xml_refused(error):
            raise WorkbookError(
                f"{path}: filen innehåller otillåtna XML-entiteter (en XML-bomb?) och öppnas inte."
            ) from None
        raise WorkbookError(
            f"{path}: filen kan inte läsas som Excel-arbetsbok ({name}: {error})."
        ) from None


def _xml_refused(error: BaseException) -> bool:
    """True for defusedxml's refusals (entities, DTD, external references), however wrapped."""
    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            return False
        kind = type(seen)
        if kind.__module__.startswith("defusedxml") or any(
            word in kind.__name__ for word in ("Entities", "DTD", "ExternalReference")
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _check_result_names(reader: WorkbookReader, book: BookView) -> None:
    """Report result names that are #REF! or point outside their sheet, as recalc would."""
    tables = {ws.title: [f"{t.name} ({t.ref})" for t in ws.tables()] for ws in book.sheets()}
    for result_name in RESULT_SHEETS:
        problem = result_name_problem(result_name, book.defined_name(result_name), tables)
        if problem:
            reader.problem("workbook.result-name", problem, None)


def read_book(name: str, book: BookView) -> ReadResult:
    """Read any BookView (file, open Excel workbook, remote payload) into a Budget."""
    reader = WorkbookReader(name, book)
    _check_result_names(reader, book)
    data = _build(reader)
    _years_changed(reader)
    budget = None
    if data is not None and not any(
        f.severity is Severity.ERROR and f.rule.startswith("read.") for f in reader.findings
    ):
        try:
            budget = Budget.model_validate(data)
        except ValidationError as error:
            for item in error.errors()[:20]:
                cell = _invalid_cell(reader.locator, tuple(item["loc"]))
                loc = ".".join(str(p) for p in item["loc"])
                reader.problem(
                    "read.invalid",
                    f"Ogiltigt värde: {swedish(item)}"
                    if cell or not loc
                    else f"Ogiltigt värde ({loc}): {swedish(item)}",
                    cell or reader.locator.cells.get(("settings", None)),
                )
    try:
        reader.locator.plan_anchor = split_ref(book.defined_name(S.N_PLAN) or "")
    except ValueError:
        reader.locator.plan_anchor = None
    if budget is not None:
        reader.locator.years = budget.years.all
    computed_from, status_cell = _computed_from(book)
    return ReadResult(
        budget,
        reader.findings,
        reader.locator,
        computed_from,
        status_cell,
        reader.settings_years,
        reader.table_years,
        reader.budget_year,
    )


def _computed_from(book: BookView) -> tuple[str | None, str | None]:
    """The digest the writer stored with the computed sheets, and the status cell's address."""
    status: str | None = None
    try:
        status = address(*split_ref(book.defined_name(S.N_STATUS) or ""))
    except ValueError:
        pass
    try:
        sheet, row, col = split_ref(book.defined_name(S.N_STYLES) or "")
    except ValueError:
        return None, status
    for ws in book.sheets():
        if ws.title == sheet:
            value = ws.value(row + S.DIGEST_ROW_OFFSET, col)
            if isinstance(value, str) and value.startswith(S.DIGEST_PREFIX):
                return value[len(S.DIGEST_PREFIX) :].strip(), status
    return None, status


_ELEMENTS = {"costs": Element.COST, "income": Element.INCOME, "members": Element.MEMBER}


def _invalid_cell(locator: Locator, loc: tuple[Any, ...]) -> str | None:
    """The cell of a model validation error's location, when the reader recorded it.

    ('costs', 0, 'amounts', 2025) is the cell of that line's 2025 amount; a
    location the reader did not record gives None (the settings table is used).
    """
    if len(loc) < 2 or loc[0] not in _ELEMENTS or not isinstance(loc[1], int):
        return None
    rest = loc[2:]
    year = rest[1] if len(rest) > 1 and rest[0] == "amounts" else None
    field = str(rest[0]) if rest and rest[0] != "amounts" else None
    try:
        ref = Ref(
            element=_ELEMENTS[loc[0]], index=loc[1], year=int(year) if year else None, field=field
        )
    except (TypeError, ValueError):
        return None
    return locator.locate(ref)


class _Scale:
    """Amounts typed in the workbook's unit, in kronor (× 1000 in a tkr workbook)."""

    def __init__(self, unit: Unit) -> None:
        self.factor = unit_kronor(unit is Unit.TKR)

    @overload
    def __call__(self, x: Decimal) -> Decimal: ...

    @overload
    def __call__(self, x: None) -> None: ...

    def __call__(self, x: Decimal | None) -> Decimal | None:
        return None if x is None else x * self.factor


def _build(r: WorkbookReader) -> BudgetData | None:
    """Every table read into the Budget's input shape; None when a required table is unusable."""
    settings = _settings(r)
    if settings is None:
        return None
    unit = settings["unit"]
    money = _Scale(unit)
    years = settings["years"]
    all_years = [*years["comparison"], years["budget"], *years["plan"]]
    r.settings_years, r.budget_year = all_years, years["budget"]
    members = _members(r, money, years)
    contributions = _contributions(r, money)
    costs, income = _lines(r, money, all_years, years)
    published = _published(r, money)
    scale_bands = _scale(r, money)
    if members is None or contributions is None or costs is None or published is None:
        return None
    equity: EquityData = {
        "opening": money(settings["equity_opening"]) or Decimal(0),
        "floor": money(settings["equity_floor"]) or Decimal(0),
    }
    if settings["equity_opening_year"] is not None:
        equity["opening_year"] = settings["equity_opening_year"]
    if scale_bands:
        equity["scale"] = scale_bands
    return {
        "forbund": {"name": settings["forbund"], "org_nr": settings["org_nr"], "unit": unit},
        "years": years,
        "adopted": settings["adopted"],
        "revised": settings["revised"],
        "members": members,
        "keys": settings["keys"],
        "contributions": contributions,
        "income": income,
        "costs": costs,
        "equity": equity,
        "settings": _budget_settings(r, settings),
        "published": {**published, "table_heading": settings["table_heading"]},
        "document": settings["document"],
        "actuals": _actuals(r, money, years["budget"]),
    }


def _budget_settings(r: WorkbookReader, settings: SettingsRead) -> SettingsData:
    """The budget's ``settings``: what Inställningar sets of them, and the Kontomappning rules."""
    out: SettingsData = {
        "payment_frequency": settings["payment_frequency"],
        "uplift_pct": settings["uplift"],
    }
    optional: tuple[tuple[str, Decimal | int | None], ...] = (
        ("admin_share_max_pct", settings["admin_share_max_pct"]),
        ("deviation_pct", settings["deviation_pct"]),
        ("deviation_kr", settings["deviation_kr"]),
        ("payment_grace_days", settings["payment_grace_days"]),
        ("frame_min_kr", settings["frame_min_kr"]),
        ("frame_max_kr", settings["frame_max_kr"]),
    )
    out.update({key: value for key, value in optional if value is not None})
    mappings = _mappings(r)
    if mappings:
        out["mappings"] = mappings
    return out


class _SettingsTable:
    """The Inställningar table while it is read: one row per known setting, read by key."""

    def __init__(self, r: WorkbookReader, t: TableRange) -> None:
        self.r, self.t = r, t
        self.value_col = t.col("Värde")
        self.rows = self._rows()
        #: Settings whose value is there but cannot be used (reported at their cell).
        self.unusable: set[str] = set()

    def _rows(self) -> dict[str, int]:
        """Setting key -> row; an unknown label is a warning at its cell."""
        r, t = self.r, self.t
        label_col = t.col("Inställning")
        rows: dict[str, int] = {}
        labels, aliases = _label_index(S.SETTING_LABELS), _label_index(S.SETTING_ALIASES)
        for row in t.rows():
            label = r.text(t, row, label_col)
            wanted = S.normalise(label)  # schema.lookup in each, by one look-up
            key = labels.get(wanted) or aliases.get(wanted)
            if key:
                rows[key] = row
                r.locator.cells[("settings", key)] = t.where(row, self.value_col or 1)
            elif label:
                r.problem(
                    "read.setting-unknown",
                    f"Inställningen '{label}' är okänd och används inte; kontrollera stavningen "
                    "(se Förklaring och docs/workbook.md).",
                    t.where(row, label_col or 1),
                    Severity.WARNING,
                )
        r.locator.cells[("settings", None)] = t.where(t.header_row, t.first_col)
        return rows

    def raw(self, key: str) -> Any:
        """The setting's value as typed, None when absent or blank."""
        return self.r.raw(self.t, self.rows[key], self.value_col) if key in self.rows else None

    def text(self, key: str) -> str | None:
        """The setting as text."""
        return self.r.text(self.t, self.rows[key], self.value_col) if key in self.rows else None

    def number(self, key: str) -> Decimal | None:
        """The setting as a number (a percentage where the key says so)."""
        if key not in self.rows:
            return None
        percent = key.endswith("_pct") or key.startswith("uplift_")
        return self.r.number(
            self.t, self.rows[key], self.value_col, S.SETTING_LABELS[key], percent=percent
        )

    def integer(self, key: str, low: int, high: int) -> int | None:
        """The setting as a whole number in ``low``–``high``; a value out of it is unusable."""
        if key not in self.rows:
            return None
        value = self.r.integer(
            self.t, self.rows[key], self.value_col, S.SETTING_LABELS[key], low, high
        )
        if value is None and self.raw(key) is not None:
            self.unusable.add(key)  # reported at its cell by r.integer
        return value

    def day(self, key: str) -> date | None:
        """The setting as a date."""
        if key not in self.rows:
            return None
        return self.r.day(self.t, self.rows[key], self.value_col, S.SETTING_LABELS[key])

    def required(self, key: str, value: _V | None) -> _V | None:
        """``value``, read from a setting the budget cannot do without: when the cell is
        empty, that is an error (a value that cannot be used was reported at its cell)."""
        if value is None and self.raw(key) is None:
            t = self.t
            self.r.problem(
                "read.setting-missing",
                f"Inställningen '{S.SETTING_LABELS[key]}' saknas eller är tom.",
                self.r.locator.cells.get(("settings", key), t.where(t.header_row, t.first_col)),
            )
        return value

    def choice(self, key: str, labels: Mapping[_K, str], default: _K) -> _K:
        """The key of the label typed (or the key itself typed); else ``default``, and an
        invalid choice is an error at the cell."""
        value = self.text(key)
        if value is None:
            return default
        found = _label_index(labels).get(S.normalise(value))
        if found is None:
            found = next((k for k in labels if S.normalise(k) == S.normalise(value)), None)
        if found is None:
            self.r.problem(
                "read.setting-invalid",
                f"'{value}' är inget giltigt val för "
                f"'{S.SETTING_LABELS[key]}'; välj {', '.join(labels.values())}.",
                self.r.locator.cells[("settings", key)],
            )
            return default
        return found


def _label_index(labels: Mapping[_K, str]) -> dict[str, _K]:
    """Normalised label -> key, the first key of a label winning: ``schema.lookup`` for any
    key type, and by one look-up for the tables read row by row."""
    index: dict[str, _K] = {}
    for key, label in labels.items():
        index.setdefault(S.normalise(label), key)
    return index


def _settings(r: WorkbookReader) -> SettingsRead | None:
    """The Inställningar table; None when a setting the budget needs is missing or unusable."""
    t = r.table(S.T_SETTINGS, S.SHEET_SETTINGS, S.SETTINGS_COLUMNS)
    if t is None:
        return None
    s = _SettingsTable(r, t)
    name = s.required("forbund", s.text("forbund"))
    budget_year = s.required("budget_year", s.integer("budget_year", *YEAR_RANGE))
    opening = s.required("equity_opening", s.number("equity_opening"))
    n_comp = s.integer("comparison_years", *COMPARISON_YEARS_RANGE)
    n_plan = s.integer("plan_years", *PLAN_YEARS_RANGE)
    if budget_year is None or opening is None or name is None:
        return None
    if s.unusable & {"comparison_years", "plan_years"}:
        return None  # a count of years that cannot be used: the year columns would be wrong
    by = budget_year
    years: YearsData = {
        "comparison": list(range(by - (n_comp or 0), by)),
        "budget": by,
        "plan": list(range(by + 1, by + 1 + (2 if n_plan is None else n_plan))),
    }
    opening_year = _opening_year(s, years)
    adopted, revised = s.day("adopted"), s.day("revised")
    uplift = {g: v for g in CostGroup if (v := s.number(f"uplift_{g.value}")) is not None}
    return {
        "forbund": name,
        "org_nr": s.text("org_nr"),
        "unit": s.choice("unit", L.UNIT_LABELS, Unit.KR),
        "years": years,
        "adopted": adopted,
        "revised": revised,
        "equity_opening": opening,
        "equity_floor": s.number("equity_floor"),
        "equity_opening_year": opening_year,
        "admin_share_max_pct": s.number("admin_share_max_pct"),
        "deviation_pct": s.number("deviation_pct"),
        "deviation_kr": s.number("deviation_kr"),
        "payment_grace_days": s.integer("payment_grace_days", 0, 366),
        "frame_min_kr": s.number("frame_min_kr"),
        "frame_max_kr": s.number("frame_max_kr"),
        "payment_frequency": s.choice("payment_frequency", L.FREQUENCY_LABELS, PaymentFrequency.AR),
        "keys": {
            "stat": s.choice("key_stat", L.KEY_LABELS, KeyType.LIKA),
            "region": s.choice("key_region", L.KEY_LABELS, KeyType.LIKA),
            "kommun": s.choice("key_kommun", L.KEY_LABELS, KeyType.BEFOLKNING),
            "note": s.text("key_note"),
        },
        "table_heading": s.text("table_heading"),
        "uplift": uplift,
        "document": _document(s),
    }


def _opening_year(s: _SettingsTable, years: YearsData) -> int | None:
    """The year the opening equity is for; one outside the budget's years is an error."""
    opening_year = s.integer("equity_opening_year", *YEAR_RANGE)
    first, by = years["comparison"][0] if years["comparison"] else years["budget"], years["budget"]
    last = years["plan"][-1] if years["plan"] else by
    if opening_year is not None and not first <= opening_year <= last:
        s.r.problem(
            "read.out-of-range",
            f"{S.SETTING_LABELS['equity_opening_year']}: {opening_year} är inte ett av "
            f"budgetens år {first}–{last}; ange året som det ingående egna "
            f"kapitalet gäller, oftast budgetåret {by}.",
            s.r.locator.cells[("settings", "equity_opening_year")],
        )
        return None  # reported; the budget is not built, the rest is still read
    return opening_year


def _document(s: _SettingsTable) -> DocumentData:
    """The budget table's layout settings; rows absent (older workbooks) keep the defaults."""
    yes_no: dict[bool | None, str] = {True: L.YES, False: L.NO}
    out: DocumentData = {}
    for key in S.SETTING_LABELS:
        if not key.startswith("doc_") or key == "doc_comparison_kinds":
            continue
        field = key.removeprefix("doc_")
        if field in S.DOC_FLAGS:
            if s.text(key) is not None:
                flag = s.choice(key, yes_no, None)
                if flag is not None:
                    out[field] = flag
        elif (value := s.text(key)) is not None:
            out[field] = value
    kinds_text = s.text("doc_comparison_kinds")
    if kinds_text:
        out["comparison_kinds"] = _comparison_kinds(s.r, kinds_text)
    return out


def _comparison_kinds(r: WorkbookReader, text: str) -> list[str]:
    """The kinds of the comparison years ('Utfall, Budget'); an unknown one is an error."""
    kinds = []
    for part in re.split(r"[,;/]|\s+och\s+", text):
        if not part.strip():
            continue
        kind = S.lookup({k.value: v for k, v in L.COMPARISON_LABELS.items()}, part)
        if kind is None:
            r.problem(
                "read.setting-invalid",
                f"'{part.strip()}' är inget giltigt val för "
                f"'{S.SETTING_LABELS['doc_comparison_kinds']}'; välj "
                f"{', '.join(L.COMPARISON_LABELS.values())}.",
                r.locator.cells.get(("settings", "doc_comparison_kinds")),
            )
            continue
        kinds.append(kind)
    return kinds


#: At most this many rows of the Utfall table are read (a history, not a ledger).
MAX_ACTUAL_ROWS = 200
#: The Utfall table's amount columns and their fields.
_ActualField = Literal["contributions", "costs", "result", "equity_end"]
_ACTUAL_FIELDS: tuple[tuple[str, _ActualField], ...] = (
    ("Medlemsbidrag", "contributions"),
    ("Kostnader", "costs"),
    ("Resultat", "result"),
    ("Eget kapital 31/12", "equity_end"),
)


def _actuals(r: WorkbookReader, money: _Scale, budget_year: int) -> list[ActualData]:
    """Past years from the optional Utfall table (absent in workbooks made before it).

    Only years before the budget year belong here: a later one is an error at its cell.
    """
    if S.T_ACTUALS.casefold() not in r.tables:
        return []
    t = r.table(S.T_ACTUALS, S.SHEET_ACTUALS, S.ACTUAL_COLUMNS)
    if t is None:
        return []
    cols = {c.header: t.col(c.header) for c in S.ACTUAL_COLUMNS}
    r.locator.cells[("actual", None, None)] = t.where(t.header_row, t.first_col)
    out: list[ActualData] = []
    seen: set[int] = set()
    for row in t.rows():
        if r.blank(t, row):
            continue
        if len(out) >= MAX_ACTUAL_ROWS:
            r.problem(
                "read.actuals-size",
                f"Tabellen '{S.T_ACTUALS}' har fler än {MAX_ACTUAL_ROWS} år; resten läses inte.",
                t.where(row, t.first_col),
                Severity.WARNING,
            )
            break
        year = r.number(t, row, cols["År"], "År")
        if year is None or year != year.to_integral_value() or not 1990 <= year <= 2200:
            r.problem(
                "read.actuals-year", "Raden saknar ett giltigt år.", t.where(row, cols["År"] or 1)
            )
            continue
        if int(year) in seen:
            r.problem(
                "read.actuals-year",
                f"Året {int(year)} finns redan i tabellen.",
                t.where(row, cols["År"] or 1),
            )
            continue
        if int(year) >= budget_year:
            r.problem(
                "read.actuals-year",
                f"Utfall för {int(year)} kan inte finnas: tabellen '{S.T_ACTUALS}' gäller åren "
                f"före budgetåret {budget_year}. Rätta året, eller ta bort raden.",
                t.where(row, cols["År"] or 1),
            )
            continue
        seen.add(int(year))
        r.locator.cells[("actual", int(year), None)] = t.where(row, cols["År"] or 1)
        status_text = r.text(t, row, cols["Utfall eller prognos"])
        status = (
            S.lookup(L.ACTUAL_STATUS_LABELS, status_text) if status_text else ActualStatus.UTFALL
        )
        if status is None:
            r.problem(
                "read.actuals-status",
                f"'{status_text}' är inget val; ange "
                f"{' eller '.join(L.ACTUAL_STATUS_LABELS.values())}.",
                t.where(row, cols["Utfall eller prognos"] or 1),
            )
            status = ActualStatus.UTFALL
        entry: ActualData = {"year": int(year), "status": status}
        for header, key in _ACTUAL_FIELDS:
            value = r.number(t, row, cols[header], f"{header} {int(year)}")
            if cols[header]:
                r.locator.cells[("actual", int(year), key)] = t.where(row, cols[header] or 1)
            if value is not None:
                entry[key] = money(value)
        out.append(entry)
    return out


#: Excel renames a copied column whose header already exists: '2026' becomes '20262'.
_EXCEL_COPY = re.compile(r"^(\d{4})([2-9])$")


def _year_columns(r: WorkbookReader, t: TableRange, pattern: re.Pattern[str]) -> dict[int, int]:
    """Year -> column of a table's year columns; a year given twice is an error at the copy.

    The first column of a year is used; a second one (typed twice, or a copy that
    Excel renamed from '2026' to '20262') is reported, since its amounts would
    otherwise be dropped or counted instead of the first without a word.
    """
    found: dict[int, int] = {}
    for col, header in t.headers.items():
        text = " ".join(header.split())
        match = pattern.match(text)
        if match:
            year = int(match.group(1))
            if year in found:
                first = address("", t.header_row, found[year])[1:]
                r.problem(
                    "read.year-column-duplicate",
                    f"Tabellen '{t.name}' har två kolumner för {year} ({first} och "
                    f"{address('', t.header_row, col)[1:]}); ta bort den ena. Bara den första "
                    "används.",
                    t.where(t.header_row, col),
                )
            else:
                found[year] = col
    for col, header in t.headers.items():
        copy = _EXCEL_COPY.match(header.strip())
        if copy and int(copy.group(1)) in found:
            r.problem(
                "read.year-column-duplicate",
                f"Kolumnen '{header.strip()}' i tabellen '{t.name}' ser ut att vara en kopia av "
                f"kolumnen för {copy.group(1)} (Excel döper om en dubblett så); dess belopp räknas "
                "inte. Ta bort kolumnen eller skriv rätt år i rubriken.",
                t.where(t.header_row, col),
            )
    return found


def _missing_year_columns(
    r: WorkbookReader,
    t: TableRange,
    year_cols: dict[int, int],
    years: YearsData,
    header: str,
    severity: Severity,
    consequence: str,
) -> None:
    """Say which of the budget's years have no column in ``t`` (after Budgetår changed)."""
    needed = [years["budget"], *years["plan"]]
    missing = [y for y in needed if y not in year_cols]
    if not missing:
        return
    last = max(year_cols.values(), default=t.first_col)
    names = ", ".join(f"'{header.format(y)}'" for y in missing)
    plural = "kolumnerna" if len(missing) > 1 else "kolumnen"
    role = "budgetåret" if missing == [years["budget"]] else "planåret"
    if len(missing) > 1:
        role = "åren"
    r.problem(
        "read.year-column-missing",
        f"Tabellen '{t.name}' saknar {plural} {names} för {role} "
        f"{', '.join(map(str, missing))} (Budgetår {years['budget']}, "
        f"{len(years['plan'])} planår); lägg till {plural} till höger om "
        f"{address('', t.header_row, last)[1:]}. {consequence}",
        t.where(t.header_row, last),
        severity,
    )


def year_offset(have: list[int], want: list[int]) -> int:
    """How many years the headings ``have`` move to meet the settings' years ``want``.

    The shift that puts most headings on a wanted year; among equals the smallest
    one, so a changed number of plan or comparison years keeps the headings that
    are right and only adds or removes at the ends.
    """
    if not have or not want:
        return 0
    targets = set(want)
    candidates = {0} | {w - h for w in want for h in have}
    best = max(candidates, key=lambda d: (len({h + d for h in have} & targets), -abs(d), -d))
    return best


def years_disagree(settings_years: list[int] | None, table_years: dict[str, list[int]]) -> bool:
    """True when a year the settings ask for has no heading in Rader or Medlemmar (Budgetår,
    Antal planår or Antal jämförelseår changed after the amounts were typed): recalc then
    renames the headings (``editor.YearRealigner``). A year column left over beside all the
    wanted ones is not a disagreement: ``lines.year-outside`` names it if it has amounts."""
    if not settings_years:
        return False
    for name in (S.T_LINES, S.T_MEMBERS):
        have = table_years.get(name)
        if have and any(year not in have for year in settings_years):
            return True
    return False


def _years_changed(r: WorkbookReader) -> None:
    """One finding when the year settings and the tables' year headings disagree.

    The year-column findings and the blank-amount note that follow from it are held
    back: they name the same cause in pieces, and recalc repairs the whole.
    """
    if not years_disagree(r.settings_years, r.table_years) or r.settings_years is None:
        return
    if any(f.rule == "read.year-column-duplicate" for f in r.findings):
        r.table_years.clear()  # a year typed twice is fixed first; no renaming around it
        return
    want = r.settings_years
    have = r.table_years.get(S.T_LINES) or r.table_years.get(S.T_MEMBERS) or []
    follow = ("read.year-column-missing", "read.blank-amount")
    r.findings = [f for f in r.findings if f.rule not in follow]
    shown = f"{min(have)}–{max(have)}" if have else "inga år"
    r.problem(
        "read.years-changed",
        f"Budgetåret eller antalet år är ändrat: åren i Inställningar ({want[0]}–{want[-1]}, "
        f"Budgetår {r.budget_year}) stämmer inte "
        f"med tabellernas årsrubriker (Rader: {shown}); Medlemmars kolumner 'Fast belopp ÅÅÅÅ' "
        "och Medelstilldelningens år hör till samma år. Kör 'finsam-xl berakna ARBETSBOK': den "
        "byter årsrubrikerna i Rader och Medlemmar och åren i Medelstilldelning, lägger till "
        "tomma årskolumner som fattas och tar bort tomma som inte behövs; inga belopp tas bort. "
        "Knappen Beräkna kan inte ändra tabellernas kolumner: spara och stäng arbetsboken och "
        "kör recalc (eller Nytt år, om det är nästa års budget du vill göra). Eller byt "
        "rubrikerna själv, eller ändra tillbaka Budgetår/Antal planår/Antal jämförelseår.",
        r.year_heading_cell,
    )
    r.findings[-1] = r.findings[-1].model_copy(update={"cause": True})  # shown first


def _members(
    r: WorkbookReader, money: _Scale, years: YearsData | None = None
) -> list[MemberData] | None:
    t = r.table(S.T_MEMBERS, S.SHEET_MEMBERS, S.MEMBER_COLUMNS)
    if t is None:
        return None
    r.locator.cells[("member", None, None)] = t.where(t.header_row, t.first_col)
    name_col, kind_col, key_col = (t.col(c.header) for c in S.MEMBER_COLUMNS)
    year_cols = _year_columns(r, t, S.MEMBER_YEAR)
    r.table_years[S.T_MEMBERS] = sorted(year_cols, key=year_cols.__getitem__)
    members: list[MemberData] = []
    for row in t.rows():
        if r.blank(t, row):
            continue
        i = len(members)
        name = r.text(t, row, name_col)
        kind_text = r.text(t, row, kind_col)
        kind = S.lookup({k.value: v for k, v in L.KIND_LABELS.items()}, kind_text) or (
            kind_text.casefold() if kind_text and kind_text.casefold() in KIND_ORDER else None
        )
        if not name:
            r.problem("read.member-name", "Medlemmen saknar namn.", t.where(row, name_col or 1))
            continue
        if kind is None:
            r.problem(
                "read.member-kind",
                f"{name}: typen '{kind_text or ''}' är okänd; ange "
                f"{', '.join(L.KIND_LABELS.values())}.",
                t.where(row, kind_col or 1),
            )
            continue
        for key, col in (("name", name_col), ("kind", kind_col), ("key", key_col)):
            if col:
                r.locator.cells[("member", i, key)] = t.where(row, col)
        amounts = {}
        for year, col in year_cols.items():
            value = r.number(t, row, col, f"{name}, fast belopp {year}")
            r.locator.cells[("member", i, year)] = t.where(row, col)
            if value is not None:
                amounts[year] = money(value)
        members.append(
            {
                "name": name,
                "kind": kind,
                "key": r.number(t, row, key_col, f"{name}, nyckelvärde", percent=True),
                "amounts": amounts,
            }
        )
    if years is not None and any(m["amounts"] for m in members):
        _missing_year_columns(
            r,
            t,
            year_cols,
            years,
            S.MEMBER_YEARS.header,
            Severity.WARNING,
            "Utan den betalar medlemmarna det året sin andel enligt nyckeln, inte ett fast belopp.",
        )
    return members


def _contributions(r: WorkbookReader, money: _Scale) -> list[ContributionData] | None:
    t = r.table(S.T_CONTRIBUTIONS, S.SHEET_CONTRIBUTIONS, S.CONTRIBUTION_COLUMNS)
    if t is None:
        return None
    r.locator.cells[("contribution", None)] = t.where(t.header_row, t.first_col)
    year_col, mode_col, amount_col, decided_col = (t.col(c.header) for c in S.CONTRIBUTION_COLUMNS)
    out = []
    for row in t.rows():
        if r.blank(t, row):
            continue
        if r.raw(t, row, year_col) is None:
            r.problem("read.contribution-year", "Raden saknar år.", t.where(row, year_col or 1))
            continue
        year = r.integer(t, row, year_col, "År", *YEAR_RANGE)
        if year is None:
            continue
        mode_text = r.text(t, row, mode_col)
        mode = S.lookup({k.value: v for k, v in L.MODE_LABELS.items()}, mode_text) or "total"
        if mode_text and not S.lookup({k.value: v for k, v in L.MODE_LABELS.items()}, mode_text):
            r.problem(
                "read.contribution-mode",
                f"'{mode_text}' är inget val; ange {' eller '.join(L.MODE_LABELS.values())}.",
                t.where(row, mode_col or 1),
            )
        amount = r.number(t, row, amount_col, f"Medelstilldelning {year}")
        decided = S.normalise(r.text(t, row, decided_col) or L.YES) != S.normalise(L.NO)
        r.locator.cells[("contribution", year)] = t.where(row, amount_col or 1)
        r.table_years.setdefault(S.T_CONTRIBUTIONS, []).append(year)
        entry: ContributionData = {
            "year": year,
            "mode": mode,
            "amount": money(amount),
            "decided": decided,
        }
        out.append(entry)
    return out


#: The cells of a line that findings about its name, group and netting point at.
_LINE_FIELDS = (("name", "Benämning"), ("group", "Grupp"), ("netted", "Nettoredovisas"))


class _LineTable:
    """The Rader table while it is read: its columns, its year columns, the years wanted.

    A line is read from its row's values (``TableRange.row_values``, one look-up per row):
    a blank, a plain text, a typed number or a date is taken as it is; anything else (a
    formula, a number typed as text, a bad value) goes the general way, ``WorkbookReader``'s
    ``text``, ``number`` and ``day``, in the same order, so each finding is made as there.
    """

    def __init__(
        self,
        r: WorkbookReader,
        t: TableRange,
        money: _Scale,
        all_years: list[int],
        years: YearsData,
    ) -> None:
        self.r, self.t, self.money = r, t, money
        r.locator.cells[("cost", None, None)] = r.locator.cells[("income", None, None)] = t.where(
            t.header_row, t.first_col
        )
        self.c = {col.header: t.col(col.header) for col in S.LINE_COLUMNS}
        self.year_cols = _year_columns(r, t, S.LINE_YEAR)
        r.table_years[S.T_LINES] = sorted(self.year_cols, key=self.year_cols.__getitem__)
        first_year = min(self.year_cols.values(), default=t.first_col)
        r.year_heading_cell = t.where(t.header_row, first_year)
        _missing_year_columns(
            r,
            t,
            self.year_cols,
            years,
            "{}",
            Severity.ERROR,
            "Utan den räknas årets kostnader och intäkter som 0.",
        )
        #: The years whose blank amount cell is noted (budget and plan years asked for).
        self.noted = {y for y in self.year_cols if y >= years["budget"] and y in all_years}
        self.groups = _label_index({k.value: v for k, v in L.GROUP_LABELS.items()})
        self.cost, self.income = S.normalise(L.LINE_TYPE_COST), S.normalise(L.LINE_TYPE_INCOME)
        self.yes, self.no = S.normalise(L.YES), S.normalise(L.NO)
        #: (label, years, cell) of the lines with some amounts but blank cells in wanted years.
        self.blank_lines: list[tuple[str, list[int], str]] = []
        first = t.first_col
        #: Header -> index of its column in a row's values (None: no such column).
        self.at = {h: None if col is None else col - first for h, col in self.c.items()}
        #: (year, column, index in the row's values, 'Rader!C') of each year column.
        self.years = [(y, col, col - first, t.prefix(col)) for y, col in self.year_cols.items()]
        #: (locator key, 'Rader!A') of the name, group and netting cells present.
        self.fields = [(key, t.prefix(self.c[h] or 0)) for key, h in _LINE_FIELDS if self.c[h]]
        self._normalised: dict[str, str] = {}
        #: A typed amount (float) -> its Decimal in kronor: amounts repeat over the lines.
        self.scaled: dict[float, Decimal] = {}

    def normalise(self, text: str) -> str:
        """``schema.normalise``, each text once (types, groups and yes/no repeat per line)."""
        found = self._normalised.get(text)
        if found is None:
            found = self._normalised[text] = S.normalise(text)
        return found

    def text(self, row: int, values: list[Any], header: str) -> str | None:
        """``WorkbookReader.text`` of a column of the row."""
        i = self.at[header]
        if i is None:
            return None
        value = values[i]
        if type(value) is str:  # plain text (a formula is a Formula)
            text = value.strip()
            return (text if text.isascii() else nfc(text)) or None
        if value is None:
            return None
        return self.r.text(self.t, row, self.t.first_col + i)

    def number(
        self, row: int, values: list[Any], header: str, label: str, what: str
    ) -> Decimal | None:
        """``WorkbookReader.number`` of a column of the row, named '<label>, <what>'."""
        i = self.at[header]
        if i is None:
            return None
        value = values[i]
        if value is None:
            return None
        plain = _plain_number(value)
        if plain is not None:
            return plain
        return self.r.number(self.t, row, self.t.first_col + i, f"{label}, {what}")

    def day(self, row: int, values: list[Any], header: str, label: str, what: str) -> date | None:
        """``WorkbookReader.day`` of a column of the row, named '<label>, <what>'."""
        i = self.at[header]
        if i is None:
            return None
        value = values[i]
        if value is None:
            return None
        if type(value) is datetime:
            return value.date()
        return self.r.day(self.t, row, self.t.first_col + i, f"{label}, {what}")

    def is_income(self, row: int, values: list[Any]) -> bool | None:
        """True for an income line, False for a cost line, None (reported) for an unknown type."""
        r, t, c = self.r, self.t, self.c
        kind = self.normalise(self.text(row, values, "Typ") or L.LINE_TYPE_COST)
        if kind == self.income:
            return True
        if kind == self.cost:
            return False
        r.problem(
            "read.line-type",
            f"Typen '{r.text(t, row, c['Typ'])}' är okänd; ange "
            f"{L.LINE_TYPE_COST} eller {L.LINE_TYPE_INCOME}.",
            t.where(row, c["Typ"] or 1),
        )
        return None

    def amounts(
        self, row: int, values: list[Any], element: Element, index: int, label: str
    ) -> tuple[dict[int, Decimal], list[int]]:
        """The line's amount per year, and the wanted years whose cell is blank."""
        r, t, cells, factor, scaled = (
            self.r,
            self.t,
            self.r.locator.cells,
            self.money.factor,
            self.scaled,
        )
        amounts: dict[int, Decimal] = {}
        blanks = []
        at = str(row)
        for year, col, i, prefix in self.years:
            cells[(element, index, year)] = prefix + at
            value = values[i]
            amount = scaled.get(value) if type(value) is float else None
            if amount is None:
                found = _plain_number(value)  # a typed amount, as r.number reads it
                if found is not None:
                    amount = found * factor
                    if type(value) is float:
                        scaled[value] = amount
                elif value is not None:
                    found = r.number(t, row, col, f"{label}, {year}")
                    amount = None if found is None else found * factor
            if amount is not None:
                amounts[year] = amount
            elif year in self.noted and value in (None, ""):
                blanks.append(year)
        return amounts, blanks

    def common(
        self, row: int, values: list[Any], is_income: bool, index: int
    ) -> tuple[str, LineData]:
        """What every line has: name, amounts, forecast, phasing, heading, cost centre, account.

        Returns the line's label in messages (its name, or its row) with the data.
        """
        r, t, c = self.r, self.t, self.c
        name = self.text(row, values, "Benämning") or ""
        element = Element.INCOME if is_income else Element.COST
        label = name or f"rad {row}"
        amounts, blanks = self.amounts(row, values, element, index, label)
        ended = (
            self.day(row, values, "Projektslut", label, "projektslut") if not is_income else None
        )
        if ended is not None:  # an insats that has ended has no amounts after its period
            blanks = [y for y in blanks if y <= ended.year]
        if blanks and amounts:
            self.blank_lines.append((label, blanks, t.where(row, self.year_cols[blanks[0]])))
        at = str(row)
        for key, prefix in self.fields:
            r.locator.cells[(element, index, key)] = prefix + at
        forecast = self.number(row, values, "Prognos helår", label, "prognos helår")
        phasing_col = c["Periodisering"]
        phasing = (
            None
            if phasing_col is None or values[phasing_col - t.first_col] is None
            else _phasing(r, t, row, phasing_col, label)
        )
        return label, {
            "name": name,
            "forecast": self.money(forecast),
            "phasing": phasing,
            "section": self.text(row, values, "Rubrik"),
            "cost_centre": self.text(row, values, "Kostnadsställe"),
            "account": self.text(row, values, "Konto"),
            "amounts": amounts,
        }

    def income_line(self, row: int, values: list[Any], index: int) -> IncomeData:
        """One income line of Rader."""
        _label, common = self.common(row, values, True, index)
        netted = self.text(row, values, "Nettoredovisas") or L.NO
        return {**common, "netted": self.normalise(netted) == self.yes}

    def cost_line(self, row: int, values: list[Any], index: int) -> CostData | None:
        """One cost line of Rader; None when its group is unknown (an error at its cell)."""
        r, t, c = self.r, self.t, self.c
        label, common = self.common(row, values, False, index)
        netted_text = self.text(row, values, "Nettoredovisas")
        if netted_text and self.normalise(netted_text) == self.yes:
            r.problem(
                "read.netted-cost",
                f"'{label}': Nettoredovisas gäller bara intäkter; för en kostnad används det inte.",
                t.where(row, c["Nettoredovisas"] or 1),
                Severity.WARNING,
            )
        group_text = self.text(row, values, "Grupp")
        group = self.groups.get(self.normalise(group_text or ""))
        if group is None:
            r.problem(
                "read.line-group",
                f"'{label}': gruppen '{group_text or ''}' är okänd; välj "
                f"{', '.join(L.GROUP_LABELS.values())}.",
                t.where(row, c["Grupp"] or 1),
            )
            return None
        insats = self.insats(row, values, label)
        return {
            **common,
            "group": group,
            "insats": None if [*insats.values()].count(None) == len(insats) else insats,
        }

    def insats(self, row: int, values: list[Any], label: str) -> InsatsData:
        """The decision data of a cost line (all None for a line that is no insats)."""
        r, t, c = self.r, self.t, self.c
        insats: InsatsData = {
            "decision_date": self.day(row, values, "Beslutsdatum", label, "beslutsdatum"),
            "start": self.day(row, values, "Projektstart", label, "projektstart"),
            "end": self.day(row, values, "Projektslut", label, "projektslut"),
            "granted_per_year": self.money(
                self.number(row, values, "Beviljat per år", label, "beviljat")
            ),
            "owner": self.text(row, values, "Projektägare"),
        }
        start, end = insats["start"], insats["end"]
        if start and end and end < start:
            r.problem(
                "read.insats-period",
                f"'{label}': projektslut {end} är före projektstart {start}.",
                t.where(row, c["Projektslut"] or 1),
            )
            insats["end"] = None
        return insats


def _lines(
    r: WorkbookReader, money: _Scale, all_years: list[int], years: YearsData
) -> tuple[list[CostData] | None, list[IncomeData]]:
    """The Rader table: cost lines and income lines, in sheet order."""
    t = r.table(S.T_LINES, S.SHEET_LINES, S.LINE_COLUMNS)
    if t is None:
        return None, []
    lines = _LineTable(r, t, money, all_years, years)
    costs: list[CostData] = []
    income: list[IncomeData] = []
    for row in t.rows():
        values = t.row_values(row)
        if _blank(values):
            continue
        is_income = lines.is_income(row, values)
        if is_income is None:
            continue
        if is_income:
            income.append(lines.income_line(row, values, len(income)))
        elif (cost := lines.cost_line(row, values, len(costs))) is not None:
            costs.append(cost)
    _report_blanks(r, lines.blank_lines)
    return costs, income


BLANK_LINES_LISTED = 5


def _report_blanks(r: WorkbookReader, blanks: list[tuple[str, list[int], str]]) -> None:
    """Say which blank amount cells count as 0: per line, or once for many lines."""
    if len(blanks) <= BLANK_LINES_LISTED:
        for label, years, where in blanks:
            r.problem(
                "read.blank-amount",
                f"'{label}' saknar belopp för {', '.join(map(str, years))}; tom cell räknas som 0.",
                where,
                Severity.INFO,
            )
        return
    years = sorted({y for _, ys, _ in blanks for y in ys})
    r.problem(
        "read.blank-amount",
        f"{len(blanks)} rader saknar belopp för något av åren "
        f"{', '.join(map(str, years))} (första: '{blanks[0][0]}'); tomma celler räknas som 0.",
        blanks[0][2],
        Severity.INFO,
    )


def _phasing(
    r: WorkbookReader, t: TableRange, row: int, col: int | None, label: str
) -> list[Decimal] | None:
    text = r.text(t, row, col)
    if not text or col is None:
        return None
    where = t.where(row, col)
    parts = [part for part in re.split(r"[;\s]+", text.strip()) if part]
    example = "t.ex. 1;1;1;1;1;1;0;1;1;1;1;1"
    weights: list[Decimal] = []
    for part in parts:
        try:
            weights.append(parse_number_text(part))
        except ValueError:
            r.problem(
                "read.phasing",
                f"'{label}': periodiseringen '{text}' innehåller '{part}', som inte är ett tal; "
                f"skriv 12 vikter per månad åtskilda av semikolon, {example}.",
                where,
            )
            return None
    problem = None
    if len(weights) != 12:
        problem = (
            f"har {len(weights)} tal men ska ha 12, ett per månad, åtskilda av semikolon "
            f"({example})"
        )
    elif any(w < 0 for w in weights):
        months = [MONTHS_SV[i] for i, w in enumerate(weights) if w < 0]
        problem = (
            f"har negativa vikter ({', '.join(months)}); en vikt är månadens andel av året och "
            "är 0 eller mer"
        )
    elif not any(weights):
        problem = (
            "har bara nollor, så året fördelas inte på någon månad; ge minst en månad en vikt "
            f"över 0 ({example}), eller töm cellen (då följer året fjolårets månader eller "
            "fördelas jämnt)"
        )
    if problem:
        r.problem("read.phasing", f"'{label}': periodiseringen '{text}' {problem}.", where)
        return None
    return weights


def _mappings(r: WorkbookReader) -> list[MappingData]:
    if S.T_MAPPING.casefold() not in r.tables:
        return []  # optional: only the reconciliation needs it
    t = r.table(S.T_MAPPING, S.SHEET_MAPPING, S.MAPPING_COLUMNS)
    if t is None:
        return []
    cols = {c.header: t.col(c.header) for c in S.MAPPING_COLUMNS}
    targets = {k.value: v for k, v in L.TARGET_LABELS.items()}
    out: list[MappingData] = []
    for row in t.rows():
        if r.blank(t, row):
            continue
        accounts = r.text(t, row, cols["Konto"])
        target_text = r.text(t, row, cols["Mål"])
        target = S.lookup(targets, target_text)
        if not accounts or not re.fullmatch(r"\s*\d+\s*(-\s*\d+\s*)?", accounts):
            r.problem(
                "read.mapping-account",
                f"'{accounts or ''}' är inget konto eller kontointervall (t.ex. 3591 eller "
                "3000-3099).",
                t.where(row, cols["Konto"] or 1),
            )
            continue
        if target is None:
            r.problem(
                "read.mapping-target",
                f"Målet '{target_text or ''}' är okänt; välj "
                f"{', '.join(L.TARGET_LABELS.values())}.",
                t.where(row, cols["Mål"] or 1),
            )
            continue
        dimension = r.integer(t, row, cols["Dimension"], "Dimension", 1, 999)
        r.locator.cells[("mapping", len(out), "name")] = t.where(row, cols["Namn"] or 1)
        out.append(
            {
                "accounts": accounts.replace(" ", ""),
                "target": target,
                "dimension": dimension,
                "object": r.text(t, row, cols["Objekt"]),
                "name": r.text(t, row, cols["Namn"]),
            }
        )
    return out


def _published(r: WorkbookReader, money: _Scale) -> PublishedData | None:
    """The optional Publicerat table: the figures of the budget as published, per year."""
    t = r.tables.get(S.T_PUBLISHED.casefold())
    if t is None:
        return {}  # optional table
    t = r.table(S.T_PUBLISHED, S.SHEET_PUBLISHED, S.PUBLISHED_COLUMNS)
    if t is None:
        return None
    r.locator.cells[("published", None, None)] = t.where(t.header_row, t.first_col)
    item_col, name_col, year_col, amount_col = (t.col(c.header) for c in S.PUBLISHED_COLUMNS)
    items: dict[str, dict[int, Decimal]] = {}
    sections: dict[str, dict[int, Decimal]] = {}
    allocation: dict[int, dict[str, Decimal]] = {}
    for row in t.rows():
        if r.blank(t, row):
            continue
        label = r.text(t, row, item_col)
        key = S.lookup(S.PUBLISHED_LABELS, label)
        year = r.integer(t, row, year_col, "År", *YEAR_RANGE)
        amount = r.number(t, row, amount_col, f"{label}", percent=key == "equity_end_pct")
        if key is None:
            r.problem(
                "read.published-item",
                f"'{label or ''}' är ingen känd uppgift; välj "
                f"{', '.join(S.PUBLISHED_LABELS.values())}.",
                t.where(row, item_col or 1),
            )
            continue
        if year is None or amount is None:
            continue
        y = year
        name = r.text(t, row, name_col)
        where = t.where(row, amount_col or 1)
        if key == "sections" and name:
            sections.setdefault(name, {})[y] = money(amount)
            r.locator.cells[("published", f"section:{name}", y)] = where
        elif key == "allocation" and name:
            # In the workbook's unit like every amount (issue 22): 702,5 in tkr is 702 500 kr.
            allocation.setdefault(y, {})[name] = money(amount)
            r.locator.cells[("published", f"allocation:{name}", y)] = where
        elif key == "equity_end_pct":
            items.setdefault(key, {})[y] = amount
            r.locator.cells[("published", key, y)] = where
        elif key not in ("sections", "allocation"):
            items.setdefault(key, {})[y] = money(amount)
            r.locator.cells[("published", key, y)] = where
    out: PublishedData = dict(items)
    if sections:
        out["sections"] = sections
    if allocation:
        out["allocation"] = allocation
    return out


def _scale(r: WorkbookReader, money: _Scale) -> list[BandData]:
    t = r.tables.get(S.T_SCALE.casefold())
    if t is None:
        return []
    found: list[tuple[Decimal, Decimal, int]] = []
    pct_col = t.col(S.SCALE_COLUMNS[1].header)
    for row in t.rows():
        frm = r.number(t, row, t.col(S.SCALE_COLUMNS[0].header), "Trappa: från")
        pct = r.number(t, row, pct_col, "Trappa: högsta %", percent=True)
        if pct is not None:
            found.append((money(frm) or Decimal(0), pct, row))
    # the model sorts the bands by 'from': locate each by its place in that order
    found.sort(key=lambda band: band[0])
    bands: list[BandData] = []
    for i, (frm, pct, row) in enumerate(found):
        r.locator.cells[("settings", f"equity_scale_{i}")] = t.where(row, pct_col or 1)
        bands.append({"from_amount": frm, "max_pct": pct})
    return bands
