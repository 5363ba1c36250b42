"""The overview workbook (``finsam-xl oversikt``), written new with XlsxWriter.

Sheets: Förbund (a row per förbund and year), Medlemmar (each member's
contributions per förbund and year, with its total), Kontroller (every
förbund's findings with file and cell, and the files that could not be read),
Matchning (which member each name was counted as: the table to correct),
Diagram (equity in % per förbund against the recommended level; each member's
contributions across förbund), and Inbetalningar (each member's instalments to
all its förbund by due date, from the förbund's fakturaplaner). Every sheet
prints on A4 landscape, fitted to the page width, with the title and page x of y.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from finsam_xl.core.overview import STATE, STATE_NOTE, ForbundYear, Overview
from finsam_xl.model.budget import YearKind
from finsam_xl.model.labels import KIND_LABELS, SEVERITY_LABELS, YEAR_KIND_LABELS
from finsam_xl.model.money import plain_number
from finsam_xl.xlsx.cells import XLSXWRITER_OPTIONS

TITLE = "Översikt samordningsförbund"


def _lines(text: str, width: int) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (an estimate)."""
    return max(1, -(-len(text) * 10 // (width * 12)))


#: Characters of the width unit per character of a name, where the sheet is drawn in a
#: wider font than Calibri (LibreOffice: DejaVu Sans), and the padding of a cell.
NAME_CHAR = 1.1
#: Rows a landscape page holds at a readable scale; a sheet fitted to the page width is
#: also fitted to this many rows a page, so that no page holds only the last few rows.
ROWS_PER_PAGE = 48
#: The charts on Diagram: as wide as the printed columns A:K (11 columns of 64 px).
CHART_WIDTH = 680
PRINT_COLS = 11


def name_width(names: list[str], least: float) -> float:
    """A column width that shows every name whole (a förbund's name is never cut)."""
    return max([least, *(len(n) * NAME_CHAR + 2 for n in names)])


def pages_tall(rows: int) -> int:
    """Pages a sheet of ``rows`` rows is fitted to: whole pages, none with only a few rows."""
    return max(1, round(rows / ROWS_PER_PAGE))


def _yes(flag: bool | None) -> str:
    return "" if flag is None else ("Ja" if flag else "Nej")


class _Book:
    """Formats and the print setup every sheet shares."""

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.note = wb.add_format({"italic": True, "font_color": "#555555"})
        self.head = wb.add_format(
            {
                "bold": True,
                "bg_color": "#1F4E78",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "valign": "top",
                "border": 1,
            }
        )
        self.kr = wb.add_format({"num_format": "#,##0"})
        self.kr_bold = wb.add_format({"num_format": "#,##0", "bold": True, "top": 1})
        self.pct = wb.add_format({"num_format": "0.0"})
        self.bold = wb.add_format({"bold": True, "top": 1})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.top = wb.add_format({"valign": "top"})
        self.red = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})

    def sheet(self, name: str, heading: str, note: str, repeat: bool = True) -> Any:
        """A sheet with its title, note and print setup; ``repeat``: its heading row (row 4)
        printed on every page (not on Diagram, where row 4 holds the top of a chart)."""
        ws = self.wb.add_worksheet(name)
        ws.write(0, 0, heading, self.title)
        ws.write(1, 0, note, self.note)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        if repeat:
            ws.repeat_rows(3, 3)
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        ws.set_header(f"&L&9{TITLE}&R&9{name}")
        ws.set_footer(f"&L&9Skapad {date.today().isoformat()}&R&9Sida &P av &N")
        ws.freeze_panes(4, 1)
        return ws


