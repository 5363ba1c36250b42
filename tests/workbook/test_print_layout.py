"""Print layouts of the pages a person reads: Uppföljning, Avstämning, the input sheets, Översikt.

Checks on the written files (no rendering): the board's Uppföljning carries figures and
plain sentences, not the ekonom's vouchers, ``file:line`` or table instructions, and no
all-zero Rubrik; Avstämning's columns fit every heading word and every Benämning; Rader
prints two pages wide with Benämning repeated; Inställningar's explanations have the
height of their lines; every input sheet's page header names the förbund and the budget
year (after ``new`` and after ``nytt-ar``); Översikt shows the förbund names whole, its
charts inside the printed columns, and fits its pages. The rendering itself is checked
in test_recon_workbook.py and test_overview.py.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import synthetic_books as sb
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from support import EXAMPLE_NAMES, EXAMPLES

from finsam_xl import jobs
from finsam_xl.model import schema as S
from finsam_xl.model.interchange import load
from finsam_xl.sheets.overview_book import ROWS_PER_PAGE

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def reconciled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Södra Dalarna workbook after ``avstamning`` against the demo books (jan–aug)."""
    folder = tmp_path_factory.mktemp("layout")
    book = folder / "sd.xlsx"
    jobs.new(sb.budget_with_mapping(), book)
    books = folder / "bokforing.se"
    sb.make_books(books)
    jobs.reconcile_workbook(book, books, "2025-08")
    return book


def texts(ws: Any) -> list[str]:
    """Every text cell of a sheet, non-breaking spaces as spaces."""
    return [
        c.value.replace(NBSP, " ")
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]


def widths(ws: Any) -> dict[int, float]:
    """Column widths in characters by 1-based column (openpyxl reads the <cols> element)."""
    return {
        col: ws.column_dimensions[get_column_letter(col)].width
        for col in range(1, ws.max_column + 1)
    }


# -- item 9: Uppföljning is the board's page ------------------------------------------------
def test_uppfoljning_has_no_vouchers_file_lines_or_instructions(reconciled: Path) -> None:
    wb = load_workbook(reconciled)
    board = "\n".join(texts(wb[S.SHEET_FOLLOWUP]))
    ekonom = "\n".join(texts(wb[S.SHEET_RECON]))
    # the ekonom's detail stays on Avstämning ...
    assert re.search(r"\.se:\d+", ekonom) and "Kontomappning" in ekonom
    assert "verifikation" in ekonom.lower()
    # ... and is not on the board's page
    assert not re.search(r"\.se:\d+", board), board
    assert "verifikation" not in board.lower()
    assert "Kontomappning" not in board and "Inställningar" not in board
    assert not re.search(r"\b(?:fakturan|Inbetalningen) [A-Z] \d+", board), board
    # a plain sentence per deviation, with its figures
    lines = board.split("\n")
    assert "Hedemora kommun betalade en faktura för sent (40 dagar)." in lines
    assert any(
        t.startswith("Säters kommun har betalat")
        and "92 760 kr är obetalt, varav 92 760 kr har förfallit" in t
        for t in lines
    ), lines
    assert any(
        t.startswith(
            "Eget kapital vid årets början är 680 000 kr enligt bokföringen, 20 000 kr mindre"
        )
        for t in lines
    )
    assert any("48 000 kr är bokfört" in t for t in lines)
    assert any("'Samverkansteam Avesta': utfall" in t for t in lines)


def test_uppfoljning_prints_no_all_zero_rubrik(reconciled: Path) -> None:
    wb = load_workbook(reconciled)
    ws = wb[S.SHEET_FOLLOWUP]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[0] == "Rubrik")
    end = next(i for i, r in enumerate(rows) if r[0] == "Summa verksamhet (netto)")
    assert end - start > 3
    for row in rows[start + 1 : end]:
        amounts = [v for v in row[1:7] if isinstance(v, int | float)]
        assert any(amounts), row
    # the reserve Rubrik (all zero in 2025) is on Avstämning, not on the board's page
    assert not any("långsiktig inriktning" in t for t in texts(ws))
    assert any("långsiktig inriktning" in t for t in texts(wb[S.SHEET_RECON]))


# -- item 10: Avstämning's widths from the content -------------------------------------------
def test_avstamning_columns_fit_every_heading_word_and_benamning(reconciled: Path) -> None:
    wb = load_workbook(reconciled)
    ws = wb[S.SHEET_RECON]
    width = widths(ws)
    rows = list(ws.iter_rows())
    heading_rows = [r for r in rows if r[0].value in ("Rubrik", "Medlem", "Betalare", "Konto")]
    assert len(heading_rows) >= 5
    for row in heading_rows:
        for cell in row:
            if isinstance(cell.value, str) and cell.value:
                longest = max(len(w) for w in cell.value.split())
                # a bold heading word needs more than its letters (the old 12 broke
                # "Prognosmetod" and "Medlemsbidrag" mid-word)
                assert width[cell.column] >= longest + 3, (cell.value, width[cell.column])
    names = [
        r[1].value
        for r in rows
        if isinstance(r[1].value, str) and r[2].value and str(r[2].value).isdigit()
    ]
    assert names
    assert width[2] >= max(len(n) for n in names), (width[2], max(names, key=len))


