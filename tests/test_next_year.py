"""The pure rollover: next year's budget from this year's (finsam_xl.core.next_year)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from support import EXAMPLE_NAMES, EXAMPLES

from finsam_xl.core import evaluate
from finsam_xl.core.next_year import (
    NextYearError,
    check_target,
    next_years,
    roll_forward,
    uplift,
)
from finsam_xl.model.budget import (
    Budget,
    CostGroup,
    CostLine,
    EntryMode,
    Insats,
    Unit,
    Years,
)
from finsam_xl.model.findings import Finding
from finsam_xl.model.interchange import load
from finsam_xl.model.money import kr

D = Decimal


def rollover(budget: Budget, **kw: Any) -> tuple[Budget, list[Finding]]:
    """Next year's budget and the findings (``roll_forward`` without the index maps)."""
    done = roll_forward(budget, **kw)
    return done.budget, done.findings


def example(name: str) -> Budget:
    return load(EXAMPLES / f"{name}.yaml")


def autumn(budget: Budget) -> date:
    """The day the förbundschef rolls the workbook: autumn of its budget year."""
    return date(budget.years.budget, 10, 15)


def roll(budget: Budget, **kw: object) -> tuple[Budget, list[str]]:
    new, findings = rollover(budget, today=autumn(budget), **kw)  # type: ignore[arg-type]
    return new, [f.rule for f in findings]


# --- the three examples -----------------------------------------------------------------------

EXPECTED = {
    # name: (budget year, comparison, plan, opening equity)
    "sodra-lappland-2024": (2025, [2024], [2026, 2027], D(1665000)),
    "fryksdalen-2022": (2023, [2022], [2024, 2025], D(968916)),
    "sodra-dalarna-2025": (2026, [2025], [2027, 2028, 2029], D(384000)),
}


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_example_rolls_to_the_expected_years_and_equity(name: str) -> None:
    old = example(name)
    new, rules = roll(old)
    budget_year, comparison, plan, opening = EXPECTED[name]
    assert new.years == Years(comparison=comparison, budget=budget_year, plan=plan)
    assert new.equity.opening == opening
    assert new.equity.opening_year == budget_year
    assert new.opening_year == budget_year
    assert evaluate(new).year(budget_year).equity_start == opening
    assert "rollover.equity-forecast" in rules


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_budget_figures_become_comparison_and_plan_becomes_budget(name: str) -> None:
    old = example(name)
    done = roll_forward(old, today=autumn(old))
    new = done.budget
    b, first_plan = old.years.budget, old.years.plan[0]
    for i, line in enumerate(old.costs):
        j = done.cost_map[i]
        assert j is not None or line.insats is not None
        if j is None:
            continue
        moved = new.costs[j]
        assert (moved.name, moved.group, moved.section) == (line.name, line.group, line.section)
        assert moved.amounts.get(b) == line.amounts.get(b)  # comparison: last year's budget
        ended = line.insats is not None and line.insats.end is not None
        if not ended or line.insats.end.year >= new.years.budget:  # type: ignore[union-attr]
            assert moved.amounts.get(first_plan) == line.amounts.get(first_plan)
    for old_line, new_line in zip(old.income, new.income, strict=True):
        assert new_line.amounts.get(b) == old_line.amounts.get(b)
        assert new_line.amounts.get(first_plan) == old_line.amounts.get(first_plan)
    assert evaluate(new).year(b).costs == evaluate(old).year(b).costs


def test_sodra_lappland_2024_gives_2025_with_1665_tkr() -> None:
    new, _ = roll(example("sodra-lappland-2024"))
    assert new.years.budget == 2025 and new.years.comparison == [2024]
    assert new.equity.opening == D(1665000)
    chef = next(c for c in new.costs if c.name == "Förbundschef")
    assert chef.amounts == {2024: D(1400000), 2025: D(1000000), 2026: D(1000000), 2027: D(1000000)}


