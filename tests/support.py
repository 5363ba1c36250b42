"""Test support: paths to the bundled examples and to the published figures.

The published figures of the seed budgets (transcribed in ../shared/examples)
are kept in ``tests/data/figures`` so that the tests run in a bare clone;
``test_published_copy_matches_shared`` keeps the copy equal to ../shared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "finsam_xl" / "examples"
SHARED = ROOT.parent / "shared"
FIGURES = ROOT / "tests" / "data" / "figures"
EXAMPLE_NAMES = ["fryksdalen-2022", "sodra-dalarna-2025", "sodra-lappland-2024"]


def shared_example(name: str) -> dict[str, Any]:
    """The transcribed published figures of a seed budget (kept in the repository)."""
    path = FIGURES / f"{name}.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def example_path() -> Any:
    """Function returning the bundled interchange file of an example."""
    return lambda name: EXAMPLES / f"{name}.yaml"
