"""``posting_totals`` (the reconciliation's fast path) means what reading every record means.

The reference is the general reader: ``iter_records`` with the booked rows of each
voucher summed per (account, cost centre, voucher date), the ``#IB`` of year 0 and
the last ``#RAR 0``. The fast path must give the same sums (digit for digit, in the
same order), the same first line per sum, the same number of rows, the same opening
balances and fiscal year, and the same issues (code, message, line, in order), or
the same fatal error, on generated and mutated files, in CP437 and UTF-8, with the
file read in blocks of any size.
"""

from __future__ import annotations

import io
import random
import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import synthetic_books as sb  # type: ignore[import-not-found]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsam_xl.books.ledger import Books, read_sie_books
from finsam_xl.core.recon import Ledger
from finsam_xl.model.findings import Finding, Severity
from finsam_xl.model.recon import Posting
from finsam_xl.sie import (
    Balance,
    CapturedRow,
    CapturedVoucher,
    FiscalYear,
    Issue,
    PeriodBalance,
    PostingTotals,
    SieError,
    SieReader,
    Source,
    Voucher,
    _lexer,
    iter_records,
    posting_totals,
    scan,
    sums,
)

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Outcome = tuple[object, ...]


# --------------------------------------------------------------------------------------
# The reference: the general reader, record by record
# --------------------------------------------------------------------------------------


def reference(source: Source, dimension: int = 1, encoding: str | None = None) -> Outcome:
    """Sums, first lines, rows, opening balances, fiscal year and issues, the slow way."""
    issues: list[Issue] = []
    sums: dict[tuple[str, str, date], Decimal] = {}
    first: dict[tuple[str, str, date], int] = {}
    rows = 0
    opening: dict[str, Decimal] = {}
    fiscal_year: FiscalYear | None = None
    try:
        for record in iter_records(source, issues=issues, name="t.se", encoding=encoding):
            if isinstance(record, Voucher):
                for row in record.transactions():
                    centre = next((o for d, o in row.objects if d == dimension), "")
                    key = (row.account, centre, record.date)
                    sums[key] = sums.get(key, Decimal()) + row.amount
                    first.setdefault(key, row.line)
                    rows += 1
            elif isinstance(record, Balance) and record.kind == "IB" and record.year_index == 0:
                opening[record.account] = opening.get(record.account, Decimal()) + record.amount
            elif isinstance(record, FiscalYear) and record.year_index == 0:
                fiscal_year = record
    except SieError as exc:
        return ("fatal", str(exc), exc.code)
    return (_items(sums), first, rows, _items(opening), _fy(fiscal_year), issues)


def fast(source: Source, dimension: int = 1, encoding: str | None = None) -> Outcome:
    """The same, from ``posting_totals``."""
    issues: list[Issue] = []
    try:
        totals: PostingTotals = posting_totals(
            source,
            issues=issues,
            name="t.se",
            encoding=encoding,
            cost_centre_dimension=dimension,
        )
    except SieError as exc:
        return ("fatal", str(exc), exc.code)
    assert totals.issues is issues
    return (
        _items(totals.sums),
        totals.first_lines,
        totals.rows,
        _items(totals.opening),
        _fy(totals.fiscal_year),
        issues,
    )


def _items(mapping: Mapping[Any, Decimal]) -> list[tuple[object, str]]:
    # str() keeps the exponent: 10.00 and 10.0 and 10 differ.
    return [(k, str(v)) for k, v in mapping.items()]


def issues_of(outcome: Outcome) -> list[Issue]:
    """The issues of an outcome (its last part)."""
    found = outcome[-1]
    assert isinstance(found, list)
    return found


def _fy(record: FiscalYear | None) -> object:
    return None if record is None else (record.year_index, record.start, record.end, record.line)


def check(data: bytes, **kw: object) -> Outcome:
    """Compare the two on ``data``, read in 1 MiB blocks and in tiny ones.

    (Tiny blocks move where the encoding is decided and split vouchers between
    blocks; the reader itself may then differ from its 1 MiB self, e.g. on a byte
    order mark cut in two, so each block size is compared with itself.)
    """
    expected = reference(data, **kw)  # type: ignore[arg-type]
    assert fast(data, **kw) == expected  # type: ignore[arg-type]
    for size in (1, 40):
        with mock.patch.object(_lexer, "BLOCK_BYTES", size):
            assert fast(data, **kw) == reference(data, **kw)  # type: ignore[arg-type]
    return expected


# --------------------------------------------------------------------------------------
# Generated files
# --------------------------------------------------------------------------------------

