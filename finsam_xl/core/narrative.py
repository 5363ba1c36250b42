"""Drafted Swedish text for the budget section, for the förbundschef to edit.

Pure functions of a ``Budget`` and its ``Result``: every figure in the text is
taken from the computed results (the same ``YearPlan`` rows the sheets and
``kontrollera --json`` show), never typed twice. Amounts are formatted with
``finsam_xl.model.money.kr`` (whole kronor, space as thousands separator) and
percentages with a decimal comma.

The wording follows the seed documents: Södra Dalarna's §5 ("2025 års
verksamhetsplan bygger på den budgetram om 6 184 000 kr …") for the paragraph
on available funds, and Fryksdalen's "Förslag till beslut" for the decision
list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from finsam_xl.core.document import (
    available_funds,
    decision_dates,
    funds_text,
    insatser_table,
    table_title,
)
from finsam_xl.model.budget import Budget
from finsam_xl.model.money import NBSP, ZERO, fmt_pct, kr
from finsam_xl.model.results import Result, YearPlan
from finsam_xl.model.text import list_words

DASH = "\u2013"  # en dash, as in "2026–2028"

MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


@dataclass(frozen=True)
class Draft:
    """The drafted text of the budget section, paragraph by paragraph."""

    title: str
    subtitle: str
    dates: str
    available: str
    equity: list[str] = field(default_factory=list)
    insatser: list[str] = field(default_factory=list)
    decision_intro: str = ""
    decisions: list[str] = field(default_factory=list)
    decision_notes: list[str] = field(default_factory=list)


def years_span(years: list[int]) -> str:
    """'2026–2028' for consecutive years, '2026' for one, '' for none."""
    if not years:
        return ""
    if len(years) == 1:
        return str(years[0])
    return f"{years[0]}{DASH}{years[-1]}"


def swedish_date(day: date) -> str:
    """'31 december 2022'."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def whole_pct(value: Decimal) -> str:
    """A percentage setting as the documents write it: '20 %', '12,5 %'."""
    if value == value.to_integral_value():
        return f"{int(value)}{NBSP}%"
    return fmt_pct(value)


def available_paragraph(budget: Budget, result: Result) -> str:
    """The "medel till förfogande" paragraph (``core.document.funds_text``: frame, opening
    equity, floor, available), then the net costs and the result they give."""
    funds = available_funds(budget, result)
    row = result.year(funds.year)
    sentences = [funds_text(funds)]
    if funds.floor <= 0:
        sentences.append("Styrelsen har inte beslutat om någon lägsta nivå för det egna kapitalet.")
    netted = row.other_income_netted
    costs = f"Budgeterade kostnader är {kr(funds.costs_net)}" + (
        f" netto, efter intäkter inom verksamheterna på {kr(netted)}" if netted else ""
    )
    if row.result < 0:
        costs += (
            f", vilket ger ett underskott på {kr(-row.result)} som täcks av det egna kapitalet."
        )
    elif row.result > 0:
        costs += f", vilket ger ett överskott på {kr(row.result)}."
    else:
        costs += ", vilket ger ett resultat i balans."
    sentences.append(costs)
    return " ".join(sentences)


def _equity_status(row: YearPlan) -> str:
    end = row.equity_end
    assert end is not None
    level = (
        f"den nationellt rekommenderade högsta nivån på {whole_pct(row.recommended_max_pct)}"
        f" ({kr(row.recommended_max)})"
    )
    if end < 0:
        return "det egna kapitalet blir negativt, och förbundet får inte gå med skuld"
    if end > row.recommended_max:
        over = f"{kr(end - row.recommended_max)} över {level}"
        if row.floor > 0:
            return f"{over} och över styrelsens lägsta nivå på {kr(row.floor)}"
        return over
    under = f"under {level}"
    if row.floor <= 0:
        return under
    if end < row.floor:
        return f"{under} men {kr(row.floor - end)} under styrelsens lägsta nivå på {kr(row.floor)}"
    if end == row.floor:
        return f"{under} och lika med styrelsens lägsta nivå på {kr(row.floor)}"
    return f"{under} och {kr(end - row.floor)} över styrelsens lägsta nivå på {kr(row.floor)}"


