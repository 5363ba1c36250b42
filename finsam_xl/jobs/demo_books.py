"""A synthetic year of books for the bundled example (Södra Dalarna 2025), with planted problems.

``finsam-xl demo-bokforing OUT.se`` writes an SIE 4 file (``--help`` for the
options), through ``write_demo_books``; tests import ``make_books`` and
``budget_with_mapping`` (also as ``tools/synthetic_books.py``). About
2,000 vouchers, kept as a municipal ekonomiadministration keeps them (accrual
books): every budget line of 2025 booked month by month in several vouchers,
except the grant to Samverkansteam Säter, paid each quarter in advance;
``#PSALDO`` of 2024 (last year's monthly pattern, with the same quarterly
grant); each member invoiced each quarter (member account credited against
the receivable 1510, due 30 days later) and paying against the bank. The
payments are matched each in its own way: Försäkringskassan's rows carry the
invoice (SIE dimension 10), Region Dalarna's the customer (dimension 8),
Avesta's and Säter's texts name the member, Hedemora's only the amount. Last
year's open invoice (the opening balance of 1510) is paid in January. The
closing balances (``#UB``) are those of the whole year, the result not yet
booked against equity.

Planted problems, exactly these:

* Hedemora kommun pays its second invoice 40 days late (2025-06-10, due 2025-05-01);
* Säters kommun's third invoice (2025-07-01) is never paid;
* a payment of 12 500 kr (2025-03-20) matches no invoice;
* a correction of 3 000 kr (2025-05-15, 1510 against 2890) makes the
  receivable's balance differ from its open items;
* account 6990 (cost centre 20000) is booked but mapped to no budget line;
* cost centre 35000 (Samverkansteam Avesta) spends 15 % more than budgeted;
* the opening equity in the books (#IB 2010) is 680 000 kr, 20 000 kr below
  the budget's 700 000 kr.

``--kontantmassig`` writes cash-basis books instead (each member's account
credited straight against the bank; the same late and missing payments, no
receivable); ``--andra-kunder`` adds invoices on 1510 to a customer that is
not a member (the ESF project), paid in full.

``--fakturaplan plan.se`` (``plan_books``) writes other books instead, for
any budget: the invoices are the fakturaplan's vouchers as ``finsam-xl
fakturor -o plan.se`` wrote them (numbered K 1, K 2, … in the plan's order,
as an accounting system numbers them on import), and each is paid in full,
``PLAN_PAYMENT_DAYS`` after its date, by a payment whose text quotes its
reference ("Inbetalning SD-2025-AVESTA-1") and whose rows carry no object:
every member pays its instalment on the same day, so members of the same
amount can only be told apart by the reference.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from finsam_xl.core import evaluate
from finsam_xl.core.allocation import largest_remainder
from finsam_xl.errors import InputFileError
from finsam_xl.jobs.budget import DEMO_EXAMPLE, EXAMPLES
from finsam_xl.model import Budget, MappingRule, MappingTarget
from finsam_xl.model.budget import CostLine, IncomeLine, PaymentFrequency
from finsam_xl.model.interchange import load
from finsam_xl.model.recon import PaymentMethod
from finsam_xl.sie import (
    Account,
    Balance,
    Dimension,
    ObjectList,
    Period,
    PeriodBalance,
    Record,
    SieObject,
    Transaction,
    Voucher,
    header_records,
    iter_records,
    write_sie,
)
from finsam_xl.xlsx.safety import atomic_write

EXAMPLE = EXAMPLES / f"{DEMO_EXAMPLE}.yaml"
YEAR = 2025
BANK, RECEIVABLE, EQUITY, UNMAPPED, OTHER_DEBT = "1930", "1510", "2010", "6990", "2890"
MEMBER_ACCOUNTS = {  # one revenue account per member, cost centre 50000
    "Försäkringskassan med Arbetsförmedlingen": "3591",
    "Region Dalarna": "3592",
    "Avesta kommun": "3593",
    "Hedemora kommun": "3594",
    "Säters kommun": "3595",
}
#: How each member's payments can be matched: an object on the receivable row, or the text.
MATCH_BY = {
    "Försäkringskassan med Arbetsförmedlingen": PaymentMethod.FAKTURA,
    "Region Dalarna": PaymentMethod.KUND,
    "Avesta kommun": PaymentMethod.NAMN,
    "Hedemora kommun": PaymentMethod.BELOPP,
    "Säters kommun": PaymentMethod.NAMN,
}
CUSTOMER_NUMBERS = {m: str(1001 + i) for i, m in enumerate(MEMBER_ACCOUNTS)}
OVERSPEND_CENTRE, OVERSPEND = "35000", Decimal("1.15")
QUARTERLY_CENTRE = "37000"  # Samverkansteam Säter: its grant is paid each quarter in advance
LATE_MEMBER, LATE_INSTALMENT, LATE_DAY = "Hedemora kommun", 1, date(2025, 6, 10)
UNPAID_MEMBER, UNPAID_INSTALMENT = "Säters kommun", 2
LOOSE_PAYMENT_DAY, LOOSE_PAYMENT = date(2025, 3, 20), Decimal(12500)
CORRECTION_DAY, CORRECTION = date(2025, 5, 15), Decimal(3000)
EQUITY_IN_BOOKS = Decimal(680000)
OPENING_RECEIVABLE = Decimal(394250)  # Region Dalarna's fourth invoice of 2024, paid in January
UNMAPPED_AMOUNT = Decimal(6000)  # per month
INVOICE_DAYS = [date(YEAR, 1, 2), date(YEAR, 4, 1), date(YEAR, 7, 1), date(YEAR, 10, 1)]
PAYMENT_DAYS = [date(YEAR, 1, 24), date(YEAR, 4, 24), date(YEAR, 7, 24), date(YEAR, 10, 24)]
OTHER_CUSTOMER_INVOICES = [(date(YEAR, 3, 31), Decimal(95000)), (date(YEAR, 6, 30), Decimal(95000))]


def mapping_rules() -> list[MappingRule]:
    """The Kontomappning that fits these books: members, receivable, equity."""
    rules = [
        MappingRule(accounts=a, target=MappingTarget.MEMBER, name=m)
        for m, a in MEMBER_ACCOUNTS.items()
    ]
    rules.append(MappingRule(accounts=RECEIVABLE, target=MappingTarget.RECEIVABLE))
    rules.append(MappingRule(accounts="2010-2099", target=MappingTarget.EQUITY))
    return rules


def budget_with_mapping() -> Budget:
    """The Södra Dalarna budget with quarterly payments and the account mapping.

    The example carries both (finsam_xl/examples/sodra-dalarna-2025.yaml, and so the
    shipped workbook); they are added here only if missing.
    """
    budget = load(EXAMPLE)
    have = {(r.accounts, r.target) for r in budget.settings.mappings}
    missing = [r for r in mapping_rules() if (r.accounts, r.target) not in have]
    settings = budget.settings.model_copy(
        update={
            "payment_frequency": PaymentFrequency.KVARTAL,
            "mappings": [*budget.settings.mappings, *missing],
        }
    )
    return budget.model_copy(update={"settings": settings})


def _split(total: Decimal, parts: int, rnd: random.Random) -> list[Decimal]:
    weights = [Decimal(rnd.randint(1, 9)) for _ in range(parts)]
    split = largest_remainder(total, weights, [f"{i:03d}" for i in range(parts)])
    assert split is not None
    return split[0]


def _even(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    split = largest_remainder(total, weights, [f"{m:02d}" for m in range(len(weights))])
    assert split is not None
    return split[0]


QUARTERLY = [Decimal(1), Decimal(0), Decimal(0)] * 4
MONTHS = list(range(1, 13))


def make_books(
    path: Path, seed: int = 2025, accrual: bool = True, other_customers: bool = False
) -> int:
    """Write the SIE file; returns the number of vouchers."""
    rnd = random.Random(seed)
    budget = budget_with_mapping()
    lines: list[CostLine | IncomeLine] = [*budget.costs, *budget.income]
    records = _head_records(budget, lines, accrual)
    book = _DemoVouchers()
    last_year = _book_lines(book, budget, lines, rnd)
    for (account, centre, month), amount in sorted(last_year.items()):
        objects = ((1, centre),) if centre else ()
        records.append(
            PeriodBalance("PSALDO", -1, Period(YEAR - 1, month), account, objects, amount)
        )
    allocation = evaluate(budget).allocation_for(YEAR)
    assert allocation is not None
    for member, account in MEMBER_ACCOUNTS.items():
        owed = allocation.amount(member)
        assert owed is not None
        for q, amount in enumerate(_even(owed, [Decimal(1)] * 4)):
            _book_member_quarter(book, member, account, q, amount, accrual)
    if accrual:
        _book_planted(book)
    if accrual and other_customers:
        _book_other_customers(book)
    for month in MONTHS:
        book.bank(date(YEAR, month, 20), "Konsultarvode", UNMAPPED, "20000", UNMAPPED_AMOUNT)
    vouchers = sorted(book.vouchers, key=lambda v: (v.date, v.series, int(v.number)))
    records += _closing_balances(records, vouchers)
    write_sie([*records, *vouchers], path)
    return len(vouchers)


def _rows(
    debit: str,
    credit: str,
    amount: Decimal,
    debit_objects: ObjectList = (),
    credit_objects: ObjectList = (),
) -> list[Transaction]:
    """The two rows of a voucher: ``amount`` debited to one account, credited to the other."""
    return [
        Transaction("TRANS", debit, debit_objects, amount),
        Transaction("TRANS", credit, credit_objects, -amount),
    ]


class _DemoVouchers:
    """The vouchers of the demo books, numbered as they are booked."""

    def __init__(self) -> None:
        self.vouchers: list[Voucher] = []
        self.series: dict[str, int] = {}

    def bank(self, day: date, text: str, account: str, centre: str, amount: Decimal) -> None:
        """A budget line's voucher against the bank (series A, numbered among all vouchers)."""
        objects = ((1, centre),) if centre else ()
        rows = _rows(account, BANK, amount, objects)
        self.vouchers.append(Voucher("A", str(len(self.vouchers) + 1), day, text, rows=rows))

    def booked(self, kind: str, day: date, text: str, rows: list[Transaction]) -> None:
        """A voucher of series ``kind``, numbered within its series."""
        self.series[kind] = self.series.get(kind, 0) + 1
        self.vouchers.append(Voucher(kind, str(self.series[kind]), day, text, rows=rows))


