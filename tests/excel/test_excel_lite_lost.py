"""A workbook that lost its xlwings Lite code: `check` says so, `finsam-xl lite` puts it back.

A LibreOffice save drops the web-extension part and the task pane's relationships
but keeps ``xl/webextensions/taskpanes.xml`` pointing at the part (checked with a
real round trip when soffice is installed, and with the same edit made by hand).
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from support import SOFFICE, TO_XLSX, libreoffice_convert
from typer.testing import CliRunner

from finsam_xl.cli import app
from finsam_xl.jobs.budget import check
from finsam_xl.parts.lite_part import extract
from finsam_xl.workbook.reader import LOST_MESSAGE

LITE = ("xl/webextensions/webextension1.xml", "xl/webextensions/_rels/taskpanes.xml.rels")


@pytest.fixture(scope="module")
def with_lite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lost") / "Budget.xlsx"
    done = CliRunner().invoke(app, ["ny", "-o", str(path)])
    assert done.exit_code == 0, done.output
    return path


def drop_lite_part(source: Path, target: Path) -> None:
    """What LibreOffice does to the package: the part and the pane's relationships go."""
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w") as out:
        for info in archive.infolist():
            if info.filename not in LITE:
                out.writestr(info, archive.read(info))


def lost_findings(path: Path) -> list[tuple[str, str, str | None]]:
    return [
        (f.rule, f.message, f.location)
        for f in check(path).findings
        if f.rule == "workbook.lite_missing"
    ]


def test_a_whole_workbook_has_no_such_finding(with_lite: Path) -> None:
    assert lost_findings(with_lite) == []


def test_check_says_the_lite_code_is_lost_and_lite_puts_it_back(
    with_lite: Path, tmp_path: Path
) -> None:
    lost = tmp_path / "Sparad.xlsx"
    drop_lite_part(with_lite, lost)
    before = hashlib.sha256(lost.read_bytes()).hexdigest()
    assert lost_findings(lost) == [
        ("workbook.lite_missing", LOST_MESSAGE, "Sparad.xlsx:xl/webextensions/taskpanes.xml")
    ]
    done = CliRunner().invoke(app, ["kontrollera", str(lost)])
    assert (
        "Varning [workbook.lite_missing] Sparad.xlsx:xl/webextensions/taskpanes.xml: "
        "Lite-koden saknas; kör finsam-xl lite" in done.output
    )
    whole = CliRunner().invoke(app, ["kontrollera", str(with_lite)])
    assert done.exit_code == whole.exit_code  # a warning: it changes no exit code
    assert hashlib.sha256(lost.read_bytes()).hexdigest() == before  # check writes nothing
    done = CliRunner().invoke(app, ["lite", str(lost)])
    assert done.exit_code == 0, done.output
    assert lost_findings(lost) == []
    assert extract(lost)["main.py"] == extract(with_lite)["main.py"]
    with zipfile.ZipFile(lost) as archive:
        panes = archive.read("xl/webextensions/taskpanes.xml").decode()
    assert panes.count("<wetp:taskpane ") == 1  # the dangling pane replaced, not doubled


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_libreoffice_save_loses_the_part_and_check_finds_it(
    with_lite: Path, tmp_path: Path
) -> None:
    source = tmp_path / "in" / "Budget.xlsx"
    source.parent.mkdir()
    source.write_bytes(with_lite.read_bytes())
    libreoffice_convert([source], tmp_path / "out", TO_XLSX)
    saved = tmp_path / "out" / "Budget.xlsx"
    with zipfile.ZipFile(saved) as archive:
        names = set(archive.namelist())
    assert "xl/webextensions/taskpanes.xml" in names and not names & set(LITE)
    assert lost_findings(saved) == [
        ("workbook.lite_missing", LOST_MESSAGE, "Budget.xlsx:xl/webextensions/taskpanes.xml")
    ]
