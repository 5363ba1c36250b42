"""The second adversarial round of issue 18 (docs/dev/adversarial-round2.md).

Each case here was a silent wrong number (or a silent guess) before its fix:

* digits other than 0–9 in a number typed as text: '৪00' (Bengali 4, which looks
  like an 8) was read as 400, '１２３' (full width) and '١٢٣' (Arabic-Indic) as
  123, in workbook cells, CSV amounts, command-line amounts and the interchange
  format; now refused in one place, ``money.parse_number_text`` (and the
  interchange's ``to_decimal``);
* a general-ledger date '05/01/2025' was read as 5 January, though a US export
  means 1 May: a slash date whose day and month could be swapped is now refused
  with both readings unless the file's other dates settle the order;
* ``--period ２０２５-06`` (full-width digits) was read as 2025-06.

Every case asserts the message, its location and that the inputs are unchanged.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support import digest
from typer.testing import CliRunner

from finsam_xl.books.ledger import read_csv_books, slash_date_order
from finsam_xl.cli import app
from finsam_xl.errors import UsageError
from finsam_xl.jobs.reconcile import parse_period
from finsam_xl.model.money import NumberTextError, parse_number_text, to_decimal

runner = CliRunner()
SD = "sodra-dalarna-2025"
HEAD = "Datum;Verifikation;Text;Konto;Kostnadsställe;Belopp"


# -- digits other than 0-9 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("\u09ea00", "\u09ea"),  # Bengali four, looks like an 8
        ("\uff11\uff12\uff13", "\uff11\uff12\uff13"),  # full width
        ("\u0661\u0662\u0663", "\u0661\u0662\u0663"),  # Arabic-Indic
        ("10\u00b2", "\u00b2"),  # superscript two
        ("1 2\u09ea5,50", "\u09ea"),
    ],
)
def test_digits_other_than_0_to_9_are_refused(typed: str, shown: str) -> None:
    with pytest.raises(NumberTextError) as error:
        parse_number_text(typed)
    assert str(error.value) == (
        f"'{typed}' har andra siffror än 0–9 ({shown}); skriv talet med siffrorna 0–9"
    )
    with pytest.raises(ValueError, match="andra siffror än 0–9"):
        to_decimal(typed)  # the interchange format (YAML/JSON) too


def test_ascii_numbers_still_read() -> None:
    assert parse_number_text("1\u00a0234,50") == Decimal("1234.50")
    assert to_decimal("1E+3") == Decimal("1E+3")


def test_a_cell_with_bengali_digits_is_an_error_at_its_cell(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    path = tmp_path / "b.xlsx"
    shutil.copy(example_books[SD], path)
    wb = load_workbook(path)
    cell = wb["Rader"]["I4"]
    cell.value = "\u09ea5"  # looks like 85, was read as 45
    cell.data_type = "s"
    wb.save(path)
    before = digest(path)
    done = runner.invoke(app, ["kontrollera", "--json", str(path)])
    assert done.exit_code == 1, done.output
    found = [f for f in json.loads(done.stdout)["findings"] if f["location"] == "Rader!I4"]
    assert [(f["rule"], f["message"]) for f in found] == [
        (
            "read.not-a-number",
            "Konsulttjänster (revision), 2025: '\u09ea5' har andra siffror än 0–9 (\u09ea); "
            "skriv talet med siffrorna 0–9.",
        )
    ]
    assert digest(path) == before


def test_a_csv_amount_with_bengali_digits_is_an_error_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "huvudbok.csv"
    path.write_text(
        "\n".join([HEAD, "2025-01-15;A 1;Köp;4010;35000;\u09ea00", "2025-01-15;A 1;Köp;1930;;-400"])
        + "\n",
        encoding="utf-8",
    )
    before = digest(path)
    books = read_csv_books(path)
    assert [(f.rule, f.location, f.message) for f in books.findings] == [
        (
            "csv.bad-row",
            "huvudbok.csv:2",
            "Raden kan inte läsas: '\u09ea00' har andra siffror än 0–9 (\u09ea); skriv talet "
            "med siffrorna 0–9",
        )
    ]
    assert digest(path) == before


def test_a_command_line_amount_with_bengali_digits_is_refused(
    example_books: dict[str, Path], tmp_path: Path
) -> None:
    path = tmp_path / "a.xlsx"
    shutil.copy(example_books[SD], path)
    before = digest(path)
    out = tmp_path / "next.xlsx"
    done = runner.invoke(
        app, ["nytt-ar", str(path), "-o", str(out), "--eget-kapital", "\u09e7\u09ec\u09ec\u09eb000"]
    )
    assert done.exit_code == 2, done.output
    assert "andra siffror än 0–9" in done.output and "--eget-kapital" in done.output
    assert not out.exists() and digest(path) == before


@pytest.mark.parametrize("typed", ["\uff12\uff10\uff12\uff15-06", "2025-\u0660\u0666", "+2025-6"])
def test_a_period_is_four_digits_a_hyphen_and_a_month(typed: str) -> None:
    with pytest.raises(UsageError, match="ska skrivas ÅÅÅÅ-MM"):
        parse_period(typed, 2025, 2025)
    assert parse_period(" 2025-06 ", 2025, 2025) == (2025, 6)
    assert parse_period("2025-6", 2025, 2025) == (2025, 6)


# -- slash dates in a general-ledger CSV ---------------------------------------------------


def _csv(path: Path, days: list[str]) -> str:
    lines = [HEAD]
    for n, day in enumerate(days, 1):
        lines += [f"{day};A {n};Köp;4010;35000;100", f"{day};A {n};Köp;1930;;-100"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return digest(path)


def test_a_slash_date_that_could_be_either_way_is_refused_with_both_readings(
    tmp_path: Path,
) -> None:
    path = tmp_path / "huvudbok.csv"
    before = _csv(path, ["2025-01-15", "05/01/2025"])
    books = read_csv_books(path)
    message = (
        "Raden kan inte läsas: datumet '05/01/2025' kan läsas både som 2025-01-05 "
        "(dag/månad) och som 2025-05-01 (månad/dag), och filens övriga datum avgör inte "
        "vilket; skriv datumen ÅÅÅÅ-MM-DD"
    )
    assert [(f.rule, f.location, f.message) for f in books.findings] == [
        ("csv.bad-row", "huvudbok.csv:4", message),
        ("csv.bad-row", "huvudbok.csv:5", message),
    ]
    assert digest(path) == before


@pytest.mark.parametrize(
    ("days", "order", "month"),
    [
        (["24/01/2025", "05/03/2025"], "dm", 3),  # day first: 5 March
        (["01/24/2025", "05/03/2025"], "md", 5),  # month first: 3 May
        (["05/05/2025", "05/03/2025"], None, None),  # nothing settles it
    ],
)
def test_the_files_other_dates_settle_the_order(
    tmp_path: Path, days: list[str], order: str | None, month: int | None
) -> None:
    assert slash_date_order(days) == order
    path = tmp_path / "huvudbok.csv"
    before = _csv(path, days)
    books = read_csv_books(path)
    if month is None:
        assert [f.location for f in books.findings] == ["huvudbok.csv:4", "huvudbok.csv:5"]
    else:
        assert books.findings == []
        assert month in {day.month for _, _, day in books.ledger.sums}
    assert digest(path) == before


# -- a member's name with a line break (Alt+Enter) or a tab ---------------------------------


@pytest.mark.parametrize("typed", ["Avesta\nkommun", "Avesta\tkommun", "avesta  KOMMUN"])
def test_a_name_with_other_white_space_is_the_same_member_everywhere(
    example_books: dict[str, Path], tmp_path: Path, typed: str
) -> None:
    """Kontomappning matched 'Avesta\\tkommun' to 'Avesta kommun', but the Publicerat check
    said "nämner 'Avesta kommun', som inte är medlem": one comparison now (``name_key``)."""
    path = tmp_path / "m.xlsx"
    shutil.copy(example_books[SD], path)
    wb = load_workbook(path)
    cell = wb["Medlemmar"]["A6"]
    cell.value = typed
    cell.data_type = "s"
    wb.save(path)
    before = digest(path)
    done = runner.invoke(app, ["kontrollera", "--json", str(path)])
    rules = {f["rule"] for f in json.loads(done.stdout)["findings"]}
    assert not rules & {"published.allocation", "mapping.member-unknown"}, done.output
    assert digest(path) == before
