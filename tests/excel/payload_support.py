"""Build the request body xlwings' VBA client (Remote.bas) would POST for a workbook file.

The shape and the JSON text follow Remote.bas L90-258 and WebHelpers.ConvertToJson
(see tests/data/remote/README.md): compact JSON, keys in the client's order, pure
ASCII with upper-case \\uXXXX escapes, numbers as VBA's CStr, dates as
"yyyy-mm-ddTHH:MM:SS.000Z", error cells as their text, values from A1 to the
last used cell, names only where RefersToRange works (sorted like Excel's Names).
Cached values stand in for what Excel computes (the files here have them).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

_LARGE_NUMBER_TEXT = re.compile(r"^[0-9.Ee]{16,100}$")


def vba_number(x: int | float) -> str:
    """VBA CStr of a Double with ',' turned into '.' (15 significant digits)."""
    if isinstance(x, int) and abs(x) < 10**15:
        return str(x)
    f = float(x)
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return f"{f:.15G}"


def vba_string(text: str) -> str:
    out = ['"']
    for unit in _utf16_units(text):
        ch = chr(unit)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\f\n\r\t":
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif unit < 32 or unit >= 127:
            out.append(f"\\u{unit:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _utf16_units(text: str) -> list[int]:
    data = text.encode("utf-16-le")
    return [int.from_bytes(data[i : i + 2], "little") for i in range(0, len(data), 2)]


def vba_json(value: Any) -> str:
    """WebHelpers.ConvertToJson for the types a payload holds."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return vba_number(value)
    if isinstance(value, datetime):
        return '"' + value.strftime("%Y-%m-%dT%H:%M:%S") + '.000Z"'
    if isinstance(value, date):
        return '"' + value.strftime("%Y-%m-%d") + 'T00:00:00.000Z"'
    if isinstance(value, time):
        return '"1899-12-30T' + value.strftime("%H:%M:%S") + '.000Z"'
    if isinstance(value, str):
        if _LARGE_NUMBER_TEXT.match(value):
            return value  # the client writes such text unquoted
        return vba_string(value)
    if isinstance(value, list):
        return "[" + ",".join(vba_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(vba_string(k) + ":" + vba_json(v) for k, v in value.items()) + "}"
    raise TypeError(type(value))


def _abs(ref: str) -> str:
    c1, r1, c2, r2 = range_boundaries(ref)
    from openpyxl.utils import get_column_letter as L

    first = f"${L(c1)}${r1}"
    return first if (c1, r1) == (c2, r2) else f"{first}:${L(c2)}${r2}"


def _rel(ref: str) -> str:
    return ref.replace("$", "")


def payload_dict(
    path: Path,
    version: str = "0.37.8",
    active: int = 0,
    selection: str | None = "A1",
    exclude: tuple[str, ...] = (),
    name: str | None = None,
) -> dict[str, Any]:
    """The payload of ``path`` as a dict in the client's key order."""
    wb = load_workbook(path, data_only=True)
    index = {ws.title: i for i, ws in enumerate(wb.worksheets)}
    names: list[dict[str, Any]] = []
    for defined_name, defined in wb.defined_names.items():
        dests = list(defined.destinations)
        if len(dests) != 1:
            continue  # a constant or formula: RefersToRange fails, the client skips it
        sheet, ref = dests[0]
        names.append(
            {
                "name": defined_name,
                "sheet_index": index[sheet],
                "address": _rel(ref),
                "book_scope": True,
                "scope_sheet_name": None,
                "scope_sheet_index": None,
            }
        )
    for ws in wb.worksheets:
        for area in [ws.print_area] if isinstance(ws.print_area, str) else ws.print_area or []:
            ref = area.split("!")[-1]
            if not ref:
                continue
            names.append(
                {
                    "name": f"{ws.title}!Print_Area",
                    "sheet_index": index[ws.title],
                    "address": _rel(ref),
                    "book_scope": False,
                    "scope_sheet_name": ws.title,
                    "scope_sheet_index": index[ws.title],
                }
            )
    names.sort(key=lambda n: n["name"].split("!")[-1].casefold())
    sheets = []
    for ws in wb.worksheets:
        if ws.title in exclude:
            sheets.append({"name": ws.title, "pictures": [], "tables": [], "values": [[]]})
            continue
        tables = []
        for t in ws.tables.values():
            c1, r1, c2, r2 = range_boundaries(t.ref)
            totals = 1 if t.totalsRowCount else 0
            body = (r1 + 1, r2 - totals)
            tables.append(
                {
                    "name": t.name,
                    "range_address": _abs(t.ref),
                    "header_row_range_address": _abs(f"{_col(c1)}{r1}:{_col(c2)}{r1}"),
                    "data_body_range_address": (
                        _abs(f"{_col(c1)}{body[0]}:{_col(c2)}{body[1]}")
                        if body[1] >= body[0]
                        else None
                    ),
                    "total_row_range_address": (
                        _abs(f"{_col(c1)}{r2}:{_col(c2)}{r2}") if totals else None
                    ),
                    "show_headers": True,
                    "show_totals": bool(totals),
                    "table_style": t.tableStyleInfo.name if t.tableStyleInfo else "",
                    "show_autofilter": t.autoFilter is not None,
                }
            )
        rows, cols = ws.max_row, ws.max_column
        if rows == 1 and cols == 1 and ws.cell(1, 1).value is None:
            values: list[list[Any]] = [[]]
        else:
            values = [
                [_cell(ws.cell(r, c).value) for c in range(1, cols + 1)] for r in range(1, rows + 1)
            ]
        sheets.append({"name": ws.title, "pictures": [], "tables": tables, "values": values})
    return {
        "client": "VBA",
        "version": version,
        "book": {"name": name or path.name, "active_sheet_index": active, "selection": selection},
        "names": names,
        "sheets": sheets,
    }


def _col(c: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(c))


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value == "":
        return ""
    return value


def payload_bytes(path: Path, **options: Any) -> bytes:
    """The exact body the client would POST for ``path``."""
    return vba_json(payload_dict(path, **options)).encode("ascii")
