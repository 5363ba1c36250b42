"""Where the computed results may be written: the defined names ``fx_plan``, ...

``result_name_problem`` says why a defined name for computed results must not be
written through: it is ``#REF!``, points to a sheet that does not exist, to an
input sheet or to a user's own sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from finsam_xl.model.schema import RESULT_SHEETS
from finsam_xl.xlsx.cells import split_ref


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
