"""Reconciliation (avstämning) of the budget with the books: pure functions.

Postings stream into a ``Ledger``, which keeps only sums per (account, cost
centre, day), so memory does not grow with the number of rows. ``reconcile``
then maps accounts to budget lines and members and computes, up to the end of
a period: actuals per line and month, year to date against the phased budget,
a full-year forecast, members' payments against their instalments, the equity
in the books against the budget's, and what could not be mapped.

Sign rules: postings are debit positive, credit negative (SIE). Costs are
reported as debit amounts, income and member payments as credit amounts
turned positive. Account mapping: explicit rules in ``Settings.mappings``
first (a rule with an object beats one without; a narrower account range beats
a wider one); then lines carrying an account map every account that starts
with it, on the line's cost centre if it has one (a longer account prefix and
a cost centre win). Only result accounts (classes 3-8) can be unmapped.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from finsam_xl.core.allocation import largest_remainder
from finsam_xl.model.budget import Budget, CostLine, IncomeLine, MappingRule, MappingTarget
from finsam_xl.model.findings import Finding, Ref, Severity
from finsam_xl.model.labels import MONTHS_SV
from finsam_xl.model.money import fmt_pct, kr, pct
from finsam_xl.model.recon import (
    EquityRecon,
    Instalment,
    LineRecon,
    MemberRecon,
    Payment,
    Posting,
    ReconResult,
    SectionRecon,
    UnmappedAccount,
)
from finsam_xl.model.results import Result

ZERO = Decimal(0)
INSTALMENTS = {"ar": 1, "halvar": 2, "kvartal": 4, "manad": 12}


class Ledger:
    """Sums of postings per (account, cost centre, day), filled while the books stream."""

    def __init__(self) -> None:
        self.sums: dict[tuple[str, str, date], Decimal] = defaultdict(Decimal)
        self.first_source: dict[tuple[str, str], str] = {}
        self.day_source: dict[tuple[str, str, date], str] = {}
        self.opening: dict[str, Decimal] = defaultdict(Decimal)
        self.rows = 0

    def add(self, posting: Posting) -> None:
        """Add one posting."""
        key = (posting.account, posting.cost_centre)
        day_key = (posting.account, posting.cost_centre, posting.day)
        self.sums[day_key] += posting.amount
        if key not in self.first_source:
            self.first_source[key] = posting.source
        if day_key not in self.day_source:
            self.day_source[day_key] = posting.source
        self.rows += 1

    def add_all(self, postings: Iterable[Posting]) -> Ledger:
        """Add every posting of an iterable; returns self."""
        for posting in postings:
            self.add(posting)
        return self

    def add_sums(
        self,
        sums: Mapping[tuple[str, str, date], Decimal],
        sources: Mapping[tuple[str, str, date], str],
        rows: int,
    ) -> None:
        """Add postings already summed per (account, cost centre, day), e.g. by a reader.

        The same as adding the ``rows`` postings one by one: ``sources`` gives the
        source of each key's first posting, and ``sums`` must list the keys in the
        order of their first postings (so the first source per account and cost
        centre is the earliest one).
        """
        day_sums = self.sums
        if day_sums:
            for day_key, amount in sums.items():
                day_sums[day_key] += amount
        else:  # a new ledger: Decimal() + amount, as add() would give, without the look-ups
            day_sums.update(zip(sums, map(ZERO.__add__, sums.values()), strict=True))
        first_source = self.first_source
        day_source = self.day_source
        for day_key in sums:
            source = sources[day_key]
            if day_key not in day_source:
                day_source[day_key] = source
            key = (day_key[0], day_key[1])
            if key not in first_source:
                first_source[key] = source
        self.rows += rows

    def add_opening_balance(self, account: str, amount: Decimal) -> None:
        """The opening balance (#IB of the year) of a balance account."""
        self.opening[account] += amount


Target = tuple[MappingTarget, object]  # (kind, line index key or member name)


@dataclass
class _Resolver:
    rules: list[MappingRule]
    budget: Budget

    def __post_init__(self) -> None:
        def specificity(rule: MappingRule) -> tuple[int, int]:
            first, last = rule.account_range()
            return (0 if rule.object else 1, last - first)

        self.ordered = sorted(self.rules, key=specificity)
        self.cache: dict[tuple[str, str], Target | None] = {}
        lines: list[tuple[str, int, CostLine | IncomeLine]] = [
            ("cost", i, c) for i, c in enumerate(self.budget.costs)
        ] + [("income", i, c) for i, c in enumerate(self.budget.income)]
        self.lines = lines

    def line_by_name(self, name: str | None, cost_centre: str | None) -> tuple[str, int] | None:
        wanted = (name or "").strip().casefold()
        found = [(e, i) for e, i, line in self.lines if line.name.strip().casefold() == wanted]
        if cost_centre:
            narrowed = [
                (e, i) for e, i in found if self.line(e, i).cost_centre in (None, cost_centre)
            ]
            found = narrowed or found
        return found[0] if found else None

    def line(self, element: str, index: int) -> CostLine | IncomeLine:
        return self.budget.costs[index] if element == "cost" else self.budget.income[index]

    def resolve(self, account: str, cost_centre: str) -> Target | None:
        key = (account, cost_centre)
        if key not in self.cache:
            self.cache[key] = self._resolve(account, cost_centre)
        return self.cache[key]

    def _resolve(self, account: str, cost_centre: str) -> Target | None:
        number = int(account) if account.isdigit() else None
        for rule in self.ordered:
            first, last = rule.account_range()
            if number is None or not first <= number <= last:
                continue
            if rule.object and (rule.dimension not in (None, 1) or rule.object != cost_centre):
                continue
            if rule.target is MappingTarget.LINE:
                named = self.line_by_name(rule.name, rule.object or cost_centre)
                return (MappingTarget.LINE, named) if named else None
            return (rule.target, rule.name)
        best: tuple[int, int, tuple[str, int]] | None = None
        for element, index, candidate in self.lines:
            if not candidate.account or not account.startswith(candidate.account):
                continue
            if candidate.cost_centre and candidate.cost_centre != cost_centre:
                continue
            score = (len(candidate.account), 1 if candidate.cost_centre else 0, (element, index))
            if best is None or score[:2] > best[:2]:
                best = score
        return (MappingTarget.LINE, best[2]) if best else None


def _krona(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def reconcile(
    budget: Budget, result: Result, ledger: Ledger, year: int, months: int
) -> ReconResult:
    """Reconcile ``year`` up to the end of month ``months`` (1-12)."""
    months = max(1, min(12, months))
    period_end = _month_end(year, months)
    resolver = _Resolver(budget.settings.mappings, budget)
    by_line: dict[tuple[str, int], list[Decimal]] = defaultdict(lambda: [ZERO] * 12)
    payments: dict[str, list[Payment]] = defaultdict(list)
    unmapped: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    equity_accounts: set[str] = set()
    for (account, cost_centre, day), amount in sorted(ledger.sums.items()):
        target = resolver.resolve(account, cost_centre)
        if target is not None and target[0] is MappingTarget.EQUITY:
            equity_accounts.add(account)
        if day.year != year or day > period_end or not amount:
            continue
        if target is None:
            if account[:1] in "345678":
                unmapped[(account, cost_centre)] += amount
            continue
        kind, what = target
        if kind is MappingTarget.LINE and isinstance(what, tuple):
            element, _index = what
            sign = 1 if element == "cost" else -1
            by_line[what][day.month - 1] += sign * amount
        elif kind is MappingTarget.MEMBER:
            source = ledger.day_source.get((account, cost_centre, day), "")
            payments[str(what)].append(Payment(day=day, amount=-amount, source=source))
    for account in ledger.opening:
        target = resolver.resolve(account, "")
        if target is not None and target[0] is MappingTarget.EQUITY:
            equity_accounts.add(account)

    findings: list[Finding] = []
    lines = _lines(budget, resolver, by_line, year, months)
    sections = _sections(lines)
    findings += _deviation_findings(budget, sections, year, months)
    members = _members(budget, result, payments, year, period_end)
    findings += _payment_findings(members, period_end)
    equity = _equity(budget, result, ledger, equity_accounts, year)
    mapped = any(m.target is MappingTarget.EQUITY for m in budget.settings.mappings)
    findings += _equity_findings(equity, year, mapped and not ledger.opening)
    missing = [
        UnmappedAccount(
            account=a, cost_centre=c, amount=v, source=ledger.first_source.get((a, c), "")
        )
        for (a, c), v in sorted(unmapped.items())
        if v
    ]
    findings += [
        Finding(
            rule="recon.unmapped",
            severity=Severity.WARNING,
            message=(
                f"Konto {u.account}"
                + (f" (kostnadsställe {u.cost_centre})" if u.cost_centre else "")
                + f" har {kr(u.amount)} bokfört t.o.m. {period_end} men hör inte till någon "
                "budgetrad; lägg till det i tabellen Kontomappning."
            ),
            ref=Ref(element="recon", key=f"account:{u.account}:{u.cost_centre}"),
            location=u.source or None,
        )
        for u in missing
    ]
    return ReconResult(
        year=year,
        period_end=period_end,
        months=months,
        lines=lines,
        sections=sections,
        members=members,
        equity=equity,
        unmapped=missing,
        findings=findings,
    )


def _weights(line: CostLine | IncomeLine) -> list[Decimal]:
    return list(line.phasing) if line.phasing else [Decimal(1)] * 12


def _lines(
    budget: Budget,
    resolver: _Resolver,
    by_line: dict[tuple[str, int], list[Decimal]],
    year: int,
    months: int,
) -> list[LineRecon]:
    out = []
    for element, index, line in resolver.lines:
        actual = by_line.get((element, index), [ZERO] * 12)
        annual = line.amounts.get(year, ZERO)
        weights = _weights(line)
        to_date = _krona(annual * sum(weights[:months], ZERO) / sum(weights, ZERO))
        actual_to_date = sum(actual[:months], ZERO)
        if line.forecast is not None:
            forecast, method = line.forecast, "angiven"
        else:
            forecast, method = _krona(actual_to_date * 12 / months), "linjär"
        out.append(
            LineRecon(
                element=element,
                index=index,
                name=line.name,
                section=line.section,
                cost_centre=line.cost_centre,
                budget_year=annual,
                budget_to_date=to_date,
                actual_by_month=actual,
                actual_to_date=actual_to_date,
                deviation=actual_to_date - to_date,
                deviation_pct=pct(actual_to_date - to_date, to_date),
                forecast=forecast,
                forecast_method=method,
            )
        )
    return out


def _sections(lines: list[LineRecon]) -> list[SectionRecon]:
    """Net cost per heading: costs minus the income netted under the same heading."""
    totals: dict[str, list[Decimal]] = {}
    for line in lines:
        key = line.section or line.cost_centre or line.name
        sign = 1 if line.element == "cost" else -1
        row = totals.setdefault(key, [ZERO] * 4)
        for i, value in enumerate(
            (line.budget_year, line.budget_to_date, line.actual_to_date, line.forecast)
        ):
            row[i] += sign * value
    return [
        SectionRecon(
            section=k,
            budget_year=v[0],
            budget_to_date=v[1],
            actual_to_date=v[2],
            deviation=v[2] - v[1],
            deviation_pct=pct(v[2] - v[1], v[1]),
            forecast=v[3],
        )
        for k, v in totals.items()
    ]


def _deviation_findings(
    budget: Budget, sections: list[SectionRecon], year: int, months: int
) -> list[Finding]:
    limit_pct = Decimal(budget.settings.deviation_pct)
    limit_kr = Decimal(budget.settings.deviation_kr)
    span = f"jan–{MONTHS_SV[months - 1]} {year}"
    out = []
    for s in sections:
        if abs(s.deviation) <= limit_kr:
            continue
        if s.deviation_pct is not None and abs(s.deviation_pct) <= limit_pct:
            continue
        sign = "+" if s.deviation > 0 else ""
        out.append(
            Finding(
                rule="recon.deviation",
                severity=Severity.WARNING,
                message=(
                    f"'{s.section}': utfall {span} {kr(s.actual_to_date)} mot budget "
                    f"{kr(s.budget_to_date)}, avvikelse {sign}{kr(s.deviation)} "
                    f"({sign}{fmt_pct(s.deviation_pct)}); prognos helår {kr(s.forecast)} mot "
                    f"budget {kr(s.budget_year)}."
                ),
                ref=Ref(element="recon", key=f"section:{s.section}"),
            )
        )
    return out


def _instalments(budget: Budget, owed: Decimal, year: int) -> list[tuple[date, Decimal]]:
    count = INSTALMENTS[budget.settings.payment_frequency]
    split = largest_remainder(owed, [Decimal(1)] * count, [f"{i:02d}" for i in range(count)])
    amounts = split[0] if split else [ZERO] * count
    grace = timedelta(days=budget.settings.payment_grace_days)
    step = 12 // count
    return [(date(year, 1 + k * step, 1) + grace, amounts[k]) for k in range(count)]


def _members(
    budget: Budget, result: Result, payments: dict[str, list[Payment]], year: int, period_end: date
) -> list[MemberRecon]:
    allocation = result.allocation_for(year)
    out = []
    for member in budget.members:
        owed = allocation.amount(member.name) if allocation else None
        owed = owed or ZERO
        paid = sorted(payments.get(member.name, []), key=lambda p: p.day)
        instalments = []
        cumulative_owed = ZERO
        for due, amount in _instalments(budget, owed, year):
            cumulative_owed += amount
            paid_on = None
            running = ZERO
            for payment in paid:
                running += payment.amount
                if running >= cumulative_owed:
                    paid_on = payment.day
                    break
            late = (paid_on is not None and paid_on > due) or (
                paid_on is None and due <= period_end
            )
            instalments.append(Instalment(due=due, amount=amount, paid_on=paid_on, late=late))
        out.append(
            MemberRecon(
                name=member.name,
                owed_year=owed,
                owed_to_date=sum((i.amount for i in instalments if i.due <= period_end), ZERO),
                received_to_date=sum((p.amount for p in paid), ZERO),
                payments=paid,
                instalments=instalments,
            )
        )
    return out


def _payment_findings(members: list[MemberRecon], period_end: date) -> list[Finding]:
    out = []
    for i, member in enumerate(members):
        for n, instalment in enumerate(member.instalments, start=1):
            if not instalment.late:
                continue
            if instalment.paid_on is None:
                text = f"är inte betald per {period_end}"
            else:
                text = f"betalades {instalment.paid_on}"
            out.append(
                Finding(
                    rule="recon.payment-late",
                    severity=Severity.WARNING,
                    message=(
                        f"{member.name}: delbetalning {n} av medlemsbidraget "
                        f"({kr(instalment.amount)}) "
                        f"förföll {instalment.due} men {text}."
                    ),
                    ref=Ref(element="recon", key=f"member:{member.name}", index=i),
                )
            )
    return out


def _equity(
    budget: Budget, result: Result, ledger: Ledger, accounts: set[str], year: int
) -> EquityRecon:
    try:
        assumed = result.year(year).equity_start
    except KeyError:
        assumed = None
    if not accounts:
        return EquityRecon(books=None, assumed=assumed, difference=None)
    books = -sum((ledger.opening.get(a, ZERO) for a in accounts), ZERO)
    return EquityRecon(
        books=books,
        assumed=assumed,
        difference=None if assumed is None else books - assumed,
        accounts=sorted(accounts),
    )


def _equity_findings(equity: EquityRecon, year: int, no_balances: bool = False) -> list[Finding]:
    if equity.books is None and no_balances:
        return [
            Finding(
                rule="recon.equity-no-balances",
                severity=Severity.INFO,
                message=(
                    "Bokföringen har inga ingående balanser (#IB), t.ex. en huvudboksexport; "
                    "eget kapital kan inte stämmas av mot den."
                ),
                ref=Ref(element="recon", key="equity"),
            )
        ]
    if equity.books is None:
        return [
            Finding(
                rule="recon.equity-unmapped",
                severity=Severity.INFO,
                message=(
                    "Inga konton är kopplade till eget kapital i tabellen Kontomappning; "
                    "eget kapital i bokföringen kan inte stämmas av."
                ),
                ref=Ref(element="recon", key="equity"),
            )
        ]
    if equity.difference is None or abs(equity.difference) < 1:
        return []
    return [
        Finding(
            rule="recon.equity-diff",
            severity=Severity.WARNING,
            message=(
                f"Eget kapital i bokföringen vid ingången av {year} är {kr(equity.books)}; "
                "budgeten "
                f"förutsätter {kr(equity.assumed or ZERO)} (skillnad {kr(equity.difference)}). "
                "Uppdatera eget kapital i Inställningar eller utred skillnaden."
            ),
            ref=Ref(element="recon", key="equity"),
        )
    ]
