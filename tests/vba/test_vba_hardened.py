"""The hardened .xlsm: many sheets read back independently, and the server path's project."""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser
from test_vba_cfb import cfb_streams
from vba_support import ole_streams, xlwings_dir

from finsam_xl.vba import build_vba_project, finsam_modules, public_macros, read_vba_streams
from finsam_xl.vba.modules import ModuleKind, normalize_newlines
from finsam_xl.vba.server import REMOTE_FILES, check_url, server_modules

URL = "https://finsam.kommun.se"


def olevba_codes(data: bytes) -> dict[str, str]:
    parser = VBA_Parser("vbaProject.bin", data=data, relaxed=False)
    try:
        return {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_all_macros()}
    finally:
        parser.close()


def _lines(text: str) -> list[str]:
    """Code lines without olevba's and our Attribute headers."""
    return [
        line
        for line in normalize_newlines(text).split("\r\n")
        if line and not line.startswith("Attribute VB_")
    ]


@pytest.mark.parametrize("count", [99, 200])
@pytest.mark.parametrize("server", [False, True], ids=["addin", "server"])
def test_many_sheets_are_read_back_by_three_independent_readers(
    count: int, server: bool, tmp_path: Path
) -> None:
    """99 and 200 sheets (the size that once broke another writer in Excel)."""
    if server and xlwings_dir() is None:
        pytest.skip("xlwings is not installed")
    modules = server_modules(URL) if server else finsam_modules()
    sheets = [f"Sheet{n}" for n in range(1, count + 1)]
    data = build_vba_project(modules, sheets)
    expected = {"ThisWorkbook", *sheets, *(m.name for m in modules)}
    # 1. olefile, strict defect level
    streams = ole_streams(data)
    assert {name.split("/")[-1] for name in streams if name.startswith("VBA/")} == (
        expected | {"_VBA_PROJECT", "dir"}
    )
    # 2. the independent BSD reader `cfb`, raising on any warning
    path = tmp_path / "vbaProject.bin"
    path.write_bytes(data)
    assert cfb_streams(path) == streams
    # 3. olevba (relaxed=False) finds every module with its code
    codes = olevba_codes(data)
    assert set(codes) == expected
    for module in modules:
        assert _lines(codes[module.name]) == _lines(module.code), module.name
    # and our strict reader agrees on the module list (dir -> MODULEOFFSET -> decompress)
    parsed = read_vba_streams(streams)
    assert [m.name for m in parsed.modules] == ["ThisWorkbook", *sheets, *(m.name for m in modules)]
    # all but the smallest project need a FAT of several sectors (header field at 0x2C)
    assert struct.unpack_from("<I", data, 0x2C)[0] >= 2 or (count, server) == (99, False)


def test_server_project_embeds_xlwings_client_byte_for_byte() -> None:
    base = xlwings_dir()
    if base is None:
        pytest.skip("xlwings is not installed")
    modules = server_modules(URL + "/")
    names = [(m.name, m.kind) for m in modules]
    assert names == [
        ("FinsamServer", ModuleKind.STANDARD),
        ("xlwings", ModuleKind.STANDARD),
        ("Dictionary", ModuleKind.CLASS),
    ] + [
        (Path(f).stem, ModuleKind.CLASS if f.endswith(".cls") else ModuleKind.STANDARD)
        for f in REMOTE_FILES
    ]
    by_name = {m.name: m for m in modules}
    for file in REMOTE_FILES:
        installed = (base / "addin" / file).read_text("cp1252")
        module = by_name[Path(file).stem]
        body = installed.split("\n")
        # the stored stream is the installed file from its first Attribute line on, CRLF
        start = next(i for i, line in enumerate(body) if line.startswith("Attribute VB_Name"))
        stored = module.stream_text()
        if file.endswith(".bas"):
            assert stored == normalize_newlines("\n".join(body[start:])), file
        else:  # a class: the VBE adds VB_Base (as for Dictionary); the rest is unchanged
            rest = normalize_newlines("\n".join(body[start:]))
            header = [line for line in rest.split("\r\n") if line.startswith("Attribute ")]
            code = rest.split("\r\n")[len(header) :]
            assert stored.endswith("\r\n".join(code)), file
            assert all(line in stored.split("\r\n") for line in header), file
    assert "RunServerPython" in by_name["Remote"].code
    assert by_name["xlwings"].stream_text() == normalize_newlines(
        (base / "xlwings.bas").read_text("cp1252")
    )
    own = by_name["FinsamServer"].code
    assert f'SERVER_URL As String = "{URL}"' in own  # trailing slash dropped
    assert public_macros(by_name["FinsamServer"]) == [
        "Berakna",
        "Kontrollera",
        "NyttAr",
        "Sjalvtest",
    ]
    for route in ("/berakna", "/kontrollera", "/sjalvtest"):
        assert f'RunServerPython SERVER_URL & "{route}"' in own
    assert own.isascii()


