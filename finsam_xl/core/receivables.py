"""Members' invoices and payments in the books: accrual (kundfordran) or cash basis.

A förbund that follows municipal accounting invoices each member: the voucher
credits the member's account and debits the receivable (kundfordran, 15xx).
The payment later credits the receivable against the bank. In cash-basis
books the member's account is credited straight against the bank. This module
reads the vouchers the books reader kept (those with a row on a member's or a
receivable account), tells which is which, and matches payments to open
invoices, in this order:

0. the fakturaplan's reference (``core.members.REFERENCE_RE``, e.g.
   ``SD-2025-MORA-2``) in the payment's invoice object or its row's or
   voucher's text: it pays the invoice whose receivable row carries the same
   reference (as its invoice object or in its text), whoever else pays the
   same amount that day; a reference that names no invoice in the books is
   kept on the payment (``Payment.unknown_references``, reported at its
   ``file:line``) and the rules below decide;
1. the SIE object of dimension 10 (*faktura*) on the receivable row, then
   dimension 8 (*kund*), where the books carry them;
2. the member's name in the voucher's or the row's text, by whole words
   (``name_finder``: the longest match wins, several left is ambiguous); a
   named member with nothing open pays last year's receivable;
3. the amount of the oldest open invoice, when the open invoices of that
   amount are one payer's (else the payment is ambiguous, applied to none, and
   its candidates are listed);

(with 1's customer or 2's name, the member's invoices are paid oldest first,
except that an open invoice of exactly the payment's amount, the latest one
issued by the payment's day, goes first: a member pays the invoice it just
received, and an older one left open is the one forgotten);
4. what is left of last year's receivable (the opening balance);

and what matches nothing is reported. ``Payment.rule`` names the rule that
matched (``MATCH_RULES``: "referens", "fakturaobjekt", "kund", "namn",
"belopp", "ingående fordran"). A payment matched to a member stays
with it: what it pays beyond the member's open invoices is a credit owed to
the member, which a refund (the receivable debited against the bank) settles.
The vouchers are taken in an order of their own (``_voucher_order``), so the
result does not depend on their order in the file. An invoice is due
``payment_grace_days`` after its date. Invoices on the receivable to other customers than the
members (credited to other income) are kept as open items, so that payments
of them match them, but are left out of the members' figures and counted.

The receivable's balance (opening balance and every row up to the period's
end) must equal the open items: open invoices, what is left of the opening
balance, less payments that matched nothing and members' credits. Rows that are neither invoice
nor payment (a manual correction, a write-off) make the difference, and are
listed with their ``file:line``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from finsam_xl.core.members import find_references
from finsam_xl.model.budget import Budget, MappingTarget
from finsam_xl.model.money import ZERO
from finsam_xl.model.recon import (
    BookedRow,
    BookedVoucher,
    BooksKind,
    Invoice,
    Payment,
    PaymentMethod,
    ReceivableRecon,
)
from finsam_xl.model.text import nfc

KUND, FAKTURA = "8", "10"
#: Which rule matched a payment (``Payment.rule``), by ``Payment.method``.
MATCH_RULES = {
    PaymentMethod.REFERENS: "referens",
    PaymentMethod.FAKTURA: "fakturaobjekt",
    PaymentMethod.KUND: "kund",
    PaymentMethod.NAMN: "namn",
    PaymentMethod.BELOPP: "belopp",
    PaymentMethod.INGAENDE_BALANS: "ingående fordran",
}
#: Accounts taken as the receivable when no Kontomappning rule names it (BAS: 15 Kundfordringar).
GUESS_RANGE = (1500, 1599)
#: Words in members' names that do not tell one member from another.
GENERIC_WORDS = frozenset(
    {"kommun", "kommuns", "region", "regionen", "landsting", "landstinget", "med", "och", "stad"}
)

MemberOf = Callable[[BookedRow], str | None]


def receivable_rules(budget: Budget) -> list[tuple[int, int]]:
    """The account ranges mapped to Kundfordran in the Kontomappning."""
    return [
        r.account_range() for r in budget.settings.mappings if r.target is MappingTarget.RECEIVABLE
    ]


def capture_predicate(budget: Budget) -> Callable[[str], bool]:
    """Which accounts' vouchers the books reader keeps whole: members' and receivable accounts.

    Without a Kundfordran rule the 15xx accounts are kept too, so that accrual
    books are recognised even before the mapping is filled in.
    """
    ranges = [
        r.account_range()
        for r in budget.settings.mappings
        if r.target in (MappingTarget.MEMBER, MappingTarget.RECEIVABLE)
    ]
    if not receivable_rules(budget):
        ranges.append(GUESS_RANGE)
    cache: dict[str, bool] = {}

    def keep(account: str) -> bool:
        found = cache.get(account)
        if found is None:
            number = int(account) if account.isdigit() else -1
            found = cache[account] = any(a <= number <= b for a, b in ranges)
        return found

    return keep


def _in(account: str, ranges: Iterable[tuple[int, int]]) -> bool:
    return account.isdigit() and any(a <= int(account) <= b for a, b in ranges)


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 4 else word


#: A word: letters, with the combining marks of text in NFD (a + U+0308) kept inside it.
_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")


def _words(text: str) -> set[str]:
    """The words of a text, NFC, case-folded, genitive -s dropped; a word ending in a
    generic word ("hedemorakommun") also counts as its first part."""
    found: set[str] = set()
    for word in _WORD.findall(nfc(text).casefold()):
        found.add(_stem(word))
        for generic in GENERIC_WORDS:
            if word.endswith(generic) and len(word) >= len(generic) + 3:
                found.add(_stem(word[: -len(generic)]))
    return found


def name_finder(members: list[str]) -> Callable[[str], tuple[str, ...]]:
    """A function giving the members a voucher text names: one, several (ambiguous) or none.

    A member is named by whole words of its name (generic words like *kommun*
    left out, genitive -s ignored: "Säters kommun" ~ "Inbetalning Säter");
    "Inbetalning Morastrand" names "Morastrand kommun", not "Mora kommun".
    When several members are named, the longest match wins: a member whose
    matched words include another's ("Mora Norra" over "Mora"), then one whose
    every word was matched. Several left means the text is ambiguous.
    """
    words = {m: {w for w in _words(m) if len(w) >= 3} - GENERIC_WORDS for m in members}

    def named(text: str) -> tuple[str, ...]:
        found = _words(text)
        hits = {m: ws & found for m, ws in words.items() if ws & found}
        best = [m for m, hit in hits.items() if not any(hit < other for other in hits.values())]
        kept = [
            m
            for m in best
            if hits[m] == words[m]
            or not any(hits[o] == hits[m] and hits[o] == words[o] for o in best)
        ]
        return tuple(kept)

    return named


def name_matcher(members: list[str]) -> Callable[[str], str | None]:
    """A function giving the one member a voucher text names, or None (see ``name_finder``)."""
    finder = name_finder(members)

    def named(text: str) -> str | None:
        found = finder(text)
        return found[0] if len(found) == 1 else None

    return named


@dataclass
class _Item:
    member: str | None
    voucher: str
    day: date
    due: date
    amount: Decimal
    source: str
    faktura: str | None
    kund: str | None
    refs: tuple[str, ...] = ()  # the fakturaplan's references it carries (object or text)
    paid: Decimal = ZERO
    paid_on: date | None = None

    @property
    def open(self) -> Decimal:
        return self.amount - self.paid


@dataclass
class _Pay:
    day: date
    amount: Decimal
    voucher: str
    source: str
    text: str
    faktura: str | None
    kund: str | None
    member: str | None = None  # a credit note names its member
    credit_note: bool = False
    refund: bool = False  # money paid back (the receivable debited against the bank)
    refs: tuple[str, ...] = ()  # the fakturaplan's references it quotes (object or text)


@dataclass
class MemberBooks:
    """What the vouchers say about the members, up to the end of the period."""

    kind: BooksKind
    invoices: dict[str, list[Invoice]] = field(default_factory=dict)
    payments: dict[str, list[Payment]] = field(default_factory=dict)
    receivable: ReceivableRecon | None = None
    #: per member: what it paid or was credited beyond its invoices, not paid back
    credits: dict[str, Decimal] = field(default_factory=dict)
    #: the payments (and credit notes) those credits come from, with what is left of each
    credit_payments: list[tuple[Payment, Decimal]] = field(default_factory=list)


def member_books(
    budget: Budget,
    vouchers: Iterable[BookedVoucher],
    member_of: MemberOf,
    opening: dict[str, Decimal],
    balances: dict[str, Decimal],
    year: int,
    period_end: date,
) -> MemberBooks:
    """Classify the kept vouchers of ``year`` up to ``period_end`` and match the payments.

    ``member_of`` names the member a row's account is mapped to; ``opening``
    holds the opening balances per account and ``balances`` the sum of every
    row per account in the year up to ``period_end``.
    """
    kept = sorted(
        (v for v in vouchers if v.day.year == year and v.day <= period_end), key=_voucher_order
    )
    ranges, guessed = _receivable_ranges(budget, kept, member_of)
    finder = name_finder([m.name for m in budget.members])
    grace = timedelta(days=budget.settings.payment_grace_days)
    book = _VoucherSorter(ranges, member_of, finder, grace)
    for v in kept:
        book.add(v)
    opening_total = max(ZERO, sum((opening.get(a, ZERO) for a in opening if _in(a, ranges)), ZERO))
    matcher = _Matcher(_OpenItems(book.items), finder, opening_total)
    for pay in sorted(book.pays, key=lambda p: (p.day, p.refund)):  # stable: the vouchers' order
        if not matcher.apply(pay):
            book.other_rows.append(f"{pay.voucher} {pay.day} {pay.source}")
    invoices = _invoices(book.items, period_end)
    credits = [(c.payment, c.left) for c in matcher.credits if c.left > 0]
    receivable_recon = None
    if ranges and (book.items or book.pays or book.other_rows or opening_total):
        receivable_recon = _receivable_recon(
            book, matcher, sum((amount for _, amount in credits), ZERO), guessed, opening, balances
        )
    # what members paid or were credited beyond their invoices (not ambiguous payments)
    owed = [
        (p, a)
        for p, a in credits
        if p.member is not None and p.method is not PaymentMethod.TVETYDIG
    ]
    credit_by_member: dict[str, Decimal] = defaultdict(Decimal)
    for payment, amount in owed:
        credit_by_member[str(payment.member)] += amount
    return MemberBooks(
        _books_kind(invoices, book.cash),
        dict(invoices),
        _payments(book.cash, matcher.payments),
        receivable_recon,
        dict(credit_by_member),
        owed,
    )


def _receivable_ranges(
    budget: Budget, kept: list[BookedVoucher], member_of: MemberOf
) -> tuple[list[tuple[int, int]], bool]:
    """The receivable's account ranges and whether they were guessed.

    The Kundfordran rules of the Kontomappning; without one, the 15xx accounts
    members are invoiced on (a member's row credited, the 15xx row debited), if any.
    """
    ranges = receivable_rules(budget)
    if ranges:
        return ranges, False
    found = {
        row.account
        for v in kept
        if any(member_of(r) and r.amount < 0 for r in v.rows)
        for row in v.rows
        if row.amount > 0 and _in(row.account, [GUESS_RANGE])
    }
    ranges = [(int(a), int(a)) for a in sorted(found)]
    return ranges, bool(ranges)


class _VoucherSorter:
    """Sorts the kept vouchers into invoices, payments to match, cash payments, other rows.

    A voucher with no receivable row is a cash-basis payment (or nothing); one
    with a receivable row holds members' invoices and credit notes (against the
    member's account), then what is left of the receivable rows: a payment, an
    invoice credited to other income, a refund, or an other row.
    """

    def __init__(
        self,
        ranges: list[tuple[int, int]],
        member_of: MemberOf,
        finder: Callable[[str], tuple[str, ...]],
        grace: timedelta,
    ) -> None:
        self.ranges, self.member_of, self.finder, self.grace = ranges, member_of, finder, grace
        self.items: list[_Item] = []
        self.pays: list[_Pay] = []
        self.cash: dict[str, list[Payment]] = defaultdict(list)
        self.other_rows: list[str] = []
        self.non_member_count, self.non_member_amount = 0, ZERO

    def add(self, v: BookedVoucher) -> None:
        """Sort one voucher."""
        receivable = [r for r in v.rows if _in(r.account, self.ranges)]
        by_member: dict[str, Decimal] = defaultdict(Decimal)
        for row in v.rows:
            if not _in(row.account, self.ranges) and (name := self.member_of(row)) is not None:
                by_member[name] += row.amount
        if not receivable:
            self._cash(v, by_member)
            return
        left = self._members(v, receivable, by_member)
        if left:
            self._rest(v, receivable, left)

    def _item(self, member: str | None, v: BookedVoucher, row: BookedRow, amount: Decimal) -> _Item:
        """An invoice of ``amount`` on the receivable ``row``, due after the grace days."""
        return _Item(
            member,
            v.label,
            v.day,
            v.day + self.grace,
            amount,
            row.source or v.source,
            row.object(FAKTURA),
            row.object(KUND),
            references(v, row),
        )

    @staticmethod
    def _pay(
        v: BookedVoucher,
        row: BookedRow,
        amount: Decimal,
        member: str | None = None,
        *,
        credit_note: bool = False,
        refund: bool = False,
    ) -> _Pay:
        """A payment (credit note, refund) of ``amount`` on the receivable ``row``."""
        return _Pay(
            v.day,
            amount,
            v.label,
            row.source or v.source,
            v.text + " " + row.text,
            row.object(FAKTURA),
            row.object(KUND),
            member,
            credit_note=credit_note,
            refund=refund,
            refs=() if refund else references(v, row),
        )

    def _cash(self, v: BookedVoucher, by_member: dict[str, Decimal]) -> None:
        """Cash basis: the member's account against the bank (or cash, or the host's
        koncernkonto); against anything else (e.g. prepaid income, 29xx, spread over the
        months) it is not a payment."""
        if not any(r.account[:1] == "1" and r.amount > 0 for r in v.rows):
            return
        for name, amount in by_member.items():
            if amount:
                self.cash[name].append(
                    Payment(
                        day=v.day,
                        amount=-amount,
                        source=v.source,
                        method=PaymentMethod.KONTANT,
                        voucher=v.label,
                        member=name,
                    )
                )

    def _members(
        self, v: BookedVoucher, receivable: list[BookedRow], by_member: dict[str, Decimal]
    ) -> Decimal:
        """Members' invoices and credit notes; returns what is left of the receivable rows."""
        left = sum((r.amount for r in receivable), ZERO)
        for name, amount in by_member.items():
            if amount < 0 < left or amount > 0 > left:
                row = _best_row(receivable, -amount)
                if amount < 0:
                    self.items.append(self._item(name, v, row, -amount))
                else:
                    self.pays.append(self._pay(v, row, amount, name, credit_note=True))
                left += amount
        return left

    def _rest(self, v: BookedVoucher, receivable: list[BookedRow], left: Decimal) -> None:
        """What is left of the receivable rows once the members' rows are taken."""
        others = [
            r for r in v.rows if not _in(r.account, self.ranges) and self.member_of(r) is None
        ]
        if left < 0 and any(r.account[:1] == "1" and r.amount > 0 for r in others):
            self._payment(v, receivable, left)
        elif left > 0 and any(_is_income(r.account) and r.amount < 0 for r in others):
            self._other_invoice(v, receivable, left)
        elif left > 0 and any(r.account[:1] == "1" and r.amount < 0 for r in others):
            # money paid back (the receivable debited against the bank): a refund of what
            # was paid or credited beyond the invoices
            self.pays.append(self._pay(v, _best_row(receivable, left), left, refund=True))
        else:
            self.other_rows.append(f"{v.label} {v.day} {receivable[0].source or v.source}")

    def _payment(self, v: BookedVoucher, receivable: list[BookedRow], left: Decimal) -> None:
        """A payment: one per receivable row when the rows name their invoices."""
        credit_rows = [r for r in receivable if r.amount < 0]
        if len(credit_rows) > 1 and -sum((r.amount for r in credit_rows), ZERO) == -left:
            self.pays += [self._pay(v, r, -r.amount) for r in credit_rows]
        else:
            self.pays.append(self._pay(v, _best_row(receivable, left), -left))

    def _other_invoice(self, v: BookedVoucher, receivable: list[BookedRow], left: Decimal) -> None:
        """An invoice credited to other income, or to prepaid income (29xx) to be spread over
        the year: a member's if its text names one, else another customer's."""
        row = _best_row(receivable, left)
        found_names = self.finder(v.text + " " + row.text)
        member = found_names[0] if len(found_names) == 1 else None
        self.items.append(self._item(member, v, row, left))
        if member is None:
            self.non_member_count += 1
            self.non_member_amount += left


