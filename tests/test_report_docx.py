"""The budget section as a Word document: its figures, its drafted text, its PDF."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from support import EXAMPLE_NAMES, EXAMPLES, ROOT
from typer.testing import CliRunner

from finsam_xl.cli import app
from finsam_xl.core.evaluate import evaluate
from finsam_xl.core.narrative import draft, equity_sentences, insats_sentences
from finsam_xl.errors import UsageError
from finsam_xl.jobs import report as report_job
from finsam_xl.jobs.report import write_report as report
from finsam_xl.model.budget import Budget, CostGroup, CostLine, Insats
from finsam_xl.model.interchange import load
from finsam_xl.word.budget_section import build_document, equity_chart
from finsam_xl.word.chart import Chart, Series, render_png
from finsam_xl.xlsx.limits import WorkbookError

WORKBOOKS = ROOT / "workbooks" / "examples"
WHEN = datetime(2026, 11, 30, 8, 0)
runner = CliRunner()


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u2212", "-")


def spaced(value: int | float) -> str:
    return f"{int(value):,}".replace(",", " ")


def check_json(path: Path) -> dict[str, Any]:
    out = runner.invoke(app, ["kontrollera", "--json", str(path)])
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def doc_text(path: Path) -> tuple[list[str], list[list[list[str]]]]:
    """(paragraph texts, tables as rows of cell texts), spaces normalised."""
    doc = Document(str(path))
    paragraphs = [plain(p.text) for p in doc.paragraphs]
    tables = [[[plain(c.text) for c in row.cells] for row in t.rows] for t in doc.tables]
    return paragraphs, tables


def in_unit(value: int | float, unit: str) -> str:
    shown = Decimal(str(value)) / (1000 if unit == "tkr" else 1)
    whole = int(shown.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return spaced(whole) if whole >= 0 else "-" + spaced(-whole)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("rapport")
    out = {}
    for name in EXAMPLE_NAMES:
        target = folder / f"{name}.docx"
        done = report(WORKBOOKS / f"{name}.xlsx", target, when=WHEN)
        assert done.written == target
        out[name] = target
    return out


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_document_names_the_figures_of_check_json(name: str, reports: dict[str, Path]) -> None:
    data = check_json(WORKBOOKS / f"{name}.xlsx")
    paragraphs, tables = doc_text(reports[name])
    text = "\n".join(paragraphs)
    cells = {cell.rstrip("*") for table in tables for row in table for cell in row}
    unit = "tkr" if "(tkr)" in text else "kr"
    years = data["years"]
    budget = load(EXAMPLES / f"{name}.yaml")
    budget_year = budget.years.budget
    row = years[str(budget_year)]
    # The drafted text, in kronor.
    assert f"budgetram om {spaced(row['contributions'])} kr" in text
    assert f"eget kapital på {spaced(row['equity_start'])} kr" in text
    assert f"underskott på {spaced(-row['result'])} kr" in text
    for year, figures in years.items():
        if figures["equity_end"] is None:
            continue
        assert f"{spaced(figures['equity_end'])} kr" in text, year
        assert f"{figures['equity_pct']:.1f} %".replace(".", ",") in text, year
    # The tables, in the display unit: contributions, result and equity per year.
    for year, figures in years.items():
        for key in ("contributions", "result", "equity_end"):
            if figures[key] is not None:
                assert in_unit(figures[key], unit) in cells, (year, key, figures[key])
    # Not 1 to the krona, every member, the budget year and the plan years.
    for year, members in data["allocation"].items():
        if int(year) < budget_year:
            continue
        for member, value in members.items():
            assert spaced(value) in cells, (year, member)


def test_sodra_dalarna_paragraph_has_the_published_figures(reports: dict[str, Path]) -> None:
    paragraphs, _ = doc_text(reports["sodra-dalarna-2025"])
    paragraph = next(p for p in paragraphs if p.startswith("2025 års verksamhetsplan"))
    for figure in ("6 184 000 kr", "700 000 kr", "400 000 kr", "6 484 000 kr"):
        assert figure in paragraph
    assert "Tillgängligt för 2025 är därmed 6 484 000 kr." in paragraph
    assert "inte understiga 400 000 kr" in paragraph


def test_document_has_title_tables_chart_and_decisions(reports: dict[str, Path]) -> None:
    doc = Document(str(reports["sodra-dalarna-2025"]))
    texts = [plain(p.text) for p in doc.paragraphs]
    assert texts[0] == "Södra Dalarnas Samordningsförbund"
    assert texts[1] == "Budget 2025 med plan 2026-2028".replace("-", "\u2013")
    assert "Förslag till beslut" in texts
    assert any(t.startswith("Att godkänna verksamhetsplan och budget 2025") for t in texts)
    assert len(doc.inline_shapes) == 1  # the equity chart
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    footer = section.footer._element.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    # Amounts right-aligned, totals bold.
    budget_table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Beskrivning")
    total = next(r for r in budget_table.rows if r.cells[1].text == "Totalt")
    cell = total.cells[-1].paragraphs[0]
    assert cell.alignment == 2  # WD_ALIGN_PARAGRAPH.RIGHT
    assert all(run.bold for run in cell.runs)


def test_equity_history_and_chart_from_the_actuals() -> None:
    budget = load(EXAMPLES / "sodra-dalarna-2025.yaml")
    result = evaluate(budget)
    chart = equity_chart(budget, result)
    assert list(chart.years) == [2022, 2023, 2024, 2025, 2026, 2027, 2028]
    equity = chart.series[0].values
    assert equity[:4] == [Decimal(1496000), Decimal(1657000), Decimal(700000), Decimal(384000)]
    assert [s.label for s in chart.series][2] == "Styrelsens lägsta nivå"
    doc = build_document(budget, result, when=WHEN)
    cells = {plain(c.text) for t in doc.tables for r in t.rows for c in r.cells}
    assert {"1 496", "1 657", "700*", "384*", "7 500**"} <= cells


def test_a_year_without_equity_is_a_gap_not_zero() -> None:
    budget = load(EXAMPLES / "sodra-dalarna-2025.yaml").model_copy(update={"actuals": []})
    chart = equity_chart(budget, evaluate(budget))
    assert chart.series[0].values[0] is None  # 2024: before the opening year
    png = render_png(chart)
    assert png.startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="inga värden"):
        render_png(Chart("x", [2025], [Series("a", [None], (0, 0, 0))]))


def test_equity_sentences_group_equal_years_and_name_floor_and_level() -> None:
    budget = load(EXAMPLES / "sodra-dalarna-2025.yaml")
    sentences = [plain(s) for s in equity_sentences(evaluate(budget))]
    assert len(sentences) == 2
    assert sentences[0].startswith("Vid utgången av 2025 beräknas det egna kapitalet till 384 000")
    assert "16 000 kr under styrelsens lägsta nivå på 400 000 kr" in sentences[0]
    assert "20 % (1 236 800 kr)" in sentences[0]
    assert "vart och ett av åren 2026, 2027 och 2028" in sentences[1]
    fryksdalen = [
        plain(s) for s in equity_sentences(evaluate(load(EXAMPLES / "fryksdalen-2022.yaml")))
    ]
    assert "357 688 kr över den nationellt rekommenderade högsta nivån" in fryksdalen[0]


def _with_insats(budget: Budget, start: date, end: date, amounts: dict[int, int]) -> Budget:
    line = CostLine(
        name="Bidrag",
        group=CostGroup.INSATS_INDIVID,
        section="Steget",
        cost_centre="38000",
        amounts={y: Decimal(a) for y, a in amounts.items()},
        insats=Insats(start=start, end=end),
    )
    return budget.model_copy(update={"costs": [*budget.costs, line]})


def test_insatser_that_start_or_end_within_the_plan() -> None:
    base = load(EXAMPLES / "sodra-dalarna-2025.yaml")
    budget = _with_insats(base, date(2026, 1, 1), date(2026, 12, 31), {2026: 300000, 2027: 250000})
    sentences = [plain(s) for s in insats_sentences(budget, evaluate(budget))]
    assert sentences == [
        "Steget (ID 38 000) startar 1 januari 2026.",
        "Steget (ID 38 000) avslutas 31 december 2026 enligt beslutet, men planen har "
        "250 000 kr för 2027 utan nytt beslut.",
    ]
    assert insats_sentences(base, evaluate(base)) == [
        "Inga insatser har ett beslutat start- eller slutdatum inom 2025\u20132028."
    ]


def test_decisions_follow_the_figures() -> None:
    budget = load(EXAMPLES / "sodra-dalarna-2025.yaml")
    items = [plain(i) for i in draft(budget, evaluate(budget)).decisions]
    assert (
        items[0] == "att godkänna verksamhetsplan och budget 2025 för Södra Dalarnas "
        "Samordningsförbund"
    )
    assert "att äska medlemsbidrag på 7 500 000 kr per år för 2026-2028 hos medlemmarna" in [
        i.replace("\u2013", "-") for i in items
    ]
    assert "att underskottet 2025 på 316 000 kr täcks av eget kapital" in items
    lappland = draft(*(lambda b: (b, evaluate(b)))(load(EXAMPLES / "sodra-lappland-2024.yaml")))
    assert not any("understiga" in i for i in lappland.decisions)  # no floor decided


#: Phrases of the decision list and the findings that contradict them.
CONTRADICTS = {
    "inte ska understiga": {"equity.below-floor"},
    "täcks av eget kapital": {"equity.negative"},
}


def _variants() -> list[tuple[str, Budget]]:
    """Each example, and each with a floor it breaks, one it keeps, and equity too small."""
    out = []
    for name in EXAMPLE_NAMES:
        base = load(EXAMPLES / f"{name}.yaml")
        out.append((name, base))
        for label, update in (
            ("golv 10 Mkr", {"floor": Decimal(10_000_000)}),
            ("golv 1 kr", {"floor": Decimal(1)}),
            ("ek 1 kr", {"opening": Decimal(1)}),
        ):
            equity = base.equity.model_copy(update=update)
            out.append((f"{name} {label}", base.model_copy(update={"equity": equity})))
    return out


@pytest.mark.parametrize(("label", "budget"), _variants(), ids=lambda v: str(v)[:30])
def test_decision_list_never_contradicts_the_findings(label: str, budget: Budget) -> None:
    result = evaluate(budget)
    text = draft(budget, result)
    found = {f.rule for f in result.findings if f.severity.value in ("error", "warning")}
    for item in text.decisions:
        for phrase, rules in CONTRADICTS.items():
            assert not (phrase in item and rules & found), (label, item, rules & found)
    if "equity.below-floor" in found:
        # the board is asked to decide on the breach, and told why
        assert any("sänka styrelsens lägsta nivå" in i for i in text.decisions), label
        assert any("under styrelsens lägsta nivå" in n for n in text.decision_notes), label
    if "equity.negative" in found:
        assert any("får inte gå med skuld" in n for n in text.decision_notes), label


def test_sodra_dalarna_decisions_state_the_breach() -> None:
    """The published budget spends below the board's own floor: the proposal says so."""
    budget = load(EXAMPLES / "sodra-dalarna-2025.yaml")
    text = draft(budget, evaluate(budget))
    items = [plain(i) for i in text.decisions]
    assert (
        "att för 2025-2028 sänka styrelsens lägsta nivå för det egna kapitalet från "
        "400 000 kr till 384 000 kr" in [i.replace("\u2013", "-") for i in items]
    )
    assert not any("understiga" in i for i in items)
    assert plain(text.decision_notes[0]).startswith(
        "Budgeten ger ett eget kapital på 384 000 kr vid utgången av vart och ett av åren 2025"
    )