@pytest.mark.parametrize(
    "bad",
    [
        'https://x"; Shell "calc',
        "ftp://finsam.se",
        "finsam.se",
        "https://finsam.se/a b",
        "https://" + "a" * 300,
    ],
)
def test_bad_server_addresses_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="ingen giltig adress"):
        check_url(bad)


@pytest.fixture(scope="module")
def server_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from finsam_xl.cli import app

    if xlwings_dir() is None:
        pytest.skip("xlwings is not installed")
    out = tmp_path_factory.mktemp("server") / "Budget.xlsm"
    done = CliRunner().invoke(app, ["ny", "--xlsm", "--server", URL, "-o", str(out)])
    assert done.exit_code == 0, done.output
    return out


def test_server_workbook_buttons_name_existing_macros(server_workbook: Path) -> None:
    with zipfile.ZipFile(server_workbook) as archive:
        project = archive.read("xl/vbaProject.bin")
        vml = "".join(
            archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".vml")
        )
        assert "xl/webextensions/webextension1.xml" not in archive.namelist()  # no Lite in .xlsm
    bound = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert bound == ["Berakna", "Kontrollera", "NyttAr", "Sjalvtest"]
    parsed = read_vba_streams(ole_streams(project))
    assert [m.name for m in parsed.modules][-9:] == [m.name for m in server_modules(URL)]
    codes = olevba_codes(project)
    macros = set(re.findall(r"^Public Sub (\w+)\(\)", codes["FinsamServer"], re.MULTILINE))
    assert set(bound) <= macros
    assert f'"{URL}"' in codes["FinsamServer"]
    assert "XlwingsBridge" not in codes and "FinsamXL" not in codes


def test_use_server_changes_only_the_vba_project(tmp_path: Path) -> None:
    """The server rebuild replaces xl/vbaProject.bin and copies every other part byte for byte."""
    import shutil

    from finsam_xl import jobs
    from finsam_xl.parts.vba_part import use_server
    from finsam_xl.workbook.template import starter_budget

    if xlwings_dir() is None:
        pytest.skip("xlwings is not installed")
    plain = tmp_path / "plain.xlsm"
    jobs.new(starter_budget(2027), plain, xlsm=True)
    server = tmp_path / "server.xlsm"
    shutil.copy(plain, server)
    use_server(server, URL)
    with zipfile.ZipFile(server) as a, zipfile.ZipFile(plain) as b:
        assert a.namelist() == b.namelist()
        assert [n for n in a.namelist() if a.read(n) != b.read(n)] == ["xl/vbaProject.bin"]
        before = read_vba_streams(ole_streams(b.read("xl/vbaProject.bin")))
        after = read_vba_streams(ole_streams(a.read("xl/vbaProject.bin")))
    documents = [m.name for m in before.modules if m.name.startswith(("This", "Sheet"))]
    assert [m.name for m in after.modules][: len(documents)] == documents


def test_use_server_refuses_a_workbook_without_macros(tmp_path: Path) -> None:
    from finsam_xl import jobs
    from finsam_xl.parts.vba_part import use_server
    from finsam_xl.workbook.template import starter_budget

    path = tmp_path / "plain.xlsx"
    jobs.new(starter_budget(2027), path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="inget VBA-projekt"):
        use_server(path, URL)
    assert path.read_bytes() == before


def test_server_workbook_has_no_sheet_protection(server_workbook: Path) -> None:
    """xlwings' Remote.bas writes with Range.Value and cannot lift protection (error 1004)."""
    from openpyxl import load_workbook

    wb = load_workbook(server_workbook, keep_vba=True)
    for name in ("Plan", "Fördelning", "Kontroller", "Budget", "Not 1", "Insatser", "Eget kapital"):
        assert not wb[name].protection.sheet, name


def test_server_workbook_without_xlwings_says_which_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only [cli] installed: a Swedish message naming the [excel] extra, and no file."""
    import importlib.util

    from typer.testing import CliRunner

    from finsam_xl.cli import app
    from finsam_xl.vba import sources

    real = importlib.util.find_spec
    monkeypatch.setattr(
        sources.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "xlwings" else real(name, *a),
    )
    out = tmp_path / "Budget.xlsm"
    done = CliRunner().invoke(app, ["ny", "--xlsm", "--server", URL, "-o", str(out)])
    assert done.exit_code == 2
    assert "internt fel" not in done.output
    assert 'pip install "finsam_xl[cli,excel]"' in done.output
    assert "xlwings" in done.output and "inte är installerat" in done.output
    assert not out.exists() and list(tmp_path.iterdir()) == []
