"""Helpers shared by the Excel-path tests: reading a workbook file the way the stand-in holds it."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from fakexl_support import FakeBook

#: The moment every Excel-path test computes at (the status line carries it).
WHEN = datetime(2025, 3, 14, 9, 26)

COMPUTED = (
    "Plan",
    "Fördelning",
    "Budget",
    "Not 1",
    "Insatser",
    "Eget kapital",
    "Fakturaplan",
    "Kontroller",
)
#: What a recalc writes: the computed sheets, and what they were computed from (a digest of
#: the input in the hidden styles sheet; the same from every front end).
WRITTEN = (*COMPUTED, "_finsam_stilar")
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def file_cells(path: Path) -> dict[str, dict[tuple[int, int], Any]]:
    """Every sheet's non-empty cells as Excel would hold them (numbers float, formulas text)."""
    return {sheet.name: dict(sheet.cells) for sheet in FakeBook.from_xlsx(path).sheet_list}


def book_cells(book: FakeBook) -> dict[str, dict[tuple[int, int], Any]]:
    """Every sheet's non-empty cells of a stand-in workbook."""
    return {sheet.name: dict(sheet.cells) for sheet in book.sheet_list}


def differences(
    expected: dict[tuple[int, int], Any], actual: dict[tuple[int, int], Any], stamp: bool = False
) -> list[str]:
    """Cell-by-cell differences (both directions); ``stamp`` ignores timestamps in text."""
    out = []
    for key in sorted(set(expected) | set(actual)):
        a, b = expected.get(key), actual.get(key)
        if stamp and isinstance(a, str) and isinstance(b, str):
            a, b = _STAMP.sub("<stamp>", a), _STAMP.sub("<stamp>", b)
        if a != b or type(a) is not type(b):
            out.append(f"{key}: expected {a!r}, got {b!r}")
    return out


def edit_inputs(src: Path, dst: Path) -> None:
    """Change inputs so that a recalc changes values and shortens the findings list."""
    from openpyxl import load_workbook

    wb = load_workbook(src)
    ws = wb["Inställningar"]
    for row in ws.iter_rows(min_row=4, max_col=2):
        if row[0].value == "Eget kapital vid årets början":
            row[1].value = 716  # tkr: equity ends 2025 exactly on the floor
    ws = wb["Utfall"]
    for row in ws.iter_rows(min_row=4, max_col=5):
        if row[0].value == 2024:
            row[4].value = 716  # Eget kapital 31/12 of the year before: the same money
    ws = wb["Rader"]
    headers = {c.value: c.column for c in ws[3]}
    ws.cell(4, headers["2025"]).value = "45,0"  # the same amount as Swedish number text
    wb.save(dst)
