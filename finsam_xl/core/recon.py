"""Reconciliation (avstämning) of the budget with the books: pure functions.

Postings stream into a ``Ledger``, which keeps only sums per (account, cost
centre, day), so memory does not grow with the number of rows. ``reconcile``
then maps accounts to budget lines and members and computes, up to the end of
a period: actuals per line and month, year to date against the phased budget
(``core.phasing``), a full-year forecast and the forecast equity at year end
(``core.forecast``), members' invoices and payments against what they owe
(``core.receivables``), the equity in the books against the budget's, and what
could not be mapped. The ledger also keeps, whole, the few vouchers with a row
on a member's or a receivable account (``Ledger.vouchers``), and last year's
monthly sums (``#PSALDO`` of year -1) when the books carry them.

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
from datetime import date
from decimal import Decimal

from finsam_xl.core.forecast import forecast_year
from finsam_xl.core.members import instalment_schedule
from finsam_xl.core.phasing import forecast as line_forecast
from finsam_xl.core.phasing import to_date, weights_for
from finsam_xl.core.receivables import MemberBooks, member_books
from finsam_xl.model.budget import Budget, CostLine, IncomeLine, MappingRule, MappingTarget
from finsam_xl.model.findings import Element, Finding, Ref, Severity
from finsam_xl.model.labels import FREQUENCY_LABELS, MONTHS_SV
from finsam_xl.model.money import ZERO, fmt_pct, kr, pct
from finsam_xl.model.recon import (
    BookedRow,
    BookedVoucher,
    BooksKind,
    EquityRecon,
    ForecastMethod,
    ForecastRecon,
    Instalment,
    Invoice,
    LineRecon,
    MemberRecon,
    Payment,
    PaymentMethod,
    Posting,
    ReconResult,
    SectionRecon,
    UnmappedAccount,
)
from finsam_xl.model.results import Result
from finsam_xl.model.text import list_words


class Ledger:
    """Sums of postings per (account, cost centre, day), filled while the books stream."""

    def __init__(self) -> None:
        self.sums: dict[tuple[str, str, date], Decimal] = defaultdict(Decimal)
        self.first_source: dict[tuple[str, str], str] = {}
        self.day_source: dict[tuple[str, str, date], str] = {}
        self.opening: dict[str, Decimal] = defaultdict(Decimal)
        self.rows = 0
        #: whole vouchers with a member's or receivable row, when the reader kept them
        self.vouchers: list[BookedVoucher] = []
        self.captured = False  # True when the reader was asked to keep those vouchers
        #: monthly sums from the books' period balances (#PSALDO): (year, month, account, cc)
        self.periods: dict[tuple[int, int, str, str], Decimal] = defaultdict(Decimal)
        #: closing balances of the year (#UB 0) per account, when the books carry them
        self.closing: dict[str, Decimal] = {}

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

    def add_voucher(self, voucher: BookedVoucher) -> None:
        """Keep a whole voucher (one with a row on a member's or a receivable account)."""
        self.vouchers.append(voucher)

    def add_period_balance(
        self, year: int, month: int, account: str, cost_centre: str, amount: Decimal
    ) -> None:
        """A month's change of an account (#PSALDO), e.g. of last year."""
        self.periods[(year, month, account, cost_centre)] += amount


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
        lines: list[tuple[Element, int, CostLine | IncomeLine]] = [
            (Element.COST, i, c) for i, c in enumerate(self.budget.costs)
        ] + [(Element.INCOME, i, c) for i, c in enumerate(self.budget.income)]
        self.lines = lines

    def line_by_name(self, name: str | None, cost_centre: str | None) -> LineKey | None:
        wanted = (name or "").strip().casefold()
        found = [(e, i) for e, i, line in self.lines if line.name.strip().casefold() == wanted]
        if cost_centre:
            narrowed = [
                (e, i) for e, i in found if self.line(e, i).cost_centre in (None, cost_centre)
            ]
            found = narrowed or found
        return found[0] if found else None

    def line(self, element: Element, index: int) -> CostLine | IncomeLine:
        return self.budget.costs[index] if element is Element.COST else self.budget.income[index]

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
            if rule.target is MappingTarget.MEMBER:  # the member as the budget spells it
                wanted = " ".join((rule.name or "").split()).casefold()
                name = next(
                    (
                        m.name
                        for m in self.budget.members
                        if " ".join(m.name.split()).casefold() == wanted
                    ),
                    rule.name,
                )
                return (rule.target, name)
            return (rule.target, rule.name)
        best: tuple[int, int, LineKey] | None = None
        for element, index, candidate in self.lines:
            if not candidate.account or not account.startswith(candidate.account):
                continue
            if candidate.cost_centre and candidate.cost_centre != cost_centre:
                continue
            score = (len(candidate.account), 1 if candidate.cost_centre else 0, (element, index))
            if best is None or score[:2] > best[:2]:
                best = score
        return (MappingTarget.LINE, best[2]) if best else None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


LineKey = tuple[Element, int]


def reconcile(
    budget: Budget, result: Result, ledger: Ledger, year: int, months: int
) -> ReconResult:
    """Reconcile ``year`` up to the end of month ``months`` (1-12)."""
    months = max(1, min(12, months))
    period_end = _month_end(year, months)
    resolver = _Resolver(budget.settings.mappings, budget)
    sums = _year_sums(ledger, resolver, year, period_end)
    findings: list[Finding] = _year_findings(budget, year)
    lines = _lines(budget, resolver, sums.by_line, sums.last_year, year, months)
    sections = _sections(lines)
    findings += _deviation_findings(budget, sections, year, months)
    books = _member_books(budget, ledger, resolver, sums.balances, year, period_end)
    payments = sums.payments if books is None else defaultdict(list, books.payments)
    members = _members(budget, result, payments, books, year, period_end)
    findings += _payment_findings(budget, members, period_end)
    if books is not None and books.receivable is not None:
        findings += _receivable_findings(books, period_end)
    equity = _equity(budget, result, ledger, sums.equity_accounts, year)
    mapped = any(m.target is MappingTarget.EQUITY for m in budget.settings.mappings)
    findings += _equity_findings(equity, year, mapped and not ledger.opening)
    missing = _unmapped(sums.unmapped, ledger)
    findings += [_unmapped_finding(u, period_end) for u in missing]
    forecast, forecast_findings = forecast_year(
        budget, result, lines, sum((u.amount for u in missing), ZERO), equity.books, year, months
    )
    if forecast is not None and months == 12 and ledger.closing:
        forecast = _with_closing_equity(forecast, ledger.closing, resolver)
    findings += forecast_findings
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
        books_kind=books.kind if books is not None else BooksKind.KONTANTMASSIG,
        receivable=books.receivable if books is not None else None,
        forecast=forecast,
    )


