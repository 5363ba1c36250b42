"""attach_to_xlsxwriter: code names, the vbaProject part and the buttons' macro bindings."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from vba_support import ole_streams

from finsam_xl.vba import (
    DEFAULT_BUTTONS,
    ModuleKind,
    VbaModule,
    attach_to_xlsxwriter,
    public_macros,
    read_vba_streams,
)

xlsxwriter = pytest.importorskip("xlsxwriter")

NS = {
    "v": "urn:schemas-microsoft-com:vml",
    "x": "urn:schemas-microsoft-com:office:excel",
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
}


def build(path: Path, **kwargs: object) -> bytes:
    workbook = xlsxwriter.Workbook(str(path))
    first = workbook.add_worksheet("Översikt")
    workbook.add_worksheet("Budget")
    workbook.add_worksheet("Fördelning")
    project = attach_to_xlsxwriter(workbook, first, **kwargs)  # type: ignore[arg-type]
    workbook.close()
    return project


def buttons_in(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(caption, FmlaMacro) of every form button in the workbook's VML drawings."""
    found = []
    for name in archive.namelist():
        if name.startswith("xl/drawings/") and name.endswith(".vml"):
            root = ET.fromstring(archive.read(name))
            for shape in root.iter("{urn:schemas-microsoft-com:vml}shape"):
                data = shape.find("x:ClientData", NS)
                if data is None or data.get("ObjectType") != "Button":
                    continue
                caption = "".join(shape.find("v:textbox", NS).itertext()).strip()  # type: ignore[union-attr]
                found.append((caption, data.findtext("x:FmlaMacro", "", NS)))
    return found


def sheet_code_names_in(archive: zipfile.ZipFile) -> list[str]:
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    names = []
    for sheet in workbook.find("main:sheets", NS):  # type: ignore[union-attr]
        rid = sheet.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
        xml = ET.fromstring(archive.read("xl/" + str(targets[rid])))
        pr = xml.find("main:sheetPr", NS)
        names.append(pr.get("codeName") if pr is not None else None)
    return names  # type: ignore[return-value]


def test_xlsm_parts_code_names_and_bindings(tmp_path: Path) -> None:
    path = tmp_path / "budget.xlsm"
    project = build(path)
    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/vbaProject.bin") == project
        types = archive.read("[Content_Types].xml").decode()
        assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
        assert "application/vnd.ms-office.vbaProject" in types
        workbook_pr = ET.fromstring(archive.read("xl/workbook.xml")).find("main:workbookPr", NS)
        assert workbook_pr is not None and workbook_pr.get("codeName") == "ThisWorkbook"
        code_names = sheet_code_names_in(archive)
        buttons = buttons_in(archive)

    parsed = read_vba_streams(ole_streams(project))
    documents = [m.name for m in parsed.modules if not m.procedural]
    assert code_names == ["Sheet1", "Sheet2", "Sheet3"]
    assert documents == ["ThisWorkbook", *code_names]  # every sheet has its document module
    assert parsed.project_text["Document"] == [f"{d}/&H00000000" for d in documents]

    macros = set()
    for module in parsed.modules:
        if module.procedural:
            assert module.source is not None
            macros |= set(public_macros(VbaModule.from_source(module.source)))
    assert buttons == [(caption, f"[0]!{macro}") for caption, macro in DEFAULT_BUTTONS]
    for _, binding in buttons:
        assert binding.removeprefix("[0]!") in macros  # names an existing public macro


def test_code_names_already_set_are_kept(tmp_path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(tmp_path / "named.xlsm"))
    first = workbook.add_worksheet("Översikt")
    first.set_vba_name("Oversikt")
    workbook.add_worksheet("Budget")
    workbook.set_vba_name("Arbetsbok")
    project = attach_to_xlsxwriter(workbook, first)
    workbook.close()
    parsed = read_vba_streams(ole_streams(project))
    assert [m.name for m in parsed.modules if not m.procedural] == [
        "Arbetsbok",
        "Oversikt",
        "Sheet2",
    ]
    with zipfile.ZipFile(tmp_path / "named.xlsm") as archive:
        assert sheet_code_names_in(archive) == ["Oversikt", "Sheet2"]
        assert re.search(r'codeName="Arbetsbok"', archive.read("xl/workbook.xml").decode())


def test_extra_modules_and_buttons(tmp_path: Path) -> None:
    extra = VbaModule("Extra", "Public Sub Hej()\nEnd Sub\n")
    project = build(tmp_path / "x.xlsm", buttons=[("Hej", "Hej")], extra_modules=[extra])
    names = [m.name for m in read_vba_streams(ole_streams(project)).modules]
    assert names[-1] == "Extra"
    with zipfile.ZipFile(tmp_path / "x.xlsm") as archive:
        assert buttons_in(archive) == [("Hej", "[0]!Hej")]


def test_embedded_variant(tmp_path: Path) -> None:
    pytest.importorskip("xlwings")
    project = build(tmp_path / "e.xlsm", embed_xlwings=True)
    parsed = read_vba_streams(ole_streams(project))
    kinds = {m.name: m.procedural for m in parsed.modules}
    assert kinds["xlwings"] is True and kinds["Dictionary"] is False
    assert "XlwingsBridge" not in kinds


def test_unknown_macro_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no public Sub Saknas"):
        build(tmp_path / "u.xlsm", buttons=[("X", "Saknas")])


def test_xlsx_name_is_refused(tmp_path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(tmp_path / "plain.xlsx"))
    sheet = workbook.add_worksheet()
    with pytest.raises(ValueError, match=".xlsm"):
        attach_to_xlsxwriter(workbook, sheet)
    workbook.close()


def test_foreign_worksheet_is_refused(tmp_path: Path) -> None:
    one = xlsxwriter.Workbook(str(tmp_path / "a.xlsm"))
    two = xlsxwriter.Workbook(str(tmp_path / "b.xlsm"))
    one.add_worksheet()
    with pytest.raises(ValueError, match="does not belong"):
        attach_to_xlsxwriter(one, two.add_worksheet())
    one.close()
    two.close()


def test_chart_sheets_are_refused(tmp_path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(tmp_path / "c.xlsm"))
    sheet = workbook.add_worksheet()
    chart_sheet = workbook.add_chartsheet()
    chart = workbook.add_chart({"type": "line"})
    chart.add_series({"values": "=Sheet1!$A$1:$A$2"})
    chart_sheet.set_chart(chart)
    with pytest.raises(ValueError, match="chart sheets"):
        attach_to_xlsxwriter(workbook, sheet)
    workbook.close()


def test_document_module_kinds_are_documents(tmp_path: Path) -> None:
    project = build(tmp_path / "d.xlsm")
    parsed = read_vba_streams(ole_streams(project))
    for module in parsed.modules:
        if not module.procedural:
            assert module.source is not None
            doc = VbaModule.from_source(module.source, ModuleKind.DOCUMENT)
            assert dict(doc.attributes)["VB_PredeclaredId"] == "True"
