"""The exception family and the outcome family, checked on the source and on their behaviour.

Every exception finsam_xl raises on purpose is a ``finsam_xl.errors.FinsamError``
(its message is for the user, in Swedish); the only others are Python's own
exceptions for a misuse of a function, and the VBA reader's developer-facing
errors. Every job's outcome narrows to ``(budget, result)`` with ``computed()``.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import typing
from functools import cache
from pathlib import Path

import pytest
from source_support import tree_of
from support import EXAMPLES
from typer.testing import CliRunner

import finsam_xl
from finsam_xl.errors import BlockedError, FinsamError, InputFileError, UsageError
from finsam_xl.jobs.outcome import (
    InvoicesOutcome,
    LettersOutcome,
    Outcome,
    OverviewOutcome,
    ReconOutcome,
    ReportOutcome,
)
from finsam_xl.model.findings import Finding, Severity, is_blocked

PACKAGE = Path(finsam_xl.__file__).parent

#: Python's own exceptions that may be raised, each for a misuse that is a fault of the tool
#: or of a caller, never a message for the user (a front end shows "internt fel" for them).
BUILTIN_ALLOWED = {
    ValueError: "a pydantic validator's refusal (pydantic turns it into a finding), or a "
    "function called with a value outside its contract",
    KeyError: "a mapping-like lookup of a missing key (Result.allocation_for, remote sheets)",
    TypeError: "an argument of the wrong type (an SIE file opened as text)",
    RuntimeError: "an object used against its contract (an SIE reader read twice), or the "
    "installed xlwings or the tool's own VBA sources not as expected",
    AssertionError: "an internal invariant of the SIE scanner",
    NotImplementedError: "what the VBA client's protocol cannot do",
    AttributeError: "PEP 562 module __getattr__ (jobs loads its modules on first use)",
    SystemExit: "the self-test's exit code when run as a script",
}

#: Exceptions of the package outside the family, with the reason.
OUTSIDE_THE_FAMILY = {
    "finsam_xl.vba.compression.CompressionError": "reads back the tool's own VBA project; "
    "English, for the developer",
    "finsam_xl.vba.reader.VbaFormatError": "reads back the tool's own VBA project; English, "
    "for the developer",
}

#: Control flow of a front end, not an error.
CONTROL_FLOW = {"typer.exceptions.Exit", "click.exceptions.Exit"}


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__main__.py":  # runs the command line when imported
            continue
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append((".".join(parts), path))
    return out


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _defined_exceptions() -> list[type[BaseException]]:
    found = []
    for name, _ in _modules():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == name
            ):
                found.append(value)
    return found


def _returned_class(function: object) -> type | None:
    """The exception class a helper that builds one returns (by its return annotation)."""
    annotation = getattr(function, "__annotations__", {}).get("return")
    if isinstance(annotation, str):
        module = importlib.import_module(function.__module__)  # type: ignore[attr-defined]
        annotation = eval(annotation, vars(module))  # noqa: S307 - the package's own annotation
    return annotation if inspect.isclass(annotation) else None


def _self_raises(module: object, classes: dict[str, ast.ClassDef], attr: str) -> object:
    """``raise self.attr(...)``: a method's return annotation, or a callable passed to
    ``__init__`` (``Callable[..., X]``) and kept as ``self.attr``."""
    for name in classes:
        cls = getattr(module, name, None)
        if cls is None:
            continue
        if callable(getattr(cls, attr, None)):
            return _returned_class(getattr(cls, attr))
        hints = typing.get_type_hints(cls.__init__)
        given = hints.get(attr.lstrip("_"))
        if given is not None and typing.get_args(given):
            returned = typing.get_args(given)[-1]
            if inspect.isclass(returned):
                return returned
    return None


def _resolve(expr: ast.expr, module: object, local: dict[str, ast.expr]) -> object:
    """What ``raise <expr>`` raises: a class, or None when it is a bound exception."""
    if isinstance(expr, ast.IfExp):  # one of two classes: their common family, if they share one
        both = (_resolve(expr.body, module, local), _resolve(expr.orelse, module, local))
        if all(inspect.isclass(c) and issubclass(c, FinsamError) for c in both):
            return FinsamError
        return both
    if isinstance(expr, ast.Call):
        target = _resolve(expr.func, module, local)
        if inspect.isclass(target):
            return target
        if inspect.ismethod(target) or inspect.isfunction(target):
            return _returned_class(target)
        return target
    if isinstance(expr, ast.Name):
        if expr.id in local:  # a local: an exception built earlier in the function
            return _resolve(local[expr.id], module, {})
        if hasattr(module, expr.id):
            return getattr(module, expr.id)
        return getattr(builtins, expr.id, None)
    if isinstance(expr, ast.Attribute):
        if isinstance(expr.value, ast.Name) and expr.value.id == "self":
            return ("self", expr.attr)
        owner = _resolve(expr.value, module, local)
        return getattr(owner, expr.attr, None) if owner is not None else None
    return None


@cache
def _raised() -> list[tuple[str, object]]:
    """Every ``raise X`` / ``raise X(...)`` of the package: (file:line, what it raises)."""
    found: list[tuple[str, object]] = []
    for name, path in _modules():
        module = importlib.import_module(name)
        tree = tree_of(path)
        classes = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            local: dict[str, ast.expr] = {}
            bound: set[str] = set()
            for node in ast.walk(function):
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    if isinstance(target, ast.Name):
                        local[target.id] = node.value
                if isinstance(node, ast.ExceptHandler) and node.name:
                    bound.add(node.name)
            for node in ast.walk(function):
                if not isinstance(node, ast.Raise) or node.exc is None:
                    continue
                where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                if isinstance(node.exc, ast.Name) and node.exc.id in bound:
                    continue  # re-raising what was caught
                what = _resolve(node.exc, module, local)
                if isinstance(what, tuple) and what[0] == "self":
                    what = _self_raises(module, classes, what[1])
                found.append((where, what))
    return found


def test_the_scan_sees_the_raises() -> None:
    assert len(_raised()) > 250
    classes = {what for _, what in _raised() if inspect.isclass(what)}
    assert {UsageError, InputFileError, BlockedError, ValueError} <= classes


def test_every_raise_is_in_the_family_or_an_allowed_builtin() -> None:
    offenders = []
    for where, what in _raised():
        if not inspect.isclass(what):
            offenders.append(f"{where}: cannot tell what is raised ({what!r})")
        elif issubclass(what, FinsamError) or what in BUILTIN_ALLOWED:
            continue
        elif _qualname(what) in OUTSIDE_THE_FAMILY or _qualname(what) in CONTROL_FLOW:
            continue
        else:
            offenders.append(f"{where}: {_qualname(what)}")
    assert offenders == []


def test_every_exception_class_of_the_package_is_in_the_family() -> None:
    outside = sorted(
        _qualname(cls)
        for cls in _defined_exceptions()
        if not issubclass(cls, FinsamError) and _qualname(cls) not in OUTSIDE_THE_FAMILY
    )
    assert outside == []
    names = {cls.__name__ for cls in _defined_exceptions()}
    assert {
        "WorkbookError",
        "InterchangeError",
        "BooksError",
        "SieError",
        "NextYearError",
        "ExcelError",
        "UsageError",
    } <= names


def test_the_refusals_keep_their_old_bases() -> None:
    """Callers that catch ValueError (pydantic, the number parser's users) still catch these."""
    from finsam_xl.core.next_year import NextYearError
    from finsam_xl.model.interchange import InterchangeError
    from finsam_xl.model.money import NumberTextError, NumberTooLarge
    from finsam_xl.sie import SieWriteError

    for cls in (NextYearError, InterchangeError, NumberTextError, NumberTooLarge, SieWriteError):
        assert issubclass(cls, FinsamError) and issubclass(cls, ValueError)


# --- the outcome family ----------------------------------------------------------------------
def _finding(rule: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule=rule, severity=severity, message="m")


def test_one_idea_of_blocked() -> None:
    assert is_blocked(None, [])
    assert is_blocked(object(), [_finding("read.not-a-number")])
    assert is_blocked(object(), [_finding("input.member-duplicate")])
    assert not is_blocked(object(), [_finding("equity.low")])  # an error, not an input error
    assert not is_blocked(object(), [_finding("read.x", Severity.WARNING)])


def test_every_outcome_is_an_outcome() -> None:
    for cls in (ReconOutcome, ReportOutcome, LettersOutcome, InvoicesOutcome, OverviewOutcome):
        assert issubclass(cls, Outcome)
    from finsam_xl.excel.xlbook import Summary

    assert issubclass(Summary, Outcome)


def test_computed_narrows_to_the_budget_and_result() -> None:
    from finsam_xl import jobs

    outcome = jobs.check(EXAMPLES / "fryksdalen-2022.yaml")
    budget, result = outcome.computed()
    assert budget is outcome.budget and result is outcome.result
    assert not outcome.blocked


def test_computed_raises_when_blocked() -> None:
    error = _finding("read.not-a-number")
    blocked = Outcome(None, None, [error])
    assert blocked.blocked
    first = r"Rätta felen i indata först: Fel \[read.not-a-number\]"
    with pytest.raises(BlockedError, match=first):
        blocked.computed()
    from finsam_xl import jobs

    fine = jobs.check(EXAMPLES / "fryksdalen-2022.yaml")
    held = Outcome(fine.budget, fine.result, [error])  # computed, but an input error holds it
    assert held.blocked
    with pytest.raises(BlockedError) as raised:
        held.computed()
    assert raised.value.findings == [error]


def test_a_reconciliation_is_blocked_without_its_product() -> None:
    from finsam_xl import jobs

    fine = jobs.check(EXAMPLES / "fryksdalen-2022.yaml")
    books_wrong = ReconOutcome(fine.budget, fine.result, [_finding("sie.bad")])  # recon=None
    assert books_wrong.blocked
    with pytest.raises(BlockedError, match=r"\[sie.bad\]"):
        books_wrong.computed()
    assert not ReconOutcome(fine.budget, fine.result, [], recon=object()).blocked  # type: ignore[arg-type]


# --- the command line: the family in one place ------------------------------------------------
def test_the_command_line_maps_the_family_in_one_place(tmp_path: Path) -> None:
    from finsam_xl.cli import _exit_for, app

    assert _exit_for(UsageError("Perioden ska skrivas ÅÅÅÅ-MM.")) == (
        2,
        "Perioden ska skrivas ÅÅÅÅ-MM.",
    )
    code, text = _exit_for(ZeroDivisionError("division by zero"))
    assert code == 2 and text.startswith("internt fel i finsam_xl (ZeroDivisionError")
    wrong = tmp_path / "budget.txt"
    wrong.write_text("x", encoding="utf-8")
    done = CliRunner().invoke(app, ["check", str(wrong)])
    assert done.exit_code == 2
    assert "Fel: " in done.output and "ange en arbetsbok eller en budgetfil" in done.output
    done = CliRunner().invoke(app, ["check", "--json", str(wrong)])
    assert done.exit_code == 2 and '"error": ' in done.output
