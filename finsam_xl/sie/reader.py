"""Streaming SIE 4 reader: records one at a time, vouchers whole, issues with ``file:line``.

Three ways in, from small to large:

* ``read_sie(path)`` reads everything into a ``SieFile`` (small files);
* ``iter_records(path)`` yields each record as it is read; a ``#VER`` comes
  as one ``Voucher`` with its rows;
* ``read_vouchers(path)`` yields only the vouchers.

The iterators hold one block of the file (1 MiB) and one voucher at a time,
so memory does not grow with the file. Problems are collected as ``Issue``
objects (pass a list as ``issues=`` to get them, or use ``SieReader``);
fatal problems, and in strict mode the first error, raise ``SieError``.
The reading itself is ``scan.Scanner``'s loop; this module's receiver builds
the records.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypedDict, TypeVar, Unpack, cast

from finsam_xl.model.findings import Severity
from finsam_xl.model.money import ZERO

from .records import (
    Account,
    Balance,
    Checksum,
    CompanyName,
    Dimension,
    FiscalYear,
    Issue,
    ObjectBalance,
    ObjectList,
    Period,
    PeriodBalance,
    Record,
    SieObject,
    SieType,
    SubDimension,
    Transaction,
    Voucher,
)
from .scan import KNOWN_LABELS, MAX_ISSUES, OpenVoucher, Receiver, Scanner, Source, parse_date

__all__ = [
    "KNOWN_LABELS",
    "MAX_ISSUES",
    "MonthKey",
    "SieFile",
    "SieReader",
    "Source",
    "iter_records",
    "monthly_totals",
    "parse_date",
    "read_sie",
    "read_vouchers",
]


class _Records(Receiver):
    """The general reader's receiver: every record, vouchers whole with their rows."""

    def __init__(self, only_vouchers: bool) -> None:
        self.only_vouchers = only_vouchers

    def rows_of(self, current: OpenVoucher) -> Callable[[Transaction], None]:
        """The voucher's own list of rows."""
        return current.voucher.rows.append

    def voucher(self, current: OpenVoucher) -> Record | None:
        """The voucher, unless it stands in for a #VER that could not be read."""
        return None if current.discard else current.voucher

    def record(self, record: Record) -> Record | None:
        """The record, unless only vouchers are wanted."""
        return None if self.only_vouchers else record


class SieReader(Scanner):
    """Read one SIE file as a stream of records, collecting issues.

    ``SieReader(path).records()`` (or iterating the reader) yields records;
    ``vouchers()`` yields only vouchers. After (or during) iteration,
    ``issues`` holds what was found, ``encoding`` the encoding used, and
    ``checksum_ok`` the result of the ``#KSUMMA`` check (``None`` without one).
    A reader reads its source once.
    """

    def __iter__(self) -> Iterator[Record]:
        return self.records()

    def vouchers(self) -> Iterator[Voucher]:
        """Yield the vouchers of the file, one at a time, each with its rows."""
        return cast(Iterator[Voucher], self.scan(_Records(only_vouchers=True)))

    def records(self) -> Iterator[Record]:
        """Yield every record of the file in order; a voucher comes whole, with its rows."""
        return self.scan(_Records(only_vouchers=False))


# --------------------------------------------------------------------------------------
# The whole file
# --------------------------------------------------------------------------------------

R = TypeVar("R")


@dataclass
class SieFile:
    """A whole SIE file in memory: its records in order, the issues, and lookups.

    ``records`` holds every record in file order except the ``#KSUMMA``
    markers (their outcome is in ``checksum``/``checksum_ok``); writing
    ``records`` back and reading the result gives equal ``records``.
    """

    records: list[Record] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    path: str = "<data>"
    encoding: str = "cp437"
    checksum: int | None = None
    checksum_ok: bool | None = None

    def all(self, cls: type[R]) -> list[R]:
        """Every record of one class, in file order: ``sie.all(Account)``."""
        return [r for r in self.records if isinstance(r, cls)]

    def first(self, cls: type[R]) -> R | None:
        """The first record of a class, or ``None``: ``sie.first(CompanyName)``."""
        for record in self.records:
            if isinstance(record, cls):
                return record
        return None

    @property
    def errors(self) -> list[Issue]:
        """The issues of severity error."""
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        """The issues of severity warning."""
        return [i for i in self.issues if i.severity is Severity.WARNING]

    @property
    def company_name(self) -> str | None:
        """``#FNAMN``."""
        record = self.first(CompanyName)
        return record.name if record else None

    @property
    def sie_type(self) -> int | None:
        """``#SIETYP``."""
        record = self.first(SieType)
        return record.type if record else None

    @property
    def fiscal_years(self) -> dict[int, FiscalYear]:
        """``#RAR`` by year index (0 = current year, -1 = the year before)."""
        return {r.year_index: r for r in self.all(FiscalYear)}

    @property
    def accounts(self) -> dict[str, str]:
        """Account number to name (``#KONTO``)."""
        return {r.account: r.name for r in self.all(Account)}

    @property
    def dimensions(self) -> dict[int, str]:
        """Dimension number to name (``#DIM`` and ``#UNDERDIM``)."""
        out = {r.dimension: r.name for r in self.all(Dimension)}
        out.update({r.dimension: r.name for r in self.all(SubDimension)})
        return out

    @property
    def objects(self) -> dict[tuple[int, str], str]:
        """(dimension, object id) to name (``#OBJEKT``)."""
        return {(r.dimension, r.object_id): r.name for r in self.all(SieObject)}

    @property
    def vouchers(self) -> list[Voucher]:
        """The vouchers, in file order."""
        return self.all(Voucher)

    @property
    def balances(self) -> list[Balance]:
        """``#IB``, ``#UB`` and ``#RES``."""
        return self.all(Balance)

    @property
    def object_balances(self) -> list[ObjectBalance]:
        """``#OIB`` and ``#OUB``."""
        return self.all(ObjectBalance)

    @property
    def period_balances(self) -> list[PeriodBalance]:
        """``#PSALDO`` records."""
        return [r for r in self.all(PeriodBalance) if r.kind == "PSALDO"]

    @property
    def budgets(self) -> list[PeriodBalance]:
        """``#PBUDGET`` records."""
        return [r for r in self.all(PeriodBalance) if r.kind == "PBUDGET"]


