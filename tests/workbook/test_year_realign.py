"""recalc after the year settings changed: the input tables' year headings follow (issue 22).

The user changes Budgetår (or Antal planår) in Inställningar after typing the
amounts; recalc renames the year headings of Rader and Medlemmar and the years of
Medelstilldelning, in Excel's own tables, adds or removes *empty* year columns,
and refuses (file unchanged) when a year that is no longer needed holds amounts.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from support import EXAMPLES

from finsam_xl import jobs
from finsam_xl.model import schema as S
from finsam_xl.model.interchange import load
from finsam_xl.parts.lite_part import extract
from finsam_xl.workbook.reader import year_offset
from finsam_xl.xlsx.shift import rename_structured


def _sheet_part(path: Path, sheet: str) -> str:
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="([^"]+)"', book)
    assert rid, sheet
    target = re.search(rf'<Relationship [^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels)
    if target is None:
        target = re.search(rf'Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    assert target
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def _put_cell(path: Path, sheet: str, ref: str, typed: str) -> None:
    """Replace one cell at package level: ``typed`` follows its kept attributes (``t=``
    dropped), as ``><v>5</v></c>`` or `` t="inlineStr"><is>…</is></c>``."""
    part = _sheet_part(path, sheet)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                xml, n = re.subn(
                    rf'<c r="{ref}"([^>]*?)(?:/>|>.*?</c>)',
                    lambda m: f'<c r="{ref}"' + re.sub(r'\s+t="[^"]*"', "", m.group(1)) + typed,
                    data.decode(),
                    count=1,
                )
                assert n == 1, ref
                data = xml.encode()
            zout.writestr(info, data)
    shutil.move(tmp, path)


def set_number(path: Path, sheet: str, ref: str, value: int) -> None:
    """Type a number into one cell at package level, as Excel would save it."""
    _put_cell(path, sheet, ref, f"><v>{value}</v></c>")


def setting_cell(path: Path, label: str) -> str:
    """The Värde cell of a settings row."""
    import openpyxl

    ws = openpyxl.load_workbook(path)["Inställningar"]
    for row in ws.iter_rows(min_row=4):
        if row[0].value == label:
            return str(row[1].coordinate)
    raise AssertionError(label)


def amounts_by_year(budget: object) -> dict[tuple[str, str, int], object]:
    out: dict[tuple[str, str, int], object] = {}
    for kind in ("costs", "income", "members"):
        for item in getattr(budget, kind):
            for year, amount in item.amounts.items():
                out[(kind, item.name, year)] = amount
    for entry in budget.contributions:  # type: ignore[attr-defined]
        out[("contributions", entry.mode.value, entry.year)] = entry.amount
    return out


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    """Södra Dalarna 2025 as an .xlsx with finsam_xl's Lite code."""
    path = tmp_path / "sd.xlsx"
    jobs.new(load(EXAMPLES / "sodra-dalarna-2025.yaml"), path, lite=True)
    return path


def test_year_back_and_forth_loses_nothing(book: Path) -> None:
    before = jobs.check(book)
    assert before.budget is not None
    cell = setting_cell(book, "Budgetår")
    set_number(book, "Inställningar", cell, 2026)
    said = jobs.check(book).findings  # one cause, first, naming what follows from it
    assert said[0].rule == "read.years-changed" and said[0].cause
    assert "Medelstilldelningens år" in said[0].message and "berakna" in said[0].message
    assert not [f for f in said if f.rule in ("read.year-column-missing", "read.blank-amount")]
    moved = jobs.recalc(book)
    assert moved.written is not None
    assert moved.budget is not None and moved.budget.years.budget == 2026
    note = [f for f in moved.findings if f.rule == "recalc.years-renamed"]
    assert note and "Rader: 2024–2028 → 2025–2029" in note[0].message
    old, new = amounts_by_year(before.budget), amounts_by_year(moved.budget)
    assert new == {(k, n, y + 1): v for (k, n, y), v in old.items()}
    assert "main.py" in extract(book)  # the Lite part survives the openpyxl edit
    set_number(book, "Inställningar", cell, 2025)
    back = jobs.recalc(book)
    assert back.written is not None and back.budget is not None
    assert amounts_by_year(back.budget) == old
    assert [f.as_json() for f in jobs.check(book).findings] == [
        f.as_json() for f in before.findings
    ]