# -- item 12: input sheets -------------------------------------------------------------------
@pytest.fixture(scope="module")
def example_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    book = tmp_path_factory.mktemp("inputs") / "sd.xlsx"
    jobs.new(load(EXAMPLES / "sodra-dalarna-2025.yaml"), book)
    return book


def test_rader_prints_readably_two_pages_wide(example_book: Path) -> None:
    ws = load_workbook(example_book)[S.SHEET_LINES]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 2 and ws.page_setup.fitToHeight == 0
    # Benämning (column F) at the left of the second page; the heading row on every page
    assert ws.cell(3, 6).value == "Benämning"
    assert ws.print_title_cols.replace("$", "") == "F:F"
    assert ws.print_title_rows.replace("$", "") == "3:3"


def test_installningar_explanations_have_the_height_of_their_lines(example_book: Path) -> None:
    ws = load_workbook(example_book)[S.SHEET_SETTINGS]
    long = [
        row[2]
        for row in ws.iter_rows(min_row=4)
        if isinstance(row[2].value, str) and len(row[2].value) > 80
    ]
    assert len(long) >= 3
    for cell in long:
        height = ws.row_dimensions[cell.row].height
        assert height is not None and height >= 30, (cell.value, height)


def test_every_input_sheet_names_the_forbund_and_year_in_its_header(
    example_book: Path, tmp_path: Path
) -> None:
    def check(book: Path, year: int) -> None:
        wb = load_workbook(book)
        present = [n for n in S.INPUT_SHEETS if n in wb.sheetnames]
        assert S.SHEET_LINES in present and S.SHEET_SETTINGS in present
        for name in present:
            head = wb[name].oddHeader
            assert head.left.text == "Södra Dalarnas Samordningsförbund", name
            assert head.right.text == f"Budget {year}", name

    check(example_book, 2025)
    nxt = tmp_path / "next.xlsx"
    outcome = jobs.write_next_year(example_book, nxt)
    assert outcome.written == nxt
    check(nxt, 2026)


# -- item 13: Översikt -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def overview_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("overview")
    out = folder / "oversikt.xlsx"
    jobs.overview_of([EXAMPLES / f"{n}.yaml" for n in EXAMPLE_NAMES], out, workers=1)
    return out


def test_overview_shows_every_forbund_name_whole(overview_book: Path) -> None:
    wb = load_workbook(overview_book)
    names = {r[0].value for r in wb["Förbund"].iter_rows(min_row=5) if r[0].value}
    longest = max(len(n) for n in names)
    assert longest >= len("Samordningsförbundet Södra Lappland")
    for sheet in ("Förbund", "Kontroller"):
        # the old 26/28 cut "Södra Dalarnas Samordningsförb" into the Fil column
        assert widths(wb[sheet])[1] >= longest + 2, sheet


def test_overview_charts_lie_within_the_printed_columns(overview_book: Path) -> None:
    wb = load_workbook(overview_book)
    ws = wb["Diagram"]
    area = ws.print_area
    area = area[0] if isinstance(area, list) else area
    last = re.search(r"\$?([A-Z]+)\$?\d+$", area.split(":")[-1])
    assert last is not None
    printed = sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(last.group(1))))
    with zipfile.ZipFile(overview_book) as archive:
        drawing = next(n for n in archive.namelist() if n.startswith("xl/drawings/drawing"))
        xml = archive.read(drawing).decode()
    ends = [int(c) for c in re.findall(r"<xdr:to><xdr:col>(\d+)</xdr:col>", xml)]
    assert len(ends) == 2
    for end in ends:  # 0-based column where the chart ends, inside the printed columns
        assert end + 1 <= printed, (end, area)
    # no print-title row on Diagram: row 4 holds the top of the first chart
    assert not ws.print_title_rows


def test_overview_pages_are_fitted_so_none_holds_a_few_rows(overview_book: Path) -> None:
    def tall(ws: Any) -> int:
        value = ws.page_setup.fitToHeight  # 1 is the default, left out of the file
        return 1 if value is None else int(value)

    wb = load_workbook(overview_book)
    for sheet in ("Förbund", "Medlemmar"):
        ws = wb[sheet]
        assert tall(ws) == max(1, round(ws.max_row / ROWS_PER_PAGE)), sheet
    # the three examples' members (about 55 rows) print on one page, not Åsele alone
    assert wb["Medlemmar"].max_row > ROWS_PER_PAGE
    assert tall(wb["Medlemmar"]) == 1
