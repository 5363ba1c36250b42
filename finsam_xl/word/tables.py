"""Tables for the Word document: a neutral print shape (caption, headers, rows of text).

The rows themselves come from ``finsam_xl.core.document`` (the same pure
builders the workbook's Budget, Not 1, Insatser and Eget kapital sheets use);
the functions here only format them for print: amounts in the förbund's
display unit (kr or tkr) with a non-breaking space as thousands separator, a
typographic minus, percentages with a decimal comma, and the * / ** marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from finsam_xl.core import document
from finsam_xl.model.budget import Budget, Unit
from finsam_xl.model.money import NBSP, fmt_pct, in_display_unit
from finsam_xl.model.results import Result

MINUS = "\u2212"


class RowKind(StrEnum):
    """How a row is printed."""

    LINE = "line"  # an ordinary line
    HEADING = "heading"  # a group heading (Rubrik/ID), kept with the lines below it
    TOTAL = "total"  # a group's "Totalt", bold
    GRAND = "grand"  # a table's final totals, bold with a rule above


@dataclass(frozen=True)
class DocRow:
    """One row: its cells as printed text and how it is printed."""

    cells: Sequence[str]
    kind: RowKind = RowKind.LINE
    block: int | None = None  # rows of one block are kept on one page


@dataclass(frozen=True)
class DocTable:
    """A table as the document prints it. ``numeric`` right-aligns a column."""

    caption: str
    headers: Sequence[str]
    rows: Sequence[DocRow]
    numeric: Sequence[bool]
    widths_cm: Sequence[float] | None = None
    notes: Sequence[str] = field(default_factory=tuple)


def amount(value: Decimal | None, unit: Unit = Unit.KR, decimals: int = 0) -> str:
    """An amount in the display unit: '6 184' (tkr) or '6 184 000' (kr); '' for None.

    ``decimals=1`` (``core.document.display_decimals``) gives '1 255,5' in tkr.
    """
    if value is None:
        return ""
    shown = in_display_unit(value, unit is Unit.TKR)
    step = Decimal(1).scaleb(-decimals)
    rounded = shown.quantize(step, rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    return text.replace("-", MINUS)


def unit_label(unit: Unit) -> str:
    """'tkr' or 'kr', for captions and headings."""
    return unit.value


def budget_doc_table(budget: Budget, result: Result) -> DocTable:
    """The detailed budget table (``core.document.budget_table``) in print form.

    One "ID/konto" column as the seed documents print it: the cost centre on a
    heading or "Totalt" row, the account on a line.
    """
    table = document.budget_table(budget, result)
    unit = budget.forbund.unit
    dec = document.display_decimals(budget, result)
    years = [c.year for c in table.columns]
    show_id = table.show_cost_centres or table.show_accounts
    rows = []
    for row in table.rows:
        ident = ""
        if row.kind in (document.RowKind.HEADING, document.RowKind.TOTAL):
            ident = (document.grouped_id(row.cost_centre) or "") if table.show_cost_centres else ""
        elif table.show_accounts:
            ident = row.account or ""
        cells = [ident] if show_id else []
        cells += [row.label, *(amount(row.values.get(y), unit, dec) for y in years)]
        rows.append(DocRow(cells, _KINDS[row.kind], block=row.block))
    headers = (["ID/konto"] if show_id else []) + ["Beskrivning", *(c.label for c in table.columns)]
    return DocTable(
        caption=f"Belopp i {unit_label(unit)}",
        headers=headers,
        rows=rows,
        numeric=[False] * (len(headers) - len(years)) + [True] * len(years),
    )


def not1_doc_tables(budget: Budget, result: Result) -> list[DocTable]:
    """Not 1 (``core.document.not1_table``): key, share and amounts of the year adopted and
    the plan, with the rounding note as the caption's second line when shares are rounded."""
    note = document.not1_table(budget, result)
    years = [y for y in note.years if y >= budget.years.budget]  # the year adopted and the plan
    if not note.rows or not years:
        return []
    unit = Unit.KR  # Not 1 is printed to the krona, whatever the display unit
    rows = [
        DocRow(
            [
                r.name,
                r.key_text,
                percent_text(r.share_pct),
                *(amount(r.amounts.get(y), unit) for y in years),
            ]
        )
        for r in note.rows
    ]
    rows.append(
        DocRow(
            [
                "Totalt",
                "",
                percent_text(note.total_share_pct),
                *(amount(note.totals.get(y), unit) for y in years),
            ],
            RowKind.GRAND,
        )
    )
    return [
        DocTable(
            caption=f"{note.title} ({unit_label(unit)})",
            headers=["Medlem", "Nyckel", f"Andel {note.share_year}", *(str(y) for y in years)],
            rows=rows,
            numeric=[False, True, True, *([True] * len(years))],
            notes=(note.rounding_note,) if note.rounding_note else (),
        )
    ]


