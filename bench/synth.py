"""What the benchmarks share: a synthetic large förbund (N members, M lines, 5 years), a timer."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from finsam_xl.model import Budget

GROUPS = [
    "styrelse",
    "administration",
    "insats_individ",
    "insats_struktur",
    "kompetensutveckling",
    "ovrigt",
]


def big_budget(members: int = 50, lines: int = 2000, seed: int = 1) -> Budget:
    """A budget with comparison year, budget year and 3 plan years (5 years)."""
    rnd = random.Random(seed)
    years = [2025, 2026, 2027, 2028, 2029]
    member_list: list[dict[str, Any]] = [{"name": "Försäkringskassan", "kind": "stat"}]
    member_list += [
        {"name": f"Region {i}", "kind": "region", "key": rnd.randint(50_000, 400_000)}
        for i in range(2)
    ]
    member_list += [
        {"name": f"Kommun {i:02d}", "kind": "kommun", "key": rnd.randint(2_000, 90_000)}
        for i in range(members - 3)
    ]
    costs = [
        {
            "name": f"Rad {i}",
            "group": GROUPS[i % len(GROUPS)],
            "section": f"Avsnitt {i % 40}",
            "cost_centre": str(10000 + i % 40 * 1000),
            "account": str(40 + i % 30),
            "amounts": {y: rnd.randint(0, 50_000) for y in years},
        }
        for i in range(lines)
    ]
    return Budget.model_validate(
        {
            "forbund": {"name": "Stora samordningsförbundet"},
            "years": {"comparison": [2025], "budget": 2026, "plan": [2027, 2028, 2029]},
            "members": member_list,
            "keys": {"region": "befolkning", "kommun": "befolkning"},
            "contributions": [
                {"year": y, "mode": "stat", "amount": 20_000_000 + i} for i, y in enumerate(years)
            ],
            "costs": costs,
            "equity": {"opening": 5_000_000, "opening_year": 2025, "floor": 1_000_000},
        }
    )


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """The median wall time of ``repeat`` calls of ``fn``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