def test_structured_reference_follows_the_rename(tmp_path: Path, book: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(book)
    wb.create_sheet("Egen")["A1"] = "=SUM(Rader[2025])"
    ws = wb["Inställningar"]
    cell = setting_cell(book, "Budgetår")
    ws[cell] = 2026
    wb.save(book)
    assert jobs.recalc(book).written is not None
    wb = openpyxl.load_workbook(book)
    assert wb["Egen"]["A1"].value == "=SUM(Rader[2026])"
    rader = next(t for t in wb["Rader"].tables.values() if t.displayName == "Rader")
    names = [c.name for c in rader.tableColumns]
    assert names[7:12] == ["2025", "2026", "2027", "2028", "2029"]
    assert [wb["Rader"].cell(3, c).value for c in range(8, 13)] == names[7:12]


def test_a_dropped_year_with_amounts_is_refused(book: Path) -> None:
    set_number(book, "Inställningar", setting_cell(book, "Budgetår"), 2026)
    set_number(book, "Inställningar", setting_cell(book, "Antal jämförelseår"), 0)
    digest = sha(book)
    outcome = jobs.recalc(book)
    assert outcome.written is None
    assert sha(book) == digest
    refused = [f for f in outcome.findings if f.rule == "read.year-column-amounts"]
    assert refused and refused[0].location is not None
    assert "'2024'" in refused[0].message and "Inget har ändrats" in refused[0].message
    assert refused[0].location.startswith("Rader!")


def test_empty_year_columns_are_added_and_removed(tmp_path: Path) -> None:
    path = tmp_path / "ny.xlsx"
    jobs.new(jobs.load_budget(None, 2027), path)
    set_number(path, "Inställningar", setting_cell(path, "Antal planår"), 3)
    outcome = jobs.recalc(path)
    assert outcome.written is not None and outcome.budget is not None
    assert outcome.budget.years.plan == [2028, 2029, 2030]
    set_number(path, "Inställningar", setting_cell(path, "Antal planår"), 1)
    set_number(path, "Inställningar", setting_cell(path, "Budgetår"), 2026)
    outcome = jobs.recalc(path)
    assert outcome.written is not None and outcome.budget is not None
    assert outcome.budget.years.all == [2025, 2026, 2027]
    import openpyxl

    wb = openpyxl.load_workbook(path)
    rader = wb["Rader"]
    heads = [rader.cell(3, c).value for c in range(1, rader.max_column + 1)]
    assert [h for h in heads if h and re.fullmatch(r"\d{4}", str(h))] == ["2025", "2026", "2027"]
    assert heads[heads.index("2027") + 1] == "Beslutsdatum"
    years = [wb["Medelstilldelning"].cell(r, 1).value for r in range(4, 9)]
    assert [y for y in years if y] == [2026, 2027]


def test_year_offset_and_structured_names() -> None:
    assert year_offset([2027, 2028, 2029], [2026, 2027, 2028]) == -1
    assert year_offset([2024, 2025, 2026, 2027, 2028], [2024, 2025, 2026, 2027]) == 0
    assert year_offset([2024, 2025, 2026, 2027, 2028], [2023, 2024, 2025, 2026, 2027, 2028]) == 0
    renames = {"2025": "2026", "2026": "2027"}
    formula = '=Rader[[#This Row],[2026]]+SUM(Rader[2025])&"Rader[2025]"'
    assert (
        rename_structured(formula, "Rader", renames)
        == '=Rader[[#This Row],[2027]]+SUM(Rader[2026])&"Rader[2025]"'
    )


def set_text(path: Path, sheet: str, ref: str, text: str) -> None:
    """Type a text into one cell at package level (an inline string)."""
    from xml.sax.saxutils import escape

    _put_cell(path, sheet, ref, f' t="inlineStr"><is><t>{escape(text)}</t></is></c>')


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_recalc_updates_the_tool_texts_and_nothing_else(tmp_path: Path) -> None:
    """Instruktioner!A1 and the input sheets' page headers follow Inställningar (issue 22)."""
    import openpyxl
    from ooxml_support import problems_of

    from finsam_xl.xlsx.package import Package

    path = tmp_path / "ny.xlsx"
    jobs.new(jobs.load_budget(None, 2027), path)
    name = "Samordningsförbundet Norr & Syd"
    set_text(path, "Inställningar", setting_cell(path, "Förbund"), name)
    before = _parts(path)
    assert jobs.recalc(path).written is not None
    after = _parts(path)
    with zipfile.ZipFile(path) as z:
        pkg = Package.read(z)
    computed = {
        pkg.sheet_parts[s]
        for s in (
            "Plan",
            "Fördelning",
            "Budget",
            "Not 1",
            "Insatser",
            "Eget kapital",
            "Fakturaplan",
            "Kontroller",
            "_finsam_stilar",
        )
    }
    settings, instructions = pkg.sheet_parts["Inställningar"], pkg.sheet_parts["Instruktioner"]
    assert before.keys() == after.keys()
    changed = {n for n in after if after[n] != before[n]} - computed
    # header only: Avstämning and Uppföljning, and every input sheet (S.input_header)
    others = {pkg.sheet_parts["Avstämning"], pkg.sheet_parts["Uppföljning"]} | {
        pkg.sheet_parts[s]
        for s in S.INPUT_SHEETS
        if s in pkg.sheet_parts and s not in ("Inställningar", "Instruktioner")
    }
    assert changed == {settings, instructions} | others
    strip = re.compile(rb"<headerFooter>.*?</headerFooter>", re.DOTALL)
    for part in others:
        assert strip.sub(b"", after[part]) == strip.sub(b"", before[part])
    assert strip.sub(b"", after[settings]) == strip.sub(b"", before[settings])
    a1 = re.compile(rb'<c r="A1".*?</c>', re.DOTALL)
    assert a1.sub(b"", strip.sub(b"", after[instructions])) == a1.sub(
        b"", strip.sub(b"", before[instructions])
    )
    wb = openpyxl.load_workbook(path)
    assert wb["Instruktioner"]["A1"].value == "Budget 2027 – Samordningsförbundet Norr & Syd"
    for sheet in ("Instruktioner", "Inställningar"):
        assert wb[sheet].oddHeader.left.text == "Samordningsförbundet Norr && Syd"  # && = &
        assert wb[sheet].oddHeader.right.text == "Budget 2027"  # S.input_header
        assert wb[sheet].oddFooter.right.text == "Sida &P av &N"
    assert problems_of(path) == []


def test_a_users_own_title_and_header_are_left_alone(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "ny.xlsx"
    jobs.new(jobs.load_budget(None, 2027), path)
    set_text(path, "Instruktioner", "A1", "Vår budget")
    set_text(path, "Inställningar", setting_cell(path, "Förbund"), "Förbundet X")
    assert jobs.recalc(path).written is not None
    wb = openpyxl.load_workbook(path)
    assert wb["Instruktioner"]["A1"].value == "Vår budget"
    assert wb["Inställningar"].oddHeader.left.text == "Förbundet X"


def test_the_realignment_keeps_macros_buttons_and_a_valid_package(tmp_path: Path) -> None:
    from ooxml_support import problems_of

    book = tmp_path / "sd.xlsm"
    jobs.new(load(EXAMPLES / "sodra-dalarna-2025.yaml"), book, xlsm=True)
    before = _parts(book)
    set_number(book, "Inställningar", setting_cell(book, "Budgetår"), 2026)
    outcome = jobs.recalc(book)
    assert outcome.written is not None
    after = _parts(book)
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    vml = [n for n in before if n.startswith("xl/drawings/vmlDrawing")]
    assert vml and all(n in after for n in vml)
    assert problems_of(book) == []
    # the backup is the file as the user left it
    assert book.with_name("sd.backup.xlsm").exists()
