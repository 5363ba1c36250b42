"""The package's source files, read and parsed once per test process.

Several suites read the whole of ``finsam_xl`` as syntax trees (the layering, the one-place
checks, the exception family, the function sizes, the enums, purity). Each parsed every
file itself, some at import, so that every xdist worker parsed the package several times
while collecting. ``tree_of`` parses a file once; the trees are shared and must be read,
never changed.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import finsam_xl

PACKAGE = Path(finsam_xl.__file__).resolve().parent


@cache
def source_of(path: Path) -> str:
    """The text of a package file."""
    return path.read_text(encoding="utf-8")


@cache
def tree_of(path: Path) -> ast.Module:
    """The syntax tree of a package file (shared: read it, do not change it)."""
    return ast.parse(source_of(path), str(path))


@cache
def package_files() -> tuple[Path, ...]:
    """Every ``.py`` file of the package, sorted."""
    return tuple(sorted(PACKAGE.rglob("*.py")))
