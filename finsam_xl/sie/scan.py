"""The one scanning loop over an SIE 4 file, feeding a receiver.

``Scanner`` reads the bytes once (``_lexer.LineSource``: blocks of 1 MiB,
encoding detection), dispatches each record, keeps the voucher being read
(``#VER``, its braces, its ``#TRANS``/``#RTRANS``/``#BTRANS`` rows and its
balance), and checks what spans records: ``#RAR`` given twice, a voucher
number used twice, a voucher dated outside the fiscal year, ``#KSUMMA``, the
mandatory records. Every problem becomes an ``Issue`` with ``file:line``.

What the loop reads goes to a ``Receiver``:

* ``reader.SieReader`` builds records and whole vouchers and yields them;
* ``postings.posting_totals`` sums the booked rows into ``sums.PostingSums``.

Lines that dominate large files have fast paths that mean exactly what the
general path (``_lexer.tokenize`` and a handler per label) would make of them:
plain ``#TRANS`` and ``#VER`` lines are matched by patterns (every receiver),
and a receiver with ``sums`` lets plain rows take the hot path, which adds
their amounts as öre to the sums without building anything and opens plain
vouchers without building them. ``fast_rows`` and ``hot_rows`` count the rows
each took. The amounts of a block's hot rows are checked by one search of the
block's text (``_ODD_AMOUNT``) rather than row by row; a block where it finds an
odd amount checks each row's, as the general path would read it.
"""

from __future__ import annotations

import io
import os
import re
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import BinaryIO, NoReturn, TypeVar

from finsam_xl.errors import FinsamError
from finsam_xl.model.findings import Severity
from finsam_xl.model.labels import os_reason
from finsam_xl.model.money import ZERO

from . import records as rec
from ._lexer import LexError, LineSource, ObjList, Token, checksum_text, tokenize
from .sums import (
    HOT_AMOUNT,
    HOT_ROW,
    HOT_VER,
    Cells,
    PostingSums,
    Tail,
    ViewSource,
    proper,
)

Source = str | os.PathLike[str] | bytes | bytearray | BinaryIO
"""A path, the bytes of a file, or a binary stream opened for reading."""

MAX_ISSUES = 10_000
"""Issues kept per file; beyond that they are counted, not stored."""

_CACHE_LIMIT = 100_000
_CENT = Decimal("0.01")
_BLANK = " \t"
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
    r"[ \t]++(-?\d{1,15}+(?:\.\d++)?+)"  # longer amounts go the general way
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
_VER_FAST = re.compile(
    rf"#VER[ \t]++(?:{_QUOTED}|({_BARE}))[ \t]++(?:{_QUOTED}|({_BARE}))[ \t]++(\d{{8}})"
    rf"(?>[ \t]++(?:{_QUOTED}|({_BARE}))"
    r'(?>[ \t]++(?:(\d{8})|"")'
    rf"(?>[ \t]++(?:{_QUOTED}|({_BARE})))?"
    r")?)?",
    re.ASCII,
)

# Every '} ' of a block followed by anything but an amount the hot path takes (at most
# 15 digits, a point and two decimals, then a blank or the line end, "\r\n" too). A
# block without one has every hot row's amount in that form, so its rows need not be
# checked one by one ("10.00\r" at a line's end is read by int() as "10.00" would be).
_ODD_AMOUNT = re.compile(rf"\}} (?!{HOT_AMOUNT.pattern}(?:\r(?=\n))?+(?![^ \n]))", re.ASCII)

_MANDATORY = ("FLAGGA", "PROGRAM", "FORMAT", "GEN", "FNAMN")
_TRANS_KINDS = frozenset(("TRANS", "RTRANS", "BTRANS"))


class _FieldError(FinsamError):
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


_MAX_DIGITS = 15
"""Digits an amount may have before its point: what Excel holds exactly (and far more
than any förbund's books need)."""


def _amount(value: str, what: str = "belopp") -> Decimal:
    if _AMOUNT.fullmatch(value):
        if len(value.lstrip("-").partition(".")[0]) > _MAX_DIGITS:
            raise _FieldError(
                f"Orimligt stort {what} ({len(value)} tecken; högst {_MAX_DIGITS} siffror "
                "före decimaltecknet): raden räknas inte. Kontrollera exporten.",
                "huge_amount",
            )
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


def objects_from_fields(raw: Iterable[str]) -> rec.ObjectList:
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


def _period(value: str) -> rec.Period:
    if len(value) == 6 and value.isascii() and value.isdigit():
        year, month = int(value[:4]), int(value[4:])
        if 1 <= month <= 12 and year >= 1:
            return rec.Period(year, month)
    raise _FieldError(f"Ogiltig period '{value}' (ska vara ÅÅÅÅMM)", "bad_period")


# --------------------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class OpenVoucher:
    """A voucher being read: header seen, maybe inside its braces.

    ``discard`` marks the stand-in for a ``#VER`` that did not parse: its rows
    are read (so they do not count as rows outside a voucher) but it is not
    passed on. ``outside`` marks a voucher dated outside the fiscal year;
    ``total`` is the sum of its booked rows read the general way, ``debit`` that
    of the positive ones.
    """

    voucher: rec.Voucher
    bad_rows: bool = False
    pending_rtrans: rec.Transaction | None = None
    discard: bool = False
    outside: bool = False
    total: Decimal = ZERO
    debit: Decimal = ZERO

    @property
    def plain(self) -> bool:
        """Whether its rows may take the hot path (as far as the voucher goes)."""
        return not (self.discard or self.outside)

    @property
    def ready(self) -> bool:
        """Whether its next row may take the hot path: plain, and no #RTRANS waits."""
        return self.pending_rtrans is None and not (self.discard or self.outside)


@dataclass(slots=True)
class _FileChecks:
    """What the checks that span records keep: the ``#KSUMMA`` part and ``#FORMAT``."""

    counting: bool = False
    """Inside the ``#KSUMMA`` part: every record adds to the checksum."""
    crc: int = 0
    """The CRC-32 of the part so far."""
    crc_line: int = 0
    """The line of the ``#KSUMMA`` that opened the part."""
    format_line: int = 0
    """The line of ``#FORMAT`` (0 without one) and its value."""
    format_value: str = ""


def _no_append(row: rec.Transaction) -> None:  # pragma: no cover - replaced before any use
    raise AssertionError("no voucher open")


