"""The core (model, calculations, checks, interchange) imports no I/O library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from source_support import tree_of

import finsam_xl

CORE_DIRS = ["model", "core", "rules"]
CORE_MODULES: list[str] = []
FORBIDDEN = {"openpyxl", "xlwings", "xlsxwriter", "typer", "rich"}
PACKAGE = Path(finsam_xl.__file__).parent


def core_files() -> list[Path]:
    files = [PACKAGE / name for name in CORE_MODULES]
    for folder in CORE_DIRS:
        files.extend((PACKAGE / folder).rglob("*.py"))
    return files


def test_core_source_imports_no_io_library() -> None:
    offenders = []
    for path in core_files():
        for node in ast.walk(tree_of(path.resolve())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
    assert len(core_files()) > 10


def test_importing_and_running_the_core_loads_no_io_library() -> None:
    code = (
        "import sys; from finsam_xl.model.interchange import load;"
        "from finsam_xl.core import evaluate;"
        f"evaluate(load({str(PACKAGE / 'examples' / 'fryksdalen-2022.yaml')!r}));"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FORBIDDEN)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
