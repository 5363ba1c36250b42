"""Helpers shared by the VBA tests (a uniquely named module, importable from test files)."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import olefile


def ole_streams(data: bytes) -> dict[str, bytes]:
    """Read every stream of a compound file with olefile (strict defect level)."""
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    try:
        return {"/".join(path): ole.openstream(path).read() for path in ole.listdir()}
    finally:
        ole.close()


def xlwings_dir() -> Path | None:
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))