# Letters that need care: CP437 bytes that are blanks in Latin-1 (0x85 'à', 0xA0 'á')
# and the CP437 blank 0xFF (NBSP), quotes, braces, backslashes.
TEXT = st.text(st.sampled_from(list('ab åäöÅÄÖà á\xa0"\\{}\t')), max_size=8)
SEPS = st.sampled_from([" ", " ", " ", "  ", "\t"])
ACCOUNTS = st.sampled_from(["1930", "2440", "4010", "6110", "7010", "3591", '"1930"', "19A0", "0"])
OBJECTS = st.sampled_from(
    [
        "{}",
        "{}",
        '{1 "35000"}',
        '{1 "35000" 6 "P1"}',
        '{6 "P2" 1 "36000"}',
        "{1 35000}",
        "{ }",
        '{1 "Säter à"}',
        '{1 "a}b"}',
        '{1 "x\\"y"}',
        '{1 ""}',
        "{1}",
        '{x "1"}',
        '{1 "35000" 1 "36000"}',
        '{2 "7"}',
        '{1 "35000"',
        "",
    ]
)
AMOUNTS = st.one_of(
    st.integers(-(10**9), 10**9).map(lambda c: f"{Decimal(c).scaleb(-2):f}"),
    st.sampled_from(
        [
            "0.50",
            "-0.50",
            "-0.00",
            "12.5",
            "12",
            "-7",
            "1.005",
            "1,50",
            "1_000.00",
            "+5.00",
            "1234567890123456.00",
            "123456789012345.00",
            "007.50",
            ".50",
            "5.",
            "1e3",
            "",
        ]
    ),
)
TAILS = st.sampled_from(
    [
        "",
        "",
        " 20250105",
        ' 20250105 "Faktura"',
        ' 20250105 "Faktura"',
        ' "" "text"',
        " 20251301",
        ' 20250105 "x" 2.5',
        ' 20250105 "x" "" "sign"',
        " 20250105 bare",
        "\t20250105",
        "  20250105",
        ' 20250105 "open',
        ' "å ä à"',
        " ",
        ' 20250105 "x" 1,5',
    ]
)
KINDS = st.sampled_from(["#TRANS"] * 8 + ["#RTRANS", "#BTRANS", "#trans", "  #TRANS", "\t#TRANS"])
VERS = st.sampled_from(
    [
        '#VER A {n} 20250105 "Faktura {n}" 20250106',
        '#VER "A" "{n}" 20250105 "Leverantörsfaktura {n}" 20250105',
        "#VER A {n} 20250105",
        '#VER A {n} 20250107 "text"',
        '#VER A {n} 20250107 "text" ""',
        '#VER A {n} 20250105 "x" "" "sign"',
        '#VER A {n} 20250105 "x" 20250105 "Anna"',
        "#VER A {n} 20250105 text 20250105",
        '#VER A {n} 20251301 "bad date"',
        '#VER A {n} 20250105 "x" 20251399',
        '#VER "" "" 20250108 ""',
        "#VER\tA\t{n}\t20250105",
        "#VER A",
        '#VER A {n} {{1 "2"}} 20250105',
        '#VER A {n} 20250105 "unterminated',
        '  #VER A {n} 20250109 "indented"',
        '#VER A {n} 20250105 "à\xa0á"  ',
        '#ver a {n} 20250110 "lower"',
    ]
)
OPEN_BRACES = st.sampled_from(["{"] * 10 + ["  {", "{ ", "{\xa0", "{à", "", "{ x"])
CLOSE_BRACES = st.sampled_from(["}"] * 10 + ["  }", "} ", "}\xa0", "}à", "", "} x"])
OTHER = st.sampled_from(
    [
        "",
        "   ",
        "#PROSA inne i verifikation",
        "#OKAND x",
        "#KSUMMA",
        "text utan etikett",
        "}",
        "{",
    ]
)
HEADER = st.sampled_from(
    [
        "#FLAGGA 0",
        '#PROGRAM "Test" 1.0',
        "#FORMAT PC8",
        "#GEN 20250101",
        "#SIETYP 4",
        '#FNAMN "Förbundet"',
        "#RAR 0 20250101 20251231",
        "#RAR -1 20240101 20241231",
        "#RAR 0 20260101 20261231",
        "#RAR 0 20251301 20251231",
        "#IB 0 1930 100.00",
        "#IB 0 1930 -20.5",
        "#IB 0 2010 -100.50",
        "#IB -1 1930 5.00",
        "#IB 0 x 1",
        "#IB 0 2440 12",
        "#UB 0 1930 5",
        '#KONTO 1930 "Bank"',
        '#KONTO 4010 "Varor"',
        '#DIM 1 "Kostnadsställe"',
        '#OBJEKT 1 "35000" "Avesta"',
        '#OBJEKT 6 "P1" "Projekt"',
        "#KSUMMA",
        "#KSUMMA 12345",
    ]
)


@st.composite
def rows(draw: st.DrawFn, balanced: bool) -> list[str]:
    count = draw(st.integers(0, 5))
    lines = []
    cents = [draw(st.integers(-(10**8), 10**8)) for _ in range(count)]
    if balanced and count:
        cents.append(-sum(cents))
    for value in cents:
        if draw(st.integers(0, 4)) == 0:  # now and then anything
            amount = draw(AMOUNTS)
            kind = draw(KINDS)
        else:
            amount = f"{Decimal(value).scaleb(-2):f}"
            kind = "#TRANS"
        parts = [kind, draw(ACCOUNTS), draw(OBJECTS), amount]
        line = parts[0]
        for part in parts[1:]:
            line += draw(SEPS) + part if part else ""
        lines.append(line + draw(TAILS))
        if kind == "#RTRANS" and draw(st.booleans()):  # usually followed by its #TRANS
            lines.append("#TRANS" + lines[-1][len("#RTRANS") :])
    return lines


