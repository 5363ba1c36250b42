"""Books whose figures would be wrong stop ``avstamning``: a located Swedish error, no write.

Issue 10, items 5-8: a voucher number used twice, a voucher dated outside the
fiscal year, a second ``#RAR 0`` and a NUL byte after the first megabyte. Each is
planted in the synthetic books; ``finsam-xl avstamning`` must then name the file
and line, exit non-zero, and leave the workbook byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import synthetic_books as sb
from typer.testing import CliRunner

from finsam_xl import jobs
from finsam_xl.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("books_errors")
    book = folder / "sd.xlsx"
    jobs.new(sb.budget_with_mapping(), book)
    books = folder / "bokforing.se"
    sb.make_books(books)
    return book, books.read_bytes().decode("cp437")


def _first_voucher(text: str) -> str:
    start = text.index("#VER ")
    return text[start : text.index("}\r\n", start) + 3]


def duplicate(text: str) -> str:
    return text + _first_voucher(text)


def outside(text: str) -> str:
    voucher = _first_voucher(text)
    moved = re.sub(r" 2025(\d{4})", r" 2024\1", voucher, count=1)
    return text.replace(voucher, moved, 1)


def second_year(text: str) -> str:
    return text.replace(
        "#RAR 0 20250101 20251231\r\n",
        "#RAR 0 20250101 20251231\r\n#RAR 0 20260101 20261231\r\n",
        1,
    )


def nul_late(text: str) -> str:
    filler = "".join(f'#PROSA "{i:06d} {"x" * 80}"\r\n' for i in range(13_000))
    return text + filler + '#KONTO 1930 "Ba\x00nk"\r\n'


def _line_of(text: str, needle: str, nth: int = 1) -> int:
    at = -1
    for _ in range(nth):
        at = text.index(needle, at + 1)
    return text.count("\n", 0, at) + 1


CASES: list[tuple[str, Callable[[str], str], str, Callable[[str], int]]] = [
    (
        "duplicate_voucher",
        duplicate,
        "finns två gånger",
        lambda t: _line_of(t, _first_voucher(t).splitlines()[0], 2),
    ),
    ("outside_year", outside, "utanför räkenskapsåret", lambda t: _line_of(t, "#VER ")),
    (
        "fiscal_year_twice",
        second_year,
        "Räkenskapsår 0 anges två gånger",
        lambda t: _line_of(t, "#RAR 0 2026"),
    ),
    ("nul_byte", nul_late, "NUL-tecken", lambda t: _line_of(t, "Ba\x00nk")),
]


@pytest.mark.parametrize(("code", "plant", "words", "line"), CASES, ids=[c[0] for c in CASES])
def test_avstamning_refuses_books_with_wrong_figures(
    setup: tuple[Path, str],
    tmp_path: Path,
    code: str,
    plant: Callable[[str], str],
    words: str,
    line: Callable[[str], int],
) -> None:
    book = tmp_path / "b.xlsx"
    book.write_bytes(setup[0].read_bytes())
    digest = hashlib.sha256(book.read_bytes()).hexdigest()
    text = plant(setup[1])
    bad = tmp_path / "bokforing.se"
    bad.write_bytes(text.encode("cp437"))
    result = runner.invoke(app, ["avstamning", str(book), str(bad), "--json"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"bokforing.se:{line(text)}" in result.output
    assert words in result.output
    assert hashlib.sha256(book.read_bytes()).hexdigest() == digest
    # The same through the jobs layer: the error is a finding, nothing is written.
    outcome = jobs.reconcile_workbook(book, bad)
    assert outcome.written is None and outcome.recon is None
    assert any(f.rule == f"sie.{code}" and f.severity.value == "error" for f in outcome.findings)
    assert hashlib.sha256(book.read_bytes()).hexdigest() == digest
