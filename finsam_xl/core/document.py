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

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from finsam_xl.model.budget import (
    ActualStatus,
    Budget,
    CostGroup,
    CostLine,
    IncomeLine,
    KeyType,
    Member,
    MemberKind,
    Unit,
    YearKind,
)
from finsam_xl.model.labels import COMPARISON_LABELS
from finsam_xl.model.money import KR_PER_TKR, NBSP, ZERO, fmt_pct, kr
from finsam_xl.model.results import Result

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


class ColumnKind(StrEnum):
    """What a printed year's figures are (``Column.kind``, ``EquityRow.status``)."""

    BUDGET = "budget"  # a comparison year's adopted budget (or, in the history, its plan)
    UTFALL = "utfall"  # a comparison year's actuals
    PROGNOS = "prognos"  # a comparison year's full-year forecast
    BUDGETAR = "budgetar"  # the budget year
    PLAN = "plan"  # a plan year


class Column(_Out):
    """A year column: the year, its kind and its printed label ("Utfall 2023")."""

    year: int
    kind: ColumnKind
    label: str


@dataclass(frozen=True, slots=True)
class TableRow:
    """One printed row. ``values`` has every shown year (None = blank cell).

    ``block`` numbers the group a row belongs to (rows of one block are kept on
    one page); None for rows outside a group. A plain dataclass, not a validated
    model: a row per budget line is made from the budget's own values, and a model
    cost the 2,000-line press 2,000 validations.
    """

    kind: RowKind
    label: str
    cost_centre: str | None = None
    account: str | None = None
    values: dict[int, Decimal | None] = field(default_factory=dict)
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


def table_title(budget: Budget, with_plan: bool = True) -> str:
    """'Budget 2025 med plan 2026–2028' (or 'Budget 2025' without plan years, or for a
    table that shows none: ``with_plan=False``)."""
    years = budget.years
    if not years.plan or not with_plan:
        return f"Budget {years.budget}"
    if len(years.plan) == 1:
        return f"Budget {years.budget} med plan {years.plan[0]}"
    return f"Budget {years.budget} med plan {years.plan[0]}\u2013{years.plan[-1]}"


def decision_dates(budget: Budget) -> str:
    """'Beslutad av styrelsen 2023-11-30, reviderad 2024-03-21.' or '' when none is set."""
    parts = []
    if budget.adopted:
        parts.append(f"Beslutad av styrelsen {budget.adopted.isoformat()}")
    if budget.revised:
        parts.append(f"{'reviderad' if parts else 'Reviderad'} {budget.revised.isoformat()}")
    return ", ".join(parts) + "." if parts else ""


def display_decimals(budget: Budget, result: Result | None = None) -> int:
    """Decimals of amounts shown in the display unit: 0, or 1 in a tkr workbook whose
    amounts are not all whole thousands (Örnsköldsvik prints "1 255,5").

    Every amount typed (lines, contributions, members' fixed amounts, equity) and,
    given ``result`` and a table with a row per member, every member's share is looked
    at. At one decimal every amount of whole hundreds of kronor is shown exactly, so
    rows add up to printed totals.
    """
    if budget.forbund.unit is not Unit.TKR:
        return 0

    def amounts() -> Iterator[Decimal | None]:  # looked at until one is not whole
        yield budget.equity.opening
        yield budget.equity.floor
        for line in budget.costs:
            yield from line.amounts.values()
        for income in budget.income:
            yield from income.amounts.values()
        for member in budget.members:
            yield from member.amounts.values()
        for c in budget.contributions:
            yield c.amount
        if result is not None and budget.document.member_rows:  # members' shares are printed
            for a in result.allocation:
                for m in a.members:
                    yield m.amount

    return 0 if all(a % KR_PER_TKR == 0 for a in amounts() if a is not None) else 1


def document_title(budget: Budget) -> str:
    """The förbund's name and the table title, as every printed page carries it."""
    return f"{budget.forbund.name} \u2013 {table_title(budget)}"


def year_columns(budget: Budget, with_plan: bool = True) -> list[Column]:
    """The year columns: comparison years by kind, the budget year, the plan years."""
    doc = budget.document
    columns = []
    for i, year in enumerate(budget.years.comparison):
        kind = doc.comparison_kind(i)
        word = doc.comparison_label or COMPARISON_LABELS[kind]
        columns.append(Column(year=year, kind=ColumnKind(kind), label=f"{word} {year}"))
    ahead = [
        Column(
            year=budget.years.budget,
            kind=ColumnKind.BUDGETAR,
            label=f"{doc.budget_label} {budget.years.budget}",
        )
    ]
    if with_plan:
        ahead += [
            Column(year=y, kind=ColumnKind.PLAN, label=f"{doc.plan_label} {y}")
            for y in budget.years.plan
        ]
    if doc.budget_first:
        return ahead + columns[::-1]
    return columns + ahead


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