def _head_records(
    budget: Budget, lines: list[CostLine | IncomeLine], accrual: bool
) -> list[Record]:
    """The header, accounts, dimensions and objects, and the opening balances (#IB)."""
    records: list[Record] = [
        *header_records(
            company_name="Södra Dalarnas Samordningsförbund (syntetisk)",
            sie_type=4,
            fiscal_years={
                0: (date(YEAR, 1, 1), date(YEAR, 12, 31)),
                -1: (date(YEAR - 1, 1, 1), date(YEAR - 1, 12, 31)),
            },
        )
    ]
    records += [Account(a, n) for a, n in sorted(_account_names(lines).items())]
    centres = {c.cost_centre: c.section or "" for c in budget.costs if c.cost_centre}
    centres["50000"] = "Medlemsbidrag"
    records.append(Dimension(1, "Kostnadsställe"))
    records += [SieObject(1, c, n) for c, n in sorted(centres.items())]
    if accrual:
        records.append(Dimension(8, "Kund"))
        records += [SieObject(8, n, m) for m, n in CUSTOMER_NUMBERS.items()]
        records.append(Dimension(10, "Faktura"))
    opening_receivable = OPENING_RECEIVABLE if accrual else Decimal(0)
    records.append(Balance("IB", 0, BANK, EQUITY_IN_BOOKS - opening_receivable))
    if accrual:
        records.append(Balance("IB", 0, RECEIVABLE, opening_receivable))
    records.append(Balance("IB", 0, EQUITY, -EQUITY_IN_BOOKS))
    return records


