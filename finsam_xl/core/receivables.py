"""Members' invoices and payments in the books: accrual (kundfordran) or cash basis.

A förbund that follows municipal accounting invoices each member: the voucher
credits the member's account and debits the receivable (kundfordran, 15xx).
The payment later credits the receivable against the bank. In cash-basis
books the member's account is credited straight against the bank. This module
reads the vouchers the books reader kept (those with a row on a member's or a
receivable account), tells which is which, and matches payments to open
invoices, in this order:

1. the SIE object of dimension 10 (*faktura*) on the receivable row, then
   dimension 8 (*kund*), where the books carry them;
2. the member's name in the voucher's or the row's text;
3. the amount of the oldest open invoice;

(with 1's customer or 2's name, the member's invoices are paid oldest first,
except that an open invoice of exactly the payment's amount, the latest one
issued by the payment's day, goes first: a member pays the invoice it just
received, and an older one left open is the one forgotten);
4. what is left of last year's receivable (the opening balance);

and what matches nothing is reported. An invoice is due ``payment_grace_days``
after its date. Invoices on the receivable to other customers than the
members (credited to other income) are kept as open items, so that payments
of them match them, but are left out of the members' figures and counted.

The receivable's balance (opening balance and every row up to the period's
end) must equal the open items: open invoices, what is left of the opening
balance, less payments that matched nothing. Rows that are neither invoice
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

from finsam_xl.model.budget import Budget, MappingTarget
from finsam_xl.model.recon import BookedRow, BookedVoucher, Invoice, Payment, ReceivableRecon

ZERO = Decimal(0)
KUND, FAKTURA = "8", "10"
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


_WORD = re.compile(r"[^\W\d_]+")


def name_matcher(members: list[str]) -> Callable[[str], str | None]:
    """A function giving the one member a voucher text names, or None.

    A member is named by a word of its name that no other member's name has
    (generic words like *kommun* left out), matched at the start of a word of
    the text, genitive -s ignored ("Säters kommun" ~ "Inbetalning Säter").
    """
    words = {m: {_stem(w) for w in _WORD.findall(m.casefold())} - GENERIC_WORDS for m in members}
    counts: dict[str, int] = defaultdict(int)
    for ws in words.values():
        for w in ws:
            counts[w] += 1
    unique = {m: [w for w in ws if counts[w] == 1 and len(w) >= 4] for m, ws in words.items()}

    def named(text: str) -> str | None:
        found = _WORD.findall(text.casefold())
        hits = [m for m, ws in unique.items() if any(t.startswith(w) for w in ws for t in found)]
        return hits[0] if len(hits) == 1 else None

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
    paid: Decimal = ZERO
    paid_on: date | None = None
    last_payment: str = ""

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


@dataclass
class MemberBooks:
    """What the vouchers say about the members, up to the end of the period."""

    kind: str  # "periodiserad", "kontantmässig", "blandad", "okänd"
    invoices: dict[str, list[Invoice]] = field(default_factory=dict)
    payments: dict[str, list[Payment]] = field(default_factory=dict)
    receivable: ReceivableRecon | None = None


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
    grace = timedelta(days=budget.settings.payment_grace_days)
    kept = sorted(
        (v for v in vouchers if v.day.year == year and v.day <= period_end),
        key=lambda v: v.day,
    )
    ranges = receivable_rules(budget)
    guessed = False
    if not ranges:  # the 15xx accounts members are invoiced on, if any
        found = {
            row.account
            for v in kept
            if any(member_of(r) and r.amount < 0 for r in v.rows)
            for row in v.rows
            if row.amount > 0 and _in(row.account, [GUESS_RANGE])
        }
        ranges = [(int(a), int(a)) for a in sorted(found)]
        guessed = bool(ranges)

    named = name_matcher([m.name for m in budget.members])
    items: list[_Item] = []
    pays: list[_Pay] = []
    cash: dict[str, list[Payment]] = defaultdict(list)
    other_rows: list[str] = []
    non_member_count, non_member_amount = 0, ZERO
    for v in kept:
        receivable = [r for r in v.rows if _in(r.account, ranges)]
        by_member: dict[str, Decimal] = defaultdict(Decimal)
        for row in v.rows:
            if not _in(row.account, ranges) and (name := member_of(row)) is not None:
                by_member[name] += row.amount
        if not receivable:
            # cash basis: the member's account against the bank (or cash, or the host's
            # koncernkonto); against anything else (e.g. prepaid income, 29xx, spread over
            # the months) it is not a payment
            if not any(r.account[:1] == "1" and r.amount > 0 for r in v.rows):
                continue
            for name, amount in by_member.items():
                if amount:
                    cash[name].append(
                        Payment(
                            day=v.day, amount=-amount, source=v.source, method="kontant",
                            voucher=v.label,
                        )
                    )
            continue
        left = sum((r.amount for r in receivable), ZERO)
        for name, amount in by_member.items():
            if amount < 0 < left or amount > 0 > left:
                row = _best_row(receivable, -amount)
                if amount < 0:
                    items.append(
                        _Item(
                            name, v.label, v.day, v.day + grace, -amount, row.source or v.source,
                            row.object(FAKTURA), row.object(KUND),
                        )
                    )
                else:
                    pays.append(
                        _Pay(
                            v.day, amount, v.label, row.source or v.source, v.text + " " + row.text,
                            row.object(FAKTURA), row.object(KUND), name, credit_note=True,
                        )
                    )
                left += amount
        if not left:
            continue
        others = [r for r in v.rows if not _in(r.account, ranges) and member_of(r) is None]
        if left < 0 and any(r.account[:1] == "1" and r.amount > 0 for r in others):
            # a payment: one per receivable row when the rows name their invoices
            credit_rows = [r for r in receivable if r.amount < 0]
            if len(credit_rows) > 1 and -sum((r.amount for r in credit_rows), ZERO) == -left:
                for r in credit_rows:
                    pays.append(
                        _Pay(
                            v.day, -r.amount, v.label, r.source or v.source,
                            v.text + " " + r.text, r.object(FAKTURA), r.object(KUND),
                        )
                    )
            else:
                row = _best_row(receivable, left)
                pays.append(
                    _Pay(
                        v.day, -left, v.label, row.source or v.source, v.text + " " + row.text,
                        row.object(FAKTURA), row.object(KUND),
                    )
                )
        elif left > 0 and any(_is_income(r.account) and r.amount < 0 for r in others):
            # an invoice credited to other income, or to prepaid income (29xx) to be spread
            # over the year: a member's if its text names one, else another customer's
            row = _best_row(receivable, left)
            member = named(v.text + " " + row.text)
            items.append(
                _Item(
                    member, v.label, v.day, v.day + grace, left, row.source or v.source,
                    row.object(FAKTURA), row.object(KUND),
                )
            )
            if member is None:
                non_member_count += 1
                non_member_amount += left
        else:
            other_rows.append(f"{v.label} {v.day} {receivable[0].source or v.source}")

    matched: dict[str, list[Payment]] = defaultdict(list)
    unmatched: list[Payment] = []
    all_payments: list[Payment] = []
    pool = max(ZERO, sum((opening.get(a, ZERO) for a in opening if _in(a, ranges)), ZERO))
    opening_total = pool
    book = _OpenItems(items)
    owners: dict[str, str] = {}  # invoice voucher -> its member
    for item in items:
        if item.member is not None:
            owners.setdefault(item.voucher, item.member)
    for pay in sorted(pays, key=lambda p: p.day):
        pool, rest, result = _match(pay, book, named, pool)
        all_payments.append(result)
        if result.method != "ingen" and rest > 0:  # paid more than was open: the rest is loose
            loose = Payment(
                day=pay.day, amount=rest, source=pay.source, method="ingen", voucher=pay.voucher
            )
            all_payments.append(loose)
            unmatched.append(loose)
        if result.method == "ingen":
            unmatched.append(result)
            continue
        if result.method == "ingående balans":
            continue
        owner = pay.member or next(
            (owners[v] for v in result.invoices if v in owners), None
        )
        if owner is not None:
            matched[owner].append(result)

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
                member=item.member, voucher=item.voucher, day=item.day, due=item.due,
                amount=item.amount, paid=item.paid, open=item.open, paid_on=item.paid_on,
                days_late=days_late, overdue=item.open > 0 and item.due < period_end,
                source=item.source, reference=item.faktura or item.kund,
            )
        )
    payments: dict[str, list[Payment]] = defaultdict(list)
    for name in set(cash) | set(matched):
        payments[name] = sorted([*cash.get(name, []), *matched.get(name, [])], key=lambda p: p.day)
    has_invoices = any(invoices.values())
    kind = (
        "blandad" if has_invoices and cash
        else "periodiserad" if has_invoices
        else "kontantmässig" if cash
        else "okänd"
    )
    receivable_recon = None
    if ranges and (items or pays or other_rows or opening_total):
        accounts = sorted(
            {a for a in (*opening, *balances) if _in(a, ranges)}
            | {str(a) for a, b in ranges if a == b}
        )
        balance = sum(
            (opening.get(a, ZERO) + balances.get(a, ZERO) for a in accounts), ZERO
        )
        open_items = (
            sum((i.open for i in items), ZERO)
            + pool
            + min(ZERO, sum((opening.get(a, ZERO) for a in accounts), ZERO))
            - sum((p.amount for p in unmatched), ZERO)
        )
        receivable_recon = ReceivableRecon(
            accounts=accounts,
            guessed=guessed,
            opening=sum((opening.get(a, ZERO) for a in accounts), ZERO),
            opening_left=pool,
            balance=balance,
            open_items=open_items,
            difference=balance - open_items,
            other_rows=other_rows,
            non_member_count=non_member_count,
            non_member_amount=non_member_amount,
            unmatched=unmatched,
            payments=all_payments,
        )
    return MemberBooks(kind, dict(invoices), dict(payments), receivable_recon)


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


def _match(
    pay: _Pay, book: _OpenItems, named: Callable[[str], str | None], pool: Decimal
) -> tuple[Decimal, Decimal, Payment]:
    """Apply one payment to open items: what is left of the opening pool, of the payment, and
    the payment as matched (its matched part when only a part matched)."""
    candidates: list[_Item] = []
    method = "ingen"
    if pay.faktura is not None and (candidates := book.get("faktura", pay.faktura, pay.day)):
        method = "faktura"
    elif pay.kund is not None and (candidates := book.get("kund", pay.kund, pay.day)):
        method = "kund"
    else:
        member = pay.member or named(pay.text)
        if member is not None and (candidates := book.get("member", member, pay.day)):
            method = "kreditering" if pay.credit_note else "namn"
        else:
            exact = book.get("open", pay.amount, pay.day)
            if exact:
                candidates, method = exact[:1], "belopp"
    if method in ("kund", "namn"):
        # a member pays the invoice it just got: an open invoice of exactly this amount,
        # the latest one issued by the payment's day, before older ones
        exact = [i for i in candidates if i.open == pay.amount and i.day <= pay.day]
        if exact:
            latest = max(exact, key=lambda i: i.day)
            candidates = [latest, *(i for i in candidates if i is not latest)]
    left = pay.amount
    used: list[str] = []
    for item in candidates:
        if left <= 0:
            break
        take = min(left, item.open)
        book.pay(item, take)
        left -= take
        used.append(item.voucher)
        if item.open == 0:
            item.paid_on = pay.day
    if left > 0 and pool > 0 and not pay.credit_note:
        take = min(left, pool)
        pool -= take
        left -= take
        if method == "ingen":
            method = "ingående balans"
    return pool, left, Payment(
        day=pay.day, amount=pay.amount - (left if method != "ingen" else ZERO),
        source=pay.source, method=method, voucher=pay.voucher,
        invoices=used,
    )
