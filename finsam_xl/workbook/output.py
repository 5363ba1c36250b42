"""The budget workbook's output policy: where results and new files may be written.

* ``check_output`` is the output-path policy of every command that writes a new
  file (docs/limits.md, "Output files"): the name's suffix, never onto one of
  the command's inputs, never onto an existing budget workbook (unless the
  command's ``--skriv-over`` says so), never onto a folder.
* ``result_name_problem`` says why a defined name for computed results
  (``fx_plan``, ...) must not be written through: it is ``#REF!``, points to a
  sheet that does not exist, to an input sheet or to a user's own sheet.

The file-level safety (limits, atomic write, locks, backups) is ``xlsx.safety``;
this module adds what only a budget workbook knows: its tables and result names.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from finsam_xl.model import schema as S
from finsam_xl.model.schema import RESULT_SHEETS
from finsam_xl.xlsx.cells import split_ref
from finsam_xl.xlsx.safety import MB, WorkbookError, same_file

# --- defined names of the computed results -------------------------------------------------------


def result_name_problem(
    name: str, formula: str | None, tables: Mapping[str, Sequence[str]]
) -> str | None:
    """Why results must not be written through defined name ``name``; None when it is fine.

    ``formula`` is the name's text (None when it is not defined: the caller decides),
    ``tables`` maps every sheet of the workbook to the Excel tables on it (input lives in tables).
    A name must point to a cell on an existing sheet without tables, and a known result name to
    its own computed sheet: Excel moves a name when its cells are cut and pasted elsewhere.
    """
    if formula is None:
        return None
    text = formula.strip().lstrip("=")
    fix = "Återställ namnet i Excel (Formler › Namnhanteraren) eller skapa arbetsboken på nytt."
    if "#REF!" in text.upper():
        return (
            f"Det definierade namnet {name} pekar på {text}: bladet eller cellerna det pekade på "
            f"är borttagna, så resultaten kan inte skrivas. {fix}"
        )
    try:
        sheet, row, col = split_ref(text)
    except ValueError:
        return f"Det definierade namnet {name} pekar på '{text}', som inte är en cell. {fix}"
    if sheet not in tables:
        return (
            f"Det definierade namnet {name} pekar på bladet '{sheet}', som inte finns; "
            f"resultaten kan inte skrivas. {fix}"
        )
    expected = RESULT_SHEETS.get(name)
    if expected is not None and sheet != expected:
        return (
            f"Det definierade namnet {name} pekar på {text} men ska peka på bladet "
            f"'{expected}'; resultaten skrivs aldrig i andra blad (indata eller egna blad). {fix}"
        )
    if tables[sheet]:
        return (
            f"Det definierade namnet {name} pekar på {text}, ett blad med tabellen "
            f"{', '.join(tables[sheet])} (indata); resultaten skrivs inte där. {fix}"
        )
    return None


# --- the output-path policy ----------------------------------------------------------------------

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
    """The output-path policy of every command that writes a new file; WorkbookError if refused.

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
        raise WorkbookError(f"{out}: {what} ska heta {kinds[0]}{others}{given}{reason}.")
    for source in inputs:
        if source is not None and same_file(out, Path(source)):
            raise WorkbookError(
                f"{out}: {what} får inte skriva över en av indatafilerna ({Path(source).name}); "
                "välj ett annat filnamn."
            )
    if out.is_dir():
        raise WorkbookError(f"{out}: är en mapp; ange ett filnamn.")
    if not os.path.lexists(out) or replace:
        return
    if replace is False:
        raise WorkbookError(f"{out} finns redan; välj ett annat namn eller ange --skriv-over.")
    if is_budget_workbook(out):
        raise WorkbookError(
            f"{out}: är en befintlig budgetarbetsbok och skrivs inte över; välj ett annat "
            "filnamn."
        )
