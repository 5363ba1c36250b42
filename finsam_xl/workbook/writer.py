"""Write computed values into the workbook by patching only the computed sheets' cells.

The writer never loads the workbook into openpyxl: it copies every part of the
package unchanged (input sheets, the user's own sheets, styles, comments,
defined names, the VBA project, buttons, drawings, extensions the libraries do
not know) and replaces only the ``<sheetData>`` of the sheets that hold the
computed areas (Plan, Fördelning, Kontroller), located through defined names.
Cells get their style from the prototype cells of the hidden styles sheet.
Strings are written inline, so sharedStrings.xml is not touched either.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from xml.sax.saxutils import escape

from finsam_xl import __version__
from finsam_xl.model.budget import Budget, Unit
from finsam_xl.model.findings import Finding, summary_text
from finsam_xl.model.labels import KIND_HEADING_SV, KIND_ORDER
from finsam_xl.model.results import Result
from finsam_xl.workbook import schema as S
from finsam_xl.workbook.cells import col_letters, split_ref
from finsam_xl.workbook.layout import FINDING_HEADERS, PLAN_ROWS, YEAR_KIND_LABELS
from finsam_xl.workbook.safety import MAX_CELL_CHARS, WorkbookError, result_name_problem

if TYPE_CHECKING:  # the package reader needs defusedxml, which the Lite path does without
    from finsam_xl.workbook.package import Package

Value = str | int | float | Decimal | None
_SHEET_DATA = re.compile(r"<sheetData\s*/>|<sheetData>.*?</sheetData>", re.DOTALL)
_DIMENSION = re.compile(r'<dimension ref="[^"]*"\s*/>')
_ROW = re.compile(r'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.DOTALL)


#: Characters per line of the findings' message column (width 100) when wrapped.
WRAP_CHARS = 95


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

    def put(
        self, row: int, col: int, value: Value, role: str = "text", link: str | None = None
    ) -> None:
        """Set one cell; a long header or wrapped text makes its row taller."""
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

    def put_row(self, row: int, col: int, values: Iterable[Value], role: str = "text") -> None:
        """Set consecutive cells of a row."""
        for offset, value in enumerate(values):
            self.put(row, col + offset, value, role)


def _number(value: Decimal | int | float) -> str:
    if isinstance(value, Decimal):
        return (
            format(value.normalize(), "f")
            if value != value.to_integral_value()
            else str(int(value))
        )
    return repr(value) if isinstance(value, float) else str(value)


#: Longest formula Excel accepts (8 192) with a margin; a longer link is written as plain text.
MAX_FORMULA_CHARS = 8_000
#: What XML 1.0 forbids in text: C0 controls but tab, LF and CR; lone surrogates; U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str, limit: int = MAX_CELL_CHARS) -> str:
    """``text`` made safe for a sheet: every string the writer puts in XML goes through here.

    Characters XML 1.0 forbids become U+FFFD (shown as a replacement mark), text longer
    than Excel's cell limit is cut with an ellipsis, and ``& < > "`` are escaped.
    """
    clean = _NOT_XML.sub("\ufffd", text)
    if len(clean) > limit:
        clean = clean[: limit - 1] + "…"
    return escape(clean, {'"': "&quot;"})


def _cell_xml(ref: str, cell: Cell, style: str) -> str:
    s = f' s="{style}"' if style != "0" else ""
    value = cell.value
    link = ""
    if cell.link and isinstance(value, str):
        target = cell.link.replace('"', '""')
        shown = value.replace('"', '""')
        link = f'HYPERLINK("#{target}","{shown}")'
    if link and isinstance(value, str) and len(link) <= MAX_FORMULA_CHARS:  # else plain text
        formula = xml_text(link)
        return f'<c r="{ref}"{s} t="str"><f>{formula}</f><v>{xml_text(value)}</v></c>'
    if value is None:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, str):
        text = xml_text(value)
        return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return f'<c r="{ref}"{s}><v>{_number(value)}</v></c>'


def _sheet_data(grid: Grid, keep_rows: dict[int, str], styles: dict[str, str]) -> tuple[str, str]:
    """The new <sheetData> and the dimension ref for a grid plus rows kept verbatim."""
    rows: dict[int, list[str]] = {}
    max_col = 1
    for (r, c), cell in sorted(grid.cells.items()):
        rows.setdefault(r, []).append(
            _cell_xml(f"{col_letters(c)}{r}", cell, styles.get(cell.role, "0"))
        )
        max_col = max(max_col, c)
    parts = []
    all_rows = sorted(set(rows) | set(keep_rows))
    for r in all_rows:
        if r in rows:
            height = grid.heights.get(r)
            ht = f' ht="{height:g}" customHeight="1"' if height else ""
            parts.append(f'<row r="{r}"{ht}>{"".join(rows[r])}</row>')
        else:
            parts.append(keep_rows[r])
    last = all_rows[-1] if all_rows else 1
    return "<sheetData>" + "".join(parts) + "</sheetData>", f"A1:{col_letters(max_col)}{last}"


def _splice(sheet_xml: str, grid: Grid, first_row: int, styles: dict[str, str]) -> str:
    """Replace a sheet's <sheetData>, keeping the rows above ``first_row`` (its title)."""
    match = _SHEET_DATA.search(sheet_xml)
    if match is None:
        raise WorkbookError("ett beräknat blad saknar cellområde (sheetData)")
    written = {r for r, _ in grid.cells}
    keep = {}
    for row in _ROW.finditer(match.group(0)):
        r = int(row.group(1))
        if r < first_row and r not in written:
            keep[r] = row.group(0)
    data, dimension = _sheet_data(grid, keep, styles)
    out = sheet_xml[: match.start()] + data + sheet_xml[match.end() :]
    return _DIMENSION.sub(f'<dimension ref="{dimension}"/>', out, count=1)