def _account_names(lines: list[CostLine | IncomeLine]) -> dict[str, str]:
    """The chart of accounts: balance accounts, each line's account + '10', members'."""
    accounts: dict[str, str] = {
        BANK: "Bank",
        RECEIVABLE: "Kundfordringar",
        EQUITY: "Eget kapital",
        OTHER_DEBT: "Övriga kortfristiga skulder",
        UNMAPPED: "Övriga externa tjänster",
    }
    for line in lines:
        if line.account:
            accounts[f"{line.account}10"] = line.name
    for member, account in MEMBER_ACCOUNTS.items():
        accounts[account] = f"Medlemsbidrag {member}"
    return accounts


def _book_lines(
    book: _DemoVouchers, budget: Budget, lines: list[CostLine | IncomeLine], rnd: random.Random
) -> dict[tuple[str, str, int], Decimal]:
    """Book every line of the year month by month, in several vouchers (one line's cost
    centre spends more than budgeted); returns last year's sums (account, centre, month)."""
    last_year: dict[tuple[str, str, int], Decimal] = {}
    for line in lines:
        annual = line.amounts.get(YEAR)
        if not annual or not line.account:
            continue
        sign = 1 if line in budget.costs else -1
        account, centre = f"{line.account}10", line.cost_centre or ""
        weights = QUARTERLY if line.cost_centre == QUARTERLY_CENTRE else [Decimal(1)] * 12
        previous = line.amounts.get(YEAR - 1)
        if previous:
            for month, amount in zip(MONTHS, _even(previous, weights), strict=True):
                key = (account, centre, month)
                last_year[key] = last_year.get(key, Decimal(0)) + sign * amount
        if line.cost_centre == OVERSPEND_CENTRE:
            annual = annual * OVERSPEND
        for month, amount in zip(MONTHS, _even(annual, weights), strict=True):
            if not amount:
                continue
            for part in _split(amount, rnd.randint(5, 8), rnd):
                day_of_month = 2 if line.cost_centre == QUARTERLY_CENTRE else rnd.randint(1, 28)
                book.bank(date(YEAR, month, day_of_month), line.name, account, centre, sign * part)
    return last_year