def test_years_that_fall_out_are_dropped_everywhere() -> None:
    new, _ = roll(example("sodra-lappland-2024"))
    assert all(2023 not in line.amounts for line in new.costs)
    assert all(2023 not in line.amounts for line in new.income)
    assert all(2023 not in m.amounts for m in new.members)
    assert [c.year for c in new.contributions] == [2024, 2025, 2026, 2027]


def test_fryksdalen_prosa_is_gone_from_2023_and_listed() -> None:
    old = example("fryksdalen-2022")
    done = roll_forward(old, today=autumn(old))
    prosa = next(c for c in done.budget.costs if c.name == "Prosa")
    assert prosa.amounts == {2022: D(250000)}  # comparison figures kept, nothing from 2023 on
    assert evaluate(done.budget).year(2023).costs_by_group[CostGroup.INSATS_INDIVID] == D(2425000)
    ended = [f for f in done.findings if f.rule == "rollover.insats-ended"]
    assert len(ended) == 1 and "Prosa" in ended[0].message and "2023" in ended[0].message
    assert "Prosa" in "; ".join(done.changes)


def test_fryksdalen_gets_its_first_comparison_year() -> None:
    new, _ = roll(example("fryksdalen-2022"))
    assert new.years.comparison == [2022]
    assert len(new.years.all) == 4


# --- rules, one by one --------------------------------------------------------------------------


def lappland_with(**costs: CostLine) -> Budget:
    budget = example("sodra-lappland-2024")
    return budget.model_copy(update={"costs": [*budget.costs, *costs.values()]})


def test_ended_insats_without_comparison_amounts_is_dropped_and_listed() -> None:
    line = CostLine(
        name="Gammalt projekt",
        group=CostGroup.INSATS_STRUKTUR,
        amounts={2023: D(5000), 2024: D(0), 2025: D(100)},
        insats=Insats(start=date(2022, 1, 1), end=date(2024, 6, 30)),
    )
    old = lappland_with(x=line)
    done = roll_forward(old, today=autumn(old))
    assert done.cost_map[-1] is None
    assert "Gammalt projekt" not in [c.name for c in done.budget.costs]
    found = [f for f in done.findings if f.rule == "rollover.insats-ended"]
    assert found and "togs bort" in found[0].message and found[0].ref is None


def test_continuing_decision_carries_over_and_stops_at_its_period() -> None:
    continuing = CostLine(
        name="Pågående",
        group=CostGroup.INSATS_INDIVID,
        amounts={2024: D(100), 2025: D(200), 2026: D(300)},
        insats=Insats(start=date(2024, 1, 1), end=date(2027, 12, 31)),
    )
    stopping = CostLine(
        name="Slutar 2026",
        group=CostGroup.INSATS_INDIVID,
        amounts={2024: D(100), 2025: D(200), 2026: D(300)},
        insats=Insats(start=date(2024, 1, 1), end=date(2026, 6, 30)),
    )
    old = lappland_with(a=continuing, b=stopping)
    done = roll_forward(old, today=autumn(old))
    by_name = {c.name: c for c in done.budget.costs}
    assert by_name["Pågående"].amounts == {2024: D(100), 2025: D(200), 2026: D(300), 2027: D(300)}
    assert by_name["Pågående"].insats == continuing.insats
    assert by_name["Slutar 2026"].amounts == {2024: D(100), 2025: D(200), 2026: D(300)}
    rules = [f for f in done.findings if f.rule == "rollover.insats-not-extended"]
    assert len(rules) == 1 and "Slutar 2026" in rules[0].message


