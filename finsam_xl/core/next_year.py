"""Next year's budget from this year's: the rollover ("nytt år"), pure and without I/O.

The rules, in the order they are applied (docs/rollover.md says the same for users):

* **Years shift by one.** This budget year B becomes the last comparison year
  (the number of comparison years is kept, at least one), B+1 becomes the
  budget year, the plan keeps its length and gets one new last year.
  Amounts for years that fall out of the model are dropped everywhere.
* **Values.** Every line, member and contribution keeps its amounts for the
  years that remain: B's budget figures become the comparison figures, the
  first plan year's figures the new budget year's. The new last plan year is a
  copy of the previous last year; cost lines get the uplift % of their group
  from ``Settings.uplift_pct``, rounded half-up to whole kronor (to whole
  thousands when the display unit is tkr). Income lines, members' fixed
  amounts and contributions are copied as they are.
* **Insatser.** An insats whose project period ended before the new budget
  year loses its amounts from the new budget year on; the line stays only if
  it has a non-zero amount in a comparison year, else it is dropped. Both are
  listed in findings. An insats whose period does not reach the new last plan
  year gets no amount there (it needs a new decision). Others carry over.
* **Equity.** The opening equity is the forecast equity at the end of B
  (``evaluate``), at the start of B+1; an actual closing equity replaces it
  when given, and the difference is a finding.
* **Contributions.** The new budget year's contribution is the plan's, or,
  when the state allocation is given, ``mode=stat`` with that amount. Members'
  fixed amounts for the new budget year are then dropped for each kind whose
  split the keys can compute; where they cannot, they stay and a warning says
  they must be updated.
* **What belonged to the old document** is cleared: the adoption date, the
  published totals and the lines' full-year forecasts.

A rollover is refused (``NextYearError``, Swedish message) when the budget's
year is later than ``today``'s year (the workbook has already been rolled) or,
when a target year is given, when the budget year is not the one before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from finsam_xl.core.allocation import member_weight
from finsam_xl.core.evaluate import evaluate
from finsam_xl.errors import FinsamError
from finsam_xl.model.budget import (
    Actual,
    ActualStatus,
    Budget,
    Contribution,
    CostGroup,
    CostLine,
    EntryMode,
    Equity,
    Member,
    MemberKind,
    Published,
    Unit,
    Years,
)
from finsam_xl.model.findings import Element, Finding, Ref, Severity
from finsam_xl.model.labels import GROUP_SV, KIND_ORDER, KIND_PLURAL_SV
from finsam_xl.model.money import ZERO, fmt_pct, kr, unit_kronor
from finsam_xl.model.results import YearPlan


class NextYearError(FinsamError, ValueError):
    """A rollover that must not be made; ``str()`` is a Swedish message for the user."""


@dataclass(frozen=True)
class NextYear:
    """The outcome of a rollover.

    ``budget`` is next year's budget and ``findings`` what the rollover did that
    the user should know (references point into the new budget). ``cost_map``
    and ``income_map`` give, per line of the old budget, its index in the new
    one (None: dropped), so adapters can keep each line where it was.
    ``changes`` are short Swedish sentences for a history log.
    """

    budget: Budget
    findings: list[Finding]
    from_year: int
    to_year: int
    cost_map: list[int | None] = field(default_factory=list)
    income_map: list[int | None] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    forecast_equity: Decimal | None = None


def next_years(years: Years) -> Years:
    """The year list one year on: same plan length, at least one comparison year."""
    budget = years.budget + 1
    n_comparison = max(1, len(years.comparison))
    return Years(
        comparison=list(range(budget - n_comparison, budget)),
        budget=budget,
        plan=list(range(budget + 1, budget + 1 + len(years.plan))),
    )


def check_target(budget: Budget, today: date, target_year: int | None = None) -> int:
    """The year the rollover makes a budget for; raises NextYearError when it must not be made."""
    year = budget.years.budget
    if target_year is not None and year != target_year - 1:
        already = year >= target_year
        raise NextYearError(
            f"Budgeten gäller {year}; budgeten för {target_year} ska göras från budgetåret "
            f"{target_year - 1}. "
            + (
                "Den här arbetsboken verkar redan vara framrullad."
                if already
                else "Rulla fram ett år i taget."
            )
        )
    if year > today.year:
        raise NextYearError(
            f"Budgeten gäller redan {year}, som är senare än innevarande år {today.year}: "
            "arbetsboken verkar redan vara framrullad. Nästa års budget görs från årets "
            f"arbetsbok (budgetår {today.year})."
        )
    return year + 1


def uplift(amount: Decimal, pct: Decimal | None, unit: Unit = Unit.KR) -> Decimal:
    """``amount`` raised by ``pct`` %, rounded half-up to whole kronor (thousands for tkr).

    Without an uplift (None or 0) the amount is returned unchanged, öre and all.
    """
    if not pct:
        return amount
    q = unit_kronor(unit is Unit.TKR)
    raised = amount * (100 + pct) / 100 / q
    return raised.quantize(Decimal(1), rounding=ROUND_HALF_UP) * q


def _kind_computable(budget: Budget, kind: MemberKind) -> bool:
    """True when the keys can split ``kind``'s share between all its members."""
    members = [m for m in budget.members if m.kind is kind]
    if not members:
        return False
    weights = [member_weight(m, budget.keys.for_kind(kind)) for m in members]
    if any(w is None or w < 0 for w in weights):
        return False
    return sum((w for w in weights if w is not None), ZERO) > 0


