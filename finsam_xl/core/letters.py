"""Each member's request for its contribution (medlemsbrev), as content for a letter.

Pure functions on a budget and its result; ``word.member_letter`` renders a
letter. The figures are the allocation's (the same as Not 1 and Fördelning) and
the instalments and references are the fakturaplan's (``core.members``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from finsam_xl.core.document import Not1Row, not1_table
from finsam_xl.core.members import (
    Party,
    PlannedInvoice,
    invoice_plan,
    parties,
)
from finsam_xl.core.narrative import swedish_date, years_span
from finsam_xl.model.budget import (
    Budget,
    KeyType,
    MemberKind,
    YearKind,
)
from finsam_xl.model.labels import PERIOD_SV
from finsam_xl.model.money import NBSP, ZERO, fmt_pct, kr, pct
from finsam_xl.model.results import Result, YearAllocation
from finsam_xl.model.types import Money, Quantity


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class LetterYear(_Out):
    """One year of a letter's table: the party's amount, the förbund's total, decided or not."""

    year: int
    kind: YearKind
    amount: Money
    total: Money
    decided: bool = True


class MemberLetter(_Out):
    """The content of one member's letter (Begäran om medlemsbidrag); words are Swedish."""

    forbund: str
    org_nr: str | None
    party: Party
    title: str
    budget_year: int
    adopted: date | None
    decision: str
    key_text: str
    share_pct: Quantity | None  # of the budget year's total, as in Not 1
    years: list[LetterYear]
    comparison_year: int | None
    comparison_amount: Money | None
    change_kr: Money | None
    change_pct: Quantity | None
    change_text: str
    instalments: list[PlannedInvoice]
    payment_text: str
    paragraphs: list[str]
    contact: str

    @property
    def amount(self) -> Decimal:
        """The party's contribution for the budget year."""
        return next((y.amount for y in self.years if y.year == self.budget_year), ZERO)


# --- names and references -------------------------------------------------------------------


def _key_text(
    budget: Budget, result: Result, party: Party, key: Decimal | None, share: Decimal | None
) -> str:
    year = budget.years.budget
    allocation = result.allocation_for(year)
    shares = [s for s in (allocation.members if allocation else []) if s.name in party.members]
    if shares and all(s.fixed for s in shares):
        lawful = [s.lawful for s in shares]
        text = f"Ert bidrag är ett fast belopp i förbundets budget för {year}."
        if all(v is not None for v in lawful):
            total = sum((v for v in lawful if v is not None), ZERO)
            paid = sum((s.amount for s in shares), ZERO)
            if total != paid:
                text += (
                    f" Enligt lagens fördelning och förbundets nyckel hade det varit {kr(total)}."
                )
        return text
    if party.kind is MemberKind.STAT:
        text = (
            "Staten betalar hälften av medlemsbidragen enligt lagen (2003:1210) om finansiell "
            "samordning av rehabiliteringsinsatser."
        )
        if share is not None and share != 50:
            text += f" I budgeten är statens del {fmt_pct(share)}."
        return text
    key_type = budget.keys.for_kind(party.kind)
    part = "regionernas" if party.kind is MemberKind.REGION else "kommunernas"
    alone = sum(1 for m in budget.members if m.kind is party.kind) == 1
    if alone:
        single, whose = (
            ("region", "regionen") if party.kind is MemberKind.REGION else ("kommun", "kommunen")
        )
        return f"Som enda {single} betalar {whose} hela {part} fjärdedel av medlemsbidragen."
    if key_type is KeyType.LIKA:
        return f"{part.capitalize()} fjärdedel av medlemsbidragen delas lika mellan dem."
    if key_type is KeyType.PROCENT:
        shown = fmt_pct(key) if key is not None else "–"
        return (
            f"{part.capitalize()} fjärdedel av medlemsbidragen delas efter fasta "
            f"procentandelar enligt förbundsordningen; er andel i nyckeln är {shown}."
        )
    note = (budget.keys.note or "").strip()
    figure = f"{int(key):,}".replace(",", NBSP) + f"{NBSP}invånare" if key is not None else "–"
    basis = (
        note
        if note.casefold().startswith("befolkning")
        else (f"befolkning ({note})" if note else "befolkning")
    )
    return (
        f"{part.capitalize()} fjärdedel av medlemsbidragen delas efter {basis}; "
        f"ert underlag är {figure}."
    )


def _decision(budget: Budget, plan_years: list[int]) -> str:
    span = f" med plan för {years_span(plan_years)}" if plan_years else ""
    year = budget.years.budget
    if budget.adopted is None:
        return (
            f"Styrelsen har ännu inte fastställt budgeten för {year}{span}. Beloppen nedan är "
            "förbundets förslag och kan ändras när styrelsen har beslutat."
        )
    text = (
        f"Styrelsen för {budget.forbund.name} fastställde den "
        f"{swedish_date(budget.adopted)} budgeten för {year}{span}"
    )
    if budget.revised is not None and budget.revised != budget.adopted:
        text += f" och reviderade den den {swedish_date(budget.revised)}"
    return text + "."


def _change(
    amount: Decimal, before: Decimal | None, year: int | None
) -> tuple[Decimal | None, Decimal | None, str]:
    if before is None or year is None:
        return None, None, "Det finns inget belopp för föregående år att jämföra med."
    diff = amount - before
    change_pct = pct(diff, before) if before else None
    if diff == 0:
        return diff, change_pct, f"Beloppet är detsamma som {year} ({kr(before)})."
    word = "ökning" if diff > 0 else "minskning"
    shown = f", {fmt_pct(abs(change_pct))}" if change_pct is not None else ""
    return (
        diff,
        change_pct,
        (f"Jämfört med {year} ({kr(before)}) är det en {word} med {kr(abs(diff))}{shown}."),
    )