@st.composite
def vouchers(draw: st.DrawFn, number: int) -> list[str]:
    plain = draw(st.integers(0, 3)) > 0
    if plain:
        shape = draw(
            st.sampled_from(
                [
                    '#VER A {n} {day} "Faktura {n}" {day}',
                    '#VER "A" "{n}" {day} "Faktura {n}" {day}',
                    '#VER "A" "{n}" {day} "Faktura {{}}\t{n}"',
                    '#VER "A" "{n}" {day} "x" 20251399',
                    '#VER "A" "{n}" {day} "x" ""',
                    '#VER "A" "{n}"  {day} "x"',
                    '#VER "A" "{n}" {day} "x\\" {day}',
                    '#VER "A" "{n}" 2025011 "x" {day}',
                    # SIE 4I: no number (the importing program numbers them); never
                    # duplicates of each other (issue 18, item 11)
                    '#VER "L" "" {day} "Lön {n}" {day}',
                    '#VER L "" {day} "x"',
                    '#VER "" "" {day} ""',
                ]
            )
        )
        day = f"2025{draw(st.integers(1, 12)):02d}{draw(st.integers(1, 28)):02d}"
        ver = shape.format(n=number, day=day)
        lines = [ver, "{", *draw(rows(balanced=True)), "}"]
    else:
        lines = [draw(VERS).format(n=number), draw(OPEN_BRACES)]
        lines += draw(rows(balanced=draw(st.booleans())))
        if draw(st.integers(0, 3)) == 0:
            lines.insert(draw(st.integers(1, len(lines))), draw(OTHER))
        lines.append(draw(CLOSE_BRACES))
    return lines


@st.composite
def sie_files(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(HEADER, max_size=12))
    for number in range(1, draw(st.integers(0, 8)) + 1):
        lines += draw(vouchers(number))
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(HEADER))
    if draw(st.integers(0, 9)) == 0:  # a mutation: any character anywhere
        text = "\n".join(lines)
        if text:
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(list('"{}\\ \t\r#x0.-\n'))) + text[at + 1 :]
            lines = text.split("\n")
    end = draw(st.sampled_from(["\r\n", "\n"]))
    body = end.join(lines) + (end if draw(st.booleans()) else "")
    encoding = draw(st.sampled_from(["cp437", "cp437", "utf-8", "utf-8-sig"]))
    return body.encode(encoding)


@SETTINGS
@given(sie_files())
def test_generated_files_give_the_same_sums_and_issues(data: bytes) -> None:
    check(data)


@SETTINGS
@given(sie_files(), st.sampled_from([0, 6, 7]))
def test_another_cost_centre_dimension(data: bytes, dimension: int) -> None:
    assert fast(data, dimension) == reference(data, dimension)


@settings(max_examples=60, deadline=None)
@given(sie_files(), st.sampled_from(["cp437", "latin-1", "utf-8"]))
def test_forced_encoding(data: bytes, encoding: str) -> None:
    assert fast(data, encoding=encoding) == reference(data, encoding=encoding)


# --------------------------------------------------------------------------------------
# Chosen cases
# --------------------------------------------------------------------------------------

HEAD = "#FLAGGA 0\n#PROGRAM x 1\n#FORMAT PC8\n#GEN 20250101\n#SIETYP 4\n#FNAMN x\n"


def sie(*lines: str, encoding: str = "cp437", end: str = "\r\n") -> bytes:
    return (HEAD.replace("\n", end) + end.join(lines) + end).encode(encoding)


