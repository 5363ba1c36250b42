"""``finsam-xl serve``: the remote-interpreter endpoint for xlwings' VBA client, stdlib only.

One ``ThreadingHTTPServer``; every POST is answered by ``remote.handle`` and
nothing is kept between requests. Rules:

* it binds 127.0.0.1 by default; any other address needs a token, which the
  client sends as its ``Authorization`` header (``AUTH`` in xlwings.conf or the
  ``auth`` argument of ``RunServerPython``), compared in constant time;
* a body over ``max_bytes`` (default 10 MB) is refused with 413 before it is read;
* errors are short Swedish plain text with a non-200 status (the client shows
  the body in a message box); tracebacks go to the server log only;
* TLS is left to a reverse proxy (docs/excel.md).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from finsam_xl.excel.remote import MAX_BYTES, Reply, handle, too_large

log = logging.getLogger("finsam_xl.server")
TOKEN_ENV = "FINSAM_XL_TOKEN"
#: Seconds a connection may stall while sending its request.
READ_TIMEOUT = 30.0


class ServerConfigError(ValueError):
    """The server cannot start with these settings; ``str()`` is Swedish."""


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses."""
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Handler(BaseHTTPRequestHandler):
    """Turns HTTP into ``remote.handle`` calls; the server carries token and size limit."""

    server: FinsamServer
    protocol_version = "HTTP/1.1"
    timeout = READ_TIMEOUT
    server_version = "finsam_xl"
    sys_version = ""

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(reply.body)
        self.close_connection = True

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        """One button press."""
        if self.headers.get("Transfer-Encoding"):
            self._send(Reply.text(411, "Förfrågan måste ange sin längd (Content-Length)."))
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._send(Reply.text(411, "Förfrågan måste ange sin längd (Content-Length)."))
            return
        if length < 0:
            self._send(Reply.text(400, "Ogiltig längd på förfrågan."))
            return
        if length > self.server.max_bytes:
            self._send(too_large(self.server.max_bytes))
            return
        try:
            body = self.rfile.read(length)
        except (TimeoutError, OSError):
            return  # the client stalled or went away; nobody to answer
        headers = {k: v for k, v in self.headers.items()}
        self._send(handle(self.path, headers, body, self.server.token, self.server.max_bytes))

    def do_GET(self) -> None:  # noqa: N802
        """A health check for proxies and monitoring; no workbook data."""
        if self.path.split("?", 1)[0].rstrip("/") in ("", "/halsa"):
            self._send(
                Reply.text(
                    200,
                    "finsam_xl-servern är igång. Knapparna anropar /berakna "
                    "och /kontrollera med POST.",
                )
            )
        else:
            self._send(Reply.text(404, "Okänd adress."))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Access log through logging (no bodies, no headers)."""
        log.info("%s %s", self.address_string(), format % args)


class FinsamServer(ThreadingHTTPServer):
    """The HTTP server with its settings."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], token: str | None, max_bytes: int) -> None:
        self.token = token
        self.max_bytes = max_bytes
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)


def make_server(
    host: str = "127.0.0.1", port: int = 8765, token: str | None = None, max_bytes: int = MAX_BYTES
) -> FinsamServer:
    """A bound server (port 0 picks a free port); refuses a non-loopback address without token."""
    token = token or os.environ.get(TOKEN_ENV) or None
    if not is_loopback(host) and not token:
        raise ServerConfigError(
            f"Adressen {host} nås från andra datorer: ange en nyckel med --token eller "
            f"miljövariabeln {TOKEN_ENV}, och lägg servern bakom HTTPS (se docs/excel.md)."
        )
    if token is not None and len(token) < 16:
        raise ServerConfigError("Nyckeln är för kort: använd minst 16 tecken, gärna slumpade.")
    if max_bytes <= 0:
        raise ServerConfigError("Största tillåtna storlek måste vara positiv.")
    return FinsamServer((host, port), token, max_bytes)


def serve(
    host: str = "127.0.0.1", port: int = 8765, token: str | None = None, max_bytes: int = MAX_BYTES
) -> None:
    """Run the server until interrupted."""
    server = make_server(host, port, token, max_bytes)
    bound_host, bound_port = str(server.server_address[0]), server.server_address[1]
    print(
        f"finsam_xl lyssnar på http://{bound_host}:{bound_port}/berakna och /kontrollera "
        f"({'med' if server.token else 'utan'} nyckel). Avsluta med Ctrl+C."
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