class Receiver:
    """What the scanning loop feeds. This base takes nothing and passes nothing on.

    ``sums`` (``None`` here) lets plain rows take the hot path into those sums;
    ``kept``, when a list, holds ``(line number, line)`` of the hot rows of the
    voucher being read (``Scanner.plain_row`` turns one into a ``Transaction``).
    """

    sums: PostingSums | None = None
    kept: list[tuple[int, str]] | None = None

    def rows_of(self, current: OpenVoucher) -> Callable[[rec.Transaction], None]:
        """Where the rows of a voucher go that are read the general way (every kind)."""
        return _ignore

    def voucher(self, current: OpenVoucher) -> rec.Record | None:
        """A voucher ended (its checks done); return what to pass on, if anything.

        Not called for a voucher of hot rows only that balances (nothing to say).
        """
        return None

    def record(self, record: rec.Record) -> rec.Record | None:
        """Any other record (``#KSUMMA`` too); return what to pass on, if anything."""
        return None


def _ignore(row: rec.Transaction) -> None:
    return None


def _ignore_number(value: object) -> None:  # pragma: no cover - replaced before any use
    raise AssertionError("no series")


class Scanner:
    """Read one SIE file once, feeding a ``Receiver``, collecting issues.

    After (or during) the scan, ``issues`` holds what was found, ``encoding``
    the encoding used, ``checksum_ok`` the result of the ``#KSUMMA`` check
    (``None`` without one), ``fast_rows`` and ``hot_rows`` how many rows the
    fast paths took. Setting ``fast_paths`` to ``False`` sends every line the
    general way (the tests compare the two).
    """

    fast_paths: bool = True
    """Whether plain #TRANS/#VER lines may take the fast paths (tests switch them off)."""

    def __init__(
        self,
        source: Source,
        *,
        encoding: str | None = None,
        strict: bool = False,
        name: str | None = None,
        issues: list[rec.Issue] | None = None,
    ) -> None:
        self._source = source
        self._forced_encoding = encoding
        self.strict = strict
        self.path = name if name is not None else _source_name(source)
        self.issues: list[rec.Issue] = issues if issues is not None else []
        self.suppressed = 0
        self.encoding: str | None = None
        self.checksum: int | None = None
        self.checksum_computed: int | None = None
        self.checksum_ok: bool | None = None
        self.unknown_labels: dict[str, int] = {}
        self._used = False
        self.fast_rows = 0
        self.hot_rows = 0
        self._sums: PostingSums | None = None
        self._kept: list[tuple[int, str]] | None = None
        self._latin = False  # whether the lines are Latin-1 views of CP437 (ViewSource)
        # What the file declares, for the checks of later records.
        self._accounts: set[str] = set()
        self._objects: dict[int, set[str]] = {}
        self.seen_accounts: dict[str, str] = {}
        self._seen_labels: set[str] = set()
        # One attribute, not five: beyond 30 attributes CPython 3.11 gives an instance a
        # dictionary of its own, and every attribute read in the loop gets slower (docs/sie.md).
        self._checks = _FileChecks()
        self._year: rec.FiscalYear | None = None
        self._years: dict[int, int] = {}
        self._dims: dict[int, int] = {}
        self._numbers: dict[str, tuple[list[str], array[int]]] = {}
        # The fast paths' caches of checked parts.
        self._dates: dict[str, date] = {}
        self._objcache: dict[str, rec.ObjectList] = {}
        self._tails: dict[str, Tail] = {}

    # Issues ---------------------------------------------------------------------------

    def _issue(self, severity: Severity, code: str, message: str, line: int | None) -> None:
        issue = rec.Issue(severity, code, message, self.path, line)
        if self.strict and severity is Severity.ERROR:
            raise rec.SieError.from_issue(issue)
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)
        else:
            self.suppressed += 1

    def _fatal(self, line: int | None, message: str, code: str) -> rec.SieError:
        return rec.SieError(self.path, line, message, code)

    def _raise(self, line: int | None, message: str, code: str) -> NoReturn:
        raise self._fatal(line, message, code)

    @property
    def errors(self) -> list[rec.Issue]:
        """The issues of severity error."""
        return [i for i in self.issues if i.severity is Severity.ERROR]

    # Reading ----------------------------------------------------------------------------

    def scan(self, receiver: Receiver) -> Iterator[rec.Record]:
        """Read the source once, feeding ``receiver``; yield what the receiver passes on.

        Raises ``SieError`` for fatal problems (and, in strict mode, the first error).
        """
        if self._used:
            raise RuntimeError("SieReader reads its source once; make a new reader")
        self._used = True
        source = self._source
        if isinstance(source, bytes | bytearray):
            yield from self._scan(io.BytesIO(source), receiver)
        elif isinstance(source, str | os.PathLike):
            try:
                stream = open(source, "rb")  # closed by the with below
            except OSError as exc:
                self._raise(None, f"Filen kan inte öppnas: {os_reason(exc)}", "io_error")
            with stream:
                yield from self._scan(stream, receiver)
        elif isinstance(source, io.TextIOBase):
            raise TypeError("SIE-filer läses binärt: öppna filen med 'rb'")
        else:
            yield from self._scan(source, receiver)

    # The loop ---------------------------------------------------------------------------

    # Why this method is long (issue 23; the figures are in docs/sie.md, "Why _scan is
    # long"): the loop runs once per line of files of a million rows, and its state (the
    # voucher being read, its öre, the hot path's caches) lives in local variables, which
    # are read and written faster than attributes. A method per kind of line would pass
    # that state in and out on every row. So the lines that dominate large files stay
    # inline: the hot rows, #VER, '{' and '}' (posting_totals), the fast rows and #VER
    # headers (the reader). As a method, the fast #VER header alone cost the reader 0.8%
    # more instructions (callgrind); the steps below cost nothing measurable: _notes,
    # _not_a_record, _ksumma, _count, _general_row, _general_ver, _record, _end_of_file.
    def _scan(  # noqa: C901  the SIE hot loop: see the comment above and docs/sie.md
        self, stream: BinaryIO, receiver: Receiver
    ) -> Iterator[rec.Record]:
        sums = self._sums = receiver.sums
        src = (LineSource if sums is None else ViewSource)(
            stream, self._fatal, self._forced_encoding
        )
        # Local names for what the loop calls per line (a local is read faster).
        trans_fast = _TRANS_FAST.fullmatch
        ver_fast = _VER_FAST.fullmatch
        date_of = self.fast_date
        objects_of = self.fast_objects
        objcache = self._objcache
        tails = self._tails
        tail_of = self.fast_tail
        seen_accounts = self.seen_accounts
        # The hot path's view of the sums (see PostingSums); inert without sums.
        hot_sums = sums if sums is not None else PostingSums(self, 0)
        hot_match = HOT_ROW.fullmatch
        ver_hot = HOT_VER.fullmatch
        amount_ok = HOT_AMOUNT.fullmatch
        odd_amount = _ODD_AMOUNT.search
        heads_get = hot_sums.heads.get
        spaced_tails = hot_sums.spaced_tails
        ok_tails = hot_sums.ok_tails
        new_id = hot_sums.new_ids.append
        new_day = hot_sums.new_days.append
        new_line = hot_sums.new_lines.append
        cells_of = hot_sums.cells
        hot_row = hot_sums.hot_row
        ver_days = hot_sums.ver_days
        quoted_days = hot_sums.quoted_days
        # The raw lines of the current voucher's hot rows, for a receiver that keeps them.
        kept = self._kept = receiver.kept
        keep = None if kept is None else kept.append

        # Where the voucher numbers of the last series seen go.
        numbers_series: str | None = None
        add_number: Callable[[str], None] = _ignore_number
        add_number_line: Callable[[int], None] = _ignore_number

        lineno = 0
        records = 0
        # The hot rows are counted by line numbers, not one by one: every line that is
        # not a hot row sets ``mark`` to its number, after adding the lines between the
        # previous mark and it, which were all hot rows.
        rows = 0
        mark = 0
        # The voucher being read (None outside one), and where its rows go.
        cur: OpenVoucher | None = None
        add: Callable[[rec.Transaction], None] = _no_append
        # A #VER line read by the hot path opens its voucher without building it: ``lazy``
        # is then its line (0 otherwise) and ``lazy_text`` the line's text. Anything but
        # a '{', a hot row or a balanced '}' builds it first.
        lazy = 0
        lazy_text = ""
        in_block = False
        # True inside the braces of a voucher whose plain rows may take the hot path.
        hot = False
        day = date.min  # the voucher's date
        cells: Cells = []  # the öre of that date
        cents = 0  # the voucher's sum of hot rows, in öre
        # False inside the #KSUMMA part (every line then goes the general way: each record
        # adds to the checksum, see _count) and when the tests switch the fast paths off.
        fast = self.fast_paths
        hot_ok = fast and sums is not None

        for block in src.blocks():
            self._notes(src, lineno)
            start = lineno
            latin = self._latin = sums is not None and src.encoding == "cp437"  # ViewSource
            # Whether every hot row of the block has a plain amount: one search of the
            # block's text (where a blanked line still has what it had: never wrongly yes).
            plain = sums is not None and odd_amount(src.text) is None
            for lineno, line in enumerate(block, start + 1):
                if hot:
                    # ---- hot path: a plain row of a plain voucher ------------------------------
                    # With single spaces around the amount the row is split, else matched;
                    # its head and rest must have been checked before (or are, by hot_row).
                    head, sep, after = line.partition("} ")
                    key = heads_get(head)
                    if key is not None:
                        amt, _, tail = after.partition(" ")
                        if tail in spaced_tails and (plain or amount_ok(amt)):
                            amount = int(amt.replace(".", ""))
                        else:
                            key = None
                    elif not sep and (line == "}\r" or line == "}"):
                        # ---- hot path: the end of the voucher (no #RTRANS waits) ------------
                        if cents or cur is not None:
                            if lazy:
                                cur, lazy = self._build(lazy_text, lazy, latin), 0
                            assert cur is not None
                            closed = self._close(cur, cents, receiver)
                            if closed is not None:
                                yield closed
                        cur, lazy, in_block, hot = None, 0, False, False
                        rows += lineno - mark - 1
                        mark = lineno
                        continue
                    if key is None:
                        m = hot_match(line)
                        if m is not None:
                            head, whole, hundredths, tail = m.groups()
                            amount = int(whole + hundredths)
                            key = heads_get(head)
                            if key is None or tail not in ok_tails:
                                key = hot_row(head, tail, lineno, latin)
                            elif tail[:1] == " ":
                                spaced_tails.add(tail[1:])
                    if key is not None:
                        try:
                            old = cells[key]
                        except IndexError:  # a key made since this day's list was
                            cells = cells_of(day)
                            old = cells[key]
                        if old is None:
                            cells[key] = amount
                            new_id(key)
                            new_day(day)
                            new_line(lineno)
                        else:
                            cells[key] = old + amount
                        cents += amount
                        if keep is not None:
                            keep((lineno, line))
                        continue
                elif lazy:
                    # ---- hot path: the '{' after a #VER that the hot path took -------------
                    if not in_block and (line == "{\r" or line == "{"):
                        in_block, hot = True, hot_ok
                        mark = lineno  # (the line before was the #VER)
                        continue
                elif cur is None and hot_ok:
                    # ---- hot path: a plain #VER line (the voucher is built when needed) ----
                    # #VER "series" "number" date "text" [regdate], the way write_sie and
                    # many programs write it, is split at the quotes; else matched.
                    known = None
                    if line.startswith('#VER "') and "\\" not in line:
                        parts = line.split('"')
                        if len(parts) == 7 and parts[2] == " ":
                            known = quoted_days.get((parts[4], parts[6]))
                            if known is None:
                                known = hot_sums.quoted_ver(parts[4], parts[6])
                            series, number = parts[1], parts[3]
                    if known is None:
                        m = ver_hot(line)
                        if m is not None:
                            ver_dates: tuple[str, str | None] = m.group(3, 4)  # type: ignore[assignment]
                            known = ver_days.get(ver_dates)
                            if known is None:
                                known = hot_sums.plain_ver(ver_dates)
                            series, number = m.group(1).strip('"'), m.group(2).strip('"')
                    if known is not None:
                        records += 1
                        if series != numbers_series:
                            numbers_series = series
                            add_number, add_number_line = self._numbers_of(series)
                        add_number(number)
                        add_number_line(lineno)
                        if kept:
                            kept.clear()
                        lazy, lazy_text = lineno, line
                        cents = 0
                        day, cells = known
                        mark = lineno  # (the line before was not a hot row)
                        continue
                # ---- every other line: the general way ------------------------------------
                rows += lineno - mark - 1
                mark = lineno
                if latin:
                    line = proper(line)
                # ---- fast path: a plain row ------------------------------------------------
                if in_block and fast:
                    m = trans_fast(line)
                    if m is None and line[:1] in _BLANK:
                        m = trans_fast(line.lstrip(_BLANK))
                    if m is not None:
                        kind, acct, inner, amt, tail = m.groups()
                        # The rest (date, text, quantity, sign) often repeats row after row.
                        # It is read first: a row whose tail goes the general way has its
                        # objects checked there, so checking them here would report twice.
                        rest = tails.get(tail) or tail_of(tail)
                        objs = objcache.get(inner)
                        if objs is None and rest is not None:
                            objs = objects_of(inner, lineno)
                        if objs is not None and rest is not None:
                            if lazy:
                                cur, lazy = self._build(lazy_text, lazy, latin), 0
                                add = receiver.rows_of(cur)
                            assert cur is not None
                            account = seen_accounts.get(acct)
                            if account is None:
                                account = self.first_use(acct, lineno)
                            row = rec.Transaction(
                                kind,  # type: ignore[arg-type]
                                account,
                                objs,
                                Decimal(amt),
                                *rest,
                                line=lineno,
                            )
                            self.fast_rows += 1
                            hot = self._row(cur, row, add) and hot_ok
                            continue
                # ---- braces and blank lines -----------------------------------------------
                stripped = line.strip()
                if not stripped:
                    continue
                if lazy:
                    if stripped == "{" and not in_block:
                        in_block, hot = True, hot_ok
                        continue
                    cur, lazy = self._build(lazy_text, lazy, latin), 0
                    add = receiver.rows_of(cur)
                if stripped[0] != "#":
                    if stripped == "{" and cur is not None and not in_block:
                        in_block = True
                        hot = hot_ok and cur.plain
                    elif stripped == "}" and cur is not None and in_block:
                        closed = self._close(cur, cents, receiver)
                        if closed is not None:
                            yield closed
                        cur, in_block, hot = None, False, False
                    else:
                        self._not_a_record(stripped, lineno, records == 0 and cur is None)
                    continue
                # ---- a voucher header after which no '{' came ------------------------------
                if cur is not None and not in_block:
                    closed = self._cut(cur, cents, receiver, None)
                    if closed is not None:
                        yield closed
                    cur = None
                # ---- fast path: a plain #VER header -----------------------------------------
                # (Once per voucher for the reader: inline, as a method it cost the reader 0.8%
                # more instructions.)
                if cur is None and fast:
                    m = ver_fast(stripped)
                    if m is not None:
                        qs, bs, qn, bn, vds, qt, bt, rds, qg, bg = m.groups()
                        vday = date_of(vds)
                        rday = None if rds is None else date_of(rds)
                        if vday is not None and (rds is None or rday is not None):
                            records += 1
                            voucher = rec.Voucher(
                                qs if qs is not None else bs,
                                qn if qn is not None else bn,
                                vday,
                                qt if qt is not None else (bt or ""),
                                rday,
                                qg if qg is not None else (bg or ""),
                                [],
                                line=lineno,
                            )
                            cur, cents, day = self._begin(voucher), 0, vday
                            add = receiver.rows_of(cur)
                            if sums is not None:
                                cells = cells_of(day)
                            continue
                # ---- the general path -------------------------------------------------------
                try:
                    fields = tokenize(stripped)
                except LexError as exc:
                    self._issue(Severity.ERROR, exc.code, exc.message, lineno)
                    if cur is not None:
                        cur.bad_rows = True
                    continue
                head_field = fields[0]
                assert isinstance(head_field, str)  # a line starting with '#' starts with a word
                label = head_field[1:].upper()
                if label == "KSUMMA":
                    checksum = self._ksumma(fields, lineno)
                    fast = self.fast_paths and not self._checks.counting
                    hot_ok = fast and sums is not None
                    hot = in_block and hot_ok and cur is not None and cur.plain
                    records += 1
                    closed = receiver.record(checksum)
                    if closed is not None:
                        yield closed
                    continue
                if self._checks.counting:
                    self._count(src, fields, lineno - start - 1)
                if records == 0 and label != "FLAGGA":
                    self._issue(
                        Severity.WARNING,
                        "flag_not_first",
                        "#FLAGGA ska vara filens första post",
                        lineno,
                    )
                records += 1
                if label in _TRANS_KINDS:
                    general = self._general_row(cur, label, fields, lineno)
                    if general is not None:
                        assert cur is not None  # a row outside a voucher is None
                        hot = self._row(cur, general, add) and in_block and hot_ok
                    continue
                handler = _HANDLERS.get(label)
                if cur is not None:
                    if handler is None and label != "VER":
                        self._unknown(label, lineno)
                        continue
                    # A record that cannot stand in a voucher: the '}' is missing.
                    closed = self._cut(cur, cents, receiver, f"nästa post på rad {lineno}")
                    if closed is not None:
                        yield closed
                    cur, in_block, hot = None, False, False
                if label == "VER":
                    cur = self._general_ver(fields, lineno)
                    cents, day = 0, cur.voucher.date
                    add = receiver.rows_of(cur)
                    if sums is not None and not cur.discard:
                        cells = cells_of(day)
                    continue
                closed = self._record(handler, label, fields, lineno, receiver)
                if closed is not None:
                    yield closed
            block.clear()  # let the lines go before the next block is read

        self.hot_rows = rows + lineno - mark
        if lazy:
            cur = self._build(lazy_text, lazy, src.encoding == "cp437" and sums is not None)
        yield from self._end_of_file(src, receiver, cur, in_block, cents, records)

    # Steps of the loop that are not on its hot paths --------------------------------------

    def _notes(self, src: LineSource, lineno: int) -> None:
        """What the line source noted while reading a block (encoding), as issues."""
        if src.notes:
            for severity, code, message, index in src.notes:
                self._issue(severity, code, message, lineno + index + 1)
            src.notes.clear()

    def _not_a_record(self, stripped: str, line: int, first: bool) -> None:
        """A line that does not start with '#' and is no voucher's brace: an error.

        As the ``first`` line with text, the file is no SIE file at all (fatal).
        """
        if stripped in ("{", "}"):
            self._issue(Severity.ERROR, "unexpected_brace", f"Oväntad klammer '{stripped}'", line)
        elif first:
            self._raise(line, "Filen är inte en SIE-fil: raden börjar inte med '#'", "not_sie")
        else:
            self._issue(
                Severity.ERROR, "no_label", "Raden saknar etikett (en post börjar med '#')", line
            )

    def _ksumma(self, fields: list[Token], line: int) -> rec.Checksum:
        """A ``#KSUMMA`` record: open the counted part, or close it and check its CRC-32."""
        checks = self._checks
        checks.counting, checks.crc_line, value = self._checksum(
            fields, checks.counting, checks.crc, checks.crc_line, line
        )
        checks.crc = 0
        return rec.Checksum(value, line=line)

    def _count(self, src: LineSource, fields: list[Token], index: int) -> None:
        """Add a record of the ``#KSUMMA`` part to the checksum, as written in the file."""
        written = src.raw.get(index)  # as written, if not in NFC
        counted = fields if written is None else tokenize(written.strip())
        checks = self._checks
        checks.crc = zlib.crc32(
            checksum_text(counted).encode(src.encoding or "cp437", "replace"), checks.crc
        )

    def _general_row(
        self, cur: OpenVoucher | None, label: str, fields: list[Token], line: int
    ) -> rec.Transaction | None:
        """A ``#TRANS``/``#RTRANS``/``#BTRANS`` row read the general way; ``None`` if bad."""
        if cur is None:
            self._issue(
                Severity.ERROR, "trans_outside_voucher", f"#{label} utanför verifikation", line
            )
            return None
        try:
            return self._trans(label, fields, line)  # type: ignore[arg-type]
        except _FieldError as exc:
            self._issue(Severity.ERROR, exc.code, f"{exc.message} i #{label}", line)
            cur.bad_rows = True
            return None

    def _general_ver(self, fields: list[Token], line: int) -> OpenVoucher:
        """A ``#VER`` read the general way; a discarded stand-in when it does not parse."""
        try:
            return self._begin(self._voucher(fields, line))
        except _FieldError as exc:
            self._issue(Severity.ERROR, exc.code, f"{exc.message} i #VER", line)
            return OpenVoucher(rec.Voucher("", "", date.min, line=line), True, discard=True)

    def _record(
        self,
        handler: _Handler | None,
        label: str,
        fields: list[Token],
        line: int,
        receiver: Receiver,
    ) -> rec.Record | None:
        """Any record but a voucher and its rows: parsed by its handler, given to the receiver."""
        if handler is None:
            self._unknown(label, line)
            return None
        try:
            record = handler(self, label, fields, line)
        except _FieldError as exc:
            self._issue(Severity.ERROR, exc.code, f"{exc.message} i #{label}", line)
            return None
        self._seen_labels.add(label)
        if type(record) is rec.FileFormat:
            self._checks.format_line, self._checks.format_value = line, record.value
        elif type(record) is rec.FiscalYear and self._year is not None and self._sums is not None:
            self._sums.set_year(self._year.start, self._year.end)
        return receiver.record(record)

    def _end_of_file(
        self,
        src: LineSource,
        receiver: Receiver,
        cur: OpenVoucher | None,
        in_block: bool,
        cents: int,
        records: int,
    ) -> Iterator[rec.Record]:
        """The checks at the end of the file; yield the voucher it leaves open, if any.

        The voucher left open, an empty file, the duplicate voucher numbers, an
        unterminated ``#KSUMMA`` part, the mandatory records, the encoding.
        """
        if cur is not None and not cur.discard:
            if in_block:
                closed = self._cut(cur, cents, receiver, "filen tar slut; den kan vara avkortad")
            else:
                closed = self._cut(cur, cents, receiver, None)
            if closed is not None:
                yield closed
        if records == 0:
            self._raise(None, "Filen innehåller inga SIE-poster", "empty")
        self._duplicates()
        if self._checks.counting:
            self._issue(
                Severity.ERROR,
                "checksum_unterminated",
                "Avslutande #KSUMMA saknas: filen kan vara avkortad",
                self._checks.crc_line,
            )
        self._finish(src)

    # Checks of a row's parts (the fast paths; see sums.RowChecks) -----------------------

    def fast_objects(self, inner: str, line: int) -> rec.ObjectList | None:
        """The object list inside ``{ }`` of a plain row, checked against ``#OBJEKT``.

        ``None`` when it does not parse (the general path reports it). The lists
        checked are cached; when the cache is full it is emptied, and so are the
        hot path's checked row heads, so that every list is checked again. A list that
        names a dimension twice is not cached: the general path warns at every row.
        """
        cache = self._objcache
        objs = cache.get(inner)
        if objs is not None:
            return objs
        try:
            objs = objects_from_fields(tokenize("{" + inner + "}")[0])
        except (LexError, _FieldError):
            return None  # the general path reports it
        self._check_objects(objs, line)
        if rec.repeats_a_dimension(objs):
            return objs
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
            if self._sums is not None:
                self._sums.forget_heads()
        cache[inner] = objs
        return objs

    def fast_tail(self, tail: str) -> Tail | None:
        """What follows the amount of a plain row; ``None`` when it goes the general way."""
        cache = self._tails
        rest = cache.get(tail)
        if rest is not None:
            return rest
        m = _TAIL_FAST.fullmatch(tail)
        if m is None:
            return None  # the general path reads it
        ds, qtext, btext, qty, qsign, bsign = m.groups()
        day: date | None = None
        if ds is not None:
            day = self.fast_date(ds)
            if day is None:
                return None
        rest = (
            day,
            qtext if qtext is not None else (btext or ""),
            None if qty is None else Decimal(qty),
            qsign if qsign is not None else (bsign or ""),
        )
        return _remember(cache, tail, rest)

    def fast_date(self, value: str) -> date | None:
        """A date of the fast paths; ``None`` when invalid (the general path reports it)."""
        day = self._dates.get(value)
        if day is not None:
            return day
        try:
            return _remember(self._dates, value, parse_date(value))
        except ValueError:
            return None

    def first_use(self, account: str, line: int) -> str:
        """First time an account is used in a row: intern it and check the chart."""
        if self._accounts and account not in self._accounts:
            self._issue(
                Severity.WARNING,
                "undeclared_account",
                f"Kontot {account} finns inte i kontoplanen (#KONTO)",
                line,
            )
        if len(self.seen_accounts) < _CACHE_LIMIT:
            self.seen_accounts[account] = account
        return account

    def plain_row(self, line: str, number: int) -> rec.Transaction:
        """The ``Transaction`` of a row that the hot path took (``Receiver.kept``)."""
        if self._latin:
            line = proper(line)
        m = _TRANS_FAST.fullmatch(line)
        assert m is not None  # every hot row is a plain row
        kind, acct, inner, amt, tail = m.groups()
        objs = self._objcache.get(inner)
        if objs is None:  # not kept since (cache emptied, or a list warned at every row):
            # parsed again without the checks, which ran when the row was taken
            objs = objects_from_fields(tokenize("{" + inner + "}")[0])
        rest = self.fast_tail(tail)
        assert rest is not None  # checked when the row was taken
        return rec.Transaction(kind, acct, objs, Decimal(amt), *rest, line=number)  # type: ignore[arg-type]

    def _check_objects(self, objs: rec.ObjectList, line: int) -> None:
        if rec.repeats_a_dimension(objs):
            seen: dict[int, str] = {}
            for dim, obj in objs:
                if dim in seen:
                    self._issue(
                        Severity.WARNING,
                        "dimension_twice_in_list",
                        f"Objektlistan har två objekt i dimension {dim} ({seen[dim]!r} och "
                        f"{obj!r}); bara det första räknas.",
                        line,
                    )
                    break
                seen[dim] = obj
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

    # Vouchers -------------------------------------------------------------------------------

    def _in_year(self, day: date) -> bool:
        """Whether a voucher date lies in the fiscal year (``#RAR 0``; any date without one)."""
        year = self._year
        return year is None or year.start <= day <= year.end

    def _numbers_of(self, series: str) -> tuple[Callable[[str], None], Callable[[int], None]]:
        """Where the numbers of a series and their lines go (checked at the end)."""
        numbers = self._numbers.get(series)
        if numbers is None:
            numbers = self._numbers[series] = ([], array("l"))
        return numbers[0].append, numbers[1].append

    def _number(self, series: str, number: str, line: int) -> None:
        """A voucher starts: note its series and number."""
        if self._kept:
            self._kept.clear()
        add_number, add_line = self._numbers_of(series)
        add_number(number)
        add_line(line)

    def _duplicates(self) -> None:
        """Report every voucher whose series and number an earlier voucher had.

        The numbers are only collected while reading (two appends per voucher)
        and compared here, at C speed unless there is a duplicate. Vouchers
        without a number are never duplicates (see ``Voucher.label``).
        """
        for series, (numbers, lines) in self._numbers.items():
            distinct = set(numbers)
            # A voucher without a number (SIE 4B allows an empty vernr: the importing
            # program numbers it) is told apart by its line, never a duplicate.
            blanks = numbers.count("") - 1 if "" in distinct else 0
            if len(distinct) + blanks == len(numbers):
                continue
            first: dict[str, int] = {}
            for number, line in zip(numbers, lines, strict=True):
                if not number:
                    continue
                seen = first.setdefault(number, line)
                if seen != line:
                    label = f"{series} {number}".strip()
                    self._issue(
                        Severity.ERROR,
                        "duplicate_voucher",
                        f"Verifikation {label} finns två gånger (rad {seen} och rad {line}); "
                        "båda räknas, så årets belopp blir fel. Ta bort dubbletten eller "
                        "exportera filen på nytt.",
                        line,
                    )

    def _begin(self, voucher: rec.Voucher) -> OpenVoucher:
        """A voucher read from its #VER: checked for its number and its date."""
        self._number(voucher.series, voucher.number, voucher.line)
        return OpenVoucher(voucher, outside=not self._in_year(voucher.date))

    def _build(self, text: str, line: int, latin: bool) -> OpenVoucher:
        """The voucher of a ``#VER`` line that the hot path took (built when needed)."""
        if latin:
            text = proper(text)
        return OpenVoucher(self._voucher(tokenize(text.strip()), line))

    def _row(
        self, current: OpenVoucher, row: rec.Transaction, add: Callable[[rec.Transaction], None]
    ) -> bool:
        """A row read the general way; return whether the next rows may take the hot path."""
        add(row)
        if row.kind == "TRANS":
            current.total += row.amount
            if row.amount > 0:
                current.debit += row.amount
            if current.pending_rtrans is not None:
                self._match_rtrans(current, row)
        else:
            self._other_row(current, row)
        return current.ready

    def _match_rtrans(self, current: OpenVoucher, row: rec.Transaction) -> None:
        added = current.pending_rtrans
        assert added is not None
        current.pending_rtrans = None
        if (added.account, added.objects, added.amount) != (row.account, row.objects, row.amount):
            self._rtrans_unmatched(added)

    def _rtrans_unmatched(self, added: rec.Transaction) -> None:
        self._issue(
            Severity.WARNING,
            "rtrans_unmatched",
            f"#RTRANS följs inte av en likadan #TRANS (konto {added.account}, "
            f"belopp {added.amount})",
            added.line,
        )

    def _other_row(self, current: OpenVoucher, row: rec.Transaction) -> None:
        """Handle an #RTRANS/#BTRANS row (an #RTRANS then waits for its #TRANS)."""
        if current.pending_rtrans is not None:
            added = current.pending_rtrans
            current.pending_rtrans = None
            self._rtrans_unmatched(added)
        if row.kind == "RTRANS":
            current.pending_rtrans = row

    def _cut(
        self, current: OpenVoucher, cents: int, receiver: Receiver, why: str | None
    ) -> rec.Record | None:
        """A voucher without its '{' (``why`` None) or its '}': an error, then its end."""
        if not current.discard:
            label = current.voucher.label
            if why is None:
                code, message = "missing_brace", f"Verifikation {label} saknar '{{' efter #VER"
            else:
                code = "unterminated_brace"
                message = f"Oavslutad klammer: verifikation {label} saknar '}}' ({why})"
            self._issue(Severity.ERROR, code, message, current.voucher.line)
        current.bad_rows = True
        return self._close(current, cents, receiver)

    def _close(self, current: OpenVoucher, cents: int, receiver: Receiver) -> rec.Record | None:
        """The end of a voucher: its checks; return what the receiver passes on."""
        voucher = current.voucher
        if current.pending_rtrans is not None:
            self._rtrans_unmatched(current.pending_rtrans)
        total = current.total + Decimal(cents) * _CENT if cents else current.total
        if not current.bad_rows and total != 0:
            self._issue(
                Severity.ERROR,
                "unbalanced",
                f"Obalanserad verifikation {voucher.label}: summan är {_fmt(total)} kr",
                voucher.line,
            )
        if current.outside and not current.discard:
            year = self._year
            assert year is not None
            self._issue(
                Severity.ERROR,
                "outside_year",
                f"Verifikation {voucher.label} är daterad {voucher.date:%Y-%m-%d}, utanför "
                f"räkenskapsåret {year.start:%Y-%m-%d}–{year.end:%Y-%m-%d} (#RAR 0 på rad "
                f"{year.line}); dess {_kronor(current.debit)} kr kommer inte med i årets "
                "siffror. Rätta verifikationsdatumet eller exportera filen för rätt år.",
                voucher.line,
            )
        return receiver.voucher(current)

    def _voucher(self, fields: list[Token], line: int) -> rec.Voucher:
        series = _text(fields, 1)
        number = _text(fields, 2)
        day = _date(_required(fields, 3, "Verifikationsdatum", "missing_date"))
        return rec.Voucher(
            series,
            number,
            day,
            _text(fields, 4),
            _opt_date(_text(fields, 5)),
            _text(fields, 6),
            [],
            line=line,
        )

    def _trans(self, kind: rec.TransKind, fields: list[Token], line: int) -> rec.Transaction:
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
        seen = self.seen_accounts.get(account)
        if seen is None:
            seen = self.first_use(account, line)
        return rec.Transaction(
            kind,
            seen,
            objs,
            amount,
            _opt_date(_text(fields, 4 + shift)),
            _text(fields, 5 + shift),
            _opt_quantity(_text(fields, 6 + shift)),
            _text(fields, 7 + shift),
            line=line,
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

    def _finish(self, src: LineSource) -> None:
        self.encoding = src.encoding or "cp437"
        format_line, format_value = self._checks.format_line, self._checks.format_value
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
                rec.Issue(
                    Severity.INFO,
                    "issues_suppressed",
                    f"Ytterligare {self.suppressed} problem visas inte",
                    self.path,
                    None,
                )
            )

    # Record handlers ----------------------------------------------------------------------

    def _h_flag(self, label: str, f: list[Token], line: int) -> rec.Flag:
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
        return rec.Flag(flag, line=line)

    def _h_program(self, label: str, f: list[Token], line: int) -> rec.ProgramInfo:
        return rec.ProgramInfo(_text(f, 1), _text(f, 2), line=line)

    def _h_format(self, label: str, f: list[Token], line: int) -> rec.FileFormat:
        value = _required(f, 1, "Format")
        if value.upper() != "PC8":
            self._issue(
                Severity.INFO,
                "unknown_format",
                f"#FORMAT {value} är inte PC8; teckenkodningen avgörs av filens innehåll",
                line,
            )
        return rec.FileFormat(value, line=line)

    def _h_gen(self, label: str, f: list[Token], line: int) -> rec.Generated:
        return rec.Generated(
            _date(_required(f, 1, "Datum", "missing_date")), _text(f, 2), line=line
        )

    def _h_sietyp(self, label: str, f: list[Token], line: int) -> rec.SieType:
        value = _int(_required(f, 1, "SIE-typ"), "SIE-typ", "bad_sie_type")
        if value not in (1, 2, 3, 4):
            self._issue(Severity.WARNING, "bad_sie_type", f"Okänd SIE-typ {value}", line)
        return rec.SieType(value, line=line)

    def _h_prosa(self, label: str, f: list[Token], line: int) -> rec.Prose:
        return rec.Prose(_text(f, 1), line=line)

    def _h_ftyp(self, label: str, f: list[Token], line: int) -> rec.CompanyType:
        return rec.CompanyType(_text(f, 1), line=line)

    def _h_fnr(self, label: str, f: list[Token], line: int) -> rec.CompanyId:
        return rec.CompanyId(_text(f, 1), line=line)

    def _h_orgnr(self, label: str, f: list[Token], line: int) -> rec.OrgNumber:
        return rec.OrgNumber(_text(f, 1), _text(f, 2), _text(f, 3), line=line)

    def _h_bkod(self, label: str, f: list[Token], line: int) -> rec.IndustryCode:
        return rec.IndustryCode(_text(f, 1), line=line)

    def _h_adress(self, label: str, f: list[Token], line: int) -> rec.Address:
        return rec.Address(_text(f, 1), _text(f, 2), _text(f, 3), _text(f, 4), line=line)

    def _h_fnamn(self, label: str, f: list[Token], line: int) -> rec.CompanyName:
        return rec.CompanyName(_text(f, 1), line=line)

    def _h_rar(self, label: str, f: list[Token], line: int) -> rec.FiscalYear:
        index = _year_index(f, 1)
        start = _date(_required(f, 2, "Startdatum", "missing_date"))
        end = _date(_required(f, 3, "Slutdatum", "missing_date"))
        if end < start:
            raise _FieldError(
                f"Räkenskapsåret slutar ({end:%Y%m%d}) före det börjar ({start:%Y%m%d})",
                "bad_fiscal_year",
            )
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months > 18:
            self._issue(
                Severity.ERROR,
                "long_fiscal_year",
                f"Räkenskapsåret {start:%Y-%m-%d}–{end:%Y-%m-%d} (#RAR {index}) är {months} "
                "månader långt; ett räkenskapsår är högst 18 månader. Rätta datumen.",
                line,
            )
        first = self._years.setdefault(index, line)
        if first != line:
            self._issue(
                Severity.ERROR,
                "fiscal_year_twice",
                f"Räkenskapsår {index} anges två gånger (#RAR {index} på rad {first} och "
                f"rad {line}); det senare gäller och årets siffror kan bli fel. Ta bort "
                "den felaktiga raden eller exportera filen på nytt.",
                line,
            )
        year = rec.FiscalYear(index, start, end, line=line)
        if index == 0:
            self._year = year
        return year

    def _h_taxar(self, label: str, f: list[Token], line: int) -> rec.TaxYear:
        return rec.TaxYear(
            _int(_required(f, 1, "Taxeringsår"), "taxeringsår", "bad_year"), line=line
        )

    def _h_omfattn(self, label: str, f: list[Token], line: int) -> rec.Coverage:
        return rec.Coverage(_date(_required(f, 1, "Datum", "missing_date")), line=line)

    def _h_kptyp(self, label: str, f: list[Token], line: int) -> rec.ChartType:
        return rec.ChartType(_text(f, 1), line=line)

    def _h_valuta(self, label: str, f: list[Token], line: int) -> rec.Currency:
        return rec.Currency(_text(f, 1), line=line)

    def _h_konto(self, label: str, f: list[Token], line: int) -> rec.Account:
        account = _account(f, 1)
        self._accounts.add(account)
        return rec.Account(account, _text(f, 2), line=line)

    def _h_ktyp(self, label: str, f: list[Token], line: int) -> rec.AccountType:
        account = _account(f, 1)
        kind = _text(f, 2)
        if kind.upper() not in ("T", "S", "K", "I"):
            self._issue(
                Severity.WARNING,
                "bad_account_type",
                f"Okänd kontotyp '{kind}' (ska vara T, S, K eller I)",
                line,
            )
        return rec.AccountType(account, kind, line=line)

    def _h_enhet(self, label: str, f: list[Token], line: int) -> rec.Unit:
        return rec.Unit(_account(f, 1), _text(f, 2), line=line)

    def _h_sru(self, label: str, f: list[Token], line: int) -> rec.SruCode:
        return rec.SruCode(_account(f, 1), _text(f, 2), line=line)

    def _h_dim(self, label: str, f: list[Token], line: int) -> rec.Dimension:
        dim = _dimension(_required(f, 1, "Dimensionsnummer"))
        self._declared_once(dim, line)
        return rec.Dimension(dim, _text(f, 2), line=line)

    def _h_underdim(self, label: str, f: list[Token], line: int) -> rec.SubDimension:
        dim = _dimension(_required(f, 1, "Dimensionsnummer"))
        parent = _dimension(_required(f, 3, "Överordnad dimension"))
        self._declared_once(dim, line)
        return rec.SubDimension(dim, _text(f, 2), parent, line=line)

    def _declared_once(self, dim: int, line: int) -> None:
        """A dimension declared again (#DIM/#UNDERDIM): a warning, once per dimension."""
        first = self._dims.setdefault(dim, line)
        if first != line and first > 0:
            self._dims[dim] = -first  # reported
            self._issue(
                Severity.WARNING,
                "dimension_twice",
                f"Dimension {dim} deklareras flera gånger (först på rad {first}, igen på rad "
                f"{line}); det sista namnet gäller. Kontrollera exporten.",
                line,
            )

    def _h_objekt(self, label: str, f: list[Token], line: int) -> rec.SieObject:
        dim = _dimension(_required(f, 1, "Dimensionsnummer"))
        obj = _required(f, 2, "Objektnummer")
        self._objects.setdefault(dim, set()).add(obj)
        return rec.SieObject(dim, obj, _text(f, 3), line=line)

    def _h_balance(self, label: str, f: list[Token], line: int) -> rec.Balance:
        index = _year_index(f, 1)
        account = _account(f, 2)
        kind: rec.BalanceKind = label  # type: ignore[assignment]
        return rec.Balance(
            kind, index, account, _amount(_text(f, 3)), _opt_quantity(_text(f, 4)), line=line
        )

    def _objects_at(
        self, label: str, f: list[Token], index: int, line: int
    ) -> tuple[rec.ObjectList, int]:
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

    def _h_object_balance(self, label: str, f: list[Token], line: int) -> rec.ObjectBalance:
        index = _year_index(f, 1)
        account = _account(f, 2)
        objs, amount, quantity = self._objects_and_amounts(label, f, 3, line)
        kind: rec.ObjectBalanceKind = label  # type: ignore[assignment]
        return rec.ObjectBalance(kind, index, account, objs, amount, quantity, line=line)

    def _h_period(self, label: str, f: list[Token], line: int) -> rec.PeriodBalance:
        index = _year_index(f, 1)
        period = _period(_required(f, 2, "Period", "bad_period"))
        account = _account(f, 3)
        objs, amount, quantity = self._objects_and_amounts(label, f, 4, line)
        kind: rec.PeriodKind = label  # type: ignore[assignment]
        return rec.PeriodBalance(kind, index, period, account, objs, amount, quantity, line=line)

    def _objects_and_amounts(
        self, label: str, f: list[Token], index: int, line: int
    ) -> tuple[rec.ObjectList, Decimal, Decimal | None]:
        """The object list at ``index`` and the amount and quantity after it."""
        objs, shift = self._objects_at(label, f, index, line)
        amount = _amount(_text(f, index + 1 + shift))
        return objs, amount, _opt_quantity(_text(f, index + 2 + shift))


