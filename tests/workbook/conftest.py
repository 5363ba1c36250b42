"""Workbooks generated once per test session from the bundled examples."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import EXAMPLE_NAMES, EXAMPLES

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
