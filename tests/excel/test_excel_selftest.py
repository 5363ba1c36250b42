"""Självtest on every path: the core on the bundled examples, compared with the stored figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fakexl_support import FakeBook, FakeName, apply_actions
from payload_support import payload_bytes

import finsam_xl.excel.lite as lite
from finsam_xl.excel import button, selftest
from finsam_xl.excel.remote import handle
from finsam_xl.excel.xlbook import DefinedNames, XlBookView

OK = "Självtest OK: 3 budgetar, alla siffror stämmer"


def status(book: FakeBook, name: str = "fx_status") -> Any:
    sheet, row, col = DefinedNames(XlBookView(book).names).anchor(name)  # type: ignore[arg-type]
    return book.sheets[sheet].cells.get((row, col))


def test_stored_reference_is_what_the_core_computes() -> None:
    """Regenerate with `python -m finsam_xl.excel.selftest --write` after a deliberate change."""
    assert selftest.expected() == selftest.build_expected()
    assert sorted(selftest.expected()) == list(selftest.EXAMPLES)


def test_reference_covers_the_published_totals() -> None:
    reference = selftest.expected()
    # Södra Dalarna's printed equity is known not to add up (four years); nothing else is flagged
    assert reference["sodra-dalarna-2025"]["published"] == [
        f"published.total equity_end {year}" for year in (2025, 2026, 2027, 2028)
    ]
    assert reference["fryksdalen-2022"]["published"] == []
    assert reference["sodra-dalarna-2025"]["plan"]["2025"]["result"] == "-316000"


def test_run_says_ok_with_the_count() -> None:
    outcome = selftest.run()
    assert outcome.ok and outcome.text.startswith(OK)
    assert outcome.budgets == 3 and outcome.compared > 200
    assert f"({outcome.compared} värden jämförda" in outcome.text


def test_a_difference_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    reference = json.loads(json.dumps(selftest.expected()))
    reference["sodra-dalarna-2025"]["plan"]["2026"]["equity_end"] = "400001"
    reference["fryksdalen-2022"]["allocation"]["2022"].popitem()
    monkeypatch.setattr(selftest, "expected", lambda: reference)
    outcome = selftest.run()
    assert not outcome.ok
    assert outcome.text.startswith("Självtest FEL: 2 av ")
    assert "sodra-dalarna-2025 plan 2026 equity_end: väntat 400001, fick 384000" in outcome.text
    assert "fryksdalen-2022 allocation 2022" in outcome.text and "väntat <saknas>" in outcome.text


def test_a_broken_reference_is_a_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> dict[str, Any]:
        raise OSError("selftest.json saknas")

    monkeypatch.setattr(selftest, "expected", broken)
    outcome = selftest.run()
    assert not outcome.ok and outcome.text.startswith("Självtest misslyckades: OSError")


def test_lite_script(edited_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = FakeBook.from_xlsx(edited_book, com=False, protect=False)
    before = {s.name: dict(s.cells) for s in book.sheet_list}
    lite.finsam_sjalvtest(book)  # type: ignore[arg-type]
    assert str(status(book)).startswith(OK)
    assert capsys.readouterr().out.startswith(OK)
    assert book.app.alerts == []
    changed = {s.name for s in book.sheet_list if s.cells != before[s.name]}
    assert changed == {"Plan"}  # one cell, nothing else


def test_desktop_button(edited_book: Path) -> None:
    book = FakeBook.from_xlsx(edited_book, com=True, protect=True)
    outcome = button.selftest(book)
    assert outcome.ok
    assert str(status(book)).startswith(OK)
    assert book.app.alerts[0]["prompt"] == outcome.text and book.app.alerts[0]["mode"] == "info"
    assert book.sheets["Plan"].protected  # protection put back after the write (Windows)


def test_server_route(edited_book: Path) -> None:
    reply = handle("/sjalvtest", {}, payload_bytes(edited_book))
    assert reply.status == 200
    actions = json.loads(reply.body)["actions"]
    book = FakeBook.from_xlsx(edited_book, com=False, protect=False)
    shown = apply_actions(book, actions)
    assert shown == []  # the sentence is on Plan row 2; no extra message box
    assert str(status(book)).startswith(OK)


def test_result_goes_to_fx_sjalvtest_when_the_workbook_has_it(edited_book: Path) -> None:
    book = FakeBook.from_xlsx(edited_book, com=False, protect=False)
    book.name_list.append(FakeName("fx_sjalvtest", "=Instruktioner!$B$30"))
    selftest.on_book(book, alert=False, echo=False)
    assert str(book.sheets["Instruktioner"].cells[(30, 2)]).startswith(OK)
    assert not str(status(book) or "").startswith("Självtest")


def test_command_line_entry() -> None:
    assert selftest.main([]) == 0
