"""Test support: paths to the bundled examples and to the published figures.

The published figures of the seed budgets (transcribed in ../shared/examples)
are kept in ``tests/data/figures`` so that the tests run in a bare clone;
``test_published_copy_matches_shared`` keeps the copy equal to ../shared.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "finsam_xl" / "examples"
SHARED = ROOT.parent / "shared"
FIGURES = ROOT / "tests" / "data" / "figures"
EXAMPLE_NAMES = ["fryksdalen-2022", "sodra-dalarna-2025", "sodra-lappland-2024"]


def shared_example(name: str) -> dict[str, Any]:
    """The transcribed published figures of a seed budget (kept in the repository)."""
    path = FIGURES / f"{name}.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def example_path() -> Any:
    """Function returning the bundled interchange file of an example."""
    return lambda name: EXAMPLES / f"{name}.yaml"


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
#: LibreOffice's filter for saving as a regular .xlsx.
TO_XLSX = "xlsx:Calc MS Excel 2007 XML"


def libreoffice_convert(
    files: Sequence[Path], outdir: Path, target: str, timeout: float = 240, check: bool = True
) -> subprocess.CompletedProcess[bytes]:
    """Convert ``files`` with headless LibreOffice (a private profile beside ``outdir``)."""
    assert SOFFICE, "LibreOffice (soffice) saknas"
    profile = outdir.parent / f"{outdir.name}-lo-profile"
    return subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        check=check,
        capture_output=True,
        timeout=timeout,
    )


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each non-empty page of a PDF (pdftotext -layout)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


def digest(path: Path) -> str:
    """The SHA-256 of a file: a bad-input test asserts that the input is left as it was."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
