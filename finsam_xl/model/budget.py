"""The budget of one samordningsförbund: the interchange format, version 1.

All amounts are kronor (``Decimal``), whatever the display unit. Costs are
positive; other income is positive. Structural impossibilities (a year list
that is not consecutive, a member kind that does not exist) are rejected when
the model is built; everything a förbund can legitimately get wrong (keys,
shares, equity, totals) is left to the checks in ``finsam_xl.rules`` so that
it becomes a finding with a location instead of a crash.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from finsam_xl.model.money import AMOUNT_LIMIT_KR, ZERO
from finsam_xl.model.text import nfc
from finsam_xl.model.types import Money, Quantity, YearAmounts

FORMAT_ID: Literal["finsam_xl/budget"] = "finsam_xl/budget"
FORMAT_VERSION: Literal[1] = 1


class Unit(StrEnum):
    """Display unit of the workbook and printed tables (amounts are always stored in kr)."""

    KR = "kr"
    TKR = "tkr"


class MemberKind(StrEnum):
    """Which part of the 50/25/25 split a member belongs to."""

    STAT = "stat"
    REGION = "region"
    KOMMUN = "kommun"


#: The law's split (Lag 2003:1210): state one half, regions and municipalities a quarter each.
LAWFUL_SHARE: dict[MemberKind, Decimal] = {
    MemberKind.STAT: Decimal("0.5"),
    MemberKind.REGION: Decimal("0.25"),
    MemberKind.KOMMUN: Decimal("0.25"),
}


class KeyType(StrEnum):
    """How one kind's share is split between its members (set in the förbundsordning)."""

    BEFOLKNING = "befolkning"  # by population
    PROCENT = "procent"  # by fixed percentages
    LIKA = "lika"  # in equal parts


class EntryMode(StrEnum):
    """How a year's contribution is entered."""

    STAT = "stat"  # the state's amount; total = 2 x state
    TOTAL = "total"  # the total frame, split 50/25/25


class CostGroup(StrEnum):
    """Cost groups every budget has in some form."""

    STYRELSE = "styrelse"
    ADMINISTRATION = "administration"
    INSATS_INDIVID = "insats_individ"
    INSATS_STRUKTUR = "insats_struktur"
    KOMPETENS = "kompetensutveckling"
    OVRIGT = "ovrigt"


#: Groups counted as administration when its share of costs is computed.
ADMIN_GROUPS = frozenset({CostGroup.STYRELSE, CostGroup.ADMINISTRATION})


class YearKind(StrEnum):
    """Role of a year column."""

    JAMFORELSE = "jamforelse"  # comparison year (last year's budget or forecast)
    BUDGET = "budget"
    PLAN = "plan"


