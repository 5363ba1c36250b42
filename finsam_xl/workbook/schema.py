"""The workbook contract: sheet, table, column and defined names, and Swedish labels.

Inputs live in Excel tables found by table name (any sheet, any position);
their columns are found by header text (case and spacing ignored, any order,
extra columns allowed). Computed areas are found by defined names. Nothing
else in the package hard-codes a cell address. docs/workbook.md describes the
same contract for users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from finsam_xl.model.budget import CostGroup, EntryMode, KeyType, MappingTarget, MemberKind, Unit
from finsam_xl.model.labels import GROUP_SV

# --- sheets -----------------------------------------------------------------------------------
SHEET_INSTRUCTIONS = "Instruktioner"
SHEET_SETTINGS = "Inställningar"
SHEET_MEMBERS = "Medlemmar"
SHEET_CONTRIBUTIONS = "Medelstilldelning"
SHEET_LINES = "Rader"
SHEET_PUBLISHED = "Publicerat"
T_MAPPING = "Kontomappning"
T_HISTORY = "Historik"  # written by 'nytt-ar'; one row per rollover
HISTORY_COLUMNS = ("Datum", "Från fil", "Från budgetår", "Till budgetår", "Ändringar")
SHEET_PLAN = "Plan"
SHEET_ALLOCATION = "Fördelning"
SHEET_FINDINGS = "Kontroller"
SHEET_MAPPING = "Kontomappning"
T_HISTORY = "Historik"  # written by 'nytt-ar'; one row per rollover
HISTORY_COLUMNS = ("Datum", "Från fil", "Från budgetår", "Till budgetår", "Ändringar")
SHEET_RECON = "Avstämning"
SHEET_FOLLOWUP = "Uppföljning"  # written by 'avstamning': the board's follow-up
SHEET_HISTORY = "Historik"
SHEET_STYLES = "_finsam_stilar"  # very hidden: one prototype cell per style role

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

# --- computed areas (defined names -> top-left cell of the area) ------------------------------
N_PLAN = "fx_plan"
N_ALLOCATION = "fx_fordelning"
N_FINDINGS = "fx_kontroller"
N_STATUS = "fx_status"
N_STYLES = "fx_stilar"
N_RECON = "fx_avstamning"
N_FOLLOWUP = "fx_uppfoljning"
#: Defined names over the findings columns, used by the markers' conditional formatting.
N_MARK_SHEET = "fx_markering_blad"
N_MARK_CELL = "fx_markering_cell"
N_MARK_SEVERITY = "fx_markering_niva"
FINDINGS_MAX_ROWS = 2000


@dataclass(frozen=True)
class Column:
    """A table column: its header and whether the table cannot do without it."""

    header: str
    required: bool = True



# Settings table: label -> key. The reader looks rows up by label.
SETTINGS_COLUMNS = (Column("Inställning"), Column("Värde"), Column("Förklaring", required=False))
SETTING_LABELS: dict[str, str] = {
    "forbund": "Förbund",
    "org_nr": "Organisationsnummer",
    "unit": "Enhet (kr eller tkr)",
    "budget_year": "Budgetår",
    "comparison_years": "Antal jämförelseår",
    "plan_years": "Antal planår",
    "adopted": "Beslutsdatum (styrelsen)",
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
}
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
    "equity_floor": "Styrelsens golv av likviditetsskäl; 0 om inget finns.",
    "key_stat": "lika, procent eller befolkning",
    "payment_frequency": "år, halvår, kvartal eller månad",
    "deviation_pct": "Avvikelser över både denna procent och beloppet nedan rapporteras.",
    "payment_grace_days": (
        "En delbetalning förfaller så här många dagar efter periodens början, "
        "en faktura så här många dagar efter fakturadatum."
    ),
    "frame_min_kr": "Tomt = 800 000 kr. En årsram under detta ger en varning (fel enhet: ett fel).",
    "frame_max_kr": "Tomt = 60 000 000 kr. En årsram eller ett belopp över detta ger en varning.",
}

SCALE_COLUMNS = (Column("Från årlig tilldelning"), Column("Högsta eget kapital (%)"))

MEMBER_COLUMNS = (Column("Medlem"), Column("Typ"), Column("Nyckelvärde", required=False))
MEMBER_YEAR = re.compile(r"^fast belopp\s+(\d{4})$", re.IGNORECASE)

CONTRIBUTION_COLUMNS = (
    Column("År"),
    Column("Inmatning"),
    Column("Belopp"),
    Column("Beslutat", required=False),
)

LINE_COLUMNS = (
    Column("Typ"),
    Column("Rubrik", required=False),
    Column("Grupp"),
    Column("Kostnadsställe", required=False),
    Column("Konto", required=False),
    Column("Benämning"),
    Column("Nettoredovisas", required=False),
    Column("Beslutsdatum", required=False),
    Column("Projektstart", required=False),
    Column("Projektslut", required=False),
    Column("Beviljat per år", required=False),
    Column("Projektägare", required=False),
    Column("Prognos helår", required=False),
    Column("Periodisering", required=False),
)
LINE_YEAR = re.compile(r"^(\d{4})$")

PUBLISHED_COLUMNS = (
    Column("Uppgift"),
    Column("Avsnitt eller medlem", required=False),
    Column("År"),
    Column("Belopp"),
)

MAPPING_COLUMNS = (
    Column("Konto"),
    Column("Dimension", required=False),
    Column("Objekt", required=False),
    Column("Mål"),
    Column("Namn", required=False),
)

# --- Swedish labels of enumerations ------------------------------------------------------------
KIND_LABELS = {MemberKind.STAT: "Staten", MemberKind.REGION: "Region", MemberKind.KOMMUN: "Kommun"}
KEY_LABELS = {KeyType.LIKA: "lika", KeyType.PROCENT: "procent", KeyType.BEFOLKNING: "befolkning"}
MODE_LABELS = {EntryMode.TOTAL: "Total ram", EntryMode.STAT: "Statens belopp"}
GROUP_LABELS = {
    CostGroup.STYRELSE: "Styrelse",
    CostGroup.ADMINISTRATION: "Administration",
    CostGroup.INSATS_INDIVID: "Insats individinriktad",
    CostGroup.INSATS_STRUKTUR: "Insats strukturinriktad",
    CostGroup.KOMPETENS: "Kompetensutveckling",
    CostGroup.OVRIGT: "Övrigt",
}
LINE_TYPE_COST = "Kostnad"
LINE_TYPE_INCOME = "Intäkt"
UNIT_LABELS = {Unit.KR: "kr", Unit.TKR: "tkr"}
FREQUENCY_LABELS = {"ar": "år", "halvar": "halvår", "kvartal": "kvartal", "manad": "månad"}
YES, NO = "Ja", "Nej"
TARGET_LABELS = {
    MappingTarget.LINE: "Budgetrad",
    MappingTarget.MEMBER: "Medlem",
    MappingTarget.EQUITY: "Eget kapital",
    MappingTarget.RECEIVABLE: "Kundfordran",
    MappingTarget.IGNORE: "Ignorera",
}

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
)

SEVERITY_LABELS = {"error": "Fel", "warning": "Varning", "info": "Info"}


def normalise(header: object) -> str:
    """Header text compared case-insensitively with single spaces."""
    return " ".join(str(header or "").split()).casefold()


def lookup(labels: dict[str, str], text: object) -> str | None:
    """The key whose Swedish label matches ``text`` (normalised), else None."""
    wanted = normalise(text)
    return next((key for key, label in labels.items() if normalise(label) == wanted), None)
