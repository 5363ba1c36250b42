"""The remote protocol without sockets: payloads as the VBA client sends them, actions back."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from excel_support import WRITTEN, differences, file_cells
from fakexl_support import FakeBook, apply_actions
from hypothesis import given, settings
from hypothesis import strategies as st
from payload_support import payload_bytes, payload_dict, vba_json

from finsam_xl.excel import remote, xlbook
from finsam_xl.excel.remote import Payload, RemoteBook, handle, vba_safe_number

DATA = Path(__file__).parent.parent / "data" / "remote"
FIXTURES = sorted(DATA.glob("*.json"))
TOKEN = "k" * 24


def actions_of(reply: remote.Reply) -> list[dict[str, Any]]:
    assert reply.status == 200, reply.body.decode()
    assert reply.content_type.startswith("application/json")
    body = json.loads(reply.body)
    assert list(body) == ["actions"]
    return list(body["actions"])


def test_fixtures_parse() -> None:
    assert len(FIXTURES) >= 4
    for path in FIXTURES:
        payload = Payload.model_validate_json(path.read_bytes())
        assert payload.client == "VBA" and payload.sheets


def test_value_edge_cases_read_as_xlwings_would() -> None:
    payload = Payload.model_validate_json((DATA / "payload_value_edge_cases.json").read_bytes())
    sheet = RemoteBook(payload).sheets["Test"]
    assert sheet.range("B2").value is True
    assert sheet.range("B3").value == "#DIV/0!"
    assert sheet.range("B6").value == datetime(2024, 5, 17, 13, 45, 30)
    assert sheet.range("B7").value == 1234567890123456  # text sent unquoted by the client
    assert sheet.range("B12").value == ""  # formula returning ""
    assert sheet.range("Z99").value is None  # outside the used range
    tables = {t.name: t for t in sheet.tables}
    assert tables["tblSumma"].show_totals and tables["tblSumma"].range.address == "$D$10:$E$13"
    assert tables["tblSumma"].range.value[1] == ["a", 1e20]


def test_names_are_rebuilt_as_excel_writes_them() -> None:
    payload = Payload.model_validate_json(
        (DATA / "payload_exclude_names_picture.json").read_bytes()
    )
    names = {n.name: n.refers_to for n in RemoteBook(payload).names}
    assert names == {"Indata!Period": "='Indata'!$B$1", "Rådata": "='Data'!$A$1:$D$5000"}


def test_derivation_reproduces_the_recorded_minimal_payload(tmp_path: Path) -> None:
    """Two independent constructions of the client's bytes agree (README rules vs the support)."""
    from openpyxl import Workbook
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.table import Table, TableStyleInfo

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Indata"
    for row in (
        ["Konto", "Belopp", "Datum"],
        ["Hyra", -12500, datetime(2024, 1, 31)],
        ["Försäljning", 48250.75, datetime(2024, 2, 29)],
        ["Avgift", -320.5, datetime(2024, 3, 31)],
    ):
        ws.append(row)
    ws["E1"], ws["F1"] = "Skattesats", 0.206
    table = Table(displayName="tblPoster", ref="A1:C4")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    wb.create_sheet("Resultat")
    wb.defined_names["Skattesats"] = DefinedName("Skattesats", attr_text="Indata!$F$1")
    path = tmp_path / "Budget.xlsx"
    wb.save(path)
    derived = payload_bytes(path, selection="B2", name="Budget.xlsm")
    assert derived == (DATA / "payload_minimal.json").read_bytes()


def test_recorded_finsam_payload_still_computes() -> None:
    """A stored payload of a generated workbook (tests/data/remote/README.md) gets a full answer."""
    body = (DATA / "payload_finsam_sodra_dalarna.json").read_bytes()
    assert body.isascii()
    actions = actions_of(handle("/berakna", {}, body))
    funcs = [a["func"] for a in actions]
    assert funcs.count("setValues") == 4 and "alert" not in funcs  # 3 sheets and the digest


def test_applied_actions_equal_recalc(edited_book: Path, recalculated: Path) -> None:
    body = payload_bytes(edited_book)
    assert body.isascii() and len(body) > 10_000
    actions = actions_of(handle("/berakna", {"Content-Type": "application/json"}, body))
    book = FakeBook.from_xlsx(edited_book, com=False, protect=False)
    before = {s.name: dict(s.cells) for s in book.sheet_list}
    shown = apply_actions(book, actions)
    assert shown == []  # no message box: the status line and Kontroller show the outcome
    expected = file_cells(recalculated)
    for sheet in WRITTEN:
        assert differences(expected[sheet], book.sheets[sheet].cells, stamp=True) == [], sheet
    for sheet in ("Inställningar", "Rader", "Medlemmar"):
        assert book.sheets[sheet].cells == before[sheet]