def _paid_on(member: str, quarter: int) -> date | None:
    """The day a member pays its quarter's invoice (None: never), with the planted problems."""
    if member == LATE_MEMBER and quarter == LATE_INSTALMENT:
        return LATE_DAY
    if member == UNPAID_MEMBER and quarter == UNPAID_INSTALMENT:
        return None
    return PAYMENT_DAYS[quarter]


def _book_member_quarter(
    book: _DemoVouchers, member: str, account: str, q: int, amount: Decimal, accrual: bool
) -> None:
    """A member's quarter: paid straight to its account (cash basis), or invoiced on the
    receivable and paid against it, matchable as ``MATCH_BY`` says (accrual)."""
    paid_on = _paid_on(member, q)
    member_centre = ((1, "50000"),)
    if not accrual:
        if paid_on is not None:
            book.booked(
                "B",
                paid_on,
                f"Medlemsbidrag {member}",
                _rows(BANK, account, amount, credit_objects=member_centre),
            )
        return
    invoice_no = f"25{q + 1}{list(MEMBER_ACCOUNTS).index(member) + 1:02d}"
    how = MATCH_BY[member]
    ref: tuple[tuple[int, str], ...] = (
        ((10, invoice_no),)
        if how is PaymentMethod.FAKTURA
        else ((8, CUSTOMER_NUMBERS[member]),)
        if how is PaymentMethod.KUND
        else ()
    )
    book.booked(
        "K",
        INVOICE_DAYS[q],
        f"Faktura {invoice_no} medlemsbidrag kvartal {q + 1}",
        _rows(RECEIVABLE, account, amount, ref, member_centre),
    )
    if paid_on is None:
        return
    text = f"Inbetalning {member}" if how is PaymentMethod.NAMN else "Kundinbetalning"
    book.booked("I", paid_on, text, _rows(BANK, RECEIVABLE, amount, credit_objects=ref))


def _book_planted(book: _DemoVouchers) -> None:
    """Last year's receivable paid, the payment that matches no invoice, the correction."""
    book.booked(
        "I", date(YEAR, 1, 15), "Kundinbetalning", _rows(BANK, RECEIVABLE, OPENING_RECEIVABLE)
    )
    book.booked("I", LOOSE_PAYMENT_DAY, "Kundinbetalning", _rows(BANK, RECEIVABLE, LOOSE_PAYMENT))
    book.booked("M", CORRECTION_DAY, "Omföring", _rows(RECEIVABLE, OTHER_DEBT, CORRECTION))


def _book_other_customers(book: _DemoVouchers) -> None:
    """Invoices on the receivable to a customer that is not a member, paid in full."""
    for invoiced, amount in OTHER_CUSTOMER_INVOICES:
        number = f"ESF{invoiced.month:02d}"
        book.booked(
            "K",
            invoiced,
            f"Faktura {number} ESF-projektet",
            _rows(RECEIVABLE, "3610", amount, ((10, number),), ((1, "20000"),)),
        )
        book.booked(
            "I",
            date(invoiced.year, invoiced.month + 1, 20),
            "Kundinbetalning ESF",
            _rows(BANK, RECEIVABLE, amount, credit_objects=((10, number),)),
        )


