"""new --from X.yaml -> recalc -> export gives X back; check --json equals the core."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from support import EXAMPLE_NAMES, EXAMPLES
from typer.testing import CliRunner

from finsam_xl.cli import app
from finsam_xl.core import evaluate
from finsam_xl.jobs.output import result_json
from finsam_xl.model.interchange import load

runner = CliRunner()


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_new_recalc_export_gives_the_same_model(name: str, tmp_path: Path) -> None:
    source = EXAMPLES / f"{name}.yaml"
    book = tmp_path / "b.xlsx"
    assert runner.invoke(app, ["ny", "--fran", str(source), "-o", str(book)]).exit_code == 0
    recalc = runner.invoke(app, ["berakna", str(book)])
    assert recalc.exit_code in (0, 1), recalc.output
    assert "Skrev resultaten" in recalc.output
    out = tmp_path / "x.yaml"
    assert runner.invoke(app, ["exportera", str(book), "-o", str(out)]).exit_code == 0
    assert load(out) == load(source)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_check_json_reproduces_the_core(name: str, example_books: dict[str, Path]) -> None:
    result = runner.invoke(app, ["kontrollera", str(example_books[name]), "--json"])
    data = json.loads(result.stdout)
    core = evaluate(load(EXAMPLES / f"{name}.yaml"))
    expected = result_json(core, core.findings)
    assert data["years"] == expected["years"]
    assert data["allocation"] == expected["allocation"]
    core_findings = Counter((f["rule"], f["severity"], f["message"]) for f in expected["findings"])
    book_findings = Counter(
        (f["rule"], f["severity"], f["message"])
        for f in data["findings"]
        if not f["rule"].startswith("read.")
    )
    assert book_findings == core_findings
    # every core finding is located at a cell of the workbook
    assert all("!" in f["location"] for f in data["findings"])
    has_errors = any(f["severity"] == "error" for f in data["findings"])
    assert result.exit_code == (1 if has_errors else 0)


def test_check_json_shape_for_sodra_dalarna(example_books: dict[str, Path]) -> None:
    data = json.loads(
        runner.invoke(
            app, ["kontrollera", str(example_books["sodra-dalarna-2025"]), "--json"]
        ).stdout
    )
    assert set(data) == {"findings", "years", "allocation"}
    assert data["years"]["2025"] == {
        "contributions": 6184000,
        "other_income": 385000,
        "costs": 6885000,
        "result": -316000,
        "equity_start": 700000,
        "equity_end": 384000,
        "equity_pct": 6.2,
    }
    assert data["allocation"]["2025"]["Region Dalarna"] == 1546000
    below = [f for f in data["findings"] if f["rule"] == "equity.below-floor"]
    assert below[0]["location"] == "Plan!C17"
    assert set(below[0]) == {"rule", "severity", "message", "location"}


def test_check_on_an_interchange_file_works_without_a_workbook() -> None:
    result = runner.invoke(app, ["kontrollera", str(EXAMPLES / "fryksdalen-2022.yaml"), "--json"])
    data = json.loads(result.stdout)
    assert data["years"]["2022"]["equity_end"] == 968916
    assert result.exit_code == 0
    assert any(f["location"] == "contribution.amount.2022" for f in data["findings"])


def test_recalc_writes_values_where_the_defined_names_point(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    book = tmp_path / "b.xlsx"
    shutil.copy(example_books["fryksdalen-2022"], book)
    wb = load_workbook(book)
    plan = wb["Plan"]
    assert plan["A4"].value == "Post" and plan["B4"].value == "Budget 2022"
    assert plan["A3"].value.startswith("Fryksdalens Samordningsförbund – Budget 2022 med plan")
    assert plan["B17"].value == 968916  # Eget kapital vid årets slut
    assert [plan.cell(17, c).value for c in (2, 3, 4)] == [968916, 746056, 523196]
    alloc = wb["Fördelning"]
    assert alloc["A5"].value == "Försäkringskassan" and alloc["D5"].value == 752500
    assert [alloc["E4"].value, alloc["E5"].value] == ["2023", 752500]  # one column per year
    lawful = {alloc.cell(r, 1).value: alloc.cell(r, 4).value for r in range(5, 40)}
    assert lawful["Staten enligt lag"] == 1528070
    assert lawful["Staten: betalt minus enligt lag"] == -23070
    assert lawful["Försäkringskassan"] == 764035  # its share by key, beside the fixed amount
    findings = wb["Kontroller"]
    assert findings["A5"].value in ("Fel", "Varning", "Info")
    assert str(findings["C5"].value).startswith("=HYPERLINK(")
    rules = {findings.cell(r, 2).value: findings.cell(r, 7).value for r in range(5, 20)}
    assert rules["Lagens 50/25/25"] == "contrib.lawful-split"  # Swedish name, code last
    lawful_rows = [
        findings.cell(r, 4).value
        for r in range(5, 20)
        if findings.cell(r, 7).value == "contrib.lawful-split"
    ]
    assert len(lawful_rows) == 1 and lawful_rows[0].startswith("2022\u20132024: bidragen")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_ready_example_workbooks_hold_the_examples(name: str) -> None:
    from support import ROOT

    from finsam_xl.workbook.reader import read_workbook

    for suffix in (".xlsx", ".xlsm"):
        path = ROOT / "workbooks" / "examples" / f"{name}{suffix}"
        assert read_workbook(path).budget == load(EXAMPLES / f"{name}.yaml"), path


def test_markers_colour_the_cells_the_findings_name(example_books: dict[str, Path]) -> None:
    """Each input sheet has conditional formatting fed by the findings' sheet and cell columns."""
    from openpyxl import load_workbook

    wb = load_workbook(example_books["sodra-dalarna-2025"])
    names = {
        n: wb.defined_names[n].attr_text
        for n in ("fx_markering_blad", "fx_markering_cell", "fx_markering_niva")
    }
    assert names["fx_markering_blad"].startswith("'Kontroller'!$I$5")
    for sheet in ("Inställningar", "Medlemmar", "Medelstilldelning", "Rader", "Publicerat"):
        formulas = [
            rule.formula[0] for rng in wb[sheet].conditional_formatting for rule in rng.rules
        ]
        assert any(f'fx_markering_blad,"{sheet}"' in f and '"Fel"' in f for f in formulas), sheet
        assert any('"Varning"' in f for f in formulas), sheet
    findings = wb["Kontroller"]
    rows = [
        (findings.cell(r, 8).value, findings.cell(r, 9).value, findings.cell(r, 10).value)
        for r in range(5, 40)
        if findings.cell(r, 8).value
    ]
    assert ("Varning", "Plan", "C17") in rows  # equity below the floor, 2025
    # grouped on screen (2025-2028 in one row) but every year's cell is still marked
    assert {("Fel", "Publicerat", f"D{r}") for r in (18, 19, 20, 21)} <= set(rows)


def test_computed_sheets_are_protected_unless_asked_not_to(tmp_path: Path) -> None:
    """Protected by default; not with --utan-bladskydd, nor with Lite code (Lite cannot lift it,
    and a new .xlsx carries Lite code unless --utan-lite)."""
    from openpyxl import load_workbook

    source = EXAMPLES / "fryksdalen-2022.yaml"
    cases: list[tuple[tuple[str, ...], bool]] = [
        (("--utan-lite",), True),
        (("--utan-lite", "--utan-bladskydd"), False),
        ((), False),
    ]
    for flag, expected in cases:
        book = tmp_path / f"b{len(flag)}.xlsx"
        result = runner.invoke(app, ["ny", "--fran", str(source), "-o", str(book), *flag])
        assert result.exit_code == 0, result.output
        wb = load_workbook(book)
        for sheet in ("Plan", "Fördelning", "Kontroller"):
            assert wb[sheet].protection.sheet is expected
        assert wb["Rader"].protection.sheet is False
