"""The inner loop's list of slow tests (tests/data/slow-tests.txt, tools/mark_slow.py)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from mark_slow import slow_functions  # noqa: E402


def test_a_function_is_slow_by_its_slowest_parameter() -> None:
    report = (
        "0.25s setup    tests/a.py::test_x[one]\n"
        "0.10s call     tests/a.py::test_x[one]\n"
        "0.05s call     tests/a.py::test_x[two]\n"
        "0.29s call     tests/b.py::test_y\n"
        "1.50s call     tests/c.py::Case::test_z\n"
    )
    assert slow_functions(report) == ["tests/a.py::test_x", "tests/c.py::Case::test_z"]


def test_every_listed_test_exists() -> None:
    """A renamed or removed test leaves no stale line behind."""
    listed = [
        line
        for line in (ROOT / "tests" / "data" / "slow-tests.txt").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert len(listed) > 50
    missing = [
        n
        for n in listed
        if f"def {n.rsplit('::', 1)[1]}(" not in (ROOT / n.split("::", 1)[0]).read_text("utf-8")
    ]
    assert missing == []