CHOSEN: list[list[str]] = [
    # plain vouchers, one sum per account, cost centre and day
    [
        '#VER A 1 20250105 "x" 20250105',
        "{",
        '#TRANS 4010 {1 "35000"} 10.00',
        '#TRANS 4010 {1 "35000" 6 "P1"} 5.50 20250105 "y"',
        "#TRANS 2440 {} -15.50",
        "}",
    ],
    # amounts of other shapes (Decimal sums keep their exponent)
    [
        "#VER A 1 20250105",
        "{",
        "#TRANS 4010 {} 10",
        "#TRANS 4010 {} 2.5",
        "#TRANS 4010 {} 0.125",
        "#TRANS 2440 {} -12.625",
        "}",
    ],
    ["#VER A 1 20250105", "{", "#TRANS 4010 {} 10", "#TRANS 2440 {} -10", "}"],
    [
        "#VER A 1 20250105",
        "{",
        "#TRANS 4010 {} 10.00",
        "#TRANS 4010 {} 10",
        "#TRANS 2440 {} -20",
        "}",
    ],
    # unbalanced voucher, at its #VER line
    ["#VER A 1 20250105", "{", "#TRANS 4010 {} 10.00", "#TRANS 2440 {} -9.99", "}"],
    ["#VER A 1 20250105", "{", "#TRANS 4010 {} 10.005", "#TRANS 2440 {} -9.99", "}"],
    # #RTRANS followed by its #TRANS, #BTRANS, an unmatched #RTRANS
    [
        "#VER A 1 20250105",
        "{",
        "#TRANS 4010 {} 10.00",
        "#RTRANS 4010 {} 5.00",
        "#TRANS 4010 {} 5.00",
        "#BTRANS 4010 {} 3.00",
        "#TRANS 2440 {} -15.00",
        "}",
    ],
    [
        "#VER A 1 20250105",
        "{",
        "#RTRANS 4010 {} 5.00",
        "#TRANS 4010 {} 6.00",
        "#TRANS 2440 {} -6.00",
        "}",
    ],
    ["#VER A 1 20250105", "{", "#RTRANS 4010 {} 5.00", "}"],
    # bad rows, bad dates, missing object list, quoted accounts
    [
        "#VER A 1 20250105",
        "{",
        "#TRANS 4010 {} 1,50",
        "#TRANS 4010 {} 1.50 20251301",
        "#TRANS 4010 10.00",
        '#TRANS "4010" {} 1.00',
        "#TRANS DIFF {} 1.00",
        "}",
    ],
    # a #VER that cannot be read: its rows count for nothing
    ["#VER A 1 20251301", "{", "#TRANS 4010 {} 10.00", "#TRANS 2440 {} -10.00", "}"],
    # missing braces, a truncated file
    ["#VER A 1 20250105", "#TRANS 4010 {} 10.00", "#VER A 2 20250106", "{", "#TRANS 4010 {} 1.00"],
    ["#VER A 1 20250105", "{", "#TRANS 4010 {} 1.00", "#TRANS 2440 {} -1.00", "#IB 0 1930 1"],
    # undeclared account and object, declared later too
    [
        '#KONTO 1930 "Bank"',
        '#DIM 1 "KS"',
        '#OBJEKT 1 "35000" "A"',
        "#VER A 1 20250105",
        "{",
        '#TRANS 4010 {1 "36000"} 1.00',
        '#TRANS 4010 {1 "36000"} 1.00',
        "#TRANS 1930 {} -2.00",
        "}",
        '#OBJEKT 1 "37000" "B"',
        "#VER A 2 20250105",
        "{",
        '#TRANS 4010 {1 "37000"} 1.00',
        "#TRANS 1930 {} -1.00",
        "}",
    ],
    # #KSUMMA: the fast paths are off inside
    [
        "#KSUMMA",
        "#VER A 1 20250105",
        "{",
        "#TRANS 4010 {} 1.00",
        "#TRANS 1930 {} -1.00",
        "}",
        "#KSUMMA 1",
    ],
    # letters that are blanks in one 8-bit encoding and not in the other
    [
        '#VER A 1 20250105 "à"',
        "{à",
        "#TRANS 4010 {} 1.00",
        "#TRANS 1930 {} -1.00",
        "}à",
        '#VER A 2 20250105 "\xa0"',
        "{\xa0",
        '#TRANS 4010 {1 "à"} 1.00 20250105 "\xa0"',
        "#TRANS 1930 {} -1.00",
        "}\xa0",
    ],
    # the file ends after a #VER, or inside its braces
    ['#VER A 1 20250105 "x" 20250105'],
    ['#VER A 1 20250105 "x" 20250105', "{"],
    ['#VER A 1 20250105 "x" 20250105', "{", "#TRANS 4010 {} 1.00"],
    # a key first met on another day, then on a day whose list was made before it
    [
        '#VER A 1 20250105 "x" 20250105',
        "{",
        "#TRANS 4010 {} 1.00",
        "#TRANS 1930 {} -1.00",
        "}",
        '#VER A 2 20250106 "x" 20250106',
        "{",
        "#TRANS 5010 {} 1.00",
        "#TRANS 1930 {} -1.00",
        "}",
        '#VER A 3 20250105 "x" 20250105',
        "{",
        "#TRANS 5010 {} 2.00",
        "#TRANS 5010 {}  3.00",
        "#TRANS 1930 {} -5.00",
        "}",
        '#VER A 4 20250107 "x" 20250107',
        "{",
        "#TRANS 6010 {}  2.00",
        "#TRANS 1930 {} -2.00",
        "}",
        '#VER A 5 20250105 "x" 20250105',
        "{",
        "#TRANS 6010 {}  2.00",
        "#TRANS 1930 {} -2.00",
        "}",
    ],
]


@pytest.mark.parametrize("lines", CHOSEN)
@pytest.mark.parametrize("encoding", ["cp437", "utf-8"])
@pytest.mark.parametrize("end", ["\r\n", "\n"])
def test_chosen_files(lines: list[str], encoding: str, end: str) -> None:
    check(sie(*lines, encoding=encoding, end=end))


