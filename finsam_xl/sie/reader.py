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
"""

from __future__ import annotations

import io
import os
import re
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import BinaryIO, NoReturn, TypeVar, cast

from ._lexer import LexError, LineSource, ObjList, Token, checksum_text, tokenize
from .records import (
    Account,
    AccountType,
    Address,
    Balance,
    BalanceKind,
    ChartType,
    Checksum,
    CompanyId,
    CompanyName,
    CompanyType,
    Coverage,
    Currency,
    Dimension,
    FileFormat,
    FiscalYear,
    Flag,
    Generated,
    IndustryCode,
    Issue,
    ObjectBalance,
    ObjectBalanceKind,
    ObjectList,
    OrgNumber,
    Period,
    PeriodBalance,
    PeriodKind,
    ProgramInfo,
    Prose,
    Record,
    Severity,
    SieError,
    SieObject,
    SieType,
    SruCode,
    SubDimension,
    TaxYear,
    Transaction,
    TransKind,
    Unit,
    Voucher,
)

Source = str | os.PathLike[str] | bytes | bytearray | BinaryIO
"""A path, the bytes of a file, or a binary stream opened for reading."""

MAX_ISSUES = 10_000
"""Issues kept per file; beyond that they are counted, not stored."""

_CACHE_LIMIT = 100_000
_ZERO = Decimal(0)
_AMOUNT = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)
_INT = re.compile(r"[+-]?\d+", re.ASCII)
_DIGITS = re.compile(r"\d+", re.ASCII)

# Fast paths for the lines that dominate large files. They accept only the plain,
# unambiguous shapes (no escapes, no odd quoting) and mean exactly what the general
# path would make of the same line; anything else goes the general way.
_BARE = r'[^ \t\r"{}\\]++'
_QUOTED = r'"([^"\\]*+)"'
_NUMBER = r"-?\d++(?:\.\d++)?+"
_TRANS_FAST = re.compile(
    r"#(TRANS|RTRANS|BTRANS)[ \t]++(\d++)"
    r"[ \t]++\{([^{}\\]*+)\}"
    rf"[ \t]++({_NUMBER})"
    r"(.*)",
    re.ASCII | re.DOTALL,
)
# What may follow the amount of a plain row: transdat, transtext, kvantitet, sign.
_TAIL_FAST = re.compile(
    r'(?>[ \t]++(?:(\d{8})|"")'
    rf"(?>[ \t]++(?:{_QUOTED}|({_BARE}))"
    rf'(?>[ \t]++(?:""|({_NUMBER}))'
    rf"(?>[ \t]++(?:{_QUOTED}|({_BARE})))?"
    r")?)?)?[ \t\r]*+",
    re.ASCII,
)
_Tail = tuple[date | None, str, Decimal | None, str]
_VER_FAST = re.compile(
    rf"#VER[ \t]++(?:{_QUOTED}|({_BARE}))[ \t]++(?:{_QUOTED}|({_BARE}))[ \t]++(\d{{8}})"
    rf"(?>[ \t]++(?:{_QUOTED}|({_BARE}))"
    r'(?>[ \t]++(?:(\d{8})|"")'
    rf"(?>[ \t]++(?:{_QUOTED}|({_BARE})))?"
    r")?)?",
    re.ASCII,
)

_MANDATORY = ("FLAGGA", "PROGRAM", "FORMAT", "GEN", "FNAMN")
_TRANS_KINDS = frozenset(("TRANS", "RTRANS", "BTRANS"))


class _FieldError(Exception):
    """A field that does not parse; the message is Swedish, without location."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# --------------------------------------------------------------------------------------
# Field parsers (general path)
# --------------------------------------------------------------------------------------


def _get(fields: list[Token], index: int) -> Token:
    return fields[index] if index < len(fields) else ""


def _text(fields: list[Token], index: int) -> str:
    value = _get(fields, index)
    if isinstance(value, ObjList):
        raise _FieldError("Oväntad objektlista", "unexpected_object_list")
    return value


def _required(fields: list[Token], index: int, what: str, code: str = "missing_field") -> str:
    if index >= len(fields):
        raise _FieldError(f"{what} saknas", code)
    value = _text(fields, index)
    if value == "":
        raise _FieldError(f"{what} saknas", code)
    return value


def parse_date(value: str) -> date:
    """Parse ``YYYYMMDD``; raise ``ValueError`` with a Swedish message otherwise."""
    if len(value) == 8 and value.isascii() and value.isdigit():
        try:
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            pass
    raise ValueError(f"Ogiltigt datum '{value}' (ska vara ÅÅÅÅMMDD)")


def _date(value: str) -> date:
    try:
        return parse_date(value)
    except ValueError as exc:
        raise _FieldError(str(exc), "bad_date") from None


def _opt_date(value: str) -> date | None:
    return _date(value) if value else None


