"""The budget workbook's contract: template, reader, writer and editor.

An adapter around the pure core. The names it shares with the sheet layouts and
the Excel button (sheets, tables, headers, defined names) are ``model.schema``;
the file format is ``xlsx``; the computed sheets' layouts are ``sheets``.
``output`` holds what only a budget workbook knows of where results and new
files may be written.
"""
