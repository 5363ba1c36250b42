"""Generate the standard budget workbook with XlsxWriter (``finsam-xl ny``).

The template carries the inputs of a budget (or a starter budget) in Excel
tables, empty computed sheets with their styles, print setup and chart, the
markers' conditional formatting, and optionally the VBA project with buttons
(.xlsm). The computed values are then filled in by ``writer.write_results``,
the same code that ``recalc`` and the button use.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from finsam_xl import __version__
from finsam_xl.model import labels as L
from finsam_xl.model import schema as S
from finsam_xl.model.budget import Budget, CostGroup, MemberKind, Unit
from finsam_xl.model.money import display_number
from finsam_xl.sheets.layout import PLAN_ROW_INDEX, PLAN_ROWS
from finsam_xl.xlsx.cells import XLSXWRITER_OPTIONS

HEADER_ROW = 2  # zero-based row of input table headers (row 3 in Excel)
FIRST_INPUT_ROW = HEADER_ROW + 1
SPARE_ROWS = 15  # empty table rows for the user to fill in
PLAN_ANCHOR = (3, 0)  # A4
INSTRUCTIONS: list[tuple[str, str]] = [
    ("h", "Så här används arbetsboken"),
    (
        "p",
        "Arbetsboken håller förbundets budget med plan. Du fyller i inmatningsbladen (tabeller); "
        "finsam_xl räknar och skriver resultatbladen. Inmatningen ändras aldrig av verktyget.",
    ),
    ("h", "Årets steg"),
    (
        "p",
        "1. Inställningar: förbund, enhet (kr eller tkr), budgetår, antal jämförelse- och planår, "
        "eget kapital vid årets början och styrelsens lägsta nivå.",
    ),
    (
        "p",
        "2. Medlemmar: varje medlem med typ (Staten, Region, Kommun) och nyckelvärde "
        "(befolkning eller procent). Fast belopp fylls bara i när medlemmen betalar ett bestämt "
        "belopp i stället för sin andel.",
    ),
    (
        "p",
        "3. Medelstilldelning: ett belopp per år, antingen statens belopp (totalen blir det "
        "dubbla) eller den totala ramen. Beslutat = Nej för ett äskat belopp (visas med **).",
    ),
    (
        "p",
        "4. Rader: varje kostnad och övrig intäkt per år, med Rubrik (kostnadsställe), ID och "
        "konto om budgeten visar dem. Insatser får beslutsdatum, projektperiod, beviljat belopp "
        "och ägare.",
    ),
    (
        "p",
        "5. Utfall: tidigare år för tabellen Eget kapital (medlemsbidrag, kostnader, eget "
        "kapital 31/12, Utfall eller Prognos).",
    ),
    (
        "p",
        "6. Tryck på Beräkna (eller kör: finsam-xl berakna FIL). Läs Kontroller: fel markeras "
        "röda och varningar gula i inmatningsbladen; klicka på Plats för att gå dit.",
    ),
    (
        "p",
        "7. Skriv ut bladen Budget, Not 1, Insatser, Eget kapital och Plan till styrelsen, "
        "eller gör budgetavsnittet i Word: finsam-xl rapport FIL -o budgetavsnitt.docx.",
    ),
    (
        "p",
        "8. Nästa höst: finsam-xl nytt-ar FIL skapar nästa års arbetsbok; året som gått "
        "flyttas till Utfall.",
    ),
    ("h", "Bladen"),
    (
        "p",
        "Inställningar – förbundet, åren, eget kapital, nycklarnas typ, trappan (rekommenderad "
        "högsta nivå, normalt 20 %) och hur budgettabellen ställs upp (teckenkonvention, ID och "
        "konto, rubriker).",
    ),
    (
        "p",
        "Medlemmar, Medelstilldelning, Rader, Utfall – inmatning. Publicerat – valfritt: "
        "summor ur ett tryckt dokument som räknas om och jämförs.",
    ),
    (
        "p",
        "Kontomappning – vilka konton i bokföringen som hör till vilken budgetrad, medlem "
        "eller eget kapital; behövs för Avstämning.",
    ),
    ("p", "Plan – intäkter, kostnader per grupp, resultat och eget kapital per år, med diagram."),
    (
        "p",
        "Budget – den detaljerade budgeten som dokumentet trycker den: rubrik/ID, konto, "
        "rader och Totalt per rubrik.",
    ),
    (
        "p",
        "Not 1 – medlemmarnas bidrag med nyckel, andel och belopp; en avvikelse från lagens "
        "50/25/25 står i Kontroller. Fördelning – samma fördelning per år med avrundningen "
        "förklarad.",
    ),
    ("p", "Insatser – varje insats med ägare, beslut, period och belopp; de som slutar markeras."),
    (
        "p",
        "Eget kapital – historik och plan. * = prognos (planårens kostnader och resultat, och "
        "eget kapital vid årets slut tills året är bokslutat); ** = äskat belopp.",
    ),
    (
        "p",
        "Kontroller – allt verktyget anmärker på, med nivå, kontroll och plats. Avstämning "
        "– utfall mot budget (finsam-xl avstamning FIL BOKFÖRING.se). Historik – årsskiftena, "
        "läggs till av finsam-xl nytt-ar.",
    ),
    ("h", "Belopp, nycklar och tecken"),
    (
        "p",
        "Skriv alla kostnader och intäkter som positiva belopp i den enhet Inställningar anger. "
        "Nettoredovisas = Ja för en intäkt som visas inne i ett kostnadsställe (t.ex. ESF-medel); "
        "tabellen Budget visar den då negativ eller positiv enligt inställningen.",
    ),
    (
        "p",
        "Tecken i bladet Budget: kostnader positiva och intäkter bland kostnaderna negativa; "
        "med 'Budgettabell: kostnader som negativa belopp' = Ja i stället kostnader negativa "
        "och intäkter positiva. Bladet självt visar bara beloppen, som styrelsen läser dem.",
    ),
    (
        "p",
        "Nycklar: lika (lika delar), procent (fasta andelar) eller befolkning (invånare). "
        "Staten betalar hälften, regionerna och kommunerna en fjärdedel var; udda kronor fördelas "
        "så att summan stämmer på kronan. En region eller kommun som är ensam i sin del behöver "
        "inget nyckelvärde: den betalar hela sin fjärdedel.",
    ),
    ("h", "Vanliga frågor"),
    (
        "p",
        "Staten på en eller två rader? Försäkringskassan betalar hela statens hälft, även för "
        "Arbetsförmedlingen. Skriv en rad 'Försäkringskassan med Arbetsförmedlingen' om budgeten "
        "visar staten så; med två rader delas hälften enligt statens nyckel, och Kontroller säger "
        "hur den delades.",
    ),
    (
        "p",
        "Beslutat Ja eller Nej? Ja för belopp som medlemmarna har beslutat (oftast budgetåret). "
        "Nej för äskade belopp och för planårens antaganden; de visas med ** i utskriften.",
    ),
    (
        "p",
        "Är processtöd administration eller insats? Stöd till samverkan som förbundet finansierar "
        "(processtöd, utvecklingsarbete) är en insats: Grupp 'Insats strukturinriktad'. "
        "Förbundets eget kansli (förbundschef, ekonomi, lokaler) är Administration. Valet ändrar "
        "administrationens andel och listan över insatser.",
    ),
    (
        "p",
        "En arbetsbok för ett visst år: finsam-xl ny -o budget.xlsx --budgetar 2027 "
        "(utan --budgetar blir det nästa kalenderår).",
    ),
    ("h", "En nedladdad fil som är spärrad"),
    (
        "p",
        "Windows spärrar makron i filer från internet eller e-post. Stäng filen, högerklicka på "
        "den i Utforskaren, välj Egenskaper och kryssa i Avblockera längst ned. Öppna sedan filen "
        "igen och välj Aktivera innehåll om Excel frågar.",
    ),
    ("p", "Egna blad och kolumner får läggas till; verktyget skriver bara i resultatbladen."),
]


def display(amount: Decimal | None, unit: Unit) -> float | int | None:
    """An amount in kronor as the number to show in the workbook's unit."""
    return display_number(amount, unit is Unit.TKR)


