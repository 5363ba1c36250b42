"""Write tests/data/slow-tests.txt, the tests the inner loop (``-m "not slow"``) leaves out.

Reads the report of a full run with every duration::

    .venv/bin/python -m pytest --durations=0 --durations-min=0.05 -q > durations.txt
    python tools/mark_slow.py durations.txt

A test function is slow when its setup, call and teardown take THRESHOLD seconds or more
in all (the sum over its parameters' worst one, so a function is marked whole). The
list is read by tests/conftest.py, which adds the ``slow`` mark; a test marked in its
own module with ``@pytest.mark.slow`` stays marked whatever the list says.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

THRESHOLD = 0.3
OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "slow-tests.txt"
_LINE = re.compile(r"^\s*(?P<s>\d+\.\d+)s (?:setup|call|teardown)\s+(?P<id>\S.*?)\s*$")


def slow_functions(report: str, threshold: float = THRESHOLD) -> list[str]:
    """The test functions (node ids without parameters) at or over ``threshold`` seconds."""
    per_item: dict[str, float] = defaultdict(float)
    for line in report.splitlines():
        match = _LINE.match(line)
        if match:
            per_item[match["id"]] += float(match["s"])
    worst: dict[str, float] = defaultdict(float)
    for item, seconds in per_item.items():
        base = item.split("[", 1)[0]
        worst[base] = max(worst[base], seconds)
    return sorted(base for base, seconds in worst.items() if seconds >= threshold)


def main() -> None:
    """Read the report named on the command line and write the list."""
    report = Path(sys.argv[1]).read_text(encoding="utf-8")
    names = slow_functions(report)
    header = (
        "# The tests -m 'not slow' leaves out: each takes 0.3 s or more (tools/mark_slow.py).\n"
    )
    OUT.write_text(header + "".join(f"{n}\n" for n in names), encoding="utf-8")
    print(f"{len(names)} testfunktioner i {OUT}")


if __name__ == "__main__":
    main()
