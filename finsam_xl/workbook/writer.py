"""Write computed values into the workbook by patching only the computed sheets' cells.

The writer never loads the workbook into openpyxl: it copies every part of the
package unchanged (input sheets, the user's own sheets, styles, comments,
defined names, the VBA project, buttons, drawings, extensions the libraries do
not know) and replaces only the ``<sheetData>`` of the sheets that hold the
computed areas (Plan, Fördelning, Kontroller and the document sheets Budget,
Not 1, Insatser, Eget kapital), located through defined names; in those sheets
it also sets the print header/footer, column widths, scale and page breaks
(``finsam_xl.sheets.printing``). Besides, ``write_results`` brings two texts
the tool wrote itself up to date from the settings (``input_texts``): the page
header of other sheets that still has the tool's own form, and Instruktioner!A1
while it still reads "Budget ÅÅÅÅ – NAMN"; no cell of an input table changes.
Cells get their style from the prototype cells of the hidden styles sheet.
Strings are written inline, so sharedStrings.xml is not touched either.
"""

from __future__ import annotations

import re
import textwrap
import zipfile
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from finsam_xl import __version__
from finsam_xl.model import labels as L
from finsam_xl.model import schema as S
from finsam_xl.model.budget import Budget, Unit
from finsam_xl.model.findings import Finding, summary_text
from finsam_xl.model.labels import KIND_HEADING_SV, KIND_ORDER
from finsam_xl.model.money import in_display_unit
from finsam_xl.model.results import Result
from finsam_xl.sheets.grid import Anchors, Cell, Grid
from finsam_xl.sheets.layout import FINDING_HEADERS, PLAN_ROWS
from finsam_xl.sheets.printing import patch_columns, patch_print, refresh_header
from finsam_xl.workbook.result_names import result_name_problem
from finsam_xl.xlsx.cells import col_letters, split_ref
from finsam_xl.xlsx.limits import MAX_CELL_CHARS, WorkbookError

if TYPE_CHECKING:  # the package reader needs defusedxml, which the Lite path does without
    from finsam_xl.xlsx.package import Package

