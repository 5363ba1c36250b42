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
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Row
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
        Series("Eget kapital 31/12", [r.equity_end for r in rows], (31, 78, 121),
               marker="circle", value_labels=True),
        Series(f"Rekommenderad högsta nivå ({whole_pct(default_pct)})",
               [recommended(r) for r in rows], (214, 120, 0), dash=(9, 5)),
    ]
    if history.floor > 0:
        series.append(Series("Styrelsens lägsta nivå", [history.floor for _ in rows],
                             (180, 30, 30), dash=(3, 4), marker="square", end_label=True))
    return Chart(title="Eget kapital vid årets slut", years=years, series=series,
                 unit=budget.forbund.unit.value)


def build_document(
    budget: Budget, result: Result, source: str = "arbetsboken", when: datetime | None = None,
    text: Draft | None = None, tables: dict[str, list[DocTable]] | None = None,
) -> DocumentObject:
    """The whole budget section as a python-docx ``Document`` (not yet saved)."""
    when = when or datetime.now()
    text = text or draft(budget, result)
    by_name = tables if tables is not None else tables_for(budget, result)
    doc = Document()
    _setup(doc, f"{text.title} \u2013 {text.subtitle}", when)
    doc.core_properties.title = f"{text.title}: {text.subtitle}"
    doc.core_properties.author = "finsam_xl"
    doc.core_properties.created = when
    doc.core_properties.modified = when
    doc.core_properties.last_modified_by = "finsam_xl"
    doc.core_properties.revision = 1

    doc.add_paragraph(text.title, style="Title")
    doc.add_paragraph(text.subtitle, style="Subtitle")
    note = doc.add_paragraph()
    run = note.add_run(DRAFT_NOTE.format(date=when.date().isoformat(), source=source))
    run.italic = True
    run.font.size = Pt(9)
    run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)

    year = budget.years.budget
    doc.add_heading(f"Medel till förfogande och insatser {year}", level=1)
    doc.add_paragraph(text.available)
    for sentence in text.insatser:
        doc.add_paragraph(sentence, style="List Bullet")
    for table in by_name.get("insatser", []):
        _table(doc, table)

    history_years = [r.year for r in equity_history(budget, result).rows] or budget.years.all
    span = f"{history_years[0]}\u2013{history_years[-1]}"
    doc.add_heading(f"Långsiktig budget och eget kapital {span}", level=1)
    for sentence in text.equity:
        doc.add_paragraph(sentence)
    for table in by_name.get("eget_kapital", []):
        _table(doc, table)
    try:
        png = render_png(equity_chart(budget, result))
    except ValueError:
        png = None
    if png is not None:
        doc.add_picture(io.BytesIO(png), width=Cm(16))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    if by_name.get("budget"):
        doc.add_heading(f"Budget {year} för {budget.forbund.name}", level=1)
        for table in by_name["budget"]:
            _table(doc, table)
    if by_name.get("not1"):
        doc.add_heading("Noter", level=1)
        for table in by_name["not1"]:
            _table(doc, table)

    # The decision proposals are kept together on one page.
    block = [doc.add_heading("Förslag till beslut", level=1),
             doc.add_paragraph(text.decision_intro)]
    for item in text.decisions:
        block.append(doc.add_paragraph(item[:1].upper() + item[1:], style="List Bullet"))
    for paragraph in block[:-1]:
        paragraph.paragraph_format.keep_with_next = True
    return doc


def write_document(doc: DocumentObject, path: Path) -> None:
    """Save ``doc`` to ``path`` (the caller makes it atomic)."""
    doc.save(str(path))


# --- page, styles, footer -------------------------------------------------------------


def _setup(doc: DocumentObject, footer_title: str, when: datetime) -> None:
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
    styles["Title"].font.size = Pt(22)
    styles["Heading 1"].font.size = Pt(14)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for piece in (f"{footer_title} \u00b7 Sida ", "PAGE", " av ", "NUMPAGES",
                  f" \u00b7 {when.date().isoformat()}"):
        if piece in ("PAGE", "NUMPAGES"):
            _field(footer, piece)
        else:
            footer.add_run(piece).font.size = Pt(8)


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