@dataclass
class _YearSums:
    """The ledger summed for ``reconcile``: per line and month (this year and last), members'
    payments, unmapped result accounts and every account's balance, the year to date."""

    by_line: dict[LineKey, list[Decimal]]
    last_year: dict[LineKey, list[Decimal]]
    payments: dict[str, list[Payment]]
    unmapped: dict[tuple[str, str], Decimal]
    balances: dict[str, Decimal]
    equity_accounts: set[str]


def _year_sums(ledger: Ledger, resolver: _Resolver, year: int, period_end: date) -> _YearSums:
    """Sum the ledger's postings of ``year`` up to ``period_end``, and of last year by line.

    Members' payments are summed here only when the reader did not keep their
    vouchers whole (``Ledger.captured``); last year's period balances (#PSALDO)
    are used when the books carry no transactions of last year.
    """
    sums = _YearSums(
        by_line=defaultdict(lambda: [ZERO] * 12),
        last_year=defaultdict(lambda: [ZERO] * 12),
        payments=defaultdict(list),
        unmapped=defaultdict(Decimal),
        balances=defaultdict(Decimal),
        equity_accounts=set(),
    )
    for (account, cost_centre, day), amount in sorted(ledger.sums.items()):
        target = resolver.resolve(account, cost_centre)
        if target is not None and target[0] is MappingTarget.EQUITY:
            sums.equity_accounts.add(account)
        if not amount:
            continue
        if day.year == year - 1:
            if target is not None and target[0] is MappingTarget.LINE:
                _add_month(sums.last_year, target, day.month, amount)
        elif day.year == year and day <= period_end:
            _add_posting(sums, ledger, (account, cost_centre, day), amount, target)
    if not sums.last_year:  # no transactions of last year: its period balances, if any
        _add_periods(sums.last_year, ledger, resolver, year - 1)
    for account in ledger.opening:
        target = resolver.resolve(account, "")
        if target is not None and target[0] is MappingTarget.EQUITY:
            sums.equity_accounts.add(account)
    return sums


