"""The tables of the budget document the board adopts, as plain rows (pure, no I/O).

The workbook's computed sheets (Budget, Not 1, Insatser, Eget kapital) and the
Word document are both drawn from these rows, so a figure is computed once.
All amounts are kronor (``Decimal``); the printer divides by the display unit.

Layout rules of the detailed budget table (``budget_table``):

* Cost lines and income netted inside a cost centre are grouped by their
  group key (cost centre and Rubrik); groups come in order of first
  appearance (cost lines first, then netted income). Within a group the lines
  are sorted by account when every line has one, else kept in entry order.
  Lines without Rubrik and cost centre are printed without a heading.
* A line is printed when it has an amount in at least one shown year.
* Sign convention (``DocumentSettings.costs_negative``): either costs negative
  and all income positive (Fryksdalen), or costs positive and income negative
  wherever it sits among the cost groups (Södra Dalarna). A funding block
  printed above the costs (``income_first``) is positive in both conventions.
* The closing rows: the income total (always positive; with
  ``equity_as_funding`` it is the decision room), the net costs (costs minus
  income netted inside cost centres, signed by the convention) and the result.
* Every total is the sum of the rows printed for it (tests/test_document_totals.py):
  the equity in the income total is always a row of its own, in the funding
  block or in the income group; with ``totals_on_heading`` lines without a
  heading come before the headed groups, and equity and other income without a
  heading of their own come above the members' heading.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from finsam_xl.model.budget import (
    COMPARISON_LABELS,
    ActualStatus,
    Budget,
    CostGroup,
    CostLine,
    IncomeLine,
    KeyType,
    MemberKind,
    YearKind,
)
from finsam_xl.model.money import NBSP, kr
from finsam_xl.model.results import Result

ZERO = Decimal(0)
HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")

#: Marks printed beside a figure in the equity history (Södra Dalarna's convention).
MARK_FORECAST = "*"
MARK_REQUESTED = "**"


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class RowKind(StrEnum):
    """Role of a row in a printed table (the printer styles by it)."""

    HEADING = "rubrik"  # a group's heading (values only with totals on the heading)
    LINE = "rad"  # one account or item
    TOTAL = "totalt"  # a group's "Totalt"
    GRAND = "summa"  # income total, costs total, result


class Column(_Out):
    """A year column: the year, its kind and its printed label ("Utfall 2023")."""

    year: int
    kind: str  # "budget", "utfall", "prognos" (comparison years), "budgetar", "plan"
    label: str


class TableRow(_Out):
    """One printed row. ``values`` has every shown year (None = blank cell).

    ``block`` numbers the group a row belongs to (rows of one block are kept on
    one page); None for rows outside a group.
    """

    kind: RowKind
    label: str
    cost_centre: str | None = None
    account: str | None = None
    values: dict[int, Decimal | None] = Field(default_factory=dict)
    block: int | None = None


class BudgetTable(_Out):
    """The detailed budget table as the documents print it."""

    title: str
    columns: list[Column]
    rows: list[TableRow]
    show_cost_centres: bool
    show_accounts: bool
    costs_negative: bool

    def row(self, label: str, kind: RowKind | None = None) -> TableRow:
        """The first row with ``label`` (and ``kind``); KeyError when absent."""
        for row in self.rows:
            if row.label == label and (kind is None or row.kind is kind):
                return row
        raise KeyError(label)


def table_title(budget: Budget) -> str:
    """'Budget 2025 med plan 2026–2028' (or 'Budget 2025' without plan years)."""
    years = budget.years
    if not years.plan:
        return f"Budget {years.budget}"
    if len(years.plan) == 1:
        return f"Budget {years.budget} med plan {years.plan[0]}"
    return f"Budget {years.budget} med plan {years.plan[0]}\u2013{years.plan[-1]}"


def document_title(budget: Budget) -> str:
    """The förbund's name and the table title, as every printed page carries it."""
    return f"{budget.forbund.name} \u2013 {table_title(budget)}"


def year_columns(budget: Budget, with_plan: bool = True) -> list[Column]:
    """The year columns: comparison years by kind, the budget year, the plan years."""
    doc = budget.document
    columns = []
    for i, year in enumerate(budget.years.comparison):
        kind = doc.comparison_kind(i)
        columns.append(
            Column(year=year, kind=kind.value, label=f"{COMPARISON_LABELS[kind]} {year}")
        )
    columns.append(
        Column(year=budget.years.budget, kind="budgetar", label=f"Budget {budget.years.budget}")
    )
    if with_plan:
        columns += [
            Column(year=y, kind="plan", label=f"{doc.plan_label} {y}") for y in budget.years.plan
        ]
    return columns