def insatser_doc_table(budget: Budget, result: Result) -> DocTable | None:
    """The insatser (``core.document.insatser_table``); descriptive columns that are empty for
    every insats are left out."""
    table = document.insatser_table(budget, result)
    if not table.rows:
        return None
    unit = budget.forbund.unit
    dec = document.display_decimals(budget, result)
    # The insatser ahead, as the sheet shows them: a comparison year would leave too
    # little room for the names and dates on a portrait page (issue 22).
    columns = [c for c in table.columns if c.year >= budget.years.budget]

    described = [
        ("ID", [r.cost_centre or "" for r in table.rows]),
        ("Ägare", [r.owner or "" for r in table.rows]),
        ("Beslut", [str(r.decision_date) if r.decision_date else "" for r in table.rows]),
        ("Period", [document.period_text(r.start, r.end) or "" for r in table.rows]),
        ("Beviljat per år", [amount(r.granted_per_year, unit, dec) for r in table.rows]),
    ]
    kept = [(head, cells) for head, cells in described if any(cells)]
    index = {id(r): i for i, r in enumerate(table.rows)}
    rows = []
    for heading, members in table.groups():
        rows.append(DocRow([heading, *([""] * (len(kept) + len(columns)))], RowKind.HEADING))
        for r in members:
            i = index[id(r)]
            rows.append(
                DocRow(
                    [
                        r.label,
                        *(cells[i] for _, cells in kept),
                        *(amount(r.amounts.get(c.year), unit, dec) for c in columns),
                    ]
                )
            )
    return DocTable(
        caption=f"Insatser ({unit_label(unit)})",
        headers=["Insats", *(head for head, _ in kept), *(c.label for c in columns)],
        rows=rows,
        numeric=[False, *(head == "Beviljat per år" for head, _ in kept), *([True] * len(columns))],
    )


def equity_doc_table(budget: Budget, result: Result) -> DocTable:
    """The equity history and plan (``core.document.equity_history``) with * and ** marks."""
    history = document.equity_history(budget, result)
    unit = budget.forbund.unit
    dec = document.display_decimals(budget, result)

    def cell(value: Decimal | None, mark: str) -> str:
        return amount(value, unit, dec) + mark if value is not None else ""

    rows = [
        DocRow(
            [
                str(r.year),
                cell(r.contributions, r.shown("contributions")),
                cell(r.costs, r.shown("costs")),
                cell(r.result, r.shown("result")),
                cell(r.equity_end, r.shown("equity_end")),
                percent_text(r.equity_pct),
            ]
        )
        for r in history.rows
    ]
    return DocTable(
        caption=f"Medlemsbidrag, budget och eget kapital per år ({unit_label(unit)})",
        headers=[
            "År",
            "Medlemsbidrag",
            "Budget (kostnader)",
            "Resultat",
            "Eget kapital 31/12",
            "I % av bidragen",
        ],
        rows=rows,
        numeric=[False, True, True, True, True, True],
        notes=list(history.notes),
    )


def tables_for(budget: Budget, result: Result) -> dict[str, list[DocTable]]:
    """The document's tables by section: insatser, eget_kapital, budget, not1."""
    insatser = insatser_doc_table(budget, result)
    return {
        "insatser": [insatser] if insatser is not None else [],
        "eget_kapital": [equity_doc_table(budget, result)],
        "budget": [budget_doc_table(budget, result)],
        "not1": not1_doc_tables(budget, result),
    }


def percent_text(value: Decimal | None) -> str:
    """A percentage with a decimal comma, '' when undefined."""
    return fmt_pct(value) if value is not None else ""


_KINDS = {
    document.RowKind.HEADING: RowKind.HEADING,
    document.RowKind.LINE: RowKind.LINE,
    document.RowKind.TOTAL: RowKind.TOTAL,
    document.RowKind.GRAND: RowKind.GRAND,
}
