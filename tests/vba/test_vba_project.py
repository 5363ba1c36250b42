"""The VBA project: olevba and the strict reader recover exactly the intended source."""

from __future__ import annotations

import struct
import uuid
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser
from vba_support import ole_streams

from finsam_xl.vba import (
    OFFICE_REFERENCE,
    STDOLE_REFERENCE,
    ModuleKind,
    VbaModule,
    build_vba_project,
    finsam_modules,
    read_vba_streams,
)
from finsam_xl.vba.cfb import build_compound_file
from finsam_xl.vba.compression import compress, decompress
from finsam_xl.vba.modules import WORKBOOK_BASE, WORKSHEET_BASE
from finsam_xl.vba.project import (
    PROJECT_COMPAT_VERSION,
    PROJECT_VERSION,
    VBA_PROJECT_STREAM,
    build_vba_streams,
)
from finsam_xl.vba.reader import VbaFormatError, parse_dir

SHEETS = ["Sheet1", "Sheet2", "Sheet3"]


def expected_sources(
    modules: list[VbaModule], sheets: list[str], workbook: str = "ThisWorkbook"
) -> dict[str, str]:
    """What each module stream must contain, derived independently of the writer's order."""
    given_docs = {m.name: m for m in modules if m.kind is ModuleKind.DOCUMENT}
    result = {
        workbook: given_docs.get(
            workbook, VbaModule(workbook, "", ModuleKind.DOCUMENT)
        ).stream_text(WORKBOOK_BASE)
    }
    for sheet in sheets:
        module = given_docs.get(sheet, VbaModule(sheet, "", ModuleKind.DOCUMENT))
        result[sheet] = module.stream_text(WORKSHEET_BASE)
    for module in modules:
        if module.kind is not ModuleKind.DOCUMENT:
            result[module.name] = module.stream_text()
    return result


def olevba_sources(data: bytes) -> dict[str, tuple[str, str]]:
    parser = VBA_Parser("vbaProject.bin", data=data, relaxed=False)
    try:
        return {
            stream.split("/")[-1]: (filename, code)
            for _, stream, filename, code in parser.extract_all_macros()
        }
    finally:
        parser.close()


@pytest.fixture(scope="module", params=[False, True], ids=["addin", "embedded"])
def project(request: pytest.FixtureRequest) -> tuple[bytes, list[VbaModule]]:
    if request.param:
        pytest.importorskip("xlwings")
    modules = finsam_modules(embed_xlwings=request.param)
    return build_vba_project(modules, SHEETS), modules


def test_olevba_extracts_exactly_each_module(project: tuple[bytes, list[VbaModule]]) -> None:
    data, modules = project
    found = olevba_sources(data)
    expected = expected_sources(modules, SHEETS)
    assert set(found) == set(expected)
    for name, source in expected.items():
        filename, code = found[name]
        assert code == source, name
        standard = any(m.name == name and m.kind is ModuleKind.STANDARD for m in modules)
        assert filename == name + (".bas" if standard else ".cls")


def test_strict_reader_gives_the_same(project: tuple[bytes, list[VbaModule]]) -> None:
    data, modules = project
    parsed = read_vba_streams(ole_streams(data))
    expected = expected_sources(modules, SHEETS)
    assert [m.name for m in parsed.modules] == ["ThisWorkbook", *SHEETS] + [m.name for m in modules]
    olevba = olevba_sources(data)
    for module in parsed.modules:
        assert module.offset == 0  # source only, no p-code
        assert module.stream_name == module.name
        assert module.source == expected[module.name] == olevba[module.name][1]
        is_standard = any(m.name == module.name and m.kind is ModuleKind.STANDARD for m in modules)
        assert module.procedural == is_standard
    assert parsed.code_page == 1252
    assert parsed.name == "VBAProject"
    assert parsed.references == []


def test_project_stream(project: tuple[bytes, list[VbaModule]]) -> None:
    data, modules = project
    streams = ole_streams(data)
    parsed = read_vba_streams(streams)
    text = parsed.project_text
    assert text["Document"] == [f"{name}/&H00000000" for name in ["ThisWorkbook", *SHEETS]]
    assert text.get("Module", []) == [m.name for m in modules if m.kind is ModuleKind.STANDARD]
    assert text.get("Class", []) == [m.name for m in modules if m.kind is ModuleKind.CLASS]
    assert text["Name"] == ['"VBAProject"']
    uuid.UUID(text["ID"][0].strip('"{}'))
    # Not protected, no password, visible: what Excel writes for an open project.
    assert parsed.protection == {"CMG": bytes(4), "DPB": b"\x00", "GC": b"\xff"}
    raw = streams["PROJECT"]
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert b"[Host Extender Info]\r\n&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;" in raw