def _invoices(items: list[_Item], period_end: date) -> dict[str, list[Invoice]]:
    """The members' invoices (others' left out), paid, open, late or overdue at ``period_end``."""
    invoices: dict[str, list[Invoice]] = defaultdict(list)
    for item in items:
        if item.member is None:
            continue
        days_late = (
            (item.paid_on - item.due).days
            if item.paid_on is not None and item.paid_on > item.due
            else None
        )
        invoices[item.member].append(
            Invoice(
                member=item.member,
                voucher=item.voucher,
                day=item.day,
                due=item.due,
                amount=item.amount,
                paid=item.paid,
                open=item.open,
                paid_on=item.paid_on,
                days_late=days_late,
                overdue=item.open > 0 and item.due < period_end,
                source=item.source,
                reference=item.faktura or item.kund,
            )
        )
    return invoices


def _payments(cash: dict[str, list[Payment]], results: list[Payment]) -> dict[str, list[Payment]]:
    """Each member's payments, cash-basis and matched, by day and voucher."""
    matched: dict[str, list[Payment]] = defaultdict(list)
    for result in results:
        if result.member is not None and result.method not in (
            PaymentMethod.INGAENDE_BALANS,
            PaymentMethod.TVETYDIG,
        ):
            matched[result.member].append(result)
    payments: dict[str, list[Payment]] = defaultdict(list)
    for name in set(cash) | set(matched):
        payments[name] = sorted(
            [*cash.get(name, []), *matched.get(name, [])], key=lambda p: (p.day, p.voucher)
        )
    return dict(payments)


