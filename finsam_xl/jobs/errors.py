"""The errors that mean "this file cannot be used": every front end shows their Swedish text."""

from __future__ import annotations


def unusable_errors() -> tuple[type[Exception], ...]:
    """The exception types that mean 'this file cannot be used'; their text is Swedish.

    Every front end catches exactly these and shows the message; anything else
    is a fault of the tool (the command line then exits 2 with a short notice).
    """
    from finsam_xl.books.ledger import BooksError
    from finsam_xl.model.interchange import InterchangeError
    from finsam_xl.xlsx.safety import WorkbookError

    return (WorkbookError, InterchangeError, BooksError)
