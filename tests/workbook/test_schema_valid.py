"""Every file the tool writes is valid against the ECMA-376 transitional schemas.

Each command that writes a file (``ny`` .xlsx/.xlsm with and without ``--server``,
``berakna``, ``nytt-ar``, ``avstamning``, ``lite``, ``oversikt``, ``demo``, the ``rapport``
.docx) is run through the CLI into a session folder, and every XML part of the result is
validated with lxml against the schemas in ``tests/data/schemas`` (see the README there),
after Markup Compatibility processing as Excel does it. The package is checked too:
relationship targets exist, every part has a content type, nothing is orphaned; and so
are the references between parts that Excel repairs (style and shared-string indices,
row and cell order, table header cells).

A schema error is the commonest cause of Excel's "We found a problem with some content"
repair prompt. A failure names the command, the part and lxml's message with its line.
"""

from __future__ import annotations

import io
import shutil
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import synthetic_books as sb
import yaml
from ooxml_support import (
    Problem,
    package_problems,
    problems_of,
    schema,
    spreadsheet_problems,
    validate_part,
)
from openpyxl import load_workbook
from support import EXAMPLES, SOFFICE, TO_XLSX, libreoffice_convert
from typer.testing import CliRunner

from finsam_xl import jobs
from finsam_xl.cli import app

runner = CliRunner()
SERVER = "http://127.0.0.1:8765"


def _cli(*args: object) -> None:
    result = runner.invoke(app, [str(a) for a in args])
    # 0 = written, 1 = written with error findings (the examples have some) or not written.
    command = f"finsam-xl {' '.join(map(str, args))}: {result.output}"
    assert result.exit_code in (0, 1), command
    assert "Inget skrevs" not in result.output, command


def _example(name: str) -> Path:
    return EXAMPLES / f"{name}.yaml"