class _Formats:
    """The formats the template uses, created once per workbook."""

    def __init__(self, wb: Any) -> None:
        amount = S.AMOUNT_FORMAT
        self.title = wb.add_format({"bold": True, "font_size": 14})
        top = {"valign": "top"}  # every computed cell aligns at the top, like wrapped text
        self.header = wb.add_format(
            {
                "bold": True,
                "bg_color": "#1F4E78",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "valign": "top",
                "align": "center",
                "border": 1,
                "border_color": "#FFFFFF",
            }
        )
        self.label = wb.add_format({**top})
        self.label_wrap = wb.add_format({"text_wrap": True, **top})
        self.label_bold = wb.add_format({"bold": True, **top})
        self.amount = wb.add_format({"num_format": amount, "bg_color": "#EEF3F8", **top})
        self.amount_bold = wb.add_format(
            {"num_format": amount, "bold": True, "bg_color": "#EEF3F8", "top": 1, **top}
        )
        self.amount_dec = wb.add_format({"num_format": "#,##0.0", "bg_color": "#EEF3F8", **top})
        self.amount_bold_dec = wb.add_format(
            {"num_format": "#,##0.0", "bold": True, "bg_color": "#EEF3F8", "top": 1, **top}
        )
        self.kr = wb.add_format({"num_format": "#,##0", "bg_color": "#EEF3F8", **top})
        self.pct = wb.add_format({"num_format": "0.0%", "bg_color": "#EEF3F8", **top})
        self.text = wb.add_format({"bg_color": "#EEF3F8", **top})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top", "bg_color": "#EEF3F8"})
        self.error = wb.add_format({"bg_color": "#F4CCCC", "bold": True, **top})
        self.warning = wb.add_format({"bg_color": "#FFF2CC", **top})
        self.warning_wrap = wb.add_format({"bg_color": "#FFF2CC", "text_wrap": True, **top})
        self.info = wb.add_format({"bg_color": "#DDEBF7", **top})
        self.link = wb.add_format(
            {"font_color": "#0563C1", "underline": 1, "bg_color": "#EEF3F8", **top}
        )
        self.status = wb.add_format({"italic": True, "font_color": "#555555"})
        self.status_wrap = wb.add_format(
            {"italic": True, "font_color": "#555555", "text_wrap": True, "valign": "top"}
        )
        self.input_amount = wb.add_format({"num_format": amount})
        self.input_header_right = wb.add_format({"bold": True, "align": "right"})
        self.input_date = wb.add_format({"num_format": S.DATE_FORMAT})
        self.mark_error = wb.add_format({"bg_color": "#F4CCCC", "font_color": "#9C0006"})
        self.mark_warning = wb.add_format({"bg_color": "#FFEB9C"})
        self.help = wb.add_format({"italic": True, "font_color": "#555555", "text_wrap": True})
        self.guide = wb.add_format({"text_wrap": True, "valign": "top"})
        self.guide_head = wb.add_format({"bold": True, "font_size": 12, "valign": "bottom"})

    def number(self, number_format: str) -> Any:
        """The input cells' format of a column's number format (``schema.Column``)."""
        return {S.AMOUNT_FORMAT: self.input_amount, S.DATE_FORMAT: self.input_date}[number_format]

    def role(self, name: str) -> Any:
        """The format of a style role (see ``schema.STYLE_ROLES``)."""
        return getattr(self, name)


