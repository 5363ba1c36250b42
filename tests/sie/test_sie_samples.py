"""Optional: read a folder of real SIE files (not in the repository) and write them back.

Set ``SIE_SAMPLE_DIR`` to a folder of ``.se``/``.si`` files to run these tests;
without it they are skipped. Real exports may carry their own defects
(reported as issues); what must hold for every file is: no traceback, and
read -> write -> read gives the same records.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from finsam_xl.sie import SieError, SieWriteError, read_sie, write_sie

FOLDER = os.environ.get("SIE_SAMPLE_DIR", "")
FILES = sorted(p for p in Path(FOLDER).glob("*") if FOLDER and p.suffix.lower() in (".se", ".si"))


@pytest.mark.skipif(not FILES, reason="SIE_SAMPLE_DIR är inte satt")
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_real_file_reads_and_writes_back(path: Path) -> None:
    try:
        sie = read_sie(path)
    except SieError as exc:
        assert exc.message  # a fatal problem, told in Swedish with its place
        return
    buf = io.BytesIO()
    try:
        write_sie(sie, buf)
    except SieWriteError:
        # Text that CP437 cannot hold (a UTF-8 file with other characters): written
        # with '?', so only the shape can be compared.
        buf = io.BytesIO()
        write_sie(sie, buf, errors="replace")
        assert len(read_sie(buf.getvalue()).records) == len(sie.records)
        return
    assert read_sie(buf.getvalue()).records == sie.records
