"""What the computed sheets show, row by row: shared by the template, the writer and the chart.

The plan sheet has one row per ``PLAN_ROWS`` entry and one column per year;
the chart of equity refers to rows by their key, so the order lives here only.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from finsam_xl.model.budget import CostGroup
from finsam_xl.model.labels import GROUP_SV
from finsam_xl.model.results import YearPlan


def _group(group: CostGroup) -> Callable[[YearPlan], Decimal | None]:
    return lambda row: row.costs_by_group[group]


def _pct(value: Decimal | None) -> Decimal | None:
    return None if value is None else value / 100


#: (key, Swedish label, value getter, style role). Role "pct" values are fractions.
#: Cost groups are written net of income netted in them (``core.document.net_costs_by_group``),
#: so they add up to "Summa kostnader", the net figure documents print. The order is fixed:
#: charts in existing workbooks refer to rows by position.
PLAN_ROWS: list[tuple[str, str, Callable[[YearPlan], Decimal | None], str]] = [
    ("contributions", "Medlemsbidrag", lambda r: r.contributions, "amount"),
    (
        "other_income",
        "Övriga intäkter (utöver nettoredovisade)",
        lambda r: r.other_income - r.other_income_netted,
        "amount",
    ),
    (
        "income",
        "Summa intäkter",
        lambda r: r.contributions + r.other_income - r.other_income_netted,
        "amount_bold",
    ),
    *[(f"group_{g.value}", f"Kostnader: {GROUP_SV[g]}", _group(g), "amount") for g in CostGroup],
    ("costs", "Summa kostnader", lambda r: r.costs_net, "amount_bold"),
    ("result", "Resultat", lambda r: r.result, "amount_bold"),
    ("equity_start", "Eget kapital vid årets början", lambda r: r.equity_start, "amount"),
    ("equity_end", "Eget kapital vid årets slut", lambda r: r.equity_end, "amount_bold"),
    ("equity_pct", "Eget kapital i % av medlemsbidragen", lambda r: _pct(r.equity_pct), "pct"),
    ("recommended_max", "Rekommenderad högsta nivå", lambda r: r.recommended_max, "amount"),
    ("floor", "Styrelsens lägsta nivå", lambda r: r.decided_floor, "amount"),
    (
        "costs_net",  # the key stays (the row's place is part of the workbook contract)
        "Kostnader brutto (före nettoredovisade intäkter)",
        lambda r: r.costs,
        "amount",
    ),
    (
        "decision_room",
        "Beslutsutrymme (bidrag + intäkter + eget kapital)",
        lambda r: r.decision_room,
        "amount",
    ),
    ("available", "Tillgängligt (beslutsutrymme − lägsta nivå)", lambda r: r.available, "amount"),
    (
        "admin_share",
        "Styrelse och administration, andel av kostnaderna",
        lambda r: _pct(r.admin_share_pct),
        "pct",
    ),
]

PLAN_ROW_INDEX = {key: i for i, (key, *_rest) in enumerate(PLAN_ROWS)}

#: Findings sheet columns (the last two feed the markers' conditional formatting).
#: Columns H:J list every finding ungrouped, for the markers of new workbooks.
FINDING_HEADERS = [
    "Nivå",
    "Kontroll",
    "Plats",
    "Meddelande",
    "Blad",
    "Cell",
    "Regel",
    "Nivå (alla)",
    "Blad (alla)",
    "Cell (alla)",
]
