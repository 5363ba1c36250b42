"""Benchmark of the SIE reader against a bare line split of the same file.

Run: ``python bench/bench_sie.py [--rows N] [--repeat R] [--input FILE] [--only KINDS]``
(default 1,000,000 #TRANS rows).

The script writes an SIE 4 file with N #TRANS rows (vouchers of 2 to 6 rows,
cost centre and project on the cost rows) into a temporary directory, with
finsam_xl's own writer, and then measures, each in a fresh subprocess so that
time and peak memory are independent:

(a) ``split``:   ``for line in open(path, encoding="cp437"): line.split()``
(b) ``reader``:  ``monthly_totals(read_vouchers(path), dimensions={1})``, i.e. stream
                 the vouchers and sum the booked rows by account, cost centre and month
(c) ``pysie``:   pysie-accounting's ``PySIE().open(path)`` (with an empty SRU table),
                 when it is installed and can read the file (it needs pandas, which it
                 does not declare); otherwise reported as skipped. It keeps every line
                 and every voucher in memory and parses amounts as text.
(d) ``books``:   ``finsam_xl.books.ledger.read_sie_books(path)``, the path the reconciliation
                 uses: the booked rows summed per account, cost centre and day
                 (``finsam_xl.sie.posting_totals``) into a ``Ledger``, with the opening
                 balances, the fiscal year and the findings. The target: at most 3x
                 (a) and a peak below 300 MB; the last line says whether it is met.

Time is wall time of the work inside the subprocess (the interpreter start and
the imports are not counted), and its CPU time (``process_time``: steadier than
wall time when other work shares the cores); peak memory is the subprocess's
``ru_maxrss``. With ``--repeat`` the measurements run in R rounds (every
measurement once per round, so that the ratios compare runs close in time) and
each one's fastest run counts. Ratios are against
(a) from the same run. ``--input FILE`` measures an existing file (or writes the
generated one there first and keeps it), so that repeated runs need not write it again;
the generator is seeded, so a file it wrote is the file a run without ``--input`` writes.
``--only split,books`` runs some of the measurements ((a) always).

pysie-accounting is not a dependency of finsam_xl. To include it without
touching the project's environment::

    pip install --target /tmp/pysie_env pandas pysie-accounting
    PYTHONPATH=/tmp/pysie_env python bench/bench_sie.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from finsam_xl.sie import ObjectList, Voucher

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ACCOUNTS = ["4010", "5010", "5410", "6110", "6250", "6550", "7010", "7510"]


def supplier_invoices(
    rng: random.Random,
    rows: int,
    last: int,
    cost_row: Callable[[random.Random], tuple[str, ObjectList]],
) -> Iterator[Voucher]:
    """Supplier invoices (series A, numbered after ``last``) with ``rows`` #TRANS rows in all.

    Each has 1 to 5 cost rows, whose account and objects ``cost_row`` draws, and the
    supplier debt on 2440 that balances them. The benchmarks' files share it.
    """
    from finsam_xl.sie import Transaction, Voucher

    written, number = 0, last
    while written < rows:
        number += 1
        day = date(2025, rng.randint(1, 12), rng.randint(1, 28))
        size = min(rng.randint(2, 6), max(rows - written, 2))
        costs = []
        total = Decimal(0)
        for _ in range(size - 1):
            amount = Decimal(rng.randint(100, 5_000_000)).scaleb(-2)
            total += amount
            account, objs = cost_row(rng)
            costs.append(Transaction("TRANS", account, objs, amount, day, "Faktura"))
        costs.append(Transaction("TRANS", "2440", (), -total, day, "Leverantörsskuld"))
        written += len(costs)
        yield Voucher("A", str(number), day, f"Leverantörsfaktura {number}", day, rows=costs)


def generate(path: Path, rows: int, seed: int = 2026) -> int:
    """Write an SIE file with ``rows`` #TRANS rows; return the number of vouchers."""
    from finsam_xl.sie import (
        Account,
        Dimension,
        Record,
        SieObject,
        header_records,
        write_sie,
    )

    rng = random.Random(seed)
    centres = [f"{35000 + 100 * i}" for i in range(12)]
    projects = [f"P{i}" for i in range(1, 9)]
    count = 0

    def records() -> Iterator[Record]:
        nonlocal count
        yield from header_records(
            company_name="Samordningsförbundet Bänk",
            fiscal_years={0: (date(2025, 1, 1), date(2025, 12, 31))},
            generated=date(2026, 1, 15),
            sie_type=4,
        )
        for number in ["2440", *ACCOUNTS]:
            yield Account(number, f"Konto {number} åäö")
        yield Dimension(1, "Kostnadsställe")
        yield Dimension(6, "Projekt")
        for centre in centres:
            yield SieObject(1, centre, f"Kostnadsställe {centre}")
        for project in projects:
            yield SieObject(6, project, f"Projekt {project}")

        def cost_row(rng: random.Random) -> tuple[str, ObjectList]:
            objs = ((1, rng.choice(centres)), (6, rng.choice(projects)))
            return rng.choice(ACCOUNTS), objs

        for voucher in supplier_invoices(rng, rows, count, cost_row):
            count += 1
            yield voucher

    write_sie(records(), path)
    return count


