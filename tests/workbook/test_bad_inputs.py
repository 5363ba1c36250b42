"""Broken workbooks: a Swedish message naming where, a non-zero exit, the file left as it was."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from support import digest
from typer.testing import CliRunner

from finsam_xl.cli import app

runner = CliRunner()
Edit = Callable[[Any], None]


def edit_cells(**cells: object) -> Edit:
    """Set cells given as Sheet__A1=value (sheet names with ö spelled out below)."""

    def apply(wb: Any) -> None:
        for key, value in cells.items():
            sheet, cell = key.split("__")
            wb[SHEETS.get(sheet, sheet)][cell] = value

    return apply


SHEETS = {"Installningar": "Inställningar"}


def remove_sheet(name: str) -> Edit:
    return lambda wb: wb.remove(wb[name])


def remove_table(sheet: str, table: str) -> Edit:
    def apply(wb: Any) -> None:
        del wb[sheet].tables[table]

    return apply


def rename_column(sheet: str, table: str, cell: str, new: str) -> Edit:
    def apply(wb: Any) -> None:
        ws = wb[sheet]
        old = ws[cell].value
        ws[cell] = new
        for column in ws.tables[table].tableColumns:
            if column.name == old:
                column.name = new

    return apply


def merge(sheet: str, cells: str) -> Edit:
    return lambda wb: wb[sheet].merge_cells(cells)


def replace_zip_part(path: Path, part: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as src:
        items = [(i, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, content in items:
            out.writestr(info, data if info.filename == part else content)


def zip_bomb(path: Path) -> None:
    # 600 MB of zeros in 2.7 MB (deflate level 1: a quarter of the default level's time; the
    # declared size, 600 MB against MAX_UNCOMPRESSED, is what the reader must refuse).
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        out.writestr("xl/media/bomb.bin", b"\0" * (600 * 1024 * 1024))


BOMB_XML = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>'
    b"</sheetData></worksheet>"
)


def encrypt(path: Path) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(path.read_bytes())
    with path.open("wb") as out:
        OOXMLFile(plain).encrypt("hemligt", out)
    assert msoffcrypto


# (id, edit of the workbook or of the file, expected text in the output, expected location)
CASES: list[tuple[str, Edit | Callable[[Path], None], str, str]] = [
    ("missing-sheet", remove_sheet("Medlemmar"), "Tabellen 'Medlemmar' saknas i arbetsboken", ""),
    (
        "missing-table",
        remove_table("Rader", "Rader"),
        "Tabellen 'Rader' saknas i bladet 'Rader'",
        "Rader",
    ),
    (
        "missing-column",
        rename_column("Rader", "Rader", "F3", "Namn"),
        "saknar kolumnen 'Benämning'",
        "Rader!A3",
    ),
    (
        "duplicate-member",
        edit_cells(Medlemmar__A7="Avesta kommun"),
        "står redan tidigare i medlemslistan",
        "Medlemmar!A7",
    ),
    ("negative-key", edit_cells(Medlemmar__C6=-11), "negativt nyckelvärde", "Medlemmar!C6"),
    (
        "text-in-amount",
        edit_cells(Rader__I4="fyrtiofem"),
        "'fyrtiofem' är inte ett belopp",
        "Rader!I4",
    ),
    ("merged-cells", merge("Rader", "F5:G5"), "Sammanfogade celler F5:G5", "Rader!F5:G5"),
    (
        "missing-budget-year",
        edit_cells(Installningar__B7=None),
        "'Budgetår' saknas",
        "Inställningar!B7",
    ),
    (
        "bad-unit",
        edit_cells(Installningar__B6="mkr"),
        "'mkr' är inget giltigt val",
        "Inställningar!B6",
    ),
    (
        "unknown-kind",
        edit_cells(Medlemmar__B5="Landsting"),
        "typen 'Landsting' är okänd",
        "Medlemmar!B5",
    ),
    ("unknown-group", edit_cells(Rader__C4="Fika"), "gruppen 'Fika' är okänd", "Rader!C4"),
    ("bad-date", edit_cells(Rader__O4="31/12"), "'31/12' är inget datum", "Rader!O4"),
    ("uncomputed-formula", edit_cells(Rader__I5="=Plan!B5*2"), "saknar beräknat värde", "Rader!I5"),
    (
        "negative-contribution",
        edit_cells(Medelstilldelning__C5=-6184),
        "Medelstilldelningen för 2025 är negativ",
        "Medelstilldelning!C5",
    ),
    (
        "contribution-without-year",
        edit_cells(Medelstilldelning__A5=None),
        "Raden saknar år",
        "Medelstilldelning!A5",
    ),
    (
        "project-end-before-start",
        edit_cells(Rader__N4="2025-06-01", Rader__O4="2025-01-01"),
        "projektslut 2025-01-01 är före projektstart",
        "Rader!O4",
    ),
    ("key-as-words", edit_cells(Medlemmar__C7="åtta"), "'åtta' är inte ett belopp", "Medlemmar!C7"),
    (
        "missing-key",
        edit_cells(Medlemmar__C8=None),
        "Säters kommun saknar nyckelvärde",
        "Medlemmar!C8",
    ),
    ("unknown-line-type", edit_cells(Rader__A6="Utgift"), "Typen 'Utgift' är okänd", "Rader!A6"),
    (
        "unknown-published-item",
        edit_cells(Publicerat__A4="Vinst"),
        "'Vinst' är ingen känd uppgift",
        "Publicerat!A4",
    ),
    # whole-file problems
    (
        "not-xlsx",
        lambda p: p.write_text("År;Belopp\n2025;6184\n", encoding="utf-8"),
        "ingen Excel-arbetsbok",
        "",
    ),
    ("empty-file", lambda p: p.write_bytes(b""), "ingen Excel-arbetsbok", ""),
    (
        "truncated",
        lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
        "ingen Excel-arbetsbok",
        "",
    ),
    ("zip-bomb", zip_bomb, "zip-bomb", ""),
    (
        "entity-bomb",
        lambda p: replace_zip_part(p, "xl/worksheets/sheet1.xml", BOMB_XML),
        "XML-entiteter",
        "",
    ),
    ("password", encrypt, "lösenordsskyddad", ""),
    ("not-a-workbook-zip", lambda p: p.write_bytes(_plain_zip()), "saknar xl/workbook.xml", ""),
]


def _plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("readme.txt", "inte en arbetsbok")
    return buffer.getvalue()


def test_the_suite_is_large_enough() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize(("case_id", "text", "where"), [(c[0], c[2], c[3]) for c in CASES])
def test_check_names_the_problem_and_leaves_the_file(
    broken: dict[str, Path], case_id: str, text: str, where: str
) -> None:
    path = broken[case_id]
    before = digest(path)
    result = runner.invoke(app, ["kontrollera", str(path)])
    output = result.output
    assert result.exit_code in (1, 2), output
    assert text in output, output
    assert where in output, output
    assert (
        "Traceback" not in output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )
    recalc = runner.invoke(app, ["berakna", str(path)])
    assert recalc.exit_code in (1, 2), recalc.output
    assert text in recalc.output
    assert digest(path) == before
    assert not path.with_name(f"{path.stem}.backup.xlsx").exists()


def test_open_in_excel_is_refused_and_nothing_changes(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    path = tmp_path / "budget.xlsx"
    shutil.copy(example_books["fryksdalen-2022"], path)
    (tmp_path / "~$budget.xlsx").write_bytes(b"Anna")
    before = digest(path)
    result = runner.invoke(app, ["berakna", str(path)])
    assert result.exit_code == 2
    assert "öppen i Excel" in result.output and "~$budget.xlsx" in result.output
    assert digest(path) == before


def test_missing_result_names_are_refused_by_recalc(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    path = tmp_path / "budget.xlsx"
    shutil.copy(example_books["fryksdalen-2022"], path)
    wb = load_workbook(path)
    del wb.defined_names["fx_plan"]
    wb.save(path)
    before = digest(path)
    result = runner.invoke(app, ["berakna", str(path)])
    assert result.exit_code == 2 and "fx_plan" in result.output
    assert digest(path) == before


def test_a_folder_named_xlsx(tmp_path: Path) -> None:
    folder = tmp_path / "mapp.xlsx"
    folder.mkdir()
    result = runner.invoke(app, ["kontrollera", str(folder)])
    assert result.exit_code == 2 and "är en mapp" in result.output
