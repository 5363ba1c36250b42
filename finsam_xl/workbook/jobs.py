"""The workbook jobs the command line and the button share: new, check, recalc, export.

Each job reads through ``reader``, computes with the core, and writes through
``writer`` with ``safety.atomic_write``; none of them touches input cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from finsam_xl.core import evaluate
from finsam_xl.model.budget import Budget
from finsam_xl.model.findings import Finding, sort_findings
from finsam_xl.model.results import Result
from finsam_xl.workbook.reader import ReadResult, read_workbook
from finsam_xl.workbook.safety import WorkbookError, atomic_write
from finsam_xl.workbook.template import write_template
from finsam_xl.workbook.writer import write_results


@dataclass
class Outcome:
    """A job's outcome: the budget and result when they could be computed, and all findings."""

    budget: Budget | None
    result: Result | None
    findings: list[Finding]
    written: Path | None = None

    @property
    def blocked(self) -> bool:
        """True when input errors kept the job from computing or writing."""
        return self.result is None or any(f.blocking for f in self.findings)


def check(path: Path) -> Outcome:
    """Read and evaluate a workbook; nothing is written."""
    read = read_workbook(path)
    return _evaluate(read)


def _evaluate(read: ReadResult) -> Outcome:
    if read.budget is None:
        return Outcome(None, None, sort_findings(read.findings))
    result = evaluate(read.budget)
    findings = sort_findings(read.findings + read.locator.place(result.findings))
    result = result.model_copy(update={"findings": findings})
    return Outcome(read.budget, result, findings)


def recalc(path: Path, out: Path | None = None, when: datetime | None = None) -> Outcome:
    """Recompute and write plan, allocation and findings into ``out`` (default: in place).

    Input errors (blocking findings) stop the job before anything is written.
    The previous file is kept as a backup when writing in place or over ``out``.
    """
    outcome = check(path)
    if outcome.blocked or outcome.budget is None or outcome.result is None:
        return outcome
    target = out or path
    budget, result = outcome.budget, outcome.result
    atomic_write(target, lambda tmp: write_results(path, tmp, budget, result, when))
    outcome.written = target
    return outcome


def new(budget: Budget, out: Path, xlsm: bool = False, when: datetime | None = None) -> Outcome:
    """Create a workbook for ``budget`` and fill its computed sheets."""
    if out.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WorkbookError(f"{out}: filnamnet ska sluta på .xlsx eller .xlsm.")
    xlsm = xlsm or out.suffix.lower() == ".xlsm"
    if xlsm and out.suffix.lower() != ".xlsm":
        raise WorkbookError(f"{out}: en arbetsbok med knappar och makron ska heta .xlsm.")
    outcome: Outcome | None = None

    def produce(tmp: Path) -> None:
        nonlocal outcome
        draft = tmp.with_name(tmp.stem + ".draft" + tmp.suffix)
        try:
            write_template(budget, draft, xlsm=xlsm)
            outcome = check(draft)
            if outcome.result is None or outcome.budget is None:
                raise WorkbookError(
                    "den nya arbetsboken kunde inte läsas tillbaka: "
                    + "; ".join(f.format() for f in outcome.findings[:3])
                )
            write_results(draft, tmp, outcome.budget, outcome.result, when)
        finally:
            draft.unlink(missing_ok=True)

    atomic_write(out, produce)
    assert outcome is not None
    outcome.written = out
    return outcome
