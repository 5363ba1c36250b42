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
from sie_support import HEADER, problems, read, sie_bytes

from finsam_xl.sie import SieError, posting_totals, read_vouchers

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
        "Okänd teckenkodning 'klingonska' (använd t.ex. cp437, utf-8, iso-8859-1 eller "
        "iso-8859-15)",
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
        "Obalanserad verifikation A 12: summan är 10,00 kr",
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
    # ---- wrong numbers that used to pass without a word (issue 10, items 5-8) -----------
    Case(
        "duplicate_voucher",
        lambda: sie_bytes(
            VER,
            "{",
            "#TRANS 4010 {} 100.00",
            "#TRANS 1930 {} -100.00",
            "}",
            VER,
            "{",
            "#TRANS 4010 {} 100.00",
            "#TRANS 1930 {} -100.00",
            "}",
        ),
        "error",
        13,
        "Verifikation A 1 finns två gånger (rad 8 och rad 13); båda räknas, så årets belopp "
        "blir fel. Ta bort dubbletten eller exportera filen på nytt.",
    ),
    Case(
        "duplicate_voucher_quoted_and_far_apart",
        lambda: sie_bytes(
            '#VER "B" "7" 20250105 "Första" 20250105',
            "{",
            "#TRANS 4010 {} 1.00",
            "#TRANS 1930 {} -1.00",
            "}",
            '#VER "A" "7" 20250105 "Annan serie" 20250105',
            "{",
            "#TRANS 4010 {} 1.00",
            "#TRANS 1930 {} -1.00",
            "}",
            '#VER B 7 20250301 "Samma igen"',
            "{",
            "#TRANS 4010 {} 2.00",
            "#TRANS 1930 {} -2.00",
            "}",
        ),
        "error",
        18,
        "Verifikation B 7 finns två gånger (rad 8 och rad 18); båda räknas, så årets belopp "
        "blir fel. Ta bort dubbletten eller exportera filen på nytt.",
    ),
    Case(
        "voucher_before_the_fiscal_year",
        lambda: sie_bytes(
            '#VER A 1 20241230 "Fel år"',
            "{",
            "#TRANS 4010 {} 1090.00",
            "#TRANS 1930 {} -1090.00",
            "}",
        ),
        "error",
        8,
        "Verifikation A 1 är daterad 2024-12-30, utanför räkenskapsåret 2025-01-01–2025-12-31 "
        "(#RAR 0 på rad 7); dess 1 090,00 kr kommer inte med i årets siffror. Rätta "
        "verifikationsdatumet eller exportera filen för rätt år.",
    ),
    Case(
        "voucher_after_the_fiscal_year_hot_shape",
        lambda: sie_bytes(
            '#VER "A" "2" 20260102 "Nästa år" 20260102',
            "{",
            '#TRANS 4010 {1 "35000"} 11679.00',
            "#TRANS 1930 {} -11679.00",
            "}",
        ),
        "error",
        8,
        "Verifikation A 2 är daterad 2026-01-02, utanför räkenskapsåret 2025-01-01–2025-12-31 "
        "(#RAR 0 på rad 7); dess 11 679,00 kr kommer inte med i årets siffror. Rätta "
        "verifikationsdatumet eller exportera filen för rätt år.",
    ),
    Case(
        "absurd_voucher_date",
        lambda: sie_bytes(
            '#VER A 1 99991231 "x"', "{", "#TRANS 4010 {} 5", "#TRANS 1930 {} -5", "}"
        ),
        "error",
        8,
        "Verifikation A 1 är daterad 9999-12-31, utanför räkenskapsåret 2025-01-01–2025-12-31 "
        "(#RAR 0 på rad 7); dess 5,00 kr kommer inte med i årets siffror. Rätta "
        "verifikationsdatumet eller exportera filen för rätt år.",
    ),
    Case(
        "year_zero_date",
        lambda: sie_bytes('#VER A 1 00000101 "x"', "{", "}"),
        "error",
        8,
        "Ogiltigt datum '00000101' (ska vara ÅÅÅÅMMDD) i #VER",
    ),
    Case(
        "second_rar_0",
        lambda: sie_bytes("#RAR 0 20260101 20261231"),
        "error",
        8,
        "Räkenskapsår 0 anges två gånger (#RAR 0 på rad 7 och rad 8); det senare gäller och "
        "årets siffror kan bli fel. Ta bort den felaktiga raden eller exportera filen på nytt.",
    ),
    Case(
        "second_rar_minus_1",
        lambda: sie_bytes("#RAR -1 20240101 20241231", "#RAR -1 20230101 20231231"),
        "error",
        9,
        "Räkenskapsår -1 anges två gånger (#RAR -1 på rad 8 och rad 9); det senare gäller och "
        "årets siffror kan bli fel. Ta bort den felaktiga raden eller exportera filen på nytt.",
    ),
    Case(
        "fiscal_year_of_nine_thousand_years",
        lambda: sie_bytes("#RAR -1 10000101 99991231"),
        "error",
        8,
        "Räkenskapsåret 1000-01-01–9999-12-31 (#RAR -1) är 108000 månader långt; ett "
        "räkenskapsår är högst 18 månader. Rätta datumen.",
    ),
    Case(
        "nul_byte_after_the_first_megabyte",
        lambda: sie_bytes(
            *[f'#PROSA "{i:07d} {"x" * 70}"' for i in range(14_000)], '#KONTO 1930 "Ba\x00nk"'
        ),
        "error",
        14_008,
        "Raden innehåller NUL-tecken (binära data): filen är skadad och raden hoppas över. "
        "Exportera filen på nytt från bokföringsprogrammet.",
    ),
    Case(
        "nul_byte_in_a_row_after_the_first_megabyte",
        lambda: sie_bytes(
            *[f'#PROSA "{i:07d} {"x" * 70}"' for i in range(14_000)],
            VER,
            "{",
            "#TRANS 4010 {} 10.00\x00",
            "#TRANS 1930 {} -10.00",
            "}",
        ),
        "error",
        14_010,
        "Raden innehåller NUL-tecken (binära data): filen är skadad och raden hoppas över. "
        "Exportera filen på nytt från bokföringsprogrammet.",
    ),
    # ---- hostile and careless input -------------------------------------------------------
    Case(
        "control_characters_in_an_object_id",
        lambda: sie_bytes(
            VER, "{", '#TRANS 4010 {1 "20\x01\x1b000"} 10.00', "#TRANS 1930 {} -10.00", "}"
        ),
        "warning",
        10,
        "Raden innehåller ett osynligt styrtecken (0x01); det behålls, men ett konto, objekt "
        "eller en text med det är inte det som syns. Rätta raden i bokföringsprogrammet.",
    ),
    Case(
        "control_character_in_a_voucher_text",
        lambda: sie_bytes('#VER A 1 20250105 "Fak\x07tura"', "{", "}"),
        "warning",
        8,
        "Raden innehåller ett osynligt styrtecken (0x07); det behålls, men ett konto, objekt "
        "eller en text med det är inte det som syns. Rätta raden i bokföringsprogrammet.",
    ),
    Case(
        "escape_sequence_in_an_account_name",
        lambda: sie_bytes('#KONTO 1930 "\x1b[31mBank\x1b[0m"'),
        "warning",
        8,
        "Raden innehåller ett osynligt styrtecken (0x1B); det behålls, men ett konto, objekt "
        "eller en text med det är inte det som syns. Rätta raden i bokföringsprogrammet.",
    ),
    Case(
        "control_character_in_a_utf8_file",
        lambda: sie_bytes('#KONTO 1930 "Företag\x02"', encoding="utf-8"),
        "warning",
        8,
        "Raden innehåller ett osynligt styrtecken (0x02); det behålls, men ett konto, objekt "
        "eller en text med det är inte det som syns. Rätta raden i bokföringsprogrammet.",
    ),
    Case(
        "huge_amount_in_a_row",
        lambda: sie_bytes(
            VER,
            "{",
            "#TRANS 4010 {} 1234567890123456.00",
            "#TRANS 1930 {} -1234567890123456.00",
            "}",
        ),
        "error",
        10,
        "Orimligt stort belopp (19 tecken; högst 15 siffror före decimaltecknet): raden räknas "
        "inte. Kontrollera exporten. i #TRANS",
    ),
    Case(
        "thousand_digit_balance",
        lambda: sie_bytes("#IB 0 1930 " + "9" * 1000),
        "error",
        8,
        "Orimligt stort belopp (1000 tecken; högst 15 siffror före decimaltecknet): raden "
        "räknas inte. Kontrollera exporten. i #IB",
    ),
    Case(
        "exponent_amount",
        lambda: sie_bytes("#UB 0 1930 1e400"),
        "error",
        8,
        "Ogiltigt belopp '1e400' i #UB",
    ),
    Case(
        "nan_amount",
        lambda: sie_bytes(VER, "{", "#TRANS 4010 {} NaN", "#TRANS 1930 {} -1", "}"),
        "error",
        10,
        "Ogiltigt belopp 'NaN' i #TRANS",
    ),
    Case(
        "repeated_dim",
        lambda: sie_bytes(*[f'#DIM 1 "Kostnadsställe {i}"' for i in range(5_000)]),
        "warning",
        9,
        "Dimension 1 deklareras flera gånger (först på rad 8, igen på rad 9); det sista namnet "
        "gäller. Kontrollera exporten.",
    ),
    Case(
        "very_many_objects_then_an_undeclared_one",
        lambda: sie_bytes(
            '#DIM 1 "KS"',
            *[f'#OBJEKT 1 "{i}" "Ställe {i}"' for i in range(50_000)],
            VER,
            "{",
            '#TRANS 4010 {1 "50000"} 1.00',
            "#TRANS 1930 {} -1.00",
            "}",
        ),
        "warning",
        50_011,
        "Objektet '50000' i dimension 1 finns inte bland #OBJEKT",
    ),
    Case(
        "one_row_with_two_thousand_objects",
        lambda: sie_bytes(
            VER,
            "{",
            "#TRANS 4010 {" + " ".join(f'1 "{i}"' for i in range(2000)) + "} 1.00",
            "#TRANS 1930 {} -1.00",
            "}",
        ),
        "warning",
        10,
        "Objektlistan har två objekt i dimension 1 ('0' och '1'); bara det första räknas.",
    ),
    Case(
        "label_only",
        lambda: sie_bytes("#"),
        "info",
        8,
        "Okänd post # ignoreras",
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


def test_there_are_at_least_sixty_cases() -> None:
    assert len({c.name for c in CASES}) >= 60


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_posting_path_finds_the_same(case: Case) -> None:
    # posting_totals (the reconciliation's path) reads with the same loop: the same
    # issues, or the same fatal error.
    data = case.data()
    kw = dict(case.kw)
    try:
        expected = read(data, **kw).issues
    except SieError as exc:
        with pytest.raises(SieError) as info:
            posting_totals(data, name="test.se", **kw)  # type: ignore[arg-type]
        assert (info.value.line, info.value.message) == (exc.line, exc.message)
        return
    assert posting_totals(data, name="test.se", **kw).issues == expected  # type: ignore[arg-type]


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
