"""Självtest: the core run on the bundled examples inside the user's Excel, for IT.

Every path (xlwings Lite, the desktop button, the server) runs the same
``run()``: it loads the three bundled examples (``finsam_xl/examples/*.yaml``,
the published budgets of three förbund), evaluates them with the core and
compares every figure of the plan and the allocation, and which published
totals the checks flag, with ``examples/selftest.json``. That file was
written by the same code on the developers' machines
(``python -m finsam_xl.excel.selftest --write``) and a test keeps it equal to
what the core computes. So "Självtest OK" means: this Python, in this Excel,
gets the same kronor as the tested build, and the published totals that agree
with their lines still agree.

The result goes to one cell: the defined name ``fx_sjalvtest`` when the
workbook has it, otherwise the status cell (``fx_status``, row 2 of Plan), which
the next Beräkna overwrites. It is also printed (Lite's output pane) and, on the
desktop, shown in a message box. Only pydantic and PyYAML are needed.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

EXPECTED_FILE = "selftest.json"
EXAMPLES = ("fryksdalen-2022", "sodra-dalarna-2025", "sodra-lappland-2024")
#: Defined name of the result cell; ``fx_status`` is used when the workbook lacks it.
N_SELFTEST = "fx_sjalvtest"
PLAN_FIELDS = (
    "contributions",
    "other_income",
    "other_income_netted",
    "costs",
    "costs_net",
    "result",
    "equity_start",
    "equity_end",
    "equity_pct",
    "floor",
    "decision_room",
    "available",
)
#: Differences listed in the result cell before "och N till".
SHOWN = 3


@dataclass
class SelfTest:
    """The outcome: ok, the Swedish sentence for the cell, and every difference found."""

    ok: bool
    text: str
    budgets: int = 0
    compared: int = 0
    differences: list[str] = field(default_factory=list)


def _examples() -> Any:
    return resources.files("finsam_xl") / "examples"


def fingerprint(name: str) -> dict[str, Any]:
    """Every figure the self-test compares for one bundled example, as text."""
    from finsam_xl.core import evaluate
    from finsam_xl.model.interchange import loads

    text = (_examples() / f"{name}.yaml").read_text(encoding="utf-8")
    result = evaluate(loads(text, f"{name}.yaml"))
    plan = {
        str(row.year): {
            f: None if getattr(row, f) is None else str(getattr(row, f)) for f in PLAN_FIELDS
        }
        for row in result.plan
    }
    allocation = {
        str(a.year): {m.name: str(m.amount) for m in a.members} for a in result.allocation
    }
    published = sorted(
        f"{f.rule} {f.ref.key if f.ref else ''} {f.ref.year if f.ref else ''}"
        for f in result.findings
        if f.rule.startswith("published.")
    )
    return {"plan": plan, "allocation": allocation, "published": published}


def build_expected() -> dict[str, Any]:
    """The reference for every bundled example (what ``--write`` stores)."""
    return {name: fingerprint(name) for name in EXAMPLES}


def expected() -> dict[str, Any]:
    """The stored reference from ``examples/selftest.json``."""
    data: dict[str, Any] = json.loads((_examples() / EXPECTED_FILE).read_text(encoding="utf-8"))
    return data


def _compare(path: str, want: Any, got: Any, out: list[str]) -> int:
    """Append differences below ``path``; the number of leaf values compared."""
    if isinstance(want, dict) and isinstance(got, dict):
        count = 0
        for key in sorted(set(want) | set(got)):
            count += _compare(
                f"{path} {key}".strip(), want.get(key, "<saknas>"), got.get(key, "<saknas>"), out
            )
        return count
    if want != got:
        out.append(f"{path}: väntat {want}, fick {got}")
    return len(want) if isinstance(want, list) else 1


def run() -> SelfTest:
    """Evaluate the bundled examples and compare every figure with the stored reference."""
    try:
        reference = expected()
        differences: list[str] = []
        compared = 0
        for name in EXAMPLES:
            compared += _compare(name, reference.get(name, {}), fingerprint(name), differences)
    except Exception as error:  # the test itself must say what broke, never a traceback
        return SelfTest(
            False,
            f"Självtest misslyckades: {type(error).__name__}: {error}. "
            "Kontakta den som sköter verktyget.",
        )
    budgets = len(EXAMPLES)
    if not differences:
        return SelfTest(
            True,
            f"Självtest OK: {budgets} budgetar, alla siffror stämmer "
            f"({compared} värden jämförda, Python "
            f"{sys.version_info.major}.{sys.version_info.minor}).",
            budgets,
            compared,
        )
    shown = "; ".join(differences[:SHOWN])
    more = f" och {len(differences) - SHOWN} till" if len(differences) > SHOWN else ""
    return SelfTest(
        False,
        f"Självtest FEL: {len(differences)} av {compared} värden skiljer: {shown}{more}.",
        budgets,
        compared,
        differences,
    )


def on_book(book: Any, alert: bool = True, echo: bool = True) -> SelfTest:
    """Run the self-test and write its sentence into ``book`` (see the module docstring).

    ``alert`` shows it in a message box where the host has one, ``echo`` prints it
    with the differences beyond the first three (at most 50 lines).
    """
    from finsam_xl.excel.xlbook import TITLE, DefinedNames, XlBookView, write_cell
    from finsam_xl.sheets.grid import Cell

    outcome = run()
    if echo:
        print(outcome.text)
        for line in outcome.differences[SHOWN:50]:
            print(line)
    try:
        anchors = DefinedNames(XlBookView(book).names)
        name = N_SELFTEST if not anchors.missing((N_SELFTEST,)) else "fx_status"
        sheet, row, col = anchors.anchor(name)
        write_cell(book, sheet, row, col, Cell(outcome.text, "status"))
    except Exception as error:  # a book that is not a finsam workbook: the text is printed
        print(f"Resultatet kunde inte skrivas i arbetsboken ({error}).")
    if alert:
        try:
            book.app.alert(
                outcome.text, title=TITLE, buttons="ok", mode="info" if outcome.ok else "critical"
            )
        except Exception:
            pass
    return outcome


def desktop(book: Any = None) -> SelfTest:
    """The desktop button (VBA ``RunPython``): the self-test on the calling workbook."""
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    return on_book(book)


def main(argv: list[str] | None = None) -> int:
    """``python -m finsam_xl.excel.selftest [--write PATH]``: run, or store the reference."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--write"]:
        from pathlib import Path

        target = (
            Path(args[1])
            if len(args) > 1
            else (Path(__file__).resolve().parent.parent / "examples" / EXPECTED_FILE)
        )
        target.write_text(
            json.dumps(build_expected(), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        print(f"Skrev {target}.")
        return 0
    outcome = run()
    print(outcome.text)
    for line in outcome.differences:
        print(line)
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
