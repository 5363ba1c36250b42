"""The writer: quoting, #PBUDGET export, #KSUMMA, and read -> write -> read identity."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sie_support import EXAMPLE, read, sie_bytes

from finsam_xl.sie import (
    Account,
    Dimension,
    FileFormat,
    Period,
    PeriodBalance,
    SieObject,
    SieWriteError,
    Transaction,
    Voucher,
    budget_records,
    format_record,
    header_records,
    monthly_totals,
    quote,
    read_sie,
    read_vouchers,
    write_sie,
)
from finsam_xl.sie._lexer import tokenize

D = Decimal


def spec_crc32(data: bytes) -> int:
    """CRC-32 as the SIE 4B specification computes it: table-driven, polynomial 0xEDB88320."""
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ 0xEDB88320 if crc & 1 else crc >> 1
        table.append(crc)
    crc = 0xFFFFFFFF
    for byte in data:
        crc = ((crc >> 8) & 0x00FFFFFF) ^ table[(crc ^ byte) & 0xFF]
    return crc ^ 0xFFFFFFFF


def written(records: object, **kw: object) -> bytes:
    buf = io.BytesIO()
    write_sie(records, buf, **kw)  # type: ignore[arg-type]
    return buf.getvalue()


# -- quoting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Bank", '"Bank"'),
        ("", '""'),
        ('Kassa "special"', r'"Kassa \"special\""'),
        ("C:\\temp", r'"C:\temp"'),
        ("slut\\", r'"slut\\"'),
        ('a\\"b', r'"a\\\"b"'),
        ("två\tkolumner\r\nrad", '"två kolumner  rad"'),
        ("{klammer}", '"{klammer}"'),
    ],
)
def test_quote(text: str, field: str) -> None:
    assert quote(text) == field
    if "\t" not in text and "\r" not in text:
        assert tokenize(f"#X {field}") == ["#X", text]


def test_record_layout() -> None:
    voucher = Voucher(
        "A",
        "7",
        date(2025, 3, 1),
        "Porto",
        rows=[
            Transaction("TRANS", "6250", ((1, "35 000"),), D("0.50"), text="x"),
            Transaction("TRANS", "1930", (), D("-0.50")),
        ],
    )
    assert format_record(voucher) == [
        '#VER "A" "7" 20250301 "Porto"',
        "{",
        '#TRANS 6250 {1 "35 000"} 0.50 "" "x"',
        "#TRANS 1930 {} -0.50",
        "}",
    ]
    assert format_record(Account("1930", "")) == ["#KONTO 1930"]
    assert format_record(FileFormat("PC8"), "utf-8") == ["#FORMAT UTF8"]


# -- identity -------------------------------------------------------------------------------


@pytest.mark.parametrize("checksum", [False, True])
def test_read_write_read_is_identity(checksum: bool) -> None:
    first = read_sie(EXAMPLE)
    data = written(first, checksum=checksum)
    second = read(data)
    assert second.records == first.records
    assert second.issues == []
    assert second.checksum_ok is (True if checksum else None)
    # and writing again gives the same bytes
    assert written(second, checksum=checksum) == data


def test_utf8_output_differs_only_in_format() -> None:
    first = read_sie(EXAMPLE)
    second = read(written(first, encoding="utf-8"))
    assert second.encoding == "utf-8"
    assert [r for r in second.records if not isinstance(r, FileFormat)] == [
        r for r in first.records if not isinstance(r, FileFormat)
    ]
    assert second.first(FileFormat) == FileFormat("UTF8")


def test_example_written_back_byte_for_byte() -> None:
    """The example file is in the writer's own layout apart from quoting of text fields."""
    data = written(read_sie(EXAMPLE))
    assert data.startswith(b'#FLAGGA 0\r\n#PROGRAM "SIE-exempel" "1.0"\r\n#FORMAT PC8\r\n')
    assert b'#VER "A" "2" 20250131 "Medlemsbidrag \\"staten\\""\r\n{\r\n' in data
    assert data.endswith(b"#TRANS 3000 {} -150000.00\r\n}\r\n")


# -- checksum -----------------------------------------------------------------------------------


def test_checksum_is_the_specification_crc() -> None:
    data = written(read_sie(EXAMPLE), checksum=True)
    lines = data.split(b"\r\n")[:-1]
    assert lines[0] == b"#FLAGGA 0" and lines[1] == b"#KSUMMA"
    assert lines[-1].startswith(b"#KSUMMA ")
    # What counts: label and fields, without blanks, quotes, braces or the { } lines.
    counted = b""
    for line in lines[2:-1]:
        if line in (b"{", b"}"):
            continue
        fields = tokenize(line.decode("cp437"))
        counted += "".join(f if isinstance(f, str) else "".join(f) for f in fields).encode("cp437")
    assert b"#TRANS70101456747" + b"13200.00" in counted
    assert int(lines[-1].split()[1]) == spec_crc32(counted)


def test_checksum_ignores_layout() -> None:
    data = written(read_sie(EXAMPLE), checksum=True)
    relaid = data.replace(b"#TRANS 1930 {} -13200.00", b"#TRANS\t1930  { }\t-13200.00")
    assert read(relaid).checksum_ok is True
    changed = data.replace(b"#TRANS 1930 {} -13200.00", b"#TRANS 1930 {} -13200.01")
    sie = read(changed)
    assert sie.checksum_ok is False
    assert [i.code for i in sie.errors] == ["unbalanced", "checksum_mismatch"]


