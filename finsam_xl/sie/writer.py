"""SIE 4 writer: records (or a whole ``SieFile``) to a file the reader reads back identically.

Layout: one record a line, fields separated by one space, CRLF line ends,
CP437 (``#FORMAT PC8``) unless told otherwise. Text fields (names, texts,
series, voucher numbers, object ids, signatures) are always quoted, with
``"`` written ``\\"`` and a backslash written ``\\\\`` where it would
otherwise be read as an escape; numbers and dates are bare. Trailing empty
optional fields are left out. With ``checksum=True`` the file gets an opening
``#KSUMMA`` after ``#FLAGGA`` and a closing ``#KSUMMA`` with the CRC-32 of the
records in between (SIE 4B, the same rule the reader checks).
"""

from __future__ import annotations

import functools
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import BinaryIO, Literal

from . import records as rec
from ._lexer import checksum_text, tokenize
from .reader import SieFile

Destination = str | os.PathLike[str] | BinaryIO
"""A path, or a binary stream opened for writing."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NEEDS_ESCAPE = re.compile(r'\\(?=["\\]|$)')
_WORD = re.compile(r"[A-Za-z0-9_.+-]+")
_FORMAT_NAMES = {"cp437": "PC8", "utf-8": "UTF8"}
_BATCH = 2000


def quote(text: str) -> str:
    """Quote a text field: ``Kassa "special"`` becomes ``"Kassa \\"special\\""``.

    Control characters (tab, line breaks, ...) cannot stand in an SIE field
    and become spaces. A backslash is doubled only where the reader would
    otherwise take it for an escape (before ``"``, ``\\`` or the closing quote),
    so ``C:\\temp`` stays as it is.
    """
    if not text.isprintable():
        text = _CONTROL.sub(" ", text)
    if "\\" in text:
        text = _NEEDS_ESCAPE.sub(r"\\\\", text)
    if '"' in text:
        text = text.replace('"', '\\"')
    return f'"{text}"'


def format_amount(value: Decimal) -> str:
    """Write an amount or quantity as SIE wants it: decimal point, minus for credit."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise rec.SieWriteError(f"Ogiltigt belopp {value!r}")
    return format(value, "f")


def format_date(value: date) -> str:
    """Write a date as ``YYYYMMDD``."""
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def _word(text: str) -> str:
    """A short code written bare when it can be (``T``, ``PC8``), else quoted."""
    return text if _WORD.fullmatch(text) else quote(text)


def _account(value: str) -> str:
    if not isinstance(value, str) or not (value.isdigit() and value.isascii()):
        raise rec.SieWriteError(f"Ogiltigt kontonummer {value!r}")
    return value


def _objects(objs: rec.ObjectList) -> str:
    try:
        return _objects_cached(objs)
    except TypeError:  # unhashable, e.g. lists instead of tuples
        return _objects_text(objs)


@functools.lru_cache(maxsize=4096)
def _objects_cached(objs: rec.ObjectList) -> str:
    return _objects_text(objs)


def _objects_text(objs: rec.ObjectList) -> str:
    parts: list[str] = []
    for dim, obj in objs:
        if not isinstance(dim, int) or dim < 0:
            raise rec.SieWriteError(f"Ogiltigt dimensionsnummer {dim!r}")
        if not obj:
            raise rec.SieWriteError("Tomt objekt i objektlista")
        parts.append(f"{dim} {quote(obj)}")
    return "{" + " ".join(parts) + "}"


def _trim(fields: list[str]) -> list[str]:
    while fields and fields[-1] == '""':
        fields.pop()
    return fields


def _opt_date(value: date | None) -> str:
    return format_date(value) if value is not None else '""'


def _opt_amount(value: Decimal | None) -> str:
    return format_amount(value) if value is not None else '""'


def format_record(record: rec.Record, encoding: str = "cp437") -> list[str]:
    """The lines (without line ends) that write one record; a voucher takes several."""
    match record:
        case rec.Transaction():
            return [_trans_line(record)]
        case rec.Voucher():
            return _voucher_lines(record)
        case rec.Checksum():
            return []
    fields = (
        _balance_fields(record)
        or _chart_fields(record)
        or _company_fields(record)
        or _file_fields(record, encoding)
    )
    if fields is None:
        raise rec.SieWriteError(f"Okänd posttyp {type(record).__name__}")
    keep = 2 if len(fields) > 1 else 1
    trimmed = _trim(fields[keep:])
    return [" ".join(fields[:keep] + trimmed)]


def _voucher_lines(record: rec.Voucher) -> list[str]:
    """A voucher: its #VER line, then its rows between braces."""
    head = _trim(
        [
            "#VER",
            quote(record.series),
            quote(record.number),
            format_date(record.date),
            quote(record.text),
            _opt_date(record.reg_date),
            quote(record.sign),
        ]
    )
    return [" ".join(head), "{", *(_trans_line(row) for row in record.rows), "}"]


def _balance_fields(record: rec.Record) -> list[str] | None:
    """The fields of a balance (#IB/#UB/#RES, #OIB/#OUB, #PSALDO/#PBUDGET); else None."""
    match record:
        case rec.PeriodBalance():
            return [
                f"#{record.kind}",
                str(record.year_index),
                str(record.period),
                _account(record.account),
                _objects(record.objects),
                format_amount(record.amount),
                _opt_amount(record.quantity),
            ]
        case rec.ObjectBalance():
            return [
                f"#{record.kind}",
                str(record.year_index),
                _account(record.account),
                _objects(record.objects),
                format_amount(record.amount),
                _opt_amount(record.quantity),
            ]
        case rec.Balance():
            return [
                f"#{record.kind}",
                str(record.year_index),
                _account(record.account),
                format_amount(record.amount),
                _opt_amount(record.quantity),
            ]
    return None


def _chart_fields(record: rec.Record) -> list[str] | None:
    """The fields of the chart of accounts and of the dimensions and objects; else None."""
    match record:
        case rec.Account():
            return ["#KONTO", _account(record.account), quote(record.name)]
        case rec.AccountType():
            return ["#KTYP", _account(record.account), _word(record.type)]
        case rec.Unit():
            return ["#ENHET", _account(record.account), quote(record.unit)]
        case rec.SruCode():
            return ["#SRU", _account(record.account), quote(record.code)]
        case rec.Dimension():
            return ["#DIM", str(record.dimension), quote(record.name)]
        case rec.SubDimension():
            return ["#UNDERDIM", str(record.dimension), quote(record.name), str(record.parent)]
        case rec.SieObject():
            if not record.object_id:
                raise rec.SieWriteError("Objektnummer saknas i #OBJEKT")
            return ["#OBJEKT", str(record.dimension), quote(record.object_id), quote(record.name)]
        case rec.ChartType():
            return ["#KPTYP", quote(record.chart_type)]
    return None


def _company_fields(record: rec.Record) -> list[str] | None:
    """The fields of what the file says of the company; else None."""
    match record:
        case rec.CompanyType():
            return ["#FTYP", quote(record.company_type)]
        case rec.CompanyId():
            return ["#FNR", quote(record.company_id)]
        case rec.OrgNumber():
            return [
                "#ORGNR",
                quote(record.orgnr),
                quote(record.acquisition_no),
                quote(record.activity_no),
            ]
        case rec.IndustryCode():
            return ["#BKOD", quote(record.sni)]
        case rec.Address():
            return [
                "#ADRESS",
                quote(record.contact),
                quote(record.street),
                quote(record.postal),
                quote(record.phone),
            ]
        case rec.CompanyName():
            return ["#FNAMN", quote(record.name)]
        case rec.Currency():
            return ["#VALUTA", quote(record.code)]
    return None


def _file_fields(record: rec.Record, encoding: str) -> list[str] | None:
    """The fields of what the file says of itself and of its years; else None."""
    match record:
        case rec.Flag():
            return ["#FLAGGA", str(record.flag)]
        case rec.ProgramInfo():
            return ["#PROGRAM", quote(record.name), quote(record.version)]
        case rec.FileFormat():
            return ["#FORMAT", _word(_FORMAT_NAMES.get(encoding, record.value))]
        case rec.Generated():
            return ["#GEN", format_date(record.date), quote(record.sign)]
        case rec.SieType():
            return ["#SIETYP", str(record.type)]
        case rec.Prose():
            return ["#PROSA", quote(record.text)]
        case rec.FiscalYear():
            return [
                "#RAR",
                str(record.year_index),
                format_date(record.start),
                format_date(record.end),
            ]
        case rec.TaxYear():
            return ["#TAXAR", str(record.year)]
        case rec.Coverage():
            return ["#OMFATTN", format_date(record.date)]
    return None


def _trans_line(row: rec.Transaction) -> str:
    fields = [
        f"#{row.kind}",
        _account(row.account),
        _objects(row.objects),
        format_amount(row.amount),
    ]
    tail = _trim(
        [
            _opt_date(row.date),
            quote(row.text),
            _opt_amount(row.quantity),
            quote(row.sign),
        ]
    )
    return " ".join(fields + tail)


def _lines(records: Iterable[rec.Record], encoding: str, checksum: bool) -> Iterator[str]:
    """Yield the file's lines; with ``checksum`` wrapped in the two ``#KSUMMA`` records."""
    crc = 0
    opened = not checksum
    for record in records:
        if type(record) is rec.Checksum:
            continue
        lines = format_record(record, encoding)
        if not opened and type(record) is not rec.Flag:
            yield "#KSUMMA"
            opened = True
        for line in lines:
            if checksum and opened and line != "{" and line != "}":
                crc = _crc(line, crc, encoding)
            yield line
    if checksum:
        if not opened:
            yield "#KSUMMA"
        yield f"#KSUMMA {crc}"


def _crc(line: str, crc: int, encoding: str) -> int:
    return zlib.crc32(checksum_text(tokenize(line)).encode(encoding, "replace"), crc)


def write_sie(
    source: SieFile | Iterable[rec.Record],
    dest: Destination,
    *,
    encoding: Literal["cp437", "utf-8"] = "cp437",
    checksum: bool = False,
    errors: Literal["strict", "replace"] = "strict",
    newline: str = "\r\n",
) -> int:
    """Write records (or a ``SieFile``) as an SIE file; return the number of lines written.

    ``source`` may be any iterable of records, also a generator: the writer
    streams. ``encoding`` is ``cp437`` (SIE's PC8, the default) or ``utf-8``;
    ``#FORMAT`` is written to match (``UTF8`` is not part of SIE 4B, so use it
    only for receivers that ask for it). A character the encoding cannot hold
    raises ``SieWriteError`` unless ``errors="replace"`` (then it becomes ``?``).
    ``#KSUMMA`` records in the input are dropped; ``checksum=True`` writes new ones.
    """
    if encoding not in _FORMAT_NAMES:
        raise rec.SieWriteError(f"Okänd teckenkodning '{encoding}' (välj cp437 eller utf-8)")
    records = source.records if isinstance(source, SieFile) else source
    if isinstance(dest, str | os.PathLike):
        with open(dest, "wb") as stream:
            return _write(records, stream, encoding, checksum, errors, newline)
    return _write(records, dest, encoding, checksum, errors, newline)


def _write(
    records: Iterable[rec.Record],
    stream: BinaryIO,
    encoding: str,
    checksum: bool,
    errors: str,
    newline: str,
) -> int:
    count = 0
    batch: list[str] = []
    for line in _lines(records, encoding, checksum):
        batch.append(line)
        if len(batch) >= _BATCH:
            stream.write(_encode(batch, encoding, errors, newline))
            count += len(batch)
            batch = []
    if batch:
        stream.write(_encode(batch, encoding, errors, newline))
        count += len(batch)
    return count


def _encode(lines: list[str], encoding: str, errors: str, newline: str) -> bytes:
    text = newline.join(lines) + newline
    try:
        return text.encode(encoding, errors)
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        culprit = next((line for line in lines if bad in line), "")
        raise rec.SieWriteError(
            f"Tecknet {bad!r} kan inte skrivas med teckenkodningen {encoding} (i {culprit[:60]!r})"
        ) from None


# --------------------------------------------------------------------------------------
# Building records
# --------------------------------------------------------------------------------------


def header_records(
    *,
    company_name: str,
    fiscal_years: Mapping[int, tuple[date, date]],
    program: str = "finsam_xl",
    program_version: str = "",
    generated: date | None = None,
    generated_by: str = "",
    sie_type: int = 3,
    orgnr: str = "",
    chart_type: str = "",
    currency: str = "",
    flag: int = 0,
) -> list[rec.Record]:
    """The identification records a file starts with, in the order of the specification.

    ``fiscal_years`` maps year index (0 = the budget year, -1 = the year
    before) to (first day, last day). ``sie_type`` 3 suits a budget with cost
    centres (``#PBUDGET`` with objects); use 2 without objects, 4 with vouchers.
    """
    from finsam_xl import __version__

    records: list[rec.Record] = [
        rec.Flag(flag),
        rec.ProgramInfo(program, program_version or __version__),
        rec.FileFormat("PC8"),
        rec.Generated(generated or date.today(), generated_by),
        rec.SieType(sie_type),
    ]
    if orgnr:
        records.append(rec.OrgNumber(orgnr))
    records.append(rec.CompanyName(company_name))
    for index in sorted(fiscal_years, reverse=True):
        start, end = fiscal_years[index]
        records.append(rec.FiscalYear(index, start, end))
    if chart_type:
        records.append(rec.ChartType(chart_type))
    if currency:
        records.append(rec.Currency(currency))
    return records


BudgetRow = tuple[str, rec.ObjectList, rec.Period | tuple[int, int], Decimal]
"""(account, objects, (year, month), amount): one budget figure."""


def budget_records(
    rows: Iterable[BudgetRow], *, year_index: int = 0
) -> Iterator[rec.PeriodBalance]:
    """Turn budget figures into ``#PBUDGET`` records, one per account, objects and month.

    Each row is ``(account, objects, (year, month), amount)``, for example
    ``("4010", ((1, "35000"),), (2026, 1), Decimal("-12500"))``. The sign
    follows SIE: costs positive, income negative.
    """
    for account, objects, period, amount in rows:
        year, month = period
        if not 1 <= month <= 12:
            raise rec.SieWriteError(f"Ogiltig månad {month} för konto {account}")
        yield rec.PeriodBalance(
            "PBUDGET", year_index, rec.Period(year, month), account, tuple(objects), amount
        )
