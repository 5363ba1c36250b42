"""Every computed sheet of the three examples rendered through LibreOffice to PDF.

Each example workbook is converted once per session, with the input sheets
hidden so that only the computed sheets print. Every page must carry the
förbund's name (page header) and its own page number ("Sida N av M"), and for
each sheet some page must hold all its printed column headings: a column cut
off onto a page of its own would fail that.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support import EXAMPLE_NAMES, libreoffice_convert

from finsam_xl.model import schema as S

COMPUTED = (
    S.SHEET_PLAN,
    S.SHEET_ALLOCATION,
    S.SHEET_BUDGET,
    S.SHEET_NOT1,
    S.SHEET_INSATSER,
    S.SHEET_EQUITY,
    S.SHEET_FINDINGS,
)


def only_computed(src: Path, dst: Path) -> None:
    """Copy a workbook with every sheet but the computed ones hidden."""
    with zipfile.ZipFile(src) as archive, zipfile.ZipFile(dst, "w") as out:
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename == "xl/workbook.xml":

                def hide(match: re.Match[str]) -> str:
                    tag = match.group(0)
                    name = re.search(r'name="([^"]*)"', tag)
                    if (name and name.group(1) in COMPUTED) or "state=" in tag:
                        return tag
                    return tag.replace("<sheet ", '<sheet state="hidden" ', 1)

                data = re.sub(r"<sheet [^>]*/>", hide, data.decode()).encode()
            out.writestr(info, data)


pytestmark = pytest.mark.slow  # LibreOffice renders the three workbooks


@pytest.fixture(scope="session")
def rendered(
    example_books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[str]]:
    """name -> text of each PDF page (one LibreOffice run for all three workbooks)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) eller pdftotext saknas")
    folder = tmp_path_factory.mktemp("render")
    sources = []
    for name, book in example_books.items():
        copy = folder / f"{name}.xlsx"
        only_computed(book, copy)
        sources.append(str(copy))
    libreoffice_convert([Path(p) for p in sources], folder, "pdf", check=False)
    pages: dict[str, list[str]] = {}
    for name in example_books:
        pdf = folder / f"{name}.pdf"
        if not pdf.exists():
            pytest.fail(f"LibreOffice gav ingen PDF för {name}")
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True
        ).stdout
        pages[name] = [p for p in text.split("\f") if p.strip()]
    return pages


def squash(text: object) -> str:
    """Text without any whitespace (wrapped headings come out as several lines)."""
    return "".join(str(text or "").split())


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_page_carries_the_forbund_and_its_page_number(
    name: str, rendered: dict[str, list[str]], example_books: dict[str, Path]
) -> None:
    forbund = load_workbook(example_books[name], read_only=True)["Inställningar"]["B4"].value
    pages = rendered[name]
    assert len(pages) >= len(COMPUTED)
    for number, page in enumerate(pages, start=1):
        assert forbund in page, f"sidan {number} saknar förbundets namn"
        assert f"Sida {number} av {len(pages)}" in page, f"sidan {number} saknar sidnummer"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_no_column_is_cut_off_the_page(
    name: str, rendered: dict[str, list[str]], example_books: dict[str, Path]
) -> None:
    wb = load_workbook(example_books[name])
    pages = [squash(p) for p in rendered[name]]
    for sheet in COMPUTED:
        ws = wb[sheet]
        hidden = {
            c
            for dim in ws.column_dimensions.values()
            if dim.hidden and dim.min and dim.max
            for c in range(dim.min, dim.max + 1)
        }
        labels = [squash(cell.value) for cell in ws[4] if cell.value and cell.column not in hidden]
        assert labels, sheet
        assert any(all(label in page for label in labels) for page in pages), (
            f"{name}: bladet {sheet} har inte alla kolumnrubriker {labels} på samma sida"
        )
