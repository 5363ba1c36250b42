"""The next-year job (``finsam-xl nytt-ar`` and the button Nytt år).

The budget is read with the reader, rolled forward by the pure core
(``core.next_year``), and written into a copy of the workbook by the editor
(``workbook.editor``); the copy is read back, evaluated like any workbook and
its computed sheets filled by the writer. The input file is never written.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from finsam_xl.books.closing import closing_equity_from_sie
from finsam_xl.core.next_year import NextYear, NextYearError, roll_forward
from finsam_xl.errors import BlockedError, UsageError
from finsam_xl.jobs.evaluate import evaluate_read
from finsam_xl.jobs.outcome import Outcome
from finsam_xl.model.budget import Budget
from finsam_xl.model.findings import Finding, blocking_text, is_blocked, sort_findings
from finsam_xl.model.money import NumberTextError, parse_number_text
from finsam_xl.model.results import Result
from finsam_xl.parts.lite_part import carry_over
from finsam_xl.workbook.editor import EditedBook, NextYearEditor, append_history
from finsam_xl.workbook.output import check_output
from finsam_xl.workbook.reader import ReadResult, open_workbook, read_book
from finsam_xl.workbook.writer import write_results
from finsam_xl.xlsx.limits import WorkbookError
from finsam_xl.xlsx.safety import atomic_write


def parse_amount(text: str | None, option: str) -> Decimal | None:
    """An amount in kronor typed by the user ("1 665 000"); None when not given."""
    if text is None:
        return None
    try:
        return parse_number_text(text, decimals=2)
    except NumberTextError as error:  # ambiguous '1,665', three decimals, '50 %'
        raise UsageError(f"{option}: {error}.") from None
    except ValueError:
        raise UsageError(
            f"{option}: '{text}' är inget belopp i kronor (t.ex. \"1 665 000\")."
        ) from None


def write_next_year(
    path: Path,
    out: Path,
    *,
    closing_equity: Decimal | None = None,
    state_allocation: Decimal | None = None,
    books: Path | None = None,
    books_encoding: str | None = None,
    target_year: int | None = None,
    today: date | None = None,
    when: datetime | None = None,
    replace: bool | None = None,
) -> Outcome:
    """Write next year's workbook ``out`` from ``path``; the input is never written.

    ``closing_equity`` (kr) or ``books`` (an SIE file whose #UB gives it) replaces
    the forecast opening equity; ``state_allocation`` (kr) sets the new budget
    year's contribution; ``books_encoding`` overrides the detection of the SIE
    file's encoding. Raises ``NextYearError`` (Swedish) for a refused
    rollover, ``UsageError`` for options that cannot be used and ``WorkbookError``
    for an unusable file; input errors in the workbook give an Outcome
    with the findings and nothing written. ``replace`` is ``--skriv-over`` for the
    output-path policy (``workbook.output.check_output``).
    """
    path, out = Path(path), Path(out)
    if books is not None and closing_equity is not None:
        raise UsageError("Ange eget kapital antingen som belopp eller ur bokslutet, inte båda.")
    _check_paths(path, out, [books], replace)
    # One load serves both the reading and the edit; cached values come from a second,
    # read-only load made only when a formula needs one.
    xlsm = path.suffix.lower() == ".xlsm"
    view = EditedBook(open_workbook(path, keep_vba=xlsm, keep_links=True), path, [])
    read = read_book(path.name, view)
    if read.budget is None or is_blocked(read.budget, read.findings):
        return Outcome(read.budget, None, sort_findings(read.findings))
    extra: list[Finding] = []
    if books is not None:
        closing_equity, extra = closing_equity_from_sie(books, read.budget, books_encoding)
    try:
        roll = roll_forward(
            read.budget,
            closing_equity=closing_equity,
            state_allocation=state_allocation,
            today=today or date.today(),
            target_year=target_year,
        )
    except NextYearError as error:
        raise NextYearError(f"{path.name}: {error}") from None
    outcome = Outcome(None, None, [])

    def produce(tmp: Path) -> None:
        draft = tmp.with_name(tmp.stem + ".draft" + tmp.suffix)
        try:
            budget, result = _write_draft(view, draft, out.name, read, roll, extra, when)
            write_results(draft, tmp, budget, result, when)
        finally:
            draft.unlink(missing_ok=True)
        outcome.budget, outcome.result, outcome.findings = budget, result, result.findings

    atomic_write(out, produce)
    carry_over(path, out)  # finsam_xl's xlwings Lite code, if this year's workbook had it
    outcome.written = out.resolve()
    return outcome


def next_year_or_raise(source: Path, out: Path) -> Outcome:
    """The button's entry point (``finsam_xl.excel.button.next_year``): raise unless written."""
    outcome = write_next_year(source, out)
    if outcome.written is None:
        problems = blocking_text(outcome.findings)
        raise BlockedError(f"Rätta felen i arbetsboken först: {problems}", outcome.findings)
    return outcome


def _check_paths(path: Path, out: Path, inputs: list[Path | None], replace: bool | None) -> None:
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        raise UsageError(f"{path}: nytt år görs från en arbetsbok (.xlsx eller .xlsm).")
    lost = "; makron och knappar skulle annars gå förlorade" if suffix == ".xlsm" else ""
    check_output(
        out,
        (suffix,),
        "nästa års arbetsbok",
        [path, *inputs],
        replace,
        why=f"samma filtyp som {path.name}{lost}",
    )


def _write_draft(
    view: EditedBook,
    draft: Path,
    name: str,
    read: ReadResult,
    roll: NextYear,
    extra: list[Finding],
    when: datetime | None,
) -> tuple[Budget, Result]:
    """Edit the loaded workbook, read the edit back, evaluate it; save it to ``draft``."""
    wb = view.wb
    editor = NextYearEditor(wb, read, roll)
    editor.apply()
    extra = [*extra, *editor.formula_warnings()]
    view.inserted = editor.inserted
    append_history(wb, view.path.name, roll, when or datetime.now())
    wb.calculation.fullCalcOnLoad = True
    back = read_book(name, view)
    if is_blocked(back.budget, back.findings):
        problems = blocking_text(back.findings)
        raise WorkbookError(f"den nya arbetsboken kunde inte läsas tillbaka: {problems}")
    outcome = evaluate_read(back, [*roll.findings, *extra])
    assert outcome.budget is not None and outcome.result is not None  # a budget was read back
    wb.save(draft)  # written even when the new budget has input errors: they are its findings
    return outcome.budget, outcome.result