def _books_kind(invoices: dict[str, list[Invoice]], cash: dict[str, list[Payment]]) -> BooksKind:
    """'periodiserad' (invoices), 'kontantmässig' (cash payments), 'blandad' or 'okänd'."""
    has_invoices = any(invoices.values())
    return (
        BooksKind.BLANDAD
        if has_invoices and cash
        else BooksKind.PERIODISERAD
        if has_invoices
        else BooksKind.KONTANTMASSIG
        if cash
        else BooksKind.OKAND
    )


def _receivable_recon(
    book: _VoucherSorter,
    matcher: _Matcher,
    credit_total: Decimal,
    guessed: bool,
    opening: dict[str, Decimal],
    balances: dict[str, Decimal],
) -> ReceivableRecon:
    """The receivable's balance against its open items; the difference is the other rows'."""
    ranges = book.ranges
    accounts = sorted(
        {a for a in (*opening, *balances) if _in(a, ranges)} | {str(a) for a, b in ranges if a == b}
    )
    balance = sum((opening.get(a, ZERO) + balances.get(a, ZERO) for a in accounts), ZERO)
    opening_sum = sum((opening.get(a, ZERO) for a in accounts), ZERO)
    open_items = (
        sum((i.open for i in book.items), ZERO)
        + matcher.pool
        + min(ZERO, opening_sum)
        - credit_total
    )
    return ReceivableRecon(
        accounts=accounts,
        guessed=guessed,
        opening=opening_sum,
        opening_left=matcher.pool,
        balance=balance,
        open_items=open_items,
        difference=balance - open_items,
        other_rows=book.other_rows,
        non_member_count=book.non_member_count,
        non_member_amount=book.non_member_amount,
        unmatched=matcher.unmatched,
        payments=matcher.payments,
        credits=credit_total,
    )