def write_overview(overview: Overview, path: Path) -> None:
    """Write the overview workbook to ``path`` (a new file)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), dict(XLSXWRITER_OPTIONS))
    try:
        book = _Book(wb)
        years_row = _forbund_sheet(book, overview)
        _members_sheet(book, overview)
        _findings_sheet(book, overview)
        _matching_sheet(book, overview)
        _charts_sheet(book, overview, years_row)
        instalments_sheet(book, overview)
    finally:
        wb.close()


def _forbund_headers(names: list[str]) -> list[tuple[str, float]]:
    """The Förbund sheet's column headings and widths."""
    return [
        ("Förbund", name_width(names, 26)),
        ("Budget-år", 6),
        ("År", 5),
        ("Typ", 9),
        ("Medlems-bidrag", 11),
        ("Statens andel %", 7),
        ("Övriga intäkter", 10),
        ("Kostnader", 11),
        ("Resultat", 10),
        ("Eget kapital 31/12", 11),
        ("EK % av bidrag", 7),
        ("Rekommen-derad högsta nivå", 11),
        ("Styrelsens lägsta nivå", 10),
        ("Över rekommen-dation", 9),
        ("Under lägsta nivå", 7),
        ("Adm.-andel %", 7),
        ("Insatser", 7),
        ("Slutar inom planen", 7),
        ("Fel", 5),
        ("Var-ningar", 6),
    ]


def _forbund_row(r: ForbundYear) -> list[Any]:
    """One förbund and year on the Förbund sheet."""
    return [
        r.forbund,
        r.budget_year,
        r.year,
        YEAR_KIND_LABELS[r.kind],
        plain_number(r.contributions),
        plain_number(r.state_pct),
        plain_number(r.other_income),
        plain_number(r.costs),
        plain_number(r.result),
        plain_number(r.equity_end),
        plain_number(r.equity_pct),
        plain_number(r.recommended_max),
        plain_number(r.floor),
        _yes(r.above_recommended),
        _yes(r.below_floor),
        plain_number(r.admin_share_pct),
        r.insatser,
        r.insatser_ending,
        r.errors,
        r.warnings,
    ]


def _forbund_sheet(book: _Book, overview: Overview) -> int:
    n = len({(r.forbund, r.budget_year) for r in overview.forbund})
    ws = book.sheet(
        "Förbund",
        f"{TITLE}: {n} förbund",
        f"En rad per förbund och år. Belopp i kr. Skapad {date.today().isoformat()} "
        "med finsam-xl oversikt.",
    )
    names = sorted({r.forbund for r in overview.forbund})
    headers = _forbund_headers(names)
    rows = [_forbund_row(r) for r in overview.forbund]
    money = {4, 6, 7, 8, 9, 11, 12}
    percent = {5, 10, 15}
    for col, (_, width) in enumerate(headers):
        fmt = book.kr if col in money else book.pct if col in percent else None
        ws.set_column(col, col, width, fmt)
    ws.set_row(3, 48)
    last = 3 + max(1, len(rows))
    ws.fit_to_pages(1, pages_tall(last + 1))
    ws.add_table(
        3,
        0,
        last,
        len(headers) - 1,
        {
            "name": "Forbund",
            "columns": [{"header": h, "header_format": book.head} for h, _ in headers],
            "data": rows or [[None] * len(headers)],
            "style": "Table Style Light 9",
        },
    )
    for col in (13, 14):
        ws.conditional_format(
            4,
            col,
            last,
            col,
            {
                "type": "cell",
                "criteria": "==",
                "value": '"Ja"',
                "format": book.red,
            },
        )
    return last


def _members_sheet(book: _Book, overview: Overview) -> None:
    years = sorted({y for m in overview.members for y in m.total})
    ws = book.sheet(
        "Medlemmar",
        "Medlemmarnas bidrag till alla förbund",
        f"Staten = {STATE_NOTE}, summerat. Namnvarianter räknas som en medlem enligt bladet "
        "Matchning. Belopp i kr.",
    )
    headers = ["Medlem", "Part", "Förbund", *[str(y) for y in years]]
    for col, header in enumerate(headers):
        ws.write(3, col, header, book.head)
    ws.set_column(0, 0, 32)
    ws.set_column(1, 1, 9)
    ws.set_column(2, 2, name_width([f for m in overview.members for f in m.amounts], 34))
    ws.set_column(3, 3 + len(years), 13, book.kr)
    ws.set_row(3, 20)
    row = 4
    for member in overview.members:
        for forbund, amounts in sorted(member.amounts.items()):
            ws.write(row, 0, member.member)
            ws.write(row, 1, KIND_LABELS[member.kind])
            ws.write(row, 2, forbund)
            for j, year in enumerate(years):
                if year in amounts:
                    ws.write_number(row, 3 + j, plain_number(amounts[year]) or 0)
            row += 1
        ws.write(row, 0, f"Totalt {member.member}", book.bold)
        ws.write(row, 1, "", book.bold)
        ws.write(row, 2, f"{len(member.amounts)} förbund", book.bold)
        for j, year in enumerate(years):
            if year in member.total:
                ws.write_number(row, 3 + j, plain_number(member.total[year]) or 0, book.kr_bold)
            else:
                ws.write_blank(row, 3 + j, None, book.kr_bold)
        row += 2
    ws.fit_to_pages(1, pages_tall(row))


