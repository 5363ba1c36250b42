"""One Unicode form (NFC) for every name and text, whatever the source (issue 18, case 2).

"Säters kommun" in NFD (as macOS and some web forms write it) was another
member than the NFC form: twice in the overview with half its total each,
and never named in a voucher text. Every edge now hands the core NFC: the
model's own validation, the workbook reader, the SIE and CSV readers and the
matching table. A Hypothesis property switches names between the two forms
and asserts that no output changes.
"""

from __future__ import annotations

import codecs
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from support import EXAMPLE_NAMES, EXAMPLES

from finsam_xl import jobs
from finsam_xl.books.ledger import read_csv_books, read_sie_books
from finsam_xl.core import evaluate
from finsam_xl.core.overview import build_overview, summarise
from finsam_xl.errors import InputFileError
from finsam_xl.jobs.overview import read_matching
from finsam_xl.model import Budget
from finsam_xl.model.interchange import dump, load
from finsam_xl.sie.writer import _crc

SATER = "Säters kommun"
SATER_NFD = unicodedata.normalize("NFD", SATER)
assert SATER != SATER_NFD


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def renamed(budget: Budget, forbund: str) -> Budget:
    return budget.model_copy(
        update={"forbund": budget.forbund.model_copy(update={"name": forbund})}
    )


def test_the_model_keeps_names_in_nfc() -> None:
    data = load(EXAMPLES / "sodra-dalarna-2025.yaml").model_dump()
    for member in data["members"]:
        member["name"] = nfd(member["name"])
    data["forbund"]["name"] = nfd(data["forbund"]["name"])
    budget = Budget.model_validate(data)
    assert SATER in [m.name for m in budget.members]
    assert all(unicodedata.is_normalized("NFC", m.name) for m in budget.members)
    assert budget.forbund.name == "Södra Dalarnas Samordningsförbund"


def test_the_workbook_reader_gives_nfc(tmp_path: Path) -> None:
    book = tmp_path / "sd.xlsx"
    jobs.new(load(EXAMPLES / "sodra-dalarna-2025.yaml"), book)
    load_workbook(book).save(tmp_path / "same.xlsx")  # saved by openpyxl, as the NFD one
    wb = load_workbook(book)
    changed = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == SATER:
                    cell.value = SATER_NFD
                    changed += 1
    assert changed
    wb.save(book)
    outcome = jobs.check(book)
    assert outcome.budget is not None
    assert SATER in [m.name for m in outcome.budget.members]
    same = jobs.check(tmp_path / "same.xlsx")
    assert [f.format() for f in outcome.findings] == [f.format() for f in same.findings]


def test_a_member_in_nfd_and_nfc_is_one_member_in_the_overview(tmp_path: Path) -> None:
    south = load(EXAMPLES / "sodra-dalarna-2025.yaml")
    jobs.new(south, tmp_path / "a.xlsx")
    wb = load_workbook(tmp_path / "a.xlsx")  # the member typed on a Mac in the workbook
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == SATER:
                    cell.value = SATER_NFD
    wb.save(tmp_path / "a.xlsx")
    dump(renamed(south, "Andra förbundet"), tmp_path / "b.yaml")
    text = (tmp_path / "b.yaml").read_text(encoding="utf-8")  # and in a YAML file
    (tmp_path / "b.yaml").write_text(text.replace(SATER, SATER_NFD), encoding="utf-8")
    assert SATER_NFD in (tmp_path / "b.yaml").read_text(encoding="utf-8")
    result = jobs.overview_of([tmp_path], workers=1).overview
    sater = [m for m in result.members if unicodedata.normalize("NFC", m.member) == SATER]
    assert len(sater) == 1 and sater[0].member == SATER
    allocation = evaluate(south).allocation_for(2025)
    assert allocation is not None
    assert sater[0].total[2025] == 2 * (allocation.amount(SATER) or 0)


def test_sie_texts_are_nfc_and_the_checksum_is_over_the_text_as_written(tmp_path: Path) -> None:
    lines = [
        "#FLAGGA 0",
        "#FORMAT PC8",
        "#SIETYP 4",
        "#RAR 0 20250101 20251231",
        '#KONTO 1930 "Bank"',
        '#KONTO 1510 "Kundfordringar"',
        f'#OBJEKT 1 "{nfd("Säter")}" "{nfd("Säter")}"',
        f'#VER "I" "1" 20250120 "{nfd("Inbetalning Säter")}"',
        "{",
        "#TRANS 1930 {} 1000.00",
        f'#TRANS 1510 {{1 "{nfd("Säter")}"}} -1000.00',
        "}",
    ]
    crc = 0
    for line in lines[1:]:
        if line not in ("{", "}"):
            crc = _crc(line, crc, "utf-8")
    text = "\n".join([lines[0], "#KSUMMA", *lines[1:], f"#KSUMMA {crc}"]) + "\n"
    path = tmp_path / "nfd.se"
    path.write_bytes(text.encode("utf-8"))
    books = read_sie_books(path, capture=lambda a: a == "1510")
    assert [f.rule for f in books.findings if f.severity.value == "error"] == []
    assert not [f for f in books.findings if "kontrollsumma" in f.message.casefold()]
    assert books.ledger.captured
    voucher = books.ledger.vouchers[0]
    assert voucher.text == "Inbetalning Säter"
    assert voucher.rows[1].objects == (("1", "Säter"),)
    assert {c for (_, c, _) in books.ledger.sums} == {"", "Säter"}


