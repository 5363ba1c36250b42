"""The budget document's tables (core.document) against the published seed documents."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from published_support import diff, load_published, published_rows
from support import EXAMPLE_NAMES, EXAMPLES

from finsam_xl.core.document import (
    RowKind,
    available_funds,
    budget_table,
    equity_history,
    funds_text,
    insatser_table,
    not1_table,
    share_percentages,
)
from finsam_xl.core.evaluate import evaluate
from finsam_xl.model.budget import Budget, ComparisonKind, Unit
from finsam_xl.model.interchange import load


def _example(name: str) -> tuple[Budget, object]:
    budget = load(EXAMPLES / f"{name}.yaml")
    return budget, evaluate(budget)


def table_rows(budget: Budget) -> list[tuple[str, str | None, str | None, str, dict[int, Decimal]]]:
    """The core's budget table in the published unit, as transcription rows."""
    table = budget_table(budget, evaluate(budget))
    div = Decimal(1000) if budget.forbund.unit is Unit.TKR else Decimal(1)
    rows = []
    for row in table.rows:
        values = {y: v / div for y, v in row.values.items() if v is not None}
        centre = row.cost_centre if row.kind in (RowKind.HEADING, RowKind.TOTAL) else None
        rows.append((row.kind.value, centre, row.account, row.label, values))
    return rows


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_budget_table_reproduces_the_published_table_row_by_row(name: str) -> None:
    published = load_published(name)
    budget = load(EXAMPLES / f"{name}.yaml")
    assert diff(published_rows(published), table_rows(budget), published["years"]) == []


def test_budget_table_columns_are_labelled_by_kind() -> None:
    budget, result = _example("sodra-lappland-2024")
    table = budget_table(budget, result)
    assert [c.label for c in table.columns] == [
        "Budget 2023",
        "Budget 2024",
        "Plan 2025",
        "Plan 2026",
    ]
    kinds = budget.document.model_copy(update={"comparison_kinds": [ComparisonKind.PROGNOS]})
    again = budget_table(budget.model_copy(update={"document": kinds}), result)
    assert again.columns[0].label == "Prognos 2023"
    assert table.title == "Budget 2024 med plan 2025\u20132026"


def test_sign_convention_flips_costs_and_netted_income() -> None:
    budget, result = _example("sodra-dalarna-2025")
    doc = budget.document.model_copy(update={"costs_negative": True})
    table = budget_table(budget.model_copy(update={"document": doc}), result)
    esf = table.row("Intäkter för arbete i ESF projekt")
    assert esf.values[2025] == Decimal(380000)
    assert table.row("Kostnader totalt").values[2025] == Decimal(-6500000)
    assert table.row("Intäkter totalt").values[2025] == Decimal(6184000)
    assert table.row("Resultat").values[2025] == Decimal(-316000)


def test_not1_reproduces_sodra_dalarna() -> None:
    published = load_published("sodra-dalarna-2025")["not1"]
    budget, result = _example("sodra-dalarna-2025")
    note = not1_table(budget, result)
    got = [(r.name, r.share_pct, r.amounts[2025]) for r in note.rows]
    assert got == [(n, Decimal(p), Decimal(a)) for n, p, a in published["rows"]]
    assert (note.total_share_pct, note.totals[2025]) == (Decimal(100), Decimal(6184000))
    assert [r.key_unit for r in note.rows][-1] == "%"
    assert note.lawful == []  # paid as the law says: no separate block


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_not1_sums_to_100_and_to_the_krona(name: str) -> None:
    budget, result = _example(name)
    note = not1_table(budget, result)
    assert sum((r.share_pct or 0 for r in note.rows), Decimal(0)) == 100
    for year, total in note.totals.items():
        assert sum((r.amounts[year] for r in note.rows), Decimal(0)) == total
        assert total == result.allocation_for(year).total  # type: ignore[union-attr]


def test_not1_lawful_block_only_where_it_differs() -> None:
    budget, result = _example("fryksdalen-2022")
    note = not1_table(budget, result)
    state = [r for r in note.lawful if r.name == "Staten" and r.year == 2022]
    assert [(r.paid, r.lawful) for r in state] == [(Decimal(1505000), Decimal(1528070))]
    assert {r.name for r in note.lawful} >= {"Försäkringskassan", "Region Värmland"}


def test_equity_history_reproduces_sodra_dalarna_with_marks() -> None:
    published = load_published("sodra-dalarna-2025")["equity"]
    budget, result = _example("sodra-dalarna-2025")
    history = equity_history(budget, result)

    def cell(value: Decimal | None, mark: str) -> str:
        return f"{int((value or 0) / 1000)}{mark}"

    got = [
        [
            r.year,
            cell(r.contributions, r.shown("contributions")),
            cell(r.costs, r.shown("costs")),
            cell(r.equity_end, r.shown("equity_end")),
        ]
        for r in history.rows
    ]
    assert got == published
    assert history.notes == ["* = prognos", "** = äskat belopp"]


