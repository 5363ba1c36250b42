"""Next year's workbook (jobs.next_year, workbook.editor): content, history, preservation."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table
from support import EXAMPLE_NAMES, EXAMPLES, SOFFICE, TO_XLSX, libreoffice_convert

from finsam_xl import jobs
from finsam_xl.books.closing import closing_equity_from_sie
from finsam_xl.books.ledger import BooksError
from finsam_xl.core.next_year import NextYearError, roll_forward
from finsam_xl.errors import BlockedError, UsageError
from finsam_xl.jobs.next_year import next_year_or_raise as rollover
from finsam_xl.jobs.next_year import write_next_year as next_year
from finsam_xl.model.budget import Budget, MappingRule, MappingTarget
from finsam_xl.model.interchange import load
from finsam_xl.workbook.editor import HISTORY_COLUMNS
from finsam_xl.workbook.reader import read_workbook
from finsam_xl.xlsx.shift import shift_address, shift_formula

D = Decimal
WHEN = datetime(2024, 10, 15, 9, 30)


def autumn(year: int) -> date:
    return date(year, 10, 15)


def example(name: str) -> Budget:
    return load(EXAMPLES / f"{name}.yaml")


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name -> a generated .xlsx of that example (copy before changing it)."""
    folder = tmp_path_factory.mktemp("rollover-examples")
    made = {}
    for name in EXAMPLE_NAMES:
        made[name] = folder / f"{name}.xlsx"
        jobs.new(example(name), made[name])
    return made


def copy_of(books: dict[str, Path], name: str, folder: Path) -> Path:
    path = folder / f"{name}.xlsx"
    shutil.copy(books[name], path)
    return path


def roll(src: Path, out: Path, **kw: Any) -> jobs.Outcome:
    year = read_workbook(src).budget.years.budget  # type: ignore[union-attr]
    kw.setdefault("today", autumn(year))
    kw.setdefault("when", WHEN)
    return next_year(src, out, **kw)


def table_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every Excel table's rows (header first), by table name."""
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for name, ref in ws.tables.items():
            out[name] = [tuple(c.value for c in row) for row in ws[ref]]
    return out


def all_values(path: Path) -> dict[tuple[str, str], Any]:
    wb = load_workbook(path)
    return {
        (ws.title, cell.coordinate): cell.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    }


def kontroller_rules(path: Path) -> list[str]:
    ws = load_workbook(path)["Kontroller"]
    return [r[6] for r in ws.iter_rows(min_row=5, values_only=True) if r[6]]  # Regel (code)


# --- content ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_example_workbook_rolls_like_the_core(
    name: str, books: dict[str, Path], tmp_path: Path
) -> None:
    src = copy_of(books, name, tmp_path)
    out = tmp_path / "next.xlsx"
    outcome = roll(src, out)
    assert outcome.written == out.resolve()
    old = example(name)
    expected = roll_forward(old, today=autumn(old.years.budget)).budget
    assert outcome.budget == expected
    back = read_workbook(out)
    assert back.budget == expected
    assert not [f for f in back.findings if f.blocking]
    new_years = [str(y) for y in expected.years.all]
    headers = table_rows(out)["Rader"][0]
    assert [h for h in headers if str(h).isdigit()] == new_years
    members = table_rows(out)["Medlemmar"][0]
    assert [h for h in members if str(h).startswith("Fast belopp")] == [
        f"Fast belopp {y}" for y in new_years
    ]


def test_sodra_lappland_settings_and_tables(books: dict[str, Path], tmp_path: Path) -> None:
    src = copy_of(books, "sodra-lappland-2024", tmp_path)
    out = tmp_path / "next.xlsx"
    roll(src, out)
    settings = {row[0]: row[1] for row in table_rows(out)["Installningar"][1:]}
    assert settings["Budgetår"] == 2025
    assert settings["Antal jämförelseår"] == 1
    assert settings["Antal planår"] == 2
    assert settings["Eget kapital vid årets början"] == 1665  # tkr
    assert settings["Eget kapital avser början av år"] == 2025
    assert settings["Beslutsdatum (styrelsen)"] is None
    assert settings["Rubrik i publicerad tabell"] is None
    contributions = [r for r in table_rows(out)["Medelstilldelning"][1:] if any(r)]
    assert [r[0] for r in contributions] == [2024, 2025, 2026, 2027]
    assert all(not any(r) for r in table_rows(out)["Publicerat"][1:])
    plan = load_workbook(out)["Plan"]
    assert [c.value for c in plan[4][1:5]] == [
        "Budget 2024",  # a comparison year is labelled by its kind (default Budget)
        "Budget 2025",
        "Plan 2026",
        "Plan 2027",
    ]
    assert load_workbook(out)["Instruktioner"]["A1"].value.startswith("Budget 2025")


