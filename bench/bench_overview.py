"""The overview of 75 workbooks of the standard benchmark size, against 75 single checks.

Targets (issue 14): the overview of 75 workbooks (2,000 lines each) in under
10 s on this 2-core machine, and memory that does not grow with the number of
files beyond what one workbook needs. Both figures are measured in one run,
each in a fresh process: the overview of 5 and of 75 files (peak RSS of the
process and of its worker processes), and the baseline of 75 single
``jobs.check`` calls one after the other in one process.

Run: python bench/bench_overview.py [--files 75] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
mode, folder, workers = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
from finsam_xl import jobs
start = time.perf_counter()
if mode == "overview":
    result = jobs.overview_of([folder], folder.parent / "oversikt.xlsx", workers=workers).overview
    count = len({r.forbund for r in result.forbund})
else:
    count = 0
    for path in sorted(folder.glob("*.xlsx")):
        count += jobs.check(path).budget is not None
seconds = time.perf_counter() - start
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "count": count, "rss_self_mb": own, "rss_worker_mb": kids}))
"""


def make_books(folder: Path, count: int) -> None:
    """``count`` copies of one benchmark workbook, each under its own förbund name."""
    from synth import big_budget

    from finsam_xl import jobs

    first = folder.parent / "mall.xlsx"
    if not first.exists():
        jobs.new(big_budget(), first)
    with zipfile.ZipFile(first) as src:
        parts = [(info, src.read(info.filename)) for info in src.infolist()]
    for i in range(count):
        with zipfile.ZipFile(folder / f"forbund-{i:02d}.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in parts:
                if info.filename == "xl/sharedStrings.xml":
                    data = data.replace(
                        "Stora samordningsförbundet".encode(),
                        f"Stora samordningsförbundet {i:02d}".encode(),
                    )
                out.writestr(info, data)


def run(mode: str, folder: Path, workers: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(folder), str(workers)],
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=75)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp) / "fem", Path(tmp) / "alla"
        small.mkdir()
        large.mkdir()
        make_books(large, args.files)
        for path in sorted(large.iterdir())[:5]:
            shutil.copy(path, small / path.name)
        base = run("checks", large, 1)
        few = run("overview", small, args.workers)
        many = run("overview", large, args.workers)
    print(f"{args.files} workbooks of 2,000 lines, {args.workers} worker processes")
    print("| run | time | x baseline | peak RSS (process / per worker) |")
    print("| --- | --- | --- | --- |")
    label = f"(a) {args.files} x jobs.check, one process (baseline)"
    print(f"| {label} | {base['seconds']:.2f} s | 1.00 | {base['rss_self_mb']:.0f} MB |")
    for label, data in (("(b) overview of 5", few), (f"(c) overview of {args.files}", many)):
        print(
            f"| {label} | {data['seconds']:.2f} s | {data['seconds'] / base['seconds']:.2f} |"
            f" {data['rss_self_mb']:.0f} MB / {data['rss_worker_mb']:.0f} MB |"
        )
    growth = max(many["rss_self_mb"], many["rss_worker_mb"]) - max(
        few["rss_self_mb"], few["rss_worker_mb"]
    )
    print(
        f"memory growth from 5 to {args.files} files: {growth:+.0f} MB; "
        f"target: overview under 10 s ({'met' if many['seconds'] < 10 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
