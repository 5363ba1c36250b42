"""The document sheets as written into the workbook: Budget row by row against the seeds,
Not 1, Eget kapital with its marks, and a workbook made before these sheets."""

from __future__ import annotations

import shutil
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from published_support import diff, load_published, published_rows
from support import EXAMPLE_NAMES

from finsam_xl import jobs
from finsam_xl.model import schema as S


def sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    """Values of a sheet from its header row (row 4) down, as lists."""
    ws = load_workbook(path)[sheet]
    return [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]


def budget_sheet_rows(path: Path, years: list[int]) -> list[tuple[Any, ...]]:
    """The Budget sheet as transcription rows (kind left out: the sheet shows it by style)."""
    rows = sheet_rows(path, S.SHEET_BUDGET)
    header = [str(h or "") for h in rows[0]]
    year_col = {y: next(i for i, h in enumerate(header) if h.endswith(str(y))) for y in years}
    id_col = header.index("ID") if "ID" in header else None
    konto_col = header.index("Konto") if "Konto" in header else None
    text_col = header.index("Beskrivning")
    out = []
    for row in rows[1:]:
        if not any(v is not None for v in row):
            continue
        values = {y: Decimal(str(row[c])) for y, c in year_col.items() if row[c] is not None}
        out.append(
            (
                "",
                row[id_col] if id_col is not None else None,
                row[konto_col] if konto_col is not None else None,
                row[text_col],
                values,
            )
        )
    return out


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_budget_sheet_reproduces_the_published_table_row_by_row(
    name: str, example_books: dict[str, Path]
) -> None:
    published = load_published(name)
    expected = [("", *r[1:]) for r in published_rows(published)]
    # IDs are printed on headings and totals only, as the documents do
    got = budget_sheet_rows(example_books[name], published["years"])
    assert diff(expected, got, published["years"]) == []  # type: ignore[arg-type]


def test_not1_sheet_reproduces_sodra_dalarna(example_books: dict[str, Path]) -> None:
    published = load_published("sodra-dalarna-2025")["not1"]
    rows = sheet_rows(example_books["sodra-dalarna-2025"], S.SHEET_NOT1)
    header = [str(h) for h in rows[0]]
    share, amount = header.index("Andel 2025"), header.index("2025")
    body = {r[0]: r for r in rows[1:] if r[0]}
    for member, pct, kr in published["rows"]:
        assert body[member][share] == pytest.approx(pct / 100)
        assert body[member][amount] == kr
        assert body[member][1] in ("", None)  # the key equals the share: not printed twice
    assert body["Totalt"][share] == 1 and body["Totalt"][amount] == published["total"][1]
    assert not any(str(r[0]).startswith("Belopp enligt lagens") for r in rows if r[0])


def test_not1_sheet_has_no_lawful_block_and_equal_shares(example_books: dict[str, Path]) -> None:
    """Fryksdalen: the 50/25/25 deviation is on Kontroller, not in the board's note;
    Försäkringskassan and Arbetsförmedlingen pay the same and show the same share."""
    rows = sheet_rows(example_books["fryksdalen-2022"], S.SHEET_NOT1)
    names = [str(r[0]) for r in rows if r[0]]
    assert not any(n.startswith("Belopp enligt lagens") for n in names)
    header = [str(h) for h in rows[next(i for i, r in enumerate(rows) if r[0] == "Medlem")]]
    share = header.index("Andel 2022")
    by = {r[0]: r for r in rows if r[0]}
    assert by["Försäkringskassan"][share] == by["Arbetsförmedlingen"][share]
    assert by["Försäkringskassan"][1] == "fast belopp"
    assert any(n.startswith("Andelarna är avrundade") for n in names)


def test_equity_sheet_reproduces_sodra_dalarna_with_marks(
    example_books: dict[str, Path],
) -> None:
    published = load_published("sodra-dalarna-2025")["equity"]
    rows = sheet_rows(example_books["sodra-dalarna-2025"], S.SHEET_EQUITY)
    got = []
    for row in rows[1:]:
        if not isinstance(row[0], int):
            continue

        cells = [f"{int(row[c] or 0)}{row[c + 1] or ''}" for c in (1, 3, 7)]
        got.append([row[0], *cells])
    assert got == published
    notes = [r[0] for r in rows if isinstance(r[0], str)]
    assert any(n.startswith("* = prognos: planårens") for n in notes)
    assert any(n.startswith("** = äskat belopp") for n in notes)