class _Model(BaseModel):
    """Base: unknown fields are errors, so a typo in a YAML file is caught; texts are NFC."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _one_unicode_form(cls, data: object) -> object:
        """Every text in NFC, whatever the source: 'Säters kommun' in NFD is the same member.

        Each field's input that is text, before the field is validated: one call per model
        (a per-field validator cost a 2,000-line budget 18,000 calls)."""
        if type(data) is not dict:
            return data
        for value in data.values():
            if isinstance(value, str) and not value.isascii():
                break
        else:
            return data  # nothing to normalise: the input as it is, not copied
        return {k: nfc(v) if isinstance(v, str) else v for k, v in data.items()}


class Forbund(_Model):
    """The förbund itself."""

    name: str = Field(min_length=1)
    org_nr: str | None = None
    unit: Unit = Unit.KR


class Years(_Model):
    """Comparison years, the budget year and the plan years, consecutive."""

    comparison: list[int] = Field(default_factory=list)
    budget: int = Field(ge=2000, le=2200)
    plan: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consecutive(self) -> Years:
        expected = list(range(self.budget - len(self.comparison), self.budget))
        if self.comparison != expected:
            raise ValueError(
                f"jämförelseåren {self.comparison} ska vara åren närmast före budgetåret "
                f"{self.budget}: {expected}"
            )
        expected = list(range(self.budget + 1, self.budget + 1 + len(self.plan)))
        if self.plan != expected:
            raise ValueError(
                f"planåren {self.plan} ska vara åren närmast efter budgetåret {self.budget}: "
                f"{expected}"
            )
        return self

    @property
    def all(self) -> list[int]:
        """Every year, oldest first."""
        return [*self.comparison, self.budget, *self.plan]

    def kind(self, year: int) -> YearKind:
        """The role of ``year``; raises KeyError for a year outside the model."""
        if year == self.budget:
            return YearKind.BUDGET
        if year in self.plan:
            return YearKind.PLAN
        if year in self.comparison:
            return YearKind.JAMFORELSE
        raise KeyError(year)


class Member(_Model):
    """A member (medlem/part/huvudman).

    ``key`` is the member's key value (population, or percentage) for its kind's
    key type; with equal parts it is not needed. ``amounts`` are amounts the
    member actually pays where they are fixed rather than derived from the key,
    as published budgets show them; they are compared with the lawful share.
    """

    name: str = Field(min_length=1)
    kind: MemberKind
    key: Quantity | None = None
    amounts: YearAmounts = Field(default_factory=dict)


class Keys(_Model):
    """Key type per member kind."""

    stat: KeyType = KeyType.LIKA
    region: KeyType = KeyType.LIKA
    kommun: KeyType = KeyType.BEFOLKNING
    note: str | None = None  # e.g. "befolkning 2023-11-01"

    def for_kind(self, kind: MemberKind) -> KeyType:
        """The key type used within ``kind``."""
        return {
            MemberKind.STAT: self.stat,
            MemberKind.REGION: self.region,
            MemberKind.KOMMUN: self.kommun,
        }[kind]


class Contribution(_Model):
    """One year's member contribution (medelstilldelning).

    With ``mode=stat`` the amount is the state's (total = 2 x amount); with
    ``mode=total`` it is the total frame. Without an amount the total is the
    sum of the members' fixed amounts. ``decided=False`` marks an amount the
    board will request (äskat belopp), not yet decided.
    """

    year: int
    mode: EntryMode = EntryMode.TOTAL
    amount: Money | None = None
    decided: bool = True


class IncomeLine(_Model):
    """Other income: ESF money, income for project work, sales.

    ``netted=True``: the budget shows it as a negative line inside a cost
    centre (its published subtotals are net); otherwise it is a funding line.
    """

    name: str
    section: str | None = None
    cost_centre: str | None = None
    account: str | None = None
    netted: bool = False
    amounts: YearAmounts = Field(default_factory=dict)
    forecast: Money | None = None  # entered full-year forecast (avstämning)
    phasing: list[Quantity] | None = None  # 12 monthly weights; None = even


class Insats(_Model):
    """Decision data of a funded activity (insats)."""

    decision_date: date | None = None
    granted_per_year: Money | None = None
    start: date | None = None
    end: date | None = None
    owner: str | None = None

    @model_validator(mode="after")
    def _period(self) -> Insats:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"projektperioden slutar {self.end} före start {self.start}")
        return self

    def covers(self, year: int) -> bool:
        """True when the project period includes some day of ``year``."""
        if self.start and self.start.year > year:
            return False
        return not (self.end and self.end.year < year)


class CostLine(_Model):
    """A cost line. ``section`` is the heading it is printed under in the budget table."""

    name: str
    group: CostGroup
    section: str | None = None
    cost_centre: str | None = None
    account: str | None = None
    amounts: YearAmounts = Field(default_factory=dict)
    insats: Insats | None = None
    forecast: Money | None = None  # entered full-year forecast (avstämning)
    phasing: list[Quantity] | None = None  # 12 monthly weights; None = even

    @field_validator("phasing")
    @classmethod
    def _twelve(cls, weights: list[Decimal] | None) -> list[Decimal] | None:
        if weights is not None and (
            len(weights) != 12 or any(w < 0 for w in weights) or sum(weights) == 0
        ):
            raise ValueError("periodiseringen ska vara 12 icke-negativa vikter, inte alla noll")
        return weights


class MappingTarget(StrEnum):
    """What booked amounts on matching accounts belong to."""

    LINE = "rad"  # a budget line (cost or income), named
    MEMBER = "medlem"  # a member's payments of its contribution, named
    EQUITY = "eget_kapital"  # balance accounts holding equity
    RECEIVABLE = "kundfordran"  # receivable accounts the members are invoiced on (accrual books)
    IGNORE = "ignorera"  # known accounts that are not part of the budget


class MappingRule(_Model):
    """Maps accounts (one, or a range 'first-last') and optionally an object to a target.

    Lines that carry a cost centre and an account map themselves: an account
    starting with the line's account, booked on the line's cost centre
    (dimension 1 object). Rules here come first, the most specific winning.
    """

    accounts: str = Field(pattern=r"^\s*\d+\s*(-\s*\d+\s*)?$")
    dimension: int | None = None
    object: str | None = None
    target: MappingTarget
    name: str | None = None

    def account_range(self) -> tuple[int, int]:
        """(first, last) account as numbers, a single account giving first == last."""
        first, _, last = self.accounts.partition("-")
        return int(first), int(last or first)


class EquityBand(_Model):
    """One step of the recommended-maximum scale: from this yearly allocation, at most max_pct."""

    from_amount: Money = ZERO
    max_pct: Quantity = Decimal(20)


class Equity(_Model):
    """Equity (eget kapital): opening balance, the board's floor, the recommended scale.

    ``opening`` is the equity at the start of ``opening_year`` (default: the
    first year of the model). Years before it have no equity figures.
    """

    opening: Money
    opening_year: int | None = None
    floor: Money = ZERO
    scale: list[EquityBand] = Field(default_factory=lambda: [EquityBand()])

    @field_validator("scale")
    @classmethod
    def _scale_sorted(cls, bands: list[EquityBand]) -> list[EquityBand]:
        if not bands:
            raise ValueError("trappan behöver minst ett steg")
        return sorted(bands, key=lambda b: b.from_amount)

    def max_pct_for(self, allocation: Decimal) -> Decimal:
        """The recommended maximum in % for a yearly allocation of this size."""
        pct = self.scale[0].max_pct
        for band in self.scale:
            if allocation >= band.from_amount:
                pct = band.max_pct
        return pct


class PaymentFrequency(StrEnum):
    """How often the members pay their contributions (``Settings.payment_frequency``)."""

    AR = "ar"  # once a year
    HALVAR = "halvar"  # twice a year
    KVARTAL = "kvartal"  # every quarter
    MANAD = "manad"  # every month


class Settings(_Model):
    """Thresholds and local rules."""

    admin_share_max_pct: Quantity = Decimal(30)
    deviation_pct: Quantity = Decimal(10)  # avstämning: report deviations above this %
    deviation_kr: Money = Decimal(10000)  # ... and above this amount
    # a member's instalment is due this long after its period starts; an invoice, after its date
    payment_grace_days: int = 30
    mappings: list[MappingRule] = Field(default_factory=list)
    payment_frequency: PaymentFrequency = PaymentFrequency.AR
    uplift_pct: dict[CostGroup, Quantity] = Field(default_factory=dict)
    # plausibility: the yearly frame a förbund this size can have (None: the rules' defaults)
    frame_min_kr: Money | None = None
    frame_max_kr: Money | None = None

    @model_validator(mode="after")
    def _frame_order(self) -> Settings:
        low, high = self.frame_min_kr, self.frame_max_kr
        if low is not None and high is not None and low >= high:
            raise ValueError(f"rimlig ram: lägsta {low} kr ska vara mindre än högsta {high} kr")
        if (low is not None and low < 0) or (high is not None and high <= 0):
            raise ValueError("rimlig ram: gränserna ska vara positiva belopp i kronor")
        return self


class Published(_Model):
    """Totals as a source document printed them, to be re-added by the checks.

    ``sections`` are subtotals per printed heading (cost centre or group),
    net of income netted in that section. ``decision_room`` is "Summa medel att
    disponera"/"Totalt beslutsutrymme"; ``available`` is "Tillgängligt".
    """

    contributions: YearAmounts = Field(default_factory=dict)
    income: YearAmounts = Field(default_factory=dict)
    costs: YearAmounts = Field(default_factory=dict)
    result: YearAmounts = Field(default_factory=dict)
    equity_start: YearAmounts = Field(default_factory=dict)
    equity_end: YearAmounts = Field(default_factory=dict)
    equity_end_pct: dict[int, Quantity] = Field(default_factory=dict)
    decision_room: YearAmounts = Field(default_factory=dict)
    available: YearAmounts = Field(default_factory=dict)
    sections: dict[str, YearAmounts] = Field(default_factory=dict)
    allocation: dict[int, dict[str, Money]] = Field(default_factory=dict)
    table_heading: str | None = (
        None  # the printed table's heading, e.g. "Budget 2024, plan 2025-2026"
    )

    def is_empty(self) -> bool:
        """True when nothing was published."""
        return not any(getattr(self, name) for name in type(self).model_fields)


class ComparisonKind(StrEnum):
    """What a comparison year's figures are, for its column label."""

    BUDGET = "budget"  # last year's adopted budget
    UTFALL = "utfall"  # actuals
    PROGNOS = "prognos"  # full-year forecast


