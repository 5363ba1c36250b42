"""finsam_xl: budgets for Swedish samordningsförbund (Finsam), Excel in front, tested Python behind.

The package is layered:

* ``finsam_xl.model``: pydantic models of one förbund's budget (the interchange format).
* ``finsam_xl.core``: pure calculations (allocation of contributions, the multi-year plan).
* ``finsam_xl.rules``: the checks, each a small function returning findings.
* ``finsam_xl.model.interchange``: YAML/JSON load and dump of the model.
* adapters: ``finsam_xl.xlsx`` (the file format), ``finsam_xl.sheets`` (computed sheets),
  ``finsam_xl.workbook`` (the budget workbook, openpyxl/XlsxWriter), ``finsam_xl.cli`` (typer),
  ``finsam_xl.sie`` (SIE 4 files), ``finsam_xl.excel`` (xlwings button, Lite, server).

The core never imports an I/O library; nothing heavy is imported here.
"""

__version__ = "0.1.0"
