"""Checks on cost and income lines: blanks, duplicates, years, insatser, administration share."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from finsam_xl.model.budget import Budget, CostLine, IncomeLine, YearKind
from finsam_xl.model.findings import Element, Finding, Ref, Severity
from finsam_xl.model.money import fmt_pct, kr
from finsam_xl.model.results import Result


def _lines(budget: Budget) -> Iterator[tuple[Element, int, CostLine | IncomeLine]]:
    for i, cost in enumerate(budget.costs):
        yield Element.COST, i, cost
    for i, income in enumerate(budget.income):
        yield Element.INCOME, i, income


def check_blank_and_duplicate(budget: Budget, result: Result) -> Iterator[Finding]:
    """A line without a name, without amounts, or the same line twice."""
    seen: dict[tuple[Element, str, str, str, str], int] = {}
    for element, i, line in _lines(budget):
        what = "Kostnadsraden" if element is Element.COST else "Intäktsraden"
        if not line.name.strip():
            yield Finding(
                rule="lines.blank",
                severity=Severity.WARNING,
                message=f"{what} nr {i + 1} saknar benämning.",
                ref=Ref(element=element, index=i, field="name"),
            )
            continue
        if not any(line.amounts.values()):
            yield Finding(
                rule="lines.empty",
                severity=Severity.INFO,
                message=f"{what} '{line.name}' har inga belopp något år.",
                ref=Ref(element=element, index=i, field="name"),
            )
        key = (
            element,
            (line.section or "").casefold(),
            line.cost_centre or "",
            line.account or "",
            line.name.strip().casefold(),
        )
        if key in seen:
            yield Finding(
                rule="lines.duplicate",
                severity=Severity.WARNING,
                message=(
                    f"{what} '{line.name}' förekommer två gånger (även nr {seen[key] + 1}); "
                    "kontrollera att beloppet inte räknas dubbelt."
                ),
                ref=Ref(element=element, index=i, field="name"),
            )
        else:
            seen[key] = i


#: Above this many lines, a finding about one column is given once for the column.
LINES_LISTED = 5


def check_negative_amounts(budget: Budget, result: Result) -> Iterator[Finding]:
    """A cost or an income typed as a negative number is refused, never silently netted.

    Some förbund print costs with a minus sign (Fryksdalen, Örnsköldsvik), so
    amounts copied from them arrive negative. Read as they are, they would lower
    the costs; turned positive, a real credit would raise them. Either guess could
    be wrong by twice the amount, so the input is refused with a message saying
    how to write it (docs/rules.md).
    """
    for element in (Element.COST, Element.INCOME):
        lines: list[CostLine | IncomeLine] = [
            *(budget.costs if element is Element.COST else budget.income)
        ]
        found = [
            (i, line, year, amount)
            for i, line in enumerate(lines)
            if line.amounts and min(line.amounts.values()) < 0  # else nothing to sort
            for year, amount in sorted(line.amounts.items())
            if amount < 0
        ]
        if not found:
            continue
        rule = f"input.{element}-negative"
        if element is Element.COST:
            advice = (
                "Kostnader skrivs som positiva belopp, även när förlagan skriver dem med minus; "
                "ta bort minustecknet. En återbetalning eller annan minskning skrivs som en rad "
                "med Typ Intäkt."
            )
        else:
            advice = (
                "Intäkter skrivs som positiva belopp, även de som visas med minus inne i ett "
                "kostnadsställe (Nettoredovisas = Ja); ta bort minustecknet."
            )
        what = "kostnad" if element is Element.COST else "intäkt"
        lines_hit = sorted({i for i, *_ in found})
        if len(lines_hit) > LINES_LISTED:
            i, line, year, amount = found[0]
            yield Finding(
                rule=rule,
                severity=Severity.ERROR,
                message=(
                    f"{len(found)} belopp på {len(lines_hit)} rader är negativa (första: "
                    f"'{line.name}' {year}: {kr(amount)}). {advice} Inget skrivs förrän det "
                    "är rättat."
                ),
                ref=Ref(element=element, index=i, year=year),
            )
            continue
        for index in lines_hit:
            hits = [(line, year, amount) for i, line, year, amount in found if i == index]
            amounts = ", ".join(f"{year}: {kr(amount)}" for _, year, amount in hits)
            yield Finding(
                rule=rule,
                severity=Severity.ERROR,
                message=(
                    f"'{hits[0][0].name}' har en negativ {what} ({amounts}). {advice} "
                    "Inget skrivs förrän det är rättat."
                ),
                ref=Ref(element=element, index=index, year=hits[0][1]),
            )


def check_years_outside(budget: Budget, result: Result) -> Iterator[Finding]:
    """Amounts for years the budget does not cover are not counted (once per column if many)."""
    years = set(budget.years.all)
    outside: dict[int, list[tuple[Element, int, CostLine | IncomeLine, Decimal]]] = {}
    for element, i, line in _lines(budget):
        for year, amount in line.amounts.items():
            if year not in years and amount:
                outside.setdefault(year, []).append((element, i, line, amount))
    for year in sorted(outside):
        hits = outside[year]
        if len(hits) > LINES_LISTED:
            element, i, line, _ = hits[0]
            total = sum((abs(a) for *_, a in hits), Decimal(0))
            yield Finding(
                rule="lines.year-outside",
                severity=Severity.WARNING,
                message=(
                    f"Kolumnen {year} har belopp på {len(hits)} rader (sammanlagt {kr(total)}), "
                    f"men {year} är inte ett av budgetens år "
                    f"{budget.years.all[0]}–{budget.years.all[-1]}; beloppen räknas inte."
                ),
                ref=Ref(element=element, index=i, year=year),
            )
            continue
        for element, i, line, amount in hits:
            yield Finding(
                rule="lines.year-outside",
                severity=Severity.WARNING,
                message=(
                    f"'{line.name}' har {kr(amount)} för {year}, som inte är ett av "
                    "budgetens år; beloppet räknas inte."
                ),
                ref=Ref(element=element, index=i, year=year),
            )


def check_insats(budget: Budget, result: Result) -> Iterator[Finding]:
    """An insats should carry no money outside its period, nor more than granted."""
    for i, line in enumerate(budget.costs):
        insats = line.insats
        if insats is None:
            continue
        for year, amount in sorted(line.amounts.items()):
            if not amount or year in budget.years.comparison:
                continue
            if not insats.covers(year):
                period = f"{insats.start or '…'}–{insats.end or '…'}"
                yield Finding(
                    rule="insats.outside-period",
                    severity=Severity.WARNING,
                    message=(
                        f"Insatsen '{line.name}' har {kr(amount)} för {year}, utanför "
                        f"projektperioden {period}; det kräver ett nytt beslut."
                    ),
                    ref=Ref(element=Element.COST, index=i, year=year),
                )
            granted = insats.granted_per_year
            if granted is not None and amount > granted:
                yield Finding(
                    rule="insats.above-granted",
                    severity=Severity.WARNING,
                    message=(
                        f"Insatsen '{line.name}' har {kr(amount)} för {year}, mer än beviljade "
                        f"{kr(granted)} per år ({kr(amount - granted)} över)."
                    ),
                    ref=Ref(element=Element.COST, index=i, year=year),
                )


def check_admin_share(budget: Budget, result: Result) -> Iterator[Finding]:
    """Administration's share of costs above the configured threshold (info)."""
    limit = Decimal(budget.settings.admin_share_max_pct)
    for row in result.plan:
        if row.kind is YearKind.JAMFORELSE or row.admin_share_pct is None:
            continue
        if row.admin_share_pct > limit:
            yield Finding(
                rule="admin.share",
                severity=Severity.INFO,
                message=(
                    f"{row.year}: styrelse och administration är {fmt_pct(row.admin_share_pct)} "
                    f"av kostnaderna, över gränsen {fmt_pct(limit)} i inställningarna."
                ),
                ref=Ref(element=Element.PLAN, year=row.year, field="admin_share_pct"),
            )