def unit_cell() -> str:
    """The absolute reference of the unit setting's value (Inställningar, column Värde)."""
    row = HEADER_ROW + 2 + list(S.SETTING_LABELS).index("unit")
    return f"'{S.SHEET_SETTINGS}'!${xl_col_to_name(S.SETTINGS.index('value'))}${row}"


def unit_title_formula(text: str) -> str:
    """A sheet title that names the workbook's unit: ``text (tkr)`` follows the Enhet cell,
    so changing the unit later leaves no title saying kr (an empty cell reads kr)."""
    cell = unit_cell()
    return f'="{text} ("&IF({cell}="","kr",{cell})&")"'


def _unit_title(ws: Any, text: str, unit: Unit, fmt: _Formats) -> None:
    """Write an input sheet's title as ``unit_title_formula`` with its value cached."""
    ws.write_formula(0, 0, unit_title_formula(text), fmt.title, f"{text} ({L.UNIT_LABELS[unit]})")


def _table(
    ws: Any, table: S.InputTable, columns: Sequence[S.Column], rows: list[list[Any]], fmt: _Formats
) -> None:
    """Write an Excel table at A3 with ``rows`` plus spare empty rows, in ``columns``.

    A column with a number format has its heading right-aligned over its numbers:
    where table styles are not drawn (LibreOffice), a left-aligned year heading makes
    the values look shifted a column.
    """
    data = rows + [[None] * len(columns) for _ in range(SPARE_ROWS)]
    last_row = HEADER_ROW + len(data)
    specs = []
    for c in columns:
        spec: dict[str, Any] = {"header": c.header}
        if c.number_format is not None:
            spec["format"] = fmt.number(c.number_format)
            spec["header_format"] = fmt.input_header_right
        specs.append(spec)
    ws.add_table(
        HEADER_ROW,
        0,
        last_row,
        len(columns) - 1,
        {"name": table.name, "columns": specs, "data": data, "style": "Table Style Light 9"},
    )
    for col, c in enumerate(columns):
        if c.width is not None:
            ws.set_column(col, col, c.width)
    ws.freeze_panes(FIRST_INPUT_ROW, 0)
    # An input sheet prints whole in width (landscape A4), its header row on every page.
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW, HEADER_ROW)
    ws.set_footer("&L&9&A&R&9Sida &P av &N")


def _input_table(
    ws: Any,
    table: S.InputTable,
    rows: list[dict[str, Any]],
    fmt: _Formats,
    years: Sequence[int] = (),
) -> None:
    """Write ``table`` from rows keyed by its columns' fields, with its lists and markers.

    Each value goes to the column that declares its field (``schema``), so the order
    of the columns is the declaration's; a missing field is an empty cell.
    """
    columns = table.layout(years)
    _table(ws, table, columns, [[row.get(c.field) for c in columns] for row in rows], fmt)
    for col, c in enumerate(columns):
        if c.choices:
            _validate(ws, col, len(rows), list(c.choices), c.choices_title or c.header)


def _year_values(
    spec: S.YearColumns, years: Sequence[int], amounts: dict[int, Decimal], unit: Unit
) -> dict[str, Any]:
    """A row's values of its year columns, keyed by their fields."""
    return {spec.field_of(y): display(amounts.get(y), unit) for y in years}


#: The characters of the italic text on Inställningar (Förklaring) per line where the
#: sheet is drawn in a wider font than Calibri (LibreOffice: DejaVu Sans).
HELP_CHARS = 76


def help_lines(text: str | None) -> int:
    """How many lines an explanation on Inställningar wraps to (at spaces)."""
    if not text:
        return 1
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > HELP_CHARS:
            lines, used = lines + 1, len(word)
        else:
            used += (1 if used else 0) + len(word)
    return lines


def _validate(ws: Any, col: int, rows: int, values: list[str], title: str) -> None:
    ws.data_validation(
        FIRST_INPUT_ROW,
        col,
        FIRST_INPUT_ROW + rows + SPARE_ROWS - 1,
        col,
        {
            "validate": "list",
            "source": values,
            "error_title": title,
            "error_message": "Välj ett värde i listan: " + ", ".join(values),
        },
    )


def _markers(ws: Any, sheet: str, fmt: _Formats, cols: int) -> None:
    """Conditional formatting that colours cells listed in the findings sheet."""
    rng = f"A{FIRST_INPUT_ROW + 1}:{xl_col_to_name(max(cols, 1) + 10)}5000"
    for level, style in (("Fel", fmt.mark_error), ("Varning", fmt.mark_warning)):
        criteria = (
            f'=COUNTIFS({S.N_MARK_SHEET},"{sheet}",{S.N_MARK_CELL},ADDRESS(ROW(),COLUMN(),4),'
            f'{S.N_MARK_SEVERITY},"{level}")>0'
        )
        ws.conditional_format(rng, {"type": "formula", "criteria": criteria, "format": style})


def write_template(budget: Budget, path: Path, xlsm: bool = False, protect: bool = True) -> None:
    """Write the workbook for ``budget`` to ``path`` (inputs only; computed sheets empty).

    ``protect=False`` leaves the computed sheets unprotected, for xlwings Lite and the
    server, whose clients cannot lift sheet protection before writing.
    """
    wb = xlsxwriter.Workbook(
        str(path),
        {**XLSXWRITER_OPTIONS, "default_date_format": "yyyy-mm-dd"},
    )
    fmt = _Formats(wb)
    wb.set_properties(
        {
            "title": f"Budget {budget.years.budget} – {budget.forbund.name}",
            "comments": f"Skapad av finsam_xl {__version__}",
        }
    )
    instructions = _instructions_sheet(wb, fmt, budget)
    for write in _INPUT_SHEETS:
        write(wb, fmt, budget)
    for sheet in wb.worksheets():
        if sheet.name in S.INPUT_SHEETS:
            left, right = S.input_header(budget.forbund.name, budget.years.budget)
            sheet.set_header(f'&L&"-,Bold"{left.replace("&", "&&")}&R{right}')
    _computed_sheets(wb, fmt, budget, protect)
    if xlsm:
        from finsam_xl.vba import attach_to_xlsxwriter

        attach_to_xlsxwriter(wb, instructions, row=2, col=0)
    wb.close()


