"""Checks on contributions: entries, the exact sum, the law's 50/25/25 and members' shares."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from finsam_xl.model.budget import Budget, MemberKind
from finsam_xl.model.findings import Element, Finding, Ref, Severity
from finsam_xl.model.labels import KIND_ORDER
from finsam_xl.model.labels import KIND_PLURAL_SV as KIND_SV
from finsam_xl.model.money import fmt_pct, kr, pct
from finsam_xl.model.results import Result

LAWFUL_PCT = {MemberKind.STAT: 50, MemberKind.REGION: 25, MemberKind.KOMMUN: 25}


def check_contribution_entries(budget: Budget, result: Result) -> Iterator[Finding]:
    """Every budget and plan year needs a contribution; amounts cannot be negative."""
    entered: set[int] = set()
    for i, entry in enumerate(budget.contributions):
        ref = Ref(element=Element.CONTRIBUTION, index=i, year=entry.year, field="amount")
        if entry.year in entered:
            yield Finding(
                rule="input.contribution-duplicate",
                severity=Severity.ERROR,
                message=f"Medelstilldelningen för {entry.year} är angiven två gånger.",
                ref=ref,
            )
        entered.add(entry.year)
        if entry.year not in budget.years.all:
            yield Finding(
                rule="input.contribution-year",
                severity=Severity.WARNING,
                message=(
                    f"Medelstilldelning för {entry.year} ligger utanför budgetens år "
                    f"{budget.years.all[0]}–{budget.years.all[-1]} och används inte."
                ),
                ref=ref,
            )
        if entry.amount is not None and entry.amount < 0:
            yield Finding(
                rule="input.contribution-negative",
                severity=Severity.ERROR,
                message=f"Medelstilldelningen för {entry.year} är negativ: {kr(entry.amount)}.",
                ref=ref,
            )
    have = {a.year for a in result.allocation}
    for year in [budget.years.budget, *budget.years.plan]:
        if year not in have:
            yield Finding(
                rule="input.contribution-missing",
                severity=Severity.WARNING,
                message=(
                    f"Medelstilldelning saknas för {year}; året räknas utan medlemsbidrag (0 kr)."
                ),
                ref=Ref(element=Element.CONTRIBUTION, year=year, field="amount"),
            )


def check_allocation_sum(budget: Budget, result: Result) -> Iterator[Finding]:
    """What the members pay must add up to the year's total."""
    for allocation in result.allocation:
        paid = sum((m.amount for m in allocation.members), Decimal(0))
        if paid != allocation.total:
            yield Finding(
                rule="contrib.sum",
                severity=Severity.ERROR,
                message=(
                    f"{allocation.year}: medlemmarnas belopp summerar till {kr(paid)} men "
                    f"medelstilldelningen är {kr(allocation.total)} "
                    f"(skillnad {kr(paid - allocation.total)})."
                ),
                ref=Ref(element=Element.CONTRIBUTION, year=allocation.year, field="amount"),
            )


def check_lawful_split(budget: Budget, result: Result) -> Iterator[Finding]:
    """The state pays one half, the regions and the municipalities a quarter each."""
    for allocation in result.allocation:
        if not allocation.group_lawful:
            continue
        paid = sum(allocation.group_actual.values(), Decimal(0))
        off = [
            k
            for k in KIND_ORDER
            if allocation.group_actual.get(k, Decimal(0)) != allocation.group_lawful.get(k)
        ]
        if not off or paid == 0:
            continue
        parts = []
        for kind in KIND_ORDER:
            actual = allocation.group_actual.get(kind, Decimal(0))
            lawful = allocation.group_lawful.get(kind, Decimal(0))
            parts.append(
                f"{KIND_SV[kind]} {kr(actual)} ({fmt_pct(pct(actual, paid))}, "
                f"enligt {LAWFUL_PCT[kind]} % {kr(lawful)}, skillnad {kr(actual - lawful)})"
            )
        yield Finding(
            rule="contrib.lawful-split",
            severity=Severity.WARNING,
            message=(
                f"{allocation.year}: bidragen på {kr(paid)} följer inte lagens 50/25/25: "
                + "; ".join(parts)
                + "."
            ),
            ref=Ref(element=Element.CONTRIBUTION, year=allocation.year, field="amount"),
        )


def check_member_shares(budget: Budget, result: Result) -> Iterator[Finding]:
    """A member paying another amount than its key share, where its kind's total is lawful."""
    index = {m.name: i for i, m in enumerate(budget.members)}
    for allocation in result.allocation:
        for share in allocation.members:
            if share.lawful is None or share.amount == share.lawful:
                continue
            kind = share.kind
            if allocation.group_actual.get(kind) != allocation.group_lawful.get(kind):
                continue  # the lawful-split finding already explains it
            yield Finding(
                rule="contrib.member-share",
                severity=Severity.WARNING,
                message=(
                    f"{allocation.year}: {share.name} betalar {kr(share.amount)} men andelen "
                    f"enligt fördelningsnyckeln är {kr(share.lawful)} "
                    f"(skillnad {kr(share.amount - share.lawful)})."
                ),
                ref=Ref(element=Element.MEMBER, index=index.get(share.name), year=allocation.year),
            )


def check_state_split(budget: Budget, result: Result) -> Iterator[Finding]:
    """Two or more state rows (Försäkringskassan and Arbetsförmedlingen apart): say how the
    state's half was split between them, once, for the budget year.

    Försäkringskassan pays the whole state half, also for Arbetsförmedlingen; a budget
    that shows them apart splits it by the state's key, which the user should see.
    """
    rows = [(i, m) for i, m in enumerate(budget.members) if m.kind is MemberKind.STAT]
    allocation = result.allocation_for(budget.years.budget)
    if len(rows) < 2 or allocation is None:
        return
    paid = {s.name: s.amount for s in allocation.members if s.kind is MemberKind.STAT}
    how = (
        "fasta belopp"
        if all(budget.years.budget in m.amounts for _i, m in rows)
        else f"nyckeln ({budget.keys.stat.value})"
    )
    parts = ", ".join(f"{m.name} {kr(paid.get(m.name, Decimal(0)))}" for _i, m in rows)
    yield Finding(
        rule="contrib.state-split",
        severity=Severity.INFO,
        message=(
            f"{budget.years.budget}: statens hälft "
            f"{kr(allocation.group_actual.get(MemberKind.STAT, Decimal(0)))} delas mellan "
            f"{len(rows)} rader enligt {how}: {parts}. Försäkringskassan betalar i regel hela "
            "statens hälft; vill ni visa staten på en rad, skriv en rad 'Försäkringskassan med "
            "Arbetsförmedlingen'."
        ),
        ref=Ref(element=Element.MEMBER, index=rows[0][0], field="key"),
    )
