"""The standard budget workbook: schema, template, reader and writer (openpyxl/XlsxWriter).

This is an adapter around the pure core. ``schema`` is the one place that maps
Swedish sheet, table and column names to model fields; the reader, writer,
template and the Excel button all go through it.
"""
