"""Inserting columns into a worksheet, and moving every reference that points past them.

openpyxl's ``insert_cols`` moves cells only. ``ColumnShift`` also moves what
refers to the columns to the right: tables, validations, conditional formats,
merged cells, widths, freeze panes, print areas, hyperlinks, chart series,
defined names and the formulas on every sheet. Next year's workbook uses it
when the plan gains a year column; recalc uses it (and its deleting form, a
negative ``count``) when the year settings changed (``editor.YearRealigner``).
``rename_structured`` renames a table's columns in structured references
(``Rader[2025]``) on every sheet, so formulas follow a renamed year heading.
"""

from __future__ import annotations

import re
from copy import copy
from dataclasses import dataclass, field
from typing import Any

from finsam_xl.xlsx.cells import col_index, col_letters, parse_range, put


def set_table_ref(table: Any, r1: int, c1: int, r2: int, c2: int) -> None:
    """Move or resize an openpyxl table (and its autofilter, which excludes a totals row)."""
    table.ref = f"{col_letters(c1)}{r1}:{col_letters(c2)}{r2}"
    if table.autoFilter is not None:
        last = r2 - (table.totalsRowCount or 0)
        table.autoFilter.ref = f"{col_letters(c1)}{r1}:{col_letters(c2)}{last}"


_PART = re.compile(r"^(\$?)([A-Za-z]{1,3})?(\$?)(\d+)?$")


def shift_address(address: str, at: int, count: int) -> str:
    """Shift the columns of an A1 reference ('H4', '$H$4:$K$9', 'H:K') that lie at or after ``at``.

    A range that starts before ``at`` and ends at or after it grows; anything
    that is not a plain A1 reference is returned unchanged.
    """
    pieces = address.split(":")
    if len(pieces) > 2:
        return address
    parsed = []
    for piece in pieces:
        match = _PART.match(piece)
        if not match or not (match.group(2) or match.group(4)):
            return address
        if len(pieces) == 1 and not (match.group(2) and match.group(4)):
            return address  # a lone 'H' or '4' is a name or a number, not a reference
        parsed.append(match)
    out = []
    for match in parsed:
        dollar_c, letters, dollar_r, digits = match.groups()
        if letters:
            col = col_index(letters)
            if col >= at:
                col += count
            letters = col_letters(col)
        out.append(f"{dollar_c}{letters or ''}{dollar_r}{digits or ''}")
    return ":".join(out)


def _unquote(sheet: str) -> str:
    if sheet.startswith("'") and sheet.endswith("'"):
        return sheet[1:-1].replace("''", "'")
    return sheet


def shift_reference(ref: str, host: str | None, target: str, at: int, count: int) -> str:
    """Shift one reference token ('Rader!H4', "'Rader'!$H:$H", 'H4' on the host sheet)."""
    sheet, bang, address = ref.rpartition("!")
    if bang:
        if sheet.startswith("[") or ":" in sheet.strip("'"):
            return ref  # external or 3D references are left alone
        if _unquote(sheet) != target:
            return ref
    elif host != target:
        return ref
    return f"{sheet}{bang}{shift_address(address, at, count)}"


def shift_formula(formula: str, host: str | None, target: str, at: int, count: int) -> str:
    """A formula ('=...' or without '=') with its references into ``target`` shifted."""
    from openpyxl.formula.tokenizer import Token, Tokenizer

    text = formula if formula.startswith("=") else "=" + formula
    try:
        tokens = Tokenizer(text)
    except Exception:  # an unparsable formula is left as it is
        return formula
    changed = False
    for token in tokens.items:
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            moved = shift_reference(token.value, host, target, at, count)
            if moved != token.value:
                token.value, changed = moved, True
    if not changed:
        return formula
    rendered = str(tokens.render())
    return rendered if formula.startswith("=") else rendered[1:]


def _shift_sqref(text: str, at: int, count: int) -> str:
    return " ".join(shift_address(part, at, count) for part in str(text).split())


