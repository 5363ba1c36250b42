"""Issue 22: a new förbund typed into an empty workbook, cell by cell, as a user does.

The amounts are typed while the workbook still says kr (the user thinks in tkr), then
Enhet is set to tkr and Budgetår moved on a year after the fact. The workbook reaches
``check`` without errors and gives the same plan as the same budget built from its
interchange file.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from typer.testing import CliRunner

from finsam_xl import jobs
from finsam_xl.cli import app
from finsam_xl.core.evaluate import evaluate
from finsam_xl.model.budget import Budget

NAME = "Samordningsförbundet Provbygd"
STATE = {2026: 2511, 2027: 2600, 2028: 2600}  # Statens belopp, typed in tkr
#: Rader's lines of the empty workbook and what is typed for 2025-2028 (tkr).
LINES = {
    "Styrelsearvoden inkl. sociala avgifter": (120, 125, 130, 130),
    "Revision": (40, 45, 45, 45),
    "Förbundschef": (900, 950, 980, 1000),
    "Ekonomiadministration": (110, 115, 120, 120),
    "Lokaler och IT": (150, 160, 160, 165),
    "Individinriktade insatser": (2500, 2600, 2700, 2700),
    "Strukturinriktade insatser": (700, 755.5, 800, 800),
    "Kompetensutveckling": (100, 100, 100, 100),
    "Reserverade medel för nya aktiviteter": (None, 171.5, 265, 140),
}


def _table(ws: Any, name: str) -> tuple[dict[str, int], int, int]:
    """(header -> column, first data row, last row) of an Excel table on ``ws``."""
    ref = ws.tables[name].ref
    first, last = ref.split(":")
    top = ws[first].row
    bottom = ws[last].row
    headers = {str(c.value): c.column for c in ws[top] if c.value is not None}
    return headers, top + 1, bottom


def _set_setting(wb: Any, label: str, value: object) -> None:
    ws = wb["Inställningar"]
    for row in ws.iter_rows(min_row=4):
        if row[0].value == label:
            row[1].value = value
            return
    raise AssertionError(label)


def _type_budget(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    _set_setting(wb, "Förbund", NAME)
    _set_setting(wb, "Eget kapital vid årets början", 1000)
    ws = wb["Medlemmar"]
    cols, first, _ = _table(ws, "Medlemmar")
    for row, name in zip(
        range(first, first + 3),
        ("Försäkringskassan med Arbetsförmedlingen", "Region Provland", "Provbygds kommun"),
        strict=True,
    ):
        ws.cell(row, cols["Medlem"]).value = name
    ws = wb["Medelstilldelning"]
    cols, first, last = _table(ws, "Medelstilldelning")
    for row in range(first, last + 1):
        year = ws.cell(row, cols["År"]).value
        if year in STATE:
            ws.cell(row, cols["Belopp"]).value = STATE[year]
            ws.cell(row, cols["Beslutat"]).value = "Ja" if year == 2026 else "Nej"
    ws = wb["Rader"]
    cols, first, last = _table(ws, "Rader")
    for row in range(first, last + 1):
        amounts = LINES.get(str(ws.cell(row, cols["Benämning"]).value))
        if amounts is None:
            continue
        for year, amount in zip((2025, 2026, 2027, 2028), amounts, strict=True):
            ws.cell(row, cols[str(year)]).value = amount
    wb.save(path)


def _same_budget() -> Budget:
    """The budget as an interchange file would hold it, in kr, for 2027 with plan 2028–2029."""

    def kr(value: float | None) -> Decimal | None:
        return None if value is None else Decimal(str(value)) * 1000

    starter = jobs.load_budget(None, 2026).costs  # the empty workbook's lines
    groups = {c.name: c.group for c in starter}
    sections = {c.name: c.section for c in starter}

    return Budget.model_validate(
        {
            "forbund": {"name": NAME, "unit": "tkr"},
            "years": {"comparison": [2026], "budget": 2027, "plan": [2028, 2029]},
            "members": [
                {"name": "Försäkringskassan med Arbetsförmedlingen", "kind": "stat"},
                {"name": "Region Provland", "kind": "region"},
                {"name": "Provbygds kommun", "kind": "kommun"},
            ],
            "contributions": [
                {"year": y + 1, "mode": "stat", "amount": kr(a), "decided": y == 2026}
                for y, a in STATE.items()
            ],
            "costs": [
                {
                    "name": name,
                    "group": groups[name],
                    "section": sections[name],
                    "amounts": {
                        y + 1: kr(a)
                        for y, a in zip((2025, 2026, 2027, 2028), amounts, strict=True)
                        if a is not None
                    },
                }
                for name, amounts in LINES.items()
            ],
            "equity": {"opening": 1000000, "opening_year": 2027},
        }
    )


def test_a_new_forbund_typed_cell_by_cell_with_year_and_unit_changed_after(
    tmp_path: Path,
) -> None:
    path = tmp_path / "provbygd.xlsx"
    jobs.new(jobs.load_budget(None, 2026), path, lite=False)
    _type_budget(path)
    # The unit afterwards: the amounts were typed in tkr while the workbook said kr.
    wb = openpyxl.load_workbook(path)
    _set_setting(wb, "Enhet (kr eller tkr)", "tkr")
    wb.save(path)
    assert jobs.recalc(path).written == path
    # The year afterwards: the förbund builds 2027's budget in the same workbook.
    wb = openpyxl.load_workbook(path)
    _set_setting(wb, "Budgetår", 2027)
    _set_setting(wb, "Eget kapital avser början av år", 2027)
    wb.save(path)
    outcome = jobs.recalc(path)
    assert outcome.written == path, [f.format() for f in outcome.findings]
    assert "recalc.years-renamed" in {f.rule for f in outcome.findings}
    check = CliRunner().invoke(app, ["kontrollera", str(path)])
    assert check.exit_code == 0, check.output
    assert "Fel [" not in check.output
    typed = jobs.check(path)
    assert typed.budget is not None and typed.result is not None
    expected = evaluate(_same_budget())

    def plan(result: Any) -> list[tuple[object, ...]]:
        return [(r.year, r.contributions, r.costs, r.result, r.equity_end) for r in result.plan]

    assert plan(typed.result) == plan(expected)
    shares = {m.name: m.amount for m in typed.result.allocation_for(2027).members}
    assert shares == {
        "Försäkringskassan med Arbetsförmedlingen": Decimal(2511000),
        "Region Provland": Decimal(1255500),
        "Provbygds kommun": Decimal(1255500),
    }
