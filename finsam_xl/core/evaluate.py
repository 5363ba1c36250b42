"""One call that computes everything for a budget: allocation, plan, findings."""

from __future__ import annotations

from finsam_xl.core.allocation import allocate
from finsam_xl.core.plan import compute_plan
from finsam_xl.model.budget import Budget
from finsam_xl.model.results import Result
from finsam_xl.rules import run_checks  # rules read the core's results; they import model only


def evaluate(budget: Budget) -> Result:
    """Allocate contributions, compute the plan and run every check."""
    allocations = allocate(budget)
    plan = compute_plan(budget, allocations)
    partial = Result(plan=plan, allocation=allocations)
    return Result(plan=plan, allocation=allocations, findings=run_checks(budget, partial))
