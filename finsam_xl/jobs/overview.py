"""The overview job: many budget files in, one overview workbook (or JSON) out.

Files are read one at a time (in up to ``workers`` processes), and each is
reduced to its ``ForbundSummary`` at once, so memory holds one workbook per
worker however many files there are. A file that cannot be read is listed
with its message; the rest of the overview is still written.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from finsam_xl.core.overview import (
    ForbundSummary,
    Overview,
    Refused,
    build_overview,
    summarise,
)
from finsam_xl.jobs.budget import INTERCHANGE, WORKBOOKS, check
from finsam_xl.jobs.errors import unusable_errors
from finsam_xl.model.labels import os_reason
from finsam_xl.workbook.overview_book import write_overview
from finsam_xl.workbook.safety import WorkbookError, atomic_write, check_output

MAX_FILES = 1000
MAX_MATCHING_BYTES = 1_000_000
KINDS = WORKBOOKS + INTERCHANGE


def collect(inputs: Iterable[Path], skip: Path | None = None) -> list[Path]:
    """The budget files named, and those directly in the folders named (sorted, no duplicates).

    Excel's lock files (``~$…``), our backups (``….backup.xlsx``) and ``skip``
    (the overview being written) are left out. More than ``MAX_FILES`` is refused.
    """
    found: list[Path] = []
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            found.extend(
                p for p in sorted(item.iterdir()) if p.is_file() and p.suffix.lower() in KINDS
            )
        else:
            found.append(item)
    out: list[Path] = []
    seen: set[Path] = set()
    skipped = skip.resolve() if skip is not None else None
    for path in found:
        resolved = path.resolve()
        if resolved in seen or resolved == skipped:
            continue
        if path.name.startswith("~$") or ".backup." in path.name:
            continue
        seen.add(resolved)
        out.append(path)
        if len(out) > MAX_FILES:
            raise WorkbookError(
                f"Fler än {MAX_FILES} filer angavs; dela upp översikten i mindre delar."
            )
    return out


def summarise_file(path: Path) -> ForbundSummary | Refused:
    """Read and evaluate one file; its summary, or why it was refused."""
    if path.suffix.lower() not in KINDS:
        return Refused(
            source=path.name,
            message=f"{path.name}: inte en budget (tar {', '.join(KINDS)}).",
        )
    if not path.is_file():
        return Refused(source=path.name, message=f"{path}: filen finns inte.")
    try:
        outcome = check(path)
    except unusable_errors() as error:
        return Refused(source=path.name, message=str(error))
    if outcome.budget is None or outcome.result is None:
        blocking = "; ".join(f.format() for f in outcome.findings if f.blocking)[:500]
        return Refused(
            source=path.name,
            message=f"{path.name}: budgeten kunde inte läsas ({blocking or 'okänt fel'}).",
        )
    return summarise(outcome.budget, outcome.result, outcome.findings, path.name)


def read_matching(path: Path | None) -> dict[str, str]:
    """The user's matching table: a CSV with the columns 'Namn i budgeten' and 'Medlem'."""
    if path is None:
        return {}
    try:
        raw = path.read_bytes()[: MAX_MATCHING_BYTES + 1]
    except OSError as error:
        raise WorkbookError(
            f"{path}: kan inte läsa matchningstabellen ({os_reason(error)})."
        ) from None
    if len(raw) > MAX_MATCHING_BYTES:
        raise WorkbookError(f"{path}: matchningstabellen är större än 1 MB.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    dialect = ";" if text.count(";") >= text.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=dialect))
    if not rows:
        return {}
    header = [h.strip().casefold() for h in rows[0]]
    try:
        name_col, member_col = header.index("namn i budgeten"), header.index("medlem")
    except ValueError:
        raise WorkbookError(
            f"{path}: matchningstabellen ska ha kolumnerna 'Namn i budgeten' och 'Medlem'."
        ) from None
    table = {}
    for row in rows[1:]:
        if len(row) > max(name_col, member_col) and row[name_col].strip():
            table[row[name_col].strip()] = row[member_col].strip()
    return table


def _results(paths: list[Path], workers: int) -> Iterator[ForbundSummary | Refused]:
    if workers <= 1 or len(paths) < 4:
        yield from map(summarise_file, paths)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        yield from pool.map(summarise_file, paths, chunksize=4)


def overview_of(
    inputs: Iterable[Path],
    out: Path | None = None,
    matching: Path | None = None,
    workers: int | None = None,
) -> tuple[Overview, Path | None]:
    """Read every file, join them, and write the overview workbook to ``out`` when given.

    ``out`` follows the output-path policy (``safety.check_output``): never one of the
    files named, never an existing budget workbook. When no file can be read at all,
    nothing is written and ``WorkbookError`` lists why (exit code 2).
    """
    inputs = [Path(i) for i in inputs]
    if out is not None:
        check_output(Path(out), (".xlsx",), "översikten", [*inputs, matching])
    table = read_matching(matching)
    paths = collect(inputs, skip=out)
    if not paths:
        raise WorkbookError("Inga budgetfiler hittades (.xlsx, .xlsm, .yaml, .json).")
    count = workers if workers is not None else min(2, os.cpu_count() or 1)
    summaries: list[ForbundSummary] = []
    refused: list[Refused] = []
    for item in _results(paths, count):
        if isinstance(item, Refused):
            refused.append(item)
        else:
            summaries.append(item)
    if not summaries:
        reasons = "\n".join(f"  {r.message}" for r in refused[:20])
        more = f"\n  … och {len(refused) - 20} till" if len(refused) > 20 else ""
        raise WorkbookError(
            f"ingen av filerna kunde läsas, så ingen översikt skrevs:\n{reasons}{more}"
        )
    result = build_overview(summaries, refused, table)
    if out is None:
        return result, None
    atomic_write(out, lambda tmp: write_overview(result, tmp))
    return result, out
