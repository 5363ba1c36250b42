"""The budget jobs: check, recalc, new, export and the demo.

Each job reads through the workbook reader, evaluates with ``evaluate_read``
and writes through the writer with ``safety.atomic_write``; none touches an
input cell. Interchange files (.yaml/.json) are read by ``check`` as well.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from finsam_xl.core.evaluate import evaluate
from finsam_xl.errors import UsageError
from finsam_xl.jobs.evaluate import evaluate_read, stale_finding
from finsam_xl.jobs.outcome import Outcome
from finsam_xl.model import interchange
from finsam_xl.model.budget import Budget
from finsam_xl.model.findings import Finding, Severity, sort_findings
from finsam_xl.parts.lite_part import after_new, check_new_options, embed, report
from finsam_xl.workbook.editor import YearChange
from finsam_xl.workbook.output import check_output
from finsam_xl.workbook.reader import ReadResult, read_workbook, years_disagree
from finsam_xl.workbook.template import starter_budget, write_template
from finsam_xl.workbook.writer import write_results
from finsam_xl.xlsx.limits import WorkbookError
from finsam_xl.xlsx.safety import atomic_write, same_file, write_lock

WORKBOOKS = (".xlsx", ".xlsm")
INTERCHANGE = (".yaml", ".yml", ".json")
DEMO_EXAMPLE = "sodra-dalarna-2025"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def expect(path: Path, kinds: tuple[str, ...], what: str) -> None:
    """Refuse a file of the wrong kind with a message that says what the job takes."""
    if path.suffix.lower() not in kinds:
        raise UsageError(f"{path}: {what} ({', '.join(kinds)}).")


def check(path: Path, freshness: bool = False) -> Outcome:
    """Read and evaluate a workbook or an interchange file; nothing is written.

    ``freshness`` (the command ``check``) adds ``workbook.stale`` when the computed
    sheets were computed from other input than the workbook holds now.
    """
    path = Path(path)
    expect(path, WORKBOOKS + INTERCHANGE, "ange en arbetsbok eller en budgetfil")
    if path.suffix.lower() in INTERCHANGE:
        budget = interchange.load(path)
        result = evaluate(budget)
        return Outcome(budget, result, result.findings)
    read = read_workbook(path)
    outcome = evaluate_read(read)
    stale = stale_finding(read) if freshness else None
    if stale is not None:
        outcome.findings = sort_findings([*outcome.findings, stale])
    return outcome


def recalc(path: Path, out: Path | None = None, when: datetime | None = None) -> Outcome:
    """Recompute and write the computed sheets into ``out`` (default: in place).

    Input errors (blocking findings) stop the job before anything is written.
    The previous file is kept as a backup when writing in place or over ``out``.
    When the year settings and the input tables' year headings disagree (Budgetår
    changed after the amounts were typed), the headings are renamed first
    (``realign_years``).
    """
    path = Path(path)
    expect(path, WORKBOOKS, "recalc tar en arbetsbok")
    if out is not None and same_file(Path(out), path):
        out = None  # -o naming the workbook itself: the same as writing in place
    if out is not None:
        check_output(Path(out), WORKBOOKS, "arbetsboken", [path])
    target = out or path
    with write_lock(target):  # read, compute and write as one, so concurrent runs serialise
        read = read_workbook(path)
        if years_disagree(read.settings_years, read.table_years):
            outcome = realign_years(path, target, read, when)
            if outcome.written is None:
                return outcome
        else:
            outcome = evaluate_read(read)
            if outcome.blocked:
                return outcome
            budget, result = outcome.computed()
            outcome.backup = atomic_write(
                target, lambda tmp: write_results(path, tmp, budget, result, when)
            )
    outcome.written = target
    return outcome


def realign_years(path: Path, target: Path, read: ReadResult, when: datetime | None) -> Outcome:
    """Rename the input tables' year headings to the year settings, then recalc into ``target``.

    The one job besides ``nytt-ar`` that changes input tables: the workbook is
    edited with openpyxl like next year's (``editor.YearRealigner``, the same
    column machinery), read back and evaluated; the computed sheets are then
    filled by the writer and finsam_xl's Lite code is carried over. A year
    column or Medelstilldelning row with an amount that the new years no longer
    need is never removed: the outcome then has the finding and nothing is written.
    """
    from finsam_xl.parts.lite_part import carry_over
    from finsam_xl.workbook.editor import EditedBook, YearRealigner
    from finsam_xl.workbook.reader import open_workbook, read_book

    assert read.settings_years is not None and read.budget_year is not None
    xlsm = path.suffix.lower() == ".xlsm"
    view = EditedBook(open_workbook(path, keep_vba=xlsm, keep_links=True), path, [])
    realigner = YearRealigner(view.wb, read.settings_years, read.budget_year, read.table_years)
    change = realigner.apply()
    if change.refused:
        held = {"read.years-changed"}
        kept = [f for f in read.findings if f.rule not in held]
        return Outcome(read.budget, None, sort_findings([*change.refused, *kept]))
    view.inserted = realigner.inserted
    view.wb.calculation.fullCalcOnLoad = True
    back = read_book(path.name, view)
    outcome = evaluate_read(back, [years_note(change, read.settings_years)])
    if outcome.blocked:
        return outcome
    budget, result = outcome.computed()

    def produce(tmp: Path) -> None:
        draft = tmp.with_name(tmp.stem + ".draft" + tmp.suffix)
        try:
            view.wb.save(draft)
            carry_over(path, draft)  # finsam_xl's xlwings Lite code, if the workbook had it
            write_results(draft, tmp, budget, result, when)
        finally:
            draft.unlink(missing_ok=True)

    outcome.backup = atomic_write(target, produce)
    outcome.written = target
    return outcome


def years_note(change: YearChange, years: list[int]) -> Finding:
    """The info finding that says which year headings recalc renamed, added and removed."""
    parts = []
    for label, items in (
        ("bytte namn", change.renamed),
        ("lade till", change.added),
        ("tog bort (tomma)", change.removed),
    ):
        if items:
            parts.append(f"{label}: {'; '.join(items)}")
    return Finding(
        rule="recalc.years-renamed",
        severity=Severity.INFO,
        message=(
            f"Åren i Inställningar ({years[0]}–{years[-1]}) stämde inte med tabellernas "
            f"årsrubriker, så recalc {' – '.join(parts)}. Beloppen står kvar i sina kolumner "
            "under de nya rubrikerna och inget belopp har tagits bort; kontrollera att de hör "
            "till rätt år. Formler som pekar på en årskolumn följer med."
        ),
    )


def load_budget(source: Path | None, year: int | None = None) -> Budget:
    """The budget of an interchange file, or an empty starter budget for ``year``."""
    if source is None:
        return starter_budget(year or date.today().year + 1)
    expect(Path(source), INTERCHANGE, "--fran tar en budgetfil i utbytesformatet")
    return interchange.load(source)


def new(
    budget: Budget,
    out: Path,
    xlsm: bool = False,
    when: datetime | None = None,
    protect: bool = True,
    lite: bool | None = False,
    server: str | None = None,
    replace: bool | None = None,
    source: Path | None = None,
) -> Outcome:
    """Create a workbook for ``budget`` and fill its computed sheets.

    ``lite`` adds finsam_xl's code for xlwings Lite (None: in an .xlsx, not in
    an .xlsm); ``server`` makes an .xlsm's buttons call the server at that address.
    A workbook with Lite code or server buttons gets no sheet protection: neither
    Lite nor xlwings' VBA client (``setValues`` in Remote.bas writes ``Range.Value``
    directly) can lift it, and Beräkna would stop at the first computed sheet
    (error 1004). ``protect`` therefore matters only for the desktop .xlsm and an
    .xlsx without Lite.
    ``replace`` and ``source`` (the interchange file read) are for the output-path
    policy, ``workbook.output.check_output``.
    """
    check_output(out, WORKBOOKS, "arbetsboken", [source], replace)
    xlsm = xlsm or out.suffix.lower() == ".xlsm"
    if xlsm and out.suffix.lower() != ".xlsm":
        raise UsageError(f"{out}: en arbetsbok med knappar och makron ska heta .xlsm.")
    check_new_options(out, server)
    if server is not None or (lite if lite is not None else not xlsm):
        protect = False
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
    after_new(out, lite=lite, server=server)
    return outcome


def embed_lite(path: Path, force: bool = False) -> str:
    """Add or update finsam_xl's xlwings Lite code in a workbook; the Swedish report."""
    expect(Path(path), WORKBOOKS, "lite tar en arbetsbok")
    return report(path, embed(path, force=force))


def export(path: Path, out: Path) -> Outcome:
    """Write the workbook's budget to an interchange file (.yaml or .json).

    Nothing is written when the budget cannot be read; the outcome then carries
    the blocking findings and ``written`` is None.
    """
    check_output(Path(out), INTERCHANGE, "budgetfilen", [path])
    outcome = check(path)
    budget = outcome.budget
    if budget is None or outcome.blocked:
        outcome.findings = [f for f in outcome.findings if f.blocking]
        return outcome
    outcome.backup = atomic_write(Path(out), lambda tmp: interchange.dump(budget, tmp))
    outcome.written = Path(out)
    return outcome


def demo(out: Path) -> Outcome:
    """The bundled example end to end: a new workbook, recalculated in place."""
    new(interchange.load(EXAMPLES / f"{DEMO_EXAMPLE}.yaml"), out)
    outcome = recalc(out)
    if outcome.backup is not None:
        outcome.backup.unlink(missing_ok=True)  # the demo's own first version is no user data
        outcome.backup = None
    return outcome
