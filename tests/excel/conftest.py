"""Workbooks for the Excel-path tests: a generated example, and one with edited inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from excel_support import WHEN, edit_inputs
from support import EXAMPLES

from finsam_xl import jobs
from finsam_xl.model.interchange import load


@pytest.fixture(scope="session")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Södra Dalarna's workbook as `finsam-xl ny` writes it (do not modify: copy first)."""
    path = tmp_path_factory.mktemp("excel") / "sodra-dalarna.xlsx"
    jobs.new(load(EXAMPLES / "sodra-dalarna-2025.yaml"), path, when=WHEN)
    return path


@pytest.fixture(scope="session")
def edited_book(demo_book: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workbook with edited inputs and the old (now stale) computed sheets."""
    path = tmp_path_factory.mktemp("excel") / "edited.xlsx"
    edit_inputs(demo_book, path)
    return path


@pytest.fixture(scope="session")
def recalculated(edited_book: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`jobs.recalc` of the edited workbook at WHEN: the reference for every Excel path."""
    out = tmp_path_factory.mktemp("excel") / "recalculated.xlsx"
    shutil.copy(edited_book, out.with_name("source.xlsx"))
    outcome = jobs.recalc(out.with_name("source.xlsx"), out, when=WHEN)
    assert outcome.written == out
    return out


@pytest.fixture(scope="session")
def book_2000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The benchmark's workbook: Södra Dalarna with 2,000 generated cost lines (bench/)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from bench_button import LINES, budget_with_lines

    path = tmp_path_factory.mktemp("excel") / "budget-2000.xlsx"
    jobs.new(budget_with_lines(LINES), path, when=WHEN)
    return path
