"""Hostile and damaged workbook files (issue 10): bombs, huge tables, moved names, write faults.

Every case asserts the Swedish message, the exit code, that there is no traceback and that
the input file is byte-identical afterwards (sha256), with no backup or temporary file left.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import synthetic_books as sb
from openpyxl import load_workbook
from support import digest
from typer.testing import CliRunner

from finsam_xl import jobs
from finsam_xl.cli import app
from finsam_xl.xlsx import limits, safety
from finsam_xl.xlsx.safety import verify_package, write_lock_path

runner = CliRunner()
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MiB = 1024 * 1024


def rewrite(path: Path, change: Callable[[str, bytes], bytes | None], extra: int = 0) -> None:
    """Rewrite the package part by part; ``change`` returns new bytes, or None to drop a part."""
    with zipfile.ZipFile(path) as src:
        items = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in items:
            new = change(name, data)
            if new is not None:
                out.writestr(name, new)


def patch_part(part: str, old: bytes, new: bytes, count: int = 1) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        def change(name: str, data: bytes) -> bytes:
            if name != part:
                return data
            assert old in data, (part, old)
            return data.replace(old, new, count)

        rewrite(path, change)

    return apply


def set_name(name: str, formula: str) -> Callable[[Path], None]:
    """Point a defined name elsewhere, as Excel does when its cells are cut and pasted."""

    def apply(path: Path) -> None:
        def change(part: str, data: bytes) -> bytes:
            if part != "xl/workbook.xml":
                return data
            text = data.decode()
            pattern = rf'(<definedName name="{name}"[^>]*>)[^<]*(</definedName>)'
            assert re.search(pattern, text), name
            return re.sub(pattern, rf"\g<1>{formula}\g<2>", text).encode()

        rewrite(path, change)

    return apply


def add_parts(count: int, size: int, method: int = zipfile.ZIP_DEFLATED) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        with zipfile.ZipFile(path, "a", method) as out:
            for i in range(count):
                out.writestr(f"xl/media/fill{i}.bin", b"\0" * size)

    return apply


def doctype_xml(padding: int, encoding: str = "utf-8") -> bytes:
    text = (
        '<?xml version="1.0"?><!--' + "x" * padding + "-->"
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is>'
        "<t>&lol2;</t></is></c></row></sheetData></worksheet>"
    )
    if encoding != "utf-8":
        text = text.replace('version="1.0"', f'version="1.0" encoding="{encoding}"')
    return text.encode(encoding)


def replace_part(part: str, data: bytes) -> Callable[[Path], None]:
    return lambda path: rewrite(path, lambda name, old: data if name == part else old)


def strict(path: Path) -> None:
    """The same workbook with Strict Open XML namespaces (as Excel's 'Strict Open XML' saves)."""
    swaps = {
        MAIN.encode(): b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": (
            b"http://purl.oclc.org/ooxml/officeDocument/relationships"
        ),
    }

    def change(name: str, data: bytes) -> bytes:
        for old, new in swaps.items():
            data = data.replace(old, new)
        return data

    rewrite(path, change)


def corrupt_deflate(path: Path) -> None:
    """Flip bytes inside the compressed data of the largest sheet."""
    with zipfile.ZipFile(path) as archive:
        info = max(archive.infolist(), key=lambda i: i.compress_size)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 40
    for i in range(start, start + 64):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


def bzip2_part(path: Path) -> None:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_BZIP2) as out:
        out.writestr("xl/media/packed.bin", b"\0" * 100_000)


def many_parts(path: Path) -> None:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as out:
        for i in range(limits.MAX_PARTS + 1):
            out.writestr(f"customXml/item{i}.bin", b"")


def huge_file(path: Path) -> None:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as out:
        out.writestr("xl/media/photo.jpg", os.urandom(limits.MAX_FILE_BYTES + MiB))


def delete_plan_sheet(path: Path) -> None:
    wb = load_workbook(path)
    wb.remove(wb["Plan"])
    wb.save(path)