def _amount(value: Decimal | None, unit: Unit) -> Decimal | None:
    if value is None:
        return None
    return value / 1000 if unit is Unit.TKR else value


def plan_grid(budget: Budget, result: Result, row0: int, col0: int) -> Grid:
    """The plan table: one row per PLAN_ROWS entry, one column per year."""
    grid = Grid()
    unit = budget.forbund.unit
    grid.put(row0, col0, "Post", "header")
    for j, row in enumerate(result.plan):
        label = f"{YEAR_KIND_LABELS[row.kind]} {row.year}" + ("" if row.decided else " *")
        grid.put(row0, col0 + 1 + j, label, "header")
    for i, (_key, label, getter, role) in enumerate(PLAN_ROWS):
        r = row0 + 1 + i
        grid.put(r, col0, label, "label_bold" if role == "amount_bold" else "label")
        for j, row in enumerate(result.plan):
            value = getter(row)
            grid.put(r, col0 + 1 + j, value if role == "pct" else _amount(value, unit), role)
    note_row = row0 + 2 + len(PLAN_ROWS)
    if any(not row.decided for row in result.plan):
        grid.put(note_row, col0, "* medelstilldelningen är äskad, inte beslutad", "status")
    return grid


def allocation_grid(budget: Budget, result: Result, row0: int, col0: int) -> Grid:
    """The 'Not 1' table: each member's amount and its share by key, per year, in kr."""
    grid = Grid()
    years = [a.year for a in result.allocation]
    headers = ["Medlem", "Typ", "Nyckelvärde"]
    for year in years:
        headers += [f"{year}", f"{year} enligt nyckel"]
    grid.put_row(row0, col0, headers, "header")
    keys = {m.name: m.key for m in budget.members}
    r = row0
    names = [m.name for m in result.allocation[0].members] if result.allocation else []
    for name in names:
        r += 1
        share0 = next(m for m in result.allocation[0].members if m.name == name)
        grid.put(r, col0, name, "label")
        grid.put(r, col0 + 1, S.KIND_LABELS[share0.kind], "text")
        key = keys.get(name)
        grid.put(r, col0 + 2, key, "kr" if key is not None else "text")
        for j, allocation in enumerate(result.allocation):
            share = next(m for m in allocation.members if m.name == name)
            grid.put(r, col0 + 3 + 2 * j, share.amount, "kr")
            grid.put(r, col0 + 4 + 2 * j, share.lawful, "kr")
    r += 1
    grid.put(r, col0, "Summa", "label_bold")
    for j, allocation in enumerate(result.allocation):
        grid.put(
            r,
            col0 + 3 + 2 * j,
            sum((m.amount for m in allocation.members), Decimal(0)),
            "amount_bold",
        )
        grid.put(r, col0 + 4 + 2 * j, allocation.total, "amount_bold")
    r += 2
    grid.put(r, col0, "Per part (enligt lag 50/25/25 i kolumnen 'enligt nyckel')", "label_bold")
    labels = KIND_HEADING_SV
    for kind in KIND_ORDER:
        r += 1
        grid.put(r, col0, labels[kind], "label")
        for j, allocation in enumerate(result.allocation):
            grid.put(r, col0 + 3 + 2 * j, allocation.group_actual.get(kind), "kr")
            grid.put(r, col0 + 4 + 2 * j, allocation.group_lawful.get(kind), "kr")
    r += 2
    grid.put(
        r,
        col0,
        "Avrundning: största-rest-metoden; udda kronor går till störst rest, "
        "vid lika rest till störst nyckel och sedan i namnordning.",
        "status",
    )
    kind_names = {k: lab.lower() for k, lab in labels.items()}
    for allocation in result.allocation:
        odd_kinds = [kind_names[k] for k, n in allocation.group_odd_krona.items() if n]
        if odd_kinds:
            r += 1
            grid.put(
                r,
                col0,
                f"{allocation.year}: udda krona i delningen 50/25/25 till "
                f"{' och '.join(odd_kinds)}",
                "status",
            )
        odd = [m.name for m in allocation.members if m.odd_krona]
        if odd:
            r += 1
            grid.put(r, col0, f"{allocation.year}: udda kronor till {', '.join(odd)}", "status")
    return grid


