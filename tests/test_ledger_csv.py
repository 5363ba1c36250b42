"""The general-ledger CSV (issue 18, "Messages that are wrong, English or missing").

* One ragged row used to give csv.Sniffer's English "Could not determine delimiter"
  with no line: now the separator comes from the header, and the row is an error at
  its own line, in Swedish.
* A quoted line break in a field shifted every later row's line number by one.
* One row dated next year moved the fiscal year (the year was the largest date's):
  now it is the year most rows have, and a row of another year is an error at its line.

Each case checks the message, the ``file:line`` location and that the file is unchanged.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from finsam_xl.books import BooksError, read_csv_books
from finsam_xl.model.findings import Finding

HEAD = "Datum;Verifikation;Text;Konto;Kostnadsställe;Belopp"


def _rows(year: int, count: int, first: int = 1) -> list[str]:
    """``count`` balanced pairs of rows (cost and bank), one voucher each."""
    out = []
    for n in range(first, first + count):
        day = f"{year}-{(n - 1) % 12 + 1:02d}-15"
        out += [f"{day};A {n};Köp {n};4010;35000;100", f"{day};A {n};Köp {n};1930;;-100"]
    return out


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> str:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _found(findings: list[Finding]) -> list[tuple[str, str | None, str]]:
    return [(f.rule, f.location, f.message) for f in findings]


def test_a_ragged_row_is_an_error_at_its_line_in_swedish(tmp_path: Path) -> None:
    path = tmp_path / "huvudbok.csv"
    lines = [HEAD, *_rows(2025, 2)]
    lines.insert(2, "2025-01-15;A 9;Extra;4010;35000;100;oj;mer")  # line 3
    digest = _write(path, lines)
    books = read_csv_books(path)
    assert _found(books.findings) == [
        (
            "csv.ragged-row",
            "huvudbok.csv:3",
            "Raden har 8 fält men rubrikraden har 6 (avgränsare 'semikolon'); raden räknas "
            "inte. Kontrollera avgränsarna och citattecknen på raden.",
        )
    ]
    assert books.ledger.rows == 4 and books.year == 2025
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_a_short_row_is_an_error_and_trailing_empty_fields_are_not(tmp_path: Path) -> None:
    path = tmp_path / "hb.csv"
    lines = [HEAD, *_rows(2025, 2), "2025-03-01;A 5;Kort;4010", "2025-03-01;A 6;x;4010;;0;;;"]
    _write(path, lines)
    books = read_csv_books(path)
    assert [(f.rule, f.location) for f in books.findings] == [("csv.ragged-row", "hb.csv:6")]
    assert books.ledger.rows == 5


@pytest.mark.parametrize(("separator", "name"), [(",", "komma"), ("\t", "tabb")])
def test_other_separators_are_taken_from_the_header(
    tmp_path: Path, separator: str, name: str
) -> None:
    path = tmp_path / "hb.csv"
    rows = [r.replace(";", separator) for r in [HEAD, *_rows(2025, 2)]]
    rows.append(separator.join(["2025-02-01", "A 7", "x", "4010", "", "1", "extra"]))
    _write(path, rows)
    books = read_csv_books(path)
    assert books.ledger.rows == 4
    [finding] = books.findings
    assert finding.location == "hb.csv:6" and f"'{name}'" in finding.message


def test_no_separator_in_the_header_is_refused_in_swedish(tmp_path: Path) -> None:
    path = tmp_path / "hb.csv"
    digest = _write(path, ["Datum Konto Belopp", "2025-01-01 4010 100"])
    with pytest.raises(BooksError) as info:
        read_csv_books(path)
    assert str(info.value) == (
        "hb.csv:1: hittar ingen kolumnavgränsare i rubrikraden (semikolon, tabb eller komma); "
        "spara huvudboken som CSV med en rubrikrad, t.ex. Datum;Konto;Belopp."
    )
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_line_numbers_do_not_drift_after_a_quoted_line_break(tmp_path: Path) -> None:
    path = tmp_path / "hb.csv"
    lines = [
        HEAD,
        '2025-01-15;A 1;"Köp\r\nmed två rader";4010;35000;100',  # lines 2-3
        "2025-01-15;A 1;Köp;1930;;-100",  # line 4
        "2025-13-01;A 2;Fel datum;4010;;5",  # line 5
    ]
    _write(path, lines)
    books = read_csv_books(path, capture=lambda account: account == "4010")
    assert _found(books.findings) == [
        ("csv.bad-row", "hb.csv:5", "Raden kan inte läsas: '2025-13-01' är inget datum")
    ]
    [voucher] = books.ledger.vouchers
    assert [r.source for r in voucher.rows] == ["hb.csv:2", "hb.csv:4"]
    assert voucher.rows[0].text == "Köp\r\nmed två rader"


def test_a_row_dated_next_year_does_not_move_the_fiscal_year(tmp_path: Path) -> None:
    path = tmp_path / "hb.csv"
    lines = [HEAD, *_rows(2025, 5), "2026-01-03;A 99;Fel år;4010;35000;250"]  # line 12
    digest = _write(path, lines)
    books = read_csv_books(path)
    assert books.year == 2025
    assert _found(books.findings) == [
        (
            "csv.outside-year",
            "hb.csv:12",
            "Raden är daterad 2026-01-03, utanför räkenskapsåret 2025 (det år 10 av filens 11 "
            "rader har); dess 250\u00a0kr kommer inte med i årets siffror. Rätta datumet, eller "
            "ta bort raderna från andra år.",
        )
    ]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_a_two_year_export_during_the_year_is_this_years_with_a_note(tmp_path: Path) -> None:
    # Last year's twelve months and this year's first three: the fiscal year is the
    # later one (it has a tenth of the rows or more), and the note says so.
    path = tmp_path / "hb.csv"
    _write(path, [HEAD, *_rows(2024, 24), *_rows(2025, 3, first=100)])
    books = read_csv_books(path)
    assert books.year == 2025
    assert _found(books.findings) == [
        (
            "csv.previous-year",
            "hb.csv",
            "Räkenskapsåret är 2025 (6 rader); filens 48 rader från 2024 används som förra "
            "årets månader.",
        )
    ]


def test_rows_of_many_other_years_are_counted_after_twenty(tmp_path: Path) -> None:
    path = tmp_path / "hb.csv"
    _write(path, [HEAD, *_rows(2025, 40), *_rows(2019, 11)])
    books = read_csv_books(path)
    assert books.year == 2025
    assert len(books.findings) == 21
    assert books.findings[-1].message == (
        "Ytterligare 2 rader är daterade utanför räkenskapsåret 2025 och kommer inte med i "
        "årets siffror."
    )


def test_an_encoding_can_be_forced_and_a_wrong_one_is_named(tmp_path: Path) -> None:
    path = tmp_path / "hb.csv"
    _write(path, [HEAD, *_rows(2025, 1)], encoding="cp1252")
    assert read_csv_books(path).ledger.rows == 2  # Windows-1252 detected
    assert read_csv_books(path, encoding="iso-8859-1").ledger.rows == 2
    with pytest.raises(BooksError) as info:
        read_csv_books(path, encoding="utf-8")
    assert str(info.value) == "hb.csv:1: raden kan inte läsas som utf-8."
    with pytest.raises(BooksError) as info:
        read_csv_books(path, encoding="klingonska")
    assert "okänd teckenkodning 'klingonska'" in str(info.value)


def test_a_nul_byte_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "hb.csv"
    path.write_bytes(f"{HEAD}\r\n2025-01-01;A;x;40\x0010;;1\r\n".encode())
    with pytest.raises(BooksError) as info:
        read_csv_books(path)
    assert str(info.value) == "hb.csv:2: raden innehåller NUL-tecken (binärfil?)."


@pytest.mark.parametrize("lines", [[], [HEAD], ["", HEAD, ";;;;;", ""]])
def test_a_file_without_rows_is_refused(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "hb.csv"
    _write(path, lines)
    with pytest.raises(BooksError) as info:
        read_csv_books(path)
    assert str(info.value) == f"{path}: filen har inga rader."


def test_an_unterminated_quote_is_an_error_at_its_line(tmp_path: Path) -> None:
    # The csv module reads the rest of the file into the open field: the row comes
    # out short, an error at the line it starts on (no silent loss of the rows after).
    path = tmp_path / "hb.csv"
    _write(path, [HEAD, *_rows(2025, 1), '2025-02-01;A 2;"Öppen;4010;;5', *_rows(2025, 2, first=3)])
    books = read_csv_books(path)
    assert [(f.rule, f.location) for f in books.findings] == [("csv.ragged-row", "hb.csv:4")]
    assert books.findings[0].severity.value == "error"