def test_kontrollera_route_writes_only_findings(edited_book: Path) -> None:
    actions = actions_of(handle("/kontrollera/", {}, payload_bytes(edited_book)))
    positions = {a["sheet_position"] for a in actions if a["func"] != "alert"}
    names = [s["name"] for s in payload_dict(edited_book)["sheets"]]
    # the edited book's computed sheets are stale: Kontrollera also says so in the status line
    assert {names[p] for p in positions} == {"Kontroller", "Plan"}
    plan = [a for a in actions if a["func"] == "setValues" and names[a["sheet_position"]] == "Plan"]
    assert len(plan) == 1 and (plan[0]["row_count"], plan[0]["column_count"]) == (1, 1)


def test_actions_follow_the_client_contract(edited_book: Path) -> None:
    reply = handle("/berakna", {}, payload_bytes(edited_book))
    text = reply.body.decode("utf-8")
    assert "\\u00" not in text and "ä" in text  # UTF-8, unescaped (ensure_ascii=False)
    blanks = 0
    for action in actions_of(reply):
        assert list(action) == [
            "func",
            "args",
            "values",
            "sheet_position",
            "start_row",
            "start_column",
            "row_count",
            "column_count",
        ]
        assert isinstance(action["sheet_position"], int)
        if action["func"] == "setValues":
            values = action["values"]
            assert action["args"] == [None]  # xlwings' engine: no args -> [None]
            assert len(values) == action["row_count"]
            assert {len(row) for row in values} == {action["column_count"]}
            for row in values:
                for v in row:
                    assert v is not None  # a blank is "", as xlwings' engine sends it
                    blanks += v == ""
                    if isinstance(v, str) and v:  # text is protected from ParseIso and entry
                        assert v.startswith(("'", "=HYPERLINK(")), v
        else:
            assert action["values"] is None
            assert len(action["args"]) == 1
            assert action["args"] == [None] or isinstance(action["args"][0], str)
    assert blanks > 0
    for token in re.findall(r"(?<![\w\"'.])-?\d[\d.eE+-]*(?![\w\"])", text):
        assert len(token) < (17 if "." in token else 16), token


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.1 + 0.2, 0.3),
        (1505000, 1505000),
        (12345678901234567, 1.2345678901e16),
        (0.051, 0.051),
        (-316000, -316000),
        (1e20, 1e20),
        (2 / 3, 0.66666666666667),
    ],
)
def test_vba_safe_number(x: float, expected: float) -> None:
    y = vba_safe_number(x)
    assert y == expected
    token = json.dumps(y)
    assert len(token) < (17 if "." in token else 16)


def _vba_safe_number_by_rounding(x: float) -> float:
    """The rule without the fast paths: round to 15, 14, ... significant digits until short."""
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        if len(str(x)) < 16:
            return x
        x = float(x)
    for digits in (15, 14, 13, 12, 11, 10, 9):
        y = float(f"{x:.{digits}g}")
        if y.is_integer() and abs(y) < 1e15:
            return int(y)
        token = json.dumps(y)
        if len(token) < (17 if "." in token else 16):
            return y
    raise ValueError(x)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(-(10**17), 10**17),
        st.decimals(-(10**16), 10**16, places=3, allow_nan=False).map(float),
        st.booleans(),
    )
)
def test_vba_safe_number_fast_paths_give_what_rounding_gives(x: float) -> None:
    """The fast paths (a float whose shortest form is short, a small int) change nothing."""
    try:
        expected: object = _vba_safe_number_by_rounding(x)
    except ValueError:  # e.g. 1e15: no short form (both refuse it)
        with pytest.raises(ValueError, match="kan inte skickas"):
            vba_safe_number(x)
        return
    y = vba_safe_number(x)
    assert (type(y), y) == (type(expected), expected)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ("x", "sheets.0.values"),
        (None, "sheets.0.values"),
        ([["a"], "b"], "sheets.0.values.1"),
        ([["a", 1, None, True, 2.5, [1]]], "sheets.0.values.0.5"),
        ([[], [{"x": 1}]], "sheets.0.values.1.0"),
    ],
)
def test_cells_that_are_not_json_scalars_are_refused(values: Any, field: str) -> None:
    """``check_claims`` checks every cell (the model skips ``values``) and names the field."""
    body = json.dumps(
        {
            "client": "VBA",
            "version": "1",
            "book": {"name": "a"},
            "names": [],
            "sheets": [{"name": "A", "values": values}],
        }
    ).encode()
    text = assert_plain_swedish(handle("/berakna", {}, body), 400, "format")
    assert f"(fältet {field})" in text


def test_payload_values_are_kept_as_the_json_gave_them(book_2000: Path) -> None:
    """What the model no longer validates is exactly what validating the union gave."""
    from pydantic import TypeAdapter

    data = remote.parse_body(payload_bytes(book_2000))
    remote.check_claims(data)
    payload = Payload.model_validate(data)
    union = TypeAdapter(list[list[remote.Scalar]])
    for sheet, given_sheet in zip(payload.sheets, data["sheets"], strict=True):
        validated = union.validate_python(given_sheet["values"])
        assert [[(type(v), v) for v in row] for row in sheet.values] == [
            [(type(v), v) for v in row] for row in validated
        ]


