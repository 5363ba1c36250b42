"""avstamning refuses what would give a silently wrong reconciliation (issue 18, cases 3 and 10).

A Kontomappning rule to a member the budget does not have ("Säters kommunn")
once dropped that member's invoices and payments without a word; books of
another year (2017 against the 2025 workbook) once gave a follow-up with
every budget at 0. Both are now refused, the workbook untouched; books of a
comparison year say what they are compared with.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import synthetic_books as sb
from openpyxl import load_workbook
from typer.testing import CliRunner

from finsam_xl import jobs
from finsam_xl.cli import app
from finsam_xl.model import schema as S

runner = CliRunner()


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("recon_inputs")
    book = folder / "sd.xlsx"
    jobs.new(sb.budget_with_mapping(), book)
    books = folder / "bokforing.se"
    sb.make_books(books)
    return book, books


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def misspelt(source: Path, target: Path) -> str:
    """A copy whose Kontomappning names 'Säters kommunn' for 3595; returns that cell."""
    wb = load_workbook(source)
    ws = wb[S.SHEET_MAPPING]
    table = ws.tables[S.T_MAPPING]
    first = ws[table.ref.split(":")[0]]
    headers = {c.value: c.column for c in ws[first.row]}
    for row in range(first.row + 1, ws.max_row + 1):
        if str(ws.cell(row, headers["Konto"]).value) == "3595":
            cell = ws.cell(row, headers["Namn"])
            assert cell.value == "Säters kommun"
            cell.value = "Säters kommunn"
            wb.save(target)
            return f"{S.SHEET_MAPPING}!{cell.coordinate}"
    raise AssertionError("no 3595 row")


def test_a_mapping_to_an_unknown_member_is_an_error_at_its_cell_in_check(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    book = tmp_path / "b.xlsx"
    where = misspelt(setup[0], book)
    result = runner.invoke(app, ["kontrollera", str(book), "--json"])
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    found = [f for f in findings if f["rule"] == "mapping.member-unknown"]
    assert len(found) == 1 and found[0]["severity"] == "error"
    assert found[0]["location"] == where
    assert "namnet 'Säters kommunn'" in found[0]["message"]
    assert "menar du 'Säters kommun'?" in found[0]["message"]


def test_avstamning_refuses_a_mapping_to_an_unknown_member_and_writes_nothing(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    book = tmp_path / "b.xlsx"
    where = misspelt(setup[0], book)
    before = sha(book)
    result = runner.invoke(app, ["avstamning", str(book), str(setup[1]), "--json"])
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["location"]) for f in findings] == [("mapping.member-unknown", where)]
    assert sha(book) == before


def books_of(path: Path, year: int) -> Path:
    path.write_text(
        "#FLAGGA 0\n#FORMAT PC8\n#SIETYP 4\n"
        f"#RAR 0 {year}0101 {year}1231\n"
        '#KONTO 1930 "Bank"\n#KONTO 4710 "Insatser"\n'
        f'#VER "A" "1" {year}0115 "Inkop"\n{{\n'
        '#TRANS 4710 {1 "35000"} 1000.00\n#TRANS 1930 {} -1000.00\n}\n',
        encoding="ascii",
    )
    return path


def test_avstamning_refuses_books_of_a_year_the_workbook_does_not_have(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    book = tmp_path / "b.xlsx"
    book.write_bytes(setup[0].read_bytes())
    before = sha(book)
    books = books_of(tmp_path / "2017.se", 2017)
    result = runner.invoke(app, ["avstamning", str(book), str(books)])
    assert result.exit_code == 2, result.output
    assert "Bokföringen 2017.se gäller 2017, men arbetsboken b.xlsx har budgeten för 2025" in (
        " ".join(result.output.split())
    )
    assert "Inget skrevs." in result.output
    assert sha(book) == before


def test_books_of_a_comparison_year_say_what_is_compared(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    books = books_of(tmp_path / "2024.se", 2024)
    outcome = jobs.reconcile_workbook(setup[0], books, write=False)
    assert outcome.recon is not None and outcome.recon.year == 2024
    said = [f.message for f in outcome.findings if f.rule == "recon.other-year"]
    assert said == [
        "Bokföringen gäller 2024, ett jämförelseår i arbetsboken (budgetåret är 2025): "
        "utfallet 2024 jämförs med jämförelseårets belopp för 2024, inte med budgeten för 2025."
    ]
