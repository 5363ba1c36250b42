"""Helpers for the SIE tests: build small files, read them, look at their issues."""

from __future__ import annotations

from pathlib import Path

from finsam_xl.sie import Issue, SieError, SieFile, read_sie

DATA = Path(__file__).resolve().parent / "data"
EXAMPLE = DATA / "exempel_typ4.se"

HEADER = (
    "#FLAGGA 0",
    '#PROGRAM "Test" 1.0',
    "#FORMAT PC8",
    "#GEN 20250101",
    "#SIETYP 4",
    '#FNAMN "Testförbundet"',
    "#RAR 0 20250101 20251231",
)
"""Seven header lines: a record after them is on line 8."""


def sie_bytes(*lines: str, header: bool = True, encoding: str = "cp437") -> bytes:
    """The bytes of an SIE file: the standard header (unless told not to) and the lines."""
    body = (*HEADER, *lines) if header else lines
    return ("\r\n".join(body) + "\r\n").encode(encoding)


def read(data: bytes, **kw: object) -> SieFile:
    """Read bytes as a file named test.se."""
    return read_sie(data, name="test.se", **kw)  # type: ignore[arg-type]


def problems(data: bytes, **kw: object) -> list[tuple[str, int | None, str]]:
    """(severity, line, message) of every issue, or of the fatal error when reading raises."""
    try:
        sie = read(data, **kw)
    except SieError as exc:
        return [("fatal", exc.line, exc.message)]
    return [(i.severity.value, i.line, i.message) for i in sie.issues]


def only(issues: list[Issue], code: str) -> list[Issue]:
    """The issues with one code."""
    return [i for i in issues if i.code == code]