_SHEET_DATA = re.compile(r"<sheetData\s*/>|<sheetData>.*?</sheetData>", re.DOTALL)
_DIMENSION = re.compile(r'<dimension ref="[^"]*"\s*/>')
_ROW = re.compile(r'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.DOTALL)


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
    link = cell.link_formula
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


def plan_grid(budget: Budget, result: Result, row0: int, col0: int) -> Grid:
    """The plan table: one row per PLAN_ROWS entry, one column per year.

    Cost groups are net of income netted inside their cost centres, so "Summa
    kostnader" is the net figure the documents print; the gross total has its
    own row. Comparison years are labelled by their kind (Budget, Utfall, Prognos).
    """
    from finsam_xl.core.document import (
        display_decimals,
        document_title,
        net_costs_by_group,
        year_columns,
    )

    grid = Grid(decimals=display_decimals(budget, result))
    grid.title = document_title(budget)
    unit = budget.forbund.unit
    labels = {c.year: c.label for c in year_columns(budget)}
    net = net_costs_by_group(budget)
    grid.put(row0 - 1, col0, f"{document_title(budget)} ({L.UNIT_LABELS[unit]})", "title")
    grid.put(row0, col0, "Post", "header")
    for j, row in enumerate(result.plan):
        label = labels.get(row.year, f"{L.YEAR_KIND_LABELS[row.kind]} {row.year}")
        grid.put(row0, col0 + 1 + j, label + ("" if row.decided else " **"), "header")
    for i, (key, label, getter, role) in enumerate(PLAN_ROWS):
        r = row0 + 1 + i
        grid.put(r, col0, label, "label_bold" if role == "amount_bold" else "label")
        for j, row in enumerate(result.plan):
            if key.startswith("group_"):
                value: Decimal | None = net.get(row.year, {}).get(key.removeprefix("group_"))
            elif key == "recommended_max" and row.contributions == 0:
                value = None  # no contributions entered: no level, and no dive to 0 in the chart
            else:
                value = getter(row)
            shown = value if role == "pct" else in_display_unit(value, unit is Unit.TKR)
            grid.put(r, col0 + 1 + j, shown, role)
    note_row = row0 + 2 + len(PLAN_ROWS)
    if any(not row.decided for row in result.plan):
        grid.put(
            note_row, col0, "** = äskat belopp: medelstilldelningen är inte beslutad", "status"
        )
    return grid


def allocation_grid(budget: Budget, result: Result, row0: int, col0: int) -> Grid:
    """Each member's amount per year (kr), then what the law's 50/25/25 split would give."""
    from finsam_xl.core.document import document_title

    grid = Grid()
    grid.title = document_title(budget)
    years = [a.year for a in result.allocation]
    grid.put_row(row0, col0, ["Medlem", "Typ", "Nyckelvärde", *[f"{y}" for y in years]], "header")
    longest = max((len(m.name) for m in budget.members), default=20)
    for j, width in enumerate([min(44, max(24, longest + 2)), 16, 12, *([13] * len(years))]):
        grid.widths[col0 + j] = width
    r = _member_amounts(grid, budget, result, row0, col0)
    r = _lawful_rows(grid, result, r + 2, col0)
    r = _key_shares(grid, result, r, col0)
    _rounding_notes(grid, result, r + 2, col0)
    return grid


def _member_amounts(grid: Grid, budget: Budget, result: Result, row0: int, col0: int) -> int:
    """A row per member below the header row ``row0``, then the sum; returns the sum's row."""
    keys = {m.name: m.key for m in budget.members}
    r = row0
    names = [m.name for m in result.allocation[0].members] if result.allocation else []
    for name in names:
        r += 1
        share0 = next(m for m in result.allocation[0].members if m.name == name)
        grid.put(r, col0, name, "label")
        grid.put(r, col0 + 1, L.KIND_LABELS[share0.kind], "text")
        key = keys.get(name)
        grid.put(r, col0 + 2, key, "kr" if key is not None else "text")
        for j, allocation in enumerate(result.allocation):
            grid.put(r, col0 + 3 + j, allocation.amount(name), "kr")
    r += 1
    grid.put(r, col0, "Summa", "label_bold")
    for j, allocation in enumerate(result.allocation):
        grid.put(
            r, col0 + 3 + j, sum((m.amount for m in allocation.members), Decimal(0)), "amount_bold"
        )
    return r


def _lawful_rows(grid: Grid, result: Result, r: int, col0: int) -> int:
    """The law's 50/25/25 per kind of member from row ``r``, and where the members paid
    otherwise, the difference; returns the last row."""
    grid.put(
        r,
        col0,
        "Enligt lagen: staten hälften, regionerna och kommunerna en fjärdedel var",
        "label_bold",
    )
    labels = KIND_HEADING_SV
    for kind in KIND_ORDER:
        r += 1
        grid.put(r, col0, f"{labels[kind]} enligt lag", "label")
        for j, allocation in enumerate(result.allocation):
            grid.put(r, col0 + 3 + j, allocation.group_lawful.get(kind), "kr")
        if any(a.group_actual.get(kind) != a.group_lawful.get(kind) for a in result.allocation):
            r += 1
            grid.put(r, col0, f"{labels[kind]}: betalt minus enligt lag", "label")
            for j, allocation in enumerate(result.allocation):
                paid, lawful = allocation.group_actual.get(kind), allocation.group_lawful.get(kind)
                diff = paid - lawful if paid is not None and lawful is not None else None
                grid.put(r, col0 + 3 + j, diff, "kr")
    return r


def _key_shares(grid: Grid, result: Result, r: int, col0: int) -> int:
    """For members paying a fixed amount, their share by the key below row ``r`` (or one
    sentence naming those without a key value); returns the last row."""
    differing = [
        (m.name, j, m.lawful)
        for j, allocation in enumerate(result.allocation)
        for m in allocation.members
        if m.fixed
    ]
    keyed = list(dict.fromkeys(n for n, _j, lawful in differing if lawful is not None))
    keyless = [n for n in dict.fromkeys(n for n, _j, _l in differing) if n not in keyed]
    if keyed:
        r += 2
        grid.put(
            r, col0, "Medlemmens andel enligt nyckel (för medlemmar med fast belopp)", "label_bold"
        )
        rows_at: dict[str, int] = {}
        for name, j, lawful in differing:
            if name not in keyed:
                continue
            if name not in rows_at:
                r += 1
                rows_at[name] = r
                grid.put(r, col0, name, "label")
            grid.put(rows_at[name], col0 + 3 + j, lawful, "kr")
    if keyless:
        # One sentence, not a row of dashes per member: there is nothing to compare with.
        r += 2
        who = ", ".join(keyless[:-1]) + (" och " if len(keyless) > 1 else "") + keyless[-1]
        text = f"Fasta belopp utan nyckelvärde, så andelen enligt nyckel kan inte visas: {who}."
        # short lines: a line running past the table's last column is cut when printed
        for i, line in enumerate(textwrap.wrap(text, 80)):
            grid.put(r + i, col0, line, "status")
            last = r + i
        r = last
    return r


def _rounding_notes(grid: Grid, result: Result, r: int, col0: int) -> None:
    """How the odd kronor were rounded, from row ``r``, and where they went each year."""
    # short lines: text running past the table's last column would print on a page of its own
    for text in (
        "Avrundning: största-rest-metoden.",
        "Udda kronor går till störst rest,",
        "vid lika rest till störst nyckel, sedan i namnordning.",
    ):
        grid.put(r, col0, text, "status")
        r += 1
    r -= 1
    kind_names = {k: lab.lower() for k, lab in KIND_HEADING_SV.items()}
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


def _years_text(years: list[int]) -> str:
    """'2025–2028' for consecutive years, else '2025, 2027'."""
    if years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}\u2013{years[-1]}"
    return ", ".join(str(y) for y in years)


