"""The budget workbook's output policy: where new files may be written.

* ``check_output`` is the output-path policy of every command that writes a new
  file (docs/limits.md, "Output files"): the name's suffix, never onto one of
  the command's inputs, never onto an existing budget workbook (unless the
  command's ``--skriv-over`` says so), never onto a folder.

The file-level safety (limits, atomic write, locks, backups) is ``xlsx.safety``;
this module adds what only a budget workbook knows: its input tables.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from finsam_xl.errors import UsageError
from finsam_xl.model import schema as S
from finsam_xl.xlsx.limits import MB
from finsam_xl.xlsx.safety import same_file

#: Budget workbooks are recognised by these input tables (or the plan's defined name).
_BUDGET_TABLES = (S.T_SETTINGS, S.T_LINES)
_MAX_POLICY_PART = 1 * MB


def is_budget_workbook(path: Path) -> bool:
    """True when ``path`` is a finsam_xl budget workbook (an .xlsx/.xlsm with its input tables).

    Only the small parts that name tables and defined names are read; a file that
    is not a zip package, or is damaged, is not a budget workbook.
    """
    try:
        if not path.is_file() or not zipfile.is_zipfile(path):
            return False
        with zipfile.ZipFile(path) as package:
            for info in package.infolist():
                name = info.filename
                wanted = name == "xl/workbook.xml" or (
                    name.startswith("xl/tables/") and name.endswith(".xml")
                )
                if not wanted or info.file_size > _MAX_POLICY_PART:
                    continue
                text = package.read(info).decode("utf-8", "replace")
                if name == "xl/workbook.xml":
                    if re.search(rf'<(?:\w+:)?definedName[^>]*name="{S.N_PLAN}"', text):
                        return True
                elif any(
                    re.search(rf'<(?:\w+:)?table\b[^>]*\b(?:name|displayName)="{table}"', text)
                    for table in _BUDGET_TABLES
                ):
                    return True
    except (OSError, zipfile.BadZipFile, EOFError, ValueError, RuntimeError):
        return False
    return False


def check_output(
    out: Path,
    kinds: Sequence[str],
    what: str,
    inputs: Sequence[Path | None] = (),
    replace: bool | None = None,
    why: str = "",
) -> None:
    """The output-path policy of every command that writes a new file; UsageError if refused.

    ``kinds``: the suffixes the output may have (the first is the usual one), ``what``
    names the output in Swedish ("SIE-filen"). ``inputs``: the files the command reads;
    the output may be none of them. ``replace``: None for a command without
    ``--skriv-over`` (an existing file is replaced with a backup, unless it is a budget
    workbook), False when ``--skriv-over`` was not given (no existing file is replaced),
    True when it was (any file but an input is replaced, with a backup).
    ``why`` explains the suffix rule in the message ("samma filtyp som budget.xlsm").
    Checked before anything is read, so a refused run writes nothing.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in kinds:
        others = f" (eller {', '.join(kinds[1:])})" if len(kinds) > 1 else ""
        given = f" och inte {out.suffix}" if out.suffix else ""
        reason = f" ({why})" if why else ""
        raise UsageError(f"{out}: {what} ska heta {kinds[0]}{others}{given}{reason}.")
    for source in inputs:
        if source is not None and same_file(out, Path(source)):
            raise UsageError(
                f"{out}: {what} får inte skriva över en av indatafilerna ({Path(source).name}); "
                "välj ett annat filnamn."
            )
    if out.is_dir():
        raise UsageError(f"{out}: är en mapp; ange ett filnamn.")
    if not os.path.lexists(out) or replace:
        return
    if replace is False:
        raise UsageError(f"{out} finns redan; välj ett annat namn eller ange --skriv-over.")
    if is_budget_workbook(out):
        raise UsageError(
            f"{out}: är en befintlig budgetarbetsbok och skrivs inte över; välj ett annat filnamn."
        )
