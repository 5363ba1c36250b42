"""The reader: sources, encodings, escapes, object lists, streaming and its memory."""

from __future__ import annotations

import codecs
import io
import tracemalloc
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sie_support import EXAMPLE, read, sie_bytes

from finsam_xl.sie import (
    Checksum,
    Period,
    SieError,
    SieReader,
    Transaction,
    Voucher,
    _lexer,
    iter_records,
    monthly_totals,
    read_sie,
    read_vouchers,
    write_sie,
)
from finsam_xl.sie._lexer import BLOCK_BYTES, LexError, ObjList, tokenize

D = Decimal
VER = '#VER A 1 20250105 "Test"'


# -- fields ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("#KONTO 1930 Bank", ["#KONTO", "1930", "Bank"]),
        ('#KONTO 1930 "Bank konto"', ["#KONTO", "1930", "Bank konto"]),
        ('#KONTO\t1930\t\t"Bank"  ', ["#KONTO", "1930", "Bank"]),
        (r'#KONTO 1915 "Kassa \"special\""', ["#KONTO", "1915", 'Kassa "special"']),
        (r'#FNR "C:\ProgramData\Företag"', ["#FNR", r"C:\ProgramData\Företag"]),
        (r'#FNR "slut\\"', ["#FNR", "slut\\"]),
        ('#VER "" "" 20080101 "Porto"', ["#VER", "", "", "20080101", "Porto"]),
        ("#TRANS 1910 {} -1000.00", ["#TRANS", "1910", ObjList(), "-1000.00"]),
        ("#TRANS 1910 { } -1000.00", ["#TRANS", "1910", ObjList(), "-1000.00"]),
        ("#TRANS 1910 {\t} -1000.00", ["#TRANS", "1910", ObjList(), "-1000.00"]),
        (
            '#TRANS 7010 {"1" "456" "7" "47"} 13200.00',
            ["#TRANS", "7010", ObjList(("1", "456", "7", "47")), "13200.00"],
        ),
        (
            '#TRANS 7010 {1 "456" 7 "47"} 13200.00 20080101 "Lön" 2 "AN"',
            ["#TRANS", "7010", ObjList(("1", "456", "7", "47")), "13200.00"]
            + ["20080101", "Lön", "2", "AN"],
        ),
        ('#OBJEKT 1 "0123" "Avd {med} klammer"', ["#OBJEKT", "1", "0123", "Avd {med} klammer"]),
        ('#TRANS 1930 {1 "a}b"} 1', ["#TRANS", "1930", ObjList(("1", "a}b")), "1"]),
    ],
)
def test_tokenize(line: str, fields: list[object]) -> None:
    assert tokenize(line) == fields


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ('#KONTO 1930 "Bank', "unterminated_quote"),
        (r'#KONTO 1930 "Bank\"', "unterminated_quote"),
        ('#TRANS 1930 {1 "10" -100', "unterminated_brace"),
        ("#TRANS 1930 {1 {2}} -100", "nested_brace"),
        ("#TRANS 1930 } 1", "unexpected_brace"),
    ],
)
def test_tokenize_errors(line: str, code: str) -> None:
    with pytest.raises(LexError) as info:
        tokenize(line)
    assert info.value.code == code


def test_object_lists_in_every_place() -> None:
    sie = read(
        sie_bytes(
            '#OIB 0 1930 {1 "35000"} 10',
            '#PSALDO 0 202501 4010 {"1" "35000" "6" "P1"} 10',
            VER,
            "{",
            '#TRANS 4010 {6 "P 1" 1 "35000"} 10',
            "#TRANS 1930 {} -10",
            "}",
        )
    )
    assert sie.object_balances[0].objects == ((1, "35000"),)
    assert sie.period_balances[0].objects == ((1, "35000"), (6, "P1"))
    assert sie.vouchers[0].rows[0].objects == ((6, "P 1"), (1, "35000"))
    assert sie.vouchers[0].rows[1].objects == ()


def test_missing_object_list_is_read_as_empty_with_a_warning() -> None:
    sie = read(sie_bytes(VER, "{", "#TRANS 1930 100.50", "#TRANS 2440 {} -100.50", "}"))
    assert sie.vouchers[0].rows[0] == Transaction("TRANS", "1930", (), D("100.50"))
    assert [(i.code, i.line, i.severity.value) for i in sie.issues] == [
        ("missing_object_list", 10, "warning")
    ]