def test_projectwm_and_vba_project_streams(project: tuple[bytes, list[VbaModule]]) -> None:
    data, modules = project
    streams = ole_streams(data)
    assert streams["VBA/_VBA_PROJECT"] == VBA_PROJECT_STREAM == bytes.fromhex("CC61FFFF000100")
    names = ["ThisWorkbook", *SHEETS] + [m.name for m in modules]
    expected = b"".join(
        n.encode("cp1252") + b"\x00" + n.encode("utf-16-le") + b"\x00\x00" for n in names
    )
    assert streams["PROJECTwm"] == expected + b"\x00\x00"
    assert set(streams) == {"PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"} | {
        f"VBA/{n}" for n in names
    }


def test_dir_projectversion_trap() -> None:
    """PROJECTVERSION says size 4 and is followed by 6 bytes (major u32, minor u16)."""
    directory = decompress(ole_streams(build_vba_project([], ["Sheet1"]))["VBA/dir"])
    index = directory.index(bytes.fromhex("0900 04000000"))
    assert directory[index + 12 : index + 14] == bytes.fromhex("0C00")  # PROJECTCONSTANTS next
    parsed = parse_dir(directory)
    assert parsed.version == PROJECT_VERSION == (0x645BE109, 11)  # vbamc's Microsoft 365 value
    assert parsed.compat_version == PROJECT_COMPAT_VERSION == 5
    assert directory[:20] == bytes.fromhex("0100 04000000 03000000 4A00 04000000 05000000")


def test_compat_version_is_what_current_excel_writes(excel_projects: dict[str, bytes]) -> None:
    """The newest Excel-saved project at hand (xlwings' quickstart.xlsm) has compat version 5."""
    compat = {
        name: parse_dir(decompress(ole_streams(data)["VBA/dir"])).compat_version
        for name, data in excel_projects.items()
    }
    assert PROJECT_COMPAT_VERSION in compat.values(), compat


def test_document_modules_match_excel(excel_projects: dict[str, bytes]) -> None:
    """Our ThisWorkbook/Sheet sources are byte-identical to the ones Excel wrote."""
    ours = read_vba_streams(ole_streams(build_vba_project([], ["Sheet1", "Sheet2"])))
    ours_by_name = {m.name: m.source for m in ours.modules}
    for name, data in excel_projects.items():
        excel = {m.name: m for m in read_vba_streams(ole_streams(data)).modules}
        for document in ("ThisWorkbook", "Sheet1", "Sheet2"):
            assert excel[document].source == ours_by_name[document], (name, document)
            assert not excel[document].procedural


def test_class_module_header_matches_excel(excel_projects: dict[str, bytes]) -> None:
    """The embedded Dictionary class gets the attribute block Excel wrote for it."""
    pytest.importorskip("xlwings")
    if "quickstart_standalone.xlsm" not in excel_projects:
        pytest.skip("no standalone quickstart")
    excel = read_vba_streams(ole_streams(excel_projects["quickstart_standalone.xlsm"]))
    ours = read_vba_streams(ole_streams(build_vba_project(finsam_modules(True), ["Sheet1"])))

    def header(source: str | None) -> list[str]:
        assert source is not None
        return [line for line in source.split("\r\n") if line.startswith("Attribute ")]

    excel_dictionary = next(m for m in excel.modules if m.name == "Dictionary")
    ours_dictionary = next(m for m in ours.modules if m.name == "Dictionary")
    assert header(ours_dictionary.source) == header(excel_dictionary.source)


def test_strict_reader_parses_excel_written_projects(excel_projects: dict[str, bytes]) -> None:
    """The reader is checked against Excel's files, not only against our own writer."""
    for name, data in excel_projects.items():
        parsed = read_vba_streams(ole_streams(data))
        olevba = olevba_sources(data)
        assert parsed.protection == {"CMG": bytes(4), "DPB": b"\x00", "GC": b"\xff"}, name
        for module in parsed.modules:
            assert module.source == olevba[module.name][1], (name, module.name)


def test_references_are_written_when_asked() -> None:
    data = build_vba_project([], ["Sheet1"], references=[STDOLE_REFERENCE, OFFICE_REFERENCE])
    parsed = read_vba_streams(ole_streams(data))
    assert [(r.name, r.kind, r.libid) for r in parsed.references] == [
        ("stdole", "registered", STDOLE_REFERENCE.libid),
        ("Office", "registered", OFFICE_REFERENCE.libid),
    ]


def test_output_is_deterministic() -> None:
    modules = finsam_modules()
    assert build_vba_project(modules, SHEETS) == build_vba_project(modules, SHEETS)
    other = build_vba_project(modules, SHEETS, project_id=str(uuid.uuid4()))
    assert other != build_vba_project(modules, SHEETS)


