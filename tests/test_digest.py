"""The digest of a budget's inputs (``interchange.digest``): what the computed sheets came from.

It must not depend on how a number was read (openpyxl gives 45, xlwings 45.0, a text cell
"45,0"), and must change with any input.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from support import EXAMPLES

from finsam_xl.model.budget import Budget
from finsam_xl.model.interchange import digest, load

BASE = load(EXAMPLES / "sodra-dalarna-2025.yaml")


def _respell(value: Any) -> Any:
    """The same numbers written another way: 45 -> Decimal('45.000')."""
    if isinstance(value, dict):
        return {k: _respell(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_respell(v) for v in value]
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.001")) if abs(value) < 10**12 else value
    return value


def test_the_same_budget_spelled_otherwise_has_the_same_digest() -> None:
    respelled = Budget.model_validate(_respell(BASE.model_dump()))
    assert digest(respelled) == digest(BASE)
    assert len(digest(BASE)) == 24


@settings(max_examples=25, deadline=None)
@given(line=st.integers(0, len(BASE.costs) - 1), delta=st.integers(1, 10**6))
def test_any_changed_amount_changes_the_digest(line: int, delta: int) -> None:
    data = BASE.model_dump()
    year = BASE.years.budget
    amounts = data["costs"][line]["amounts"]
    amounts[year] = (amounts.get(year) or Decimal(0)) + delta
    assert digest(Budget.model_validate(data)) != digest(BASE)


def test_a_changed_name_changes_the_digest() -> None:
    data = BASE.model_dump()
    data["members"][0]["name"] += "x"
    assert digest(Budget.model_validate(data)) != digest(BASE)
