"""Proof that a change to the press's Python side leaves every written cell as it was.

Run ``python bench/press_equality.py --record FILE`` on the version before a change and
``python bench/press_equality.py --compare FILE`` after it. It presses the Excel button
on the stand-in Book (tests/excel/fakexl_support.py) for:

* the benchmark's 2,000-line workbook (bench_button.py), a 600-line tkr workbook with
  half-thousands (one decimal in the sheets) and a 600-line kr workbook;
* Södra Dalarna with edited inputs (tests/excel: Swedish number text, equity on the floor)
  and with an input error (recalc writes only the findings and the status line);
* the six example workbooks (workbooks/examples/*.xlsx|xlsm);

each with ``recalc`` and ``check``, with COM (multi-area formats, protection lifted) and
without (Lite, macOS; sheets unprotected, and protected where the press must refuse), and a
second ``recalc`` on top of the first. For every press it hashes the stand-in's journal of
Excel calls, the call counts, the summary (text, sheets, blocked) with its findings, the
budget and result the press computed, and the cells, number formats and fills the book then
holds. The reader's output (budget, findings, the cell of every location it recorded) is
hashed for the open book and for the file (``read_workbook``). The server's ``/berakna``
and ``/kontrollera`` answers for the 2,000-line and the example workbooks are hashed too
(the time stamp masked). Prints one line per difference.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "excel"), str(ROOT / "tests"), str(ROOT / "bench")]

from bench_button import WHEN, budget_with_lines  # noqa: E402
from excel_support import edit_inputs  # noqa: E402
from fakexl_support import FakeBook  # noqa: E402
from payload_support import payload_bytes  # noqa: E402

from finsam_xl import jobs  # noqa: E402
from finsam_xl.excel.remote import handle  # noqa: E402
from finsam_xl.excel.xlbook import XlBookView, press  # noqa: E402
from finsam_xl.model.budget import Budget  # noqa: E402
from finsam_xl.model.interchange import load  # noqa: E402
from finsam_xl.workbook.reader import ReadResult, read_book, read_workbook  # noqa: E402

_STAMP = re.compile(rb"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def _tkr_budget(lines: int, unit: str) -> Budget:
    """``budget_with_lines`` with half-thousand amounts (tkr) or whole kronor (kr)."""
    base = budget_with_lines(lines)
    data: dict[str, Any] = base.model_dump(mode="python")
    data["forbund"]["unit"] = unit
    for i, cost in enumerate(data["costs"]):
        cost["amounts"] = {
            y: a + (Decimal("0.5") if (i + y) % 3 == 0 else 0) for y, a in cost["amounts"].items()
        }
    return Budget.model_validate(data)


def _with_error(src: Path, dst: Path) -> None:
    """Södra Dalarna with a cost amount that is text: an input error, so nothing is computed."""
    from openpyxl import load_workbook

    wb = load_workbook(src)
    ws = wb["Rader"]
    headers = {c.value: c.column for c in ws[3]}
    ws.cell(5, headers["2025"]).value = "tolv"
    wb.save(dst)


def workbooks(folder: Path) -> dict[str, Path]:
    """The workbooks pressed, by a short name."""
    out: dict[str, Path] = {}
    out["lines-2000"] = folder / "budget-2000.xlsx"
    jobs.new(budget_with_lines(2000), out["lines-2000"], when=WHEN)
    for unit in ("tkr", "kr"):
        out[f"lines-600-{unit}"] = folder / f"budget-600-{unit}.xlsx"
        jobs.new(_tkr_budget(600, unit), out[f"lines-600-{unit}"], when=WHEN)
    demo = folder / "sodra-dalarna.xlsx"
    jobs.new(load(ROOT / "finsam_xl" / "examples" / "sodra-dalarna-2025.yaml"), demo, when=WHEN)
    out["edited"] = folder / "edited.xlsx"
    edit_inputs(demo, out["edited"])
    out["input-error"] = folder / "input-error.xlsx"
    _with_error(demo, out["input-error"])
    for path in sorted((ROOT / "workbooks" / "examples").glob("*.xls[xm]")):
        out[path.name] = path
    return out


def _digest(obj: Any) -> str:
    return hashlib.sha256(repr(obj).encode("utf-8")).hexdigest()[:16]


def _book_state(book: FakeBook) -> list[Any]:
    return [
        (
            s.name,
            sorted(s.cells.items()),
            sorted(s.number_formats.items()),
            sorted(s.colors.items(), key=repr),
            s.protected,
        )
        for s in book.sheet_list
    ]


def _press_record(book: FakeBook, action: str) -> dict[str, str]:
    start = len(book.journal)
    summary = press(book, action, when=WHEN, alert=False, echo=False)  # type: ignore[arg-type]
    findings = [(f.rule, f.severity.value, f.message, f.where(), f.cause) for f in summary.findings]
    return {
        "journal": _digest(book.journal[start:]),
        "calls": repr(book.calls),
        "summary": _digest((summary.text, summary.sheets, summary.blocked, findings)),
        "budget": _digest(summary.budget.model_dump(mode="json") if summary.budget else None),
        "result": _digest(summary.result.model_dump(mode="json") if summary.result else None),
        "book": _digest(_book_state(book)),
    }


def _read_record(read: ReadResult) -> dict[str, str]:
    """The reader's output: budget, findings, every recorded cell location, the rest."""
    findings = [(f.rule, f.severity.value, f.message, f.where(), f.cause) for f in read.findings]
    return {
        "budget": _digest(read.budget.model_dump(mode="json") if read.budget else None),
        "findings": _digest(findings),
        "locator": _digest(sorted(read.locator.cells.items(), key=repr)),
        "rest": _digest(
            (
                read.computed_from,
                read.status_cell,
                read.settings_years,
                read.table_years,
                read.budget_year,
                read.locator.plan_anchor,
                read.locator.years,
            )
        ),
    }