def _findings_sheet(book: _Book, overview: Overview) -> None:
    ws = book.sheet(
        "Kontroller",
        "Kontroller i alla förbund",
        "Varje förbunds anmärkningar med fil och cell, och filer som inte kunde läsas.",
    )
    names = [p.forbund for p in overview.findings]
    headers = [
        ("Förbund", name_width(names, 28)),
        ("Fil", 26),
        ("Plats", 18),
        ("Nivå", 8),
        ("Meddelande", 80),
        ("Regel", 22),
    ]
    for col, (header, width) in enumerate(headers):
        ws.write(3, col, header, book.head)
        ws.set_column(col, col, width, book.wrap if header == "Meddelande" else book.top)
    row = 4
    lines = 4  # the rows above the table, then each row's lines
    for refused in overview.refused:
        ws.write_row(
            row, 0, ["(ej inläst)", refused.source, "", "Fel", refused.message, "overview.refused"]
        )
        ws.set_row(row, 15 * _lines(refused.message, 80))
        lines += _lines(refused.message, 80)
        row += 1
    for placed in overview.findings:
        f = placed.finding
        ws.write_row(
            row,
            0,
            [
                placed.forbund,
                placed.source,
                f.location or "",
                SEVERITY_LABELS[f.severity],
                f.message,
                f.rule,
            ],
        )
        ws.set_row(row, 15 * _lines(f.message, 80))
        lines += _lines(f.message, 80)
        row += 1
    ws.fit_to_pages(1, pages_tall(lines))
    ws.autofilter(3, 0, max(row - 1, 4), len(headers) - 1)


def _matching_sheet(book: _Book, overview: Overview) -> None:
    ws = book.sheet(
        "Matchning",
        "Matchning av medlemmar",
        "Namnet som det står i budgeten och medlemmen det räknades som. Rätta kolumnen Medlem, "
        "spara bladet som CSV och ange det med --matchning.",
    )
    ws.write(3, 0, "Namn i budgeten", book.head)
    ws.write(3, 1, "Medlem", book.head)
    ws.set_column(0, 1, 45)
    for i, (name, member) in enumerate(overview.matching.items(), start=4):
        ws.write(i, 0, name)
        ws.write(i, 1, member)


def _charts_sheet(book: _Book, overview: Overview, last_forbund_row: int) -> None:
    ws = book.sheet(
        "Diagram",
        "Eget kapital och medlemsbidrag",
        "Eget kapital vid budgetårets slut i % av medlemsbidragen, mot rekommendationen.",
        repeat=False,
    )
    ws.write(2, 0, "Medlemmarnas bidrag per förbund under budgetåret.", book.note)
    budget_rows = [r for r in overview.forbund if r.kind is YearKind.BUDGET]
    ws.write_row(3, 12, ["Förbund", "EK %", "Rekommenderat %"], book.head)
    for i, r in enumerate(budget_rows, start=4):
        ws.write(i, 12, r.forbund)
        if r.equity_pct is not None:
            ws.write_number(i, 13, plain_number(r.equity_pct))
        ws.write_number(i, 14, plain_number(r.recommended_max_pct))
    if budget_rows:
        last = 3 + len(budget_rows)
        chart = book.wb.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": "Eget kapital i % av bidragen",
                "categories": ["Diagram", 4, 12, last, 12],
                "values": ["Diagram", 4, 13, last, 13],
                "fill": {"color": "#1F4E78"},
            }
        )
        line = book.wb.add_chart({"type": "line"})
        line.add_series(
            {
                "name": "Rekommenderad högsta nivå (%)",
                "categories": ["Diagram", 4, 12, last, 12],
                "values": ["Diagram", 4, 14, last, 14],
                "line": {"color": "#C00000", "width": 2.25, "dash_type": "dash"},
                "marker": {"type": "none"},
                "smooth": False,
            }
        )
        chart.combine(line)
        chart.set_title({"name": "Eget kapital vid budgetårets slut"})
        chart.set_y_axis(
            {"name": "% av medlemsbidragen", "min": 0, "major_gridlines": {"visible": True}}
        )
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": CHART_WIDTH, "height": 340})
        ws.insert_chart(3, 0, chart)
    _member_chart(book, ws, overview, budget_rows)
    # the charts (CHART_WIDTH fits A:K); their data to the right is not printed
    ws.print_area(0, 0, 60, PRINT_COLS - 1)
    ws.set_h_pagebreaks([22])


