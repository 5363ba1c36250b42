"""The year's forecast: result and equity at year end, put through the plan's own checks.

Forecast result = the budget's member contributions (decided for the year:
a member that has not paid still owes them; unpaid and uninvoiced amounts are
findings of their own) + the forecast of every income line - the forecast of every cost line - the
result accounts outside the budget, extrapolated linearly. Forecast equity at
year end = equity at the start of the year from the books (``#IB`` of the
accounts mapped to *Eget kapital*; the budget's figure when the books have
none) + the forecast result.

The budget year's plan row, with these figures in it, goes through the
checks in ``finsam_xl.rules.equity`` that the plan goes through: equity below
zero, below the board's floor, above the recommended level (the trappa). A
forecast deficit is a finding only when the budget did not plan one (a planned
deficit is in the summary line). Their findings keep the rule's id behind
``forecast.`` and say "Prognos:" first ("Utfall:" in December, when every line's
forecast is its actuals and the figures are the year-end comparison).
"""

from __future__ import annotations

from decimal import Decimal

from finsam_xl.model.budget import Budget
from finsam_xl.model.findings import Element, Finding, Ref
from finsam_xl.model.money import ZERO, fmt_pct, kr, pct
from finsam_xl.model.recon import ForecastRecon, LineRecon
from finsam_xl.model.results import Result, YearPlan
from finsam_xl.rules import equity as equity_rules


def _equity_findings(
    budget: Budget, projected: YearPlan, budgeted_surplus: bool, word: str
) -> list[Finding]:
    """The plan's equity checks on the forecast year, as ``forecast.*`` findings."""
    checked = Result(plan=[projected])
    found: list[Finding] = []
    checks = [equity_rules.check_negative, equity_rules.check_floor, equity_rules.check_recommended]
    if budgeted_surplus:
        checks.append(equity_rules.check_deficit)
    for check in checks:
        for f in check(budget, checked):
            message = f.message.replace("budgeteras", "visar prognosen")
            found.append(
                f.model_copy(
                    update={
                        "rule": f"forecast.{f.rule}",
                        "message": f"{word}: {message}",
                        "ref": Ref(element=Element.RECON, key="forecast"),
                    }
                )
            )
    return found


def forecast_year(
    budget: Budget,
    result: Result,
    lines: list[LineRecon],
    unmapped_to_date: Decimal,
    equity_books: Decimal | None,
    year: int,
    months: int,
) -> tuple[ForecastRecon | None, list[Finding]]:
    """The forecast of ``year`` and the findings of the plan's equity checks on it."""
    try:
        row = result.year(year)
    except KeyError:
        return None, []
    word = "Utfall" if months == 12 else "Prognos"
    contributions = row.contributions
    income = sum((x.forecast for x in lines if x.element is Element.INCOME), ZERO)
    costs = sum((x.forecast for x in lines if x.element is Element.COST), ZERO)
    unmapped = (unmapped_to_date * 12 / months).quantize(Decimal(1))
    forecast_result = contributions + income - costs - unmapped
    if equity_books is not None:
        start, source = equity_books, "bokföringen"
    else:
        start, source = (row.equity_start or budget.equity.opening), "budgeten"
    end = start + forecast_result
    projected = row.model_copy(
        update={
            "contributions": contributions,
            "other_income": income,
            "costs": costs + unmapped,
            "result": forecast_result,
            "equity_start": start,
            "equity_end": end,
            "equity_pct": pct(end, contributions),
            "available": None,  # the budget's room: not a forecast figure
        }
    )
    found = _equity_findings(budget, projected, row.result >= 0, word)
    summary = _summary(
        budget,
        projected.equity_pct,
        end,
        row.recommended_max,
        row.recommended_max_pct,
        forecast_result,
        row.result,
        word,
    )
    return (
        ForecastRecon(
            contributions=contributions,
            other_income=income,
            costs=costs,
            unmapped=unmapped,
            result=forecast_result,
            budget_result=row.result,
            equity_start=start,
            equity_start_from=source,
            equity_end=end,
            equity_pct=projected.equity_pct,
            floor=budget.equity.floor,
            recommended_max=row.recommended_max,
            recommended_max_pct=row.recommended_max_pct,
            summary=summary,
        ),
        found,
    )


def _summary(
    budget: Budget,
    equity_pct: Decimal | None,
    end: Decimal,
    recommended: Decimal,
    recommended_pct: Decimal,
    forecast_result: Decimal,
    budget_result: Decimal,
    word: str = "Prognos",
) -> str:
    """'Prognos: eget kapital 31/12 blir 520 000 kr (8,4 %), över styrelsens lägsta nivå
    400 000 kr. ...'"""
    share = f" ({fmt_pct(equity_pct)})" if equity_pct is not None else ""
    parts = [f"{word}: eget kapital 31/12 blir {kr(end)}{share}"]
    floor = budget.equity.floor
    if floor > 0:
        parts.append(f"{'över' if end >= floor else 'under'} styrelsens lägsta nivå {kr(floor)}")
    if end > recommended:
        parts.append(f"över rekommenderad nivå {fmt_pct(recommended_pct)} = {kr(recommended)}")
    text = ", ".join(parts) + "."
    return text + f" Resultat {kr(forecast_result)} mot budgeterat {kr(budget_result)}."
