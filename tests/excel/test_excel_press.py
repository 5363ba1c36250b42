"""The adapter: a button press on the stand-in gives what `finsam-xl berakna` writes to the file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from copy import copy
from pathlib import Path

import pytest
from excel_support import COMPUTED, WHEN, WRITTEN, book_cells, differences, file_cells
from fakexl_support import FakeBook
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from finsam_xl.excel import xlbook
from finsam_xl.excel.styles import role_format
from finsam_xl.excel.xlbook import XlBookView, excel_value, press
from finsam_xl.sheets.grid import Cell
from finsam_xl.workbook.reader import read_workbook


def test_press_recalc_equals_recalc_file_cell_by_cell(
    edited_book: Path, recalculated: Path
) -> None:
    book = FakeBook.from_xlsx(edited_book)
    before = book_cells(book)
    summary = press(book, "recalc", when=WHEN)
    assert summary.sheets == list(WRITTEN)
    assert not summary.blocked
    expected, actual = file_cells(recalculated), book_cells(book)
    assert set(expected) == set(actual)
    for sheet in expected:
        assert differences(expected[sheet], actual[sheet]) == [], sheet
    # the edit really changed computed values, and stale findings rows were removed
    assert before["Plan"] != actual["Plan"]
    assert len(before["Kontroller"]) > len(actual["Kontroller"])
    assert actual["Plan"][(2, 1)].startswith("Beräknad 2025-03-14 09:26 med finsam_xl")
    # input sheets are untouched
    for sheet in ("Inställningar", "Medlemmar", "Medelstilldelning", "Rader", "Publicerat"):
        assert actual[sheet] == before[sheet]


def test_press_equals_the_command_line(edited_book: Path, tmp_path: Path) -> None:
    """The same comparison against the real `finsam-xl berakna` command (timestamps aside)."""
    source = tmp_path / "cli.xlsx"
    shutil.copy(edited_book, source)
    done = subprocess.run(
        [sys.executable, "-m", "finsam_xl.cli", "berakna", str(source)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "Skrev resultaten" in done.stdout
    book = FakeBook.from_xlsx(edited_book)
    press(book, "recalc")
    expected, actual = file_cells(source), book_cells(book)
    for sheet in WRITTEN:
        assert differences(expected[sheet], actual[sheet], stamp=True) == [], sheet


def test_press_reads_one_range_per_table_and_writes_in_few_calls(edited_book: Path) -> None:
    book = FakeBook.from_xlsx(edited_book)
    tables = sum(len(s.table_list) for s in book.sheet_list)
    press(book, "recalc", when=WHEN, alert=False)
    assert tables == 8  # Utfall is the eighth table
    assert book.calls.reads == tables + 1  # and the cell saying what was computed from
    assert book.calls.writes == 9  # one block per computed sheet (eight), and that cell
    assert book.calls.clears == 18  # stale columns and stale rows, per sheet
    assert book.calls.formats <= 45  # per style and multi-area address, eight sheets


def test_a_press_on_2000_lines_makes_at_most_100_excel_calls(book_2000: Path) -> None:
    """The issue's budget: each call crosses to Excel, so the count is what the user waits for."""
    book = FakeBook.from_xlsx(book_2000, com=True, protect=False)
    press(book, "recalc", when=WHEN, alert=False, echo=False)
    calls = book.calls
    assert (calls.reads, calls.writes, calls.clears) == (9, 9, 17)  # tables and digest cell
    assert calls.total <= 67, calls  # 83 before the number formats ran over text and blanks
    # without multi-area ranges (Lite, the remote client, macOS): per style and rectangle
    single = FakeBook.from_xlsx(book_2000, com=False, protect=False)
    press(single, "recalc", when=WHEN, alert=False, echo=False)
    assert single.calls.total <= 78, single.calls  # 335, then 200 with the band broken
    for a, b in zip(book.sheet_list, single.sheet_list, strict=True):
        assert (a.cells, a.number_formats, a.colors) == (b.cells, b.number_formats, b.colors)
    # Budget's amount columns are one filled band, from the header down, the section
    # headings' blank cells included: a call fills one rectangle, and no action of Lite or
    # the VBA client removes a fill (only Clear, which resets fonts and borders too), so a
    # band broken at each heading took a call per section (123 of the 200 calls).
    _, grids, _ = xlbook.compute(single, "recalc", WHEN)
    grid, first = grids["Budget"]
    filled = sorted(
        r for (r, c), cell in grid.cells.items() if c == 4 and role_format(cell.role)[0]
    )
    runs = 1 + sum(1 for a, b in zip(filled, filled[1:], strict=False) if b != a + 1)
    plan = xlbook.format_plan(grid, first)
    assert runs == 1
    assert [(what, len(rects)) for what, _, rects in plan] == [
        ("number_format", 1),  # '#,##0.0' over the whole sheet: every number there has it
        ("color", 1),  # the amounts' light fill, over the header row too
        ("color", 1),  # the header's fill on top
    ]


