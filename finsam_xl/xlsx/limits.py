"""The xlsx limits and the error for a workbook that cannot be used (docs/limits.md).

Apart from ``xlsx.safety`` (which enforces them on a file), so that the workbook reader
and writer, which also run inside xlwings Lite, need neither locks nor file writes.
"""

from __future__ import annotations

from finsam_xl.errors import FinsamError

MB = 1024 * 1024

#: Largest workbook file on disk. A 2 000-line synthetic workbook is 0.2 MB.
MAX_FILE_BYTES = 25 * MB
#: Largest total unpacked size of all parts, as declared in the zip directory
#: (zipfile never unpacks more than a part declares). The 2 000-line workbook unpacks to 1.2 MB.
MAX_UNCOMPRESSED = 32 * MB
#: Largest compression ratio of the whole package once it unpacks to more than RATIO_FLOOR.
MAX_RATIO = 100
#: Largest compression ratio of one part larger than RATIO_FLOOR.
MAX_PART_RATIO = 200
RATIO_FLOOR = 1 * MB
#: Most parts (files) in one package.
MAX_PARTS = 2_000
#: Most data rows and columns of one input table (after trimming to the used rows and columns).
MAX_TABLE_ROWS = 100_000
MAX_TABLE_COLS = 1_000
#: Most characters in one cell written by the tool (Excel's own limit).
MAX_CELL_CHARS = 32_767


class WorkbookError(FinsamError):
    """A workbook that cannot be used; ``str()`` is a Swedish message naming the file or cell."""