def _add_periods(
    into: dict[LineKey, list[Decimal]], ledger: Ledger, resolver: _Resolver, year: int
) -> None:
    """Add the period balances (#PSALDO) of ``year`` to the lines' months."""
    for (y, month, account, cost_centre), amount in ledger.periods.items():
        target = resolver.resolve(account, cost_centre)
        if y == year and amount and target is not None:
            if target[0] is MappingTarget.LINE:
                _add_month(into, target, month, amount)


def _add_posting(
    sums: _YearSums,
    ledger: Ledger,
    key: tuple[str, str, date],
    amount: Decimal,
    target: Target | None,
) -> None:
    """Add one sum of this year (account, cost centre, day) to its line, member or unmapped."""
    account, cost_centre, day = key
    sums.balances[account] += amount
    if target is None:
        if account[:1] in "345678":
            sums.unmapped[(account, cost_centre)] += amount
        return
    kind, what = target
    if kind is MappingTarget.LINE:
        _add_month(sums.by_line, target, day.month, amount)
    elif kind is MappingTarget.MEMBER and not ledger.captured:
        source = ledger.day_source.get(key, "")
        sums.payments[str(what)].append(Payment(day=day, amount=-amount, source=source))


def _member_books(
    budget: Budget,
    ledger: Ledger,
    resolver: _Resolver,
    balances: dict[str, Decimal],
    year: int,
    period_end: date,
) -> MemberBooks | None:
    """The members' invoices and payments from the vouchers the reader kept whole, if it did."""
    if not ledger.captured:
        return None

    def member_of(row: BookedRow) -> str | None:
        found = resolver.resolve(row.account, row.object("1") or "")
        return str(found[1]) if found and found[0] is MappingTarget.MEMBER else None

    return member_books(
        budget, ledger.vouchers, member_of, dict(ledger.opening), balances, year, period_end
    )


def _unmapped(unmapped: dict[tuple[str, str], Decimal], ledger: Ledger) -> list[UnmappedAccount]:
    """The result accounts booked (a non-zero sum) but mapped to no budget line."""
    return [
        UnmappedAccount(
            account=a, cost_centre=c, amount=v, source=ledger.first_source.get((a, c), "")
        )
        for (a, c), v in sorted(unmapped.items())
        if v
    ]


def _unmapped_finding(u: UnmappedAccount, period_end: date) -> Finding:
    """recon.unmapped: an account booked but mapped to no budget line."""
    return Finding(
        rule="recon.unmapped",
        severity=Severity.WARNING,
        message=(
            f"Konto {u.account}"
            + (f" (kostnadsställe {u.cost_centre})" if u.cost_centre else "")
            + f" har {kr(u.amount)} bokfört t.o.m. {period_end} men hör inte till någon "
            "budgetrad; lägg till det i tabellen Kontomappning."
        ),
        ref=Ref(element=Element.RECON, key=f"account:{u.account}:{u.cost_centre}"),
        location=u.source or None,
    )


def _with_closing_equity(
    forecast: ForecastRecon, closing: dict[str, Decimal], resolver: _Resolver
) -> ForecastRecon:
    """The year's forecast with the equity at year end by the closing balances (#UB), if any."""
    equity = _closing_equity(closing, resolver)
    if equity is None:
        return forecast
    return forecast.model_copy(
        update={
            "equity_end_books": equity,
            "summary": f"{forecast.summary} Enligt bokföringen (#UB): {kr(equity)}.",
        }
    )


def _year_findings(budget: Budget, year: int) -> list[Finding]:
    """What is compared when the books are of another year of the workbook than the budget's."""
    budget_year = budget.years.budget
    if year == budget_year:
        return []
    kind = "ett jämförelseår" if year in budget.years.comparison else "ett planår"
    column = "jämförelseårets" if year in budget.years.comparison else "planens"
    return [
        Finding(
            rule="recon.other-year",
            severity=Severity.INFO,
            message=(
                f"Bokföringen gäller {year}, {kind} i arbetsboken (budgetåret är {budget_year}): "
                f"utfallet {year} jämförs med {column} belopp för {year}, inte med budgeten "
                f"för {budget_year}."
            ),
            ref=Ref(element=Element.RECON, key="year"),
        )
    ]


