"""recalc changes only the computed sheets: every other part of the package is byte-identical."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName

from finsam_xl import jobs
from finsam_xl.model import schema as S
from finsam_xl.xlsx.package import Package

COMPUTED = {
    "Plan",
    "Fördelning",
    "Kontroller",
    "Budget",
    "Not 1",
    "Insatser",
    "Eget kapital",
    "Fakturaplan",
}


def user_edit(path: Path, keep_vba: bool = False) -> None:
    """What a user does to a workbook: an own sheet, a comment, formats, a column, a name."""
    wb = load_workbook(path, keep_vba=keep_vba)
    own = wb.create_sheet("Mina anteckningar")
    own["A1"] = "Egen kalkyl"
    own["B2"] = "=Rader!H4*2"
    rader = wb["Rader"]
    rader["F4"].comment = Comment("Kolla med revisorn", "Anna")
    rader["F5"].font = Font(bold=True, color="FF0000")
    rader["F5"].fill = PatternFill("solid", fgColor="FFFF00")
    table = rader.tables["Rader"]
    last = rader.max_column + 1
    rader.cell(3, last, "Egen kolumn")  # beside the table: a user's own column
    rader.cell(4, last, "notering")
    wb.defined_names["MinSumma"] = DefinedName("MinSumma", attr_text="'Mina anteckningar'!$B$2")
    assert table.ref
    wb.save(path)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def computed_parts(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        pkg = Package.read(archive)
    # and the hidden styles sheet, whose row below the prototypes says what was computed from
    return {part for sheet, part in pkg.sheet_parts.items() if sheet in (*COMPUTED, S.SHEET_STYLES)}


@pytest.mark.parametrize("xlsm", [False, True])
def test_recalc_keeps_every_part_but_the_computed_sheets(
    example_books: dict[str, Path], tmp_path: Path, xlsm: bool
) -> None:
    if xlsm:
        pytest.importorskip("finsam_xl.vba")
        from support import EXAMPLES

        from finsam_xl.model.interchange import load

        book = tmp_path / "b.xlsm"
        jobs.new(load(EXAMPLES / "sodra-dalarna-2025.yaml"), book, xlsm=True)
    else:
        book = tmp_path / "b.xlsx"
        shutil.copy(example_books["sodra-dalarna-2025"], book)
    user_edit(book, keep_vba=xlsm)
    before = parts(book)
    if xlsm:
        assert "xl/vbaProject.bin" in before
        assert any(n.startswith("xl/drawings/vmlDrawing") for n in before)
    outcome = jobs.recalc(book)
    assert outcome.written == book.resolve()
    after = parts(book)
    changed = {name for name in before if before[name] != after.get(name)}
    assert set(after) == set(before)
    assert changed == computed_parts(book)
    # and the user's additions are still what they were
    wb = load_workbook(book, keep_vba=xlsm)
    assert wb["Mina anteckningar"]["B2"].value == "=Rader!H4*2"
    assert wb["Rader"]["F4"].comment.text == "Kolla med revisorn"
    assert wb["Rader"]["F5"].font.bold
    assert "MinSumma" in wb.defined_names
    # the backup is the file as it was before
    assert parts(book.with_name(f"b.backup{book.suffix}")) == before


def test_file_permissions_are_kept(example_books: dict[str, Path], tmp_path: Path) -> None:
    import os
    import stat

    book = tmp_path / "b.xlsx"
    shutil.copy(example_books["fryksdalen-2022"], book)
    os.chmod(book, 0o640)
    jobs.recalc(book)
    assert stat.S_IMODE(book.stat().st_mode) == 0o640
    fresh = tmp_path / "ny.xlsx"
    from support import EXAMPLES

    from finsam_xl.model.interchange import load

    jobs.new(load(EXAMPLES / "fryksdalen-2022.yaml"), fresh)
    assert stat.S_IMODE(fresh.stat().st_mode) & 0o044  # readable by others, as the umask says
