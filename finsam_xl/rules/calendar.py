"""Checks on the calendar: plan length and adoption date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from finsam_xl.model.budget import Budget
from finsam_xl.model.findings import Element, Finding, Ref, Severity
from finsam_xl.model.results import Result

MIN_PLAN_YEARS = 2


def check_plan_length(budget: Budget, result: Result) -> Iterator[Finding]:
    """The budget should come with a plan for at least the two following years."""
    if len(budget.years.plan) < MIN_PLAN_YEARS:
        yield Finding(
            rule="years.plan-short",
            severity=Severity.WARNING,
            message=(
                f"Planen omfattar {len(budget.years.plan)} år efter budgetåret "
                f"{budget.years.budget}; den bör omfatta minst {MIN_PLAN_YEARS} år "
                f"({budget.years.budget + 1}–{budget.years.budget + MIN_PLAN_YEARS})."
            ),
            ref=Ref(element=Element.YEARS, field="plan"),
        )


def check_adoption_date(budget: Budget, result: Result) -> Iterator[Finding]:
    """The board must adopt the budget by 30 November of the year before."""
    if budget.adopted is None:
        return
    deadline = date(budget.years.budget - 1, 11, 30)
    if budget.adopted > deadline:
        yield Finding(
            rule="adopted.late",
            severity=Severity.WARNING,
            message=(
                f"Budgeten antogs {budget.adopted}, efter den {deadline} då styrelsen senast "
                f"ska ha fastställt budgeten för {budget.years.budget}."
            ),
            ref=Ref(element=Element.ADOPTED),
        )
