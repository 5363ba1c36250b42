"""Workbooks generated once per test session (per xdist worker) from the bundled examples.

``broken`` and ``lo_examples`` are each used by two test modules; tests/conftest.py (GROUPS)
sends the tests that use them to one xdist worker, so that each is built once.
"""

from __future__ import annotations

import inspect
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support import EXAMPLE_NAMES, EXAMPLES, TO_XLSX, libreoffice_convert

from finsam_xl import jobs
from finsam_xl.model.interchange import load


@pytest.fixture(scope="session")
def example_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name -> a freshly generated .xlsx of that example (do not modify: copy first)."""
    folder = tmp_path_factory.mktemp("examples")
    books = {}
    for name in EXAMPLE_NAMES:
        path = folder / f"{name}.xlsx"
        jobs.new(load(EXAMPLES / f"{name}.yaml"), path)
        books[name] = path
    return books


def _edits_the_file(edit: object) -> bool:
    """A case's edit takes the file (its parameter is ``p`` or ``path``), not the workbook."""
    first = next(iter(inspect.signature(edit).parameters), "")  # type: ignore[arg-type]
    return first in ("p", "path")


@pytest.fixture(scope="session")
def broken(
    example_books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """case id -> the broken workbook of each case in test_bad_inputs.CASES (do not modify)."""
    from test_bad_inputs import CASES

    folder = tmp_path_factory.mktemp("broken")
    out = {}
    for case_id, edit, _text, _where in CASES:
        path = folder / f"{case_id}.xlsx"
        shutil.copy(example_books["sodra-dalarna-2025"], path)
        if _edits_the_file(edit):
            edit(path)  # type: ignore[arg-type]
        else:
            wb = load_workbook(path)
            edit(wb)  # type: ignore[arg-type]
            wb.save(path)
        out[case_id] = path
    return out


@pytest.fixture(scope="session")
def lo_examples(example_books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with each example workbook saved as .xlsx by LibreOffice (one soffice run)."""
    out = tmp_path_factory.mktemp("lo")
    libreoffice_convert(list(example_books.values()), out, TO_XLSX)
    return out
