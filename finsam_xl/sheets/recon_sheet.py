"""The Avstämning sheet: the reconciliation's cells, written through the same zip patch.

The ekonom's detail, laid out to print on A4 landscape, one page wide and as
many pages long as it needs: no table is wider than 11 columns (the months'
actuals come in two half-year blocks), and long texts (the findings) are
split over rows instead of running off the page. Column widths come from the
content (``Grid.fit_widths``): every heading word fits, so headings wrap at
spaces only, and a Benämning is not cut off by the Kst column.
"""

from __future__ import annotations

import textwrap

from finsam_xl.model import labels as L
from finsam_xl.model import schema as S
from finsam_xl.model.findings import Element, Finding, summary_text
from finsam_xl.model.labels import MONTHS_SV
from finsam_xl.model.recon import PaymentMethod, ReconResult
from finsam_xl.sheets.grid import Anchors, Grid
from finsam_xl.xlsx.cells import address

LINE_HEADERS = [
    "Rubrik",
    "Benämning",
    "Kst",
    "Budget helår",
    "Budget t.o.m. perioden",
    "Utfall t.o.m. perioden",
    "Avvikelse",
    "Avvikelse %",
    "Prognos helår",
    "Prognosmetod",
    "Periodisering",
]
#: Characters of a finding's message per row (it runs over the empty columns D-K).
MESSAGE_CHARS = 100
PAYMENT_METHODS = {
    PaymentMethod.KONTANT: "kontant (direkt mot bank)",
    PaymentMethod.REFERENS: "referens",
    PaymentMethod.FAKTURA: "fakturanummer (dim 10)",
    PaymentMethod.KUND: "kundnummer (dim 8)",
    PaymentMethod.NAMN: "medlemmens namn i texten",
    PaymentMethod.BELOPP: "belopp, äldsta först",
    PaymentMethod.INGAENDE_BALANS: "fjolårets fordran (IB)",
    PaymentMethod.KREDITERING: "kreditfaktura",
    PaymentMethod.INGEN: "ingen faktura",
    PaymentMethod.TVETYDIG: "tvetydig (flera möjliga)",
    PaymentMethod.ATERBETALNING: "återbetalning",
}


def put_text(g: Grid, text: str, r: int, col: int, chars: int, role: str = "text") -> int:
    """A long text split over rows at word boundaries, from row ``r``; returns its last row."""
    parts = textwrap.wrap(text, chars) or [""]
    for n, part in enumerate(parts):
        g.put(r + n, col, part, role)
    return r + len(parts) - 1


def put_findings(
    g: Grid,
    findings: list[Finding],
    r: int,
    col0: int,
    chars: int = MESSAGE_CHARS,
    detail: bool = True,
) -> int:
    """Findings as rows from row ``r``; returns the last row.

    With ``detail`` (the ekonom's sheet): level, rule, place (a link to a cell of the
    workbook, or the books' ``file:line``) and the message; without (the board's):
    level and message. The message is split over rows of ``chars`` characters.
    """
    text_col = col0 + 3 if detail else col0 + 1
    g.put_row(
        r,
        col0,
        ["Nivå", "Kontroll", "Plats", "Meddelande"] if detail else ["Nivå", "Meddelande"],
        "header",
    )
    if not findings:
        r += 1
        g.put(r, text_col, "Inga anmärkningar.", "text")
    for f in findings[: S.FINDINGS_MAX_ROWS]:
        r += 1
        g.put(r, col0, L.SEVERITY_LABELS[f.severity.value], f.severity.value)
        if detail:
            g.put(r, col0 + 1, S.rule_name(f.rule), "text")
            where = f.where()
            if f.location and "!" in f.location and ":" not in f.location.split("!")[0]:
                sheet, _, cell = f.location.rpartition("!")
                g.put(r, col0 + 2, where, "link", link="'" + sheet.replace("'", "''") + "'!" + cell)
            else:
                g.put(r, col0 + 2, where, "text")
        r = put_text(g, f.message, r, text_col, chars)
    return r


