"""One test per input rule that no example triggers, and a test that every rule id is named.

Each test changes one thing in a seed budget and asserts the rule id, the
severity, the Swedish message and where the finding points.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from support import EXAMPLES, ROOT

from finsam_xl.core import evaluate
from finsam_xl.model.budget import Budget
from finsam_xl.model.findings import Finding, Severity
from finsam_xl.model.interchange import load

D = Decimal


def budget(**changes: Any) -> Budget:
    """Södra Dalarna 2025 with the given top-level fields replaced (validated again)."""
    data = load(EXAMPLES / "sodra-dalarna-2025.yaml").model_dump()
    data.update(changes)
    return Budget.model_validate(data)


def base() -> dict[str, Any]:
    """Södra Dalarna 2025 as a dict, to change one thing in."""
    return load(EXAMPLES / "sodra-dalarna-2025.yaml").model_dump()


def only(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def test_a_contribution_entered_twice() -> None:
    data = base()
    data["contributions"].append(dict(data["contributions"][0]))
    found = only(evaluate(Budget.model_validate(data)).findings, "input.contribution-duplicate")
    year = data["contributions"][0]["year"]
    assert [f.message for f in found] == [f"Medelstilldelningen för {year} är angiven två gånger."]
    assert found[0].severity is Severity.ERROR
    assert found[0].ref is not None and found[0].ref.element == "contribution"


def test_a_contribution_outside_the_years_and_a_missing_year() -> None:
    data = base()
    entry = next(c for c in data["contributions"] if c["year"] == data["years"]["plan"][-1])
    entry["year"] = 2040
    findings = evaluate(Budget.model_validate(data)).findings
    outside = only(findings, "input.contribution-year")
    assert len(outside) == 1 and outside[0].severity is Severity.WARNING
    assert outside[0].message.startswith("Medelstilldelning för 2040 ligger utanför budgetens år")
    missing = only(findings, "input.contribution-missing")
    assert [f.ref.year for f in missing if f.ref] == [data["years"]["plan"][-1]]
    assert missing[0].severity is Severity.WARNING


def test_a_negative_contribution() -> None:
    data = base()
    entry = data["contributions"][0]
    entry["amount"] = D(-1000)
    found = only(evaluate(Budget.model_validate(data)).findings, "input.contribution-negative")
    assert [f.message for f in found] == [
        f"Medelstilldelningen för {entry['year']} är negativ: −1\u00a0000\u00a0kr."
    ]


def test_a_member_listed_twice() -> None:
    data = base()
    data["members"].append(dict(data["members"][-1]))
    found = only(evaluate(Budget.model_validate(data)).findings, "input.member-duplicate")
    name = data["members"][-1]["name"]
    assert [f.message for f in found] == [
        f"Medlemmen '{name}' står redan tidigare i medlemslistan; varje medlem ska stå en gång."
    ]
    assert found[0].ref is not None and found[0].ref.index == len(data["members"]) - 1


def test_a_negative_key() -> None:
    data = base()
    index = next(
        i for i, m in enumerate(data["members"]) if m["kind"] == "kommun" and m["key"] is not None
    )
    data["members"][index]["key"] = D(-5)
    found = only(evaluate(Budget.model_validate(data)).findings, "input.key-negative")
    assert len(found) == 1 and found[0].severity is Severity.ERROR
    assert data["members"][index]["name"] in found[0].message
    assert found[0].ref is not None and found[0].ref.field == "key"


def test_a_line_without_amounts() -> None:
    data = base()
    data["costs"][0]["amounts"] = {}
    found = only(evaluate(Budget.model_validate(data)).findings, "lines.empty")
    assert len(found) == 1
    assert found[0].ref is not None and (found[0].ref.element, found[0].ref.index) == ("cost", 0)
    assert data["costs"][0]["name"] in found[0].message


def test_an_amount_for_a_year_outside_the_budget() -> None:
    data = base()
    data["costs"][0]["amounts"][2040] = D(5000)
    found = only(evaluate(Budget.model_validate(data)).findings, "lines.year-outside")
    assert len(found) == 1 and "2040" in found[0].message
    assert found[0].ref is not None and found[0].ref.year == 2040


def test_utfall_equity_other_than_the_opening_equity() -> None:
    """Issue 18 item 9: Utfall 2024 says 900 000, the opening equity 2025 says 700 000."""
    data = base()
    row = next(a for a in data["actuals"] if a["year"] == 2024)
    row["equity_end"] = D(900000)
    found = only(evaluate(Budget.model_validate(data)).findings, "equity.history-mismatch")
    assert [f.message for f in found] == [
        "Eget kapital 31/12 2024 är 900\u00a0000\u00a0kr enligt prognosen i tabellen Utfall, men "
        "eget kapital vid årets början 2025 är 700\u00a0000\u00a0kr (skillnad "
        "200\u00a0000\u00a0kr). Det är samma belopp; rätta det som är fel, annars visar bladet "
        "Eget kapital två olika utgångslägen."
    ]
    assert found[0].severity is Severity.ERROR
    assert found[0].ref is not None
    assert (found[0].ref.element, found[0].ref.year, found[0].ref.field) == (
        "actual",
        2024,
        "equity_end",
    )
    # equal figures, an older year, or no equity in the row: nothing to say
    row["equity_end"] = D(700000)
    assert not only(evaluate(Budget.model_validate(data)).findings, "equity.history-mismatch")
    row["equity_end"] = None
    assert not only(evaluate(Budget.model_validate(data)).findings, "equity.history-mismatch")


def test_the_state_on_two_rows_says_how_its_half_was_split() -> None:
    """Fryksdalen shows Försäkringskassan and Arbetsförmedlingen apart: one info finding."""
    fryksdalen = load(EXAMPLES / "fryksdalen-2022.yaml")
    found = only(evaluate(fryksdalen).findings, "contrib.state-split")
    assert len(found) == 1 and found[0].severity is Severity.INFO
    assert found[0].message.startswith(
        "2022: statens hälft 1\u00a0505\u00a0000\u00a0kr delas mellan 2 rader enligt fasta "
        "belopp: Försäkringskassan 752\u00a0500\u00a0kr, Arbetsförmedlingen 752\u00a0500\u00a0kr."
    )
    assert found[0].ref is not None and found[0].ref.element == "member"
    # by the key when no amounts are typed
    members = [m.model_copy(update={"amounts": {}}) for m in fryksdalen.members]
    keyed = fryksdalen.model_copy(update={"members": members})
    split = only(evaluate(keyed).findings, "contrib.state-split")
    assert "enligt nyckeln (lika)" in split[0].message
    # one state row: nothing to say
    assert not only(
        evaluate(load(EXAMPLES / "sodra-dalarna-2025.yaml")).findings, "contrib.state-split"
    )


def test_every_rule_id_is_named_by_a_test() -> None:
    """A rule that no test names can change or break without anyone noticing."""
    ids: set[str] = set()
    for path in (ROOT / "finsam_xl" / "rules").glob("*.py"):
        ids |= set(re.findall(r'rule="([a-z0-9_.\-]+)"', path.read_text(encoding="utf-8")))
    assert len(ids) > 20
    text = (
        "".join(
            p.read_text(encoding="utf-8")
            for p in Path(ROOT / "tests").rglob("*.py")
            if p.name != "test_rules.py"
        )
        + Path(__file__).read_text(encoding="utf-8").split("def test_every_rule_id")[0]
    )
    assert sorted(i for i in ids if i not in text) == []
