"""Every published figure and every listed finding of the three seed budgets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from support import EXAMPLES, shared_example

from finsam_xl.core import evaluate
from finsam_xl.model import MemberKind, Result, Severity
from finsam_xl.model.interchange import load


def run(name: str) -> Result:
    return evaluate(load(EXAMPLES / f"{name}.yaml"))


def rules(result: Result, severity: Severity | None = None) -> set[str]:
    return {f.rule for f in result.findings if severity is None or f.severity is severity}


def years_with(result: Result, rule: str) -> list[int]:
    return sorted(f.ref.year for f in result.findings if f.rule == rule and f.ref and f.ref.year)


def D(x: object) -> Decimal:
    return Decimal(str(x))


# --- Fryksdalen 2022 (kr) ------------------------------------------------------------------


def test_fryksdalen_published_figures() -> None:
    src = shared_example("fryksdalen-2022")
    r = run("fryksdalen-2022")
    pub = src["published_totals"]
    for year in (2022, 2023, 2024):
        row = r.year(year)
        assert row.contributions == D(src["contribution_total"][year]) == D(pub["income"][year])
        assert row.costs == D(pub["costs"][year])
        assert row.result == D(pub["result"][year])
        alloc = r.allocation_for(year)
        assert alloc is not None
        for member in src["members"]:
            assert alloc.amount(member["name"]) == D(member["amount"])
    assert r.year(2022).equity_start == D(src["equity"]["opening_2022"])
    assert r.year(2022).equity_end == D(src["published_equity_2022_end"]) == D(968916)
    assert round(r.year(2022).equity_pct or 0) == src["published_equity_2022_end_pct"] == 32


def test_fryksdalen_findings() -> None:
    r = run("fryksdalen-2022")
    # All published totals add up.
    assert not {x for x in rules(r) if x.startswith("published.")}
    # Equity 1441776 -> 968916 -> 746056 -> 523196; 31.7 %, 24.4 %, 17.1 %.
    assert [r.year(y).equity_end for y in (2022, 2023, 2024)] == [968916, 746056, 523196]
    assert [r.year(y).equity_pct for y in (2022, 2023, 2024)] == [D("31.7"), D("24.4"), D("17.1")]
    assert years_with(r, "equity.above-recommended") == [2022, 2023]
    above = [f for f in r.findings if f.rule == "equity.above-recommended"][0]
    assert "611\u00a0228\u00a0kr" in above.message and "357\u00a0688\u00a0kr" in above.message
    # The state pays 1505000 of 3056140 (49.2 %), the region 25.5 %, municipalities 25.3 %.
    alloc = r.allocation_for(2022)
    assert alloc is not None
    assert alloc.group_actual[MemberKind.STAT] == 1505000
    assert alloc.group_lawful == {
        MemberKind.STAT: 1528070,
        MemberKind.REGION: 764035,
        MemberKind.KOMMUN: 764035,
    }
    assert years_with(r, "contrib.lawful-split") == [2022, 2023, 2024]
    split = [f for f in r.findings if f.rule == "contrib.lawful-split"][0]
    for text in (
        "49,2\u00a0%",
        "25,5\u00a0%",
        "25,3\u00a0%",
        "1\u00a0528\u00a0070\u00a0kr",
        "764\u00a0035\u00a0kr",
    ):
        assert text in split.message
    # The municipalities share their quarter in equal parts.
    kommuner = [m for m in alloc.members if m.kind is MemberKind.KOMMUN]
    assert len({m.amount for m in kommuner}) == 1 and len({m.lawful for m in kommuner}) == 2
    # Deficits in all three years are planned, and covered by equity.
    assert years_with(r, "result.deficit") == [2022, 2023, 2024]
    assert rules(r, Severity.ERROR) == set()


# --- Södra Dalarna 2025 (tkr) ---------------------------------------------------------------


def test_sodra_dalarna_published_figures() -> None:
    src = shared_example("sodra-dalarna-2025")
    r = run("sodra-dalarna-2025")
    tkr = Decimal(1000)
    for year in (2024, 2025):
        row = r.year(year)
        assert row.contributions == D(src["published_totals"]["income"][year]) * tkr
        assert row.costs_net == D(src["published_totals"]["costs"][year]) * tkr
        assert row.result == D(src["published_totals"]["result"][year]) * tkr
    for year, total in src["contribution_total"].items():
        assert r.year(year).contributions == D(total) * tkr
    alloc = r.allocation_for(2025)
    assert alloc is not None
    for name, amount in src["published_allocation_2025_kr"].items():
        if name == "total":
            assert alloc.total == D(amount) == 6184000
        else:
            assert alloc.amount(name) == D(amount)
            assert alloc.members[[m.name for m in alloc.members].index(name)].lawful == D(amount)
    row = r.year(2025)
    assert row.equity_start == 700000
    assert row.available == D(src["published_available_2025"]) * tkr == 6484000
    # check --json shape from the issue: gross costs and other income
    assert (row.other_income, row.costs, row.result) == (385000, 6885000, -316000)
    # Every cost-centre total adds up.
    assert not [f for f in r.findings if f.ref and f.ref.key and f.ref.key.startswith("section:")]
    for centre in src["cost_centres"]:
        total = sum(D(line[2025]) for line in centre["lines"])
        assert total == D(centre["published_total"][2025])


def test_sodra_dalarna_findings() -> None:
    r = run("sodra-dalarna-2025")
    # Equity at 2025-12-31 is 700 - 316 = 384 tkr, below the board's floor of 400 tkr.
    assert r.year(2025).equity_end == 384000
    assert 2025 in years_with(r, "equity.below-floor")
    floor = [
        f for f in r.findings if f.rule == "equity.below-floor" and f.ref and f.ref.year == 2025
    ]
    assert "6\u00a0500\u00a0000\u00a0kr" in floor[0].message
    assert "6\u00a0484\u00a0000\u00a0kr" in floor[0].message
    # ... while the document's own table says 400.
    mismatch = [
        f
        for f in r.findings
        if f.rule == "published.total"
        and f.ref
        and f.ref.key == "equity_end"
        and f.ref.year == 2025
    ]
    assert mismatch and "400\u00a0000\u00a0kr" in mismatch[0].message
    # Equity stays far below 20 % in every year (about 6 %).
    assert "equity.above-recommended" not in rules(r)
    assert r.year(2025).equity_pct == D("6.2")
    assert all(p.equity_pct is None or p.equity_pct < 7 for p in r.plan)
    # The 2025 allocation follows 50/25/25 and the municipal shares 11/8/6 exactly.
    assert "contrib.lawful-split" not in rules(r)
    assert "contrib.member-share" not in rules(r)
    assert "input.key-percent-sum" not in rules(r)


# --- Södra Lappland 2024 (tkr) --------------------------------------------------------------


def test_sodra_lappland_published_figures() -> None:
    src = shared_example("sodra-lappland-2024")
    r = run("sodra-lappland-2024")
    tkr = Decimal(1000)
    for year in (2023, 2024, 2025, 2026):
        row = r.year(year)
        assert row.contributions == D(src["contribution_total"][year]) * tkr
        assert row.other_income == D(src["other_income"]["ESF medel"][year]) * tkr
        assert row.costs == D(src["published_totals"]["costs"][year]) * tkr
        assert row.equity_start == D(src["published_equity_brought_forward"][year]) * tkr
        assert row.decision_room == D(src["published_available"][year]) * tkr
    for group in src["cost_groups"]:
        for year, total in group["published_total"].items():
            assert sum(D(line[year]) for line in group["lines"]) == D(total)


def test_sodra_lappland_findings() -> None:
    r = run("sodra-lappland-2024")
    # All group totals and cost totals add up; brought-forward equity chains.
    assert not {x for x in rules(r) if x == "published.total"}
    results = [r.year(y).result for y in (2023, 2024, 2025, 2026)]
    assert results == [-574000, -431000, -319000, -319000]
    assert r.year(2026).equity_end == 1027000
    assert [r.year(y).equity_pct for y in (2023, 2024, 2025, 2026)] == [
        D("55.9"),
        D("44.4"),
        D("35.9"),
        D("27.4"),
    ]
    assert years_with(r, "equity.above-recommended") == [2023, 2024, 2025, 2026]
    # State half, region quarter, municipalities add up to the other quarter (938).
    assert "contrib.lawful-split" not in rules(r)
    alloc = r.allocation_for(2024)
    assert alloc is not None and alloc.group_actual[MemberKind.KOMMUN] == 938000
    # The table's header names the wrong years.
    assert "published.heading" in rules(r)
    assert rules(r, Severity.ERROR) == set()


@pytest.mark.parametrize("name", ["fryksdalen-2022", "sodra-dalarna-2025", "sodra-lappland-2024"])
def test_every_finding_has_a_reference_and_swedish_text(name: str) -> None:
    for finding in run(name).findings:
        assert finding.ref is not None
        assert finding.message and finding.message[-1] in ".)"


def test_published_copy_matches_shared() -> None:
    """The repository's copy of the published figures is ../shared/examples, byte for byte."""
    from support import FIGURES, SHARED

    shared = SHARED / "examples"
    if not shared.is_dir():
        pytest.skip("../shared finns inte bredvid klonen; kopian i tests/data/figures används")
    names = sorted(p.name for p in shared.glob("*.yaml"))
    assert names == sorted(p.name for p in FIGURES.glob("*.yaml"))
    for name in names:
        assert (shared / name).read_bytes() == (FIGURES / name).read_bytes(), name