def recon_grid(
    recon: ReconResult, row0: int, col0: int, sheet: str = S.SHEET_RECON
) -> tuple[Grid, list[Finding]]:
    """All sections of the reconciliation from (row0, col0), and the findings placed on it."""
    g = Grid()
    where: dict[str, str] = {}  # a finding's key -> its cell on this sheet
    prose: set[tuple[int, int]] = set()  # long texts that run over the cells to their right
    g.put(
        row0 - 2,
        col0,
        f"Avstämning {recon.year} t.o.m. {recon.period_end} ({recon.books_kind} bokföring): "
        f"{summary_text(recon.findings)}.",
        "status",
    )
    r = _line_rows(g, recon, row0, col0)
    r = _month_rows(g, recon, r, col0)
    r = _section_rows(g, recon, r + 2, col0, sheet, where)
    r = _members(g, recon, r + 2, col0, sheet, where)
    r = _receivable(g, recon, r + 2, col0, where, sheet)
    r = _equity_rows(g, recon, r + 2, col0, sheet, where)
    r = _forecast_rows(g, recon, r, col0, sheet, where, prose)
    r = _unmapped_rows(g, recon, r + 2, col0, sheet, where)
    r += 2
    g.put(r, col0, "Anmärkningar", "label_bold")
    placed = _placed(recon.findings, where)
    last = put_findings(g, placed, r + 1, col0)
    prose |= {(row, col0 + 3) for row in range(r + 2, last + 1)}
    g.fit_widths(least=8.0, most=40.0, skip=prose, wider={col0 + 1: 60.0})
    return g, placed


def _line_rows(g: Grid, recon: ReconResult, r: int, col0: int) -> int:
    """The budget lines from row ``r``: budget, actuals, deviation, forecast; returns the
    last row."""
    g.put(r, col0, "Budgetrader (kr; kostnader och intäkter positiva)", "label_bold")
    r += 1
    g.put_row(r, col0, LINE_HEADERS, "header")
    for line in recon.lines:
        r += 1
        g.put_row(r, col0, [line.section, line.name, line.cost_centre], "text")
        g.put_row(
            r,
            col0 + 3,
            [line.budget_year, line.budget_to_date, line.actual_to_date, line.deviation],
            "kr",
        )
        g.put(r, col0 + 7, None if line.deviation_pct is None else line.deviation_pct / 100, "pct")
        g.put(r, col0 + 8, line.forecast, "kr")
        g.put_row(r, col0 + 9, [line.forecast_method, line.phasing_method], "text")
    return r


def _month_rows(g: Grid, recon: ReconResult, r: int, col0: int) -> int:
    """The actuals per month in half-year blocks (of the months passed), below row ``r``;
    returns the last row."""
    for half, first in (("januari–juni", 0), ("juli–december", 6)):
        if first >= recon.months:
            break
        r += 2
        g.put(r, col0, f"Utfall per månad, {half}", "label_bold")
        r += 1
        months = [m.capitalize() for m in MONTHS_SV[first : first + 6]]
        g.put_row(r, col0, ["Rubrik", "Benämning", "Kst", *months], "header")
        for line in recon.lines:
            r += 1
            g.put_row(r, col0, [line.section, line.name, line.cost_centre], "text")
            g.put_row(r, col0 + 3, line.actual_by_month[first : first + 6], "kr")
    return r


def _section_rows(
    g: Grid, recon: ReconResult, r: int, col0: int, sheet: str, where: dict[str, str]
) -> int:
    """The net per Rubrik from row ``r``; returns the last row."""
    g.put(r, col0, "Per rubrik (netto: kostnader minus nettoredovisade intäkter)", "label_bold")
    r += 1
    g.put_row(r, col0, ["Rubrik", "", "", *LINE_HEADERS[3:9]], "header")
    for s in recon.sections:
        r += 1
        where[f"section:{s.section}"] = address(sheet, r, col0)
        g.put(r, col0, s.section, "text")
        g.put_row(
            r, col0 + 3, [s.budget_year, s.budget_to_date, s.actual_to_date, s.deviation], "kr"
        )
        g.put(r, col0 + 7, None if s.deviation_pct is None else s.deviation_pct / 100, "pct")
        g.put(r, col0 + 8, s.forecast, "kr")
    return r


def _equity_rows(
    g: Grid, recon: ReconResult, r: int, col0: int, sheet: str, where: dict[str, str]
) -> int:
    """Equity at the start of the year, in the books and in the budget; returns the last row."""
    g.put(r, col0, "Eget kapital vid årets ingång", "label_bold")
    r += 1
    g.put_row(
        r, col0, ["", "", "", "I bokföringen", "Enligt budgeten", "Skillnad", "Konton"], "header"
    )
    r += 1
    e = recon.equity
    where["equity"] = address(sheet, r, col0 + 3)
    g.put(r, col0, "Eget kapital", "text")
    g.put_row(r, col0 + 3, [e.books, e.assumed, e.difference], "kr")
    g.put(r, col0 + 6, ", ".join(e.accounts), "text")
    return r


