"""xlwings' remote-interpreter protocol, as the BSD VBA client speaks it: payload and actions.

The VBA client (``RunServerPython`` / ``RunRemotePython`` in xlwings'
``Remote.bas``) POSTs the open workbook as JSON (``Payload``) and runs the
list of actions it gets back (``setValues``, ``rangeClear``, ``alert``, ...).
``RemoteBook`` exposes that JSON through the xlwings subset of ``protocol``
and records every change as an action, so the server runs the very same
``xlbook.press`` as the desktop button and xlwings Lite. No xlwings code is
used: xlwings' own implementation of this (``xw.Book(json=...)``) is PRO code.

``handle(path, headers, body)`` is the whole request logic without sockets;
``server`` puts it behind an asyncio listener. Before anything is built from a
body, ``check_body`` and ``check_claims`` hold it to the limits below (one
place, documented in docs/server.md): what a payload claims (sheets, rows,
columns, table ranges, names, text lengths) is bounded before any cell is
allocated, and a claim over a limit gets a short Swedish 413. Facts about the client (key
order, number and date encoding, how errors are shown) are in
docs/dev/xlwings-lite-and-remote.md.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, SkipValidation, ValidationError

from finsam_xl.errors import FinsamError
from finsam_xl.model.money import plain_number
from finsam_xl.xlsx.cells import col_letters, parse_range

log = logging.getLogger("finsam_xl.server")

# --- limits: what one request may claim (docs/server.md) ----------------------------------------
#: Largest request body (the CLI's --max-mb overrides it per server).
MAX_BYTES = 10 * 1024 * 1024
#: Worksheets in one payload (a finsam_xl workbook has 12).
MAX_SHEETS = 64
#: Rows of one sheet's ``values`` and of one table's range. The VBA client itself
#: cannot send a used range of more than 32,767 rows; a budget has a few thousand.
MAX_ROWS = 20_000
#: Columns of one sheet's ``values`` and of one table's range (Rader has 19).
MAX_COLS = 256
#: Cells of all ``values`` grids together.
MAX_CELLS = 400_000
#: Excel tables on one sheet, and in the whole payload.
MAX_TABLES_PER_SHEET = 32
MAX_TABLES = 256
#: Defined names (a finsam_xl workbook has about ten).
MAX_NAMES = 2_000
#: Characters of any one string (Excel's own limit for a cell).
MAX_TEXT = 32_767
#: Digits of an unquoted number (the client writes text of up to 100 digits unquoted).
MAX_DIGITS = 100
#: JSON arrays and objects in one body, counted on the bytes before parsing
#: (an over-count: brackets inside strings count too). Bounds the objects built.
MAX_CONTAINERS = 100_000
#: JSON values in one body, bounded by the number of commas before parsing
#: (an over-count: commas inside strings count too). Bounds the objects built.
MAX_ITEMS = 800_000
#: URL path -> button action. The payload carries no script name: the URL routes.
ROUTES = {"/berakna": "recalc", "/kontrollera": "check", "/sjalvtest": "selftest"}
TEXT = "text/plain; charset=utf-8"
JSON = "application/json; charset=utf-8"

Scalar = bool | int | float | str | None


# --- payload ------------------------------------------------------------------------------------
class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


class TableModel(_Model):
    """One Excel table as the client sends it (addresses absolute, without the sheet)."""

    name: str
    range_address: str
    header_row_range_address: str | None = None
    data_body_range_address: str | None = None
    total_row_range_address: str | None = None
    show_headers: bool = True
    show_totals: bool = False
    table_style: str | None = None
    show_autofilter: bool = False


class PictureModel(_Model):
    """A picture on a sheet (not used by finsam_xl, accepted for completeness)."""

    name: str
    height: float
    width: float


class NameModel(_Model):
    """A defined name whose RefersToRange works (constants and formulas are not sent)."""

    name: str
    sheet_index: int
    address: str
    book_scope: bool
    scope_sheet_name: str | None = None
    scope_sheet_index: int | None = None


class SheetModel(_Model):
    """A worksheet: its used range from A1 as rows of values, its tables and pictures.

    ``values`` is checked cell by cell by ``check_claims`` (rows of JSON scalars, each
    within the limits), in the one pass it makes anyway, and so skipped here: pydantic's
    check of every cell against the ``Scalar`` union took 18 ms of a 2,000-line press.
    """

    name: str
    pictures: list[PictureModel] = Field(default_factory=list)
    tables: list[TableModel] = Field(default_factory=list)
    values: Annotated[list[list[Scalar]], SkipValidation]


class BookModel(_Model):
    """The workbook's name, active sheet and selection."""

    name: str
    active_sheet_index: int = 0
    selection: str | None = None


