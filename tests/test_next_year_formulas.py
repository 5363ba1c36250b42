"""`nytt-ar` and the user's own formulas (issue 18): each formula the rollover changes is named.

The rollover relabels the year columns in place: Rader's 2024 column becomes 2025 and so on.
A user's ``=SUMIFS(Rader[2024];…)`` then shows #NAMN?, and ``=SUMMA(Rader!I4:I44)`` counts
another year; both were silent. Now each is a warning at its own cell; the input is unchanged.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from support import ROOT

from finsam_xl import jobs

SOURCE = ROOT / "workbooks" / "examples" / "sodra-dalarna-2025.xlsx"


def with_formulas(folder: Path, formulas: dict[str, str]) -> Path:
    """Södra Dalarna 2025 with a sheet Mitt holding ``formulas`` (cell -> formula)."""
    path = folder / "sd.xlsx"
    shutil.copy(SOURCE, path)
    wb = load_workbook(path)
    ws = wb.create_sheet("Mitt")
    for cell, formula in formulas.items():
        ws[cell] = formula
    wb.save(path)
    return path


def test_formulas_on_the_rolled_columns_are_named(tmp_path: Path) -> None:
    src = with_formulas(
        tmp_path,
        {
            "B2": '=SUMIFS(Rader[2024],Rader[Typ],"Kostnad")',
            "B3": "=SUM(Rader[2025])",
            "B4": "=SUM(Rader!I4:I44)",
            "B5": "=SUM(Medlemmar[[#Data],[Fast belopp 2024]])",
            "B6": "=LOG10(100)+A1",
            "B7": "=SUM(Rader!A4:G44)",
        },
    )
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "sd-2026.xlsx"
    outcome = jobs.write_next_year(
        src, out, today=date(2025, 10, 1), when=datetime(2025, 10, 1, 9, 0)
    )
    assert outcome.written is not None
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
    found = {(f.rule, f.location): f for f in outcome.findings if "formula" in f.rule}
    assert set(found) == {
        ("rollover.formula-dropped-year", "Mitt!B2"),
        ("rollover.formula-moved-year", "Mitt!B4"),
        ("rollover.formula-dropped-year", "Mitt!B5"),
    }
    b2 = found["rollover.formula-dropped-year", "Mitt!B2"]
    assert b2.severity.value == "warning"
    assert "kolumnen 2024 i tabellen Rader" in b2.message and "#NAMN?" in b2.message
    b4 = found["rollover.formula-moved-year", "Mitt!B4"].message
    assert "Rader!I4:I44, kolumnen för 2025" in b4 and "står 2026 där" in b4
    assert "Rader[2025]" in b4
    b5 = found["rollover.formula-dropped-year", "Mitt!B5"].message
    assert "Fast belopp 2024 i tabellen Medlemmar" in b5
    # the warnings are in the new workbook's Kontroller too
    texts = [
        " ".join(str(c.value) for c in row if c.value is not None)
        for row in load_workbook(out)["Kontroller"].iter_rows()
    ]
    assert any("Mitt!B2" in t for t in texts)


def test_a_workbook_without_such_formulas_gets_no_warning(tmp_path: Path) -> None:
    src = with_formulas(tmp_path, {"B2": "=SUM(Rader[2026])", "B3": "=Plan!B5"})
    outcome = jobs.write_next_year(src, tmp_path / "ut.xlsx", today=date(2025, 10, 1))
    assert not [f for f in outcome.findings if "formula" in f.rule]