def group_findings(findings: list[Finding]) -> list[tuple[Finding, list[Finding]]]:
    """Findings that differ only in their year, as one finding "2025–2028: …".

    A finding's year is its reference's (``Ref.year``), and it joins a group when
    its message names that year once: the findings of a rule whose messages are
    the same with the year taken out are one row.
    Returns (shown finding, the findings it stands for), in first-seen order.
    """
    groups: dict[tuple[str, str, str], list[tuple[int, Finding]]] = {}
    order: list[tuple[str, str, str]] = []
    singles: dict[int, Finding] = {}
    for i, finding in enumerate(findings):
        year = finding.ref.year if finding.ref is not None else None
        if year is None or finding.message.count(str(year)) != 1:
            singles[i] = finding
            order.append(("", "", str(i)))
            continue
        key = (finding.severity.value, finding.rule, finding.message.replace(str(year), "{år}"))
        if key not in groups:
            order.append(key)
        groups.setdefault(key, []).append((year, finding))
    out: list[tuple[Finding, list[Finding]]] = []
    for key in order:
        if not key[0]:
            single = singles[int(key[2])]
            out.append((single, [single]))
            continue
        members = groups[key]
        first = members[0][1]
        if len(members) == 1:
            out.append((first, [first]))
            continue
        span = _years_text(sorted({y for y, _ in members}))
        template = key[2]
        if template.startswith("{år}"):
            message = template.replace("{år}", span, 1)
        else:
            message = f"{span}: " + template.replace("{år}", "varje år")
        out.append((first.model_copy(update={"message": message}), [f for _, f in members]))
    return out


def findings_grid(
    findings: list[Finding],
    row0: int,
    col0: int,
    wrap: bool = True,
    grouped: bool = True,
    markers: bool = True,
) -> Grid:
    """The findings: level, Swedish check name, clickable place, message, code.

    Findings repeated over years are one row ("2025–2028: …"). Hidden columns E:F
    hold the shown row's sheet and cell; with ``markers``, hidden columns H:J list
    every finding (level, sheet, cell) for the markers' conditional formatting
    (workbooks made before the grouping read A, E, F and get no H:J).
    """
    grid = Grid()
    grid.put_row(row0, col0, FINDING_HEADERS if markers else FINDING_HEADERS[:7], "header")
    rows = group_findings(findings) if grouped else [(f, [f]) for f in findings]
    shown = rows[: S.FINDINGS_MAX_ROWS]
    for i, (finding, _members) in enumerate(shown):
        r = row0 + 1 + i
        role = finding.severity.value
        grid.put(r, col0, L.SEVERITY_LABELS[role], role)
        grid.put(r, col0 + 1, S.rule_name(finding.rule), "text")
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
        grid.put(r, col0 + 6, finding.rule, "text")
    for i, finding in enumerate(findings[: S.FINDINGS_MAX_ROWS] if markers else []):
        r = row0 + 1 + i
        sheet, cell = _split_location(finding.location)
        grid.put(r, col0 + 7, L.SEVERITY_LABELS[finding.severity.value], "text")
        grid.put(r, col0 + 8, sheet, "text")
        grid.put(r, col0 + 9, cell, "text")
    if len(rows) > len(shown):
        grid.put(row0 + 1 + len(shown), col0 + 3, f"… och {len(rows) - len(shown)} till", "status")
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