class Payload(_Model):
    """The request body of the VBA client (``client`` is 'VBA'; Office Scripts sends the same)."""

    client: str
    version: str
    book: BookModel
    names: list[NameModel]
    sheets: list[SheetModel]


# --- JSON numbers the VBA client can read -------------------------------------------------------
def vba_safe_number(x: int | float) -> int | float:
    """``x`` such that its JSON token is < 16 characters (< 17 with '.').

    VBA-JSON keeps longer number tokens as text (WebHelpers.bas), which would
    land in Excel as text. Excel keeps 15 significant digits anyway.
    """
    if isinstance(x, float):  # the common case, first: a float whose shortest form is short enough
        if x.is_integer():
            if abs(x) < 1e15:
                return int(x)
        else:
            text = repr(x)  # what json.dumps writes; <= 15 significant digits when this short
            if len(text) < (17 if "." in text else 16):
                return x
    elif isinstance(x, bool):
        return x
    elif isinstance(x, int):
        if -(10**14) < x < 10**15:  # len(str(x)) < 16
            return x
        x = float(x)
    for digits in (15, 14, 13, 12, 11, 10, 9):
        y = float(f"{x:.{digits}g}")
        if y.is_integer() and abs(y) < 1e15:
            return int(y)
        s = json.dumps(y)
        if len(s) < (17 if "." in s else 16):
            return y
    raise ValueError(f"{x!r} kan inte skickas till VBA-klienten som ett tal")


def json_value(value: Any) -> Scalar:
    """A cell value for ``setValues``: numbers made VBA-safe, dates as ISO text, blank as "".

    A blank cell is sent as ``""``, as xlwings' own engine does
    (``Engine.prepare_xl_data_element`` in ``xlwings/pro/_xlremote.py``): the VBA
    client's ``setValues`` passes a JSON ``null`` on as ``Null``, which Excel does
    not take in ``Range.Value``, while ``""`` empties the cell.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):  # a bool too: vba_safe_number returns it as it is
        return vba_safe_number(value)
    if value is None:
        return ""
    if isinstance(value, Decimal):
        value = plain_number(value)
    if isinstance(value, int | float):
        return vba_safe_number(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$")


def cell_value(value: Scalar) -> Any:
    """A payload value as xlwings returns it: the client's date text becomes a datetime."""
    if isinstance(value, str) and len(value) >= 19 and value[10] == "T" and _ISO.match(value):
        try:
            return datetime.fromisoformat(value.rstrip("Z"))
        except ValueError:
            return value
    return value


# --- the book -----------------------------------------------------------------------------------
def _action(
    func: str,
    sheet: int | None = None,
    box: tuple[int, int, int, int] | None = None,
    args: list[Any] | None = None,
    values: list[list[Scalar]] | None = None,
) -> dict[str, Any]:
    """One action with all eight keys, as xlwings' engine builds it.

    ``box`` is 1-based (first_row, first_col, rows, cols). The form is that of
    ``Book.append_json_action`` and ``Range.append_json_action`` in
    ``xlwings/pro/_xlremote.py`` (docs/server.md cites each action): ``args`` is
    always a list (``[None]`` when there are none), ``values`` is null except for
    ``setValues``, a range action carries its 0-based corner and size, and ``alert``
    (a book action) has no sheet or range (nulls).
    """
    if box is None:
        place: dict[str, Any] = {
            "sheet_position": sheet,
            "start_row": None,
            "start_column": None,
            "row_count": None,
            "column_count": None,
        }
    else:
        row, col, rows, cols = box
        place = {
            "sheet_position": sheet,
            "start_row": row - 1,
            "start_column": col - 1,
            "row_count": rows,
            "column_count": cols,
        }
    return {"func": func, "args": args if args is not None else [None], "values": values, **place}


