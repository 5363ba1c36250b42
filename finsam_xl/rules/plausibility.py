"""Plausibility: amounts and frames of a size no förbund has, and a unit that looks wrong.

A förbund turns over about 3–30 Mkr a year (domain.md; the seeds range from
2.8 to 6.5 Mkr). The state's allocation has a base of 400 tkr, and the other
members match the state, so no förbund's yearly frame is below 800 000 kr. The
thresholds below are named, documented in docs/rules.md, and the two bounds of
the frame are settings (*Rimlig ram: lägsta/högsta (kr)*) for a förbund that
truly lies outside them.

Root cause once: when the whole budget is off by the unit's factor of 1 000,
one finding says the unit looks wrong, and the frame and amount findings that
would follow from it are not given.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from finsam_xl.model.budget import Budget, CostLine, IncomeLine, Unit
from finsam_xl.model.findings import Element, Finding, Ref, Severity
from finsam_xl.model.money import KR_PER_TKR, kr
from finsam_xl.model.results import Result

#: Smallest plausible yearly frame: twice the state's base allocation of 400 tkr.
FRAME_MIN_KR = Decimal(800_000)
#: Largest plausible yearly frame: twice the ~30 Mkr of the largest förbund (domain.md).
FRAME_MAX_KR = Decimal(60_000_000)
#: Costs within this factor of the frame are on the same scale (see ``_same_scale``).
SCALE_SPREAD = Decimal(10)
#: Above this many amounts, the amount finding is given once, for the first.
AMOUNTS_LISTED = 5


def frame_bounds(budget: Budget) -> tuple[Decimal, Decimal]:
    """(lowest, highest) plausible yearly frame in kr: the settings, else the defaults."""
    low = budget.settings.frame_min_kr
    high = budget.settings.frame_max_kr
    return (FRAME_MIN_KR if low is None else low, FRAME_MAX_KR if high is None else high)


def _mkr(amount: Decimal) -> str:
    """'60 Mkr', '0,8 Mkr': a bound as the boards speak of it."""
    text = f"{amount / 1_000_000:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text}\u00a0Mkr"


def _same_scale(budget: Budget, total: Decimal) -> bool:
    """True when the budget year's costs are of the frame's order (none, or within 10x).

    Only then can a wrong unit explain the frame: contributions typed in kronor in
    a tkr book beside costs in tkr are one wrong entry, not a wrong unit.
    """
    year = budget.years.budget
    costs = sum((c.amounts.get(year, Decimal(0)) for c in budget.costs), Decimal(0))
    return costs == 0 or total / SCALE_SPREAD <= costs <= total * SCALE_SPREAD


def _span(low: Decimal, high: Decimal) -> str:
    """'0,8 Mkr–60 Mkr'."""
    return f"{_mkr(low)}–{_mkr(high)}"


def _frame(budget: Budget, result: Result) -> tuple[int, Decimal, Ref, str] | None:
    """The budget year's frame in kr, where it sits, and what it is; None without any amount."""
    year = budget.years.budget
    allocation = result.allocation_for(year)
    total = allocation.total if allocation is not None else None
    if total is not None and total > 0:
        return (
            year,
            total,
            Ref(element=Element.CONTRIBUTION, year=year, field="amount"),
            (f"Medelstilldelningen för {year}"),
        )
    costs = sum((c.amounts.get(year, Decimal(0)) for c in budget.costs), Decimal(0))
    if costs > 0:
        first = next(i for i, c in enumerate(budget.costs) if c.amounts.get(year))
        ref = Ref(element=Element.COST, index=first, year=year)
        return year, costs, ref, (f"Kostnaderna för {year}")
    return None


def _large_amounts(budget: Budget, high: Decimal) -> Iterator[tuple[str, Decimal, Ref]]:
    """Every typed amount above ``high``, with a name and where it is.

    Names and references are built only for the amounts found: the scan runs on
    every evaluation and most budgets have none.
    """
    lines: list[tuple[Element, int, CostLine | IncomeLine]] = [
        *((Element.COST, i, line) for i, line in enumerate(budget.costs)),
        *((Element.INCOME, i, line) for i, line in enumerate(budget.income)),
    ]
    for element, i, line in lines:
        amounts = line.amounts
        if not amounts or -high <= min(amounts.values()) <= max(amounts.values()) <= high:
            continue  # the common case, told without sorting the line's years
        for year, amount in sorted(amounts.items()):
            if abs(amount) > high:
                yield f"'{line.name}' {year}", amount, Ref(element=element, index=i, year=year)
    for i, member in enumerate(budget.members):
        for year, amount in sorted(member.amounts.items()):
            if abs(amount) > high:
                name = f"{member.name}, fast belopp {year}"
                yield name, amount, Ref(element=Element.MEMBER, index=i, year=year)
    for entry in budget.contributions:
        if entry.amount is not None and abs(entry.amount) > high:
            ref = Ref(element=Element.CONTRIBUTION, year=entry.year, field="amount")
            yield f"Medelstilldelningen {entry.year}", entry.amount, ref
    if abs(budget.equity.opening) > high:
        ref = Ref(element=Element.EQUITY, field="opening")
        yield "Eget kapital vid årets början", budget.equity.opening, ref