def _instructions_sheet(wb: Any, fmt: _Formats, budget: Budget) -> Any:
    """The first sheet, Instruktioner (the buttons go here in an .xlsm); returns it."""
    ws = wb.add_worksheet(S.SHEET_INSTRUCTIONS)
    ws.write(0, 0, f"Budget {budget.years.budget} – {budget.forbund.name}", fmt.title)
    guide_top = 8  # rows 3-7 hold the buttons of an .xlsm
    for i, (kind, text) in enumerate(INSTRUCTIONS):
        ws.write(guide_top + i, 0, text, fmt.guide_head if kind == "h" else fmt.guide)
        # wrapped text needs its height: about 60 characters a line at width 68 (the
        # width that fits A4 portrait at 100 % even where Calibri is missing)
        lines = 1 if kind == "h" else -(-len(text) // 60)
        ws.set_row(guide_top + i, 22 if kind == "h" else 15 * lines + 2)
    ws.set_column(0, 0, 68)
    _print_setup(ws, budget, landscape=False)
    ws.fit_to_pages(1, 0)
    return ws


def _setting_values(budget: Budget) -> dict[str, Any]:
    """The value of each setting (key of ``schema.SETTING_LABELS``) as the sheet shows it."""
    unit, eq, settings = budget.forbund.unit, budget.equity, budget.settings
    return {
        "forbund": budget.forbund.name,
        "org_nr": budget.forbund.org_nr,
        "unit": L.UNIT_LABELS[unit],
        "budget_year": budget.years.budget,
        "comparison_years": len(budget.years.comparison),
        "plan_years": len(budget.years.plan),
        "adopted": budget.adopted,
        "revised": budget.revised,
        "equity_opening": display(eq.opening, unit),
        "equity_opening_year": budget.opening_year,
        "equity_floor": display(eq.floor, unit),
        "admin_share_max_pct": display(settings.admin_share_max_pct, Unit.KR),
        "payment_frequency": L.FREQUENCY_LABELS[settings.payment_frequency],
        "key_stat": L.KEY_LABELS[budget.keys.stat],
        "key_region": L.KEY_LABELS[budget.keys.region],
        "key_kommun": L.KEY_LABELS[budget.keys.kommun],
        "key_note": budget.keys.note,
        "table_heading": budget.published.table_heading,
        "deviation_pct": display(settings.deviation_pct, Unit.KR),
        "deviation_kr": display(settings.deviation_kr, Unit.KR),
        "payment_grace_days": settings.payment_grace_days,
        **{f"uplift_{g.value}": display(settings.uplift_pct.get(g), Unit.KR) for g in CostGroup},
        **_document_values(budget),
    }


def _settings_sheet(wb: Any, fmt: _Formats, budget: Budget) -> None:
    """Inställningar: the settings table (a row per setting) and the scale beside it."""
    ws = wb.add_worksheet(S.SHEET_SETTINGS)
    _print_setup(ws, budget, landscape=True)
    ws.fit_to_pages(1, 0)
    ws.write(0, 0, "Inställningar", fmt.title)
    values = _setting_values(budget)
    columns = S.SETTINGS.columns
    entries = [
        {"label": label, "value": values.get(key), "help": S.SETTING_HELP.get(key)}
        for key, label in S.SETTING_LABELS.items()
    ]
    ws.add_table(
        HEADER_ROW,
        0,
        HEADER_ROW + len(entries),
        len(columns) - 1,
        {
            "name": S.SETTINGS.name,
            "columns": [{"header": c.header} for c in columns],
            "data": [[entry[c.field] for c in columns] for entry in entries],
            "style": "Table Style Light 9",
        },
    )
    value_col = S.SETTINGS.index("value")
    for key in ("adopted", "revised"):
        day = getattr(budget, key)
        if day:
            row = HEADER_ROW + 1 + list(S.SETTING_LABELS).index(key)
            ws.write_datetime(row, value_col, day, fmt.input_date)
    for col, c in enumerate(columns):
        ws.set_column(col, col, c.width, fmt.help if c.field == "help" else None)
    # The explanations wrap in their column: each row as high as its lines, or the lines
    # are drawn over the rows below (LibreOffice and Excel keep a row's set height).
    for i, entry in enumerate(entries):
        lines = help_lines(entry["help"])
        if lines > 1:
            ws.set_row(FIRST_INPUT_ROW + i, 15 * lines)
    scale_at = _scale_table(ws, fmt, budget, first_col=len(columns) + 1)
    ws.freeze_panes(FIRST_INPUT_ROW, 0)
    _markers(ws, S.SHEET_SETTINGS, fmt, scale_at + len(S.SCALE.columns))


def _scale_table(ws: Any, fmt: _Formats, budget: Budget, first_col: int) -> int:
    """The recommended levels (Trappa) from ``first_col`` of Inställningar; returns it."""
    unit, columns = budget.forbund.unit, S.SCALE.columns
    values = [
        {"from_amount": display(b.from_amount, unit), "max_pct": display(b.max_pct, Unit.KR)}
        for b in budget.equity.scale
    ]
    spare = 4
    ws.add_table(
        HEADER_ROW,
        first_col,
        HEADER_ROW + len(values) + spare,
        first_col + len(columns) - 1,
        {
            "name": S.SCALE.name,
            "columns": [{"header": c.header} for c in columns],
            "data": [[v[c.field] for c in columns] for v in values]
            + [[None] * len(columns)] * spare,
            "style": "Table Style Light 9",
        },
    )
    ws.write(
        1,
        first_col,
        "Nationella rådets rekommendation: högsta eget kapital per storlek på "
        "årlig tilldelning (trappa)",
        fmt.status,
    )
    for col, c in enumerate(columns, start=first_col):
        ws.set_column(col, col, c.width)
    return first_col


def _members_sheet(wb: Any, fmt: _Formats, budget: Budget) -> None:
    """Medlemmar: a row per member with its kind, key and fixed amounts per year."""
    ws = wb.add_worksheet(S.SHEET_MEMBERS)
    ws.write(0, 0, "Medlemmar och fördelningsnycklar", fmt.title)
    ws.write(
        1,
        0,
        "Nyckelvärde: befolkning eller procent enligt Inställningar (behövs inte för en ensam "
        "region eller kommun). Fast belopp: bara om medlemmen betalar ett bestämt belopp. "
        "Staten: en rad 'Försäkringskassan med Arbetsförmedlingen', eller två rader.",
        fmt.status,
    )
    unit, years = budget.forbund.unit, budget.years.all
    rows = [
        {
            "name": m.name,
            "kind": L.KIND_LABELS[m.kind],
            "key": display(m.key, Unit.KR),
            **_year_values(S.MEMBER_YEARS, years, m.amounts, unit),
        }
        for m in budget.members
    ]
    _input_table(ws, S.MEMBERS, rows, fmt, years)
    _markers(ws, S.SHEET_MEMBERS, fmt, len(S.MEMBERS.layout(years)))


def _contributions_sheet(wb: Any, fmt: _Formats, budget: Budget) -> None:
    """Medelstilldelning: the allotment per year, how it is entered and whether decided."""
    ws = wb.add_worksheet(S.SHEET_CONTRIBUTIONS)
    ws.write(0, 0, "Medelstilldelning per år", fmt.title)
    ws.write(
        1,
        0,
        "Inmatning: 'Statens belopp' (totalen blir det dubbla) eller 'Total ram'. "
        "Beslutat: Ja när medlemmarna har beslutat beloppet; Nej för äskade belopp och "
        "planårens antaganden (visas med **).",
        fmt.status,
    )
    unit = budget.forbund.unit
    rows = [
        {
            "year": c.year,
            "mode": L.MODE_LABELS[c.mode],
            "amount": display(c.amount, unit),
            "decided": L.YES if c.decided else L.NO,
        }
        for c in budget.contributions
    ]
    _input_table(ws, S.CONTRIBUTIONS, rows, fmt)
    _markers(ws, S.SHEET_CONTRIBUTIONS, fmt, len(S.CONTRIBUTIONS.columns))


def _actuals_sheet(wb: Any, fmt: _Formats, budget: Budget) -> None:
    """Utfall: past years of the equity history."""
    ws = wb.add_worksheet(S.SHEET_ACTUALS)
    unit = budget.forbund.unit
    _unit_title(ws, "Utfall tidigare år", unit, fmt)
    ws.write(
        1,
        0,
        "För tabellen Eget kapital: år före budgetåret. Kostnader som dokumentet visar dem "
        "(budget eller utfall). Prognos markeras med * i utskriften.",
        fmt.status,
    )
    rows = [
        {
            "year": a.year,
            "contributions": display(a.contributions, unit),
            "costs": display(a.costs, unit),
            "result": display(a.result, unit),
            "equity_end": display(a.equity_end, unit),
            "status": L.ACTUAL_STATUS_LABELS[a.status.value],
        }
        for a in sorted(budget.actuals, key=lambda a: a.year)
    ]
    _input_table(ws, S.ACTUALS, rows, fmt)
    _markers(ws, S.SHEET_ACTUALS, fmt, len(S.ACTUALS.columns))


def _line_rows(budget: Budget) -> list[dict[str, Any]]:
    """The rows of Rader: the costs (with their insats), then the other income."""
    unit, years = budget.forbund.unit, budget.years.all
    rows: list[dict[str, Any]] = []
    for line in budget.costs:
        ins = line.insats
        rows.append(
            {
                "type": L.LINE_TYPE_COST,
                "section": line.section,
                "group": L.GROUP_LABELS[line.group],
                "cost_centre": line.cost_centre,
                "account": line.account,
                "name": line.name,
                **_year_values(S.LINE_YEARS, years, line.amounts, unit),
                **(
                    {
                        "insats.decision_date": ins.decision_date,
                        "insats.start": ins.start,
                        "insats.end": ins.end,
                        "insats.granted_per_year": display(ins.granted_per_year, unit),
                        "insats.owner": ins.owner,
                    }
                    if ins
                    else {}
                ),
                "forecast": display(line.forecast, unit),
                "phasing": _phasing_text(line.phasing),
            }
        )
    for inc in budget.income:
        rows.append(
            {
                "type": L.LINE_TYPE_INCOME,
                "section": inc.section,
                "cost_centre": inc.cost_centre,
                "account": inc.account,
                "name": inc.name,
                "netted": L.YES if inc.netted else L.NO,
                **_year_values(S.LINE_YEARS, years, inc.amounts, unit),
                "forecast": display(inc.forecast, unit),
                "phasing": _phasing_text(inc.phasing),
            }
        )
    return rows


def _lines_sheet(wb: Any, fmt: _Formats, budget: Budget) -> None:
    """Rader: the costs and other income per year, two pages wide in print."""
    ws = wb.add_worksheet(S.SHEET_LINES)
    _unit_title(ws, "Kostnader och övriga intäkter", budget.forbund.unit, fmt)
    name_col = S.LINES.index("name")
    # The note wraps within the columns left of Benämning: running on, it would show
    # through Benämning repeated at the left of the second printed page.
    ws.merge_range(
        1,
        0,
        1,
        name_col - 1,
        "Kostnader och intäkter anges som positiva belopp. Nettoredovisas = Ja för en "
        "intäkt som visas inne i ett kostnadsställe. Processtöd till samverkan: Grupp "
        "Insats strukturinriktad; förbundets eget kansli: Administration.",
        fmt.status_wrap,
    )
    ws.set_row(1, 45)
    years = budget.years.all
    _input_table(ws, S.LINES, _line_rows(budget), fmt, years)
    # Too wide for one readable page (about 19 columns): two pages wide, Benämning repeated
    # at the left of the second, so each page names its rows and prints above 8 pt.
    ws.fit_to_pages(2, 0)
    ws.repeat_columns(name_col, name_col)
    _markers(ws, S.SHEET_LINES, fmt, len(S.LINES.layout(years)))


def _published_sheet(wb: Any, fmt: _Formats, budget: Budget) -> None:
    """Publicerat: totals from a printed document, checked against the lines (optional)."""
    ws = wb.add_worksheet(S.SHEET_PUBLISHED)
    ws.write(0, 0, "Publicerade summor (för kontroll)", fmt.title)
    ws.write(
        1,
        0,
        "Valfritt: summor ur det tryckta dokumentet räknas om och jämförs med raderna.",
        fmt.status,
    )
    _input_table(ws, S.PUBLISHED, _published_rows(budget), fmt)
    _markers(ws, S.SHEET_PUBLISHED, fmt, len(S.PUBLISHED.columns))


def _mapping_sheet(wb: Any, fmt: _Formats, budget: Budget) -> None:
    """Kontomappning: which accounts of the books belong to what, for the reconciliation."""
    ws = wb.add_worksheet(S.SHEET_MAPPING)
    ws.write(0, 0, "Kontomappning för avstämning mot bokföringen", fmt.title)
    ws.write(
        1,
        0,
        "Konto: ett konto eller ett intervall (3000-3099). Rader med konto och kostnadsställe "
        "kopplas själva; här anges medlemmarnas konton, eget kapital och undantag.",
        fmt.status,
    )
    rows = [
        {
            "accounts": m.accounts,
            "dimension": m.dimension,
            "object": m.object,
            "target": L.TARGET_LABELS[m.target],
            "name": m.name,
        }
        for m in budget.settings.mappings
    ]
    _input_table(ws, S.MAPPING, rows, fmt)
    _markers(ws, S.SHEET_MAPPING, fmt, len(S.MAPPING.columns))


#: The input sheets after Instruktioner, in the workbook's order.
_INPUT_SHEETS = (
    _settings_sheet,
    _members_sheet,
    _contributions_sheet,
    _actuals_sheet,
    _lines_sheet,
    _published_sheet,
    _mapping_sheet,
)


def _published_rows(budget: Budget) -> list[dict[str, Any]]:
    """The rows of Publicerat: a row per item, year and (for some items) name."""
    unit = budget.forbund.unit
    pub = budget.published
    rows: list[tuple[str, str | None, int, float | int | None]] = []
    for key, label in S.PUBLISHED_LABELS.items():
        if key == "sections":
            for name, amounts in pub.sections.items():
                rows += [(label, name, y, display(a, unit)) for y, a in amounts.items()]
        elif key == "allocation":
            for year, members in pub.allocation.items():
                rows += [(label, name, year, display(a, unit)) for name, a in members.items()]
        elif key == "equity_end_pct":
            rows += [(label, None, y, display(a, Unit.KR)) for y, a in pub.equity_end_pct.items()]
        else:
            rows += [(label, None, y, display(a, unit)) for y, a in getattr(pub, key).items()]
    return [{"item": i, "name": n, "year": y, "amount": a} for i, n, y, a in rows]


def _document_values(budget: Budget) -> dict[str, Any]:
    """Values of the budget table's settings rows (doc_*), from ``budget.document``."""
    doc = budget.document
    out: dict[str, Any] = {}
    for key in S.SETTING_LABELS:
        if not key.startswith("doc_"):
            continue
        field = key.removeprefix("doc_")
        if field == "comparison_kinds":
            # blank means Budget (the default), so a file round-trips unchanged
            kinds = doc.comparison_kinds
            out[key] = ", ".join(L.COMPARISON_LABELS[k] for k in kinds) or None
        elif field in S.DOC_FLAGS:
            out[key] = L.YES if getattr(doc, field) else L.NO
        else:
            out[key] = getattr(doc, field)
    return out


def _print_setup(ws: Any, budget: Budget, landscape: bool = True) -> None:
    """A4, margins, and a header (förbund, title) and footer (date, page x of y)."""
    from finsam_xl.core.document import table_title

    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    name = budget.forbund.name.replace("&", "&&")
    ws.set_header(f'&L&"-,Bold"{name}&R{table_title(budget)}')
    ws.set_footer("&LUtskrivet &D&RSida &P av &N")


def _straight_lines(chart: Any) -> None:
    """Make the chart say <c:smooth val="0"/> and <c:dispBlanksAs val="gap"/> explicitly.

    XlsxWriter omits both when they are the defaults of its own model, but a reader
    without them may draw smoothed lines (bulging above equal values) or drop empty
    years to zero. XlsxWriter has no option for this, so its two element writers are
    replaced on this chart instance (checked by tests/workbook/test_chart.py).
    """

    def smooth(value: object) -> None:
        chart._xml_empty_tag("c:smooth", [("val", "1" if value else "0")])

    def blanks() -> None:
        chart._xml_empty_tag("c:dispBlanksAs", [("val", chart.show_blanks or "gap")])

    chart._write_c_smooth = smooth
    chart._write_disp_blanks_as = blanks


def _computed_sheets(wb: Any, fmt: _Formats, budget: Budget, protect: bool = True) -> None:
    """Plan, Fördelning, the document's sheets, Kontroller, Avstämning, Uppföljning
    (protected, no password, unless ``protect`` is False) and the hidden styles sheet."""
    for write in (
        _plan_sheet,
        _allocation_sheet,
        _document_sheets,
        _findings_sheet,
        _recon_sheet,
        _followup_sheet,
    ):
        write(wb, fmt, budget, protect)
    _styles_sheet(wb, fmt)


def _protect(ws: Any, protect: bool) -> None:
    """Protect a computed sheet without a password; its columns and rows stay resizable."""
    if protect:
        ws.protect("", {"format_columns": True, "format_rows": True})


def _plan_sheet(wb: Any, fmt: _Formats, budget: Budget, protect: bool) -> None:
    """Plan: the table (filled by the writer) and the equity chart below it."""
    last_col = len(budget.years.all)
    ws = wb.add_worksheet(S.SHEET_PLAN)
    ws.write(0, 0, f"Plan och eget kapital ({L.UNIT_LABELS[budget.forbund.unit]})", fmt.title)
    ws.set_column(0, 0, 52)
    ws.set_column(1, last_col, 14)
    top, left = PLAN_ANCHOR
    wb.define_name(S.N_PLAN, f"='{S.SHEET_PLAN}'!${xl_col_to_name(left)}${top + 1}")
    wb.define_name(S.N_STATUS, f"='{S.SHEET_PLAN}'!$A$2")
    bottom = top + 1 + len(PLAN_ROWS)
    chart_rows = 22  # the note row, a gap and the chart below the table
    # From row 3: the title there is printed, the status line in row 2 is not.
    ws.print_area(2, 0, bottom + 2 + chart_rows, max(last_col, 8))
    ws.repeat_rows(top, top)
    _print_setup(ws, budget)
    ws.fit_to_pages(1, 0)
    ws.freeze_panes(top + 1, 1)
    _protect(ws, protect)
    ws.insert_chart(bottom + 2, 0, _plan_chart(wb, last_col), {"x_scale": 1.6, "y_scale": 1.2})


#: The plan chart's series: equity as a thick solid line with markers and values; the
#: levels thin, dashed or dotted. (row key, colour, width, dash, marker)
_PLAN_SERIES: tuple[tuple[str, str, float, str | None, dict[str, Any]], ...] = (
    ("equity_end", "#1F4E78", 3.0, None, {"type": "circle", "size": 7}),
    ("recommended_max", "#C00000", 1.5, "dash", {"type": "none"}),
    ("floor", "#E69138", 2.0, "round_dot", {"type": "square", "size": 5}),
)


def _plan_chart(wb: Any, last_col: int) -> Any:
    """The line chart of equity against the recommended level and the board's floor."""
    top, left = PLAN_ANCHOR
    chart = wb.add_chart({"type": "line"})
    _straight_lines(chart)
    first_year, last_year = xl_col_to_name(left + 1), xl_col_to_name(left + last_col)
    cats = f"='{S.SHEET_PLAN}'!${first_year}${top + 1}:${last_year}${top + 1}"
    for key, color, width, dash, marker in _PLAN_SERIES:
        row = top + 1 + PLAN_ROW_INDEX[key]
        chart.add_series(
            {
                "name": f"='{S.SHEET_PLAN}'!{xl_rowcol_to_cell(row, left, True, True)}",
                "categories": cats,
                "values": f"='{S.SHEET_PLAN}'!${xl_col_to_name(left + 1)}${row + 1}:"
                f"${xl_col_to_name(left + last_col)}${row + 1}",
                "line": {"color": color, "width": width, **({"dash_type": dash} if dash else {})},
                "marker": {**marker, "border": {"color": color}, "fill": {"color": color}}
                if marker["type"] != "none"
                else marker,
                "smooth": False,
                **(
                    {"data_labels": {"value": True, "position": "above", "num_format": "#,##0"}}
                    if key == "equity_end"
                    else {}
                ),
            }
        )
    chart.set_title({"name": "Eget kapital mot rekommenderad nivå och styrelsens lägsta nivå"})
    # The axis title is the Enhet cell, so it follows a unit changed after `new`; the
    # writer resizes the categories to the years at each recalc (chart_ranges).
    chart.set_y_axis(
        {
            "num_format": "#,##0",
            "name": f"={unit_cell()}",
            "major_gridlines": {"visible": True},
            "min": 0,
        }
    )
    chart.set_x_axis({"name": "År"})
    chart.set_legend({"position": "bottom"})
    chart.show_blanks_as("gap")
    return chart


def _allocation_sheet(wb: Any, fmt: _Formats, budget: Budget, protect: bool) -> None:
    """Fördelning: the members' contributions per year (filled by the writer)."""
    years = budget.years.all
    ws = wb.add_worksheet(S.SHEET_ALLOCATION)
    ws.write(0, 0, "Fördelning av medlemsbidrag per medlem (kr)", fmt.title)
    wb.define_name(S.N_ALLOCATION, f"='{S.SHEET_ALLOCATION}'!$A$4")
    ws.set_column(0, 0, 44)
    ws.set_column(1, 2, 12)
    ws.set_column(3, 3 + len(years), 14)
    _print_setup(ws, budget, landscape=len(years) > 4)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(3, 3)
    ws.freeze_panes(4, 1)
    _protect(ws, protect)


def _document_sheets(wb: Any, fmt: _Formats, budget: Budget, protect: bool) -> None:
    """The document's sheets: the writer fills them, with widths, scale and page breaks."""
    for sheet_name, defined in (
        (S.SHEET_BUDGET, S.N_BUDGET),
        (S.SHEET_NOT1, S.N_NOT1),
        (S.SHEET_INSATSER, S.N_INSATSER),
        (S.SHEET_EQUITY, S.N_EQUITY),
        (S.SHEET_INVOICES, S.N_INVOICES),
    ):
        ws = wb.add_worksheet(sheet_name)
        ws.write(0, 0, f"{budget.forbund.name} – {sheet_name}", fmt.title)
        wb.define_name(defined, f"='{sheet_name}'!$A$4")
        ws.set_column(0, 0, 40)
        _print_setup(ws, budget, landscape=False)
        ws.set_print_scale(100)
        ws.repeat_rows(3, 3)
        ws.freeze_panes(4, 0)
        _protect(ws, protect)


def _findings_sheet(wb: Any, fmt: _Formats, budget: Budget, protect: bool) -> None:
    """Kontroller: the findings, and in hidden columns every finding for the markers."""
    ws = wb.add_worksheet(S.SHEET_FINDINGS)
    ws.write(0, 0, "Kontroller", fmt.title)
    wb.define_name(S.N_FINDINGS, f"='{S.SHEET_FINDINGS}'!$A$4")
    first, last = 5, 4 + S.FINDINGS_MAX_ROWS
    # The markers count every finding (ungrouped) listed in the hidden columns H:J.
    for name, col in ((S.N_MARK_SHEET, "I"), (S.N_MARK_CELL, "J"), (S.N_MARK_SEVERITY, "H")):
        wb.define_name(name, f"='{S.SHEET_FINDINGS}'!${col}${first}:${col}${last}")
    ws.set_column(0, 0, 9)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 2, 17)
    ws.set_column(3, 3, 66)
    ws.set_column(4, 5, 12, None, {"hidden": True})
    ws.set_column(6, 6, 26)  # the longest code, equity.above-recommended
    ws.set_column(7, 9, 12, None, {"hidden": True})
    _print_setup(ws, budget)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(3, 3)
    ws.freeze_panes(4, 0)
    _protect(ws, protect)


