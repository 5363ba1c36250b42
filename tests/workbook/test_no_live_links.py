"""No string becomes a live link (issue 18, item 15): XlsxWriter's strings_to_urls is off.

A member named ``external:c:\\windows\\calc.exe`` was written by the overview as a
``file:///`` hyperlink relationship; a 2 100-character URL-like name was left blank with
an English UserWarning. Both are now plain text, with no warning.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from support import EXAMPLES

from finsam_xl import jobs
from finsam_xl.model.budget import Budget
from finsam_xl.model.interchange import dump, load
from finsam_xl.xlsx.cells import XLSXWRITER_OPTIONS

CALC = "external:c:\\windows\\calc.exe"
LONG = "https://example.com/" + "a" * 2_100


def budget_with_members(*names: str) -> Budget:
    """Södra Dalarna with its first kommun members renamed to ``names``."""
    data = load(EXAMPLES / "sodra-dalarna-2025.yaml").model_dump()
    kommuner = [m for m in data["members"] if m["kind"] == "kommun"]
    renames = dict(zip((m["name"] for m in kommuner), names, strict=False))
    assert len(renames) == len(names)
    return Budget.model_validate(_rename(data, renames))


def _rename(value: object, renames: dict[str, str]) -> object:
    if isinstance(value, dict):
        return {
            renames.get(k, k) if isinstance(k, str) else k: _rename(v, renames)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_rename(v, renames) for v in value]
    if isinstance(value, str):
        return renames.get(value, value)
    return value


def hyperlink_parts(path: Path) -> list[str]:
    """Every relationship or sheet element that makes a hyperlink."""
    found = []
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            text = package.read(name).decode("utf-8", "replace")
            if "relationships/hyperlink" in text or "<hyperlink " in text or "file:///" in text:
                found.append(name)
    return found


def test_the_options_are_one_definition() -> None:
    assert XLSXWRITER_OPTIONS == {
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    }


def test_the_overview_writes_url_like_names_as_text(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    dump(budget_with_members(CALC, LONG), source / "a.yaml")
    out = tmp_path / "oversikt.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # XlsxWriter's English UserWarning is an error here
        written = jobs.overview_of([source], out, workers=1).written
    assert written == out
    assert hyperlink_parts(out) == []
    ws = load_workbook(out)["Medlemmar"]
    names = {c.value for c in ws["A"] if isinstance(c.value, str)}
    assert CALC in names and LONG in names


def test_a_new_workbook_writes_url_like_names_as_text(tmp_path: Path) -> None:
    out = tmp_path / "ny.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jobs.new(budget_with_members(CALC, "mailto:x@example.com"), out)
    assert hyperlink_parts(out) == []
    ws = load_workbook(out)["Medlemmar"]
    names = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert CALC in names and "mailto:x@example.com" in names