@dataclass
class _Step:
    """What every step of ``roll_forward`` shares: the old budget, the new years, the log."""

    budget: Budget
    new_year: int
    years: Years
    findings: list[Finding] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def keep(self) -> set[int]:
        """The years of the new budget."""
        return set(self.years.all)

    @property
    def added(self) -> list[int]:
        """The new plan years, which the old budget has no figures for."""
        return [y for y in self.years.all if y not in self.budget.years.all]

    @property
    def source_year(self) -> int:
        """The old budget's last year: new plan years are copied from it."""
        return self.budget.years.all[-1]

    def kept(self, amounts: dict[int, Decimal]) -> dict[int, Decimal]:
        """The amounts of the years that stay, with the new years copied from the last one."""
        out = {y: a for y, a in amounts.items() if y in self.keep}
        if self.source_year in amounts:
            for year in self.added:
                out[year] = amounts[self.source_year]
        return out


@dataclass
class _Costs:
    """The rolled cost lines and what happened to the old ones."""

    lines: list[CostLine] = field(default_factory=list)
    index: list[int | None] = field(default_factory=list)
    ended: list[tuple[CostLine, int | None]] = field(default_factory=list)
    not_extended: list[tuple[int, CostLine]] = field(default_factory=list)
    uplifted: set[CostGroup] = field(default_factory=set)


def roll_forward(
    budget: Budget,
    *,
    closing_equity: Decimal | None = None,
    state_allocation: Decimal | None = None,
    today: date,
    target_year: int | None = None,
) -> NextYear:
    """Next year's budget, with the index maps and the findings (see the module docstring)."""
    new_year = check_target(budget, today, target_year)
    step = _Step(budget, new_year, next_years(budget.years))
    step.changes.append(f"Budgetår {budget.years.budget} → {new_year}")
    _warn_old_budget(step, today)
    costs = _roll_costs(step)
    income = [
        inc.model_copy(update={"amounts": step.kept(inc.amounts), "forecast": None})
        for inc in budget.income
    ]
    members = [m.model_copy(update={"amounts": step.kept(m.amounts)}) for m in budget.members]
    contributions = _roll_contributions(step, members, state_allocation)
    old = evaluate(budget).year(budget.years.budget)
    forecast = old.equity_end
    equity = _roll_equity(step, closing_equity, forecast)
    actuals = _roll_actuals(step, old, closing_equity)
    data: dict[str, Any] = budget.model_dump()
    data.update(
        years=step.years.model_dump(),
        adopted=None,
        revised=None,
        members=[m.model_dump() for m in members],
        contributions=[c.model_dump() for c in contributions],
        income=[i.model_dump() for i in income],
        costs=[c.model_dump() for c in costs.lines],
        equity=equity.model_dump(),
        published=Published().model_dump(),
        actuals=[a.model_dump() for a in actuals],
    )
    new_budget = Budget.model_validate(data)
    _report_lines(step, costs)
    _report_published(step)
    return NextYear(
        budget=new_budget,
        findings=step.findings,
        from_year=budget.years.budget,
        to_year=new_year,
        cost_map=costs.index,
        income_map=list(range(len(income))),
        changes=step.changes,
        forecast_equity=forecast,
    )


