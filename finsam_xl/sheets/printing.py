"""Print setup of the computed sheets, patched into their sheet XML by the zip writer.

Every computed sheet the writer touches gets a page header with the förbund's
name and the document title, and a footer with the date and "Sida x av y", so
the header is current after each recalc (the förbund or the years may have
changed). Sheets whose grid carries column widths (the document sheets) also
get their column widths, an A4 scale chosen so the columns fit the page width
with type no smaller than 8 pt (portrait when that keeps 8 pt, else
landscape), and manual row breaks that keep each group (a Rubrik with its
lines and its Totalt) on one page. Excel ignores manual breaks under "fit to
page", so those sheets use a fixed scale instead.

Only elements of the computed sheet's own part are changed, in the order the
OOXML schema requires.

``refresh_header`` is the one change made to other sheets (the input sheets
Instruktioner and Inställningar carry the same header from ``new``): their
``<oddHeader>`` text is replaced only when it still has the tool's own form
(the förbund's name in bold on the left, "Budget ÅÅÅÅ …" on the right); a
header the user wrote is left as it is, and nothing else of the part changes.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

#: A4 in points and the template's margins (0.7 in left/right, 0.75 in top/bottom).
A4_SHORT, A4_LONG = 595.0, 842.0
MARGIN_X, MARGIN_Y = 2 * 50.4, 2 * 54.0 + 20.0  # header/footer take some of the top/bottom
BASE_FONT_PT = 11.0
MIN_FONT_PT = 8.0
MIN_SCALE = int(-(-MIN_FONT_PT * 100 // BASE_FONT_PT))  # 73 %
PORTRAIT_MIN_SCALE = MIN_SCALE
DEFAULT_ROW_PT = 15.0
#: Column widths are counted in characters of the default font. Calibri is narrow; a
#: machine without it (LibreOffice on a server: DejaVu Sans) draws about 35 % wider,
#: cell padding included, so the scale is chosen for the wider font: columns fit either way.
WIDE_FONT = 1.35

# Elements that may follow <headerFooter>/<rowBreaks> in a worksheet, in schema order.
_AFTER_HEADER = (
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
)
_AFTER_BREAKS = _AFTER_HEADER[2:]
_AFTER_PAGESETUP = ("headerFooter", *_AFTER_HEADER)


def column_points(chars: float) -> float:
    """A column width in characters as points (7 px per character + 5 px, wide-font safe)."""
    return (chars * 7 + 5) * 0.75 * WIDE_FONT


def choose_page(widths: dict[int, float]) -> tuple[bool, int]:
    """(landscape, scale %) for columns of these widths on A4."""
    total = sum(column_points(w) for w in widths.values()) or 1.0
    portrait = min(100, int((A4_SHORT - MARGIN_X) * 100 // total))
    if portrait >= PORTRAIT_MIN_SCALE:
        return False, portrait
    landscape = min(100, int((A4_LONG - MARGIN_X) * 100 // total))
    return True, max(MIN_SCALE, landscape)


def row_breaks(
    last_row: int,
    blocks: list[tuple[int, int]],
    heights: dict[int, float],
    scale: int,
    landscape: bool,
    repeat_rows: int = 1,
) -> list[int]:
    """Rows after which a page ends, so that no block is split when it fits on one page."""
    usable = (A4_SHORT if landscape else A4_LONG) - MARGIN_Y
    capacity = usable * 100 / scale * 0.95  # in unscaled points, with a margin for rounding
    repeat = DEFAULT_ROW_PT * repeat_rows
    starts = {first: last for first, last in blocks}
    breaks: list[int] = []
    used = 0.0
    row = 1
    while row <= last_row:
        block_end = starts.get(row, row)
        height = sum(heights.get(r, DEFAULT_ROW_PT) for r in range(row, block_end + 1))
        if used + height > capacity and used > repeat:
            breaks.append(row - 1)
            used = repeat
        used += height
        row = block_end + 1
    return breaks


#: One token of XML markup: a comment, a PI, a CDATA section, or a start/end/empty tag
#: (attribute values may hold ">", so they are matched as quoted strings).
_TOKEN = re.compile(
    r"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>"
    r"|<(?P<end>/)?(?P<name>[^\s/>!?]+)(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(?P<empty>/)?>",
    re.DOTALL,
)


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _children(xml: str) -> tuple[list[tuple[str, int, int]], int]:
    """The worksheet's own child elements as (local name, start, end), and where it ends.

    Only direct children count: a ``pageSetup`` inside a custom view, an ``extLst`` inside
    a conditional-formatting rule or a ``controls`` inside ``mc:AlternateContent`` are not
    the sheet's. A top-level ``mc:AlternateContent`` takes the name of the first element
    it wraps (Excel wraps ``controls`` and ``oleObjects`` so), which is where it sits in
    the schema's order.
    """
    children: list[tuple[str, int, int]] = []
    depth = 0
    current: list[Any] | None = None  # [name, start] of the open child
    pos = 0
    while (token := _TOKEN.search(xml, pos)) is not None:
        pos = token.end()
        name = token.group("name")
        if name is None:
            continue
        local = _local(name)
        if token.group("end"):
            depth -= 1
            if depth == 1 and current is not None:
                children.append((current[0], current[1], token.end()))
                current = None
            elif depth == 0:
                return children, token.start()
            continue
        if depth == 1:
            if token.group("empty"):
                children.append((local, token.start(), token.end()))
                continue
            current = [local, token.start()]
            if local == "sheetData":
                # The bulk of the sheet, and it holds no sheetData: skip to its end tag.
                close = xml.find(f"</{name}>", pos)
                if close >= 0:
                    pos = close
        elif depth >= 2 and current is not None and current[0] == "AlternateContent":
            if local not in ("Choice", "Fallback", "AlternateContent"):
                current[0] = local
        if not token.group("empty"):
            depth += 1
    raise ValueError("worksheet XML without its end tag")


def _replace_or_insert(xml: str, name: str, element: str, followers: tuple[str, ...]) -> str:
    """Replace the sheet's own ``name`` element by ``element`` ("" removes it), or insert
    ``element`` before the first of ``followers`` the sheet has (else at its end), so the
    children stay in the order CT_Worksheet requires."""
    children, end = _children(xml)
    for local, start, stop in children:
        if local == name:
            return xml[:start] + element + xml[stop:]
    if not element:
        return xml
    for local, start, _stop in children:
        if local in followers:
            return xml[:start] + element + xml[start:]
    return xml[:end] + element + xml[end:]


def header_footer(left: str, right: str) -> str:
    """The <headerFooter> element: names in the header, date and page x of y in the footer."""

    head = header_text(left, right)
    foot = "&LUtskrivet &D&RSida &P av &N"
    return (
        f"<headerFooter><oddHeader>{escape(head)}</oddHeader>"
        f"<oddFooter>{escape(foot)}</oddFooter></headerFooter>"
    )


def patch_columns(xml: str, widths: dict[int, float]) -> str:
    """Set the column widths only (a sheet that keeps its own print setup, fit to width)."""
    cols = "".join(
        f'<col min="{c}" max="{c}" width="{w:g}" customWidth="1"/>'
        for c, w in sorted(widths.items())
    )
    return _replace_or_insert(xml, "cols", f"<cols>{cols}</cols>", ("sheetData",))


#: The header ``new`` and this module write: name in bold left, the table title right.
_TOOL_HEADER = re.compile(r'^&L&"-,Bold"(?P<left>.*)&R(?P<right>Budget \d{4}.*)$', re.DOTALL)
_ODD_HEADER = re.compile(r"<oddHeader>(?P<text>[^<]*)</oddHeader>")


def header_text(left: str, right: str) -> str:
    """The page header's code: the förbund's name in bold on the left, the title on the right."""

    def code(text: str) -> str:
        return text.replace("&", "&&")

    return f'&L&"-,Bold"{code(left)}&R{code(right)}'


def refresh_header(xml: str, left: str, right: str) -> str:
    """Bring a sheet's page header up to date when it still has the tool's own form.

    Returns ``xml`` unchanged (the same object) when the sheet has no such header
    or it is already current.
    """
    from html import unescape  # XML's entities and character references (&#246;)

    match = _ODD_HEADER.search(xml)
    if match is None:
        return xml
    current = unescape(match.group("text"))
    wanted = header_text(left, right)
    if current == wanted or not _TOOL_HEADER.match(current):
        return xml
    return xml[: match.start("text")] + escape(wanted) + xml[match.end("text") :]


def patch_print(
    xml: str,
    header_left: str,
    header_right: str,
    widths: dict[int, float] | None = None,
    blocks: list[tuple[int, int]] | None = None,
    heights: dict[int, float] | None = None,
    last_row: int = 0,
) -> str:
    """Set the header/footer and, for sheets with ``widths``, columns, scale and row breaks."""
    xml = _replace_or_insert(
        xml, "headerFooter", header_footer(header_left, header_right), _AFTER_HEADER
    )
    if not widths:
        return xml
    xml = patch_columns(xml, widths)
    landscape, scale = choose_page(widths)
    setup = (
        f'<pageSetup paperSize="9" scale="{scale}" '
        f'orientation="{"landscape" if landscape else "portrait"}"/>'
    )
    xml = _replace_or_insert(xml, "pageSetup", setup, _AFTER_PAGESETUP)
    xml = xml.replace('fitToPage="1"', 'fitToPage="0"')
    breaks = row_breaks(last_row, blocks or [], heights or {}, scale, landscape)
    element = ""
    if breaks:
        brk = "".join(f'<brk id="{r}" max="16383" man="1"/>' for r in breaks)
        n = len(breaks)
        element = f'<rowBreaks count="{n}" manualBreakCount="{n}">{brk}</rowBreaks>'
    return _replace_or_insert(xml, "rowBreaks", element, _AFTER_BREAKS)
