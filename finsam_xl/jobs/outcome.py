"""What a job returns: one family of outcomes, with one idea of "blocked".

Every job returns an ``Outcome`` or a subclass that adds what that job makes:
the budget and result when they could be computed, every finding, and what was
written. ``blocked`` is ``model.findings.is_blocked`` on the job's product (the
result; the reconciliation; the overview); ``computed()`` narrows an outcome to
``(budget, result)`` for mypy and raises ``BlockedError`` when the job was blocked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from finsam_xl.errors import BlockedError
from finsam_xl.model.budget import Budget
from finsam_xl.model.findings import Finding, blocking_text, is_blocked
from finsam_xl.model.recon import ReconResult
from finsam_xl.model.results import Result

if TYPE_CHECKING:
    from finsam_xl.core.letters import MemberLetter
    from finsam_xl.core.members import InvoicePlan, PlanChange
    from finsam_xl.core.overview import Overview


@dataclass
class Outcome:
    """A job's outcome: the budget and result when they could be computed, and all findings."""

    budget: Budget | None
    result: Result | None
    findings: list[Finding]
    written: Path | None = None
    backup: Path | None = None  # the previous version of ``written``, when one was kept

    def product(self) -> object | None:
        """What the job computes from its input; None when it could not (the result here)."""
        return self.result

    @property
    def blocked(self) -> bool:
        """True when input errors kept the job from computing or writing."""
        return is_blocked(self.product(), self.findings)

    def computed(self) -> tuple[Budget, Result]:
        """The budget and result; raises ``BlockedError`` (Swedish) when the job was blocked."""
        if self.blocked or self.budget is None or self.result is None:
            problems = blocking_text(self.findings) or "; ".join(
                f.format() for f in self.findings[:3]
            )
            raise BlockedError(
                f"Rätta felen i indata först: {problems or 'budgeten kunde inte läsas'}",
                self.findings,
            )
        return self.budget, self.result


@dataclass(kw_only=True)
class ReconOutcome(Outcome):
    """The reconciliation: the budget and result checked, the books' and the reconciliation's
    findings, and the sheets written."""

    recon: ReconResult | None = None
    sheets: tuple[str, ...] = ()  # the sheets written

    def product(self) -> object | None:
        """The reconciliation; None when the workbook or the books kept it from being made."""
        return self.recon

    def headline(self) -> list[str]:
        """What kind of books these are, and the forecast, in Swedish."""
        from finsam_xl.core.recon import headline

        return headline(self.recon) if self.recon is not None else []


@dataclass(kw_only=True)
class ReportOutcome(Outcome):
    """What ``write_report`` did: ``written`` is the .docx; ``pdf`` and Swedish ``notes``."""

    pdf: Path | None = None
    notes: list[str] = field(default_factory=list)  # Swedish messages for the user


@dataclass(kw_only=True)
class LettersOutcome(Outcome):
    """What ``write_letters`` did: the letters and the files written (``written``: the folder)."""

    letters: list[MemberLetter] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # Swedish messages for the user


@dataclass(kw_only=True)
class InvoicesOutcome(Outcome):
    """What ``write_invoices`` did: the plan, what changed since the previous one, the file."""

    plan: InvoicePlan | None = None
    changes: list[PlanChange] = field(default_factory=list)
    plan_findings: list[Finding] = field(default_factory=list)  # the plan's own (unmapped)
    notes: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class OverviewOutcome(Outcome):
    """The overview of many budgets: no single budget, so ``budget`` and ``result`` are None.

    ``findings`` are the overview's own (``overview.*``: a member matched twice, …);
    each file's findings are in ``overview.findings``, refused files in ``overview.refused``.
    """

    overview: Overview

    def product(self) -> object | None:
        """The overview."""
        return self.overview