def test_fryksdalen_gets_a_comparison_column_and_prosa_is_empty_from_2023(
    books: dict[str, Path], tmp_path: Path
) -> None:
    src = copy_of(books, "fryksdalen-2022", tmp_path)
    out = tmp_path / "next.xlsx"
    outcome = roll(src, out)
    rows = table_rows(out)["Rader"]
    header = list(rows[0])
    prosa = next(r for r in rows if r[header.index("Benämning")] == "Prosa")
    years = {h: prosa[i] for i, h in enumerate(header) if str(h).isdigit()}
    assert years == {"2022": 250000, "2023": None, "2024": None, "2025": None}
    assert prosa[header.index("Projektslut")] == datetime(2022, 10, 31)  # "pågår tom oktober 2022"
    assert "rollover.insats-ended" in kontroller_rules(out)
    assert any("Prosa" in f.message for f in outcome.findings if f.rule == "rollover.insats-ended")
    wb = load_workbook(out)
    chart = wb["Plan"]._charts[0]
    assert chart.series[0].val.numRef.f == "'Plan'!$B$17:$E$17"  # four years now
    from finsam_xl.xlsx.cells import parse_range

    area = str(wb["Plan"].print_area).rpartition("!")[2]
    _, _, last_row, last_col = parse_range(area)
    assert last_col >= 5 and last_row >= 45  # the four year columns and the chart below


def test_history_records_each_rollover(books: dict[str, Path], tmp_path: Path) -> None:
    src = copy_of(books, "sodra-lappland-2024", tmp_path)
    first, second = tmp_path / "2025.xlsx", tmp_path / "2026.xlsx"
    roll(src, first, closing_equity=D(1700000))
    rows = table_rows(first)["Historik"]
    assert rows[0] == HISTORY_COLUMNS
    assert rows[1][:4] == (WHEN, "sodra-lappland-2024.xlsx", 2024, 2025)
    assert "1\u00a0700\u00a0000\u00a0kr (bokslut)" in rows[1][4]
    roll(first, second, today=autumn(2025), when=datetime(2025, 10, 1, 8, 0))
    rows = table_rows(second)["Historik"]
    assert [r[1:4] for r in rows[1:]] == [
        ("sodra-lappland-2024.xlsx", 2024, 2025),
        ("2025.xlsx", 2025, 2026),
    ]


def test_findings_are_recalculated_in_the_new_workbook(
    books: dict[str, Path], tmp_path: Path
) -> None:
    src = copy_of(books, "sodra-dalarna-2025", tmp_path)
    out = tmp_path / "next.xlsx"
    outcome = roll(src, out)
    written = kontroller_rules(out)
    # findings repeated over years share one row: compare the rules in first-seen order
    assert list(dict.fromkeys(written)) == list(dict.fromkeys(f.rule for f in outcome.findings))
    checked = jobs.check(out).findings
    assert [(f.rule, f.location) for f in checked] == [
        (f.rule, f.location) for f in outcome.findings if not f.rule.startswith("rollover.")
    ]
    ws = load_workbook(out)["Kontroller"]
    below = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[6] == "equity.below-floor"]
    assert below and "2026" in below[0][3] and below[0][1] == "Under styrelsens lägsta nivå"


def test_a_rollover_below_the_floor_is_flagged_in_the_new_file(tmp_path: Path) -> None:
    old = example("sodra-lappland-2024")
    old = old.model_copy(update={"equity": old.equity.model_copy(update={"floor": D(700000)})})
    src = tmp_path / "lappland.xlsx"
    jobs.new(old, src)
    assert "equity.below-floor" not in kontroller_rules(src)
    roll(src, tmp_path / "forecast.xlsx")
    assert "equity.below-floor" not in kontroller_rules(tmp_path / "forecast.xlsx")
    roll(src, tmp_path / "actual.xlsx", closing_equity=D(1000000))
    ws = load_workbook(tmp_path / "actual.xlsx", data_only=True)["Kontroller"]
    flagged = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[6] == "equity.below-floor"]
    # one row on screen when the message repeats over the years; every cell is marked
    assert flagged and flagged[0][2] == "Plan!C17"
    marked = [(r[8], r[9]) for r in ws.iter_rows(min_row=5, values_only=True) if r[8]]
    assert {("Plan", "C17"), ("Plan", "D17"), ("Plan", "E17")} <= set(marked)


