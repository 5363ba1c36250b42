"""Turning a result into the stable JSON of ``kontrollera --json`` and into Swedish summary lines.

Pure functions on the model; the command line, the button and the server all
print findings and figures through here so they read the same everywhere.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from finsam_xl.model.findings import Finding
from finsam_xl.model.results import Result


def _num(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def result_json(result: Result | None, findings: list[Finding]) -> dict[str, Any]:
    """The ``kontrollera --json`` object; its shape is a public contract (docs/cli.md).

    ``{"findings": [{rule, severity, message, location}], "years": {"2025": {contributions,
    other_income, costs, result, equity_start, equity_end, equity_pct}}, "allocation":
    {"2025": {member: amount}}}``. Amounts are kronor; costs are gross.
    """
    years: dict[str, Any] = {}
    allocation: dict[str, Any] = {}
    if result is not None:
        for row in result.plan:
            years[str(row.year)] = {
                "contributions": _num(row.contributions),
                "other_income": _num(row.other_income),
                "costs": _num(row.costs),
                "result": _num(row.result),
                "equity_start": _num(row.equity_start),
                "equity_end": _num(row.equity_end),
                "equity_pct": _num(row.equity_pct),
            }
        for year_allocation in result.allocation:
            allocation[str(year_allocation.year)] = {
                m.name: _num(m.amount) for m in year_allocation.members
            }
    return {
        "findings": [f.as_json() for f in findings],
        "years": years,
        "allocation": allocation,
    }
