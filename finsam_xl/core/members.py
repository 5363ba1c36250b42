"""To the members: the invoice plan (fakturaplan), its parties and references.

The letters that ask for the contributions are ``core.letters``; they use this
plan (kept apart so that the Excel paths, which write the Fakturaplan sheet,
carry no letter text).

Pure functions on a budget and its result. The board's decision is
``Budget.adopted`` (and ``Budget.revised`` when the budget was revised). The
figures are the allocation's (``Result.allocation``, the same numbers as the
sheets Fördelning and Not 1); nothing here computes a contribution of its own.

**Parties.** A letter and an invoice go to a *party*: every region and
kommun in Medlemmar is one party; the state side (Försäkringskassan and
Arbetsförmedlingen, however many rows of kind *stat*) is one party, which
pays the whole state half. A party's amount is the sum of its rows.

**Instalments.** ``Settings.payment_frequency`` gives 1, 2, 4 or 12
instalments a year; instalment *k* is invoiced on the first day of its
period (1 January, 1 July, … of the budget year) and due
``Settings.payment_grace_days`` later. Each member row's yearly amount is
split into equal instalments by the largest-remainder rule
(``core.allocation.largest_remainder``), so the instalments add up to the
contribution exactly; the odd kronor go to the first instalments, one each.

**References.** Each invoice has a stable reference
``FÖRBUND-ÅÅÅÅ-MEDLEM-N``, for example ``SD-2025-AVESTA-2``:

* ``FÖRBUND``: the förbund's initials (2-4 letters) from its name without
  the words *samordningsförbund(et)*, *finsam* and *förbundet*
  ("Södra Dalarnas Samordningsförbund" → ``SD``); a one-word name gives its
  first four letters ("Fryksdalens Samordningsförbund" → ``FRYK``);
* ``ÅÅÅÅ``: the budget year;
* ``MEDLEM``: the party's customer code, also its customer object: the first
  word of its name that is not *kommun*, *region*, *med*, … in capitals
  without diacritics, at most 12 characters ("Avesta kommun" → ``AVESTA``,
  "Region Dalarna" → ``DALARNA``); the state side is ``STATEN``. Two parties
  with the same code both get three hex digits of their name's SHA-1 added;
* ``N``: the instalment, 1 to the number of instalments.

The reference depends only on the förbund's name, the year, the party's name
and the instalment: the same budget gives the same references, and a changed
amount keeps them. ``REFERENCE_RE`` finds one in a text. In the SIE form
(``finsam-xl fakturor -o x.se``) the receivable row of each invoice carries
the customer object (dimension 8, *Kund*) and the reference as the invoice
object (dimension 10, *Faktura*), and the voucher text ends with the
reference, so a payment quoting it can be matched by object or by text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from finsam_xl.core.allocation import largest_remainder
from finsam_xl.model.budget import (
    Budget,
    MappingRule,
    MappingTarget,
    MemberKind,
    PaymentFrequency,
)
from finsam_xl.model.labels import KIND_ORDER
from finsam_xl.model.money import ZERO, kr
from finsam_xl.model.results import Result
from finsam_xl.model.text import list_words
from finsam_xl.model.types import Money

#: Instalments a year per payment frequency (Settings.payment_frequency).
INSTALMENTS = {
    PaymentFrequency.AR: 1,
    PaymentFrequency.HALVAR: 2,
    PaymentFrequency.KVARTAL: 4,
    PaymentFrequency.MANAD: 12,
}
#: The receivable (kundfordran) account when Kontomappning names none (BAS 1510).
DEFAULT_RECEIVABLE = "1510"
#: SIE dimensions of the invoice plan's objects (the reconciliation reads the same ones).
DIM_CUSTOMER, DIM_INVOICE = 8, 10
STATE_CODE = "STATEN"
STATE_PARTY = "Försäkringskassan och Arbetsförmedlingen"
#: An invoice reference in any text: förbund, year, party, instalment.
REFERENCE_RE = re.compile(
    r"(?<![A-Z0-9-])([A-Z]{2,4})-(\d{4})-([A-Z0-9]{1,15})-(\d{1,2})(?![0-9-])"
)

_FORBUND_WORDS = frozenset(
    {"samordningsförbund", "samordningsförbundet", "finsam", "förbundet", "förbund", "i", "och"}
)
_MEMBER_WORDS = frozenset(
    {
        "kommun",
        "kommuns",
        "region",
        "regionen",
        "landsting",
        "landstinget",
        "med",
        "och",
        "stad",
        "staden",
        "i",
    }
)
_WORD = re.compile(r"[^\W_]+")


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Party(_Out):
    """Who a letter and its invoices go to: one member, or the state side as one party."""

    name: str  # as in Medlemmar; the state side's rows joined ("A och B") when several
    kind: MemberKind
    members: list[str]  # the Medlemmar rows it stands for
    code: str  # the customer code (SIE object of dimension 8)


class InvoiceRow(_Out):
    """One income row of an invoice: a Medlemmar row's part, on its Kontomappning account."""

    member: str
    account: str | None  # None: Kontomappning maps no account to the member
    amount: Money


