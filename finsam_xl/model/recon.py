"""Reconciliation (avstämning) data: postings from the books and the results per line/member.

``Posting`` is deliberately a slotted dataclass, not a pydantic model: a year of
books can hold a million rows, and the core only aggregates them as they stream.
``BookedVoucher`` is a whole voucher kept because one of its rows is on a member's
or a receivable account (a few hundred a year): the core tells invoices from
payments with them and matches the one to the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from finsam_xl.model.findings import Element, Finding
from finsam_xl.model.money import ZERO
from finsam_xl.model.types import Money, Quantity


class PhasingMethod(StrEnum):
    """How a line's budget is spread over the months (``LineRecon.phasing_method``)."""

    PERIODISERING = "periodisering"  # the line's own 12 weights (column Periodisering)
    FJOLARET = "fjolåret"  # last year's monthly pattern in the books
    JAMN = "jämn"  # one twelfth a month


class ForecastMethod(StrEnum):
    """How a line's full-year forecast was made (``LineRecon.forecast_method``)."""

    ANGIVEN = "angiven"  # the entered Prognos helår
    BUDGET = "budget"  # no weight up to the period yet: the budget
    BUDGET_UTAN_KONTO = "budget (inget konto)"  # nothing in the books reaches the line
    LINJAR = "linjär"  # actuals scaled by even weights
    ENLIGT_PERIODISERING = "enligt periodisering"  # ... by the line's own weights
    ENLIGT_FJOLARET = "enligt fjolåret"  # ... by last year's pattern


class PaymentMethod(StrEnum):
    """How a member's payment was matched to its invoices (``Payment.method``)."""

    KONTANT = "kontant"  # the member's account credited straight against the bank
    REFERENS = "referens"  # the fakturaplan's reference, in the invoice object or the text
    FAKTURA = "faktura"  # the SIE object of dimension 10 on the receivable row
    KUND = "kund"  # the SIE object of dimension 8 on the receivable row
    NAMN = "namn"  # the member's name in the voucher's text
    BELOPP = "belopp"  # the amount of the oldest open invoice
    INGAENDE_BALANS = "ingående balans"  # last year's receivable
    KREDITERING = "kreditering"  # a credit note
    ATERBETALNING = "återbetalning"  # money paid back to a member (a negative amount)
    TVETYDIG = "tvetydig"  # fits open invoices of several members (``candidates``)
    INGEN = "ingen"  # matched nothing


class BooksKind(StrEnum):
    """How the books record the members' contributions (``ReconResult.books_kind``)."""

    PERIODISERAD = "periodiserad"  # invoiced through the receivable
    KONTANTMASSIG = "kontantmässig"  # payments booked straight against the bank
    BLANDAD = "blandad"  # some members one way, some the other
    OKAND = "okänd"  # no contributions found in the books yet


@dataclass(frozen=True, slots=True)
class Posting:
    """One booked row: debit positive, credit negative (as in SIE); ``source`` is file:line."""

    day: date
    account: str
    cost_centre: str
    amount: Decimal
    source: str


@dataclass(frozen=True, slots=True)
class BookedRow:
    """One row of a kept voucher: debit positive; ``objects`` are (dimension, object) pairs."""

    account: str
    amount: Decimal
    objects: tuple[tuple[str, str], ...] = ()
    text: str = ""
    source: str = ""

    def object(self, dimension: str) -> str | None:
        """The row's object in ``dimension`` (e.g. "8" kund, "10" faktura), if any."""
        return next((o for d, o in self.objects if d == dimension), None)


@dataclass(frozen=True, slots=True)
class BookedVoucher:
    """A whole voucher from the books: series, number, date, text, ``file:line``, rows."""

    series: str
    number: str
    day: date
    text: str
    source: str
    rows: tuple[BookedRow, ...]

    @property
    def label(self) -> str:
        """'A 123', as the books name it; unique within one file.

        A voucher without a number (an SIE 4I file, or a CSV without a voucher
        column) is named by its line: 'L utan nummer, rad 12'.
        """
        if self.number:
            return f"{self.series} {self.number}".strip()
        line = self.source.rpartition(":")[2]
        where = f", rad {line}" if line.isdigit() else ""
        return f"{self.series} utan nummer{where}".strip()


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class LineRecon(_Out):
    """One budget line in the reconciliation (amounts in kronor, costs and income positive)."""

    element: Element  # Element.COST or Element.INCOME
    index: int
    name: str
    section: str | None
    cost_centre: str | None
    budget_year: Money
    budget_to_date: Money
    actual_by_month: list[Money]
    actual_to_date: Money
    deviation: Money
    deviation_pct: Quantity | None
    forecast: Money
    forecast_method: ForecastMethod  # entered, the budget, or how it was extrapolated
    phasing_method: PhasingMethod = PhasingMethod.JAMN


class SectionRecon(_Out):
    """A heading's (cost centre's) lines added up: the level deviations are reported at."""

    section: str
    budget_year: Money
    budget_to_date: Money
    actual_to_date: Money
    deviation: Money
    deviation_pct: Quantity | None
    forecast: Money