def _values(amounts: dict[int, Decimal], years: list[int], sign: int) -> dict[int, Decimal | None]:
    return {y: (amounts[y] * sign if y in amounts else None) for y in years}


def _sum(rows: Iterable[dict[int, Decimal | None]], years: list[int]) -> dict[int, Decimal | None]:
    out: dict[int, Decimal | None] = {}
    rows = list(rows)
    for y in years:
        present = [r[y] for r in rows if r.get(y) is not None]
        out[y] = sum((v for v in present if v is not None), ZERO) if present else None
    return out


def _known(values: dict[int, Decimal | None]) -> dict[int, Decimal]:
    """The years that have a value."""
    return {y: v for y, v in values.items() if v is not None}


def _account_key(account: str | None) -> tuple[int, str]:
    text = (account or "").strip()
    return (int(text), text) if text.isdigit() else (10**12, text)


def budget_table(budget: Budget, result: Result) -> BudgetTable:
    """The detailed table: groups by Rubrik/cost centre, lines, totals, members' contributions."""
    doc = budget.document
    columns = year_columns(budget, with_plan=doc.plan_in_table)
    years = [c.year for c in columns]
    plan = {row.year: row for row in result.plan}
    cost_sign = -1 if doc.costs_negative else 1
    netted_sign = 1 if doc.costs_negative else -1  # income among the cost groups
    rows: list[TableRow] = []

    def shown(amounts: dict[int, Decimal]) -> bool:
        return any(y in amounts for y in years)

    # --- cost groups -------------------------------------------------------------------
    Item = tuple[str | None, str, dict[int, Decimal | None]]  # account, label, values
    groups: dict[tuple[str | None, str | None], list[Item]] = {}
    entries: list[CostLine | IncomeLine] = [*budget.costs, *(i for i in budget.income if i.netted)]
    for entry in entries:
        if not shown(entry.amounts):
            continue
        sign = cost_sign if isinstance(entry, CostLine) else netted_sign
        key = (entry.cost_centre or None, entry.section or None)
        groups.setdefault(key, []).append(
            (entry.account, entry.name, _values(entry.amounts, years, sign))
        )

    block = 0

    def emit_group(
        centre: str | None, heading: str | None, items: list[Item], total_label: str
    ) -> None:
        nonlocal block
        block += 1
        if all(a and a.strip() for a, _, _ in items):
            items = sorted(items, key=lambda it: _account_key(it[0]))
        total = _sum((v for _, _, v in items), years)
        if heading is None and centre is None:
            for account, label, values in items:
                rows.append(
                    TableRow(kind=RowKind.LINE, label=label, account=account, values=values)
                )
            return
        title = heading or centre or ""
        if doc.totals_on_heading:
            rows.append(
                TableRow(
                    kind=RowKind.HEADING, label=title, cost_centre=centre, values=total, block=block
                )
            )
        else:
            rows.append(
                TableRow(
                    kind=RowKind.HEADING,
                    label=title,
                    cost_centre=centre,
                    values=dict.fromkeys(years),
                    block=block,
                )
            )
        for account, label, values in items:
            rows.append(
                TableRow(
                    kind=RowKind.LINE, label=label, account=account, values=values, block=block
                )
            )
        if not doc.totals_on_heading:
            rows.append(
                TableRow(
                    kind=RowKind.TOTAL,
                    label=total_label,
                    cost_centre=centre,
                    values=total,
                    block=block,
                )
            )

    # --- funding: members' contributions, other income, equity ------------------------
    contributions = {y: plan[y].contributions for y in years if y in plan}
    allocation = {a.year: a for a in result.allocation}
    funding_income = [i for i in budget.income if not i.netted and shown(i.amounts)]

    def member_items(sign: int) -> list[Item]:
        if not doc.member_rows:
            return [
                (
                    doc.contributions_account,
                    doc.contributions_label,
                    _values(contributions, years, sign),
                )
            ]
        items: list[Item] = []
        for member in budget.members:
            amounts = {}
            for y in years:
                share = allocation[y].amount(member.name) if y in allocation else None
                if share is not None:
                    amounts[y] = share
            items.append((None, member.name, _values(amounts, years, sign)))
        return items

    income_total: dict[int, Decimal | None] = {}
    for y in years:
        row = plan.get(y)
        if row is None:
            income_total[y] = None
            continue
        total = row.contributions + row.other_income - row.other_income_netted
        if doc.equity_as_funding:
            total = row.decision_room if row.decision_room is not None else total
        income_total[y] = total
    costs_total = {y: (plan[y].costs_net * cost_sign if y in plan else None) for y in years}
    result_row = {y: (plan[y].result if y in plan else None) for y in years}

    def emit_funding_block() -> None:
        nonlocal block
        block += 1
        rows.append(
            TableRow(
                kind=RowKind.HEADING,
                label=doc.income_heading,
                values=dict.fromkeys(years),
                block=block,
            )
        )
        items = member_items(1)
        members_heading = doc.member_rows and doc.totals_on_heading
        others = bool(funding_income or doc.equity_as_funding)
        # A heading's sum covers the lines under it: without a heading of their own, the
        # equity and other income go above the members' heading, not under it.
        others_first = members_heading and others and not doc.other_income_heading
        if others_first:
            emit_other_funding()
        if members_heading:
            rows.append(
                TableRow(
                    kind=RowKind.HEADING,
                    label=doc.contributions_label,
                    values=_values(contributions, years, 1),
                    block=block,
                )
            )
        for account, label, values in items:
            rows.append(
                TableRow(
                    kind=RowKind.LINE, label=label, account=account, values=values, block=block
                )
            )
        if others and not others_first:
            emit_other_funding()
        rows.append(
            TableRow(
                kind=RowKind.GRAND, label=doc.income_total_label, values=income_total, block=block
            )
        )

    def emit_other_funding() -> None:
        """The equity used as funding and the other income of the funding block."""
        if doc.other_income_heading:
            rows.append(
                TableRow(
                    kind=RowKind.HEADING,
                    label=doc.other_income_heading,
                    values=dict.fromkeys(years),
                    block=block,
                )
            )
        if doc.equity_as_funding:
            start = {y: plan[y].equity_start for y in years if y in plan}
            rows.append(
                TableRow(
                    kind=RowKind.LINE,
                    label=doc.equity_label,
                    block=block,
                    values={y: start.get(y) for y in years},
                )
            )
        for line in funding_income:
            rows.append(
                TableRow(
                    kind=RowKind.LINE,
                    label=line.name,
                    account=line.account,
                    cost_centre=None,
                    values=_values(line.amounts, years, 1),
                    block=block,
                )
            )

    if doc.income_first:
        emit_funding_block()
    if doc.costs_heading:
        rows.append(
            TableRow(kind=RowKind.HEADING, label=doc.costs_heading, values=dict.fromkeys(years))
        )
    ordered = list(groups.items())
    if doc.totals_on_heading:
        # No "Totalt" row closes a group, so lines without a heading go first: printed
        # under a group's lines they would read as part of its sum.
        ordered.sort(key=lambda group: group[0] != (None, None))
    for (centre, heading), items in ordered:
        emit_group(centre, heading, items, doc.group_total_label)
    if not doc.income_first:
        # The contributions as a group among the cost groups, signed like netted income.
        items = member_items(netted_sign)
        if doc.equity_as_funding:  # in the income total, so a row of its own (issue 18)
            start = {y: plan[y].equity_start for y in years if y in plan}
            items.append((None, doc.equity_label, _values(_known(start), years, netted_sign)))
        items += [
            (i.account, i.name, _values(i.amounts, years, netted_sign)) for i in funding_income
        ]
        emit_group(doc.contributions_cost_centre, doc.income_heading, items, doc.group_total_label)
        rows.append(TableRow(kind=RowKind.GRAND, label=doc.income_total_label, values=income_total))
    rows.append(TableRow(kind=RowKind.GRAND, label=doc.costs_total_label, values=costs_total))
    if doc.show_result:
        rows.append(TableRow(kind=RowKind.GRAND, label=doc.result_label, values=result_row))
    return BudgetTable(
        title=table_title(budget),
        columns=columns,
        rows=rows,
        show_cost_centres=doc.show_cost_centres,
        show_accounts=doc.show_accounts,
        costs_negative=doc.costs_negative,
    )


