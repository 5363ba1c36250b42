"""The adopted budget as SIE #PBUDGET records, for import into the accounting system.

One record per account, cost centre (dimension 1) and month of the budget
year; monthly amounts follow the line's phasing (even by default) and are
split to whole kronor by the largest-remainder rule, so they add up to the
line's amount exactly. Signs follow SIE: costs positive, income negative.
Lines without an account cannot be exported and are listed in a finding.
Members' contributions are exported (as income, evenly per month) on the
account Kontomappning maps each member to; a member without one is a finding.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from finsam_xl.core.allocation import largest_remainder
from finsam_xl.core.evaluate import evaluate
from finsam_xl.core.members import member_rule
from finsam_xl.model.budget import Budget, CostLine, IncomeLine
from finsam_xl.model.findings import Element, Finding, Ref, Severity
from finsam_xl.sie import Account, Dimension, SieObject, budget_records, header_records
from finsam_xl.sie.records import Record


def monthly(line: CostLine | IncomeLine, year: int) -> list[Decimal]:
    """The line's amount for ``year`` split over 12 months by its phasing, in whole kronor."""
    weights = list(line.phasing) if line.phasing else [Decimal(1)] * 12
    split = largest_remainder(
        line.amounts.get(year, Decimal(0)), weights, [f"{m:02d}" for m in range(12)]
    )
    return split[0] if split else [Decimal(0)] * 12


def budget_sie_records(budget: Budget) -> tuple[list[Record], list[Finding]]:
    """Header, accounts, cost centres and #PBUDGET records for the budget year."""
    year = budget.years.budget
    sums = _Sums()
    skipped = sums.add_lines(budget, year)
    unmapped_members = sums.add_members(budget, year)
    rows = [
        (account, ((1, centre),) if centre else (), (year, month), amount)
        for (account, centre, month), amount in sorted(sums.sums.items())
    ]
    if not rows:
        raise ValueError(
            f"Budgeten för {year} har inga rader med konto; ange Konto (och Kostnadsställe) "
            "i tabellen Rader för att kunna exportera till SIE."
        )
    records = [*_declarations(budget, year, sums), *budget_records(rows)]
    return records, _findings(year, sums.names, unmapped_members, skipped)


class _Sums:
    """The monthly #PBUDGET sums per account, cost centre and month, with their names."""

    def __init__(self) -> None:
        self.sums: dict[tuple[str, str, int], Decimal] = defaultdict(Decimal)
        self.names: dict[str, str] = {}
        """Account → name (the first line's, or the member's contribution)."""
        self.centres: dict[str, str] = {}
        """Cost centre → name (the first line's section)."""

    def add_lines(self, budget: Budget, year: int) -> list[str]:
        """Add the cost lines (positive) and income lines (negative) of ``year``.

        Return the names of the lines with an amount but no account (left out).
        """
        sums, names, centres = self.sums, self.names, self.centres
        skipped = []
        lines: list[tuple[int, CostLine | IncomeLine]] = [(1, c) for c in budget.costs]
        lines += [(-1, i) for i in budget.income]
        for sign, line in lines:
            if not line.amounts.get(year):
                continue
            if not line.account:
                skipped.append(line.name)
                continue
            names.setdefault(line.account, line.name)
            if line.cost_centre:
                centres.setdefault(line.cost_centre, line.section or line.cost_centre)
            for month, amount in enumerate(monthly(line, year), start=1):
                sums[(line.account, line.cost_centre or "", month)] += sign * amount
        return skipped

    def add_members(self, budget: Budget, year: int) -> list[str]:
        """Add the members' contributions as income, evenly per month, on their mapped account.

        Return the members with a contribution but no account (left out).
        """
        allocation = evaluate(budget).allocation_for(year)
        unmapped_members = []
        for member in budget.members:
            owed = allocation.amount(member.name) if allocation else None
            if not owed:
                continue
            rule = member_rule(budget, member.name)
            if rule is None:
                unmapped_members.append(member.name)
                continue
            account = rule.accounts.split("-")[0].strip()
            centre = rule.object if rule.object and rule.dimension in (None, 1) else ""
            self.names.setdefault(account, f"Medlemsbidrag {member.name}")
            even = largest_remainder(owed, [Decimal(1)] * 12, [f"{m:02d}" for m in range(12)])
            for month, amount in enumerate(even[0] if even else [], start=1):
                self.sums[(account, centre, month)] -= amount
        return unmapped_members


def _declarations(budget: Budget, year: int, sums: _Sums) -> list[Record]:
    """The header, the accounts and the cost centres (dimension 1) the records use."""
    records: list[Record] = [
        *header_records(
            company_name=budget.forbund.name,
            orgnr=budget.forbund.org_nr or "",
            sie_type=3,
            fiscal_years={0: (date(year, 1, 1), date(year, 12, 31))},
        )
    ]
    records += [Account(a, n) for a, n in sorted(sums.names.items())]
    if sums.centres:
        records.append(Dimension(1, "Kostnadsställe"))
        records += [SieObject(1, c, n) for c, n in sorted(sums.centres.items())]
    return records


def _findings(
    year: int, names: dict[str, str], unmapped_members: list[str], skipped: list[str]
) -> list[Finding]:
    """Account groups exported, members without an account, lines without an account."""
    findings = []
    short = sorted({a for a in names if len(a) < 4})
    if short:
        findings.append(
            Finding(
                rule="export.account-group",
                severity=Severity.INFO,
                message=(
                    f"Kontona {', '.join(short)} är kontogrupper (färre än fyra siffror), inte "
                    "konton; kontrollera att ekonomisystemet tar emot budget på den nivån."
                ),
                ref=Ref(element=Element.COST, field="account"),
            )
        )
    if unmapped_members:
        findings.append(
            Finding(
                rule="export.member-unmapped",
                severity=Severity.WARNING,
                message=(
                    f"Medlemsbidraget kom inte med för {', '.join(unmapped_members)}: koppla "
                    "ett konto till medlemmen (Mål Medlem) i tabellen Kontomappning."
                ),
                ref=Ref(element=Element.SETTINGS, field="mappings"),
            )
        )
    if skipped:
        findings.append(
            Finding(
                rule="export.no-account",
                severity=Severity.WARNING,
                message=(
                    f"{len(skipped)} rader med belopp {year} saknar konto och kom inte med i "
                    f"SIE-filen (första: '{skipped[0]}')."
                ),
                ref=Ref(element=Element.COST, field="account"),
            )
        )
    return findings
