"""The Avstämning sheet: the reconciliation's cells, written through the same zip patch."""

from __future__ import annotations

from finsam_xl.model.findings import Finding, summary_text
from finsam_xl.model.labels import MONTHS_SV
from finsam_xl.model.money import kr
from finsam_xl.model.recon import ReconResult
from finsam_xl.workbook import schema as S
from finsam_xl.workbook.cells import address
from finsam_xl.workbook.writer import Anchors, Grid

LINE_HEADERS = [
    "Rubrik",
    "Benämning",
    "Kostnadsställe",
    "Budget helår",
    "Budget t.o.m. perioden",
    "Utfall t.o.m. perioden",
    "Avvikelse",
    "Avvikelse %",
    "Prognos helår",
    "Prognosmetod",
]


def recon_grid(
    recon: ReconResult, row0: int, col0: int, sheet: str = S.SHEET_RECON
) -> tuple[Grid, list[Finding]]:
    """All sections of the reconciliation from (row0, col0), and the findings placed on it."""
    g = Grid()
    where: dict[str, str] = {}
    r = row0
    g.put(
        r - 2,
        col0,
        (f"Avstämning {recon.year} t.o.m. {recon.period_end}: {summary_text(recon.findings)}."),
        "status",
    )
    g.put(r, col0, "Budgetrader (kr; kostnader och intäkter positiva)", "label_bold")
    r += 1
    g.put_row(r, col0, [*LINE_HEADERS, *[m.capitalize() for m in MONTHS_SV]], "header")
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
        g.put(r, col0 + 9, line.forecast_method, "text")
        g.put_row(r, col0 + 10, line.actual_by_month, "kr")
    r += 2
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
    r += 2
    g.put(r, col0, "Medlemmarnas inbetalningar", "label_bold")
    r += 1
    g.put_row(
        r,
        col0,
        [
            "Medlem",
            "",
            "",
            "Att betala helår",
            "Förfallet t.o.m. perioden",
            "Inbetalt",
            "Skillnad",
            "",
            "",
            "Delbetalningar",
        ],
        "header",
    )
    for m in recon.members:
        r += 1
        where[f"member:{m.name}"] = address(sheet, r, col0)
        g.put(r, col0, m.name, "text")
        g.put_row(
            r,
            col0 + 3,
            [m.owed_year, m.owed_to_date, m.received_to_date, m.received_to_date - m.owed_to_date],
            "kr",
        )
        parts = [
            f"{i.due}: {kr(i.amount)} "
            + (f"betald {i.paid_on}" if i.paid_on else "obetald")
            + (" (SEN)" if i.late else "")
            for i in m.instalments
        ]
        g.put(r, col0 + 9, "; ".join(parts), "text")
    r += 2
    g.put(r, col0, "Eget kapital vid årets ingång", "label_bold")
    r += 1
    g.put_row(
        r,
        col0,
        ["", "", "", "I bokföringen", "Enligt budgeten", "Skillnad", "", "", "", "Konton"],
        "header",
    )
    r += 1
    e = recon.equity
    where["equity"] = address(sheet, r, col0 + 3)
    g.put(r, col0, "Eget kapital", "text")
    g.put_row(r, col0 + 3, [e.books, e.assumed, e.difference], "kr")
    g.put(r, col0 + 9, ", ".join(e.accounts), "text")
    r += 2
    g.put(r, col0, "Konton utan koppling till budgeten", "label_bold")
    r += 1
    g.put_row(
        r, col0, ["Konto", "Kostnadsställe", "", "Belopp", "", "", "", "", "", "Källa"], "header"
    )
    for u in recon.unmapped:
        r += 1
        where[f"account:{u.account}:{u.cost_centre}"] = address(sheet, r, col0)
        g.put_row(r, col0, [u.account, u.cost_centre], "text")
        g.put(r, col0 + 3, u.amount, "kr")
        g.put(r, col0 + 9, u.source, "text")
    r += 2
    g.put(r, col0, "Anmärkningar", "label_bold")
    placed = [
        f.model_copy(update={"location": where[f.ref.key]})
        if f.ref is not None and f.ref.element == "recon" and f.ref.key in where
        else f
        for f in recon.findings
    ]
    # Each finding on two rows: level, check and a link to the place, then the message
    # alone on its row, running on over the empty cells to the right edge of the page.
    g.put_row(r + 1, col0, ["Nivå", "Kontroll", "Plats"], "header")
    r += 1
    for finding in placed:
        r += 1
        role = finding.severity.value
        g.put(r, col0, S.SEVERITY_LABELS[role], role)
        g.put(r, col0 + 1, S.rule_name(finding.rule), "text")
        sheet_name, _, cell = (finding.location or "").rpartition("!")
        if sheet_name and cell:
            quoted = "'" + sheet_name.replace("'", "''") + "'"
            g.put(r, col0 + 2, finding.where(), "link", link=f"{quoted}!{cell}")
        else:
            g.put(r, col0 + 2, finding.where(), "text")
        r += 1
        g.put(r, col0, finding.message, "label")
    if not placed:
        g.put(r + 1, col0, "Inga anmärkningar.", "label")
    return g, placed


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