def net_costs_by_group(budget: Budget) -> dict[int, dict[str, Decimal]]:
    """Costs per year and group (by value) net of income netted in the group's cost centres.

    A netted income line belongs to the group of the cost lines with its cost
    centre, else its Rubrik (the first such line's group), else "ovrigt". So the
    groups add up to ``YearPlan.costs_net``.
    """
    by_centre: dict[str, str] = {}
    by_section: dict[str, str] = {}
    out: dict[int, dict[str, Decimal]] = {}
    for line in budget.costs:
        group = line.group.value
        if line.cost_centre:
            by_centre.setdefault(line.cost_centre, group)
        if line.section:
            by_section.setdefault(line.section, group)
    for year in budget.years.all:
        out[year] = dict.fromkeys((g.value for g in CostGroup), ZERO)
    for line in budget.costs:
        for year, amount in line.amounts.items():
            if year in out:
                out[year][line.group.value] += amount
    for income in budget.income:
        if not income.netted:
            continue
        group = (
            by_centre.get(income.cost_centre or "")
            or by_section.get(income.section or "")
            or CostGroup.OVRIGT.value
        )
        for year, amount in income.amounts.items():
            if year in out:
                out[year][group] -= amount
    return out


# --- Not 1 ----------------------------------------------------------------------------------
KEY_UNITS = {KeyType.BEFOLKNING: "invånare", KeyType.PROCENT: "%", KeyType.LIKA: "lika delar"}