#: The second line of the sheets that 'finsam-xl avstamning' writes.
_RECON_HINT = "Kör: finsam-xl avstamning ARBETSBOK BOKFÖRING.se --period ÅÅÅÅ-MM"


def _recon_sheet(wb: Any, fmt: _Formats, budget: Budget, protect: bool) -> None:
    """Avstämning: the reconciliation with the books (written by 'finsam-xl avstamning')."""
    ws = wb.add_worksheet(S.SHEET_RECON)
    ws.write(0, 0, "Avstämning mot bokföringen", fmt.title)
    ws.write(1, 0, _RECON_HINT, fmt.status)
    wb.define_name(S.N_RECON, f"='{S.SHEET_RECON}'!$A$4")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 2, 12)
    ws.set_column(3, 10, 12)
    _print_setup(ws, budget)
    ws.fit_to_pages(1, 0)  # at most 11 columns: one page wide, type above 8 pt
    _protect(ws, protect)


def _followup_sheet(wb: Any, fmt: _Formats, budget: Budget, protect: bool) -> None:
    """Uppföljning: the board's follow-up (written by 'finsam-xl avstamning')."""
    ws = wb.add_worksheet(S.SHEET_FOLLOWUP)
    ws.write(0, 0, "Uppföljning av budgeten", fmt.title)
    ws.write(1, 0, _RECON_HINT, fmt.status)
    wb.define_name(S.N_FOLLOWUP, f"='{S.SHEET_FOLLOWUP}'!$A$4")
    ws.set_column(0, 0, 38)
    ws.set_column(1, 6, 13)
    _print_setup(ws, budget, landscape=False)
    ws.fit_to_pages(1, 0)
    _protect(ws, protect)


