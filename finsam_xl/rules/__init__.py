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

A plausibility finding that says the amounts' scale looks wrong (``SUSPECTS``:
a wrong unit, a frame no förbund has) makes the comparison with the published
totals untrustworthy even as a warning: a check that ``needs`` the scale still
runs; its findings are held back and counted in the suspect's message, which is
marked ``cause`` and so shown first (``sort_findings``). A finding more severe
than its suspect (an error behind a warning) is kept, so the exit code does not
hide it, and marked as following from the suspect.
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

#: Findings of any severity that make the amounts' scale untrustworthy: the findings of a
#: check that needs ``scale`` are held back and counted in the suspect's message.
SUSPECTS: dict[str, str] = {
    "plausible.unit": "scale",
    "plausible.frame-size": "scale",
}
SCALE = frozenset({"scale"})

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
    (published.check_published_totals, PLAN | SCALE),
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
    suspect: dict[str, int] = {}  # input -> index of the finding that makes it suspect
    held: dict[int, int] = {}  # that index -> findings held back
    marked: dict[int, int] = {}  # that index -> findings kept but marked as following from it
    rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    for check, needs in CHECKS:
        if needs & broken:
            topic = TOPIC_SV.get(check.__module__.rsplit(".", 1)[-1], check.__name__)
            if topic not in skipped:
                skipped.append(topic)
            continue
        doubted = [suspect[n] for n in sorted(needs) if n in suspect]
        for finding in check(budget, result):
            if doubted:
                cause = findings[doubted[0]]
                if rank[finding.severity] >= rank[cause.severity]:
                    held[doubted[0]] = held.get(doubted[0], 0) + 1
                    continue
                # an error behind a warning is kept (the exit code must not hide it), marked
                marked[doubted[0]] = marked.get(doubted[0], 0) + 1
                finding = finding.model_copy(
                    update={
                        "message": f"{finding.message} (Följer troligen av [{cause.rule}] ovan.)"
                    }
                )
            findings.append(finding)
            if finding.severity is Severity.ERROR and finding.rule in TAINTS:
                broken.add(TAINTS[finding.rule])
            if finding.rule in SUSPECTS:
                suspect.setdefault(SUSPECTS[finding.rule], len(findings) - 1)
    for index in sorted(set(held) | set(marked)):
        cause = findings[index]
        count = held.get(index, 0) + marked.get(index, 0)
        follow = "avvikelse" if count == 1 else "avvikelser"
        when = "som visas först när detta är rättat" if index not in marked else "som står nedan"
        findings[index] = cause.model_copy(
            update={
                "cause": True,
                "message": f"{cause.message} Det förklarar troligen också {count} {follow} mot "
                f"de publicerade summorna (Publicerat), {when}.",
            }
        )
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
