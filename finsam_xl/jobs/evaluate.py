"""Read → evaluate → place: the one step every front end shares.

The command line, the Excel button (desktop, Lite, server) and next year's
workbook all read a workbook into a ``ReadResult``, evaluate its budget with
the core and place the core's findings at cells. This module does that once.
It imports only the model and the core, so xlwings Lite (no openpyxl) can use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from finsam_xl.core.evaluate import evaluate
from finsam_xl.jobs.outcome import Outcome
from finsam_xl.model.findings import Finding, Severity, sort_findings
from finsam_xl.model.interchange import digest

if TYPE_CHECKING:
    from finsam_xl.workbook.reader import ReadResult


def evaluate_read(read: ReadResult, extra: Sequence[Finding] = ()) -> Outcome:
    """Evaluate what the reader found; every finding placed at its cell and sorted.

    ``extra`` are findings about the same budget made elsewhere (next year's
    changes, the books' closing equity); they are placed like the core's.
    Without a budget (the input could not be read) only the reader's findings
    are returned and there is no result.
    """
    if read.budget is None:
        return Outcome(None, None, sort_findings([*read.findings, *extra]))
    result = evaluate(read.budget)
    placed = read.locator.place([*result.findings, *extra])
    findings = sort_findings([*read.findings, *placed])
    return Outcome(read.budget, result.model_copy(update={"findings": findings}), findings)


#: The status line's words when the computed sheets are older than the input.
STALE_TEXT = "Beräknade blad är inaktuella; tryck Beräkna."


def stale_finding(read: ReadResult) -> Finding | None:
    """A warning when the computed sheets were computed from other input than the workbook's now.

    The writer stores ``interchange.digest`` of the budget with the computed sheets (every
    front end through the same grids); None when they match, or when the workbook has no
    digest (computed by an older version, or never) or no budget could be read.
    """
    if read.budget is None or read.computed_from is None:
        return None
    if read.computed_from == digest(read.budget):
        return None
    return Finding(
        rule="workbook.stale",
        severity=Severity.WARNING,
        location=read.status_cell,
        message=(
            f"{STALE_TEXT} Indata har ändrats sedan bladen Plan, Fördelning, Budget, Not 1, "
            "Insatser, Eget kapital och Kontroller beräknades, så de visar gamla belopp "
            "(eller kör finsam-xl berakna)."
        ),
    )
