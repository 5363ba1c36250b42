"""The report job: the budget section of the verksamhetsplan as Word (and PDF) from a workbook.

``write_report`` reads the workbook through ``jobs.check`` (nothing in it is
changed), builds the document with ``finsam_xl.word`` and writes it with
``safety.atomic_write``. With ``pdf=True`` it converts the document through
LibreOffice (``soffice --headless --convert-to pdf``) in a private profile
directory with a time limit; when LibreOffice is not installed, or fails, the
outcome says so in Swedish and the .docx is still written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from finsam_xl.jobs.budget import check
from finsam_xl.jobs.outcome import ReportOutcome
from finsam_xl.workbook.output import check_output
from finsam_xl.xlsx.safety import atomic_write

PDF_TIMEOUT_S = 120  # a budget section converts in a few seconds; a hung soffice is stopped
SOFFICE_NAMES = ("soffice", "libreoffice")


def find_soffice() -> str | None:
    """The LibreOffice executable on PATH, or None."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def write_report(
    path: Path,
    out: Path,
    pdf: bool = False,
    when: datetime | None = None,
    timeout_s: float = PDF_TIMEOUT_S,
) -> ReportOutcome:
    """Write the budget section of workbook ``path`` to ``out`` (.docx), and a PDF beside it.

    Input errors (blocking findings) stop the job before anything is written.
    The workbook itself is only read. ``written`` is the .docx, ``backup`` its
    previous version when one was kept.
    """
    check_output(out, (".docx",), "dokumentet", [path])
    if pdf:
        check_output(out.with_suffix(".pdf"), (".pdf",), "PDF-filen", [path])
    outcome = check(path)
    result = ReportOutcome(outcome.budget, outcome.result, outcome.findings)
    if result.blocked:
        result.notes.append(f"Inget dokument skrevs: rätta felen i {path.name} först.")
        return result
    from finsam_xl.word.budget_section import build_document, write_document

    budget, plan = result.computed()
    doc = build_document(budget, plan, source=path.name, when=when)
    result.backup = atomic_write(out, lambda tmp: write_document(doc, tmp), keep_backup=True)
    result.written = out
    if pdf:
        target = out.with_suffix(".pdf")
        note = convert_to_pdf(out, target, timeout_s)
        if note is None:
            result.pdf = target
        else:
            result.notes.append(note)
    return result


def convert_to_pdf(docx: Path, target: Path, timeout_s: float = PDF_TIMEOUT_S) -> str | None:
    """Convert ``docx`` to ``target`` with LibreOffice; None on success, else a Swedish message.

    LibreOffice runs with a private, throw-away user profile (so it neither
    collides with an open LibreOffice nor changes the user's settings) and is
    stopped after ``timeout_s`` seconds. The PDF is moved into place atomically.
    """
    soffice = find_soffice()
    if soffice is None:
        return (
            "PDF skrevs inte: LibreOffice (soffice) är inte installerat. Öppna "
            f"{docx.name} i Word och välj Arkiv > Spara som > PDF, eller installera "
            "LibreOffice och kör kommandot igen med --pdf."
        )
    with tempfile.TemporaryDirectory(prefix="finsam-pdf-") as work:
        work_dir = Path(work)
        profile = (work_dir / "profile").as_uri()
        command = [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work_dir),
            str(docx.resolve()),
        ]
        try:
            completed = subprocess.run(  # noqa: S603 - fixed argument list, no shell
                command,
                capture_output=True,
                timeout=timeout_s,
                check=False,
                env={**os.environ, "HOME": str(work_dir)},
            )
        except subprocess.TimeoutExpired:
            return (
                f"PDF skrevs inte: LibreOffice blev inte klart inom {timeout_s:.0f} sekunder. "
                f"{docx.name} är skrivet; spara det som PDF från Word."
            )
        produced = work_dir / (docx.stem + ".pdf")
        if completed.returncode != 0 or not produced.exists():
            detail = completed.stderr.decode("utf-8", "replace").strip()[:200]
            return (
                f"PDF skrevs inte: LibreOffice kunde inte konvertera {docx.name}"
                + (f" ({detail})" if detail else "")
                + "."
            )

        def copy(tmp: Path) -> None:
            shutil.copyfile(produced, tmp)

        atomic_write(target, copy, keep_backup=False)
    return None