def test_unknown_fields_at_the_end_are_ignored() -> None:
    sie = read(sie_bytes('#KONTO 1930 "Bank" framtida fält', "#IB 0 1930 5.00 2 extra"))
    assert sie.accounts == {"1930": "Bank"}
    assert sie.balances[0].quantity == D(2)
    assert sie.issues == []


def test_unknown_records_are_ignored_also_inside_vouchers() -> None:
    sie = read(
        sie_bytes(
            "#NYPOST 1", "#NYPOST 2", VER, "{", "#NYRAD 3", "#TRANS 1930 {} 1",
            "#TRANS 2440 {} -1", "}",
        )
    )  # fmt: skip
    assert [(i.severity.value, i.line, i.message) for i in sie.issues] == [
        ("info", 8, "Okänd post #NYPOST ignoreras"),
        ("info", 12, "Okänd post #NYRAD ignoreras"),
    ]
    assert len(sie.vouchers[0].rows) == 2


def test_labels_are_read_regardless_of_case_and_indentation() -> None:
    sie = read(
        sie_bytes(
            '  #konto 1930 "Bank"', VER, "  {", "\t#trans 1930 {} 1", "#TRANS 2440 {} -1", "  }"
        )
    )
    assert sie.accounts == {"1930": "Bank"}
    assert [r.account for r in sie.vouchers[0].rows] == ["1930", "2440"]


def test_import_file_without_series_and_number() -> None:
    sie = read(
        sie_bytes('#VER "" "" 20250301 "Porto"', "{", "#TRANS 6250 {} 8", "#TRANS 1930 {} -8", "}")
    )
    voucher = sie.vouchers[0]
    assert (voucher.series, voucher.number, voucher.label) == ("", "", "utan nummer")
    assert voucher.total() == 0


# -- encodings ----------------------------------------------------------------------------------


def test_cp437_is_detected() -> None:
    sie = read(sie_bytes('#KONTO 1930 "Företagskonto åäö ÅÄÖ"'))
    assert sie.encoding == "cp437"
    assert sie.accounts["1930"] == "Företagskonto åäö ÅÄÖ"
    assert sie.issues == []


def test_utf8_is_detected_whatever_format_says() -> None:
    sie = read(sie_bytes('#KONTO 1930 "Företagskonto"', encoding="utf-8"))
    assert sie.encoding == "utf-8"
    assert sie.accounts["1930"] == "Företagskonto"
    assert [(i.code, i.line, i.severity.value) for i in sie.issues] == [
        ("encoding_mismatch", 3, "info")
    ]


def test_utf8_with_bom() -> None:
    data = codecs.BOM_UTF8 + sie_bytes('#KONTO 1930 "Företagskonto"', encoding="utf-8")
    sie = read(data)
    assert sie.encoding == "utf-8"
    assert sie.records[0].line == 1
    assert sie.accounts["1930"] == "Företagskonto"


def test_ascii_file_counts_as_cp437() -> None:
    assert read(sie_bytes()).encoding == "cp437"


def test_encoding_can_be_forced() -> None:
    data = sie_bytes('#KONTO 1930 "Företagskonto"', encoding="latin-1")
    # Latin-1 is detected (issue 18, item 12); forcing CP437 reads what was asked for.
    assert read(data).accounts["1930"] == "Företagskonto"
    assert read(data, encoding="cp437").accounts["1930"] == "F÷retagskonto"
    sie = read(data, encoding="latin-1")
    assert sie.accounts["1930"] == "Företagskonto"
    assert sie.encoding == "iso8859-1"


def test_lf_and_cr_lf_and_no_final_line_end() -> None:
    text = "\n".join(["#FLAGGA 0", '#KONTO 1930 "Bank"', "#KONTO 2440 Skulder"])
    for data in (text.encode(), text.replace("\n", "\r\n").encode()):
        assert read(data).accounts == {"1930": "Bank", "2440": "Skulder"}


# -- sources ------------------------------------------------------------------------------------


def test_sources(tmp_path: Path) -> None:
    data = EXAMPLE.read_bytes()
    path = tmp_path / "x.se"
    path.write_bytes(data)
    from_path = read_sie(path)
    assert from_path.path == str(path)
    assert read_sie(str(path)).records == from_path.records
    assert read_sie(data).path == "<data>"
    stream = io.BytesIO(data)
    assert read_sie(stream).records == from_path.records
    with path.open("rb") as handle:
        assert read_sie(handle).path == str(path)


