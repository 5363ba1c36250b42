"""Build the workbook's VBA project (``vbaProject.bin``) on any OS, without Excel.

The project is source-only ([MS-OVBA] with ``_VBA_PROJECT`` version 0xFFFF), so
Excel compiles it from the module source on first open.  Everything here is
pure Python using only the standard library; see ``docs/vba.md``.

Main entry points:

* :func:`build_vba_project` - modules + sheet code names -> ``vbaProject.bin`` bytes;
* :func:`finsam_modules` - the project's modules (``FinsamXL`` and RunPython's source);
* :func:`attach_to_xlsxwriter` - project and buttons into an XlsxWriter workbook;
* :func:`read_vba_streams` - a strict reader for tests and diagnostics.
"""

from .attach import DEFAULT_BUTTONS, attach_to_xlsxwriter, sheet_code_names
from .cfb import build_compound_file
from .compression import CompressionError, compress, decompress
from .modules import ModuleKind, VbaModule, public_macros
from .project import (
    OFFICE_REFERENCE,
    STDOLE_REFERENCE,
    RegisteredReference,
    build_vba_project,
    build_vba_streams,
)
from .reader import ParsedModule, ParsedProject, VbaFormatError, read_vba_streams
from .sources import finsam_modules, xlwings_modules, xlwings_vba_version

__all__ = [
    "DEFAULT_BUTTONS",
    "OFFICE_REFERENCE",
    "STDOLE_REFERENCE",
    "CompressionError",
    "ModuleKind",
    "ParsedModule",
    "ParsedProject",
    "RegisteredReference",
    "VbaFormatError",
    "VbaModule",
    "attach_to_xlsxwriter",
    "build_compound_file",
    "build_vba_project",
    "build_vba_streams",
    "compress",
    "decompress",
    "finsam_modules",
    "public_macros",
    "read_vba_streams",
    "sheet_code_names",
    "xlwings_modules",
    "xlwings_vba_version",
]
