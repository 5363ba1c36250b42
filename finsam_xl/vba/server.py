"""The server path's VBA project: buttons that call ``finsam-xl server`` through xlwings' client.

``finsam-xl ny --xlsm --server URL`` writes the workbook as usual and then
replaces its ``xl/vbaProject.bin`` (``parts.vba_part.use_server``) with a project of

* ``FinsamServer`` (``src/FinsamServer.bas``): the same public macros as
  ``FinsamXL`` (Berakna, Kontrollera, NyttAr, Sjalvtest), so the existing buttons
  keep their bindings; each calls ``RunServerPython URL & "/berakna"`` etc.;
* xlwings' BSD VBA client, read at build time from the *installed* xlwings
  package and embedded unchanged, as ``xlwings quickstart --server --standalone``
  does: the standalone module ``xlwings`` (GetConfig, XLWINGS_VERSION),
  ``Dictionary`` (MIT) and ``Remote``, ``WebHelpers``, ``IWebAuthenticator``,
  ``WebClient``, ``WebRequest``, ``WebResponse`` (MIT, VBA-Web; modified by
  xlwings).

The document modules keep the code names the sheets already have
(``sheetPr/@codeName``), so nothing else in the package changes.
"""

from __future__ import annotations

import re
from pathlib import Path

from .modules import ModuleKind, VbaModule
from .sources import load_package_module, xlwings_modules, xlwings_package_dir

__all__ = ["REMOTE_FILES", "SERVER_MODULE", "check_url", "remote_modules", "server_modules"]

SERVER_MODULE = "FinsamServer"
#: xlwings' remote client as ``quickstart --server`` imports it (xlwings cli.py).
REMOTE_FILES = (
    "Remote.bas",
    "WebHelpers.bas",
    "IWebAuthenticator.cls",
    "WebClient.cls",
    "WebRequest.cls",
    "WebResponse.cls",
)
_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~%/-]*)?$")
_CONST = re.compile(r'^(Private Const SERVER_URL As String = )"[^"]*"$', re.MULTILINE)


def check_url(url: str) -> str:
    """The server address without a trailing slash; ValueError (Swedish) if it is unusable."""
    clean = url.strip().rstrip("/")
    if len(clean) > 200 or not _URL.match(clean):
        raise ValueError(
            f"--server: '{url}' är ingen giltig adress; ange t.ex. "
            "https://finsam.kommun.se (http eller https, utan mellanslag och "
            "citattecken)."
        )
    return clean


def remote_modules(package_dir: Path | None = None) -> list[VbaModule]:
    """xlwings' VBA client modules from the installed package, unchanged (code page 1252)."""
    base = (package_dir or xlwings_package_dir()) / "addin"
    out = []
    for name in REMOTE_FILES:
        kind = ModuleKind.CLASS if name.endswith(".cls") else ModuleKind.STANDARD
        module = VbaModule.from_source((base / name).read_text("cp1252"), kind)
        if module.name != Path(name).stem:
            raise RuntimeError(f"unexpected module name {module.name!r} in xlwings' {name}")
        out.append(module)
    return out


def server_modules(url: str, package_dir: Path | None = None) -> list[VbaModule]:
    """``FinsamServer`` for ``url``, xlwings' standalone module, Dictionary and the client."""
    own = load_package_module(SERVER_MODULE)
    code, count = _CONST.subn(lambda m: f'{m.group(1)}"{check_url(url)}"', own.code)
    if count != 1:
        raise RuntimeError("src/FinsamServer.bas has no SERVER_URL constant")
    server = VbaModule(own.name, code, own.kind, own.attributes)
    return [server, *xlwings_modules(package_dir), *remote_modules(package_dir)]
