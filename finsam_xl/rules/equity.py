"""Checks on equity: never below zero, the board's floor, the recommended level, deficits."""

from __future__ import annotations

from collections.abc import Iterator

from finsam_xl.model.budget import ActualStatus, Budget
from finsam_xl.model.findings import Element, Finding, Ref, Severity
from finsam_xl.model.money import fmt_pct, kr
from finsam_xl.model.results import Result


def check_inputs(budget: Budget, result: Result) -> Iterator[Finding]:
    """The opening equity and the board's floor as typed: a minus sign is almost always copied.

    A förbund never has debts, so a negative opening equity is an input error
    (the year-end checks that follow from it wait). A negative floor means no
    floor and is ignored, which the user is told.
    """
    opening, floor = budget.equity.opening, budget.equity.floor
    if opening < 0:
        yield Finding(
            rule="input.equity-opening-negative",
            severity=Severity.ERROR,
            message=(
                f"Eget kapital vid årets början är negativt ({kr(opening)}); ett "
                "samordningsförbund får inte ha skulder. Skriv det egna kapitalet som ett "
                "positivt belopp (ta bort minustecknet), eller 0."
            ),
            ref=Ref(element=Element.EQUITY, field="opening"),
        )
    if floor < 0:
        yield Finding(
            rule="input.equity-floor-negative",
            severity=Severity.WARNING,
            message=(
                f"Styrelsens lägsta nivå för eget kapital är negativ ({kr(floor)}) och används "
                "inte; skriv nivån som ett positivt belopp, eller 0 om det inte finns någon."
            ),
            ref=Ref(element=Element.EQUITY, field="floor"),
        )


def check_history(budget: Budget, result: Result) -> Iterator[Finding]:
    """The Utfall row of the year before the opening equity must end where the plan starts.

    "Eget kapital 31/12" of that year and "Eget kapital vid årets början" are
    the same money; when they differ, the equity history and the plan print two
    stories (900 → 384 with a result of −316) and one of the figures is wrong.
    """
    year = budget.opening_year - 1
    actual = next((a for a in budget.actuals if a.year == year), None)
    if actual is None or actual.equity_end is None:
        return
    opening = budget.equity.opening
    if actual.equity_end == opening:
        return
    kind = "prognosen" if actual.status is ActualStatus.PROGNOS else "utfallet"
    yield Finding(
        rule="equity.history-mismatch",
        severity=Severity.ERROR,
        message=(
            f"Eget kapital 31/12 {year} är {kr(actual.equity_end)} enligt {kind} i tabellen "
            f"Utfall, men eget kapital vid årets början {year + 1} är {kr(opening)} "
            f"(skillnad {kr(actual.equity_end - opening)}). Det är samma belopp; rätta det "
            "som är fel, annars visar bladet Eget kapital två olika utgångslägen."
        ),
        ref=Ref(element=Element.ACTUAL, year=year, field="equity_end"),
    )


def check_negative(budget: Budget, result: Result) -> Iterator[Finding]:
    """The förbund may never go into debt."""
    for row in result.plan:
        if row.equity_end is not None and row.equity_end < 0:
            yield Finding(
                rule="equity.negative",
                severity=Severity.ERROR,
                message=(
                    f"Eget kapital vid utgången av {row.year} blir {kr(row.equity_end)}: "
                    "förbundet får inte gå med skuld. Minska kostnaderna med minst "
                    f"{kr(-row.equity_end)}."
                ),
                ref=Ref(element=Element.PLAN, year=row.year, field="equity_end"),
            )


def check_floor(budget: Budget, result: Result) -> Iterator[Finding]:
    """Equity below the board's own floor (for liquidity)."""
    floor = budget.equity.floor
    if floor <= 0:
        return
    for row in result.plan:
        if row.equity_end is None or row.equity_end < 0 or row.equity_end >= floor:
            continue
        spend = ""
        if row.available is not None:
            spend = f" Budgeten använder {kr(row.costs_net)} mot tillgängliga {kr(row.available)}."
        yield Finding(
            rule="equity.below-floor",
            severity=Severity.WARNING,
            message=(
                f"Eget kapital vid utgången av {row.year} blir {kr(row.equity_end)}, under "
                f"styrelsens lägsta nivå {kr(floor)} ({kr(floor - row.equity_end)} under).{spend}"
            ),
            ref=Ref(element=Element.PLAN, year=row.year, field="equity_end"),
        )


def check_recommended(budget: Budget, result: Result) -> Iterator[Finding]:
    """Equity above the national recommendation (the 'trappa'; default 20 %)."""
    for row in result.plan:
        if row.equity_end is None or row.contributions <= 0:
            continue
        if row.equity_end <= row.recommended_max:
            continue
        yield Finding(
            rule="equity.above-recommended",
            severity=Severity.WARNING,
            message=(
                f"Eget kapital vid utgången av {row.year} är {kr(row.equity_end)} "
                f"({fmt_pct(row.equity_pct)} av medlemsbidragen), över rekommenderad nivå "
                f"{fmt_pct(row.recommended_max_pct)} = {kr(row.recommended_max)}; "
                f"överskjutande {kr(row.equity_end - row.recommended_max)}."
            ),
            ref=Ref(element=Element.PLAN, year=row.year, field="equity_end"),
        )


def check_deficit(budget: Budget, result: Result) -> Iterator[Finding]:
    """A deficit year must be visible, with how much equity covers it."""
    for row in result.plan:
        if row.result >= 0:
            continue
        deficit = -row.result
        if row.equity_start is None:
            continue  # a comparison year before the opening balance: nothing to say
        if row.equity_start >= deficit:
            cover = (
                f"täcks av eget kapital vid årets början {kr(row.equity_start)} "
                f"(kvar {kr(row.equity_start - deficit)})"
            )
        else:
            cover = (
                f"eget kapital vid årets början {kr(row.equity_start)} täcker inte hela "
                f"underskottet (saknas {kr(deficit - row.equity_start)})"
            )
        yield Finding(
            rule="result.deficit",
            severity=Severity.INFO,
            message=f"{row.year} budgeteras ett underskott på {kr(deficit)}; {cover}.",
            ref=Ref(element=Element.PLAN, year=row.year, field="result"),
        )
