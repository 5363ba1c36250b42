"""The press's faster paths give what the general ones give (issue 20, "The press got slower").

bench/press_equality.py proves whole presses equal before and after; these tests keep the
pieces equal to the plain forms they replaced: a table's values as rows, a row read in one
call, a row of grid cells set at once, and the collector paused only for the press.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from excel_support import WHEN
from fakexl_support import FakeBook
from hypothesis import given, settings
from hypothesis import strategies as st

from finsam_xl.excel import xlbook
from finsam_xl.excel.xlbook import XlSheetView, as_rows, press
from finsam_xl.sheets.grid import Cell, Grid
from finsam_xl.workbook.reader import TableRange

_CELLS = st.one_of(st.none(), st.integers(-5, 5), st.floats(allow_nan=False), st.text(max_size=3))


def _reference_rows(value: Any, rows: int, cols: int) -> list[list[Any]]:
    """``as_rows`` as first written (three copies of each row)."""
    if rows == 1 and cols == 1:
        if isinstance(value, list):
            while isinstance(value, list):
                value = value[0] if value else None
        return [[value]]
    if not isinstance(value, list):
        value = [value]
    if value and isinstance(value[0], list):
        grid = [list(row) for row in value]
    elif rows == 1:
        grid = [list(value)]
    else:
        grid = [[v] for v in value]
    grid = grid[:rows] + [[None] * cols for _ in range(rows - len(grid))]
    return [row[:cols] + [None] * (cols - len(row)) for row in grid]


@settings(max_examples=200, deadline=None)
@given(
    value=st.one_of(
        _CELLS,
        st.lists(_CELLS, max_size=5),
        st.lists(st.lists(_CELLS, max_size=5), max_size=5),
    ),
    rows=st.integers(1, 4),
    cols=st.integers(1, 4),
)
def test_as_rows_is_the_reference_form_and_owns_its_rows(value: Any, rows: int, cols: int) -> None:
    found = as_rows(value, rows, cols)
    assert found == _reference_rows(value, rows, cols)
    assert len(found) == rows and all(len(row) == cols for row in found)
    if isinstance(value, list):  # the host's lists are never handed on
        assert not any(row is given for row in found for given in value)


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.lists(_CELLS, min_size=3, max_size=3), min_size=1, max_size=4),
    row=st.integers(1, 8),
    first=st.integers(1, 5),
    width=st.integers(1, 5),
)
def test_a_row_read_in_one_call_is_each_cell_read(
    values: list[list[Any]], row: int, first: int, width: int
) -> None:
    """XlSheetView.row_values (a slice of a table's block) is ``value`` of each cell, also
    for a row that runs out of the block or lies outside every block."""
    view = XlSheetView("Rader", blocks=[xlbook._Block(2, 2, values)])
    last = first + width - 1
    assert view.row_values(row, first, last) == [view.value(row, c) for c in range(first, last + 1)]


def test_the_reader_reads_a_row_as_its_cells() -> None:
    """TableRange.row_values on the file view and on a view without the method."""
    from finsam_xl.xlsx.zipview import open_zip_view

    book = Path(__file__).resolve().parents[2] / "workbooks" / "examples" / "fryksdalen-2022.xlsx"
    view = open_zip_view(book)
    for sheet in view.sheets():
        for info in sheet.tables():
            table = TableRange(sheet, info.name, info.ref, info.totals)
            for row in range(table.header_row, table.last_row + 2):
                cells = [sheet.value(row, c) for c in range(table.first_col, table.last_col + 1)]
                assert table.row_values(row) == cells


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.text(max_size=40), st.integers()), max_size=6),
    role=st.sampled_from(["text", "amount", "amount_bold", "header", "wrap", "label", "pct"]),
    decimals=st.integers(0, 1),
)
def test_put_row_is_put_of_each_cell(values: list[Any], role: str, decimals: int) -> None:
    one, each = Grid(decimals=decimals), Grid(decimals=decimals)
    one.put_row(3, 2, values, role)
    for offset, value in enumerate(values):
        each.put(3, 2 + offset, value, role)
    assert one.cells == each.cells and list(one.cells) == list(each.cells)
    assert one.heights == each.heights
    assert all(type(cell) is Cell for cell in one.cells.values())


def test_the_collector_is_paused_for_a_press_and_left_as_it_was(edited_book: Path) -> None:
    """No cyclic collection runs during a press; after it the collector is as before."""
    states: list[bool] = []
    original = xlbook.write_grids

    def spy(*args: Any, **kwargs: Any) -> list[str]:
        states.append(gc.isenabled())
        return original(*args, **kwargs)

    xlbook.write_grids = spy  # type: ignore[assignment]
    try:
        assert gc.isenabled()
        press(FakeBook.from_xlsx(edited_book), "recalc", when=WHEN, alert=False, echo=False)
        assert gc.isenabled() and states == [False]
        gc.disable()
        try:
            press(FakeBook.from_xlsx(edited_book), "recalc", when=WHEN, alert=False, echo=False)
            assert not gc.isenabled()  # a host that turned it off keeps it off
        finally:
            gc.enable()
    finally:
        xlbook.write_grids = original


def test_a_press_makes_no_reference_cycles(edited_book: Path) -> None:
    """What pausing the collector rests on: everything a press makes is freed by reference
    counting, so nothing is left for the collector to find after it."""
    book = FakeBook.from_xlsx(edited_book)
    press(book, "recalc", when=WHEN, alert=False, echo=False)  # imports, caches
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        press(book, "recalc", when=WHEN, alert=False, echo=False)
        gc.collect()
        found = [type(o).__name__ for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert found == []
