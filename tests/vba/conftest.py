"""Shared fixtures for the VBA project builder tests.

Reference files written by Excel are taken at test time from the installed xlwings
package (its quickstart workbooks), never copied into this repository.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

# Make the helper module importable whatever pytest's import mode is.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from vba_support import xlwings_dir  # noqa: E402


@pytest.fixture(scope="session")
def excel_projects() -> dict[str, bytes]:
    """``vbaProject.bin`` of xlwings' shipped quickstart workbooks (Excel-written)."""
    base = xlwings_dir()
    if base is None:
        pytest.skip("xlwings is not installed")
    projects: dict[str, bytes] = {}
    for name in ("quickstart.xlsm", "quickstart_standalone.xlsm"):
        path = base / name
        if path.exists():
            with zipfile.ZipFile(path) as archive:
                projects[name] = archive.read("xl/vbaProject.bin")
    if not projects:
        pytest.skip("xlwings ships no quickstart workbooks")
    return projects