class PlannedInvoice(_Out):
    """One instalment of one party: the fakturaplan's row."""

    reference: str
    forbund: str
    party: str
    customer: str
    kind: MemberKind
    year: int
    number: int  # 1 .. count
    count: int
    day: date  # invoice date: the first day of the instalment's period
    due: date
    amount: Money
    receivable: str
    rows: list[InvoiceRow]

    @property
    def account(self) -> str:
        """The income account(s) as one text ('3593', or '3591/3592' for a split party)."""
        return "/".join(dict.fromkeys(r.account or "" for r in self.rows))

    @property
    def text(self) -> str:
        """The invoice text, ending with the reference: what a voucher and a payment quote."""
        part = f" del {self.number} av {self.count}" if self.count > 1 else ""
        return f"Medlemsbidrag {self.year}{part} {self.party} {self.reference}"


class InvoicePlan(_Out):
    """Every party's instalments of the budget year, by party then instalment."""

    forbund: str
    year: int
    frequency: PaymentFrequency
    invoices: list[PlannedInvoice]
    unmapped: list[str]  # members without an income account in Kontomappning

    def of(self, party: str) -> list[PlannedInvoice]:
        """The invoices of one party, in instalment order."""
        return [i for i in self.invoices if i.party == party]


def _ascii_upper(word: str) -> str:
    plain = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]", "", plain).upper()


def forbund_code(name: str) -> str:
    """The förbund's part of a reference: initials, or the first four letters of one word."""
    words = [w for w in _WORD.findall(name) if w.casefold() not in _FORBUND_WORDS]
    words = [_ascii_upper(w) for w in words if _ascii_upper(w)] or [_ascii_upper(name) or "FS"]
    if len(words) == 1:
        code = words[0][:4]
    else:
        code = "".join(w[0] for w in words)[:4]
    return str(code) if len(code) >= 2 else str(code + "FS")[:2]


def _member_word(name: str) -> str:
    words = [_ascii_upper(w) for w in _WORD.findall(name)]
    kept = [
        w
        for w, raw in zip(words, _WORD.findall(name), strict=True)
        if w and raw.casefold() not in _MEMBER_WORDS
    ]
    return (kept or [w for w in words if w] or ["MEDLEM"])[0][:12]


def parties(budget: Budget) -> list[Party]:
    """The letters' and invoices' recipients: the state side first, then Medlemmar's order."""
    state = [m.name for m in budget.members if m.kind is MemberKind.STAT]
    out: list[tuple[str, MemberKind, list[str], str]] = []
    if state:
        name = state[0] if len(state) == 1 else list_words(state)
        out.append((name, MemberKind.STAT, state, STATE_CODE))
    for kind in KIND_ORDER[1:]:
        for member in budget.members:
            if member.kind is kind:
                out.append((member.name, kind, [member.name], _member_word(member.name)))
    codes = [code for *_, code in out]
    result = []
    for name, kind, rows, code in out:
        if codes.count(code) > 1:
            code = code + hashlib.sha1(name.encode("utf-8")).hexdigest()[:3].upper()
        result.append(Party(name=name, kind=kind, members=rows, code=code))
    return result


def reference(forbund: str, year: int, customer: str, number: int) -> str:
    """The invoice reference ``FÖRBUND-ÅÅÅÅ-MEDLEM-N`` (see the module docstring)."""
    return f"{forbund_code(forbund)}-{year}-{customer}-{number}"


def find_references(text: str) -> list[str]:
    """Every invoice reference in ``text`` (a voucher text, a row text, a payment's message)."""
    return [m.group(0) for m in REFERENCE_RE.finditer(text.upper())]


def member_rule(budget: Budget, name: str) -> MappingRule | None:
    """The Kontomappning rule with target Medlem for member ``name`` (case ignored), if any."""
    return next(
        (
            m
            for m in budget.settings.mappings
            if m.target is MappingTarget.MEMBER and (m.name or "").casefold() == name.casefold()
        ),
        None,
    )


def member_account(budget: Budget, name: str) -> str | None:
    """The first account of the member's Kontomappning rule, or None."""
    rule = member_rule(budget, name)
    return rule.accounts.split("-")[0].strip() if rule else None


