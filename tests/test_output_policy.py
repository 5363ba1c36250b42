"""The output-path policy (issue 18, items 13 and "ska heta .se"; docs/limits.md "Output files").

No command writes onto one of its inputs or onto an existing budget workbook; each
output's name must have the right suffix; a backup is never overwritten. Every
refused run leaves its inputs byte-identical (sha256) and writes nothing.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from support import ROOT
from typer.testing import CliRunner

from finsam_xl.cli import app
from finsam_xl.errors import UsageError
from finsam_xl.workbook.output import check_output, is_budget_workbook

runner = CliRunner()
WORKBOOKS = ROOT / "workbooks" / "examples"


def sha(path: Path) -> str:
    """The file's sha256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> list[str]:
    """Every file name under ``folder`` (relative, sorted)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """d/a.xlsx (Södra Dalarna) and d/b.xlsx (Fryksdalen): two budgets in one folder."""
    d = tmp_path / "d"
    d.mkdir()
    shutil.copy(WORKBOOKS / "sodra-dalarna-2025.xlsx", d / "a.xlsx")
    shutil.copy(WORKBOOKS / "fryksdalen-2022.xlsx", d / "b.xlsx")
    return d


def test_oversikt_never_replaces_a_budget_it_reads(folder: Path) -> None:
    """Item 13: `oversikt d -o d/a.xlsx` (twice) left the budget gone."""
    budget = folder / "a.xlsx"
    before, files = sha(budget), listing(folder)
    for _ in range(2):
        done = runner.invoke(app, ["oversikt", str(folder), "-o", str(budget)])
        assert done.exit_code == 2, done.output
        assert "är en befintlig budgetarbetsbok och skrivs inte över" in done.output
        assert "Traceback" not in done.output
    assert sha(budget) == before
    assert listing(folder) == files  # no backup, no temporary file


def test_oversikt_never_writes_onto_a_file_it_was_given(folder: Path, tmp_path: Path) -> None:
    yaml_budget = tmp_path / "x.xlsx"
    yaml_budget.write_bytes(b"inte en budget")  # named as input, even when it is no budget
    before = sha(yaml_budget)
    done = runner.invoke(app, ["oversikt", str(folder), str(yaml_budget), "-o", str(yaml_budget)])
    assert done.exit_code == 2 and "får inte skriva över en av indatafilerna" in done.output
    assert sha(yaml_budget) == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["berakna", "{a}", "-o", "{b}"], "är en befintlig budgetarbetsbok"),
        (["exportera-sie", "{a}", "-o", "{b}"], "SIE-filen ska heta .se"),
        (["exportera", "{a}", "-o", "{b}"], "budgetfilen ska heta .yaml"),
        (["rapport", "{a}", "-o", "{b}"], "dokumentet ska heta .docx"),
        (["rapport", "{a}", "-o", "{a}"], "dokumentet ska heta .docx"),
        (["oversikt", "{a}", "-o", "{b}"], "är en befintlig budgetarbetsbok"),
        (["nytt-ar", "{a}", "-o", "{b}"], "finns redan"),
        (["nytt-ar", "{a}", "-o", "{a}", "--skriv-over"], "får inte skriva över"),
        (["ny", "-o", "{b}"], "finns redan"),
    ],
)
def test_no_command_writes_onto_an_input_or_a_budget(
    folder: Path, args: list[str], expected: str
) -> None:
    a, b = folder / "a.xlsx", folder / "b.xlsx"
    before, files = (sha(a), sha(b)), listing(folder)
    argv = [arg.format(a=a, b=b) for arg in args]
    done = runner.invoke(app, argv)
    assert done.exit_code == 2, done.output
    assert expected in done.output and "Traceback" not in done.output
    assert (sha(a), sha(b)) == before
    assert listing(folder) == files


def test_export_sie_to_an_xlsx_name_is_refused_up_front(folder: Path, tmp_path: Path) -> None:
    """`export-sie SD -o SD.xlsx` said "gick inte att läsa tillbaka … Rapportera felet"."""
    a = folder / "a.xlsx"
    before = sha(a)
    done = runner.invoke(app, ["exportera-sie", str(a), "-o", str(tmp_path / "SD.xlsx")])
    assert done.exit_code == 2
    assert "SD.xlsx: SIE-filen ska heta .se" in done.output
    assert "Rapportera" not in done.output and "läsa tillbaka" not in done.output
    assert not (tmp_path / "SD.xlsx").exists() and sha(a) == before


def test_recalc_to_its_own_name_is_in_place(folder: Path) -> None:
    a = folder / "a.xlsx"
    done = runner.invoke(app, ["berakna", str(a), "-o", str(folder / "." / "a.xlsx")])
    assert done.exit_code in (0, 1), done.output
    assert (folder / "a.backup.xlsx").exists()


def test_backups_are_numbered_and_never_overwritten(folder: Path) -> None:
    a = folder / "a.xlsx"
    original = sha(a)
    first = runner.invoke(app, ["berakna", str(a)])
    assert "a.backup.xlsx" in first.output
    after_first = sha(a)
    second = runner.invoke(app, ["berakna", str(a)])
    assert "a.backup.2.xlsx" in second.output, second.output
    assert sha(folder / "a.backup.xlsx") == original
    assert sha(folder / "a.backup.2.xlsx") == after_first


def test_export_keeps_a_backup_of_the_budget_file_it_replaces(folder: Path) -> None:
    out = folder / "a.yaml"
    out.write_text("mitt: 1\n", encoding="utf-8")
    done = runner.invoke(app, ["exportera", str(folder / "a.xlsx"), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert (folder / "a.backup.yaml").read_text(encoding="utf-8") == "mitt: 1\n"


def test_oversikt_with_no_readable_file_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    """docs/overview.md: exit 2 when nothing could be read; it exited 1 with an empty book."""
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "trasig.xlsx").write_bytes(b"PK\x03\x04 inte en arbetsbok")
    (bad / "tom.yaml").write_text("", encoding="utf-8")
    before = listing(bad)
    out = tmp_path / "oversikt.xlsx"
    done = runner.invoke(app, ["oversikt", str(bad), "-o", str(out)])
    assert done.exit_code == 2, done.output
    assert "ingen av filerna kunde läsas" in done.output and "trasig.xlsx" in done.output
    assert not out.exists() and listing(bad) == before
    done = runner.invoke(app, ["oversikt", str(bad), "--json"])
    assert done.exit_code == 2


def test_the_policy_function(folder: Path, tmp_path: Path) -> None:
    a = folder / "a.xlsx"
    assert is_budget_workbook(a) and not is_budget_workbook(tmp_path / "saknas.xlsx")
    check_output(tmp_path / "ny.se", (".se",), "SIE-filen", [a])
    with pytest.raises(UsageError, match="ska heta .se och inte .SIE4"):
        check_output(tmp_path / "ny.SIE4", (".se",), "SIE-filen", [a])
    with pytest.raises(UsageError, match="är en mapp"):
        check_output(_folder_named(tmp_path), (".xlsx",), "översikten")
    check_output(a, (".xlsx",), "arbetsboken", [], replace=True)  # --skriv-over
    with pytest.raises(UsageError, match="finns redan"):
        check_output(a, (".xlsx",), "arbetsboken", [], replace=False)


def _folder_named(tmp_path: Path) -> Path:
    folder = tmp_path / "mapp.xlsx"
    folder.mkdir()
    return folder
