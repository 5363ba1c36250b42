"""What a job returns: the budget, the result and every finding, and what was written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from finsam_xl.model.budget import Budget
from finsam_xl.model.findings import Finding
from finsam_xl.model.recon import ReconResult
from finsam_xl.model.results import Result


@dataclass
class Outcome:
    """A job's outcome: the budget and result when they could be computed, and all findings."""

    budget: Budget | None
    result: Result | None
    findings: list[Finding]
    written: Path | None = None
    backup: Path | None = None  # the previous version of ``written``, when one was kept

    @property
    def blocked(self) -> bool:
        """True when input errors kept the job from computing or writing."""
        return self.result is None or any(f.blocking for f in self.findings)


@dataclass
class ReconOutcome:
    """The reconciliation's result and every finding (books, workbook, reconciliation)."""

    recon: ReconResult | None
    findings: list[Finding]
    written: Path | None = None
    sheets: tuple[str, ...] = ()  # the sheets written

    def headline(self) -> list[str]:
        """What kind of books these are, and the forecast, in Swedish."""
        from finsam_xl.core.recon import headline

        return headline(self.recon) if self.recon is not None else []

