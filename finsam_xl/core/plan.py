"""The multi-year plan: income, costs by group, result, and equity rolled forward.

Equity rolls forward from ``Equity.opening`` at the start of the opening year:
end = start + contributions + other income - costs, and the next year starts
from that end. Years before the opening year get no equity figures.
Percentages are rounded half-up to one decimal (``finsam_xl.model.money.pct``);
the recommended maximum in kronor is rounded half-up to whole kronor.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from finsam_xl.model.budget import ADMIN_GROUPS, Budget, CostGroup
from finsam_xl.model.money import ZERO, pct
from finsam_xl.model.results import YearAllocation, YearPlan


def compute_plan(budget: Budget, allocations: list[YearAllocation]) -> list[YearPlan]:
    """One ``YearPlan`` per year of the budget, oldest first."""
    by_year = {a.year: a for a in allocations}
    # One pass over the lines. Keys use the group's string value: hashing an Enum member
    # runs Python code, which made this loop the core's hot spot.
    group_totals: dict[tuple[int, str], Decimal] = {}
    for line in budget.costs:
        group = str(line.group.value)
        for year, amount in line.amounts.items():
            key = (year, group)
            group_totals[key] = group_totals.get(key, ZERO) + amount
    rows: list[YearPlan] = []
    equity: Decimal | None = None
    for year in budget.years.all:
        allocation = by_year.get(year)
        contributions = sum((m.amount for m in allocation.members), ZERO) if allocation else ZERO
        other_income = sum((i.amounts.get(year, ZERO) for i in budget.income), ZERO)
        netted = sum((i.amounts.get(year, ZERO) for i in budget.income if i.netted), ZERO)
        by_group = {g: group_totals.get((year, g.value), ZERO) for g in CostGroup}
        costs = sum(by_group.values(), ZERO)
        result = contributions + other_income - costs
        if year == budget.opening_year:
            equity = budget.equity.opening
        start = equity
        end = start + result if start is not None else None
        equity = end
        max_pct = budget.equity.max_pct_for(contributions)
        room = contributions + other_income - netted + start if start is not None else None
        admin = sum((by_group[g] for g in ADMIN_GROUPS), ZERO)
        entry = budget.contribution(year)
        rows.append(
            YearPlan(
                year=year,
                kind=budget.years.kind(year),
                contributions=contributions,
                other_income=other_income,
                other_income_netted=netted,
                costs=costs,
                costs_by_group=by_group,
                costs_net=costs - netted,
                result=result,
                equity_start=start,
                equity_end=end,
                equity_pct=pct(end, contributions) if end is not None else None,
                recommended_max_pct=max_pct,
                recommended_max=(contributions * max_pct / 100).quantize(
                    Decimal(1), rounding=ROUND_HALF_UP
                ),
                floor=budget.equity.floor,
                decision_room=room,
                available=room - budget.equity.floor if room is not None else None,
                admin_share_pct=pct(admin, costs),
                decided=entry.decided if entry else True,
            )
        )
    return rows
