"""Findings: what a check or a reader found, with severity, Swedish message and location.

A finding carries a ``Ref`` that names the model element it concerns (a member,
a cost line and year, a published total, ...). Adapters translate the Ref into
a place the user can see (``Sheet!Cell`` for a workbook, ``file:line`` for a
SIE file) and put that in ``location``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from finsam_xl.model.labels import SEVERITY_LABELS


class Severity(StrEnum):
    """How serious a finding is. Errors make ``check`` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


#: Rule-id prefixes whose errors mean the input cannot be trusted: results are not written.
BLOCKING_PREFIXES = ("read.", "input.")


class Element(StrEnum):
    """The collection of the budget model a ``Ref`` points into (its values are the codes
    ``str(ref)`` and the adapters' locators use)."""

    MEMBER = "member"  # Budget.members, by index
    COST = "cost"  # Budget.costs, by index (and year)
    INCOME = "income"  # Budget.income, by index (and year)
    CONTRIBUTION = "contribution"  # a year's contribution (Medelstilldelning), by year
    EQUITY = "equity"  # the equity settings (opening balance, floor, ...)
    SETTINGS = "settings"  # Budget.settings, by field
    PUBLISHED = "published"  # a published total, by key and year
    PLAN = "plan"  # a computed plan year, by year and field
    YEARS = "years"  # the budget year and plan years
    ADOPTED = "adopted"  # the date the budget was adopted
    REVISED = "revised"  # the date it was revised
    FORBUND = "forbund"  # the förbund's name and details
    ACTUAL = "actual"  # a row of Utfall, by year
    MAPPING = "mapping"  # a Kontomappning rule, by index
    RECON = "recon"  # the reconciliation against the books


class Ref(BaseModel):
    """A reference to one element of the budget model.

    ``element`` names the collection (an ``Element``); ``index`` is the
    position in that list, ``key`` a name (member, published item), ``year`` a
    year column and ``field`` an attribute.
    """

    model_config = ConfigDict(frozen=True)

    element: Element
    index: int | None = None
    key: str | None = None
    year: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        text = self.element.value
        if self.index is not None:
            text += f"[{self.index + 1}]"
        if self.key is not None:
            text += f"[{self.key}]"
        if self.field is not None:
            text += f".{self.field}"
        if self.year is not None:
            text += f".{self.year}"
        return text


class Finding(BaseModel):
    """One problem or observation. ``location`` is filled in by the adapter that shows it."""

    model_config = ConfigDict(frozen=True)

    rule: str
    severity: Severity
    message: str
    ref: Ref | None = None
    location: str | None = None
    #: A root cause that explains findings held back (a wrong unit, changed year
    #: settings): shown before every other finding (``sort_findings``).
    cause: bool = False

    @property
    def blocking(self) -> bool:
        """True for input errors: the data cannot be trusted, so nothing is written."""
        return self.severity is Severity.ERROR and self.rule.startswith(BLOCKING_PREFIXES)

    def where(self) -> str:
        """The place to show: the adapter's location, else the model reference, else ''."""
        if self.location:
            return self.location
        return str(self.ref) if self.ref else ""

    def format(self) -> str:
        """One line, the same on every path: 'Fel [rule] Blad!C7: message'."""
        where = self.where()
        place = f" {where}" if where else ""
        return f"{SEVERITY_LABELS[self.severity]} [{self.rule}]{place}: {self.message}"

    def as_json(self) -> dict[str, str]:
        """The stable JSON shape of ``kontrollera --json``."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "location": self.where(),
        }


def is_blocked(computed: object | None, findings: Iterable[Finding]) -> bool:
    """The one idea of "blocked": nothing was computed, or a finding is blocking.

    ``computed`` is what the step made from its input (a budget read, a result,
    a reconciliation); None means it could not be made. A blocked step writes
    nothing and goes no further: every job, the button and the command line ask this.
    """
    return computed is None or any(f.blocking for f in findings)


def blocking_text(findings: Iterable[Finding], limit: int = 500) -> str:
    """The blocking findings in one line ('Fel [read.x] Indata!C7: …; …'), cut at ``limit``."""
    return "; ".join(f.format() for f in findings if f.blocking)[:limit]


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Root causes first (``Finding.cause``), then errors, warnings, info; stable within each.

    The one order of findings on every path (check, recalc, the button, the Kontroller sheet).
    """
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(findings, key=lambda f: (not f.cause, order[f.severity]))


def summary_text(findings: list[Finding]) -> str:
    """'2 fel, 3 varningar, 1 info' in Swedish."""
    count = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    warnings = count[Severity.WARNING]
    return (
        f"{count[Severity.ERROR]} fel, {warnings} {'varning' if warnings == 1 else 'varningar'}, "
        f"{count[Severity.INFO]} info"
    )
