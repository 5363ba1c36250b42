"""The example file (every record of SIE 4B) parses into exactly the expected records.

tests/sie/data/exempel_typ4.se is written for this project in the layout of
the specification's examples (CP437, CRLF): the SIE 4B document itself is not
redistributable, so its examples are not copied. The object list
``{1 "456" 7 "47"}`` and the #RTRANS/#TRANS pairing follow the specification.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sie_support import EXAMPLE

from finsam_xl.sie import (
    Account,
    AccountType,
    Address,
    Balance,
    ChartType,
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
    ObjectBalance,
    OrgNumber,
    Period,
    PeriodBalance,
    ProgramInfo,
    Prose,
    SieObject,
    SieType,
    SruCode,
    SubDimension,
    TaxYear,
    Transaction,
    Unit,
    Voucher,
    iter_records,
    monthly_totals,
    read_sie,
    read_vouchers,
)

D = Decimal
OBJ_456_47 = ((1, "456"), (7, "47"))
OBJ_P1 = ((1, "35000"), (6, "P1"))

EXPECTED = [
    Flag(0),
    ProgramInfo("SIE-exempel", "1.0"),
    FileFormat("PC8"),
    Generated(date(2025, 1, 15), "EA"),
    SieType(4),
    Prose("Exempelfil typ 4 med samtliga poster i SIE 4B"),
    CompanyType("KF"),
    CompanyId("FINSAM01"),
    OrgNumber("222000-0000"),
    IndustryCode("84300"),
    Address("Anna Andersson", "Box 1", "123 45 Storstad", "012-34 56 78"),
    CompanyName("Samordningsförbundet Exempel"),
    FiscalYear(0, date(2025, 1, 1), date(2025, 12, 31)),
    FiscalYear(-1, date(2024, 1, 1), date(2024, 12, 31)),
    TaxYear(2026),
    Coverage(date(2025, 12, 31)),
    ChartType("EUBAS97"),
    Currency("SEK"),
    Account("1930", "Företagskonto"),
    AccountType("1930", "T"),
    SruCode("1930", "7281"),
    Account("2099", "Årets resultat"),
    AccountType("2099", "S"),
    Account("3000", "Medlemsbidrag"),
    AccountType("3000", "I"),
    Account("4010", "Köpta tjänster"),
    AccountType("4010", "K"),
    Unit("4010", "tim"),
    Account("7010", "Löner"),
    AccountType("7010", "K"),
    Dimension(1, "Kostnadsställe"),
    Dimension(6, "Projekt"),
    Dimension(7, "Anställd"),
    SubDimension(21, "Avdelning", 1),
    SieObject(1, "35000", "Samverkansteam Avesta"),
    SieObject(1, "456", "Administration"),
    SieObject(6, "P1", "Projekt Ett"),
    SieObject(7, "47", "Anna Andersson"),
    Balance("IB", 0, "1930", D("250000.00")),
    Balance("IB", 0, "2099", D("-250000.00")),
    Balance("UB", 0, "1930", D("181300.00")),
    Balance("UB", -1, "1930", D("250000.00")),
    ObjectBalance("OIB", 0, "1930", ((1, "35000"),), D("1000.00")),
    ObjectBalance("OUB", 0, "1930", ((1, "35000"),), D("900.00")),
    Balance("RES", 0, "3000", D("-150000.00")),
    Balance("RES", 0, "7010", D("13200.00"), D("12")),
    PeriodBalance("PSALDO", 0, Period(2025, 1), "7010", (), D("13200.00")),
    PeriodBalance("PSALDO", 0, Period(2025, 1), "7010", OBJ_456_47, D("13200.00")),
    PeriodBalance("PBUDGET", 0, Period(2025, 1), "7010", ((1, "456"),), D("14000.00")),
    PeriodBalance("PBUDGET", 0, Period(2025, 1), "4010", (), D("3000.00"), D("10")),
    Voucher(
        "A",
        "1",
        date(2025, 1, 4),
        "Lön januari",
        date(2025, 1, 5),
        rows=[
            Transaction("TRANS", "7010", OBJ_456_47, D("13200.00")),
            Transaction("TRANS", "1930", (), D("-13200.00")),
        ],
    ),
    Voucher(
        "B",
        "1",
        date(2025, 1, 10),
        "Konsultfaktura",
        date(2025, 1, 11),
        "EA",
        rows=[
            Transaction(
                "TRANS", "4010", OBJ_P1, D("5000.00"), date(2025, 1, 10), "Handledning", D(10), "EA"
            ),
            Transaction("TRANS", "1930", (), D("-5000.00")),
            Transaction(
                "RTRANS", "4010", OBJ_P1, D("500.00"), date(2025, 1, 15), "Rättelse", None, "EA"
            ),
            Transaction("TRANS", "4010", OBJ_P1, D("500.00"), date(2025, 1, 10), "Rättelse"),
            Transaction("TRANS", "1930", (), D("-500.00")),
            Transaction("BTRANS", "1930", (), D("-100.00"), date(2025, 1, 15), "", None, "EA"),
        ],
    ),
    Voucher(
        "A",
        "2",
        date(2025, 1, 31),
        'Medlemsbidrag "staten"',
        rows=[
            Transaction("TRANS", "1930", (), D("150000.00")),
            Transaction("TRANS", "3000", (), D("-150000.00")),
        ],
    ),
]


def test_every_record_parses_into_the_expected_structure() -> None:
    sie = read_sie(EXAMPLE)
    assert sie.issues == []
    assert sie.encoding == "cp437"
    assert sie.records == EXPECTED


def test_line_numbers_are_kept() -> None:
    sie = read_sie(EXAMPLE)
    assert [r.line for r in sie.records[:3]] == [1, 2, 3]
    salary = sie.vouchers[0]
    assert salary.line == 51
    assert [row.line for row in salary.rows] == [53, 54]


def test_lookups() -> None:
    sie = read_sie(EXAMPLE)
    assert sie.company_name == "Samordningsförbundet Exempel"
    assert sie.sie_type == 4
    assert sie.fiscal_years[-1].start == date(2024, 1, 1)
    assert sie.accounts["7010"] == "Löner"
    assert sie.dimensions == {1: "Kostnadsställe", 6: "Projekt", 7: "Anställd", 21: "Avdelning"}
    assert sie.objects[(1, "35000")] == "Samverkansteam Avesta"
    assert len(sie.balances) == 6 and len(sie.object_balances) == 2
    assert [b.account for b in sie.budgets] == ["7010", "4010"]
    assert [p.objects for p in sie.period_balances] == [(), OBJ_456_47]
    assert sie.first(CompanyName) == CompanyName("Samordningsförbundet Exempel")


def test_rtrans_is_not_counted_twice_and_btrans_not_at_all() -> None:
    voucher = read_sie(EXAMPLE).vouchers[1]
    assert voucher.total() == 0
    booked = [(t.account, t.amount) for t in voucher.transactions()]
    assert booked == [
        ("4010", D("5000.00")),
        ("1930", D("-5000.00")),
        ("4010", D("500.00")),
        ("1930", D("-500.00")),
    ]


def test_streaming_gives_the_same_records() -> None:
    streamed = [r for r in iter_records(EXAMPLE)]
    assert streamed == EXPECTED
    assert list(read_vouchers(EXAMPLE)) == [r for r in EXPECTED if isinstance(r, Voucher)]


def test_monthly_totals_by_cost_centre() -> None:
    totals = monthly_totals(read_vouchers(EXAMPLE), dimensions={1})
    jan = Period(2025, 1)
    assert totals == {
        ("7010", ((1, "456"),), jan): D("13200.00"),
        ("1930", (), jan): D("131300.00"),
        ("4010", ((1, "35000"),), jan): D("5500.00"),
        ("3000", (), jan): D("-150000.00"),
    }
    by_account = monthly_totals(read_vouchers(EXAMPLE), dimensions=set())
    assert by_account[("4010", (), jan)] == D("5500.00")
    full = monthly_totals(read_vouchers(EXAMPLE))
    assert full[("4010", OBJ_P1, jan)] == D("5500.00")


def test_tabs_indentation_and_utf8_read_the_same() -> None:
    """Real files: tabs between fields, indented rows, UTF-8 although #FORMAT says PC8."""
    text = EXAMPLE.read_bytes().decode("cp437")
    variant = (
        text.replace("#TRANS ", "\t#TRANS\t").replace(" {", "\t\t{").replace("#KONTO ", "#KONTO\t")
    )
    sie = read_sie(variant.encode("utf-8"), name="utf8.se")
    assert sie.encoding == "utf-8"
    assert sie.records == EXPECTED
    assert [(i.code, i.line) for i in sie.issues] == [("encoding_mismatch", 3)]
