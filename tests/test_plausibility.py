"""Plausibility, bounded numbers and 'root cause once', on the model (no workbook).

The workbook cases are in tests/workbook/test_careless_input.py; here the rules
themselves: thresholds, the unit heuristic as a property, the number limit that
keeps every sum and percentage inside the decimal context, and the dependency
mechanism of ``finsam_xl.rules.run_checks``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from support import EXAMPLE_NAMES, EXAMPLES

from finsam_xl.core import evaluate
from finsam_xl.jobs.output import result_json
from finsam_xl.model import Budget, Severity
from finsam_xl.model.interchange import InterchangeError, load
from finsam_xl.model.money import NUMBER_LIMIT, NumberTooLarge, kr, pct, to_decimal
from finsam_xl.rules import CHECKS, SUSPECTS, TAINTS
from finsam_xl.rules.plausibility import FRAME_MAX_KR, FRAME_MIN_KR


def data(name: str = "fryksdalen-2022") -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text("utf-8"))
    return loaded


def rules(budget: Budget) -> list[str]:
    return [f.rule for f in evaluate(budget).findings]


#: Fryksdalen's frame; the property tests scale its lines with the frame they try.
FRYKSDALEN_FRAME = Decimal(3_056_140)


def with_frame(total: Decimal | int, unit: str, scale: Decimal | int = 1) -> Budget:
    """Fryksdalen with each year's contribution ``total`` kr, the lines times ``scale``."""
    d = data()
    d["forbund"]["unit"] = unit
    for line in d["costs"]:
        line["amounts"] = {y: str(Decimal(a) * scale) for y, a in line["amounts"].items()}
    for entry in d["contributions"]:
        entry["amount"] = str(total)
    for member in d["members"]:
        member["amounts"] = {}
    return Budget.model_validate(d)


# --- the seeds ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_seeds_are_plausible(name: str) -> None:
    found = rules(load(EXAMPLES / f"{name}.yaml"))
    assert not [r for r in found if r.startswith("plausible.") or r == "checks.skipped"]


# --- the unit heuristic, as a property ------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.integers(int(FRAME_MIN_KR), int(FRAME_MAX_KR)))
def test_a_plausible_frame_in_the_right_unit_is_silent(total: int) -> None:
    for unit in ("kr", "tkr"):
        budget = with_frame(total, unit, Decimal(total) / FRYKSDALEN_FRAME)
        assert not [r for r in rules(budget) if r.startswith("plausible.")]


@settings(max_examples=60, deadline=None)
@given(st.integers(int(FRAME_MIN_KR), int(FRAME_MAX_KR)))
def test_kronor_typed_in_a_tkr_book_is_one_unit_error(total: int) -> None:
    """A tkr book whose figures are kronor holds every amount a thousand times too large."""
    result = evaluate(with_frame(total * 1000, "tkr", Decimal(total) / FRYKSDALEN_FRAME * 1000))
    unit = [f for f in result.findings if f.rule.startswith("plausible.")]
    assert [f.rule for f in unit] == ["plausible.unit"]
    assert unit[0].severity is Severity.ERROR
    assert unit[0].message.startswith("Enheten är tkr, men beloppen ser ut att vara kronor")
    assert kr(total * 1000) in unit[0].message
    assert unit[0].ref is not None and unit[0].ref.field == "unit"


@settings(max_examples=60, deadline=None)
@given(st.integers(int(FRAME_MIN_KR), int(FRAME_MAX_KR)))
def test_tkr_typed_in_a_kr_book_is_one_unit_error(total: int) -> None:
    small = Decimal(total) / 1000
    unit = [
        f
        for f in evaluate(with_frame(small, "kr", small / FRYKSDALEN_FRAME)).findings
        if f.rule.startswith("plaus")
    ]
    assert [f.rule for f in unit] == ["plausible.unit"]
    assert "Enheten är kr, men beloppen ser ut att vara tkr" in unit[0].message


