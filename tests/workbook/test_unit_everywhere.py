"""One unit per workbook, everywhere it is typed and shown (issue 22, item 4).

The input sheets' titles and the Plan chart's axis title follow the Enhet cell; the
chart's ranges follow the plan's years at recalc; Publicerat's Fördelning is typed in
the workbook's unit like every other amount, and its messages show that unit with
the kronor in brackets.
"""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from finsam_xl.core.evaluate import evaluate
from finsam_xl.jobs.evaluate import evaluate_read
from finsam_xl.model import schema as S
from finsam_xl.model.interchange import load
from finsam_xl.workbook.reader import read_workbook
from finsam_xl.workbook.template import unit_cell, write_template
from finsam_xl.workbook.writer import chart_ranges, write_results

BUDGET = Path(__file__).parent.parent / "data" / "norra-prov-tkr.yaml"


def _set_setting(source: Path, target: Path, label: str, value: int | str) -> None:
    """Change one Inställningar value at zip level (openpyxl would drop the chart)."""
    wb = load_workbook(source, read_only=True)
    ws = wb[S.SHEET_SETTINGS]
    row = next(r for r in range(1, 80) if ws.cell(r, 1).value == label)
    wb.close()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as out:
        workbook = zin.read("xl/workbook.xml").decode()
        rels = zin.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(
            rf'<sheet name="{S.SHEET_SETTINGS}" sheetId="\d+" r:id="(rId\d+)"', workbook
        )
        assert rid
        part = "xl/" + re.findall(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels)[0]
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                cell = (
                    f'<c r="B{row}"><v>{value}</v></c>'
                    if isinstance(value, int)
                    else f'<c r="B{row}" t="inlineStr"><is><t>{value}</t></is></c>'
                )
                xml, n = re.subn(rf'<c r="B{row}"[^>]*?(/>|>.*?</c>)', cell, data.decode(), count=1)
                assert n == 1
                data = xml.encode()
            out.writestr(info, data)


def test_titles_follow_the_unit_cell(tmp_path: Path) -> None:
    path = tmp_path / "ny.xlsx"
    budget = load(BUDGET)
    write_template(
        budget.model_copy(update={"forbund": budget.forbund.model_copy(update={"unit": "kr"})}),
        path,
    )
    formulas = load_workbook(path)
    settings = formulas[S.SHEET_SETTINGS]
    ref = unit_cell().split("!")[1].replace("$", "")
    assert settings[ref.replace("B", "A")].value == S.SETTING_LABELS["unit"]
    values = load_workbook(path, data_only=True)
    for sheet, text in (
        (S.SHEET_LINES, "Kostnader och övriga intäkter"),
        (S.SHEET_ACTUALS, "Utfall tidigare år"),
    ):
        formula = formulas[sheet]["A1"].value
        assert formula.startswith("=") and unit_cell() in formula, formula
        assert values[sheet]["A1"].value == f"{text} (kr)"  # the cached value
    # The title is no data: the workbook still reads, with no finding about row 1.
    read = read_workbook(path)
    assert read.budget is not None
    assert not [f for f in read.findings if (f.location or "").endswith("!A1")]


def test_chart_axis_names_the_unit_cell_and_ranges_follow_the_years(tmp_path: Path) -> None:
    first = tmp_path / "bok.xlsx"
    write_template(load(BUDGET), first)
    with zipfile.ZipFile(first) as archive:
        xml = archive.read("xl/charts/chart1.xml").decode()
    assert f"<c:f>{unit_cell()}</c:f>" in xml  # the axis title is the Enhet cell
    assert "'Plan'!$B$4:$E$4" in xml  # 2026-2029
    fewer = tmp_path / "ettplanar.xlsx"
    _set_setting(first, fewer, S.SETTING_LABELS["plan_years"], 1)
    out = tmp_path / "omraknad.xlsx"
    outcome = evaluate_read(read_workbook(fewer))
    assert outcome.budget is not None and outcome.budget.years.plan == [2028]
    write_results(fewer, out, outcome.budget, outcome.result)
    with zipfile.ZipFile(out) as archive:
        xml = archive.read("xl/charts/chart1.xml").decode()
    ranges = re.findall(r"<c:f>'Plan'!\$B\$(\d+):\$([A-Z]+)\$\d+</c:f>", xml)
    assert ranges and {col for _, col in ranges} == {"D"}  # 2026, 2027, 2028: no empty slot


def test_chart_ranges_leave_other_ranges_alone() -> None:
    xml = (
        "<c:f>'Plan'!$B$4:$F$4</c:f><c:f>'Plan'!$A$17</c:f><c:f>'Plan'!$B$4:$F$9</c:f>"
        "<c:f>'Andra'!$B$4:$F$4</c:f>"
    )
    assert chart_ranges(xml, "Plan", 2, 3) == (
        "<c:f>'Plan'!$B$4:$C$4</c:f><c:f>'Plan'!$A$17</c:f><c:f>'Plan'!$B$4:$F$9</c:f>"
        "<c:f>'Andra'!$B$4:$F$4</c:f>"
    )


def test_published_allocation_is_typed_in_the_workbooks_unit(tmp_path: Path) -> None:
    budget = load(BUDGET)  # Provs kommun 702 500 kr in 2027, a tkr workbook
    path = tmp_path / "bok.xlsx"
    write_template(budget, path)
    values = load_workbook(path, data_only=True)[S.SHEET_PUBLISHED]
    typed = [row[3].value for row in values.iter_rows(min_row=4) if row[0].value == "Fördelning"]
    assert typed == [702.5]  # in tkr, like every amount
    read = read_workbook(path)
    assert read.budget is not None
    assert read.budget.published.allocation == {2027: {"Provs kommun": Decimal(702500)}}
    assert not [f for f in evaluate(read.budget).findings if f.rule == "published.allocation"]


def test_allocation_messages_show_the_typed_unit_and_explain_kronor() -> None:
    budget = load(BUDGET)
    wrong = budget.published.model_copy(
        update={"allocation": {2027: {"Provs kommun": Decimal(1255500)}}}
    )
    found = [
        f
        for f in evaluate(budget.model_copy(update={"published": wrong})).findings
        if f.rule == "published.allocation"
    ]
    assert [f.message for f in found] == [
        "Publicerat belopp för Provs kommun 2027 är 1\u00a0255,5\u00a0tkr (1\u00a0255\u00a0500"
        "\u00a0kr) men fördelningen ger 702,5\u00a0tkr (702\u00a0500\u00a0kr) (skillnad "
        "553\u00a0tkr (553\u00a0000\u00a0kr))."
    ]
    # An old workbook's kronor (702 500 typed in a tkr workbook) is named as such.
    old = budget.published.model_copy(
        update={"allocation": {2027: {"Provs kommun": Decimal(702500) * 1000}}}
    )
    found = [
        f
        for f in evaluate(budget.model_copy(update={"published": old})).findings
        if f.rule == "published.allocation"
    ]
    assert [(f.severity.value, f.message) for f in found] == [
        (
            "warning",
            "Publicerat belopp för Provs kommun 2027 ser ut att vara skrivet i kr "
            "(702\u00a0500\u00a0kr); Fördelning anges i arbetsbokens enhet tkr som alla belopp: "
            "skriv 702,5.",
        )
    ]