def test_sources_of_every_kind() -> None:
    data = sie(*CHOSEN[0])
    expected = fast(data)
    assert fast(io.BytesIO(data)) == expected
    assert fast(bytearray(data)) == expected
    with pytest.raises(TypeError):
        posting_totals(io.StringIO(data.decode("cp437")))  # type: ignore[arg-type]


@settings(max_examples=120, deadline=None)
@given(sie_files(), st.sampled_from([2, 3, 100_000]), st.sampled_from([0, 1, 8192]))
def test_full_caches_and_many_keys(data: bytes, limit: int, dense: int) -> None:
    # The reader's caches (accounts, object lists, rests of rows, dates) hold at most
    # _CACHE_LIMIT entries; with a limit of 2 they are full or cleared all the time.
    # With more than _DENSE_KEYS keys the sums of a date go from a list to a dict.
    with (
        mock.patch.object(scan, "_CACHE_LIMIT", limit),
        mock.patch.object(sums, "_CACHE_LIMIT", limit),
        mock.patch.object(sums, "_DENSE_KEYS", dense),
    ):
        assert fast(data) == reference(data)


def test_object_declared_after_use_and_a_full_cache() -> None:
    # With its cache of object lists emptied, the reader checks a list again and reports
    # an object declared (in its dimension) only after the list was first used.
    data = sie(
        '#DIM 1 "KS"',
        "#VER A 1 20250105",
        "{",
        '#TRANS 4010 {1 "X"} 1.00',
        "#TRANS 1930 {} -1.00",
        "}",
        '#OBJEKT 1 "Y" "y"',
        "#VER A 2 20250105",
        "{",
        '#TRANS 4010 {1 "Z"} 1.00',
        '#TRANS 4010 {1 "X"} 1.00',
        "#TRANS 1930 {} -2.00",
        "}",
    )
    with (
        mock.patch.object(scan, "_CACHE_LIMIT", 2),
        mock.patch.object(sums, "_CACHE_LIMIT", 2),
    ):
        expected = reference(data)
        assert fast(data) == expected
    assert [(i.code, i.line) for i in issues_of(expected)] == [
        ("undeclared_object", 16),
        ("undeclared_object", 17),
    ]


def test_plain_sums_have_two_decimals_and_other_amounts_their_own() -> None:
    data = sie(
        "#VER A 1 20250105",
        "{",
        "#TRANS 4010 {} 10",
        "#TRANS 4010 {} 0.5",
        "#TRANS 5010 {} 2.00",
        "#TRANS 2440 {} -12.50",
        "}",
    )
    totals = posting_totals(data, name="t.se")
    day = date(2025, 1, 5)
    assert [str(v) for v in totals.sums.values()] == ["10.5", "2.00", "-12.50"]
    assert totals.sums[("4010", "", day)] == Decimal("10.5")
    assert totals.rows == 4 and totals.first_lines[("4010", "", day)] == 9


def test_fatal_errors_are_the_same() -> None:
    assert fast(b"<html>") == reference(b"<html>")
    assert fast(b"") == reference(b"") and fast(b"")[0] == "fatal"
    assert fast(b"\xff\xfe#\x00") == reference(b"\xff\xfe#\x00")
    with pytest.raises(SieError, match="kan inte öppnas"):
        posting_totals(Path("/finns/inte.se"))


def test_mixed_encodings() -> None:
    plain = ["#VER A 1 20250105", "{", '#TRANS 4010 {1 "Säter"} 1.00', "#TRANS 1930 {} -1.00", "}"]
    utf8 = sie(*plain, encoding="utf-8")
    cp437_line = '#VER A 2 20250105 "Växjö"\r\n{\r\n#TRANS 4010 {} 1.00\r\n}\r\n'.encode("cp437")
    expected = check(utf8 + cp437_line)  # a UTF-8 file with a CP437 line: an error there
    assert any(i.code == "mixed_encoding" for i in issues_of(expected))
    cp437 = sie(*plain, encoding="cp437")
    utf8_line = '#VER A 2 20250105 "Växjö"\r\n{\r\n#TRANS 4010 {} 1.00\r\n}\r\n'.encode()
    expected = check(cp437 + utf8_line)  # a CP437 file with UTF-8 letters: a warning
    assert any(i.code == "mixed_encoding" for i in issues_of(expected))


def test_long_lines_and_blocks(tmp_path: Path) -> None:
    long_text = "x" * (_lexer.MAX_LINE_BYTES + 5)
    data = sie(
        "#VER A 1 20250105",
        "{",
        f'#TRANS 4010 {{}} 1.00 20250105 "{long_text}"',
        "#TRANS 4010 {} 1.00",
        "#TRANS 1930 {} -1.00",
        "}",
    )
    expected = check(data)
    assert any(i.code == "line_too_long" for i in issues_of(expected))
    path = tmp_path / "long.se"
    path.write_bytes(data)
    assert fast(path) == reference(path)


# --------------------------------------------------------------------------------------
# The books: the product's path against the record-by-record ledger
# --------------------------------------------------------------------------------------


