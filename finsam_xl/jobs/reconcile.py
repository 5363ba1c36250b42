"""The reconciliation jobs: the books against the budget, and the budget to the books.

``reconcile_workbook`` reads the workbook and the books (SIE 4 or a general
ledger CSV), reconciles them with the core and writes the sheet Avstämning;
``export_sie`` writes the budget year as ``#PBUDGET`` for the accounting system.
Books with errors never lead to a write.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from pathlib import Path

from finsam_xl.books import Books, BooksError, read_csv_books, read_sie_books
from finsam_xl.books.pbudget import budget_sie_records
from finsam_xl.core.receivables import capture_predicate
from finsam_xl.core.recon import reconcile
from finsam_xl.errors import BlockedError, UsageError
from finsam_xl.jobs.budget import check
from finsam_xl.jobs.outcome import Outcome, ReconOutcome
from finsam_xl.model import schema as S
from finsam_xl.model.findings import Finding, Severity, blocking_text, sort_findings
from finsam_xl.sheets.followup_sheet import build_followup_grids
from finsam_xl.sheets.grid import Grid
from finsam_xl.sheets.recon_sheet import build_recon_grids
from finsam_xl.sie import write_sie
from finsam_xl.workbook.output import check_output
from finsam_xl.workbook.writer import write_grids
from finsam_xl.xlsx.package import Package
from finsam_xl.xlsx.safety import atomic_write, write_lock

#: Errors in the workbook that make a reconciliation wrong: it is not made (nothing written).
RECON_INPUT_ERRORS = frozenset({"mapping.member-unknown"})

#: The names an SIE file may have (the first is the usual one).
SIE_KINDS = (".se", ".si", ".sie")


#: A period as typed: four digits, a hyphen, one or two digits (0–9 only: '２０２５' is refused).
_PERIOD = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)


def parse_period(period: str | None, year: int | None, fallback_year: int) -> tuple[int, int]:
    """'2025-08' -> (2025, 8); None -> the books' year (or the budget year), all 12 months."""
    if period is None:
        return (year or fallback_year), 12
    match = _PERIOD.fullmatch(period.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"Perioden '{period}' ska skrivas ÅÅÅÅ-MM, t.ex. 2025-08.")
    return int(match.group(1)), int(match.group(2))


def read_books(
    path: Path, capture: Callable[[str], bool] | None = None, encoding: str | None = None
) -> Books:
    """SIE (.se/.si/.sie) or general-ledger CSV (.csv) into a ledger.

    ``capture``: accounts whose vouchers are kept whole (members' invoices and payments);
    ``encoding``: the file's encoding instead of the detected one (``--teckenkodning``).
    """
    if path.suffix.lower() == ".csv":
        return read_csv_books(path, capture=capture, encoding=encoding)
    return read_sie_books(path, capture=capture, encoding=encoding)


def reconcile_workbook(
    path: Path,
    books_path: Path,
    period: str | None = None,
    write: bool = True,
    encoding: str | None = None,
) -> ReconOutcome:
    """Reconcile a workbook with the books; write its Avstämning and Uppföljning (atomically).

    A workbook made before Uppföljning existed gets only Avstämning. ``encoding``
    is the books' encoding when the detection must be overridden.
    """
    with write_lock(path) if write else contextlib.nullcontext(False):  # runs serialise
        return _reconcile_workbook(path, books_path, period, write, encoding)


def _reconcile_workbook(
    path: Path, books_path: Path, period: str | None, write: bool, encoding: str | None
) -> ReconOutcome:
    outcome = check(path)
    if outcome.blocked:
        return ReconOutcome(outcome.budget, outcome.result, outcome.findings)
    budget, plan = outcome.computed()
    books = read_books(books_path, capture_predicate(budget), encoding)
    # a mapping to a member the budget does not have would drop that member's vouchers
    mapping = [f for f in outcome.findings if f.rule in RECON_INPUT_ERRORS]
    if mapping or any(f.severity is Severity.ERROR for f in books.findings):  # write nothing
        return ReconOutcome(budget, plan, sort_findings(mapping + books.findings))
    year, months = parse_period(period, books.year, budget.years.budget)
    if books.year is not None and year != books.year:
        raise UsageError(
            f"Perioden {period} ligger utanför bokföringens räkenskapsår {books.year} "
            f"({books_path.name}); välj en månad {books.year}-01 till {books.year}-12."
        )
    years = budget.years.all
    if year not in years:
        # the books' own year, or the --period typed for books without one
        refusal = BooksError if books.year is not None else UsageError
        what = (
            f"Bokföringen {books_path.name} gäller {year}"
            if books.year is not None
            else (f"Perioden {period} gäller {year}")
        )
        raise refusal(
            f"{what}, men arbetsboken {path.name} har budgeten för {budget.years.budget} "
            f"(åren {years[0]}–{years[-1]}). Stäm av med bokföringen för ett av arbetsbokens "
            "år, eller använd arbetsboken för det året. Inget skrevs."
        )
    recon = reconcile(budget, plan, books.ledger, year, months)
    findings = sort_findings(books.findings + recon.findings)
    recon = recon.model_copy(update={"findings": findings})
    result = ReconOutcome(budget, plan, findings, recon=recon)
    if write:
        placed: list[Finding] = []
        written: list[str] = []

        def build(pkg: Package) -> dict[str, tuple[Grid, int]]:
            grids = build_recon_grids(recon, pkg, placed)
            if S.N_FOLLOWUP in pkg.names:
                grids.update(build_followup_grids(recon, plan, pkg))
            written[:] = list(grids)
            return grids

        def produce(tmp: Path) -> None:  # a workbook older than Uppföljning lacks its name
            write_grids(path, tmp, (S.N_RECON,), build, optional=(S.N_FOLLOWUP,))

        atomic_write(path, produce)
        result.written = path
        result.findings = placed or findings
        result.sheets = tuple(written)
    return result


def export_sie(path: Path, out: Path) -> Outcome:
    """Write the adopted budget year as #PBUDGET records per account, cost centre and month.

    The outcome's ``findings`` are the export's own (lines without an account); a
    budget with input errors, or without a line with an account, raises ``BlockedError``.
    """
    check_output(Path(out), SIE_KINDS, "SIE-filen", [path])
    outcome = check(path)
    if outcome.blocked:
        raise BlockedError(
            f"{path}: budgeten kunde inte läsas; rätta felen först ("
            + blocking_text(outcome.findings, 300)
            + ").",
            outcome.findings,
        )
    budget, result = outcome.computed()
    try:
        records, findings = budget_sie_records(budget)
    except ValueError as error:  # no line of the budget year has an account
        raise BlockedError(f"{path}: {error}") from None

    def produce(tmp: Path) -> None:
        write_sie(records, tmp)

    atomic_write(out, produce)
    return Outcome(budget, result, findings, written=Path(out))
