"""The Uppföljning sheet: the follow-up for the board (delårsrapport, tertial, year end).

Written by ``avstamning`` beside Avstämning, from the same reconciliation:
per Rubrik the budget for the year and to date, the actuals to date, the
deviation and the full-year forecast; the members' contributions and
payments, member by member invoiced against the fakturaplan and paid against
invoiced, with one sentence per deviation (``member_deviations``); equity
at the start, the forecast of the result and of equity at year end against
the floor and the recommended level, and the findings. A4 portrait, one
page wide; the förbund's name and "Sida x av y" are in the sheet's header
and footer (set when the workbook is made). In December the actuals are the
year's, and the sheet is the year-end comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from finsam_xl.model import schema as S
from finsam_xl.model.findings import Finding, Severity, summary_text
from finsam_xl.model.labels import MONTHS_SV
from finsam_xl.model.money import ZERO, kr
from finsam_xl.model.recon import ReconResult, SectionRecon
from finsam_xl.model.results import Result
from finsam_xl.sheets.grid import Anchors, Grid
from finsam_xl.sheets.recon_sheet import put_findings, put_text

#: Characters of a text per row (a finding's message runs over the empty columns B-G).
MESSAGE_CHARS = 90


def member_deviations(recon: ReconResult) -> list[str]:
    """One plain sentence per deviation, member by member, for the board.

    Invoiced against planned (the fakturaplan's instalments dated by the
    period's end) and paid against invoiced; for a member paying without
    invoices (cash basis), paid against what has fallen due by the plan. When
    nothing deviates, one sentence says so.
    """
    out = []
    end = recon.period_end
    for m in recon.members:
        if m.accrual:
            gap = m.invoiced_to_date - m.planned_to_date
            if gap:
                out.append(
                    f"{m.name} har fakturerats {kr(m.invoiced_to_date)} t.o.m. {end}, "
                    f"{kr(abs(gap))} {'mer' if gap > 0 else 'mindre'} än fakturaplanens "
                    f"{kr(m.planned_to_date)}."
                )
            unpaid = m.invoiced_to_date - m.received_to_date
            if unpaid > 0:
                late = f", varav {kr(m.overdue_to_date)} har förfallit" if m.overdue_to_date else ""
                out.append(
                    f"{m.name} har betalat {kr(m.received_to_date)} av fakturerade "
                    f"{kr(m.invoiced_to_date)}; {kr(unpaid)} är obetalt{late}."
                )
            elif unpaid < 0:
                out.append(
                    f"{m.name} har betalat {kr(m.received_to_date)}, {kr(-unpaid)} mer än "
                    f"fakturerade {kr(m.invoiced_to_date)}; det är medlemmens tillgodohavande."
                )
            slow = [i.days_late for i in m.invoices if i.days_late and not i.overdue]
            if slow:
                what = "en faktura" if len(slow) == 1 else f"{len(slow)} fakturor"
                days = f"{max(slow)} dagar" if len(slow) == 1 else f"som mest {max(slow)} dagar"
                out.append(f"{m.name} betalade {what} för sent ({days}).")
        elif m.received_to_date < m.owed_to_date:
            out.append(
                f"{m.name} har betalat {kr(m.received_to_date)} men {kr(m.owed_to_date)} har "
                f"förfallit enligt fakturaplanen; {kr(m.owed_to_date - m.received_to_date)} "
                "är obetalt."
            )
    if not out and recon.members:
        out.append(
            "Alla medlemmar är fakturerade enligt fakturaplanen och har betalat det fakturerade."
        )
    return out


def followup_grid(recon: ReconResult, result: Result, row0: int, col0: int) -> Grid:
    """The board's follow-up from (row0, col0)."""
    g = Grid()
    prose: set[tuple[int, int]] = set()  # long texts that run over the cells to their right
    g.put(row0 - 2, col0, f"{_title(recon)}. {summary_text(recon.findings)}.", "status")
    budget = _BudgetYear.of(recon, result)
    r, totals = _section_rows(g, recon, row0, col0)
    r = _result_rows(g, recon, budget, totals, r, col0)
    r = _member_rows(g, recon, r + 2, col0, prose)
    r = _equity_rows(g, recon, budget, r + 2, col0, prose)
    r += 2
    g.put(r, col0, "Anmärkningar", "label_bold")
    last = put_findings(g, board_findings(recon), r + 1, col0, MESSAGE_CHARS, detail=False)
    prose |= {(row, col0 + 1) for row in range(r + 2, last + 1)}
    g.fit_widths(least=11.0, most=44.0, skip=prose)
    return g


def _title(recon: ReconResult) -> str:
    """The sheet's title: the year-end comparison in December, else the interim one."""
    if recon.months == 12:
        return f"Årsuppföljning {recon.year}: utfall för helåret mot budget"
    span = f"jan–{MONTHS_SV[recon.months - 1]} {recon.year}"
    return f"Delårsuppföljning {span} (t.o.m. {recon.period_end})"


@dataclass(frozen=True)
class _BudgetYear:
    """The budget's contributions and result for the year followed up (0 if not planned)."""

    contributions: Decimal
    result: Decimal

    @classmethod
    def of(cls, recon: ReconResult, result: Result) -> _BudgetYear:
        """The figures of ``recon.year`` in ``result``."""
        try:
            plan = result.year(recon.year)
        except KeyError:
            return cls(ZERO, ZERO)
        return cls(plan.contributions, plan.result)


def _section_rows(g: Grid, recon: ReconResult, row0: int, col0: int) -> tuple[int, list[Decimal]]:
    """Result per Rubrik: heading and a row per Rubrik; returns the last row and the totals
    (budget for the year, to date, actual to date, forecast)."""
    r = row0
    g.put(r, col0, "Resultat per rubrik (kr; kostnader netto)", "label_bold")
    r += 1
    actual = "Utfall helår" if recon.months == 12 else "Utfall t.o.m. perioden"
    g.put_row(
        r,
        col0,
        [
            "Rubrik",
            "Budget helår",
            "Budget t.o.m. perioden",
            actual,
            "Avvikelse",
            "Prognos helår",
            "Prognos mot budget",
        ],
        "header",
    )
    totals = [ZERO] * 4
    for s in recon.sections:
        if _all_zero(s):
            continue  # a Rubrik with no budget and nothing booked says nothing to the board
        r += 1
        g.put(r, col0, s.section, "text")
        g.put_row(
            r,
            col0 + 1,
            [
                s.budget_year,
                s.budget_to_date,
                s.actual_to_date,
                s.deviation,
                s.forecast,
                s.forecast - s.budget_year,
            ],
            "kr",
        )
        for i, v in enumerate((s.budget_year, s.budget_to_date, s.actual_to_date, s.forecast)):
            totals[i] += v
    return r, totals


def _result_rows(
    g: Grid, recon: ReconResult, budget: _BudgetYear, totals: list[Decimal], r: int, col0: int
) -> int:
    """The net of the Rubriker, the contributions, the accounts outside the budget and the
    result, below the Rubriker (``r`` is their last row); returns the last row."""
    r += 1
    g.put(r, col0, "Summa verksamhet (netto)", "label_bold")
    g.put_row(
        r,
        col0 + 1,
        [totals[0], totals[1], totals[2], totals[2] - totals[1], totals[3], totals[3] - totals[0]],
        "amount_bold",
    )
    contributions_to_date = sum(
        (m.invoiced_to_date if m.accrual else m.received_to_date for m in recon.members), ZERO
    )
    owed_to_date = sum((m.owed_to_date for m in recon.members), ZERO)
    f = recon.forecast
    unmapped = sum((u.amount for u in recon.unmapped), ZERO)
    r += 1
    g.put(r, col0, "Medlemsbidrag", "text")
    g.put_row(
        r,
        col0 + 1,
        [
            budget.contributions,
            owed_to_date,
            contributions_to_date,
            contributions_to_date - owed_to_date,
            budget.contributions,
            ZERO,
        ],
        "kr",
    )
    r += 1
    g.put(r, col0, "Konton utanför budgeten", "text")
    g.put_row(r, col0 + 1, [ZERO, ZERO, unmapped, unmapped], "kr")
    if f is not None:
        g.put_row(r, col0 + 5, [f.unmapped, f.unmapped], "kr")
    r += 1
    actual_result = contributions_to_date - totals[2] - unmapped
    g.put(r, col0, "Resultat", "label_bold")
    g.put_row(
        r,
        col0 + 1,
        [
            budget.result,
            owed_to_date - totals[1],
            actual_result,
            actual_result - (owed_to_date - totals[1]),
        ],
        "amount_bold",
    )
    if f is not None:
        g.put_row(r, col0 + 5, [f.result, f.result - budget.result], "amount_bold")
    return r


def _member_rows(
    g: Grid, recon: ReconResult, r: int, col0: int, prose: set[tuple[int, int]]
) -> int:
    """The members' payments from row ``r``, then a sentence per deviation; returns the
    last row (the sentences' cells are added to ``prose``)."""
    g.put(r, col0, "Medlemmarnas inbetalningar", "label_bold")
    r += 1
    g.put_row(
        r,
        col0,
        [
            "Medlem",
            "Att betala helår",
            "Enligt fakturaplanen",
            "Fakturerat",
            "Inbetalt",
            "Obetalt förfallet",
            "Bokföring",
        ],
        "header",
    )
    for m in recon.members:
        r += 1
        overdue = (
            m.overdue_to_date
            if m.accrual
            else sum((i.amount for i in m.instalments if i.late and i.paid_on is None), ZERO)
        )
        g.put(r, col0, m.name, "text")
        g.put_row(
            r,
            col0 + 1,
            [
                m.owed_year,
                m.planned_to_date,
                m.invoiced_to_date if m.accrual else None,
                m.received_to_date,
                overdue,
            ],
            "kr",
        )
        g.put(r, col0 + 6, "faktureras" if m.accrual else "kontant", "text")
    for sentence in member_deviations(recon):
        first = r + 1
        r = put_text(g, sentence, first, col0, MESSAGE_CHARS + 30)
        prose |= {(row, col0) for row in range(first, r + 1)}
    return r


def _equity_rows(
    g: Grid,
    recon: ReconResult,
    budget: _BudgetYear,
    r: int,
    col0: int,
    prose: set[tuple[int, int]],
) -> int:
    """Equity from row ``r``: budget against forecast (and the books' closing balance),
    then the forecast's basis and summary; returns the last row."""
    g.put(r, col0, "Eget kapital", "label_bold")
    r += 1
    f = recon.forecast
    closing = f.equity_end_books if f is not None else None
    g.put_row(
        r,
        col0,
        [
            "",
            "Budget",
            "Utfall" if recon.months == 12 else "Prognos",
            *(["Bokföringen (#UB)"] if closing is not None else []),
        ],
        "header",
    )
    for label, planned, forecast in _equity_lines(recon, budget):
        r += 1
        g.put(r, col0, label, "text")
        g.put_row(r, col0 + 1, [planned, forecast], "kr")
        if closing is not None and label == "Eget kapital vid årets slut":
            g.put(r, col0 + 3, closing, "kr")
    if f is None:
        return r
    e = recon.equity
    r += 1
    g.put(r, col0, "Eget kapital i % av medlemsbidragen", "text")
    budget_pct = None
    if budget.contributions:
        budget_pct = ((e.assumed or ZERO) + budget.result) / budget.contributions
    g.put_row(
        r,
        col0 + 1,
        [budget_pct, None if f.equity_pct is None else f.equity_pct / 100],
        "pct",
    )
    r += 1
    start = (
        "bokföringens ingående balans"
        if f.equity_start_from == "bokföringen"
        else ("budgetens antagande")
    )
    g.put(r, col0, f"Prognosens eget kapital vid årets början: {start}.", "status")
    first = r + 1
    r = put_text(g, f.summary, first, col0, MESSAGE_CHARS + 30)
    prose |= {(row, col0) for row in range(first, r + 1)}
    return r


def _equity_lines(
    recon: ReconResult, budget: _BudgetYear
) -> list[tuple[str, Decimal | None, Decimal | None]]:
    """The equity table's rows: (label, budget, forecast or actual)."""
    e, f = recon.equity, recon.forecast
    rows: list[tuple[str, Decimal | None, Decimal | None]] = [
        ("Eget kapital vid årets början", e.assumed, f.equity_start if f else e.books),
        ("Årets resultat", budget.result, f.result if f else None),
    ]
    if f is not None:
        budget_end = (e.assumed or ZERO) + budget.result
        rows += [
            ("Eget kapital vid årets slut", budget_end, f.equity_end),
            *([("Styrelsens lägsta nivå", f.floor, f.floor)] if f.floor > 0 else []),
            (
                f"Rekommenderad högsta nivå ({f.recommended_max_pct:g} %)",
                f.recommended_max,
                f.recommended_max,
            ),
        ]
    return rows


def _all_zero(s: SectionRecon) -> bool:
    return not any((s.budget_year, s.budget_to_date, s.actual_to_date, s.forecast))


#: The ekonom's rules on the books (vouchers, accounts, the receivable) that the board
#: sees as one plain sentence each, made from the reconciliation's figures.
_MEMBER_RULES = ("recon.payment-late", "recon.invoice-unpaid")
_RECEIVABLE_RULES = ("recon.payment-unmatched", "recon.receivable-diff")
_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def board_findings(recon: ReconResult) -> list[Finding]:
    """The findings as the board reads them: figures and a plain sentence per deviation.

    The ekonom's detail (voucher numbers, the books' ``file:line``, what to change in
    which table) stays on Avstämning. Findings on the books become one sentence per
    member, one for the receivable, one for the accounts outside the budget and one for
    equity; other findings (deviations per Rubrik, the forecast) are plain already.
    """
    out: list[Finding] = []
    seen: dict[str, int] = {}
    for f in recon.findings:
        if f.rule in _MEMBER_RULES:
            continue  # said member by member under the members' table (member_deviations)
        key, text = _board_sentence(f, recon)
        if key in seen:
            i = seen[key]
            if _RANK[f.severity] > _RANK[out[i].severity]:
                out[i] = out[i].model_copy(update={"severity": f.severity})
            continue
        seen[key] = len(out)
        out.append(f.model_copy(update={"message": text, "location": None, "ref": None}))
    return out


def _board_sentence(f: Finding, recon: ReconResult) -> tuple[str, str]:
    """(grouping key, sentence) of one finding for the board."""
    end = recon.period_end
    if f.rule in _RECEIVABLE_RULES and recon.receivable is not None:
        rec = recon.receivable
        unmatched = sum((p.amount for p in rec.unmatched), ZERO)
        parts = []
        if unmatched:
            parts.append(f"{kr(unmatched)} har betalats in utan att motsvara någon faktura")
        if abs(rec.difference) >= 1:
            parts.append(
                f"kundfordran skiljer sig {kr(abs(rec.difference))} från de öppna fakturorna"
            )
        text = " och ".join(parts) or "kundfordran stämmer inte med fakturorna"
        return "receivable", f"{text[0].upper()}{text[1:]}; ekonomen utreder (se Avstämning)."
    if f.rule == "recon.unmapped":
        total = sum((u.amount for u in recon.unmapped), ZERO)
        return "unmapped", (
            f"{kr(total)} är bokfört t.o.m. {end} på konton som inte hör till någon "
            "budgetrad (raden Konton utanför budgeten)."
        )
    if f.rule == "recon.equity-diff":
        e = recon.equity
        diff = e.difference or ZERO
        more = "mer" if diff > 0 else "mindre"
        return "equity", (
            f"Eget kapital vid årets början är {kr(e.books or ZERO)} enligt bokföringen, "
            f"{kr(abs(diff))} {more} än budgeten förutsätter ({kr(e.assumed or ZERO)})."
        )
    return f"{f.rule}:{f.message}", f.message


def build_followup_grids(
    recon: ReconResult, result: Result, pkg: Anchors
) -> dict[str, tuple[Grid, int]]:
    """The Uppföljning sheet's cells, keyed by sheet, for ``writer.write_grids``."""
    sheet, row, col = pkg.anchor(S.N_FOLLOWUP)
    return {sheet: (followup_grid(recon, result, row, col), row - 2)}
