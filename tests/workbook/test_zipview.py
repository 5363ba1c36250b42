"""The package-XML view reads exactly what openpyxl reads: cell by cell, and as a budget.

``ZipBookView`` replaces openpyxl's full load for reading; these tests read
the same files both ways: the examples, every broken workbook of the bad-input
suite, a file saved by LibreOffice, and crafted files with the cell types the
fast path must get right (dates in both date systems, times, booleans, errors,
rich text, inline strings, shared formulas, formulas without a cached value),
plus sheets that force the XML parser (cells without a reference, CDATA).
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from support import ROOT, SOFFICE
from test_bad_inputs import CASES

from finsam_xl.workbook.reader import read_book
from finsam_xl.xlsx.safety import inspect_package
from finsam_xl.xlsx.views import OpenpyxlBook
from finsam_xl.xlsx.zipview import ZipBookView, ZipSheet, open_zip_view


def openpyxl_cells(wb: Workbook) -> dict[str, dict[tuple[int, int], Any]]:
    out = {}
    for ws in wb.worksheets:
        cells = {}
        for (row, col), cell in ws._cells.items():
            value = cell.value
            text = getattr(value, "text", None)
            value = text if isinstance(text, str) else value
            if value is not None:
                cells[(row, col)] = value
        out[ws.title] = cells
    return out


def openpyxl_cached(path: Path) -> dict[str, dict[tuple[int, int], Any]]:
    wb = load_workbook(path, data_only=True, read_only=False)
    return {
        ws.title: {k: c.value for k, c in ws._cells.items() if c.value is not None}
        for ws in wb.worksheets
    }


def zip_cells(path: Path) -> dict[str, dict[tuple[int, int], Any]]:
    view = open_zip_view(path)
    return {s.title: dict(s.cells()) for s in view.sheets() if isinstance(s, ZipSheet)}


def assert_same_reading(path: Path, wb: Workbook | None = None) -> None:
    """Cell values, cached values, tables, merged cells and the budget read: all equal.

    ``wb``: the file as openpyxl loads it with formulas, if the caller has it already.
    """
    if wb is None:
        wb = load_workbook(path, data_only=False)
    assert zip_cells(path) == openpyxl_cells(wb)
    view = open_zip_view(path)
    cached = openpyxl_cached(path)
    for sheet in view.sheets():
        assert isinstance(sheet, ZipSheet)
        for key, value in sheet.cached_values.items():
            assert value == cached[sheet.title].get(key), (sheet.title, key)
    slow = OpenpyxlBook(path, wb)
    for mine, theirs in zip(view.sheets(), slow.sheets(), strict=True):
        assert mine.title == theirs.title
        assert sorted(mine.tables(), key=repr) == sorted(theirs.tables(), key=repr)
        assert sorted(mine.merged()) == sorted(theirs.merged())
    a, b = read_book(path.name, slow), read_book(path.name, view)
    assert a.budget == b.budget
    assert [f.model_dump() for f in a.findings] == [f.model_dump() for f in b.findings]
    assert a.locator.cells == b.locator.cells


@pytest.mark.parametrize("path", sorted((ROOT / "workbooks" / "examples").glob("*.xls*")), ids=str)
def test_the_examples_read_the_same(path: Path) -> None:
    assert_same_reading(path)


@pytest.mark.parametrize("case_id", [c[0] for c in CASES])
def test_every_broken_workbook_reads_the_same(broken: dict[str, Path], case_id: str) -> None:
    path = broken[case_id]
    try:
        inspect_package(path)
        wb = load_workbook(path)
    except Exception:  # not a workbook that can be read: both paths refuse it
        pytest.skip("inte en läsbar arbetsbok; avvisningen prövas i test_bad_inputs")
    assert_same_reading(path, wb)


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) saknas")
def test_a_file_saved_by_libreoffice_reads_the_same(lo_examples: Path) -> None:
    assert_same_reading(lo_examples / "fryksdalen-2022.xlsx")


def crafted(path: Path, epoch_1904: bool = False) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Data"
    if epoch_1904:
        wb.epoch = datetime(1904, 1, 1)
    ws["A1"] = date(2025, 3, 31)
    ws["A2"] = datetime(2025, 3, 31, 14, 30)
    ws["A3"] = time(8, 15)
    ws["A3"].number_format = "hh:mm"
    ws["A4"] = 0.25
    ws["A4"].number_format = "[h]:mm:ss"
    ws["B1"] = True
    ws["B2"] = False
    ws["B3"] = "#N/A"
    ws["C1"] = 'Å & Ö <tag> "citat"'
    ws["C2"] = 12345678901234
    ws["C3"] = -1.5e-7
    ws["C4"] = "=SUM(C2:C3)"
    ws["D1"] = "  text med mellanslag  "
    ws.merge_cells("E1:F2")
    wb.save(path)
    return path


def rewrite_part(path: Path, part: str, change: Any) -> None:
    with zipfile.ZipFile(path) as src:
        items = [(i, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            if info.filename == part:
                data = change(data.decode("utf-8")).encode("utf-8")
            dst.writestr(info, data)


@pytest.mark.parametrize("epoch_1904", [False, True])
def test_crafted_cell_types_read_the_same(tmp_path: Path, epoch_1904: bool) -> None:
    assert_same_reading(crafted(tmp_path / "typer.xlsx", epoch_1904))


def test_rich_text_inline_strings_and_shared_formulas(tmp_path: Path) -> None:
    path = crafted(tmp_path / "rik.xlsx")
    sheet = "xl/worksheets/sheet1.xml"

    def change(xml: str) -> str:
        extra = (
            '<c r="G1" t="inlineStr"><is><r><t>Fet</t></r><r><rPr><b/></rPr>'
            '<t xml:space="preserve"> och &amp; vanlig</t></r><rPh sb="0" eb="1"><t>x</t>'
            "</rPh></is></c>"
            '<c r="H1"><f t="shared" ref="H1:H3" si="0">A1+1</f><v>2</v></c>'
        )
        xml = xml.replace("</row>", extra + "</row>", 1)
        more = '<c r="H2"><f t="shared" si="0"/><v>3</v></c>'
        return re.sub(r'(<row r="2"[^>]*>)', r"\1" + more, xml, count=1)

    rewrite_part(path, sheet, change)
    cells = zip_cells(path)["Data"]
    assert cells[(1, 7)] == "Fet och & vanlig"
    assert cells[(2, 8)] == "=A2+1"
    assert_same_reading(path)


def test_sheets_the_fast_path_cannot_take_go_through_the_xml_parser(tmp_path: Path) -> None:
    path = crafted(tmp_path / "udda.xlsx")

    def change(xml: str) -> str:
        xml = xml.replace('<c r="D1" t="inlineStr">', '<c t="inlineStr">', 1)
        return xml.replace("</sheetData>", "</sheetData><!-- en kommentar -->", 1)

    rewrite_part(path, "xl/worksheets/sheet1.xml", change)
    cells = zip_cells(path)["Data"]
    assert cells[(1, 4)] == "  text med mellanslag  "
    assert_same_reading(path)


def test_the_view_is_a_fraction_of_a_full_load_in_parsed_cells(tmp_path: Path) -> None:
    """Sheets are parsed only when a cell of theirs is asked for."""
    path = crafted(tmp_path / "lat.xlsx")
    view = ZipBookView(path, zipfile.ZipFile(path))
    sheet = view.sheets()[0]
    assert isinstance(sheet, ZipSheet) and sheet._values is None
    assert sheet.value(2, 2) is False
    assert sheet._values is not None


def test_a_workbook_saved_by_openpyxl_reads_the_same(tmp_path: Path) -> None:
    """openpyxl writes conditional formats' number formats (dxf) after the cell formats."""
    path = tmp_path / "sparad.xlsx"
    wb = load_workbook(ROOT / "workbooks" / "examples" / "fryksdalen-2022.xlsx")
    wb.save(path)
    assert_same_reading(path)
