"""Read-only access to the parts of an xlsx/xlsm package: sheets, defined names, cells.

Parsing goes through defusedxml, so entity bombs are refused. Used by the
writer to find the computed sheets and their anchors without loading the
workbook into openpyxl (which would rewrite every part on save).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET

from finsam_xl.xlsx.cells import col_index, split_ref

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_WETP = "http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11"
TASKPANES = "xl/webextensions/taskpanes.xml"
TASKPANES_RELS = "xl/webextensions/_rels/taskpanes.xml.rels"
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


@dataclass
class Package:
    """The workbook-level facts of a package: sheet part paths and defined names."""

    sheet_parts: dict[str, str] = field(default_factory=dict)  # sheet name -> zip path
    names: dict[str, str] = field(default_factory=dict)  # defined name -> formula text

    @classmethod
    def read(cls, archive: zipfile.ZipFile) -> Package:
        """Parse xl/workbook.xml and its relationships."""
        workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
        rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {
            r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{NS_PKG_REL}}}Relationship")
        }
        pkg = cls()
        for sheet in workbook.iter(f"{{{NS_MAIN}}}sheet"):
            target = targets.get(sheet.get(f"{{{NS_REL}}}id"), "")
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
            pkg.sheet_parts[sheet.get("name", "")] = path
        for name in workbook.iter(f"{{{NS_MAIN}}}definedName"):
            if name.get("localSheetId") is None:
                pkg.names[name.get("name", "")] = name.text or ""
        return pkg

    def anchor(self, name: str) -> tuple[str, int, int]:
        """(sheet, row, column) of a defined name's first cell; KeyError if undefined."""
        return split_ref(self.names[name])


def table_parts(archive: zipfile.ZipFile, part: str) -> list[Any]:
    """The ``<table>`` elements a sheet part points to through its relationships."""
    names = set(archive.namelist())
    folder, base = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", base + ".rels")
    if rels_part not in names:
        return []
    rels = SafeET.fromstring(archive.read(rels_part))
    tables = []
    for rel in rels.iter(f"{{{NS_PKG_REL}}}Relationship"):
        if not rel.get("Type", "").endswith("/table"):
            continue
        target = rel.get("Target", "")
        path = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        if path in names:
            tables.append(SafeET.fromstring(archive.read(path)))
    return tables


def sheet_tables(archive: zipfile.ZipFile, pkg: Package) -> dict[str, list[str]]:
    """Every sheet's Excel tables, as 'Name (A3:K20)', found through the sheet's relationships."""
    return {
        sheet: [
            f"{t.get('displayName') or t.get('name')} ({t.get('ref')})"
            for t in table_parts(archive, part)
        ]
        for sheet, part in pkg.sheet_parts.items()
    }


def cell_styles(archive: zipfile.ZipFile, part: str) -> dict[tuple[int, int], str]:
    """The style id ('s' attribute) of every cell in a sheet part, by (row, column)."""
    root = SafeET.fromstring(archive.read(part))
    styles: dict[tuple[int, int], str] = {}
    for cell in root.iter(f"{{{NS_MAIN}}}c"):
        match = _CELL.match(cell.get("r", ""))
        if match:
            styles[(int(match.group(2)), col_index(match.group(1)))] = cell.get("s", "0")
    return styles


#: The timestamp of parts added to a package, so that a written file does not depend on the clock.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def read_parts(path: Path) -> tuple[dict[str, bytes], list[zipfile.ZipInfo]]:
    """Every part of a package by name, and the zip entries in their order."""
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        return {i.filename: archive.read(i) for i in infos}, infos


def write_parts(target: Path, parts: dict[str, bytes], infos: list[zipfile.ZipInfo]) -> None:
    """Write ``parts``: existing ones in their order with their zip settings, new ones last."""
    known = {i.filename for i in infos}
    with zipfile.ZipFile(target, "w") as out:
        for info in infos:
            out.writestr(info, parts[info.filename], compress_type=info.compress_type)
        for name, data in parts.items():
            if name not in known:
                info = zipfile.ZipInfo(name, FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(info, data)


def dangling_taskpane(archive: zipfile.ZipFile) -> str | None:
    """``taskpanes.xml`` when a task pane points at a web-extension part that is not there.

    A LibreOffice save (and possibly other editors) drops the web-extension part
    and its relationships but keeps ``taskpanes.xml``: the workbook has lost its
    add-in (for finsam_xl: the xlwings Lite code). None when nothing is lost (or
    there never was a task pane).
    """
    names = set(archive.namelist())
    if TASKPANES not in names:
        return None
    refs = [
        ref.get(f"{{{NS_REL}}}id")
        for ref in SafeET.fromstring(archive.read(TASKPANES)).iter(f"{{{NS_WETP}}}webextensionref")
    ]
    if not refs:
        return None
    targets: dict[str, str] = {}
    if TASKPANES_RELS in names:
        for rel in SafeET.fromstring(archive.read(TASKPANES_RELS)):
            target = rel.get("Target", "")
            targets[rel.get("Id", "")] = (
                target.lstrip("/") if target.startswith("/") else f"xl/webextensions/{target}"
            )
    if all(ref in targets and targets[ref] in names for ref in refs):
        return None
    return TASKPANES
