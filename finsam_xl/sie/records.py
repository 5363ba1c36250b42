"""Typed records of an SIE 4 file (SIE 4B, 2008-09-30), issues and errors.

Every record label of the SIE 4B specification has a class here. Each class
knows its label (``LABEL``, or ``LABELS`` when one class serves several, like
``#IB``/``#UB``/``#RES``) and carries the line it was read from (``line``),
which takes no part in comparisons: two records are equal when their content
is equal, wherever they stood in a file.

Conventions, the same everywhere:

* amounts and quantities are ``decimal.Decimal`` (credit negative);
* dates are ``datetime.date``; a period (``#PSALDO``/``#PBUDGET``) is a
  ``Period(year, month)``;
* optional text fields are ``""`` when absent, optional dates and quantities
  ``None``: absent and empty are the same thing in SIE;
* an object list ``{1 "35000" 6 "P1"}`` is a tuple of ``(dimension, object)``
  pairs, ``((1, "35000"), (6, "P1"))``, in file order; ``{}`` is ``()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Literal, NamedTuple, TypeAlias

from finsam_xl.errors import FinsamError
from finsam_xl.model.findings import Severity
from finsam_xl.model.labels import SEVERITY_LABELS

ObjectRef: TypeAlias = tuple[int, str]
"""One object: (dimension number, object id), e.g. ``(1, "35000")``."""

ObjectList: TypeAlias = tuple[ObjectRef, ...]
"""An object list ``{1 "35000" 6 "P1"}`` as ``((1, "35000"), (6, "P1"))``."""


def repeats_a_dimension(objs: ObjectList) -> bool:
    """True when an object list names a dimension twice (a warning at every row that has it,
    so the fast paths do not keep such a list as checked)."""
    return len(objs) > 1 and len({dim for dim, _ in objs}) < len(objs)


BalanceKind = Literal["IB", "UB", "RES"]
ObjectBalanceKind = Literal["OIB", "OUB"]
PeriodKind = Literal["PSALDO", "PBUDGET"]
TransKind = Literal["TRANS", "RTRANS", "BTRANS"]


class Period(NamedTuple):
    """A month, as in the period field ``YYYYMM`` of ``#PSALDO``/``#PBUDGET``."""

    year: int
    month: int

    def __str__(self) -> str:
        """Return the period as SIE writes it: ``202501``."""
        return f"{self.year:04d}{self.month:02d}"


@dataclass(slots=True)
class Located:
    """What every record carries: the line it was read from (0 when made in code).

    Keyword-only, so that it follows a record's own fields, and left out of
    comparisons: two records are equal when their content is equal.
    """

    line: int = field(default=0, compare=False, kw_only=True)


# --------------------------------------------------------------------------------------
# Identification records
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Flag(Located):
    """``#FLAGGA x``: 0 = not yet imported, 1 = already imported by the receiver."""

    LABEL: ClassVar[str] = "FLAGGA"
    flag: int


@dataclass(slots=True)
class ProgramInfo(Located):
    """``#PROGRAM programnamn version``: the program that wrote the file."""

    LABEL: ClassVar[str] = "PROGRAM"
    name: str
    version: str = ""


@dataclass(slots=True)
class FileFormat(Located):
    """``#FORMAT PC8``: the character set the file claims (the reader checks the bytes)."""

    LABEL: ClassVar[str] = "FORMAT"
    value: str = "PC8"


@dataclass(slots=True)
class Generated(Located):
    """``#GEN datum sign``: when and by whom the file was generated."""

    LABEL: ClassVar[str] = "GEN"
    date: dt.date
    sign: str = ""


@dataclass(slots=True)
class SieType(Located):
    """``#SIETYP typnr``: 1, 2, 3 or 4."""

    LABEL: ClassVar[str] = "SIETYP"
    type: int


@dataclass(slots=True)
class Prose(Located):
    """``#PROSA text``: free text about the file."""

    LABEL: ClassVar[str] = "PROSA"
    text: str


@dataclass(slots=True)
class CompanyType(Located):
    """``#FTYP företagstyp``: type of company (AB, E, HB, KB, EK, ...)."""

    LABEL: ClassVar[str] = "FTYP"
    company_type: str


@dataclass(slots=True)
class CompanyId(Located):
    """``#FNR företagsid``: the sending program's own id of the company."""

    LABEL: ClassVar[str] = "FNR"
    company_id: str


@dataclass(slots=True)
class OrgNumber(Located):
    """``#ORGNR orgnr förvnr verknr``: organisation number, acquisition and activity numbers."""

    LABEL: ClassVar[str] = "ORGNR"
    orgnr: str
    acquisition_no: str = ""
    activity_no: str = ""


@dataclass(slots=True)
class IndustryCode(Located):
    """``#BKOD SNI-kod``: industry code."""

    LABEL: ClassVar[str] = "BKOD"
    sni: str


