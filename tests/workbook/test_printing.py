"""Print setup: scale and orientation keep 8 pt, page breaks never split a Rubrik from its
Totalt, and Kontroller groups findings repeated over years."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from finsam_xl import jobs
from finsam_xl.model.budget import Budget
from finsam_xl.model.findings import Finding, Ref, Severity
from finsam_xl.sheets.printing import MIN_SCALE, choose_page, row_breaks
from finsam_xl.workbook.writer import group_findings


@given(st.lists(st.integers(min_value=3, max_value=60), min_size=1, max_size=14))
def test_scale_never_goes_below_8_pt(widths: list[int]) -> None:
    landscape, scale = choose_page(dict(enumerate(widths, start=1)))
    assert MIN_SCALE <= scale <= 100
    assert 11 * scale / 100 >= 8


@given(st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=40))
def test_breaks_fall_between_blocks_that_fit_a_page(sizes: list[int]) -> None:
    blocks, row = [], 5
    for size in sizes:
        blocks.append((row, row + size - 1))
        row += size
    last = row - 1
    breaks = row_breaks(last, blocks, {}, 100, False)
    for first, end in blocks:
        assert not any(first <= b < end for b in breaks), (first, end, breaks)
    assert breaks == sorted(set(breaks)) and all(b < last for b in breaks)


def _many_centres() -> Budget:
    costs = [
        {
            "name": f"Konto {a} på ställe {c}",
            "group": "administration",
            "section": f"Kostnadsställe {c}",
            "cost_centre": str(10000 + 1000 * c),
            "account": str(40 + a),
            "amounts": {2025: 1000 * (a + 1)},
        }
        for c in range(30)
        for a in range(6)
    ]
    return Budget.model_validate(
        {
            "forbund": {"name": "Samordningsförbundet Lång & Smal"},
            "years": {"budget": 2025, "plan": [2026, 2027]},
            "members": [
                {"name": "Försäkringskassan", "kind": "stat"},
                {"name": "Region X", "kind": "region"},
                {"name": "X kommun", "kind": "kommun"},
            ],
            "contributions": [{"year": 2025, "amount": 600000}],
            "costs": costs,
            "equity": {"opening": 100000},
        }
    )


def test_a_long_budget_breaks_pages_between_cost_centres(tmp_path: Path) -> None:
    book = tmp_path / "lang.xlsx"
    jobs.new(_many_centres(), book)
    with zipfile.ZipFile(book) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(r'<sheet name="Budget" sheetId="\d+" r:id="(rId\d+)"', workbook)
        assert rid
        target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels)
        if target is None:
            target = re.search(rf'Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
        assert target
        xml = archive.read("xl/" + target.group(1).lstrip("/").removeprefix("xl/")).decode()
    breaks = [int(b) for b in re.findall(r'<brk id="(\d+)"', xml)]
    assert len(breaks) >= 3  # 30 groups of 8 rows do not fit one page
    from openpyxl import load_workbook

    ws = load_workbook(book)["Budget"]
    headings = [
        r
        for r in range(5, ws.max_row + 1)
        if ws.cell(r, 3).value and str(ws.cell(r, 3).value).startswith("Kostnadsställe")
    ]
    totals = [r for r in range(5, ws.max_row + 1) if ws.cell(r, 3).value == "Totalt"]
    totals = totals[:30]  # the last "Totalt" closes the members' contributions
    assert len(headings) == len(totals) == 30
    for first, last in zip(headings, totals, strict=True):
        assert not any(first <= b < last for b in breaks), (first, last, breaks)
    # the page header escapes the "&" of the name (Excel header codes)
    assert "Lång &amp;&amp; Smal" in xml


def _finding(year: int, amount: str = "384 000 kr") -> Finding:
    return Finding(
        rule="equity.below-floor",
        severity=Severity.WARNING,
        message=f"Eget kapital vid utgången av {year} blir {amount}, under golvet.",
        ref=Ref(element="plan", year=year, field="equity_end"),
        location=f"Plan!{'CDEF'[year - 2025]}17",
    )


def test_findings_repeated_over_years_become_one_row() -> None:
    findings = [_finding(2025, "300 000 kr"), _finding(2026), _finding(2027), _finding(2028)]
    rows = group_findings(findings)
    assert [len(members) for _, members in rows] == [1, 3]
    assert rows[1][0].message == (
        "2026\u20132028: Eget kapital vid utgången av varje år blir 384 000 kr, under golvet."
    )
    assert rows[1][0].location == "Plan!D17"


def test_a_message_that_starts_with_its_year_keeps_the_range_in_front() -> None:
    findings = [
        Finding(
            rule="admin.share",
            severity=Severity.INFO,
            message=f"{y}: andelen är 40 %.",
            ref=Ref(element="plan", year=y, field="admin_share_pct"),
        )
        for y in (2024, 2025, 2027)
    ]
    ((shown, members),) = group_findings(findings)
    assert shown.message == "2024, 2025, 2027: andelen är 40 %." and len(members) == 3


def test_the_year_of_a_group_is_the_reference_s_not_a_number_in_the_message() -> None:
    """Ref.year decides: a year only in the text, or a reference without a year, stays
    alone; other years in the message (a period's end) stay as written."""
    no_ref = [
        Finding(rule="admin.share", severity=Severity.INFO, message=f"{y}: andelen är 40 %.")
        for y in (2025, 2026)
    ]
    assert [len(members) for _, members in group_findings(no_ref)] == [1, 1]
    outside = [
        Finding(
            rule="insats.outside-period",
            severity=Severity.WARNING,
            message=f"Insatsen 'Steget' har 100 000 kr för {y}, men slutar 2024.",
            ref=Ref(element="cost", index=0, year=y),
        )
        for y in (2025, 2026)
    ]
    ((shown, members),) = group_findings(outside)
    assert len(members) == 2
    assert shown.message == (
        "2025\u20132026: Insatsen 'Steget' har 100 000 kr för varje år, men slutar 2024."
    )
