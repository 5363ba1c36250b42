"""The accounting side of reconciliation: the books (SIE 4 or a general-ledger CSV).

``ledger`` streams the books' postings into the core's ``Ledger``; ``pbudget``
turns the budget into SIE ``#PBUDGET`` records for the accounting system;
``closing`` reads the closing equity (``#UB``) for next year's workbook.
The SIE file format itself lives in ``finsam_xl.sie``.
"""

from finsam_xl.books.ledger import Books, BooksError, read_csv_books, read_sie_books

__all__ = ["Books", "BooksError", "read_csv_books", "read_sie_books"]
