"""The booked rows summed while the file streams: what ``posting_totals`` collects.

``PostingSums`` keeps the sums per (account, cost centre, voucher date) in the
shape the scanning loop's hot path (``scan.Scanner``) adds to without building
anything: a plain ``#TRANS`` row whose head (the line up to the object list's
``}``) and rest (what follows the amount) were checked before stands for a key
number, and its amount is added as whole öre to that key's cell of the voucher
date. Rows read any other way come as ``Transaction`` objects (``add``). Each
sum becomes a ``Decimal`` once, at the end (``totals``), equal digit for digit
to a running ``Decimal`` sum of the same rows.

``ViewSource`` gives the lines of a CP437 file as Latin-1 (a copy instead of a
table look-up per byte); a line that leaves the hot path is turned into its
CP437 text (``proper``) first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Protocol, cast

from finsam_xl.model.money import ZERO

from ._lexer import LineSource
from .records import ObjectList, Transaction, repeats_a_dimension

PostingKey = tuple[str, str, date]
"""(account, cost centre, voucher date): the key of ``PostingTotals.sums``."""

Tail = tuple[date | None, str, Decimal | None, str]
"""What follows the amount of a plain row: transaction date, text, quantity, sign."""

_CACHE_LIMIT = 100_000

# The hot path: a plain #TRANS row, unindented, with an amount of at most 15 digits
# before the point and exactly two after it (what accounting programs write). Group 1
# is the row's head: the line up to the brace that closes the object list; a head
# whose checks are done stands for its (account, cost centre). Anything else goes
# the general way.
HOT_ROW = re.compile(
    r"(#TRANS[ \t]++\d++[ \t]++\{[^{}\\]*+)\}[ \t]++(-?\d{1,15}+)\.(\d\d)(.*)",
    re.ASCII | re.DOTALL,
)
_HEAD = re.compile(r"#TRANS[ \t]++(\d++)[ \t]++\{(.*)", re.ASCII | re.DOTALL)
HOT_AMOUNT = re.compile(r"-?\d{1,15}+\.\d\d", re.ASCII)
# A plain #VER line as the hot path takes it: single spaces, the text and the sign
# quoted (so that the line ends in '"' or a digit, and stripping it takes off at most
# its '\r'). Groups: series, number, the date and the registration date.
_QUOTED = r'"[^"\\]*+"'
_WORD = rf'(?:{_QUOTED}|[^ \t\r"{{}}\\]++)'
HOT_VER = re.compile(
    rf"#VER ({_WORD}) ({_WORD}) (\d{{8}})"
    rf"(?: {_QUOTED}(?: (?:(\d{{8}})|\"\")(?: {_QUOTED})?+)?+)?+\r?",
    re.ASCII,
)
# What follows the quoted number and the quoted text of a #VER whose series, number and
# text are quoted: the date, and the registration date if any.
_VER_MIDDLE = re.compile(r" (\d{8}) ", re.ASCII)
_VER_END = re.compile(r"(?: (\d{8}))?\r?", re.ASCII)


class ViewSource(LineSource):
    """``LineSource`` that gives the lines of a CP437 file as Latin-1 (one byte, one character).

    Decoding Latin-1 is a copy, CP437 a table look-up per byte; both are one-to-one,
    so the hot path compares and looks up the Latin-1 text as it would the bytes, and
    a line that leaves it is turned into its CP437 text (``proper``) first. The
    encoding is decided, and every issue raised, exactly as by ``LineSource``.
    """

    def _decode_known(self, data: bytes, encoding: str) -> str:
        if encoding == "cp437":
            return data.decode("latin-1")
        return super()._decode_known(data, encoding)


def proper(view: str) -> str:
    """The CP437 text of a line that ``ViewSource`` gave as Latin-1."""
    return view.encode("latin-1").decode("cp437")


class RowChecks(Protocol):
    """The scanner's checks of a row's parts, which the hot path runs once per head and rest."""

    seen_accounts: dict[str, str]

    def fast_objects(self, inner: str, line: int) -> ObjectList | None:
        """The object list inside ``{ }``, checked; ``None`` when it goes the general way."""

    def fast_tail(self, tail: str) -> Tail | None:
        """What follows the amount, checked; ``None`` when it goes the general way."""

    def fast_date(self, value: str) -> date | None:
        """A checked date; ``None`` when invalid (the general way reports it)."""

    def first_use(self, account: str, line: int) -> str:
        """An account at its first use, checked against the chart of accounts."""


_CENT = Decimal("0.01")

_DENSE_KEYS = 8192
"""Up to this many (account, cost centre) keys a voucher date keeps its öre in a list."""


class _Sparse(dict[int, "int | None"]):
    """The öre of a voucher date by key number, for files with very many keys."""

    def __missing__(self, key: int) -> None:
        return None


Cells = list["int | None"] | _Sparse
"""The öre of one voucher date, indexed by key number; ``None`` before its first row."""


def voucher_total(cents: int, other: Decimal) -> Decimal:
    """A voucher's sum from its plain rows (öre) and its other rows (``Decimal``)."""
    return other + Decimal(cents) * _CENT if cents else other