def _closing_equity(closing: dict[str, Decimal], resolver: _Resolver) -> Decimal | None:
    """Equity at year end from the closing balances (#UB), as ``books.closing`` reads it.

    −Σ #UB of the accounts mapped to Eget kapital; when the balance accounts
    (1000–2999) do not sum to zero, the year's result is not yet booked against
    equity, and their sum (the result) is added.
    """
    accounts = [
        a
        for a in closing
        if (t := resolver.resolve(a, "")) is not None and t[0] is MappingTarget.EQUITY
    ]
    if not accounts:
        return None
    equity = -sum((closing[a] for a in accounts), ZERO)
    balance = sum((v for a, v in closing.items() if a.isdigit() and 1000 <= int(a) <= 2999), ZERO)
    return equity + balance if abs(balance) >= 1 else equity


def _add_month(
    into: dict[LineKey, list[Decimal]], target: Target, month: int, amount: Decimal
) -> None:
    what = target[1]
    if isinstance(what, tuple):
        key = (Element(what[0]), int(what[1]))
        into[key][month - 1] += (1 if key[0] is Element.COST else -1) * amount


def _mapped_lines(budget: Budget, resolver: _Resolver) -> set[LineKey]:
    """Lines the books can reach: with an account, or named by a mapping rule."""
    found = {(e, i) for e, i, line in resolver.lines if line.account}
    for rule in budget.settings.mappings:
        if rule.target is MappingTarget.LINE:
            named = resolver.line_by_name(rule.name, rule.object)
            if named:
                found.add(named)
    return found


def _lines(
    budget: Budget,
    resolver: _Resolver,
    by_line: dict[LineKey, list[Decimal]],
    last_year: dict[LineKey, list[Decimal]],
    year: int,
    months: int,
) -> list[LineRecon]:
    reachable = _mapped_lines(budget, resolver)
    out = []
    for element, index, line in resolver.lines:
        actual = by_line.get((element, index), [ZERO] * 12)
        annual = line.amounts.get(year, ZERO)
        weights, phasing = weights_for(line, last_year.get((element, index)))
        budget_to_date = to_date(annual, weights, months)
        actual_to_date = sum(actual[:months], ZERO)
        if (element, index) in reachable or line.forecast is not None:
            forecast, method = line_forecast(line, annual, actual_to_date, weights, phasing, months)
        else:  # nothing in the books can reach the line: keep its budget
            forecast, method = annual, ForecastMethod.BUDGET_UTAN_KONTO
        out.append(
            LineRecon(
                element=element,
                index=index,
                name=line.name,
                section=line.section,
                cost_centre=line.cost_centre,
                budget_year=annual,
                budget_to_date=budget_to_date,
                actual_by_month=actual,
                actual_to_date=actual_to_date,
                deviation=actual_to_date - budget_to_date,
                deviation_pct=pct(actual_to_date - budget_to_date, budget_to_date),
                forecast=forecast,
                forecast_method=method,
                phasing_method=phasing,
            )
        )
    return out


def _sections(lines: list[LineRecon]) -> list[SectionRecon]:
    """Net cost per heading: costs minus the income netted under the same heading."""
    totals: dict[str, list[Decimal]] = {}
    for line in lines:
        key = line.section or line.cost_centre or line.name
        sign = 1 if line.element is Element.COST else -1
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
                ref=Ref(element=Element.RECON, key=f"section:{s.section}"),
            )
        )
    return out


