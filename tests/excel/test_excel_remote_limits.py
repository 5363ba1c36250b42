"""Issue 10: every claim a payload can make is bounded before anything is built from it.

``remote.handle`` without sockets: each limit in remote.py just over its value
gets a short Swedish 413 (or 400 for what is not a number or address), and the
same payload just under the limit is accepted as far as the limit goes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from finsam_xl.excel import remote
from finsam_xl.excel.remote import RemoteBook, handle, read_payload

DATA = Path(__file__).parent.parent / "data" / "remote"
EXAMPLE = json.loads((DATA / "payload_finsam_sodra_dalarna.json").read_bytes())


def body(change: Callable[[dict[str, Any]], None]) -> bytes:
    data = json.loads(json.dumps(EXAMPLE))
    change(data)
    return json.dumps(data, separators=(",", ":")).encode()


def sheet(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in data["sheets"] if s["name"] == name)


def refused(raw: bytes, status: int, *words: str) -> str:
    start = time.process_time()  # CPU time: a busy machine does not make it fail
    reply = handle("/berakna", {}, raw)
    assert time.process_time() - start < 2.0
    text = reply.body.decode("utf-8")
    assert reply.status == status, text
    assert reply.content_type == "text/plain; charset=utf-8"
    for word in words:
        assert word in text, text
    assert "Traceback" not in text and len(text) < 400
    return text


def add_sheets(n: int) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["sheets"] += [
            {"name": f"X{i}", "pictures": [], "tables": [], "values": [[]]} for i in range(n)
        ]

    return change


def test_sheet_count() -> None:
    over = remote.MAX_SHEETS - len(EXAMPLE["sheets"]) + 1
    refused(body(add_sheets(over)), 413, f"högst {remote.MAX_SHEETS}")
    assert handle("/berakna", {}, body(add_sheets(over - 1))).status == 200


def test_rows_columns_and_cells_per_sheet() -> None:
    def rows(n: int) -> Callable[[dict[str, Any]], None]:
        return lambda d: sheet(d, "Instruktioner").__setitem__("values", [[None]] * n)

    refused(body(rows(remote.MAX_ROWS + 1)), 413, "'Instruktioner'", "20 001 rader")
    assert handle("/berakna", {}, body(rows(remote.MAX_ROWS))).status == 200

    def cols(n: int) -> Callable[[dict[str, Any]], None]:
        return lambda d: sheet(d, "Instruktioner").__setitem__("values", [[None] * n])

    refused(body(cols(remote.MAX_COLS + 1)), 413, "257 kolumner")
    assert handle("/berakna", {}, body(cols(remote.MAX_COLS))).status == 200

    def many(d: dict[str, Any]) -> None:  # each sheet within limits, the book not
        d["sheets"] += [
            {"name": f"S{i}", "pictures": [], "tables": [], "values": [[0] * 21] * 10_000}
            for i in range(2)
        ]

    refused(body(many), 413, "celler", "högst 400 000")


@pytest.mark.parametrize(
    ("key", "address", "words"),
    [
        ("range_address", "$A$3:$XFD$1048576", ("1 048 574 rader", "16 384 kolumner")),
        ("range_address", "$A$3:$S$1048576", ("1 048 574 rader", "19 kolumner")),
        ("range_address", "$A$3:$S$20003", ("20 001 rader",)),
        ("range_address", "$A$3:$IW$44", ("257 kolumner",)),
        ("data_body_range_address", "$A$4:$S$1048576", ("1 048 573 rader",)),
    ],
)
def test_table_claims(key: str, address: str, words: tuple[str, ...]) -> None:
    def change(d: dict[str, Any]) -> None:
        sheet(d, "Rader")["tables"][0][key] = address

    refused(body(change), 413, "tabellen 'Rader'", address, *words)


def test_table_at_the_limit_is_read_without_a_cell_per_claim() -> None:
    """20,000 claimed rows with 42 sent: accepted; the reader pads the rest with None."""

    def change(d: dict[str, Any]) -> None:
        sheet(d, "Rader")["tables"][0]["range_address"] = "$A$3:$S$20002"

    reply = handle("/berakna", {}, body(change))
    assert reply.status == 200


@pytest.mark.parametrize("address", ["", "A", "Rader", "$A$3:$S$", "1:1", "x" * 1000])
def test_table_without_a_valid_range(address: str) -> None:
    def change(d: dict[str, Any]) -> None:
        sheet(d, "Rader")["tables"][0]["range_address"] = address

    refused(body(change), 400, "inget giltigt område")


def test_table_count() -> None:
    table = EXAMPLE["sheets"][4]["tables"][0]

    def per_sheet(d: dict[str, Any]) -> None:
        sheet(d, "Plan")["tables"] = [
            dict(table, name=f"T{i}") for i in range(remote.MAX_TABLES_PER_SHEET + 1)
        ]

    refused(body(per_sheet), 413, "'Plan' har 33 tabeller")

    def in_book(d: dict[str, Any]) -> None:
        d["sheets"] += [
            {
                "name": f"X{i}",
                "pictures": [],
                "values": [[]],
                "tables": [dict(table, name=f"T{i}_{j}") for j in range(30)],
            }
            for i in range(9)
        ]

    refused(body(in_book), 413, "tabeller, högst 256")


def test_name_count_and_text_length() -> None:
    name = EXAMPLE["names"][0]
    refused(body(lambda d: d.__setitem__("names", [name] * (remote.MAX_NAMES + 1))), 413, "namn")
    long = "x" * (remote.MAX_TEXT + 1)
    refused(
        body(lambda d: sheet(d, "Rader")["values"][5].__setitem__(0, long)), 413, "32 767 tecken"
    )
    refused(body(lambda d: d["book"].__setitem__("name", long)), 413, "arbetsboken")
    refused(body(lambda d: d["names"][0].__setitem__("address", long)), 413, "ett namn")
    refused(body(lambda d: sheet(d, "Rader").__setitem__("name", long)), 413, "bladnamn")


@pytest.mark.parametrize(
    ("token", "status", "words"),
    [
        (b"NaN", 400, "NaN"),
        (b"Infinity", 400, "Infinity"),
        (b"-Infinity", 400, "Infinity"),
        (b"1E+400", 400, "utanför"),
        (b"-1e999", 400, "utanför"),
        (b"1" + b"0" * 100, 400, "fler än 100 siffror"),
        (b"9" * 5000, 400, "inte giltig JSON"),
    ],
)
def test_numbers_a_workbook_cannot_hold(token: bytes, status: int, words: str) -> None:
    raw = json.dumps(EXAMPLE, separators=(",", ":")).encode()
    raw = raw.replace(b'"values":[[', b'"values":[[' + token + b",", 1)
    refused(raw, status, words)


def test_largest_number_text_the_client_sends_is_kept() -> None:
    """The client writes digit text of up to 100 characters unquoted: that still parses."""
    raw = json.dumps(EXAMPLE, separators=(",", ":")).encode()
    raw = raw.replace(b'"values":[[', b'"values":[[' + b"9" * 100 + b",", 1)
    assert handle("/berakna", {}, raw).status == 200


def test_non_finite_outside_values_is_refused_by_the_model() -> None:
    raw = (
        json.dumps(EXAMPLE, separators=(",", ":"))
        .encode()
        .replace(b'"pictures":[]', b'"pictures":[{"name":"p","height":1E+400,"width":1}]', 1)
    )
    refused(raw, 400, "format", "pictures.0.height")


def test_deep_nesting() -> None:
    refused(b"[" * 50_000 + b"]" * 50_000, 400, "nästlad")
    refused(b'{"a":' * 10_000 + b"1" + b"}" * 10_000, 400, "nästlad")


def test_any_read_of_a_huge_range_is_refused_not_allocated() -> None:
    """Defence in depth: a read past MAX_CELLS raises the Swedish refusal, allocating nothing."""
    payload = read_payload(json.dumps(EXAMPLE).encode())
    assert not isinstance(payload, remote.Reply)
    book = RemoteBook(payload)
    with pytest.raises(remote.Refused) as caught:
        _ = book.sheets["Rader"].range("A1:XFD1048576").value
    assert caught.value.reply.status == 413
    assert "området $A$1:$XFD$1048576 på bladet 'Rader'" in caught.value.reply.body.decode()