def _cell_by_cell(book: FakeBook) -> None:
    """The look a press must leave, reached one cell at a time: the values, 'General' over
    each written block, then each grid cell's number format and fill (no fill: unchanged)."""
    _, grids, _ = xlbook.compute(book, "recalc", WHEN)
    press(book, "recalc", when=WHEN, alert=False, echo=False, formats=False)
    for name, (grid, first) in grids.items():
        sheet = book.sheets[name]
        last = (max(r for r, _ in grid.cells), max(c for _, c in grid.cells))
        sheet.range((first, 1), last).number_format = "General"
        for pos, cell in grid.cells.items():
            fill, number_format = role_format(cell.role)
            sheet.range(pos).number_format = number_format
            if fill is not None:
                sheet.range(pos).color = fill


def _move_a_line(book: FakeBook) -> None:
    """Move the first cost line to another cost centre: the document sheets' rows shift."""
    rader = book.sheets["Rader"]
    column = next(c for (r, c), v in rader.cells.items() if r == 3 and v == "Kostnadsställe")
    centres = sorted({v for (r, c), v in rader.cells.items() if c == column and r > 3})
    rader.cells[(4, column)] = next(v for v in centres if v != rader.cells[(4, column)])


def test_the_look_a_press_leaves(edited_book: Path) -> None:
    """Replayed onto the file, a press looks exactly as if each cell's number format and
    fill had been set one by one, also for a second press on top of a different layout;
    every grid cell holding a number has its role's number format, every filled role its
    fill; fonts and borders stay where the block is (only the stale rows below are
    reset); and multi-area calls (COM) leave exactly what one call per rectangle leaves.

    Only where nothing shows may the number formats differ from the cell-by-cell ones: the
    press paints a format over blank and text cells to need fewer rectangles, and a blank
    cell shows no format while text shows as it is under every role's format (none has a
    text section). ``xlsx_replay_support.visible`` leaves out exactly those formats.
    """
    from xlsx_replay_support import differences as look_differences
    from xlsx_replay_support import replay, shows_number_format, snapshot, visible

    looks, seen = [], []
    for com in (True, False):
        book = FakeBook.from_xlsx(edited_book, com=com, protect=False)
        _, grids, _ = xlbook.compute(book, "recalc", WHEN)
        press(book, "recalc", when=WHEN, alert=False, echo=False)
        wb = replay(edited_book, book.journal)
        looks.append(snapshot(wb))
    assert look_differences(*looks) == []
    original = load_workbook(edited_book)
    for name, (grid, first) in grids.items():
        ws, was = wb[name], original[name]
        last_row = max(r for r, _ in grid.cells)
        for (r, c), cell in grid.cells.items():
            fill, number_format = role_format(cell.role)
            if shows_number_format(ws.cell(r, c).value):
                assert ws.cell(r, c).number_format == number_format, (name, r, c)
            if fill is not None:
                assert ws.cell(r, c).fill.fgColor.rgb == "FF" + fill[1:], (name, r, c)
        for row in was.iter_rows(min_row=first, max_row=last_row):
            for old in row:
                new = ws.cell(old.row, old.column)
                assert (copy(new.font), copy(new.border)) == (copy(old.font), copy(old.border)), (
                    name,
                    old.coordinate,
                )
    for batched in (False, True):  # two presses, the second on a different layout
        book = FakeBook.from_xlsx(edited_book, com=False, protect=False)
        for moved in (False, True):
            if moved:
                _, before, _ = xlbook.compute(book, "recalc", WHEN)
                _move_a_line(book)
            if batched:
                press(book, "recalc", when=WHEN, alert=False, echo=False)
            else:
                _cell_by_cell(book)
        seen.append(visible(replay(edited_book, book.journal)))
    _, after, _ = xlbook.compute(book, "recalc", WHEN)
    assert before["Budget"][0].cells.keys() != after["Budget"][0].cells.keys()  # rows moved
    assert look_differences(*seen) == []