def missing_document_sheets(pkg: Anchors) -> list[str]:
    """The document sheets (Budget, Not 1, …) a workbook made before them lacks."""
    missing = []
    for name, sheet in S.DOCUMENT_NAMES.items():
        try:
            pkg.anchor(name)
        except (KeyError, ValueError):
            missing.append(sheet)
    return missing


def missing_sheets_text(missing: list[str]) -> str:
    """The status line's note about document sheets the workbook lacks ('' when none)."""
    if not missing:
        return ""
    names = ", ".join(missing[:-1]) + (" och " if len(missing) > 1 else "") + missing[-1]
    return (
        f" Bladen {names} finns inte i denna arbetsbok och skrevs inte; skapa en ny med "
        "'finsam-xl ny' (eller 'nytt-ar') för att få dem."
    )


def build_grids(
    budget: Budget, result: Result, pkg: Anchors, when: datetime | None = None
) -> dict[str, tuple[Grid, int]]:
    """Every computed sheet's new cells, by sheet name, with the first row written.

    The document sheets (Budget, Not 1, Insatser, Eget kapital) are written when
    their defined names exist; a workbook made before them is left without them and
    the status line says so.
    """
    from finsam_xl.sheets.document_sheets import DOCUMENT_GRIDS

    grids: dict[str, tuple[Grid, int]] = {}

    def grid_for(sheet: str, first: int) -> Grid:
        grid, top = grids.get(sheet, (Grid(), first))
        grids[sheet] = (grid, min(top, first))
        return grid

    for name, build in ((S.N_PLAN, plan_grid), (S.N_ALLOCATION, allocation_grid)):
        sheet, row, col = pkg.anchor(name)
        first = row - 1 if name == S.N_PLAN and row > 3 else row
        grid_for(sheet, first).merge(build(budget, result, row, col))
    missing = missing_document_sheets(pkg)
    for name, build_doc in DOCUMENT_GRIDS.items():
        if S.DOCUMENT_NAMES[name] in missing:
            continue
        sheet, row, col = pkg.anchor(name)
        grid_for(sheet, max(1, row - 3)).merge(build_doc(budget, result, row, col))
    sheet, row, col = pkg.anchor(S.N_FINDINGS)
    grid = grid_for(sheet, row - 2)
    grid.merge(findings_grid(result.findings, row, col, markers=_full_markers(pkg, col)))
    grid.put(row - 2, col, summary_text(result.findings), "status")
    sheet, row, col = pkg.anchor(S.N_STATUS)
    grid_for(sheet, row).put(
        row, col, status_text(result.findings, when) + missing_sheets_text(missing), "status"
    )
    title = _document_title(budget)
    for found, _first in grids.values():
        found.title = found.title or title
    _digest_grid(grids, budget, pkg)
    return grids


def _digest_grid(grids: dict[str, tuple[Grid, int]], budget: Budget, pkg: Anchors) -> None:
    """What the sheets were computed from, below the style prototypes (``S.DIGEST_ROW_OFFSET``)."""
    from finsam_xl.model.interchange import digest

    try:
        sheet, row, col = pkg.anchor(S.N_STYLES)
    except (KeyError, ValueError):
        return
    first = row + S.DIGEST_ROW_OFFSET
    grid = Grid()
    grid.put(first, col, S.DIGEST_PREFIX + digest(budget), "text")
    grids[sheet] = (grid, first)


