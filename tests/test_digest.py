"""The digest of a budget's inputs (``interchange.digest``): what the computed sheets came from.

It must not depend on how a number was read (openpyxl gives 45, xlwings 45.0, a text cell
"45,0"), and must change with any input.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from support import EXAMPLES

from finsam_xl.model.budget import Budget, CostGroup, KeyType, Unit
from finsam_xl.model.interchange import _canonical, digest, load

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


def _reference(value: Any) -> Any:
    """The canonical form as first written (one isinstance chain): the digests stored in
    workbooks were made with it, so the fast ``_canonical`` must give the same data."""
    if isinstance(value, dict):
        return {str(_reference(k)): _reference(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_reference(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Enum):
        return _reference(value.value)
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        text = format(number.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=5),
    st.integers(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.sampled_from([*Unit, *CostGroup, *KeyType]),
)
_KEYS = st.one_of(
    st.text(max_size=4), st.integers(-(10**30), 10**30), st.sampled_from([*CostGroup])
)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(_KEYS, inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=120, deadline=None)
@given(data=_DATA)
def test_the_fast_canonical_form_is_the_reference_form(data: Any) -> None:
    assert _canonical(data) == _reference(data)


def test_an_examples_canonical_form_is_the_reference_form() -> None:
    """What a digest is made of for a whole budget, as the earlier version made it."""
    assert _canonical(BASE.model_dump(mode="python")) == _reference(BASE.model_dump(mode="python"))


# --- canonical_json: the lines by json's own encoder ------------------------------------------
_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=6)
_AMOUNT = st.one_of(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9
    ),
    st.decimals(allow_nan=False, allow_infinity=False),  # any exponent: 1E+3, 0E-7, -0
)
_DAY = st.one_of(st.none(), st.dates())


@st.composite
def _line(draw: st.DrawFn, cost: bool) -> dict[str, Any]:
    years = draw(st.lists(st.integers(2020, 2030), max_size=5, unique=True))
    line: dict[str, Any] = {
        "name": draw(_TEXT),
        "section": draw(st.one_of(st.none(), _TEXT)),
        "cost_centre": draw(st.one_of(st.none(), _TEXT)),
        "account": draw(st.one_of(st.none(), _TEXT)),
        "amounts": {y: draw(_AMOUNT) for y in years},
        "forecast": draw(st.one_of(st.none(), _AMOUNT)),
        "phasing": draw(st.one_of(st.none(), st.lists(_AMOUNT, min_size=12, max_size=12))),
    }
    if cost:
        line["group"] = draw(st.sampled_from([*CostGroup]))
        line["insats"] = draw(
            st.one_of(
                st.none(),
                st.fixed_dictionaries(
                    {
                        "decision_date": _DAY,
                        "granted_per_year": st.one_of(st.none(), _AMOUNT),
                        "start": _DAY,
                        "end": _DAY,
                        "owner": st.one_of(st.none(), _TEXT),
                    }
                ),
            )
        )
    else:
        line["netted"] = draw(st.booleans())
    return line


@settings(max_examples=50, deadline=None)
@given(
    costs=st.lists(_line(True), max_size=5),
    income=st.lists(_line(False), max_size=3),
    odd_year=st.booleans(),
)
def test_canonical_json_is_the_general_way(
    costs: list[dict[str, Any]], income: list[dict[str, Any]], odd_year: bool
) -> None:
    """Lines of every kind of value a line holds (NFD text, escapes, dates, Decimals of any
    exponent, years in and out of four digits) give the text of the general way."""
    from finsam_xl.model.interchange import _dumps, canonical_json

    data = BASE.model_dump(mode="python")
    data["costs"], data["income"] = costs, income
    if odd_year and costs:
        costs[0]["amounts"][999] = Decimal(1)  # sorted as text, 999 comes after 2025
    assert canonical_json(data) == _dumps(_canonical(data))


def test_the_lines_hold_only_what_canonical_json_writes() -> None:
    """A new field on a line must be of a kind ``canonical_json`` writes as ``_canonical`` does
    (text, text enum, bool, Decimal, date, None, lists and dicts of them; no int or float
    value): add it here once it is, and to ``_line`` above."""
    from finsam_xl.model.budget import CostLine, IncomeLine, Insats

    common = ["name", "section", "cost_centre", "account"]
    money = ["amounts", "forecast", "phasing"]
    assert list(CostLine.model_fields) == [
        *common[:1],
        "group",
        *common[1:],
        "amounts",
        "insats",
        "forecast",
        "phasing",
    ]
    assert list(IncomeLine.model_fields) == [*common, "netted", *money]
    assert list(Insats.model_fields) == [
        "decision_date",
        "granted_per_year",
        "start",
        "end",
        "owner",
    ]
