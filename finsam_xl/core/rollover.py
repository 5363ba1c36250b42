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

A rollover is refused (``RolloverError``, Swedish message) when the budget's
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
from finsam_xl.model.budget import (
    Budget,
    Contribution,
    CostGroup,
    CostLine,
    EntryMode,
    IncomeLine,
    Member,
    MemberKind,
    Published,
    Unit,
    Years,
)
from finsam_xl.model.findings import Finding, Ref, Severity
from finsam_xl.model.labels import GROUP_SV, KIND_PLURAL_SV
from finsam_xl.model.money import fmt_pct, kr

ZERO = Decimal(0)


class RolloverError(ValueError):
    """A rollover that must not be made; ``str()`` is a Swedish message for the user."""


@dataclass(frozen=True)
class Rollover:
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
    member_map: list[int] = field(default_factory=list)
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
    """The year the rollover makes a budget for; raises RolloverError when it must not be made."""
    year = budget.years.budget
    if target_year is not None and year != target_year - 1:
        already = year >= target_year
        raise RolloverError(
            f"Budgeten gäller {year}; budgeten för {target_year} ska göras från budgetåret "
            f"{target_year - 1}. "
            + (
                "Den här arbetsboken verkar redan vara framrullad."
                if already
                else "Rulla fram ett år i taget."
            )
        )
    if year > today.year:
        raise RolloverError(
            f"Budgeten gäller redan {year}, som är senare än innevarande år {today.year}: "
            "arbetsboken verkar redan vara framrullad. Nästa års budget görs från årets "
            f"arbetsbok (budgetår {today.year})."
        )
    return year + 1


def _quantum(unit: Unit) -> Decimal:
    return Decimal(1000) if unit is Unit.TKR else Decimal(1)


def uplift(amount: Decimal, pct: Decimal | None, unit: Unit = Unit.KR) -> Decimal:
    """``amount`` raised by ``pct`` %, rounded half-up to whole kronor (thousands for tkr).

    Without an uplift (None or 0) the amount is returned unchanged, öre and all.
    """
    if not pct:
        return amount
    q = _quantum(unit)
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