def test_csv_texts_are_nfc(tmp_path: Path) -> None:
    path = tmp_path / "huvudbok.csv"
    path.write_text(
        "Datum;Konto;Kostnadsställe;Belopp;Verifikation;Text\n"
        f"2025-01-20;1930;;1000;I1;{nfd('Inbetalning Säter')}\n"
        f"2025-01-20;1510;{nfd('Säter')};-1000;I1;{nfd('Inbetalning Säter')}\n",
        encoding="utf-8",
    )
    books = read_csv_books(path, capture=lambda a: a == "1510")
    assert books.ledger.vouchers[0].text == "Inbetalning Säter"
    assert {c for (_, c, _) in books.ledger.sums} == {"", "Säter"}


# -- the matching table (--matchning) ---------------------------------------------------------


def test_the_matching_table_in_utf16_as_excel_writes_unicode_text(tmp_path: Path) -> None:
    path = tmp_path / "matchning.txt"
    text = (
        f"Namn i budgeten\tMedlem\r\n{SATER_NFD}\tSäter\r\nRegion Dalarna (HS)\tRegion Dalarna\r\n"
    )
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert read_matching(path) == {SATER: "Säter", "Region Dalarna (HS)": "Region Dalarna"}


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b"Namn i budgeten;Medlem\r\n"])
def test_an_empty_matching_table_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "matchning.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match="matchningstabellen (är tom|har rubrikerna men)"):
        read_matching(path)


def test_a_name_listed_twice_with_different_members_names_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "matchning.csv"
    path.write_text(
        "Namn i budgeten;Medlem\nRegion Dalarna (HS);Region Dalarna\nAvesta;Avesta kommun\n"
        "region dalarna  (HS);Region Dalarna HS\nAvesta;Avesta kommun\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as error:
        read_matching(path)
    assert (
        "'region dalarna  (HS)' står på rad 2 (medlem 'Region Dalarna') och på rad 4 "
        "(medlem 'Region Dalarna HS')"
    ) in str(error.value)
    assert "Avesta" not in str(error.value)  # the same member twice is no conflict


def test_a_binary_matching_table_gets_a_true_message(tmp_path: Path) -> None:
    path = tmp_path / "matchning.csv"
    path.write_bytes("Namn i budgeten\tMedlem\n".encode("utf-16-le"))  # UTF-16 without BOM
    with pytest.raises(InputFileError, match="inte text i UTF-8, UTF-16 med BOM"):
        read_matching(path)


# -- Hypothesis: no output changes when names switch between NFC and NFD ----------------------

BUDGETS = {name: load(EXAMPLES / f"{name}.yaml") for name in EXAMPLE_NAMES}


def _switched(budget: Budget, mask: list[bool]) -> Budget:
    data = budget.model_dump()
    for flip, member in zip(mask, data["members"], strict=False):
        if flip:
            member["name"] = nfd(member["name"])
    for flip, line in zip(mask[::-1], data["costs"], strict=False):
        if flip:
            line["name"] = nfd(line["name"])
    return Budget.model_validate(data)


def _overview(budgets: list[Budget]) -> object:
    summaries = [summarise(b, evaluate(b), [], f"{i}.yaml") for i, b in enumerate(budgets)]
    return [(m.member, m.names, m.amounts, m.total) for m in build_overview(summaries).members]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.booleans(), min_size=12, max_size=12))
def test_no_output_changes_when_names_switch_between_nfc_and_nfd(mask: list[bool]) -> None:
    originals = list(BUDGETS.values())
    switched = [_switched(b, mask) for b in originals]
    for before, after in zip(originals, switched, strict=True):
        assert after == before  # the model itself
        left, right = evaluate(before), evaluate(after)
        assert left.allocation == right.allocation and left.plan == right.plan
    twin = renamed(switched[0], "Tvillingförbundet")
    assert _overview([*originals, twin]) == _overview(
        [*switched, renamed(originals[0], "Tvillingförbundet")]
    )
    assert sum(Decimal(1) for _ in switched) == 3