def user_sheet_as_plan(path: Path) -> None:
    wb = load_workbook(path)
    wb.create_sheet("Anteckningar")["A1"] = "Mina anteckningar om budgeten"
    wb.save(path)
    set_name("fx_plan", "'Anteckningar'!$A$4")(path)


def table_on_findings_sheet(path: Path) -> None:
    from openpyxl.worksheet.table import Table

    wb = load_workbook(path)
    ws = wb["Kontroller"]
    ws["H3"], ws["I3"], ws["H4"], ws["I4"] = "Att göra", "Vem", "Ringa revisorn", "Anna"
    ws.add_table(Table(displayName="Egna", ref="H3:I4"))
    wb.save(path)


# (id, edit of the file, text that must be in the output, exit code of check, of recalc)
Case = tuple[str, Callable[[Path], None], str, int, int]
CASES: list[Case] = [
    # zip bombs: refused by the declared sizes, before anything is unpacked
    ("bomb-many-small-parts", add_parts(40, MiB - 1), "packas upp till", 2, 2),
    ("bomb-ratio-below-total", add_parts(12, MiB - 1), "zip-bomb", 2, 2),
    ("bomb-one-part", add_parts(1, 3 * MiB), "zip-bomb", 2, 2),
    ("too-many-parts", many_parts, "orimligt många delar", 2, 2),
    ("file-too-large", huge_file, "gränsen är 25,0 MB", 2, 2),
    ("bzip2-part", bzip2_part, "packad med en metod som Excel inte använder", 2, 2),
    ("damaged-deflate", corrupt_deflate, "skadad", 2, 2),
    # entity bombs anywhere in any XML part
    (
        "entity-bomb-past-4kb",
        replace_part("xl/worksheets/sheet1.xml", doctype_xml(8000)),
        "otillåtna XML-entiteter",
        2,
        2,
    ),
    (
        "entity-bomb-at-chunk-edge",
        replace_part("xl/worksheets/sheet1.xml", doctype_xml(64 * 1024 - 30)),
        "otillåtna XML-entiteter",
        2,
        2,
    ),
    (
        "entity-bomb-utf16",
        replace_part("xl/worksheets/sheet1.xml", doctype_xml(100, "utf-16-le")),
        "otillåtna XML-entiteter",
        2,
        2,
    ),
    (
        "doctype-in-rels",
        patch_part(
            "xl/_rels/workbook.xml.rels",
            b"<Relationships",
            b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><Relationships',
        ),
        "otillåtna XML-entiteter",
        2,
        2,
    ),
    (
        "doctype-in-shared-strings",
        patch_part(
            "xl/sharedStrings.xml", b"<sst", b"<!-- " + b"y" * 9000 + b" --><!DOCTYPE s><sst"
        ),
        "otillåtna XML-entiteter",
        2,
        2,
    ),
    ("strict-ooxml", strict, "Strict Open XML stöds inte; spara som vanlig Excel-arbetsbok", 2, 2),
    # result names that are #REF! or were moved: check reports them, recalc refuses
    (
        "plan-sheet-deleted",
        delete_plan_sheet,
        "fx_plan pekar på bladet 'Plan', som inte finns",
        1,
        2,
    ),
    ("names-ref-error", set_name("fx_plan", "#REF!$A$4"), "fx_plan pekar på #REF!$A$4", 1, 2),
    ("status-ref-error", set_name("fx_status", "#REF!"), "fx_status pekar på #REF!", 1, 2),
    (
        "findings-moved-to-published",
        set_name("fx_kontroller", "'Publicerat'!$F$10"),
        "fx_kontroller pekar på 'Publicerat'!$F$10 men ska peka på bladet 'Kontroller'",
        1,
        2,
    ),
    (
        "plan-moved-to-user-sheet",
        user_sheet_as_plan,
        "fx_plan pekar på 'Anteckningar'!$A$4 men ska peka på bladet 'Plan'",
        1,
        2,
    ),
    (
        "status-moved-to-input",
        set_name("fx_status", "'Rader'!$A$2"),
        "fx_status pekar på 'Rader'!$A$2 men ska peka på bladet 'Plan'",
        1,
        2,
    ),
    (
        "allocation-moved-to-plan",
        set_name("fx_fordelning", "Plan!$A$30"),
        "ska peka på bladet 'Fördelning'",
        1,
        2,
    ),
    ("styles-not-a-cell", set_name("fx_stilar", "nonsens"), "fx_stilar pekar på 'nonsens'", 1, 2),
    (
        "table-on-computed-sheet",
        table_on_findings_sheet,
        "ett blad med tabellen Egna (H3:I4)",
        1,
        2,
    ),
]


