"""Text that looks like a formula, numbers typed as text, and messages at the right cell (issue 18).

In the style of test_careless_input.py: each case edits a copy of Södra Dalarna
2025 (``SD``) with openpyxl, runs ``finsam-xl kontrollera --json`` and asserts the
rule, the Swedish message, the cell and the exit code, and that the file is
byte-identical afterwards (sha256). "Text" is a cell with ``data_type='s'``,
which is what a value typed in Excel with a leading apostrophe becomes.

* Item 7: only a cell whose type is formula is a formula.
* Item 8: the number policy (docs/limits.md, "Tal"), for cells, CSV and CLI.
* Messages: a formula too long to evaluate, a formula result too large, an
  Utfall year after the budget year, Periodisering with 12 zeros or negatives.
* Item 9: Utfall's equity 31/12 against the opening equity, at the Utfall cell.
* Item 14: ``nytt-ar "=1+1.xlsx"`` writes the file name as text in Historik.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from support import digest
from typer.testing import CliRunner

from finsam_xl.books.ledger import read_csv_books
from finsam_xl.cli import app

runner = CliRunner()
Edit = Callable[[Any], None]
SD = "sodra-dalarna-2025"


def text(**values: str) -> Edit:
    """Set cells (Sheet__A1) to text: ``data_type='s'`` even when the text starts with '='."""

    def apply(wb: Any) -> None:
        for key, value in values.items():
            sheet, cell = key.split("__")
            target = wb["Inställningar" if sheet == "Installningar" else sheet][cell]
            target.value = value
            target.data_type = "s"

    return apply


def cells(**values: object) -> Edit:
    """Set cells (Sheet__A1) as openpyxl does: a str starting with '=' is a formula."""

    def apply(wb: Any) -> None:
        for key, value in values.items():
            sheet, cell = key.split("__")
            wb["Inställningar" if sheet == "Installningar" else sheet][cell] = value

    return apply


@dataclass
class Case:
    """One edit and what the user must be told."""

    id: str
    edit: Edit
    rule: str
    text: str
    where: str
    exit_code: int = 1
    severity: str = "error"
    blocked: bool = True  # recalc refuses too and leaves the file as it was


LONG_SUM = "=" + "+".join(["1"] * 5000)
CASES: list[Case] = [
    # -- item 7: a text cell that starts with '=' is text -----------------------------------
    Case(
        "amount-as-text-starting-with-equals",
        text(Rader__I4="=1000"),
        "read.text-not-number",
        "Konsulttjänster (revision), 2025: '=1000' är text, inte ett tal eller en formel (cellen "
        "är formaterad som Text eller inledd med apostrof), och Excel räknar inte med den i "
        "summor. Skriv in beloppet som ett tal.",
        "Rader!I4",
    ),
    # -- item 8: the number policy in cells --------------------------------------------------
    Case(
        "percent-in-an-amount-cell",
        text(Rader__I4="50%"),
        "read.not-a-number",
        "Konsulttjänster (revision), 2025: '50%' är en procentsats, inte ett belopp; skriv "
        "beloppet utan %.",
        "Rader!I4",
    ),
    Case(
        "thousands-or-decimals-comma",
        text(Rader__I5="1,234"),
        "read.number-ambiguous",
        "Löner arbetad tid, 2025: '1,234' kan läsas både som 1 234 (komma mellan tusental) och "
        "som 1,234 (komma före decimaler); skriv 1 234 (med mellanslag) om tusental menas.",
        "Rader!I5",
    ),
    Case(
        "thousands-or-decimals-point",
        text(Rader__I5="1.234"),
        "read.number-ambiguous",
        "'1.234' kan läsas både som 1 234 (punkt mellan tusental) och som 1,234 (punkt före "
        "decimaler)",
        "Rader!I5",
    ),
    Case(
        "spaces-that-do-not-group-thousands",
        text(Rader__I5="1 23"),
        "read.not-a-number",
        "Löner arbetad tid, 2025: '1 23' har mellanslag som inte skiljer tusental (grupper om "
        "tre siffror).",
        "Rader!I5",
    ),
    # -- messages: at the cell, in words -----------------------------------------------------
    Case(
        "formula-of-5000-terms",
        cells(Rader__I4=LONG_SUM),
        "read.formula",
        "(formeln är längre än Excels gräns på 8192 tecken)",
        "Rader!I4",
    ),
    Case(
        "formula-of-nested-signs",
        cells(Rader__I4="=" + "-" * 3000 + "1"),
        "read.formula",
        "(formeln är för lång eller för djupt nästlad för att räknas här)",
        "Rader!I4",
    ),
    Case(
        "formula-result-too-large",
        cells(Rader__I4="=1e20*1e20"),
        "read.number-too-large",
        "Konsulttjänster (revision), 2025: 1E+40 är orimligt stort; tal måste vara mindre än "
        "1 000 000 000 000 (kontrollera nollorna och enheten).",
        "Rader!I4",
    ),
    Case(
        "utfall-year-not-before-the-budget-year",
        cells(Utfall__A6=2025),
        "read.actuals-year",
        "Utfall för 2025 kan inte finnas: tabellen 'Utfall' gäller åren före budgetåret 2025. "
        "Rätta året, eller ta bort raden.",
        "Utfall!A6",
    ),
    Case(
        "phasing-of-twelve-zeros",
        cells(Rader__S4="0;0;0;0;0;0;0;0;0;0;0;0"),
        "read.phasing",
        "'Konsulttjänster (revision)': periodiseringen '0;0;0;0;0;0;0;0;0;0;0;0' har bara "
        "nollor, så året fördelas inte på någon månad",
        "Rader!S4",
    ),
    Case(
        "phasing-with-negative-weights",
        cells(Rader__S4="1;1;1;1;1;1;-1;1;1;1;1;-2"),
        "read.phasing",
        "har negativa vikter (jul, dec); en vikt är månadens andel av året och är 0 eller mer.",
        "Rader!S4",
    ),
    Case(
        "phasing-of-eleven-weights",
        cells(Rader__S4="1;1;1;1;1;1;1;1;1;1;1"),
        "read.phasing",
        "har 11 tal men ska ha 12, ett per månad",
        "Rader!S4",
    ),
    Case(
        "phasing-with-a-word",
        cells(Rader__S4="1;1;1;1;1;1;sommar;1;1;1;1;1"),
        "read.phasing",
        "innehåller 'sommar', som inte är ett tal",
        "Rader!S4",
    ),
    # -- item 9: Utfall against the opening equity ---------------------------------------------
    Case(
        "utfall-equity-other-than-the-opening-equity",
        cells(Utfall__E6=900),
        "equity.history-mismatch",
        "Eget kapital 31/12 2024 är 900\u00a0000\u00a0kr enligt prognosen i tabellen Utfall, men "
        "eget kapital vid årets början 2025 är 700\u00a0000\u00a0kr",
        "Utfall!E6",
        blocked=False,
    ),
]


@pytest.fixture(scope="module")
def edited(
    example_books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cells")
    out = {}
    for case in CASES:
        path = folder / f"{case.id}.xlsx"
        shutil.copy(example_books[SD], path)
        wb = load_workbook(path)
        case.edit(wb)
        wb.save(path)
        out[case.id] = path
    return out


def check_json(path: Path) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["kontrollera", "--json", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output and "internt fel" not in result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return result.exit_code, data


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_check_says_what_and_where(edited: dict[str, Path], case: Case) -> None:
    path = edited[case.id]
    before = digest(path)
    code, data = check_json(path)
    assert code == case.exit_code, data["findings"]
    found = [f for f in data["findings"] if f["rule"] == case.rule]
    assert found, [(f["rule"], f["message"]) for f in data["findings"]]
    hit = [f for f in found if case.text in f["message"]]
    assert hit, [f["message"] for f in found]
    assert hit[0]["location"] == case.where
    assert hit[0]["severity"] == case.severity
    # no internal paths ("costs[0].2025") and nothing placed on the settings table instead
    assert not [f for f in data["findings"] if f["rule"] == "read.invalid"]
    assert digest(path) == before


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.blocked], ids=[c.id for c in CASES if c.blocked]
)
def test_recalc_refuses_and_leaves_the_file(edited: dict[str, Path], case: Case) -> None:
    path = edited[case.id]
    before = digest(path)
    result = runner.invoke(app, ["berakna", str(path)])
    assert result.exit_code == 1, result.output
    assert "Inget skrevs" in result.output and "Traceback" not in result.output
    assert f"[{case.rule}] {case.where}: " in result.output
    assert digest(path) == before
    assert not path.with_name(f"{path.stem}.backup.xlsx").exists()


# -- item 7: text stays text through every command -----------------------------------------


@pytest.fixture(scope="module")
def texts_like_formulas(
    example_books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """SD with Förbund '=1+1', a member '=2+3' (renamed in Kontomappning too) and a line
    '=> Samverkan', all text."""
    path = tmp_path_factory.mktemp("eq") / "sd.xlsx"
    shutil.copy(example_books[SD], path)
    wb = load_workbook(path)
    text(
        Installningar__B4="=1+1",
        Medlemmar__A5="=2+3",
        Kontomappning__E5="=2+3",
        Rader__F5="=> Samverkan",
    )(wb)
    wb.save(path)
    return path


def test_text_starting_with_equals_is_exported_as_text(
    texts_like_formulas: Path, tmp_path: Path
) -> None:
    before = digest(texts_like_formulas)
    out = tmp_path / "sd.yaml"
    result = runner.invoke(app, ["exportera", str(texts_like_formulas), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["forbund"]["name"] == "=1+1"
    assert [m["name"] for m in data["members"]][1] == "=2+3"
    assert "=> Samverkan" in [c["name"] for c in data["costs"]]
    assert digest(texts_like_formulas) == before


def test_a_line_named_like_a_formula_does_not_block_recalc(
    texts_like_formulas: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ut.xlsx"
    result = runner.invoke(app, ["berakna", str(texts_like_formulas), "-o", str(out)])
    assert "read.formula" not in result.output and "Inget skrevs" not in result.output
    assert out.exists(), result.output
    wb = load_workbook(out)
    # the input cells are untouched text, and the computed sheets print the names as text
    assert (wb["Rader"]["F5"].value, wb["Rader"]["F5"].data_type) == ("=> Samverkan", "s")
    shown = [
        c
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value in ("=1+1", "=2+3", "=> Samverkan")
    ]
    assert shown and all(c.data_type == "s" for c in shown)


def test_next_year_keeps_text_as_text_and_names_the_file_as_text(
    texts_like_formulas: Path, tmp_path: Path
) -> None:
    """Item 14: the file name '=1+1.xlsx' goes into Historik as text, not as a formula."""
    source = tmp_path / "=1+1.xlsx"
    shutil.copy(texts_like_formulas, source)
    before = digest(source)
    out = tmp_path / "nasta.xlsx"
    result = runner.invoke(app, ["nytt-ar", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert digest(source) == before
    wb = load_workbook(out)
    history = wb["Historik"]
    names = [c for row in history.iter_rows() for c in row if c.value == "=1+1.xlsx"]
    assert len(names) == 1 and names[0].data_type == "s" and names[0].coordinate == "B4"
    for sheet, cell, value in (
        ("Inställningar", "B4", "=1+1"),
        ("Medlemmar", "A5", "=2+3"),
        ("Rader", "F5", "=> Samverkan"),
    ):
        assert (wb[sheet][cell].value, wb[sheet][cell].data_type) == (value, "s"), sheet
    assert not [
        c
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f" and str(c.value).startswith(("=1+1", "=2+3", "=>"))
    ]


# -- item 8: the number policy on the command line and in a general-ledger CSV --------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "--eget-kapital",
            "1,665",
            "--eget-kapital: '1,665' kan läsas både som 1 665 (komma mellan tusental) och som "
            "1,665 (komma före decimaler)",
        ),
        ("--eget-kapital", "1665,505", "--eget-kapital: '1665,505' har 3 decimaler"),
        ("--statlig-tilldelning", "3.092", "'3.092' kan läsas både som 3 092"),
        ("--statlig-tilldelning", "50 %", "'50 %' är en procentsats, inte ett belopp"),
    ],
)
def test_an_ambiguous_amount_on_the_command_line_is_refused(
    example_books: dict[str, Path], tmp_path: Path, option: str, value: str, message: str
) -> None:
    source = tmp_path / "sd.xlsx"
    shutil.copy(example_books[SD], source)
    before = digest(source)
    out = tmp_path / "nasta.xlsx"
    result = runner.invoke(app, ["nytt-ar", str(source), "-o", str(out), option, value])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split()), result.output
    assert not out.exists() and digest(source) == before


def test_swedish_amounts_on_the_command_line_still_work(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    from finsam_xl.jobs import parse_amount

    for typed, value in (
        ("1 665 000", 1665000),
        ("1\u00a0665\u00a0000", 1665000),
        ("1\u202f665\u202f000,50", Decimal("1665000.50")),
        ("\u22121 234", -1234),
        ("-1234,5", Decimal("-1234.5")),
        ("1.665.000", 1665000),
        ("1 665 000.50", Decimal("1665000.50")),
    ):
        assert parse_amount(typed, "--eget-kapital") == value, typed


def total(books: Any) -> Decimal:
    return sum(books.ledger.sums.values(), Decimal(0))


def _csv(path: Path, amounts: list[str]) -> Path:
    rows = ["Datum;Konto;Belopp"]
    rows += [f"2025-0{i % 9 + 1}-15;5010;{a}" for i, a in enumerate(amounts)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_csv_amount_with_an_ambiguous_separator_is_refused_with_both_readings(
    tmp_path: Path,
) -> None:
    path = _csv(tmp_path / "huvudbok.csv", ["1000", "1.234", "1,234", "250"])
    before = digest(path)
    books = read_csv_books(path)
    bad = [(f.rule, f.location, f.message) for f in books.findings]
    assert bad == [
        (
            "csv.bad-row",
            "huvudbok.csv:3",
            "Raden kan inte läsas: beloppet '1.234' kan läsas både som 1 234 (punkt mellan "
            "tusental) och som 1,234 (punkt före decimaler); skriv 1 234 (med mellanslag) om "
            "tusental menas; filens övriga belopp avgör inte vilket tecken som är decimaltecken",
        ),
        (
            "csv.bad-row",
            "huvudbok.csv:4",
            "Raden kan inte läsas: beloppet '1,234' kan läsas både som 1 234 (komma mellan "
            "tusental) och som 1,234 (komma före decimaler); skriv 1 234 (med mellanslag) om "
            "tusental menas; filens övriga belopp avgör inte vilket tecken som är decimaltecken",
        ),
    ]
    assert digest(path) == before


def test_the_files_other_amounts_settle_the_decimal_mark(tmp_path: Path) -> None:
    """'12,50' elsewhere: comma is the decimal mark, so '1.234' is 1 234 and '1,234' is refused."""
    books = read_csv_books(_csv(tmp_path / "komma.csv", ["12,50", "1.234", "1,234"]))
    assert [(f.location, f.message) for f in books.findings] == [
        (
            "komma.csv:4",
            "Raden kan inte läsas: '1,234' har 3 decimaler; ett belopp i kronor har högst 2 (öre)",
        )
    ]
    assert total(books) == Decimal("1246.50")
    books = read_csv_books(_csv(tmp_path / "punkt.csv", ["12.50", "1,234", "-1 000.25"]))
    assert not books.findings
    assert total(books) == Decimal("246.25")


def test_swedish_csv_amounts_still_work(tmp_path: Path) -> None:
    amounts = ["1 234,50", "1 234", "-1234,5", "\u22121 234", "1\u00a0000", "1\u202f000,25"]
    books = read_csv_books(_csv(tmp_path / "svensk.csv", amounts))
    assert not books.findings
    assert total(books) == Decimal("2000.25")


def test_inserting_a_year_column_moves_formulas_and_leaves_text_alone(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    """Fryksdalen has no comparison year, so next year inserts a column and moves references:
    only formula cells are rewritten; text that looks like a reference stays as typed."""
    source = tmp_path / "fryk.xlsx"
    shutil.copy(example_books["fryksdalen-2022"], source)
    wb = load_workbook(source)
    ws = wb.create_sheet("Egen")
    text(Egen__A1="=> Samverkan", Egen__A2="=Rader!Z5")(wb)
    ws["A3"] = "=Rader!Z5"  # a real formula, to the right of the inserted column
    wb.save(source)
    out = tmp_path / "nasta.xlsx"
    result = runner.invoke(app, ["nytt-ar", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    egen = load_workbook(out)["Egen"]
    assert (egen["A1"].value, egen["A1"].data_type) == ("=> Samverkan", "s")
    assert (egen["A2"].value, egen["A2"].data_type) == ("=Rader!Z5", "s")
    assert egen["A3"].data_type == "f" and egen["A3"].value == "=Rader!AA5"


def test_a_setting_typed_as_text_is_one_finding_at_its_cell(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    path = tmp_path / "sd.xlsx"
    shutil.copy(example_books[SD], path)
    wb = load_workbook(path)
    text(Installningar__B12="=700")(wb)
    wb.save(path)
    before = digest(path)
    code, data = check_json(path)
    assert code == 1
    assert [(f["rule"], f["location"]) for f in data["findings"] if f["severity"] == "error"] == [
        ("read.text-not-number", "Inställningar!B12")
    ]
    assert digest(path) == before


def test_a_model_error_is_placed_at_its_cell_without_internal_paths() -> None:
    from finsam_xl.model.findings import Ref
    from finsam_xl.workbook.reader import Locator, _invalid_cell

    locator = Locator(cells={("cost", 0, 2025): "Rader!I4", ("member", 2, "name"): "Medlemmar!A6"})
    assert _invalid_cell(locator, ("costs", 0, "amounts", 2025)) == "Rader!I4"
    assert _invalid_cell(locator, ("members", 2, "key")) == "Medlemmar!A6"
    assert _invalid_cell(locator, ("equity", "opening")) is None
    assert locator.locate(Ref(element="cost", index=0, year=2025)) == "Rader!I4"


def test_a_deep_formula_is_refused_whatever_the_recursion_limit() -> None:
    """mypy, run in the same process, raises the recursion limit for good: the refusal of a
    deeply nested formula must not depend on it (it once did, and only under xdist)."""
    import sys

    from finsam_xl.xlsx.formulas import MAX_FORMULA_DEPTH, FormulaError, evaluate_formula

    before = sys.getrecursionlimit()
    sys.setrecursionlimit(2**14)
    try:
        with pytest.raises(FormulaError, match="för djupt nästlad"):
            evaluate_formula("=" + "-" * 3000 + "1")
        assert evaluate_formula("=" + "-" * (MAX_FORMULA_DEPTH - 2) + "1") == 1
    finally:
        sys.setrecursionlimit(before)
