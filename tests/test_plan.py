"""The plan: equity rolls forward year by year; checks on equity, deficits and calendar."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from finsam_xl.core import evaluate
from finsam_xl.model import Budget

amount = st.integers(0, 20_000_000)


def make(costs: list[int], contrib: list[int], opening: int, **extra: Any) -> Budget:
    years = list(range(2025, 2025 + len(costs)))
    data: dict[str, Any] = {
        "forbund": {"name": "Test"},
        "years": {"budget": years[0], "plan": years[1:]},
        "members": [
            {"name": "FK", "kind": "stat"},
            {"name": "Region", "kind": "region"},
            {"name": "Kommun", "kind": "kommun", "key": 1},
        ],
        "keys": {"kommun": "lika"},
        "contributions": [{"year": y, "amount": c} for y, c in zip(years, contrib, strict=True)],
        "costs": [
            {
                "name": "Insats",
                "group": "insats_individ",
                "amounts": dict(zip(years, costs, strict=True)),
            }
        ],
        "equity": {"opening": opening},
    }
    data.update(extra)
    return Budget.model_validate(data)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n: st.tuples(
            st.lists(amount, min_size=n, max_size=n),
            st.lists(amount, min_size=n, max_size=n),
            st.integers(-1_000_000, 5_000_000),
        )
    )
)
def test_equity_end_is_start_plus_result_year_by_year(
    args: tuple[list[int], list[int], int],
) -> None:
    costs, contrib, opening = args
    r = evaluate(make(costs, contrib, opening))
    previous_end = Decimal(opening)
    for row in r.plan:
        assert row.equity_start == previous_end
        assert row.result == row.contributions + row.other_income - row.costs
        assert row.equity_end == previous_end + row.result
        previous_end = row.equity_end
    negative = {f.ref.year for f in r.findings if f.rule == "equity.negative" and f.ref}
    if opening < 0:  # the root cause once: the opening equity, not every year after it
        assert "input.equity-opening-negative" in {f.rule for f in r.findings}
        assert negative == set()
        return
    assert negative == {
        row.year for row in r.plan if row.equity_end is not None and row.equity_end < 0
    }


def test_negative_equity_is_an_error_naming_the_shortfall() -> None:
    r = evaluate(make([3_000_000, 1_000_000, 1_000_000], [1_000_000] * 3, 500_000))
    errors = [f for f in r.findings if f.rule == "equity.negative"]
    assert [f.ref.year for f in errors if f.ref] == [2025, 2026, 2027]
    assert "−1\u00a0500\u00a0000\u00a0kr" in errors[0].message
    deficit = next(f for f in r.findings if f.rule == "result.deficit")
    assert "täcker inte" in deficit.message


def test_recommended_scale_bands() -> None:
    scale = [{"from_amount": 0, "max_pct": 30}, {"from_amount": 5_000_000, "max_pct": 20}]
    r = evaluate(
        make(
            [1_000_000] * 3,
            [2_000_000, 6_000_000, 6_000_000],
            0,
            equity={"opening": 0, "scale": scale},
        )
    )
    assert [row.recommended_max_pct for row in r.plan] == [30, 20, 20]
    assert r.plan[0].recommended_max == 600_000
    assert {f.ref.year for f in r.findings if f.rule == "equity.above-recommended" and f.ref} == {
        2025,
        2026,
        2027,
    }


def test_plan_too_short_and_late_adoption() -> None:
    r = evaluate(make([0, 0], [0, 0], 0, adopted=date(2024, 12, 10)))
    rules = {f.rule for f in r.findings}
    assert {"years.plan-short", "adopted.late"} <= rules
    ok = evaluate(make([0, 0, 0], [0, 0, 0], 0, adopted=date(2024, 11, 30)))
    assert not {"years.plan-short", "adopted.late"} & {f.rule for f in ok.findings}


def test_insats_outside_period_and_above_granted() -> None:
    b = make([100, 200, 300], [1000] * 3, 0)
    data = b.model_dump()
    data["costs"][0]["insats"] = {"end": date(2026, 6, 30), "granted_per_year": 150}
    r = evaluate(Budget.model_validate(data))
    outside = [f.ref.year for f in r.findings if f.rule == "insats.outside-period" and f.ref]
    above = [f.ref.year for f in r.findings if f.rule == "insats.above-granted" and f.ref]
    assert outside == [2027] and above == [2026, 2027]


def test_duplicate_and_blank_lines_and_admin_share() -> None:
    b = make([100, 100, 100], [1000] * 3, 0)
    data = b.model_dump()
    data["costs"].append(dict(data["costs"][0]))
    data["costs"].append({"name": " ", "group": "administration", "amounts": {2025: 900}})
    data["settings"] = {"admin_share_max_pct": 50}
    r = evaluate(Budget.model_validate(data))
    rules = [f.rule for f in r.findings]
    assert "lines.duplicate" in rules and "lines.blank" in rules
    admin = [f for f in r.findings if f.rule == "admin.share"]
    assert [f.ref.year for f in admin if f.ref] == [2025]
    assert "81,8" in admin[0].message
