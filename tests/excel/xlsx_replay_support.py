"""The stand-in's changes applied to the workbook file, to compare everything a press leaves.

The stand-in keeps values, number formats and fills. A real Excel also keeps each
cell's font and border, and ``Range.clear()`` resets them, so a press that cleared
(or formatted) the wrong cells would differ there. ``replay`` applies a
``FakeBook.journal`` to the workbook file with openpyxl, as Excel would apply the
calls: values by Excel's entry rules, ``clear_contents`` keeps the style, ``clear``
resets it, ``number_format`` and ``color`` set only that part of the style.
``snapshot`` reads back what can be seen: value, number format, font, fill and
border per cell (a cell with the default look and no value is left out).
"""

from __future__ import annotations

from copy import copy
from pathlib import Path
from typing import Any

from fakexl_support import excel_entry


def replay(path: Path, journal: list[tuple[str, str, int, int, int, int, Any]]) -> Any:
    """The openpyxl workbook of ``path`` with the journal's changes applied."""
    from openpyxl import load_workbook
    from openpyxl.styles import PatternFill
    from openpyxl.styles.cell_style import StyleArray

    wb = load_workbook(path)
    for op, sheet, r1, c1, r2, c2, arg in journal:
        ws = wb[sheet]
        if op == "value":
            rows = (
                arg
                if isinstance(arg, list) and arg and isinstance(arg[0], list)
                else ([arg] if isinstance(arg, list) else [[arg]])
            )
            for i, row in enumerate(rows):
                for j, value in enumerate(row):
                    ws.cell(r1 + i, c1 + j).value = excel_entry(value)
            continue
        inside = [(r, c) for (r, c) in ws._cells if r1 <= r <= r2 and c1 <= c <= c2]
        if op == "clear_contents":
            for r, c in inside:
                ws.cell(r, c).value = None
        elif op == "clear":
            for r, c in inside:
                cell = ws.cell(r, c)
                cell.value = None
                cell._style = StyleArray()
        elif op == "number_format":
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    ws.cell(r, c).number_format = arg
        elif op == "color":
            fill = (
                PatternFill()
                if arg is None
                else PatternFill("solid", fgColor="FF" + str(arg).lstrip("#").upper())
            )
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    ws.cell(r, c).fill = fill
        else:
            raise AssertionError(op)
    return wb


def snapshot(wb: Any) -> dict[str, dict[tuple[int, int], tuple[Any, ...]]]:
    """Per sheet and cell: (value, number format, font, fill, border); default blanks left out."""
    out: dict[str, dict[tuple[int, int], tuple[Any, ...]]] = {}
    for ws in wb.worksheets:
        cells = {}
        for (r, c), cell in ws._cells.items():
            if cell.value is None and not cell.has_style:  # the default look (style 0)
                continue
            # copy() unwraps openpyxl's StyleProxy, so that styles of two workbooks compare
            cells[(r, c)] = (
                cell.value,
                cell.number_format,
                copy(cell.font),
                copy(cell.fill),
                copy(cell.border),
            )
        out[ws.title] = cells
    return out


def differences(
    a: dict[str, dict[tuple[int, int], tuple[Any, ...]]],
    b: dict[str, dict[tuple[int, int], tuple[Any, ...]]],
) -> list[str]:
    """Cells that differ between two snapshots, at most 20 listed."""
    out = []
    for sheet in sorted(set(a) | set(b)):
        x, y = a.get(sheet, {}), b.get(sheet, {})
        for key in sorted(set(x) | set(y)):
            if x.get(key) != y.get(key):
                out.append(f"{sheet}!{key}: {x.get(key)} != {y.get(key)}")
    return out[:20]


def shows_number_format(value: Any) -> bool:
    """True when a cell's number format shows: it holds a number (or a date).

    A blank cell shows nothing under any format, and text shows as it is under every
    format without a text section (all that ``styles.ROLE_FORMATS`` uses;
    test_excel_press.py checks each with ``xlbook.shows_text_as_is``)."""
    return value is not None and not isinstance(value, str | bool)


def visible(wb: Any) -> dict[str, dict[tuple[int, int], tuple[Any, ...]]]:
    """Per sheet and cell what a user can see: value, number format (only where it shows,
    ``shows_number_format``), font (only on a cell with a value), fill and border. A cell
    that looks like an untouched blank one is left out, so that two workbooks compare
    equal exactly when they look the same."""
    from openpyxl.styles import Border, PatternFill

    blank = (None, None, None, PatternFill(), Border())
    out: dict[str, dict[tuple[int, int], tuple[Any, ...]]] = {}
    for ws in wb.worksheets:
        cells = {}
        for (r, c), cell in ws._cells.items():
            value = cell.value
            look = (
                value,
                cell.number_format if shows_number_format(value) else None,
                copy(cell.font) if value is not None else None,
                copy(cell.fill),
                copy(cell.border),
            )
            if look != blank:
                cells[(r, c)] = look
        out[ws.title] = cells
    return out