def _amount(value: str, what: str = "belopp") -> Decimal:
    if _AMOUNT.fullmatch(value):
        return Decimal(value)
    hint = " (decimaltecknet ska vara punkt)" if "," in value else ""
    if value == "":
        raise _FieldError(f"{what.capitalize()} saknas", "missing_amount")
    raise _FieldError(f"Ogiltigt {what} '{value}'{hint}", "bad_amount")


def _opt_quantity(value: str) -> Decimal | None:
    if value == "":
        return None
    if _AMOUNT.fullmatch(value):
        return Decimal(value)
    raise _FieldError(f"Ogiltig kvantitet '{value}'", "bad_quantity")


def _int(value: str, what: str, code: str) -> int:
    if _INT.fullmatch(value):
        return int(value)
    raise _FieldError(f"Ogiltigt {what} '{value}'", code)


def _year_index(fields: list[Token], index: int) -> int:
    value = _required(fields, index, "Årsnummer", "bad_year_index")
    return _int(value, "årsnummer", "bad_year_index")


def _account(fields: list[Token], index: int) -> str:
    value = _get(fields, index)
    if isinstance(value, ObjList) or value == "":
        raise _FieldError("Kontonummer saknas", "missing_account")
    if not _DIGITS.fullmatch(value):
        raise _FieldError(f"Ogiltigt kontonummer '{value}'", "bad_account")
    return value


def _dimension(value: str) -> int:
    if _DIGITS.fullmatch(value):
        return int(value)
    raise _FieldError(f"Ogiltigt dimensionsnummer '{value}'", "bad_dimension")


def objects_from_fields(raw: Iterable[str]) -> ObjectList:
    """Pair the fields of an object list: ``("1", "35000")`` to ``((1, "35000"),)``."""
    items = list(raw)
    if len(items) % 2:
        raise _FieldError(
            "Ofullständig objektlista: varje dimension ska följas av ett objekt", "bad_objects"
        )
    pairs: list[tuple[int, str]] = []
    for i in range(0, len(items), 2):
        if items[i + 1] == "":
            raise _FieldError("Tomt objekt i objektlista", "bad_objects")
        pairs.append((_dimension(items[i]), items[i + 1]))
    return tuple(pairs)


def _period(value: str) -> Period:
    if len(value) == 6 and value.isascii() and value.isdigit():
        year, month = int(value[:4]), int(value[4:])
        if 1 <= month <= 12 and year >= 1:
            return Period(year, month)
    raise _FieldError(f"Ogiltig period '{value}' (ska vara ÅÅÅÅMM)", "bad_period")


# --------------------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Open:
    """A voucher being read: header seen, maybe inside its braces.

    ``discard`` marks the stand-in for a ``#VER`` that did not parse: its rows
    are read (so they do not count as rows outside a voucher) but it is not
    yielded.
    """

    voucher: Voucher
    bad_rows: bool = False
    pending_rtrans: Transaction | None = None
    discard: bool = False


def _no_append(row: Transaction) -> None:  # pragma: no cover - replaced before any use
    raise AssertionError("no voucher open")