class RemoteRange:
    """A block of a remote sheet; reads come from the payload, writes become actions."""

    def __init__(
        self, sheet: RemoteSheet, row: int, col: int, last_row: int, last_col: int
    ) -> None:
        self.sheet = sheet
        self.row, self.col = row, col
        self.last_row, self.last_col = last_row, last_col

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return self.last_row - self.row + 1, self.last_col - self.col + 1

    def _box(self) -> tuple[int, int, int, int]:
        return self.row, self.col, *self.shape

    @property
    def value(self) -> Any:
        """Scalar for one cell, a list for one row or column, else a list of rows."""
        n_rows, n_cols = self.shape
        if n_rows * n_cols > MAX_CELLS:  # check_claims bounds tables; this bounds any read
            raise _too_much(
                f"området {self.address} på bladet {self.sheet.name!r} är för stort att läsa."
            )
        grid = self.sheet.model.values
        rows = []
        for r in range(self.row - 1, self.last_row):
            line = grid[r][self.col - 1 : self.last_col] if r < len(grid) else []
            cells = [
                cell_value(v) if type(v) is str and len(v) >= 19 and v[10] == "T" else v
                for v in line
            ]
            if len(cells) < n_cols:
                cells += [None] * (n_cols - len(cells))
            rows.append(cells)
        if n_rows == 1 and n_cols == 1:
            return rows[0][0]
        if n_rows == 1:
            return rows[0]
        if n_cols == 1:
            return [row[0] for row in rows]
        return rows

    @value.setter
    def value(self, data: Any) -> None:
        if isinstance(data, list) and data and isinstance(data[0], list):
            rows = [[v if type(v) is str else json_value(v) for v in row] for row in data]
        elif isinstance(data, list):
            rows = [[json_value(v) for v in data]]
        else:
            rows = [[json_value(data)]]
        width = max((len(row) for row in rows), default=0)
        if not rows or width == 0:
            return
        if any(len(row) != width for row in rows):
            rows = [row + [""] * (width - len(row)) for row in rows]
        self.sheet.book.actions.append(
            _action(
                "setValues", self.sheet.index, (self.row, self.col, len(rows), width), values=rows
            )
        )

    @property
    def address(self) -> str:
        """'$A$3:$K$20' (or '$A$3' for one cell)."""
        first = f"${col_letters(self.col)}${self.row}"
        if (self.row, self.col) == (self.last_row, self.last_col):
            return first
        return f"{first}:${col_letters(self.last_col)}${self.last_row}"

    def clear_contents(self) -> None:
        """Empty the cells, keeping formats."""
        self.sheet.book.actions.append(_action("rangeClearContents", self.sheet.index, self._box()))

    def clear(self) -> None:
        """Empty the cells and reset their formats."""
        self.sheet.book.actions.append(_action("rangeClear", self.sheet.index, self._box()))

    @property
    def number_format(self) -> str:
        """Not available: the client does not send formats."""
        raise NotImplementedError("the VBA client does not send number formats")

    @number_format.setter
    def number_format(self, value: str) -> None:
        self.sheet.book.actions.append(
            _action("setNumberFormat", self.sheet.index, self._box(), args=[value])
        )

    @property
    def color(self) -> Any:
        """Not available: the client does not send colours."""
        raise NotImplementedError("the VBA client does not send colours")

    @color.setter
    def color(self, color_or_rgb: str | tuple[int, int, int] | None) -> None:
        if color_or_rgb is None:
            raise ValueError("the VBA client cannot remove a fill colour")
        if isinstance(color_or_rgb, tuple):
            color_or_rgb = "#{:02X}{:02X}{:02X}".format(*color_or_rgb)
        self.sheet.book.actions.append(
            _action("setRangeColor", self.sheet.index, self._box(), args=[color_or_rgb])
        )


@dataclass
class RemoteTable:
    """A table of a remote sheet."""

    sheet: RemoteSheet
    model: TableModel

    @property
    def name(self) -> str:
        """The table's name."""
        return self.model.name

    @property
    def range(self) -> RemoteRange:
        """The whole table range."""
        r1, c1, r2, c2 = parse_range(self.model.range_address)
        return RemoteRange(self.sheet, r1, c1, r2, c2)

    @property
    def show_totals(self) -> bool:
        """True when the table has a totals row."""
        return self.model.show_totals


