"""tkr with half-thousands: one decimal where an amount is not whole, in the sheets and in
Word, and every printed total equal to the sum of the rows printed above it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from finsam_xl import jobs
from finsam_xl.core.document import RowKind, budget_table, display_decimals
from finsam_xl.core.evaluate import evaluate
from finsam_xl.model.budget import Budget, DocumentSettings
from finsam_xl.word.tables import budget_doc_table

MINUS = "\u2212"


def half_thousands() -> Budget:
    """A budget of our own: one kommun, tkr, members' shares 2 511 / 1 255,5 / 1 255,5."""
    return Budget.model_validate(
        {
            "forbund": {"name": "Samordningsförbundet Provbygd", "unit": "tkr"},
            "years": {"budget": 2026, "plan": [2027]},
            "members": [
                {"name": "Försäkringskassan", "kind": "stat"},
                {"name": "Region Provland", "kind": "region"},
                {"name": "Provbygds kommun", "kind": "kommun"},
            ],
            "contributions": [
                {"year": 2026, "mode": "total", "amount": 5022000},
                {"year": 2027, "mode": "total", "amount": 5022000, "decided": False},
            ],
            "costs": [
                {
                    "name": "Styrelsearvoden",
                    "group": "styrelse",
                    "section": "Styrelse",
                    "amounts": {2026: 70500, 2027: 71000},
                },
                {
                    "name": "Förbundschef",
                    "group": "administration",
                    "section": "Kansli",
                    "amounts": {2026: 855500, 2027: 880000},
                },
                {
                    "name": "Ekonomitjänster",
                    "group": "administration",
                    "section": "Kansli",
                    "amounts": {2026: 60000, 2027: 60500},
                },
                {
                    "name": "Samverkansteam",
                    "group": "insats_individ",
                    "section": "Insatser",
                    "amounts": {2026: 4036000, 2027: 4010500},
                },
            ],
            "equity": {"opening": 1000500, "floor": 0},
            "document": {"member_rows": True, "income_first": True, "costs_negative": True},
        }
    )


def parse(text: str) -> Decimal:
    """A printed amount back to a number ('1 255,5', '−70,5')."""
    return Decimal(
        text.replace("\u00a0", "").replace(" ", "").replace(MINUS, "-").replace(",", ".")
    )


def test_one_decimal_only_when_needed() -> None:
    budget = half_thousands()
    assert display_decimals(budget, evaluate(budget)) == 1
    whole = budget.model_copy(update={"forbund": budget.forbund.model_copy(update={"unit": "kr"})})
    assert display_decimals(whole, evaluate(whole)) == 0


def test_word_rows_add_up_to_the_printed_totals() -> None:
    budget = half_thousands()
    result = evaluate(budget)
    table = budget_doc_table(budget, result)
    cells = {row.cells[0 if "ID/konto" not in table.headers else 1]: row for row in table.rows}
    members = [
        cells[n].cells[-2] for n in ("Försäkringskassan", "Region Provland", "Provbygds kommun")
    ]
    assert members == ["2\u00a0511,0", "1\u00a0255,5", "1\u00a0255,5"]
    assert_totals_add_up(budget)


def assert_totals_add_up(budget: Budget) -> None:
    """Each Totalt row equals the lines printed above it, to the printed decimal; every
    amount is printed with one decimal. (Grand totals: the document-sheet property tests.)
    """
    result = evaluate(budget)
    core = budget_table(budget, result)
    printed = budget_doc_table(budget, result)
    years = len(core.columns)
    lines: list[list[Decimal]] = []
    for row, doc_row in zip(core.rows, printed.rows, strict=True):
        shown = doc_row.cells[-years:]
        assert all(c == "" or "," in c for c in shown), doc_row.cells
        values = [parse(c) if c else Decimal(0) for c in shown]
        if row.kind is RowKind.LINE:
            lines.append(values)
        elif row.kind is RowKind.TOTAL:
            assert [sum(col) for col in zip(*lines, strict=True)] == values, row.label
            lines = []
        else:
            lines = []  # a heading or a grand total starts a new group


def test_every_budgettabell_combination_adds_up() -> None:
    """Every Totalt equals the lines printed above it, for each layout flag on and off."""
    base = half_thousands()
    for flag in (
        "costs_negative",
        "income_first",
        "member_rows",
        "totals_on_heading",
        "equity_as_funding",
        "show_result",
    ):
        for value in (True, False):
            doc = base.document.model_copy(update={flag: value})
            assert isinstance(doc, DocumentSettings)
            assert_totals_add_up(base.model_copy(update={"document": doc}))


def test_sheets_show_one_decimal(tmp_path: Path) -> None:
    book = tmp_path / "provbygd.xlsx"
    jobs.new(half_thousands(), book, lite=False)
    wb = load_workbook(book)
    for sheet in ("Budget", "Plan", "Eget kapital"):
        amounts = [
            c
            for row in wb[sheet].iter_rows()
            for c in row
            if isinstance(c.value, (int, float)) and c.number_format.startswith("#,##0")
        ]
        assert amounts and {c.number_format for c in amounts} == {"#,##0.0"}, sheet
    values = [c.value for row in wb["Budget"].iter_rows() for c in row]
    assert 1255.5 in values and 2511 in values


def test_a_kind_with_one_member_needs_no_key() -> None:
    """One kommun (and one region, one state row): each takes its kind's whole share."""
    budget = half_thousands()
    result = evaluate(budget)
    assert not [f for f in result.findings if f.rule == "input.key-missing"]
    shares = {m.name: m.amount for m in result.allocation[0].members}
    assert shares == {
        "Försäkringskassan": Decimal(2511000),
        "Region Provland": Decimal(1255500),
        "Provbygds kommun": Decimal(1255500),
    }