def test_state_allocation_and_comment_on_a_kept_year_move_together(
    books: dict[str, Path], tmp_path: Path
) -> None:
    src = copy_of(books, "sodra-dalarna-2025", tmp_path)
    wb = load_workbook(src)
    ws = wb["Medelstilldelning"]
    row = next(r for r in range(4, 10) if ws.cell(r, 1).value == 2026)
    ws.cell(row, 3).comment = Comment("Äskat i september", "Chef")
    wb.save(src)
    out = tmp_path / "next.xlsx"
    roll(src, out, state_allocation=D(3200000))
    ws = load_workbook(out)["Medelstilldelning"]
    rows = {ws.cell(r, 1).value: r for r in range(4, 10) if ws.cell(r, 1).value}
    assert list(rows) == [2025, 2026, 2027, 2028, 2029]
    assert ws.cell(rows[2026], 2).value == "Statens belopp"
    assert ws.cell(rows[2026], 3).value == 3200  # tkr
    assert ws.cell(rows[2026], 3).comment.text == "Äskat i september"
    assert ws.cell(rows[2026], 4).value == "Ja"


# --- re-running and refusing -----------------------------------------------------------------


def test_running_twice_gives_the_same_workbook_apart_from_timestamps(
    books: dict[str, Path], tmp_path: Path
) -> None:
    src = copy_of(books, "fryksdalen-2022", tmp_path)
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    roll(src, a, when=datetime(2022, 10, 1, 8, 0))
    roll(src, b, when=datetime(2022, 10, 2, 17, 45))
    assert read_workbook(a).budget == read_workbook(b).budget
    ta, tb = table_rows(a), table_rows(b)
    assert ta["Historik"][1][0] != tb["Historik"][1][0]
    ta["Historik"] = [r[1:] for r in ta["Historik"]]
    tb["Historik"] = [r[1:] for r in tb["Historik"]]
    assert ta == tb
    va, vb = all_values(a), all_values(b)
    stamps = {("Historik", "A4"), ("Plan", "A2")}
    assert {k for k in va.keys() | vb.keys() if va.get(k) != vb.get(k)} == stamps


def test_the_input_is_never_written(books: dict[str, Path], tmp_path: Path) -> None:
    src = copy_of(books, "sodra-lappland-2024", tmp_path)
    before = src.read_bytes()
    roll(src, tmp_path / "next.xlsx")
    assert src.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["next.xlsx", "sodra-lappland-2024.xlsx"]


def test_writing_over_the_input_is_refused(books: dict[str, Path], tmp_path: Path) -> None:
    src = copy_of(books, "sodra-lappland-2024", tmp_path)
    before = src.read_bytes()
    for out in (src, tmp_path / "x" / ".." / src.name):
        with pytest.raises(UsageError, match="får inte skriva över"):
            roll(src, out)
    assert src.read_bytes() == before


def test_a_workbook_already_rolled_is_refused(books: dict[str, Path], tmp_path: Path) -> None:
    src = copy_of(books, "sodra-lappland-2024", tmp_path)
    rolled = tmp_path / "2025.xlsx"
    roll(src, rolled)
    before = rolled.read_bytes()
    with pytest.raises(NextYearError, match="redan vara framrullad"):
        next_year(rolled, tmp_path / "again.xlsx", today=autumn(2024))
    with pytest.raises(NextYearError, match="redan vara framrullad"):
        next_year(src, tmp_path / "again.xlsx", today=autumn(2024), target_year=2024)
    assert rolled.read_bytes() == before
    assert not (tmp_path / "again.xlsx").exists()


def test_file_types_must_match(books: dict[str, Path], tmp_path: Path) -> None:
    src = copy_of(books, "sodra-lappland-2024", tmp_path)
    with pytest.raises(UsageError, match="samma filtyp"):
        roll(src, tmp_path / "next.xlsm")
    with pytest.raises(UsageError, match="samma filtyp"):
        roll(src, tmp_path / "next.yaml")


