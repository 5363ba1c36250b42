"""Every total in the budget table equals the sum of the rows printed above it (issue 18, item 1).

The Budget sheet and the Word document print ``core.document.budget_table``'s
rows, so the property is checked on those rows (exact kronor). What "the rows
above it" are, by kind of total:

* a group's ``Totalt`` row: the lines of its group (its ``block``);
* a heading that carries a sum (``totals_on_heading``): the lines under it, up
  to the next heading or total;
* the income total: the funding lines (the block above the costs with
  ``income_first``, else the income group printed among the cost groups,
  whose lines carry the netted sign while the total is always positive);
* the costs total: every other line (cost lines and income netted in a cost centre);
* the result: the funding lines other than the equity, minus the costs.

Issue 18 item 1: with "eget kapital som finansiering" = Ja and "intäkter före
kostnader" = Nej, the income total held the equity while no row showed it.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import EXAMPLE_NAMES, EXAMPLES

from finsam_xl.core.document import BudgetTable, RowKind, TableRow, budget_table
from finsam_xl.core.evaluate import evaluate
from finsam_xl.model import schema as S
from finsam_xl.model.budget import Budget, DocumentSettings
from finsam_xl.model.interchange import load
from finsam_xl.model.results import Result

ZERO = Decimal(0)
#: The Budgettabell settings that are Ja/Nej (the layout's switches); the column order
#: (budget_first) moves no row, so it is left out of the combinations.
FLAGS = tuple(flag for flag in S.DOC_FLAGS if flag != "budget_first")


def _sum(rows: list[TableRow], year: int) -> Decimal:
    return sum((r.values.get(year) or ZERO for r in rows), ZERO)


def total_problems(table: BudgetTable, doc: DocumentSettings) -> list[str]:
    """Every total that is not the sum of the rows it stands for, as 'label year: a != b'."""
    years = [c.year for c in table.columns]
    rows = table.rows
    problems: list[str] = []

    def expect(row: TableRow, parts: list[TableRow], sign: int = 1, less: Decimal = ZERO) -> None:
        for y in years:
            want = sign * _sum(parts, y) - less
            got = row.values.get(y)
            if (got or ZERO) != want:
                problems.append(f"{row.label} {y}: {got} != {want}")

    lines = [r for r in rows if r.kind is RowKind.LINE]
    grands = [i for i, r in enumerate(rows) if r.kind is RowKind.GRAND]
    income_at = next(i for i in grands if rows[i].label == doc.income_total_label)
    costs_at = next(i for i in grands if rows[i].label == doc.costs_total_label)
    if doc.income_first:
        funding = [r for r in rows[:income_at] if r.kind is RowKind.LINE]
        sign = 1
    else:
        last_block = rows[income_at - 1].block
        funding = [r for r in rows[:income_at] if r.kind is RowKind.LINE and r.block == last_block]
        sign = 1 if doc.costs_negative else -1
    costs = [r for r in lines if all(r is not f for f in funding)]
    expect(rows[income_at], funding, sign)
    expect(rows[costs_at], costs)
    equity = [r for r in funding if r.label == doc.equity_label] if doc.equity_as_funding else []
    result_rows = [r for r in rows if r.kind is RowKind.GRAND and r.label == doc.result_label]
    if result_rows:  # income (without the equity used as funding) minus costs, signed
        cost_sign = -1 if doc.costs_negative else 1
        for y in years:
            income = sign * (_sum(funding, y) - _sum(equity, y))
            want = income - cost_sign * _sum(costs, y)
            if (result_rows[0].values.get(y) or ZERO) != want:
                problems.append(f"{doc.result_label} {y}: {result_rows[0].values.get(y)} != {want}")
    for i, row in enumerate(rows):
        if row.kind is RowKind.TOTAL:
            expect(row, [r for r in lines if r.block == row.block])
        elif row.kind is RowKind.HEADING and any(v is not None for v in row.values.values()):
            under: list[TableRow] = []
            for below in rows[i + 1 :]:
                if below.kind is not RowKind.LINE:
                    break
                under.append(below)
            expect(row, under)
    return problems


_EXAMPLES: dict[str, tuple[Budget, Result]] = {}


def example(name: str) -> tuple[Budget, Result]:
    if name not in _EXAMPLES:
        budget = load(EXAMPLES / f"{name}.yaml")
        _EXAMPLES[name] = (budget, evaluate(budget))
    return _EXAMPLES[name]


def with_layout(budget: Budget, **changes: Any) -> Budget:
    return budget.model_copy(update={"document": budget.document.model_copy(update=changes)})


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_total_is_the_sum_of_its_rows_for_every_combination_of_settings(name: str) -> None:
    budget, result = example(name)
    failed = []
    for values in itertools.product((False, True), repeat=len(FLAGS)):
        changed = with_layout(budget, **dict(zip(FLAGS, values, strict=True)))
        problems = total_problems(budget_table(changed, result), changed.document)
        if problems:
            on = [f for f, v in zip(FLAGS, values, strict=True) if v]
            failed.append(f"{on}: {problems[:3]}")
    assert failed == [], f"{len(failed)} combinations, e.g. {failed[:3]}"


def test_the_equity_used_as_funding_is_a_row_when_income_comes_last() -> None:
    """Issue 18 item 1: Södra Dalarna, 'eget kapital som finansiering' Ja, 'intäkter före' Nej."""
    budget, result = example("sodra-dalarna-2025")
    changed = with_layout(budget, equity_as_funding=True, income_first=False)
    table = budget_table(changed, result)
    income = table.row(changed.document.income_total_label, RowKind.GRAND)
    assert income.values[2025] == Decimal(6_884_000)
    equity = table.row(changed.document.equity_label, RowKind.LINE)
    assert equity.values[2025] == Decimal(-700_000)  # income among the cost groups: negative
    assert table.row("Bidrag (not 1)", RowKind.LINE).values[2025] == Decimal(-6_184_000)
    assert total_problems(table, changed.document) == []


@st.composite
def layouts(draw: st.DrawFn) -> tuple[Budget, DocumentSettings]:
    """An example with a random layout, random headings, and lines netted or moved at random."""
    name = draw(st.sampled_from(EXAMPLE_NAMES))
    budget, _ = example(name)
    flags = {f: draw(st.booleans()) for f in FLAGS}
    texts = {
        "other_income_heading": draw(st.sampled_from([None, "Övriga intäkter"])),
        "costs_heading": draw(st.sampled_from([None, "Kostnader"])),
        "contributions_cost_centre": draw(st.sampled_from([None, "50000"])),
    }
    income = [
        line.model_copy(
            update={
                "netted": draw(st.booleans()),
                "section": draw(st.sampled_from([line.section, None, "Projekt"])),
                "amounts": {y: (a * draw(st.integers(0, 3))) for y, a in line.amounts.items()},
            }
        )
        for line in budget.income
    ]
    costs = [
        line.model_copy(
            update={
                "section": draw(st.sampled_from([line.section, None, "Projekt"])),
                "cost_centre": draw(st.sampled_from([line.cost_centre, None])),
                "amounts": {y: a + draw(st.integers(0, 5000)) for y, a in line.amounts.items()},
            }
        )
        for line in budget.costs
    ]
    opening = budget.equity.model_copy(update={"opening": Decimal(draw(st.integers(0, 5_000_000)))})
    changed = Budget.model_validate(
        budget.model_copy(
            update={
                "income": income,
                "costs": costs,
                "equity": opening,
                "document": budget.document.model_copy(update={**flags, **texts}),
            }
        ).model_dump()
    )
    return changed, changed.document


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layouts())
def test_property_every_total_on_the_document_sheets_is_the_sum_of_the_rows_above_it(
    case: tuple[Budget, DocumentSettings],
) -> None:
    budget, doc = case
    assert total_problems(budget_table(budget, evaluate(budget)), doc) == []


def test_the_budget_sheet_prints_the_equity_row_it_adds_up() -> None:
    """The Budget sheet prints the table's rows one to one, in tkr (exact Decimal division)."""
    from finsam_xl.sheets.document_sheets import budget_grid

    budget, result = example("sodra-dalarna-2025")
    changed = with_layout(budget, equity_as_funding=True, income_first=False)
    grid = budget_grid(changed, result, 5, 1)
    rows: dict[int, dict[int, Any]] = {}
    for (r, c), cell in grid.cells.items():
        rows.setdefault(r, {})[c] = cell.value
    labels = (changed.document.equity_label, changed.document.income_total_label)
    by_label = {v: cols for cols in rows.values() for v in cols.values() if v in labels}
    equity = by_label[changed.document.equity_label]
    total = by_label[changed.document.income_total_label]
    assert Decimal(-700) in equity.values() and Decimal(6884) in total.values()