def test_blocked_workbook_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "trasig.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(WorkbookError, match="ingen Excel-arbetsbok"):
        report(bad, tmp_path / "ut.docx")
    assert not (tmp_path / "ut.docx").exists()
    with pytest.raises(UsageError, match=r"\.docx"):
        report(WORKBOOKS / "fryksdalen-2022.xlsx", tmp_path / "ut.pdf")


def test_rewriting_keeps_the_edited_version_as_backup(tmp_path: Path) -> None:
    target = tmp_path / "budgetavsnitt.docx"
    report(WORKBOOKS / "fryksdalen-2022.xlsx", target, when=WHEN)
    first = target.read_bytes()
    report(WORKBOOKS / "fryksdalen-2022.xlsx", target, when=WHEN)
    assert (tmp_path / "budgetavsnitt.backup.docx").read_bytes() == first


def test_pdf_without_libreoffice_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_job, "find_soffice", lambda: None)
    out = runner.invoke(
        app,
        [
            "rapport",
            str(WORKBOOKS / "fryksdalen-2022.xlsx"),
            "-o",
            str(tmp_path / "b.docx"),
            "--pdf",
        ],
    )
    assert out.exit_code == 1
    assert "LibreOffice (soffice) är inte installerat" in out.output
    assert (tmp_path / "b.docx").exists() and not (tmp_path / "b.pdf").exists()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice saknas")