def _forecast_rows(
    g: Grid,
    recon: ReconResult,
    r: int,
    col0: int,
    sheet: str,
    where: dict[str, str],
    prose: set[tuple[int, int]],
) -> int:
    """The forecast for the year (if any) below row ``r``, with its summary; returns the
    last row."""
    f = recon.forecast
    if f is None:
        return r
    r += 2
    g.put(r, col0, "Prognos för året", "label_bold")
    r += 1
    g.put_row(
        r,
        col0,
        [
            "",
            "",
            "",
            "Medlemsbidrag",
            "Övriga intäkter",
            "Kostnader",
            "Utanför budgeten",
            "Resultat",
            "Eget kapital 1/1",
            "Eget kapital 31/12",
            "Andel av bidragen",
        ],
        "header",
    )
    r += 1
    where["forecast"] = address(sheet, r, col0 + 9)
    g.put(r, col0, "Prognos", "text")
    g.put_row(
        r,
        col0 + 3,
        [
            f.contributions,
            f.other_income,
            f.costs,
            f.unmapped,
            f.result,
            f.equity_start,
            f.equity_end,
        ],
        "kr",
    )
    g.put(r, col0 + 10, None if f.equity_pct is None else f.equity_pct / 100, "pct")
    first = r + 1
    r = put_text(g, f.summary, first, col0, 2 * MESSAGE_CHARS)
    prose |= {(row, col0) for row in range(first, r + 1)}
    return r


def _unmapped_rows(
    g: Grid, recon: ReconResult, r: int, col0: int, sheet: str, where: dict[str, str]
) -> int:
    """The accounts booked but not linked to the budget, from row ``r``; returns the last row."""
    g.put(r, col0, "Konton utan koppling till budgeten", "label_bold")
    r += 1
    g.put_row(r, col0, ["Konto", "Kostnadsställe", "", "Belopp", "Källa"], "header")
    for u in recon.unmapped:
        r += 1
        where[f"account:{u.account}:{u.cost_centre}"] = address(sheet, r, col0)
        g.put_row(r, col0, [u.account, u.cost_centre], "text")
        g.put(r, col0 + 3, u.amount, "kr")
        g.put(r, col0 + 4, u.source, "text")
    return r


def _placed(findings: list[Finding], where: dict[str, str]) -> list[Finding]:
    """The findings, those on the reconciliation without a location placed at their cell."""
    return [
        f.model_copy(update={"location": where[f.ref.key]})
        if f.location is None
        and f.ref is not None
        and f.ref.element is Element.RECON
        and f.ref.key in where
        else f
        for f in findings
    ]


def _members(
    g: Grid, recon: ReconResult, r: int, col0: int, sheet: str, where: dict[str, str]
) -> int:
    g.put(r, col0, "Medlemmarnas inbetalningar", "label_bold")
    r += 1
    g.put_row(
        r,
        col0,
        [
            "Medlem",
            "Bokföring",
            "",
            "Att betala helår",
            "Förfallet enligt budgeten",
            "Fakturerat",
            "Inbetalt",
            "Öppet",
            "Förfallet obetalt",
        ],
        "header",
    )
    for m in recon.members:
        r += 1
        where[f"member:{m.name}"] = address(sheet, r, col0)
        g.put_row(r, col0, [m.name, "faktureras" if m.accrual else "kontant"], "text")
        g.put_row(r, col0 + 3, [m.owed_year, m.owed_to_date], "kr")
        if m.accrual:
            g.put_row(
                r,
                col0 + 5,
                [m.invoiced_to_date, m.received_to_date, m.open_to_date, m.overdue_to_date],
                "kr",
            )
        else:
            g.put(r, col0 + 6, m.received_to_date, "kr")
            g.put(
                r,
                col0 + 8,
                sum((i.amount for i in m.instalments if i.late and i.paid_on is None), 0),
                "kr",
            )
    r = _member_invoices(g, recon, r, col0)
    return _cash_instalments(g, recon, r, col0)


