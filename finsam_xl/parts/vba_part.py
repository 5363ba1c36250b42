"""The server path's VBA project put into a workbook (``finsam-xl ny --xlsm --server URL``).

``finsam_xl.vba.server`` builds the modules (our ``FinsamServer`` and xlwings'
BSD client); this module reads the workbook's code names and replaces its
``xl/vbaProject.bin`` atomically, every other part byte for byte.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from defusedxml import ElementTree as SafeET

from finsam_xl.vba.project import build_vba_project
from finsam_xl.vba.server import server_modules
from finsam_xl.xlsx.package import NS_MAIN, Package, read_parts, write_parts
from finsam_xl.xlsx.safety import atomic_write


def _code_names(archive: zipfile.ZipFile) -> tuple[str, list[str]]:
    """The workbook's and each worksheet's VBA code name, in sheet order."""
    package = Package.read(archive)
    workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
    pr = workbook.find(f"{{{NS_MAIN}}}workbookPr")
    book_name = (pr.get("codeName") if pr is not None else None) or "ThisWorkbook"
    names = []
    for sheet, part in package.sheet_parts.items():
        root = SafeET.fromstring(archive.read(part))
        sheet_pr = root.find(f"{{{NS_MAIN}}}sheetPr")
        code = sheet_pr.get("codeName") if sheet_pr is not None else None
        if not code:
            raise ValueError(f"bladet {sheet} saknar VBA-kodnamn; skapa arbetsboken med --xlsm")
        names.append(code)
    return book_name, names


def use_server(path: Path, url: str) -> bytes:
    """Replace the .xlsm's VBA project by the server one; every other part is kept byte for byte."""
    modules = server_modules(url)
    with zipfile.ZipFile(path) as archive:
        if "xl/vbaProject.bin" not in archive.namelist():
            raise ValueError(f"{path}: har inget VBA-projekt; --server kräver --xlsm.")
        book_name, sheets = _code_names(archive)
    parts, infos = read_parts(path)
    project = build_vba_project(modules, sheets, "VBAProject", workbook_code_name=book_name)
    parts["xl/vbaProject.bin"] = project
    atomic_write(path, lambda tmp: write_parts(tmp, parts, infos), keep_backup=False)
    return project
