"""Turning a result into the stable JSON of ``kontrollera --json`` and into Swedish summary lines.

Pure functions on the model; the command line, the button and the server all
print findings and figures through here so they read the same everywhere.
"""

from __future__ import annotations

from typing import Any

from finsam_xl.model.findings import Finding
from finsam_xl.model.money import plain_number
from finsam_xl.model.results import Result


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
                "contributions": plain_number(row.contributions),
                "other_income": plain_number(row.other_income),
                "costs": plain_number(row.costs),
                "result": plain_number(row.result),
                "equity_start": plain_number(row.equity_start),
                "equity_end": plain_number(row.equity_end),
                "equity_pct": plain_number(row.equity_pct),
            }
        for year_allocation in result.allocation:
            allocation[str(year_allocation.year)] = {
                m.name: plain_number(m.amount) for m in year_allocation.members
            }
    return {
        "findings": [f.as_json() for f in findings],
        "years": years,
        "allocation": allocation,
    }