def test_input_errors_write_nothing(books: dict[str, Path], tmp_path: Path) -> None:
    src = copy_of(books, "sodra-lappland-2024", tmp_path)
    wb = load_workbook(src)
    wb["Rader"]["H4"] = "sjuttiofem"
    wb.save(src)
    out = tmp_path / "next.xlsx"
    outcome = next_year(src, out, today=autumn(2024))
    assert outcome.written is None and not out.exists()
    assert any(f.rule == "read.not-a-number" and f.location == "Rader!H4" for f in outcome.findings)
    with pytest.raises(BlockedError, match="Rätta felen"):
        rollover(src, out)


def test_the_buttons_entry_point_writes_next_years_workbook(
    books: dict[str, Path], tmp_path: Path
) -> None:
    src = copy_of(books, "sodra-dalarna-2025", tmp_path)
    out = tmp_path / "next.xlsx"
    outcome = rollover(src, out)  # today: the machine's date, after 2025
    assert outcome.written == out.resolve()
    assert read_workbook(out).budget.years.budget == 2026  # type: ignore[union-attr]


# --- preservation ----------------------------------------------------------------------------


def user_edit(path: Path, keep_vba: bool = False) -> dict[str, Any]:
    """What a user adds: own sheet with formulas, a comment, formats, a column, defined names."""
    wb = load_workbook(path, keep_vba=keep_vba)
    rader = wb["Rader"]
    table = rader.tables["Rader"]
    last_col = rader.max_column + 1
    slut = next(c for c in range(1, last_col) if rader.cell(3, c).value == "Projektslut")
    slut_letter = rader.cell(3, slut).column_letter
    own = wb.create_sheet("Mina anteckningar")
    own["A1"] = "Egen kalkyl"
    own["B2"] = "=Rader!H4*2"
    own["B3"] = f"=Rader!{slut_letter}5"
    own["B4"] = "=SUM(Rader[Benämning])"
    own["C1"].font = Font(italic=True, color="0000FF")
    rader["F4"].comment = Comment("Kolla med revisorn", "Anna")
    rader["F5"].font = Font(bold=True, color="FF0000")
    rader["F5"].fill = PatternFill("solid", fgColor="FFFF00")
    rader.cell(3, last_col, "Egen kolumn")
    rader.cell(4, last_col, "notering")
    for col in range(1, 13):  # a table of the user's own below Rader, across the year columns
        rader.cell(60, col, f"Rubrik {col}")
        rader.cell(61, col, col)
    rader.add_table(Table(displayName="MinTabell", ref="A60:L61"))
    wb.defined_names["MinSumma"] = DefinedName("MinSumma", attr_text="'Mina anteckningar'!$B$2")
    wb.defined_names["Projektslut"] = DefinedName(
        "Projektslut", attr_text=f"Rader!${slut_letter}$4:${slut_letter}$20"
    )
    assert table.ref
    wb.save(path)
    return {"slut": slut, "extra": last_col}


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize(
    ("name", "xlsm", "inserted"),
    [
        ("sodra-lappland-2024", False, 0),  # same number of years: headers relabelled
        ("fryksdalen-2022", False, 1),  # one year more: a column is inserted
        ("sodra-dalarna-2025", True, 0),  # macros and buttons
    ],
)
def test_user_additions_survive_a_rollover(
    name: str, xlsm: bool, inserted: int, tmp_path: Path
) -> None:
    suffix = ".xlsm" if xlsm else ".xlsx"
    src = tmp_path / f"{name}{suffix}"
    jobs.new(example(name), src, xlsm=xlsm)
    where = user_edit(src, keep_vba=xlsm)
    before = parts(src)
    out = tmp_path / f"next{suffix}"
    roll(src, out)
    assert parts(src) == before
    after = parts(out)
    wb = load_workbook(out, keep_vba=xlsm)
    slut = wb["Rader"].cell(3, where["slut"] + inserted).column_letter
    own = wb["Mina anteckningar"]
    assert own["A1"].value == "Egen kalkyl"
    assert own["B2"].value == "=Rader!H4*2"
    assert own["B3"].value == f"=Rader!{slut}5"
    assert own["B4"].value == "=SUM(Rader[Benämning])"
    assert own["C1"].font.italic and own["C1"].font.color.rgb == "000000FF"
    rader = wb["Rader"]
    assert rader["F4"].comment.text == "Kolla med revisorn"
    assert rader["F4"].comment.author == "Anna"
    assert rader["F5"].font.bold and rader["F5"].font.color.rgb == "00FF0000"
    assert rader["F5"].fill.fgColor.rgb == "00FFFF00"
    assert rader.cell(3, where["extra"] + inserted).value == "Egen kolumn"
    assert rader.cell(4, where["extra"] + inserted).value == "notering"
    assert rader.cell(3, where["slut"] + inserted).value == "Projektslut"
    assert wb.defined_names["MinSumma"].attr_text == "'Mina anteckningar'!$B$2"
    assert wb.defined_names["Projektslut"].attr_text == f"Rader!${slut}$4:${slut}$20"
    assert not [f for f in read_workbook(out).findings if f.blocking]
    mine = rader.tables["MinTabell"]
    assert mine.ref == f"A60:{rader.cell(1, 12 + inserted).column_letter}61"
    for sheet in wb.worksheets:  # every table's header cells still name its columns
        for table in sheet.tables.values():
            header = [c.value for c in sheet[table.ref][0]]
            assert header == [c.name for c in table.tableColumns], table.displayName
    if xlsm:
        assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
        vml = [n for n in before if n.startswith("xl/drawings/vmlDrawing")]
        assert vml and all(after[n] == before[n] for n in vml)
        assert b"NyttAr" in b"".join(after[n] for n in vml)
        assert wb.vba_archive is not None
        old = load_workbook(src, keep_vba=True)
        codes = [ws.sheet_properties.codeName for ws in old.worksheets]
        assert [ws.sheet_properties.codeName for ws in wb.worksheets][: len(codes)] == codes
        assert wb.code_name == old.code_name == "ThisWorkbook"