def findings_grid(findings: list[Finding], row0: int, col0: int, wrap: bool = True) -> Grid:
    """The findings table with a clickable place and the marker columns (sheet, cell)."""
    grid = Grid()
    grid.put_row(row0, col0, FINDING_HEADERS, "header")
    shown = findings[: S.FINDINGS_MAX_ROWS]
    for i, finding in enumerate(shown):
        r = row0 + 1 + i
        role = finding.severity.value
        grid.put(r, col0, S.SEVERITY_LABELS[role], role)
        grid.put(r, col0 + 1, finding.rule, "text")
        where = finding.where()
        sheet, cell = _split_location(finding.location)
        if sheet and cell:
            quoted = "'" + sheet.replace("'", "''") + "'"
            grid.put(r, col0 + 2, where, "link", link=f"{quoted}!{cell}")
        else:
            grid.put(r, col0 + 2, where, "text")
        grid.put(r, col0 + 3, finding.message, "wrap" if wrap else "text")
        grid.put(r, col0 + 4, sheet, "text")
        grid.put(r, col0 + 5, cell, "text")
    if len(findings) > len(shown):
        grid.put(
            row0 + 1 + len(shown), col0 + 3, f"… och {len(findings) - len(shown)} till", "status"
        )
    if not findings:
        grid.put(row0 + 1, col0 + 3, "Inga anmärkningar.", "text")
    return grid


def _split_location(location: str | None) -> tuple[str | None, str | None]:
    if not location or "!" not in location:
        return None, None
    sheet, _, cell = location.rpartition("!")
    return sheet, cell.replace("$", "")


def status_text(findings: list[Finding], when: datetime | None = None) -> str:
    """The status line written on the plan sheet."""
    stamp = (when or datetime.now()).strftime("%Y-%m-%d %H:%M")
    return f"Beräknad {stamp} med finsam_xl {__version__}: {summary_text(findings)}."


class Anchors(Protocol):
    """What building the grids needs of a workbook: where a defined name points."""

    def anchor(self, name: str) -> tuple[str, int, int]:
        """(sheet, row, column) of a defined name's first cell."""
        ...