def test_not_a_finsam_workbook_gets_a_friendly_alert() -> None:
    """Nothing can be written: a message box is all there is, in xlwings' alert form."""
    reply = handle("/berakna", {}, (DATA / "payload_minimal.json").read_bytes())
    assert reply.body.isascii()
    actions = actions_of(reply)
    assert [a["func"] for a in actions] == ["alert"]
    alert = actions[0]
    assert (
        "fx_plan" in alert["args"][0]
        and "Skapa arbetsboken med 'finsam-xl ny'" in (alert["args"][0])
    )
    assert alert["args"][1:] == ["Finsam XL", "ok", "critical", ""]
    assert alert["values"] is None and alert["sheet_position"] is None
    assert alert["start_row"] is None and alert["row_count"] is None


def test_alert_text_survives_the_macos_client() -> None:
    """The macOS client reads the body byte for byte: non-ASCII must arrive as \\u escapes."""
    body = remote.actions_json(
        [
            {
                "func": "alert",
                "args": ["Beräknat: 0 fel. Självtest å", "Finsam XL", "ok", "info", ""],
                "values": None,
                "sheet_position": None,
                "start_row": None,
                "start_column": None,
                "row_count": None,
                "column_count": None,
            },
            {
                "func": "setValues",
                "args": [None],
                "values": [["'Beräknad"]],
                "sheet_position": 0,
                "start_row": 0,
                "start_column": 0,
                "row_count": 1,
                "column_count": 1,
            },
        ]
    )
    alert_part, values_part = body.split(b"setValues")
    assert alert_part.isascii() and b"Ber\\u00e4knat" in alert_part
    assert "'Beräknad".encode() in values_part  # raw UTF-8: setValues runs Utf8ToUtf16 on macOS
    assert json.loads(body)["actions"][0]["args"][0] == "Beräknat: 0 fel. Självtest å"


# --- errors -----------------------------------------------------------------------------------
def assert_plain_swedish(reply: remote.Reply, status: int, words: str) -> str:
    assert reply.status == status
    assert reply.content_type == "text/plain; charset=utf-8"
    text = reply.body.decode("utf-8")
    assert words in text
    assert "Traceback" not in text and 'File "' not in text and len(text) < 400
    return text


def test_wrong_or_missing_token() -> None:
    body = (DATA / "payload_minimal.json").read_bytes()
    assert_plain_swedish(handle("/berakna", {}, body, token=TOKEN), 401, "Åtkomst nekad")
    assert_plain_swedish(
        handle("/berakna", {"Authorization": "fel"}, body, token=TOKEN), 401, "nyckeln"
    )
    assert handle("/berakna", {"Authorization": TOKEN}, body, token=TOKEN).status == 200
    assert handle("/berakna", {"Authorization": f"Bearer {TOKEN}"}, body, token=TOKEN).status == 200


def test_oversized_payload() -> None:
    body = (DATA / "payload_minimal.json").read_bytes()
    assert_plain_swedish(handle("/berakna", {}, body, max_bytes=100), 413, "för stor")


@pytest.mark.parametrize(
    "body",
    [
        b'{"client":"VBA","version":"0.37.8","book":{"name":"a"},"names":[],"sheets":[{"name":"A",'
        b'"pictures":[],"tables":[],"values":[["x",,null]]}]}',  # a #SPILL! cell: empty token
        b"\xff\xfe not json",
        b"",
    ],
)
def test_malformed_json(body: bytes) -> None:
    assert_plain_swedish(handle("/berakna", {}, body), 400, "inte giltig JSON")


def test_wrong_shape() -> None:
    body = json.dumps(
        {
            "client": "VBA",
            "version": "1",
            "book": {"name": "a"},
            "names": [],
            "sheets": [{"name": "A", "values": [[{"x": 1}]]}],
        }
    ).encode()
    text = assert_plain_swedish(handle("/berakna", {}, body), 400, "format")
    assert "sheets.0.values" in text


def test_unknown_path() -> None:
    assert_plain_swedish(handle("/../etc/passwd", {}, b"{}"), 404, "/berakna")


def test_internal_error_hides_the_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("hemlig sökväg /srv/secret")

    monkeypatch.setattr(xlbook, "press", boom)
    body = (DATA / "payload_minimal.json").read_bytes()
    text = assert_plain_swedish(handle("/berakna", {}, body), 500, "internt fel")
    assert "hemlig" not in text
    assert "hemlig sökväg" in caplog.text  # the server log has it


def test_vba_json_writer_escapes_like_the_client() -> None:
    assert vba_json('Fö"r\\/\n😀') == '"F\\u00F6\\"r\\\\/\\n\\uD83D\\uDE00"'
    assert vba_json(1e20) == "1E+20" and vba_json(-12500.0) == "-12500"