class SieReader:
    """Read one SIE file as a stream of records, collecting issues.

    ``SieReader(path).records()`` (or iterating the reader) yields records;
    ``vouchers()`` yields only vouchers. After (or during) iteration,
    ``issues`` holds what was found, ``encoding`` the encoding used, and
    ``checksum_ok`` the result of the ``#KSUMMA`` check (``None`` without one).
    A reader reads its source once.
    """

    def __init__(
        self,
        source: Source,
        *,
        encoding: str | None = None,
        strict: bool = False,
        name: str | None = None,
        issues: list[Issue] | None = None,
    ) -> None:
        self._source = source
        self._forced_encoding = encoding
        self.strict = strict
        self.path = name if name is not None else _source_name(source)
        self.issues: list[Issue] = issues if issues is not None else []
        self.suppressed = 0
        self.encoding: str | None = None
        self.checksum: int | None = None
        self.checksum_computed: int | None = None
        self.checksum_ok: bool | None = None
        self.unknown_labels: dict[str, int] = {}
        self._used = False
        # The fast paths for plain #TRANS/#VER lines; tests switch them off to check
        # that they mean the same as the general path.
        self.fast_paths = True
        # What the file declares, for the checks of later records.
        self._accounts: set[str] = set()
        self._objects: dict[int, set[str]] = {}
        self._seen_accounts: dict[str, str] = {}
        self._seen_labels: set[str] = set()

    # Issues ---------------------------------------------------------------------------

    def _issue(self, severity: Severity, code: str, message: str, line: int | None) -> None:
        issue = Issue(severity, code, message, self.path, line)
        if self.strict and severity is Severity.ERROR:
            raise SieError.from_issue(issue)
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)
        else:
            self.suppressed += 1

    def _fatal(self, line: int | None, message: str, code: str) -> SieError:
        return SieError(self.path, line, message, code)

    def _raise(self, line: int | None, message: str, code: str) -> NoReturn:
        raise self._fatal(line, message, code)

    @property
    def errors(self) -> list[Issue]:
        """The issues of severity error."""
        return [i for i in self.issues if i.severity is Severity.ERROR]

    # Public iteration -----------------------------------------------------------------

    def __iter__(self) -> Iterator[Record]:
        return self.records()

    def vouchers(self) -> Iterator[Voucher]:
        """Yield the vouchers of the file, one at a time, each with its rows."""
        return cast(Iterator[Voucher], self._iterate(only_vouchers=True))

    def records(self) -> Iterator[Record]:
        """Yield every record of the file in order; a voucher comes whole, with its rows."""
        return self._iterate(only_vouchers=False)

    def _iterate(self, only_vouchers: bool) -> Iterator[Record]:
        if self._used:
            raise RuntimeError("SieReader reads its source once; make a new reader")
        self._used = True
        source = self._source
        if isinstance(source, bytes | bytearray):
            yield from self._read(io.BytesIO(source), only_vouchers)
        elif isinstance(source, str | os.PathLike):
            try:
                stream = open(source, "rb")  # closed by the with below
            except OSError as exc:
                self._raise(None, f"Filen kan inte öppnas: {exc.strerror or exc}", "io_error")
            with stream:
                yield from self._read(stream, only_vouchers)
        elif isinstance(source, io.TextIOBase):
            raise TypeError("SIE-filer läses binärt: öppna filen med 'rb'")
        else:
            yield from self._read(source, only_vouchers)

    # The main loop --------------------------------------------------------------------

    def _read(self, stream: BinaryIO, only_vouchers: bool) -> Iterator[Record]:
        src = LineSource(stream, self._fatal, self._forced_encoding)
        issue = self._issue
        trans_fast = _TRANS_FAST.fullmatch
        ver_fast = _VER_FAST.fullmatch
        dates: dict[str, date] = {}
        objcache: dict[str, ObjectList] = {}
        tails: dict[str, _Tail] = {}
        seen_accounts = self._seen_accounts
        new_trans = Transaction
        dec = Decimal
        blank = " \t"

        lineno = 0
        records = 0
        # The voucher being read. Its hot state lives in locals: whether we are inside
        # its braces, the bound append of its rows, the running sum of its #TRANS rows,
        # and whether an #RTRANS waits for its #TRANS.
        cur: _Open | None = None
        in_block = False
        append: Callable[[Transaction], None] = _no_append
        total = _ZERO
        pending = False
        counting = False  # inside the #KSUMMA part: every record adds to the checksum
        fast = self.fast_paths  # False while counting: every line then goes the general way
        crc = 0  # running #KSUMMA
        crc_line = 0
        format_line = 0
        format_value = ""

        for block in src.blocks():
            if src.notes:
                for severity, code, message, index in src.notes:
                    issue(severity, code, message, lineno + index + 1)
                src.notes.clear()
            start = lineno
            for lineno, line in enumerate(block, start + 1):
                # ---- fast path: a plain #TRANS row inside a voucher -------------------------
                if in_block and fast:
                    m = trans_fast(line)
                    if m is None and line[:1] in blank:
                        m = trans_fast(line.lstrip(blank))
                    if m is not None:
                        kind, acct, inner, amt, tail = m.groups()
                        objs = objcache.get(inner)
                        if objs is None:
                            objs = self._fast_objects(inner, objcache, lineno)
                        # The rest (date, text, quantity, sign) often repeats row after row.
                        rest = tails.get(tail)
                        if rest is None:
                            rest = self._fast_tail(tail, tails, dates)
                        if objs is not None and rest is not None:
                            account = seen_accounts.get(acct)
                            if account is None:
                                account = self._first_use(acct, lineno)
                            amount = dec(amt)
                            row = new_trans(
                                kind,  # type: ignore[arg-type]
                                account,
                                objs,
                                amount,
                                *rest,
                                lineno,
                            )
                            append(row)
                            if kind == "TRANS":
                                total += amount
                                if pending:
                                    assert cur is not None
                                    self._match_rtrans(cur, row)
                                    pending = False
                            else:
                                assert cur is not None
                                pending = self._other_row(cur, row)
                            continue
                # ---- braces and blank lines -----------------------------------------------
                stripped = line.strip()
                if not stripped:
                    continue
                if stripped[0] != "#":
                    if stripped == "{":
                        if cur is not None and not in_block:
                            in_block = True
                        else:
                            issue(Severity.ERROR, "unexpected_brace", "Oväntad klammer '{'", lineno)
                    elif stripped == "}":
                        if cur is not None and in_block:
                            closed = self._close(cur, total)
                            if not cur.discard:
                                yield closed
                            cur, in_block, pending = None, False, False
                        else:
                            issue(Severity.ERROR, "unexpected_brace", "Oväntad klammer '}'", lineno)
                    elif records == 0 and cur is None:
                        self._raise(
                            lineno, "Filen är inte en SIE-fil: raden börjar inte med '#'", "not_sie"
                        )
                    else:
                        issue(
                            Severity.ERROR,
                            "no_label",
                            "Raden saknar etikett (en post börjar med '#')",
                            lineno,
                        )
                    continue
                # ---- a voucher header after which no '{' came ------------------------------
                if cur is not None and not in_block:
                    if not cur.discard:
                        issue(
                            Severity.ERROR,
                            "missing_brace",
                            f"Verifikation {cur.voucher.label} saknar '{{' efter #VER",
                            cur.voucher.line,
                        )
                    cur.bad_rows = True
                    closed = self._close(cur, total)
                    if not cur.discard:
                        yield closed
                    cur, pending = None, False
                # ---- fast path: a plain #VER header -----------------------------------------
                if cur is None and fast:
                    m = ver_fast(stripped)
                    if m is not None:
                        qs, bs, qn, bn, vds, qt, bt, rds, qg, bg = m.groups()
                        vday = dates.get(vds) or self._fast_date(vds, dates)
                        rday: date | None = None
                        if rds is not None:
                            rday = dates.get(rds) or self._fast_date(rds, dates)
                        if vday is not None and (rds is None or rday is not None):
                            records += 1
                            voucher = Voucher(
                                qs if qs is not None else bs,
                                qn if qn is not None else bn,
                                vday,
                                qt if qt is not None else (bt or ""),
                                rday,
                                qg if qg is not None else (bg or ""),
                                [],
                                lineno,
                            )
                            cur, total, append = _Open(voucher), _ZERO, voucher.rows.append
                            continue
                # ---- the general path -------------------------------------------------------
                try:
                    fields = tokenize(stripped)
                except LexError as exc:
                    issue(Severity.ERROR, exc.code, exc.message, lineno)
                    if cur is not None:
                        cur.bad_rows = True
                    continue
                head = fields[0]
                assert isinstance(head, str)  # a line starting with '#' starts with a word
                label = head[1:].upper()
                if label == "KSUMMA":
                    counting, crc_line, value = self._checksum(
                        fields, counting, crc, crc_line, lineno
                    )
                    fast = self.fast_paths and not counting
                    records += 1
                    crc = 0
                    if not only_vouchers:
                        yield Checksum(value, lineno)
                    continue
                if counting:
                    crc = zlib.crc32(
                        checksum_text(fields).encode(src.encoding or "cp437", "replace"), crc
                    )
                if records == 0 and label != "FLAGGA":
                    issue(
                        Severity.WARNING,
                        "flag_not_first",
                        "#FLAGGA ska vara filens första post",
                        lineno,
                    )
                records += 1
                # Rows of a voucher.
                if label in _TRANS_KINDS:
                    if cur is None:
                        issue(
                            Severity.ERROR,
                            "trans_outside_voucher",
                            f"#{label} utanför verifikation",
                            lineno,
                        )
                        continue
                    try:
                        row = self._trans(label, fields, lineno)  # type: ignore[arg-type]
                    except _FieldError as exc:
                        issue(Severity.ERROR, exc.code, f"{exc.message} i #{label}", lineno)
                        cur.bad_rows = True
                        continue
                    append(row)
                    if row.kind == "TRANS":
                        total += row.amount
                        if pending:
                            self._match_rtrans(cur, row)
                            pending = False
                    else:
                        pending = self._other_row(cur, row)
                    continue
                handler = _HANDLERS.get(label)
                if cur is not None:
                    if handler is None and label != "VER":
                        self._unknown(label, lineno)
                        continue
                    # A record that cannot stand in a voucher: the '}' is missing.
                    if not cur.discard:
                        issue(
                            Severity.ERROR,
                            "unterminated_brace",
                            f"Oavslutad klammer: verifikation {cur.voucher.label} saknar "
                            f"'}}' (nästa post på rad {lineno})",
                            cur.voucher.line,
                        )
                    cur.bad_rows = True
                    closed = self._close(cur, total)
                    if not cur.discard:
                        yield closed
                    cur, in_block, pending = None, False, False
                if label == "VER":
                    try:
                        voucher = self._voucher(fields, lineno)
                        cur = _Open(voucher)
                    except _FieldError as exc:
                        issue(Severity.ERROR, exc.code, f"{exc.message} i #VER", lineno)
                        voucher = Voucher("", "", date.min, line=lineno)
                        cur = _Open(voucher, bad_rows=True, discard=True)
                    total, append = _ZERO, voucher.rows.append
                    continue
                if handler is None:
                    self._unknown(label, lineno)
                    continue
                try:
                    record = handler(self, label, fields, lineno)
                except _FieldError as exc:
                    issue(Severity.ERROR, exc.code, f"{exc.message} i #{label}", lineno)
                    continue
                self._seen_labels.add(label)
                if type(record) is FileFormat:
                    format_line, format_value = lineno, record.value
                if not only_vouchers:
                    yield record
            block.clear()  # let the lines go before the next block is read

        # ---- end of file ----------------------------------------------------------------------
        if cur is not None and not cur.discard:
            if in_block:
                issue(
                    Severity.ERROR,
                    "unterminated_brace",
                    f"Oavslutad klammer: verifikation {cur.voucher.label} saknar '}}' "
                    "(filen tar slut; den kan vara avkortad)",
                    cur.voucher.line,
                )
            else:
                issue(
                    Severity.ERROR,
                    "missing_brace",
                    f"Verifikation {cur.voucher.label} saknar '{{' efter #VER",
                    cur.voucher.line,
                )
            cur.bad_rows = True
            yield self._close(cur, total)
        if records == 0:
            self._raise(None, "Filen innehåller inga SIE-poster", "empty")
        if counting:
            issue(
                Severity.ERROR,
                "checksum_unterminated",
                "Avslutande #KSUMMA saknas: filen kan vara avkortad",
                crc_line,
            )
        self._finish(src, format_line, format_value)

    # Fast-path helpers ------------------------------------------------------------------

    def _fast_objects(
        self, inner: str, cache: dict[str, ObjectList], line: int
    ) -> ObjectList | None:
        try:
            objs = objects_from_fields(tokenize("{" + inner + "}")[0])
        except (LexError, _FieldError):
            return None  # the general path reports it
        self._check_objects(objs, line)
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[inner] = objs
        return objs

    @staticmethod
    def _fast_tail(tail: str, cache: dict[str, _Tail], dates: dict[str, date]) -> _Tail | None:
        m = _TAIL_FAST.fullmatch(tail)
        if m is None:
            return None  # the general path reads it
        ds, qtext, btext, qty, qsign, bsign = m.groups()
        day: date | None = None
        if ds is not None:
            day = dates.get(ds) or SieReader._fast_date(ds, dates)
            if day is None:
                return None
        rest: _Tail = (
            day,
            qtext if qtext is not None else (btext or ""),
            None if qty is None else Decimal(qty),
            qsign if qsign is not None else (bsign or ""),
        )
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[tail] = rest
        return rest

    @staticmethod
    def _fast_date(value: str, cache: dict[str, date]) -> date | None:
        try:
            day = parse_date(value)
        except ValueError:
            return None  # the general path reports it
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[value] = day
        return day

    def _first_use(self, account: str, line: int) -> str:
        """First time an account is used in a row: intern it and check the chart."""
        if self._accounts and account not in self._accounts:
            self._issue(
                Severity.WARNING,
                "undeclared_account",
                f"Kontot {account} finns inte i kontoplanen (#KONTO)",
                line,
            )
        if len(self._seen_accounts) < _CACHE_LIMIT:
            self._seen_accounts[account] = account
        return account

    def _check_objects(self, objs: ObjectList, line: int) -> None:
        for dim, obj in objs:
            declared = self._objects.get(dim)
            if declared and obj not in declared:
                self._issue(
                    Severity.WARNING,
                    "undeclared_object",
                    f"Objektet {obj!r} i dimension {dim} finns inte bland #OBJEKT",
                    line,
                )
                declared.add(obj)  # once per object

    # Voucher helpers --------------------------------------------------------------------

    def _match_rtrans(self, current: _Open, row: Transaction) -> None:
        added = current.pending_rtrans
        assert added is not None
        current.pending_rtrans = None
        if (added.account, added.objects, added.amount) != (row.account, row.objects, row.amount):
            self._issue(
                Severity.WARNING,
                "rtrans_unmatched",
                f"#RTRANS följs inte av en likadan #TRANS (konto {added.account}, "
                f"belopp {added.amount})",
                added.line,
            )

    def _other_row(self, current: _Open, row: Transaction) -> bool:
        """Handle an #RTRANS/#BTRANS row; return whether an #RTRANS now waits for its #TRANS."""
        if current.pending_rtrans is not None:
            added = current.pending_rtrans
            current.pending_rtrans = None
            self._issue(
                Severity.WARNING,
                "rtrans_unmatched",
                f"#RTRANS följs inte av en likadan #TRANS (konto {added.account}, "
                f"belopp {added.amount})",
                added.line,
            )
        if row.kind == "RTRANS":
            current.pending_rtrans = row
            return True
        return False

    def _close(self, current: _Open, total: Decimal) -> Voucher:
        voucher = current.voucher
        if current.pending_rtrans is not None:
            added = current.pending_rtrans
            self._issue(
                Severity.WARNING,
                "rtrans_unmatched",
                f"#RTRANS följs inte av en likadan #TRANS (konto {added.account}, "
                f"belopp {added.amount})",
                added.line,
            )
        if not current.bad_rows and total != 0:
            self._issue(
                Severity.ERROR,
                "unbalanced",
                f"Obalanserad verifikation {voucher.label}: summan är {_fmt(total)}",
                voucher.line,
            )
        return voucher

    def _voucher(self, fields: list[Token], line: int) -> Voucher:
        series = _text(fields, 1)
        number = _text(fields, 2)
        day = _date(_required(fields, 3, "Verifikationsdatum", "missing_date"))
        return Voucher(
            series,
            number,
            day,
            _text(fields, 4),
            _opt_date(_text(fields, 5)),
            _text(fields, 6),
            [],
            line,
        )

    def _trans(self, kind: TransKind, fields: list[Token], line: int) -> Transaction:
        account = _account(fields, 1)
        raw = _get(fields, 2)
        shift = 0
        if isinstance(raw, ObjList):
            objs = objects_from_fields(raw)
            self._check_objects(objs, line)
        else:
            # Some programs leave out the object list; read the row without one.
            self._issue(
                Severity.WARNING,
                "missing_object_list",
                f"#{kind} saknar objektlista; läses som {{}}",
                line,
            )
            objs, shift = (), -1
        amount = _amount(_text(fields, 3 + shift))
        seen = self._seen_accounts.get(account)
        if seen is None:
            seen = self._first_use(account, line)
        return Transaction(
            kind,
            seen,
            objs,
            amount,
            _opt_date(_text(fields, 4 + shift)),
            _text(fields, 5 + shift),
            _opt_quantity(_text(fields, 6 + shift)),
            _text(fields, 7 + shift),
            line,
        )

    # Other helpers ----------------------------------------------------------------------

    def _checksum(
        self, fields: list[Token], counting: bool, crc: int, crc_line: int, line: int
    ) -> tuple[bool, int, int | None]:
        """Handle a #KSUMMA record: return (counting, opening line, the record's value)."""
        value = _text(fields, 1)
        if value == "":
            if counting:
                self._issue(Severity.WARNING, "checksum_twice", "#KSUMMA inleds två gånger", line)
            return True, line, None
        if not counting:
            self._issue(
                Severity.ERROR,
                "checksum_unopened",
                "#KSUMMA med värde utan inledande #KSUMMA",
                line,
            )
            return False, crc_line, None
        if not _INT.fullmatch(value):
            self._issue(Severity.ERROR, "bad_checksum", f"Ogiltig kontrollsumma '{value}'", line)
            return False, crc_line, None
        declared = int(value)
        self.checksum = declared
        self.checksum_computed = crc
        # Some programs print the CRC as a signed 32-bit number.
        self.checksum_ok = declared % (1 << 32) == crc
        if not self.checksum_ok:
            self._issue(
                Severity.ERROR,
                "checksum_mismatch",
                f"Felaktig kontrollsumma: #KSUMMA anger {declared}, beräknad är {crc} "
                "(filen kan ha ändrats efter exporten)",
                line,
            )
        return False, crc_line, declared

    def _unknown(self, label: str, line: int) -> None:
        count = self.unknown_labels.get(label, 0)
        self.unknown_labels[label] = count + 1
        if count == 0:
            self._issue(
                Severity.INFO,
                "unknown_record",
                f"Okänd post #{label} ignoreras",
                line,
            )

    def _finish(self, src: LineSource, format_line: int, format_value: str) -> None:
        self.encoding = src.encoding or "cp437"
        for label in _MANDATORY:
            if label not in self._seen_labels:
                self._issue(
                    Severity.WARNING,
                    "missing_record",
                    f"Obligatorisk post #{label} saknas",
                    None,
                )
        if format_line and not src.forced:
            if self.encoding == "utf-8" and format_value.upper() == "PC8":
                self._issue(
                    Severity.INFO,
                    "encoding_mismatch",
                    "Filen är UTF-8-kodad trots #FORMAT PC8; den läses som UTF-8",
                    format_line,
                )
        if self.suppressed:
            self.issues.append(
                Issue(
                    Severity.INFO,
                    "issues_suppressed",
                    f"Ytterligare {self.suppressed} problem visas inte",
                    self.path,
                    None,
                )
            )

    # Record handlers ----------------------------------------------------------------------

    def _h_flag(self, label: str, f: list[Token], line: int) -> Flag:
        value = _required(f, 1, "Flagga")
        flag = _int(value, "flaggvärde", "bad_flag")
        if flag not in (0, 1):
            self._issue(
                Severity.WARNING, "bad_flag", f"#FLAGGA ska vara 0 eller 1, inte {flag}", line
            )
        elif flag == 1:
            self._issue(
                Severity.INFO,
                "already_imported",
                "#FLAGGA 1: filen är markerad som redan inläst",
                line,
            )
        return Flag(flag, line)

    def _h_program(self, label: str, f: list[Token], line: int) -> ProgramInfo:
        return ProgramInfo(_text(f, 1), _text(f, 2), line)

    def _h_format(self, label: str, f: list[Token], line: int) -> FileFormat:
        value = _required(f, 1, "Format")
        if value.upper() != "PC8":
            self._issue(
                Severity.INFO,
                "unknown_format",
                f"#FORMAT {value} är inte PC8; teckenkodningen avgörs av filens innehåll",
                line,
            )
        return FileFormat(value, line)

    def _h_gen(self, label: str, f: list[Token], line: int) -> Generated:
        return Generated(_date(_required(f, 1, "Datum", "missing_date")), _text(f, 2), line)

    def _h_sietyp(self, label: str, f: list[Token], line: int) -> SieType:
        value = _int(_required(f, 1, "SIE-typ"), "SIE-typ", "bad_sie_type")
        if value not in (1, 2, 3, 4):
            self._issue(Severity.WARNING, "bad_sie_type", f"Okänd SIE-typ {value}", line)
        return SieType(value, line)

    def _h_prosa(self, label: str, f: list[Token], line: int) -> Prose:
        return Prose(_text(f, 1), line)

    def _h_ftyp(self, label: str, f: list[Token], line: int) -> CompanyType:
        return CompanyType(_text(f, 1), line)

    def _h_fnr(self, label: str, f: list[Token], line: int) -> CompanyId:
        return CompanyId(_text(f, 1), line)

    def _h_orgnr(self, label: str, f: list[Token], line: int) -> OrgNumber:
        return OrgNumber(_text(f, 1), _text(f, 2), _text(f, 3), line)

    def _h_bkod(self, label: str, f: list[Token], line: int) -> IndustryCode:
        return IndustryCode(_text(f, 1), line)

    def _h_adress(self, label: str, f: list[Token], line: int) -> Address:
        return Address(_text(f, 1), _text(f, 2), _text(f, 3), _text(f, 4), line)

    def _h_fnamn(self, label: str, f: list[Token], line: int) -> CompanyName:
        return CompanyName(_text(f, 1), line)

    def _h_rar(self, label: str, f: list[Token], line: int) -> FiscalYear:
        index = _year_index(f, 1)
        start = _date(_required(f, 2, "Startdatum", "missing_date"))
        end = _date(_required(f, 3, "Slutdatum", "missing_date"))
        if end < start:
            raise _FieldError(
                f"Räkenskapsåret slutar ({end:%Y%m%d}) före det börjar ({start:%Y%m%d})",
                "bad_fiscal_year",
            )
        return FiscalYear(index, start, end, line)

    def _h_taxar(self, label: str, f: list[Token], line: int) -> TaxYear:
        return TaxYear(_int(_required(f, 1, "Taxeringsår"), "taxeringsår", "bad_year"), line)

    def _h_omfattn(self, label: str, f: list[Token], line: int) -> Coverage:
        return Coverage(_date(_required(f, 1, "Datum", "missing_date")), line)

    def _h_kptyp(self, label: str, f: list[Token], line: int) -> ChartType:
        return ChartType(_text(f, 1), line)

    def _h_valuta(self, label: str, f: list[Token], line: int) -> Currency:
        return Currency(_text(f, 1), line)

    def _h_konto(self, label: str, f: list[Token], line: int) -> Account:
        account = _account(f, 1)
        self._accounts.add(account)
        return Account(account, _text(f, 2), line)

    def _h_ktyp(self, label: str, f: list[Token], line: int) -> AccountType:
        account = _account(f, 1)
        kind = _text(f, 2)
        if kind.upper() not in ("T", "S", "K", "I"):
            self._issue(
                Severity.WARNING,
                "bad_account_type",
                f"Okänd kontotyp '{kind}' (ska vara T, S, K eller I)",
                line,
            )
        return AccountType(account, kind, line)

    def _h_enhet(self, label: str, f: list[Token], line: int) -> Unit:
        return Unit(_account(f, 1), _text(f, 2), line)

    def _h_sru(self, label: str, f: list[Token], line: int) -> SruCode:
        return SruCode(_account(f, 1), _text(f, 2), line)

    def _h_dim(self, label: str, f: list[Token], line: int) -> Dimension:
        return Dimension(_dimension(_required(f, 1, "Dimensionsnummer")), _text(f, 2), line)

    def _h_underdim(self, label: str, f: list[Token], line: int) -> SubDimension:
        dim = _dimension(_required(f, 1, "Dimensionsnummer"))
        parent = _dimension(_required(f, 3, "Överordnad dimension"))
        return SubDimension(dim, _text(f, 2), parent, line)

    def _h_objekt(self, label: str, f: list[Token], line: int) -> SieObject:
        dim = _dimension(_required(f, 1, "Dimensionsnummer"))
        obj = _required(f, 2, "Objektnummer")
        self._objects.setdefault(dim, set()).add(obj)
        return SieObject(dim, obj, _text(f, 3), line)

    def _h_balance(self, label: str, f: list[Token], line: int) -> Balance:
        index = _year_index(f, 1)
        account = _account(f, 2)
        kind: BalanceKind = label  # type: ignore[assignment]
        return Balance(kind, index, account, _amount(_text(f, 3)), _opt_quantity(_text(f, 4)), line)

    def _objects_at(
        self, label: str, f: list[Token], index: int, line: int
    ) -> tuple[ObjectList, int]:
        raw = _get(f, index)
        if isinstance(raw, ObjList):
            objs = objects_from_fields(raw)
            self._check_objects(objs, line)
            return objs, 0
        self._issue(
            Severity.WARNING,
            "missing_object_list",
            f"#{label} saknar objektlista; läses som {{}}",
            line,
        )
        return (), -1

    def _h_object_balance(self, label: str, f: list[Token], line: int) -> ObjectBalance:
        index = _year_index(f, 1)
        account = _account(f, 2)
        objs, shift = self._objects_at(label, f, 3, line)
        kind: ObjectBalanceKind = label  # type: ignore[assignment]
        return ObjectBalance(
            kind,
            index,
            account,
            objs,
            _amount(_text(f, 4 + shift)),
            _opt_quantity(_text(f, 5 + shift)),
            line,
        )

    def _h_period(self, label: str, f: list[Token], line: int) -> PeriodBalance:
        index = _year_index(f, 1)
        period = _period(_required(f, 2, "Period", "bad_period"))
        account = _account(f, 3)
        objs, shift = self._objects_at(label, f, 4, line)
        kind: PeriodKind = label  # type: ignore[assignment]
        return PeriodBalance(
            kind,
            index,
            period,
            account,
            objs,
            _amount(_text(f, 5 + shift)),
            _opt_quantity(_text(f, 6 + shift)),
            line,
        )