def _warn_old_budget(step: _Step, today: date) -> None:
    """A budget year before this calendar year is probably the wrong workbook."""
    old = step.budget.years.budget
    if old < today.year:
        step.findings.append(
            Finding(
                rule="rollover.old-budget",
                severity=Severity.WARNING,
                message=(
                    f"Budgeten som rullades fram gäller {old}, men innevarande år "
                    f"är {today.year}. Kontrollera att det var rätt arbetsbok."
                ),
                ref=Ref(element=Element.YEARS, field="budget"),
            )
        )


def _roll_costs(step: _Step) -> _Costs:
    """Cost lines: ended insatser drop out, new plan years are copied with the uplift."""
    out = _Costs()
    unit = step.budget.forbund.unit
    for line in step.budget.costs:
        amounts = {y: a for y, a in line.amounts.items() if y in step.keep}
        insats = line.insats
        if insats is not None and insats.end is not None and insats.end.year < step.new_year:
            amounts = {y: a for y, a in amounts.items() if y < step.new_year}
            if any(amounts.values()):
                out.index.append(len(out.lines))
                out.lines.append(line.model_copy(update={"amounts": amounts, "forecast": None}))
                out.ended.append((line, len(out.lines) - 1))
            else:
                out.index.append(None)
                out.ended.append((line, None))
            continue
        for year in step.added:
            if step.source_year not in line.amounts:
                continue
            if insats is not None and not insats.covers(year):
                out.not_extended.append((len(out.lines), line))
                continue
            pct = step.budget.settings.uplift_pct.get(line.group)
            if pct:
                out.uplifted.add(line.group)
            amounts[year] = uplift(line.amounts[step.source_year], pct, unit)
        out.index.append(len(out.lines))
        out.lines.append(line.model_copy(update={"amounts": amounts, "forecast": None}))
    return out


def _roll_contributions(
    step: _Step, members: list[Member], state_allocation: Decimal | None
) -> list[Contribution]:
    """The contributions of the kept years, the new year's from the state allocation or plan."""
    new_year = step.new_year
    contributions = [c for c in step.budget.contributions if c.year in step.keep]
    source_entry = step.budget.contribution(step.source_year)
    for year in step.added:
        if source_entry is not None and not any(c.year == year for c in contributions):
            contributions.append(source_entry.model_copy(update={"year": year}))
    planned = next((c for c in contributions if c.year == new_year), None)
    if state_allocation is not None:
        entry = Contribution(year=new_year, mode=EntryMode.STAT, amount=state_allocation)
        contributions = [entry if c.year == new_year else c for c in contributions]
        if planned is None:
            contributions.append(entry)
        before = _describe_entry(planned) if planned else "ingen"
        step.findings.append(
            Finding(
                rule="rollover.contribution-state",
                severity=Severity.INFO,
                message=(
                    f"Medelstilldelningen för {new_year} är statens tilldelning "
                    f"{kr(state_allocation)} (totalt {kr(state_allocation * 2)}); "
                    f"i planen stod {before}."
                ),
                ref=Ref(element=Element.CONTRIBUTION, year=new_year, field="amount"),
            )
        )
        step.changes.append(f"statlig tilldelning {new_year}: {kr(state_allocation)}")
        step.findings.extend(_refit_fixed_amounts(step.budget, members, new_year, step.changes))
    elif planned is not None:
        step.findings.append(
            Finding(
                rule="rollover.contribution-plan",
                severity=Severity.INFO,
                message=(
                    f"Medelstilldelningen för {new_year} är planens: {_describe_entry(planned)}. "
                    "Ange statens tilldelning när den är känd (--statlig-tilldelning)."
                ),
                ref=Ref(element=Element.CONTRIBUTION, year=new_year, field="amount"),
            )
        )
    contributions.sort(key=lambda c: c.year)
    return contributions


