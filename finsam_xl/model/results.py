"""The core's results: the plan per year, the allocation per member, and findings."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from finsam_xl.model.budget import CostGroup, MemberKind, YearKind
from finsam_xl.model.findings import Finding
from finsam_xl.model.text import name_key
from finsam_xl.model.types import Money, Quantity


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class YearPlan(_Out):
    """One year of the multi-year plan.

    ``costs`` are gross; ``costs_net`` subtract income netted inside cost
    centres, as budgets that net it print them. ``decision_room`` =
    contributions + funding-line income + equity at start; ``available`` =
    decision_room - the board's floor; both are comparable with ``costs_net``.
    Equity fields are None for years before the opening year.
    """

    year: int
    kind: YearKind
    contributions: Money
    other_income: Money
    other_income_netted: Money
    costs: Money
    costs_by_group: dict[CostGroup, Money]
    costs_net: Money
    result: Money
    equity_start: Money | None
    equity_end: Money | None
    equity_pct: Quantity | None
    recommended_max_pct: Quantity
    recommended_max: Money
    floor: Money
    decision_room: Money | None
    available: Money | None
    admin_share_pct: Quantity | None
    decided: bool = True

    @property
    def decided_floor(self) -> Decimal | None:
        """The board's floor, or None where the board decided none (a floor of 0).

        Everything the board sees prints nothing for an undecided floor, never "0".
        """
        return self.floor if self.floor > 0 else None


class MemberShare(_Out):
    """One member's contribution in one year: what it pays and its lawful share."""

    name: str
    kind: MemberKind
    amount: Money
    lawful: Money | None
    fixed: bool = False
    odd_krona: int = 0


class YearAllocation(_Out):
    """The split of one year's contribution (the "Not 1" table)."""

    year: int
    total: Money
    group_lawful: dict[MemberKind, Money]
    group_actual: dict[MemberKind, Money]
    group_odd_krona: dict[MemberKind, int] = Field(default_factory=dict)
    members: list[MemberShare]

    def amount(self, name: str) -> Decimal | None:
        """The amount member ``name`` pays, or None; a name spelled with other white space
        or case (``text.name_key``, as the member rules compare names) is the same member."""
        exact = next((m.amount for m in self.members if m.name == name), None)
        if exact is not None:
            return exact
        key = name_key(name)
        return next((m.amount for m in self.members if name_key(m.name) == key), None)


class Result(_Out):
    """Everything the core computes for one budget."""

    plan: list[YearPlan] = Field(default_factory=list)
    allocation: list[YearAllocation] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)

    def year(self, year: int) -> YearPlan:
        """The plan row for ``year``; KeyError when absent."""
        for row in self.plan:
            if row.year == year:
                return row
        raise KeyError(year)

    def allocation_for(self, year: int) -> YearAllocation | None:
        """The allocation of ``year``, if any."""
        return next((a for a in self.allocation if a.year == year), None)
