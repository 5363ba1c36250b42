"""The desktop button module: RunPython entry points, tested on the stand-in."""

from __future__ import annotations

import importlib.machinery
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from fakexl_support import FakeBook

from finsam_xl.excel import button, xlbook


class SavedBook(FakeBook):
    """A stand-in with a file behind it (Book.fullname)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path.name)
        self.path = path

    @property
    def fullname(self) -> str:
        return str(self.path)


def test_recalc_and_check(edited_book: Path) -> None:
    book = FakeBook.from_xlsx(edited_book)
    summary = button.check(book)
    assert summary is not None and summary.sheets == ["Kontroller"]
    summary = button.recalc(book)
    assert summary is not None and summary.sheets == [
        "Plan",
        "Fördelning",
        "Budget",
        "Not 1",
        "Insatser",
        "Eget kapital",
        "Fakturaplan",
        "Kontroller",
        "_finsam_stilar",
    ]
    assert [a["title"] for a in book.app.alerts] == ["Finsam XL", "Finsam XL"]


def test_unexpected_error_is_a_message_not_a_traceback(
    edited_book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise KeyError("x")

    monkeypatch.setattr(xlbook, "press", boom)
    book = FakeBook.from_xlsx(edited_book)
    assert button.recalc(book) is None
    alert = book.app.alerts[-1]
    assert alert["mode"] == "critical" and alert["prompt"].startswith("Något gick fel i finsam_xl")


def test_next_year_without_the_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(button, "NEXT_YEAR_MODULE", "finsam_xl.jobs.finns_inte")
    book = SavedBook(tmp_path / "Budget.xlsx")
    assert button.next_year(book) is None
    assert "finns inte" in book.app.alerts[-1]["prompt"]


def test_next_year_with_the_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Path, Path]] = []
    module = types.ModuleType("finsam_xl_test_rollover")
    module.__spec__ = importlib.machinery.ModuleSpec("finsam_xl_test_rollover", None)
    module.next_year_or_raise = lambda source, out: calls.append((source, out))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "finsam_xl_test_rollover", module)
    monkeypatch.setattr(button, "NEXT_YEAR_MODULE", "finsam_xl_test_rollover")
    source = tmp_path / "Budget 2025.xlsx"
    book = SavedBook(source)
    assert button.next_year(book) is None  # not saved yet
    assert "Spara arbetsboken" in book.app.alerts[-1]["prompt"]
    source.write_bytes(b"x")
    out = button.next_year(book)
    assert out == tmp_path / "Budget 2025 (nästa år).xlsx"
    assert calls == [(source, out)]


def test_importing_the_button_is_light() -> None:
    code = (
        "import sys, finsam_xl.excel.button; "
        "print(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'xlwings', 'pydantic', 'openpyxl', 'yaml', 'typer'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_a_press_does_not_import_openpyxl(tmp_path: Path) -> None:
    """A press reads and writes through Excel, never a file: what it imports leaves openpyxl
    and XlsxWriter out (openpyxl alone is about 0.2 s of a start, and on the desktop each
    press is a new Python). The file reader (xlsx/zipview.py) imports openpyxl."""
    code = (
        "import sys, finsam_xl.excel.button, finsam_xl.excel.xlbook, finsam_xl.workbook.reader; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'openpyxl', 'xlsxwriter'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_every_vba_macro_calls_an_existing_button_function() -> None:
    """The .bas sources (finsam_xl/vba) call b.<name>(): each must exist here and take no args."""
    import inspect
    import re

    import finsam_xl.vba

    sources = Path(finsam_xl.vba.__file__).parent / "src"
    commands = re.findall(
        r'RunPython "([^"]+)"',
        "".join(p.read_text(encoding="utf-8") for p in sources.glob("*.bas")),
    )
    called = set()
    for command in commands:
        assert command.startswith("import finsam_xl.excel.button as b; b."), command
        called.add(re.findall(r"b\.(\w+)\(\)$", command)[0])
    assert called == {"recalc", "check", "next_year", "selftest"}
    for name in called:
        fn = getattr(button, name)
        assert all(p.default is not p.empty for p in inspect.signature(fn).parameters.values())