class Not1Row(_Out):
    """One member in Not 1: its key (with unit), share of the budget year, amounts per year."""

    name: str
    kind: MemberKind
    key: Decimal | None
    key_unit: str
    share_pct: Decimal | None  # of the budget year's total, one decimal; shares sum to 100
    amounts: dict[int, Decimal]


class LawfulRow(_Out):
    """A member or kind that pays another amount than under the law's 50/25/25 split."""

    name: str
    year: int
    paid: Decimal
    lawful: Decimal

    @property
    def difference(self) -> Decimal:
        """Paid minus lawful (positive: pays more than its share)."""
        return self.paid - self.lawful


class Not1Table(_Out):
    """The allocation in its published form."""

    title: str
    share_year: int
    years: list[int]
    rows: list[Not1Row]
    totals: dict[int, Decimal]
    total_share_pct: Decimal | None
    lawful: list[LawfulRow]  # only where paid differs from the lawful amount


def share_percentages(amounts: list[Decimal], decimals: int = 1) -> list[Decimal] | None:
    """Shares in % of the sum, rounded so that they add up to exactly 100 (largest remainder)."""
    total = sum(amounts, ZERO)
    if total <= 0 or any(a < 0 for a in amounts):
        return None
    step = Decimal(1).scaleb(-decimals)
    units = int(HUNDRED / step)
    quotas = [a * units / total for a in amounts]
    base = [q.to_integral_value(rounding=ROUND_FLOOR) for q in quotas]
    left = units - int(sum(base, ZERO))
    order = sorted(range(len(amounts)), key=lambda i: (-(quotas[i] - base[i]), i))
    for i in order[:left]:
        base[i] += 1
    return [(b * step).quantize(step) for b in base]


def not1_table(budget: Budget, result: Result) -> Not1Table:
    """Each member's key, share and amount per year, the total at 100 %, the lawful block."""
    year = budget.years.budget
    allocations = [a for a in result.allocation if a.year in budget.years.all]
    years = [a.year for a in allocations]
    by_year = {a.year: a for a in allocations}
    share_source = by_year.get(year) or (allocations[0] if allocations else None)
    share_year = share_source.year if share_source else year
    shares = share_percentages([m.amount for m in share_source.members]) if share_source else None
    # The allocation lists members by kind; match shares by name, not by position.
    share_of = (
        {m.name: p for m, p in zip(share_source.members, shares, strict=True)}
        if share_source and shares
        else {}
    )
    rows = []
    for member in budget.members:
        key_type = budget.keys.for_kind(member.kind)
        amounts = {}
        for a in allocations:
            value = a.amount(member.name)
            if value is not None:
                amounts[a.year] = value
        rows.append(
            Not1Row(
                name=member.name,
                kind=member.kind,
                key=member.key if key_type is not KeyType.LIKA else None,
                key_unit=(
                    ""  # alone in its part: no key to show
                    if key_type is KeyType.LIKA
                    and sum(1 for m in budget.members if m.kind is member.kind) == 1
                    else KEY_UNITS[key_type]
                ),
                share_pct=share_of.get(member.name),
                amounts=amounts,
            )
        )
    lawful: list[LawfulRow] = []
    kind_names = {
        MemberKind.STAT: "Staten",
        MemberKind.REGION: "Regionerna",
        MemberKind.KOMMUN: "Kommunerna",
    }
    for a in allocations:
        for kind, paid in a.group_actual.items():
            should = a.group_lawful.get(kind)
            if should is not None and should != paid:
                lawful.append(
                    LawfulRow(name=kind_names[kind], year=a.year, paid=paid, lawful=should)
                )
        for share in a.members:
            if share.lawful is not None and share.lawful != share.amount:
                lawful.append(
                    LawfulRow(name=share.name, year=a.year, paid=share.amount, lawful=share.lawful)
                )
    return Not1Table(
        title=f"Not 1: Medelstilldelning från förbundets medlemmar {year}",
        share_year=share_year,
        years=years,
        rows=rows,
        totals={a.year: sum((m.amount for m in a.members), ZERO) for a in allocations},
        total_share_pct=HUNDRED if shares else None,
        lawful=lawful,
    )