def test_frame_size_outside_both_units() -> None:
    found = [
        f for f in evaluate(with_frame(200_000, "kr")).findings if f.rule == "plausible.frame-size"
    ]
    assert len(found) == 1
    assert found[0].message.startswith(
        "Medelstilldelningen för 2022 är 200\u00a0000\u00a0kr, mindre än något "
        "samordningsförbunds ram (brukar vara 0,8\u00a0Mkr–60\u00a0Mkr)"
    )
    assert found[0].ref is not None and found[0].ref.element == "contribution"


def test_the_frame_bounds_are_settings() -> None:
    d = data()
    d["costs"][2]["amounts"][2023] = 650_000_000
    assert "plausible.amount-size" in rules(Budget.model_validate(d))
    d["settings"] = {**d.get("settings", {}), "frame_max_kr": 1_000_000_000}
    assert not [r for r in rules(Budget.model_validate(d)) if r.startswith("plausible.")]
    d["settings"]["frame_min_kr"] = 2_000_000_000
    with pytest.raises(ValidationError, match="rimlig ram: lägsta"):
        Budget.model_validate(d)


def test_many_large_amounts_are_one_finding() -> None:
    d = data()
    for line in d["costs"]:
        line["amounts"] = {y: 70_000_000 for y in line["amounts"]}
    found = [f for f in evaluate(Budget.model_validate(d)).findings if f.rule.endswith("-size")]
    assert [f.rule for f in found] == ["plausible.amount-size"]
    assert found[0].message.startswith("39 belopp är större än ett samordningsförbunds hela årsram")


# --- numbers are bounded; percentages never raise -------------------------------------------


@pytest.mark.parametrize("value", [10**12, -(10**12), 1e28, "1e28", "1E+400", "1 000 000 000 000"])
def test_numbers_at_the_limit_are_refused(value: object) -> None:
    with pytest.raises(NumberTooLarge, match="orimligt stort"):
        to_decimal(value)


def test_numbers_below_the_limit_are_kept() -> None:
    assert to_decimal(10**12 - 1) == NUMBER_LIMIT - 1
    assert to_decimal(Decimal("1e13")) == Decimal("1e13")  # parsed (or computed) already
    assert to_decimal("-999 999 999 999,5") == Decimal("-999999999999.5")


@given(
    st.decimals(
        allow_nan=False,
        allow_infinity=False,
        min_value=Decimal("-1e400"),
        max_value=Decimal("1e400"),
    ),
    st.decimals(
        allow_nan=False,
        allow_infinity=False,
        min_value=Decimal("-1e400"),
        max_value=Decimal("1e400"),
    ),
)
def test_pct_never_raises(part: Decimal, whole: Decimal) -> None:
    value = pct(part, whole)
    assert value is None or value.is_finite()


def test_pct_of_1e28_is_a_number() -> None:
    assert pct(Decimal("1e28"), Decimal(3)) == Decimal("333333333333333333333333333333.3")


@settings(max_examples=40, deadline=None)
@given(st.integers(-(10**12) + 1, 10**12 - 1), st.sampled_from(["kr", "tkr"]))
def test_any_amount_below_the_limit_evaluates(amount: int, unit: str) -> None:
    d = data()
    d["forbund"]["unit"] = unit
    d["costs"][0]["amounts"][2022] = amount
    d["equity"]["opening"] = amount
    result = evaluate(Budget.model_validate(d))
    result_json(result, result.findings)  # every figure formats


def test_a_budget_file_with_1e28_is_refused(tmp_path: Path) -> None:
    d = data()
    d["costs"][0]["amounts"][2022] = 10**28
    path = tmp_path / "stor.yaml"
    path.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InterchangeError, match="orimligt stort"):
        load(path)


# --- root cause once ------------------------------------------------------------------------