def test_available_funds_text_of_sodra_dalarna() -> None:
    budget, result = _example("sodra-dalarna-2025")
    funds = available_funds(budget, result)
    assert (funds.frame, funds.opening_equity, funds.floor, funds.available) == (
        Decimal(6184000),
        Decimal(700000),
        Decimal(400000),
        Decimal(6484000),
    )
    text = funds_text(funds, nbsp=False)
    for figure in ("6 184 000 kr", "700 000 kr", "400 000 kr", "6 484 000 kr"):
        assert figure in text
    assert text.startswith("2025 års verksamhetsplan bygger på den budgetram om 6 184 000 kr")


def test_insatser_flags_those_ending_within_the_plan() -> None:
    budget, result = _example("fryksdalen-2022")
    table = insatser_table(budget, result)
    prosa = next(r for r in table.rows if r.name == "Prosa")
    assert prosa.ends_in_plan and prosa.money_after_end == []
    assert {r.name for r in table.rows} >= {"Navet", "Prosa"}


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30))
def test_share_percentages_always_sum_to_100(amounts: list[int]) -> None:
    shares = share_percentages([Decimal(a) for a in amounts])
    if sum(amounts) == 0:
        assert shares is None
    else:
        assert shares is not None and sum(shares, Decimal(0)) == 100
        assert all(s >= 0 for s in shares)


@st.composite
def random_budgets(draw: st.DrawFn) -> Budget:
    """Budgets with cost centres, sections, accounts and netted income, any layout."""
    years = {"comparison": [2024], "budget": 2025, "plan": [2026]}
    centres = draw(
        st.lists(st.sampled_from(["10000", "20000", "35000", None]), min_size=1, max_size=8)
    )
    amount = st.integers(min_value=0, max_value=900_000)
    costs = [
        {
            "name": f"Rad {i}",
            "group": draw(st.sampled_from(["styrelse", "administration", "insats_individ"])),
            "section": f"Rubrik {c}" if c else None,
            "cost_centre": c,
            "account": draw(st.sampled_from(["47", "50", "56", None])),
            "amounts": {y: draw(amount) for y in (2024, 2025, 2026)},
        }
        for i, c in enumerate(centres)
    ]
    income = [
        {
            "name": f"Intäkt {i}",
            "section": f"Rubrik {c}" if c else None,
            "cost_centre": c,
            "account": "36",
            "netted": draw(st.booleans()),
            "amounts": {y: draw(amount) for y in (2024, 2025, 2026)},
        }
        for i, c in enumerate(draw(st.lists(st.sampled_from(["10000", "20000", None]), max_size=3)))
    ]
    flags = [
        "costs_negative",
        "income_first",
        "member_rows",
        "totals_on_heading",
        "equity_as_funding",
        "show_result",
    ]
    document = {f: draw(st.booleans()) for f in flags}
    return Budget.model_validate(
        {
            "forbund": {"name": "Samordningsförbundet Prov"},
            "years": years,
            "members": [
                {"name": "Försäkringskassan", "kind": "stat"},
                {"name": "Region Prov", "kind": "region"},
                {"name": "A kommun", "kind": "kommun", "key": 3},
                {"name": "B kommun", "kind": "kommun", "key": 2},
            ],
            "keys": {"kommun": "befolkning"},
            "contributions": [{"year": y, "amount": draw(amount) * 2} for y in (2024, 2025, 2026)],
            "income": income,
            "costs": costs,
            "equity": {"opening": draw(amount), "opening_year": 2024},
            "document": document,
        }
    )


@given(random_budgets())
def test_budget_table_adds_up_in_any_layout(budget: Budget) -> None:
    result = evaluate(budget)
    table = budget_table(budget, result)
    years = [c.year for c in table.columns]
    blocks: dict[int, list] = {}
    for row in table.rows:
        if row.block is not None:
            blocks.setdefault(row.block, []).append(row)
    for rows in blocks.values():
        if any(r.kind is RowKind.GRAND for r in rows):
            continue  # the funding block: its total is checked below
        lines = [r for r in rows if r.kind is RowKind.LINE]
        totals = [r for r in rows if r.kind is RowKind.TOTAL] or [
            r
            for r in rows
            if r.kind is RowKind.HEADING and any(v is not None for v in r.values.values())
        ]
        assert len(totals) == 1
        for y in years:
            present = [r.values[y] for r in lines if r.values[y] is not None]
            assert totals[0].values[y] == (sum(present, Decimal(0)) if present else None)
    doc = budget.document
    grand = {r.label: r.values for r in table.rows if r.kind is RowKind.GRAND}
    sign = -1 if doc.costs_negative else 1
    for y in years:
        plan = result.year(y)
        assert grand[doc.costs_total_label][y] == sign * plan.costs_net
        if not doc.equity_as_funding:
            assert grand[doc.income_total_label][y] == (
                plan.contributions + plan.other_income - plan.other_income_netted
            )
        else:
            assert grand[doc.income_total_label][y] == plan.decision_room
        if doc.show_result:
            assert grand[doc.result_label][y] == plan.result
    # every cost line with amounts is printed exactly once
    names = [r.label for r in table.rows if r.kind is RowKind.LINE]
    for line in budget.costs:
        assert names.count(line.name) == 1
