"""The booked rows of an SIE file summed while streaming: what the reconciliation reads.

``posting_totals(path)`` reads an SIE 4 file once (``scan.Scanner``'s loop,
the one the general reader uses) and returns what the reconciliation needs:
the booked rows (``#TRANS``) summed per account, cost centre and voucher date,
the line of the first row of each sum, the opening and closing balances
(``#IB``/``#UB`` of year 0), the monthly balances (``#PSALDO``), the fiscal
years (``#RAR 0`` and ``-1``), the issues, and on request whole vouchers that
touch chosen accounts (``capture``).

It means exactly what streaming the file with ``iter_records`` and summing
``Voucher.transactions()`` means: the same rows count (``#RTRANS`` and
``#BTRANS`` never do; the rows of a ``#VER`` that cannot be read do not
either), and the same issues are found, with the same codes, messages and
lines, in the same order, since it is the same loop; only plain rows take the
hot path (``sums.PostingSums``), which builds nothing. The property tests in
``tests/sie/test_sie_fast_path.py`` hold it to that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from finsam_xl.model.findings import Severity
from finsam_xl.model.money import ZERO

from .records import (
    Balance,
    CapturedRow,
    CapturedVoucher,
    FiscalYear,
    Issue,
    PeriodBalance,
    Record,
    Transaction,
)
from .scan import OpenVoucher, Receiver, Scanner, Source
from .sums import PostingKey, PostingSums

__all__ = ["PeriodKey", "PostingKey", "PostingTotals", "posting_totals"]

PeriodKey = tuple[int, str, str, str]
"""(year index, period ``YYYYMM``, account, cost centre): the key of ``period_balances``."""


@dataclass
class PostingTotals:
    """What ``posting_totals`` found: sums of the booked rows, balances, issues.

    ``sums`` maps (account, cost centre, voucher date) to the sum of the booked
    rows, in the order of each key's first row; ``first_lines`` gives that
    row's line. ``rows`` counts the booked rows summed, ``hot_rows`` those of
    them that took the hot path. ``opening`` and ``closing`` hold the ``#IB``
    and ``#UB`` balances of year 0 per account (summed when an account has
    several). ``period_balances`` holds the ``#PSALDO`` amounts by (year
    index, period, account, cost centre): a record without objects counts for
    the cost centre ``""``, one whose only object is of the chosen dimension
    for that object; others (other dimensions, several objects) are left out,
    so that no amount counts twice. ``fiscal_year`` is the last ``#RAR 0``,
    ``previous_year`` the last ``#RAR -1``. ``captured`` holds, in file
    order, the vouchers with a booked row on an account that ``capture``
    chose. The cost centre is the object of the chosen dimension (``""`` for a
    row without one).
    """

    sums: dict[PostingKey, Decimal] = field(default_factory=dict)
    first_lines: dict[PostingKey, int] = field(default_factory=dict)
    rows: int = 0
    opening: dict[str, Decimal] = field(default_factory=dict)
    fiscal_year: FiscalYear | None = None
    issues: list[Issue] = field(default_factory=list)
    path: str = "<data>"
    encoding: str = "cp437"
    closing: dict[str, Decimal] = field(default_factory=dict)
    period_balances: dict[PeriodKey, Decimal] = field(default_factory=dict)
    previous_year: FiscalYear | None = None
    captured: list[CapturedVoucher] = field(default_factory=list)
    hot_rows: int = 0

    @property
    def errors(self) -> list[Issue]:
        """The issues of severity error."""
        return [i for i in self.issues if i.severity is Severity.ERROR]


def posting_totals(
    source: Source,
    *,
    issues: list[Issue] | None = None,
    encoding: str | None = None,
    name: str | None = None,
    cost_centre_dimension: int = 1,
    capture: Callable[[str], bool] | None = None,
) -> PostingTotals:
    """Sum the booked rows of an SIE file per account, cost centre and voucher date.

    One pass, memory bounded by one block of the file and the sums. The rows,
    amounts and issues are those of ``iter_records`` (see the module's
    docstring); pass a list as ``issues`` to collect the issues there too.
    ``encoding`` overrides the detection. ``capture(account)``, when given,
    chooses accounts: every voucher with a booked row on one of them is kept
    whole in ``captured``. Fatal problems raise ``SieError``.
    """
    scanner = Scanner(source, encoding=encoding, name=name, issues=issues)
    receiver = _Postings(scanner, cost_centre_dimension, capture)
    for _ in scanner.scan(receiver):
        pass  # the receiver passes nothing on
    sums, first_lines = receiver.sums.totals()
    found = receiver.found
    found.sums, found.first_lines = sums, first_lines
    found.rows = receiver.sums.rows + scanner.hot_rows
    found.hot_rows = scanner.hot_rows
    found.issues = scanner.issues
    found.path = scanner.path
    found.encoding = scanner.encoding or "cp437"
    return found


class _Postings(Receiver):
    """The reconciliation's receiver: sums, balances and the captured vouchers."""

    def __init__(
        self, scanner: Scanner, dimension: int, capture: Callable[[str], bool] | None
    ) -> None:
        self.scanner = scanner
        self.dimension = dimension
        self.capture = capture
        self.found = PostingTotals()
        self._chosen: dict[str, bool] = {}
        self.sums: PostingSums = PostingSums(
            scanner, dimension, None if capture is None else self._chosen_account
        )
        self.kept = [] if capture is not None else None
        # The voucher being read: its date, whether it counts, its rows read the
        # general way (when capturing) and whether one of them is on a chosen account.
        self._day = date.min
        self._counts = False
        self._rows: list[Transaction] = []
        self._chosen_row = False

    def _chosen_account(self, account: str) -> bool:
        chosen = self._chosen.get(account)
        if chosen is None:
            assert self.capture is not None
            chosen = self._chosen[account] = bool(self.capture(account))
        return chosen

    def rows_of(self, current: OpenVoucher) -> Callable[[Transaction], None]:
        """The booked rows of a voucher that can be read go into the sums."""
        self._day = current.voucher.date
        self._counts = not current.discard
        self._rows = []
        self._chosen_row = False
        return self._row

    def _row(self, row: Transaction) -> None:
        if row.kind != "TRANS" or not self._counts:
            return
        self.sums.add(row, self._day)
        if self.capture is not None:
            self._rows.append(row)
            if self._chosen_account(row.account):
                self._chosen_row = True

    def voucher(self, current: OpenVoucher) -> Record | None:
        """Keep the voucher when one of its booked rows is on a chosen account."""
        if self._chosen_row and not current.discard and self.kept is not None:
            rebuilt = [self.scanner.plain_row(line, number) for number, line in self.kept]
            rows = sorted([*self._rows, *rebuilt], key=lambda row: row.line)
            voucher = current.voucher
            self.found.captured.append(
                CapturedVoucher(
                    voucher.series,
                    voucher.number,
                    voucher.date,
                    voucher.text,
                    voucher.line,
                    tuple(
                        CapturedRow(
                            row.account,
                            row.amount,
                            tuple((str(d), o) for d, o in row.objects),
                            row.text,
                            row.line,
                        )
                        for row in rows
                    ),
                )
            )
        self._rows = []
        self._chosen_row = False
        return None

    def record(self, record: Record) -> Record | None:
        """Balances, monthly balances and fiscal years."""
        found = self.found
        kind = type(record)
        if kind is Balance:
            assert isinstance(record, Balance)
            if record.year_index == 0 and record.kind != "RES":
                into = found.opening if record.kind == "IB" else found.closing
                into[record.account] = into.get(record.account, ZERO) + record.amount
        elif kind is PeriodBalance:
            assert isinstance(record, PeriodBalance)
            objs = record.objects
            if record.kind == "PSALDO" and (
                not objs or (len(objs) == 1 and objs[0][0] == self.dimension)
            ):
                key = (
                    record.year_index,
                    str(record.period),
                    record.account,
                    objs[0][1] if objs else "",
                )
                found.period_balances[key] = found.period_balances.get(key, ZERO) + record.amount
        elif kind is FiscalYear:
            assert isinstance(record, FiscalYear)
            if record.year_index == 0:
                found.fiscal_year = record
            elif record.year_index == -1:
                found.previous_year = record
        return None