class ActualStatus(StrEnum):
    """Whether a past year's figures are actuals or a forecast."""

    UTFALL = "utfall"
    PROGNOS = "prognos"


class Actual(_Model):
    """One past year in the equity history (the workbook's *Utfall* table).

    ``costs`` is the figure the history prints in its cost column (the year's
    budget or its actual costs, as the förbund publishes it). ``result`` is
    optional; without it the history leaves the cell blank. A forecast year's
    equity is marked ``*`` in print.
    """

    year: int = Field(ge=1990, le=2200)
    contributions: Money | None = None
    costs: Money | None = None
    result: Money | None = None
    equity_end: Money | None = None
    status: ActualStatus = ActualStatus.UTFALL


class DocumentSettings(_Model):
    """How the printed budget table is laid out; the defaults give a table a board accepts.

    Defaults: income positive and listed first (the funding block), costs positive,
    no ID or Konto column unless some line has one, and no "Totalt" row under a
    group of a single line.

    ``costs_negative``: costs are printed negative and income positive
    (Fryksdalen, Örnsköldsvik); otherwise costs are positive and income netted
    inside a cost centre negative (Södra Dalarna). ``income_first`` puts the
    funding block above the costs. ``member_rows``: one row per member instead
    of one contributions row. ``totals_on_heading``: a group's total is printed
    on its heading row (Södra Lappland) instead of a "Totalt" row under it.
    ``single_line_totals``: the "Totalt" row is printed under a group of one line
    too (Södra Dalarna). ``show_cost_centres`` and ``show_accounts`` allow the ID
    and Konto columns; a column no line fills is left out whatever the flag.
    ``group_total_label`` may name the group: "{rubrik}" is replaced by its heading
    ("Summa {rubrik}" prints "Summa administration").
    ``equity_as_funding``: equity at the start of the year is a funding line
    and the income total is the decision room. ``plan_in_table``: the plan
    years are columns of the budget table. ``comparison_kinds``: per comparison
    year, oldest first (one value applies to all; none means Budget).
    ``budget_first``: the budget year's column comes first, then the plan years, then
    the comparison years newest first (Södra Dalarna: "Årsbudget 2025", "Budget 2024");
    ``budget_label`` is the budget year's heading word, ``comparison_label`` the
    comparison years' (None: the word of their kind, "Budget", "Utfall" or "Prognos").
    """

    costs_negative: bool = False
    show_cost_centres: bool = True
    show_accounts: bool = True
    income_first: bool = True
    member_rows: bool = False
    totals_on_heading: bool = False
    single_line_totals: bool = False
    equity_as_funding: bool = False
    plan_in_table: bool = True
    budget_first: bool = False
    show_result: bool = True
    comparison_kinds: list[ComparisonKind] = Field(default_factory=list)
    plan_label: str = "Plan"
    budget_label: str = "Budget"
    comparison_label: str | None = None
    income_heading: str = "Intäkter"
    contributions_label: str = "Medlemsbidrag (not 1)"
    contributions_cost_centre: str | None = None
    contributions_account: str | None = None
    other_income_heading: str | None = None
    equity_label: str = "Eget kapital från föregående år"
    costs_heading: str | None = None
    group_total_label: str = "Totalt"
    income_total_label: str = "Summa intäkter"
    costs_total_label: str = "Summa kostnader"
    result_label: str = "Resultat"

    def comparison_kind(self, index: int) -> ComparisonKind:
        """The kind of the ``index``-th comparison year (oldest first)."""
        if not self.comparison_kinds:
            return ComparisonKind.BUDGET
        return self.comparison_kinds[min(index, len(self.comparison_kinds) - 1)]


