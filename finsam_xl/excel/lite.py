"""xlwings Lite scripts: Beräkna and Kontrollera (Python in Excel via Pyodide, no VBA).

How Lite finds them: the workbook's main.py ends with the line

    from finsam_xl.excel.lite import *  # noqa: F403

which puts the decorated functions into the module Lite scans for ``@script``
functions. ``finsam-xl ny`` and ``finsam-xl lite`` write that main.py into the
workbook together with finsam_xl's pure-Python code (``parts.lite_part``), so
requirements.txt needs only xlwings, pydantic and PyYAML. Whether Lite would
also pick the scripts up as a *plugin* is unconfirmed (docs/excel.md).

The script functions take one argument typed ``xw.Book``, the signature Lite
calls; annotations are real objects here (no ``from __future__ import
annotations``) because the runtime inspects them. Only pydantic and PyYAML are
needed besides xlwings: no openpyxl, XlsxWriter or typer is imported.
"""

import xlwings as xw
from xlwings import script

from finsam_xl.excel.xlbook import Summary, press

__all__ = ["finsam_berakna", "finsam_kontrollera", "finsam_sjalvtest"]


@script(name="Beräkna")
def finsam_berakna(book: xw.Book) -> None:
    """# Beräkna budgeten

    Läser indata (Inställningar, Medlemmar, Medelstilldelning, Rader, Publicerat),
    räknar med finsam_xl och skriver om de beräknade bladen (Plan, Fördelning, Budget,
    Not 1, Insatser, Eget kapital och Kontroller).
    """
    _report(press(book, "recalc", alert=False))


@script(name="Kontrollera")
def finsam_kontrollera(book: xw.Book) -> None:
    """# Kontrollera budgeten

    Kör kontrollerna och skriver bara bladet Kontroller; planen lämnas orörd.
    """
    _report(press(book, "check", alert=False))


@script(name="Självtest")
def finsam_sjalvtest(book: xw.Book) -> None:
    """# Självtest

    Räknar de tre medföljande exempelbudgetarna och jämför varje belopp med facit.
    Resultatet skrivs i statuscellen (Plan, rad 2) och här nedanför.
    """
    from finsam_xl.excel.selftest import on_book

    on_book(book, alert=False)


def _report(summary: Summary) -> None:
    """Lite shows printed text in its output pane; the status lines are in the workbook."""
    if summary.findings:
        for finding in summary.findings[:20]:
            print(finding.format())
