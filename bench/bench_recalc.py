"""recalc of a 2,000-line workbook against openpyxl's bare load+save of the same file.

Targets (issue 3): recalc <= 1.5x the baseline; `finsam-xl --help` under 0.3 s.
Both baselines are measured in the same run. Run: python bench/bench_recalc.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synth import big_budget, timed  # noqa: E402

from finsam_xl import jobs  # noqa: E402


def main() -> None:
    from openpyxl import load_workbook

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = folder / "stor.xlsx"
        jobs.new(big_budget(), book)
        work = folder / "arbete.xlsx"
        shutil.copy(book, work)

        def bare() -> None:
            load_workbook(book).save(folder / "bare.xlsx")

        def recalc() -> None:
            jobs.recalc(work)

        base = timed(bare)
        ours = timed(recalc)
        size = book.stat().st_size // 1024
        print(f"workbook: 2,000 lines, 50 members, 5 years ({size} kB)")
        print(f"openpyxl load+save (baseline): {base * 1000:.0f} ms")
        print(
            f"finsam-xl berakna:             {ours * 1000:.0f} ms  ratio {ours / base:.2f}x "
            "(target <= 1.5x)"
        )

    exe = shutil.which("finsam-xl")

    def run(args: list[str]) -> float:
        return timed(lambda: subprocess.run(args, capture_output=True, check=True), repeat=7)

    python = run([sys.executable, "-c", "pass"])
    helptime = run([exe, "--help"] if exe else [sys.executable, "-m", "finsam_xl", "--help"])
    print(f"python -c pass (baseline):     {python * 1000:.0f} ms")
    print(
        f"finsam-xl --help:              {helptime * 1000:.0f} ms  (target < 300 ms)  "
        f"ratio {helptime / python:.1f}x"
    )


if __name__ == "__main__":
    main()
