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
"""

from __future__ import annotations

import re
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


def _insert_before(xml: str, element: str, followers: tuple[str, ...]) -> str:
    """Insert ``element`` before the first follower present, else before </worksheet>."""
    for name in followers:
        match = re.search(rf"<{name}[\s/>]", xml)
        if match:
            return xml[: match.start()] + element + xml[match.start() :]
    end = xml.rfind("</worksheet>")
    return xml[:end] + element + xml[end:]


def _replace_or_insert(xml: str, name: str, element: str, followers: tuple[str, ...]) -> str:
    pattern = re.compile(rf"<{name}\b[^>]*/>|<{name}\b[^>]*>.*?</{name}>", re.DOTALL)
    if pattern.search(xml):
        return pattern.sub(lambda _m: element, xml, count=1)
    return _insert_before(xml, element, followers) if element else xml


def header_footer(left: str, right: str) -> str:
    """The <headerFooter> element: names in the header, date and page x of y in the footer."""

    def code(text: str) -> str:
        return text.replace("&", "&&")

    head = f'&L&"-,Bold"{code(left)}&R{code(right)}'
    foot = "&LUtskrivet &D&RSida &P av &N"
    return (
        f"<headerFooter><oddHeader>{escape(head)}</oddHeader>"
        f"<oddFooter>{escape(foot)}</oddFooter></headerFooter>"
    )


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
    cols = "".join(
        f'<col min="{c}" max="{c}" width="{w:g}" customWidth="1"/>'
        for c, w in sorted(widths.items())
    )
    xml = _replace_or_insert(xml, "cols", f"<cols>{cols}</cols>", ("sheetData",))
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