def _roll_equity(step: _Step, closing_equity: Decimal | None, forecast: Decimal | None) -> Equity:
    """Opening equity of the new year: the books' closing equity, else the budget's forecast."""
    new_year, old_year = step.new_year, step.budget.years.budget
    equity = step.budget.equity
    if closing_equity is not None:
        if forecast is None:
            message = (
                f"Eget kapital vid ingången av {new_year} är bokslutets {kr(closing_equity)}; "
                "budgeten hade ingen prognos att jämföra med."
            )
        else:
            diff = closing_equity - forecast
            message = (
                f"Eget kapital vid ingången av {new_year} är bokslutets {kr(closing_equity)}; "
                f"budgeten räknade med {kr(forecast)} (skillnad {_signed(diff)})."
            )
        step.findings.append(
            Finding(
                rule="rollover.equity-actual",
                severity=Severity.WARNING
                if forecast is not None and closing_equity != forecast
                else Severity.INFO,
                message=message,
                ref=Ref(element=Element.EQUITY, field="opening"),
            )
        )
        step.changes.append(f"eget kapital {new_year}: {kr(closing_equity)} (bokslut)")
        return equity.model_copy(update={"opening": closing_equity, "opening_year": new_year})
    if forecast is not None:
        step.findings.append(
            Finding(
                rule="rollover.equity-forecast",
                severity=Severity.INFO,
                message=(
                    f"Eget kapital vid ingången av {new_year} är prognosen {kr(forecast)} "
                    f"(eget kapital vid utgången av {old_year} enligt budgeten). "
                    "Byt mot bokslutets belopp när det finns (--eget-kapital eller --bokslut)."
                ),
                ref=Ref(element=Element.EQUITY, field="opening"),
            )
        )
        step.changes.append(f"eget kapital {new_year}: {kr(forecast)} (prognos)")
        return equity.model_copy(update={"opening": forecast, "opening_year": new_year})
    if step.budget.opening_year in step.keep:
        return equity  # the opening balance lies after the old budget year: still valid
    raise NextYearError(
        f"Eget kapital vid utgången av {old_year} kan inte beräknas; ange det (--eget-kapital)."
    )


def _roll_actuals(step: _Step, old: YearPlan, closing_equity: Decimal | None) -> list[Actual]:
    """The closing budget year joins the equity history (the Utfall table).

    With the books' closing equity it is an actual year (Utfall): equity 31/12
    from the books, result = that equity minus the year's opening equity. Without
    it, the budget's own figures stand as a forecast (Prognos), printed with ``*``.
    Contributions and costs are the budget's (net costs, as the history prints
    them). A row already there for that year is replaced; rows at or after the
    new budget year are dropped (they cannot be history).
    """
    year = step.budget.years.budget
    actual = closing_equity is not None
    result = old.result
    if actual and old.equity_start is not None:
        assert closing_equity is not None
        result = closing_equity - old.equity_start
    row = Actual(
        year=year,
        contributions=old.contributions,
        costs=old.costs_net,
        result=result,
        equity_end=closing_equity if actual else old.equity_end,
        status=ActualStatus.UTFALL if actual else ActualStatus.PROGNOS,
    )
    kept = [a for a in step.budget.actuals if a.year < year]
    step.changes.append(f"Utfall: {year} tillagt som {row.status}")
    return sorted([*kept, row], key=lambda a: a.year)


