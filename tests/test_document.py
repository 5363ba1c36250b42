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
    share_rounding_note,
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
    # a percentage of the whole frame equals the share: printed once, not twice
    assert [r.key_text for r in note.rows] == ["", "", "", "", ""]
    assert note.rounding_note is None


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_not1_sums_to_100_and_to_the_krona(name: str) -> None:
    budget, result = _example(name)
    note = not1_table(budget, result)
    printed = sum((r.share_pct or 0 for r in note.rows), Decimal(0))
    assert (printed == 100) == (note.rounding_note is None)
    assert abs(printed - 100) <= Decimal("0.05") * len(note.rows)
    for year, total in note.totals.items():
        assert sum((r.amounts[year] for r in note.rows), Decimal(0)) == total
        assert total == result.allocation_for(year).total  # type: ignore[union-attr]


def test_not1_equal_amounts_show_equal_shares_and_keys() -> None:
    """Fryksdalen: Försäkringskassan and Arbetsförmedlingen pay the same and show the same
    share; the note says why the shares add up to 99,9 %; the kommuner's equal key is named."""
    budget, result = _example("fryksdalen-2022")
    note = not1_table(budget, result)
    by = {r.name: r for r in note.rows}
    fk, af = by["Försäkringskassan"], by["Arbetsförmedlingen"]
    assert fk.amounts[2022] == af.amounts[2022] and fk.share_pct == af.share_pct
    kommuner = [r for r in note.rows if r.kind.value == "kommun"]
    assert {r.key_text for r in kommuner} == {"fast belopp"}  # typed amounts, not the key
    members = [
        m.model_copy(update={"amounts": {}}) if m.kind.value == "kommun" else m
        for m in budget.members
    ]
    by_key = budget.model_copy(update={"members": members})
    keyed = not1_table(by_key, evaluate(by_key))
    assert {r.key_text for r in keyed.rows if r.kind.value == "kommun"} == {"lika delar (1/3)"}
    printed = sum((r.share_pct or 0 for r in note.rows), Decimal(0))
    if printed != 100:
        assert note.rounding_note is not None and "avrundade" in note.rounding_note
    assert not hasattr(note, "lawful")  # the 50/25/25 deviation is a finding, not in Not 1


def test_not1_fixed_amounts_say_so() -> None:
    budget, result = _example("sodra-lappland-2024")
    note = not1_table(budget, result)
    kommuner = [r for r in note.rows if r.kind.value == "kommun"]
    assert kommuner and {r.key_text for r in kommuner} == {"fast belopp"}


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
    assert [n.split(":")[0] for n in history.notes] == ["* = prognos", "** = äskat belopp"]
    budget_year = next(r for r in history.rows if r.year == 2025)
    plan_year = next(r for r in history.rows if r.year == 2026)
    # one rule: what is adopted now is unmarked, what rests on a forecast is starred
    assert (budget_year.shown("costs"), budget_year.shown("result")) == ("", "")
    assert (plan_year.shown("costs"), plan_year.shown("result")) == ("*", "*")
    assert budget_year.shown("equity_end") == plan_year.shown("equity_end") == "*"


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
def test_share_percentages_equal_amounts_equal_shares(amounts: list[int]) -> None:
    shares = share_percentages([Decimal(a) for a in amounts])
    if sum(amounts) == 0:
        assert shares is None
        return
    assert shares is not None and all(s >= 0 for s in shares)
    for a, sa in zip(amounts, shares, strict=True):
        for b, sb in zip(amounts, shares, strict=True):
            if a == b:
                assert sa == sb
            if a > b:
                assert sa >= sb
    total = sum(shares, Decimal(0))
    assert abs(total - 100) <= Decimal("0.05") * len(amounts)
    assert (share_rounding_note(shares) is None) == (total == 100)


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
        "single_line_totals",
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
        if len(lines) == 1 and not (
            budget.document.totals_on_heading or budget.document.single_line_totals
        ):
            assert totals == []  # no subtotal repeats a single line (issue 22)
            continue
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


