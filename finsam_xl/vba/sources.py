"""Where the VBA modules of the finsam_xl workbook come from.

* ``finsam_xl/vba/src/*.bas`` (package data, UTF-8): ``FinsamXL`` with the button
  macros and ``XlwingsBridge``, a ``RunPython`` that forwards to the xlwings add-in.
* Optionally xlwings' own BSD-licensed standalone VBA module (``xlwings.bas``) and
  the ``Dictionary`` class it needs on macOS (``addin/Dictionary.cls``, MIT), read
  at build time from the *installed* xlwings package.  They are never copied into
  this repository.  Their licence notices are part of their source and so travel
  inside the workbook.

Only the standard library is used; xlwings is located without importing it.
"""

from __future__ import annotations

import importlib.util
import re
from importlib import resources
from pathlib import Path

from finsam_xl.errors import FinsamError

from .modules import ModuleKind, VbaModule

__all__ = [
    "BRIDGE_MODULE",
    "XLWINGS_MISSING",
    "XlwingsMissing",
    "FINSAM_MODULE",
    "finsam_modules",
    "load_package_module",
    "xlwings_modules",
    "xlwings_package_dir",
    "xlwings_vba_version",
]

FINSAM_MODULE = "FinsamXL"
"""Name of the standard module holding the button macros."""
BRIDGE_MODULE = "XlwingsBridge"
"""Name of the module that forwards ``RunPython`` to the xlwings add-in."""


def load_package_module(name: str) -> VbaModule:
    """Load ``finsam_xl/vba/src/<name>.bas`` (UTF-8) as a module."""
    text = resources.files("finsam_xl.vba").joinpath("src", f"{name}.bas").read_text("utf-8")
    module = VbaModule.from_source(text)
    if module.name != name:
        raise ValueError(f"src/{name}.bas declares VB_Name {module.name!r}")
    return module


class XlwingsMissing(FinsamError, RuntimeError):
    """xlwings is not installed where a workbook that embeds its VBA is built; Swedish text."""


#: Why ``ny --xlsm --server`` needs the ``[excel]`` extra (the server itself does not).
XLWINGS_MISSING = (
    "--server bygger in xlwings VBA-klient (modulerna Remote, WebClient m.fl.) från "
    "Python-paketet xlwings, som inte är installerat här. Installera tillägget excel på den "
    'dator där arbetsboken skapas: pip install "finsam_xl[cli,excel]" (servern själv, '
    "finsam-xl server, klarar sig med [cli])."
)


def xlwings_package_dir() -> Path:
    """Return the directory of the installed xlwings package (without importing it).

    Raises ``XlwingsMissing`` (Swedish) when xlwings is not installed.
    """
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise XlwingsMissing(XLWINGS_MISSING)
    return Path(next(iter(spec.submodule_search_locations)))


def xlwings_vba_version(package_dir: Path | None = None) -> str:
    """Return the version stated in the installed ``xlwings.bas`` (``XLWINGS_VERSION``)."""
    text = ((package_dir or xlwings_package_dir()) / "xlwings.bas").read_text("cp1252")
    match = re.search(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', text)
    if not match:
        raise RuntimeError("xlwings.bas does not state XLWINGS_VERSION")
    return match.group(1)


def xlwings_modules(package_dir: Path | None = None) -> list[VbaModule]:
    """Return xlwings' standalone VBA module and its Dictionary class from the installed package.

    This is what ``xlwings quickstart --standalone`` embeds.  The DLL names in the
    module carry the xlwings version, so the Python package on the user's machine
    must be the same version as the one installed at build time.
    """
    base = package_dir or xlwings_package_dir()
    main = VbaModule.from_source((base / "xlwings.bas").read_text("cp1252"))
    dictionary = VbaModule.from_source(
        (base / "addin" / "Dictionary.cls").read_text("cp1252"), ModuleKind.CLASS
    )
    if main.name != "xlwings" or dictionary.name != "Dictionary":
        raise RuntimeError("unexpected module names in the installed xlwings package")
    return [main, dictionary]


def finsam_modules(embed_xlwings: bool = False) -> list[VbaModule]:
    """Return the modules of the finsam_xl project.

    ``FinsamXL`` always; then either xlwings' embedded modules (``embed_xlwings``)
    or ``XlwingsBridge``, which needs the xlwings add-in on the user's machine.
    LibreOffice does not run macros of a project that contains the embedded xlwings
    module, so leave ``embed_xlwings`` off for anything tested there.
    """
    modules = [load_package_module(FINSAM_MODULE)]
    if embed_xlwings:
        modules += xlwings_modules()
    else:
        modules.append(load_package_module(BRIDGE_MODULE))
    return modules