def run() -> dict[str, dict[str, str]]:
    """Every case's hashes."""
    out: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        books = workbooks(Path(tmp))
        for name, path in books.items():
            out[f"{name} read_workbook"] = _read_record(read_workbook(path))
            for com, protect in ((True, True), (False, False), (False, True)):
                template = FakeBook.from_xlsx(path, com=com, protect=protect)
                if com:
                    book = copy.deepcopy(template)
                    out[f"{name} read_book"] = _read_record(read_book(name, XlBookView(book)))
                for action in ("recalc", "check"):
                    book = copy.deepcopy(template)
                    key = f"{name} {action} com={com} protect={protect}"
                    out[key] = _press_record(book, action)
                    if action == "recalc":
                        out[key + " again"] = _press_record(book, "recalc")
            if name == "lines-2000" or name.startswith(("sodra", "fryks")):
                body = payload_bytes(path)
                for route in ("/berakna", "/kontrollera"):
                    reply = handle(route, {}, body)
                    masked = _STAMP.sub(b"<stamp>", reply.body)
                    out[f"{name} server {route}"] = {
                        "reply": hashlib.sha256(masked).hexdigest()[:16],
                        "status": str(reply.status),
                    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--record", type=Path, help="write the hashes to this JSON file")
    group.add_argument("--compare", type=Path, help="compare with the hashes in this JSON file")
    args = parser.parse_args()
    hashes = run()
    if args.record:
        args.record.write_text(json.dumps(hashes, indent=1, sort_keys=True), encoding="utf-8")
        print(f"{len(hashes)} cases, {sum(len(v) for v in hashes.values())} hashes recorded")
        return
    expected = json.loads(args.compare.read_text(encoding="utf-8"))
    bad = 0
    for case in sorted(set(expected) | set(hashes)):
        for what in sorted(set(expected.get(case, {})) | set(hashes.get(case, {}))):
            a, b = expected.get(case, {}).get(what), hashes.get(case, {}).get(what)
            if a != b:
                bad += 1
                print(f"DIFFERS {case}: {what} {a} -> {b}")
    total = sum(len(v) for v in expected.values())
    print(f"{len(hashes)} cases, {total} hashes compared, {bad} differing")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
