"""Property tests on generated SIE files: write -> read is identity, fast path = general path."""

from __future__ import annotations

import io
import zlib
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsam_xl.sie import (
    Account,
    AccountType,
    Address,
    Balance,
    ChartType,
    CompanyName,
    Coverage,
    Currency,
    Dimension,
    FileFormat,
    FiscalYear,
    Flag,
    Generated,
    ObjectBalance,
    OrgNumber,
    Period,
    PeriodBalance,
    ProgramInfo,
    Prose,
    Record,
    SieObject,
    SieReader,
    SieType,
    SruCode,
    SubDimension,
    TaxYear,
    Transaction,
    Unit,
    Voucher,
    quote,
    read_sie,
    write_sie,
)
from finsam_xl.sie._lexer import tokenize

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that CP437 can hold, without control characters, rich in the characters that
# need care: quotes, backslashes, braces, blanks, Swedish letters.
# Characters whose CP437 byte is a UTF-8 lead byte (0xC2-0xF4: box drawing, Greek) are
# left out: next to a CP437 letter they can form valid UTF-8, and the encoding detection
# (valid UTF-8 means UTF-8, docs/sie.md) then cannot tell the files apart. Swedish
# CP437 text (å ä ö are 0x84-0x94, continuation bytes) never forms UTF-8 on its own.
# So are ÷ and ⁿ (0xF6, 0xFC): they are ö and ü in ISO-8859-1, and a text with more of them
# than of CP437 letters reads as ISO-8859-1, with a warning (the reader's encoding rule,
# sie/_lexer.py `_eight_bit`, for the files programs write in Latin-1 under #FORMAT PC8).
TEXT_CHARS = st.one_of(
    st.sampled_from('"\\{} åäöÅÄÖ#'),
    st.characters(codec="cp437", exclude_categories=("Cc", "Cs")).filter(
        lambda ch: not 0xC2 <= ch.encode("cp437")[0] <= 0xF4 and ch not in "÷ⁿ"
    ),
)
texts = st.text(TEXT_CHARS, max_size=12)
words = st.text(TEXT_CHARS, min_size=1, max_size=8)
accounts = st.from_regex(r"[1-9][0-9]{3}", fullmatch=True)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))
amounts = st.one_of(
    st.integers(-(10**11), 10**11).map(lambda n: Decimal(n).scaleb(-2)),
    st.integers(-(10**9), 10**9).map(Decimal),
)
quantities = st.one_of(st.none(), st.integers(-9999, 9999).map(lambda n: Decimal(n).scaleb(-1)))
objects = st.lists(st.tuples(st.integers(1, 30), words), max_size=3).map(tuple)
years = st.integers(-3, 0)
periods = st.builds(Period, st.integers(1990, 2099), st.integers(1, 12))


def transactions(kind: str = "TRANS") -> st.SearchStrategy[Transaction]:
    return st.builds(
        Transaction,
        st.just(kind),
        accounts,
        objects,
        amounts,
        st.one_of(st.none(), days),
        texts,
        quantities,
        texts,
    )


@st.composite
def vouchers(draw: st.DrawFn) -> Voucher:
    rows = draw(st.lists(transactions(), min_size=1, max_size=5))
    balance = -sum((r.amount for r in rows), Decimal(0))
    rows.append(Transaction("TRANS", draw(accounts), (), balance))
    # An #RTRANS followed by its #TRANS, and a #BTRANS, neither changing the balance.
    if draw(st.booleans()):
        added = draw(transactions("RTRANS"))
        rows[0:0] = [
            added,
            Transaction("TRANS", added.account, added.objects, added.amount),
            Transaction("TRANS", added.account, added.objects, -added.amount),
        ]
    if draw(st.booleans()):
        rows.append(draw(transactions("BTRANS")))
    return Voucher(
        draw(texts), draw(texts), draw(days), draw(texts), draw(st.one_of(st.none(), days)),
        draw(texts), rows,
    )  # fmt: skip


others: st.SearchStrategy[Record] = st.one_of(
    st.builds(Prose, texts),
    st.builds(OrgNumber, texts, texts, texts),
    st.builds(Address, texts, texts, texts, texts),
    st.builds(FiscalYear, years, days, days).filter(lambda r: r.start <= r.end),
    st.builds(TaxYear, st.integers(1990, 2099)),
    st.builds(Coverage, days),
    st.builds(ChartType, texts),
    st.builds(Currency, st.sampled_from(["SEK", "EUR"])),
    st.builds(Account, accounts, texts),
    st.builds(AccountType, accounts, st.sampled_from("TSKI")),
    st.builds(Unit, accounts, texts),
    st.builds(SruCode, accounts, words),
    st.builds(Dimension, st.integers(1, 30), texts),
    st.builds(SubDimension, st.integers(1, 30), texts, st.integers(1, 30)),
    st.builds(SieObject, st.integers(1, 30), words, texts),
    st.builds(Balance, st.sampled_from(["IB", "UB", "RES"]), years, accounts, amounts, quantities),
    st.builds(
        ObjectBalance,
        st.sampled_from(["OIB", "OUB"]),
        years,
        accounts,
        objects,
        amounts,
        quantities,
    ),
    st.builds(
        PeriodBalance,
        st.sampled_from(["PSALDO", "PBUDGET"]),
        years,
        periods,
        accounts,
        objects,
        amounts,
        quantities,
    ),
    vouchers(),
)


