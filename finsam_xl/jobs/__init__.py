"""The use-case layer: every job a user can run, for every front end.

The command line calls only this package; the Excel button uses
``jobs.evaluate`` with the workbook reader and writer (an open workbook is
another view of a workbook). Each job is one function:

========================  =====================================================
``check``                 read and evaluate a workbook or interchange file
``recalc``                write the computed sheets (atomically, with a backup)
``new`` / ``demo``        a new workbook (from an interchange file or example)
``write_demo_books``      a year of synthetic books that fit the example (SIE/CSV)
``embed_lite``            finsam_xl's xlwings Lite code into a workbook
``export``                the workbook's budget as an interchange file
``reconcile_workbook``    the books against the budget; writes Avstämning
``export_sie``            the budget year as SIE ``#PBUDGET``
``overview_of``           many budgets in one overview workbook (or JSON)
``write_report``          the budget section as a Word document (and PDF)
``write_next_year``       next year's workbook from this year's
``write_letters``         one request letter per member (Word, and PDF)
``write_invoices``        the fakturaplan as CSV or SIE customer invoices
========================  =====================================================

Every job returns an ``Outcome`` (``jobs.outcome``: the budget, the result,
the findings, what was written) or a subclass with what that job adds; a file
or option that cannot be used raises a ``finsam_xl.errors.FinsamError``.

Attributes load their module on first use (PEP 562), so importing the
package costs nothing and xlwings Lite, which has no openpyxl, can import
``finsam_xl.jobs.evaluate``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from finsam_xl.jobs.budget import (
        check,
        demo,
        embed_lite,
        export,
        load_budget,
        new,
        recalc,
    )
    from finsam_xl.jobs.demo_books import write_demo_books
    from finsam_xl.jobs.evaluate import evaluate_read
    from finsam_xl.jobs.members import write_invoices, write_letters
    from finsam_xl.jobs.next_year import next_year_or_raise, parse_amount, write_next_year
    from finsam_xl.jobs.outcome import (
        InvoicesOutcome,
        LettersOutcome,
        Outcome,
        OverviewOutcome,
        ReconOutcome,
        ReportOutcome,
    )
    from finsam_xl.jobs.overview import overview_of
    from finsam_xl.jobs.reconcile import export_sie, parse_period, read_books, reconcile_workbook
    from finsam_xl.jobs.report import write_report

_WHERE = {
    "check": "budget",
    "demo": "budget",
    "embed_lite": "budget",
    "export": "budget",
    "load_budget": "budget",
    "new": "budget",
    "recalc": "budget",
    "evaluate_read": "evaluate",
    "write_next_year": "next_year",
    "next_year_or_raise": "next_year",
    "parse_amount": "next_year",
    "Outcome": "outcome",
    "ReconOutcome": "outcome",
    "ReportOutcome": "outcome",
    "LettersOutcome": "outcome",
    "InvoicesOutcome": "outcome",
    "OverviewOutcome": "outcome",
    "overview_of": "overview",
    "export_sie": "reconcile",
    "parse_period": "reconcile",
    "read_books": "reconcile",
    "reconcile_workbook": "reconcile",
    "write_report": "report",
    "write_demo_books": "demo_books",
    "write_letters": "members",
    "write_invoices": "members",
}

__all__ = [
    "InvoicesOutcome",
    "LettersOutcome",
    "Outcome",
    "OverviewOutcome",
    "ReconOutcome",
    "ReportOutcome",
    "check",
    "demo",
    "embed_lite",
    "evaluate_read",
    "export",
    "export_sie",
    "load_budget",
    "new",
    "write_demo_books",
    "write_next_year",
    "write_report",
    "write_letters",
    "write_invoices",
    "next_year_or_raise",
    "overview_of",
    "parse_amount",
    "parse_period",
    "read_books",
    "recalc",
    "reconcile_workbook",
]


def __getattr__(name: str) -> Any:
    """Load the job's module on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'finsam_xl.jobs' has no attribute {name!r}")
    return getattr(importlib.import_module(f"finsam_xl.jobs.{module}"), name)
