"""Benchmark of the reconciliation with matching against a bare line split of the same file.

Run: ``python bench/bench_recon.py [--rows N] [--repeat R] [--input FILE]``
(default 1,000,000 #TRANS rows).

The script writes an SIE 4 file kept as an ekonomiadministration keeps it, for
the Södra Dalarna example budget (with the Kontomappning of
``tools/synthetic_books.py``): N #TRANS rows in vouchers of 2 to 6 rows on the
budget lines' accounts and cost centres, each member invoiced every month on
the receivable 1510 and paying against the bank (matched by invoice object,
customer object, name and amount), and ``#PSALDO`` of last year. Then it
measures, each in a fresh subprocess so that time and peak memory are
independent:

(a) ``split``: ``for line in open(path, encoding="cp437"): line.split()``;
(b) ``books``: ``read_sie_books(path)``, the sums only (no vouchers kept), for reference;
(c) ``recon``: what ``finsam-xl avstamning`` does with the books: ``read_sie_books``
    keeping the members' and the receivable's vouchers and last year's months, then
    ``reconcile`` (phasing, matching, receivable, forecast, findings).

The target: (c) at most 3x (a), and a peak below 300 MB; the last line says
whether it is met. Time is wall time of the work inside the subprocess (not
the interpreter start or the imports); peak memory is the subprocess's
``ru_maxrss``. With ``--repeat`` each measurement's fastest run counts, in
rounds so that the ratios compare runs close in time.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_sie import _setup_books, _setup_split, child, run, supplier_invoices  # noqa: E402  (the shared harness)

MEMBER_ACCOUNTS = {
    "Försäkringskassan med Arbetsförmedlingen": "3591",
    "Region Dalarna": "3592",
    "Avesta kommun": "3593",
    "Hedemora kommun": "3594",
    "Säters kommun": "3595",
}


def generate(path: Path, rows: int, seed: int = 2026) -> int:
    """Write the SIE file with about ``rows`` #TRANS rows; return the number of vouchers."""
    import synthetic_books as sb

    from finsam_xl.sie import (
        Account,
        Balance,
        Dimension,
        ObjectList,
        Period,
        PeriodBalance,
        Record,
        SieObject,
        Transaction,
        Voucher,
        header_records,
        write_sie,
    )

    budget = sb.budget_with_mapping()
    lines = [(f"{c.account}10", c.cost_centre or "") for c in budget.costs if c.account]
    rng = random.Random(seed)
    projects = [f"P{i}" for i in range(1, 9)]
    count = 0

    def records() -> Iterator[Record]:
        nonlocal count
        yield from header_records(
            company_name="Samordningsförbundet Bänk",
            fiscal_years={
                0: (date(2025, 1, 1), date(2025, 12, 31)),
                -1: (date(2024, 1, 1), date(2024, 12, 31)),
            },
            generated=date(2026, 1, 15),
            sie_type=4,
        )
        accounts = {a for a, _ in lines} | {
            "1510",
            "1930",
            "2010",
            "2440",
            *MEMBER_ACCOUNTS.values(),
        }
        for number in sorted(accounts):
            yield Account(number, f"Konto {number} åäö")
        yield Dimension(1, "Kostnadsställe")
        yield Dimension(6, "Projekt")
        for centre in sorted({c for _, c in lines if c} | {"50000"}):
            yield SieObject(1, centre, f"Kostnadsställe {centre}")
        for project in projects:
            yield SieObject(6, project, f"Projekt {project}")
        yield Dimension(8, "Kund")
        yield Dimension(10, "Faktura")
        yield Balance("IB", 0, "1930", Decimal(700000))
        yield Balance("IB", 0, "2010", Decimal(-700000))
        for account, centre in lines:
            for month in range(1, 13):
                objects = ((1, centre),) if centre else ()
                amount = Decimal(rng.randint(1000, 90000))
                yield PeriodBalance("PSALDO", -1, Period(2024, month), account, objects, amount)
        written = 0
        members = list(MEMBER_ACCOUNTS.items())
        for month in range(1, 13):  # member invoices and payments: 120 vouchers
            for n, (member, account) in enumerate(members):
                count += 1
                amount = Decimal(100000 + 1000 * n)
                ref: tuple[tuple[int, str], ...] = (
                    ((10, f"F{month}{n}"),) if n == 0 else ((8, str(n)),) if n == 1 else ()
                )
                day = date(2025, month, 2)
                yield Voucher(
                    "K",
                    str(count),
                    day,
                    f"Faktura {member}",
                    rows=[
                        Transaction("TRANS", "1510", ref, amount),
                        Transaction("TRANS", account, ((1, "50000"),), -amount),
                    ],
                )
                count += 1
                text = f"Inbetalning {member}" if n in (2, 3) else "Kundinbetalning"
                yield Voucher(
                    "I",
                    str(count),
                    date(2025, month, 20),
                    text,
                    rows=[
                        Transaction("TRANS", "1930", (), amount),
                        Transaction("TRANS", "1510", ref, -amount),
                    ],
                )
                written += 4

        def cost_row(rng: random.Random) -> tuple[str, ObjectList]:
            account, centre = rng.choice(lines)
            objs: ObjectList = ((1, centre),) if centre else ()
            return account, (*objs, (6, rng.choice(projects)))

        for voucher in supplier_invoices(rng, rows - written, count, cost_row):
            count += 1
            yield voucher

    write_sie(records(), path)
    return count


