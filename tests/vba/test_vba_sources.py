"""The VBA source files, the xlwings embedding and the command line."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest
from vba_support import ole_streams, xlwings_dir

from finsam_xl.vba import (
    ModuleKind,
    VbaModule,
    finsam_modules,
    public_macros,
    read_vba_streams,
    xlwings_vba_version,
)
from finsam_xl.vba.__main__ import main
from finsam_xl.vba.modules import normalize_newlines

SRC = Path(__file__).resolve().parents[2] / "finsam_xl" / "vba" / "src"
MACROS = {
    "Berakna": "import finsam_xl.excel.button as b; b.recalc()",
    "Kontrollera": "import finsam_xl.excel.button as b; b.check()",
    "NyttAr": "import finsam_xl.excel.button as b; b.next_year()",
    "Sjalvtest": "import finsam_xl.excel.button as b; b.selftest()",
}


def sub_bodies(code: str) -> dict[str, str]:
    pattern = re.compile(r"^Public Sub (\w+)\(\)\n(.*?)^End Sub", re.MULTILINE | re.DOTALL)
    return {m.group(1): m.group(2) for m in pattern.finditer(code.replace("\r\n", "\n"))}


def test_bas_files_are_pure_ascii_and_named_after_their_module() -> None:
    """ASCII only: no code page (Mac, non-1252 Windows) can garble the messages."""
    files = sorted(SRC.glob("*.bas"))
    assert [f.stem for f in files] == ["FinsamServer", "FinsamXL", "XlwingsBridge"]
    for path in files:
        raw = path.read_bytes()
        assert raw.isascii(), [
            line for line in raw.decode("utf-8").splitlines() if not line.isascii()
        ]
        assert VbaModule.from_source(raw.decode("ascii")).name == path.stem


def test_swedish_letters_are_built_with_chrw() -> None:
    bridge = (SRC / "XlwingsBridge.bas").read_text("ascii")
    assert 'xlwings-till" & ChrW(228) & "gget' in bridge  # "tillägget"
    server = (SRC / "FinsamServer.bas").read_text("ascii")
    assert '"N" & ChrW(228) & "sta " & ChrW(229) & "rs arbetsbok' in server  # "Nästa års"


def test_finsam_macros_call_runpython_with_the_button_module() -> None:
    finsam = finsam_modules()[0]
    assert finsam.name == "FinsamXL" and finsam.kind is ModuleKind.STANDARD
    assert public_macros(finsam) == list(MACROS)
    bodies = sub_bodies(finsam.code)
    for macro, command in MACROS.items():
        assert bodies[macro].strip() == f'RunPython "{command}"'


def test_no_dependency_on_the_workbook_file_name() -> None:
    for module in finsam_modules():
        for needle in (".Name", ".FullName", ".Path", ".xlsm", "mymodule"):
            assert needle not in module.code, (module.name, needle)


def test_bridge_forwards_to_the_addin_without_a_reference() -> None:
    bridge = finsam_modules()[1]
    assert bridge.name == "XlwingsBridge"
    assert re.search(r"^Public Function RunPython\(", bridge.code, re.MULTILINE)
    assert 'Application.Run("\'" & ADDIN_NAME & "\'!RunPython", PythonCommand)' in bridge.code
    assert 'ADDIN_NAME As String = "xlwings.xlam"' in bridge.code
    assert "#If" not in bridge.code  # keep it plain: LibreOffice must be able to load it


def test_embedded_xlwings_is_read_from_the_installed_package() -> None:
    base = xlwings_dir()
    if base is None:
        pytest.skip("xlwings is not installed")
    modules = finsam_modules(embed_xlwings=True)
    assert [(m.name, m.kind) for m in modules] == [
        ("FinsamXL", ModuleKind.STANDARD),
        ("xlwings", ModuleKind.STANDARD),
        ("Dictionary", ModuleKind.CLASS),
    ]
    installed = (base / "xlwings.bas").read_text("cp1252")
    assert modules[1].stream_text() == normalize_newlines(installed)
    assert xlwings_vba_version() == importlib.metadata.version("xlwings")
    assert "BSD 3-clause" in modules[1].code  # the licence notice travels with the code


def test_repository_holds_no_xlwings_vba_source() -> None:
    root = Path(__file__).resolve().parents[2]
    marker = "XLPyDLL" + "ActivateAuto"  # split so that this file does not match itself
    paths = [*(root / "finsam_xl" / "vba").rglob("*"), *(root / "tests" / "vba").rglob("*")]
    paths.append(root / "docs" / "vba.md")
    for path in paths:
        if path.is_file() and path.suffix in {".bas", ".cls", ".py", ".md", ".txt", ""}:
            assert marker not in path.read_text("utf-8", errors="replace"), path


def test_cls_preamble_is_dropped() -> None:
    text = (
        "VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  'True\r\nEND\r\n"
        'Attribute VB_Name = "Counter"\r\nAttribute VB_Exposed = True\r\n'
        'Attribute VB_Description = "Counts"\r\nOption Explicit\r\n'
    )
    module = VbaModule.from_source(text)
    assert module.kind is ModuleKind.CLASS and module.name == "Counter"
    assert module.code.strip() == "Option Explicit"
    header = [key for key, _ in module.header()]
    assert header[:2] == ["VB_Name", "VB_Base"]
    assert dict(module.header())["VB_Exposed"] == "True"
    assert header[-1] == "VB_Description"


def test_public_macros_ignores_private_and_parameterised_subs() -> None:
    code = (
        "Sub A()\nEnd Sub\nPrivate Sub B()\nEnd Sub\nPublic Sub C(x As Long)\nEnd Sub\n"
        "Public Function D()\nEnd Function\n' Sub E()\n  Public Sub F ()\nEnd Sub\n"
    )
    assert public_macros(VbaModule("M", code)) == ["A", "F"]
    assert public_macros(VbaModule("M", "Option Private Module\n" + code)) == []


def test_command_line_writes_a_readable_project(tmp_path: Path) -> None:
    out = tmp_path / "build" / "vbaProject.bin"
    assert main([str(out), "--sheets", "Sheet1", "Sheet2"]) == 0
    parsed = read_vba_streams(ole_streams(out.read_bytes()))
    assert [m.name for m in parsed.modules] == [
        "ThisWorkbook",
        "Sheet1",
        "Sheet2",
        "FinsamXL",
        "XlwingsBridge",
    ]