def group_total_label(label: str, heading: str) -> str:
    """A group's total label with "{rubrik}" replaced by the group's heading.

    Plain replacement, not ``str.format``: the label is the user's text, so other
    braces are printed as typed. The heading keeps its case except a leading capital
    is lowered after other words ("Summa {rubrik}" + "Administration" prints
    "Summa administration"); a label that is just "{rubrik}" keeps it.
    """
    if "{rubrik}" not in label:
        return label
    name = heading
    if not label.startswith("{rubrik}") and name[:1].isupper() and not name[1:2].isupper():
        name = name[:1].lower() + name[1:]
    return label.replace("{rubrik}", name)


def budget_table(budget: Budget, result: Result) -> BudgetTable:
    """The detailed table: groups by Rubrik/cost centre, lines, totals, members' contributions.

    The funding block comes first with ``income_first``, else the contributions
    are a group among the cost groups; the closing rows end the table (see the
    module docstring for the layout and sign rules).
    """
    doc = budget.document
    columns = year_columns(budget, with_plan=doc.plan_in_table)
    table = _TableRows(budget, result, [c.year for c in columns])
    if doc.income_first:
        table.funding_block()
    table.cost_groups()
    if not doc.income_first:
        table.funding_group()
    table.closing_rows()
    rows = table.rows
    return BudgetTable(
        title=table_title(budget, with_plan=doc.plan_in_table),
        columns=columns,
        rows=rows,
        # A column no row fills is left out, whatever the flag (issue 22).
        show_cost_centres=doc.show_cost_centres and any(r.cost_centre for r in rows),
        show_accounts=doc.show_accounts and any(r.account for r in rows),
        costs_negative=doc.costs_negative,
    )


#: One line of a group in ``budget_table``: account, label, values per shown year.
_Item = tuple[str | None, str, dict[int, Decimal | None]]