def _setup_recon() -> Callable[[str], object]:
    import synthetic_books as sb

    from finsam_xl.books.ledger import read_sie_books
    from finsam_xl.core import evaluate
    from finsam_xl.core.receivables import capture_predicate
    from finsam_xl.core.recon import reconcile

    budget = sb.budget_with_mapping()
    result = evaluate(budget)
    capture = capture_predicate(budget)

    def work(path: str) -> object:
        books = read_sie_books(Path(path), capture=capture)
        recon = reconcile(budget, result, books.ledger, 2025, 8)
        methods: dict[str, int] = {}
        for member in recon.members:
            for payment in member.payments:
                methods[payment.method] = methods.get(payment.method, 0) + 1
        return {
            "rows": books.ledger.rows,
            "vouchers kept": len(books.ledger.vouchers),
            "kind": recon.books_kind,
            "matched": methods,
            "findings": len(recon.findings),
        }

    return work


MEASURES = {"split": _setup_split, "books": _setup_books, "recon": _setup_recon}
KINDS = ("split", "books", "recon")


def main() -> None:
    """Generate the file, run the measurements, print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="#TRANS rows (1000000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (1)")
    parser.add_argument("--input", type=Path, help="SIE file (written there first if missing)")
    parser.add_argument("--measure", choices=sorted(MEASURES), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        child(args.measure, args.file, MEASURES)
        return
    with tempfile.TemporaryDirectory(prefix="bench_recon_") as tmp:
        path = args.input or Path(tmp) / "bench.se"
        if path.exists():
            print(f"file: {path} (existing)")
        else:
            vouchers = generate(path, args.rows)
            print(f"file: {args.rows:,} #TRANS rows, {vouchers:,} vouchers")
        print(f"size {os.path.getsize(path) / 1e6:.1f} MB")
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, repeat {args.repeat}")
        results = run(KINDS, path, args.repeat, __file__)
    base = results["split"]
    print(f"{'measurement':<11} {'time s':>8} {'x split':>8} {'peak MB':>8}  result")
    for kind, data in results.items():
        if "skipped" in data:
            print(f"{kind:<11} skipped: {data['skipped']}")
            continue
        seconds = float(data["seconds"])  # type: ignore[arg-type]
        ratio = seconds / float(base["seconds"])  # type: ignore[arg-type]
        print(
            f"{kind:<11} {seconds:8.2f} {ratio:8.2f} {float(data['peak_mb']):8.1f}"  # type: ignore[arg-type]
            f"  {data['result']}"
        )
    recon = results.get("recon", {})
    if "seconds" in recon:
        ratio = float(recon["seconds"]) / float(base["seconds"])  # type: ignore[arg-type]
        peak = float(recon["peak_mb"])  # type: ignore[arg-type]
        met = "met" if ratio <= 3 and peak < 300 else "NOT met"
        print(f"target for recon (<= 3.00x split, < 300 MB): {met} ({ratio:.2f}x, {peak:.1f} MB)")


if __name__ == "__main__":
    main()
