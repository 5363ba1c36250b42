"""Pyodide under Node for the tests: which versions, and getting them from the registries.

``prepare()`` puts the npm package ``pyodide`` and the wheels the embedded main.py
needs into ``.cache/pyodide-ci`` (gitignored), from npm and the package index
(pydantic_core as its ``pyemscripten`` wasm wheel). Pyodide's CDN is never used:
the wheels are loaded from disk. PyYAML has no wasm wheel on the index; its
pure-Python package is copied from this interpreter's installation (PyYAML
falls back to it when its C extension is absent, as it is here).

``.ci/run`` calls ``python tests/excel/pyodide_support.py`` so that CI prepares
it before the tests; the test prepares it itself when run alone.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "pyodide-ci"
RUNNER = Path(__file__).resolve().parent / "pyodide_runner.mjs"
#: npm ``pyodide``: Python 3.14, the ``pyemscripten_2026_0`` ABI.
PYODIDE = "314.0.8"
PLATFORM = "pyemscripten_2026_0_wasm32"
#: What main.py needs besides the standard library, pinned (pydantic_core is the wasm wheel).
WHEELS = {
    "pydantic": "2.14.4",
    "pydantic_core": "2.50.5",
    "typing_extensions": "4.16.0",
    "typing_inspection": "0.4.5",
    "annotated_types": "0.7.0",
    "xlwings": "0.33.21",
}


class NotAvailable(Exception):
    """Pyodide cannot be run here; the message says why (a test skips with it)."""


def node() -> str:
    """The ``node`` executable, or NotAvailable."""
    found = shutil.which("node")
    if not found:
        raise NotAvailable("Node.js is not installed (no node on PATH): Pyodide test skipped")
    return found


def _run(args: list[str], what: str, timeout: int = 600) -> None:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise NotAvailable(f"{what} failed: {(done.stderr or done.stdout)[-800:]}")


def prepare(cache: Path = CACHE) -> Path:
    """The cache directory with Pyodide and the wheels, downloading what is missing."""
    node()
    package = cache / "node_modules" / "pyodide" / "package.json"
    if not package.is_file() or json.loads(package.read_text())["version"] != PYODIDE:
        if not shutil.which("npm"):
            raise NotAvailable("npm is not installed, so Pyodide cannot be fetched")
        cache.mkdir(parents=True, exist_ok=True)
        _run(
            [
                "npm",
                "install",
                "--prefix",
                str(cache),
                "--no-audit",
                "--no-fund",
                "--no-save",
                f"pyodide@{PYODIDE}",
            ],
            f"npm install pyodide@{PYODIDE}",
        )
    wheels = cache / "wheels"
    for name, version in WHEELS.items():
        if any(wheels.glob(f"{name}-{version}-*.whl")):
            continue
        args = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--disable-pip-version-check",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            str(wheels),
            f"{name}=={version}",
        ]
        if name == "pydantic_core":
            args += ["--platform", PLATFORM, "--python-version", "3.14"]
        _run(args, f"pip download {name}=={version}")
    return cache


def wheel_files(cache: Path = CACHE) -> list[Path]:
    """The pinned wheels in the cache (one per package)."""
    return [next((cache / "wheels").glob(f"{n}-{v}-*.whl")) for n, v in WHEELS.items()]


def copy_pure_yaml(target: Path) -> str:
    """PyYAML's pure-Python package into ``target``/yaml; its version."""
    import yaml

    source = Path(yaml.__file__).parent
    shutil.copytree(
        source, target / "yaml", ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__")
    )
    return str(yaml.__version__)


if __name__ == "__main__":
    try:
        print(f"Pyodide {PYODIDE} and wheels in {prepare()}")
    except NotAvailable as error:
        print(f"varning: {error}", file=sys.stderr)