def _members(
    budget: Budget,
    result: Result,
    payments: dict[str, list[Payment]],
    books: MemberBooks | None,
    year: int,
    period_end: date,
) -> list[MemberRecon]:
    allocation = result.allocation_for(year)
    invoiced_books = books is not None and books.kind in (BooksKind.PERIODISERAD, BooksKind.BLANDAD)
    out = []
    for member in budget.members:
        owed = allocation.amount(member.name) if allocation else None
        owed = owed or ZERO
        paid = sorted(payments.get(member.name, []), key=lambda p: (p.day, p.voucher, p.amount))
        invoices: list[Invoice] = books.invoices.get(member.name, []) if books else []
        cash = [p for p in paid if p.method is PaymentMethod.KONTANT]
        accrual = bool(invoices) or (invoiced_books and not cash)
        received = [p for p in paid if p.method is not PaymentMethod.KREDITERING]
        plan = instalment_schedule(budget, owed, year)
        schedule = [(due, amount) for _, due, amount in plan]
        paid_on = [] if accrual else _pay_instalments(schedule, received, year)
        instalments = []
        for k, (due, amount) in enumerate(schedule):
            day = paid_on[k] if paid_on else None
            late = not accrual and (
                (day is not None and day > due) or (day is None and due <= period_end)
            )
            instalments.append(Instalment(due=due, amount=amount, paid_on=day, late=late))
        out.append(
            MemberRecon(
                name=member.name,
                owed_year=owed,
                owed_to_date=sum((i.amount for i in instalments if i.due <= period_end), ZERO),
                planned_to_date=sum((a for day, _, a in plan if day <= period_end), ZERO),
                received_to_date=sum((p.amount for p in received), ZERO),
                payments=paid,
                instalments=instalments,
                accrual=accrual,
                invoiced_to_date=sum((i.amount for i in invoices), ZERO)
                - sum(
                    (p.amount - p.overpaid for p in paid if p.method is PaymentMethod.KREDITERING),
                    ZERO,
                ),
                open_to_date=sum((i.open for i in invoices), ZERO),
                overdue_to_date=sum((i.open for i in invoices if i.overdue), ZERO),
                invoices=invoices,
                credit_to_date=books.credits.get(member.name, ZERO) if books else ZERO,
            )
        )
    return out