def member_letters(
    budget: Budget, result: Result, contact: str | None = None
) -> list[MemberLetter]:
    """One letter per party, with the allocation's figures (the same as Not 1 and Fördelning)."""
    by_name = {r.name: r for r in not1_table(budget, result).rows}
    plan = invoice_plan(budget, result)
    year = budget.years.budget
    plan_years = list(budget.years.plan)
    comparison = budget.years.comparison[-1] if budget.years.comparison else None
    title = f"Begäran om medlemsbidrag {year}" + (
        f" med plan {years_span(plan_years)}" if plan_years else ""
    )
    decision = _decision(budget, plan_years)
    contact_line = contact or (
        f"Frågor om begäran besvaras av förbundschefen för {budget.forbund.name}."
    )
    letters = []
    for party in parties(budget):
        years = _letter_years(budget, result, party)
        amount = next((y.amount for y in years if y.year == year), ZERO)
        before = _party_amount(result, party, comparison)
        change_kr, change_pct, change_text = _change(amount, before, comparison)
        share = _share([by_name[n] for n in party.members if n in by_name], years, year)
        key_text = _key_text(budget, result, party, _key(budget, party), share)
        instalments = plan.of(party.name)
        letters.append(
            MemberLetter(
                forbund=budget.forbund.name,
                org_nr=budget.forbund.org_nr,
                party=party,
                title=title,
                budget_year=year,
                adopted=budget.adopted,
                decision=decision,
                key_text=key_text,
                share_pct=share,
                years=years,
                comparison_year=comparison if before is not None else None,
                comparison_amount=before,
                change_kr=change_kr,
                change_pct=change_pct,
                change_text=change_text,
                instalments=instalments,
                payment_text=_payment_text(budget, instalments),
                paragraphs=[
                    *_request(budget, party, plan_years, decision, amount, share, years),
                    key_text,
                    change_text,
                ],
                contact=contact_line,
            )
        )
    return letters


def _party_sum(allocation: YearAllocation, party: Party) -> Decimal:
    """The party's contribution in a year's allocation (its members' together)."""
    return sum(((allocation.amount(n) or ZERO) for n in party.members), ZERO)


def _party_amount(result: Result, party: Party, year: int | None) -> Decimal | None:
    """The party's contribution in ``year``; None without a year or its allocation."""
    allocation = result.allocation_for(year) if year is not None else None
    return _party_sum(allocation, party) if allocation is not None else None


def _letter_years(budget: Budget, result: Result, party: Party) -> list[LetterYear]:
    """The party's amount and the förbund's total, the budget year and the plan years."""
    years = []
    for allocation in result.allocation:
        if allocation.year < budget.years.budget:
            continue
        entry = budget.contribution(allocation.year)
        years.append(
            LetterYear(
                year=allocation.year,
                kind=budget.years.kind(allocation.year),
                amount=_party_sum(allocation, party),
                total=allocation.total,
                decided=entry.decided if entry else True,
            )
        )
    return years


def _share(rows: list[Not1Row], years: list[LetterYear], year: int) -> Decimal | None:
    """The party's share of the year's contributions: one row's as Not 1 prints it; the
    state side's rows together: computed."""
    if len(rows) == 1:
        return rows[0].share_pct
    total = next((y.total for y in years if y.year == year), ZERO)
    return pct(sum((y.amount for y in years if y.year == year), ZERO), total)


def _key(budget: Budget, party: Party) -> Decimal | None:
    """The member's figure in the key (population or percentage) for a party of one member."""
    member = next((m for m in budget.members if m.name == party.members[0]), None)
    return member.key if member is not None and len(party.members) == 1 else None


def _payment_text(budget: Budget, instalments: list[PlannedInvoice]) -> str:
    """How the contribution is invoiced: in one or several instalments, with a reference."""
    year = budget.years.budget
    if len(instalments) == 1:
        first = instalments[0]
        payment = (
            f"Bidraget för {year} faktureras i en post den {swedish_date(first.day)} "
            f"och ska vara betalt senast den {swedish_date(first.due)}."
        )
    elif instalments:
        payment = (
            f"Bidraget för {year} faktureras i {len(instalments)} delar, en per "
            f"{PERIOD_SV[budget.settings.payment_frequency]}, med förfallodagar enligt "
            "tabellen."
        )
        odd = [i for i in instalments if i.amount != instalments[-1].amount]
        if odd:
            payment += (
                " Delarna är lika stora så när som på hela kronor: de kronor som "
                "blir över läggs en i taget på de första delarna, så att summan blir "
                "exakt årets bidrag."
            )
    else:
        payment = f"Inget bidrag ska faktureras för {year}."
    if instalments:
        payment += (
            " Ange fakturans referens (till exempel "
            f"{instalments[0].reference}) vid betalning, så att betalningen kan "
            "kopplas till rätt faktura."
        )
    return payment


def _request(
    budget: Budget,
    party: Party,
    plan_years: list[int],
    decision: str,
    amount: Decimal,
    share: Decimal | None,
    years: list[LetterYear],
) -> list[str]:
    """The letter's first paragraphs: the request, the board's decision, the amount."""
    year = budget.years.budget
    whom = "staten" if party.kind is MemberKind.STAT else party.name
    return [
        f"{budget.forbund.name} begär härmed medlemsbidrag från {whom} för {year}"
        + (f" och redovisar planerade bidrag för {years_span(plan_years)}." if plan_years else "."),
        decision,
        f"Ert bidrag för {year} är {kr(amount)}"
        + (f", {fmt_pct(share)} av förbundets medlemsbidrag" if share is not None else "")
        + (f" på totalt {kr(years[0].total)}." if years else "."),
    ]
