"""Pydantic models of one förbund's budget: the interchange format and the core's results.

Everything here is pure data with validation; no I/O library is imported.
"""

from finsam_xl.model.budget import (
    FORMAT_ID,
    FORMAT_VERSION,
    Budget,
    Contribution,
    CostGroup,
    CostLine,
    EntryMode,
    Equity,
    EquityBand,
    Forbund,
    IncomeLine,
    Insats,
    Keys,
    KeyType,
    Member,
    MemberKind,
    Published,
    Settings,
    Unit,
    YearKind,
    Years,
)
from finsam_xl.model.findings import Finding, Ref, Severity
from finsam_xl.model.results import (
    MemberShare,
    Result,
    YearAllocation,
    YearPlan,
)
from finsam_xl.model.types import Money, YearAmounts

__all__ = [
    "FORMAT_ID",
    "FORMAT_VERSION",
    "Budget",
    "Contribution",
    "CostGroup",
    "CostLine",
    "EntryMode",
    "Equity",
    "EquityBand",
    "Finding",
    "Forbund",
    "IncomeLine",
    "Insats",
    "KeyType",
    "Keys",
    "Member",
    "MemberKind",
    "MemberShare",
    "Money",
    "Published",
    "Ref",
    "Result",
    "Settings",
    "Severity",
    "Unit",
    "YearAllocation",
    "YearAmounts",
    "YearKind",
    "YearPlan",
    "Years",
]