def _report_lines(step: _Step, costs: _Costs) -> None:
    """Findings and history about ended insatser, insatser not extended and new plan years."""
    new_year, added = step.new_year, step.added
    for line, index in costs.ended:
        assert line.insats is not None and line.insats.end is not None
        comparison = [y for y in step.years.comparison if line.amounts.get(y)]
        if index is not None:
            rest = f"beloppen för {', '.join(map(str, comparison))} finns kvar som jämförelse."
        else:
            rest = "raden togs bort (den har inga belopp för jämförelseåren)."
        step.findings.append(
            Finding(
                rule="rollover.insats-ended",
                severity=Severity.INFO,
                message=(
                    f"Insatsen '{line.name}' slutade {line.insats.end} och har tagits bort från "
                    f"{new_year} och framåt; {rest}"
                ),
                ref=Ref(element=Element.COST, index=index) if index is not None else None,
            )
        )
    if costs.ended:
        names = ", ".join(line.name for line, _ in costs.ended)
        step.changes.append("avslutade insatser borttagna: " + names)
    for index, line in costs.not_extended:
        assert line.insats is not None
        step.findings.append(
            Finding(
                rule="rollover.insats-not-extended",
                severity=Severity.INFO,
                message=(
                    f"Insatsen '{line.name}' fick inget belopp för det nya planåret "
                    f"{', '.join(map(str, added))}: projektperioden slutar {line.insats.end}. "
                    "Fortsättning kräver ett nytt beslut."
                ),
                ref=Ref(element=Element.COST, index=index, year=added[-1] if added else None),
            )
        )
    if not added:
        return
    rates = ", ".join(
        f"{GROUP_SV[g]} {fmt_pct(step.budget.settings.uplift_pct[g])}"
        for g in CostGroup
        if g in costs.uplifted
    )
    how = f" med uppräkning: {rates}" if rates else " utan uppräkning"
    years = ", ".join(map(str, added))
    step.findings.append(
        Finding(
            rule="rollover.new-plan-year",
            severity=Severity.INFO,
            message=(
                f"Planåret {years} är nytt: beloppen är kopierade från "
                f"{step.source_year}{how}. Gå igenom dem."
            ),
            ref=Ref(element=Element.YEARS, field="plan"),
        )
    )
    step.changes.append(f"nytt planår {years} kopierat från {step.source_year}{how}")


def _report_published(step: _Step) -> None:
    """The adoption date and the published totals belonged to last year's document."""
    if step.budget.adopted is not None:
        step.changes.append(f"beslutsdatum {step.budget.adopted} rensat")
    if step.budget.revised is not None:
        step.changes.append(f"revideringsdatum {step.budget.revised} rensat")
    if not step.budget.published.is_empty():
        step.findings.append(
            Finding(
                rule="rollover.published-dropped",
                severity=Severity.INFO,
                message=(
                    "De publicerade summorna hörde till förra årets dokument och har tagits bort."
                ),
                ref=Ref(element=Element.PUBLISHED),
            )
        )
        step.changes.append("publicerade summor borttagna")


def _describe_entry(entry: Contribution) -> str:
    if entry.amount is None:
        what = "summan av medlemmarnas fasta belopp"
    elif entry.mode is EntryMode.STAT:
        what = f"statens belopp {kr(entry.amount)}"
    else:
        what = f"total ram {kr(entry.amount)}"
    return what + ("" if entry.decided else " (äskat, inte beslutat)")


def _signed(amount: Decimal) -> str:
    return ("+" if amount > 0 else "") + kr(amount)


def _refit_fixed_amounts(
    budget: Budget, members: list[Member], year: int, changes: list[str]
) -> list[Finding]:
    """With a new state allocation, drop the new budget year's fixed amounts the keys can redo.

    Mutates ``members`` (their amounts dicts are the rollover's own copies).
    """
    dropped: list[MemberKind] = []
    kept: list[tuple[MemberKind, Decimal]] = []
    for kind in KIND_ORDER:
        fixed = [m for m in members if m.kind is kind and year in m.amounts]
        if not fixed:
            continue
        if _kind_computable(budget, kind):
            for member in fixed:
                del member.amounts[year]
            dropped.append(kind)
        else:
            kept.append((kind, sum((m.amounts[year] for m in fixed), ZERO)))
    findings: list[Finding] = []
    if dropped:
        who = " och ".join(KIND_PLURAL_SV[k] for k in dropped)
        findings.append(
            Finding(
                rule="rollover.fixed-amounts-dropped",
                severity=Severity.INFO,
                message=(
                    f"Fasta belopp för {year} togs bort för {who}: andelarna räknas nu ur den "
                    "nya tilldelningen med fördelningsnyckeln."
                ),
                ref=Ref(element=Element.MEMBER, year=year),
            )
        )
        changes.append(f"fasta belopp {year} borttagna för {who}")
    for kind, total in kept:
        findings.append(
            Finding(
                rule="rollover.fixed-amounts-kept",
                severity=Severity.WARNING,
                message=(
                    f"{KIND_PLURAL_SV[kind].capitalize()}s fasta belopp för {year} (summa "
                    f"{kr(total)}) är planens och kan inte räknas om med fördelningsnyckeln "
                    "(nyckelvärden saknas). Uppdatera dem efter den nya tilldelningen."
                ),
                ref=Ref(element=Element.MEMBER, year=year),
            )
        )
    return findings