def _voucher_order(v: BookedVoucher) -> tuple[object, ...]:
    """A total order of vouchers that does not depend on their order in the file."""
    number = v.number.strip()
    return (
        v.day,
        v.series,
        (0, int(number), "") if number.isdigit() else (1, 0, number),
        v.text,
        tuple((r.account, r.amount, r.objects, r.text) for r in v.rows),
    )


def references(voucher: BookedVoucher, row: BookedRow) -> tuple[str, ...]:
    """The fakturaplan's references (``core.members.REFERENCE_RE``) a receivable row carries.

    The row's invoice object (dimension 10) when it is one, and those in the
    row's text; only when the row has none, those in the voucher's text (a
    payment of several invoices, a row each, names each on its row).
    """
    found = list(find_references(row.object(FAKTURA) or "")) + find_references(row.text)
    if not found:
        found = find_references(voucher.text)
    return tuple(dict.fromkeys(found))


def _is_income(account: str) -> bool:
    """Other income (class 3) or prepaid income (29xx), which an invoice may be credited to."""
    return account[:1] == "3" or account[:2] == "29"


def _best_row(rows: list[BookedRow], amount: Decimal) -> BookedRow:
    """The receivable row of this amount if there is one, else the first."""
    return next((r for r in rows if r.amount == amount), rows[0])


