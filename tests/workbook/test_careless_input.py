"""Careless input, as a new user types it: each case gets a located Swedish finding, never silence.

Every case edits one of the example workbooks the way a user would (a cost
copied with its minus sign, the wrong unit, a new Budgetår, a key typed as a
share, ...), runs ``finsam-xl kontrollera --json`` and asserts the rule id, the
Swedish message, the cell and the exit code, and that ``check`` left the file
byte-identical. Where the finding blocks the job, ``recalc`` must refuse too and
leave the file as it was.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from support import digest
from typer.testing import CliRunner

from finsam_xl.cli import app

runner = CliRunner()
Edit = Callable[[Any], None]
SETTINGS = "Inställningar"


def cells(**values: object) -> Edit:
    """Set cells given as Sheet__A1=value ('Installningar' stands for 'Inställningar')."""

    def apply(wb: Any) -> None:
        for key, value in values.items():
            sheet, cell = key.split("__")
            wb[SETTINGS if sheet == "Installningar" else sheet][cell] = value

    return apply


def setting(label: str, value: object) -> Edit:
    """Set the value of the setting whose label starts with ``label`` (found, not assumed)."""

    def apply(wb: Any) -> None:
        ws = wb[SETTINGS]
        for row in range(4, ws.max_row + 1):
            if str(ws.cell(row, 1).value or "").startswith(label):
                ws.cell(row, 2).value = value
                return
        raise AssertionError(f"no setting {label!r}")

    return apply


def both(*edits: Edit) -> Edit:
    def apply(wb: Any) -> None:
        for edit in edits:
            edit(wb)

    return apply


def negate_column(sheet: str, column: str, rows: range) -> Edit:
    def apply(wb: Any) -> None:
        for row in rows:
            cell = wb[sheet][f"{column}{row}"]
            if isinstance(cell.value, int | float) and cell.value:
                cell.value = -cell.value

    return apply


POPULATION = cells(
    Installningar__B19="befolkning",
    Medlemmar__C6=24000,
    Medlemmar__C7=15000,
    Medlemmar__C8=11000,
)


@dataclass
class Case:
    """One careless edit and what the user must be told."""

    id: str
    book: str
    edit: Edit
    rule: str
    text: str
    where: str
    exit_code: int
    severity: str = "error"
    blocked: bool = False  # recalc must refuse and leave the file as it was
    absent: tuple[str, ...] = ()  # rules that must NOT appear (no cascade, no false alarm)
    count: int | None = None  # exactly this many findings of ``rule``
    extra: dict[str, Any] = field(default_factory=dict)


FRYK, DAL, LAP = "fryksdalen-2022", "sodra-dalarna-2025", "sodra-lappland-2024"

CASES: list[Case] = [
    # -- negative costs and income: refused, never silently netted --------------------------
    Case(
        "negative-cost",
        FRYK,
        cells(Rader__I6=-650000),
        "input.cost-negative",
        "'Navet' har en negativ kostnad (2023: \u2212650\u00a0000\u00a0kr). Kostnader skrivs "
        "som positiva belopp, även när förlagan skriver dem med minus; ta bort minustecknet.",
        "Rader!I6",
        1,
        blocked=True,
        absent=("equity.above-recommended", "admin.share", "published.total"),
        count=1,
    ),
    Case(
        "negative-cost-typographic-minus-text",
        FRYK,
        cells(Rader__H10="\u2212300 000"),
        "input.cost-negative",
        "'Förbundschef' har en negativ kostnad (2022: \u2212300\u00a0000\u00a0kr)",
        "Rader!H10",
        1,
        blocked=True,
    ),
    Case(
        "negative-costs-copied-as-printed",
        FRYK,
        both(
            negate_column("Rader", "H", range(4, 17)),
            negate_column("Rader", "I", range(4, 17)),
            negate_column("Rader", "J", range(4, 17)),
        ),
        "input.cost-negative",
        "37 belopp på 13 rader är negativa (första: 'Jämställdhetsarbete Fryksdalen' 2022: "
        "\u2212100\u00a0000\u00a0kr)",
        "Rader!H4",
        1,
        blocked=True,
        count=1,
    ),
    Case(
        "negative-netted-income",
        DAL,
        cells(Rader__I28=-380),
        "input.income-negative",
        "'Intäkter för arbete i ESF projekt' har en negativ intäkt (2025: "
        "\u2212380\u00a0000\u00a0kr). Intäkter skrivs som positiva belopp",
        "Rader!I28",
        1,
        blocked=True,
    ),
    # -- plausibility: unit, frame, amounts -------------------------------------------------
    Case(
        "unit-tkr-but-amounts-in-kronor",
        FRYK,
        cells(Installningar__B6="tkr"),
        "plausible.unit",
        "Enheten är tkr, men beloppen ser ut att vara kronor: medelstilldelningen för 2022 "
        "blir 3\u00a0056\u00a0140\u00a0000\u00a0kr",
        "Inställningar!B6",
        1,
        absent=("plausible.frame-size", "plausible.amount-size"),
        count=1,
    ),
    Case(
        "unit-kr-but-amounts-in-tkr",
        DAL,
        cells(Installningar__B6="kr"),
        "plausible.unit",
        "Enheten är kr, men beloppen ser ut att vara tkr: medelstilldelningen för 2025 blir "
        "bara 6\u00a0184\u00a0kr",
        "Inställningar!B6",
        1,
        count=1,
    ),
    Case(
        "frame-with-a-zero-dropped",
        FRYK,
        cells(Medelstilldelning__C4=305614),
        "plausible.frame-size",
        "Medelstilldelningen för 2022 är 305\u00a0614\u00a0kr, mindre än något "
        "samordningsförbunds ram (brukar vara 0,8\u00a0Mkr–60\u00a0Mkr)",
        "Medelstilldelning!C4",
        1,
        severity="warning",
    ),
    Case(
        "frame-of-300-million",
        LAP,
        cells(Medelstilldelning__C5=300000),
        "plausible.frame-size",
        "Medelstilldelningen för 2024 är 300\u00a0000\u00a0000\u00a0kr, större än något "
        "samordningsförbunds ram",
        "Medelstilldelning!C5",
        1,
        severity="warning",
        absent=("plausible.amount-size",),
    ),
    Case(
        "contribution-in-kronor-in-a-tkr-book",
        DAL,
        cells(Medelstilldelning__C5=6184000),
        "plausible.frame-size",
        "Medelstilldelningen för 2025 är 6\u00a0184\u00a0000\u00a0000\u00a0kr, större än",
        "Medelstilldelning!C5",
        1,
        severity="warning",
        absent=("plausible.unit",),  # the lines are in tkr: one wrong entry, not a wrong unit
    ),
    Case(
        "admin-limit-typed-as-share",
        FRYK,
        cells(Installningar__B15=0.3),
        "plausible.percent-as-share",
        "Gränsen för administrationens andel är 0,3\u00a0%; menades 30\u00a0%? Procentsatser "
        "skrivs som tal (30), inte som andel.",
        "Inställningar!B15",
        0,
        severity="warning",
    ),
    Case(
        "equity-scale-typed-as-share",
        FRYK,
        cells(Installningar__F4=0.2),
        "plausible.percent-as-share",
        "Trappans högsta eget kapital är 0,2\u00a0%; menades 20\u00a0%?",
        "Inställningar!F4",
        0,
        severity="warning",
    ),
    Case(
        "cost-far-beyond-any-forbund",
        FRYK,
        cells(Rader__I6=650000000),
        "plausible.amount-size",
        "'Navet' 2023 = 650\u00a0000\u00a0000\u00a0kr är större än ett samordningsförbunds "
        "hela årsram (högst 60\u00a0Mkr)",
        "Rader!I6",
        1,
        severity="warning",
    ),
    Case(
        "opening-equity-in-kronor-in-a-tkr-book",
        DAL,
        cells(Installningar__B12=700000),
        "plausible.amount-size",
        "Eget kapital vid årets början = 700\u00a0000\u00a0000\u00a0kr är större än",
        "Inställningar!B12",
        1,
        severity="warning",
    ),
    Case(
        "amount-1e28",
        FRYK,
        cells(Rader__I6=1e28),
        "read.number-too-large",
        "Navet, 2023: 1e+28 är orimligt stort; tal måste vara mindre än 1 000 000 000 000",
        "Rader!I6",
        1,
        blocked=True,
    ),
    Case(
        "amount-1e28-in-tkr",
        DAL,
        cells(Medelstilldelning__C5=1e28),
        "read.number-too-large",
        "Medelstilldelning 2025: 1e+28 är orimligt stort",
        "Medelstilldelning!C5",
        1,
        blocked=True,
    ),
    Case(
        "amount-1e300-as-text",
        LAP,
        cells(Rader__I10="1e300"),
        "read.number-too-large",
        "Förbundschef, 2024: 1e300 är orimligt stort",
        "Rader!I10",
        1,
        blocked=True,
    ),
    # -- years: a new Budgetår, fractions, ranges, columns ----------------------------------
    Case(
        "budget-year-changed-last-plan-year-has-no-column",
        DAL,
        cells(Installningar__B7=2026),
        "read.years-changed",
        "Budgetåret eller antalet år är ändrat: åren i Inställningar (2025–2029, "
        "Budgetår 2026) stämmer inte med tabellernas "
        "årsrubriker (Rader: 2024–2028); Medlemmars kolumner 'Fast belopp ÅÅÅÅ' och "
        "Medelstilldelningens år hör till samma år. Kör 'finsam-xl berakna ARBETSBOK'",
        "Rader!H3",
        1,
    ),
    Case(
        "plan-years-raised-fixed-amounts-have-no-column",
        FRYK,
        cells(Installningar__B9=3),
        "read.years-changed",
        "Budgetåret eller antalet år är ändrat: åren i Inställningar (2022–2025, "
        "Budgetår 2022) stämmer inte med tabellernas "
        "årsrubriker",
        "Rader!H3",
        1,
        absent=("read.year-column-missing",),  # one cause, one finding (issue 22)
    ),
    Case(
        "budget-year-changed-opening-equity-year-left-behind",
        FRYK,
        cells(Installningar__B7=2023),
        "read.out-of-range",
        "Eget kapital avser början av år: 2022 är inte ett av budgetens år 2023–2025; ange året "
        "som det ingående egna kapitalet gäller, oftast budgetåret 2023.",
        "Inställningar!B13",
        1,
        blocked=True,
    ),
    Case(
        "opening-equity-copied-with-a-minus",
        FRYK,
        cells(Installningar__B12=-200000),
        "input.equity-opening-negative",
        "Eget kapital vid årets början är negativt (\u2212200\u00a0000\u00a0kr); ett "
        "samordningsförbund får inte ha skulder.",
        "Inställningar!B12",
        1,
        blocked=True,
        absent=("equity.negative", "result.deficit", "published.total"),
        extra={"errors": 1},
    ),
    Case(
        "board-floor-typed-negative",
        FRYK,
        cells(Installningar__B14=-50000),
        "input.equity-floor-negative",
        "Styrelsens lägsta nivå för eget kapital är negativ (\u221250\u00a0000\u00a0kr) och "
        "används inte",
        "Inställningar!B14",
        0,
        severity="warning",
    ),
    Case(
        "budget-year-with-decimals",
        DAL,
        cells(Installningar__B7=2025.9),
        "read.not-an-integer",
        "Budgetår: 2025,9 är inget heltal; skriv ett helt tal (2000–2200).",
        "Inställningar!B7",
        1,
        blocked=True,
    ),
    Case(
        "plan-years-with-decimals",
        DAL,
        cells(Installningar__B9=2.7),
        "read.not-an-integer",
        "Antal planår: 2,7 är inget heltal; skriv ett helt tal (0–5).",
        "Inställningar!B9",
        1,
        blocked=True,
    ),
    Case(
        "plan-years-negative",
        FRYK,
        cells(Installningar__B9=-1),
        "read.out-of-range",
        "Antal planår: -1 ligger utanför det tillåtna 0–5.",
        "Inställningar!B9",
        1,
        blocked=True,
    ),
    Case(
        "plan-years-a-million",
        FRYK,
        cells(Installningar__B9=1000000),
        "read.out-of-range",
        "Antal planår: 1000000 ligger utanför det tillåtna 0–5.",
        "Inställningar!B9",
        1,
        blocked=True,
    ),
    Case(
        "comparison-years-seven",
        LAP,
        cells(Installningar__B8=7),
        "read.out-of-range",
        "Antal jämförelseår: 7 ligger utanför det tillåtna 0–2.",
        "Inställningar!B8",
        1,
        blocked=True,
    ),
    Case(
        "contribution-year-typed-short",
        FRYK,
        cells(Medelstilldelning__A5=23),
        "read.out-of-range",
        "År: 23 ligger utanför det tillåtna 2000–2200.",
        "Medelstilldelning!A5",
        1,
        blocked=True,
    ),
    Case(
        "contribution-year-with-decimals",
        FRYK,
        cells(Medelstilldelning__A5=2023.5),
        "read.not-an-integer",
        "År: 2023,5 är inget heltal",
        "Medelstilldelning!A5",
        1,
        blocked=True,
    ),
    Case(
        "plan-year-column-typed-twice",
        FRYK,
        cells(Rader__J3="2023"),
        "read.year-column-duplicate",
        "Tabellen 'Rader' har två kolumner för 2023 (I3 och J3); ta bort den ena.",
        "Rader!J3",
        1,
        blocked=True,
    ),
    Case(
        "plan-year-column-copied-and-renamed-by-excel",
        FRYK,
        cells(Rader__J3="20232"),
        "read.year-column-duplicate",
        "Kolumnen '20232' i tabellen 'Rader' ser ut att vara en kopia av kolumnen för 2023",
        "Rader!J3",
        1,
        blocked=True,
    ),
    Case(
        "comparison-column-left-outside-after-fewer-comparison-years",
        DAL,
        cells(Installningar__B8=0),
        "lines.year-outside",
        "Kolumnen 2024 har belopp på 25 rader (sammanlagt 8\u00a0430\u00a0000\u00a0kr), men 2024 "
        "är inte ett av budgetens år 2025–2028; beloppen räknas inte.",
        "Rader!H4",
        1,
        severity="warning",
        count=1,
    ),
    # -- keys and members ------------------------------------------------------------------
    Case(
        "missing-percentage-key-root-cause-once",
        DAL,
        cells(Medlemmar__C8=None),
        "input.key-missing",
        "Säters kommun saknar nyckelvärde (procent); medlemmens andel kan inte beräknas.",
        "Medlemmar!C8",
        1,
        blocked=True,
        absent=(
            "contrib.sum",
            "contrib.lawful-split",
            "equity.negative",
            "result.deficit",
            "published.total",
            "published.allocation",
        ),
        count=1,
        extra={"errors": 1},
    ),
    Case(
        "missing-population-root-cause-once",
        DAL,
        both(POPULATION, cells(Medlemmar__C7=None)),
        "input.key-missing",
        "Hedemora kommun saknar nyckelvärde (befolkning)",
        "Medlemmar!C7",
        1,
        blocked=True,
        absent=("contrib.sum", "equity.negative", "equity.below-floor", "published.allocation"),
        count=1,
        extra={"errors": 1},
    ),
    Case(
        "percentage-key-typed-as-share",
        DAL,
        cells(Medlemmar__C6=0.11),
        "input.key-percent-fraction",
        "Avesta kommun har procentnyckeln 0,11 medan de andra kommunerna har 6–8; skrevs 11 % "
        "som andel? Skriv procent som tal (11)",
        "Medlemmar!C6",
        1,
        blocked=True,
        absent=("input.key-percent-sum", "contrib.member-share"),
    ),
    Case(  # the number policy (docs/limits.md, Tal): a comma before three digits is ambiguous
        "population-typed-with-a-decimal-comma",
        DAL,
        both(POPULATION, cells(Medlemmar__C6="23,456")),
        "read.number-ambiguous",
        "Avesta kommun, nyckelvärde: '23,456' kan läsas både som 23 456 (komma mellan tusental) "
        "och som 23,456 (komma före decimaler); skriv 23 456 (med mellanslag) om tusental menas.",
        "Medlemmar!C6",
        1,
        blocked=True,
    ),
    Case(
        "population-typed-with-a-decimal-comma-number",
        DAL,
        both(POPULATION, cells(Medlemmar__C6=23.456)),
        "input.key-population-fraction",
        "Avesta kommun: befolkningen 23,456 är inget helt antal invånare. Menades 23456?",
        "Medlemmar!C6",
        1,
        blocked=True,
    ),
    Case(
        "member-listed-twice-other-case-and-spaces",
        DAL,
        cells(Medlemmar__A7="avesta  KOMMUN"),
        "input.member-duplicate",
        "Medlemmen 'avesta  KOMMUN' står redan tidigare i medlemslistan (stavat 'Avesta "
        "kommun'); varje medlem ska stå en gång.",
        "Medlemmar!A7",
        1,
        blocked=True,
    ),
    # -- dates and numbers as text ---------------------------------------------------------
    Case(
        "adoption-date-as-swedish-text",
        FRYK,
        cells(Installningar__B10="25/11/2021"),
        "read.not-a-date",
        "Beslutsdatum (styrelsen): '25/11/2021' är inget datum (ÅÅÅÅ-MM-DD).",
        "Inställningar!B10",
        1,
        blocked=True,
    ),
    Case(
        "project-end-in-words",
        FRYK,
        cells(Rader__M5="31 december 2022"),
        "read.not-a-date",
        "Prosa, projektslut: '31 december 2022' är inget datum",
        "Rader!M5",
        1,
        blocked=True,
    ),
    Case(
        "amount-with-kr-suffix",
        FRYK,
        cells(Rader__H6="2 425 000 kr"),
        "read.not-a-number",
        "Navet, 2022: '2 425 000 kr' är inte ett belopp eller tal.",
        "Rader!H6",
        1,
        blocked=True,
    ),
]


@pytest.fixture(scope="module")
def careless(
    example_books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("careless")
    out = {}
    for case in CASES:
        path = folder / f"{case.id}.xlsx"
        shutil.copy(example_books[case.book], path)
        wb = load_workbook(path)
        case.edit(wb)
        wb.save(path)
        out[case.id] = path
    return out


def check_json(path: Path) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["kontrollera", "--json", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return result.exit_code, data


def test_the_suite_is_large_enough() -> None:
    assert len(CASES) >= 20
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_check_says_what_and_where(careless: dict[str, Path], case: Case) -> None:
    path = careless[case.id]
    before = digest(path)
    code, data = check_json(path)
    assert code == case.exit_code, data
    found = [f for f in data["findings"] if f["rule"] == case.rule]
    assert found, [f["rule"] for f in data["findings"]]
    hit = [f for f in found if case.text in f["message"]]
    assert hit, [f["message"] for f in found]
    assert hit[0]["location"] == case.where
    assert hit[0]["severity"] == case.severity
    rules = {f["rule"] for f in data["findings"]}
    assert not rules & set(case.absent), rules & set(case.absent)
    if case.count is not None:
        assert len(found) == case.count, [f["message"] for f in found]
    if "errors" in case.extra:
        errors = [f for f in data["findings"] if f["severity"] == "error"]
        assert len(errors) == case.extra["errors"], errors
    assert digest(path) == before


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.blocked], ids=[c.id for c in CASES if c.blocked]
)
def test_recalc_refuses_and_leaves_the_file(careless: dict[str, Path], case: Case) -> None:
    path = careless[case.id]
    before = digest(path)
    result = runner.invoke(app, ["berakna", str(path)])
    assert result.exit_code == 1, result.output
    assert "Inget skrevs" in result.output and "Traceback" not in result.output
    assert f"[{case.rule}] {case.where}: " in result.output
    # the plan computed from untrustworthy input is not shown as if it were the budget
    assert "Resultat" not in result.output.split("Fel [")[0]
    assert digest(path) == before
    assert not path.with_name(f"{path.stem}.backup.xlsx").exists()


def test_root_cause_once_names_what_was_skipped(careless: dict[str, Path]) -> None:
    _, data = check_json(careless["missing-population-root-cause-once"])
    skipped = [f for f in data["findings"] if f["rule"] == "checks.skipped"]
    assert len(skipped) == 1 and skipped[0]["severity"] == "info"
    assert skipped[0]["message"].startswith(
        "Kontrollerna av medlemmarnas bidrag och andelar, eget kapital och resultat och de "
        "publicerade summorna gjordes inte"
    )


def test_percentage_keys_all_written_as_shares_are_read_as_the_same_split(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    """0,5/0,25/0,11/0,08/0,06 (Excel's '11 %') split exactly as 50/25/11/8/6."""
    path = tmp_path / "andelar.xlsx"
    shutil.copy(example_books[DAL], path)
    wb = load_workbook(path)
    for cell, value in (("C4", 0.5), ("C5", 0.25), ("C6", 0.11), ("C7", 0.08), ("C8", 0.06)):
        wb["Medlemmar"][cell] = value
    wb.save(path)
    _, data = check_json(path)
    _, original = check_json(example_books[DAL])
    assert data["allocation"] == original["allocation"]
    assert data["allocation"]["2025"]["Avesta kommun"] == 680240
    rules = {f["rule"] for f in data["findings"]}
    assert not rules & {"input.key-percent-sum", "input.key-percent-fraction"}


def test_iso_date_typed_as_text_is_accepted(example_books: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "datum.xlsx"
    shutil.copy(example_books[FRYK], path)
    wb = load_workbook(path)
    wb[SETTINGS]["B10"] = "2021-11-25"
    wb.save(path)
    code, data = check_json(path)
    assert code == 0
    assert not [f for f in data["findings"] if f["rule"].startswith("read.")]
    assert not [f for f in data["findings"] if f["rule"] == "adopted.late"]


def test_the_frame_setting_lets_a_large_forbund_through(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    """'Rimlig ram: högsta (kr)' is a setting: a förbund that is truly larger says so once."""
    path = tmp_path / "stor.xlsx"
    shutil.copy(example_books[FRYK], path)
    wb = load_workbook(path)
    setting("Rimlig ram: högsta", 1_000_000_000)(wb)
    wb["Rader"]["I6"] = 650_000_000
    wb.save(path)
    _, data = check_json(path)
    assert not [f for f in data["findings"] if f["rule"].startswith("plausible.")]


def test_a_frame_setting_in_the_wrong_order_is_refused(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    path = tmp_path / "ram.xlsx"
    shutil.copy(example_books[FRYK], path)
    wb = load_workbook(path)
    setting("Rimlig ram: lägsta", 9_000_000)(wb)
    setting("Rimlig ram: högsta", 1_000_000)(wb)
    wb.save(path)
    before = digest(path)
    code, data = check_json(path)
    assert code == 1
    invalid = [f for f in data["findings"] if f["rule"] == "read.invalid"]
    assert (
        invalid
        and "rimlig ram: lägsta 9000000 kr ska vara mindre än högsta" in (invalid[0]["message"])
    )
    assert digest(path) == before


@pytest.mark.parametrize("name", [FRYK, DAL, LAP])
def test_the_examples_raise_no_careless_input_finding(
    example_books: dict[str, Path], name: str
) -> None:
    _, data = check_json(example_books[name])
    new_rules = {
        "input.cost-negative",
        "input.income-negative",
        "input.equity-opening-negative",
        "input.equity-floor-negative",
        "input.key-percent-fraction",
        "input.key-population-fraction",
        "plausible.unit",
        "plausible.frame-size",
        "plausible.amount-size",
        "plausible.percent-as-share",
        "checks.skipped",
        "read.number-too-large",
        "read.not-an-integer",
        "read.out-of-range",
        "read.year-column-missing",
        "read.year-column-duplicate",
    }
    assert not {f["rule"] for f in data["findings"]} & new_rules


@pytest.mark.parametrize(
    ("amount", "rule", "text"),
    [
        # 32 digits: the SIE reader refuses the row (decimal.InvalidOperation before)
        ("10000000000000000000000000000000", "sie.huge_amount", "Orimligt stort belopp"),
        # 13 digits pass the SIE format's limit (15) but not the books' money limit
        ("2000000000000", "sie.amount-too-large", "gränsen är 1 000 000 000 000 kr"),
    ],
)
def test_a_huge_amount_in_the_books_is_refused_not_a_crash(
    tmp_path: Path, amount: str, rule: str, text: str
) -> None:
    """A located SIE error, exit 1, the workbook unchanged."""
    import synthetic_books as sb

    from finsam_xl import jobs

    book, books = tmp_path / "sd.xlsx", tmp_path / "stor.se"
    jobs.new(sb.budget_with_mapping(), book)
    sb.make_books(books)
    data = books.read_bytes()
    for old, new in (
        (b'#TRANS 5010 {1 "20000"} 11679\r', f'#TRANS 5010 {{1 "20000"}} {amount}\r'.encode()),
        (b"#TRANS 1930 {} -11679\r", f"#TRANS 1930 {{}} -{amount}\r".encode()),
    ):
        assert old in data
        data = data.replace(old, new, 1)
    books.write_bytes(data)
    before = digest(book)
    result = runner.invoke(app, ["avstamning", str(book), str(books)])
    assert result.exit_code == 1, result.output
    assert (
        "Traceback" not in result.output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )
    assert f"Fel [{rule}] stor.se:" in result.output
    assert text in result.output
    assert digest(book) == before