@dataclass
class ColumnShift:
    """Moves everything that refers to columns ``at``.. of ``ws`` by ``count``."""

    wb: Any
    ws: Any
    at: int
    count: int
    title: str = field(init=False)

    def __post_init__(self) -> None:
        self.title = self.ws.title

    def formula(self, text: str, host: str | None) -> str:
        """A formula on sheet ``host`` with its references into the shifted sheet moved."""
        return shift_formula(text, host, self.title, self.at, self.count)

    def apply(self, skip: Any = None) -> None:
        """Insert the columns and repair what openpyxl's ``insert_cols`` leaves behind.

        A negative ``count`` deletes the columns ``at + count`` .. ``at - 1`` instead and
        moves what lies from ``at`` on to the left (the caller shrinks the table ``skip``).
        A reference into a deleted column is not repaired: delete only empty columns.
        """
        ws, at, n = self.ws, self.at, self.count
        if n < 0:
            ws.delete_cols(at + n, -n)
        else:
            ws.insert_cols(at, n)
        for cell in _cells(ws):
            if cell.hyperlink is not None:
                cell.hyperlink.ref = cell.coordinate
        for table in ws.tables.values():
            if table is skip:
                continue
            _, c1, _, c2 = parse_range(table.ref)
            if c1 < at <= c2:
                grow_table(ws, table, at, n)  # another table across the new columns
            else:
                table.ref = _shift_sqref(table.ref, at, n)
                if table.autoFilter is not None and table.autoFilter.ref:
                    table.autoFilter.ref = _shift_sqref(table.autoFilter.ref, at, n)
        for dv in ws.data_validations.dataValidation:
            dv.sqref = _shift_sqref(str(dv.sqref), at, n)
        self._conditional_formats()
        from openpyxl.worksheet.cell_range import CellRange

        merged = [str(m) for m in ws.merged_cells.ranges]
        for text in merged:
            ws.merged_cells.remove(text)
        for text in merged:
            ws.merged_cells.add(CellRange(_shift_sqref(text, at, n)))
        self._column_widths()
        if ws.freeze_panes:
            ws.freeze_panes = shift_address(ws.freeze_panes, at, n)
        if ws.auto_filter.ref:
            ws.auto_filter.ref = _shift_sqref(ws.auto_filter.ref, at, n)
        if ws.print_area:
            ws.print_area = ",".join(
                shift_address(a.rpartition("!")[2], at, n) for a in str(ws.print_area).split(",")
            )
        self._formulas_everywhere()

    def _conditional_formats(self) -> None:
        from openpyxl.formatting.formatting import ConditionalFormatting

        cf_list = self.ws.conditional_formatting
        rebuilt: dict[Any, list[Any]] = {}
        for cf in list(cf_list):
            new = ConditionalFormatting(
                sqref=_shift_sqref(str(cf.sqref), self.at, self.count), pivot=cf.pivot
            )
            for rule in cf.rules:
                rule.formula = [self.formula(f, self.title) for f in (rule.formula or [])]
            rebuilt.setdefault(new, []).extend(cf.rules)
        cf_list._cf_rules.clear()
        cf_list._cf_rules.update(rebuilt)

    def _column_widths(self) -> None:
        from openpyxl.utils import get_column_letter

        dims = self.ws.column_dimensions
        entries = []
        for key in list(dims.keys()):
            dim = dims[key]
            lo = int(dim.min or col_index(str(dim.index)))
            hi = int(dim.max or lo)
            entries.append((dim, lo, hi))
            del dims[key]
        for dim, lo, hi in entries:
            if self.count < 0 and self.at + self.count <= lo and hi < self.at:
                continue  # the width of a deleted column
            if lo >= self.at:
                lo, hi = lo + self.count, hi + self.count
            elif hi >= self.at:
                hi += self.count
            dim.min, dim.max = lo, hi
            dim.index = get_column_letter(lo)
            dims[dim.index] = dim

    def _formulas_everywhere(self) -> None:
        for sheet in self.wb.worksheets:
            self._cell_formulas(sheet)
            for dv in sheet.data_validations.dataValidation:
                dv.formula1 = dv.formula1 and self.formula(dv.formula1, sheet.title)
                dv.formula2 = dv.formula2 and self.formula(dv.formula2, sheet.title)
            if sheet is not self.ws:  # this sheet's were shifted with its ranges
                for cf in sheet.conditional_formatting:
                    for rule in cf.rules:
                        rule.formula = [self.formula(f, sheet.title) for f in (rule.formula or [])]
            self._chart_references(sheet)
            for defined in sheet.defined_names.values():
                defined.attr_text = self.formula(str(defined.attr_text), None)
        for defined in self.wb.defined_names.values():
            defined.attr_text = self.formula(str(defined.attr_text), None)

    def _cell_formulas(self, sheet: Any) -> None:
        """The formulas, array formulas and hyperlink locations of a sheet's cells."""
        from openpyxl.worksheet.formula import ArrayFormula

        for cell in _cells(sheet):
            value = cell.value
            if isinstance(value, str) and cell.data_type == "f":  # text "=…" stays text
                put(cell, self.formula(value, sheet.title), formula=True)
            elif isinstance(value, ArrayFormula):
                value.text = self.formula(value.text, sheet.title)
                if sheet is self.ws:
                    value.ref = _shift_sqref(value.ref, self.at, self.count)
            link = cell.hyperlink
            if link is not None and link.location:
                link.location = shift_reference(
                    link.location, sheet.title, self.title, self.at, self.count
                )

    def _chart_references(self, sheet: Any) -> None:
        """The ranges a sheet's charts draw (values, categories, series names)."""
        for chart in getattr(sheet, "_charts", []):
            for series in chart.series:
                for part in (series.val, series.cat, series.tx):
                    ref = None
                    if part is not None:
                        ref = getattr(part, "numRef", None) or getattr(part, "strRef", None)
                    if ref is not None and ref.f:
                        ref.f = self.formula(ref.f, None)


