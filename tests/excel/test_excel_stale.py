"""Stale computed sheets (issue 18): `check` and the button say when input changed after Beräkna.

The writer stores what the computed sheets were computed from (``interchange.digest`` of
the budget read, in the hidden styles sheet) through the grids every front end shares, so
the command line, the button, Lite and the server store the same text; `check` (and the
button's Kontrollera, with its status line) compare it with the input as it is now.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from excel_support import WHEN
from fakexl_support import FakeBook
from openpyxl import load_workbook
from typer.testing import CliRunner

from finsam_xl import jobs
from finsam_xl.cli import app
from finsam_xl.excel.xlbook import XlBookView, press
from finsam_xl.jobs.evaluate import STALE_TEXT
from finsam_xl.model import schema as S
from finsam_xl.model.interchange import digest
from finsam_xl.workbook.reader import read_book, read_workbook

runner = CliRunner()
WORDS = "beräknade blad är inaktuella; tryck beräkna"


def stale(findings: list) -> list:  # type: ignore[type-arg]
    """The workbook.stale findings."""
    return [f for f in findings if f.rule == "workbook.stale"]


def stored(path: Path) -> str:
    """The digest text in the styles sheet of a workbook file."""
    ws = load_workbook(path)[S.SHEET_STYLES]
    value = ws.cell(1 + S.DIGEST_ROW_OFFSET, 1).value
    assert isinstance(value, str) and value.startswith(S.DIGEST_PREFIX), value
    return value[len(S.DIGEST_PREFIX) :]


def test_check_names_stale_sheets_until_recalc(recalculated: Path, tmp_path: Path) -> None:
    book = tmp_path / "budget.xlsx"
    shutil.copy(recalculated, book)
    assert stale(jobs.check(book, freshness=True).findings) == []
    wb = load_workbook(book)
    ws = wb["Rader"]
    headers = {c.value: c.column for c in ws[3]}
    ws.cell(5, headers["2025"]).value = 99  # an input edited after Beräkna
    wb.save(book)
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    done = runner.invoke(app, ["kontrollera", str(book)])
    assert "[workbook.stale] Plan!A2:" in done.output and WORDS in done.output.casefold()
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before  # check writes nothing
    found = stale(jobs.check(book, freshness=True).findings)
    assert len(found) == 1 and found[0].severity.value == "warning"
    assert found[0].location == "Plan!A2"
    runner.invoke(app, ["berakna", str(book)])
    assert stale(jobs.check(book, freshness=True).findings) == []


def test_a_workbook_without_a_digest_is_not_called_stale(tmp_path: Path) -> None:
    from support import ROOT

    old = ROOT / "workbooks" / "examples" / "fryksdalen-2022.xlsx"
    read = read_workbook(old)
    if read.computed_from is None:  # examples built before the digest existed
        assert stale(jobs.check(old, freshness=True).findings) == []


def test_the_digest_is_the_same_from_the_file_and_the_button(
    edited_book: Path, recalculated: Path
) -> None:
    """The command line and the button store one digest: that of the budget as read."""
    read = read_workbook(recalculated)
    assert read.budget is not None
    assert stored(recalculated) == digest(read.budget) == read.computed_from
    book = FakeBook.from_xlsx(edited_book)
    press(book, "recalc", when=WHEN, alert=False, echo=False)
    view_read = read_book("edited.xlsx", XlBookView(book))
    assert view_read.computed_from == read.computed_from
    assert view_read.budget is not None and digest(view_read.budget) == read.computed_from


def test_the_buttons_check_says_stale_in_its_status_line(recalculated: Path) -> None:
    book = FakeBook.from_xlsx(recalculated)
    summary = press(book, "check", when=WHEN, alert=False, echo=False)
    assert stale(summary.findings) == [] and STALE_TEXT not in summary.text
    rader = book.sheets["Rader"]
    rader.cells[(5, 9)] = 99.0  # an input typed after Beräkna
    summary = press(book, "check", when=WHEN, alert=False, echo=False)
    assert len(stale(summary.findings)) == 1 and STALE_TEXT in summary.text
    status = book.sheets["Plan"].cells[(2, 1)]
    assert STALE_TEXT in status
    shown = [v for v in book.sheets["Kontroller"].cells.values() if isinstance(v, str)]
    assert any(WORDS in v.casefold() for v in shown)
    press(book, "recalc", when=WHEN, alert=False, echo=False)
    summary = press(book, "check", when=WHEN, alert=False, echo=False)
    assert stale(summary.findings) == [] and STALE_TEXT not in summary.text