class _OpenItems:
    """The open items, indexed by invoice, customer, member and open amount.

    So that matching a payment looks at the few items that can match it, not at
    every item: books with thousands of invoices match in linear time. Paid
    items drop out of the amount index at once and are skipped elsewhere.
    """

    def __init__(self, items: list[_Item]) -> None:
        self.index: dict[tuple[str, object], list[_Item]] = defaultdict(list)
        for item in items:
            for key in (("faktura", item.faktura), ("kund", item.kund), ("member", item.member)):
                if key[1] is not None:
                    self.index[key].append(item)
            self.index[("open", item.open)].append(item)
            for ref in item.refs:
                self.index[("ref", ref)].append(item)

    def referenced(self, refs: Iterable[str]) -> list[_Item]:
        """The items (paid or open) carrying any of these references, in the order quoted."""
        found: dict[int, _Item] = {}
        for ref in refs:
            for item in self.index.get(("ref", ref), []):
                found.setdefault(id(item), item)
        return list(found.values())

    def get(self, kind: str, key: object, day: date) -> list[_Item]:
        """Open items with this key: those dated by ``day`` oldest first, then later ones."""
        found = [i for i in self.index.get((kind, key), []) if i.open > 0]
        return sorted(found, key=lambda i: (i.day > day, i.day))

    def pay(self, item: _Item, amount: Decimal) -> None:
        """Pay ``amount`` of an item, moving it in the amount index."""
        self.index[("open", item.open)].remove(item)
        item.paid += amount
        if item.open > 0:
            self.index[("open", item.open)].append(item)


