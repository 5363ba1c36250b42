"""The document's computed sheets (Budget, Not 1, Insatser, Eget kapital, Fakturaplan) as grids.

Each sheet's defined name points at its table's header row (A4); the title
goes three rows above it and a note two rows above. The rows come from
``finsam_xl.core.document``, the same rows the Word report prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from finsam_xl.core.document import (
    Column,
    ColumnKind,
    InsatsRow,
    InsatsTable,
    RowKind,
    budget_table,
    decision_dates,
    display_decimals,
    document_title,
    equity_history,
    grouped_id,
    insatser_table,
    not1_table,
    period_text,
)
from finsam_xl.model import schema as S
from finsam_xl.model.budget import Budget, Unit
from finsam_xl.model.labels import COLUMN_KIND_LABELS, PERIOD_SV, UNIT_LABELS
from finsam_xl.model.money import in_display_unit
from finsam_xl.model.results import Result
from finsam_xl.sheets.grid import Grid, fit_widths, wrapped_lines
from finsam_xl.sheets.printing import A4_LONG, MARGIN_X, MIN_SCALE, WIDE_FONT


def _head(grid: Grid, budget: Budget, row0: int, col0: int, title: str, note: str) -> None:
    """Title (the page header carries the förbund's name) and a note above the table."""
    grid.title = document_title(budget)
    grid.heights[row0] = 30.0  # header labels such as "Budget 2024" wrap onto two lines
    grid.put(row0 - 3, col0, title, "title")
    grid.put(row0 - 2, col0, note, "status")


def budget_grid(budget: Budget, result: Result, row0: int, col0: int) -> Grid:
    """The detailed budget table, a row per printed row, blocks kept on one page."""
    table = budget_table(budget, result)
    unit = budget.forbund.unit
    grid = Grid(decimals=display_decimals(budget, result))
    # The sign convention is for the ekonom (Instruktioner), not the board.
    _head(
        grid,
        budget,
        row0,
        col0,
        f"{table.title} ({UNIT_LABELS[unit]})",
        " ".join(filter(None, [f"Belopp i {UNIT_LABELS[unit]}.", decision_dates(budget)])),
    )
    c = col0
    id_col = konto_col = None
    if table.show_cost_centres:
        id_col, c = c, c + 1
    if table.show_accounts:
        konto_col, c = c, c + 1
    text_col, first_year = c, c + 1
    if id_col is not None:
        grid.put(row0, id_col, "ID", "header")
        grid.widths[id_col] = 8
    if konto_col is not None:
        grid.put(row0, konto_col, "Konto", "header")
        grid.widths[konto_col] = 6
    grid.put(row0, text_col, "Beskrivning", "header")
    longest = max((len(row.label) for row in table.rows), default=20)
    grid.widths[text_col] = min(48, max(28, longest))
    for j, column in enumerate(table.columns):
        grid.put(row0, first_year + j, column.label, "header")
        grid.widths[first_year + j] = 11
    block_rows: dict[int, list[int]] = {}
    line, heading, total = RowKind.LINE, RowKind.HEADING, RowKind.TOTAL  # looked up once
    year_at = [(first_year + j, column.year) for j, column in enumerate(table.columns)]
    years = [column.year for column in table.columns]
    tkr = unit is Unit.TKR
    for i, row in enumerate(table.rows):
        r = row0 + 1 + i
        kind = row.kind
        if id_col is not None and kind in (heading, total):
            grid.put(r, id_col, grouped_id(row.cost_centre), "label_bold")
        if konto_col is not None and row.account:
            grid.put(r, konto_col, row.account, "label")
        grid.put(r, text_col, row.label, "label" if kind is line else "label_bold")
        role = "amount" if kind is line else "amount_bold"
        values = row.values
        if kind is heading:
            for col, year in year_at:
                value = in_display_unit(values.get(year), tkr)
                # A heading's blank amount gets the plain fill, no border: the column's band is
                # unbroken, and a press fills it in one call instead of one per section.
                grid.put(r, col, value, "amount" if value is None else role)
        else:
            grid.put_row(r, first_year, [in_display_unit(values.get(y), tkr) for y in years], role)
        if row.block is not None:
            block_rows.setdefault(row.block, []).append(r)
    grid.blocks = [(min(rows), max(rows)) for rows in block_rows.values()]
    return grid


def not1_grid(budget: Budget, result: Result, row0: int, col0: int) -> Grid:
    """Not 1: each member's key, share and amount per year (kr), and a rounding note if any."""
    note = not1_table(budget, result)
    grid = Grid()
    _head(grid, budget, row0, col0, note.title, "Belopp i kr. Andelen avser budgetåret.")
    headers = ["Medlem", "Nyckel", f"Andel {note.share_year}", *[f"{y}" for y in note.years]]
    grid.put_row(row0, col0, headers, "header")
    longest = max((len(r.name) for r in note.rows), default=20)
    name_width = min(44, max(24, longest + 2))
    key_width = max(10, min(22, max((len(r.key_text) for r in note.rows), default=0) + 2))
    for j, width in enumerate([name_width, key_width, 10, *([12] * len(note.years))]):
        grid.widths[col0 + j] = width
    r = row0
    for row in note.rows:
        r += 1
        grid.put(r, col0, row.name, "label")
        grid.put(r, col0 + 1, row.key_text or None, "text")
        grid.put(r, col0 + 2, row.share_pct / 100 if row.share_pct is not None else None, "pct")
        for j, year in enumerate(note.years):
            grid.put(r, col0 + 3 + j, row.amounts.get(year), "kr")
    r += 1
    grid.put(r, col0, "Totalt", "label_bold")
    grid.put(
        r, col0 + 2, note.total_share_pct / 100 if note.total_share_pct is not None else None, "pct"
    )
    for j, year in enumerate(note.years):
        grid.put(r, col0 + 3 + j, note.totals.get(year), "amount_bold")
    grid.blocks.append((row0, r))
    if note.rounding_note:
        r += 1
        grid.put(r, col0, note.rounding_note, "label")
    return grid


def _insats_notes(row: InsatsRow) -> str | None:
    """The Anmärkning of an insats: starts and ends within the plan, money after its end."""
    notes = []
    if row.starts_in_plan and row.start:
        notes.append(f"börjar {row.start.year}")
    if row.ends_in_plan and row.end:
        notes.append(f"slutar {row.end.year}")
    if row.money_after_end:
        notes.append("medel efter slut: " + ", ".join(map(str, row.money_after_end)))
    return "; ".join(notes) or None


def _landscape_room(columns: int) -> float:
    """Characters of column width that fit across a landscape A4 page at the smallest scale."""
    usable = (A4_LONG - MARGIN_X) * 100 / MIN_SCALE
    return (usable / (0.75 * WIDE_FONT) - 5 * columns) / 7


def insatser_grid(budget: Budget, result: Result, row0: int, col0: int) -> Grid:
    """A row per insats with its decision data and budget per year; endings flagged.

    The year columns are the budget and plan years (the insatser ahead).
    """
    table = insatser_table(budget, result)
    unit = budget.forbund.unit
    columns = [c for c in table.columns if c.year >= budget.years.budget]
    grid = Grid(decimals=display_decimals(budget, result))
    _head(
        grid,
        budget,
        row0,
        col0,
        "Insatser",
        f"Belopp i {UNIT_LABELS[unit]}. Anmärkning: insatser som börjar eller slutar under "
        "budget- och planåren, och medel efter projektslut.",
    )
    layout = _InsatsLayout.of(table, columns)
    headers = [
        "Insats",
        *(["ID"] if layout.with_id else []),
        "Ägare",
        "Beslut",
        "Period",
        "Beviljat per år",
        *[c.label for c in columns],
        "Anmärkning",
    ]
    grid.put_row(row0, col0, headers, "header")
    for j, width in enumerate(layout.widths):
        grid.widths[col0 + j] = round(width, 1)
    r = row0
    for heading, rows in table.groups():
        r += 1
        grid.put(r, col0, heading, "label_bold")
        for row in rows:
            r += 1
            _insats_row(grid, row, r, col0, layout, [c.year for c in columns], unit)
    if not table.rows:
        grid.put(
            row0 + 1,
            col0,
            "Inga insatser: ange Grupp 'Insats …' eller beslutsuppgifter i Rader.",
            "status",
        )
    return grid


@dataclass(frozen=True)
class _InsatsLayout:
    """The Insatser sheet's texts that wrap and its column widths, fitted to landscape A4.

    Periods of whole dates go on two lines (a date is never broken); the names, the
    owners and the notes wrap at word boundaries in columns fitted to their content.
    """

    with_id: bool
    periods: dict[int, str | None]  # id(row) -> its period text
    notes: dict[int, str | None]  # id(row) -> its Anmärkning
    name_w: float
    owner_w: float
    notes_w: float
    period_w: float
    widths: list[float]

    @classmethod
    def of(cls, table: InsatsTable, columns: list[Column]) -> _InsatsLayout:
        """The layout of ``table`` with the year ``columns`` shown."""
        with_id = any(row.cost_centre for row in table.rows)
        periods = {
            id(row): period_text(row.start, row.end, break_at_dash=True) for row in table.rows
        }
        notes_of = {id(row): _insats_notes(row) for row in table.rows}
        texts = [
            [row.label for row in table.rows] + [heading for heading, _ in table.groups()],
            [row.owner or "" for row in table.rows],
            [notes_of[id(row)] or "" for row in table.rows] + ["Anmärkning"],
        ]
        caps = (36, 24, 30)
        wants = [
            min(cap, max((len(t) for t in col), default=0) + 2)
            for col, cap in zip(texts, caps, strict=True)
        ]
        floors = [max((len(w) for t in col for w in t.split()), default=6) + 2 for col in texts]
        wants = [max(w, f, least) for w, f, least in zip(wants, floors, (14, 8, 12), strict=True)]
        period_width = max(
            [11, *(len(line) + 2 for p in periods.values() if p for line in p.split("\n"))]
        )
        # a year column as wide as its heading ("Årsbudget 2025"), so the heading never wraps
        years_w = [max(10, len(c.label) + 1) for c in columns]
        fixed = [*([9] if with_id else []), 11, period_width, 10, *years_w]
        room = _landscape_room(len(fixed) + 3)
        name_w, owner_w, notes_w = fit_widths(wants, floors, sum(fixed), room)
        widths = [
            name_w,
            *([9] if with_id else []),
            owner_w,
            11,
            period_width,
            10,
            *years_w,
            notes_w,
        ]
        return cls(with_id, periods, notes_of, name_w, owner_w, notes_w, period_width, widths)


def _insats_row(
    grid: Grid,
    row: InsatsRow,
    r: int,
    col0: int,
    layout: _InsatsLayout,
    years: list[int],
    unit: Unit,
) -> None:
    """One insats in row ``r``, as high as its longest wrapped text."""
    grid.put(r, col0, row.label, "label_wrap")
    if layout.with_id:
        grid.put(r, col0 + 1, row.cost_centre, "text")
    at = col0 + (2 if layout.with_id else 1)  # the first column after Insats (and ID)
    grid.put(r, at, row.owner, "wrap")
    grid.put(r, at + 1, row.decision_date.isoformat() if row.decision_date else None, "text")
    period = layout.periods[id(row)]
    grid.put(r, at + 2, period, "wrap")
    tkr, amounts = unit is Unit.TKR, row.amounts
    grid.put_row(  # Beviljat per år, then the years
        r,
        at + 3,
        [in_display_unit(row.granted_per_year, tkr)]
        + [in_display_unit(amounts.get(year), tkr) for year in years],
        "amount",
    )
    notes = layout.notes[id(row)]
    grid.put(r, at + 4 + len(years), notes, "warning_wrap" if row.money_after_end else "wrap")
    lines = max(
        wrapped_lines(row.label, layout.name_w),
        wrapped_lines(row.owner or "", layout.owner_w),
        wrapped_lines(period or "", layout.period_w),
        wrapped_lines(notes or "", layout.notes_w),
    )
    grid.heights[r] = max(grid.heights.get(r, 15.0), 15.0 * lines)


def equity_grid(budget: Budget, result: Result, row0: int, col0: int) -> Grid:
    """The equity history and plan, with '*' (prognos) and '**' (äskat) beside the figures."""
    history = equity_history(budget, result)
    unit = budget.forbund.unit
    grid = Grid(decimals=display_decimals(budget, result))
    _head(
        grid,
        budget,
        row0,
        col0,
        "Eget kapital",
        f"Belopp i {UNIT_LABELS[unit]}. Tidigare år ur tabellen Utfall; budget- och planår "
        "beräknade.",
    )
    fields = [
        ("contributions", "Medlemsbidrag"),
        ("costs", "Kostnader"),
        ("result", "Resultat"),
        ("equity_end", "Eget kapital 31/12"),
    ]
    grid.put(row0, col0, "År", "header")
    grid.widths[col0] = 7
    for j, (_field, label) in enumerate(fields):
        grid.put(row0, col0 + 1 + 2 * j, label, "header")
        grid.put(row0, col0 + 2 + 2 * j, None, "header")
        grid.widths[col0 + 1 + 2 * j] = 14
        grid.widths[col0 + 2 + 2 * j] = 3
    pct_col = col0 + 1 + 2 * len(fields)
    grid.put(row0, pct_col, "% av bidragen", "header")
    grid.put(row0, pct_col + 1, "Avser", "header")
    grid.widths[pct_col] = 13
    grid.widths[pct_col + 1] = 10
    r = row0
    for row in history.rows:
        r += 1
        grid.put(r, col0, row.year, "label_bold" if row.status is ColumnKind.BUDGETAR else "label")
        for j, (field, _label) in enumerate(fields):
            value = getattr(row, field)
            grid.put(r, col0 + 1 + 2 * j, in_display_unit(value, unit is Unit.TKR), "amount")
            mark = row.shown(field) if value is not None else ""
            grid.put(r, col0 + 2 + 2 * j, mark or None, "label")
        grid.put(r, pct_col, row.equity_pct / 100 if row.equity_pct is not None else None, "pct")
        grid.put(r, pct_col + 1, COLUMN_KIND_LABELS[row.status], "text")
    grid.blocks.append((row0, r))
    r += 1
    for text in history.notes:
        r += 1
        grid.put(r, col0, text, "label")
    pcts = sorted(set(history.recommended_max_pct.values()))
    r += 2
    shares = " eller ".join(format(p.normalize(), "f").replace(".", ",") for p in pcts)
    if history.floor > 0:
        floor = f"{in_display_unit(history.floor, unit is Unit.TKR) or 0:,.0f}".replace(",", " ")
        floor_text = f"Styrelsens lägsta nivå: {floor} {UNIT_LABELS[unit]}."
    else:
        floor_text = "Styrelsen har inte beslutat om någon lägsta nivå."
    grid.put(
        r,
        col0,
        f"Nationella rådets rekommendation: högst {shares} % av årets medlemsbidrag. {floor_text}",
        "label",
    )
    return grid


def invoice_grid(budget: Budget, result: Result, row0: int, col0: int) -> Grid:
    """The fakturaplan (``core.members.invoice_plan``): a row per member and instalment.

    Amounts are kronor whatever the display unit: they are what is invoiced.
    """
    from finsam_xl.core.members import invoice_plan

    plan = invoice_plan(budget, result)
    grid = Grid()
    count = len({i.number for i in plan.invoices}) or 1
    _head(
        grid,
        budget,
        row0,
        col0,
        f"Fakturaplan {plan.year}",
        f"Belopp i kr. {count} delbetalning{'ar' if count > 1 else ''} per medlem "
        f"(en per {PERIOD_SV[plan.frequency]}); förfallodag {budget.settings.payment_grace_days} "
        "dagar efter fakturadatum. Skrivs som fil med 'finsam-xl fakturor'.",
    )
    headers = [
        "Referens",
        "Medlem",
        "Kund",
        "Del",
        "Fakturadatum",
        "Förfallodag",
        "Belopp",
        "Konto",
        "Kundfordran",
    ]
    grid.put_row(row0, col0, headers, "header")
    for j, width in enumerate([22, 36, 12, 8, 13, 13, 14, 10, 12]):
        grid.widths[col0 + j] = width
    r = row0
    for invoice in plan.invoices:
        r += 1
        grid.put_row(
            r,
            col0,
            [
                invoice.reference,
                invoice.party,
                invoice.customer,
                f"{invoice.number} av {invoice.count}",
                invoice.day.isoformat(),
                invoice.due.isoformat(),
            ],
            "text",
        )
        grid.put(r, col0 + 6, invoice.amount, "amount")
        grid.put(r, col0 + 7, invoice.account or None, "text" if invoice.account else "warning")
        grid.put(r, col0 + 8, invoice.receivable, "text")
    if plan.invoices:
        r += 1
        grid.put(r, col0, "Summa", "label_bold")
        grid.put(r, col0 + 6, sum((i.amount for i in plan.invoices), Decimal(0)), "amount_bold")
    else:
        grid.put(row0 + 1, col0, f"Inga medlemsbidrag för {plan.year} att fakturera.", "status")
    if plan.unmapped:
        grid.put(
            r + 2,
            col0,
            "Konto saknas i Kontomappning (Mål Medlem) för " + ", ".join(plan.unmapped) + ".",
            "warning",
        )
    return grid


#: Defined name -> grid builder of the document sheets.
DOCUMENT_GRIDS = {
    S.N_BUDGET: budget_grid,
    S.N_NOT1: not1_grid,
    S.N_INSATSER: insatser_grid,
    S.N_EQUITY: equity_grid,
    S.N_INVOICES: invoice_grid,
}
