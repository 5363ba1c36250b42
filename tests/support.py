"""Test support: paths to the bundled examples and to ../shared/examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "finsam_xl" / "examples"
SHARED = ROOT.parent / "shared"
EXAMPLE_NAMES = ["fryksdalen-2022", "sodra-dalarna-2025", "sodra-lappland-2024"]


def shared_example(name: str) -> dict[str, Any]:
    """The transcribed published figures; tests that need them skip without ../shared."""
    path = SHARED / "examples" / f"{name}.yaml"
    if not path.exists():
        pytest.skip(f"{path} saknas")
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def example_path() -> Any:
    """Function returning the bundled interchange file of an example."""
    return lambda name: EXAMPLES / f"{name}.yaml"