# --------------------------------------------------------------------------------------
# Measurements (each runs in its own subprocess)
# --------------------------------------------------------------------------------------


# Each measurement is set up (imports) outside the timed part and returns the timed work.


def _setup_split() -> Callable[[str], object]:
    def work(path: str) -> object:
        count = 0
        with open(path, encoding="cp437") as stream:
            for line in stream:
                line.split()
                count += 1
        return count

    return work


def _setup_reader() -> Callable[[str], object]:
    from finsam_xl.sie import Issue, monthly_totals, read_vouchers

    def work(path: str) -> object:
        issues: list[Issue] = []
        totals = monthly_totals(read_vouchers(path, issues=issues), dimensions={1})
        return {"keys": len(totals), "issues": len(issues)}

    return work


def _setup_books() -> Callable[[str], object]:
    from finsam_xl.books.ledger import read_sie_books

    def work(path: str) -> object:
        books = read_sie_books(Path(path))
        return {
            "keys": len(books.ledger.sums),
            "rows": books.ledger.rows,
            "findings": len(books.findings),
        }

    return work


def _setup_pysie() -> Callable[[str], object]:
    import pandas  # type: ignore[import-not-found,import-untyped,unused-ignore]
    from pysie_accounting.pysie import PySIE  # type: ignore[import-not-found,import-untyped,unused-ignore]

    def work(path: str) -> object:
        sie = PySIE()
        sie.sie_encoding = "cp437"
        # open() merges the balances with an SRU translation table (open_trans(csv));
        # the file has no #SRU, so an empty table will do.
        sie.dftrans = pandas.DataFrame(
            {"SRU": pandas.Series(dtype="int64"), "Ink2": pandas.Series(dtype="str")}
        )
        sie.open(path)
        return {"vouchers": len(sie.verifikat)}

    return work


MEASURES = {
    "split": _setup_split,
    "reader": _setup_reader,
    "books": _setup_books,
    "pysie": _setup_pysie,
}
KINDS = ("split", "reader", "pysie", "books")


def child(
    kind: str, path: str, measures: dict[str, Callable[[], Callable[[str], object]]] | None = None
) -> None:
    """Run one measurement (of ``measures``, default this file's) and print it as JSON."""
    import resource

    try:
        work = (measures or MEASURES)[kind]()
    except ImportError as exc:
        print(json.dumps({"skipped": f"not installed or not importable: {exc}"}))
        return
    start = time.perf_counter()
    cpu_start = time.process_time()
    try:
        result = work(path)
    except Exception as exc:  # pysie may fail on a file it cannot read
        print(json.dumps({"skipped": f"failed: {type(exc).__name__}: {exc}"[:300]}))
        return
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb, "result": result}))


