"""The budget section of the verksamhetsplan as a Word document (python-docx).

The document holds, in the order the seed documents print them: the title
(förbund, "Budget ÅÅÅÅ med plan ÅÅÅÅ–ÅÅÅÅ"), the drafted text on available
funds and insatser, the insatser table, the long-term budget with the equity
history and chart, the detailed budget table, Not 1, and the "Förslag till
beslut". Text comes from ``finsam_xl.core.narrative``; tables from
``finsam_xl.word.tables``; the chart from ``finsam_xl.word.chart``. A4
portrait, page x av y and the date in the footer, table headers repeated on
each page, a Rubrik kept on the page of its Totalt.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from finsam_xl.core.document import EquityRow, equity_history
from finsam_xl.core.narrative import Draft, draft, whole_pct
from finsam_xl.model.budget import Budget
from finsam_xl.model.results import Result
from finsam_xl.word.chart import Chart, Series, render_png
from finsam_xl.word.tables import DocTable, RowKind, tables_for

FONT = "Calibri"
BODY_PT = 11
TABLE_PT = 9
MIN_TABLE_PT = 7  # a wide table's type goes down to this before a word would break
TEXT_WIDTH_CM = 17.0  # A4 (21 cm) less 2 cm margins each side
GREY = "BFBFBF"
SMALL_TABLE = 16  # rows; a table this short is kept on one page
HEAD_FILL = "E7EEF6"
DRAFT_NOTE = (
    "Utkast framtaget med finsam_xl {date} ur {source}. Texten är ett förslag att redigera; "
    "siffrorna kommer från arbetsbokens beräkning och ska inte skrivas om för hand."
)


def equity_chart(budget: Budget, result: Result) -> Chart:
    """Equity at 31/12 against the recommended level and the board's floor, per year.

    The years are those of the equity history (past years from the Utfall
    table, then the budget and plan). A year without an equity figure is a
    gap, not 0; the recommended level is the year's percentage of its
    contributions.
    """
    history = equity_history(budget, result)
    rows = history.rows
    years = [r.year for r in rows]
    plan = {p.year: p for p in result.plan}
    default_pct = result.plan[-1].recommended_max_pct if result.plan else Decimal(20)

    def recommended(row: EquityRow) -> Decimal | None:
        if row.year in plan and plan[row.year].contributions > 0:
            return plan[row.year].recommended_max
        if not row.contributions:
            return None
        pct = history.recommended_max_pct.get(row.year, default_pct)
        return (row.contributions * pct / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)

    series = [
        Series(
            "Eget kapital 31/12",
            [r.equity_end for r in rows],
            (31, 78, 121),
            marker="circle",
            value_labels=True,
        ),
        Series(
            f"Rekommenderad högsta nivå ({whole_pct(default_pct)})",
            [recommended(r) for r in rows],
            (214, 120, 0),
            dash=(9, 5),
        ),
    ]
    if history.floor > 0:
        series.append(
            Series(
                "Styrelsens lägsta nivå",
                [history.floor for _ in rows],
                (180, 30, 30),
                dash=(3, 4),
                marker="square",
                end_label=True,
            )
        )
    return Chart(
        title="Eget kapital vid årets slut",
        years=years,
        series=series,
        unit=budget.forbund.unit.value,
    )


def build_document(
    budget: Budget,
    result: Result,
    source: str = "arbetsboken",
    when: datetime | None = None,
    text: Draft | None = None,
    tables: dict[str, list[DocTable]] | None = None,
) -> DocumentObject:
    """The whole budget section as a python-docx ``Document`` (not yet saved)."""
    when = when or datetime.now()
    text = text or draft(budget, result)
    by_name = tables if tables is not None else tables_for(budget, result)
    doc = Document()
    setup_document(doc, f"{text.title} \u2013 {text.subtitle}", when)
    doc.core_properties.title = clean(f"{text.title}: {text.subtitle}")
    doc.core_properties.author = "finsam_xl"
    doc.core_properties.created = when
    doc.core_properties.modified = when
    doc.core_properties.last_modified_by = "finsam_xl"
    doc.core_properties.revision = 1

    doc.add_paragraph(clean(text.title), style="Title")
    doc.add_paragraph(clean(text.subtitle), style="Subtitle")
    if text.dates:
        doc.add_paragraph(clean(text.dates))
    note = doc.add_paragraph()
    run = note.add_run(clean(DRAFT_NOTE.format(date=when.date().isoformat(), source=source)))
    run.italic = True
    run.font.size = Pt(9)
    run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)

    year = budget.years.budget
    doc.add_heading(f"Medel till förfogande och insatser {year}", level=1)
    doc.add_paragraph(clean(text.available))
    for sentence in text.insatser:
        doc.add_paragraph(clean(sentence), style="List Bullet")
    for table in by_name.get("insatser", []):
        add_table(doc, table)

    history_years = [r.year for r in equity_history(budget, result).rows] or budget.years.all
    span = f"{history_years[0]}\u2013{history_years[-1]}"
    doc.add_heading(f"Långsiktig budget och eget kapital {span}", level=1)
    for sentence in text.equity:
        doc.add_paragraph(clean(sentence))
    for table in by_name.get("eget_kapital", []):
        add_table(doc, table)
    try:
        png = render_png(equity_chart(budget, result))
    except ValueError:
        png = None
    if png is not None:
        doc.add_picture(io.BytesIO(png), width=Cm(16))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    if by_name.get("budget"):
        doc.add_heading(clean(f"Budget {year} för {budget.forbund.name}"), level=1)
        for table in by_name["budget"]:
            add_table(doc, table)
    if by_name.get("not1"):
        doc.add_heading("Noter", level=1)
        for table in by_name["not1"]:
            add_table(doc, table)

    # The decision proposals are kept together on one page.
    block = [doc.add_heading("Förslag till beslut", level=1)]
    block += [doc.add_paragraph(clean(note)) for note in text.decision_notes]
    block.append(doc.add_paragraph(clean(text.decision_intro)))
    for item in text.decisions:
        block.append(doc.add_paragraph(clean(item[:1].upper() + item[1:]), style="List Bullet"))
    for paragraph in block[:-1]:
        paragraph.paragraph_format.keep_with_next = True
    return doc


def write_document(doc: DocumentObject, path: Path) -> None:
    """Save ``doc`` to ``path`` (the caller makes it atomic)."""
    doc.save(str(path))


# --- page, styles, footer -------------------------------------------------------------


def setup_document(doc: DocumentObject, footer_title: str, when: datetime) -> None:
    """A4 portrait, 2 cm margins, the Calibri styles and the footer "title · Sida x av y · date".

    Shared by every Word document finsam_xl writes (budget section, member letters).
    """
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.footer_distance = Cm(1.0)
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.rPr.rFonts
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    normal.paragraph_format.space_after = Pt(6)
    for name in ("Title", "Subtitle", "Heading 1", "Heading 2"):
        style = styles[name]
        style.font.name = FONT
        style.element.rPr.rFonts.set(qn("w:asciiTheme"), "")
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            style.element.rPr.rFonts.attrib.pop(qn(attr), None)
    _complete_zoom(doc)
    styles["Title"].font.size = Pt(22)
    styles["Heading 1"].font.size = Pt(14)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for piece in (
        f"{footer_title} \u00b7 Sida ",
        "PAGE",
        " av ",
        "NUMPAGES",
        f" \u00b7 {when.date().isoformat()}",
    ):
        if piece in ("PAGE", "NUMPAGES"):
            _field(footer, piece)
        else:
            footer.add_run(clean(piece)).font.size = Pt(8)


def _complete_zoom(doc: DocumentObject) -> None:
    """Give the settings' ``<w:zoom>`` the ``w:percent`` the schema requires.

    python-docx's template writes ``<w:zoom w:val="bestFit"/>``; ECMA-376 (CT_Zoom)
    makes ``w:percent`` required, and Word itself always writes it.
    """
    zoom = doc.settings.element.find(qn("w:zoom"))
    if zoom is not None and zoom.get(qn("w:percent")) is None:
        zoom.set(qn("w:percent"), "100")


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A PAGE or NUMPAGES field (Word and LibreOffice fill it in when laying out pages)."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "16")
    props.append(size)
    run.append(props)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


# --- tables -----------------------------------------------------------------------------


def add_table(doc: DocumentObject, spec: DocTable) -> Table:
    """Add ``spec`` as a Word table: caption, header row repeated on each page, rows.

    Rows are written as WordprocessingML directly (one parse per row): python-docx's
    cell-by-cell API costs about 2 ms per cell, 40 s for a 2,000-line budget.
    """
    caption = doc.add_paragraph()
    caption_run = caption.add_run(clean(spec.caption))
    caption_run.bold = True
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(6)
    columns = len(spec.headers)
    table: Table = doc.add_table(rows=0, cols=columns)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borders(table)
    fitted, pt = _layout(spec)
    widths = [int(Cm(w)) for w in (spec.widths_cm or fitted)]
    for index, column in enumerate(table.columns):
        column.width = widths[index]
    twips = [w // 635 for w in widths]  # EMU -> twentieths of a point
    tbl = table._tbl
    tbl.append(
        parse_xml(
            _row_xml(
                list(spec.headers), spec.numeric, twips, bold=True, keep=True, header=True, pt=pt
            )
        )
    )
    rows = list(spec.rows)
    for position, row in enumerate(rows):
        # Keep a heading and its lines with the next row, so a Rubrik stays with its Totalt;
        # a short table is kept whole.
        following = rows[position + 1] if position + 1 < len(rows) else None
        keep = following is not None and (
            len(rows) <= SMALL_TABLE or (row.block is not None and following.block == row.block)
        )
        rule = row.kind is RowKind.GRAND and (
            position == 0 or rows[position - 1].kind is not RowKind.GRAND
        )
        cells = [row.cells[i] if i < len(row.cells) else "" for i in range(columns)]
        bold = row.kind in BOLD_KINDS
        tbl.append(
            parse_xml(_row_xml(cells, spec.numeric, twips, bold=bold, keep=keep, rule=rule, pt=pt))
        )
    if spec.notes:
        notes = doc.add_paragraph()
        notes_run = notes.add_run(clean("   ".join(spec.notes)))
        notes_run.font.size = Pt(8)
    else:
        doc.add_paragraph().paragraph_format.space_after = Pt(2)
    return table


def _row_xml(
    cells: Sequence[str],
    numeric: Sequence[bool],
    twips: Sequence[int],
    bold: bool = False,
    keep: bool = False,
    header: bool = False,
    rule: bool = False,
    pt: int = 0,
) -> str:
    """One table row as WordprocessingML: no split across pages, amounts right-aligned;
    type of ``pt`` points (0: ``TABLE_PT``)."""
    row_props = "<w:cantSplit/>" + ("<w:tblHeader/>" if header else "")
    parts = [f"<w:tr {nsdecls('w')}><w:trPr>{row_props}</w:trPr>"]
    run_props = ("<w:b/>" if bold else "") + f'<w:sz w:val="{(pt or TABLE_PT) * 2}"/>'
    para_start = ("<w:keepNext/>" if keep else "") + '<w:spacing w:before="0" w:after="0"/>'
    for index, text in enumerate(cells):
        cell_props = f'<w:tcW w:w="{twips[index]}" w:type="dxa"/>'
        if rule:
            cell_props += (
                '<w:tcBorders><w:top w:val="single" w:sz="8" w:space="0" '
                'w:color="404040"/></w:tcBorders>'
            )
        if header:
            cell_props += f'<w:shd w:val="clear" w:color="auto" w:fill="{HEAD_FILL}"/>'
        align = "right" if numeric[index] else "left"
        parts.append(
            f"<w:tc><w:tcPr>{cell_props}</w:tcPr><w:p><w:pPr>{para_start}"
            f'<w:jc w:val="{align}"/></w:pPr><w:r><w:rPr>{run_props}</w:rPr>'
            f'<w:t xml:space="preserve">{escape(clean(text))}</w:t></w:r></w:p></w:tc>'
        )
    parts.append("</w:tr>")
    return "".join(parts)


BOLD_KINDS = (RowKind.TOTAL, RowKind.GRAND, RowKind.HEADING)


def word_cm(word: str, pt: int = TABLE_PT, bold: bool = True) -> float:
    """Width of an unbreakable word in cm at ``pt`` in a wide fallback font (plain letters
    are about 14 % narrower than bold; figures and dates are as wide either way)."""
    narrow = not bold and not any(ch.isdigit() for ch in word)
    return len(word) * 0.21 * pt / TABLE_PT * (0.86 if narrow else 1.0)


def _layout(spec: DocTable) -> tuple[list[float], int]:
    """Column widths in cm and the type size: the largest size down to ``MIN_TABLE_PT`` at
    which every figure and every word fits unbroken, else the smallest (then scaled)."""
    for pt in range(TABLE_PT, MIN_TABLE_PT - 1, -1):
        widths, fits = _widths(spec, pt)
        if fits:
            return widths, pt
    return widths, MIN_TABLE_PT


def _widths(spec: DocTable, pt: int = TABLE_PT) -> tuple[list[float], bool]:
    """Column widths in cm at ``pt``, from the longest text (worst case: a wide fallback font),
    and whether every figure and word fits unbroken.

    Amount columns get their longest figure or header word; text columns share
    the rest, never narrower than their longest word, so no word or date is broken
    ("Gymnasiesamordnare", "2027-06-30"). Spare room goes to a descriptive text
    column, else to the amounts. Only when even the words do not fit is the whole
    table scaled down.
    """
    per_char = 0.21 * pt / TABLE_PT  # cm per character at 9 pt bold in a wide font
    pad = 0.45 if pt >= TABLE_PT else 0.40  # cell margins (0.38) and a little air
    count = len(spec.headers)

    def cells(i: int) -> list[str]:
        return [r.cells[i] for r in spec.rows if i < len(r.cells)]

    def longest(i: int, numeric: bool) -> int:
        header = spec.headers[i]
        head = max(len(w) for w in header.split()) if numeric else min(len(header), 14)
        return max([head, *(len(c) for c in cells(i))])

    def longest_word(i: int) -> float:
        """The widest word of column ``i`` in cm (bold rows and the header count wider)."""
        texts = [(spec.headers[i], True)] + [
            (r.cells[i], r.kind in BOLD_KINDS) for r in spec.rows if i < len(r.cells)
        ]
        return max(word_cm(w, pt, bold) for text, bold in texts for w in text.split() or [""])

    widths = [0.0] * count
    numeric = [i for i in range(count) if spec.numeric[i]]
    texts = [i for i in range(count) if not spec.numeric[i]]
    for i in numeric:
        widths[i] = max(1.6, per_char * longest(i, True) + pad)
    room = TEXT_WIDTH_CM - sum(widths)
    wants = {i: per_char * min(longest(i, False), 60) + pad for i in texts}
    floors = {i: min(wants[i], longest_word(i) + pad) for i in texts}
    short = [i for i in texts if wants[i] <= 3.0]  # IDs, years: never squeezed
    for i in short:
        widths[i] = wants[i]
    room -= sum(widths[i] for i in short)
    long = [i for i in texts if i not in short]
    total_want = sum(wants[i] for i in long) or 1.0
    total_floor = sum(floors[i] for i in long)
    if total_want <= room:
        for i in long:
            widths[i] = wants[i]
    else:
        # Shrink by one ratio from what each wants toward its longest word.
        ratio = max(0.0, (room - total_floor) / ((total_want - total_floor) or 1.0))
        for i in long:
            widths[i] = floors[i] + (wants[i] - floors[i]) * min(1.0, ratio)
    spare = TEXT_WIDTH_CM - sum(widths)
    if spare > 0:
        descriptive = [i for i in texts if wants[i] >= 4.0]
        if descriptive:
            widths[max(descriptive, key=lambda i: wants[i])] += spare
        elif numeric:
            for i in numeric:
                widths[i] += spare / len(numeric)
        else:
            widths[-1] += spare
    fits = sum(widths) <= TEXT_WIDTH_CM + 1e-9
    scale = min(1.0, TEXT_WIDTH_CM / sum(widths))
    return [w * scale for w in widths], fits


def _borders(table: Table) -> None:
    """Thin grey horizontal rules only, as the printed budget tables have.

    The elements go where the schema's sequence puts them in ``w:tblPr`` (Word
    refuses a file with children out of order; LibreOffice does not care).
    """
    props = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        if edge in ("left", "right", "insideV"):
            element.set(qn("w:val"), "nil")
        else:
            element.set(qn("w:val"), "single")
            element.set(qn("w:sz"), "4")
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), GREY)
        borders.append(element)
    _insert(
        props,
        borders,
        ("shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription"),
    )
    margins = OxmlElement("w:tblCellMar")
    for edge, width in (("left", "70"), ("right", "70")):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), width)
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    _insert(props, margins, ("tblLook", "tblCaption", "tblDescription"))


def _insert(parent: Any, child: Any, successors: Sequence[str]) -> None:
    """Insert ``child`` before the first of ``successors`` present in ``parent``, else last."""
    tags = {qn(f"w:{name}") for name in successors}
    for existing in parent:
        if existing.tag in tags:
            existing.addprevious(child)
            return
    parent.append(child)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Text safe for a Word document: control characters (not allowed in XML) removed."""
    return _NOT_XML.sub("", text)