def _full_markers(pkg: Anchors, findings_col: int) -> bool:
    """True when the markers read the ungrouped list (H:J); older workbooks read A, E, F."""
    try:
        _sheet, _row, col = pkg.anchor(S.N_MARK_SEVERITY)
    except (KeyError, ValueError):
        return False
    return col != findings_col


def _document_title(budget: Budget) -> str:
    from finsam_xl.core.document import document_title

    return document_title(budget)


def read_styles(archive: zipfile.ZipFile, pkg: Package) -> dict[str, str]:
    """Style role -> style id, from the prototype cells of the hidden styles sheet."""
    from finsam_xl.xlsx.package import cell_styles

    sheet, row, col = split_ref(pkg.names[S.N_STYLES])
    found = cell_styles(archive, pkg.sheet_parts[sheet])
    styles = {role: found.get((row + i, col)) for i, role in enumerate(S.STYLE_ROLES)}
    for role, base in S.STYLE_FALLBACK.items():  # an older workbook: the nearest role
        styles[role] = styles.get(role) or styles.get(base)
    return {role: style or "0" for role, style in styles.items()}


def write_results(
    source: Path, target: Path, budget: Budget, result: Result, when: datetime | None = None
) -> None:
    """Copy ``source`` to ``target`` with plan, allocation and findings rewritten."""
    write_grids(
        source,
        target,
        (S.N_PLAN, S.N_ALLOCATION, S.N_FINDINGS, S.N_STATUS),
        lambda pkg: build_grids(budget, result, pkg, when),
        optional=tuple(S.DOCUMENT_NAMES),
        also=lambda archive, pkg, done: input_texts(archive, pkg, budget, done),
    )


_CHART_PART = re.compile(r"^xl/charts/chart\d+\.xml$")


def chart_ranges(xml: str, sheet: str, first_col: int, last_col: int) -> str:
    """A chart's ranges on ``sheet`` that start at the first year column, resized to end at
    ``last_col`` (columns 1-based): the Plan chart shows the years the plan has, with no
    empty slot left from a layout of more years (issue 22). Other ranges are left as
    they are."""
    first, last = col_letters(first_col), col_letters(last_col)
    quoted = re.escape(f"'{sheet}'") + "|" + re.escape(sheet)
    pattern = re.compile(rf"<c:f>((?:{quoted})!\${first}\$(\d+):\$)([A-Z]+)(\$(\d+))</c:f>")

    def resize(match: re.Match[str]) -> str:
        if match.group(2) != match.group(5):
            return match.group(0)  # not a one-row range
        return f"<c:f>{match.group(1)}{last}{match.group(4)}</c:f>"

    return pattern.sub(resize, xml)


#: The title ``new`` writes in Instruktioner!A1, and the only form that is updated.
_INSTRUCTIONS_TITLE = re.compile(r"^Budget \d{4} \u2013 .*$", re.DOTALL)
_A1 = re.compile(r'<c r="A1"(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</c>)', re.DOTALL)


def _shared_string(archive: zipfile.ZipFile, index: int) -> str | None:
    from defusedxml import ElementTree as SafeET

    try:
        root = SafeET.fromstring(archive.read("xl/sharedStrings.xml"))
    except KeyError:
        return None
    items = [e for e in root if e.tag.endswith("}si")]
    if not 0 <= index < len(items):
        return None
    return "".join(t.text or "" for t in items[index].iter() if t.tag.endswith("}t"))


def _a1_text(archive: zipfile.ZipFile, xml: str) -> tuple[re.Match[str], str] | None:
    """Cell A1 of a sheet and its text, when it is text."""
    from html import unescape  # XML's entities and character references

    match = _A1.search(xml)
    if match is None or not match.group("body"):
        return None
    kind = re.search(r'\st="([^"]+)"', match.group("attrs"))
    body = match.group("body")
    if kind and kind.group(1) == "s":
        index = re.search(r"<v>(\d+)</v>", body)
        text = _shared_string(archive, int(index.group(1))) if index else None
    elif kind and kind.group(1) in ("inlineStr", "str"):
        text = unescape("".join(re.findall(r"<t[^>]*>([^<]*)</t>", body)))
    else:
        text = None
    return (match, text) if text is not None else None


