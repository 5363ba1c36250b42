"""Malformed SIE files: each is answered with a Swedish message at file:line, never a traceback.

The files are built here (HEADER is seven lines, so the first record after it
is on line 8). A case passes when reading either collects the expected issue
or raises ``SieError`` for a fatal problem, with the expected message and line.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sie_testkit import HEADER, problems, read, sie_bytes

from finsam_xl.sie import SieError, read_vouchers

VER = '#VER A 1 20250105 "Test"'


@dataclass(frozen=True)
class Case:
    name: str
    data: Callable[[], bytes]
    severity: str  # error, warning, info, or fatal (SieError raised)
    line: int | None
    message: str
    kw: tuple[tuple[str, object], ...] = ()


def _utf8_then_cp437() -> bytes:
    # A UTF-8 file (decided in its first block) with a CP437 line in a later block.
    filler = [f'#PROSA "rad {i:07d} {"x" * 60}"' for i in range(16_000)]
    first = sie_bytes('#KONTO 1930 "Företagskonto"', *filler, encoding="utf-8")
    return first + '#KONTO 2440 "Leverantörsskulder"\r\n'.encode("cp437")


CASES = [
    Case(
        "utf16",
        lambda: codecs.BOM_UTF16_LE + "\r\n".join(HEADER).encode("utf-16-le"),
        "fatal",
        1,
        "Okänd teckenkodning: filen är UTF-16/UTF-32, SIE använder CP437",
    ),
    Case(
        "nul_bytes",
        lambda: sie_bytes('#KONTO 1930 "Bank\x00"'),
        "fatal",
        8,
        "Okänd teckenkodning: filen innehåller NUL-tecken (binärfil?)",
    ),
    Case(
        "unknown_encoding_name",
        lambda: sie_bytes(),
        "fatal",
        None,
        "Okänd teckenkodning 'klingonska'",
        (("encoding", "klingonska"),),
    ),
    Case(
        "mixed_encoding",
        _utf8_then_cp437,
        "error",
        16_009,
        "Blandad teckenkodning: raden är inte UTF-8 som resten av filen; den läses som CP437",
    ),
    Case(
        "utf8_inside_cp437",
        lambda: (
            sie_bytes('#KONTO 1930 "Företagskonto"')
            + '#KONTO 2440 "Leverantörsskulder"\r\n'.encode()
        ),
        "warning",
        9,
        "Blandad teckenkodning: raden ser ut att vara UTF-8 men filen läses som CP437",
    ),
    Case(
        "unbalanced_voucher",
        lambda: sie_bytes(
            '#VER A 12 20250105 "Obalans"',
            "{",
            "#TRANS 1930 {} 110.00",
            "#TRANS 2440 {} -100.00",
            "}",
        ),
        "error",
        8,
        "Obalanserad verifikation A 12: summan är 10.00",
    ),
    Case(
        "bad_voucher_date",
        lambda: sie_bytes('#VER A 1 20251301 "Fel datum"', "{", "}"),
        "error",
        8,
        "Ogiltigt datum '20251301' (ska vara ÅÅÅÅMMDD) i #VER",
    ),
    Case(
        "bad_transaction_date",
        lambda: sie_bytes(VER, "{", "#TRANS 1930 {} 1.00 20250230", "#TRANS 2440 {} -1.00", "}"),
        "error",
        10,
        "Ogiltigt datum '20250230' (ska vara ÅÅÅÅMMDD) i #TRANS",
    ),
    Case(
        "bad_fiscal_year_date",
        lambda: sie_bytes("#RAR -1 2024-01-01 20241231"),
        "error",
        8,
        "Ogiltigt datum '2024-01-01' (ska vara ÅÅÅÅMMDD) i #RAR",
    ),
    Case(
        "fiscal_year_backwards",
        lambda: sie_bytes("#RAR -1 20241231 20240101"),
        "error",
        8,
        "Räkenskapsåret slutar (20240101) före det börjar (20241231) i #RAR",
    ),
    Case(
        "decimal_comma",
        lambda: sie_bytes(VER, "{", "#TRANS 1930 {} 12,50", "#TRANS 2440 {} -12.50", "}"),
        "error",
        10,
        "Ogiltigt belopp '12,50' (decimaltecknet ska vara punkt) i #TRANS",
    ),
    Case(
        "bad_balance_amount",
        lambda: sie_bytes("#IB 0 1930 1.000,00"),
        "error",
        8,
        "Ogiltigt belopp '1.000,00' (decimaltecknet ska vara punkt) i #IB",
    ),
    Case(
        "missing_amount",
        lambda: sie_bytes("#UB 0 1930"),
        "error",
        8,
        "Belopp saknas i #UB",
    ),
    Case(
        "bad_quantity",
        lambda: sie_bytes("#RES 0 3000 -100.00 tio"),
        "error",
        8,
        "Ogiltig kvantitet 'tio' i #RES",
    ),
    Case(
        "unterminated_object_list",
        lambda: sie_bytes(VER, "{", '#TRANS 1930 {1 "10" -100', "#TRANS 2440 {} 100", "}"),
        "error",
        10,
        "Oavslutad klammer: objektlistan saknar '}'",
    ),
    Case(
        "unterminated_voucher_then_new_voucher",
        lambda: sie_bytes(
            VER, "{", "#TRANS 1930 {} 1", "#TRANS 2440 {} -1", '#VER A 2 20250106 "Nästa"', "{", "}"
        ),
        "error",
        8,
        "Oavslutad klammer: verifikation A 1 saknar '}' (nästa post på rad 12)",
    ),
    Case(
        "truncated_file",
        lambda: sie_bytes(VER, "{", "#TRANS 1930 {} 1", "#TRANS 2440 {} -1"),
        "error",
        8,
        "Oavslutad klammer: verifikation A 1 saknar '}' (filen tar slut; den kan vara avkortad)",
    ),
    Case(
        "missing_open_brace",
        lambda: sie_bytes(VER, "#TRANS 1930 {} 1", "#TRANS 2440 {} -1"),
        "error",
        8,
        "Verifikation A 1 saknar '{' efter #VER",
    ),
    Case(
        "stray_close_brace",
        lambda: sie_bytes('#KONTO 1930 "Bank"', "}"),
        "error",
        9,
        "Oväntad klammer '}'",
    ),
    Case(
        "unterminated_quote",
        lambda: sie_bytes('#KONTO 1930 "Företagskonto'),
        "error",
        8,
        "Oavslutat citattecken",
    ),
    Case(
        "unknown_record_is_only_noted",
        lambda: sie_bytes("#FRAMTIDA 1 2 3", '#KONTO 1930 "Bank"'),
        "info",
        8,
        "Okänd post #FRAMTIDA ignoreras",
    ),
    Case(
        "one_megabyte_line",
        lambda: sie_bytes('#PROSA "' + "x" * 1_000_000 + '"', '#KONTO 1930 "Bank"'),
        "error",
        8,
        "Raden är för lång (1000009 tecken, högst 100000); raden hoppas över",
    ),
    Case(
        "three_megabyte_line_across_blocks",
        lambda: sie_bytes('#KONTO 1930 "Bank"', "#PROSA " + "y" * 3_000_000, "#KONTO 2440 Skuld"),
        "error",
        9,
        "Raden är för lång (3000007 tecken, högst 100000); raden hoppas över",
    ),
    Case(
        # The CRC-32 of "#KONTO1930Bank" (zlib.crc32) is 1134709759.
        "bad_checksum",
        lambda: sie_bytes("#KSUMMA", '#KONTO 1930 "Bank"', "#KSUMMA 12345"),
        "error",
        10,
        "Felaktig kontrollsumma: #KSUMMA anger 12345, beräknad är 1134709759 "
        "(filen kan ha ändrats efter exporten)",
    ),
    Case(
        "checksum_never_closed",
        lambda: sie_bytes("#KSUMMA", '#KONTO 1930 "Bank"'),
        "error",
        8,
        "Avslutande #KSUMMA saknas: filen kan vara avkortad",
    ),
    Case(
        "checksum_not_a_number",
        lambda: sie_bytes("#KSUMMA", "#KSUMMA 0x1F"),
        "error",
        9,
        "Ogiltig kontrollsumma '0x1F'",
    ),
    Case(
        "trans_outside_voucher",
        lambda: sie_bytes("#TRANS 1930 {} 100.00"),
        "error",
        8,
        "#TRANS utanför verifikation",
    ),
    Case(
        "missing_account",
        lambda: sie_bytes(VER, "{", "#TRANS {} 100.00", "}"),
        "error",
        10,
        "Kontonummer saknas i #TRANS",
    ),
    Case(
        "bad_account",
        lambda: sie_bytes('#KONTO 19A0 "Bank"'),
        "error",
        8,
        "Ogiltigt kontonummer '19A0' i #KONTO",
    ),
    Case(
        "undeclared_account",
        lambda: sie_bytes(
            '#KONTO 1930 "Bank"', VER, "{", "#TRANS 1930 {} 5", "#TRANS 9999 {} -5", "}"
        ),
        "warning",
        12,
        "Kontot 9999 finns inte i kontoplanen (#KONTO)",
    ),
    Case(
        "non_numeric_year_index",
        lambda: sie_bytes("#IB x 1930 10.00"),
        "error",
        8,
        "Ogiltigt årsnummer 'x' i #IB",
    ),
    Case(
        "bad_period",
        lambda: sie_bytes("#PBUDGET 0 202513 4010 {} 100.00"),
        "error",
        8,
        "Ogiltig period '202513' (ska vara ÅÅÅÅMM) i #PBUDGET",
    ),
    Case(
        "odd_object_list",
        lambda: sie_bytes('#PSALDO 0 202501 4010 {1 "10" 6} 100.00'),
        "error",
        8,
        "Ofullständig objektlista: varje dimension ska följas av ett objekt i #PSALDO",
    ),
    Case(
        "nested_object_list",
        lambda: sie_bytes("#OIB 0 1930 {1 {2}} 5.00"),
        "error",
        8,
        "Klammer inuti objektlista",
    ),
    Case(
        "bad_dimension",
        lambda: sie_bytes('#OBJEKT A "1" "Namn"'),
        "error",
        8,
        "Ogiltigt dimensionsnummer 'A' i #OBJEKT",
    ),
    Case(
        "rtrans_without_trans",
        lambda: sie_bytes(
            VER, "{", "#TRANS 1930 {} 5", "#TRANS 2440 {} -5", "#RTRANS 1930 {} 7", "}"
        ),
        "warning",
        12,
        "#RTRANS följs inte av en likadan #TRANS (konto 1930, belopp 7)",
    ),
    Case(
        "line_without_label",
        lambda: sie_bytes('KONTO 1930 "Bank"'),
        "error",
        8,
        "Raden saknar etikett (en post börjar med '#')",
    ),
    Case(
        "not_an_sie_file",
        lambda: b"<html><body>404 Not Found</body></html>\r\n",
        "fatal",
        1,
        "Filen är inte en SIE-fil: raden börjar inte med '#'",
    ),
    Case(
        "empty_file",
        lambda: b"\r\n\r\n",
        "fatal",
        None,
        "Filen innehåller inga SIE-poster",
    ),
    Case(
        "flag_not_first",
        lambda: sie_bytes('#PROGRAM "Test" 1.0', "#FLAGGA 0", header=False),
        "warning",
        1,
        "#FLAGGA ska vara filens första post",
    ),
    Case(
        "missing_mandatory_record",
        lambda: sie_bytes(
            "#FLAGGA 0", '#PROGRAM "x" 1', "#FORMAT PC8", "#GEN 20250101", header=False
        ),
        "warning",
        None,
        "Obligatorisk post #FNAMN saknas",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_file_gets_message_and_line(case: Case) -> None:
    found = problems(case.data(), **dict(case.kw))
    assert (case.severity, case.line, case.message) in found, found


def test_there_are_at_least_twenty_cases() -> None:
    assert len({c.name for c in CASES}) >= 20


def test_issue_text_is_file_colon_line() -> None:
    sie = read(sie_bytes("#IB x 1930 10.00"))
    issue = sie.issues[0]
    assert issue.location == "test.se:8"
    assert str(issue) == "test.se:8: fel: Ogiltigt årsnummer 'x' i #IB"


def test_fatal_error_text_is_file_colon_line() -> None:
    with pytest.raises(SieError) as info:
        read(b"<html>\r\n")
    assert str(info.value) == "test.se:1: Filen är inte en SIE-fil: raden börjar inte med '#'"
    assert (info.value.path, info.value.line) == ("test.se", 1)


def test_strict_mode_raises_the_first_error() -> None:
    data = sie_bytes("#IB x 1930 10.00", "#UB 0 1930 1,0")
    with pytest.raises(SieError) as info:
        read(data, strict=True)
    assert info.value.line == 8
    assert info.value.message == "Ogiltigt årsnummer 'x' i #IB"


def test_errors_do_not_stop_the_reading() -> None:
    data = sie_bytes(
        "#IB x 1930 10.00",
        '#KONTO 1930 "Bank',
        '#KONTO 2440 "Skulder"',
        VER,
        "{",
        "#TRANS 1930 {} 12,50",
        "#TRANS 2440 {} -12.50",
        "}",
        '#VER A 2 20250106 "Ok"',
        "{",
        "#TRANS 1930 {} 1",
        "#TRANS 2440 {} -1",
        "}",
    )
    sie = read(data)
    assert [(i.line, i.code) for i in sie.errors] == [
        (8, "bad_year_index"),
        (9, "unterminated_quote"),
        (13, "bad_amount"),
    ]
    # The voucher with a rejected row is kept (with the rows that parsed) and not
    # reported as unbalanced on top of the row error.
    assert [len(v.rows) for v in sie.vouchers] == [1, 2]
    assert sie.accounts == {"2440": "Skulder"}


def test_a_voucher_with_a_bad_header_is_skipped_with_its_rows() -> None:
    data = sie_bytes('#VER A 1 2025 "x"', "{", "#TRANS 1930 {} 1", "}", VER, "{", "}")
    issues: list[object] = []
    vouchers = list(read_vouchers(data, issues=issues, name="t.se"))  # type: ignore[arg-type]
    assert [v.label for v in vouchers] == ["A 1"]
    assert [(i.line, i.code) for i in issues] == [(8, "bad_date")]  # type: ignore[attr-defined]


def test_many_problems_are_capped() -> None:
    from finsam_xl.sie import MAX_ISSUES

    data = sie_bytes(*["#IB x 1930 1"] * (MAX_ISSUES + 5))
    sie = read(data)
    assert len(sie.issues) == MAX_ISSUES + 1
    assert sie.issues[-1].message == "Ytterligare 5 problem visas inte"