def grow_table(ws: Any, table: Any, at: int, count: int) -> None:
    """Widen a table over ``count`` columns just inserted at ``at`` (cells already moved).

    The new columns get unique placeholder headers (the caller may rename them)
    and the formats of the column to their left.
    """
    from openpyxl.worksheet.table import TableColumn

    r1, c1, r2, c2 = parse_range(table.ref)
    next_id = max((c.id for c in table.tableColumns), default=0) + 1
    names = {str(c.name) for c in table.tableColumns}
    for i in range(count):
        name, n = f"Kolumn{next_id + i}", next_id + i
        while name in names:
            n += 1
            name = f"Kolumn{n}"
        names.add(name)
        table.tableColumns.insert(at - c1 + i, TableColumn(id=next_id + i, name=name))
        if table.headerRowCount != 0:
            put(ws.cell(r1, at + i), name)
    set_table_ref(table, r1, c1, r2, c2 + count)
    for col in range(at, at + count):
        for row in range(r1, r2 + 1):
            ws.cell(row, col)._style = copy(ws.cell(row, at - 1)._style)


def shrink_table(ws: Any, table: Any, col: int) -> None:
    """Remove the table column at sheet column ``col`` (its cells already deleted)."""
    r1, c1, r2, c2 = parse_range(table.ref)
    del table.tableColumns[col - c1]
    set_table_ref(table, r1, c1, r2, c2 - 1)


def _close(text: str, start: int) -> int:
    """The index just past the bracket that closes the one at ``start`` (or len(text))."""
    depth = 0
    i = start
    while i < len(text):
        char = text[i]
        if char == "'" and i + 1 < len(text):  # an escaped character in a column name
            i += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


def _rename_specifier(spec: str, names: dict[str, str]) -> str:
    """'[2025]' or '[[#This Row],[2025]]' with its column names renamed."""
    inner = spec[1:-1]
    if "[" not in inner:
        if inner.startswith("#"):
            return spec
        return "[" + names.get(inner.strip().casefold(), inner) + "]"
    return re.sub(
        r"\[([^\[\]#][^\[\]]*)\]",
        lambda m: "[" + names.get(m.group(1).strip().casefold(), m.group(1)) + "]",
        spec,
    )


def rename_structured(formula: str, table: str, renames: dict[str, str]) -> str:
    """A formula with the columns of ``table`` renamed in its structured references.

    All renames apply at once (2025->2026 and 2026->2027 do not chain); names
    compare as Excel compares them, case-insensitively. Text in quotes is left alone.
    """
    names = {old.casefold(): new for old, new in renames.items()}
    pattern = re.compile(r"(?<![\w.])" + re.escape(table) + r"\[", re.IGNORECASE)
    out: list[str] = []
    pos = 0
    for quoted in re.finditer(r'"(?:[^"]|"")*"|$', formula):
        chunk = formula[pos : quoted.start()]
        rebuilt, i = [], 0
        for match in pattern.finditer(chunk):
            if match.start() < i:
                continue
            bracket = match.end() - 1
            end = _close(chunk, bracket)
            rebuilt.append(chunk[i:bracket])
            rebuilt.append(_rename_specifier(chunk[bracket:end], names))
            i = end
        rebuilt.append(chunk[i:])
        out.append("".join(rebuilt))
        out.append(quoted.group(0))
        pos = quoted.end()
    return "".join(out)


def rename_everywhere(wb: Any, table: str, renames: dict[str, str]) -> None:
    """Rename ``table``'s columns in the structured references of every formula and name."""
    from openpyxl.worksheet.formula import ArrayFormula

    if not renames:
        return
    for sheet in wb.worksheets:
        for cell in _cells(sheet):
            value = cell.value
            if isinstance(value, str) and cell.data_type == "f":
                moved = rename_structured(value, table, renames)
                if moved != value:
                    put(cell, moved, formula=True)
            elif isinstance(value, ArrayFormula) and value.text:
                value.text = rename_structured(value.text, table, renames)
        for dv in sheet.data_validations.dataValidation:
            dv.formula1 = dv.formula1 and rename_structured(dv.formula1, table, renames)
            dv.formula2 = dv.formula2 and rename_structured(dv.formula2, table, renames)
        for cf in sheet.conditional_formatting:
            for rule in cf.rules:
                rule.formula = [rename_structured(f, table, renames) for f in rule.formula or []]
        for defined in sheet.defined_names.values():
            defined.attr_text = rename_structured(str(defined.attr_text), table, renames)
    for defined in wb.defined_names.values():
        defined.attr_text = rename_structured(str(defined.attr_text), table, renames)


def _cells(ws: Any) -> list[Any]:
    return list(ws._cells.values())