def test_new_plan_year_copies_the_last_year_with_uplift_per_group() -> None:
    old = example("sodra-lappland-2024")
    settings = old.settings.model_copy(
        update={"uplift_pct": {CostGroup.STYRELSE: D(3), CostGroup.ADMINISTRATION: D("2.5")}}
    )
    old = old.model_copy(update={"settings": settings})
    done = roll_forward(old, today=autumn(old))
    by_name = {(c.section, c.name): c for c in done.budget.costs}
    fasta = by_name[("Styrelsen", "Fasta arvoden")]
    assert fasta.amounts[2027] == D(79000)  # 77 000 × 1.03 = 79 310, shown in tkr: 79 tkr
    chef = by_name[("Kansli och administration - personal", "Förbundschef")]
    assert chef.amounts[2027] == D(1025000)
    projekt = by_name[("Projektkostnader", "Övriga")]
    assert projekt.amounts[2027] == projekt.amounts[2026] == D(1500000)  # no uplift set
    message = next(f.message for f in done.findings if f.rule == "rollover.new-plan-year")
    assert "styrelse 3,0" in message and "administration 2,5" in message
    esf = done.budget.income[0]
    assert esf.amounts[2027] == esf.amounts[2026]


def test_uplift_rounds_half_up_to_the_unit() -> None:
    assert uplift(D(77000), D(3), Unit.KR) == D(79310)
    assert uplift(D(77000), D(3), Unit.TKR) == D(79000)
    assert uplift(D(1000), D("0.05"), Unit.KR) == D(1001)  # 1000.5 -> 1001
    assert uplift(D("1234.56"), None) == D("1234.56")
    assert uplift(D("1234.56"), D(0)) == D("1234.56")


def test_actual_closing_equity_replaces_the_forecast_with_a_finding() -> None:
    old = example("sodra-lappland-2024")
    done = roll_forward(old, closing_equity=D(1700000), today=autumn(old))
    assert done.budget.equity.opening == D(1700000)
    assert done.forecast_equity == D(1665000)
    finding = next(f for f in done.findings if f.rule == "rollover.equity-actual")
    assert kr(D(1700000)) in finding.message and kr(D(1665000)) in finding.message
    assert kr(D(35000)) in finding.message
    assert finding.severity.value == "warning"
    same = roll_forward(old, closing_equity=D(1665000), today=autumn(old))
    assert next(f for f in same.findings if f.rule == "rollover.equity-actual").severity == "info"


def test_state_allocation_sets_the_new_years_contribution() -> None:
    old = example("sodra-dalarna-2025")
    new, rules = roll(old, state_allocation=D(3200000))
    entry = new.contribution(2026)
    assert entry is not None
    assert (entry.mode, entry.amount, entry.decided) == (EntryMode.STAT, D(3200000), True)
    assert evaluate(new).allocation_for(2026).total == D(6400000)  # type: ignore[union-attr]
    assert "rollover.contribution-state" in rules
    assert new.contribution(2027) == old.contribution(2027)  # later years from the plan


def test_without_state_allocation_the_plan_gives_the_contributions() -> None:
    old = example("sodra-dalarna-2025")
    new, rules = roll(old)
    assert new.contribution(2026) == old.contribution(2026)
    copied = new.contribution(2029)
    assert copied is not None and copied.amount == D(7500000) and copied.decided is False
    assert "rollover.contribution-plan" in rules


def test_fixed_amounts_are_recomputed_where_keys_allow_and_flagged_where_not() -> None:
    old = example("sodra-lappland-2024")
    new, rules = roll(old, state_allocation=D(1950000))
    shares = {s.name: s.amount for s in evaluate(new).allocation_for(2025).members}  # type: ignore[union-attr]
    assert shares["Försäkringskassan"] == D(1950000)
    assert shares["Region Västerbotten"] == D(975000)
    assert shares["Lycksele kommun"] == D(326000)  # no population given: kept, and flagged
    assert "rollover.fixed-amounts-dropped" in rules and "rollover.fixed-amounts-kept" in rules
    assert all(2026 in m.amounts for m in new.members)  # plan years untouched


def test_members_keys_and_lines_carry_over() -> None:
    old = example("sodra-dalarna-2025")
    new, _ = roll(old)
    assert new.members == old.members
    assert new.keys == old.keys
    assert [c.name for c in new.costs] == [c.name for c in old.costs]
    assert new.settings == old.settings
    assert new.equity.floor == old.equity.floor and new.equity.scale == old.equity.scale


