"""The overview job: many budget files in, one overview workbook (or JSON) out.

Files are read one at a time (in up to ``workers`` processes), and each is
reduced to its ``ForbundSummary`` at once, so memory holds one workbook per
worker however many files there are. A file that cannot be read is listed
with its message; the rest of the overview is still written.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from finsam_xl.core.overview import (
    ForbundSummary,
    Refused,
    build_overview,
    summarise,
)
from finsam_xl.errors import FinsamError, InputFileError, UsageError
from finsam_xl.jobs.budget import INTERCHANGE, WORKBOOKS, check
from finsam_xl.jobs.outcome import OverviewOutcome
from finsam_xl.model.findings import blocking_text
from finsam_xl.model.labels import os_reason
from finsam_xl.model.text import nfc
from finsam_xl.sheets.overview_book import write_overview
from finsam_xl.workbook.output import check_output
from finsam_xl.xlsx.safety import atomic_write

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
            raise UsageError(
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
    except FinsamError as error:
        return Refused(source=path.name, message=str(error))
    if outcome.budget is None or outcome.result is None:  # unreadable; input errors are listed
        blocking = blocking_text(outcome.findings)
        return Refused(
            source=path.name,
            message=f"{path.name}: budgeten kunde inte läsas ({blocking or 'okänt fel'}).",
        )
    return summarise(outcome.budget, outcome.result, outcome.findings, path.name)


def read_matching(path: Path | None) -> dict[str, str]:
    """The user's matching table: a CSV with the columns 'Namn i budgeten' and 'Medlem'.

    UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode-text", tab
    separated) or Windows-1252; separated by semicolons, commas or tabs. An
    empty table, or a name listed twice with different members, is refused
    with the lines named.
    """
    if path is None:
        return {}
    try:
        raw = path.read_bytes()[: MAX_MATCHING_BYTES + 1]
    except OSError as error:
        raise InputFileError(
            f"{path}: kan inte läsa matchningstabellen ({os_reason(error)})."
        ) from None
    if len(raw) > MAX_MATCHING_BYTES:
        raise InputFileError(f"{path}: matchningstabellen är större än 1 MB.")
    text = nfc(_matching_text(path, raw))
    first = text.lstrip("\r\n").split("\n", 1)[0]
    dialect = max(";,\t", key=first.count)  # ties: semicolon, as Swedish Excel writes
    reader = csv.reader(io.StringIO(text), delimiter=dialect)
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise InputFileError(
            f"{path}: matchningstabellen är tom; den ska ha kolumnerna 'Namn i budgeten' och "
            "'Medlem' och en rad per namn."
        )
    header = [h.strip().casefold() for h in rows[0][1]]
    try:
        name_col, member_col = header.index("namn i budgeten"), header.index("medlem")
    except ValueError:
        raise InputFileError(
            f"{path}: matchningstabellen ska ha kolumnerna 'Namn i budgeten' och 'Medlem' "
            f"(rad {rows[0][0]} har {', '.join(repr(h.strip()) for h in rows[0][1])})."
        ) from None
    table: dict[str, str] = {}
    where: dict[str, tuple[int, str]] = {}  # name as written, compared -> (line, name)
    clashes: list[str] = []
    for line, row in rows[1:]:
        if len(row) <= max(name_col, member_col) or not row[name_col].strip():
            continue
        name, member = row[name_col].strip(), row[member_col].strip()
        key = " ".join(name.split()).casefold()
        if key in where:
            first_line, first_name = where[key]
            if (
                " ".join(table[first_name].split()).casefold()
                != " ".join(member.split()).casefold()
            ):
                clashes.append(
                    f"'{name}' står på rad {first_line} (medlem '{table[first_name]}') och på "
                    f"rad {line} (medlem '{member}')"
                )
            continue
        where[key] = (line, name)
        table[name] = member
    if clashes:
        raise InputFileError(
            f"{path}: matchningstabellen anger olika medlemmar för samma namn: "
            + "; ".join(clashes[:5])
            + (" …" if len(clashes) > 5 else "")
            + ". Behåll en rad per namn."
        )
    if not table:
        raise InputFileError(
            f"{path}: matchningstabellen har rubrikerna men inga namn; lägg till en rad per "
            "namn under 'Namn i budgeten' och 'Medlem'."
        )
    return table


def _matching_text(path: Path, raw: bytes) -> str:
    """The matching table's bytes as text: UTF-16 by its BOM, UTF-8, else Windows-1252."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InputFileError(
                f"{path}: matchningstabellen börjar som UTF-16 men kan inte läsas som det; "
                "spara den på nytt som CSV UTF-8."
            ) from None
    if b"\x00" in raw:
        raise InputFileError(
            f"{path}: matchningstabellen är inte text i UTF-8, UTF-16 med BOM eller "
            "Windows-1252 (den innehåller NUL-tecken); spara den som CSV UTF-8 i Excel."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


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
) -> OverviewOutcome:
    """Read every file, join them, and write the overview workbook to ``out`` when given.

    ``out`` follows the output-path policy (``workbook.output.check_output``): never one of the
    files named, never an existing budget workbook. When no file can be read at all,
    nothing is written and ``InputFileError`` lists why (exit code 2).
    """
    inputs = [Path(i) for i in inputs]
    if out is not None:
        check_output(Path(out), (".xlsx",), "översikten", [*inputs, matching])
    table = read_matching(matching)
    paths = collect(inputs, skip=out)
    if not paths:
        raise UsageError("Inga budgetfiler hittades (.xlsx, .xlsm, .yaml, .json).")
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
        raise InputFileError(
            f"ingen av filerna kunde läsas, så ingen översikt skrevs:\n{reasons}{more}"
        )
    result = build_overview(summaries, refused, table)
    own = [p.finding for p in result.findings if p.finding.rule.startswith("overview.")]
    outcome = OverviewOutcome(None, None, own, overview=result)  # each file's are in ``overview``
    if out is not None:
        atomic_write(out, lambda tmp: write_overview(result, tmp))
        outcome.written = out
    return outcome