def test_libreoffice_converts_it_to_pdf(tmp_path: Path) -> None:
    out = runner.invoke(
        app,
        [
            "rapport",
            str(WORKBOOKS / "sodra-dalarna-2025.xlsx"),
            "-o",
            str(tmp_path / "budgetavsnitt.docx"),
            "--pdf",
        ],
    )
    assert out.exit_code == 0, out.output
    pdf = tmp_path / "budgetavsnitt.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        return
    text = plain(
        subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    )
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Sida {number} av {len(pages)}" in page
        assert "Södra Dalarnas Samordningsförbund" in page
    assert "Tillgängligt för 2025 är därmed 6 484 000 kr." in " ".join(text.split())


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.integers(min_value=-(10**12), max_value=10**12)),
        min_size=1,
        max_size=40,
    )
)
def test_chart_draws_any_values_without_error(values: list[int | None]) -> None:
    years = list(range(2000, 2000 + len(values)))
    series = [
        Series(
            "Eget kapital",
            [None if v is None else Decimal(v) for v in values],
            (0, 0, 0),
            marker="circle",
            value_labels=True,
        ),
        Series("Golv", [Decimal(400000)] * len(values), (200, 0, 0), dash=(3, 4), end_label=True),
    ]
    png = render_png(Chart("Eget kapital", years, series, unit="kr"), 600, 300)
    assert png.startswith(b"\x89PNG")


