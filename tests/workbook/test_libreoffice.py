"""LibreOffice headless opens every generated workbook and sees the same values.

Each example workbook is converted by LibreOffice (xlsx -> xlsx, which loads,
recalculates and saves it); the computed sheets' values in its output must
equal ours, and reading its output back must give the same budget.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from support import EXAMPLE_NAMES, EXAMPLES, SOFFICE

from finsam_xl.model.interchange import load
from finsam_xl.workbook.reader import read_workbook

pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) saknas"),
    pytest.mark.slow,
]


@pytest.fixture
def converted(lo_examples: Path) -> Path:
    """The examples as LibreOffice saves them (converted once: ``lo_examples``)."""
    return lo_examples


SHEETS = ("Plan", "Fördelning", "Kontroller")


def values(path: Path) -> dict[str, dict[str, Any]]:
    """Sheet -> cell -> cached value of the computed sheets (the file loaded once)."""
    book = load_workbook(path, data_only=True, read_only=True)
    out: dict[str, dict[str, Any]] = {}
    for sheet in SHEETS:
        cells = out[sheet] = {}
        for row in book[sheet].iter_rows(min_row=4):
            for cell in row:
                if cell.value is not None:
                    value = cell.value
                    coordinate = f"{cell.column_letter}{cell.row}"
                    cells[coordinate] = round(value, 6) if isinstance(value, float) else value
    book.close()
    return out


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_libreoffice_reads_the_same_values(
    name: str, example_books: dict[str, Path], converted: Path
) -> None:
    ours, theirs = example_books[name], converted / f"{name}.xlsx"
    assert theirs.exists()
    mine, lo = values(ours), values(theirs)
    for sheet in SHEETS:
        assert mine[sheet], sheet
        assert lo[sheet] == mine[sheet], sheet


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_a_file_saved_by_libreoffice_reads_back_to_the_same_budget(
    name: str, converted: Path
) -> None:
    read = read_workbook(converted / f"{name}.xlsx")
    assert read.budget == load(EXAMPLES / f"{name}.yaml")
