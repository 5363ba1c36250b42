"""LibreOffice (headless, VBA compatibility mode) opens generated .xlsm files.

One soffice process with a private profile inspects three workbooks through
``lo_probe.py`` (run with the system python3, which has uno):

* ``addin.xlsm``: the normal project plus a test-only module ``LoProbe`` and a
  button bound to it.  LibreOffice lists the modules with their kinds and source,
  resolves every button to a macro, and runs the probe through its button: it
  writes a cell by sheet index and another through a sheet's code name.
* ``embedded.xlsm``: the project with xlwings' VBA module embedded; only listed
  (LibreOffice does not run macros of such a project).
* ``broken.xlsm``: like ``addin.xlsm`` but with a wrong MODULEOFFSET for
  ``LoProbe``; LibreOffice must come up with an empty module, which shows that the
  positive checks above are sensitive to the dir stream.

The test is skipped when soffice or python3-uno is missing.
"""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from finsam_xl.vba import DEFAULT_BUTTONS, VbaModule, attach_to_xlsxwriter, finsam_modules
from finsam_xl.vba.cfb import build_compound_file
from finsam_xl.vba.compression import compress, decompress
from finsam_xl.vba.project import build_vba_streams

SYSTEM_PYTHON = "/usr/bin/python3"
PROBE_SCRIPT = Path(__file__).with_name("lo_probe.py")
PROBE = VbaModule.from_source(
    'Attribute VB_Name = "LoProbe"\n'
    "Option Explicit\n"
    "\n"
    "Public Sub WriteProbe()\n"
    '    ThisWorkbook.Worksheets(1).Range("A1").Value = "probe-ok"\n'
    '    Sheet2.Range("B2").Value = 42\n'
    "End Sub\n"
)
BUTTONS = [*DEFAULT_BUTTONS, ("Probe", "WriteProbe")]
URL = "vnd.sun.star.script:VBAProject.{}.{}?language=Basic&location=document"


def libreoffice_available() -> str | None:
    if shutil.which("soffice") is None:
        return "soffice is not installed"
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} is missing"
    check = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, timeout=30, check=False
    )
    if check.returncode != 0:
        return "python3-uno is not installed"
    return None


_MISSING = libreoffice_available()
pytestmark = [pytest.mark.skipif(_MISSING is not None, reason=str(_MISSING)), pytest.mark.slow]


def write_workbook(path: Path, embed: bool) -> None:
    import xlsxwriter  # noqa: PLC0415

    workbook = xlsxwriter.Workbook(str(path))
    first = workbook.add_worksheet("Översikt")
    workbook.add_worksheet("Budget")
    attach_to_xlsxwriter(
        workbook,
        first,
        buttons=BUTTONS if not embed else [("Probe", "WriteProbe")],
        embed_xlwings=embed,
        extra_modules=[PROBE],
    )
    workbook.close()


