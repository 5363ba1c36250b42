"""The members' jobs: the letters (``medlemsbrev``) and the invoice plan (``fakturor``).

Both read the workbook through ``jobs.check`` (nothing in it is changed) and
refuse a workbook with blocking input errors, as ``rapport`` does. The
content is the core's (``core.letters``, ``core.members``); the letters are rendered by
``word.member_letter``, the plan's files by ``books.invoices``; every file is
written with ``safety.atomic_write`` (the previous version kept as a backup).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from finsam_xl.core.letters import MemberLetter, member_letters
from finsam_xl.core.members import compare_plans, invoice_plan
from finsam_xl.errors import InputFileError, UsageError
from finsam_xl.jobs.budget import check
from finsam_xl.jobs.outcome import InvoicesOutcome, LettersOutcome
from finsam_xl.jobs.report import PDF_TIMEOUT_S, convert_to_pdf
from finsam_xl.model.findings import Element, Finding, Ref, Severity
from finsam_xl.xlsx.safety import atomic_write


def letter_filename(letter: MemberLetter) -> str:
    """'medlemsbrev-2025-avesta.docx': the year and the party's customer code."""
    return f"medlemsbrev-{letter.budget_year}-{letter.party.code.lower()}.docx"


def write_letters(
    path: Path,
    out_dir: Path,
    pdf: bool = False,
    contact: str | None = None,
    when: datetime | None = None,
    timeout_s: float = PDF_TIMEOUT_S,
) -> LettersOutcome:
    """Write one letter per member of workbook ``path`` into ``out_dir`` (created if missing).

    ``files`` are the letters (and PDFs) written, ``written`` the folder when any was.
    """
    outcome = check(path)
    result = LettersOutcome(outcome.budget, outcome.result, outcome.findings)
    if result.blocked:
        result.notes.append(f"Inga brev skrevs: rätta felen i {path.name} först.")
        return result
    from finsam_xl.word.member_letter import build_letter, letter_base, write_letter

    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: ska vara en mapp för breven, inte en fil.")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{out_dir}: mappen kan inte skapas ({error.strerror}).") from None
    budget, plan = result.computed()
    result.letters = member_letters(budget, plan, contact)
    if not result.letters:
        result.notes.append(f"Inga brev skrevs: budgeten i {path.name} har inga medlemmar.")
    when = when or datetime.now()
    base = letter_base(result.letters[0], when) if result.letters else None
    for letter in result.letters:
        doc = build_letter(letter, when, base)
        target = out_dir / letter_filename(letter)

        def save(tmp: Path, doc: Any = doc) -> None:
            write_letter(doc, tmp)

        atomic_write(target, save, keep_backup=True)
        result.files.append(target)
        result.written = out_dir
        if pdf:
            note = convert_to_pdf(target, target.with_suffix(".pdf"), timeout_s)
            if note is None:
                result.files.append(target.with_suffix(".pdf"))
            else:
                result.notes.append(note)
                pdf = False  # one message is enough; the .docx files are still written
    return result


def write_invoices(path: Path, out: Path, previous: Path | None = None) -> InvoicesOutcome:
    """Write the fakturaplan of workbook ``path`` to ``out`` (.csv, or .se for SIE vouchers).

    ``previous``: a fakturaplan CSV written before; the outcome lists what changed.
    An SIE file needs every member's income account in Kontomappning; without
    one nothing is written and a finding says which members lack it.
    """
    from finsam_xl.books.invoices import plan_csv, plan_sie_records, read_previous
    from finsam_xl.sie import write_sie

    kind = out.suffix.lower()
    if kind not in (".csv", ".se", ".si", ".sie"):
        raise UsageError(f"{out}: fakturaplanen skrivs som .csv eller som SIE (.se).")
    outcome = check(path)
    result = InvoicesOutcome(outcome.budget, outcome.result, outcome.findings)
    if result.blocked:
        result.notes.append(f"Ingen fakturaplan skrevs: rätta felen i {path.name} först.")
        return result
    budget, computed = result.computed()
    plan = invoice_plan(budget, computed)
    result.plan = plan
    if previous is not None:
        try:
            text = previous.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise InputFileError(f"{previous}: kan inte läsas ({error.strerror}).") from None
        except UnicodeDecodeError:
            raise InputFileError(f"{previous}: är inte en fakturaplan i UTF-8 (CSV).") from None
        try:
            result.changes = compare_plans(read_previous(text, previous.name), plan)
        except ValueError as error:  # not a fakturaplan written by this tool
            raise InputFileError(str(error)) from None
    if plan.unmapped:
        result.plan_findings.append(
            Finding(
                rule="invoice.member-unmapped",
                severity=Severity.ERROR if kind != ".csv" else Severity.WARNING,
                message=(
                    f"Inget intäktskonto för {', '.join(plan.unmapped)}: koppla ett konto till "
                    "medlemmen (Mål Medlem) i tabellen Kontomappning."
                    + (
                        " SIE-filen skrevs inte."
                        if kind != ".csv"
                        else " Kolumnen Konto är tom för dem."
                    )
                ),
                ref=Ref(element=Element.SETTINGS, field="mappings"),
            )
        )
        if kind != ".csv":
            return result
    if not plan.invoices:
        result.notes.append(f"Inga fakturor: ingen medlem har ett bidrag för {plan.year}.")
    if kind == ".csv":
        data = ("\ufeff" + plan_csv(plan)).encode("utf-8")

        def produce_csv(tmp: Path) -> None:
            tmp.write_bytes(data)

        atomic_write(out, produce_csv, keep_backup=True)
    else:
        records = plan_sie_records(budget, plan)

        def produce(tmp: Path) -> None:
            write_sie(records, tmp)

        atomic_write(out, produce, keep_backup=True)
    result.written = out
    return result
