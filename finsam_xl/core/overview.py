"""Across förbund: one row per förbund and year, each member's contributions to all its förbund.

Pure functions on budgets and results. ``summarise`` turns one evaluated
budget into a small ``ForbundSummary`` (so an overview of 75 workbooks keeps 75
summaries, not 75 workbooks); ``build_overview`` joins the summaries: it
matches members by name across förbund (``member_key``, corrected by a
matching table the user keeps), folds the state side into one "Staten", and
reports a förbund that appears twice.

Matching (docs/overview.md): a name's key is its text without anything in
parentheses, without a trailing "kommun", case and spacing ignored, so
"Region Dalarna" and "Region Dalarna (hälso- och sjukvård)" are one member.
A matching table maps a name as written in a budget (case and spacing
ignored) to the member it is; its entries win over the automatic key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from finsam_xl.model.budget import Budget, MemberKind, YearKind
from finsam_xl.model.findings import Finding, Severity
from finsam_xl.model.labels import KIND_ORDER
from finsam_xl.model.money import pct
from finsam_xl.model.results import Result
from finsam_xl.model.types import Money, Quantity

STATE = "Staten"
STATE_NOTE = "Försäkringskassan och Arbetsförmedlingen"
_PARENS = re.compile(r"\([^)]*\)")
_SPACES = re.compile(r"\s+")


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class ForbundYear(_Row):
    """One förbund in one year of its budget (comparison, budget or plan year)."""

    forbund: str
    source: str
    budget_year: int
    year: int
    kind: YearKind
    contributions: Money
    state_pct: Quantity | None
    other_income: Money
    costs: Money
    result: Money
    equity_end: Money | None
    equity_pct: Quantity | None
    recommended_max: Money
    recommended_max_pct: Quantity
    floor: Money | None
    above_recommended: bool | None
    below_floor: bool | None
    admin_share_pct: Quantity | None
    insatser: int
    insatser_ending: int
    errors: int
    warnings: int


class MemberAmount(_Row):
    """What one member pays one förbund in one year, under its name in that budget."""

    name: str
    kind: MemberKind
    forbund: str
    year: int
    amount: Money


class PlacedFinding(_Row):
    """A förbund's finding with the file and cell (or line) it concerns."""

    forbund: str
    source: str
    finding: Finding


class Instalment(_Row):
    """One invoice of the förbund's fakturaplan (``core.members``), for a member's cash plan.

    ``member`` is the member it is counted as across förbund (set by
    ``build_overview``; the name as written until then).
    """

    member: str
    name: str  # the party as the budget names it
    kind: MemberKind
    forbund: str
    reference: str
    day: date
    due: date
    amount: Money


class ForbundSummary(_Row):
    """What the overview keeps of one budget file."""

    forbund: str
    source: str
    budget_year: int
    years: list[ForbundYear]
    members: list[MemberAmount]
    findings: list[PlacedFinding]
    instalments: list[Instalment] = Field(default_factory=list)


class MemberTotal(_Row):
    """A member across förbund: its contribution per förbund and year, and the total."""

    member: str
    kind: MemberKind
    names: list[str]
    amounts: dict[str, dict[int, Money]]  # förbund -> year -> amount
    total: dict[int, Money]  # year -> total over förbund


class Refused(_Row):
    """A file that could not be read, with the reason in Swedish."""

    source: str
    message: str


class Overview(_Row):
    """The overview: förbund rows, members across förbund, all findings, refused files."""

    forbund: list[ForbundYear] = Field(default_factory=list)
    members: list[MemberTotal] = Field(default_factory=list)
    matching: dict[str, str] = Field(default_factory=dict)  # name as written -> member
    findings: list[PlacedFinding] = Field(default_factory=list)
    refused: list[Refused] = Field(default_factory=list)
    instalments: list[Instalment] = Field(default_factory=list)  # by member, then due date

    @property
    def has_problems(self) -> bool:
        """True when a file was refused or the overview itself found an error."""
        return bool(self.refused) or any(
            p.finding.severity is Severity.ERROR and p.finding.rule.startswith("overview.")
            for p in self.findings
        )


def member_key(name: str) -> str:
    """The automatic matching key of a member's name (see the module docstring)."""
    text = _SPACES.sub(" ", _PARENS.sub(" ", name)).strip().casefold()
    if text.endswith(" kommun"):
        text = text[: -len(" kommun")].strip()
    return text


def summarise(
    budget: Budget, result: Result, findings: list[Finding], source: str
) -> ForbundSummary:
    """One evaluated budget as the overview's rows; ``findings`` are placed (cell or line)."""
    last_plan = budget.years.all[-1]
    insatser = [c for c in budget.costs if c.insats is not None]
    ending = sum(
        1
        for c in insatser
        if c.insats is not None
        and c.insats.end is not None
        and budget.years.budget <= c.insats.end.year <= last_plan
    )
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
    years = []
    for row in result.plan:
        allocation = result.allocation_for(row.year)
        state = allocation.group_actual.get(MemberKind.STAT) if allocation else None
        state_pct = pct(state, allocation.total) if allocation and state is not None else None
        years.append(
            ForbundYear(
                forbund=budget.forbund.name,
                source=source,
                budget_year=budget.years.budget,
                year=row.year,
                kind=row.kind,
                contributions=row.contributions,
                state_pct=state_pct,
                other_income=row.other_income,
                costs=row.costs,
                result=row.result,
                equity_end=row.equity_end,
                equity_pct=row.equity_pct,
                recommended_max=row.recommended_max,
                recommended_max_pct=row.recommended_max_pct,
                floor=row.decided_floor,
                above_recommended=None
                if row.equity_end is None
                else row.equity_end > row.recommended_max,
                below_floor=None
                if row.equity_end is None or row.decided_floor is None
                else row.equity_end < row.decided_floor,
                admin_share_pct=row.admin_share_pct,
                insatser=len(insatser),
                insatser_ending=ending,
                errors=errors,
                warnings=warnings,
            )
        )
    members = [
        MemberAmount(
            name=share.name,
            kind=share.kind,
            forbund=budget.forbund.name,
            year=a.year,
            amount=share.amount,
        )
        for a in result.allocation
        for share in a.members
    ]
    name = budget.forbund.name
    placed = [PlacedFinding(forbund=name, source=source, finding=f) for f in findings]
    return ForbundSummary(
        forbund=budget.forbund.name,
        source=source,
        budget_year=budget.years.budget,
        years=years,
        members=members,
        findings=placed,
        instalments=instalments_of(budget, result),
    )


