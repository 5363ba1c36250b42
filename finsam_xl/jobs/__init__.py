"""The workbook jobs the command line and the button share: new, check, recalc, export.

Each job reads through ``reader``, computes with the core, and writes through
``writer`` with ``safety.atomic_write``; none of them touches input cells.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from finsam_xl.books import Books
from finsam_xl.core import evaluate
from finsam_xl.model.budget import Budget
from finsam_xl.model.findings import Finding, Severity, sort_findings
from finsam_xl.model.recon import ReconResult
from finsam_xl.model.results import Result
from finsam_xl.workbook.reader import ReadResult, read_workbook
from finsam_xl.workbook.safety import WorkbookError, atomic_write
from finsam_xl.workbook.template import write_template
from finsam_xl.workbook.writer import write_results

if TYPE_CHECKING:
    from finsam_xl.workbook.package import Package


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


def new(
    budget: Budget,
    out: Path,
    xlsm: bool = False,
    when: datetime | None = None,
    protect: bool = True,
) -> Outcome:
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
            write_template(budget, draft, xlsm=xlsm, protect=protect)
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


@dataclass
class ReconOutcome:
    """The reconciliation's result and every finding (books, workbook, reconciliation)."""

    recon: ReconResult | None
    findings: list[Finding]
    written: Path | None = None
    sheets: tuple[str, ...] = ()  # the sheets written


def parse_period(period: str | None, year: int | None, fallback_year: int) -> tuple[int, int]:
    """'2025-08' -> (2025, 8); None -> the books' year (or the budget year), all 12 months."""
    if period is None:
        return (year or fallback_year), 12
    try:
        y, m = (int(p) for p in period.split("-"))
        if not 1 <= m <= 12:
            raise ValueError
    except ValueError:
        raise WorkbookError(f"Perioden '{period}' ska skrivas ÅÅÅÅ-MM, t.ex. 2025-08.") from None
    return y, m


def read_books(path: Path, capture: Callable[[str], bool] | None = None) -> Books:
    """SIE (.se/.si/.sie) or general-ledger CSV (.csv) into a ledger.

    ``capture``: accounts whose vouchers are kept whole (members' invoices and payments).
    """
    from finsam_xl.books.ledger import read_csv_books, read_sie_books

    if path.suffix.lower() == ".csv":
        return read_csv_books(path, capture=capture)
    return read_sie_books(path, capture=capture)


def reconcile_workbook(
    path: Path, books_path: Path, period: str | None = None, write: bool = True
) -> ReconOutcome:
    """Reconcile a workbook with the books and write its Avstämning sheet (atomically)."""
    from finsam_xl.core.receivables import capture_predicate
    from finsam_xl.core.recon import reconcile

    outcome = check(path)
    if outcome.blocked or outcome.budget is None or outcome.result is None:
        return ReconOutcome(None, outcome.findings)
    books = read_books(books_path, capture_predicate(outcome.budget))
    if any(f.severity is Severity.ERROR for f in books.findings):
        return ReconOutcome(None, sort_findings(books.findings))  # bad books: write nothing
    year, months = parse_period(period, books.year, outcome.budget.years.budget)
    if books.year is not None and year != books.year:
        raise WorkbookError(
            f"Perioden {period} ligger utanför bokföringens räkenskapsår {books.year} "
            f"({books_path.name}); välj en månad {books.year}-01 till {books.year}-12."
        )
    recon = reconcile(outcome.budget, outcome.result, books.ledger, year, months)
    findings = sort_findings(books.findings + recon.findings)
    recon = recon.model_copy(update={"findings": findings})
    result = ReconOutcome(recon, findings)
    if write:
        from finsam_xl.workbook import schema as S
        from finsam_xl.workbook.followup_sheet import build_followup_grids
        from finsam_xl.workbook.recon_sheet import build_recon_grids
        from finsam_xl.workbook.writer import Grid, write_grids

        placed: list[Finding] = []
        plan = outcome.result

        written: list[str] = []

        def build(pkg: Package) -> dict[str, tuple[Grid, int]]:
            grids = build_recon_grids(recon, pkg, placed)
            if S.N_FOLLOWUP in pkg.names:  # workbooks made before the sheet existed lack it
                grids.update(build_followup_grids(recon, plan, pkg))
            written[:] = list(grids)
            return grids

        def produce(tmp: Path) -> None:
            write_grids(path, tmp, (S.N_RECON,), build)

        atomic_write(path, produce)
        result.written = path
        result.findings = placed or findings
        result.sheets = tuple(written)
    return result


def export_sie(path: Path, out: Path) -> list[Finding]:
    """Write the adopted budget year as #PBUDGET records per account, cost centre and month."""
    from finsam_xl.books.pbudget import budget_sie_records
    from finsam_xl.sie import write_sie

    outcome = check(path)
    if outcome.blocked or outcome.budget is None:
        raise WorkbookError(
            f"{path}: budgeten kunde inte läsas; rätta felen först ("
            + "; ".join(f.format() for f in outcome.findings if f.blocking)[:300]
            + ")."
        )
    try:
        records, findings = budget_sie_records(outcome.budget)
    except ValueError as error:
        raise WorkbookError(f"{path}: {error}") from None

    def produce(tmp: Path) -> None:
        write_sie(records, tmp)

    atomic_write(out, produce)
    return findings
