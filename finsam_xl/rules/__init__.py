"""The checks a careful auditor would make, as a list of small functions.

Each check takes the budget and the computed result and yields findings. To
add one, write the function in the module for its topic and list it in
``CHECKS`` with the inputs it relies on. ``run_checks`` runs them in order and
never stops at the first problem.

Dependencies, kept as simple as the list itself: an input check that finds an
*error* names the input it makes untrustworthy (``TAINTS``: rule id -> input).
A later check that ``needs`` that input is skipped, so one missing population
gives one error, not a cascade of wrong sums, a negative equity and advice to
cut costs that all follow from it. One info finding (``checks.skipped``) says
what was left out until the error is fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from finsam_xl.model.budget import Budget
from finsam_xl.model.findings import Finding, Severity, sort_findings
from finsam_xl.model.results import Result
from finsam_xl.rules import (
    calendar,
    contributions,
    equity,
    lines,
    members,
    plausibility,
    published,
)

Check = Callable[[Budget, Result], Iterable[Finding]]

#: The inputs a check can rely on. ``allocation``: members, keys and contributions
#: (who pays what); ``lines``: the cost and income lines; ``equity``: the opening
#: equity. The plan needs all three.
ALLOCATION = frozenset({"allocation"})
LINES = frozenset({"lines"})
PLAN = ALLOCATION | LINES | {"equity"}
NOTHING: frozenset[str] = frozenset()

#: Input errors and the input each makes untrustworthy.
TAINTS: dict[str, str] = {
    "input.member-duplicate": "allocation",
    "input.member-kind-missing": "allocation",
    "input.key-missing": "allocation",
    "input.key-negative": "allocation",
    "input.key-percent-fraction": "allocation",
    "input.key-population-fraction": "allocation",
    "input.contribution-duplicate": "allocation",
    "input.contribution-negative": "allocation",
    "input.cost-negative": "lines",
    "input.income-negative": "lines",
    "input.equity-opening-negative": "equity",
}

#: (check, the inputs it needs), in the order they run: input checks first.
CHECKS: list[tuple[Check, frozenset[str]]] = [
    (members.check_duplicate_members, NOTHING),
    (members.check_keys, NOTHING),
    (members.check_mapping_members, NOTHING),
    (contributions.check_contribution_entries, NOTHING),
    (lines.check_negative_amounts, NOTHING),
    (equity.check_inputs, NOTHING),
    (equity.check_history, NOTHING),
    (plausibility.check_size_and_unit, NOTHING),
    (plausibility.check_percent_settings, NOTHING),
    (contributions.check_allocation_sum, ALLOCATION),
    (contributions.check_lawful_split, ALLOCATION),
    (contributions.check_member_shares, ALLOCATION),
    (contributions.check_state_split, ALLOCATION),
    (equity.check_negative, PLAN),
    (equity.check_floor, PLAN),
    (equity.check_recommended, PLAN),
    (equity.check_deficit, PLAN),
    (lines.check_blank_and_duplicate, NOTHING),
    (lines.check_years_outside, NOTHING),
    (lines.check_insats, NOTHING),
    (lines.check_admin_share, LINES),
    (calendar.check_plan_length, NOTHING),
    (calendar.check_adoption_date, NOTHING),
    (published.check_published_totals, PLAN),
    (published.check_table_heading, NOTHING),
]

#: What a skipped check's module is about, for the ``checks.skipped`` note.
TOPIC_SV = {
    "contributions": "medlemmarnas bidrag och andelar",
    "equity": "eget kapital och resultat",
    "lines": "administrationens andel",
    "published": "de publicerade summorna",
}


def _listing(items: list[str]) -> str:
    """'a', 'a och b', 'a, b och c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def run_checks(budget: Budget, result: Result) -> list[Finding]:
    """Run every check whose inputs are sound; findings sorted errors first, in check order."""
    findings: list[Finding] = []
    broken: set[str] = set()
    skipped: list[str] = []
    for check, needs in CHECKS:
        if needs & broken:
            topic = TOPIC_SV.get(check.__module__.rsplit(".", 1)[-1], check.__name__)
            if topic not in skipped:
                skipped.append(topic)
            continue
        for finding in check(budget, result):
            findings.append(finding)
            if finding.severity is Severity.ERROR and finding.rule in TAINTS:
                broken.add(TAINTS[finding.rule])
    if skipped:
        findings.append(
            Finding(
                rule="checks.skipped",
                severity=Severity.INFO,
                message=(
                    f"Kontrollerna av {_listing(skipped)} gjordes inte, eftersom de bygger på "
                    "indata med fel (se felen ovan); rätta dem och kontrollera igen."
                ),
            )
        )
    return sort_findings(findings)