class Payment(_Out):
    """A member's payment as booked, and how it was matched to the member's invoices.

    ``method``: how it was matched (``PaymentMethod``): ``KONTANT`` is cash-basis
    books; ``TVETYDIG`` means the amount fits open invoices of several members and
    nothing else tells which (``candidates`` names them).

    ``member`` is the member the payment was matched to (None when it matched no
    member); ``overpaid`` the part of it beyond that member's open invoices,
    which stays with the member as a credit (never set against another
    member's or last year's receivable).
    """

    day: date
    amount: Money
    source: str
    method: PaymentMethod = PaymentMethod.KONTANT
    voucher: str = ""
    invoices: list[str] = Field(default_factory=list)
    member: str | None = None
    overpaid: Money = ZERO
    candidates: list[str] = Field(default_factory=list)
    #: which rule matched it: "referens", "fakturaobjekt", "kund", "namn", "belopp",
    #: "ingående fordran" ("" for a cash payment, a credit note, a refund, or none)
    rule: str = ""
    #: references it quotes that name no invoice in the books
    unknown_references: list[str] = Field(default_factory=list)


class Invoice(_Out):
    """An invoice on the receivable: a member's contribution (or another customer's)."""

    member: str | None
    voucher: str
    day: date
    due: date
    amount: Money
    paid: Money
    open: Money
    paid_on: date | None  # the day it was paid in full
    days_late: int | None  # paid in full after ``due``: by how many days
    overdue: bool  # still open after ``due`` at the end of the period
    source: str
    reference: str | None = None  # the object (faktura or kund) on its receivable row


class Instalment(_Out):
    """One instalment a member owes: when it is due, how much, and when it was paid in full."""

    due: date
    amount: Money
    paid_on: date | None
    late: bool


class MemberRecon(_Out):
    """A member's payments received against what it owes for the year."""

    name: str
    owed_year: Money
    owed_to_date: Money
    received_to_date: Money
    #: the fakturaplan's instalments invoiced (dated) by the period's end
    planned_to_date: Money = ZERO
    payments: list[Payment]
    instalments: list[Instalment]
    accrual: bool = False  # invoiced through the receivable (else paid straight to its account)
    invoiced_to_date: Money = ZERO
    open_to_date: Money = ZERO
    overdue_to_date: Money = ZERO
    invoices: list[Invoice] = Field(default_factory=list)
    #: paid (or credited) beyond its invoices and not paid back: owed to the member
    credit_to_date: Money = ZERO


class ReceivableRecon(_Out):
    """The receivable (kundfordran) in the books against the open items found in it.

    ``balance`` = opening balance + every row on the accounts up to the period's
    end; ``open_items`` = open invoices (members' and others') + what is left of
    the opening balance - payments that matched nothing - what members paid (or
    were credited) beyond their invoices and were not paid back (``credits``).
    ``other_rows`` lists the rows that are neither invoice nor payment (their
    sum is the difference).
    """

    accounts: list[str]
    guessed: bool = False  # no Kundfordran rule: the 15xx accounts members were invoiced on
    opening: Money
    opening_left: Money
    balance: Money
    open_items: Money
    difference: Money
    other_rows: list[str] = Field(default_factory=list)
    non_member_count: int = 0
    non_member_amount: Money = ZERO
    unmatched: list[Payment] = Field(default_factory=list)
    payments: list[Payment] = Field(default_factory=list)
    credits: Money = ZERO


class ForecastRecon(_Out):
    """The year's forecast: result and equity at year end, as the plan has them for the budget."""

    contributions: Money
    other_income: Money
    costs: Money
    unmapped: Money  # result accounts outside the budget, extrapolated
    result: Money
    budget_result: Money
    equity_start: Money
    equity_start_from: str  # "bokföringen" or "budgeten"
    equity_end: Money
    equity_pct: Quantity | None
    floor: Money
    recommended_max: Money
    recommended_max_pct: Quantity
    summary: str
    equity_end_books: Money | None = None  # in December: from the books' closing balances (#UB)


class EquityRecon(_Out):
    """Equity in the books (opening balance of the year) against the budget's assumption."""

    books: Money | None
    assumed: Money | None
    difference: Money | None
    accounts: list[str] = Field(default_factory=list)


class UnmappedAccount(_Out):
    """A result account with amounts that no rule or line maps."""

    account: str
    cost_centre: str
    amount: Money
    source: str


class ReconResult(_Out):
    """Everything the reconciliation computed, with findings."""

    year: int
    period_end: date
    months: int
    lines: list[LineRecon]
    sections: list[SectionRecon]
    members: list[MemberRecon]
    equity: EquityRecon
    unmapped: list[UnmappedAccount]
    findings: list[Finding]
    books_kind: BooksKind = BooksKind.KONTANTMASSIG
    receivable: ReceivableRecon | None = None
    forecast: ForecastRecon | None = None