class PostingSums:
    """The booked rows of a file summed per (account, cost centre, voucher date).

    The scanning loop's hot path writes into ``heads``, ``cells`` and the
    ``new_*`` lists directly (see ``scan.Scanner``); everything else comes
    through the methods. ``skip(account)`` keeps an account's rows off the hot
    path (they then come through ``add`` as ``Transaction`` objects).
    """

    def __init__(
        self, checks: RowChecks, dimension: int, skip: Callable[[str], bool] | None = None
    ) -> None:
        self.checks = checks
        self.dimension = dimension
        self.skip = skip
        self._first_day, self._last_day = date.min, date.max
        self.rows = 0  # rows added through ``add`` (the loop counts the hot rows)
        # Each (account, cost centre) gets a number, its index in the öre of every
        # voucher date: a list (None until the first row), or a dict when there are more
        # than _DENSE_KEYS keys (8 bytes per key and date at most).
        self._key_ids: dict[tuple[str, str], int] = {}
        self._keys: list[tuple[str, str]] = []
        self._by_day: dict[date, Cells] = {}
        # The dates of plain #VER lines already checked -> (date, its öre): by
        # (date, registration date), and by the text around them when split at quotes.
        self.ver_days: dict[tuple[str, str | None], tuple[date, Cells]] = {}
        self.quoted_days: dict[tuple[str, str], tuple[date, Cells]] = {}
        # The cells in the order they were made, i.e. of their first rows (as flat
        # lists: no object per cell for the garbage collector to look at).
        self.new_ids: list[int] = []
        self.new_days: list[date] = []
        self.new_lines: list[int] = []
        # Row head -> number of its (account, cost centre), for the heads whose checks
        # are done; the checked rests of rows (what follows the amount), and the rests
        # t for which " " + t is a checked rest. All as the lines come from the source
        # (Latin-1 for a CP437 file).
        self.heads: dict[str, int] = {}
        self.ok_tails: set[str] = set()
        self.spaced_tails: set[str] = {""}
        # Rows read the general way: Decimal sums and first lines.
        self._other: dict[PostingKey, Decimal] = {}
        self._other_lines: dict[PostingKey, int] = {}

    def add(self, row: Transaction, day: date) -> None:
        """A booked row read the general way (a ``Transaction``)."""
        centre = next((o for d, o in row.objects if d == self.dimension), "")
        key = (row.account, centre, day)
        self._other[key] = self._other.get(key, ZERO) + row.amount
        if key not in self._other_lines:
            self._other_lines[key] = row.line
        self.rows += 1

    def hot_row(self, head: str, tail: str, line: int, latin: bool) -> int | None:
        """Check a plain row whose head or rest has not been seen yet; return its key number.

        The checks and their order are those of the scanner's fast path for rows
        (object list, then the rest of the row, then the account), so the same
        issues come out. Returns the key number whose cell the loop adds the
        amount to, or ``None`` when the row must go the general way (then
        nothing is checked here). ``head`` and ``tail`` are as the source gave
        them (``latin``: Latin-1 for CP437).
        """
        m = _HEAD.fullmatch(head)
        assert m is not None  # HOT_ROW only lets such heads through
        acct, inner = m.groups()
        checks = self.checks
        if self.skip is not None and self.skip(acct):
            return None
        if acct not in checks.seen_accounts and len(checks.seen_accounts) >= _CACHE_LIMIT:
            # The scanner's cache of accounts is full: it checks this account at every
            # row, so its rows go the general way.
            return None
        text = proper(tail) if latin else tail
        # The tail first: a row that goes the general way has its objects checked there
        # (checking them here too would report a finding twice; see scan's fast path).
        if checks.fast_tail(text) is None:
            return None
        objs = checks.fast_objects(proper(inner) if latin else inner, line)
        if objs is None:
            return None
        # The caches of the hot path only spare look-ups of the scanner's caches,
        # which decide: they may be emptied at any time.
        if len(self.ok_tails) >= _CACHE_LIMIT:
            self.ok_tails.clear()
            self.spaced_tails.clear()
            self.spaced_tails.add("")
        self.ok_tails.add(tail)
        if tail[:1] == " ":
            self.spaced_tails.add(tail[1:])
        account = checks.seen_accounts.get(acct)
        if account is None:
            account = checks.first_use(acct, line)
        kid = self.heads.get(head)
        if kid is None:
            key = (account, next((o for d, o in objs if d == self.dimension), ""))
            kid = self._key_ids.get(key)
            if kid is None:
                kid = self._key_ids[key] = len(self._keys)
                self._keys.append(key)
            if repeats_a_dimension(objs):  # warned at every row: checked at every row
                return kid
            if len(self.heads) >= _CACHE_LIMIT:
                self.heads.clear()
            self.heads[head] = kid
        return kid

    def forget_heads(self) -> None:
        """The scanner emptied its cache of object lists: every head is checked again."""
        self.heads.clear()

    def set_year(self, first: date, last: date) -> None:
        """The fiscal year: a #VER dated outside it does not take the hot path."""
        self._first_day, self._last_day = first, last
        self.ver_days.clear()
        self.quoted_days.clear()

    def _ver_day(self, vds: str, rds: str | None) -> date | None:
        """The date of a plain #VER in the fiscal year, ``None`` if not (or invalid).

        Invalid: the date or the registration date (the general path reports it).
        """
        fast_date = self.checks.fast_date
        day = fast_date(vds)
        if day is None or (rds is not None and fast_date(rds) is None):
            return None
        return day if self._first_day <= day <= self._last_day else None

    def plain_ver(self, ver_dates: tuple[str, str | None]) -> tuple[date, Cells] | None:
        """(date, its öre) of a ``HOT_VER`` line by its two dates; ``None`` if invalid."""
        day = self._ver_day(*ver_dates)
        if day is None:
            return None
        if len(self.ver_days) >= _CACHE_LIMIT:
            self.ver_days.clear()
        known = self.ver_days[ver_dates] = (day, self.cells(day))
        return known

    def quoted_ver(self, middle: str, end: str) -> tuple[date, Cells] | None:
        """The same for ``#VER "s" "n"<middle>"text"<end>`` (split at its quotes).

        ``middle`` must be the date between blanks and ``end`` the registration
        date, if any, and the line end: the line is then one ``HOT_VER`` takes.
        """
        m = _VER_MIDDLE.fullmatch(middle)
        n = _VER_END.fullmatch(end)
        if m is None or n is None:
            return None
        day = self._ver_day(m.group(1), n.group(1))
        if day is None:
            return None
        if len(self.quoted_days) >= _CACHE_LIMIT:
            self.quoted_days.clear()
        known = self.quoted_days[middle, end] = (day, self.cells(day))
        return known

    def cells(self, day: date) -> Cells:
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
                self.ver_days.clear()
                self.quoted_days.clear()
        return cells

    def totals(self) -> tuple[dict[PostingKey, Decimal], dict[PostingKey, int]]:
        """The sums per (account, cost centre, day), in the order of their first rows."""
        by_day = self._by_day
        names = self._keys
        ids, days, lines = self.new_ids, self.new_days, self.new_lines
        keys = [(n[0], n[1], day) for n, day in zip(map(names.__getitem__, ids), days, strict=True)]
        # Every cell made has an amount (None only stands for "no row yet").
        cents = cast(list[int], [by_day[day][kid] for kid, day in zip(ids, days, strict=True)])
        if not self._other:
            # Only plain rows (the usual case): one cell per key, made in line order.
            # Decimal(öre) * 0.01 is exact and has two decimals, like a Decimal sum of
            # two-decimal amounts.
            amounts = map(_CENT.__mul__, map(Decimal, cents))
            return dict(zip(keys, amounts, strict=True)), dict(zip(keys, lines, strict=True))
        # (first line, key, öre or None, Decimal or None) of every cell.
        parts: list[tuple[int, PostingKey, int | None, Decimal | None]] = list(
            zip(lines, keys, cents, [None] * len(keys), strict=True)
        )
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
            total = ZERO if sum_cents is None else Decimal(sum_cents) * _CENT
            sums[key] = total if sum_amount is None else total + sum_amount
        return sums, first_lines
