"""The booked rows of an SIE file summed while streaming: the reconciliation's fast path.

``posting_totals(path)`` reads an SIE 4 file once and returns what the
reconciliation needs: the booked rows (``#TRANS``) summed per account, cost
centre and voucher date, the line of the first row of each sum, the opening
balances (``#IB`` of year 0), the fiscal year (``#RAR 0``) and the issues.

It means exactly what streaming the file with ``iter_records`` and summing
``Voucher.transactions()`` means: the same rows count (``#RTRANS`` and
``#BTRANS`` never do; the rows of a ``#VER`` that cannot be read do not
either), and the same issues are found, with the same codes, messages and
lines, in the same order (an unbalanced voucher, a bad date or amount, an
undeclared account or object, the encoding notes, ...). The property tests in
``tests/sie/test_sie_fast_path.py`` hold it to that.

How: it is ``SieReader``'s own loop (the same helpers make the same checks and
the same issues) with hot paths in front for the lines that make up a large
file, and nothing built that the sums do not need:

* a plain ``#TRANS`` row with a two-decimal amount is split at ``"} "`` and
  ``" "``; its head (the line up to the object list's ``}``) and its rest (what
  follows the amount) are looked up among those already checked, so the
  reader's checks run once per head and rest, not once per row; the amount is
  added as whole öre (exact) to its (account, cost centre, date), and to the
  voucher's sum for the balance check; no ``Transaction``, no ``Decimal``;
* a plain ``#VER`` gives only its date (the ``Voucher`` is built when a message
  needs it), its ``{`` and a balanced ``}`` cost a comparison;
* a CP437 file is decoded as Latin-1 (a copy; both are one byte per
  character) and a line that leaves the hot paths is turned into its CP437
  text first (``_ViewSource``);
* each sum becomes a ``Decimal`` once, at the end.

Every other line goes the reader's way: its fast paths, then its general path.
The sums are equal to those of the general path, digit for digit: a sum of
two-decimal amounts is written with two decimals, one that includes other
amounts has the exponent a running ``Decimal`` sum would have had.
"""

from __future__ import annotations

import io
import os
import re
import zlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import BinaryIO, cast

from ._lexer import LexError, LineSource, checksum_text, tokenize
from .reader import (
    _CACHE_LIMIT,
    _HANDLERS,
    _TRANS_FAST,
    _TRANS_KINDS,
    _VER_FAST,
    _ZERO,
    SieReader,
    Source,
    _FieldError,
    _Open,
    _Tail,
)
from .records import (
    Balance,
    FileFormat,
    FiscalYear,
    Issue,
    ObjectList,
    Severity,
    Transaction,
    Voucher,
)

__all__ = ["PostingKey", "PostingTotals", "posting_totals"]

PostingKey = tuple[str, str, date]
"""(account, cost centre, voucher date): the key of ``PostingTotals.sums``."""

# The hot path: a plain #TRANS row, unindented, with an amount of at most 15 digits
# before the point and exactly two after it (what accounting programs write). Group 1
# is the row's head: the line up to the brace that closes the object list; a head
# whose checks are done stands for its (account, cost centre). Anything else goes
# the reader's way.
_HOT = re.compile(
    r"(#TRANS[ \t]++\d++[ \t]++\{[^{}\\]*+)\}[ \t]++(-?\d{1,15}+)\.(\d\d)(.*)",
    re.ASCII | re.DOTALL,
)
_HEAD = re.compile(r"#TRANS[ \t]++(\d++)[ \t]++\{(.*)", re.ASCII | re.DOTALL)
_AMOUNT = re.compile(r"-?\d{1,15}+\.\d\d", re.ASCII)
# A plain #VER line as the hot path takes it: the reader's fast #VER pattern with single
# spaces, the text and the sign quoted (so that the line ends in '"' or a digit, and
# stripping it takes off at most its '\r'). Groups: the date and the registration date.
_QUOTED = r'"[^"\\]*+"'
_WORD = rf'(?:{_QUOTED}|[^ \t\r"{{}}\\]++)'
_VER_HOT = re.compile(
    rf"#VER {_WORD} {_WORD} (\d{{8}})(?: {_QUOTED}(?: (?:(\d{{8}})|\"\")(?: {_QUOTED})?+)?+)?+\r?",
    re.ASCII,
)
# What follows the quoted number and the quoted text of a #VER whose series, number and
# text are quoted: the date, and the registration date if any.
_VER_MIDDLE = re.compile(r" (\d{8}) ", re.ASCII)
_VER_END = re.compile(r"(?: (\d{8}))?\r?", re.ASCII)
_BLANK = " \t"


