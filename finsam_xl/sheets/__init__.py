"""The layouts of the computed sheets, knowing nothing of zip parts.

Each module turns the core's results into a ``grid.Grid`` of cells (values,
styles, widths) for one sheet or workbook: the plan rows and headings
(``layout``), the board's document sheets (``document_sheets``), the
reconciliation and follow-up sheets (``recon_sheet``, ``followup_sheet``), the
page setup (``printing``) and the overview workbook (``overview_book``). The
workbook writer places the grids into a package.
"""