def test_number_formats_show_text_as_it_is() -> None:
    """Text cells may take any role's number format (``format_plan``): none has a text section."""
    from finsam_xl.excel.styles import ROLE_FORMATS

    assert {f for _, f in ROLE_FORMATS.values()} == {"General", "#,##0", "#,##0.0", "0.0%"}
    assert all(xlbook.shows_text_as_is(f) for _, f in ROLE_FORMATS.values())
    assert xlbook.TEXT_IGNORES_FORMATS
    for changes_text in ("@", '0;-0;0;"Text: "@', "#,##0;-#,##0;0;", ";;;"):
        assert not xlbook.shows_text_as_is(changes_text), changes_text
    assert xlbook.shows_text_as_is('"@ "#,##0')  # quoted: not a text placeholder
    assert xlbook.shows_text_as_is('0.0" ;-)";-0.0')


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda layers: st.tuples(
            st.just(layers),
            st.lists(
                st.lists(
                    st.sampled_from([xlbook.KEEP, xlbook.FREE, *range(layers)]),
                    min_size=4,
                    max_size=4,
                ),
                min_size=1,
                max_size=7,
            ),
        )
    )
)
def test_painting_the_layers_gives_every_cell_its_look(case: tuple[int, list[list[int]]]) -> None:
    layers, ranks = case
    painted: dict[tuple[int, int], int] = {}
    for layer, rects in enumerate(xlbook.paint_layers(ranks, layers)):
        for r1, c1, r2, c2 in rects:
            assert 0 <= r1 <= r2 < len(ranks) and 0 <= c1 <= c2 < 4
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    assert ranks[r][c] >= layer  # never a cell kept or of an earlier layer
                    painted[(r, c)] = layer
    for r, line in enumerate(ranks):
        for c, rank in enumerate(line):
            if rank == xlbook.KEEP:
                assert (r, c) not in painted
            elif rank != xlbook.FREE:
                assert painted[(r, c)] == rank


def test_second_press_changes_nothing(edited_book: Path) -> None:
    book = FakeBook.from_xlsx(edited_book)
    press(book, "recalc", when=WHEN)
    first = book_cells(book)
    formats = {s.name: (dict(s.number_formats), dict(s.colors)) for s in book.sheet_list}
    press(book, "recalc", when=WHEN)
    assert book_cells(book) == first
    assert {s.name: (dict(s.number_formats), dict(s.colors)) for s in book.sheet_list} == formats


def test_formats_follow_roles(edited_book: Path) -> None:
    book = FakeBook.from_xlsx(edited_book)
    book.sheets["Kontroller"].colors[(12, 1)] = "#F4CCCC"  # left by an earlier press
    press(book, "recalc", when=WHEN)
    plan = book.sheets["Plan"]
    assert plan.colors[(4, 1)] == "#1F4E78"  # header
    assert plan.number_formats[(5, 2)] == "#,##0"  # an amount
    pct_row = next(
        r
        for (r, c), v in plan.cells.items()
        if c == 1 and v == "Eget kapital i % av medlemsbidragen"
    )
    assert plan.number_formats[(pct_row, 3)] == "0.0%"
    findings = book.sheets["Kontroller"]
    assert findings.cells[(5, 1)] == "Fel" and findings.colors[(5, 1)] == "#F4CCCC"
    assert findings.colors[(6, 1)] == findings.colors[(7, 1)] == "#DDEBF7"  # info
    assert (8, 1) not in findings.colors
    assert (12, 1) not in findings.colors  # row of a stale finding: cleared with its format


