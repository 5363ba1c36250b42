"""`finsam-xl server` over loopback: real HTTP, ephemeral ports, bounded timeouts."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from payload_support import payload_bytes

from finsam_xl.excel.server import FinsamServer, ServerConfigError, is_loopback, make_server

DATA = Path(__file__).parent.parent / "data" / "remote"
TOKEN = "t0k3n-" + "x" * 20
TIMEOUT = 20
Start = Callable[..., FinsamServer]


@pytest.fixture
def running() -> Iterator[Callable[..., FinsamServer]]:
    servers: list[tuple[FinsamServer, threading.Thread]] = []

    def start(token: str | None = None, max_bytes: int = 10 * 1024 * 1024) -> FinsamServer:
        server = make_server("127.0.0.1", 0, token=token, max_bytes=max_bytes)
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        servers.append((server, thread))
        return server

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=TIMEOUT)


def post(
    server: FinsamServer, path: str, body: bytes, headers: dict[str, str] | None = None
) -> tuple[int, str, bytes]:
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(str(host), int(port), timeout=TIMEOUT)
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "User-Agent": "VBA-Web v4.1.6 (https://github.com/VBA-tools/VBA-Web)",
                **(headers or {}),
            },
        )
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        conn.close()


def test_button_press_over_http(running: Start, edited_book: Path) -> None:
    server = running()
    status, ctype, body = post(server, "/berakna/", payload_bytes(edited_book))
    assert status == 200 and ctype == "application/json; charset=utf-8"
    actions = json.loads(body)["actions"]
    # one per computed sheet (eight, Fakturaplan the last) and the digest of the input
    assert [a["func"] for a in actions].count("setValues") == 9
    assert "alert" not in [a["func"] for a in actions]  # the outcome is in the workbook


def test_no_state_between_requests(running: Start, edited_book: Path) -> None:
    server = running()
    _, _, first = post(server, "/berakna", (DATA / "payload_minimal.json").read_bytes())
    _, _, second = post(server, "/berakna", payload_bytes(edited_book))
    _, _, third = post(server, "/berakna", (DATA / "payload_minimal.json").read_bytes())
    assert first == third
    assert len(json.loads(first)["actions"]) == 1
    assert b"fx_plan" not in second


def test_token_required_when_configured(running: Start) -> None:
    server = running(token=TOKEN)
    body = (DATA / "payload_minimal.json").read_bytes()
    for headers in ({}, {"Authorization": "fel-nyckel"}, {"Authorization": TOKEN[:-1]}):
        status, ctype, text = post(server, "/berakna", body, headers)
        assert status == 401 and ctype.startswith("text/plain")
        assert "Åtkomst nekad" in text.decode("utf-8")
    assert post(server, "/berakna", body, {"Authorization": TOKEN})[0] == 200


def test_oversized_body_is_refused_before_reading(running: Start) -> None:
    server = running()
    host, port = server.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=TIMEOUT) as sock:
        sock.sendall(
            b"POST /berakna HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10485761\r\n\r\n"
        )  # 10 MB + 1, and no body sent
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
    head, _, text = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert "för stor" in text.decode("utf-8") and b"Traceback" not in reply


def test_small_limit(running: Start) -> None:
    server = running(max_bytes=500)
    status, _, text = post(server, "/berakna", (DATA / "payload_minimal.json").read_bytes())
    assert status == 413 and "för stor" in text.decode("utf-8")


def test_malformed_payload(running: Start) -> None:
    server = running()
    status, ctype, text = post(server, "/berakna", b'{"client":"VBA",,}')
    assert status == 400 and ctype == "text/plain; charset=utf-8"
    message = text.decode("utf-8")
    assert "inte giltig JSON" in message and "Traceback" not in message


def test_missing_length_and_get(running: Start) -> None:
    server = running()
    host, port = server.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=TIMEOUT) as sock:
        sock.sendall(
            b"POST /berakna HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        )
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 411")
    conn = http.client.HTTPConnection(str(host), int(port), timeout=TIMEOUT)
    conn.request("GET", "/")
    response = conn.getresponse()
    text = response.read().decode("utf-8")
    assert response.status == 200 and "igång" in text
    assert "/berakna, /kontrollera och /sjalvtest" in text  # every route in remote.ROUTES
    conn.close()


def test_startup_line_names_every_route(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from finsam_xl.excel import server as server_module

    monkeypatch.setattr(
        server_module.FinsamServer, "serve_forever", lambda self, poll_interval=0.5: None
    )
    server_module.serve("127.0.0.1", 0)
    line = capsys.readouterr().out
    assert "/berakna, /kontrollera och /sjalvtest" in line and "utan nyckel" in line
    assert re.search(r"http://127\.0\.0\.1:\d+/ ", line), line  # as test_release reads it


def test_other_addresses_need_a_token() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3")
    with pytest.raises(ServerConfigError, match="nyckel"):
        make_server("0.0.0.0", 0, token=None)
    with pytest.raises(ServerConfigError, match="för kort"):
        make_server("127.0.0.1", 0, token="kort")


def test_token_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINSAM_XL_TOKEN", TOKEN)
    server = make_server("127.0.0.1", 0)
    try:
        assert server.token == TOKEN
    finally:
        server.server_close()