@st.composite
def sie_files(draw: st.DrawFn) -> list[Record]:
    head: list[Record] = [
        Flag(draw(st.sampled_from([0, 1]))),
        ProgramInfo(draw(texts), draw(texts)),
        FileFormat("PC8"),
        Generated(draw(days), draw(texts)),
        SieType(draw(st.integers(1, 4))),
        CompanyName(draw(texts)),
    ]
    return _consistent(head + draw(st.lists(others, max_size=12)))


def _consistent(records: list[Record]) -> list[Record]:
    """Make a drawn file one the reader takes without errors.

    One ``#RAR`` per year index and at most 18 months long, one voucher per series
    and number, and every voucher dated in fiscal year 0 (the reader reports each of
    these as an error).
    """
    years: set[int] = set()
    numbers: set[tuple[str, str]] = set()
    kept: list[Record] = []
    for record in records:
        if isinstance(record, FiscalYear):
            if record.year_index in years:
                continue
            years.add(record.year_index)
            if record.end > record.start.replace(day=1) + timedelta(days=540):
                record.end = record.start  # at most 18 months
        kept.append(record)
    current = next((r for r in kept if isinstance(r, FiscalYear) and r.year_index == 0), None)
    for index, record in enumerate(kept):
        if isinstance(record, Voucher):
            if (record.series, record.number) in numbers:
                record.number = f"{record.number}n{index}"
            numbers.add((record.series, record.number))
            if current is not None and not current.start <= record.date <= current.end:
                record.date = current.start
    return kept


def write(records: list[Record], **kw: object) -> bytes:
    buf = io.BytesIO()
    write_sie(records, buf, **kw)  # type: ignore[arg-type]
    return buf.getvalue()


def errors_of(data: bytes) -> list[str]:
    return [str(i) for i in read_sie(data).errors]


@SETTINGS
@given(sie_files(), st.booleans())
def test_write_then_read_gives_the_records_back(records: list[Record], checksum: bool) -> None:
    data = write(records, checksum=checksum)
    sie = read_sie(data)
    assert sie.records == records
    assert sie.errors == []
    assert sie.checksum_ok is (True if checksum else None)
    assert write(sie.records, checksum=checksum) == data


@SETTINGS
@given(sie_files())
def test_utf8_files_read_back_too(records: list[Record]) -> None:
    sie = read_sie(write(records, encoding="utf-8"))
    assert [r for r in sie.records if not isinstance(r, FileFormat)] == [
        r for r in records if not isinstance(r, FileFormat)
    ]


@SETTINGS
@given(sie_files())
def test_fast_path_means_the_same_as_the_general_path(records: list[Record]) -> None:
    data = write(records)
    # Vary the layout the way real files do: tabs and double blanks between fields.
    relaid = data.replace(b"#TRANS ", b"\t#TRANS\t").replace(b"} ", b"}  ")
    for variant in (data, relaid):
        fast = SieReader(variant)
        slow = SieReader(variant)
        slow.fast_paths = False
        assert list(fast.records()) == list(slow.records())
        assert fast.issues == slow.issues


@SETTINGS
@given(st.text(TEXT_CHARS, max_size=30))
def test_quoted_text_reads_back(text: str) -> None:
    assert tokenize(f"#PROSA {quote(text)}") == ["#PROSA", text]


@SETTINGS
@given(sie_files())
def test_checksum_is_crc32_of_the_fields(records: list[Record]) -> None:
    data = write(records, checksum=True)
    lines = data.decode("cp437").split("\r\n")[:-1]
    start = lines.index("#KSUMMA")
    counted = "".join(
        "".join(f if isinstance(f, str) else "".join(f) for f in tokenize(line))
        for line in lines[start + 1 : -1]
        if line not in ("{", "}")
    )
    assert lines[-1] == f"#KSUMMA {zlib.crc32(counted.encode('cp437'))}"


@SETTINGS
@given(vouchers(), st.integers(1, 10**6))
def test_an_unbalanced_voucher_is_reported_with_its_sum(voucher: Voucher, cents: int) -> None:
    extra = Decimal(cents).scaleb(-2)
    voucher.rows.append(Transaction("TRANS", "1930", (), extra))
    data = write([Flag(0), voucher])
    sie = read_sie(data, name="v.se")
    assert [(i.code, i.line) for i in sie.errors] == [("unbalanced", 2)]
    swedish = f"{extra:,.2f}".replace(",", " ").replace(".", ",")
    assert sie.errors[0].message.endswith(f"summan är {swedish} kr")


def test_a_row_that_leaves_the_fast_path_reports_its_objects_once() -> None:
    """Found by the property above: a row whose sign needs the general reader ("\\"") had
    its object list checked by the fast path too, so a list with one dimension twice was
    reported twice."""
    data = (
        b'#FLAGGA 0\r\n#FORMAT PC8\r\n#SIETYP 1\r\n#FNAMN ""\r\n'
        b'#VER "" "" 20000101\r\n{\r\n'
        b'#TRANS 1000 {1 " " 1 " "} 0.00 "" "" "" "\\""\r\n'
        b"#TRANS 1000 {} 0.00\r\n}\r\n"
    )
    fast = SieReader(data)
    slow = SieReader(data)
    slow.fast_paths = False
    assert list(fast.records()) == list(slow.records())
    assert [i.code for i in fast.issues].count("dimension_twice_in_list") == 1
    assert fast.issues == slow.issues