def _styles_sheet(wb: Any, fmt: _Formats) -> None:
    """The style prototypes (very hidden): the writer copies their style ids."""
    ws = wb.add_worksheet(S.SHEET_STYLES)
    for i, role in enumerate(S.STYLE_ROLES):
        ws.write(i, 0, role, fmt.role(role))
    wb.define_name(S.N_STYLES, f"='{S.SHEET_STYLES}'!$A$1:$A${len(S.STYLE_ROLES)}")
    ws.very_hidden()


def starter_budget(budget_year: int) -> Budget:
    """A starting point for a new förbund: typical members and lines, amounts left blank."""
    years = [budget_year - 1, budget_year, budget_year + 1, budget_year + 2]
    groups = [
        ("Styrelsearvoden inkl. sociala avgifter", CostGroup.STYRELSE, "Styrelse"),
        ("Revision", CostGroup.STYRELSE, "Styrelse"),
        ("Förbundschef", CostGroup.ADMINISTRATION, "Kansli"),
        ("Ekonomiadministration", CostGroup.ADMINISTRATION, "Kansli"),
        ("Lokaler och IT", CostGroup.ADMINISTRATION, "Kansli"),
        ("Individinriktade insatser", CostGroup.INSATS_INDIVID, "Insatser"),
        ("Strukturinriktade insatser", CostGroup.INSATS_STRUKTUR, "Insatser"),
        ("Kompetensutveckling", CostGroup.KOMPETENS, "Insatser"),
        ("Reserverade medel för nya aktiviteter", CostGroup.OVRIGT, "Insatser"),
    ]
    return Budget.model_validate(
        {
            "forbund": {"name": "Samordningsförbundet …"},
            "years": {"comparison": years[:1], "budget": budget_year, "plan": years[2:]},
            "members": [
                {"name": "Försäkringskassan (med Arbetsförmedlingen)", "kind": MemberKind.STAT},
                {"name": "Region …", "kind": MemberKind.REGION},
                {"name": "… kommun", "kind": MemberKind.KOMMUN},
            ],
            "contributions": [{"year": y, "mode": "stat"} for y in years[1:]],
            "costs": [{"name": n, "group": g, "section": s} for n, g, s in groups],
            "equity": {"opening": 0, "opening_year": budget_year},
        }
    )


def _phasing_text(weights: list[Decimal] | None) -> str | None:
    """Twelve monthly weights as '1;1;1;…' (blank = even)."""
    if not weights:
        return None
    return ";".join(str(display(w, Unit.KR)) for w in weights)