# --- the books -------------------------------------------------------------------------------

SIE_HEAD = (
    '#FLAGGA 0\n#FORMAT PC8\n#SIETYP 4\n#PROGRAM "test" 1\n#GEN 20250115\n'
    '#FNAMN "Samordningsforbundet"\n#RAR 0 {year}0101 {year}1231\n#OMFATTN {covered}\n'
    '#KONTO 1930 "Bank"\n#KONTO 2010 "Eget kapital"\n#KONTO 2099 "Arets resultat"\n'
)


def sie(path: Path, body: str, year: int = 2024, covered: str = "20241231") -> Path:
    path.write_text(SIE_HEAD.format(year=year, covered=covered) + body, encoding="cp437")
    return path


def test_closing_equity_is_the_ub_of_the_equity_accounts(tmp_path: Path) -> None:
    budget = example("sodra-lappland-2024")
    books = sie(
        tmp_path / "b.se",
        "#UB 0 1930 1700000.00\n#UB 0 2010 -2096000.00\n#UB 0 2099 396000.00\n"
        "#RES 0 3010 -3752000.00\n#RES 0 5010 4148000.00\n#RES 0 8999 -396000.00\n",
    )
    equity, findings = closing_equity_from_sie(books, budget)
    assert equity == D(1700000)
    assert [f.rule for f in findings] == ["rollover.books-equity"]


def test_an_unbooked_result_is_counted_in_equity(tmp_path: Path) -> None:
    budget = example("sodra-lappland-2024")
    books = sie(
        tmp_path / "b.se",
        "#UB 0 1930 1700000.00\n#UB 0 2010 -2096000.00\n"
        "#RES 0 3010 -3752000.00\n#RES 0 5010 4148000.00\n",
    )
    equity, findings = closing_equity_from_sie(books, budget)
    assert equity == D(1700000)
    assert "rollover.books-result" in [f.rule for f in findings]


def test_without_ub_the_closing_balances_are_computed_from_the_vouchers(tmp_path: Path) -> None:
    budget = example("sodra-lappland-2024")
    books = sie(
        tmp_path / "b.se",
        "#IB 0 1930 1796000.00\n#IB 0 2010 -1796000.00\n"
        '#VER A 1 20240315 "Lön"\n{\n#TRANS 1930 {} -100000.00\n#TRANS 5010 {} 100000.00\n}\n',
    )
    equity, findings = closing_equity_from_sie(books, budget)
    assert equity == D(1696000)
    rules = [f.rule for f in findings]
    assert "rollover.books-computed" in rules and "rollover.books-result" in rules


