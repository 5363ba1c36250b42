"""One member's letter (Begäran om medlemsbidrag) as a Word document.

A thin renderer: the content comes from ``finsam_xl.core.letters.MemberLetter``;
page, styles, footer and tables are the budget section's
(``word.budget_section.setup_document`` and ``add_table``), so a letter looks like
the rest of the förbund's documents.
"""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.shared import Pt, RGBColor

from finsam_xl.core.letters import MemberLetter
from finsam_xl.core.narrative import swedish_date
from finsam_xl.model.budget import YearKind
from finsam_xl.model.money import fmt_pct, pct
from finsam_xl.word.budget_section import add_table, clean, setup_document
from finsam_xl.word.tables import DocRow, DocTable, RowKind, amount

YEAR_KIND_SV = {YearKind.BUDGET: "Budgetår", YearKind.PLAN: "Plan", YearKind.JAMFORELSE: ""}


def letter_tables(letter: MemberLetter) -> list[DocTable]:
    """The letter's two tables: the amount per year, and the instalments to invoice."""
    rows = []
    for y in letter.years:
        mark = "" if y.decided else " *"
        # the budget year's share as the letter's text (and Not 1) gives it
        share = fmt_pct(
            letter.share_pct
            if y.year == letter.budget_year and letter.share_pct is not None
            else pct(y.amount, y.total)
        )
        rows.append(
            DocRow(
                [
                    f"{y.year}",
                    YEAR_KIND_SV[y.kind],
                    amount(y.amount) + mark,
                    share,
                    amount(y.total),
                ],
                RowKind.LINE,
            )
        )
    years = DocTable(
        caption="Medlemsbidrag per år (kr)",
        headers=["År", "Avser", "Ert bidrag", "Er andel", "Förbundets medlemsbidrag"],
        rows=rows,
        numeric=[False, False, True, True, True],
        widths_cm=[2.0, 3.0, 3.5, 2.5, 6.0],
        notes=(["Andelen är avrundad till en decimal."] if rows else [])
        + (
            ["* Äskat belopp, ännu inte beslutat av medlemmarna."]
            if any(not y.decided for y in letter.years)
            else []
        ),
    )
    inst_rows = [
        DocRow([str(i.number), i.day.isoformat(), i.due.isoformat(), amount(i.amount), i.reference])
        for i in letter.instalments
    ]
    if letter.instalments:
        total = sum((i.amount for i in letter.instalments), start=letter.instalments[0].amount * 0)
        inst_rows.append(DocRow(["Summa", "", "", amount(total), ""], RowKind.GRAND))
    instalments = DocTable(
        caption=f"Fakturor {letter.budget_year} (kr)",
        headers=["Del", "Fakturadatum", "Förfallodag", "Belopp", "Referens vid betalning"],
        rows=inst_rows,
        numeric=[False, False, False, True, False],
        widths_cm=[2.0, 3.0, 3.0, 3.0, 6.0],
    )
    return [years, instalments]


def letter_base(letter: MemberLetter, when: datetime) -> DocumentObject:
    """An empty letter of this förbund and year: page, styles, footer, document properties.

    Every letter of one run shares it; ``build_letter`` copies it instead of
    opening python-docx's template again (half the cost of a letter).
    """
    doc = Document()
    footer = f"{letter.forbund} \u2013 Begäran om medlemsbidrag {letter.budget_year}"
    setup_document(doc, footer, when)
    doc.core_properties.author = "finsam_xl"
    doc.core_properties.created = when
    doc.core_properties.modified = when
    doc.core_properties.last_modified_by = "finsam_xl"
    doc.core_properties.revision = 1
    return doc


def build_letter(
    letter: MemberLetter, when: datetime | None = None, base: DocumentObject | None = None
) -> DocumentObject:
    """The letter as a python-docx ``Document`` (not yet saved).

    ``base``: a ``letter_base`` of the same förbund, year and ``when`` to copy.
    """
    when = when or datetime.now()
    doc = copy.deepcopy(base) if base is not None else letter_base(letter, when)
    doc.core_properties.title = clean(f"{letter.title}: {letter.party.name}")

    head = doc.add_paragraph()
    head.add_run(clean(letter.forbund)).bold = True
    if letter.org_nr:
        head.add_run(clean(f"\nOrganisationsnummer {letter.org_nr}"))
    head.add_run(f"\n{swedish_date(when.date())}")
    to = doc.add_paragraph()
    to.add_run("Till: ").bold = True
    to.add_run(clean(letter.party.name))
    if len(letter.party.members) > 1:
        to.add_run(" (en part, som betalar statens hälft)")
    doc.add_paragraph(clean(letter.title), style="Title")
    paragraphs = letter.paragraphs
    for text in paragraphs[:3]:
        doc.add_paragraph(clean(text))
    tables = letter_tables(letter)
    add_table(doc, tables[0])
    for text in paragraphs[3:]:
        doc.add_paragraph(clean(text))
    doc.add_heading("Betalning", level=1).paragraph_format.keep_with_next = True
    doc.add_paragraph(clean(letter.payment_text)).paragraph_format.keep_with_next = True
    if letter.instalments:
        add_table(doc, tables[1])
    contact = doc.add_paragraph()
    contact.paragraph_format.space_before = Pt(12)
    contact.add_run("Kontakt: ").bold = True
    contact.add_run(clean(letter.contact))
    note = doc.add_paragraph()
    run = note.add_run(
        clean(
            f"Beloppen är hämtade ur budgetens fördelning av medlemsbidragen (Not 1) och "
            f"avrundade till hela kronor. Skapad med finsam_xl {when.date().isoformat()}."
        )
    )
    run.italic = True
    run.font.size = Pt(8)
    run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    return doc


def write_letter(doc: DocumentObject, path: Path) -> None:
    """Save ``doc`` to ``path`` (the caller makes it atomic)."""
    doc.save(str(path))