class _TableRows:
    """The rows of ``budget_table``, appended in print order.

    ``block`` counts the groups (and the funding block) emitted so far: the rows
    of one block are kept on one page.
    """

    def __init__(self, budget: Budget, result: Result, years: list[int]) -> None:
        doc = budget.document
        self.budget, self.doc, self.years = budget, doc, years
        self.year_set = frozenset(years)
        self.plan = {row.year: row for row in result.plan}
        self.allocation = {a.year: a for a in result.allocation}
        self.cost_sign = -1 if doc.costs_negative else 1
        self.netted_sign = 1 if doc.costs_negative else -1  # income among the cost groups
        self.contributions = {y: self.plan[y].contributions for y in years if y in self.plan}
        self.funding_income = [i for i in budget.income if not i.netted and self.shown(i.amounts)]
        self.rows: list[TableRow] = []
        self.block = 0

    def shown(self, amounts: dict[int, Decimal]) -> bool:
        """True when the amounts have a value in a shown year (else the line is left out)."""
        return not self.year_set.isdisjoint(amounts)

    def heading(
        self,
        label: str,
        values: dict[int, Decimal | None] | None = None,
        cost_centre: str | None = None,
        block: int | None = None,
    ) -> None:
        """A heading row, blank unless ``values`` (a total on the heading) are given."""
        self.rows.append(
            TableRow(
                kind=RowKind.HEADING,
                label=label,
                cost_centre=cost_centre,
                values=dict.fromkeys(self.years) if values is None else values,
                block=block,
            )
        )

    def lines(self, items: list[_Item], block: int | None) -> None:
        """A line row per item, in ``block``."""
        for account, label, values in items:
            self.rows.append(
                TableRow(
                    kind=RowKind.LINE, label=label, account=account, values=values, block=block
                )
            )

    # --- cost groups ---------------------------------------------------------------------

    def cost_groups(self) -> None:
        """The costs heading (if any) and the cost groups, netted income among them."""
        doc = self.doc
        if doc.costs_heading:
            self.heading(doc.costs_heading)
        ordered = list(self._groups().items())
        if doc.totals_on_heading:
            # No "Totalt" row closes a group, so lines without a heading go first: printed
            # under a group's lines they would read as part of its sum.
            ordered.sort(key=lambda group: group[0] != (None, None))
        for (centre, heading), items in ordered:
            self.group(centre, heading, items)

    def _groups(self) -> dict[tuple[str | None, str | None], list[_Item]]:
        """Cost lines, then income netted inside cost centres, by (cost centre, Rubrik)."""
        groups: dict[tuple[str | None, str | None], list[_Item]] = {}
        budget = self.budget
        entries: list[CostLine | IncomeLine] = [
            *budget.costs,
            *(i for i in budget.income if i.netted),
        ]
        for entry in entries:
            if not self.shown(entry.amounts):
                continue
            sign = self.cost_sign if isinstance(entry, CostLine) else self.netted_sign
            key = (entry.cost_centre or None, entry.section or None)
            groups.setdefault(key, []).append(
                (entry.account, entry.name, _values(entry.amounts, self.years, sign))
            )
        return groups

    def group(self, centre: str | None, heading: str | None, items: list[_Item]) -> None:
        """One group: its heading, its lines (by account when all have one), its total."""
        doc = self.doc
        self.block += 1
        if all(a and a.strip() for a, _, _ in items):
            items = sorted(items, key=lambda it: _account_key(it[0]))
        total = _sum((v for _, _, v in items), self.years)
        if heading is None and centre is None:
            self.lines(items, None)  # no heading, so no block to keep together
            return
        title = heading or centre or ""
        self.heading(
            title, total if doc.totals_on_heading else None, cost_centre=centre, block=self.block
        )
        self.lines(items, self.block)
        if not doc.totals_on_heading and (len(items) > 1 or doc.single_line_totals):
            self.rows.append(
                TableRow(
                    kind=RowKind.TOTAL,
                    label=group_total_label(doc.group_total_label, title),
                    cost_centre=centre,
                    values=total,
                    block=self.block,
                )
            )

    # --- funding: members' contributions, other income, equity ---------------------------

    def member_items(self, sign: int) -> list[_Item]:
        """The contributions row, or with ``member_rows`` one row per member."""
        doc, years = self.doc, self.years
        if not doc.member_rows:
            return [
                (
                    doc.contributions_account,
                    doc.contributions_label,
                    _values(self.contributions, years, sign),
                )
            ]
        items: list[_Item] = []
        for member in self.budget.members:
            amounts = {}
            for y in years:
                share = self.allocation[y].amount(member.name) if y in self.allocation else None
                if share is not None:
                    amounts[y] = share
            items.append((None, member.name, _values(amounts, years, sign)))
        return items

    def equity_start(self) -> dict[int, Decimal | None]:
        """The equity at the start of each shown year the plan has."""
        return {y: self.plan[y].equity_start for y in self.years if y in self.plan}

    def income_total(self) -> dict[int, Decimal | None]:
        """The income total per year: contributions and other income, or the decision room."""
        income_total: dict[int, Decimal | None] = {}
        for y in self.years:
            row = self.plan.get(y)
            if row is None:
                income_total[y] = None
                continue
            total = row.contributions + row.other_income - row.other_income_netted
            if self.doc.equity_as_funding:
                total = row.decision_room if row.decision_room is not None else total
            income_total[y] = total
        return income_total

    def funding_block(self) -> None:
        """The funding block above the costs (``income_first``), positive in both conventions."""
        doc = self.doc
        self.block += 1
        self.heading(doc.income_heading, block=self.block)
        members_heading = doc.member_rows and doc.totals_on_heading
        others = bool(self.funding_income or doc.equity_as_funding)
        # A heading's sum covers the lines under it: without a heading of their own, the
        # equity and other income go above the members' heading, not under it.
        others_first = members_heading and others and not doc.other_income_heading
        if others_first:
            self.other_funding()
        if members_heading:
            self.heading(
                doc.contributions_label,
                _values(self.contributions, self.years, 1),
                block=self.block,
            )
        self.lines(self.member_items(1), self.block)
        if others and not others_first:
            self.other_funding()
        self.rows.append(
            TableRow(
                kind=RowKind.GRAND,
                label=doc.income_total_label,
                values=self.income_total(),
                block=self.block,
            )
        )

    def other_funding(self) -> None:
        """The equity used as funding and the other income of the funding block."""
        doc, years = self.doc, self.years
        if doc.other_income_heading:
            self.heading(doc.other_income_heading, block=self.block)
        if doc.equity_as_funding:
            start = self.equity_start()
            self.lines([(None, doc.equity_label, {y: start.get(y) for y in years})], self.block)
        income = [(i.account, i.name, _values(i.amounts, years, 1)) for i in self.funding_income]
        self.lines(income, self.block)

    def funding_group(self) -> None:
        """The contributions as a group among the cost groups, signed like netted income."""
        doc, sign = self.doc, self.netted_sign
        items = self.member_items(sign)
        if doc.equity_as_funding:  # in the income total, so a row of its own (issue 18)
            start = self.equity_start()
            items.append((None, doc.equity_label, _values(_known(start), self.years, sign)))
        items += [
            (i.account, i.name, _values(i.amounts, self.years, sign)) for i in self.funding_income
        ]
        self.group(doc.contributions_cost_centre, doc.income_heading, items)
        self.rows.append(
            TableRow(kind=RowKind.GRAND, label=doc.income_total_label, values=self.income_total())
        )

    def closing_rows(self) -> None:
        """The costs total (net costs, signed by the convention) and the result."""
        doc, plan, years = self.doc, self.plan, self.years
        costs_total = {
            y: (plan[y].costs_net * self.cost_sign if y in plan else None) for y in years
        }
        self.rows.append(
            TableRow(kind=RowKind.GRAND, label=doc.costs_total_label, values=costs_total)
        )
        if doc.show_result:
            result_row = {y: (plan[y].result if y in plan else None) for y in years}
            self.rows.append(
                TableRow(kind=RowKind.GRAND, label=doc.result_label, values=result_row)
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
        group = line.group.value
        for year, amount in line.amounts.items():
            if year in out:
                out[year][group] += amount
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


class Not1Row(_Out):
    """One member in Not 1: its key as printed, share of the budget year, amounts per year.

    ``key_text`` is the key's own value with its unit ("12 345 invånare", "11 %",
    "lika delar (1/2)", "fast belopp"), or "" where it would only repeat the
    share (a percentage of the whole frame) or the member is alone in its part.
    """

    name: str
    kind: MemberKind
    key_text: str
    share_pct: Decimal | None  # of the budget year's total, each rounded on its own
    amounts: dict[int, Decimal]


class Not1Table(_Out):
    """The allocation in its published form.

    The deviation from the law's 50/25/25 is a finding on Kontroller
    (``contrib.lawful-split``), not part of the board's note.
    """

    title: str
    share_year: int
    years: list[int]
    rows: list[Not1Row]
    totals: dict[int, Decimal]
    total_share_pct: Decimal | None
    rounding_note: str | None = None  # when the printed shares do not add up to 100 %


def share_percentages(amounts: list[Decimal], decimals: int = 1) -> list[Decimal] | None:
    """Shares in % of the sum, each rounded half up on its own: equal amounts, equal shares.

    The printed shares may then add up to 99,9 or 100,1 %; ``share_rounding_note``
    says so under the table.
    """
    total = sum(amounts, ZERO)
    if total <= 0 or any(a < 0 for a in amounts):
        return None
    step = Decimal(1).scaleb(-decimals)
    return [(a * HUNDRED / total).quantize(step, rounding=ROUND_HALF_UP) for a in amounts]


def share_rounding_note(shares: list[Decimal] | None) -> str | None:
    """'Andelarna är avrundade var för sig och summerar till 99,9 %.' or None at 100 %."""
    if not shares or sum(shares, ZERO) == HUNDRED:
        return None
    return (
        "Andelarna är avrundade var för sig och summerar därför till "
        f"{fmt_pct(sum(shares, ZERO))} i stället för 100 %."
    )


def _key_text(budget: Budget, member: Member, share_pct: Decimal | None) -> str:
    """The member's key as Not 1 prints it (see ``Not1Row``)."""
    same_kind = sum(1 for m in budget.members if m.kind is member.kind)
    if member.amounts:
        return "fast belopp"
    if same_kind == 1:
        return ""
    key_type = budget.keys.for_kind(member.kind)
    if key_type is KeyType.LIKA:
        return f"lika delar (1/{same_kind})"
    if member.key is None:
        return "nyckelvärde saknas"
    if key_type is KeyType.PROCENT:
        shown = fmt_pct(member.key)
        return "" if share_pct is not None and shown == fmt_pct(share_pct) else shown
    return f"{kr(member.key).removesuffix(NBSP + 'kr')}{NBSP}invånare"


def not1_table(budget: Budget, result: Result) -> Not1Table:
    """Each member's key, share and amount per year, and the total at 100 %."""
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
        amounts = {}
        for a in allocations:
            value = a.amount(member.name)
            if value is not None:
                amounts[a.year] = value
        share = share_of.get(member.name)
        rows.append(
            Not1Row(
                name=member.name,
                kind=member.kind,
                key_text=_key_text(budget, member, share),
                share_pct=share,
                amounts=amounts,
            )
        )
    return Not1Table(
        title=f"Not 1: Medelstilldelning från förbundets medlemmar {year}",
        share_year=share_year,
        years=years,
        rows=rows,
        totals={a.year: sum((m.amount for m in a.members), ZERO) for a in allocations},
        total_share_pct=HUNDRED if shares else None,
        rounding_note=share_rounding_note(shares),
    )


# --- Insatser -------------------------------------------------------------------------------
INSATS_GROUPS = frozenset({CostGroup.INSATS_INDIVID, CostGroup.INSATS_STRUKTUR})


#: Line names that say nothing of the insats: its heading (section) names it instead.
GENERIC_INSATS_NAMES = frozenset({"bidrag", "insats", "insatser", "kostnad", "kostnader"})

#: Headings of the insatser by group, in the published order ("Individinriktade insatser").
INSATS_GROUP_HEADINGS = {
    CostGroup.INSATS_INDIVID: "Individinriktade insatser",
    CostGroup.INSATS_STRUKTUR: "Strukturinriktade insatser",
}
OTHER_INSATSER = "Övriga insatser"


def grouped_id(text: str | None) -> str | None:
    """A cost centre as the documents print it: '35000' -> '35 000' (a no-break space);
    other text unchanged."""
    if not text:
        return None
    return f"{int(text):,}".replace(",", NBSP) if text.isdigit() else text


@dataclass(frozen=True, slots=True)
class InsatsRow:
    """One insats: decision data, budget per year, and what happens within the plan.

    ``label`` is its printed name: the line's name, or its heading where the line
    is only called "Bidrag" (Södra Dalarna's "Samverkansteam Avesta"); ``cost_centre``
    its ID as printed ("35 000"). A plain dataclass like ``TableRow``.
    """

    name: str
    label: str
    cost_centre: str | None
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

    def groups(self) -> list[tuple[str, list[InsatsRow]]]:
        """The rows under their published headings: individinriktade, strukturinriktade,
        then any other line with decision data; headings without rows are left out."""
        order = [*INSATS_GROUP_HEADINGS.values(), OTHER_INSATSER]
        by: dict[str, list[InsatsRow]] = {}
        for row in self.rows:
            by.setdefault(INSATS_GROUP_HEADINGS.get(row.group, OTHER_INSATSER), []).append(row)
        return [(heading, by[heading]) for heading in order if heading in by]


def period_text(start: date | None, end: date | None, break_at_dash: bool = False) -> str | None:
    """An insats's period as printed: "2020–2022" for whole years, else the two dates.

    A date is never broken: with ``break_at_dash`` the line may break after the dash
    only (a narrow column gets one date per line).
    """
    if start is None and end is None:
        return None
    if start and end and (start.month, start.day) == (1, 1) and (end.month, end.day) == (12, 31):
        return f"{start.year}\u2013{end.year}"
    first = start.isoformat() if start else "…"
    last = end.isoformat() if end else "…"
    return f"{first} \u2013{chr(10) if break_at_dash else ' '}{last}"


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
                label=line.section
                if line.section and line.name.strip().lower() in GENERIC_INSATS_NAMES
                else line.name,
                cost_centre=grouped_id(line.cost_centre),
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
    status: ColumnKind
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
                    status=ColumnKind(a.status),
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
                    status=ColumnKind.BUDGET,
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
        # One rule: what the board adopts now (the budget year's contributions, costs and
        # result) is unmarked; what rests on a forecast is "*": every plan-year figure but a
        # decided contribution, and equity at any year end not yet closed in the books.
        marks = {"equity_end": MARK_FORECAST}
        if p.kind is YearKind.PLAN:
            marks["costs"] = marks["result"] = MARK_FORECAST
        if not p.decided:
            marks["contributions"] = MARK_REQUESTED
        rows.append(
            EquityRow(
                year=p.year,
                status=ColumnKind.BUDGETAR if p.kind is YearKind.BUDGET else ColumnKind.PLAN,
                contributions=p.contributions,
                costs=p.costs_net,
                result=p.result,
                equity_end=p.equity_end,
                equity_pct=p.equity_pct,
                marks=marks,
            )
        )
    notes = [
        f"{MARK_FORECAST} = prognos: planårens kostnader och resultat, och eget kapital "
        "vid årets slut tills året är bokslutat"
    ]
    if any(MARK_REQUESTED in r.marks.values() for r in rows):
        notes.append(
            f"{MARK_REQUESTED} = äskat belopp: medlemsbidrag som medlemmarna ännu inte har beslutat"
        )
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