def _strip_document_sheets(src: Path, dst: Path) -> None:
    """A workbook as made before the document sheets: their defined names removed."""
    import re

    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w") as out:
        for info in a.infolist():
            data = a.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = data.decode()
                for name in S.DOCUMENT_NAMES:
                    text = re.sub(rf"<definedName name=\"{name}\">[^<]*</definedName>", "", text)
                # and the markers read columns A, E, F as they did then
                for name, col in (
                    ("fx_markering_niva", "A"),
                    ("fx_markering_blad", "E"),
                    ("fx_markering_cell", "F"),
                ):
                    text = re.sub(
                        rf"(<definedName name=\"{name}\">'Kontroller'!)\$[A-Z]\$5:\$[A-Z]",
                        rf"\g<1>${col}$5:${col}",
                        text,
                    )
                data = text.encode()
            out.writestr(info, data, compress_type=info.compress_type)


def test_an_old_workbook_without_the_document_sheets_still_recalcs(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    book = tmp_path / "old.xlsx"
    _strip_document_sheets(example_books["sodra-dalarna-2025"], book)
    before = {n: zipfile.ZipFile(book).read(n) for n in zipfile.ZipFile(book).namelist()}
    jobs.recalc(book)
    wb = load_workbook(book)
    status = wb["Plan"]["A2"].value
    assert (
        "Bladen Budget, Not 1, Insatser, Eget kapital och Fakturaplan finns inte i denna arbetsbok"
        in status
    )
    findings = wb["Kontroller"]
    assert findings["G4"].value == "Regel" and findings["H4"].value is None  # no H:J list
    assert (findings["A5"].value, findings["E5"].value, findings["F5"].value) == (
        "Fel",
        "Publicerat",
        "D18",
    )
    after = {n: zipfile.ZipFile(book).read(n) for n in zipfile.ZipFile(book).namelist()}
    # the sheets whose names are gone are not touched
    sheets = {s.title: i + 1 for i, s in enumerate(wb.worksheets)}
    for name in ("Budget", "Not 1", "Insatser", "Eget kapital", "Fakturaplan"):
        part = f"xl/worksheets/sheet{sheets[name]}.xml"
        assert after[part] == before[part], name


def test_page_header_follows_the_forbund_name(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    book = tmp_path / "b.xlsx"
    shutil.copy(example_books["fryksdalen-2022"], book)
    ws = load_workbook(book)["Budget"]
    assert "Fryksdalens Samordningsförbund" in ws.oddHeader.left.text
    assert ws.oddHeader.right.text == "Budget 2022 med plan 2023\u20132024"
    assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text
    assert ws.page_setup.paperSize == 9 and int(ws.page_setup.scale) >= 73


def test_bad_utfall_rows_are_findings_at_their_cells(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    from finsam_xl.workbook.reader import read_workbook

    book = tmp_path / "b.xlsx"
    shutil.copy(example_books["sodra-dalarna-2025"], book)
    wb = load_workbook(book)
    ws = wb[S.SHEET_ACTUALS]
    ws["F4"] = "Kanske"  # status of 2022
    ws["A5"] = 2022  # 2023's row now repeats 2022
    ws["B6"] = "mycket"  # not an amount
    wb.save(book)
    found = {(f.rule, f.location): f.message for f in read_workbook(book).findings}
    assert found[("read.actuals-status", "Utfall!F4")].startswith("'Kanske' är inget val")
    assert found[("read.actuals-year", "Utfall!A5")] == "Året 2022 finns redan i tabellen."
    assert any(loc == "Utfall!B6" for _, loc in found)


def test_layout_settings_are_read_back_from_the_workbook(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    from finsam_xl.model.budget import ComparisonKind
    from finsam_xl.workbook.reader import read_workbook

    book = tmp_path / "b.xlsx"
    shutil.copy(example_books["sodra-lappland-2024"], book)
    wb = load_workbook(book)
    ws = wb[S.SHEET_SETTINGS]
    labels = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
    ws.cell(labels[S.SETTING_LABELS["doc_comparison_kinds"]], 2).value = "Utfall"
    ws.cell(labels[S.SETTING_LABELS["doc_costs_negative"]], 2).value = "Ja"
    wb.save(book)
    budget = read_workbook(book).budget
    assert budget is not None
    assert budget.document.comparison_kinds == [ComparisonKind.UTFALL]
    assert budget.document.costs_negative and budget.document.totals_on_heading
    jobs.recalc(book)
    header = sheet_rows(book, S.SHEET_BUDGET)[0]
    assert "Utfall 2023" in header