def _member_chart(book: _Book, ws: Any, overview: Overview, budget_rows: list[Any]) -> None:
    """A stacked bar per member (regions and municipalities): its contribution per förbund."""
    years = {(r.forbund, r.budget_year) for r in budget_rows}
    members = [m for m in overview.members if m.member != STATE]
    forbund = sorted({f for m in members for f in m.amounts})
    if not members or not forbund:
        return
    top = 8 + len(budget_rows)
    ws.write(top, 12, "Medlem", book.head)
    for j, name in enumerate(forbund):
        ws.write(top, 13 + j, name, book.head)
    budget_year = {f: y for f, y in years}
    for i, member in enumerate(members, start=top + 1):
        ws.write(i, 12, member.member)
        for j, name in enumerate(forbund):
            amount = member.amounts.get(name, {}).get(budget_year.get(name, 0))
            if amount is not None:
                ws.write_number(i, 13 + j, plain_number(amount) or 0)
    last = top + len(members)
    chart = book.wb.add_chart({"type": "bar", "subtype": "stacked"})
    for j in range(len(forbund)):
        chart.add_series(
            {
                "name": ["Diagram", top, 13 + j],
                "categories": ["Diagram", top + 1, 12, last, 12],
                "values": ["Diagram", top + 1, 13 + j, last, 13 + j],
            }
        )
    chart.set_title({"name": "Medlemmarnas bidrag under budgetåret, per förbund"})
    chart.set_x_axis({"name": "kr", "num_format": "# ##0"})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": CHART_WIDTH, "height": max(300, 22 * len(members) + 120)})
    ws.insert_chart(23, 0, chart)


def instalments_sheet(book: _Book, overview: Overview) -> None:
    """Inbetalningar: each member's instalments to all its förbund by due date (a cash plan)."""
    ws = book.sheet(
        "Inbetalningar",
        "Medlemmarnas inbetalningar till alla förbund",
        f"En rad per faktura i förbundens fakturaplaner (budgetåret), per medlem efter "
        f"förfallodag. Staten = {STATE_NOTE}. Belopp i kr.",
    )
    headers = [
        ("Medlem", 30),
        ("Förfallodag", 12),
        ("Förbund", 34),
        ("Fakturadatum", 12),
        ("Referens", 22),
        ("Belopp", 13),
        ("Summa hittills i året", 14),
    ]
    for col, (_, width) in enumerate(headers):
        ws.set_column(col, col, width, book.kr if col >= 5 else None)
    rows: list[list[str | int | float | None]] = []
    running: dict[tuple[str, int], Decimal] = {}
    for i in overview.instalments:
        key = (i.member, i.due.year)
        running[key] = running.get(key, Decimal(0)) + i.amount
        rows.append(
            [
                i.member,
                i.due.isoformat(),
                i.forbund,
                i.day.isoformat(),
                i.reference,
                plain_number(i.amount),
                plain_number(running[key]),
            ]
        )
    ws.set_row(3, 30)
    ws.add_table(
        3,
        0,
        3 + max(1, len(rows)),
        len(headers) - 1,
        {
            "name": "Inbetalningar",
            "columns": [{"header": h, "header_format": book.head} for h, _ in headers],
            "data": rows or [[None] * len(headers)],
            "style": "Table Style Light 9",
        },
    )