def _member_invoices(g: Grid, recon: ReconResult, r: int, col0: int) -> int:
    """The invoices to the members, one row each, below the members' table."""
    invoices = [i for m in recon.members for i in m.invoices]
    if not invoices:
        return r
    r += 2
    g.put(r, col0, "Fakturor till medlemmarna", "label_bold")
    r += 1
    g.put_row(
        r,
        col0,
        [
            "Medlem",
            "Status",
            "Verifikation",
            "Belopp",
            "Fakturadatum",
            "Förfallodag",
            "Betald",
            "Öppet",
            "Källa",
            "Referens",
        ],
        "header",
    )
    for inv in invoices:
        r += 1
        status = (
            "förfallen, obetald"
            if inv.overdue
            else "öppen"
            if inv.open > 0
            else f"{inv.days_late} dagar sent"
            if inv.days_late
            else "betald i tid"
        )
        g.put_row(r, col0, [inv.member, status, inv.voucher], "text")
        g.put(r, col0 + 3, inv.amount, "kr")
        paid_on = inv.paid_on.isoformat() if inv.paid_on else ""
        g.put_row(r, col0 + 4, [inv.day.isoformat(), inv.due.isoformat(), paid_on], "text")
        g.put(r, col0 + 7, inv.open, "kr")
        g.put_row(r, col0 + 8, [inv.source, inv.reference or ""], "text")
    return r


def _cash_instalments(g: Grid, recon: ReconResult, r: int, col0: int) -> int:
    """The instalments of the members booked on a cash basis, one row each."""
    cash = [(m, i) for m in recon.members if not m.accrual for i in m.instalments]
    if not cash:
        return r
    r += 2
    g.put(r, col0, "Delbetalningar (kontantmässig bokföring)", "label_bold")
    r += 1
    g.put_row(r, col0, ["Medlem", "Status", "Nr", "Belopp", "Förfallodag", "Betald"], "header")
    number = 0
    previous = None
    for m, i in cash:
        number = number + 1 if m is previous else 1
        previous = m
        r += 1
        status = (
            "obetald, förfallen"
            if i.late and i.paid_on is None
            else "betald sent"
            if i.late
            else "betald"
            if i.paid_on
            else "ej förfallen"
        )
        g.put_row(r, col0, [m.name, status, str(number)], "text")
        g.put(r, col0 + 3, i.amount, "kr")
        g.put_row(
            r, col0 + 4, [i.due.isoformat(), i.paid_on.isoformat() if i.paid_on else ""], "text"
        )
    return r


def _receivable(
    g: Grid, recon: ReconResult, r: int, col0: int, where: dict[str, str], sheet: str
) -> int:
    rec = recon.receivable
    if rec is None:
        g.put(r, col0, f"Kundfordran: ingen ({recon.books_kind} bokföring).", "status")
        return r
    g.put(r, col0, "Kundfordran och inbetalningar", "label_bold")
    r += 1
    g.put_row(
        r,
        col0,
        [
            "Konton",
            "",
            "",
            "Ingående balans",
            "Saldo",
            "Öppna poster",
            "Skillnad",
            "Kvar av IB",
            "Andra kunder (antal)",
            "Andra kunder (kr)",
        ],
        "header",
    )
    r += 1
    where["receivable"] = address(sheet, r, col0 + 6)
    g.put(r, col0, ", ".join(rec.accounts) + (" (antaget)" if rec.guessed else ""), "text")
    g.put_row(
        r,
        col0 + 3,
        [rec.opening, rec.balance, rec.open_items, rec.difference, rec.opening_left],
        "kr",
    )
    g.put(r, col0 + 8, rec.non_member_count, "kr")
    g.put(r, col0 + 9, rec.non_member_amount, "kr")
    r += 2
    g.put_row(
        r,
        col0,
        ["Betalare", "Matchning", "Verifikation", "Belopp", "Datum", "Fakturor", "", "", "Källa"],
        "header",
    )
    owner = {i.voucher: i.member for m in recon.members for i in m.invoices}
    for p in rec.payments:
        r += 1
        payer = p.member or next((owner[v] for v in p.invoices if v in owner), None)
        how = p.rule or PAYMENT_METHODS[p.method]  # the rule that matched it
        g.put_row(r, col0, [payer or "", how, p.voucher], "text")
        g.put(r, col0 + 3, p.amount, "kr")
        # an ambiguous payment lists the invoices it could pay
        g.put_row(r, col0 + 4, [p.day.isoformat(), ", ".join(p.invoices or p.candidates)], "text")
        g.put(r, col0 + 8, p.source, "text")
    return r


def build_recon_grids(
    recon: ReconResult, pkg: Anchors, placed: list[Finding] | None = None
) -> dict[str, tuple[Grid, int]]:
    """The Avstämning sheet's cells, keyed by sheet, for ``writer.write_grids``.

    ``placed``, when given, receives the findings with their Avstämning cells.
    """
    sheet, row, col = pkg.anchor(S.N_RECON)
    grid, located = recon_grid(recon, row, col, sheet)
    if placed is not None:
        placed[:] = located
    return {sheet: (grid, row - 2)}