# --- Insatser -------------------------------------------------------------------------------
INSATS_GROUPS = frozenset({CostGroup.INSATS_INDIVID, CostGroup.INSATS_STRUKTUR})


class InsatsRow(_Out):
    """One insats: decision data, budget per year, and what happens within the plan."""

    name: str
    section: str | None
    group: CostGroup
    owner: str | None
    decision_date: date | None
    start: date | None
    end: date | None
    granted_per_year: Decimal | None
    amounts: dict[int, Decimal | None]
    starts_in_plan: bool
    ends_in_plan: bool
    money_after_end: list[int]  # years after the period that still carry money


class InsatsTable(_Out):
    """A row per insats (lines with decision data, or in an insats group)."""

    years: list[int]
    columns: list[Column]
    rows: list[InsatsRow]


def insatser_table(budget: Budget, result: Result | None = None) -> InsatsTable:
    """The insatser table; ``result`` is not needed and accepted for symmetry."""
    columns = year_columns(budget)
    years = [c.year for c in columns]
    ahead = [budget.years.budget, *budget.years.plan]
    rows = []
    for line in budget.costs:
        if line.insats is None and line.group not in INSATS_GROUPS:
            continue
        ins = line.insats
        start, end = (ins.start, ins.end) if ins else (None, None)
        rows.append(
            InsatsRow(
                name=line.name,
                section=line.section,
                group=line.group,
                owner=ins.owner if ins else None,
                decision_date=ins.decision_date if ins else None,
                start=start,
                end=end,
                granted_per_year=ins.granted_per_year if ins else None,
                amounts={y: line.amounts.get(y) for y in years},
                starts_in_plan=bool(start and start.year in ahead),
                ends_in_plan=bool(end and end.year in ahead),
                money_after_end=[
                    y for y in years if end and y > end.year and line.amounts.get(y, ZERO) != 0
                ],
            )
        )
    return InsatsTable(years=years, columns=columns, rows=rows)


# --- Eget kapital ---------------------------------------------------------------------------
class EquityRow(_Out):
    """One year of the equity history and plan, with its print marks per field.

    ``marks`` maps "contributions", "costs", "result", "equity_end" to "*"
    (forecast) or "**" (requested, not decided).
    """

    year: int
    status: str  # "utfall", "prognos", "budget" (comparison year from the plan), "budgetar", "plan"
    contributions: Decimal | None
    costs: Decimal | None
    result: Decimal | None
    equity_end: Decimal | None
    equity_pct: Decimal | None
    marks: dict[str, str] = Field(default_factory=dict)

    def shown(self, field: str) -> str:
        """The mark of ``field`` ('' when none)."""
        return self.marks.get(field, "")


class EquityHistory(_Out):
    """Past years from the Utfall table, then the budget and plan years from the plan."""

    rows: list[EquityRow]
    floor: Decimal
    recommended_max_pct: dict[int, Decimal]
    notes: list[str]


