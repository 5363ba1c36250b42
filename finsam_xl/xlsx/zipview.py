"""A read-only BookView straight from the package's XML: fast, and the cached values for free.

openpyxl's full load builds an object per cell and every style of every sheet,
then a second, read-only load for the cached formula results. The reader needs
neither: it reads the input tables' cells. ``ZipBookView`` parses a sheet's
``<sheetData>`` only when the reader first asks for one of its cells, and keeps
each cell's raw value (a formula cell as a ``views.Formula``, '=...' as openpyxl
gives it; text that starts with '=' stays text) and
its cached result (``<v>`` of a formula cell) from the same pass.

Values are typed as openpyxl types them: shared and inline strings (rich text
joined), numbers as int or float, booleans, error codes as text, and numbers
with a date or time format as ``datetime``/``time`` (the workbook's 1900 or
1904 date system). ``tests/workbook/test_zipview.py`` reads the same
workbooks through both views and compares the budgets and findings.

The package must have passed ``safety.inspect_package`` (size, ratio, no
DOCTYPE) before it is parsed here; ``open_zip_view`` does that.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from finsam_xl.xlsx.cells import col_index, col_letters
from finsam_xl.xlsx.limits import WorkbookError
from finsam_xl.xlsx.package import NS_MAIN, Package, table_parts
from finsam_xl.xlsx.safety import inspect_package
from finsam_xl.xlsx.views import Formula, SheetView, TableInfo

_M = f"{{{NS_MAIN}}}"
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_C, _V, _F, _IS, _ROW = f"{_M}c", f"{_M}v", f"{_M}f", f"{_M}is", f"{_M}row"

# The fast path's patterns. A sheet qualifies when its root element uses the main
# namespace as the default (no prefixes on cells) and it holds no CDATA or
# comments; anything else goes through the XML parser.
_PLAIN = re.compile(r'<worksheet\b[^>]*\bxmlns="' + re.escape(NS_MAIN) + '"')
_UNUSUAL = re.compile(r"<!\[CDATA\[|<!--|<\w+:c\b")
_CELL_SCAN = re.compile(r"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
#: A cell as Excel, LibreOffice, XlsxWriter and openpyxl write it: r, then s, then t.
_FAST_CELL = re.compile(
    r'<c r="([A-Z]{1,3})(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?\s*(?:/>|>(.*?)</c>)', re.S
)
_ATTR = re.compile(r'\b([a-zA-Z]+)="([^"]*)"')
_V_SCAN = re.compile(r"<v>(.*?)</v>", re.S)
_F_SCAN = re.compile(r"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
_IS_SCAN = re.compile(r"<is>(.*?)</is>", re.S)
_T_SCAN = re.compile(r"<t\b[^>]*?(?:/>|>(.*?)</t>)", re.S)
_RPH_SCAN = re.compile(r"<rPh\b.*?</rPh>", re.S)
_MERGE_SCAN = re.compile(r'<mergeCell\b[^>]*?\bref="([^"]*)"')
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unescape(text: str) -> str:
    """XML's predefined entities and character references."""
    if "&" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name[0] == "#":
            return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
        return _NAMED[name]

    return _ENTITY.sub(one, text)


def _scan_text(inner: str) -> str:
    """The text of an inline string's inner XML (phonetic runs left out)."""
    if "<rPh" in inner:
        inner = _RPH_SCAN.sub("", inner)
    return "".join(_unescape(t or "") for t in _T_SCAN.findall(inner))


#: What a damaged part raises while it is parsed.
_BROKEN = (ET.ParseError, UnicodeDecodeError, ValueError, KeyError, zipfile.BadZipFile)

_COLUMNS: dict[str, int] = {}


def _col(letters: str) -> int:
    """col_index, remembered (a sheet names the same few columns thousands of times)."""
    found = _COLUMNS.get(letters)
    if found is None:
        found = _COLUMNS[letters] = col_index(letters)
    return found


def _text(element: ET.Element | None) -> str:
    """The text of an ``<si>`` or ``<is>``: plain ``<t>`` or its rich-text runs joined."""
    if element is None:
        return ""
    direct = element.find(f"{_M}t")
    if direct is not None:
        return direct.text or ""
    return "".join(r.findtext(f"{_M}t") or "" for r in element.findall(f"{_M}r"))