def test_checksum_read_from_a_signed_value() -> None:
    data = written(read_sie(EXAMPLE), checksum=True)
    head, value = data.rstrip(b"\r\n").rsplit(b" ", 1)
    signed = int(value) - (1 << 32) if int(value) >= 1 << 31 else int(value)
    assert read(head + b" " + str(signed).encode() + b"\r\n").checksum_ok is True


# -- budget export ------------------------------------------------------------------------------


def budget_rows() -> list[tuple[str, tuple[tuple[int, str], ...], tuple[int, int], Decimal]]:
    rows = []
    for month in range(1, 13):
        rows.append(("7010", ((1, "35000"),), (2026, month), D("41666.67")))
        rows.append(("4010", ((1, "35000"), (6, "P1")), (2026, month), D("12500")))
        rows.append(("3000", (), (2026, month), D("-125000.00")))
    return rows


def test_pbudget_export_per_account_object_and_month(tmp_path: Path) -> None:
    path = tmp_path / "budget.se"
    records = [
        *header_records(
            company_name="Samordningsförbundet Exempel",
            fiscal_years={0: (date(2026, 1, 1), date(2026, 12, 31))},
            generated=date(2025, 11, 28),
            orgnr="222000-0000",
        ),
        Account("3000", "Medlemsbidrag"),
        Account("4010", "Köpta tjänster"),
        Account("7010", "Löner"),
        Dimension(1, "Kostnadsställe"),
        Dimension(6, "Projekt"),
        SieObject(1, "35000", "Samverkansteam Avesta"),
        SieObject(6, "P1", "Projekt Ett"),
        *budget_records(budget_rows()),
    ]
    lines = write_sie(records, path)
    assert lines == 8 + 3 + 2 + 2 + 36
    text = path.read_bytes().decode("cp437").split("\r\n")
    assert text[:9] == [
        "#FLAGGA 0",
        f'#PROGRAM "finsam_xl" "{__import__("finsam_xl").__version__}"',
        "#FORMAT PC8",
        "#GEN 20251128",
        "#SIETYP 3",
        '#ORGNR "222000-0000"',
        '#FNAMN "Samordningsförbundet Exempel"',
        "#RAR 0 20260101 20261231",
        '#KONTO 3000 "Medlemsbidrag"',
    ]
    assert '#PBUDGET 0 202601 7010 {1 "35000"} 41666.67' in text
    assert '#PBUDGET 0 202612 4010 {1 "35000" 6 "P1"} 12500' in text
    back = read_sie(path)
    assert back.issues == []
    assert len(back.budgets) == 36
    assert back.budgets[0] == PeriodBalance(
        "PBUDGET", 0, Period(2026, 1), "7010", ((1, "35000"),), D("41666.67")
    )
    assert sum(b.amount for b in back.budgets if b.account == "7010") == D("500000.04")


def test_budget_month_must_exist() -> None:
    with pytest.raises(SieWriteError, match="Ogiltig månad 13 för konto 4010"):
        list(budget_records([("4010", (), (2026, 13), D(1))]))


# -- writer errors and streams --------------------------------------------------------------


def test_character_outside_cp437_is_refused_or_replaced() -> None:
    records = [Account("1930", "Bank €")]
    with pytest.raises(
        SieWriteError, match="Tecknet '€' kan inte skrivas med teckenkodningen cp437"
    ):
        written(records)
    assert written(records, errors="replace") == b'#KONTO 1930 "Bank ?"\r\n'
    assert written(records, encoding="utf-8") == '#KONTO 1930 "Bank €"\r\n'.encode()


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (Account("19A0", "x"), "Ogiltigt kontonummer '19A0'"),
        (Transaction("TRANS", "1930", ((1, ""),), D(1)), "Tomt objekt i objektlista"),
        (Transaction("TRANS", "1930", ((-1, "x"),), D(1)), "Ogiltigt dimensionsnummer -1"),
        (Transaction("TRANS", "1930", (), D("NaN")), "Ogiltigt belopp Decimal('NaN')"),
        (SieObject(1, "", "Namn"), "Objektnummer saknas i #OBJEKT"),
    ],
)
def test_invalid_records_are_refused(record: object, message: str) -> None:
    with pytest.raises(SieWriteError) as info:
        written([record])
    assert str(info.value) == message


def test_unknown_output_encoding() -> None:
    with pytest.raises(SieWriteError, match="Okänd teckenkodning 'latin-1'"):
        written([], encoding="latin-1")


def test_writer_streams_from_a_generator(tmp_path: Path) -> None:
    def vouchers() -> object:
        for n in range(1, 3001):
            yield Voucher(
                "A",
                str(n),
                date(2025, 1 + n % 12, 1),
                rows=[
                    Transaction("TRANS", "4010", ((1, "35000"),), D(n)),
                    Transaction("TRANS", "2440", (), D(-n)),
                ],
            )

    path = tmp_path / "many.se"
    write_sie(vouchers(), path)  # type: ignore[arg-type]
    issues: list[object] = []
    totals = monthly_totals(read_vouchers(path, issues=issues))  # type: ignore[arg-type]
    assert sum(v for (account, _, _), v in totals.items() if account == "4010") == sum(
        range(1, 3001)
    )
    assert all(getattr(i, "severity", "") != "error" for i in issues)


def test_writer_drops_old_checksums() -> None:
    data = sie_bytes("#KSUMMA", '#KONTO 1930 "Bank"', "#KSUMMA 1134709759", header=False)
    from finsam_xl.sie import iter_records

    records = list(iter_records(data))
    assert written(records) == b'#KONTO 1930 "Bank"\r\n'