def test_what_belonged_to_the_old_document_is_cleared() -> None:
    old = example("sodra-dalarna-2025")
    line = old.costs[0].model_copy(update={"forecast": D(44000)})
    old = old.model_copy(update={"costs": [line, *old.costs[1:]]})
    new, rules = roll(old)
    assert new.adopted is None
    assert new.published.is_empty()
    assert new.costs[0].forecast is None
    assert "rollover.published-dropped" in rules


def test_a_rollover_that_pushes_equity_below_the_floor_is_flagged() -> None:
    old = example("sodra-lappland-2024")
    old = old.model_copy(update={"equity": old.equity.model_copy(update={"floor": D(700000)})})
    assert "equity.below-floor" not in [f.rule for f in evaluate(old).findings]
    new, _ = roll(old)
    assert "equity.below-floor" not in [f.rule for f in evaluate(new).findings]
    low, _ = roll(old, closing_equity=D(1000000))
    flagged = [f for f in evaluate(low).findings if f.rule == "equity.below-floor"]
    assert [f.ref.year for f in flagged if f.ref] == [2025, 2026, 2027]


def test_rolling_is_deterministic() -> None:
    old = example("fryksdalen-2022")
    first = roll_forward(old, closing_equity=D(1000000), today=autumn(old))
    second = roll_forward(old, closing_equity=D(1000000), today=autumn(old))
    assert first == second


# --- refusals ------------------------------------------------------------------------------------


def test_an_already_rolled_budget_is_refused() -> None:
    old = example("sodra-lappland-2024")
    new, _ = roll(old)
    with pytest.raises(NextYearError, match="redan vara framrullad"):
        rollover(new, today=autumn(old))


def test_a_budget_year_not_before_the_target_is_refused() -> None:
    old = example("sodra-lappland-2024")
    with pytest.raises(NextYearError, match="redan vara framrullad"):
        rollover(old, today=autumn(old), target_year=2024)
    with pytest.raises(NextYearError, match="ett år i taget"):
        rollover(old, today=autumn(old), target_year=2026)
    assert check_target(old, autumn(old), 2025) == 2025


def test_an_old_budget_is_rolled_with_a_warning() -> None:
    old = example("sodra-lappland-2024")
    _, findings = rollover(old, today=date(2026, 10, 1))
    warning = next(f for f in findings if f.rule == "rollover.old-budget")
    assert "2024" in warning.message and "2026" in warning.message


def test_next_years_keeps_the_plan_length() -> None:
    assert next_years(Years(budget=2025, plan=[2026, 2027, 2028])) == Years(
        comparison=[2025], budget=2026, plan=[2027, 2028, 2029]
    )
    assert next_years(Years(comparison=[2023, 2024], budget=2025)) == Years(
        comparison=[2024, 2025], budget=2026
    )


def test_the_closing_year_joins_the_equity_history_as_a_forecast() -> None:
    old = example("sodra-dalarna-2025")
    done = roll_forward(old, today=autumn(old))
    row = next(a for a in done.budget.actuals if a.year == 2025)
    assert row.status.value == "prognos"
    plan = evaluate(old).year(2025)
    assert (row.contributions, row.costs, row.result, row.equity_end) == (
        plan.contributions,
        plan.costs_net,
        plan.result,
        plan.equity_end,
    )
    assert row.equity_end == D(384_000)
    assert [a.year for a in done.budget.actuals] == sorted(a.year for a in done.budget.actuals)
    assert "Utfall: 2025 tillagt som prognos" in done.changes


def test_with_the_books_the_closing_year_is_an_actual() -> None:
    old = example("sodra-dalarna-2025")
    done = roll_forward(old, today=autumn(old), closing_equity=D(420_000))
    row = next(a for a in done.budget.actuals if a.year == 2025)
    assert row.status.value == "utfall"
    assert row.equity_end == D(420_000)
    assert row.result == D(420_000) - D(700_000)  # the books' equity minus the opening equity
    assert all(a.year < done.budget.years.budget for a in done.budget.actuals)