_Handler = Callable[[SieReader, str, list[Token], int], Record]

_HANDLERS: dict[str, _Handler] = {
    "FLAGGA": SieReader._h_flag,
    "PROGRAM": SieReader._h_program,
    "FORMAT": SieReader._h_format,
    "GEN": SieReader._h_gen,
    "SIETYP": SieReader._h_sietyp,
    "PROSA": SieReader._h_prosa,
    "FTYP": SieReader._h_ftyp,
    "FNR": SieReader._h_fnr,
    "ORGNR": SieReader._h_orgnr,
    "BKOD": SieReader._h_bkod,
    "ADRESS": SieReader._h_adress,
    "FNAMN": SieReader._h_fnamn,
    "RAR": SieReader._h_rar,
    "TAXAR": SieReader._h_taxar,
    "OMFATTN": SieReader._h_omfattn,
    "KPTYP": SieReader._h_kptyp,
    "VALUTA": SieReader._h_valuta,
    "KONTO": SieReader._h_konto,
    "KTYP": SieReader._h_ktyp,
    "ENHET": SieReader._h_enhet,
    "SRU": SieReader._h_sru,
    "DIM": SieReader._h_dim,
    "UNDERDIM": SieReader._h_underdim,
    "OBJEKT": SieReader._h_objekt,
    "IB": SieReader._h_balance,
    "UB": SieReader._h_balance,
    "RES": SieReader._h_balance,
    "OIB": SieReader._h_object_balance,
    "OUB": SieReader._h_object_balance,
    "PSALDO": SieReader._h_period,
    "PBUDGET": SieReader._h_period,
}