@pytest.fixture(scope="module")
def hostile(
    example_books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    out = {}
    for case_id, edit, *_ in CASES:
        path = folder / case_id / "budget.xlsx"
        path.parent.mkdir()
        shutil.copy(example_books["sodra-dalarna-2025"], path)
        edit(path)
        out[case_id] = path
    return out


def no_traceback(result: object) -> bool:
    exception = getattr(result, "exception", None)
    return "Traceback" not in getattr(result, "output", "") and (
        exception is None or isinstance(exception, SystemExit)
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "budget.xlsx")


def test_enough_hostile_cases() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize(
    ("case_id", "text", "check_code", "recalc_code"), [(c[0], *c[2:]) for c in CASES]
)
def test_hostile_file_is_refused_in_swedish_and_left_alone(
    hostile: dict[str, Path], case_id: str, text: str, check_code: int, recalc_code: int
) -> None:
    path = hostile[case_id]
    before = digest(path)
    check = runner.invoke(app, ["kontrollera", str(path)])
    assert check.exit_code == check_code, check.output
    assert text in check.output, check.output
    assert no_traceback(check)
    recalc = runner.invoke(app, ["berakna", str(path)])
    assert recalc.exit_code == recalc_code, recalc.output
    assert text in recalc.output, recalc.output
    assert no_traceback(recalc)
    if recalc_code == 2 and check_code == 1:
        assert "Inget skrevs" in recalc.output
    assert digest(path) == before
    assert leftovers(path.parent) == []


# --- tables claiming rows to 1,048,576 ---------------------------------------------------------


def _table_part(path: Path, table: str) -> str:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/tables/") and f'displayName="{table}"'.encode() in archive.read(
                name
            ):
                return name
    raise AssertionError(table)


def _stretch_table(path: Path, table: str, ref: str) -> None:
    part = _table_part(path, table)

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        return re.sub(rb' ref="[A-Z]+\d+:[A-Z]+\d+"', f' ref="{ref}"'.encode(), data)

    rewrite(path, change)


def _plan_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.match(r"^\S*\s*20\d\d", line)]


@pytest.mark.parametrize(
    ("table", "ref"),
    [
        ("Rader", "A3:S1048576"),
        ("Rader", "A3:XFD1048576"),
        ("Medlemmar", "A3:H1048576"),
        ("Medelstilldelning", "A3:D1048576"),
    ],
)
def test_whole_column_table_reads_the_used_rows(
    example_books: dict[str, Path], tmp_path: Path, table: str, ref: str
) -> None:
    path = tmp_path / "budget.xlsx"
    shutil.copy(example_books["sodra-dalarna-2025"], path)
    plain = runner.invoke(app, ["kontrollera", str(path)])
    _stretch_table(path, table, ref)
    before = digest(path)
    check = runner.invoke(app, ["kontrollera", str(path)])
    assert no_traceback(check), check.output
    assert check.exit_code == plain.exit_code, check.output
    assert _plan_lines(check.output) == _plan_lines(plain.output)
    assert digest(path) == before