# --------------------------------------------------------------------------------------
# Functions
# --------------------------------------------------------------------------------------


class ReadOptions(TypedDict, total=False):
    """How a file is read: the options of ``iter_records``, ``read_vouchers`` and ``SieReader``.

    ``issues``: a list to collect the problems found in (each with a Swedish message
    and a ``file:line`` location); ``encoding`` overrides detection; ``strict``
    makes the first error raise ``SieError`` (fatal problems always do); ``name``
    is the file's name in messages.
    """

    issues: list[Issue] | None
    encoding: str | None
    strict: bool
    name: str | None


def iter_records(source: Source, **options: Unpack[ReadOptions]) -> Iterator[Record]:
    """Yield the records of an SIE file one at a time (a voucher whole, with its rows).

    The options (``issues``, ``encoding``, ``strict``, ``name``) are ``ReadOptions``.
    """
    return SieReader(source, **options).records()


def read_vouchers(source: Source, **options: Unpack[ReadOptions]) -> Iterator[Voucher]:
    """Yield the vouchers of an SIE file one at a time, each with its rows.

    Memory holds one voucher at a time; the options are those of ``iter_records``.
    """
    return SieReader(source, **options).vouchers()


def read_sie(
    source: Source,
    *,
    encoding: str | None = None,
    strict: bool = False,
    name: str | None = None,
) -> SieFile:
    """Read a whole SIE file into a ``SieFile`` (for files that fit in memory)."""
    reader = SieReader(source, encoding=encoding, strict=strict, name=name)
    records: list[Record] = []
    for record in reader.records():
        if type(record) is not Checksum:
            records.append(record)
    return SieFile(
        records=records,
        issues=reader.issues,
        path=reader.path,
        encoding=reader.encoding or "cp437",
        checksum=reader.checksum,
        checksum_ok=reader.checksum_ok,
    )


MonthKey = tuple[str, ObjectList, Period]
"""(account, objects, month): the key of ``monthly_totals``."""


def monthly_totals(
    vouchers: Iterable[Voucher],
    *,
    dimensions: Collection[int] | None = None,
    by_transaction_date: bool = False,
    into: dict[MonthKey, Decimal] | None = None,
) -> dict[MonthKey, Decimal]:
    """Sum the booked rows (``#TRANS``) by account, objects and month, while streaming.

    ``dimensions`` keeps only the objects of those dimensions (``{1}`` for
    cost centres; ``set()`` for account totals). The month is the voucher's
    date, or the row's own date with ``by_transaction_date`` when it has one.
    ``#RTRANS`` and ``#BTRANS`` rows are not counted. Pass ``into`` to add to
    an existing dict.
    """
    totals: dict[MonthKey, Decimal] = {} if into is None else into
    keep = None if dimensions is None else frozenset(dimensions)
    projected: dict[ObjectList, ObjectList] = {}
    # One mutable cell per key: one dict look-up per row instead of a get and a set.
    cells: dict[MonthKey, list[Decimal]] = {}
    get = cells.get
    for voucher in vouchers:
        vday = voucher.date
        vperiod = Period(vday.year, vday.month)
        for row in voucher.rows:
            if row.kind != "TRANS":
                continue
            objs = row.objects
            if keep is not None and objs:
                proj = projected.get(objs)
                if proj is None:
                    proj = projected[objs] = tuple(o for o in objs if o[0] in keep)
                objs = proj
            period = vperiod
            if by_transaction_date:
                day = row.date
                if day is not None:
                    period = Period(day.year, day.month)
            key = (row.account, objs, period)
            cell = get(key)
            if cell is None:
                cells[key] = [row.amount]
            else:
                cell[0] += row.amount
    for key, (amount,) in cells.items():
        totals[key] = totals.get(key, ZERO) + amount
    return totals