KNOWN_LABELS = frozenset(_HANDLERS) | _TRANS_KINDS | {"VER", "KSUMMA"}
"""Every record label of SIE 4B that the reader understands."""


def _fmt(amount: Decimal) -> str:
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        return f"{amount:.2f}"
    return f"{amount:f}"


def _source_name(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    if isinstance(source, bytes | bytearray):
        return "<data>"
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<ström>"


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


def iter_records(
    source: Source,
    *,
    issues: list[Issue] | None = None,
    encoding: str | None = None,
    strict: bool = False,
    name: str | None = None,
) -> Iterator[Record]:
    """Yield the records of an SIE file one at a time (a voucher whole, with its rows).

    Pass a list as ``issues`` to collect the problems found; each has a Swedish
    message and a ``file:line`` location. ``encoding`` overrides detection.
    With ``strict=True`` the first error raises ``SieError``; fatal problems
    always do.
    """
    return SieReader(source, encoding=encoding, strict=strict, name=name, issues=issues).records()


def read_vouchers(
    source: Source,
    *,
    issues: list[Issue] | None = None,
    encoding: str | None = None,
    strict: bool = False,
    name: str | None = None,
) -> Iterator[Voucher]:
    """Yield the vouchers of an SIE file one at a time, each with its rows.

    Memory holds one voucher at a time; see ``iter_records`` for the options.
    """
    reader = SieReader(source, encoding=encoding, strict=strict, name=name, issues=issues)
    return reader.vouchers()


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
        totals[key] = totals.get(key, _ZERO) + amount
    return totals