def test_check_writes_only_the_findings_sheet(edited_book: Path, recalculated: Path) -> None:
    book = FakeBook.from_xlsx(edited_book)
    before = book_cells(book)
    summary = press(book, "check", when=WHEN)
    assert summary.sheets == ["Kontroller"]
    # the inputs were edited after the last Beräkna: the check says the sheets are stale
    assert summary.text.startswith(
        "Kontroll klar: 1 fel, 1 varning, 2 info. Beräknade blad är inaktuella; tryck Beräkna."
    )
    after = book_cells(book)
    assert after["Fördelning"] == before["Fördelning"]
    plan = {
        k
        for k in {*before["Plan"], *after["Plan"]}
        if before["Plan"].get(k) != after["Plan"].get(k)
    }
    assert plan == {(2, 1)}  # only the status line
    assert "Beräknade blad är inaktuella" in after["Plan"][(2, 1)]
    expected = {v for v in file_cells(recalculated)["Kontroller"].values() if isinstance(v, str)}
    shown = {v for v in after["Kontroller"].values() if isinstance(v, str)}
    assert {v for v in expected if "fel," not in v} <= shown  # the summary line differs
    assert any(v.startswith("Beräknade blad är inaktuella") for v in shown)


def test_input_errors_write_findings_and_keep_the_plan(edited_book: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    broken = tmp_path / "broken.xlsx"
    wb = load_workbook(edited_book)
    ws = wb["Rader"]
    ws["J5"] = "mycket"  # not an amount
    wb.save(broken)
    book = FakeBook.from_xlsx(broken)
    before = book_cells(book)
    summary = press(book, "recalc", when=WHEN)
    assert summary.blocked and summary.sheets == ["Kontroller"]
    assert summary.text.startswith("Inget beräknades")
    after = book_cells(book)
    assert after["Fördelning"] == before["Fördelning"]
    assert {k: v for k, v in after["Plan"].items() if k != (2, 1)} == {
        k: v for k, v in before["Plan"].items() if k != (2, 1)
    }
    assert after["Plan"][(2, 1)].startswith("Inte beräknad 2025-03-14 09:26")
    rules = [v for (r, c), v in after["Kontroller"].items() if c == 7 and r > 4]
    assert "read.not-a-number" in rules
    assert after["Kontroller"][(5, 6)] == "J5"  # the marker column points at the cell
    assert book.app.alerts[-1]["mode"] == "critical"


def test_not_a_finsam_workbook_is_explained(tmp_path: Path) -> None:
    book = FakeBook("Annat.xlsx")
    from fakexl_support import FakeSheet

    book.sheet_list.append(FakeSheet(book, "Blad1", {(1, 1): "x"}))
    summary = press(book, "recalc")
    assert summary.blocked and summary.sheets == []
    assert "fx_plan" in summary.text and "finsam-xl ny" in summary.text
    assert book.app.alerts[0]["prompt"] == summary.text
    assert book.sheet_list[0].cells == {(1, 1): "x"}


def test_protected_sheets_are_unprotected_and_protected_again_on_windows(edited_book: Path) -> None:
    book = FakeBook.from_xlsx(edited_book, com=True)
    assert book.sheets["Plan"].protected
    press(book, "recalc", when=WHEN)
    for name in COMPUTED:
        sheet = book.sheets[name]
        assert sheet.protected
        assert sheet.api.log == ["Unprotect", "Protect"]


def test_without_com_a_protected_sheet_refuses_the_write(edited_book: Path) -> None:
    """Lite, macOS and the remote client cannot lift protection: the template must allow writes."""
    book = FakeBook.from_xlsx(edited_book, com=False)
    before = book_cells(book)
    summary = press(book, "recalc", when=WHEN)
    assert summary.blocked and summary.sheets == []
    assert "Bladet Plan är skyddat" in summary.text  # the stand-in's FakeProtectionError
    assert "Ta bort bladskyddet" in summary.text
    assert book.app.alerts[-1]["prompt"] == summary.text
    assert book_cells(book) == before
    unprotected = FakeBook.from_xlsx(edited_book, com=False, protect=False)
    assert press(unprotected, "recalc", when=WHEN).sheets == list(WRITTEN)


def test_text_is_written_so_that_excel_keeps_it_text() -> None:
    assert excel_value(Cell("2025")) == "'2025"
    assert excel_value(Cell("=1+1")) == "'=1+1"
    assert excel_value(Cell("Rader!H12", "link", "'Rader'!H12")) == (
        '=HYPERLINK("#\'Rader\'!H12","Rader!H12")'
    )
    from decimal import Decimal

    assert excel_value(Cell(Decimal("1505000.00"))) == 1505000
    assert isinstance(excel_value(Cell(Decimal("1505000.00"))), int)
    assert excel_value(Cell(Decimal("0.051"))) == 0.051


def test_view_reads_the_same_budget_as_the_file_reader(edited_book: Path) -> None:
    from finsam_xl.workbook.reader import read_book

    via_file = read_workbook(edited_book)
    via_excel = read_book(edited_book.name, XlBookView(FakeBook.from_xlsx(edited_book)))
    assert via_file.budget is not None
    assert via_excel.budget == via_file.budget
    assert [f.format() for f in via_excel.findings] == [f.format() for f in via_file.findings]


@pytest.mark.parametrize(
    ("value", "rows", "cols", "expected"),
    [
        (5.0, 1, 1, [[5.0]]),
        ([1, 2], 1, 2, [[1, 2]]),
        ([1, 2], 2, 1, [[1], [2]]),
        ([[1, 2], [3, 4]], 2, 2, [[1, 2], [3, 4]]),
        ([[1]], 1, 1, [[1]]),
        ([1], 2, 2, [[1, None], [None, None]]),
    ],
)
def test_as_rows_normalises_xlwings_shapes(
    value: object, rows: int, cols: int, expected: list[list[object]]
) -> None:
    assert xlbook.as_rows(value, rows, cols) == expected


@pytest.mark.parametrize("name", ["fryksdalen-2022", "sodra-lappland-2024"])
def test_press_equals_recalc_on_the_other_examples(name: str, tmp_path: Path) -> None:
    """Excel hands whole numbers over as floats (32.0): a published '32 %' stays 32, not 32.0."""
    from support import EXAMPLES

    from finsam_xl import jobs
    from finsam_xl.model.interchange import load

    path, ref = tmp_path / f"{name}.xlsx", tmp_path / f"{name}-recalc.xlsx"
    jobs.new(load(EXAMPLES / f"{name}.yaml"), path, when=WHEN)
    jobs.recalc(path, ref, when=WHEN)
    book = FakeBook.from_xlsx(path, com=False, protect=False)
    press(book, "recalc", when=WHEN, alert=False)
    expected, actual = file_cells(ref), book_cells(book)
    for sheet in COMPUTED:
        assert differences(expected[sheet], actual[sheet]) == [], sheet


def test_a_changed_budget_year_is_one_finding_that_says_to_run_recalc(
    edited_book: Path, tmp_path: Path
) -> None:
    """The button cannot restructure tables (issue 22): it says so first, and writes no plan."""
    changed = tmp_path / "year.xlsx"
    wb = load_workbook(edited_book)
    ws = wb["Inställningar"]
    row = next(r for r in range(4, 60) if ws.cell(r, 1).value == "Budgetår")
    ws.cell(row, 2).value = int(ws.cell(row, 2).value) + 1
    wb.save(changed)
    book = FakeBook.from_xlsx(changed)
    summary = press(book, "recalc", when=WHEN)
    assert summary.blocked and summary.sheets == ["Kontroller"]
    first = summary.findings[0]
    assert first.rule == "read.years-changed" and first.cause
    assert "Knappen Beräkna kan inte ändra tabellernas kolumner" in first.message
    assert "finsam-xl berakna" in first.message
    assert not [f for f in summary.findings if f.rule == "read.year-column-missing"]