class Budget(_Model):
    """One förbund's budget: the root of the interchange format."""

    format: Literal["finsam_xl/budget"] = FORMAT_ID
    version: Literal[1] = FORMAT_VERSION
    forbund: Forbund
    years: Years
    adopted: date | None = None
    revised: date | None = None
    members: list[Member] = Field(default_factory=list)
    keys: Keys = Field(default_factory=Keys)
    contributions: list[Contribution] = Field(default_factory=list)
    income: list[IncomeLine] = Field(default_factory=list)
    costs: list[CostLine] = Field(default_factory=list)
    equity: Equity
    settings: Settings = Field(default_factory=Settings)
    published: Published = Field(default_factory=Published)
    document: DocumentSettings = Field(default_factory=DocumentSettings)
    actuals: list[Actual] = Field(default_factory=list)

    def _amounts(self) -> Iterator[tuple[str, int | None, object, Decimal | None]]:
        """Every typed amount as (list or part, index, year or field, amount), in a fixed order."""
        yield "equity", None, "opening", self.equity.opening
        yield "equity", None, "floor", self.equity.floor
        lines: list[tuple[str, list[CostLine | IncomeLine]]] = [
            ("costs", [*self.costs]),
            ("income", [*self.income]),
        ]
        for kind, items in lines:
            for i, line in enumerate(items):
                for y, a in line.amounts.items():
                    yield kind, i, y, a
                yield kind, i, "forecast", line.forecast
        for i, member in enumerate(self.members):
            for y, a in member.amounts.items():
                yield "members", i, y, a
            yield "members", i, "key", member.key
        for c in self.contributions:
            yield "contributions", None, c.year, c.amount

    @model_validator(mode="after")
    def _bounded(self) -> Budget:
        """No amount of AMOUNT_LIMIT_KR or more, however the model was built (see money.py).

        The amounts are walked in a fixed order and the first one too large is named; the
        names are made only for it, so a budget of thousands of lines is checked cheaply.
        """
        for kind, index, part, amount in self._amounts():
            if amount is not None and abs(amount) >= AMOUNT_LIMIT_KR:
                where = kind if index is None else f"{kind}[{index}]"
                raise ValueError(
                    f"{where}.{part}: {amount} är orimligt stort; belopp måste vara mindre än "
                    "1 000 000 000 000 000 kr"
                )
        return self

    @model_validator(mode="after")
    def _equity_year(self) -> Budget:
        year = self.equity.opening_year
        if year is not None and year not in self.years.all:
            raise ValueError(f"eget kapital: öppningsåret {year} finns inte bland åren")
        late = [a.year for a in self.actuals if a.year >= self.years.budget]
        if late:
            raise ValueError(f"utfall: åren {late} ligger inte före budgetåret {self.years.budget}")
        seen = [a.year for a in self.actuals]
        if len(seen) != len(set(seen)):
            raise ValueError("utfall: ett år finns på flera rader")
        return self

    @property
    def opening_year(self) -> int:
        """The year whose start the opening equity belongs to."""
        return self.equity.opening_year or self.years.all[0]

    def contribution(self, year: int) -> Contribution | None:
        """The contribution entered for ``year`` (the first, if there are several)."""
        return next((c for c in self.contributions if c.year == year), None)
