"""Suite-wide: how pytest-xdist shares the tests out over the cores.

The README's `python -m pytest` runs on every core (`-n auto --dist loadfile
--no-loadscope-reorder`, pyproject.toml). A module's tests run on one worker, so that each
module-scoped fixture is built once, except the tests named in GROUPS: they go with the
other tests of their group instead (tests in several modules that read one session
fixture, or a long test split from its module). The modules with ``slow`` tests are sent
out first, so that no long module starts last while the other workers sit idle.

GROUPS is keyed by node-id prefix, not by xdist's ``xdist_group`` mark: with pytest 9.2
that mark groups nothing (xdist 3.8 renames items through an attribute pytest no longer
reads), and the scheduler, which runs in the controller, sees node ids only.
Without xdist (``-n 0``) GROUPS does nothing and only the order changes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

# pytest caches each test module with its asserts rewritten (tests/**/__pycache__, ignored by
# git) unless bytecode writing is off; with PYTHONDONTWRITEBYTECODE set, every run and every
# xdist worker rewrote and compiled all ~70 test modules again, about half the collection
# time. The cache is written whatever the variable says; the tests' subprocesses inherit it.
sys.dont_write_bytecode = False

_FAULT = "tests/workbook/test_fault_injection.py::test_kill_at_random_points_leaves_old_or_new"
#: node-id prefix -> the group whose tests run on one worker (instead of the module's).
GROUPS = {
    # The session fixture `broken` (tests/workbook/conftest.py), built once.
    "tests/workbook/test_bad_inputs.py": "broken-workbooks",
    "tests/workbook/test_zipview.py::test_every_broken_workbook_reads_the_same": "broken-workbooks",
    # The session fixture `lo_examples`: one LibreOffice run for the three examples.
    "tests/workbook/test_libreoffice.py": "libreoffice-examples",
    "tests/workbook/test_zipview.py::test_a_file_saved_by_libreoffice_reads_the_same": (
        "libreoffice-examples"
    ),
    # The two longest tests of the suite: each on its own, so that two workers share them.
    f"{_FAULT}_and_the_original_backup[berakna]": "fault-injection-berakna",
    f"{_FAULT}_and_the_original_backup[avstamning]": "fault-injection-avstamning",
}


def scope_of(nodeid: str) -> str:
    """The unit of work a test belongs to: its group in GROUPS, else its module."""
    for prefix, group in GROUPS.items():
        if nodeid.startswith(prefix):
            return group
    return nodeid.split("::", 1)[0]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadfile` with the groups of GROUPS (other --dist values: xdist's own)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class ModuleOrGroupScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

    return ModuleOrGroupScheduling(config, log)


#: The tests measured at 0.3 s or more (tools/mark_slow.py writes the list): the inner loop,
#: ``-m "not slow"``, leaves them out with those marked ``@pytest.mark.slow`` in their modules.
SLOW_LIST = Path(__file__).parent / "data" / "slow-tests.txt"


def _measured_slow() -> frozenset[str]:
    if not SLOW_LIST.is_file():
        return frozenset()
    lines = SLOW_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@pytest.hookimpl(tryfirst=True)  # before -m deselects by mark
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the measured slow tests; send the modules with marked-slow tests first (a stable
    sort: otherwise collection order)."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    measured = _measured_slow()
    for item in items:
        if item.nodeid.split("[", 1)[0] in measured:
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.path not in slow)