def test_the_mapping_names_the_equity_accounts_and_partial_books_warn(tmp_path: Path) -> None:
    budget = example("sodra-lappland-2024")
    rule = MappingRule(accounts="2080-2089", target=MappingTarget.EQUITY)
    budget = budget.model_copy(
        update={"settings": budget.settings.model_copy(update={"mappings": [rule]})}
    )
    books = sie(
        tmp_path / "b.se",
        "#UB 0 1930 500000.00\n#UB 0 2081 -500000.00\n#UB 0 2010 -9.00\n#UB 0 1510 9.00\n",
        covered="20240831",
    )
    equity, findings = closing_equity_from_sie(books, budget)
    assert equity == D(500000)
    assert "rollover.books-partial" in [f.rule for f in findings]


def test_books_of_another_year_are_refused(books: dict[str, Path], tmp_path: Path) -> None:
    src = copy_of(books, "sodra-lappland-2024", tmp_path)
    wrong = sie(tmp_path / "b.se", "#UB 0 2010 -1.00\n#UB 0 1930 1.00\n", year=2023)
    with pytest.raises(BooksError, match="räkenskapsåret 2023-01-01–2023-12-31"):
        roll(src, tmp_path / "next.xlsx", books=wrong)
    empty = sie(tmp_path / "c.se", "#UB 0 1930 0.00\n")
    with pytest.raises(BooksError, match="inga utgående balanser"):
        roll(src, tmp_path / "next.xlsx", books=empty)
    assert not (tmp_path / "next.xlsx").exists()


def test_next_year_from_the_books(books: dict[str, Path], tmp_path: Path) -> None:
    src = copy_of(books, "sodra-lappland-2024", tmp_path)
    ledger = sie(tmp_path / "b.se", "#UB 0 1930 1700000.00\n#UB 0 2010 -1700000.00\n")
    out = tmp_path / "next.xlsx"
    outcome = roll(src, out, books=ledger)
    assert read_workbook(out).budget.equity.opening == D(1700000)  # type: ignore[union-attr]
    rules = [f.rule for f in outcome.findings]
    assert "rollover.equity-actual" in rules and "rollover.books-equity" in rules
    with pytest.raises(UsageError, match="inte båda"):
        roll(src, out, books=ledger, closing_equity=D(1))


# --- moving references -----------------------------------------------------------------------


def test_shift_address_and_formula() -> None:
    assert shift_address("K4", 11, 1) == "L4"
    assert shift_address("$J$4:$K$9", 11, 1) == "$J$4:$L$9"  # spans the insertion: grows
    assert shift_address("A4:J4", 11, 1) == "A4:J4"
    assert shift_address("K:K", 11, 1) == "L:L"
    assert shift_address("4:4", 11, 1) == "4:4"
    assert shift_address("TAX", 11, 1) == "TAX"
    f = "=SUM(Rader!K4:M4)+'Rader'!$B$1+K4+Other!K4+Rader[2024]+fx_name"
    assert shift_formula(f, "Rader", "Rader", 11, 1) == (
        "=SUM(Rader!L4:N4)+'Rader'!$B$1+L4+Other!K4+Rader[2024]+fx_name"
    )
    assert shift_formula(f, "Other", "Rader", 11, 1) == (
        "=SUM(Rader!L4:N4)+'Rader'!$B$1+K4+Other!K4+Rader[2024]+fx_name"
    )
    assert shift_formula("Rader!$K$4:$K$9", None, "Rader", 11, 1) == "Rader!$L$4:$L$9"


# --- LibreOffice ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) saknas")
def test_libreoffice_opens_rolled_workbooks(books: dict[str, Path], tmp_path: Path) -> None:
    rolled = []
    for name in EXAMPLE_NAMES:
        out = tmp_path / f"{name}-next.xlsx"
        roll(copy_of(books, name, tmp_path), out)
        rolled.append(out)
    converted = tmp_path / "lo"
    libreoffice_convert(rolled, converted, TO_XLSX)
    for path in rolled:
        assert read_workbook(converted / path.name).budget == read_workbook(path).budget


class _App:
    def __init__(self) -> None:
        self.alerts: list[str] = []

    def alert(self, prompt: str, **_: Any) -> None:
        self.alerts.append(prompt)


class _Book:
    def __init__(self, path: Path) -> None:
        self.fullname = str(path)
        self.app = _App()