def ledger_the_slow_way(path: Path, cost_centre_dimension: int = 1) -> Books:
    """read_sie_books as it was before the fast path: every record, Ledger.add per row."""
    issues: list[Issue] = []
    ledger = Ledger()
    year: int | None = None
    name = path.name
    for record in iter_records(path, issues=issues, name=name):
        if isinstance(record, Voucher):
            for row in record.transactions():
                centre = next((o for d, o in row.objects if d == cost_centre_dimension), "")
                ledger.add(
                    Posting(record.date, row.account, centre, row.amount, f"{name}:{row.line}")
                )
        elif isinstance(record, Balance) and record.kind == "IB" and record.year_index == 0:
            ledger.add_opening_balance(record.account, record.amount)
        elif isinstance(record, FiscalYear) and record.year_index == 0:
            year = record.start.year
    severity = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}
    findings = [
        Finding(
            rule=f"sie.{i.code}",
            severity=severity[i.severity.value],
            message=i.message,
            location=i.location,
        )
        for i in issues
    ]
    return Books(ledger, year, findings)


def same_books(a: Books, b: Books) -> None:
    assert [(k, str(v)) for k, v in a.ledger.sums.items()] == [
        (k, str(v)) for k, v in b.ledger.sums.items()
    ]
    assert list(a.ledger.first_source.items()) == list(b.ledger.first_source.items())
    assert list(a.ledger.day_source.items()) == list(b.ledger.day_source.items())
    assert [(k, str(v)) for k, v in a.ledger.opening.items()] == [
        (k, str(v)) for k, v in b.ledger.opening.items()
    ]
    assert a.ledger.rows == b.ledger.rows
    assert a.year == b.year
    assert a.findings == b.findings


def test_synthetic_books_give_the_same_ledger(tmp_path: Path) -> None:
    path = tmp_path / "sd.se"
    sb.make_books(path)
    fast_books = read_sie_books(path)
    same_books(fast_books, ledger_the_slow_way(path))
    assert fast_books.findings == [] and fast_books.year == 2025
    assert fast_books.ledger.rows > 3000