def write_broken_workbook(path: Path) -> None:
    """Like addin.xlsm, but LoProbe's MODULEOFFSET points 5 bytes into its stream."""
    import xlsxwriter  # noqa: PLC0415

    streams = build_vba_streams([*finsam_modules(), PROBE], ["Sheet1", "Sheet2"])
    directory = bytearray(decompress(streams["VBA/dir"]))
    name = b"LoProbe"
    at = directory.index(struct.pack("<HI", 0x001A, len(name)) + name)
    offset_record = directory.index(struct.pack("<HII", 0x0031, 4, 0), at)
    directory[offset_record + 6 : offset_record + 10] = struct.pack("<I", 5)
    streams["VBA/dir"] = compress(bytes(directory))
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("Översikt")
    workbook.add_worksheet("Budget")
    workbook.add_vba_project(io.BytesIO(build_compound_file(streams)), is_stream=True)
    workbook.close()


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    if "xlsxwriter" not in sys.modules:
        pytest.importorskip("xlsxwriter")
    base = tmp_path_factory.mktemp("libreoffice")
    files = {name: base / f"{name}.xlsm" for name in ("addin", "embedded", "broken")}
    write_workbook(files["addin"], embed=False)
    has_xlwings = True
    try:
        write_workbook(files["embedded"], embed=True)
    except RuntimeError:
        has_xlwings = False
    write_broken_workbook(files["broken"])
    requests = [
        {"path": str(files["addin"]), "run": ["Probe"], "cells": [[0, "A1"], [1, "B2"]]},
        {"path": str(files["broken"])},
    ]
    if has_xlwings:
        requests.append({"path": str(files["embedded"])})
    completed = subprocess.run(
        [SYSTEM_PYTHON, str(PROBE_SCRIPT), str(base / "profile"), json.dumps(requests)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads(completed.stdout)
    for result in results:
        assert "error" not in result, result.get("error")
    names = ["addin", "broken", "embedded"][: len(results)]
    return dict(zip(names, results, strict=True))


def lo_body(source: str) -> list[str]:
    """LibreOffice's module text without the lines it adds in front, trailing blanks cut."""
    lines = source.split("\n")
    while lines and (
        lines[0].startswith("Rem Attribute VBA_ModuleType=")
        or lines[0] in ("Option VBASupport 1", "Option ClassModule")
    ):
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def our_body(module: VbaModule) -> list[str]:
    """Our module body as LibreOffice shows it: it drops member ``Attribute`` lines."""
    lines = [
        line
        for line in module.code.replace("\r\n", "\n").split("\n")
        if not line.lstrip().startswith("Attribute ")
    ]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def test_libreoffice_lists_modules_with_kinds_and_source(office: dict[str, Any]) -> None:
    result = office["addin"]
    assert result["vba_mode"] is True
    modules = result["libraries"]["VBAProject"]
    kinds = {name: info.get("type") for name, info in modules.items()}
    assert kinds == {
        "ThisWorkbook": "document",
        "Sheet1": "document",
        "Sheet2": "document",
        "FinsamXL": "normal",
        "XlwingsBridge": "normal",
        "LoProbe": "normal",
    }
    for module in [*finsam_modules(), PROBE]:
        assert lo_body(modules[module.name]["source"]) == our_body(module), module.name


def test_libreoffice_reads_the_code_names(office: dict[str, Any]) -> None:
    result = office["addin"]
    assert result["workbook_code_name"] == "ThisWorkbook"
    assert [s["code_name"] for s in result["sheets"]] == ["Sheet1", "Sheet2"]
    assert [s["name"] for s in result["sheets"]] == ["Översikt", "Budget"]


def test_libreoffice_binds_each_button_to_its_macro(office: dict[str, Any]) -> None:
    controls = office["addin"]["controls"]
    bound = {
        c["label"]: [e["code"] for e in c["events"] if e["method"] == "actionPerformed"]
        for c in controls
    }
    expected = {caption: [URL.format("FinsamXL", macro)] for caption, macro in DEFAULT_BUTTONS}
    expected["Probe"] = [URL.format("LoProbe", "WriteProbe")]
    assert bound == expected


def test_libreoffice_runs_a_macro_from_its_button(office: dict[str, Any]) -> None:
    result = office["addin"]
    (run,) = result["runs"]
    assert run["ok"], run
    assert run["url"] == URL.format("LoProbe", "WriteProbe")
    # A1 by sheet index; B2 on the second sheet through its code name "Sheet2",
    # so the document module is attached to that sheet.
    assert result["cells"] == {"0!A1": "probe-ok", "1!B2": "42"}


def test_libreoffice_lists_the_embedded_xlwings_project(office: dict[str, Any]) -> None:
    if "embedded" not in office:
        pytest.skip("xlwings is not installed")
    modules = office["embedded"]["libraries"]["VBAProject"]
    kinds = {name: info.get("type") for name, info in modules.items()}
    assert kinds == {
        "ThisWorkbook": "document",
        "Sheet1": "document",
        "Sheet2": "document",
        "FinsamXL": "normal",
        "xlwings": "normal",
        "Dictionary": "class",
        "LoProbe": "normal",
    }
    for module in finsam_modules(embed_xlwings=True):
        assert lo_body(modules[module.name]["source"]) == our_body(module), module.name


def test_libreoffice_rejects_a_wrong_module_offset(office: dict[str, Any]) -> None:
    modules = office["broken"]["libraries"]["VBAProject"]
    assert "WriteProbe" not in modules.get("LoProbe", {}).get("source", "")
    assert lo_body(modules["FinsamXL"]["source"]) == our_body(finsam_modules()[0])
