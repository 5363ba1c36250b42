"""Put the finsam_xl VBA project and its buttons into an XlsxWriter workbook.

Call :func:`attach_to_xlsxwriter` after the last ``add_worksheet()`` and before
``close()``.  It

1. gives the workbook and every worksheet a VBA code name (keeping names already
   set with ``set_vba_name``; otherwise ``ThisWorkbook`` and ``Sheet<n>``, as
   XlsxWriter and English Excel do), so each sheet's ``codeName`` matches a
   document module of the project;
2. builds the project (``FinsamXL`` + either ``XlwingsBridge`` or xlwings'
   embedded module) and adds it with ``add_vba_project(..., is_stream=True)``;
3. inserts one form button per ``(caption, macro)`` pair, side by side, after
   checking that each macro is a public parameterless ``Sub`` of the project.

XlsxWriter is not imported here; the objects passed in are used duck-typed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Protocol

from .modules import VbaModule, check_identifier, public_macros
from .project import build_vba_project
from .sources import finsam_modules

__all__ = ["DEFAULT_BUTTONS", "attach_to_xlsxwriter", "sheet_code_names"]

DEFAULT_BUTTONS: tuple[tuple[str, str], ...] = (
    ("Beräkna", "Berakna"),
    ("Kontrollera", "Kontrollera"),
    ("Nytt år", "NyttAr"),
    ("Självtest", "Sjalvtest"),
)
"""The workbook's buttons as ``(caption, macro)``."""


class _Worksheet(Protocol):
    name: str
    index: int
    vba_codename: str | None
    is_chartsheet: bool

    def set_vba_name(self, name: str | None = None) -> None: ...

    def insert_button(self, row: int, col: int, options: dict[str, Any] | None = None) -> int: ...


class _Workbook(Protocol):
    filename: Any
    vba_codename: str | None

    def worksheets(self) -> Sequence[Any]: ...

    def set_vba_name(self, name: str | None = None) -> None: ...

    def add_vba_project(self, vba_project: Any, is_stream: bool = False) -> int: ...


def sheet_code_names(workbook: _Workbook) -> list[str]:
    """Give every sheet of ``workbook`` a code name (keeping set ones) and return them in order.

    Raises ``ValueError`` for chart sheets, invalid or duplicate code names.
    """
    names: list[str] = []
    seen: set[str] = set()
    workbook_name = workbook.vba_codename or "ThisWorkbook"
    check_identifier(workbook_name, "workbook code name")
    workbook.set_vba_name(workbook_name)
    seen.add(workbook_name.upper())
    for sheet in workbook.worksheets():
        if getattr(sheet, "is_chartsheet", False):
            raise ValueError(f"chart sheet {sheet.name!r}: chart sheets are not supported")
        code_name = sheet.vba_codename or f"Sheet{sheet.index + 1}"
        check_identifier(code_name, f"code name of sheet {sheet.name!r}")
        if code_name.upper() in seen:
            raise ValueError(f"duplicate VBA code name {code_name!r}")
        seen.add(code_name.upper())
        sheet.set_vba_name(code_name)
        names.append(code_name)
    return names


def attach_to_xlsxwriter(
    workbook: _Workbook,
    worksheet: _Worksheet,
    buttons: Sequence[tuple[str, str]] = DEFAULT_BUTTONS,
    *,
    row: int = 0,
    col: int = 0,
    embed_xlwings: bool = False,
    extra_modules: Sequence[VbaModule] = (),
    project_name: str = "VBAProject",
    button_width: int = 110,
    button_height: int = 28,
    gap: int = 8,
) -> bytes:
    """Add the VBA project and the buttons to an XlsxWriter ``workbook``; return the project bytes.

    ``worksheet`` gets the buttons, placed left to right from cell (``row``,
    ``col``) (zero-based) with ``gap`` pixels between them.  ``embed_xlwings``
    embeds xlwings' standalone VBA module from the installed xlwings package
    instead of relying on the xlwings add-in.  ``extra_modules`` are added to the
    project as they are.  The workbook must be written as ``.xlsm``.
    """
    filename = getattr(workbook, "filename", None)
    if isinstance(filename, str) and not filename.lower().endswith(".xlsm"):
        raise ValueError(f"a workbook with macros must be saved as .xlsm, not {filename!r}")
    if worksheet not in list(workbook.worksheets()):
        raise ValueError("the worksheet for the buttons does not belong to the workbook")
    modules = [*finsam_modules(embed_xlwings), *extra_modules]
    macros = {name for module in modules for name in public_macros(module)}
    for caption, macro in buttons:
        if macro not in macros:
            raise ValueError(f"button {caption!r}: no public Sub {macro}() in the project")
    code_names = sheet_code_names(workbook)
    project = build_vba_project(
        modules,
        code_names,
        project_name,
        workbook_code_name=workbook.vba_codename or "ThisWorkbook",
    )
    workbook.add_vba_project(io.BytesIO(project), is_stream=True)
    for number, (caption, macro) in enumerate(buttons):
        worksheet.insert_button(
            row,
            col,
            {
                "macro": macro,
                "caption": caption,
                "width": button_width,
                "height": button_height,
                "x_offset": 4 + number * (button_width + gap),
                "y_offset": 4,
            },
        )
    return project