class RemoteSheet:
    """A worksheet of the payload; ``index`` is its 0-based position among worksheets."""

    def __init__(self, book: RemoteBook, index: int, model: SheetModel) -> None:
        self.book, self.index, self.model = book, index, model

    @property
    def name(self) -> str:
        """The sheet's name."""
        return self.model.name

    @property
    def tables(self) -> list[RemoteTable]:
        """The sheet's tables (empty for a sheet the client excluded)."""
        return [RemoteTable(self, t) for t in self.model.tables]

    def range(
        self, cell1: str | tuple[int, int], cell2: str | tuple[int, int] | None = None
    ) -> RemoteRange:
        """A range by address ('A1', 'B2:C5') or by 1-based (row, col) corners."""
        r1, c1, r2, c2 = _corners(cell1)
        if cell2 is not None:
            s1, d1, s2, d2 = _corners(cell2)
            r1, c1, r2, c2 = min(r1, s1), min(c1, d1), max(r2, s2), max(c2, d2)
        return RemoteRange(self, r1, c1, r2, c2)


def _corners(cell: str | tuple[int, int]) -> tuple[int, int, int, int]:
    if isinstance(cell, tuple):
        row, col = cell
        if row < 1 or col < 1:
            raise ValueError(f"ogiltig cell {cell!r}")
        return row, col, row, col
    return parse_range(cell)


class RemoteSheets:
    """The worksheets, by position or name."""

    def __init__(self, sheets: list[RemoteSheet]) -> None:
        self._sheets = sheets

    def __iter__(self) -> Iterator[RemoteSheet]:
        return iter(self._sheets)

    def __len__(self) -> int:
        return len(self._sheets)

    def __getitem__(self, key: int | str) -> RemoteSheet:
        if isinstance(key, int):
            return self._sheets[key]
        for sheet in self._sheets:
            if sheet.name.casefold() == key.casefold():
                return sheet
        raise KeyError(key)


@dataclass
class RemoteName:
    """A defined name; ``refers_to`` is rebuilt as Excel writes it: "='Plan'!$A$4"."""

    book: RemoteBook
    model: NameModel

    @property
    def name(self) -> str:
        """'fx_plan', or 'Plan!Print_Area' for a sheet-scoped name."""
        return self.model.name

    @property
    def refers_to(self) -> str:
        """The name's formula text."""
        sheets = self.book.payload.sheets
        if not 0 <= self.model.sheet_index < len(sheets):
            return "=#REF!"
        sheet = sheets[self.model.sheet_index].name.replace("'", "''")
        try:
            r1, c1, r2, c2 = parse_range(self.model.address.split("!")[-1])
        except ValueError:
            return "=#REF!"
        first = f"${col_letters(c1)}${r1}"
        last = "" if (r1, c1) == (r2, c2) else f":${col_letters(c2)}${r2}"
        return f"='{sheet}'!{first}{last}"