class _ViewSource(LineSource):
    """``LineSource`` that gives the lines of a CP437 file as Latin-1 (one byte, one character).

    Decoding Latin-1 is a copy, CP437 a table look-up per byte; both are one-to-one,
    so the hot paths compare and look up the Latin-1 text as they would the bytes, and
    a line that leaves them is turned into its CP437 text (``_proper``) first. The
    encoding is decided, and every issue raised, exactly as by ``LineSource``.
    """

    def _decode_known(self, data: bytes, encoding: str) -> str:
        if encoding == "cp437":
            return data.decode("latin-1")
        return super()._decode_known(data, encoding)


def _proper(view: str) -> str:
    """The CP437 text of a line that ``_ViewSource`` gave as Latin-1."""
    return view.encode("latin-1").decode("cp437")


@dataclass
class PostingTotals:
    """What ``posting_totals`` found: sums of the booked rows, opening balances, issues.

    ``sums`` maps (account, cost centre, voucher date) to the sum of the booked
    rows, in the order of each key's first row; ``first_lines`` gives that
    row's line. ``rows`` counts the booked rows summed. ``opening`` holds the
    ``#IB`` balances of year 0 per account (summed when an account has several),
    ``fiscal_year`` the last ``#RAR 0``. The cost centre is the object of the
    chosen dimension (``""`` for a row without one).
    """

    sums: dict[PostingKey, Decimal] = field(default_factory=dict)
    first_lines: dict[PostingKey, int] = field(default_factory=dict)
    rows: int = 0
    opening: dict[str, Decimal] = field(default_factory=dict)
    fiscal_year: FiscalYear | None = None
    issues: list[Issue] = field(default_factory=list)
    path: str = "<data>"
    encoding: str = "cp437"

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
) -> PostingTotals:
    """Sum the booked rows of an SIE file per account, cost centre and voucher date.

    One pass, memory bounded by one block of the file and the sums. The rows,
    amounts and issues are those of ``iter_records`` (see the module's
    docstring); pass a list as ``issues`` to collect the issues there too.
    ``encoding`` overrides the detection. Fatal problems raise ``SieError``.
    """
    scanner = _Scanner(
        source, encoding=encoding, name=name, issues=issues, dimension=cost_centre_dimension
    )
    scanner.run()
    sums, first_lines = scanner.totals()
    return PostingTotals(
        sums=sums,
        first_lines=first_lines,
        rows=scanner.rows,
        opening=scanner.opening,
        fiscal_year=scanner.fiscal_year,
        issues=scanner.issues,
        path=scanner.path,
        encoding=scanner.encoding or "cp437",
    )


_CENT = Decimal("0.01")

_DENSE_KEYS = 8192
"""Up to this many (account, cost centre) keys a voucher date keeps its öre in a list."""


class _Sparse(dict[int, "int | None"]):
    """The öre of a voucher date by key number, for files with very many keys."""

    def __missing__(self, key: int) -> None:
        return None


Cells = list["int | None"] | _Sparse
"""The öre of one voucher date, indexed by key number; ``None`` before its first row."""


def _voucher_total(cents: int, other: Decimal) -> Decimal:
    """A voucher's sum from its plain rows (öre) and its other rows (``Decimal``)."""
    return other + Decimal(cents) * _CENT if cents else other