def test_example_data_as_the_seed_documents_say() -> None:
    """Fryksdalen requests 2023–2024 ("avser att äska", marked **); Prosa runs November 2021
    to October 2022; Södra Lappland's "En väg vidare – uppdrag individ" is individinriktad."""
    budget, result = _example("fryksdalen-2022")
    history = equity_history(budget, result)
    marks = {r.year: r.shown("contributions") for r in history.rows}
    assert (marks[2022], marks[2023], marks[2024]) == ("", "**", "**")
    prosa = next(c for c in budget.costs if c.name == "Prosa")
    assert prosa.insats is not None
    assert (str(prosa.insats.start), str(prosa.insats.end)) == ("2021-11-01", "2022-10-31")
    lappland, _ = _example("sodra-lappland-2024")
    vidare = next(c for c in lappland.costs if c.name == "En väg vidare")
    assert vidare.group.value == "insats_individ"


def _plain_budget(**document: object) -> Budget:
    """A small budget with no IDs or accounts, as a new förbund types it (issue 22)."""
    years = {"budget": 2027, "plan": [2028]}
    return Budget.model_validate(
        {
            "forbund": {"name": "Samordningsförbundet Prov", "unit": "tkr"},
            "years": years,
            "members": [
                {"name": "Försäkringskassan", "kind": "stat"},
                {"name": "Region Prov", "kind": "region"},
                {"name": "Provs kommun", "kind": "kommun"},
            ],
            "contributions": [{"year": y, "amount": 2_810_000} for y in (2027, 2028)],
            "costs": [
                {
                    "name": "Arvoden",
                    "group": "styrelse",
                    "section": "Styrelse",
                    "amounts": {2027: 70_000, 2028: 70_000},
                },
                {
                    "name": "Kansli",
                    "group": "administration",
                    "section": "Administration",
                    "amounts": {2027: 400_000, 2028: 400_000},
                },
                {
                    "name": "Revision",
                    "group": "administration",
                    "section": "Administration",
                    "amounts": {2027: 30_000, 2028: 30_000},
                },
                {
                    "name": "Arbetsträning",
                    "group": "insats_individ",
                    "section": "Insatser",
                    "amounts": {2027: 2_310_000, 2028: 2_310_000},
                },
            ],
            "equity": {"opening": 500_000, "opening_year": 2027},
            "document": document,
        }
    )


def test_default_budget_table_is_clean() -> None:
    """Income positive and first; no empty ID/Konto columns; no "Totalt" under one line."""
    budget = _plain_budget()
    table = budget_table(budget, evaluate(budget))
    labels = [(r.kind, r.label, r.values.get(2027)) for r in table.rows]
    assert labels[:3] == [
        (RowKind.HEADING, "Intäkter", None),
        (RowKind.LINE, "Medlemsbidrag (not 1)", Decimal(2_810_000)),
        (RowKind.GRAND, "Summa intäkter", Decimal(2_810_000)),
    ]
    assert not table.show_cost_centres and not table.show_accounts
    styrelse = [r.label for r in table.rows if r.block == table.row("Styrelse").block]
    assert styrelse == ["Styrelse", "Arvoden"]  # no "Totalt 70" under the one line
    admin = [r.label for r in table.rows if r.block == table.row("Administration").block]
    assert admin == ["Administration", "Kansli", "Revision", "Totalt"]
    assert table.row("Summa kostnader").values[2027] == Decimal(2_810_000)


def test_group_total_label_may_name_the_heading() -> None:
    budget = _plain_budget(group_total_label="Summa {rubrik}", single_line_totals=True)
    table = budget_table(budget, evaluate(budget))
    totals = [r.label for r in table.rows if r.kind is RowKind.TOTAL]
    assert totals == ["Summa styrelse", "Summa administration", "Summa insatser"]
    # The user's other braces are printed as typed (no str.format on user text).
    budget = _plain_budget(group_total_label="Totalt {x} {0}")
    labels = [r.label for r in budget_table(budget, evaluate(budget)).rows]
    assert "Totalt {x} {0}" in labels


def test_id_and_account_columns_follow_the_lines() -> None:
    """A column is shown when a line fills it and the flag allows it."""
    budget = _plain_budget()
    costs = [
        c.model_copy(update={"account": "7010"}) if c.name == "Kansli" else c for c in budget.costs
    ]
    budget = budget.model_copy(update={"costs": costs})
    table = budget_table(budget, evaluate(budget))
    assert table.show_accounts and not table.show_cost_centres
    off = budget.model_copy(
        update={"document": budget.document.model_copy(update={"show_accounts": False})}
    )
    assert not budget_table(off, evaluate(off)).show_accounts