def test_table_larger_than_the_limit_is_refused(
    example_books: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("finsam_xl.workbook.reader.MAX_TABLE_ROWS", 5)
    path = tmp_path / "budget.xlsx"
    shutil.copy(example_books["sodra-dalarna-2025"], path)
    before = digest(path)
    result = runner.invoke(app, ["berakna", str(path)])
    assert result.exit_code == 2 and no_traceback(result)
    assert re.search(r"tabellen Installningar \(A3:C(\d+)\) har (\d+) rader", result.output)
    assert "högst 5 rader" in result.output
    assert digest(path) == before


# --- strings that XML 1.0 forbids ----------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\x01\x1b", "\ud800", "\ufffe", "\x00\uffff"])
def test_forbidden_characters_in_a_name_are_replaced_in_the_written_sheets(
    example_books: dict[str, Path], tmp_path: Path, bad: str
) -> None:
    """Names come from Excel (xlwings) or the books with any character; the sheet stays XML."""
    from support import EXAMPLES

    from finsam_xl.core import evaluate
    from finsam_xl.model.interchange import load
    from finsam_xl.workbook.writer import write_results

    budget = load(EXAMPLES / "sodra-dalarna-2025.yaml")
    members = [
        m.model_copy(update={"name": f"Avesta{bad}kommun"}) if m.name == "Avesta kommun" else m
        for m in budget.members
    ]
    budget = budget.model_copy(update={"members": members})
    out = tmp_path / "ut.xlsx"
    write_results(example_books["sodra-dalarna-2025"], out, budget, evaluate(budget))
    verify_package(out)
    ws = load_workbook(out)["Fördelning"]
    names = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert f"Avesta{chr(0xFFFD) * len(bad)}kommun" in names, names


def test_control_characters_from_the_books_do_not_corrupt_the_workbook(tmp_path: Path) -> None:
    book = tmp_path / "budget.xlsx"
    jobs.new(sb.budget_with_mapping(), book)
    books = tmp_path / "bokforing.se"
    sb.make_books(books)
    data = books.read_bytes()
    assert b'{1 "20000"}' in data
    books.write_bytes(data.replace(b'{1 "20000"}', b'{1 "20\x01\x1b000"}'))
    result = runner.invoke(app, ["avstamning", str(book), str(books), "--period", "2025-08"])
    assert no_traceback(result), result.output
    assert result.exit_code in (0, 1), result.output
    verify_package(book)
    ws = load_workbook(book)["Avstämning"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", t) for t in texts)
    assert any("20\ufffd\ufffd000" in t for t in texts), texts


def test_a_long_string_is_cut_to_excels_cell_limit() -> None:
    from finsam_xl.workbook.writer import xml_text

    text = xml_text("a" * 40_000 + "\x00<&>")
    assert len(text) == limits.MAX_CELL_CHARS and text.endswith("…")
    assert xml_text('1 < 2 & "3"\ud800\uffff\t') == "1 &lt; 2 &amp; &quot;3&quot;\ufffd\ufffd\t"
    from finsam_xl.sheets.grid import Cell
    from finsam_xl.workbook.writer import _cell_xml

    linked = _cell_xml("C5", Cell("Rader!A1", "link", "'Rader'!A1"), "3")
    assert linked.startswith('<c r="C5" s="3" t="str"><f>HYPERLINK(&quot;#')
    too_long = _cell_xml("C5", Cell("x" * 9_000, "link", "'Rader'!A1"), "3")
    assert 't="inlineStr"' in too_long and "HYPERLINK" not in too_long


# --- write faults: unwritable folder, backup, replace, verify ------------------------------------


@pytest.fixture
def book(example_books: dict[str, Path], tmp_path: Path) -> Path:
    path = tmp_path / "budget.xlsx"
    shutil.copy(example_books["sodra-dalarna-2025"], path)
    return path


def _refused(path: Path, text: str, command: str = "berakna") -> None:
    before = digest(path)
    result = runner.invoke(app, [command, str(path)])
    assert result.exit_code == 2, result.output
    assert text in result.output, result.output
    assert no_traceback(result)
    assert digest(path) == before
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")], list(
        path.parent.iterdir()
    )


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_folder_not_writable_by_permissions(book: Path) -> None:
    book.parent.chmod(0o555)
    try:
        _refused(book, "går inte att skriva i (behörighet saknas)")
    finally:
        book.parent.chmod(0o755)


def test_folder_not_writable_mkstemp(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def deny(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("finsam_xl.xlsx.safety.tempfile.mkstemp", deny)
    _refused(book, f"mappen {book.parent} går inte att skriva i (behörighet saknas)")


def test_folder_not_writable_lock(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def deny(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith(".finsam-lock"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("finsam_xl.xlsx.safety.os.open", deny)
    _refused(book, "går inte att skriva i (behörighet saknas)")


def test_backup_cannot_be_written_permission(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def deny(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("finsam_xl.xlsx.safety.shutil.copy2", deny)
    _refused(book, "säkerhetskopian")
    result = runner.invoke(app, ["berakna", str(book)])
    assert "skrivskyddad eller öppen i ett annat program" in result.output


def test_a_folder_in_the_backups_place_is_left_alone(book: Path) -> None:
    """A backup is never overwritten: the next free number is used (issue 18, item 13)."""
    backup = book.with_name("budget.backup.xlsx")
    backup.mkdir()
    (backup / "mitt.txt").write_text("mitt")
    before = book.read_bytes()
    result = runner.invoke(app, ["berakna", str(book)])
    assert result.exit_code in (0, 1) and no_traceback(result), result.output
    assert "budget.backup.2.xlsx" in result.output
    assert (backup / "mitt.txt").read_text() == "mitt"
    assert book.with_name("budget.backup.2.xlsx").read_bytes() == before
    names = sorted(p.name for p in book.parent.iterdir())
    assert names == ["budget.backup.2.xlsx", "budget.backup.xlsx", "budget.xlsx"]


def test_target_cannot_be_replaced(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace

    def deny(src: object, dst: object) -> None:
        if Path(str(dst)) == book:
            raise PermissionError(13, "Permission denied")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr("finsam_xl.xlsx.safety.os.replace", deny)
    before = digest(book)
    result = runner.invoke(app, ["berakna", str(book)])
    assert result.exit_code == 2 and no_traceback(result), result.output
    assert "filen kan inte ersättas (behörighet saknas)" in result.output
    assert digest(book) == before
    assert not [p for p in book.parent.iterdir() if p.name.startswith(".")]


def test_disk_full_while_writing(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("finsam_xl.jobs.budget.write_results", full)
    _refused(book, "(disken är full)")


def test_output_that_does_not_parse_is_never_renamed_into_place(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "finsam_xl.workbook.writer._cell_xml", lambda ref, cell, style: f'<c r="{ref}"><v>1</v>'
    )
    _refused(book, "den nya versionen gick inte att läsa tillbaka")
    result = runner.invoke(app, ["berakna", str(book)])
    assert "ogiltig XML" in result.output and "budget.xlsx är oförändrad" in result.output


def test_new_into_a_missing_folder(tmp_path: Path) -> None:
    from support import EXAMPLES

    out = tmp_path / "saknas" / "ny.xlsx"
    source = EXAMPLES / "fryksdalen-2022.yaml"
    result = runner.invoke(app, ["ny", "-o", str(out), "--fran", str(source)])
    assert result.exit_code == 2 and "finns inte" in result.output and no_traceback(result)


# --- owner files and our own lock ----------------------------------------------------------------


def test_owner_file_of_another_workbook_is_no_lock(book: Path) -> None:
    target = book.with_name("A_budget.xlsx")
    book.rename(target)
    (target.parent / "~$budget.xlsx").write_bytes(b"\x04Anna")
    result = runner.invoke(app, ["berakna", str(target)])
    assert result.exit_code in (0, 1) and "Skrev resultaten" in result.output, result.output


@pytest.mark.parametrize("name", ["A_budget.xlsx", "budget.xlsx", "Budget 2026 Södra Dalarna.xlsm"])
def test_owner_file_is_tilde_dollar_and_the_whole_name(book: Path, name: str) -> None:
    target = book.with_name(name)
    book.rename(target)
    (target.parent / f"~${name}").write_bytes(b"\x04Anna")
    before = digest(target)
    result = runner.invoke(app, ["berakna", str(target)])
    assert result.exit_code == 2 and f"låsfilen ~${name} finns" in result.output, result.output
    assert digest(target) == before


def test_stale_lock_of_a_killed_run_is_broken(book: Path) -> None:
    lock = write_lock_path(book)
    lock.write_text(json.dumps({"pid": 999_999_999, "host": socket.gethostname(), "time": 1.0}))
    result = runner.invoke(app, ["berakna", str(book)])
    assert result.exit_code in (0, 1) and "Skrev resultaten" in result.output, result.output
    assert not lock.exists()


def test_live_lock_is_waited_for_then_refused(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("finsam_xl.xlsx.safety.LOCK_WAIT_SECONDS", 0.3)
    lock = write_lock_path(book)
    lock.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "time": 1.0}))
    before = digest(book)
    result = runner.invoke(app, ["berakna", str(book)])
    assert result.exit_code == 2 and no_traceback(result), result.output
    assert "en annan körning av finsam-xl" in result.output and lock.name in result.output
    assert digest(book) == before and lock.exists()


def test_leftovers_of_killed_runs_are_removed_and_nothing_else(book: Path) -> None:
    folder = book.parent
    ours = [".finsam-budget-ab12cd34.xlsx", ".finsam-budget-zz_99xyz.draft.xlsx"]
    ours += [".finsam-budget-k0k0k0k0.backup.xlsx"]
    others = [
        ".finsam-budget-2025-ab12cd34.xlsx",  # another workbook's (budget-2025.xlsx)
        ".finsam-anteckningar.txt",
        "finsam-budget-ab12cd34.xlsx",
        ".finsam-ab12cd34.xlsx",  # old scheme, but new: kept until it is an hour old
    ]
    for name in ours + others:
        (folder / name).write_bytes(b"half a zip")
    old = folder / ".finsam-qq11ww22.xlsx"
    old.write_bytes(b"old")
    os.utime(old, (1_000_000, 1_000_000))
    result = runner.invoke(app, ["berakna", str(book)])
    assert result.exit_code in (0, 1), result.output
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted([*others, "budget.xlsx", "budget.backup.xlsx"])


def test_check_does_not_write_and_takes_no_lock(book: Path) -> None:
    before = digest(book)
    runner.invoke(app, ["kontrollera", str(book)])
    assert digest(book) == before and sorted(p.name for p in book.parent.iterdir()) == [
        "budget.xlsx"
    ]


def test_zip_limits_fit_a_large_budget(tmp_path: Path) -> None:
    """The 2 000-line synthetic workbook is far inside every package limit."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from synth import big_budget

    path = tmp_path / "stor.xlsx"
    jobs.new(big_budget(), path)
    with zipfile.ZipFile(path) as archive:
        total = sum(i.file_size for i in archive.infolist())
        packed = sum(i.compress_size for i in archive.infolist())
    assert total * 10 < limits.MAX_UNCOMPRESSED and total / packed * 5 < limits.MAX_RATIO
    assert path.stat().st_size * 50 < limits.MAX_FILE_BYTES
    safety.inspect_package(path)


def test_plain_zip_bomb_bytes_are_never_unpacked(tmp_path: Path) -> None:
    """A 1 GB part declared honestly is refused from the directory alone (no time, no memory)."""
    path = tmp_path / "bomb.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("[Content_Types].xml", "<Types/>")
        out.writestr("xl/workbook.xml", "<workbook/>")
        with out.open("xl/worksheets/sheet1.xml", "w") as part:
            block = b"\0" * MiB
            for _ in range(64):
                part.write(block)
    path.write_bytes(buffer.getvalue())
    with pytest.raises(limits.WorkbookError, match="zip-bomb"):
        safety.inspect_package(path)


@pytest.mark.parametrize("command", ["berakna", "avstamning"])
def test_a_workbook_in_a_missing_folder(tmp_path: Path, command: str) -> None:
    path = tmp_path / "saknas" / "budget.xlsx"
    args = [command, str(path)] + ([str(tmp_path / "b.se")] if command == "avstamning" else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and no_traceback(result), result.output
    assert f"mappen {path.parent} finns inte" in result.output
