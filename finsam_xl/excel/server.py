"""``finsam-xl server``: the remote-interpreter endpoint for xlwings' VBA client, stdlib only.

One asyncio event loop reads requests; a small thread pool answers them with
``remote.handle``; nothing is kept between requests. Rules (docs/server.md):

* it binds 127.0.0.1 by default; any other address needs a token, which the
  client sends as its ``Authorization`` header (``AUTH`` in xlwings.conf or the
  ``auth`` argument of ``RunServerPython``), compared in constant time;
* reading a request costs no thread: a stalled client holds a coroutine and at
  most ``MAX_HEAD_BYTES`` of buffer, and the whole request (head and body) must
  arrive within ``REQUEST_DEADLINE`` seconds, else 408;
* open connections, bodies held in memory, requests waiting for a worker and
  worker threads are all capped; past a cap the client gets a fast 503;
* the head is parsed strictly: one Content-Length of digits, no
  Transfer-Encoding, no folded or malformed header lines, a bounded path;
* a body over ``max_bytes`` (default 10 MB) is refused with 413 before it is read;
* every answer, refusals included, is short Swedish plain text (or the JSON
  actions) with ``Connection: close``; tracebacks go to the server log only;
* TLS is left to a reverse proxy (docs/excel.md).

Why not ``http.server`` or waitress: see docs/server.md.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import re
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

from finsam_xl.errors import FinsamError
from finsam_xl.excel.remote import MAX_BYTES, Reply, handle, routes_text, too_large

log = logging.getLogger("finsam_xl.server")
TOKEN_ENV = "FINSAM_XL_TOKEN"

# --- limits: connections and time (docs/server.md) ----------------------------------------------
#: Seconds from accepting a connection until its whole request (head and body) is read.
REQUEST_DEADLINE = 30.0
#: Seconds to hand the answer to a client that does not read it.
WRITE_DEADLINE = 10.0
#: Seconds to wait, after answering, for the client to close (so that it reads the answer
#: before a refused body it is still sending makes the kernel reset the connection).
LINGER = 2.0
#: Pending connections the kernel queues before accept (listen backlog; the OS may cap it).
BACKLOG = 1024
#: Open connections at once; more are answered 503 at once and closed.
MAX_CONNECTIONS = 512
#: Threads that compute answers (the work holds the GIL: more would not be faster).
WORKERS = 4
#: Complete requests waiting for, or in, a worker; more are answered 503.
MAX_PENDING = 128
#: Bytes of request bodies received and held at once, over all connections (at least one
#: ``max_bytes``); a body that would pass it is answered 503.
MAX_BUFFERED = 64 * 1024 * 1024
#: Bytes of the request line plus headers.
MAX_HEAD_BYTES = 16 * 1024
#: Characters of the request target (path and query).
MAX_TARGET = 2048
#: Header lines.
MAX_HEADERS = 64

_TOKEN = re.compile(rb"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_VERSION = re.compile(rb"^HTTP/1\.[01]$")
_ALLOW = "GET, HEAD, POST"


class ServerConfigError(FinsamError, ValueError):
    """The server cannot start with these settings; ``str()`` is Swedish."""


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses."""
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Refusal(FinsamError):
    """A request answered with a Swedish text before it reaches ``handle``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.reply = Reply.text(status, message)
        self.headers = headers or {}


def _busy() -> _Refusal:
    return _Refusal(
        503, "Servern är upptagen just nu. Försök igen om en stund.", {"Retry-After": "5"}
    )


def _encode(reply: Reply, extra: dict[str, str] | None = None, head_only: bool = False) -> bytes:
    """The bytes of an HTTP/1.1 answer that closes the connection."""
    try:
        phrase = HTTPStatus(reply.status).phrase
    except ValueError:
        phrase = "Status"
    lines = [
        f"HTTP/1.1 {reply.status} {phrase}",
        "Server: finsam_xl",
        f"Content-Type: {reply.content_type}",
        f"Content-Length: {len(reply.body)}",
        "Cache-Control: no-store",
        "X-Content-Type-Options: nosniff",
        "Connection: close",
    ]
    lines += [f"{k}: {v}" for k, v in (extra or {}).items()]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head if head_only else head + reply.body


class _Request:
    """A parsed request head."""

    def __init__(self, method: str, target: str, headers: dict[str, str]) -> None:
        self.method, self.target, self.headers = method, target, headers
        #: Bytes of the body budget this request holds until it is answered.
        self.reserved = 0


async def _read_line(reader: asyncio.StreamReader, used: int) -> bytes:
    """One CRLF-terminated head line; over-long lines and heads are refused."""
    try:
        line = await reader.readuntil(b"\r\n")
    except asyncio.LimitOverrunError:
        if used == 0:
            raise _Refusal(
                414, f"Adressen i förfrågan är för lång (högst {MAX_TARGET} tecken)."
            ) from None
        raise _Refusal(431, "Förfrågans rubriker är för stora.") from None
    if used + len(line) > MAX_HEAD_BYTES:
        if used == 0:
            raise _Refusal(414, f"Adressen i förfrågan är för lång (högst {MAX_TARGET} tecken).")
        raise _Refusal(431, "Förfrågans rubriker är för stora.")
    return line[:-2]


async def _read_head(reader: asyncio.StreamReader) -> _Request:
    """Request line and headers, strictly: anything unusual is a Swedish 4xx."""
    bad = "Förfrågan är felaktigt formad."
    line = await _read_line(reader, 0)
    used = len(line) + 2
    parts = line.split(b" ")
    if len(parts) != 3 or not _TOKEN.match(parts[0]) or not parts[1]:
        raise _Refusal(400, bad)
    method, target, version = parts
    if not _VERSION.match(version):
        raise _Refusal(505, "Servern förstår bara HTTP/1.0 och HTTP/1.1.")
    if len(target) > MAX_TARGET:
        raise _Refusal(414, f"Adressen i förfrågan är för lång (högst {MAX_TARGET} tecken).")
    if not target.startswith(b"/") or any(b < 0x21 or b > 0x7E for b in target):
        raise _Refusal(400, bad)
    headers: dict[str, str] = {}
    while True:
        line = await _read_line(reader, used)
        used += len(line) + 2
        if not line:
            break
        if len(headers) >= MAX_HEADERS:
            raise _Refusal(431, "Förfrågan har för många rubriker.")
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.match(name) or any(b < 0x20 and b != 0x09 for b in value):
            raise _Refusal(400, bad)  # also folded lines (leading space) and bare CR/LF
        key = name.decode("ascii").title()
        if key in headers:
            if key == "Content-Length":
                raise _Refusal(400, "Förfrågan anger sin längd (Content-Length) mer än en gång.")
            if key in ("Authorization", "Transfer-Encoding", "Host", "Expect"):
                raise _Refusal(400, f"Förfrågan anger rubriken {key} mer än en gång.")
            headers[key] += ", " + value.strip().decode("latin-1")
        else:
            headers[key] = value.strip(b" \t").decode("latin-1")
    return _Request(method.decode("ascii"), target.decode("ascii"), headers)


def _content_length(request: _Request, max_bytes: int) -> int:
    if "Transfer-Encoding" in request.headers:
        raise _Refusal(
            411, "Förfrågan måste ange sin längd (Content-Length); styckvis överföring stöds inte."
        )
    text = request.headers.get("Content-Length")
    if text is None:
        raise _Refusal(411, "Förfrågan måste ange sin längd (Content-Length).")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise _Refusal(400, "Ogiltig längd på förfrågan (Content-Length).")
    length = int(text)
    if length > max_bytes:
        reply = too_large(max_bytes)
        raise _Refusal(reply.status, reply.body.decode("utf-8"))
    return length


def _health(target: str) -> Reply:
    if target.split("?", 1)[0].rstrip("/") in ("", "/halsa"):
        return Reply.text(
            200, f"finsam_xl-servern är igång. Knapparna anropar {routes_text()} med POST."
        )
    return Reply.text(404, "Okänd adress.")


class FinsamServer:
    """The listening socket, its limits and the loop that serves it.

    The same surface as ``socketserver``'s servers that callers use:
    ``server_address``, ``serve_forever()`` (blocks), ``shutdown()`` (from another
    thread; waits until ``serve_forever`` returns) and ``server_close()``.
    """

    def __init__(
        self,
        address: tuple[str, int],
        token: str | None,
        max_bytes: int,
        *,
        deadline: float = REQUEST_DEADLINE,
        workers: int = WORKERS,
        max_connections: int = MAX_CONNECTIONS,
        max_pending: int = MAX_PENDING,
        backlog: int = BACKLOG,
    ) -> None:
        self.token = token
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.workers = workers
        self.max_connections = max_connections
        self.max_pending = max_pending
        self.max_buffered = max(MAX_BUFFERED, max_bytes)
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        try:
            if os.name != "nt":  # on Windows SO_REUSEADDR lets another process share the port
                self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.socket.bind(address)
            self.socket.listen(backlog)
        except OSError:
            self.socket.close()
            raise
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self._connections = 0
        self._pending = 0
        self._buffered = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._stop_requested = False
        self._running = threading.Event()
        self._done = threading.Event()
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------------
    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until ``shutdown()``; ``poll_interval`` is accepted for compatibility."""
        self._done.clear()
        try:
            asyncio.run(self._main())
        finally:
            self._running.clear()
            self._done.set()

    def shutdown(self) -> None:
        """Stop ``serve_forever`` (call from another thread) and wait until it has returned."""
        with self._lock:
            self._stop_requested = True
            loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and self._running.is_set():
            try:
                loop.call_soon_threadsafe(stop.set)
            except RuntimeError:  # the loop has just closed
                return
            self._done.wait()

    def server_close(self) -> None:
        """Close the listening socket."""
        self.socket.close()

    async def _main(self) -> None:
        executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="finsam-xl")
        tasks: set[asyncio.Task[None]] = set()

        def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.get_running_loop().create_task(
                self._connection(reader, writer, executor)
            )
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        server = await asyncio.start_server(accept, sock=self.socket, limit=MAX_HEAD_BYTES)
        with self._lock:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            stop = self._stop
            if self._stop_requested:
                stop.set()
            self._running.set()
        try:
            await stop.wait()
        finally:
            server.close()
            for task in list(tasks):
                task.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
            executor.shutdown(wait=False, cancel_futures=True)
            with self._lock:
                self._loop = self._stop = None

    # -- one connection ----------------------------------------------------------------------
    async def _connection(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        executor: ThreadPoolExecutor,
    ) -> None:
        self._connections += 1
        try:
            await self._exchange(reader, writer, executor)
        except asyncio.CancelledError:
            writer.transport.abort()
            raise
        except Exception:  # a broken socket while answering: nothing left to tell the client
            log.debug("anslutningen bröts", exc_info=True)
            writer.transport.abort()
        finally:
            self._connections -= 1

    async def _exchange(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        executor: ThreadPoolExecutor,
    ) -> None:
        peer = writer.get_extra_info("peername")
        client = str(peer[0]) if isinstance(peer, tuple) else "?"
        request: _Request | None = None
        extra: dict[str, str] = {}
        try:
            try:
                if self._connections > self.max_connections:
                    raise _busy()
                async with asyncio.timeout(self.deadline):
                    request = await _read_head(reader)
                    body = await self._read_body(request, reader, writer)
                if body is None:
                    reply = _health(request.target)
                else:
                    reply = await self._compute(request, body, executor)
            except TimeoutError:
                raise _Refusal(
                    408,
                    f"Förfrågan kom inte fram i tid (inom {self.deadline:g} "
                    "sekunder). Försök igen.",
                ) from None
        except _Refusal as refusal:
            reply, extra = refusal.reply, refusal.headers
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.transport.abort()  # the client went away before its request was complete
            return
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("internt fel %s från %s", ref, client)
            reply = Reply.text(
                500,
                f"Ett internt fel uppstod i finsam_xl-servern (referens "
                f"{ref}). Be IT titta i serverns logg.",
            )
        finally:
            if request is not None:  # the body is no longer held once answered or refused
                self._buffered -= request.reserved
                request.reserved = 0
        method = request.method if request else "-"
        target = request.target[:80] if request else "-"
        log.info("%s %s %s %d %d", client, method, target, reply.status, len(reply.body))
        await self._answer(reader, writer, _encode(reply, extra, head_only=method == "HEAD"))

    async def _read_body(
        self, request: _Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bytes | None:
        """The POST body (None for GET and HEAD), read only when the limits allow it."""
        if request.method in ("GET", "HEAD"):
            return None
        if request.method != "POST":
            raise _Refusal(
                405,
                f"Metoden {request.method[:20]} stöds inte. Knapparna använder POST.",
                {"Allow": _ALLOW},
            )
        length = _content_length(request, self.max_bytes)
        if request.headers.get("Expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        chunks: list[bytes] = []
        missing = length
        while missing:
            chunk = await reader.read(min(missing, 256 * 1024))
            if not chunk:
                raise _Refusal(400, "Förfrågan tog slut innan hela arbetsboken kommit fram.")
            # Count what has arrived, not what is claimed: stalled clients cost only their bytes.
            if self._buffered + len(chunk) > self.max_buffered:
                raise _busy()
            self._buffered += len(chunk)
            request.reserved += len(chunk)  # released by _exchange once answered
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    async def _compute(self, request: _Request, body: bytes, executor: ThreadPoolExecutor) -> Reply:
        """``remote.handle`` in a worker thread, if one is free soon enough."""
        if self._pending >= self.max_pending:
            raise _busy()
        self._pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(
                executor, handle, request.target, request.headers, body, self.token, self.max_bytes
            )
        finally:
            self._pending -= 1

    async def _answer(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes
    ) -> None:
        """Send the answer, then close gently: a client still sending must read it first."""
        try:
            writer.write(data)
            async with asyncio.timeout(WRITE_DEADLINE):
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()
            async with asyncio.timeout(LINGER):  # discard what the client still sends
                while await reader.read(64 * 1024):
                    pass
        except (TimeoutError, ConnectionError, OSError, asyncio.LimitOverrunError):
            pass
        writer.close()


def make_server(
    host: str = "127.0.0.1",
    port: int = 8765,
    token: str | None = None,
    max_bytes: int = MAX_BYTES,
    *,
    deadline: float = REQUEST_DEADLINE,
    workers: int = WORKERS,
    max_connections: int = MAX_CONNECTIONS,
    max_pending: int = MAX_PENDING,
) -> FinsamServer:
    """A bound server (port 0 picks a free port); refuses a non-loopback address without token."""
    token = token or os.environ.get(TOKEN_ENV) or None
    if not is_loopback(host) and not token:
        raise ServerConfigError(
            f"Adressen {host} nås från andra datorer: ange en nyckel med --nyckel eller "
            f"miljövariabeln {TOKEN_ENV}, och lägg servern bakom HTTPS (se docs/excel.md)."
        )
    if token is not None and len(token) < 16:
        raise ServerConfigError("Nyckeln är för kort: använd minst 16 tecken, gärna slumpade.")
    if max_bytes <= 0:
        raise ServerConfigError("Största tillåtna storlek måste vara positiv.")
    if deadline <= 0 or workers < 1 or max_connections < 1 or max_pending < 1:
        raise ServerConfigError("Tidsgräns, trådar och köer måste vara positiva.")
    return FinsamServer(
        (host, port),
        token,
        max_bytes,
        deadline=deadline,
        workers=workers,
        max_connections=max_connections,
        max_pending=max_pending,
    )


def serve(
    host: str = "127.0.0.1", port: int = 8765, token: str | None = None, max_bytes: int = MAX_BYTES
) -> None:
    """Run the server until interrupted."""
    server = make_server(host, port, token, max_bytes)
    bound_host, bound_port = str(server.server_address[0]), server.server_address[1]
    print(
        f"finsam_xl lyssnar på http://{bound_host}:{bound_port}/ (knapparna: {routes_text()}; "
        f"{'med' if server.token else 'utan'} nyckel). Avsluta med Ctrl+C."
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
