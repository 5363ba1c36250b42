"""The checks a careful auditor would make, as a list of small functions.

Each check takes the budget and the computed result and yields findings. To
add one, write the function in the module for its topic and list it in
``CHECKS``. ``run_checks`` runs them all and never stops at the first problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from finsam_xl.model.budget import Budget
from finsam_xl.model.findings import Finding, sort_findings
from finsam_xl.model.results import Result
from finsam_xl.rules import calendar, contributions, equity, lines, members, published

Check = Callable[[Budget, Result], Iterable[Finding]]

CHECKS: list[Check] = [
    members.check_duplicate_members,
    members.check_keys,
    contributions.check_contribution_entries,
    contributions.check_allocation_sum,
    contributions.check_lawful_split,
    contributions.check_member_shares,
    equity.check_negative,
    equity.check_floor,
    equity.check_recommended,
    equity.check_deficit,
    lines.check_blank_and_duplicate,
    lines.check_years_outside,
    lines.check_insats,
    lines.check_admin_share,
    calendar.check_plan_length,
    calendar.check_adoption_date,
    published.check_published_totals,
    published.check_table_heading,
]


def run_checks(budget: Budget, result: Result) -> list[Finding]:
    """Run every check; findings sorted errors first, in check order within a severity."""
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(budget, result))
    return sort_findings(findings)