def input_texts(
    archive: zipfile.ZipFile, pkg: Package, budget: Budget, done: set[str]
) -> dict[str, bytes]:
    """The parts outside the computed sheets whose tool-written text is out of date.

    Instruktioner!A1 is rewritten (inline, its style kept) only while it reads
    "Budget ÅÅÅÅ – NAMN"; the page header of every other sheet only while it has
    the form ``new`` gives it (``printing.refresh_header``). ``done`` are the parts
    already replaced (the computed sheets).
    """
    from finsam_xl.core.document import table_title

    name, title = budget.forbund.name, table_title(budget)
    out: dict[str, bytes] = {}
    for sheet, part in pkg.sheet_parts.items():
        if part in done or part not in archive.namelist():
            continue
        xml = archive.read(part).decode("utf-8")
        # an input sheet's header names the budget year (S.input_header, as ``new`` writes it)
        right = S.input_header(name, budget.years.budget)[1] if sheet in S.INPUT_SHEETS else title
        new = refresh_header(xml, name, right)
        if sheet == S.SHEET_INSTRUCTIONS:
            found = _a1_text(archive, new)
            wanted = f"Budget {budget.years.budget} \u2013 {name}"
            if found and _INSTRUCTIONS_TITLE.match(found[1]) and found[1] != wanted:
                match = found[0]
                style = re.search(r'\ss="(\d+)"', match.group("attrs"))
                cell = _cell_xml("A1", Cell(wanted), style.group(1) if style else "0")
                new = new[: match.start()] + cell + new[match.end() :]
        if new is not xml and new != xml:
            out[part] = new.encode("utf-8")
    return out


def write_grids(
    source: Path,
    target: Path,
    names: tuple[str, ...],
    build: Callable[[Package], dict[str, tuple[Grid, int]]],
    optional: tuple[str, ...] = (),
    also: Callable[[zipfile.ZipFile, Package, set[str]], dict[str, bytes]] | None = None,
) -> None:
    """Copy ``source`` to ``target`` replacing the cells of the sheets ``build`` returns.

    ``names`` are the defined names the job needs; a workbook without them is refused.
    ``optional`` names (the document sheets, absent in older workbooks) are used, and
    guarded like the others, where the workbook has them. Every other part of the
    package is copied unchanged.
    """
    from finsam_xl.xlsx.package import Package

    with zipfile.ZipFile(source) as archive:
        pkg = Package.read(archive)
        missing = [n for n in (*names, S.N_STYLES) if n not in pkg.names]
        if missing:
            raise WorkbookError(
                f"{source}: arbetsboken saknar de definierade namnen {', '.join(missing)} som "
                "anger var resultaten ska skrivas; skapa den med 'finsam-xl ny'."
            )
        present = tuple(n for n in optional if n in pkg.names)
        allowed = _guard_names(source, archive, pkg, (*names, *present, S.N_STYLES))
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
            xml = _splice(archive.read(part).decode("utf-8"), grid, first, styles)
            if grid.title:
                left, _, right = grid.title.partition(" \u2013 ")
                xml = patch_print(
                    xml,
                    left,
                    right or left,
                    grid.widths,
                    grid.blocks,
                    grid.heights,
                    max((r for r, _ in grid.cells), default=0),
                )
            elif grid.widths:
                xml = patch_columns(xml, grid.widths)
            replaced[part] = xml.encode("utf-8")
        if S.N_PLAN in pkg.names:
            sheet, row, col = pkg.anchor(S.N_PLAN)
            if sheet in grids:
                plan = grids[sheet][0]
                last = max((c for r, c in plan.cells if r == row), default=col)
                for name in archive.namelist():
                    if _CHART_PART.match(name):
                        xml = archive.read(name).decode("utf-8")
                        patched = chart_ranges(xml, sheet, col + 1, last)
                        if patched != xml:
                            replaced[name] = patched.encode("utf-8")
        if also is not None:
            replaced.update(also(archive, pkg, set(replaced)))
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
    from finsam_xl.xlsx.package import sheet_tables

    tables = sheet_tables(archive, pkg)
    for name in names:
        problem = result_name_problem(name, pkg.names.get(name), tables)
        if problem:
            raise WorkbookError(f"{source}: {problem} Inget skrevs.")
    return {split_ref(pkg.names[name])[0] for name in names}