def test_the_nytt_ar_button_uses_this_module(books: dict[str, Path], tmp_path: Path) -> None:
    from finsam_xl.excel import button

    src = copy_of(books, "sodra-dalarna-2025", tmp_path)
    book = _Book(src)
    out = button.next_year(book)
    assert out == tmp_path / "sodra-dalarna-2025 (nästa år).xlsx"
    assert "Öppna den och tryck Beräkna" in book.app.alerts[-1]
    assert read_workbook(out).budget.years.budget == 2026  # type: ignore[union-attr]


SYSTEM_PYTHON = "/usr/bin/python3"
PROBE = Path(__file__).parent / "vba" / "lo_probe.py"


def _uno_available() -> bool:
    if SOFFICE is None or not Path(SYSTEM_PYTHON).exists() or not PROBE.exists():
        return False
    check = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, timeout=30, check=False
    )
    return check.returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not _uno_available(), reason="LibreOffice med python3-uno saknas")
def test_libreoffice_sees_the_macros_and_buttons_of_a_rolled_xlsm(tmp_path: Path) -> None:
    import json

    src, out = tmp_path / "d.xlsm", tmp_path / "next.xlsm"
    jobs.new(example("sodra-dalarna-2025"), src, xlsm=True)
    roll(src, out)
    requests = [{"path": str(p), "run": [], "cells": []} for p in (src, out)]
    done = subprocess.run(
        [SYSTEM_PYTHON, str(PROBE), str(tmp_path / "profile"), json.dumps(requests)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    before, after = json.loads(done.stdout)
    assert "error" not in after
    assert after["libraries"] == before["libraries"]
    assert after["controls"] == before["controls"]
    assert [c["label"] for c in after["controls"]] == [
        "Beräkna",
        "Kontrollera",
        "Nytt år",
        "Självtest",
    ]
    assert after["sheets"][: len(before["sheets"])] == before["sheets"]
    assert after["sheets"][-1]["name"] == "Historik"


def test_the_utfall_table_gets_the_closing_year(books: dict[str, Path], tmp_path: Path) -> None:
    src = copy_of(books, "sodra-dalarna-2025", tmp_path)
    out = tmp_path / "next.xlsx"
    roll(src, out, closing_equity=D(420_000))
    from openpyxl import load_workbook

    ws = load_workbook(out)["Utfall"]
    table = ws.tables["Utfall"]
    rows = list(ws[table.ref])
    headers = [c.value for c in rows[0]]
    data = [dict(zip(headers, (c.value for c in r), strict=True)) for r in rows[1:]]
    years = [r["År"] for r in data if r["År"] is not None]
    assert years == sorted(years) and years[-1] == 2025
    last = data[years.index(2025)]
    assert last["Utfall eller prognos"] == "Utfall"
    assert last["Eget kapital 31/12"] in (420, 420_000)  # the workbook's unit
    back = read_workbook(out)
    assert back.budget is not None
    assert [a.year for a in back.budget.actuals][-1] == 2025


def test_historik_prints_like_the_computed_sheets(books: dict[str, Path], tmp_path: Path) -> None:
    src = copy_of(books, "fryksdalen-2022", tmp_path)
    out = tmp_path / "next.xlsx"
    roll(src, out)
    ws = load_workbook(out)["Historik"]
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.oddHeader.left.text == "Fryksdalens Samordningsförbund"
    assert ws.oddFooter.right.text == "Sida &P av &N"


def test_next_year_clears_last_years_avstamning_and_uppfoljning(tmp_path: Path) -> None:
    """The reconciliation of the old year does not follow the workbook into the new one."""
    import synthetic_books as sb

    book, ledger = tmp_path / "sd.xlsx", tmp_path / "bok.se"
    jobs.new(sb.budget_with_mapping(), book)
    sb.make_books(ledger)
    done = jobs.reconcile_workbook(book, ledger, "2025-08")
    assert done.written is not None
    wb = load_workbook(book)
    assert any(c.value for row in wb["Uppföljning"].iter_rows(min_row=4) for c in row)
    out = tmp_path / "next.xlsx"
    roll(book, out)
    wb = load_workbook(out)
    for sheet, text in (
        ("Avstämning", "Ingen avstämning för 2026 ännu."),
        ("Uppföljning", "Ingen uppföljning för 2026 ännu."),
    ):
        values = [c.value for row in wb[sheet].iter_rows() for c in row if c.value is not None]
        assert text in values and len(values) <= 2, (sheet, values[:5])  # the title may stay