def _table(doc: DocumentObject, spec: DocTable) -> Table:
    caption = doc.add_paragraph()
    caption_run = caption.add_run(spec.caption)
    caption_run.bold = True
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(6)
    columns = len(spec.headers)
    table: Table = doc.add_table(rows=0, cols=columns)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table)
    widths = list(spec.widths_cm or _widths(spec))
    header = table.add_row()  # type: ignore[no-untyped-call]
    _repeat_header(header)
    for index, text in enumerate(spec.headers):
        _cell(header, index, text, spec.numeric[index], bold=True, fill=HEAD_FILL, keep=True)
    rows = list(spec.rows)
    for position, row in enumerate(rows):
        out = table.add_row()  # type: ignore[no-untyped-call]
        _no_split(out)
        bold = row.kind in (RowKind.TOTAL, RowKind.GRAND, RowKind.HEADING)
        # Keep a heading and its lines with the next row, so a Rubrik stays with its Totalt.
        following = rows[position + 1] if position + 1 < len(rows) else None
        keep = following is not None and (
            len(rows) <= SMALL_TABLE
            or (row.block is not None and following.block == row.block)
        )
        for index in range(columns):
            value = row.cells[index] if index < len(row.cells) else ""
            _cell(out, index, value, spec.numeric[index], bold=bold, keep=keep)
        if row.kind is RowKind.GRAND and (position == 0 or rows[position - 1].kind
                                          is not RowKind.GRAND):
            _top_rule(out)
    table.autofit = False
    for index, column in enumerate(table.columns):
        column.width = Cm(widths[index])
    for row_obj in table.rows:
        for index, cell in enumerate(row_obj.cells):
            cell.width = Cm(widths[index])
    if spec.notes:
        notes = doc.add_paragraph()
        notes_run = notes.add_run("   ".join(spec.notes))
        notes_run.font.size = Pt(8)
    else:
        doc.add_paragraph().paragraph_format.space_after = Pt(2)
    return table


def _widths(spec: DocTable) -> list[float]:
    """Column widths in cm, from the longest text (worst case: a wide fallback font).

    Amount columns get their longest figure or header word; text columns share
    the rest. Spare room goes to a descriptive text column, else to the amounts.
    """
    per_char = 0.21  # cm per character at 9 pt bold in a wide font
    pad = 0.45  # cell margins and a little air
    count = len(spec.headers)

    def longest(i: int, numeric: bool) -> int:
        cells = [len(r.cells[i]) for r in spec.rows if i < len(r.cells)]
        header = spec.headers[i]
        head = max(len(w) for w in header.split()) if numeric else min(len(header), 14)
        return max([head, *cells])

    widths = [0.0] * count
    numeric = [i for i in range(count) if spec.numeric[i]]
    texts = [i for i in range(count) if not spec.numeric[i]]
    for i in numeric:
        widths[i] = max(1.6, per_char * longest(i, True) + pad)
    room = TEXT_WIDTH_CM - sum(widths)
    wants = {i: per_char * min(longest(i, False), 60) + pad for i in texts}
    short = [i for i in texts if wants[i] <= 3.0]  # IDs, years: never squeezed
    for i in short:
        widths[i] = wants[i]
    room -= sum(widths[i] for i in short)
    long = [i for i in texts if i not in short]
    total_want = sum(wants[i] for i in long) or 1.0
    for i in long:
        widths[i] = wants[i] if total_want <= room else max(room * wants[i] / total_want, 1.2)
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
    scale = min(1.0, TEXT_WIDTH_CM / sum(widths))
    return [w * scale for w in widths]


def _cell(row: _Row, index: int, text: str, numeric: bool, bold: bool = False,
          fill: str | None = None, keep: bool = False) -> None:
    cell = row.cells[index]
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.keep_with_next = keep
    run = paragraph.add_run(text)
    run.font.size = Pt(TABLE_PT)
    run.bold = bold
    if fill:
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), fill)
        cell._tc.get_or_add_tcPr().append(shading)


def _borders(table: Table) -> None:
    """Thin grey horizontal rules only, as the printed budget tables have."""
    props = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "bottom", "insideH"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "4")
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), GREY)
        borders.append(element)
    for edge in ("left", "right", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    props.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for edge, width in (("left", "70"), ("right", "70")):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), width)
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    props.append(margins)


def _top_rule(row: _Row) -> None:
    for cell in row.cells:
        props = cell._tc.get_or_add_tcPr()
        borders = OxmlElement("w:tcBorders")
        top = OxmlElement("w:top")
        top.set(qn("w:val"), "single")
        top.set(qn("w:sz"), "8")
        top.set(qn("w:space"), "0")
        top.set(qn("w:color"), "404040")
        borders.append(top)
        props.append(borders)


def _repeat_header(row: _Row) -> None:
    props = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    props.append(element)
    _no_split(row)


def _no_split(row: _Row) -> None:
    props = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    props.append(element)