def equity_sentences(result: Result) -> list[str]:
    """One sentence per year with equity: its level against the recommendation and the floor.

    Consecutive years with the same figures share a sentence ("2026, 2027 och 2028").
    """
    rows = [r for r in result.plan if r.equity_end is not None]
    groups: list[list[YearPlan]] = []
    for row in rows:
        last = groups[-1][-1] if groups else None
        same = last is not None and (
            last.equity_end,
            last.equity_pct,
            last.recommended_max,
            last.floor,
            last.recommended_max_pct,
        ) == (
            row.equity_end,
            row.equity_pct,
            row.recommended_max,
            row.floor,
            row.recommended_max_pct,
        )
        if same:
            groups[-1].append(row)
        else:
            groups.append([row])
    sentences = []
    for group in groups:
        row = group[0]
        assert row.equity_end is not None
        when = list_words([str(r.year) for r in group])
        share = (
            f" ({fmt_pct(row.equity_pct)} av årets medlemsbidrag)"
            if row.equity_pct is not None
            else ""
        )
        when = when if len(group) == 1 else f"vart och ett av åren {when}"
        sentences.append(
            f"Vid utgången av {when} beräknas det egna kapitalet till {kr(row.equity_end)}{share}: "
            f"{_equity_status(row)}."
        )
    return sentences


def insats_sentences(budget: Budget, result: Result) -> list[str]:
    """The insatser whose decided period starts or ends within the budget and plan years
    (``core.document.insatser_table``); one still carrying money after its end is named with
    the amounts."""
    table = insatser_table(budget, result)
    years = [budget.years.budget, *budget.years.plan]
    sentences = []
    for row in table.rows:
        label = row.label + (f" (ID {row.cost_centre})" if row.cost_centre else "")
        if row.starts_in_plan and row.start:
            sentences.append(f"{label} startar {swedish_date(row.start)}.")
        if row.ends_in_plan and row.end:
            text = f"{label} avslutas {swedish_date(row.end)} enligt beslutet"
            after = [(y, row.amounts.get(y)) for y in row.money_after_end]
            if after:
                money = list_words([f"{kr(a)} för {y}" for y, a in after if a is not None])
                text += f", men planen har {money} utan nytt beslut"
            else:
                text += "; en fortsättning efter det kräver ett nytt beslut"
            sentences.append(text + ".")
    if not sentences:
        sentences.append(
            f"Inga insatser har ett beslutat start- eller slutdatum inom {years_span(years)}."
        )
    return sentences


def _years_with(result: Result, rule: str) -> list[YearPlan]:
    """The plan rows (from the budget year on) that a finding of ``rule`` concerns."""
    years = {
        f.ref.year
        for f in result.findings
        if f.rule == rule and f.ref is not None and f.ref.year is not None
    }
    return [r for r in result.plan if r.year in years]