def test_every_taint_is_an_input_rule_and_every_need_is_known() -> None:
    assert all(rule.startswith("input.") for rule in TAINTS)
    known = set(TAINTS.values()) | set(SUSPECTS.values())
    assert all(needs <= known for _, needs in CHECKS)
    assert all(rule.startswith("plausible.") for rule in SUSPECTS)


def test_a_wrong_unit_comes_first_and_holds_back_the_published_totals() -> None:
    """Kronor typed into a tkr book (issue 22): the unit first, Publicerat's errors held back."""
    right = evaluate(with_frame(FRYKSDALEN_FRAME, "tkr"))
    assert not [f for f in right.findings if f.rule.startswith(("published.", "plausible."))]
    wrong = evaluate(with_frame(FRYKSDALEN_FRAME * 1000, "tkr", 1000)).findings
    assert wrong[0].rule == "plausible.unit" and wrong[0].cause
    assert not [f for f in wrong if f.rule.startswith("published.")]
    assert wrong[0].message.endswith(
        "Det förklarar troligen också 11 avvikelser mot de publicerade summorna (Publicerat), "
        "som visas först när detta är rättat."
    )
    assert sum(f.cause for f in wrong) == 1


def test_a_frame_size_warning_comes_first_and_marks_the_errors_that_follow() -> None:
    """A warning cannot hide errors (the exit code): they stay, marked as following from it."""
    findings = evaluate(with_frame(200_000, "kr")).findings
    assert findings[0].rule == "plausible.frame-size" and findings[0].cause
    published = [f for f in findings if f.rule == "published.total"]
    assert published and all(f.severity is Severity.ERROR for f in published)
    assert all(
        f.message.endswith("(Följer troligen av [plausible.frame-size] ovan.)") for f in published
    )
    assert findings[0].message.endswith(
        f"Det förklarar troligen också {len(published)} avvikelser mot de publicerade summorna "
        "(Publicerat), som står nedan."
    )


def test_a_negative_cost_is_reported_once_and_the_plan_checks_wait() -> None:
    d = data()
    d["costs"][2]["amounts"][2023] = -650_000
    result = evaluate(Budget.model_validate(d))
    found = {f.rule: f for f in result.findings}
    assert found["input.cost-negative"].message.startswith(
        "'Navet' har en negativ kostnad (2023: \u2212650\u00a0000\u00a0kr)."
    )
    assert found["input.cost-negative"].blocking
    assert not {"equity.above-recommended", "result.deficit", "admin.share"} & set(found)
    assert found["checks.skipped"].message.startswith(
        "Kontrollerna av eget kapital och resultat, administrationens andel och de publicerade "
        "summorna gjordes inte"
    )
    # the allocation does not depend on the lines: its checks still run
    assert "contrib.lawful-split" in found


def test_a_missing_population_is_one_error() -> None:
    d = data()
    d["keys"]["kommun"] = "befolkning"
    d["members"] = [
        {"name": "FK", "kind": "stat"},
        {"name": "Region Värmland", "kind": "region"},
        {"name": "Kils kommun", "kind": "kommun", "key": 12000},
        {"name": "Sunne kommun", "kind": "kommun"},
        {"name": "Torsby kommun", "kind": "kommun", "key": 11800},
    ]
    result = evaluate(Budget.model_validate(d))
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    assert [f.rule for f in errors] == ["input.key-missing"]
    assert "equity.negative" not in {f.rule for f in result.findings}


# --- keys and members -----------------------------------------------------------------------


def _dalarna_keys(*keys: object) -> Budget:
    d = data("sodra-dalarna-2025")
    for member, key in zip(d["members"], keys, strict=True):
        member["key"] = key
    return Budget.model_validate(d)


