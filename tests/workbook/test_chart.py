"""The equity chart on Plan: straight lines, gaps for empty years, a unit on the axis."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from finsam_xl.workbook.template import unit_cell


def test_equity_chart_is_straight_with_gaps_and_a_unit(example_books: dict[str, Path]) -> None:
    with zipfile.ZipFile(example_books["sodra-dalarna-2025"]) as archive:
        xml = archive.read("xl/charts/chart1.xml").decode()
    series = re.findall(r"<c:ser>.*?</c:ser>", xml, re.DOTALL)
    assert len(series) == 3
    assert all('<c:smooth val="0"/>' in s for s in series)
    assert '<c:dispBlanksAs val="gap"/>' in xml
    # the unit on the value axis: the Enhet cell, so a unit changed later shows (issue 22)
    assert "<c:valAx>" in xml and f"<c:f>{unit_cell()}</c:f>" in xml.split("<c:valAx>")[1]
    # the floor is drawn differently from equity: dotted, another colour
    assert 'prstDash val="sysDot"' in series[2] and "1F4E78" in series[0]
    assert "1F4E78" not in series[2]