class RemoteApp:
    """The client's Excel: only ``alert`` (a MsgBox on the client)."""

    def __init__(self, book: RemoteBook) -> None:
        self.book = book

    def alert(
        self,
        prompt: str,
        title: str | None = None,
        buttons: str = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> str | None:
        """Queue a message box; the client shows it after the earlier actions."""
        self.book.actions.append(
            _action("alert", args=[prompt, title or "", buttons, mode or "", callback or ""])
        )
        return None


class RemoteBook:
    """The xlwings Book subset over one payload; changes accumulate in ``actions``."""

    def __init__(self, payload: Payload) -> None:
        self.payload = payload
        self.actions: list[dict[str, Any]] = []
        self._sheets = RemoteSheets([RemoteSheet(self, i, s) for i, s in enumerate(payload.sheets)])

    @property
    def name(self) -> str:
        """The workbook's file name."""
        return self.payload.book.name

    @property
    def sheets(self) -> RemoteSheets:
        """The worksheets."""
        return self._sheets

    @property
    def names(self) -> list[RemoteName]:
        """The defined names the client sent."""
        return [RemoteName(self, n) for n in self.payload.names]

    @property
    def app(self) -> RemoteApp:
        """The client's application (message boxes)."""
        return RemoteApp(self)


# --- one request --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, content type and body."""

    status: int
    content_type: str
    body: bytes

    @classmethod
    def text(cls, status: int, message: str) -> Reply:
        """A short Swedish plain-text answer; the VBA client shows the body in a MsgBox."""
        return cls(status, TEXT, message.encode("utf-8"))


def routes_text(conjunction: str = "och") -> str:
    """The button routes in Swedish, from ``ROUTES``: '/berakna, /kontrollera och /sjalvtest'."""
    paths = list(ROUTES)
    return f"{', '.join(paths[:-1])} {conjunction} {paths[-1]}"


def authorized(header: str | None, token: str | None) -> bool:
    """True when no token is configured, or the Authorization header carries it."""
    if token is None:
        return True
    if not header:
        return False
    given = header.strip()
    if given.lower().startswith("bearer "):
        given = given[7:].strip()
    return hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def route(path: str) -> str | None:
    """The action for a URL path ('/berakna', '/berakna/', '/berakna?x'), else None."""
    clean = path.split("?", 1)[0].rstrip("/").casefold()
    return ROUTES.get(clean)


def handle(
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    token: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Reply:
    """Answer one POST: auth, size, parse, press, actions. Never raises, never leaks a traceback."""
    try:
        return _handle(path, headers, body, token, max_bytes)
    except Refused as refused:
        return refused.reply
    except Exception:
        ref = uuid.uuid4().hex[:8]
        log.exception("internt fel %s vid %s", ref, path)
        return Reply.text(
            500,
            f"Ett internt fel uppstod i finsam_xl-servern (referens {ref}). "
            "Be IT titta i serverns logg.",
        )


def _handle(
    path: str, headers: Mapping[str, str], body: bytes, token: str | None, max_bytes: int
) -> Reply:
    from finsam_xl.excel.xlbook import TITLE, press

    action = route(path)
    if action is None:
        shown = path.split("?", 1)[0]
        shown = shown if len(shown) <= 60 else shown[:60] + "…"
        return Reply.text(404, f"Okänd adress {shown!r}. Använd {routes_text('eller')}.")
    if not authorized(headers.get("Authorization"), token):
        return Reply.text(
            401,
            "Åtkomst nekad: nyckeln saknas eller är fel. Kontrollera AUTH i "
            "xlwings.conf eller i knappens makro.",
        )
    payload_or_reply = read_payload(body, max_bytes)
    if isinstance(payload_or_reply, Reply):
        return payload_or_reply
    book = RemoteBook(payload_or_reply)
    if action == "selftest":
        from finsam_xl.excel.selftest import on_book

        text, critical = on_book(book, alert=False, echo=False).text, False
    else:
        summary = press(book, "recalc" if action == "recalc" else "check", alert=False, echo=False)
        text, critical = summary.text, bool(summary.errors or summary.blocked)
    if not book.actions:  # nothing written (not a finsam_xl workbook): the text is all there is
        book.app.alert(text, title=TITLE, buttons="ok", mode="critical" if critical else "info")
    return Reply(200, JSON, actions_json(book.actions))


def actions_json(actions: list[dict[str, Any]]) -> bytes:
    """The answer body: UTF-8 JSON, with every ``alert`` text as ASCII ``\\u`` escapes.

    The VBA client decodes a body differently per platform (docs/server.md): on
    Windows as UTF-8; on macOS byte for byte, and ``setValues`` then repairs text
    with ``Utf8ToUtf16`` while ``alert`` passes it to ``MsgBox`` as it is. A
    ``\\u00e4`` escape is decoded by the client's JSON parser (WebHelpers
    ``json_ParseString``) into the right character on both, so message-box text
    is escaped and cell text (which must stay raw UTF-8 for ``Utf8ToUtf16``) is not.
    """
    parts = [
        json.dumps(a, ensure_ascii=a["func"] == "alert", separators=(",", ":")) for a in actions
    ]
    return ('{"actions":[' + ",".join(parts) + "]}").encode("utf-8")


class Refused(FinsamError):
    """A body the server will not build: ``reply`` is the Swedish answer."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.body.decode("utf-8"))
        self.reply = reply


_INVALID_JSON = (
    "Arbetsboken kunde inte läsas: förfrågan är inte giltig JSON. En cell med ett "
    "nyare felvärde (#SPILL!, #CALC!, #FIELD!) eller en lång text av bara siffror "
    "och punkter kan orsaka det. Rätta cellen eller uteslut bladet med EXCLUDE i "
    "xlwings.conf."
)


def _n(number: int) -> str:
    """12345 -> '12 345' (Swedish digit grouping)."""
    return f"{number:,}".replace(",", " ")


def _too_much(what: str) -> Refused:
    return Refused(
        Reply.text(
            413,
            f"Arbetsboken är för stor för servern: {what} Uteslut blad "
            "som inte behövs med EXCLUDE i xlwings.conf.",
        )
    )


def _no_constant(token: str) -> Any:
    raise Refused(
        Reply.text(
            400, f"Förfrågan innehåller talet {token}, som inte är ett giltigt tal i en arbetsbok."
        )
    )


_LARGEST = 10**MAX_DIGITS


def _check_number(value: Any) -> None:
    """Refuse an infinite float (1E+400 parses as inf) or an int of over MAX_DIGITS digits."""
    if isinstance(value, float) and (value != value or abs(value) == float("inf")):
        raise Refused(Reply.text(400, "Förfrågan innehåller ett tal utanför det Excel kan lagra."))
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _LARGEST:
        raise Refused(
            Reply.text(400, f"Förfrågan innehåller ett tal med fler än {MAX_DIGITS} siffror.")
        )


def check_body(body: bytes, max_bytes: int = MAX_BYTES) -> None:
    """Refuse a body whose size or structure count is over the limits, before parsing it.

    Counting brackets and commas on the bytes over-counts (they may sit inside
    strings) but bounds the number of Python objects ``json.loads`` would build.
    """
    if len(body) > max_bytes:
        raise Refused(too_large(max_bytes))
    containers = body.count(b"[") + body.count(b"{")
    if containers > MAX_CONTAINERS:
        raise _too_much(f"mer än {_n(MAX_CONTAINERS)} rader och poster.")
    if body.count(b",") > MAX_ITEMS:
        raise _too_much(f"mer än {_n(MAX_ITEMS)} värden.")


def parse_body(body: bytes) -> Any:
    """``json.loads`` that refuses NaN, Infinity and deep nesting (numbers: ``check_claims``)."""
    try:
        return json.loads(body, parse_constant=_no_constant)
    except RecursionError:
        raise Refused(
            Reply.text(400, "Förfrågan är för djupt nästlad för att vara en arbetsbok.")
        ) from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError, int digit limit
        raise Refused(Reply.text(400, _INVALID_JSON)) from None


def _range_size(address: Any) -> tuple[int, int] | None:
    """(rows, columns) of an 'A1:B2' address, or None when it is not one."""
    if not isinstance(address, str) or len(address) > 40:
        return None
    try:
        r1, c1, r2, c2 = parse_range(address)
    except ValueError:
        return None
    return abs(r2 - r1) + 1, abs(c2 - c1) + 1


def _check_text(value: Any, where: str) -> None:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise _too_much(f"{where} har en text på mer än {_n(MAX_TEXT)} tecken.")


def _check_table(table: Any, sheet_name: str) -> None:
    if not isinstance(table, dict):
        return  # the model reports the shape
    name = str(table.get("name"))[:40]
    for key in (
        "range_address",
        "header_row_range_address",
        "data_body_range_address",
        "total_row_range_address",
    ):
        size = _range_size(table.get(key))
        if key == "range_address" and size is None:
            raise Refused(
                Reply.text(
                    400, f"Tabellen {name!r} på bladet {sheet_name!r} har inget giltigt område."
                )
            )
        if size is not None and (size[0] > MAX_ROWS or size[1] > MAX_COLS):
            address = str(table.get(key))
            raise _too_much(
                f"tabellen {name!r} på bladet {sheet_name!r} täcker {address} "
                f"({_n(size[0])} rader, {_n(size[1])} kolumner); högst {_n(MAX_ROWS)} rader och "
                f"{MAX_COLS} kolumner tas emot. Gör tabellen mindre i Excel (Tabelldesign > "
                "Ändra tabellstorlek)."
            )
    for value in table.values():
        _check_text(value, f"tabellen {name!r}")


def check_claims(data: Any) -> None:
    """Refuse a parsed body that claims more than the limits, before any model is built.

    Checks counts of sheets, tables and names, each sheet's rows and columns and
    all cells together, every table's ranges, and the length of every string; and
    that every sheet's ``values`` are rows of JSON scalars (the model skips them). Other
    wrong types are left to the model, which names the field.
    """
    if not isinstance(data, dict):
        return
    _check_names_and_book(data)
    sheets = data.get("sheets")
    if not isinstance(sheets, list):
        return
    if len(sheets) > MAX_SHEETS:
        raise _too_much(f"{len(sheets)} blad, högst {MAX_SHEETS} tas emot.")
    cells = tables = 0
    for index, sheet in enumerate(sheets):
        if not isinstance(sheet, dict):
            continue
        sheet_name = str(sheet.get("name"))[:40]
        _check_text(sheet.get("name"), "ett bladnamn")
        tables += _check_sheet_tables(sheet.get("tables"), sheet_name)
        if "values" in sheet:  # a missing one: the model names it
            cells += _check_sheet_values(sheet["values"], sheet_name, f"sheets.{index}.values")
    if tables > MAX_TABLES:
        raise _too_much(f"{tables} tabeller, högst {MAX_TABLES} tas emot.")
    if cells > MAX_CELLS:
        raise _too_much(f"{_n(cells)} celler, högst {_n(MAX_CELLS)} tas emot.")


def _check_names_and_book(data: dict[str, Any]) -> None:
    """The count of names, and the texts of the names and of the book's properties."""
    names = data.get("names")
    if isinstance(names, list):
        if len(names) > MAX_NAMES:
            raise _too_much(f"mer än {_n(MAX_NAMES)} namn.")
        for item in names:
            if isinstance(item, dict):
                for value in item.values():
                    _check_text(value, "ett namn")
    book = data.get("book")
    if isinstance(book, dict):
        for value in book.values():
            _check_text(value, "arbetsboken")


def _check_sheet_tables(sheet_tables: Any, sheet_name: str) -> int:
    """A sheet's tables (their count and each one's claims); return how many it has."""
    if not isinstance(sheet_tables, list):
        return 0
    if len(sheet_tables) > MAX_TABLES_PER_SHEET:
        raise _too_much(
            f"bladet {sheet_name!r} har {len(sheet_tables)} tabeller, högst "
            f"{MAX_TABLES_PER_SHEET} tas emot."
        )
    for table in sheet_tables:
        _check_table(table, sheet_name)
    return len(sheet_tables)


def _check_sheet_values(values: Any, sheet_name: str, where: str) -> int:
    """A sheet's rows, columns, texts and numbers, and that each cell is a JSON scalar
    (``where`` is the field's path for the answer); return how many cells it has."""
    if type(values) is not list:
        raise _bad_shape(where)
    if len(values) > MAX_ROWS:
        raise _too_much(
            f"bladet {sheet_name!r} har {_n(len(values))} rader, högst {_n(MAX_ROWS)} tas emot."
        )
    cells = 0
    for r, row in enumerate(values):
        if type(row) is not list:
            raise _bad_shape(f"{where}.{r}")
        if len(row) > MAX_COLS:
            raise _too_much(
                f"bladet {sheet_name!r} har {_n(len(row))} kolumner, högst {MAX_COLS} tas emot."
            )
        cells += len(row)
        for value in row:  # json.loads gives exactly these types
            kind = type(value)
            if kind is str:
                if len(value) > MAX_TEXT:
                    _check_text(value, f"bladet {sheet_name!r}")
            elif kind is float:
                if value - value != 0.0:  # inf or nan (JSON parses 1E+400 as inf)
                    _check_number(value)
            elif kind is int:
                if not -_LARGEST < value < _LARGEST:
                    _check_number(value)
            elif value is not None and kind is not bool:
                column = next(c for c, v in enumerate(row) if v is value)
                raise _bad_shape(f"{where}.{r}.{column}")
    return cells


def _bad_shape(where: str) -> Refused:
    """The 400 answer for a body not shaped as the VBA client's (``where``: the field)."""
    return Refused(
        Reply.text(
            400,
            "Förfrågan har inte det format som xlwings VBA-klient skickar"
            + (f" (fältet {where[:80]})." if where else "."),
        )
    )


def read_payload(body: bytes, max_bytes: int = MAX_BYTES) -> Payload | Reply:
    """The payload of a body, or the Swedish refusal: size, JSON, claims, then shape."""
    try:
        check_body(body, max_bytes)
        data = parse_body(body)
        check_claims(data)
    except Refused as refused:
        return refused.reply
    try:
        return Payload.model_validate(data)
    except ValidationError as error:
        problems = error.errors()
        loc = problems[0]["loc"] if problems else ()
        return _bad_shape(".".join(str(p) for p in loc)).reply


def too_large(max_bytes: int) -> Reply:
    """The 413 answer for a body over ``max_bytes``."""
    mb = max_bytes / (1024 * 1024)
    return Reply.text(
        413,
        f"Arbetsboken är för stor för servern (mer än {mb:g} MB). Uteslut blad "
        "som inte behövs med EXCLUDE i xlwings.conf.",
    )
