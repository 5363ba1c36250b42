"""avstamning and export-sie on a workbook: the same four findings, the sheet, SIE round trip."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
import synthetic_books as sb
from openpyxl import load_workbook
from support import libreoffice_convert, pdf_pages
from typer.testing import CliRunner

from finsam_xl import jobs
from finsam_xl.cli import app
from finsam_xl.sie import PeriodBalance, read_sie
from finsam_xl.xlsx.package import Package

runner = CliRunner()


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("recon")
    book = folder / "sd.xlsx"
    jobs.new(sb.budget_with_mapping(), book)
    books = folder / "bokforing.se"
    sb.make_books(books)
    return book, books


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def test_avstamning_reports_the_planted_problems_and_writes_only_its_sheet(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    book = tmp_path / "b.xlsx"
    book.write_bytes(setup[0].read_bytes())
    before = parts(book)
    result = runner.invoke(
        app, ["avstamning", str(book), str(setup[1]), "--period", "2025-08", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert sorted(f["rule"] for f in data["findings"]) == [
        "forecast.equity.below-floor",
        "recon.deviation",
        "recon.equity-diff",
        "recon.invoice-unpaid",
        "recon.payment-late",
        "recon.payment-unmatched",
        "recon.receivable-diff",
        "recon.unmapped",
    ]
    assert data["period_end"] == "2025-08-31" and data["months"] == 8
    assert data["books_kind"] == "periodiserad"
    assert data["equity"]["difference"] == -20000
    assert data["forecast"]["equity_end"] == 16000
    hedemora = next(m for m in data["members"] if m["name"] == "Hedemora kommun")
    assert hedemora["invoices"][1]["paid_on"] == "2025-06-10"
    assert hedemora["invoices"][1]["days_late"] == 40
    after = parts(book)
    with zipfile.ZipFile(book) as archive:
        sheet_parts = Package.read(archive).sheet_parts
    changed = {n for n in before if before[n] != after[n]}
    assert changed == {sheet_parts["Avstämning"], sheet_parts["Uppföljning"]}
    ws = load_workbook(book, data_only=True)["Avstämning"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("Samverkansteam Avesta" in t for t in texts)
    assert any("40 dagar sent" in t for t in texts)


def test_avstamning_with_bad_books_names_the_line(setup: tuple[Path, Path], tmp_path: Path) -> None:
    book = tmp_path / "b.xlsx"
    book.write_bytes(setup[0].read_bytes())
    digest = hashlib.sha256(book.read_bytes()).hexdigest()
    bad = tmp_path / "trasig.se"
    bad.write_text('#FLAGGA 0\n#SIETYP 4\n#VER "A" "1" 20251301 "x"\n{\n', encoding="utf-8")
    result = runner.invoke(app, ["avstamning", str(book), str(bad)])
    assert result.exit_code in (1, 2)
    assert "trasig.se:" in result.output
    assert "Skrev" not in result.output
    assert hashlib.sha256(book.read_bytes()).hexdigest() == digest


def test_export_sie_round_trips_the_budget(setup: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "budget.se"
    result = runner.invoke(app, ["exportera-sie", str(setup[0]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    sie = read_sie(out)
    assert not [i for i in sie.issues if i.severity.value == "error"]
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    months = set()
    for record in sie.records:
        if isinstance(record, PeriodBalance) and record.kind == "PBUDGET":
            centre = record.objects[0][1] if record.objects else ""
            totals[(record.account, centre)] += record.amount
            months.add(record.period.month)
    assert months == set(range(1, 13))
    budget = sb.budget_with_mapping()
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in budget.costs:
        if line.account and line.amounts.get(2025):
            expected[(line.account, line.cost_centre or "")] += line.amounts[2025]
    for line in budget.income:
        if line.account and line.amounts.get(2025):
            expected[(line.account, line.cost_centre or "")] -= line.amounts[2025]
    owed = {
        "Försäkringskassan med Arbetsförmedlingen": 3092000,
        "Region Dalarna": 1546000,
        "Avesta kommun": 680240,
        "Hedemora kommun": 494720,
        "Säters kommun": 371040,
    }
    for member, account in sb.MEMBER_ACCOUNTS.items():  # contributions as income
        expected[(account, "")] -= owed[member]
    assert dict(totals) == dict(expected)
    assert totals[("35", "35000")] == 1840000
    assert sum(totals.values()) == 316000  # the budget's deficit: costs minus income


def test_export_sie_without_accounts_is_refused(tmp_path: Path) -> None:
    from support import ROOT

    out = tmp_path / "b.se"
    book = ROOT / "workbooks" / "examples" / "fryksdalen-2022.xlsx"
    result = runner.invoke(app, ["exportera-sie", str(book), "-o", str(out)])
    assert result.exit_code == 2 and "inga rader med konto" in result.output
    assert not out.exists()


def test_a_period_outside_the_books_year_is_refused(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    book = tmp_path / "b.xlsx"
    book.write_bytes(setup[0].read_bytes())
    result = runner.invoke(app, ["avstamning", str(book), str(setup[1]), "--period", "2024-05"])
    assert result.exit_code == 2
    assert "utanför bokföringens räkenskapsår 2025" in result.output


def test_the_demo_books_take_help_like_any_command(tmp_path: Path) -> None:
    """`finsam-xl demo-bokforing --help` (the walkthrough's books; tests/test_walkthroughs.py)."""
    import os

    run = subprocess.run(
        [sys.executable, "-m", "finsam_xl", "demo-bokforing", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert run.returncode == 0 and "--kontantmassig" in run.stdout
    assert list(tmp_path.iterdir()) == []  # no file named --help


def test_the_demo_books_keep_a_file_already_there(tmp_path: Path) -> None:
    """Never lose a user's data: an existing bokforing.se becomes its backup."""
    books = tmp_path / "bokforing.se"
    books.write_bytes(b"mina riktiga verifikationer")
    run = subprocess.run(
        [sys.executable, "-m", "finsam_xl", "demo-bokforing", "bokforing.se", "--csv", "hb.csv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "Skrev bokforing.se med 1952 verifikationer.",
        "Skrev hb.csv.",
    ]
    assert (tmp_path / "bokforing.backup.se").read_bytes() == b"mina riktiga verifikationer"
    assert books.read_bytes().startswith(b"#FLAGGA 0")
    assert (tmp_path / "hb.csv").read_text(encoding="utf-8").startswith("Datum;Verifikation")


def test_a_workbook_without_uppfoljning_gets_avstamning_only(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    """A workbook made before the Uppföljning sheet existed: no defined name, no sheet written."""
    import re

    book = tmp_path / "old.xlsx"
    with zipfile.ZipFile(setup[0]) as src, zipfile.ZipFile(book, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = re.sub(
                    rb"<definedName name=\"fx_uppfoljning\"[^<]*</definedName>", b"", data
                )
            dst.writestr(info, data)
    before = parts(book)
    outcome = jobs.reconcile_workbook(book, setup[1], "2025-08")
    assert outcome.sheets == ("Avstämning",)
    after = parts(book)
    with zipfile.ZipFile(book) as archive:
        sheet_parts = Package.read(archive).sheet_parts
    assert {n for n in before if before[n] != after[n]} == {sheet_parts["Avstämning"]}


@pytest.mark.slow
def test_uppfoljning_prints_with_the_forbund_and_page_numbers(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    """LibreOffice renders Uppföljning (and Avstämning) to PDF: name and 'Sida x av y' per page."""
    import shutil

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice or pdftotext saknas")
    book = tmp_path / "b.xlsx"
    book.write_bytes(setup[0].read_bytes())
    jobs.reconcile_workbook(book, setup[1], "2025-08")
    wb = load_workbook(book)
    for ws in list(wb.worksheets):
        if ws.title not in ("Avstämning", "Uppföljning"):
            wb.remove(ws)
    wb.save(tmp_path / "print.xlsx")
    libreoffice_convert([tmp_path / "print.xlsx"], tmp_path, "pdf")
    pages = pdf_pages(tmp_path / "print.pdf")
    assert len(pages) >= 3  # Avstämning runs over several pages, Uppföljning after it
    for number, page in enumerate(pages, start=1):
        assert "Södra Dalarnas Samordningsförbund" in page, number
        assert f"Sida {number} av {len(pages)}" in page, number
    board = [p for p in pages if "Uppföljning av budgeten" in p]
    assert board and "Delårsuppföljning jan–aug 2025" in board[0]
    assert "Prognos: eget kapital 31/12 blir 16 000 kr" in board[-1].replace("\u00a0", " ")
    # headings wrap at spaces only (the old widths printed "Prognosmeto d"), and the
    # board's page has no voucher or file:line of the books
    every = "\n".join(pages)
    assert "Prognosmetod" in every and "Medlemsbidrag" in every
    assert ".se:" not in "\n".join(board) and ".se:" in every