def test_not1_shares_belong_to_their_members() -> None:
    """Södra Lappland lists the kommuner before the state: each share must stay with its member."""
    budget = load(EXAMPLES / "sodra-lappland-2024.yaml")
    doc = build_document(budget, evaluate(budget), when=WHEN)
    note = next(t for t in doc.tables if t.rows[0].cells[0].text == "Medlem")
    shares = {plain(r.cells[0].text): plain(r.cells[2].text) for r in note.rows[1:]}
    assert shares["Försäkringskassan"] == "50,0 %"
    assert shares["Region Västerbotten"] == "25,0 %"
    assert shares["Lycksele kommun"] == "8,7 %"


def test_a_new_workbook_gives_the_document_of_its_budget_file(tmp_path: Path) -> None:
    """The Utfall table and the layout settings travel through the workbook into the document."""
    from finsam_xl import jobs

    budget = load(EXAMPLES / "sodra-dalarna-2025.yaml")
    workbook = tmp_path / "budget.xlsx"
    jobs.new(budget, workbook, when=WHEN)
    done = report(workbook, tmp_path / "budgetavsnitt.docx", when=WHEN)
    assert done.written is not None
    _, tables = doc_text(done.written)
    history = next(t for t in tables if t[0][0] == "År")
    assert [row[0] for row in history[1:]] == [str(y) for y in range(2022, 2029)]
    assert history[1][4] == "1 496" and history[3][4] == "700*"
    assert history[5][1] == "7 500**"
    budget_table = next(t for t in tables if t[0][1] == "Beskrivning")
    # as published: "Årsbudget 2025" before "Årsbudget 2024"; plan years not in the table
    assert budget_table[0][2:] == ["Årsbudget 2025", "Årsbudget 2024"]
    contributions = next(row for row in budget_table if row[:2] == ["50 000", "Totalt"])
    assert contributions[2:] == ["-6 184", "-6 308"]
    assert budget_table[-1][1:] == ["Resultat", "-316", "-1 392"]


def test_control_characters_in_names_do_not_break_the_document(tmp_path: Path) -> None:
    budget = load(EXAMPLES / "fryksdalen-2022.yaml")
    forbund = budget.forbund.model_copy(update={"name": "Fryksdalen\x0b <&> förbund"})
    costs = [budget.costs[0].model_copy(update={"name": "Navet\x01 & <Co>"}), *budget.costs[1:]]
    odd = budget.model_copy(update={"forbund": forbund, "costs": costs})
    path = tmp_path / "udda.docx"
    build_document(odd, evaluate(odd), when=WHEN).save(str(path))
    paragraphs, tables = doc_text(path)
    assert paragraphs[0] == "Fryksdalen <&> förbund"
    assert any(
        row[1] == "Navet & <Co>" or row[0] == "Navet & <Co>" for table in tables for row in table
    )


def test_input_errors_stop_the_report_before_anything_is_written(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(WORKBOOKS / "sodra-dalarna-2025.xlsx")
    book.remove(book["Medlemmar"])
    broken = tmp_path / "trasig.xlsx"
    book.save(broken)
    before = broken.read_bytes()
    out = runner.invoke(app, ["rapport", str(broken), "-o", str(tmp_path / "b.docx")])
    assert out.exit_code == 1
    assert "Tabellen 'Medlemmar' saknas" in out.output
    assert "Inget dokument skrevs" in out.output
    assert not (tmp_path / "b.docx").exists()
    assert broken.read_bytes() == before
