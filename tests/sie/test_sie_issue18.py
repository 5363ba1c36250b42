"""Issue 18, items 11 and 12: SIE files as payroll and invoicing systems really write them.

* Item 11: SIE 4B lets a type 4I file leave the voucher number empty (the importing
  program numbers the vouchers). Two ``#VER "L" ""`` are two vouchers, never a
  duplicate; messages name such a voucher "L utan nummer" at its own line.
* Item 12: a file in ISO-8859-1/15 (Latin-1) read as CP437 turned "Övningsbolaget"
  into "╓vningsbolaget" without a word. The encoding is now decided from the bytes
  (which of the two readings gives Swedish letters), said in a warning, and can be
  forced (``encoding=``, the command line's ``--teckenkodning``).

Every case is read both ways (the general reader and the reconciliation's fast path)
and the input file is checked unchanged.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sie_support import sie_bytes

from finsam_xl.books import read_sie_books
from finsam_xl.sie import SieError, posting_totals, read_sie

LON = (
    '#VER "L" "" 20250125 "Lön januari"',
    "{",
    "#TRANS 7010 {} 30000.00",
    "#TRANS 1930 {} -30000.00",
    "}",
    '#VER "L" "" 20250225 "Lön februari"',
    "{",
    "#TRANS 7010 {} 31000.00",
    "#TRANS 1930 {} -31000.00",
    "}",
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- item 11: vouchers without a number -----------------------------------------------------


def test_two_vouchers_without_number_are_not_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "lon.si"
    path.write_bytes(sie_bytes(*LON))
    before = _digest(path)
    sie = read_sie(path, name="lon.si")
    assert [i.code for i in sie.issues] == []
    assert [(v.series, v.number, v.label, v.line) for v in sie.vouchers] == [
        ("L", "", "L utan nummer", 8),
        ("L", "", "L utan nummer", 13),
    ]
    totals = posting_totals(path, name="lon.si")
    assert totals.issues == []
    assert totals.sums[("7010", "", date(2025, 1, 25))] == Decimal("30000.00")
    assert totals.sums[("7010", "", date(2025, 2, 25))] == Decimal("31000.00")
    books = read_sie_books(path)
    assert books.findings == []
    assert _digest(path) == before


def test_general_and_fast_path_agree_on_unnumbered_vouchers() -> None:
    data = sie_bytes(*LON, *LON, '#VER "" "" 20250301 ""', "{", "#TRANS 1930 {} 0", "}")
    slow = read_sie(data, name="t.se")
    assert slow.issues == []
    assert posting_totals(data, name="t.se").issues == []


def test_a_numbered_duplicate_is_still_reported_beside_unnumbered_ones() -> None:
    data = sie_bytes(
        *LON,
        '#VER "L" "7" 20250301 "x"',
        "{",
        "#TRANS 7010 {} 1",
        "#TRANS 1930 {} -1",
        "}",
        '#VER "L" "7" 20250302 "y"',
        "{",
        "#TRANS 7010 {} 1",
        "#TRANS 1930 {} -1",
        "}",
    )
    expected = [
        (
            "duplicate_voucher",
            23,
            "Verifikation L 7 finns två gånger (rad 18 och rad 23); båda räknas, så årets "
            "belopp blir fel. Ta bort dubbletten eller exportera filen på nytt.",
        )
    ]
    assert [(i.code, i.line, i.message) for i in read_sie(data).issues] == expected
    assert [(i.code, i.line, i.message) for i in posting_totals(data).issues] == expected


def test_messages_name_an_unnumbered_voucher_utan_nummer_at_its_line() -> None:
    data = sie_bytes(
        '#VER "L" "" 20250125 "Lön"', "{", "#TRANS 7010 {} 100.00", "#TRANS 1930 {} -99.00", "}"
    )
    expected = [
        ("test.se:8", "Obalanserad verifikation L utan nummer: summan är 1,00 kr"),
    ]
    sie = read_sie(data, name="test.se")
    assert [(i.location, i.message) for i in sie.errors] == expected
    fast = posting_totals(data, name="test.se")
    assert [(i.location, i.message) for i in fast.errors] == expected


def test_booked_vouchers_without_number_are_told_apart_by_line(tmp_path: Path) -> None:
    # The reconciliation keys invoices by voucher label: two unnumbered invoices
    # must not share one (the second member's invoice would go to the first).
    path = tmp_path / "fakt.si"
    path.write_bytes(
        sie_bytes(
            '#VER "F" "" 20250125 "Faktura Avesta"',
            "{",
            "#TRANS 1510 {} 100.00",
            "#TRANS 3590 {} -100.00",
            "}",
            '#VER "F" "" 20250126 "Faktura Hedemora"',
            "{",
            "#TRANS 1510 {} 200.00",
            "#TRANS 3590 {} -200.00",
            "}",
        )
    )
    books = read_sie_books(path, capture=lambda account: account.startswith("15"))
    assert [v.label for v in books.ledger.vouchers] == [
        "F utan nummer, rad 8",
        "F utan nummer, rad 13",
    ]


# ---- item 12: ISO-8859-1/15 files -----------------------------------------------------------

LATIN_HEADER = (
    "#FLAGGA 0",
    '#PROGRAM "Kassasystem" 1.0',
    "#FORMAT PC8",
    "#GEN 20250503",
    "#SIETYP 4",
    '#FNAMN "Övningsbolaget AB"',
    "#RAR 0 20250101 20251231",
    '#KONTO 3010 "Försäljning"',
    '#KONTO 1930 "Företagskonto"',
    '#DIM 1 "Kostnadsställe"',
    '#OBJEKT 1 "Säter" "Säters kommun"',
)
LATIN_VOUCHER = (
    '#VER "K" "" 20250502 "Försäljning 25%"',
    "{",
    '#TRANS 1930 {1 "Säter"} 100.00',
    '#TRANS 3010 {1 "Säter"} -100.00',
    "}",
)


def _latin(encoding: str = "iso-8859-1") -> bytes:
    return sie_bytes(*LATIN_HEADER, *LATIN_VOUCHER, header=False, encoding=encoding)


@pytest.mark.parametrize("encoding", ["iso-8859-1", "iso-8859-15", "cp1252"])
def test_a_latin1_file_is_read_as_latin1_with_a_warning(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "kassa.si"
    path.write_bytes(_latin(encoding))
    before = _digest(path)
    sie = read_sie(path, name="kassa.si")
    assert sie.company_name == "Övningsbolaget AB"
    assert sie.objects == {(1, "Säter"): "Säters kommun"}
    assert sie.encoding == "iso8859-1"
    assert [(i.code, i.location, i.message) for i in sie.issues] == [
        (
            "latin1_encoding",
            "kassa.si:6",
            "Filen är kodad som ISO-8859-1 (Latin-1), inte som CP437 (PC8) som SIE "
            "föreskriver; den läses som ISO-8859-1, så att å, ä och ö blir rätt. Ser "
            "namnen fel ut, ange teckenkodningen med --teckenkodning.",
        )
    ]
    totals = posting_totals(path, name="kassa.si")
    assert totals.issues == sie.issues
    day = date(2025, 5, 2)
    assert list(totals.sums) == [("1930", "Säter", day), ("3010", "Säter", day)]
    assert _digest(path) == before


def test_a_cp437_file_stays_cp437_without_a_word() -> None:
    sie = read_sie(sie_bytes(*LATIN_HEADER, *LATIN_VOUCHER, header=False), name="t.se")
    assert sie.company_name == "Övningsbolaget AB"
    assert sie.encoding == "cp437"
    assert sie.issues == []


def test_box_drawing_letters_in_a_cp437_file_are_kept() -> None:
    # A CP437 file with box drawing (bytes that are Latin-1 letters) and no Swedish
    # letter: the specification's CP437 stays.
    data = sie_bytes('#KONTO 1930 "Bank ╔═╗"', header=True)
    sie = read_sie(data)
    assert sie.encoding == "cp437"
    assert sie.accounts == {"1930": "Bank ╔═╗"}


def test_a_file_with_both_kinds_of_letters_is_read_the_likelier_way() -> None:
    # Two Latin-1 Swedish letters against one CP437 one: Latin-1, and the line with
    # the CP437 letter is named (its text reads wrong).
    data = sie_bytes('#FNAMN "Östra Älvdalens"', header=False, encoding="iso-8859-1")
    data += '#KONTO 1930 "Företag"\r\n'.encode("cp437")
    sie = read_sie(data, name="t.se")
    assert sie.company_name == "Östra Älvdalens"
    [issue] = [i for i in sie.issues if i.code == "mixed_encoding"]
    assert (issue.location, issue.severity.value) == ("t.se:2", "warning")
    assert issue.message == (
        "Blandad teckenkodning: raden ser ut att vara CP437 men filen läses som ISO-8859-1; "
        "namn och objekt på raden blir inte de som syns i bokföringen. Rätta raden eller "
        "exportera filen på nytt."
    )


def test_a_latin1_object_id_in_a_cp437_file_is_named() -> None:
    # As in a real export (BL Administration): the file is CP437, one #OBJEKT was
    # written in Latin-1 ("Å1" reads "┼1"). The file stays CP437; the line is named.
    data = sie_bytes('#DIM 6 "Projekt"', '#OBJEKT 6 "Ö1" "Östra"', '#KONTO 1930 "Företagskonto"')
    data = data.replace('"Ö1"'.encode("cp437"), '"Ö1"'.encode("latin-1"))
    sie = read_sie(data, name="t.se")
    assert sie.encoding == "cp437"
    assert sie.objects == {(6, "╓1"): "Östra"}
    [issue] = sie.issues
    assert (issue.code, issue.location) == ("mixed_encoding", "t.se:9")
    assert issue.message.startswith(
        "Blandad teckenkodning: raden ser ut att vara ISO-8859-1 (Latin-1) men filen läses "
        "som CP437;"
    )


def test_the_company_folder_in_fnr_is_not_a_mixed_encoding() -> None:
    # SPCS writes #FNR (the company's Windows folder) in the system's encoding.
    data = sie_bytes('#FNR "C:\\SPCS\\Företag\\Övningsbolaget"', '#KONTO 1930 "Företagskonto"')
    data = data.replace("Företag\\Ö".encode("cp437"), "Företag\\Ö".encode("latin-1"))
    sie = read_sie(data, name="t.se")
    assert sie.encoding == "cp437"
    assert sie.accounts == {"1930": "Företagskonto"}
    assert sie.issues == []


@pytest.mark.parametrize("name", ["iso-8859-15", "latin-1", "ISO8859-1"])
def test_a_forced_encoding_is_used_without_a_warning(name: str) -> None:
    sie = read_sie(_latin(), encoding=name, name="t.se")
    assert sie.company_name == "Övningsbolaget AB"
    assert sie.issues == []


def test_pc8_is_a_name_for_cp437() -> None:
    sie = read_sie(_latin(), encoding="PC8", name="t.se")
    assert sie.company_name == "╓vningsbolaget AB"  # what the user asked for
    assert sie.encoding == "cp437"


def test_an_unknown_forced_encoding_is_refused_in_swedish() -> None:
    with pytest.raises(SieError) as info:
        read_sie(_latin(), encoding="latin-9000")
    assert info.value.message == (
        "Okänd teckenkodning 'latin-9000' (använd t.ex. cp437, utf-8, iso-8859-1 eller iso-8859-15)"
    )


def test_a_replacement_character_in_a_utf8_file_is_a_warning() -> None:
    # A file converted to UTF-8 by a program that did not know its encoding: the
    # letters are gone ('�'), and a name with one is not the one in the books.
    data = sie_bytes('#FNAMN "\ufffdvningsbolaget AB"', header=False, encoding="utf-8")
    data += sie_bytes('#KONTO 1930 "Bank \ufffd"', header=False, encoding="utf-8")
    sie = read_sie(data, name="t.se")
    assert [
        (i.code, i.location, i.severity.value) for i in sie.issues if i.code.endswith("character")
    ] == [("replacement_character", "t.se:1", "warning")]  # once per file
    assert sie.issues[0].message == (
        "Raden innehåller ersättningstecknet '\ufffd': bokstäver gick förlorade när filen "
        "skapades eller konverterades, så namn och texter med det stämmer inte med "
        "bokföringen. Exportera filen på nytt."
    )
    assert posting_totals(data, name="t.se").issues == sie.issues


# ---- the command line: --teckenkodning ------------------------------------------------------


@pytest.fixture(scope="module")
def recon_setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    import synthetic_books as sb

    from finsam_xl import jobs

    folder = tmp_path_factory.mktemp("teckenkodning")
    book = folder / "sd.xlsx"
    jobs.new(sb.budget_with_mapping(), book)
    books = folder / "bokforing.se"
    sb.make_books(books)
    return book, books.read_bytes()


def test_avstamning_reads_latin1_books_like_cp437_ones(
    recon_setup: tuple[Path, bytes], tmp_path: Path
) -> None:
    import json

    from typer.testing import CliRunner

    from finsam_xl.cli import app

    runner = CliRunner()
    book = tmp_path / "sd.xlsx"
    book.write_bytes(recon_setup[0].read_bytes())
    text = recon_setup[1].decode("cp437")
    assert "ä" in text or "ö" in text or "å" in text  # the test means something
    (tmp_path / "cp437").mkdir()
    (tmp_path / "latin").mkdir()
    cp437 = tmp_path / "cp437" / "bokforing.se"  # one name: the sources compare equal
    cp437.write_bytes(recon_setup[1])
    latin = tmp_path / "latin" / "bokforing.se"
    latin.write_bytes(text.encode("latin-1"))
    digest = _digest(latin)

    def run(*args: str) -> dict[str, object]:
        result = runner.invoke(app, ["avstamning", str(book), *args, "--json", "--skriv-inte"])
        assert result.exit_code == 0, result.output
        data: dict[str, object] = json.loads(result.output)
        return data

    def without_findings(data: dict[str, object]) -> dict[str, object]:
        return {k: v for k, v in data.items() if k != "findings"}

    reference = run(str(cp437))
    detected = run(str(latin))
    assert without_findings(detected) == without_findings(reference)
    assert [f["rule"] for f in detected["findings"] if f["rule"].startswith("sie.")] == [  # type: ignore[union-attr,index]
        "sie.latin1_encoding"
    ]
    forced = run(str(latin), "--teckenkodning", "iso-8859-1")
    assert without_findings(forced) == without_findings(reference)
    assert not [f for f in forced["findings"] if f["rule"].startswith("sie.")]  # type: ignore[union-attr,index]
    wrong = run(str(latin), "--teckenkodning", "PC8")  # the user's word is taken
    assert without_findings(wrong) != without_findings(reference)
    assert _digest(latin) == digest


def test_avstamning_refuses_an_unknown_encoding_in_swedish(
    recon_setup: tuple[Path, bytes], tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from finsam_xl.cli import app

    book = tmp_path / "sd.xlsx"
    book.write_bytes(recon_setup[0].read_bytes())
    books = tmp_path / "b.se"
    books.write_bytes(recon_setup[1])
    digest = _digest(book)
    result = CliRunner().invoke(
        app, ["avstamning", str(book), str(books), "--teckenkodning", "klingonska"]
    )
    assert result.exit_code == 2
    assert "Okänd teckenkodning 'klingonska'" in result.output
    assert _digest(book) == digest


def test_nytt_ar_bokslut_with_teckenkodning(
    recon_setup: tuple[Path, bytes], tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from finsam_xl.cli import app

    runner = CliRunner()
    book = recon_setup[0]
    closing = tmp_path / "bokslut.se"
    closing.write_bytes(
        sie_bytes(
            '#FNAMN "Södra Dalarnas samordningsförbund"',
            "#UB 0 1930 1600000.00",
            "#UB 0 2010 -1600000.00",
            encoding="latin-1",
        ).replace(b"#RAR 0 20250101 20251231", b"#RAR 0 20250101 20251231")
    )
    digest = _digest(closing)
    out = tmp_path / "next.xlsx"
    result = runner.invoke(
        app, ["nytt-ar", str(book), "-o", str(out), "--teckenkodning", "latin-1"]
    )
    assert result.exit_code == 2
    assert "--teckenkodning gäller bokslutsfilen; ange den med --bokslut." in result.output
    assert not out.exists()
    result = runner.invoke(app, ["nytt-ar", str(book), "-o", str(out), "--bokslut", str(closing)])
    assert "sie.latin1_encoding" in result.output, result.output
    assert "bokslut.se:6" in result.output
    out.unlink()
    result = runner.invoke(
        app,
        [
            "nytt-ar",
            str(book),
            "-o",
            str(out),
            "--bokslut",
            str(closing),
            "--teckenkodning",
            "iso-8859-1",
        ],
    )
    assert "sie.latin1_encoding" not in result.output, result.output
    assert "1 600 000" in result.output.replace("\u00a0", " ").replace("\u202f", " ")
    assert _digest(closing) == digest


# ---- properties ------------------------------------------------------------------------------

SWEDISH = st.text(
    st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ÅÄÖåäöéÉüÜ-0123456789")),
    min_size=1,
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(
    series=st.lists(st.sampled_from(["", "L", "F", "K"]), min_size=2, max_size=12),
    names=st.lists(SWEDISH, min_size=1, max_size=4),
)
def test_unnumbered_vouchers_are_never_duplicates_and_both_paths_agree(
    series: list[str], names: list[str]
) -> None:
    lines: list[str] = []
    for index, s in enumerate(series):
        text = names[index % len(names)].replace('"', "")
        lines += [
            f'#VER "{s}" "" 202501{index % 28 + 1:02d} "{text}"',
            "{",
            "#TRANS 7010 {} 10.00",
            "#TRANS 1930 {} -10.00",
            "}",
        ]
    data = sie_bytes(*lines)
    sie = read_sie(data, name="t.si")
    assert sie.errors == []
    assert [v.line for v in sie.vouchers] == [8 + 5 * i for i in range(len(series))]
    assert posting_totals(data, name="t.si").issues == sie.issues


@settings(max_examples=80, deadline=None)
@given(name=SWEDISH, account=SWEDISH, encoding=st.sampled_from(["cp437", "latin-1", "utf-8"]))
def test_swedish_names_read_back_in_cp437_latin1_and_utf8(
    name: str, account: str, encoding: str
) -> None:
    data = sie_bytes(
        f'#FNAMN "{name}"', f'#KONTO 1930 "{account}"', header=False, encoding=encoding
    )
    sie = read_sie(data)
    assert (sie.company_name, sie.accounts["1930"]) == (name, account)
    codes = {i.code for i in sie.issues}
    assert ("latin1_encoding" in codes) == (
        encoding == "latin-1" and any(c in "ÅÄÖåäöéÉüÜ" for c in name + account)
    )
    assert "mixed_encoding" not in codes