def test_document_module_code_and_custom_names() -> None:
    workbook = VbaModule("Arbetsbok", "Private Sub Workbook_Open()\nEnd Sub\n", ModuleKind.DOCUMENT)
    sheet = VbaModule("Oversikt", "' sheet code\n", ModuleKind.DOCUMENT)
    modules = [workbook, sheet]
    data = build_vba_project(
        modules, ["Oversikt", "Budget"], "Finsam", workbook_code_name="Arbetsbok"
    )
    parsed = read_vba_streams(ole_streams(data))
    assert parsed.name == "Finsam"
    assert {m.name: m.source for m in parsed.modules} == expected_sources(
        modules, ["Oversikt", "Budget"], "Arbetsbok"
    )


@pytest.mark.parametrize(
    ("modules", "sheets", "message"),
    [
        ([VbaModule("Sheet1", "")], ["Sheet1"], "duplicate"),
        ([VbaModule("A", ""), VbaModule("a", "")], [], "duplicate"),
        ([VbaModule("Other", "", ModuleKind.DOCUMENT)], ["Sheet1"], "without a matching"),
        ([VbaModule("Euro", "' \u20ac ok\n' \u0416 not ok")], [], "code page"),
        ([], ["Blad 1"], "identifier"),
        ([VbaModule("VBAProject", "")], [], "same name as the project"),
    ],
)
def test_invalid_projects_are_refused(
    modules: list[VbaModule], sheets: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_vba_project(modules, sheets)


def test_module_names_must_be_identifiers() -> None:
    for bad in ["", "1abc", "Nytt år", "a" * 32, "a-b"]:
        with pytest.raises(ValueError):
            VbaModule(bad, "")


identifiers = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,30}", fullmatch=True)
cp1252_text = st.text(
    alphabet=st.characters(codec="cp1252", exclude_characters="\x00"), max_size=3000
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            identifiers, cp1252_text, st.sampled_from([ModuleKind.STANDARD, ModuleKind.CLASS])
        ),
        max_size=6,
        unique_by=lambda item: item[0].upper(),
    ),
    st.lists(identifiers, max_size=4, unique_by=str.upper),
)
def test_random_projects_round_trip(
    specs: list[tuple[str, str, ModuleKind]], sheets: list[str]
) -> None:
    reserved = {"THISWORKBOOK", "VBAPROJECT"} | {s.upper() for s in sheets}
    modules = [
        VbaModule(name, code, kind) for name, code, kind in specs if name.upper() not in reserved
    ]
    sheets = [s for s in sheets if s.upper() not in {"THISWORKBOOK", "VBAPROJECT"}]
    data = build_vba_project(modules, sheets)
    expected = expected_sources(modules, sheets)
    parsed = read_vba_streams(ole_streams(data))
    assert {m.name: m.source for m in parsed.modules} == expected
    assert {name: code for name, (_, code) in olevba_sources(data).items()} == expected


def _patched_dir(data: dict[str, bytes], edit: Callable[[bytearray], None]) -> dict[str, bytes]:
    directory = bytearray(decompress(data["VBA/dir"]))
    edit(directory)
    return {**data, "VBA/dir": compress(bytes(directory))}


def test_strict_reader_catches_a_wrong_module_offset_that_olevba_tolerates() -> None:
    streams = build_vba_streams(finsam_modules(), ["Sheet1"])

    def shift_offset(directory: bytearray) -> None:
        at = directory.index(struct.pack("<HI", 0x001A, 8) + b"FinsamXL")
        offset = directory.index(struct.pack("<HII", 0x0031, 4, 0), at)
        directory[offset + 6 : offset + 10] = struct.pack("<I", 5)

    broken = _patched_dir(streams, shift_offset)
    with pytest.raises(VbaFormatError, match="FinsamXL"):
        read_vba_streams(broken)
    lenient = VBA_Parser("x.bin", data=build_compound_file(broken), relaxed=True)
    try:
        codes = {s.split("/")[-1]: c for _, s, _, c in lenient.extract_all_macros()}
    finally:
        lenient.close()
    assert "Public Sub Berakna()" in codes["FinsamXL"]  # olevba still shows the code


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.extend(b"\x00"), "after the dir Terminator"),
        (lambda d: d.__setitem__(slice(0, 2), b"\x02\x00"), "PROJECTSYSKIND"),
        (lambda d: d.__delitem__(slice(len(d) - 6, len(d))), "ends"),
    ],
)
def test_strict_reader_rejects_malformed_dir(
    edit: Callable[[bytearray], None], message: str
) -> None:
    streams = _patched_dir(build_vba_streams([], ["Sheet1"]), edit)
    with pytest.raises(VbaFormatError, match=message):
        read_vba_streams(streams)