_Handler = Callable[[Scanner, str, list[Token], int], rec.Record]

_HANDLERS: dict[str, _Handler] = {
    "FLAGGA": Scanner._h_flag,
    "PROGRAM": Scanner._h_program,
    "FORMAT": Scanner._h_format,
    "GEN": Scanner._h_gen,
    "SIETYP": Scanner._h_sietyp,
    "PROSA": Scanner._h_prosa,
    "FTYP": Scanner._h_ftyp,
    "FNR": Scanner._h_fnr,
    "ORGNR": Scanner._h_orgnr,
    "BKOD": Scanner._h_bkod,
    "ADRESS": Scanner._h_adress,
    "FNAMN": Scanner._h_fnamn,
    "RAR": Scanner._h_rar,
    "TAXAR": Scanner._h_taxar,
    "OMFATTN": Scanner._h_omfattn,
    "KPTYP": Scanner._h_kptyp,
    "VALUTA": Scanner._h_valuta,
    "KONTO": Scanner._h_konto,
    "KTYP": Scanner._h_ktyp,
    "ENHET": Scanner._h_enhet,
    "SRU": Scanner._h_sru,
    "DIM": Scanner._h_dim,
    "UNDERDIM": Scanner._h_underdim,
    "OBJEKT": Scanner._h_objekt,
    "IB": Scanner._h_balance,
    "UB": Scanner._h_balance,
    "RES": Scanner._h_balance,
    "OIB": Scanner._h_object_balance,
    "OUB": Scanner._h_object_balance,
    "PSALDO": Scanner._h_period,
    "PBUDGET": Scanner._h_period,
}

KNOWN_LABELS = frozenset(_HANDLERS) | _TRANS_KINDS | {"VER", "KSUMMA"}
"""Every record label of SIE 4B that the reader understands."""


V = TypeVar("V")


def _remember(cache: dict[str, V], key: str, value: V) -> V:
    """Keep a checked value in a fast path's cache (emptied when full); return it."""
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def _kronor(amount: Decimal) -> str:
    """An amount as Swedish text: ``1 090,00``."""
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",")


def _fmt(amount: Decimal) -> str:
    """An amount as Swedish text with every decimal it has (at least two): ``-0,005``."""
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        return _kronor(amount)
    whole, _, decimals = f"{amount:f}".partition(".")
    return f"{_kronor(Decimal(whole))[:-3]},{decimals}"


def _source_name(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    if isinstance(source, bytes | bytearray):
        return "<data>"
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<ström>"
