"""CPU of a press in two or more checkouts, in turn: `python bench/press_cpu_ab.py OLD NEW`.

Each checkout (a directory holding ``finsam_xl``, ``tests`` and ``bench``, e.g. from
``git archive main | tar -x -C /tmp/main``) runs in its own process: it builds the
benchmark's 2,000-line workbook once (bench_button.py), then presses recalc on fresh
copies of the stand-in Book, one copy alive at a time, and prints the CPU
(``time.process_time``) of each press. The checkouts take turns, round by round and in
alternating order, so each sees the same load of a shared machine; the medians, 10th
percentiles and minima are printed with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

WORKBOOK = Path("/tmp/finsam-press-cpu-ab-2000.xlsx")


def one(root: Path, presses: int) -> list[float]:
    """CPU ms of ``presses`` presses with the package of ``root`` (run in its own process)."""
    import copy
    import time

    sys.path[:0] = [
        str(root),
        str(root / "tests" / "excel"),
        str(root / "tests"),
        str(root / "bench"),
    ]
    import finsam_xl

    assert Path(finsam_xl.__file__).is_relative_to(root), finsam_xl.__file__
    from bench_button import LINES, WHEN, budget_with_lines
    from fakexl_support import FakeBook

    from finsam_xl import jobs
    from finsam_xl.excel.xlbook import press

    if not WORKBOOK.exists():
        jobs.new(budget_with_lines(LINES), WORKBOOK, when=WHEN)
    template = FakeBook.from_xlsx(WORKBOOK, com=True)
    press(copy.deepcopy(template), "recalc", when=WHEN, alert=False, echo=False)  # imports
    out = []
    for _ in range(presses):
        book = copy.deepcopy(template)
        start = time.process_time()
        press(book, "recalc", when=WHEN, alert=False, echo=False)
        out.append((time.process_time() - start) * 1000)
        del book
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--presses", type=int, default=5, help="presses per process")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.roots[0].resolve(), args.presses)))
        return
    found: dict[Path, list[float]] = {root: [] for root in args.roots}
    loads = []
    for i in range(args.rounds):
        for root in args.roots if i % 2 == 0 else args.roots[::-1]:
            done = subprocess.run(
                [sys.executable, __file__, "--one", str(root), "--presses", str(args.presses)],
                capture_output=True,
                text=True,
                check=True,
            )
            found[root] += json.loads(done.stdout.strip().splitlines()[-1])
        loads.append(os.getloadavg()[0])
    for root, times in found.items():
        times.sort()
        print(
            f"{str(root):40s} CPU median {statistics.median(times):6.1f} ms  "
            f"p10 {times[len(times) // 10]:6.1f}  min {times[0]:6.1f}  n={len(times)}"
        )
    print(f"load average (1 min) during the runs: {min(loads):.1f}-{max(loads):.1f}")


if __name__ == "__main__":
    main()