def test_missing_file() -> None:
    with pytest.raises(SieError) as info:
        read_sie("/finns/inte.se")
    assert info.value.message == "Filen kan inte öppnas: finns inte"
    assert info.value.location == "/finns/inte.se"


def test_text_stream_is_refused() -> None:
    with pytest.raises(TypeError, match="SIE-filer läses binärt"):
        read_sie(io.StringIO("#FLAGGA 0"))  # type: ignore[arg-type]


def test_a_reader_reads_once() -> None:
    reader = SieReader(sie_bytes())
    list(reader)
    with pytest.raises(RuntimeError):
        list(reader)


def test_iter_records_yields_the_checksum_markers() -> None:
    data = sie_bytes("#KSUMMA", '#KONTO 1930 "Bank"', "#KSUMMA 1134709759")
    records = list(iter_records(data))
    assert [r for r in records if isinstance(r, Checksum)] == [Checksum(None), Checksum(1134709759)]
    reader = SieReader(data)
    list(reader)
    assert (reader.checksum, reader.checksum_computed, reader.checksum_ok) == (
        1134709759,
        1134709759,
        True,
    )


# -- streaming ----------------------------------------------------------------------------------


def _big_file(path: Path, vouchers: int) -> None:
    def records() -> object:
        yield from read_sie(EXAMPLE).records[:30]
        for n in range(vouchers):
            day = date(2025, 1 + n % 12, 1 + n % 28)
            yield Voucher(
                "A",
                str(n + 1),
                day,
                f"Faktura {n}",
                rows=[
                    Transaction("TRANS", "4010", ((1, "35000"), (6, "P1")), D(n + 1), day, "x"),
                    Transaction("TRANS", "7010", ((1, "456"),), D("0.50"), day),
                    Transaction("TRANS", "1930", (), -D(n + 1) - D("0.50")),
                ],
            )

    write_sie(records(), path)  # type: ignore[arg-type]


def _streaming_peak(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        totals = monthly_totals(read_vouchers(path), dimensions={1})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, len(totals)


@pytest.mark.slow
def test_streaming_memory_does_not_grow_with_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One block of the file (BLOCK_BYTES, 1 MiB) and its lines at a time: a file just over
    # one block stays under 10 MB.
    one = tmp_path / "one.se"
    _big_file(one, 7_000)
    assert one.stat().st_size > BLOCK_BYTES
    peak_one, keys_one = _streaming_peak(one)
    assert keys_one == 36
    assert peak_one < 10_000_000
    # Whatever the file's size: with blocks of 256 KiB (so that the files can be small), a
    # file of over two blocks and one of over four have the same peak. A reader that held
    # the file, or a block's lines after the block, would have about twice the peak.
    monkeypatch.setattr(_lexer, "BLOCK_BYTES", 1 << 18)
    small, large = tmp_path / "small.se", tmp_path / "large.se"
    _big_file(small, 1_750)
    _big_file(large, 4_000)
    assert large.stat().st_size > 2 * small.stat().st_size > 2 * (1 << 18)
    peak_small, keys_small = _streaming_peak(small)
    peak_large, keys_large = _streaming_peak(large)
    assert keys_small == keys_large == 36
    assert peak_large < peak_small * 1.25


def test_monthly_totals_options() -> None:
    data = sie_bytes(
        '#VER A 1 20250131 "x"',
        "{",
        '#TRANS 4010 {1 "10"} 5 20250201',
        '#TRANS 4010 {1 "10"} 7',
        "#TRANS 1930 {} -12",
        "}",
    )
    by_voucher = monthly_totals(read_vouchers(data))
    assert by_voucher[("4010", ((1, "10"),), Period(2025, 1))] == D(12)
    by_row = monthly_totals(read_vouchers(data), by_transaction_date=True)
    assert by_row[("4010", ((1, "10"),), Period(2025, 2))] == D(5)
    assert by_row[("4010", ((1, "10"),), Period(2025, 1))] == D(7)
    twice = monthly_totals(read_vouchers(data), into=dict(by_voucher))
    assert twice[("1930", (), Period(2025, 1))] == D(-24)
    assert str(Period(2025, 1)) == "202501"


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(SieError) as info:
        read_sie(tmp_path)
    assert info.value.message == "Filen kan inte öppnas: är en mapp"
    assert info.value.location == str(tmp_path)