def roll_forward(
    budget: Budget,
    *,
    closing_equity: Decimal | None = None,
    state_allocation: Decimal | None = None,
    today: date,
    target_year: int | None = None,
) -> Rollover:
    """Next year's budget, with the index maps and the findings (see the module docstring)."""
    new_year = check_target(budget, today, target_year)
    old_years = budget.years
    years = next_years(old_years)
    keep = set(years.all)
    added = [y for y in years.all if y not in old_years.all]
    source_year = old_years.all[-1]
    unit = budget.forbund.unit
    findings: list[Finding] = []
    changes = [f"Budgetår {old_years.budget} → {new_year}"]
    if old_years.budget < today.year:
        findings.append(
            Finding(
                rule="rollover.old-budget",
                severity=Severity.WARNING,
                message=(
                    f"Budgeten som rullades fram gäller {old_years.budget}, men innevarande år "
                    f"är {today.year}. Kontrollera att det var rätt arbetsbok."
                ),
                ref=Ref(element="years", field="budget"),
            )
        )

    # --- cost lines --------------------------------------------------------------------
    costs: list[CostLine] = []
    cost_map: list[int | None] = []
    ended: list[tuple[CostLine, int | None]] = []
    not_extended: list[tuple[int, CostLine]] = []
    uplifted: set[CostGroup] = set()
    for line in budget.costs:
        amounts = {y: a for y, a in line.amounts.items() if y in keep}
        insats = line.insats
        if insats is not None and insats.end is not None and insats.end.year < new_year:
            amounts = {y: a for y, a in amounts.items() if y < new_year}
            if any(amounts.values()):
                cost_map.append(len(costs))
                costs.append(line.model_copy(update={"amounts": amounts, "forecast": None}))
                ended.append((line, len(costs) - 1))
            else:
                cost_map.append(None)
                ended.append((line, None))
            continue
        for year in added:
            if source_year not in line.amounts:
                continue
            if insats is not None and not insats.covers(year):
                not_extended.append((len(costs), line))
                continue
            pct = budget.settings.uplift_pct.get(line.group)
            if pct:
                uplifted.add(line.group)
            amounts[year] = uplift(line.amounts[source_year], pct, unit)
        cost_map.append(len(costs))
        costs.append(line.model_copy(update={"amounts": amounts, "forecast": None}))

    # --- income lines, members ---------------------------------------------------------
    income: list[IncomeLine] = []
    for inc in budget.income:
        amounts = {y: a for y, a in inc.amounts.items() if y in keep}
        for year in added:
            if source_year in inc.amounts:
                amounts[year] = inc.amounts[source_year]
        income.append(inc.model_copy(update={"amounts": amounts, "forecast": None}))
    members: list[Member] = []
    for member in budget.members:
        amounts = {y: a for y, a in member.amounts.items() if y in keep}
        for year in added:
            if source_year in member.amounts:
                amounts[year] = member.amounts[source_year]
        members.append(member.model_copy(update={"amounts": amounts}))

    # --- contributions -----------------------------------------------------------------
    contributions = [c for c in budget.contributions if c.year in keep]
    source_entry = budget.contribution(source_year)
    for year in added:
        if source_entry is not None and not any(c.year == year for c in contributions):
            contributions.append(source_entry.model_copy(update={"year": year}))
    planned = next((c for c in contributions if c.year == new_year), None)
    if state_allocation is not None:
        entry = Contribution(year=new_year, mode=EntryMode.STAT, amount=state_allocation)
        contributions = [entry if c.year == new_year else c for c in contributions]
        if planned is None:
            contributions.append(entry)
        before = _describe_entry(planned) if planned else "ingen"
        findings.append(
            Finding(
                rule="rollover.contribution-state",
                severity=Severity.INFO,
                message=(
                    f"Medelstilldelningen för {new_year} är statens tilldelning "
                    f"{kr(state_allocation)} (totalt {kr(state_allocation * 2)}); "
                    f"i planen stod {before}."
                ),
                ref=Ref(element="contribution", year=new_year, field="amount"),
            )
        )
        changes.append(f"statlig tilldelning {new_year}: {kr(state_allocation)}")
        findings += _refit_fixed_amounts(budget, members, new_year, changes)
    elif planned is not None:
        findings.append(
            Finding(
                rule="rollover.contribution-plan",
                severity=Severity.INFO,
                message=(
                    f"Medelstilldelningen för {new_year} är planens: {_describe_entry(planned)}. "
                    "Ange statens tilldelning när den är känd (--statlig-tilldelning)."
                ),
                ref=Ref(element="contribution", year=new_year, field="amount"),
            )
        )
    contributions.sort(key=lambda c: c.year)

    # --- equity --------------------------------------------------------------------------
    forecast = evaluate(budget).year(old_years.budget).equity_end
    equity = budget.equity
    if closing_equity is not None:
        opening = closing_equity
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
        findings.append(
            Finding(
                rule="rollover.equity-actual",
                severity=Severity.WARNING
                if forecast is not None and closing_equity != forecast
                else Severity.INFO,
                message=message,
                ref=Ref(element="equity", field="opening"),
            )
        )
        changes.append(f"eget kapital {new_year}: {kr(opening)} (bokslut)")
        new_equity = equity.model_copy(update={"opening": opening, "opening_year": new_year})
    elif forecast is not None:
        findings.append(
            Finding(
                rule="rollover.equity-forecast",
                severity=Severity.INFO,
                message=(
                    f"Eget kapital vid ingången av {new_year} är prognosen {kr(forecast)} "
                    f"(eget kapital vid utgången av {old_years.budget} enligt budgeten). "
                    "Byt mot bokslutets belopp när det finns (--eget-kapital eller --bokslut)."
                ),
                ref=Ref(element="equity", field="opening"),
            )
        )
        changes.append(f"eget kapital {new_year}: {kr(forecast)} (prognos)")
        new_equity = equity.model_copy(update={"opening": forecast, "opening_year": new_year})
    elif budget.opening_year in keep:
        new_equity = equity  # the opening balance lies after the old budget year: still valid
    else:
        raise RolloverError(
            f"Eget kapital vid utgången av {old_years.budget} kan inte beräknas; ange det "
            "(--eget-kapital)."
        )

    # --- the new budget --------------------------------------------------------------------
    data: dict[str, Any] = budget.model_dump()
    data.update(
        years=years.model_dump(),
        adopted=None,
        members=[m.model_dump() for m in members],
        contributions=[c.model_dump() for c in contributions],
        income=[i.model_dump() for i in income],
        costs=[c.model_dump() for c in costs],
        equity=new_equity.model_dump(),
        published=Published().model_dump(),
    )
    new_budget = Budget.model_validate(data)

    # --- findings and history about lines ------------------------------------------------
    for line, index in ended:
        assert line.insats is not None and line.insats.end is not None
        comparison = [y for y in years.comparison if line.amounts.get(y)]
        if index is not None:
            rest = f"beloppen för {', '.join(map(str, comparison))} finns kvar som jämförelse."
        else:
            rest = "raden togs bort (den har inga belopp för jämförelseåren)."
        findings.append(
            Finding(
                rule="rollover.insats-ended",
                severity=Severity.INFO,
                message=(
                    f"Insatsen '{line.name}' slutade {line.insats.end} och har tagits bort från "
                    f"{new_year} och framåt; {rest}"
                ),
                ref=Ref(element="cost", index=index) if index is not None else None,
            )
        )
    if ended:
        changes.append("avslutade insatser borttagna: " + ", ".join(line.name for line, _ in ended))
    for index, line in not_extended:
        assert line.insats is not None
        findings.append(
            Finding(
                rule="rollover.insats-not-extended",
                severity=Severity.INFO,
                message=(
                    f"Insatsen '{line.name}' fick inget belopp för det nya planåret "
                    f"{', '.join(map(str, added))}: projektperioden slutar {line.insats.end}. "
                    "Fortsättning kräver ett nytt beslut."
                ),
                ref=Ref(element="cost", index=index, year=added[-1] if added else None),
            )
        )
    if added:
        rates = ", ".join(
            f"{GROUP_SV[g]} {fmt_pct(budget.settings.uplift_pct[g])}"
            for g in CostGroup
            if g in uplifted
        )
        how = f" med uppräkning: {rates}" if rates else " utan uppräkning"
        findings.append(
            Finding(
                rule="rollover.new-plan-year",
                severity=Severity.INFO,
                message=(
                    f"Planåret {', '.join(map(str, added))} är nytt: beloppen är kopierade från "
                    f"{source_year}{how}. Gå igenom dem."
                ),
                ref=Ref(element="years", field="plan"),
            )
        )
        changes.append(f"nytt planår {', '.join(map(str, added))} kopierat från {source_year}{how}")
    if budget.adopted is not None:
        changes.append(f"beslutsdatum {budget.adopted} rensat")
    if not budget.published.is_empty():
        findings.append(
            Finding(
                rule="rollover.published-dropped",
                severity=Severity.INFO,
                message=(
                    "De publicerade summorna hörde till förra årets dokument och har tagits bort."
                ),
                ref=Ref(element="published"),
            )
        )
        changes.append("publicerade summor borttagna")
    return Rollover(
        budget=new_budget,
        findings=findings,
        from_year=old_years.budget,
        to_year=new_year,
        cost_map=cost_map,
        income_map=list(range(len(income))),
        member_map=list(range(len(members))),
        changes=changes,
        forecast_equity=forecast,
    )


def rollover(
    budget: Budget,
    *,
    closing_equity: Decimal | None = None,
    state_allocation: Decimal | None = None,
    today: date,
    target_year: int | None = None,
) -> tuple[Budget, list[Finding]]:
    """Next year's budget and the findings about what changed; see ``roll_forward``."""
    done = roll_forward(
        budget,
        closing_equity=closing_equity,
        state_allocation=state_allocation,
        today=today,
        target_year=target_year,
    )
    return done.budget, done.findings


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
    for kind in (MemberKind.STAT, MemberKind.REGION, MemberKind.KOMMUN):
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
                ref=Ref(element="member", year=year),
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
                ref=Ref(element="member", year=year),
            )
        )
    return findings