@dataclass(slots=True)
class Address(Located):
    """``#ADRESS kontakt utdelningsadr postadr tel``."""

    LABEL: ClassVar[str] = "ADRESS"
    contact: str = ""
    street: str = ""
    postal: str = ""
    phone: str = ""


@dataclass(slots=True)
class CompanyName(Located):
    """``#FNAMN företagsnamn``."""

    LABEL: ClassVar[str] = "FNAMN"
    name: str


@dataclass(slots=True)
class FiscalYear(Located):
    """``#RAR årsnr start slut``: year 0 is the current year, -1 the one before."""

    LABEL: ClassVar[str] = "RAR"
    year_index: int
    start: dt.date
    end: dt.date


@dataclass(slots=True)
class TaxYear(Located):
    """``#TAXAR år``: the tax assessment year the file's SRU codes refer to."""

    LABEL: ClassVar[str] = "TAXAR"
    year: int


@dataclass(slots=True)
class Coverage(Located):
    """``#OMFATTN datum``: the date up to which balances are included."""

    LABEL: ClassVar[str] = "OMFATTN"
    date: dt.date


@dataclass(slots=True)
class ChartType(Located):
    """``#KPTYP typ``: the chart of accounts (BAS95, BAS96, EUBAS97, NE2007, ...)."""

    LABEL: ClassVar[str] = "KPTYP"
    chart_type: str


@dataclass(slots=True)
class Currency(Located):
    """``#VALUTA valutakod``: the reporting currency (ISO 4217), SEK if absent."""

    LABEL: ClassVar[str] = "VALUTA"
    code: str


# --------------------------------------------------------------------------------------
# Chart of accounts and dimensions
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Account(Located):
    """``#KONTO kontonr kontonamn``."""

    LABEL: ClassVar[str] = "KONTO"
    account: str
    name: str


@dataclass(slots=True)
class AccountType(Located):
    """``#KTYP kontonr kontotyp``: T (tillgång), S (skuld), K (kostnad) or I (intäkt)."""

    LABEL: ClassVar[str] = "KTYP"
    account: str
    type: str


@dataclass(slots=True)
class Unit(Located):
    """``#ENHET kontonr enhet``: the unit of the account's quantities."""

    LABEL: ClassVar[str] = "ENHET"
    account: str
    unit: str


@dataclass(slots=True)
class SruCode(Located):
    """``#SRU konto SRU-kod``: the tax form code an account maps to."""

    LABEL: ClassVar[str] = "SRU"
    account: str
    code: str


@dataclass(slots=True)
class Dimension(Located):
    """``#DIM dimensionsnr namn``: 1 = kostnadsställe, 6 = projekt, and so on."""

    LABEL: ClassVar[str] = "DIM"
    dimension: int
    name: str


@dataclass(slots=True)
class SubDimension(Located):
    """``#UNDERDIM dimensionsnr namn superdimension``."""

    LABEL: ClassVar[str] = "UNDERDIM"
    dimension: int
    name: str
    parent: int


@dataclass(slots=True)
class SieObject(Located):
    """``#OBJEKT dimensionsnr objektnr objektnamn``: e.g. cost centre 35000."""

    LABEL: ClassVar[str] = "OBJEKT"
    dimension: int
    object_id: str
    name: str


# --------------------------------------------------------------------------------------
# Balances
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Balance(Located):
    """``#IB``/``#UB``/``#RES årsnr konto saldo kvantitet``: year balances."""

    LABELS: ClassVar[tuple[str, ...]] = ("IB", "UB", "RES")
    kind: BalanceKind
    year_index: int
    account: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(slots=True)
class ObjectBalance(Located):
    """``#OIB``/``#OUB årsnr konto {objekt} saldo kvantitet``: balances per object."""

    LABELS: ClassVar[tuple[str, ...]] = ("OIB", "OUB")
    kind: ObjectBalanceKind
    year_index: int
    account: str
    objects: ObjectList
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(slots=True)
class PeriodBalance(Located):
    """``#PSALDO``/``#PBUDGET årsnr period konto {objekt} saldo kvantitet``.

    ``#PSALDO`` is the actual change of the month, ``#PBUDGET`` the budget of
    the month, per account and (optionally) object.
    """

    LABELS: ClassVar[tuple[str, ...]] = ("PSALDO", "PBUDGET")
    kind: PeriodKind
    year_index: int
    period: Period
    account: str
    objects: ObjectList
    amount: Decimal
    quantity: Decimal | None = None


