"""Re-adding published totals: every printed total must equal the sum of its lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal

from finsam_xl.model.budget import Budget, Unit
from finsam_xl.model.findings import Element, Finding, Ref, Severity
from finsam_xl.model.money import KR_PER_TKR, NBSP, in_unit, kr, tkr_text
from finsam_xl.model.results import Result, YearPlan

#: Published item -> (Swedish label, how to compute it from a plan row).
ITEMS: dict[str, tuple[str, Callable[[YearPlan], Decimal | None]]] = {
    "contributions": ("medlemsbidrag", lambda r: r.contributions),
    "income": (
        "summa intäkter",
        lambda r: r.contributions + r.other_income - r.other_income_netted,
    ),
    "costs": ("summa kostnader", lambda r: r.costs_net),
    "result": ("resultat", lambda r: r.result),
    "equity_start": ("eget kapital vid årets början", lambda r: r.equity_start),
    "equity_end": ("eget kapital vid årets slut", lambda r: r.equity_end),
    "decision_room": ("beslutsutrymme (medel att disponera)", lambda r: r.decision_room),
    "available": ("tillgängligt", lambda r: r.available),
}


def same_amount(published: Decimal, computed: Decimal, unit: Unit) -> bool:
    """Equal, allowing for a tkr table's rounding when the published figure is whole tkr."""
    if published == computed:
        return True
    if unit is Unit.TKR and published % KR_PER_TKR == 0:
        return (computed / KR_PER_TKR).quantize(Decimal(1), ROUND_HALF_UP) * KR_PER_TKR == published
    return False


def _mismatch(item: str, label: str, year: int, published: Decimal, computed: Decimal) -> Finding:
    return Finding(
        rule="published.total",
        severity=Severity.ERROR,
        message=(
            f"Publicerat {label} {year} är {kr(published)} men raderna ger {kr(computed)} "
            f"(skillnad {kr(published - computed)})."
        ),
        ref=Ref(element=Element.PUBLISHED, key=item, year=year),
    )


def _section_sum(budget: Budget, section: str, year: int) -> Decimal:
    costs = sum(
        (c.amounts.get(year, Decimal(0)) for c in budget.costs if c.section == section),
        Decimal(0),
    )
    netted = sum(
        (
            i.amounts.get(year, Decimal(0))
            for i in budget.income
            if i.netted and i.section == section
        ),
        Decimal(0),
    )
    return costs - netted


def check_published_totals(budget: Budget, result: Result) -> Iterator[Finding]:
    """Compare every published total with what the lines give."""
    unit = budget.forbund.unit
    rows = {r.year: r for r in result.plan}
    pub = budget.published
    for item, (label, compute) in ITEMS.items():
        for year, published in sorted(getattr(pub, item).items()):
            row = rows.get(year)
            computed = compute(row) if row else None
            if computed is not None and not same_amount(published, computed, unit):
                yield _mismatch(item, label, year, published, computed)
    for year, published_pct in sorted(pub.equity_end_pct.items()):
        row = rows.get(year)
        if row is None or row.equity_end is None or row.contributions == 0:
            continue
        exponent = published_pct.as_tuple().exponent
        places = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
        computed_pct = (row.equity_end * 100 / row.contributions).quantize(places, ROUND_HALF_UP)
        if computed_pct != published_pct:
            yield Finding(
                rule="published.total",
                severity=Severity.ERROR,
                message=(
                    f"Publicerad andel eget kapital {year} är {published_pct} % men beräkningen "
                    f"ger {computed_pct} %."
                ),
                ref=Ref(element=Element.PUBLISHED, key="equity_end_pct", year=year),
            )
    for section, amounts in pub.sections.items():
        for year, published in sorted(amounts.items()):
            computed = _section_sum(budget, section, year)
            if not same_amount(published, computed, unit):
                yield _mismatch(
                    f"section:{section}", f"delsumma '{section}'", year, published, computed
                )
    for year, members in sorted(pub.allocation.items()):
        allocation = result.allocation_for(year)
        for name, published in members.items():
            amount = allocation.amount(name) if allocation else None
            if amount is None:
                yield Finding(
                    rule="published.allocation",
                    severity=Severity.ERROR,
                    message=f"Publicerad fördelning {year} nämner '{name}', som inte är medlem.",
                    ref=Ref(element=Element.PUBLISHED, key=f"allocation:{name}", year=year),
                )
            elif published != amount:  # typed in the workbook's unit, compared to the krona
                tkr = budget.forbund.unit is Unit.TKR
                if tkr and published == amount * KR_PER_TKR:
                    # Kronor typed in a tkr workbook (Fördelning was in kr before issue 22):
                    # the figure agrees, only its unit is not the workbook's.
                    yield Finding(
                        rule="published.allocation",
                        severity=Severity.WARNING,
                        message=(
                            f"Publicerat belopp för {name} {year} ser ut att vara skrivet i kr "
                            f"({kr(amount)}); Fördelning anges i arbetsbokens enhet tkr som alla "
                            f"belopp: skriv {tkr_text(amount).removesuffix(NBSP + 'tkr')}."
                        ),
                        ref=Ref(element=Element.PUBLISHED, key=f"allocation:{name}", year=year),
                    )
                    continue
                yield Finding(
                    rule="published.allocation",
                    severity=Severity.ERROR,
                    message=(
                        f"Publicerat belopp för {name} {year} är {in_unit(published, tkr)} men "
                        f"fördelningen ger {in_unit(amount, tkr)} "
                        f"(skillnad {in_unit(published - amount, tkr)})."
                    ),
                    ref=Ref(element=Element.PUBLISHED, key=f"allocation:{name}", year=year),
                )


_YEAR_RANGE = re.compile(r"(20\d\d)(?:\s*[-–]\s*(20\d\d))?")


def check_table_heading(budget: Budget, result: Result) -> Iterator[Finding]:
    """The printed table's heading should name the budget and plan years it shows."""
    heading = budget.published.table_heading
    if not heading:
        return
    named: set[int] = set()
    for match in _YEAR_RANGE.finditer(heading):
        first = int(match.group(1))
        last = int(match.group(2) or first)
        named.update(range(first, last + 1))
    expected = {budget.years.budget, *budget.years.plan}
    if named and not expected <= named | set(budget.years.comparison):
        plan = budget.years.plan
        span = f", plan {plan[0]}–{plan[-1]}" if plan else ""
        yield Finding(
            rule="published.heading",
            severity=Severity.WARNING,
            message=(
                f"Tabellrubriken '{heading}' nämner åren {', '.join(map(str, sorted(named)))}, "
                f"men kolumnerna är budget {budget.years.budget}{span}."
            ),
            ref=Ref(element=Element.PUBLISHED, key="table_heading"),
        )