def equity_history(budget: Budget, result: Result) -> EquityHistory:
    """The equity table as Södra Dalarna prints 2022–2028, with ``*`` and ``**`` per cell."""
    rows: list[EquityRow] = []
    actuals = {a.year: a for a in budget.actuals}
    plan = {r.year: r for r in result.plan}
    past = sorted(set(actuals) | set(budget.years.comparison))
    for year in past:
        if year in actuals:
            a = actuals[year]
            forecast = a.status is ActualStatus.PROGNOS
            result_value = a.result  # not derived: the cost column may hold the budget
            pct = None
            if a.equity_end is not None and a.contributions:
                pct = (a.equity_end * HUNDRED / a.contributions).quantize(ONE_DECIMAL)
            rows.append(
                EquityRow(
                    year=year,
                    status=a.status.value,
                    contributions=a.contributions,
                    costs=a.costs,
                    result=result_value,
                    equity_end=a.equity_end,
                    equity_pct=pct,
                    marks={"equity_end": MARK_FORECAST, "result": MARK_FORECAST}
                    if forecast
                    else {},
                )
            )
        else:
            p = plan[year]
            rows.append(
                EquityRow(
                    year=year,
                    status="budget",
                    contributions=p.contributions,
                    costs=p.costs_net,
                    result=p.result,
                    equity_end=p.equity_end,
                    equity_pct=p.equity_pct,
                    marks={"equity_end": MARK_FORECAST} if p.equity_end is not None else {},
                )
            )
    for p in result.plan:
        if p.kind is YearKind.JAMFORELSE:
            continue
        marks = {"equity_end": MARK_FORECAST, "result": MARK_FORECAST}
        if p.kind is YearKind.PLAN:
            marks["costs"] = MARK_FORECAST
        if not p.decided:
            marks["contributions"] = MARK_REQUESTED
        rows.append(
            EquityRow(
                year=p.year,
                status="budgetar" if p.kind is YearKind.BUDGET else "plan",
                contributions=p.contributions,
                costs=p.costs_net,
                result=p.result,
                equity_end=p.equity_end,
                equity_pct=p.equity_pct,
                marks=marks,
            )
        )
    notes = [f"{MARK_FORECAST} = prognos"]
    if any(MARK_REQUESTED in r.marks.values() for r in rows):
        notes.append(f"{MARK_REQUESTED} = äskat belopp")
    return EquityHistory(
        rows=rows,
        floor=budget.equity.floor,
        recommended_max_pct={p.year: p.recommended_max_pct for p in result.plan},
        notes=notes,
    )


# --- Medel till förfogande ------------------------------------------------------------------
class AvailableFunds(_Out):
    """The figures of the "medel till förfogande" paragraph for the budget year."""

    year: int
    frame: Decimal  # the members' contributions (budgetram)
    frame_decided: bool
    other_income: Decimal  # funding-line income (not netted inside cost centres)
    opening_equity: Decimal | None
    floor: Decimal
    available: Decimal | None
    costs_net: Decimal
    recommended_max_pct: Decimal


def available_funds(budget: Budget, result: Result) -> AvailableFunds:
    """Frame, opening equity, floor and available funds of the budget year."""
    p = result.year(budget.years.budget)
    return AvailableFunds(
        year=p.year,
        frame=p.contributions,
        frame_decided=p.decided,
        other_income=p.other_income - p.other_income_netted,
        opening_equity=p.equity_start,
        floor=p.floor,
        available=p.available,
        costs_net=p.costs_net,
        recommended_max_pct=p.recommended_max_pct,
    )


def funds_text(funds: AvailableFunds, nbsp: bool = True) -> str:
    """The drafted Swedish paragraph, as Södra Dalarna's §5 words it.

    Amounts use a non-breaking space as thousands separator; ``nbsp=False``
    gives plain spaces.
    """

    def money(value: Decimal) -> str:
        text = kr(value)
        return text if nbsp else text.replace(NBSP, " ")

    decided = "har beslutat om" if funds.frame_decided else "kommer att äska"
    parts = [
        f"{funds.year} års verksamhetsplan bygger på den budgetram om {money(funds.frame)} "
        f"som medlemmarna {decided} för {funds.year}"
    ]
    if funds.opening_equity is not None:
        parts[0] += f" samt ett prognosticerat eget kapital på {money(funds.opening_equity)}"
    text = parts[0] + "."
    if funds.other_income:
        text += f" Därtill kommer övriga intäkter på {money(funds.other_income)}."
    if funds.floor:
        text += (
            " Enligt tidigare beslut i styrelsen ska det egna kapitalet av likviditetsskäl "
            f"inte understiga {money(funds.floor)}."
        )
    if funds.available is not None:
        text += f" Tillgängligt för {funds.year} är därmed {money(funds.available)}."
    return text
