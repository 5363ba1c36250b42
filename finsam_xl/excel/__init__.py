"""The button in Excel: one adapter over the xlwings ``Book`` API, and three ways to reach it.

* ``xlbook``: reads the open workbook through the xlwings Book/Sheet/Range/Table/Name
  subset in ``xltypes``, runs the core and writes the computed sheets back
  (``press``). Every path below goes through it.
* ``button``: desktop Excel with local Python (VBA ``RunPython`` -> ``xw.Book.caller()``).
* ``lite``: the xlwings Lite scripts Beräkna and Kontrollera (Pyodide, no local Python).
* ``remote`` + ``server``: ``finsam-xl server``, xlwings' remote-interpreter protocol for
  the BSD VBA client (``RunServerPython``); the workbook arrives as JSON and the
  changes go back as a list of actions.

Nothing here imports xlwings, openpyxl or XlsxWriter at module level, so the
Lite path runs in Pyodide with only the core dependencies.
"""
