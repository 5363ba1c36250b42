"""Functions a person can hold in their head: at most 80 lines, at most ruff's complexity.

Every function (method, nested function) of ``finsam_xl`` longer than ``MAX_LINES``
(from its ``def`` line to its last line, docstring included, decorators not) must
be named in ``ALLOWED`` with the reason it may be so long, so that a new long
function has to give its reason too. An entry of a function that is no longer
long is stale and fails, so the list stays true.

ruff's complexity check (C90, ``max-complexity`` in pyproject.toml) has no
per-function setting; a function allowed to be more complex carries
``# noqa: C901  <reason>`` on its ``def`` line. That is what "named in the
configuration" means here: this file is the one list, and it checks that every
``noqa: C901`` in the package gives a reason, sits on a function in ``ALLOWED``
(or ``PENDING``), and is still needed (ruff run with ``--ignore-noqa`` flags it).

``PENDING`` holds the functions other helpers of issue 23 are splitting at the
same time: tolerated while long, and failing once short (then the lead removes
the entry, and with the last one of a file the file's C901 line under
``[tool.ruff.lint.per-file-ignores]`` in pyproject.toml, which this test ties to
``PENDING`` as well).
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import shutil
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path

import pytest
from source_support import package_files, source_of, tree_of

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "finsam_xl"
MAX_LINES = 80

#: "module:qualified.name" (module relative to finsam_xl) -> why it may be long or complex.
ALLOWED: dict[str, str] = {
    "sie.scan:Scanner._scan": (
        "the SIE hot loop: its state lives in local variables, read and written per line of "
        "files of a million rows; the steps off the hot paths are methods already. Measured "
        "with bench/bench_sie.py, see docs/sie.md, 'Why _scan is long'."
    ),
}

#: Being split by other helpers of issue 23 right now; the lead empties this at merge.
PENDING: frozenset[str] = frozenset()

_NOQA_C901 = re.compile(r"#\s*noqa:\s*(?:[A-Z]+[0-9]+\s*,\s*)*C901\b(?:\s*,\s*[A-Z]+[0-9]+)*(.*)")


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _functions() -> dict[str, tuple[Path, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function of the package by its key, ``module:Class.method`` (nested: dotted).

    Parsed once per test run (the tests only read it)."""
    found: dict[str, tuple[Path, ast.FunctionDef | ast.AsyncFunctionDef]] = {}

    def visit(node: ast.AST, path: Path, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    found[f"{_module(path)}:{name}"] = (path, child)
                visit(child, path, f"{name}.")
            else:
                visit(child, path, prefix)

    for path in package_files():
        visit(tree_of(path), path, "")
    return found


def _lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    assert node.end_lineno is not None
    return node.end_lineno - node.lineno + 1


def _long() -> dict[str, int]:
    return {
        key: _lines(node) for key, (_, node) in _functions().items() if _lines(node) > MAX_LINES
    }


def _noqa_functions() -> dict[str, str]:
    """Every function whose ``def`` line says ``noqa: C901``, with the text after the codes."""
    found: dict[str, str] = {}
    for key, (path, node) in _functions().items():
        line = source_of(path).splitlines()[node.lineno - 1]
        match = _NOQA_C901.search(line)
        if match:
            found[key] = match.group(1).strip()
    return found


def test_every_long_function_gives_its_reason() -> None:
    unexplained = {k: n for k, n in _long().items() if k not in ALLOWED and k not in PENDING}
    assert not unexplained, (
        f"Functions over {MAX_LINES} lines: split them into named steps, or add them to "
        f"ALLOWED in {Path(__file__).name} with the reason they must stay long: "
        + ", ".join(f"{k} ({n} lines)" for k, n in sorted(unexplained.items()))
    )


def test_every_allowed_entry_has_a_reason_and_is_no_pending_one() -> None:
    assert not set(ALLOWED) & PENDING
    short = [k for k, reason in ALLOWED.items() if len(reason.split()) < 5]
    assert not short, f"ALLOWED entries without a reason of a few words: {short}"


def test_no_stale_entry() -> None:
    long = _long()
    noqa = _noqa_functions()
    functions = _functions()
    missing = sorted(k for k in (*ALLOWED, *PENDING) if k not in functions)
    assert not missing, f"ALLOWED/PENDING name functions that do not exist: {missing}"
    stale = sorted(k for k in ALLOWED if k not in long and k not in noqa)
    assert not stale, f"ALLOWED functions now short and simple: remove them from ALLOWED: {stale}"
    done = sorted(k for k in PENDING if k not in long)
    assert not done, f"PENDING functions now at most {MAX_LINES} lines: remove them: {done}"


def test_every_noqa_c901_is_on_an_allowed_function_with_a_reason() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py")))
    noqa = _noqa_functions()
    # A noqa anywhere but on a def line would escape the checks below.
    assert len(_NOQA_C901.findall(text)) == len(noqa), "a noqa: C901 not on a def line"
    unlisted = sorted(k for k in noqa if k not in ALLOWED and k not in PENDING)
    assert not unlisted, (
        f"noqa: C901 on functions not in ALLOWED: {unlisted}; split them, or name them in "
        f"ALLOWED in {Path(__file__).name} with the reason"
    )
    silent = sorted(k for k, reason in noqa.items() if len(reason.split()) < 3)
    assert not silent, f"noqa: C901 without a reason after it ('# noqa: C901  why'): {silent}"


def _ruff() -> str:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if found is None:
        pytest.skip("ruff is not installed")
    return found


def test_every_noqa_c901_is_still_needed() -> None:
    """ruff without the noqa comments flags exactly the functions that carry one."""
    out = subprocess.run(
        [
            _ruff(),
            "check",
            "--select",
            "C901",
            "--ignore-noqa",
            "--output-format",
            "json",
            "--exit-zero",
            str(PACKAGE),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    flagged = {
        (Path(d["filename"]).resolve(), d["location"]["row"]) for d in json.loads(out.stdout)
    }
    functions = _functions()
    not_needed = sorted(
        key
        for key in _noqa_functions()
        if (functions[key][0].resolve(), functions[key][1].lineno) not in flagged
    )
    assert not not_needed, f"noqa: C901 on functions ruff no longer finds too complex: {not_needed}"


def _per_file_ignores() -> dict[str, list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lint = config["tool"]["ruff"]["lint"]
    assert "C90" in lint["select"] and lint["mccabe"]["max-complexity"] <= 15
    ignores: dict[str, list[str]] = lint.get("per-file-ignores", {})
    return ignores


def test_complexity_is_ignored_per_file_only_for_pending_functions() -> None:
    """A file of the package may ignore C901 only while it holds a PENDING function."""
    pending_files = {
        str(path.relative_to(ROOT)) for key, (path, _) in _functions().items() if key in PENDING
    }
    for pattern, codes in _per_file_ignores().items():
        if not any(code in ("C9", "C90", "C901") for code in codes):
            continue
        files = [
            str(p.relative_to(ROOT))
            for p in PACKAGE.rglob("*.py")
            if fnmatch.fnmatch(str(p.relative_to(ROOT)), pattern)
        ]
        if not files:
            assert not pattern.startswith("finsam_xl"), f"{pattern}: no such file"
            continue
        assert all(f in pending_files for f in files), (
            f"per-file-ignores {pattern!r} = {codes}: no PENDING function there (any more); "
            "remove the C901 ignore, and noqa or split what ruff then finds"
        )