def _pay_instalments(
    schedule: list[tuple[date, Decimal]], received: list[Payment], year: int
) -> list[date | None]:
    """The day each instalment was paid in full (cash basis), or None.

    Payments go to the instalments oldest first, except that an open instalment of
    exactly the payment's amount, the latest one whose period had started by the
    payment's day, goes first (a member pays what it was just asked for; an older
    one left open is the one forgotten).
    """
    count = len(schedule)
    starts = [date(year, 1 + k * (12 // count), 1) for k in range(count)]
    paid = [ZERO] * count
    paid_on: list[date | None] = [None] * count
    for payment in received:
        order = list(range(count))
        exact = [
            k
            for k in order
            if schedule[k][1] - paid[k] == payment.amount and starts[k] <= payment.day
        ]
        if exact:
            order.remove(exact[-1])
            order.insert(0, exact[-1])
        left = payment.amount
        for k in order:
            open_ = schedule[k][1] - paid[k]
            if left <= 0:
                break
            if open_ <= 0:
                continue
            take = min(left, open_)
            paid[k] += take
            left -= take
            if paid[k] >= schedule[k][1]:
                paid_on[k] = payment.day
    return paid_on


def _payment_findings(
    budget: Budget, members: list[MemberRecon], period_end: date
) -> list[Finding]:
    """Each member's late instalments and, in accrual books, its unpaid, late and missing
    invoices."""
    out = []
    for i, member in enumerate(members):
        ref = Ref(element=Element.RECON, key=f"member:{member.name}", index=i)
        out += _instalment_findings(member, ref, period_end)
        if not member.accrual:
            continue
        for invoice in member.invoices:
            if (finding := _invoice_finding(member, invoice, ref, period_end)) is not None:
                out.append(finding)
        if (finding := _not_invoiced_finding(budget, member, ref, period_end)) is not None:
            out.append(finding)
    return out


def _instalment_findings(member: MemberRecon, ref: Ref, period_end: date) -> list[Finding]:
    """recon.payment-late: an instalment of the contribution paid late, or not yet paid."""
    out = []
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
                ref=ref,
            )
        )
    return out


def _invoice_finding(
    member: MemberRecon, invoice: Invoice, ref: Ref, period_end: date
) -> Finding | None:
    """recon.invoice-unpaid for an overdue invoice, recon.payment-late for one paid late."""
    what = f"{member.name}: fakturan {invoice.voucher} den {invoice.day} ({kr(invoice.amount)})"
    if invoice.overdue:
        return Finding(
            rule="recon.invoice-unpaid",
            severity=Severity.WARNING,
            message=(
                f"{what} förföll {invoice.due} och är inte betald per {period_end}"
                + (f"; {kr(invoice.open)} återstår" if invoice.paid else "")
                + "."
            ),
            ref=ref,
            location=invoice.source or None,
        )
    if not invoice.days_late:
        return None
    payment = next((p for p in reversed(member.payments) if invoice.voucher in p.invoices), None)
    return Finding(
        rule="recon.payment-late",
        severity=Severity.WARNING,
        message=(
            f"{what} förföll {invoice.due} men betalades {invoice.paid_on}, "
            f"{invoice.days_late} dagar för sent"
            + (f" (verifikation {payment.voucher})" if payment else "")
            + "."
        ),
        ref=ref,
        location=(payment.source if payment else invoice.source) or None,
    )


def _not_invoiced_finding(
    budget: Budget, member: MemberRecon, ref: Ref, period_end: date
) -> Finding | None:
    """recon.not-invoiced: less invoiced to date than the budget says has fallen due."""
    due_to_date = member.owed_to_date
    if due_to_date - member.invoiced_to_date < 1:
        return None
    return Finding(
        rule="recon.not-invoiced",
        severity=Severity.WARNING,
        message=(
            f"{member.name}: fakturerat t.o.m. {period_end} är "
            f"{kr(member.invoiced_to_date)}, men {kr(due_to_date)} har förfallit "
            f"enligt budgeten (inbetalning per "
            f"{FREQUENCY_LABELS[budget.settings.payment_frequency]}); "
            f"{kr(due_to_date - member.invoiced_to_date)} är inte fakturerat."
        ),
        ref=ref,
    )


def _receivable_findings(books: MemberBooks, period_end: date) -> list[Finding]:
    rec = books.receivable
    assert rec is not None
    accounts = ", ".join(rec.accounts)
    ref = Ref(element=Element.RECON, key="receivable")
    out = []
    for p in rec.unmatched:
        if p.method is PaymentMethod.TVETYDIG:
            out.append(_ambiguous(p, ref))
            continue
        out.append(
            Finding(
                rule="recon.payment-unmatched",
                severity=Severity.WARNING,
                message=(
                    f"Inbetalningen {p.voucher} den {p.day} på {kr(p.amount)} mot kundfordran "
                    f"({accounts}) matchar ingen öppen faktura och ingen ingående fordran."
                ),
                ref=ref,
                location=p.source or None,
            )
        )
    for p, left in books.credit_payments:
        out.append(_credit_finding(p, left, ref))
    for p in rec.payments:
        if p.unknown_references:
            out.append(_unknown_reference(p, ref))
    if abs(rec.difference) >= 1:
        rows = "; ".join(rec.other_rows[:5]) + (" …" if len(rec.other_rows) > 5 else "")
        out.append(
            Finding(
                rule="recon.receivable-diff",
                severity=Severity.WARNING,
                message=(
                    f"Kundfordran ({accounts}) har saldot {kr(rec.balance)} per {period_end} men "
                    f"de öppna posterna är {kr(rec.open_items)} (skillnad {kr(rec.difference)})"
                    + (
                        f"; verifikationer som varken är faktura eller betalning: {rows}"
                        if rows
                        else ""
                    )
                    + "."
                ),
                ref=ref,
            )
        )
    if rec.non_member_count:
        out.append(
            Finding(
                rule="recon.receivable-other-customers",
                severity=Severity.INFO,
                message=(
                    f"{rec.non_member_count} fakturor på kundfordran ({kr(rec.non_member_amount)}) "
                    "gäller andra kunder än medlemmarna och är inte med i medlemmarnas "
                    "inbetalningar."
                ),
                ref=ref,
            )
        )
    if rec.guessed:
        out.append(
            Finding(
                rule="recon.receivable-guessed",
                severity=Severity.INFO,
                message=(
                    f"Medlemmarna faktureras mot konto {accounts}, som inte finns i tabellen "
                    "Kontomappning; det har tagits som kundfordran. Lägg till det med målet "
                    "Kundfordran."
                ),
                ref=ref,
            )
        )
    return out


def _unknown_reference(p: Payment, ref: Ref) -> Finding:
    """A payment quoting a fakturaplan reference that no invoice in the books carries."""
    refs = ", ".join(p.unknown_references)
    how = f"den har matchats på {p.rule}" if p.rule else "den matchar inget annat heller"
    return Finding(
        rule="recon.reference-unknown",
        severity=Severity.WARNING,
        message=(
            f"Inbetalningen {p.voucher} den {p.day} på {kr(p.amount)} anger referensen {refs}, "
            f"men ingen faktura i bokföringen har den referensen; {how}. Kontrollera att "
            "fakturan är bokförd med referensen som fakturaobjekt eller i texten."
        ),
        ref=ref,
        location=p.source or None,
    )


def _ambiguous(p: Payment, ref: Ref) -> Finding:
    """A payment that fits several members and that nothing else tells apart."""
    return Finding(
        rule="recon.payment-ambiguous",
        severity=Severity.WARNING,
        message=(
            f"Inbetalningen {p.voucher} den {p.day} på {kr(p.amount)} kan gälla flera: "
            f"{' eller '.join(p.candidates)}. Texten pekar inte ut en medlem och beloppet "
            "passar flera, så den har inte räknats mot någon faktura. Skriv medlemmens namn "
            "eller fakturanumret på verifikationen."
        ),
        ref=ref,
        location=p.source or None,
    )


def _credit_finding(p: Payment, left: Decimal, ref: Ref) -> Finding:
    """A member paid (or was credited) more than its open invoices: owed back to the member."""
    member = p.member or ""
    if p.method is PaymentMethod.KREDITERING:
        what = (
            f"{member}: kreditfakturan {p.voucher} den {p.day} på {kr(p.amount)} är "
            f"{kr(p.overpaid)} större än medlemmens öppna fakturor"
        )
    else:
        what = (
            f"{member}: inbetalningen {p.voucher} den {p.day} på {kr(p.amount)} är "
            f"{kr(p.overpaid)} mer än medlemmens öppna fakturor"
        )
    return Finding(
        rule="recon.member-credit",
        severity=Severity.WARNING,
        message=(
            f"{what}; {kr(left)} står kvar som skuld till {member} (det har inte räknats mot "
            "någon annan fordran). Betala tillbaka eller dra av på nästa faktura."
        ),
        ref=ref,
        location=p.source or None,
    )


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
                ref=Ref(element=Element.RECON, key="equity"),
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
                ref=Ref(element=Element.RECON, key="equity"),
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
            ref=Ref(element=Element.RECON, key="equity"),
        )
    ]