def run_once(kind: str, path: Path, script: str = __file__) -> dict[str, object]:
    """Measure one kind in a fresh subprocess of ``script`` (a bench with ``--measure``)."""
    out = subprocess.run(
        [sys.executable, script, "--measure", kind, "--file", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        return {"skipped": f"crashed: {out.stderr.strip()[-300:]}"}
    data: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def run(
    kinds: tuple[str, ...], path: Path, repeat: int, script: str = __file__
) -> dict[str, dict[str, object]]:
    """Measure the kinds in rounds (each round runs every kind once, in order).

    Rounds rather than one kind R times: the load of a shared machine drifts, and a
    ratio is fairer when its two terms are measured close in time. Each kind keeps
    its fastest run and its largest peak.
    """
    results: dict[str, dict[str, object]] = {}
    for _ in range(repeat):
        for kind in kinds:
            if "skipped" in results.get(kind, {}):
                continue
            data = run_once(kind, path, script)
            best = results.get(kind)
            if best is None or "skipped" in data:
                results[kind] = data
            else:
                best["seconds"] = min(float(best["seconds"]), float(data["seconds"]))  # type: ignore[arg-type]
                best["cpu"] = min(float(best["cpu"]), float(data["cpu"]))  # type: ignore[arg-type]
                best["peak_mb"] = max(float(best["peak_mb"]), float(data["peak_mb"]))  # type: ignore[arg-type]
    return results


def main() -> None:
    """Generate the file, run the measurements, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="#TRANS rows (1000000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (1)")
    parser.add_argument(
        "--input",
        type=Path,
        help="SIE file to measure; written there (with --rows) first when it does not exist",
    )
    parser.add_argument(
        "--only",
        help="comma-separated measurements to run (default: split,reader,pysie,books)",
    )
    parser.add_argument("--measure", choices=sorted(MEASURES), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        child(args.measure, args.file)
        return

    with tempfile.TemporaryDirectory(prefix="bench_sie_") as tmp:
        path = args.input or Path(tmp) / "bench.se"
        if path.exists():
            print(f"file: {path} (existing)")
        else:
            start = time.perf_counter()
            vouchers = generate(path, args.rows)
            written = time.perf_counter() - start
            print(f"file: {args.rows:,} #TRANS rows, {vouchers:,} vouchers")
            print(f"written by finsam_xl.sie.write_sie in {written:.2f} s")
        print(f"size {os.path.getsize(path) / 1e6:.1f} MB")
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, repeat {args.repeat}")
        wanted = set(args.only.split(",")) | {"split"} if args.only else set(KINDS)
        kinds = tuple(k for k in KINDS if k in wanted)
        results = run(kinds, path, args.repeat)
    base = results["split"]
    print(
        f"{'measurement':<10} {'time s':>8} {'x split':>8} {'cpu s':>8} {'x split':>8}"
        f" {'peak MB':>8} {'x split':>8}  result"
    )
    for kind, data in results.items():
        if "skipped" in data:
            print(f"{kind:<10} skipped: {data['skipped']}")
            continue
        seconds = float(data["seconds"])  # type: ignore[arg-type]
        cpu = float(data["cpu"])  # type: ignore[arg-type]
        peak = float(data["peak_mb"])  # type: ignore[arg-type]
        t_ratio = seconds / float(base["seconds"])  # type: ignore[arg-type]
        c_ratio = cpu / float(base["cpu"])  # type: ignore[arg-type]
        m_ratio = peak / float(base["peak_mb"])  # type: ignore[arg-type]
        print(
            f"{kind:<10} {seconds:8.2f} {t_ratio:8.2f} {cpu:8.2f} {c_ratio:8.2f}"
            f" {peak:8.1f} {m_ratio:8.2f}  {data['result']}"
        )
    books = results.get("books", {})
    if "seconds" in books:
        ratio = float(books["seconds"]) / float(base["seconds"])  # type: ignore[arg-type]
        cpu_ratio = float(books["cpu"]) / float(base["cpu"])  # type: ignore[arg-type]
        peak = float(books["peak_mb"])  # type: ignore[arg-type]
        met = "met" if ratio <= 3 and peak < 300 else "NOT met"
        print(
            f"target for books (<= 3.00x split, < 300 MB): {met} ({ratio:.2f}x, {peak:.1f} MB;"
            f" CPU time {cpu_ratio:.2f}x, steadier on a loaded machine)"
        )


if __name__ == "__main__":
    main()