def test_bench_file_gives_the_same_ledger(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    try:
        import bench_sie  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    path = tmp_path / "bench.se"
    bench_sie.generate(path, 3000)
    same_books(read_sie_books(path), ledger_the_slow_way(path))
    same_books(read_sie_books(path, 6), ledger_the_slow_way(path, 6))


def _mutations(data: bytes, count: int, seed: int) -> Iterator[bytes]:
    rnd = random.Random(seed)
    pieces = [b'"', b"{", b"}", b" ", b"\t", b"\\", b"\r", b"\n", b"x", b"0", b".", b"-", b"\x85"]
    for _ in range(count):
        at = rnd.randrange(len(data))
        yield data[:at] + rnd.choice(pieces) + data[at + rnd.randint(0, 2) :]


def test_mutated_synthetic_books(tmp_path: Path) -> None:
    path = tmp_path / "sd.se"
    sb.make_books(path)
    data = path.read_bytes()
    for mutated in _mutations(data, 40, seed=7):
        assert fast(mutated) == reference(mutated)


Check = Callable[[bytes], Outcome]


# --------------------------------------------------------------------------------------
# The fast paths run: they take every plain row
# --------------------------------------------------------------------------------------


def _bench_file(path: Path, rows: int, encoding: str = "cp437") -> int:
    """Write the benchmark's file (``rows`` #TRANS rows); return its #TRANS lines."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    try:
        import bench_sie
    finally:
        sys.path.pop(0)
    bench_sie.generate(path, rows)
    if encoding != "cp437":
        path.write_bytes(path.read_bytes().decode("cp437").encode(encoding))
    return sum(1 for line in path.read_bytes().splitlines() if line.startswith(b"#TRANS "))


@pytest.mark.parametrize("encoding", ["cp437", "utf-8"])
def test_the_hot_path_takes_every_plain_row(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "bench.se"
    trans = _bench_file(path, 2000, encoding)
    assert trans >= 2000
    totals = posting_totals(path)
    assert totals.hot_rows == trans and totals.rows == trans
    # The general reader's fast path for rows takes them too.
    reader = SieReader(path)
    assert sum(len(v.rows) for v in reader.vouchers()) == trans
    assert reader.fast_rows == trans and reader.hot_rows == 0
    # Switched off, every row goes the general way, to the same sums.
    with mock.patch.object(scan.Scanner, "fast_paths", False):
        slow = posting_totals(path)
        slow_reader = SieReader(path)
        list(slow_reader.vouchers())
    assert slow.hot_rows == 0 and slow_reader.fast_rows == 0 and slow.rows == trans
    assert _items(slow.sums) == _items(totals.sums) and slow.first_lines == totals.first_lines


# --------------------------------------------------------------------------------------
# What the accrual reconciliation takes from the same pass (opt-in)
# --------------------------------------------------------------------------------------


def reference_extras(
    source: Source, dimension: int = 1, capture: Callable[[str], bool] | None = None
) -> tuple[object, ...]:
    """Closing balances, #PSALDO, #RAR -1 and the captured vouchers, the slow way."""
    closing: dict[str, Decimal] = {}
    periods: dict[tuple[int, str, str, str], Decimal] = {}
    previous: FiscalYear | None = None
    captured: list[CapturedVoucher] = []
    for record in iter_records(source, name="t.se"):
        if isinstance(record, Balance) and record.kind == "UB" and record.year_index == 0:
            closing[record.account] = closing.get(record.account, Decimal()) + record.amount
        elif isinstance(record, PeriodBalance) and record.kind == "PSALDO":
            objs = record.objects
            if not objs or (len(objs) == 1 and objs[0][0] == dimension):
                key = (
                    record.year_index,
                    str(record.period),
                    record.account,
                    objs[0][1] if objs else "",
                )
                periods[key] = periods.get(key, Decimal()) + record.amount
        elif isinstance(record, FiscalYear) and record.year_index == -1:
            previous = record
        elif isinstance(record, Voucher) and capture is not None:
            booked = list(record.transactions())
            if any(capture(row.account) for row in booked):
                rows = tuple(
                    CapturedRow(
                        row.account,
                        row.amount,
                        tuple((str(d), o) for d, o in row.objects),
                        row.text,
                        row.line,
                    )
                    for row in booked
                )
                captured.append(
                    CapturedVoucher(
                        record.series, record.number, record.date, record.text, record.line, rows
                    )
                )
    return (_items(closing), _items(periods), _fy(previous), _captured(captured))


def _captured(vouchers: list[CapturedVoucher]) -> list[object]:
    return [
        (
            v.series,
            v.number,
            v.date,
            v.text,
            v.line,
            [(r.account, str(r.amount), r.objects, r.text, r.line) for r in v.rows],
        )
        for v in vouchers
    ]


def fast_extras(
    source: Source, dimension: int = 1, capture: Callable[[str], bool] | None = None
) -> tuple[object, ...]:
    """The same from ``posting_totals``; its sums must not change with ``capture``."""
    totals = posting_totals(source, name="t.se", cost_centre_dimension=dimension, capture=capture)
    if capture is not None:
        plain = posting_totals(source, name="t.se", cost_centre_dimension=dimension)
        assert _items(totals.sums) == _items(plain.sums)
        assert totals.first_lines == plain.first_lines and totals.rows == plain.rows
        assert totals.issues == plain.issues
    return (
        _items(totals.closing),
        _items(totals.period_balances),
        _fy(totals.previous_year),
        _captured(totals.captured),
    )


CHOOSE = st.sampled_from(
    [
        lambda account: account.startswith("40"),
        lambda account: account in ("1930", "2440"),
        lambda account: account == "7010",
        lambda account: False,
        lambda account: True,
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sie_files(), CHOOSE)
def test_captured_vouchers_and_balances_are_those_of_the_records(
    data: bytes, capture: Callable[[str], bool]
) -> None:
    try:
        expected = reference_extras(data, capture=capture)
    except SieError:
        return
    assert fast_extras(data, capture=capture) == expected
    with mock.patch.object(_lexer, "BLOCK_BYTES", 40):
        assert fast_extras(data, capture=capture) == reference_extras(data, capture=capture)


def test_accrual_inputs_from_one_pass() -> None:
    data = sie(
        "#RAR 0 20250101 20251231",
        "#RAR -1 20240101 20241231",
        '#DIM 1 "KS"',
        "#IB 0 1790 100.00",
        "#UB 0 1790 40.00",
        "#UB 0 1790 2.00",
        "#UB -1 1790 100.00",
        "#PSALDO -1 202403 5010 {} 300.00",
        '#PSALDO -1 202403 5010 {1 "35000"} 120.00',
        '#PSALDO -1 202403 5010 {1 "36000"} 180.00',
        '#PSALDO -1 202403 5010 {6 "P1"} 99.00',
        '#PSALDO 0 202501 5010 {1 "35000" 6 "P1"} 5.00',
        '#VER "A" "1" 20250105 "Faktura" 20250105',
        "{",
        '#TRANS 5010 {1 "35000"} 60.00 20250105 "Hyra"',
        '#TRANS 1790 {} -60.00 20250105 "Förutbetald hyra"',
        "}",
        '#VER "A" "2" 20250106 "Annat" 20250106',
        "{",
        '#TRANS 5010 {1 "35000"} 10.00',
        "#TRANS 1930 {} -10.00",
        "}",
    )
    totals = posting_totals(data, name="t.se", capture=lambda account: account.startswith("17"))
    assert totals.errors == []
    assert totals.opening == {"1790": Decimal("100.00")}
    assert totals.closing == {"1790": Decimal("42.00")}
    assert totals.period_balances == {
        (-1, "202403", "5010", ""): Decimal("300.00"),
        (-1, "202403", "5010", "35000"): Decimal("120.00"),
        (-1, "202403", "5010", "36000"): Decimal("180.00"),
    }
    assert totals.previous_year is not None and totals.previous_year.start == date(2024, 1, 1)
    assert totals.fiscal_year is not None and totals.fiscal_year.line == 7
    assert totals.captured == [
        CapturedVoucher(
            "A",
            "1",
            date(2025, 1, 5),
            "Faktura",
            19,
            (
                CapturedRow("5010", Decimal("60.00"), (("1", "35000"),), "Hyra", 21),
                CapturedRow("1790", Decimal("-60.00"), (), "Förutbetald hyra", 22),
            ),
        )
    ]
    # The uncaptured rows still take the hot path; the captured account's rows do not.
    assert totals.hot_rows == 3 and totals.rows == 4
    assert posting_totals(data).captured == []


# Amounts a plain row's shape may carry that are not the hot path's (the search of a
# block for them decides whether its rows' amounts are checked one by one).
ODD_AMOUNTS = [
    "1.005",
    "1_000.00",
    "+5.00",
    "1234567890123456.00",
    "12.5",
    "12",
    "5.00\t",
    "5.0.00",
    "-5.00-",
    "0x5.00",
    "5.00\rX",
    "\u0661\u0662.\u0660\u0660",  # Arabic-Indic digits: int() reads them, SIE does not
]


@pytest.mark.parametrize("odd", ODD_AMOUNTS)
@pytest.mark.parametrize("encoding", ["cp437", "utf-8"])
def test_an_odd_amount_among_plain_rows(odd: str, encoding: str) -> None:
    # Every row has a head and rest the hot path knows by then; one amount is odd.
    if not odd.isascii() and encoding == "cp437":
        odd = "5.00\x1f"  # a control character CP437 can hold
    plain = ['#TRANS 4010 {1 "35000"} 10.00 20250105 "Faktura"'] * 3
    lines = ['#VER A 1 20250105 "x" 20250105', "{", *plain]
    lines += [f'#TRANS 4010 {{1 "35000"}} {odd} 20250105 "Faktura"', "#TRANS 2440 {} -30.00", "}"]
    outcome = check(sie(*lines, encoding=encoding))
    assert issues_of(outcome), "the odd amount is reported"
    totals = posting_totals(sie(*lines, encoding=encoding))
    assert totals.hot_rows >= 3  # the plain rows did take the hot path


@pytest.mark.parametrize("end", ["\r\n", "\n"])
def test_rows_that_end_at_the_amount(end: str) -> None:
    # Many programs write no date or text after the amount; with CRLF the amount is
    # then followed by "\r". The block's search lets such rows keep the hot path.
    rows = [f'#TRANS 4010 {{1 "35000"}} {n}.25' for n in range(1, 5)] + ["#TRANS 2440 {} -11.00"]
    lines = ['#VER A 1 20250105 "x" 20250105', "{", *rows, "}"]
    outcome = check(sie(*lines, end=end))
    assert not issues_of(outcome)
    totals = posting_totals(sie(*lines, end=end))
    assert totals.rows == 5 and totals.hot_rows == 5
    assert totals.sums[("4010", "35000", date(2025, 1, 5))] == Decimal("11.00")


def test_a_list_naming_a_dimension_twice_warns_at_every_row() -> None:
    """The fast paths keep checked object lists and row heads; a list that names a dimension
    twice is warned at every row, as the general path does (hypothesis found it dropped)."""
    data = (
        b"#FLAGGA 0\r\n#FORMAT PC8\r\n#SIETYP 4\r\n#RAR 0 20250101 20251231\r\n"
        b'#KONTO 4010 "Kostnad"\r\n#KONTO 1930 "Bank"\r\n'
        b'#VER "A" "1" 20250110 "x"\r\n{\r\n'
        + b'#TRANS 4010 {1 "10" 1 "20"} 5.00\r\n' * 3
        + b"#TRANS 1930 {} -15.00\r\n}\r\n"
    )
    issues = issues_of(check(data))  # posting_totals, in 1 MiB blocks and in tiny ones
    assert [i.line for i in issues if i.code == "dimension_twice_in_list"] == [9, 10, 11]
    fastest = SieReader(data)
    general = SieReader(data)
    general.fast_paths = False
    assert list(fastest.records()) == list(general.records())
    assert [i.line for i in fastest.issues if i.code == "dimension_twice_in_list"] == [9, 10, 11]
    assert fastest.issues == general.issues


def test_a_captured_row_naming_a_dimension_twice_is_warned_once() -> None:
    """A captured row is built again after the hot path took it; its checks ran then, so
    building it must not warn a second time (found by the capture property test)."""
    data = (
        b'#VER A 3 20250105 "Faktura 3" 20250106\r\n{\r\n#TRANS 4010 {} 0.00\r\n'
        b'#TRANS 1930 {1 "35000" 1 "36000"} 0.00\r\n}\r\n'
    )
    for capture in (lambda account: account.startswith("40"), None):
        issues: list[Issue] = []
        posting_totals(data, issues=issues, name="t.se", capture=capture)
        assert [i.line for i in issues if i.code == "dimension_twice_in_list"] == [4]
    fast_extras(data, capture=lambda account: account.startswith("40"))