@dataclass
class _Credit:
    """What a payer paid (or was credited) beyond what it owed, and is still owed back."""

    payment: Payment
    left: Decimal


def _owner(item: _Item) -> str:
    """Who an open item is owed by: the member, else the customer (object), else 'annan kund'."""
    if item.member is not None:
        return item.member
    return f"kund {item.kund}" if item.kund else "annan kund"


class _Matcher:
    """Applies payments, credit notes and refunds, in the books' order, to the open items.

    A payment matched to a member (by invoice, customer, name or credit note)
    stays with that member: what it pays beyond the member's open invoices is a
    credit to the member (``overpaid``), never set against another member's or
    last year's receivable. A payment that names a member with nothing open
    pays last year's receivable (the opening balance). A payment matched by
    amount alone must fit open invoices of one payer only; when several fit
    (or the text names several members) it is ambiguous and applied to none.
    """

    def __init__(
        self, book: _OpenItems, finder: Callable[[str], tuple[str, ...]], pool: Decimal
    ) -> None:
        self.book, self.finder, self.pool = book, finder, pool
        self.payments: list[Payment] = []
        self.unmatched: list[Payment] = []
        self.credits: list[_Credit] = []

    def apply(self, pay: _Pay) -> bool:
        """Apply one payment; False for a refund that repays no credit (an other row)."""
        if pay.refund:
            return self._refund(pay)
        unknown: list[str] = []
        if pay.refs and not pay.credit_note and not self.book.referenced(pay.refs):
            unknown = list(pay.refs)  # names no invoice in the books: today's rules decide
        method, member, candidates, ambiguous = self._choose(pay)
        if ambiguous:
            result = Payment(
                day=pay.day,
                amount=pay.amount,
                source=pay.source,
                method=PaymentMethod.TVETYDIG,
                voucher=pay.voucher,
                candidates=ambiguous,
                unknown_references=unknown,
            )
            self._loose(result, pay.amount)
            return True
        left, used = self._pay_items(pay, candidates)
        if method is PaymentMethod.NAMN and not used and self.pool > 0:
            method = PaymentMethod.INGAENDE_BALANS  # the member's invoice of last year
            take = min(left, self.pool)
            self.pool -= take
            left -= take
        if member is not None:
            result = Payment(
                day=pay.day,
                amount=pay.amount,
                source=pay.source,
                method=method,
                voucher=pay.voucher,
                invoices=used,
                member=member,
                overpaid=left,
                rule=MATCH_RULES.get(method, ""),
                unknown_references=unknown,
            )
            self.payments.append(result)
            if left > 0:
                self.credits.append(_Credit(result, left))
            return True
        if left > 0 and self.pool > 0 and method is PaymentMethod.INGEN:
            method = PaymentMethod.INGAENDE_BALANS
            take = min(left, self.pool)
            self.pool -= take
            left -= take
        applied = pay.amount - left if method is not PaymentMethod.INGEN else pay.amount
        result = Payment(
            day=pay.day,
            amount=applied,
            source=pay.source,
            method=method,
            voucher=pay.voucher,
            invoices=used,
            rule=MATCH_RULES.get(method, ""),
            unknown_references=unknown,
        )
        if method is PaymentMethod.INGEN:
            self._loose(result, left)
            return True
        self.payments.append(result)
        if left > 0:  # paid more than was open: the rest is loose
            loose = Payment(
                day=pay.day,
                amount=left,
                source=pay.source,
                method=PaymentMethod.INGEN,
                voucher=pay.voucher,
            )
            self._loose(loose, left)
        return True

    def _loose(self, payment: Payment, amount: Decimal) -> None:
        self.payments.append(payment)
        self.unmatched.append(payment)
        self.credits.append(_Credit(payment, amount))

    def _choose(self, pay: _Pay) -> tuple[PaymentMethod, str | None, list[_Item], list[str]]:
        """How the payment matches: method, member, the items to pay, the ambiguous payers."""
        book = self.book
        if pay.credit_note:
            credited = book.get("member", pay.member, pay.day)
            return PaymentMethod.KREDITERING, pay.member, credited, []
        if named := book.referenced(pay.refs):  # the fakturaplan's reference decides
            member = named[0].member
            mine = [i for i in named if i.member == member and i.open > 0]
            return PaymentMethod.REFERENS, member, mine, []
        if pay.faktura is not None and (found := book.get("faktura", pay.faktura, pay.day)):
            return PaymentMethod.FAKTURA, found[0].member, found, []
        if pay.kund is not None and (found := book.get("kund", pay.kund, pay.day)):
            return PaymentMethod.KUND, found[0].member, self._latest_exact(pay, found), []
        names = self.finder(pay.text)
        if len(names) == 1:
            found = book.get("member", names[0], pay.day)
            return PaymentMethod.NAMN, names[0], self._latest_exact(pay, found), []
        exact = book.get("open", pay.amount, pay.day)
        if names:  # the text names several members: the amount may tell which
            exact = [i for i in exact if i.member in names]
        dated = [i for i in exact if i.day <= pay.day] or exact
        owners = list(dict.fromkeys(_owner(i) for i in dated))
        if len(owners) == 1:
            return PaymentMethod.BELOPP, dated[0].member, dated[:1], []
        if len(owners) > 1:  # each payer with its oldest invoice of this amount
            first = {_owner(i): i for i in reversed(dated)}
            return PaymentMethod.INGEN, None, [], [f"{o} ({first[o].voucher})" for o in owners]
        if names:
            return PaymentMethod.INGEN, None, [], list(names)
        return PaymentMethod.INGEN, None, [], []

    @staticmethod
    def _latest_exact(pay: _Pay, candidates: list[_Item]) -> list[_Item]:
        """A member pays the invoice it just got: an open invoice of exactly this amount,
        the latest one issued by the payment's day, before older ones."""
        exact = [i for i in candidates if i.open == pay.amount and i.day <= pay.day]
        if not exact:
            return candidates
        latest = max(exact, key=lambda i: i.day)
        return [latest, *(i for i in candidates if i is not latest)]

    def _pay_items(self, pay: _Pay, candidates: list[_Item]) -> tuple[Decimal, list[str]]:
        left = pay.amount
        used: list[str] = []
        for item in candidates:
            if left <= 0:
                break
            take = min(left, item.open)
            self.book.pay(item, take)
            left -= take
            used.append(item.voucher)
            if item.open == 0:
                item.paid_on = pay.day
        return left, used

    def _refund(self, pay: _Pay) -> bool:
        """Money paid back: to the member the text names, else to the one credit of its amount."""
        open_credits = [c for c in self.credits if c.left > 0]
        names = self.finder(pay.text)
        chosen = (
            [c for c in open_credits if c.payment.member == names[0]] if len(names) == 1 else []
        )
        if not chosen:  # no name, or a member with no credit: the one credit of this amount
            exact = [c for c in open_credits if c.left == pay.amount]
            chosen = exact[:1] if len({c.payment.member for c in exact}) == 1 else []
        if not chosen:
            return False
        left = pay.amount
        member = chosen[0].payment.member
        for credit in chosen:
            take = min(left, credit.left)
            credit.left -= take
            left -= take
            if credit.left == 0:  # paid in error and paid back: settled
                self.unmatched = [p for p in self.unmatched if p is not credit.payment]
            if left <= 0:
                break
        self.payments.append(
            Payment(
                day=pay.day,
                amount=-(pay.amount - left),
                source=pay.source,
                method=PaymentMethod.ATERBETALNING,
                voucher=pay.voucher,
                member=member,
            )
        )
        return left == 0
