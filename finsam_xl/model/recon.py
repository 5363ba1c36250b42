"""Reconciliation (avstämning) data: postings from the books and the results per line/member.

``Posting`` is deliberately a slotted dataclass, not a pydantic model: a year of
books can hold a million rows, and the core only aggregates them as they stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from finsam_xl.model.findings import Finding
from finsam_xl.model.types import Money, Quantity


@dataclass(frozen=True, slots=True)
class Posting:
    """One booked row: debit positive, credit negative (as in SIE); ``source`` is file:line."""

    day: date
    account: str
    cost_centre: str
    amount: Decimal
    source: str


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class LineRecon(_Out):
    """One budget line in the reconciliation (amounts in kronor, costs and income positive)."""

    element: str  # "cost" or "income"
    index: int
    name: str
    section: str | None
    cost_centre: str | None
    budget_year: Money
    budget_to_date: Money
    actual_by_month: list[Money]
    actual_to_date: Money
    deviation: Money
    deviation_pct: Quantity | None
    forecast: Money
    forecast_method: str  # "linjär" or "angiven"


class SectionRecon(_Out):
    """A heading's (cost centre's) lines added up: the level deviations are reported at."""

    section: str
    budget_year: Money
    budget_to_date: Money
    actual_to_date: Money
    deviation: Money
    deviation_pct: Quantity | None
    forecast: Money


class Payment(_Out):
    """A member's payment as booked."""

    day: date
    amount: Money
    source: str


class Instalment(_Out):
    """One instalment a member owes: when it is due, how much, and when it was paid in full."""

    due: date
    amount: Money
    paid_on: date | None
    late: bool


class MemberRecon(_Out):
    """A member's payments received against what it owes for the year."""

    name: str
    owed_year: Money
    owed_to_date: Money
    received_to_date: Money
    payments: list[Payment]
    instalments: list[Instalment]


class EquityRecon(_Out):
    """Equity in the books (opening balance of the year) against the budget's assumption."""

    books: Money | None
    assumed: Money | None
    difference: Money | None
    accounts: list[str] = Field(default_factory=list)


class UnmappedAccount(_Out):
    """A result account with amounts that no rule or line maps."""

    account: str
    cost_centre: str
    amount: Money
    source: str


class ReconResult(_Out):
    """Everything the reconciliation computed, with findings."""

    year: int
    period_end: date
    months: int
    lines: list[LineRecon]
    sections: list[SectionRecon]
    members: list[MemberRecon]
    equity: EquityRecon
    unmapped: list[UnmappedAccount]
    findings: list[Finding]
