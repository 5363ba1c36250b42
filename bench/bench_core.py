"""Core speed: plan + checks for a large förbund (50 members, 2,000 lines, 5 years).

Targets (issue 2): one förbund under 20 ms; 75 such förbund under 1 s.
Baseline in the same run: a bare Python loop that adds up the same amounts,
so the ratio says what the model, allocation and checks cost on top.
Run: python bench/bench_core.py
"""

from __future__ import annotations

import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synth import big_budget  # noqa: E402

from finsam_xl.core import evaluate  # noqa: E402


def best(fn: object, repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)  # type: ignore[return-value]


def main() -> None:
    budget = big_budget()

    def baseline() -> Decimal:
        total = Decimal(0)
        for line in budget.costs:
            for amount in line.amounts.values():
                total += amount
        return total

    base_min, base_med = best(baseline)
    one_min, one_med = best(lambda: evaluate(budget))
    budgets = [big_budget(seed=i) for i in range(75)]
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        for b in budgets:
            evaluate(b)
        runs.append(time.perf_counter() - start)
    all75 = min(runs)
    print(
        f"baseline (sum of 10,000 amounts): min {base_min * 1000:.2f} ms, "
        f"median {base_med * 1000:.2f} ms"
    )
    print(
        f"evaluate one förbund (50 members, 2,000 lines, 5 years): min {one_min * 1000:.1f} ms, "
        f"median {one_med * 1000:.1f} ms  (target < 20 ms)  "
        f"ratio {one_med / base_med:.1f}x baseline"
    )
    print(
        f"evaluate 75 such förbund: best of 3 runs {all75 * 1000:.0f} ms, runs "
        f"{', '.join(f'{r * 1000:.0f}' for r in runs)} ms  (target < 1000 ms)"
    )


if __name__ == "__main__":
    main()