class _Scanner(SieReader):
    """``SieReader`` whose loop sums the booked rows instead of yielding records."""

    def __init__(
        self,
        source: Source,
        *,
        encoding: str | None,
        name: str | None,
        issues: list[Issue] | None,
        dimension: int,
    ) -> None:
        super().__init__(source, encoding=encoding, name=name, issues=issues)
        self.dimension = dimension
        self.rows = 0
        self.opening: dict[str, Decimal] = {}
        self.fiscal_year: FiscalYear | None = None
        # Plain rows. Each (account, cost centre) gets a number, its index in the öre
        # of every voucher date: a list (None until the first row), or a dict when
        # there are more than _DENSE_KEYS keys (8 bytes per key and date at most).
        self._key_ids: dict[tuple[str, str], int] = {}
        self._keys: list[tuple[str, str]] = []
        self._by_day: dict[date, Cells] = {}
        # The dates of plain #VER lines already checked -> (date, its öre): by
        # (date, registration date), and by the text around them when split at quotes.
        self._ver_days: dict[tuple[str, str | None], tuple[date, Cells]] = {}
        self._quoted_days: dict[tuple[str, str], tuple[date, Cells]] = {}
        # The cells in the order they were made, i.e. of their first rows (as flat
        # lists: no object per cell for the garbage collector to look at).
        self._new_ids: list[int] = []
        self._new_days: list[date] = []
        self._new_lines: list[int] = []
        # Row head -> number of its (account, cost centre), for the heads whose checks
        # are done; the checked rests of rows (what follows the amount), and the rests
        # t for which " " + t is a checked rest. All as the lines come from the source
        # (Latin-1 for a CP437 file).
        self._heads: dict[str, int] = {}
        self._ok_tails: set[str] = set()
        self._spaced_tails: set[str] = {""}
        # Plain rows whose head cannot be cached (see _hot_row): [öre, first line].
        self._loose: dict[PostingKey, list[int]] = {}
        # Rows read the reader's way: Decimal sums and first lines.
        self._other: dict[PostingKey, Decimal] = {}
        self._other_lines: dict[PostingKey, int] = {}

    # Opening the source (as SieReader._iterate, without yielding) ------------------------

    def run(self) -> None:
        """Read the source once."""
        if self._used:
            raise RuntimeError("SieReader reads its source once; make a new reader")
        self._used = True
        source = self._source
        if isinstance(source, bytes | bytearray):
            self._scan(io.BytesIO(source))
        elif isinstance(source, str | os.PathLike):
            try:
                stream = open(source, "rb")  # closed by the with below
            except OSError as exc:
                self._raise(None, f"Filen kan inte öppnas: {exc.strerror or exc}", "io_error")
            with stream:
                self._scan(stream)
        elif isinstance(source, io.TextIOBase):
            raise TypeError("SIE-filer läses binärt: öppna filen med 'rb'")
        else:
            self._scan(source)

    # The sums ----------------------------------------------------------------------------

    def _add(self, row: Transaction, day: date) -> None:
        """A booked row read the reader's way (a ``Transaction``)."""
        centre = next((o for d, o in row.objects if d == self.dimension), "")
        key = (row.account, centre, day)
        self._other[key] = self._other.get(key, _ZERO) + row.amount
        if key not in self._other_lines:
            self._other_lines[key] = row.line
        self.rows += 1

    def _hot_row(
        self,
        head: str,
        tail: str,
        amount: int,
        cells: Cells,
        day: date,
        objcache: dict[str, ObjectList],
        tails: dict[str, _Tail],
        dates: dict[str, date],
        line: int,
        latin: bool,
    ) -> Cells | None:
        """Check and add a plain row whose head or rest has not been seen yet.

        The checks and their order are those of the reader's fast path (object
        list, then the rest of the row, then the account), so the same issues
        come out. Returns the day's öre (``cells``, or what replaced it), or
        ``None``, adding nothing, when the row must go the reader's way.
        ``head`` and ``tail`` are as the source gave them (``latin``: Latin-1 for
        CP437).
        """
        m = _HEAD.fullmatch(head)
        assert m is not None  # _HOT only lets such heads through
        acct, inner = m.groups()
        text = _proper(tail) if latin else tail
        if latin:
            inner = _proper(inner)
        objs = objcache.get(inner)
        if objs is None:
            objs = self._fast_objects(inner, objcache, line)
        if text not in tails and self._fast_tail(text, tails, dates) is None:
            return None
        if objs is None:
            return None
        # The caches of the hot paths only spare look-ups of the reader's caches,
        # which decide: they may be emptied at any time.
        if len(self._ok_tails) >= _CACHE_LIMIT:
            self._ok_tails.clear()
            self._spaced_tails.clear()
            self._spaced_tails.add("")
        self._ok_tails.add(tail)
        if tail[:1] == " ":
            self._spaced_tails.add(tail[1:])
        account = self._seen_accounts.get(acct)
        if account is None:
            account = self._first_use(acct, line)
        kid = self._heads.get(head)
        if kid is None:
            key = (account, next((o for d, o in objs if d == self.dimension), ""))
            if acct not in self._seen_accounts:
                # The reader's cache of accounts is full: it checks this account at
                # every row, so the head is not cached and every such row comes here.
                loose = self._loose.setdefault((key[0], key[1], day), [0, line])
                loose[0] += amount
                return cells
            kid = self._key_ids.get(key)
            if kid is None:
                kid = self._key_ids[key] = len(self._keys)
                self._keys.append(key)
            if len(self._heads) >= _CACHE_LIMIT:
                self._heads.clear()
            self._heads[head] = kid
        if isinstance(cells, list) and kid >= len(cells):
            cells = self._cells(day)
        old = cells[kid]
        if old is None:
            cells[kid] = amount
            self._new_ids.append(kid)
            self._new_days.append(day)
            self._new_lines.append(line)
        else:
            cells[kid] = old + amount
        return cells

    def _fast_objects(
        self, inner: str, cache: dict[str, ObjectList], line: int
    ) -> ObjectList | None:
        """The reader's check of an object list, keeping the heads in step with its cache.

        The reader checks an object list against ``#OBJEKT`` when it is not in its
        cache, and empties the cache when it is full; an object declared in the
        meantime may then be reported. A checked head stands for the check of its
        object list, so the heads are forgotten whenever the cache is emptied, and
        every list is checked again when the reader would.
        """
        if inner not in cache and len(cache) >= _CACHE_LIMIT:
            self._heads.clear()
        return super()._fast_objects(inner, cache, line)

    def _ver_day(self, vds: str, rds: str | None, dates: dict[str, date]) -> date | None:
        """The date of a plain #VER, ``None`` if it or the registration date is invalid.

        The checks of the reader's fast path for #VER.
        """
        day = dates.get(vds) or self._fast_date(vds, dates)
        if day is None:
            return None
        if rds is not None and rds not in dates and self._fast_date(rds, dates) is None:
            return None
        return day

    def _plain_ver(
        self, ver_dates: tuple[str, str | None], dates: dict[str, date]
    ) -> tuple[date, Cells] | None:
        """(date, its öre) of a ``_VER_HOT`` line by its two dates; ``None`` if invalid."""
        day = self._ver_day(*ver_dates, dates)
        if day is None:
            return None
        if len(self._ver_days) >= _CACHE_LIMIT:
            self._ver_days.clear()
        known = self._ver_days[ver_dates] = (day, self._cells(day))
        return known

    def _quoted_ver(
        self, middle: str, end: str, dates: dict[str, date]
    ) -> tuple[date, Cells] | None:
        """The same for ``#VER "s" "n"<middle>"text"<end>`` (split at its quotes).

        ``middle`` must be the date between blanks and ``end`` the registration
        date, if any, and the line end: the line is then one ``_VER_HOT`` takes.
        """
        m = _VER_MIDDLE.fullmatch(middle)
        n = _VER_END.fullmatch(end)
        if m is None or n is None:
            return None
        day = self._ver_day(m.group(1), n.group(1), dates)
        if day is None:
            return None
        if len(self._quoted_days) >= _CACHE_LIMIT:
            self._quoted_days.clear()
        known = self._quoted_days[middle, end] = (day, self._cells(day))
        return known

    def _cells(self, day: date) -> Cells:
        """The öre of a voucher date, with room for every key."""
        cells = self._by_day.get(day)
        keys = len(self._keys)
        if cells is None:
            cells = self._by_day[day] = [None] * keys if keys <= _DENSE_KEYS else _Sparse()
        elif isinstance(cells, list) and len(cells) < keys:
            if keys <= _DENSE_KEYS:
                cells += [None] * (keys - len(cells))
            else:
                # Too many keys for a list per date: this date's öre go into a dict,
                # and the checked #VER dates let go of the list.
                cells = self._by_day[day] = _Sparse(
                    (kid, v) for kid, v in enumerate(cells) if v is not None
                )
                self._ver_days.clear()
                self._quoted_days.clear()
        return cells

    def totals(self) -> tuple[dict[PostingKey, Decimal], dict[PostingKey, int]]:
        """The sums per (account, cost centre, day), in the order of their first rows."""
        by_day = self._by_day
        names = self._keys
        ids, days, lines = self._new_ids, self._new_days, self._new_lines
        keys = [(n[0], n[1], day) for n, day in zip(map(names.__getitem__, ids), days, strict=True)]
        # Every cell made has an amount (None only stands for "no row yet").
        cents = cast(list[int], [by_day[day][kid] for kid, day in zip(ids, days, strict=True)])
        loose = [(line, key, cell[0]) for key, cell in self._loose.items() for line in cell[1:]]
        if not loose and not self._other:
            # Only plain rows (the usual case): one cell per key, made in line order.
            # Decimal(öre) * 0.01 is exact and has two decimals, like a Decimal sum of
            # two-decimal amounts.
            amounts = map(_CENT.__mul__, map(Decimal, cents))
            return dict(zip(keys, amounts, strict=True)), dict(zip(keys, lines, strict=True))
        # (first line, key, öre or None, Decimal or None) of every cell.
        parts: list[tuple[int, PostingKey, int | None, Decimal | None]] = list(
            zip(lines, keys, cents, [None] * len(keys), strict=True)
        )
        parts += [(line, key, amount, None) for line, key, amount in loose]
        parts += [(self._other_lines[key], key, None, v) for key, v in self._other.items()]
        parts.sort(key=lambda part: part[0])
        merged: dict[PostingKey, tuple[int | None, Decimal | None]] = {}
        first_lines: dict[PostingKey, int] = {}
        for line, key, add_cents, add_amount in parts:
            known = merged.get(key)
            if known is None:
                merged[key] = (add_cents, add_amount)
                first_lines[key] = line
                continue
            old_cents, old_amount = known
            if add_cents is not None:
                old_cents = add_cents if old_cents is None else old_cents + add_cents
            if add_amount is not None:
                old_amount = add_amount if old_amount is None else old_amount + add_amount
            merged[key] = (old_cents, old_amount)
        sums: dict[PostingKey, Decimal] = {}
        for key, (sum_cents, sum_amount) in merged.items():
            # A running Decimal sum starts at Decimal(0) and takes the smallest exponent
            # of its terms: two decimals when any plain row is in it.
            total = _ZERO if sum_cents is None else Decimal(sum_cents) * _CENT
            sums[key] = total if sum_amount is None else total + sum_amount
        return sums, first_lines

    def _open_voucher(self, text: str, line: int, latin: bool) -> _Open:
        """The voucher of a ``#VER`` line that the hot path took (built when needed)."""
        if latin:
            text = _proper(text)
        return _Open(self._voucher(tokenize(text.strip()), line))

    # The loop: SieReader._read with the hot paths in front --------------------------------

    def _scan(self, stream: BinaryIO) -> None:
        src = _ViewSource(stream, self._fatal, self._forced_encoding)
        issue = self._issue
        hot_match = _HOT.fullmatch
        trans_fast = _TRANS_FAST.fullmatch
        ver_fast = _VER_FAST.fullmatch
        ver_hot = _VER_HOT.fullmatch
        hot_row = self._hot_row
        heads_get = self._heads.get
        spaced_tails = self._spaced_tails
        ok_tails = self._ok_tails
        amount_ok = _AMOUNT.fullmatch
        new_id = self._new_ids.append
        new_day = self._new_days.append
        new_line = self._new_lines.append
        dates: dict[str, date] = {}
        objcache: dict[str, ObjectList] = {}
        tails: dict[str, _Tail] = {}
        seen_accounts = self._seen_accounts
        cells_of = self._cells
        plain_ver = self._plain_ver
        quoted_ver = self._quoted_ver
        ver_days = self._ver_days
        quoted_days = self._quoted_days

        lineno = 0
        records = 0
        # The plain rows are counted by line numbers, not one by one: every line that is
        # not a plain row sets ``mark`` to its number, after adding the lines between
        # the previous mark and it, which were all plain rows.
        rows = 0
        mark = 0
        cur: _Open | None = None
        # A #VER line read by the fast path opens its voucher without building it:
        # ``lazy`` is then its line (0 otherwise) and ``lazy_text`` the line's text.
        # Anything but a '{', a plain row or a balanced '}' builds it first.
        lazy = 0
        lazy_text = ""
        in_block = False
        # True inside the braces of a readable voucher when no #RTRANS waits and the
        # fast paths are on: plain rows may then take the hot path.
        hot = False
        day = date.min  # the voucher's date
        cells: Cells = []  # the öre of that date
        cents = 0  # the voucher's sum of plain rows, in öre
        other = _ZERO  # the voucher's sum of its other #TRANS rows
        pending = False
        counting = False
        fast = self.fast_paths
        crc = 0
        crc_line = 0
        format_line = 0
        format_value = ""

        for block in src.blocks():
            if src.notes:
                for severity, code, message, index in src.notes:
                    issue(severity, code, message, lineno + index + 1)
                src.notes.clear()
            start = lineno
            latin = src.encoding == "cp437"  # the lines are Latin-1, see _ViewSource
            for lineno, line in enumerate(block, start + 1):
                if hot:
                    # ---- hot path: a plain row with single spaces around the amount ------
                    head, sep, after = line.partition("} ")
                    key = heads_get(head)
                    if key is not None:
                        amt, _, tail = after.partition(" ")
                        if tail in spaced_tails and amount_ok(amt):
                            amount = int(amt.replace(".", ""))
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
                            continue
                    elif not sep and (line == "}\r" or line == "}"):
                        # ---- hot path: the end of the voucher ---------------------------------
                        # (No #RTRANS waits: nothing to report unless it is unbalanced.)
                        if cents or other:
                            if lazy:
                                cur, lazy = self._open_voucher(lazy_text, lazy, latin), 0
                            assert cur is not None
                            self._close(cur, _voucher_total(cents, other))
                        cur, lazy, in_block, pending, hot = None, 0, False, False, False
                        rows += lineno - mark - 1
                        mark = lineno
                        continue
                    # ---- hot path: any plain row with a two-decimal amount ------------------
                    m = hot_match(line)
                    if m is not None:
                        head, whole, hundredths, tail = m.groups()
                        amount = int(whole + hundredths)
                        key = heads_get(head)
                        if key is not None and tail in ok_tails:
                            if tail[:1] == " ":
                                spaced_tails.add(tail[1:])
                            try:
                                old = cells[key]
                            except IndexError:
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
                            continue
                        got = hot_row(
                            head, tail, amount, cells, day, objcache, tails, dates, lineno, latin
                        )
                        if got is not None:
                            cells = got
                            cents += amount
                            continue
                elif lazy:
                    # ---- hot path: the '{' after a #VER that the hot path took ---------------
                    if not in_block and (line == "{\r" or line == "{"):
                        in_block, hot = True, fast
                        mark = lineno
                        continue
                elif cur is None and fast:
                    # ---- hot path: a plain #VER line (the voucher is built when needed) ------
                    # #VER "series" "number" date "text" [regdate], the way write_sie and
                    # many programs write it: split at the quotes, the rest looked up.
                    if line.startswith('#VER "') and "\\" not in line:
                        parts = line.split('"')
                        if len(parts) == 7 and parts[2] == " ":
                            known = quoted_days.get((parts[4], parts[6]))
                            if known is None:
                                known = quoted_ver(parts[4], parts[6], dates)
                            if known is not None:
                                records += 1
                                lazy, lazy_text = lineno, line
                                cents, other = 0, _ZERO
                                day, cells = known
                                mark = lineno
                                continue
                    m = ver_hot(line)
                    if m is not None:
                        ver_dates: tuple[str, str | None] = m.group(1, 2)  # type: ignore[assignment]
                        known = ver_days.get(ver_dates)
                        if known is None:
                            known = plain_ver(ver_dates, dates)
                        if known is not None:
                            records += 1
                            lazy, lazy_text = lineno, line
                            cents, other = 0, _ZERO
                            day, cells = known
                            mark = lineno
                            continue
                # ---- every other line: the reader's way -----------------------------------
                rows += lineno - mark - 1
                mark = lineno
                if latin:
                    line = _proper(line)
                # ---- the reader's fast path: other plain rows -----------------------------
                if in_block and fast:
                    m = trans_fast(line)
                    if m is None and line[:1] in _BLANK:
                        m = trans_fast(line.lstrip(_BLANK))
                    if m is not None:
                        if lazy:
                            cur, lazy = self._open_voucher(lazy_text, lazy, latin), 0
                        assert cur is not None
                        kind, acct, inner, amt, tail = m.groups()
                        objs = objcache.get(inner)
                        if objs is None:
                            objs = self._fast_objects(inner, objcache, lineno)
                        rest = tails.get(tail)
                        if rest is None:
                            rest = self._fast_tail(tail, tails, dates)
                        if objs is not None and rest is not None:
                            account = seen_accounts.get(acct)
                            if account is None:
                                account = self._first_use(acct, lineno)
                            row = Transaction(
                                kind,  # type: ignore[arg-type]
                                account,
                                objs,
                                Decimal(amt),
                                *rest,
                                lineno,
                            )
                            if kind == "TRANS":
                                other += row.amount
                                if pending:
                                    self._match_rtrans(cur, row)
                                    pending = False
                                if not cur.discard:
                                    self._add(row, day)
                            else:
                                pending = self._other_row(cur, row)
                            hot = fast and not pending and not cur.discard
                            continue
                # ---- braces and blank lines -----------------------------------------------
                stripped = line.strip()
                if not stripped:
                    continue
                if lazy:
                    if stripped == "{" and not in_block:
                        in_block, hot = True, fast
                        continue
                    cur, lazy = self._open_voucher(lazy_text, lazy, latin), 0
                if stripped[0] != "#":
                    if stripped == "{":
                        if cur is not None and not in_block:
                            in_block = True
                            hot = fast and not cur.discard
                        else:
                            issue(Severity.ERROR, "unexpected_brace", "Oväntad klammer '{'", lineno)
                    elif stripped == "}":
                        if cur is not None and in_block:
                            self._close(cur, _voucher_total(cents, other))
                            cur, in_block, pending, hot = None, False, False, False
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
                    self._close(cur, _voucher_total(cents, other))
                    cur, pending = None, False
                # ---- the reader's fast path: a plain #VER header ---------------------------
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
                            cur, cents, other, day = _Open(voucher), 0, _ZERO, vday
                            cells = cells_of(day)
                            continue
                # ---- the general path -------------------------------------------------------
                try:
                    fields = tokenize(stripped)
                except LexError as exc:
                    issue(Severity.ERROR, exc.code, exc.message, lineno)
                    if cur is not None:
                        cur.bad_rows = True
                    continue
                head_field = fields[0]
                assert isinstance(head_field, str)  # a line starting with '#' starts with a word
                label = head_field[1:].upper()
                if label == "KSUMMA":
                    counting, crc_line, _value = self._checksum(
                        fields, counting, crc, crc_line, lineno
                    )
                    fast = self.fast_paths and not counting
                    hot = in_block and fast and not pending and cur is not None and not cur.discard
                    records += 1
                    crc = 0
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
                    if row.kind == "TRANS":
                        other += row.amount
                        if pending:
                            self._match_rtrans(cur, row)
                            pending = False
                        if not cur.discard:
                            self._add(row, day)
                    else:
                        pending = self._other_row(cur, row)
                    hot = in_block and fast and not pending and not cur.discard
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
                    self._close(cur, _voucher_total(cents, other))
                    cur, in_block, pending, hot = None, False, False, False
                if label == "VER":
                    try:
                        voucher = self._voucher(fields, lineno)
                        cur = _Open(voucher)
                    except _FieldError as exc:
                        issue(Severity.ERROR, exc.code, f"{exc.message} i #VER", lineno)
                        voucher = Voucher("", "", date.min, line=lineno)
                        cur = _Open(voucher, bad_rows=True, discard=True)
                    cents, other, day = 0, _ZERO, voucher.date
                    if not cur.discard:
                        cells = cells_of(day)
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
                kind_of = type(record)
                if kind_of is Balance:
                    assert isinstance(record, Balance)
                    if record.kind == "IB" and record.year_index == 0:
                        self.opening[record.account] = (
                            self.opening.get(record.account, _ZERO) + record.amount
                        )
                elif kind_of is FiscalYear:
                    assert isinstance(record, FiscalYear)
                    if record.year_index == 0:
                        self.fiscal_year = record
                elif kind_of is FileFormat:
                    assert isinstance(record, FileFormat)
                    format_line, format_value = lineno, record.value
            block.clear()  # let the lines go before the next block is read

        # ---- end of file ----------------------------------------------------------------------
        self.rows += rows + lineno - mark
        if lazy:
            cur = self._open_voucher(lazy_text, lazy, src.encoding == "cp437")
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
            self._close(cur, _voucher_total(cents, other))
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
