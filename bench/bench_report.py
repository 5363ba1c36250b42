"""`rapport` (the Word budget section) of a 2,000-line workbook against `kontrollera` of it.

The baseline is reading and evaluating the workbook (``jobs.check``), which the
report does first; the ratio shows what building and saving the document adds.
Both are measured in the same run. Run: python bench/bench_report.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synth import big_budget, timed  # noqa: E402

from finsam_xl import jobs  # noqa: E402
from finsam_xl.jobs.report import write_report as report  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = folder / "stor.xlsx"
        jobs.new(big_budget(), book)
        out = folder / "budgetavsnitt.docx"
        report(book, out)  # warm-up: imports python-docx and Pillow once
        base_runs, our_runs = [], []
        for _ in range(7):  # interleaved, so load from other processes hits both alike
            base_runs.append(timed(lambda: jobs.check(book), repeat=1))
            our_runs.append(timed(lambda: report(book, out), repeat=1))
        base, ours = statistics.median(base_runs), statistics.median(our_runs)
        pages = out.stat().st_size // 1024
        print("workbook: 2,000 lines, 50 members, 5 years")
        print(f"check (read + evaluate, baseline): {base * 1000:.0f} ms")
        print(
            f"rapport (check + .docx, {pages} kB):   {ours * 1000:.0f} ms  ratio {ours / base:.2f}x"
        )


if __name__ == "__main__":
    main()
