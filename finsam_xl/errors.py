"""The one exception family: every exception finsam_xl raises on purpose is a ``FinsamError``.

Its ``str()`` is a message for the user, in Swedish, that names the file, cell,
line or option concerned. Every front end catches ``FinsamError`` and shows the message; any
other exception is a fault of the tool. The command line maps the family to its
exit codes and texts in one place (``cli._exit_for``).

The subclasses live where they are raised, so each layer names its own
failures: ``WorkbookError`` (the xlsx file, ``xlsx.safety``),
``InterchangeError`` (a budget file), ``SieError`` and ``SieWriteError`` (the
SIE format), ``BooksError`` (books that cannot be used), ``NextYearError``
(a refused rollover), ``ExcelError`` (an open workbook the button cannot use).
The ones every layer needs are here. This module imports nothing, so every
layer, the pure core and the stdlib-only ``vba`` included, may import it.

Outside the family are only Python's own exceptions for a misuse of a function
(``ValueError`` in a pydantic validator, ``KeyError``, ``TypeError``) and the VBA
project's ``CompressionError`` and ``VbaFormatError``, which read back what the
tool itself wrote and speak English to the developer: a front end that meets
one reports a fault of the tool. ``tests/test_errors.py`` keeps it so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from finsam_xl.model.findings import Finding


class FinsamError(Exception):
    """A problem the user can act on; ``str()`` is the Swedish message that says what and where."""


class UsageError(FinsamError):
    """An option or argument that cannot be used: a wrong file kind, a malformed period or
    amount, options that contradict each other, an output folder that is a file."""


class InputFileError(FinsamError):
    """A file given as input that is neither a workbook, a budget file nor books, and
    cannot be used: the overview's matching table, an earlier invoice plan, the budget
    files of an overview when none of them can be read."""


class BlockedError(FinsamError):
    """Errors in the input kept a job from computing or writing anything.

    ``findings`` are the input's findings when the errors are findings (the
    message names the blocking ones); a budget without what the job needs
    (the SIE export of a budget with no accounts) has none.
    Jobs that report blocking findings in their outcome return it instead; this
    is raised where there is no outcome to return (``Outcome.computed``, the
    button's next year, the SIE export).
    """

    def __init__(self, message: str, findings: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.findings = list(findings)
