"""Snapshots of what the three examples produce: ``check --json`` and the computed sheets.

A refactor must not change them. A change that is meant to change them
regenerates the files with ``FINSAM_UPDATE_SNAPSHOTS=1 python -m pytest
tests/test_snapshots.py`` and the diff of ``tests/data/snapshots`` is reviewed
with the change.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from support import EXAMPLE_NAMES, ROOT

from finsam_xl import jobs
from finsam_xl.jobs.output import result_json
from finsam_xl.model import schema as S

SNAPSHOTS = ROOT / "tests" / "data" / "snapshots"
WORKBOOKS = ROOT / "workbooks" / "examples"
WHEN = datetime(2026, 1, 2, 3, 4, 5)
COMPUTED = (S.SHEET_PLAN, S.SHEET_ALLOCATION, S.SHEET_FINDINGS, *S.DOCUMENT_NAMES.values())
UPDATE = os.environ.get("FINSAM_UPDATE_SNAPSHOTS") == "1"


def _compare(name: str, actual: Any) -> None:
    path = SNAPSHOTS / name
    text = json.dumps(actual, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n"
    if UPDATE or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"{path} was missing and has been written; run again")
    assert json.loads(text) == json.loads(path.read_text(encoding="utf-8"))


def _sheet_values(path: Path) -> dict[str, list[list[Any]]]:
    wb = load_workbook(path, read_only=True)
    sheets = {}
    for name in COMPUTED:
        if name in wb.sheetnames:
            rows = [list(r) for r in wb[name].iter_rows(values_only=True)]
            while rows and all(v is None for v in rows[-1]):
                rows.pop()
            sheets[name] = rows
    wb.close()
    return sheets


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_check_json_is_unchanged(name: str) -> None:
    outcome = jobs.check(WORKBOOKS / f"{name}.xlsx")
    _compare(f"{name}.check.json", result_json(outcome.result, outcome.findings))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_computed_sheets_are_unchanged(name: str, tmp_path: Path) -> None:
    source = tmp_path / f"{name}.xlsx"
    shutil.copy(WORKBOOKS / f"{name}.xlsx", source)
    outcome = jobs.recalc(source, when=WHEN)
    assert outcome.written is not None
    _compare(f"{name}.sheets.json", _sheet_values(source))
