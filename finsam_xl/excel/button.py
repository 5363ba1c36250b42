"""The desktop buttons: called by the workbook's VBA through xlwings' ``RunPython``.

The macros run ``import finsam_xl.excel.button as b; b.recalc()`` (or ``check``,
``next_year``). ``xw.Book.caller()`` attaches to the workbook whose button was
pressed, whatever its file name. Importing this module is cheap (no xlwings,
pydantic or core until a button is pressed), so the interpreter starts fast.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from finsam_xl.errors import FinsamError

if TYPE_CHECKING:
    from finsam_xl.excel.xlbook import Action, Summary
    from finsam_xl.excel.xltypes import XlBook

TITLE = "Finsam XL"
NEXT_YEAR_MODULE = "finsam_xl.jobs.next_year"


def _caller() -> Any:
    import xlwings as xw

    return xw.Book.caller()


def _alert(book: Any, text: str, critical: bool = False) -> None:
    try:
        book.app.alert(text, title=TITLE, buttons="ok", mode="critical" if critical else "info")
    except Exception:  # no message box available: print is all that is left
        print(text)


def _run(action: Action, book: Any = None) -> Summary | None:
    from finsam_xl.excel.xlbook import press

    book = book if book is not None else _caller()
    try:
        return press(cast("XlBook", book), action)
    except Exception as error:  # never leave the user with a Python traceback dialog
        traceback.print_exc(file=sys.stderr)
        _alert(
            book,
            f"Något gick fel i finsam_xl ({type(error).__name__}: {error}). Inget mer "
            "skrevs. Kontakta den som sköter verktyget och bifoga arbetsboken.",
            True,
        )
        return None


def recalc(book: Any = None) -> Summary | None:
    """Beräkna: read the inputs, compute, write the computed sheets (Plan … Kontroller)."""
    return _run("recalc", book)


def check(book: Any = None) -> Summary | None:
    """Kontrollera: run the checks and write only the Kontroller sheet."""
    return _run("check", book)


def next_year(book: Any = None) -> Path | None:
    """Nytt år: next year's workbook, through ``finsam_xl.jobs.next_year`` when installed.

    Contract with that module: ``next_year_or_raise(source: Path, out: Path) -> object``,
    working on the saved file. The new file is written beside this one as
    'NAMN (nästa år).xlsx'; the user is told where.
    """
    book = book if book is not None else _caller()
    function = None
    if importlib.util.find_spec(NEXT_YEAR_MODULE) is not None:
        function = getattr(importlib.import_module(NEXT_YEAR_MODULE), "next_year_or_raise", None)
    if function is None:
        _alert(
            book,
            "Nästa års arbetsbok kan inte skapas härifrån ännu: funktionen finns inte i "
            "den här versionen av finsam_xl.",
        )
        return None
    try:
        source = Path(str(book.fullname))
        if not source.is_file():
            _alert(book, "Spara arbetsboken först: nästa år skapas från den sparade filen.")
            return None
        out = source.with_name(f"{source.stem} (nästa år){source.suffix}")
        function(source, out)
    except FinsamError as error:  # the workbook's input errors, a refused rollover: Swedish
        _alert(book, f"Nästa års arbetsbok kunde inte skapas: {error}", True)
        return None
    except Exception as error:  # a fault of the tool: the traceback goes to the log
        traceback.print_exc(file=sys.stderr)
        _alert(book, f"Nästa års arbetsbok kunde inte skapas: {error}", True)
        return None
    _alert(book, f"Nästa års arbetsbok finns nu i {out}. Öppna den och tryck Beräkna.")
    return out


def selftest(book: Any = None) -> object:
    """Självtest: the core on the bundled examples; the result in a cell and a message box."""
    from finsam_xl.excel.selftest import desktop

    return desktop(book if book is not None else _caller())
