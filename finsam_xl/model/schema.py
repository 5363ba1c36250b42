"""The workbook contract: sheet, table, column and defined names, and Swedish labels.

Inputs live in Excel tables found by table name (any sheet, any position);
their columns are found by header text (case and spacing ignored, any order,
extra columns allowed). Computed areas are found by defined names. Nothing
else in the package hard-codes a cell address. docs/workbook.md describes the
same contract for users.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from finsam_xl.model.budget import CostGroup
from finsam_xl.model.labels import (
    ACTUAL_STATUS_LABELS,
    GROUP_LABELS,
    GROUP_SV,
    KIND_LABELS,
    LINE_TYPE_COST,
    LINE_TYPE_INCOME,
    MODE_LABELS,
    NO,
    TARGET_LABELS,
    YES,
)
from finsam_xl.model.text import nfc

# --- sheets -----------------------------------------------------------------------------------
SHEET_INSTRUCTIONS = "Instruktioner"
SHEET_SETTINGS = "Inställningar"
SHEET_MEMBERS = "Medlemmar"
SHEET_CONTRIBUTIONS = "Medelstilldelning"
SHEET_LINES = "Rader"
SHEET_PUBLISHED = "Publicerat"
SHEET_PLAN = "Plan"
SHEET_ALLOCATION = "Fördelning"
SHEET_FINDINGS = "Kontroller"
SHEET_MAPPING = "Kontomappning"
SHEET_RECON = "Avstämning"
SHEET_FOLLOWUP = "Uppföljning"  # written by 'avstamning': the board's follow-up
SHEET_HISTORY = "Historik"
SHEET_ACTUALS = "Utfall"  # input: past years of the equity history
SHEET_BUDGET = "Budget"  # computed: the detailed budget table as the document prints it
SHEET_NOT1 = "Not 1"
SHEET_INSATSER = "Insatser"
SHEET_EQUITY = "Eget kapital"
SHEET_INVOICES = "Fakturaplan"  # computed: a row per member and instalment (issue 21)
SHEET_STYLES = "_finsam_stilar"  # very hidden: one prototype cell per style role
#: The sheets a person fills in; their page header names the förbund and the budget year
#: (set by ``new`` and by ``nytt-ar``: recalc does not rewrite them).
INPUT_SHEETS = (
    SHEET_INSTRUCTIONS,
    SHEET_SETTINGS,
    SHEET_MEMBERS,
    SHEET_CONTRIBUTIONS,
    SHEET_ACTUALS,
    SHEET_LINES,
    SHEET_PUBLISHED,
    SHEET_MAPPING,
)


def input_header(forbund: str, budget_year: int) -> tuple[str, str]:
    """The page header of an input sheet: (left, right) = (the förbund, "Budget ÅÅÅÅ")."""
    return forbund, f"Budget {budget_year}"


# --- input tables -----------------------------------------------------------------------------
T_SETTINGS = "Installningar"
T_SCALE = "Trappa"
T_MEMBERS = "Medlemmar"
T_CONTRIBUTIONS = "Medelstilldelning"
T_LINES = "Rader"
T_PUBLISHED = "Publicerat"
T_MAPPING = "Kontomappning"
T_HISTORY = "Historik"  # written by 'nytt-ar'; one row per rollover
HISTORY_COLUMNS = ("Datum", "Från fil", "Från budgetår", "Till budgetår", "Ändringar")
T_ACTUALS = "Utfall"

# --- computed areas (defined names -> top-left cell of the area) ------------------------------
N_PLAN = "fx_plan"
N_ALLOCATION = "fx_fordelning"
N_FINDINGS = "fx_kontroller"
N_STATUS = "fx_status"
N_STYLES = "fx_stilar"
N_RECON = "fx_avstamning"
N_FOLLOWUP = "fx_uppfoljning"
#: The document's sheets (issue 11). A workbook made before them lacks these names:
#: recalc then skips those sheets and says so in the status line.
N_BUDGET = "fx_budget"
N_NOT1 = "fx_not1"
N_INSATSER = "fx_insatser"
N_EQUITY = "fx_eget_kapital"
#: The fakturaplan (issue 21): optional in the same way, for workbooks made before it.
N_INVOICES = "fx_fakturaplan"
DOCUMENT_NAMES = {
    N_BUDGET: SHEET_BUDGET,
    N_NOT1: SHEET_NOT1,
    N_INSATSER: SHEET_INSATSER,
    N_EQUITY: SHEET_EQUITY,
    N_INVOICES: SHEET_INVOICES,
}
#: Findings: every finding (ungrouped) in hidden columns, for the markers (new workbooks).
N_MARK_ALL_SEVERITY = "fx_markering_alla_niva"
N_MARK_ALL_SHEET = "fx_markering_alla_blad"
N_MARK_ALL_CELL = "fx_markering_alla_cell"
#: Defined names over the findings columns, used by the markers' conditional formatting.
N_MARK_SHEET = "fx_markering_blad"
N_MARK_CELL = "fx_markering_cell"
N_MARK_SEVERITY = "fx_markering_niva"
FINDINGS_MAX_ROWS = 2000


# Settings table: label -> key. The reader looks rows up by label.
SETTING_LABELS: dict[str, str] = {
    "forbund": "Förbund",
    "org_nr": "Organisationsnummer",
    "unit": "Enhet (kr eller tkr)",
    "budget_year": "Budgetår",
    "comparison_years": "Antal jämförelseår",
    "plan_years": "Antal planår",
    "adopted": "Beslutsdatum (styrelsen)",
    "revised": "Reviderad (styrelsen)",
    "equity_opening": "Eget kapital vid årets början",
    "equity_opening_year": "Eget kapital avser början av år",
    "equity_floor": "Styrelsens lägsta nivå för eget kapital",
    "admin_share_max_pct": "Gräns för administrationens andel (%)",
    "payment_frequency": "Inbetalning från medlemmarna",
    "key_stat": "Fördelningsnyckel staten",
    "key_region": "Fördelningsnyckel regionerna",
    "key_kommun": "Fördelningsnyckel kommunerna",
    "key_note": "Nyckeln avser",
    "table_heading": "Rubrik i publicerad tabell",
    "deviation_pct": "Avstämning: avvikelsegräns (%)",
    "deviation_kr": "Avstämning: avvikelsegräns (kr)",
    "payment_grace_days": "Avstämning: betalningsfrist (dagar)",
    **{f"uplift_{g.value}": f"Uppräkning nästa år: {GROUP_SV[g]} (%)" for g in CostGroup},
    "frame_min_kr": "Rimlig ram: lägsta (kr)",
    "frame_max_kr": "Rimlig ram: högsta (kr)",
    # The printed budget table (DocumentSettings): key "doc_<field>".
    "doc_comparison_kinds": "Jämförelseår visas som",
    "doc_costs_negative": "Budgettabell: kostnader som negativa belopp",
    "doc_show_cost_centres": "Budgettabell: visa ID (kostnadsställe)",
    "doc_show_accounts": "Budgettabell: visa konto",
    "doc_income_first": "Budgettabell: intäkter före kostnader",
    "doc_member_rows": "Budgettabell: en rad per medlem",
    "doc_totals_on_heading": "Budgettabell: summa på rubrikraden",
    "doc_single_line_totals": "Budgettabell: summa även under en ensam rad",
    "doc_equity_as_funding": "Budgettabell: eget kapital som finansiering",
    "doc_plan_in_table": "Budgettabell: visa planåren",
    "doc_budget_first": "Budgettabell: budgetåret först",
    "doc_show_result": "Budgettabell: visa resultat",
    "doc_plan_label": "Budgettabell: planårens rubrik",
    "doc_budget_label": "Budgettabell: budgetårets rubrik",
    "doc_comparison_label": "Budgettabell: jämförelseårens rubrik",
    "doc_income_heading": "Budgettabell: rubrik för intäkter",
    "doc_contributions_label": "Budgettabell: text för medlemsbidrag",
    "doc_contributions_cost_centre": "Budgettabell: ID för medlemsbidrag",
    "doc_contributions_account": "Budgettabell: konto för medlemsbidrag",
    "doc_other_income_heading": "Budgettabell: rubrik för övriga intäkter",
    "doc_equity_label": "Budgettabell: text för eget kapital",
    "doc_costs_heading": "Budgettabell: rubrik för kostnader",
    "doc_group_total_label": "Budgettabell: text för summa per rubrik",
    "doc_income_total_label": "Budgettabell: text för summa intäkter",
    "doc_costs_total_label": "Budgettabell: text för summa kostnader",
    "doc_result_label": "Budgettabell: text för resultat",
}
#: Document settings that are Ja/Nej (the others are text).
DOC_FLAGS = (
    "costs_negative",
    "show_cost_centres",
    "show_accounts",
    "income_first",
    "member_rows",
    "totals_on_heading",
    "single_line_totals",
    "equity_as_funding",
    "plan_in_table",
    "budget_first",
    "show_result",
)
#: Labels of earlier versions, still read (key -> old label).
SETTING_ALIASES: dict[str, str] = {
    "equity_opening_year": "Eget kapitalet avser början av år",
}
for _group in CostGroup:
    SETTING_ALIASES[f"uplift_{_group.value}"] = f"Uppräkning nästa år {_group.value} (%)"

SETTING_HELP: dict[str, str] = {
    "unit": "Belopp i bladen anges i denna enhet; beräkningen sker i kronor.",
    "budget_year": "Året som budgeten gäller.",
    "comparison_years": "0–2 år före budgetåret som visas som jämförelse.",
    "plan_years": "Normalt 2 eller 3 år efter budgetåret.",
    "equity_opening": "Prognos för eget kapital vid ingången av året nedan.",
    "equity_floor": (
        "Styrelsens lägsta nivå av likviditetsskäl; 0 eller tomt om styrelsen inte har "
        "beslutat någon."
    ),
    "key_stat": "lika, procent eller befolkning",
    "payment_frequency": "år, halvår, kvartal eller månad",
    "deviation_pct": "Avvikelser över både denna procent och beloppet nedan rapporteras.",
    "payment_grace_days": (
        "En delbetalning förfaller så här många dagar efter periodens början, "
        "en faktura så här många dagar efter fakturadatum."
    ),
    "frame_min_kr": "Tomt = 800 000 kr. En årsram under detta ger en varning (fel enhet: ett fel).",
    "frame_max_kr": "Tomt = 60 000 000 kr. En årsram eller ett belopp över detta ger en varning.",
    "doc_comparison_kinds": "Budget, Utfall eller Prognos (tomt = Budget); för två "
    "jämförelseår t.ex. 'Utfall, Prognos' (äldsta först).",
    "doc_costs_negative": "Ja: kostnader negativa, intäkter positiva. Nej: kostnader positiva, "
    "intäkter i ett kostnadsställe negativa.",
    "doc_income_first": "Ja: medlemsbidrag och övriga intäkter överst, som ett finansieringsblock.",
    "doc_totals_on_heading": "Ja: summan står på rubrikens rad. Nej: en rad 'Totalt' under.",
    "doc_single_line_totals": "Ja: raden 'Totalt' skrivs även under en rubrik med en enda rad.",
    "doc_show_cost_centres": "Kolumnen visas bara om någon rad har ett kostnadsställe.",
    "doc_show_accounts": "Kolumnen visas bara om någon rad har ett konto.",
    "doc_group_total_label": "{rubrik} ersätts med rubrikens namn, t.ex. 'Summa {rubrik}'.",
    "doc_plan_in_table": "Nej: budgettabellen visar bara jämförelseår och budgetår.",
    "doc_budget_first": "Ja: budgetårets kolumn först, sedan planåren och jämförelseåren "
    "(nyaste först).",
    "doc_budget_label": "T.ex. Årsbudget (tomt = Budget).",
    "doc_comparison_label": "T.ex. Årsbudget (tomt = enligt 'Jämförelseår visas som').",
    "adopted": "Datum då styrelsen beslutade budgeten; skrivs under rubriken.",
    "revised": "Datum för en revidering, om budgeten har reviderats.",
}

# --- Swedish labels: the names of the model's codes are in finsam_xl.model.labels -------------

#: Published items: label -> field of ``Published`` ("section"/"allocation" take a name).
PUBLISHED_LABELS = {
    "contributions": "Medlemsbidrag",
    "income": "Summa intäkter",
    "costs": "Summa kostnader",
    "result": "Resultat",
    "equity_start": "Eget kapital vid årets början",
    "equity_end": "Eget kapital vid årets slut",
    "equity_end_pct": "Eget kapital i % av bidragen",
    "decision_room": "Beslutsutrymme",
    "available": "Tillgängligt",
    "sections": "Delsumma",
    "allocation": "Fördelning",
}

# --- input tables' columns ----------------------------------------------------------------------
#: Number formats of input cells (the template writes them; the reader reads any number).
AMOUNT_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Column:
    """A table column: one declaration for the reader, which finds it, and the template.

    ``header`` is the text the reader finds the column by (case and spacing ignored);
    ``required``: the table cannot do without it. ``field`` names what the column holds:
    the model's field (dotted below a submodel, e.g. ``insats.start``), or for a table
    that flattens a mapping, the part it holds (``item``, ``name``). The template
    writes the column at its place in the table's declaration, ``width`` wide, its
    cells in ``number_format`` (None: General, heading left) and, with ``choices``,
    a drop-down list of them whose error message is titled ``choices_title`` (or the
    header).
    """

    header: str
    required: bool = True
    field: str = ""
    width: float | None = None
    number_format: str | None = None
    choices: tuple[str, ...] = ()
    choices_title: str = ""


@dataclass(frozen=True)
class YearColumns:
    """A table's columns of one year each, after the column headed ``after``.

    The template heads them ``header.format(year)``; the reader finds them by
    ``pattern`` (any order, any number of them).
    """

    header: str
    pattern: re.Pattern[str]
    after: str
    field: str = "amounts"
    width: float | None = None
    number_format: str | None = AMOUNT_FORMAT

    def field_of(self, year: int) -> str:
        """The field of one year's column (``amounts.2025``): a row's key for its value."""
        return f"{self.field}.{year}"

    def column(self, year: int) -> Column:
        """The column of one year, as the template writes it."""
        return Column(
            self.header.format(year),
            required=False,
            field=self.field_of(year),
            width=self.width,
            number_format=self.number_format,
        )


@dataclass(frozen=True)
class InputTable:
    """An input table: its name, its sheet, its columns in order, and its year columns."""

    name: str
    sheet: str
    columns: tuple[Column, ...]
    years: YearColumns | None = None

    def layout(self, years: Sequence[int] = ()) -> tuple[Column, ...]:
        """The columns in the order the template writes them, with one per year of ``years``."""
        if self.years is None:
            return self.columns
        at = [c.header for c in self.columns].index(self.years.after) + 1
        per_year = tuple(self.years.column(y) for y in years)
        return self.columns[:at] + per_year + self.columns[at:]

    def column(self, field: str) -> Column:
        """The column that holds ``field``."""
        return next(c for c in self.columns if c.field == field)

    def index(self, field: str) -> int:
        """The zero-based position of the column that holds ``field`` (before any years)."""
        return [c.field for c in self.columns].index(field)


_YES_NO = (YES, NO)

SETTINGS = InputTable(
    T_SETTINGS,
    SHEET_SETTINGS,
    (
        Column("Inställning", field="label", width=42),
        Column("Värde", field="value", width=36),
        Column("Förklaring", required=False, field="help", width=60),
    ),
)
SCALE = InputTable(
    T_SCALE,
    SHEET_SETTINGS,
    (
        Column("Från årlig tilldelning", field="from_amount", width=24),
        Column("Högsta eget kapital (%)", field="max_pct", width=24),
    ),
)
MEMBER_YEARS = YearColumns(
    "Fast belopp {}",
    re.compile(r"^fast belopp\s+(\d{4})$", re.IGNORECASE),
    after="Nyckelvärde",
    width=16,
)
MEMBERS = InputTable(
    T_MEMBERS,
    SHEET_MEMBERS,
    (
        Column("Medlem", field="name", width=40),
        Column(
            "Typ",
            field="kind",
            width=12,
            choices=tuple(KIND_LABELS.values()),
            choices_title="Typ av medlem",
        ),
        Column("Nyckelvärde", required=False, field="key", width=14),
    ),
    MEMBER_YEARS,
)
CONTRIBUTIONS = InputTable(
    T_CONTRIBUTIONS,
    SHEET_CONTRIBUTIONS,
    (
        Column("År", field="year", width=8),
        Column("Inmatning", field="mode", width=16, choices=tuple(MODE_LABELS.values())),
        Column("Belopp", field="amount", width=16, number_format=AMOUNT_FORMAT),
        Column("Beslutat", required=False, field="decided", width=10, choices=_YES_NO),
    ),
)
LINE_YEARS = YearColumns("{}", re.compile(r"^(\d{4})$"), after="Nettoredovisas", width=13)
LINES = InputTable(
    T_LINES,
    SHEET_LINES,
    (
        Column(
            "Typ",
            field="type",
            width=10,
            choices=(LINE_TYPE_COST, LINE_TYPE_INCOME),
        ),
        Column("Rubrik", required=False, field="section", width=24),
        Column("Grupp", field="group", width=22, choices=tuple(GROUP_LABELS.values())),
        Column("Kostnadsställe", required=False, field="cost_centre", width=13),
        Column("Konto", required=False, field="account", width=8),
        Column("Benämning", field="name", width=44),
        Column("Nettoredovisas", required=False, field="netted", width=13, choices=_YES_NO),
        Column(
            "Beslutsdatum",
            required=False,
            field="insats.decision_date",
            width=13,
            number_format=DATE_FORMAT,
        ),
        Column(
            "Projektstart",
            required=False,
            field="insats.start",
            width=13,
            number_format=DATE_FORMAT,
        ),
        Column(
            "Projektslut",
            required=False,
            field="insats.end",
            width=13,
            number_format=DATE_FORMAT,
        ),
        Column(
            "Beviljat per år",
            required=False,
            field="insats.granted_per_year",
            width=13,
            number_format=AMOUNT_FORMAT,
        ),
        Column("Projektägare", required=False, field="insats.owner", width=13),
        Column(
            "Prognos helår",
            required=False,
            field="forecast",
            width=13,
            number_format=AMOUNT_FORMAT,
        ),
        Column("Periodisering", required=False, field="phasing", width=13),
    ),
    LINE_YEARS,
)
PUBLISHED = InputTable(
    T_PUBLISHED,
    SHEET_PUBLISHED,
    (
        Column("Uppgift", field="item", width=32, choices=tuple(PUBLISHED_LABELS.values())),
        Column("Avsnitt eller medlem", required=False, field="name", width=40),
        Column("År", field="year", width=8),
        Column("Belopp", field="amount", width=16, number_format=AMOUNT_FORMAT),
    ),
)
ACTUALS = InputTable(
    T_ACTUALS,
    SHEET_ACTUALS,
    (
        Column("År", field="year", width=8),
        Column(
            "Medlemsbidrag",
            required=False,
            field="contributions",
            width=16,
            number_format=AMOUNT_FORMAT,
        ),
        Column("Kostnader", required=False, field="costs", width=16, number_format=AMOUNT_FORMAT),
        Column("Resultat", required=False, field="result", width=16, number_format=AMOUNT_FORMAT),
        Column(
            "Eget kapital 31/12",
            required=False,
            field="equity_end",
            width=18,
            number_format=AMOUNT_FORMAT,
        ),
        Column(
            "Utfall eller prognos",
            required=False,
            field="status",
            width=20,
            choices=tuple(ACTUAL_STATUS_LABELS.values()),
        ),
    ),
)
MAPPING = InputTable(
    T_MAPPING,
    SHEET_MAPPING,
    (
        Column("Konto", field="accounts", width=14),
        Column("Dimension", required=False, field="dimension", width=11),
        Column("Objekt", required=False, field="object", width=12),
        Column("Mål", field="target", width=16, choices=tuple(TARGET_LABELS.values())),
        Column("Namn", required=False, field="name", width=44),
    ),
)
#: The reader's names for the same column objects.
SETTINGS_COLUMNS = SETTINGS.columns
SCALE_COLUMNS = SCALE.columns
MEMBER_COLUMNS = MEMBERS.columns
MEMBER_YEAR = MEMBER_YEARS.pattern
CONTRIBUTION_COLUMNS = CONTRIBUTIONS.columns
LINE_COLUMNS = LINES.columns
LINE_YEAR = LINE_YEARS.pattern
PUBLISHED_COLUMNS = PUBLISHED.columns
ACTUAL_COLUMNS = ACTUALS.columns
MAPPING_COLUMNS = MAPPING.columns

# --- computed sheets ----------------------------------------------------------------------------
#: Style roles; each has a prototype cell in the hidden styles sheet, in this order.
STYLE_ROLES = (
    "title",
    "header",
    "label",
    "label_bold",
    "amount",
    "amount_bold",
    "kr",
    "pct",
    "text",
    "wrap",
    "error",
    "warning",
    "info",
    "link",
    "status",
    "amount_dec",  # amounts in tkr with one decimal (core.document.display_decimals)
    "amount_bold_dec",
    "label_wrap",  # a label that wraps at word boundaries (the Insatser sheet's names)
    "warning_wrap",  # a warning that wraps (the Insatser sheet's Anmärkning)
)
#: A role whose prototype an older workbook lacks falls back to this one.
STYLE_FALLBACK = {
    "amount_dec": "amount",
    "amount_bold_dec": "amount_bold",
    "label_wrap": "label",
    "warning_wrap": "warning",
}

#: What the computed sheets were computed from (``interchange.digest`` of the budget read) is
#: kept in the very hidden styles sheet, this many rows below the top of ``fx_stilar`` (one
#: row below the prototypes): every writer (file, button, Lite, server) writes it through
#: the same grids, and every view reads it like any cell.
DIGEST_ROW_OFFSET = len(STYLE_ROLES) + 1
#: The digest cell's text begins with this, so that no other text is taken for one.
DIGEST_PREFIX = "finsam_xl indata "

#: Short Swedish name of each check, shown in Kontroller (the code stays in the last column).
RULE_NAMES = {
    "admin.share": "Administrationens andel",
    "adopted.late": "Beslutsdatum",
    "contrib.lawful-split": "Lagens 50/25/25",
    "contrib.member-share": "Medlemmens andel",
    "contrib.state-split": "Statens hälft på flera rader",
    "contrib.sum": "Summa medlemsbidrag",
    "equity.above-recommended": "Över rekommenderad nivå",
    "equity.below-floor": "Under styrelsens lägsta nivå",
    "equity.negative": "Negativt eget kapital",
    "input.contribution-duplicate": "Medelstilldelning dubblerad",
    "input.contribution-missing": "Medelstilldelning saknas",
    "input.contribution-negative": "Negativ medelstilldelning",
    "input.contribution-year": "Medelstilldelning år",
    "input.key-missing": "Nyckelvärde saknas",
    "input.key-negative": "Negativt nyckelvärde",
    "input.key-percent-sum": "Procentnyckel summa",
    "input.member-duplicate": "Medlem dubblerad",
    "input.member-kind-missing": "Medlemstyp saknas",
    "insats.above-granted": "Över beviljat belopp",
    "insats.outside-period": "Utanför projektperioden",
    "lines.blank": "Tom rad",
    "lines.duplicate": "Dubblerad rad",
    "lines.empty": "Inga rader",
    "lines.year-outside": "År utanför budgeten",
    "published.allocation": "Publicerad fördelning",
    "published.heading": "Publicerad rubrik",
    "published.total": "Publicerad summa",
    "result.deficit": "Underskott",
    "years.plan-short": "Få planår",
    "recon.deviation": "Avvikelse mot budget",
    "recon.equity-diff": "Eget kapital i bokföringen",
    "recon.equity-no-balances": "Eget kapital saknas",
    "recon.equity-unmapped": "Eget kapital utan konto",
    "recon.payment-late": "Sen inbetalning",
    "recon.unmapped": "Konto utan koppling",
    "recon.invoice-unpaid": "Obetald faktura",
    "recon.payment-unmatched": "Omatchad inbetalning",
    "recon.receivable-diff": "Kundfordran mot öppna poster",
    "recon.not-invoiced": "Ej fakturerat",
    "recon.receivable-other-customers": "Andra kunder",
    "recon.receivable-guessed": "Kundfordran utan koppling",
    "forecast.equity.negative": "Prognos: eget kapital under noll",
    "forecast.equity.below-floor": "Prognos: under lägsta nivån",
    "forecast.equity.above-recommended": "Prognos: över rekommenderad nivå",
    "forecast.result.deficit": "Prognos: underskott",
    "workbook.stale": "Inaktuella beräknade blad",
    "rollover.formula-dropped-year": "Formel mot bortrullat år",
    "rollover.formula-moved-year": "Formel mot årskolumn",
}
RULE_PREFIX_NAMES = {
    "read": "Inläsning",
    "recon": "Avstämning",
    "input": "Inmatning",
    "published": "Publicerat",
    "equity": "Eget kapital",
    "lines": "Rader",
    "contrib": "Medlemsbidrag",
}


def rule_name(code: str) -> str:
    """The short Swedish name of a check (its family's name, or the code, when unlisted)."""
    return RULE_NAMES.get(code) or RULE_PREFIX_NAMES.get(code.split(".")[0], code)


def normalise(header: object) -> str:
    """Header text compared case-insensitively with single spaces, in NFC."""
    return " ".join(nfc(str(header or "")).split()).casefold()


def lookup(labels: dict[str, str], text: object) -> str | None:
    """The key whose Swedish label matches ``text`` (normalised), else None."""
    wanted = normalise(text)
    return next((key for key, label in labels.items() if normalise(label) == wanted), None)


#: The computed sheet each result name must point to (the writer replaces that sheet's cells).
RESULT_SHEETS: dict[str, str] = {
    N_PLAN: SHEET_PLAN,
    N_STATUS: SHEET_PLAN,
    N_ALLOCATION: SHEET_ALLOCATION,
    N_FINDINGS: SHEET_FINDINGS,
    N_RECON: SHEET_RECON,
    N_STYLES: SHEET_STYLES,
    **DOCUMENT_NAMES,
}