class _Styles:
    """Which cell style ids carry a date (and which a duration) number format, as openpyxl."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.dates: set[int] = set()
        self.durations: set[int] = set()
        try:
            root = ET.fromstring(archive.read("xl/styles.xml"))
        except KeyError:
            return
        formats = root.find(f"{_M}numFmts")  # not the numFmt of conditional formats (dxf)
        custom = {
            int(f.get("numFmtId", "0")): f.get("formatCode", "")
            for f in ([] if formats is None else formats.findall(f"{_M}numFmt"))
        }
        xfs = root.find(f"{_M}cellXfs")
        for index, xf in enumerate([] if xfs is None else xfs.findall(f"{_M}xf")):
            fmt_id = int(xf.get("numFmtId", "0"))
            code = custom[fmt_id] if fmt_id in custom else builtin_format_code(fmt_id)
            if code and is_date_format(code):
                self.dates.add(index)
            if code and is_timedelta_format(code):
                self.durations.add(index)


class ZipSheet:
    """SheetView over one worksheet part; its cells are parsed on first use."""

    def __init__(self, view: ZipBookView, title: str, part: str) -> None:
        self.view = view
        self._title = title
        self.part = part
        self._values: dict[tuple[int, int], Any] | None = None
        self.cached_values: dict[tuple[int, int], Any] = {}
        self._merged: list[tuple[int, int, int, int]] = []
        self._tables: list[TableInfo] | None = None
        self._masters: dict[str, Any] = {}
        self._last: dict[int, int] | None = None

    @property
    def title(self) -> str:
        """The sheet's name."""
        return self._title

    def value(self, row: int, col: int) -> Any:
        """The raw value of a cell (1-based); formulas as '=...' text."""
        return self.cells().get((row, col))

    def row_values(self, row: int, first_col: int, last_col: int) -> list[Any]:
        """``value`` of each cell of a row from ``first_col`` to ``last_col``."""
        cells = self.cells()
        return [cells.get((row, col)) for col in range(first_col, last_col + 1)]

    def merged(self) -> list[tuple[int, int, int, int]]:
        """Merged ranges as (first_row, first_col, last_row, last_col)."""
        self.cells()
        return self._merged

    def last_row(self, first_col: int, last_col: int) -> int:
        """The last row with a value in columns first_col..last_col (0 if none)."""
        if self._last is None:
            last: dict[int, int] = {}
            for (row, col), value in self.cells().items():
                if value not in (None, "") and row > last.get(col, 0):
                    last[col] = row
            self._last = last
        return max((r for c, r in self._last.items() if first_col <= c <= last_col), default=0)

    def last_col(self) -> int:
        """The last column with a value anywhere on the sheet (0 if none)."""
        self.last_row(1, 1)
        return max(self._last or {0: 0})

    def tables(self) -> list[TableInfo]:
        """The sheet's tables, from its relationships (the cells are not parsed for this)."""
        if self._tables is None:
            try:
                self._tables = self.view.tables_of(self.part)
            except _BROKEN as error:
                raise WorkbookError(
                    f"{self.view.path.name}: tabellerna på bladet '{self._title}' kan inte läsas "
                    f"({error}); filen är skadad. Öppna och spara den i Excel."
                ) from None
        return self._tables

    def cells(self) -> dict[tuple[int, int], Any]:
        """Every non-empty cell's raw value, parsed once; a broken part is a WorkbookError."""
        if self._values is None:
            values: dict[tuple[int, int], Any] = {}
            try:
                self._parse(values)
            except _BROKEN as error:
                raise WorkbookError(
                    f"{self.view.path.name}: bladet '{self._title}' kan inte läsas "
                    f"({self.part}: {error}); filen är skadad. Öppna och spara den i Excel."
                ) from None
            self._values = values
        return self._values

    def _parse(self, values: dict[tuple[int, int], Any]) -> None:
        """Scan the part with regular expressions when it is plain; otherwise parse it as XML."""
        with self.view.archive.open(self.part) as data:
            text = data.read().decode("utf-8")
        if _PLAIN.search(text[:2000]) and not _UNUSUAL.search(text) and self._scan(text, values):
            return
        values.clear()
        self._merged.clear()
        self._masters.clear()
        self.cached_values.clear()
        self._iterparse(values)

    def _scan(self, text: str, values: dict[tuple[int, int], Any]) -> bool:
        """The fast path: cells found by pattern, as Excel, LibreOffice and XlsxWriter write them.

        Returns False (and the XML parser is used) for anything unexpected, such
        as a cell without its reference.
        """
        cells = _FAST_CELL.findall(text)
        if len(cells) == text.count("<c ") + text.count("<c>"):
            found_cells = [(c, r, s, t, inner) for c, r, s, t, inner in cells]
        else:  # attributes in another order or form: one generic pattern per cell
            found_cells = []
            for match in _CELL_SCAN.finditer(text):
                attrs = dict(_ATTR.findall(match.group(1)))
                ref = _CELL_REF.match(attrs.get("r", ""))
                if ref is None:
                    return False
                found_cells.append(
                    (
                        ref.group(1),
                        ref.group(2),
                        attrs.get("s", ""),
                        attrs.get("t", ""),
                        match.group(3) or "",
                    )
                )
        for letters, digits, style, kind, inner in found_cells:
            key = (int(digits), _col(letters))
            kind = kind or "n"
            value: Any = None
            if kind == "inlineStr":
                found = _IS_SCAN.search(inner)
                value = _scan_text(found.group(1)) if found else None
            else:
                if inner.startswith("<v>") and inner.endswith("</v>") and "<" not in inner[3:-4]:
                    raw: str | None = _unescape(inner[3:-4]) or None
                else:
                    match_v = _V_SCAN.search(inner)
                    raw = _unescape(match_v.group(1)) if match_v and match_v.group(1) else None
                value = self._typed(kind, raw, style)
            formula = _F_SCAN.search(inner) if "<f" in inner else None
            if formula is not None:
                self.cached_values[key] = value
                f_attrs = dict(_ATTR.findall(formula.group(1)))
                body = _unescape(formula.group(2) or "")
                values[key] = self._formula_text(body, f_attrs.get("t"), f_attrs.get("si"), key)
            elif value is not None:
                values[key] = value
        for ref in _MERGE_SCAN.findall(text):
            self._merge(ref)
        return True

    def _typed(self, kind: str, raw: str | None, style: str | None) -> Any:
        """A cell's value from its type and ``<v>`` text, as openpyxl types it."""
        if raw is None:
            return None
        if kind == "n":
            return self.view.number(raw, int(style or 0))
        if kind == "s":
            return self.view.shared_string(raw)
        if kind == "b":
            return bool(int(raw)) if raw.lstrip("-").isdigit() else raw == "true"
        if kind == "d":
            return from_ISO8601(raw)
        return raw

    def _iterparse(self, values: dict[tuple[int, int], Any]) -> None:
        row, col = 0, 0
        with self.view.archive.open(self.part) as data:
            for event, element in ET.iterparse(data, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    if tag == _ROW:
                        row, col = int(element.get("r") or row + 1), 0
                    continue
                if tag == _C:
                    ref = element.get("r")
                    match = _CELL_REF.match(ref) if ref else None
                    if match:
                        row, col = int(match.group(2)), col_index(match.group(1))
                    else:
                        col += 1
                    self._cell(element, (row, col), values)
                    element.clear()
                elif tag == _ROW:
                    element.clear()
                elif tag == f"{_M}mergeCell":
                    self._merge(element.get("ref", ""))

    def _merge(self, ref: str) -> None:
        first, _, last = ref.partition(":")
        a, b = _CELL_REF.match(first), _CELL_REF.match(last or first)
        if a and b:
            self._merged.append(
                (int(a.group(2)), col_index(a.group(1)), int(b.group(2)), col_index(b.group(1)))
            )

    def _cell(
        self, c: ET.Element, key: tuple[int, int], values: dict[tuple[int, int], Any]
    ) -> None:
        """One ``<c>``: its value typed as openpyxl types it, formulas as '=...'."""
        kind = c.get("t", "n")
        value: Any
        if kind == "inlineStr":
            value = _text(c.find(_IS)) if c.find(_IS) is not None else None
        else:
            value = self._typed(kind, c.findtext(_V) or None, c.get("s"))
        formula = c.find(_F)
        if formula is not None:
            self.cached_values[key] = value
            values[key] = self._formula_text(
                formula.text or "", formula.get("t"), formula.get("si"), key
            )
        elif value is not None:
            values[key] = value

    def _formula_text(
        self, body: str, kind: str | None, index: str | None, key: tuple[int, int]
    ) -> Formula:
        """The formula text as openpyxl gives it (a shared formula translated to its cell)."""
        text = Formula("=" + body)
        if kind != "shared":
            return text
        index = index or ""
        coordinate = f"{col_letters(key[1])}{key[0]}"
        master = self._masters.get(index)
        if master is not None:
            return Formula(master.translate_formula(coordinate))
        if text != "=":
            from openpyxl.formula.translate import Translator

            self._masters[index] = Translator(text, coordinate)
        return text


class ZipBookView:
    """BookView over a package on disk, parsed with the standard library's ElementTree."""

    def __init__(self, path: Path, archive: zipfile.ZipFile) -> None:
        self.path = path
        self.archive = archive
        self.package = Package.read(archive)
        self._strings: list[str] | None = None
        self._styles: _Styles | None = None
        workbook = ET.fromstring(archive.read("xl/workbook.xml"))
        pr = workbook.find(f"{_M}workbookPr")
        self.epoch = (
            MAC_EPOCH if pr is not None and pr.get("date1904") in ("1", "true") else WINDOWS_EPOCH
        )
        self._sheets = [ZipSheet(self, t, p) for t, p in self.package.sheet_parts.items()]

    # -- BookView -------------------------------------------------------------------------
    def sheets(self) -> list[SheetView]:
        """Every worksheet (chart sheets and dialog sheets are left out, as openpyxl does)."""
        return [s for s in self._sheets if "/worksheets/" in s.part]

    def defined_name(self, name: str) -> str | None:
        """A workbook-level defined name's formula text."""
        return self.package.names.get(name)

    def cached(self, sheet: str, row: int, col: int) -> Any:
        """The cached result of a formula cell, from the same parse as its formula."""
        for s in self._sheets:
            if s.title == sheet:
                s.value(row, col)
                return s.cached_values.get((row, col))
        return None

    # -- parts --------------------------------------------------------------------------------
    def shared_string(self, index: str | None) -> str | None:
        """The shared string at ``index``."""
        if self._strings is None:
            self._strings = []
            try:
                root = ET.fromstring(self.archive.read("xl/sharedStrings.xml"))
            except KeyError:
                root = None
            if root is not None:
                self._strings = [_text(si) for si in root.findall(f"{_M}si")]
        try:
            return self._strings[int(index or "")]
        except (ValueError, IndexError):
            return None

    def number(self, raw: str, style: int) -> Any:
        """A numeric cell as openpyxl gives it: int, float, or a date, time or duration."""
        try:
            number: int | float = float(raw) if any(c in raw for c in ".Ee") else int(raw)
        except ValueError:
            return raw
        if self._styles is None:
            self._styles = _Styles(self.archive)
        if style not in self._styles.dates:
            return number
        try:
            return from_excel(number, self.epoch, timedelta=style in self._styles.durations)
        except (OverflowError, ValueError):
            return "#VALUE!"

    def tables_of(self, part: str) -> list[TableInfo]:
        """The tables a sheet part points to through its relationships."""
        return [
            TableInfo(
                table.get("displayName") or table.get("name") or "",
                table.get("ref", ""),
                int(table.get("totalsRowCount") or 0),
            )
            for table in table_parts(self.archive, part)
        ]


def open_zip_view(path: Path) -> ZipBookView:
    """Check the package (``inspect_package``) and open it as a ZipBookView."""
    inspect_package(path)
    try:
        archive = zipfile.ZipFile(path)
        return ZipBookView(path, archive)
    except (zipfile.BadZipFile, KeyError, ET.ParseError) as error:
        raise WorkbookError(
            f"{path}: filen kan inte läsas som Excel-arbetsbok ({type(error).__name__}: {error})."
        ) from None


__all__ = ["ZipBookView", "ZipSheet", "open_zip_view"]