def test_percentage_keys_as_shares_are_accepted_and_mixed_ones_refused() -> None:
    same = evaluate(_dalarna_keys(0.5, 0.25, 0.11, 0.08, 0.06))
    original = evaluate(load(EXAMPLES / "sodra-dalarna-2025.yaml"))
    assert same.allocation == original.allocation
    assert not {"input.key-percent-sum", "input.key-percent-fraction"} & {
        f.rule for f in same.findings
    }
    mixed = [
        f
        for f in evaluate(_dalarna_keys(50, 25, 0.11, 8, 6)).findings
        if f.rule.startswith("input.key")
    ]
    assert [f.rule for f in mixed] == ["input.key-percent-fraction"]
    assert mixed[0].ref is not None and mixed[0].ref.index == 2


def test_a_population_with_decimals_is_refused() -> None:
    d = data("sodra-dalarna-2025")
    d["keys"]["kommun"] = "befolkning"
    for member, key in zip(d["members"][2:], ("23.456", 15000, 11000), strict=True):
        member["key"] = key
    found = [f for f in evaluate(Budget.model_validate(d)).findings if f.rule.startswith("input.")]
    assert [f.rule for f in found] == ["input.key-population-fraction"]
    assert "befolkningen 23,456 är inget helt antal invånare. Menades 23456?" in found[0].message


def test_a_member_twice_with_other_spacing_and_case() -> None:
    d = data("sodra-dalarna-2025")
    d["members"].append({**d["members"][2], "name": " AVESTA   kommun "})
    found = [
        f for f in evaluate(Budget.model_validate(d)).findings if f.rule == "input.member-duplicate"
    ]
    assert len(found) == 1 and "(stavat 'Avesta kommun')" in found[0].message


def test_years_outside_are_listed_per_line_up_to_five() -> None:
    d = data()
    for line in d["costs"][:5]:
        line["amounts"][2030] = 1000
    few = [f for f in rules(Budget.model_validate(d)) if f == "lines.year-outside"]
    assert len(few) == 5
    d["costs"][5]["amounts"][2030] = 1000
    many = [
        f for f in evaluate(Budget.model_validate(d)).findings if f.rule == "lines.year-outside"
    ]
    assert len(many) == 1
    assert many[0].message.startswith(
        "Kolumnen 2030 har belopp på 6 rader (sammanlagt 6\u00a0000\u00a0kr)"
    )


def test_a_budget_built_in_python_with_1e28_is_refused() -> None:
    d = data()
    d["costs"][0]["amounts"][2022] = Decimal("1e28")
    with pytest.raises(ValidationError, match="costs\\[0\\].2022: 1E\\+28 är orimligt stort"):
        Budget.model_validate(d)


def test_contributions_in_the_wrong_unit_beside_right_lines_are_not_a_unit_error() -> None:
    d = data("sodra-dalarna-2025")
    for entry in d["contributions"]:
        entry["amount"] = int(entry["amount"]) * 1000
    found = [f.rule for f in evaluate(Budget.model_validate(d)).findings]
    assert "plausible.unit" not in found and "plausible.frame-size" in found


@pytest.mark.parametrize(
    ("field", "value", "text"),
    [
        ("admin_share_max_pct", "0.3", "Gränsen för administrationens andel är 0,3\u00a0%"),
        ("deviation_pct", "0.1", "Avstämningens avvikelsegräns är 0,1\u00a0%; menades 10\u00a0%?"),
    ],
)
def test_percent_settings_typed_as_shares(field: str, value: str, text: str) -> None:
    d = data()
    d["settings"] = {**d.get("settings", {}), field: value}
    found = [f for f in evaluate(Budget.model_validate(d)).findings if f.rule.endswith("as-share")]
    assert len(found) == 1 and found[0].message.startswith(text)
    assert found[0].ref is not None and found[0].ref.field == field


def test_whole_float_from_excel_keeps_no_decimal_place() -> None:
    """Excel hands 32 over as 32.0; the Decimal is 32, as the file reader reads it."""
    from finsam_xl.model.money import to_decimal

    assert str(to_decimal(32.0)) == "32" and str(to_decimal(-5.0)) == "-5"
    assert str(to_decimal(31.7)) == "31.7" and str(to_decimal(0.1)) == "0.1"