def receivable_account(budget: Budget) -> str:
    """The first account mapped to Kundfordran, else ``DEFAULT_RECEIVABLE``."""
    rule = next((m for m in budget.settings.mappings if m.target is MappingTarget.RECEIVABLE), None)
    return rule.accounts.split("-")[0].strip() if rule else DEFAULT_RECEIVABLE


# --- instalments and the plan ----------------------------------------------------------------


def instalment_schedule(
    budget: Budget, amount: Decimal, year: int
) -> list[tuple[date, date, Decimal]]:
    """(invoice date, due date, amount) of each instalment of ``amount`` in ``year``.

    Equal parts by the largest-remainder rule: the parts add up to ``amount``
    exactly and the odd kronor go to the first instalments.
    """
    count = INSTALMENTS[budget.settings.payment_frequency]
    split = largest_remainder(amount, [Decimal(1)] * count, [f"{i:02d}" for i in range(count)])
    parts = split[0] if split else [ZERO] * count
    grace = timedelta(days=budget.settings.payment_grace_days)
    step = 12 // count
    days = [date(year, 1 + k * step, 1) for k in range(count)]
    return [(day, day + grace, part) for day, part in zip(days, parts, strict=True)]


def invoice_plan(budget: Budget, result: Result, year: int | None = None) -> InvoicePlan:
    """The fakturaplan of ``year`` (default the budget year): a row per party and instalment."""
    year = year or budget.years.budget
    allocation = result.allocation_for(year)
    receivable = receivable_account(budget)
    count = INSTALMENTS[budget.settings.payment_frequency]
    invoices: list[PlannedInvoice] = []
    unmapped: list[str] = []
    for party in parties(budget):
        schedules = []
        for name in party.members:
            owed = (allocation.amount(name) if allocation else None) or ZERO
            account = member_account(budget, name)
            if account is None and owed:
                unmapped.append(name)
            schedules.append((name, account, instalment_schedule(budget, owed, year)))
        for k in range(count):
            rows = [
                InvoiceRow(member=name, account=account, amount=schedule[k][2])
                for name, account, schedule in schedules
            ]
            amount = sum((r.amount for r in rows), ZERO)
            if not amount:
                continue
            day, due, _ = schedules[0][2][k]
            invoices.append(
                PlannedInvoice(
                    reference=reference(budget.forbund.name, year, party.code, k + 1),
                    forbund=budget.forbund.name,
                    party=party.name,
                    customer=party.code,
                    kind=party.kind,
                    year=year,
                    number=k + 1,
                    count=count,
                    day=day,
                    due=due,
                    amount=amount,
                    receivable=receivable,
                    rows=[r for r in rows if r.amount],
                )
            )
    return InvoicePlan(
        forbund=budget.forbund.name,
        year=year,
        frequency=budget.settings.payment_frequency,
        invoices=invoices,
        unmapped=unmapped,
    )


class PlanChange(_Out):
    """One difference between a previous fakturaplan and this one, by reference."""

    reference: str
    party: str
    before: Money | None  # None: a new invoice
    after: Money | None  # None: an invoice no longer in the plan
    message: str


def compare_plans(
    previous: dict[str, tuple[str, Decimal, date]], plan: InvoicePlan
) -> list[PlanChange]:
    """What changed since ``previous`` (reference -> (party, amount, due date)), by reference."""
    out: list[PlanChange] = []
    current = {i.reference: i for i in plan.invoices}
    for ref, invoice in current.items():
        old = previous.get(ref)
        if old is None:
            out.append(
                PlanChange(
                    reference=ref,
                    party=invoice.party,
                    before=None,
                    after=invoice.amount,
                    message=f"{ref} ({invoice.party}): ny faktura på {kr(invoice.amount)}.",
                )
            )
            continue
        _party, amount, due = old
        parts = []
        if amount != invoice.amount:
            diff = invoice.amount - amount
            sign = "+" if diff > 0 else ""
            parts.append(f"beloppet {kr(amount)} → {kr(invoice.amount)} ({sign}{kr(diff)})")
        if due != invoice.due:
            parts.append(f"förfallodagen {due.isoformat()} → {invoice.due.isoformat()}")
        if parts:
            out.append(
                PlanChange(
                    reference=ref,
                    party=invoice.party,
                    before=amount,
                    after=invoice.amount,
                    message=f"{ref} ({invoice.party}): " + ", ".join(parts) + ".",
                )
            )
    for ref, (party, amount, _due) in previous.items():
        if ref not in current:
            out.append(
                PlanChange(
                    reference=ref,
                    party=party,
                    before=amount,
                    after=None,
                    message=f"{ref} ({party}): finns inte längre i planen (var {kr(amount)}).",
                )
            )
    return out


# --- the letters --------------------------------------------------------------------------------
