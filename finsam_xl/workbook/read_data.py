"""The reader's output, typed: the Budget's input shape as TypedDicts (mypy checks the fields).

``reader`` builds these plain dicts from the sheets and hands the whole to
``Budget.model_validate`` once, so a model error keeps its location in the
budget ('costs', 3, 'amounts', 2025) and the reader can name the cell. The
names and types follow ``finsam_xl.model.budget``; amounts are kronor (the
workbook's unit already applied). The reader imports this module only for
type checking: the embedded Lite code does without it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NotRequired, TypedDict

from finsam_xl.model.budget import CostGroup, KeyType, PaymentFrequency, Unit


class YearsData(TypedDict):
    """``Years``: the comparison years, the budget year and the plan years."""

    comparison: list[int]
    budget: int
    plan: list[int]


class ForbundData(TypedDict):
    """``Forbund``."""

    name: str
    org_nr: str | None
    unit: Unit


class KeysData(TypedDict):
    """``Keys``: the key type per member kind, and a note."""

    stat: KeyType
    region: KeyType
    kommun: KeyType
    note: str | None


#: ``DocumentSettings``: the layout rows the workbook has (flags, labels, comparison kinds).
DocumentData = dict[str, bool | str | list[str]]


class SettingsRead(TypedDict):
    """What the Inställningar table gives, before it is spread over the budget's parts."""

    forbund: str
    org_nr: str | None
    unit: Unit
    years: YearsData
    adopted: date | None
    revised: date | None
    equity_opening: Decimal
    equity_floor: Decimal | None
    equity_opening_year: int | None
    admin_share_max_pct: Decimal | None
    deviation_pct: Decimal | None
    deviation_kr: Decimal | None
    payment_grace_days: int | None
    frame_min_kr: Decimal | None
    frame_max_kr: Decimal | None
    payment_frequency: PaymentFrequency
    keys: KeysData
    table_heading: str | None
    uplift: dict[CostGroup, Decimal]
    document: DocumentData


class MemberData(TypedDict):
    """``Member``."""

    name: str
    kind: str
    key: Decimal | None
    amounts: dict[int, Decimal]


class ContributionData(TypedDict):
    """``Contribution``."""

    year: int
    mode: str
    amount: Decimal | None
    decided: bool


class LineData(TypedDict):
    """What a cost line and an income line share (``IncomeLine``, ``CostLine``)."""

    name: str
    forecast: Decimal | None
    phasing: list[Decimal] | None
    section: str | None
    cost_centre: str | None
    account: str | None
    amounts: dict[int, Decimal]


class IncomeData(LineData):
    """``IncomeLine``."""

    netted: bool


class InsatsData(TypedDict):
    """``Insats``: a cost line's decision data."""

    decision_date: date | None
    start: date | None
    end: date | None
    granted_per_year: Decimal | None
    owner: str | None


class CostData(LineData):
    """``CostLine``."""

    group: str
    insats: InsatsData | None


class BandData(TypedDict):
    """``EquityBand``: one step of the equity scale."""

    from_amount: Decimal
    max_pct: Decimal


class EquityData(TypedDict):
    """``Equity``."""

    opening: Decimal
    floor: Decimal
    opening_year: NotRequired[int]
    scale: NotRequired[list[BandData]]


class MappingData(TypedDict):
    """``MappingRule``: accounts to a target of the reconciliation."""

    accounts: str
    target: str
    dimension: int | None
    object: str | None
    name: str | None


class ActualData(TypedDict):
    """``Actual``: one past year from the Utfall table."""

    year: int
    status: str
    contributions: NotRequired[Decimal | None]
    costs: NotRequired[Decimal | None]
    result: NotRequired[Decimal | None]
    equity_end: NotRequired[Decimal | None]


#: ``Published``: item -> year -> amount; sections and allocation one level deeper by name.
PublishedData = dict[
    str,
    dict[int, Decimal] | dict[str, dict[int, Decimal]] | dict[int, dict[str, Decimal]] | str | None,
]

#: ``Settings``: the payment frequency, the uplift per group and the optional limits.
SettingsData = dict[str, object]


class BudgetData(TypedDict):
    """``Budget``: everything the reader read, validated as one."""

    forbund: ForbundData
    years: YearsData
    adopted: date | None
    revised: date | None
    members: list[MemberData]
    keys: KeysData
    contributions: list[ContributionData]
    income: list[IncomeData]
    costs: list[CostData]
    equity: EquityData
    settings: SettingsData
    published: PublishedData
    document: DocumentData
    actuals: list[ActualData]
