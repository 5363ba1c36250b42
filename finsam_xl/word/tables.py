"""Tables for the Word document: a neutral shape (caption, headers, rows) and the builders.

The Word writer only knows ``DocTable``; the functions here turn the budget
and its computed result into such tables, amounts formatted in the förbund's
display unit (kr or tkr) with a space as thousands separator. Every figure
comes from the ``Result`` (or the budget's own lines), never from typed text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from finsam_xl.model.budget import Budget, KeyType, MemberKind, Unit
from finsam_xl.model.money import NBSP, fmt_pct, pct
from finsam_xl.model.results import Result

ZERO = Decimal(0)
MINUS = "\u2212"


class RowKind(StrEnum):
    """How a row is printed."""

    LINE = "line"  # an ordinary line
    HEADING = "heading"  # a group heading (Rubrik/ID), kept with the lines below it
    TOTAL = "total"  # a group's "Totalt", bold
    GRAND = "grand"  # a table's final totals, bold with a rule above


@dataclass(frozen=True)
class DocRow:
    """One row: its cells as printed text and how it is printed."""

    cells: Sequence[str]
    kind: RowKind = RowKind.LINE


@dataclass(frozen=True)
class DocTable:
    """A table as the document prints it. ``numeric`` right-aligns a column."""

    caption: str
    headers: Sequence[str]
    rows: Sequence[DocRow]
    numeric: Sequence[bool]
    widths_cm: Sequence[float] | None = None
    notes: Sequence[str] = field(default_factory=tuple)


def amount(value: Decimal | None, unit: Unit = Unit.KR) -> str:
    """An amount in the display unit: '6 184' (tkr) or '6 184 000' (kr); '' for None."""
    if value is None:
        return ""
    shown = value / 1000 if unit is Unit.TKR else value
    whole = shown.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    text = f"{int(whole):,}".replace(",", NBSP)
    return text.replace("-", MINUS)


def unit_label(unit: Unit) -> str:
    """'tkr' or 'kr', for captions and headings."""
    return unit.value


def not1_table(budget: Budget, result: Result) -> DocTable | None:
    """Not 1: each member's key, share and amount per year; 'Totalt' with 100 %."""
    year = budget.years.budget
    years = [year, *budget.years.plan]
    allocations = {y: result.allocation_for(y) for y in years}
    current = allocations[year]
    if current is None:
        return None
    unit = budget.forbund.unit
    keys = {m.name: m for m in budget.members}
    rows = []
    for share in current.members:
        member = keys.get(share.name)
        key_type = budget.keys.for_kind(share.kind)
        key = ""
        if member is not None and member.key is not None and key_type is not KeyType.LIKA:
            key_unit = "invånare" if key_type is KeyType.BEFOLKNING else "%"
            key = f"{amount(member.key)}{NBSP}{key_unit}" if key_unit == "invånare" else (
                fmt_pct(member.key))
        elif key_type is KeyType.LIKA and share.kind is not MemberKind.STAT:
            key = "lika delar"
        cells = [share.name, key, fmt_pct(pct(share.amount, current.total))]
        for y in years:
            alloc = allocations[y]
            cells.append(amount(alloc.amount(share.name) if alloc else None, unit))
        rows.append(DocRow(cells))
    total = ["Totalt", "", fmt_pct(Decimal(100))]
    total += [amount(allocations[y].total if allocations[y] else None, unit)  # type: ignore[union-attr]
              for y in years]
    rows.append(DocRow(total, RowKind.GRAND))
    return DocTable(
        caption=f"Not 1. Medlemsbidrag {year} och plan, fördelade på medlemmarna "
                f"({unit_label(unit)})",
        headers=["Medlem", "Nyckel", f"Andel {year}", *(str(y) for y in years)],
        rows=rows,
        numeric=[False, True, True, *([True] * len(years))],
    )


def equity_table(budget: Budget, result: Result) -> DocTable:
    """Contributions, net costs, result and equity at 31/12 per year; * forecast, ** requested."""
    unit = budget.forbund.unit
    rows = []
    for row in result.plan:
        forecast = "*" if row.year >= budget.years.budget else ""
        requested = "**" if not row.decided else ""
        rows.append(DocRow([
            str(row.year),
            amount(row.contributions, unit) + requested,
            amount(row.costs_net, unit) + forecast,
            amount(row.result, unit),
            amount(row.equity_end, unit) + (forecast if row.equity_end is not None else ""),
            fmt_pct(row.equity_pct) if row.equity_pct is not None else "",
        ]))
    return DocTable(
        caption=f"Medlemsbidrag, budget och eget kapital per år ({unit_label(unit)})",
        headers=["År", "Medlemsbidrag", "Kostnader (netto)", "Resultat",
                 "Eget kapital 31/12", "I % av bidragen"],
        rows=rows,
        numeric=[False, True, True, True, True, True],
        notes=["* = prognos", "** = äskat belopp"],
    )