class Built:
    """Builds each case once per session, on demand, in one folder; cases share inputs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.done: dict[str, Path] = {}

    def __call__(self, case: str) -> Path:
        if case not in self.done:
            self.done[case] = CASES[case](self)
        return self.done[case]


Builder = Callable[[Built], Path]


def _new(name: str, *options: object) -> Builder:
    def build(b: Built) -> Path:
        _cli("ny", *options, "-o", b.folder / name)
        return b.folder / name

    return build


def _on_copy(source: str, name: str, *command: object) -> Builder:
    """Run ``command`` (e.g. berakna, lite) on a copy of the file of case ``source``."""

    def build(b: Built) -> Path:
        out = b.folder / name
        shutil.copyfile(b(source), out)
        _cli(command[0], out, *command[1:])
        if command[0] != "berakna":  # berakna rewrites a fresh workbook byte for byte
            assert out.read_bytes() != b(source).read_bytes(), f"{command[0]} skrev inget"
        return out

    return build


def _nytt_ar(source: str, name: str, *options: object) -> Builder:
    def build(b: Built) -> Path:
        _cli("nytt-ar", b(source), "-o", b.folder / name, *options)
        return b.folder / name

    return build


def _recalc_after_edit(b: Built) -> Path:
    """berakna after the user changed input in another program (openpyxl saves it here):
    the computed sheets get other rows and another number of findings."""
    out = b.folder / "edited.xlsx"
    wb = load_workbook(b("ny .xlsx"))
    ws = wb["Medelstilldelning"]
    ws["C5"] = 9_999  # the budget year's contribution, tkr
    ws["C6"] = 1  # next year's
    wb.save(out)
    before = out.read_bytes()
    _cli("berakna", out)
    assert out.read_bytes() != before
    return out


def _avstamning(b: Built) -> Path:
    book = b.folder / "avstamning.xlsx"
    jobs.new(sb.budget_with_mapping(), book)
    sb.make_books(b.folder / "bokforing.se")
    _cli("avstamning", book, b.folder / "bokforing.se", "--period", "2025-08")
    return book


#: Text that tests the escaping and xml:space of every writer: blanks at both ends, the
#: five XML specials, a control character, a non-BMP emoji, a long name.
AWKWARD = "  Förbund & <Medlem> \"A\" 'B' \x01 \U0001f600 " + "x" * 200 + "  "


def _awkward(b: Built) -> Path:
    """A budget whose every name is awkward text, as a budget file for ``new --from``."""
    data = yaml.safe_load(Path(SD).read_text(encoding="utf-8"))
    data["forbund"]["name"] = AWKWARD.strip()[:80]
    for i, member in enumerate(data["members"]):
        member["name"] = f"{AWKWARD[:40]}{i}"
    for i, line in enumerate(data.get("costs", []) + data.get("income", [])):
        line["name"] = f" {AWKWARD[:30]} {i} "
    source = b.folder / "awkward.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = b.folder / "awkward.xlsx"
    _cli("ny", "--fran", source, "-o", out)
    return out


def _oversikt(b: Built) -> Path:
    out = b.folder / "oversikt.xlsx"
    inputs = [b("ny .xlsx"), b("ny --xlsm"), b("ny --xlsm --server")]
    _cli("oversikt", *inputs, "-o", out, "--processer", 1)
    return out


def _rapport(b: Built) -> Path:
    out = b.folder / "rapport.docx"
    _cli("rapport", b("ny .xlsx"), "-o", out)
    return out


def _demo(b: Built) -> Path:
    _cli("demo", "-o", b.folder / "demo.xlsx")
    return b.folder / "demo.xlsx"


SD, FR, SL = (
    str(_example(n)) for n in ("sodra-dalarna-2025", "fryksdalen-2022", "sodra-lappland-2024")
)

#: case id (the command as a user types it) -> how to build its file.
CASES: dict[str, Builder] = {
    "ny .xlsx": _new("new.xlsx", "--fran", SD),
    "ny --budgetar (tom) .xlsx": _new("blank.xlsx", "--budgetar", 2026),
    "ny --utan-lite --utan-bladskydd .xlsx": _new(
        "plain.xlsx", "--fran", FR, "--utan-lite", "--utan-bladskydd"
    ),
    "ny --xlsm": _new("new.xlsm", "--fran", FR, "--xlsm"),
    "ny --xlsm --server": _new("server.xlsm", "--fran", SL, "--xlsm", "--server", SERVER),
    "ny --xlsm --lite": _new("lite-new.xlsm", "--fran", SD, "--xlsm", "--lite"),
    "berakna .xlsx": _on_copy("ny .xlsx", "recalc.xlsx", "berakna"),
    "berakna .xlsm": _on_copy("ny --xlsm", "recalc.xlsm", "berakna"),
    "berakna --server .xlsm": _on_copy("ny --xlsm --server", "recalc-server.xlsm", "berakna"),
    "berakna efter ändrad indata": _recalc_after_edit,
    "nytt-ar .xlsx": _nytt_ar("ny .xlsx", "nytt.xlsx", "--eget-kapital", "1 665 000"),
    "nytt-ar .xlsm": _nytt_ar("ny --xlsm", "nytt.xlsm"),
    "avstamning": _avstamning,
    "berakna efter avstamning": _on_copy("avstamning", "avstamning-recalc.xlsx", "berakna"),
    "lite .xlsx": _on_copy("ny --utan-lite --utan-bladskydd .xlsx", "lite.xlsx", "lite"),
    "lite .xlsm": _on_copy("ny --xlsm", "lite.xlsm", "lite"),
    "lite --server .xlsm": _on_copy("ny --xlsm --server", "lite-server.xlsm", "lite"),
    "ny --fran (konstiga namn)": _awkward,
    "berakna (konstiga namn)": _on_copy(
        "ny --fran (konstiga namn)", "awkward-recalc.xlsx", "berakna"
    ),
    "oversikt": _oversikt,
    "rapport .docx": _rapport,
    "demo": _demo,
}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    schema()  # compile once, before the first case
    return Built(tmp_path_factory.mktemp("schema-valid"))


def _report(case: str, problems: list[Problem]) -> str:
    return "\n".join(f"finsam-xl {case} · {p.part} · {p.message}" for p in problems)


@pytest.mark.parametrize("case", list(CASES))
def test_every_part_is_schema_valid_and_the_package_is_whole(built: Built, case: str) -> None:
    path = built(case)
    problems = problems_of(path)
    assert not problems, _report(case, problems)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) saknas")
def test_commands_on_a_workbook_saved_by_libreoffice_add_no_schema_problem(
    built: Built, tmp_path: Path
) -> None:
    """A user's LibreOffice-saved workbook: whatever it holds, our writers add no error.

    LibreOffice writes its own layout of every sheet (and Microsoft extension parts such
    as ``xl/ctrlProps``), so the zip writer's patches meet XML they did not write.
    """
    saved = tmp_path / "lo"
    libreoffice_convert([built("avstamning")], saved, TO_XLSX)
    source = saved / "avstamning.xlsx"
    before = {(p.part, p.message) for p in problems_of(source)}
    books = built.folder / "bokforing.se"  # written by the avstamning case
    runs: dict[str, tuple[object, ...]] = {
        "berakna": ("berakna",),
        "avstamning": ("avstamning", books, "--period", "2025-08"),
        "lite": ("lite", "--skriv-over"),
    }
    for command, args in runs.items():
        out = tmp_path / f"{command}.xlsx"
        shutil.copyfile(source, out)
        _cli(args[0], out, *args[1:])
        added = [p for p in problems_of(out) if (p.part, p.message) not in before]
        assert not added, _report(f"{command} (LibreOffice-sparad)", added)
    nytt = tmp_path / "nytt-ar.xlsx"
    _cli("nytt-ar", source, "-o", nytt)
    added = [p for p in problems_of(nytt) if (p.part, p.message) not in before]
    assert not added, _report("nytt-ar (LibreOffice-sparad)", added)


# The validator itself: it must find what it is there to find.

SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def test_validator_names_the_part_and_line_of_a_misordered_worksheet() -> None:
    xml = (
        f'<worksheet xmlns="{SML}">\n<sheetData/>\n<sheetProtection sheet="1"/>\n'
        '<dimension ref="A1"/>\n</worksheet>'
    ).encode()
    problems = validate_part("xl/worksheets/sheet9.xml", xml)
    assert len(problems) == 1
    assert problems[0].part == "xl/worksheets/sheet9.xml"
    assert problems[0].message.startswith("line 4: ")
    assert "dimension': This element is not expected" in problems[0].message


def test_validator_applies_markup_compatibility_as_excel_does() -> None:
    ac = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    x14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
    ignorable = (
        f'<worksheet xmlns="{SML}" xmlns:mc="{mc}" xmlns:x14ac="{ac}" xmlns:x14="{x14}" '
        'mc:Ignorable="x14ac"><sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/>'
        '<sheetData><row r="1" x14ac:dyDescent="0.25"/></sheetData>'
        f'<extLst><ext uri="{{05C60535-1F16-4fd2-B633-F4F36F0B64E0}}"><x14:sparklineGroups/>'
        "</ext></extLst></worksheet>"
    )
    assert validate_part("sheet.xml", ignorable.encode()) == []
    not_ignorable = ignorable.replace(' mc:Ignorable="x14ac"', "")
    problems = validate_part("sheet.xml", not_ignorable.encode())
    assert problems and all("dyDescent" in p.message for p in problems)
    alternate = (
        f'<worksheet xmlns="{SML}" xmlns:mc="{mc}" xmlns:x14="{x14}"><sheetData/>'
        '<mc:AlternateContent><mc:Choice Requires="x14"><x14:nonsense/></mc:Choice>'
        '<mc:Fallback><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
        'header="0.3" footer="0.3"/></mc:Fallback></mc:AlternateContent></worksheet>'
    )
    assert validate_part("sheet.xml", alternate.encode()) == []


@pytest.mark.parametrize("quote", ['"', "'"])
def test_validator_finds_a_foreign_node_declared_deep_in_the_part(quote: str) -> None:
    """The walk only visits the way to foreign nodes, found from the part's declarations:
    a declaration on an inner element, in either quote and with an escaped character,
    is found too."""
    foreign = "urn:example:a&amp;b"
    xml = (
        f'<worksheet xmlns="{SML}"><sheetData><row r="1"/>'
        f'<row r="2" xmlns:q={quote}{foreign}{quote}><c r="A2" q:odd="1"/></row></sheetData>'
        "</worksheet>"
    )
    problems = validate_part("sheet.xml", xml.encode())
    assert [p.message for p in problems] == [
        f"not in the schemas and not mc:Ignorable: {{urn:example:a&b}}odd on {{{SML}}}c"
    ]


def _rewrite(source: Path, change: Callable[[dict[str, bytes]], None]) -> zipfile.ZipFile:
    with zipfile.ZipFile(source) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    change(parts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate we plant
        for name, data in parts.items():
            archive.writestr(name.split("#")[0], data)  # "name#2": a second copy of name
    return zipfile.ZipFile(buffer)


def test_package_check_finds_missing_targets_orphans_and_parts_without_type(
    built: Built,
) -> None:
    source = built("ny .xlsx")
    assert package_problems(zipfile.ZipFile(source)) == []

    def damage(parts: dict[str, bytes]) -> None:
        del parts["xl/tables/table1.xml"]  # still referenced by a sheet's rels
        parts["xl/media/stray.png"] = b"\x89PNG"  # no rel, no png Default
        parts["xl/orphan.xml"] = b"<x/>"  # has the xml Default but nothing reaches it
        parts["XL/styles.xml#2"] = parts["xl/styles.xml"]  # the same part name, twice

    problems = [str(p) for p in package_problems(_rewrite(source, damage))]
    assert any("points at missing part xl/tables/table1.xml" in p for p in problems)
    assert "xl/media/stray.png: has no content type (no Default, no Override)" in problems
    assert "xl/media/stray.png: orphaned: no relationship reaches it" in problems
    assert "xl/orphan.xml: orphaned: no relationship reaches it" in problems
    assert any("Override for missing /xl/tables/table1.xml" in p for p in problems)
    assert "XL/styles.xml: stored twice in the zip (also as xl/styles.xml)" in problems


# The print patch of the zip writer on a sheet as Excel saves it: data bars (a cfRule with
# its own extLst), form buttons (controls wrapped in mc:AlternateContent), a custom view
# with its own pageSetup/headerFooter, and no headerFooter/pageSetup of the sheet's own.

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
CUSTOM_VIEW = (
    '<customSheetViews><customSheetView guid="{6F1D2A54-0000-4000-8000-000000000001}">'
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    '<pageSetup paperSize="9" orientation="portrait"/>'
    "<headerFooter><oddHeader>Vyn</oddHeader></headerFooter>"
    "</customSheetView></customSheetViews>"
)
DATA_BARS = (
    '<conditionalFormatting sqref="B2:B9"><cfRule type="dataBar" priority="1"><dataBar>'
    '<cfvo type="min"/><cfvo type="max"/><color rgb="FF638EC6"/></dataBar>'
    '<extLst><ext uri="{B025F937-C7B1-47D3-B67F-A62EFF666E3E}">'
    "<x14:id>{00000000-0000-4000-8000-000000000002}</x14:id></ext></extLst></cfRule>"
    "</conditionalFormatting>"
)
MARGINS = '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
BUTTONS = (
    '<mc:AlternateContent><mc:Choice Requires="x14"><controls><mc:AlternateContent>'
    '<mc:Choice Requires="x14"><control shapeId="1025" r:id="rId3" name="Button 1">'
    '<controlPr defaultSize="0" print="0" autoFill="0" autoPict="0" macro="[0]!Berakna">'
    f'<anchor moveWithCells="1"><from><xdr:col xmlns:xdr="{XDR}">0</xdr:col></from></anchor>'
    "</controlPr></control></mc:Choice></mc:AlternateContent></controls></mc:Choice>"
    "</mc:AlternateContent>"
)


def _excel_sheet(*middle: str) -> str:
    return (
        f'<worksheet xmlns="{SML}" xmlns:r="{R}" xmlns:mc="{MC}" xmlns:x14="{X14}" '
        'mc:Ignorable="x14"><dimension ref="A1:B2"/><sheetViews><sheetView workbookViewId="0"/>'
        '</sheetViews><sheetFormatPr defaultRowHeight="15"/><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>a&gt;b</t></is></c></row></sheetData>'
        + "".join(middle)
        + "</worksheet>"
    )


@pytest.mark.parametrize(
    "middle",
    [
        pytest.param((DATA_BARS, MARGINS), id="data bars, nothing after pageMargins"),
        pytest.param((DATA_BARS, MARGINS, BUTTONS), id="data bars and form buttons"),
        pytest.param((CUSTOM_VIEW, DATA_BARS, MARGINS, BUTTONS), id="custom view"),
    ],
)
def test_print_patch_keeps_an_excel_saved_sheet_valid(middle: tuple[str, ...]) -> None:
    from finsam_xl.sheets.printing import patch_print

    sheet = _excel_sheet(*middle)
    assert validate_part("sheet.xml", sheet.encode()) == []
    out = patch_print(sheet, "Förbundet", "Budget 2026", {1: 30.0, 2: 14.0}, [(2, 60)], {}, 120)
    assert validate_part("sheet.xml", out.encode()) == []
    # The sheet's own print setup was written, right after its pageMargins and outside
    # the buttons' mc:AlternateContent; a custom view keeps its own.
    own = out.split(MARGINS)[-1]
    assert own.startswith('<pageSetup paperSize="9" scale=')
    assert own.index("<headerFooter><oddHeader>&amp;L") < own.index("<rowBreaks")
    assert "<mc:Choice" not in own.split("<rowBreaks")[0]
    if CUSTOM_VIEW in middle:
        assert CUSTOM_VIEW in out


def test_cross_part_check_finds_what_excel_would_repair(built: Built) -> None:
    source = built("ny .xlsx")
    assert spreadsheet_problems(zipfile.ZipFile(source)) == []

    def damage(parts: dict[str, bytes]) -> None:
        table = parts["xl/tables/table1.xml"]
        parts["xl/tables/table1.xml"] = table.replace(
            'name="Värde"'.encode(), b'name="Varde"'
        ).replace(b'id="1"', b'id="2"', 1)
        sheet = parts["xl/worksheets/sheet2.xml"]
        parts["xl/worksheets/sheet2.xml"] = sheet.replace(b's="1"', b's="999"', 1)

    problems = [str(p) for p in spreadsheet_problems(_rewrite(source, damage))]
    assert "xl/tables/table1.xml: column 2 is 'Varde', its header cell 'Värde'" in problems
    assert any(p.startswith("xl/worksheets/sheet2.xml: A1: style 999 of ") for p in problems)
    assert "xl/tables/table2.xml: table id '2' also in xl/tables/table1.xml" in problems, problems