def _closing_balances(records: list[Record], vouchers: list[Voucher]) -> list[Balance]:
    """#UB 0 of the balance accounts: #IB and the year's rows."""
    closing: dict[str, Decimal] = {}
    for record in records:
        if isinstance(record, Balance) and record.kind == "IB":
            closing[record.account] = closing.get(record.account, Decimal(0)) + record.amount
    for v in vouchers:
        for row in v.rows:
            if row.account[:1] in "12":
                closing[row.account] = closing.get(row.account, Decimal(0)) + row.amount
    return [Balance("UB", 0, a, amount) for a, amount in sorted(closing.items())]


#: Days after an invoice's date that ``plan_books`` pays it.
PLAN_PAYMENT_DAYS = 23


def plan_books(plan: Path, path: Path) -> int:
    """Write books of the fakturaplan's invoices (SIE ``plan``) paid with their references.

    Returns the number of vouchers (invoices and payments). See the module doc.
    """
    from finsam_xl.core.members import DIM_INVOICE, find_references

    records = list(iter_records(plan))
    head = [r for r in records if not isinstance(r, Voucher)]
    invoices = [
        dataclasses.replace(r, number=str(n))
        for n, r in enumerate((r for r in records if isinstance(r, Voucher)), start=1)
    ]
    if not invoices:
        raise InputFileError(f"{plan.name}: inga fakturor (#VER) i fakturaplanen.")
    if not any(isinstance(r, Account) and r.account == BANK for r in head):
        last = max(i for i, r in enumerate(head) if isinstance(r, Account))
        head.insert(last + 1, Account(BANK, "Bank"))
    payments: list[Voucher] = []
    for invoice in invoices:
        receivable = next(r for r in invoice.transactions() if r.amount > 0)
        reference = dict(receivable.objects).get(DIM_INVOICE) or find_references(invoice.text)[0]
        payments.append(
            Voucher(
                "I",
                str(len(payments) + 1),
                invoice.date + timedelta(days=PLAN_PAYMENT_DAYS),
                f"Inbetalning {reference}",
                rows=[
                    Transaction("TRANS", BANK, (), receivable.amount),
                    Transaction("TRANS", receivable.account, (), -receivable.amount),
                ],
            )
        )
    write_sie([*head, *invoices, *payments], path)
    return len(invoices) + len(payments)


def general_ledger_csv(sie_path: Path, csv_path: Path) -> None:
    """The same books as a general-ledger CSV: one row per #TRANS, with voucher, text, objects.

    Last year's months (``#PSALDO -1``) become one row per account, cost centre
    and month, dated the month's last day, as a two-year ledger export shows them.
    """
    import calendar

    lines = ["Datum;Verifikation;Text;Konto;Kostnadsställe;Kund;Faktura;Belopp"]
    for record in iter_records(sie_path):
        if isinstance(record, PeriodBalance) and record.kind == "PSALDO":
            y, m = record.period
            day = date(y, m, calendar.monthrange(y, m)[1])
            centre = dict(record.objects).get(1, "")
            amount = str(record.amount).replace(".", ",")
            lines.append(
                f"{day.isoformat()};{y}-{m:02d};Periodsaldo;{record.account};{centre};;;{amount}"
            )
        if not isinstance(record, Voucher):
            continue
        for row in record.transactions():
            objects = dict(row.objects)
            amount = str(row.amount).replace(".", ",")
            lines.append(
                f"{record.date.isoformat()};{record.label};{record.text};{row.account};"
                f"{objects.get(1, '')};{objects.get(8, '')};{objects.get(10, '')};{amount}"
            )
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_demo_books(
    out: Path,
    *,
    seed: int = 2025,
    accrual: bool = True,
    other_customers: bool = False,
    csv: Path | None = None,
    plan: Path | None = None,
) -> int:
    """Write the demo books to ``out`` (and as a general ledger to ``csv``); return the vouchers.

    Both files are written atomically; a file already there is kept as its backup
    (``bokforing.backup.se``), as for every file finsam_xl writes. With ``plan``
    (a fakturaplan in SIE) the books are ``plan_books``'s instead.
    """
    count = 0

    def books(tmp: Path) -> None:
        nonlocal count
        if plan is not None:
            count = plan_books(plan, tmp)
            return
        count = make_books(tmp, seed=seed, accrual=accrual, other_customers=other_customers)

    atomic_write(out, books, verify=None)
    if csv is not None:
        atomic_write(csv, lambda tmp: general_ledger_csv(out, tmp), verify=None)
    return count