def budget_table(budget: Budget, result: Result) -> DocTable:
    """The budget by printed heading (Rubrik/ID): lines, 'Totalt' per heading, final totals.

    Income netted inside a heading is shown negative in it; the members'
    contributions are the row 'Bidrag (not 1)'.
    """
    unit = budget.forbund.unit
    years = [*budget.years.comparison, budget.years.budget, *budget.years.plan]
    sections: dict[str, list[tuple[str, str, dict[int, Decimal]]]] = {}
    ids: dict[str, str] = {}
    for line in budget.costs:
        name = line.section or "Övrigt"
        sections.setdefault(name, []).append((line.account or "", line.name, dict(line.amounts)))
        if line.cost_centre:
            ids.setdefault(name, line.cost_centre)
    for income in budget.income:
        if not income.netted:
            continue
        name = income.section or "Övrigt"
        negative = {y: -a for y, a in income.amounts.items()}
        sections.setdefault(name, []).append((income.account or "", income.name, negative))
        if income.cost_centre:
            ids.setdefault(name, income.cost_centre)
    rows = []
    for name, lines in sections.items():
        ident = ids.get(name, "")
        rows.append(DocRow([ident, name, *([""] * len(years))], RowKind.HEADING))
        for account, text, amounts in sorted(lines, key=lambda t: t[0]):
            rows.append(DocRow([account, text, *(amount(amounts.get(y), unit) for y in years)]))
        totals = [sum((a.get(y, ZERO) for _, _, a in lines), ZERO) for y in years]
        rows.append(DocRow([ident, "Totalt", *(amount(t, unit) for t in totals)],
                           RowKind.TOTAL))
    plan = {r.year: r for r in result.plan}
    rows.append(DocRow(["", "Bidrag (not 1)",
                        *(amount(-plan[y].contributions, unit) for y in years)]))
    funding = [plan[y].other_income - plan[y].other_income_netted for y in years]
    if any(funding):
        rows.append(DocRow(["", "Övriga intäkter", *(amount(-f, unit) for f in funding)]))
    rows.append(DocRow(["", "Intäkter totalt",
                        *(amount(plan[y].contributions + f, unit)
                          for y, f in zip(years, funding, strict=True))], RowKind.GRAND))
    rows.append(DocRow(["", "Kostnader totalt",
                        *(amount(plan[y].costs_net, unit) for y in years)], RowKind.GRAND))
    rows.append(DocRow(["", "Resultat", *(amount(plan[y].result, unit) for y in years)],
                       RowKind.GRAND))
    labels = {budget.years.budget: f"Budget {budget.years.budget}"}
    labels.update({y: f"Plan {y}" for y in budget.years.plan})
    labels.update({y: f"Budget {y}" for y in budget.years.comparison})
    return DocTable(
        caption=f"Budget {budget.years.budget} för {budget.forbund.name} ({unit_label(unit)})",
        headers=["ID/konto", "Beskrivning", *(labels[y] for y in years)],
        rows=rows,
        numeric=[False, False, *([True] * len(years))],
    )


def insatser_table(budget: Budget) -> DocTable | None:
    """A row per insats: owner, decision date, period, granted per year, budget per year."""
    unit = budget.forbund.unit
    years = [budget.years.budget, *budget.years.plan]
    rows = []
    for line in budget.costs:
        if not line.group.value.startswith("insats"):
            continue
        insats = line.insats
        period = ""
        if insats and (insats.start or insats.end):
            period = f"{insats.start or '…'} – {insats.end or '…'}"
        rows.append(DocRow([
            line.section if line.section and line.name.lower() == "bidrag" else line.name,
            (insats.owner or "") if insats else "",
            str(insats.decision_date) if insats and insats.decision_date else "",
            period,
            amount(insats.granted_per_year, unit) if insats else "",
            *(amount(line.amounts.get(y), unit) for y in years),
        ]))
    if not rows:
        return None
    return DocTable(
        caption=f"Insatser ({unit_label(unit)})",
        headers=["Insats", "Ägare", "Beslut", "Period", "Beviljat/år", *(str(y) for y in years)],
        rows=rows,
        numeric=[False, False, False, False, True, *([True] * len(years))],
    )


def tables_for(budget: Budget, result: Result) -> list[tuple[str, DocTable]]:
    """The document's tables in print order, each with the section it belongs to."""
    out: list[tuple[str, DocTable]] = []
    insatser = insatser_table(budget)
    if insatser is not None:
        out.append(("insatser", insatser))
    out.append(("eget_kapital", equity_table(budget, result)))
    out.append(("budget", budget_table(budget, result)))
    not1 = not1_table(budget, result)
    if not1 is not None:
        out.append(("not1", not1))
    return out


def percent_text(value: Decimal | None) -> str:
    """A percentage with a decimal comma, '' when undefined."""
    return fmt_pct(value) if value is not None else ""