def decision_list(budget: Budget, result: Result) -> list[str]:
    """The "Förslag till beslut" items, modelled on the seed documents.

    The list is derived from the figures *and* the findings, so that it never
    proposes what a check contradicts: a deficit the equity cannot cover is
    not "covered by equity" (``equity.negative``), and a floor the budget
    breaks is not re-affirmed (``equity.below-floor``); instead the board is
    asked to decide on the breach (``decision_notes`` says why).
    """
    year = budget.years.budget
    name = budget.forbund.name
    row = result.year(year)
    items = [f"att godkänna verksamhetsplan och budget {year} för {name}"]
    if budget.years.plan:
        items.append(f"att godkänna preliminär budget (plan) för {years_span(budget.years.plan)}")
    if result.allocation_for(year) is not None:
        items.append(
            f"att medlemsbidragen för {year}, sammanlagt {kr(row.contributions)}, "
            "fördelas mellan medlemmarna enligt not 1"
        )
    requested = [r for r in result.plan if r.year >= year and not r.decided]
    if requested:
        amounts = {r.contributions for r in requested}
        span = years_span([r.year for r in requested])
        if len(amounts) == 1:
            per = "per år " if len(requested) > 1 else ""
            items.append(
                f"att äska medlemsbidrag på {kr(requested[0].contributions)} {per}"
                f"för {span} hos medlemmarna"
            )
        else:
            each = list_words([f"{kr(r.contributions)} för {r.year}" for r in requested])
            items.append(f"att äska medlemsbidrag hos medlemmarna på {each}")
    negative = {r.year for r in _years_with(result, "equity.negative")}
    if row.result < 0 and row.equity_start is not None and year not in negative:
        items.append(f"att underskottet {year} på {kr(-row.result)} täcks av eget kapital")
    below = [r for r in _years_with(result, "equity.below-floor") if r.equity_end is not None]
    floor = row.decided_floor
    if below and floor is not None:
        lowest = min(r.equity_end for r in below if r.equity_end is not None)
        items.append(
            f"att för {years_span([r.year for r in below])} sänka styrelsens lägsta nivå för "
            f"det egna kapitalet från {kr(floor)} till {kr(lowest)}"
        )
    elif floor is not None:
        items.append(
            f"att det egna kapitalet även fortsättningsvis inte ska understiga {kr(floor)}"
        )
    return items


def decision_notes(budget: Budget, result: Result) -> list[str]:
    """What the board must know before it decides: the checks the proposal answers to.

    One sentence per kind of breach (equity below the floor, equity below zero);
    empty when the budget keeps both.
    """
    notes = []
    below = [r for r in _years_with(result, "equity.below-floor") if r.equity_end is not None]
    floor = result.year(budget.years.budget).decided_floor
    if below and floor is not None:
        runs: list[list[YearPlan]] = []
        for r in below:
            last = runs[-1][-1] if runs else None
            if last is not None and last.year == r.year - 1 and last.equity_end == r.equity_end:
                runs[-1].append(r)
            else:
                runs.append([r])
        ends = list_words(
            [
                f"{kr(run[0].equity_end or ZERO)} vid utgången av "
                + (
                    str(run[0].year)
                    if len(run) == 1
                    else f"vart och ett av åren {years_span([r.year for r in run])}"
                )
                for run in runs
            ]
        )
        notes.append(
            f"Budgeten ger ett eget kapital på {ends}, under styrelsens lägsta nivå på "
            f"{kr(floor)}. Styrelsen behöver därför antingen sänka den lägsta nivån för "
            "dessa år, som föreslås nedan, eller ändra budgeten så att nivån hålls."
        )
    negative = _years_with(result, "equity.negative")
    if negative:
        notes.append(
            f"Det egna kapitalet blir negativt {list_words([str(r.year) for r in negative])}, "
            "och förbundet får inte gå med skuld. Budgeten behöver ändras innan den kan "
            "beslutas."
        )
    return notes


def draft(budget: Budget, result: Result) -> Draft:
    """The whole drafted text of the budget section."""
    return Draft(
        title=budget.forbund.name,
        subtitle=table_title(budget),
        dates=decision_dates(budget),
        available=available_paragraph(budget, result),
        equity=equity_sentences(result),
        insatser=insats_sentences(budget, result),
        decision_intro=(
            f"Styrelsen för {budget.forbund.name} föreslås vid sammanträdet "
            f"{swedish_date(budget.adopted)} besluta"
            if budget.adopted
            else f"Styrelsen för {budget.forbund.name} föreslås besluta"
        ),
        decisions=decision_list(budget, result),
        decision_notes=decision_notes(budget, result),
    )
