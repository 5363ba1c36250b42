"""Cell addresses and cell values: A1 letters and numbers, 'Sheet'!$A$1 references, the
XlsxWriter options every writer uses. No I/O, no dependencies."""

from __future__ import annotations

import re
from typing import Any

_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
_RANGE = re.compile(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")


def col_index(letters: str) -> int:
    """'A' -> 1, 'AA' -> 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def col_letters(index: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def address(sheet: str, row: int, col: int) -> str:
    """'Rader', 12, 8 -> 'Rader!H12' (the form findings show)."""
    return f"{sheet}!{col_letters(col)}{row}"


def split_ref(ref: str) -> tuple[str, int, int]:
    """ "='Plan'!$A$4" -> ('Plan', 4, 1); a range gives its first cell."""
    sheet, _, cell = ref.lstrip("=").rpartition("!")
    sheet = sheet.strip("'").replace("''", "'")
    match = _CELL.match(cell.split(":")[0])
    if not match:
        raise ValueError(f"ogiltig cellreferens {ref!r}")
    return sheet, int(match.group(2)), col_index(match.group(1))


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'A3:K20' or '$A$3:$K$20' -> (first_row, first_col, last_row, last_col)."""
    match = _RANGE.match(ref.split("!")[-1].strip())
    if not match:
        raise ValueError(f"ogiltigt område {ref!r}")
    c1, r1, c2, r2 = match.groups()
    return int(r1), col_index(c1), int(r2 or r1), col_index(c2 or c1)


def put(cell: Any, value: object, formula: bool = False) -> None:
    """Write ``value`` into an openpyxl cell: the one place the editors write cells.

    openpyxl makes every str that starts with '=' a formula, so a name, a file
    name or a text ("=1+1.xlsx", "=> Samverkan") would become a live formula.
    Text stays text here (``data_type`` 's'); only ``formula=True`` writes a formula.
    """
    cell.value = value
    if isinstance(value, str) and not formula and cell.data_type == "f":
        cell.data_type = "s"


#: Every XlsxWriter workbook is opened with these options (template, overview): a string is
#: written as text, never turned into a number, a formula or a live link (hyperlink
#: relationship), whatever it looks like ("=1+1", "external:c:\\windows\\calc.exe").
#: XlsxWriter cuts a longer string at MAX_CELL_CHARS itself.
XLSXWRITER_OPTIONS: dict[str, bool] = {
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}