def check_size_and_unit(budget: Budget, result: Result) -> Iterator[Finding]:
    """A unit that looks wrong (error), else a frame or amounts of a size no förbund has (warnings).

    The unit finding is an error, not blocking: a frame a thousand times beyond any
    förbund's that would be ordinary in the other unit is almost certainly a wrong
    unit, and every figure of the plan is off by that factor.
    """
    low, high = frame_bounds(budget)
    frame = _frame(budget, result)
    reported: Ref | None = None
    if frame is not None:
        year, total, ref, what = frame
        unit = budget.forbund.unit
        same = _same_scale(budget, total)
        if same and unit is Unit.TKR and total > high and low <= total / KR_PER_TKR <= high:
            yield Finding(
                rule="plausible.unit",
                severity=Severity.ERROR,
                message=(
                    f"Enheten är tkr, men beloppen ser ut att vara kronor: {what.lower()} blir "
                    f"{kr(total)}, medan ett samordningsförbunds ram brukar vara "
                    f"{_span(low, high)}. "
                    "Ändra Enhet till kr, eller skriv beloppen i tusental kronor."
                ),
                ref=Ref(element=Element.SETTINGS, field="unit"),
            )
            return
        if same and unit is Unit.KR and total < low and low <= total * KR_PER_TKR <= high:
            yield Finding(
                rule="plausible.unit",
                severity=Severity.ERROR,
                message=(
                    f"Enheten är kr, men beloppen ser ut att vara tkr: {what.lower()} blir bara "
                    f"{kr(total)}, medan ett samordningsförbunds ram brukar vara "
                    f"{_span(low, high)}. "
                    "Ändra Enhet till tkr, eller skriv beloppen i kronor."
                ),
                ref=Ref(element=Element.SETTINGS, field="unit"),
            )
            return
        if not low <= total <= high:
            reported = ref
            size = "mindre" if total < low else "större"
            yield Finding(
                rule="plausible.frame-size",
                severity=Severity.WARNING,
                message=(
                    f"{what} är {kr(total)}, {size} än något samordningsförbunds ram "
                    f"(brukar vara {_span(low, high)}). Kontrollera beloppet och enheten; är "
                    "förbundet verkligen så stort eller litet, ändra 'Rimlig ram' i Inställningar."
                ),
                ref=ref,
            )
    large = [(name, amount, ref) for name, amount, ref in _large_amounts(budget, high)]
    large = [item for item in large if item[2] != reported]
    if len(large) > AMOUNTS_LISTED:
        name, amount, ref = large[0]
        yield Finding(
            rule="plausible.amount-size",
            severity=Severity.WARNING,
            message=(
                f"{len(large)} belopp är större än ett samordningsförbunds hela årsram "
                f"(högst {_mkr(high)}); första: {name} = {kr(amount)}. Kontrollera nollorna "
                "och enheten."
            ),
            ref=ref,
        )
        return
    for name, amount, ref in large:
        yield Finding(
            rule="plausible.amount-size",
            severity=Severity.WARNING,
            message=(
                f"{name} = {kr(amount)} är större än ett samordningsförbunds hela årsram "
                f"(högst {_mkr(high)}). Kontrollera nollorna och enheten."
            ),
            ref=ref,
        )


#: Percentages in the settings, with what they are called in a message.
_PERCENT_SETTINGS = {
    "admin_share_max_pct": "Gränsen för administrationens andel",
    "deviation_pct": "Avstämningens avvikelsegräns",
}


def check_percent_settings(budget: Budget, result: Result) -> Iterator[Finding]:
    """A percentage setting typed as a share (0,3 for 30 %), as Excel stores a typed '30 %'.

    The checks would then compare with 0,3 %: the administration share would be
    "too high" every year, all equity "above the recommendation". A percentage
    between 0 and 1 is possible but unlikely for these settings, so a warning.
    """
    values: list[tuple[str, Decimal, Ref]] = [
        (label, getattr(budget.settings, key), Ref(element=Element.SETTINGS, field=key))
        for key, label in _PERCENT_SETTINGS.items()
    ]
    values += [
        (
            f"Uppräkningen för {group.value}",
            value,
            Ref(element=Element.SETTINGS, field=f"uplift_{group.value}"),
        )
        for group, value in budget.settings.uplift_pct.items()
    ]
    values += [
        (
            "Trappans högsta eget kapital",
            band.max_pct,
            Ref(element=Element.EQUITY, field=f"scale_{i}"),
        )
        for i, band in enumerate(budget.equity.scale)
    ]
    for label, value, ref in values:
        if 0 < value < 1:
            shown = f"{value}".replace(".", ",")
            meant = f"{(value * 100).normalize():f}".replace(".", ",")
            yield Finding(
                rule="plausible.percent-as-share",
                severity=Severity.WARNING,
                message=(
                    f"{label} är {shown}\u00a0%; menades {meant}\u00a0%? Procentsatser skrivs "
                    f"som tal ({meant}), inte som andel. (Excel gör om '{meant} %' till {shown} "
                    "om cellen inte är formaterad som procent.)"
                ),
                ref=ref,
            )