# --------------------------------------------------------------------------------------
# Vouchers
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Transaction(Located):
    """``#TRANS``/``#RTRANS``/``#BTRANS kontonr {objekt} belopp transdat transtext kvantitet sign``.

    ``kind`` says which: ``TRANS`` is a booked row; ``RTRANS`` marks a row
    added afterwards and is followed by an identical ``TRANS`` (which is the
    one that counts); ``BTRANS`` is a row removed afterwards and counts for
    nothing. ``date`` is the transaction date when the file gives one.
    """

    LABELS: ClassVar[tuple[str, ...]] = ("TRANS", "RTRANS", "BTRANS")
    kind: TransKind
    account: str
    objects: ObjectList
    amount: Decimal
    date: dt.date | None = None
    text: str = ""
    quantity: Decimal | None = None
    sign: str = ""


@dataclass(slots=True)
class Voucher(Located):
    """``#VER serie vernr verdatum vertext regdatum sign`` with its rows in ``{ }``.

    ``rows`` holds every row in file order (``TRANS``, ``RTRANS``,
    ``BTRANS``); ``transactions()`` gives the booked ones.
    """

    LABEL: ClassVar[str] = "VER"
    series: str
    number: str
    date: dt.date
    text: str = ""
    reg_date: dt.date | None = None
    sign: str = ""
    rows: list[Transaction] = field(default_factory=list)

    def transactions(self) -> Iterator[Transaction]:
        """Yield the booked rows (``#TRANS``), the ones that make up the voucher's amounts."""
        return (row for row in self.rows if row.kind == "TRANS")

    def total(self) -> Decimal:
        """Return the sum of the booked rows; zero for a balanced voucher."""
        return sum((row.amount for row in self.rows if row.kind == "TRANS"), Decimal(0))

    @property
    def label(self) -> str:
        """The voucher as people name it: series and number, ``A 12``.

        SIE 4B lets a file leave the number empty (type 4I: the importing program
        numbers the vouchers); such a voucher is ``L utan nummer``, and its line
        (``line``) tells it apart from the others.
        """
        if self.number:
            return f"{self.series} {self.number}".strip()
        return f"{self.series} utan nummer".strip()


@dataclass(frozen=True, slots=True)
class CapturedRow:
    """A booked row (``#TRANS``) of a voucher that ``posting_totals(capture=...)`` kept."""

    account: str
    amount: Decimal
    objects: tuple[tuple[str, str], ...]
    """(dimension, object id) as in the file: ``(("1", "35000"), ("6", "P1"))``."""
    text: str
    """The row's text, ``""`` if none."""
    line: int


@dataclass(frozen=True, slots=True)
class CapturedVoucher:
    """A voucher kept whole by ``posting_totals(capture=...)``: its booked rows, in file order."""

    series: str
    number: str
    date: dt.date
    text: str
    line: int
    """The line of its ``#VER``."""
    rows: tuple[CapturedRow, ...]


@dataclass(slots=True)
class Checksum(Located):
    """``#KSUMMA [kontrollsumma]``: opens (no value) and closes (value) the checksummed part."""

    LABEL: ClassVar[str] = "KSUMMA"
    value: int | None = None


Record: TypeAlias = (
    Flag
    | ProgramInfo
    | FileFormat
    | Generated
    | SieType
    | Prose
    | CompanyType
    | CompanyId
    | OrgNumber
    | IndustryCode
    | Address
    | CompanyName
    | FiscalYear
    | TaxYear
    | Coverage
    | ChartType
    | Currency
    | Account
    | AccountType
    | Unit
    | SruCode
    | Dimension
    | SubDimension
    | SieObject
    | Balance
    | ObjectBalance
    | PeriodBalance
    | Voucher
    | Checksum
)
"""Any record the reader yields; a voucher comes whole, with its rows."""


# --------------------------------------------------------------------------------------
# Issues and errors
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem found in a file: severity, Swedish message, and where (``file:line``).

    ``code`` is a stable machine-readable name (``bad_date``, ``unbalanced``,
    ...) for programs; ``message`` is for people.
    """

    severity: Severity
    code: str
    message: str
    path: str
    line: int | None = None

    @property
    def location(self) -> str:
        """``file:line``, or just ``file`` when the issue concerns the whole file."""
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def __str__(self) -> str:
        return f"{self.location}: {SEVERITY_LABELS[self.severity].lower()}: {self.message}"


class SieError(FinsamError):
    """A fatal problem (or, in strict mode, the first error): ``file:line: message``."""

    def __init__(self, path: str, line: int | None, message: str, code: str = "error") -> None:
        self.path = path
        self.line = line
        self.message = message
        self.code = code
        super().__init__(self.location + ": " + message)

    @property
    def location(self) -> str:
        """``file:line``, or just ``file`` when no line applies."""
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    @classmethod
    def from_issue(cls, issue: Issue) -> SieError:
        """Turn an issue into an exception (used by strict mode)."""
        return cls(issue.path, issue.line, issue.message, issue.code)


class SieWriteError(FinsamError, ValueError):
    """A record that cannot be written as SIE (Swedish message)."""