def instalments_of(budget: Budget, result: Result) -> list[Instalment]:
    """The förbund's fakturaplan of its budget year as overview rows."""
    from finsam_xl.core.members import invoice_plan

    return [
        Instalment(
            member=i.party,
            name=i.party,
            kind=i.kind,
            forbund=i.forbund,
            reference=i.reference,
            day=i.day,
            due=i.due,
            amount=i.amount,
        )
        for i in invoice_plan(budget, result).invoices
    ]


def member_instalments(
    summaries: Iterable[ForbundSummary], used: Mapping[str, str]
) -> list[Instalment]:
    """Every förbund's instalments under the member each is counted as, by member and due date.

    ``used`` maps a name as written to the member (``Overview.matching``); the
    state side is always ``STATE``.
    """
    rows = [
        i.model_copy(
            update={"member": STATE if i.kind is MemberKind.STAT else used.get(i.name, i.name)}
        )
        for s in summaries
        for i in s.instalments
    ]
    return sorted(
        rows,
        key=lambda i: (
            KIND_ORDER.index(i.kind),
            i.member.casefold(),
            i.due,
            i.forbund,
            i.reference,
        ),
    )


def build_overview(
    summaries: Iterable[ForbundSummary],
    refused: Iterable[Refused] = (),
    matching: Mapping[str, str] | None = None,
) -> Overview:
    """Join the summaries; a förbund that appears twice for one budget year is kept once."""
    table = {_as_written(k): v.strip() for k, v in (matching or {}).items() if v.strip()}
    kept: list[ForbundSummary] = []
    seen: dict[tuple[str, int], ForbundSummary] = {}
    findings: list[PlacedFinding] = []
    for summary in summaries:
        key = (member_key(summary.forbund), summary.budget_year)
        first = seen.get(key)
        if first is not None:
            findings.append(_duplicate(summary, first))
            continue
        seen[key] = summary
        kept.append(summary)
    for summary in kept:
        findings.extend(summary.findings)
    members, used = _members(kept, table)
    rows = [row for s in kept for row in s.years]
    return Overview(
        forbund=rows,
        members=members,
        matching=used,
        instalments=member_instalments(kept, used),
        findings=[
            *(f for f in findings if f.finding.rule.startswith("overview.")),
            *(f for f in findings if not f.finding.rule.startswith("overview.")),
        ],
        refused=list(refused),
    )


def _duplicate(summary: ForbundSummary, first: ForbundSummary) -> PlacedFinding:
    return PlacedFinding(
        forbund=summary.forbund,
        source=summary.source,
        finding=Finding(
            rule="overview.duplicate",
            severity=Severity.ERROR,
            message=(
                f"{summary.forbund} {summary.budget_year} finns två gånger: i {first.source} och "
                f"i {summary.source}. Översikten tar med {first.source}; ta bort den fil som "
                "inte gäller."
            ),
            location=summary.source,
        ),
    )


def _members(
    summaries: list[ForbundSummary], table: Mapping[str, str]
) -> tuple[list[MemberTotal], dict[str, str]]:
    """Members matched by name across förbund; the state side as one member."""
    groups: dict[str, list[MemberAmount]] = {}
    display: dict[str, str] = {}
    used: dict[str, str] = {}
    for summary in summaries:
        for amount in summary.members:
            if amount.kind is MemberKind.STAT:
                canonical = STATE
            else:
                canonical = table.get(_as_written(amount.name)) or _first_spelling(
                    display, amount.name
                )
            used[amount.name] = canonical
            groups.setdefault(member_key(canonical), []).append(amount)
            display.setdefault(member_key(canonical), canonical)
    totals = []
    for key, amounts in groups.items():
        per: dict[str, dict[int, Decimal]] = {}
        total: dict[int, Decimal] = {}
        for a in amounts:
            year = per.setdefault(a.forbund, {})
            year[a.year] = year.get(a.year, Decimal(0)) + a.amount
            total[a.year] = total.get(a.year, Decimal(0)) + a.amount
        totals.append(
            MemberTotal(
                member=display[key],
                kind=amounts[0].kind,
                names=sorted({a.name for a in amounts}),
                amounts=per,
                total=dict(sorted(total.items())),
            )
        )
    totals.sort(key=lambda m: (KIND_ORDER.index(m.kind), m.member.casefold()))
    return totals, dict(sorted(used.items()))


def _as_written(name: str) -> str:
    """A name as written, case and spacing ignored: how the matching table is looked up."""
    return _SPACES.sub(" ", name).strip().casefold()


def _first_spelling(display: dict[str, str], name: str) -> str:
    """The member's name as first met (with parenthesised remarks dropped)."""
    key = member_key(name)
    if key not in display:
        display[key] = _SPACES.sub(" ", _PARENS.sub(" ", name)).strip()
    return display[key]