def build_grids(
    budget: Budget, result: Result, pkg: Anchors, when: datetime | None = None
) -> dict[str, tuple[Grid, int]]:
    """Every computed sheet's new cells, by sheet name, with the first row written."""
    grids: dict[str, tuple[Grid, int]] = {}

    def grid_for(sheet: str, first: int) -> Grid:
        grid, top = grids.get(sheet, (Grid(), first))
        grids[sheet] = (grid, min(top, first))
        return grid

    for name, build in ((S.N_PLAN, plan_grid), (S.N_ALLOCATION, allocation_grid)):
        sheet, row, col = pkg.anchor(name)
        grid_for(sheet, row).merge(build(budget, result, row, col))
    sheet, row, col = pkg.anchor(S.N_FINDINGS)
    grid = grid_for(sheet, row - 2)
    grid.merge(findings_grid(result.findings, row, col))
    grid.put(row - 2, col, summary_text(result.findings), "status")
    sheet, row, col = pkg.anchor(S.N_STATUS)
    grid_for(sheet, row).put(row, col, status_text(result.findings, when), "status")
    return grids


def read_styles(archive: zipfile.ZipFile, pkg: Package) -> dict[str, str]:
    """Style role -> style id, from the prototype cells of the hidden styles sheet."""
    from finsam_xl.workbook.package import cell_styles

    sheet, row, col = split_ref(pkg.names[S.N_STYLES])
    found = cell_styles(archive, pkg.sheet_parts[sheet])
    return {role: found.get((row + i, col), "0") for i, role in enumerate(S.STYLE_ROLES)}


def write_results(
    source: Path, target: Path, budget: Budget, result: Result, when: datetime | None = None
) -> None:
    """Copy ``source`` to ``target`` with plan, allocation and findings rewritten."""
    write_grids(
        source,
        target,
        (S.N_PLAN, S.N_ALLOCATION, S.N_FINDINGS, S.N_STATUS),
        lambda pkg: build_grids(budget, result, pkg, when),
    )


def write_grids(
    source: Path,
    target: Path,
    names: tuple[str, ...],
    build: Callable[[Package], dict[str, tuple[Grid, int]]],
) -> None:
    """Copy ``source`` to ``target`` replacing the cells of the sheets ``build`` returns.

    ``names`` are the defined names the job needs; a workbook without them is refused.
    Every other part of the package is copied unchanged.
    """
    from finsam_xl.workbook.package import Package

    with zipfile.ZipFile(source) as archive:
        pkg = Package.read(archive)
        missing = [n for n in (*names, S.N_STYLES) if n not in pkg.names]
        if missing:
            raise WorkbookError(
                f"{source}: arbetsboken saknar de definierade namnen {', '.join(missing)} som "
                "anger var resultaten ska skrivas; skapa den med 'finsam-xl new'."
            )
        allowed = _guard_names(source, archive, pkg, (*names, S.N_STYLES))
        styles = read_styles(archive, pkg)
        grids = build(pkg)
        replaced: dict[str, bytes] = {}
        for sheet, (grid, first) in grids.items():
            part = pkg.sheet_parts.get(sheet)
            if sheet not in allowed:
                raise WorkbookError(
                    f"{source}: resultaten skulle skrivas i bladet '{sheet}', som inget av namnen "
                    f"{', '.join(names)} pekar på; inget skrevs."
                )
            if part is None:
                raise WorkbookError(f"{source}: bladet '{sheet}' för resultaten saknas.")
            xml = archive.read(part).decode("utf-8")
            replaced[part] = _splice(xml, grid, first, styles).encode("utf-8")
        with zipfile.ZipFile(target, "w") as out:
            for info in archive.infolist():
                data = replaced.get(info.filename)
                if data is None:
                    data = archive.read(info.filename)
                out.writestr(info, data, compress_type=info.compress_type)


def _guard_names(
    source: Path, archive: zipfile.ZipFile, pkg: Package, names: tuple[str, ...]
) -> set[str]:
    """Refuse to write through a result name that is #REF! or points outside its computed sheet.

    Returns the sheets the names point to: the only sheets the writer may replace cells of.
    """
    from finsam_xl.workbook.package import sheet_tables

    tables = sheet_tables(archive, pkg)
    for name in names:
        problem = result_name_problem(name, pkg.names.get(name), tables)
        if problem:
            raise WorkbookError(f"{source}: {problem} Inget skrevs.")
    return {split_ref(pkg.names[name])[0] for name in names}
