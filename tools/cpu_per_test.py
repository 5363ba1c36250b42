"""CPU time per test, the subprocesses it waited for included: where the suite's work goes.

Wall time on a shared 2-core machine says little (it moves 2x with the load); the CPU a
test costs moves much less. As a pytest plugin it writes one JSON line per test (node id,
CPU seconds of the process and its waited-for children, wall seconds) to
``$FINSAM_CPU_DIR/cpu-<pid>.jsonl`` (each xdist worker its own file)::

    FINSAM_CPU_DIR=/tmp/cpu PYTHONPATH=tools python -m pytest -p cpu_per_test
    python tools/cpu_per_test.py /tmp/cpu          # totals, by module and the top tests

A LibreOffice or Node process counts when the test waits for it (``subprocess.run``).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

_out: IO[str] | None = None


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Time one test: setup, call and teardown."""
    global _out
    if _out is None:
        folder = Path(os.environ.get("FINSAM_CPU_DIR", "cpu-per-test"))
        folder.mkdir(parents=True, exist_ok=True)
        _out = (folder / f"cpu-{os.getpid()}.jsonl").open("a", encoding="utf-8")
    cpu, wall = _cpu(), time.monotonic()
    yield
    line = {"id": item.nodeid, "cpu": _cpu() - cpu, "wall": time.monotonic() - wall}
    _out.write(json.dumps(line) + "\n")
    _out.flush()


def summary(folder: Path, top: int = 25) -> str:
    """Totals, the modules by CPU and the ``top`` tests by CPU, as text."""
    rows: list[dict[str, Any]] = [
        json.loads(line) for path in folder.glob("cpu-*.jsonl") for line in path.open()
    ]
    modules: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for row in rows:
        entry = modules[row["id"].split("::")[0]]
        entry[0] += row["cpu"]
        entry[1] += row["wall"]
        entry[2] += 1
    lines = [
        f"{len(rows)} tests: CPU {sum(r['cpu'] for r in rows):.0f} s, "
        f"wall (summed over workers) {sum(r['wall'] for r in rows):.0f} s",
        "",
        "   CPU s  wall s  tests  module",
    ]
    for name, (cpu, wall, count) in sorted(modules.items(), key=lambda m: -m[1][0])[:top]:
        lines.append(f"{cpu:8.1f} {wall:7.1f} {count:6.0f}  {name}")
    lines += ["", "   CPU s  wall s  test"]
    for row in sorted(rows, key=lambda r: -r["cpu"])[:top]:
        lines.append(f"{row['cpu']:8.1f} {row['wall']:7.1f}  {row['id']}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(Path(sys.argv[1] if len(sys.argv) > 1 else "cpu-per-test")))
