"""The command ``finsam-xl nytt-ar``: options, Swedish amounts, refusals, exit codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from support import EXAMPLES
from typer.testing import CliRunner

from finsam_xl import jobs
from finsam_xl.cli import app
from finsam_xl.model.interchange import load
from finsam_xl.workbook.reader import read_workbook
from finsam_xl.workbook.template import starter_budget

runner = CliRunner()


def text(result: object) -> str:
    out = getattr(result, "output", "")
    try:
        err = getattr(result, "stderr", "")
    except ValueError:  # older click: stderr mixed into output
        err = ""
    return str(out) + str(err or "")


@pytest.fixture
def lappland(tmp_path: Path) -> Path:
    path = tmp_path / "lappland.xlsx"
    jobs.new(load(EXAMPLES / "sodra-lappland-2024.yaml"), path)
    return path


def test_nytt_ar_with_swedish_amounts(lappland: Path, tmp_path: Path) -> None:
    out = tmp_path / "2025.xlsx"
    before = lappland.read_bytes()
    result = runner.invoke(
        app,
        [
            "nytt-ar",
            str(lappland),
            "-o",
            str(out),
            "--eget-kapital",
            "1\u00a0700 000",
            "--statlig-tilldelning",
            "1 950 000",
            "--budgetar",
            "2025",
        ],
    )
    assert "Skapade" in text(result) and "budgetår 2025" in text(result)
    assert result.exit_code == 1  # the kommuner's fixed amounts no longer add up: an error
    assert "rollover.fixed-amounts-kept" in text(result)
    budget = read_workbook(out).budget
    assert budget is not None
    assert budget.equity.opening == Decimal(1700000)
    entry = budget.contribution(2025)
    assert entry is not None and entry.amount == Decimal(1950000)
    assert lappland.read_bytes() == before


def test_nytt_ar_from_the_books(lappland: Path, tmp_path: Path) -> None:
    books = tmp_path / "bokslut.se"
    books.write_text(
        "#FLAGGA 0\n#FORMAT PC8\n#SIETYP 4\n#RAR 0 20240101 20241231\n"
        "#UB 0 1930 1600000.00\n#UB 0 2010 -1600000.00\n",
        encoding="cp437",
    )
    out = tmp_path / "2025.xlsx"
    result = runner.invoke(app, ["nytt-ar", str(lappland), "-o", str(out), "--bokslut", str(books)])
    assert result.exit_code == 0, text(result)
    budget = read_workbook(out).budget
    assert budget is not None and budget.equity.opening == Decimal(1600000)
    assert "rollover.books-equity" in text(result)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--eget-kapital", "tolv"], "inget belopp"),
        (["--statlig-tilldelning", "-5"], "positivt"),
        (["--eget-kapital", "1", "--bokslut", "x.se"], "inte båda"),
        (["--budgetar", "2024"], "redan vara framrullad"),
    ],
)
def test_nytt_ar_refuses_with_a_swedish_message(
    lappland: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "2025.xlsx"
    result = runner.invoke(app, ["nytt-ar", str(lappland), "-o", str(out), *args])
    assert result.exit_code == 2
    assert message in text(result)
    assert not out.exists()


def test_nytt_ar_refuses_an_already_rolled_workbook(tmp_path: Path) -> None:
    ahead = tmp_path / "ahead.xlsx"
    jobs.new(starter_budget(date.today().year + 1), ahead)
    result = runner.invoke(app, ["nytt-ar", str(ahead), "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert "redan vara framrullad" in text(result)


def test_nytt_ar_keeps_existing_files_and_the_input(lappland: Path, tmp_path: Path) -> None:
    out = tmp_path / "2025.xlsx"
    out.write_bytes(b"mitt")
    result = runner.invoke(app, ["nytt-ar", str(lappland), "-o", str(out)])
    assert result.exit_code == 2 and "finns redan" in text(result)
    assert out.read_bytes() == b"mitt"
    result = runner.invoke(app, ["nytt-ar", str(lappland), "-o", str(lappland), "--skriv-over"])
    assert result.exit_code == 2 and "får inte skriva över" in text(result)
    result = runner.invoke(app, ["nytt-ar", str(lappland), "-o", str(out), "--skriv-over"])
    assert result.exit_code == 0, text(result)
    assert out.with_name("2025.backup.xlsx").read_bytes() == b"mitt"