def headline(recon: ReconResult) -> list[str]:
    """What kind of books these are, and the forecast, in Swedish (for the command line).

    Books with payments matched by the fakturaplan's references also get a line
    counting the payments per rule ("referens (20)").
    """
    rec = recon.receivable
    invoices = sum(len(m.invoices) for m in recon.members)
    kind = {
        BooksKind.PERIODISERAD: (
            "Bokföringen är periodiserad: medlemmarna faktureras mot kundfordran "
            f"{', '.join(rec.accounts) if rec else ''} ({invoices} fakturor t.o.m. "
            f"{recon.period_end})."
        ),
        BooksKind.KONTANTMASSIG: (
            "Bokföringen är kontantmässig: medlemmarnas inbetalningar bokförs direkt mot banken."
        ),
        BooksKind.BLANDAD: (
            "Bokföringen är blandad: en del medlemmar faktureras mot kundfordran, andra "
            "betalar direkt mot banken."
        ),
        BooksKind.OKAND: "Inga medlemsbidrag hittades i bokföringen t.o.m. perioden.",
    }[recon.books_kind]
    lines = [kind]
    rules = [p.rule for p in (rec.payments if rec else []) if p.rule]
    if "referens" in rules:  # books that carry the fakturaplan's references: how each matched
        counts = {r: rules.count(r) for r in dict.fromkeys(rules)}
        lines.append(
            f"Inbetalningar matchade på {list_words([f'{r} ({n})' for r, n in counts.items()])}."
        )
    return [*lines, *([recon.forecast.summary] if recon.forecast else [])]
