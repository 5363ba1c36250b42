"""Low-level SIE text handling: bytes to lines (with encoding detection), lines to fields.

Encoding rule (documented in docs/sie.md):

1. A UTF-8 byte order mark means UTF-8. A UTF-16/UTF-32 byte order mark, or
   NUL bytes, mean an encoding SIE does not use: fatal ("Okänd teckenkodning").
2. Otherwise the file is read in blocks. While every byte is ASCII the
   question does not arise (ASCII reads the same in all). At the first block
   with a non-ASCII byte: if that block is valid UTF-8, the file is UTF-8;
   otherwise it is CP437 (the "PC8" of the specification), unless the block
   has more Swedish letters as ISO-8859-1 (Latin-1) bytes than as CP437 bytes
   (``å`` is 0xE5 in Latin-1, where CP437 has ``σ``; CP437's ``å`` is 0x86, a
   control character in Latin-1): then it is ISO-8859-1, with a warning. What
   ``#FORMAT`` says is not trusted: files are often UTF-8 or Latin-1 whatever
   they claim.
3. A later line that is not valid UTF-8 in a file taken as UTF-8 is decoded as
   CP437 and reported as an error on that line ("Blandad teckenkodning"); a
   UTF-8 replacement character (U+FFFD: letters lost before the file reached
   us) is a warning.

CP437 and ISO-8859-1 decode every byte, so such a file never fails to decode.

Field syntax: fields are separated by spaces or tabs; a field with spaces is
quoted ``"..."``; inside quotes ``\\"`` is a quote and ``\\\\`` a backslash
(any other backslash is kept as it is, so ``"C:\\temp"`` reads as written);
``{ ... }`` is an object list of bare or quoted fields.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import BinaryIO

from finsam_xl.errors import FinsamError
from finsam_xl.model.findings import Severity
from finsam_xl.model.text import nfc

MAX_LINE_BYTES = 100_000
"""Longest line accepted; longer lines are skipped with an error (SIE lines are short)."""

BLOCK_BYTES = 1 << 20
"""Size of the blocks read from the file."""


class ObjList(tuple[str, ...]):
    """The raw fields inside ``{ }`` (dimension, object, dimension, object, ...)."""

    __slots__ = ()


Token = str | ObjList


class LexError(FinsamError):
    """A line that cannot be split into fields; carries the Swedish message."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# A token, after optional blanks: quoted string (with escapes), brace, bare word,
# or a lone quote (the start of an unterminated string).
_TOKEN = re.compile(r'[ \t\r\f\v]*(?:"((?:[^"\\]|\\.)*)"|([{}])|([^ \t\r\f\v"{}]+)|("))', re.S)
_ESCAPE = re.compile(r'\\(["\\])')
# UTF-8 encodings of Latin-1 letters (å is C3 A5): in CP437 they would read as box drawing.
_UTF8_LETTER = re.compile(rb"[\xc3][\x80-\xbf]")
# Bytes that are control characters in CP437 and UTF-8 alike, but for the blanks and
# line ends (tab, LF, VT, FF, CR) and SUB (0x1A, the end-of-file mark of old DOS files).
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")
_NOT_CONTROL = bytes(b for b in range(256) if not _CONTROL.match(bytes((b,))))
# Swedish (and the common West European) letters å ä ö Å Ä Ö é É ü Ü as CP437 bytes and
# as ISO-8859-1 bytes. Each set is control characters or box drawing / Greek in the
# other encoding, so which one a file's bytes have tells the encoding.
_CP437_LETTERS = bytes((0x86, 0x84, 0x94, 0x8F, 0x8E, 0x99, 0x82, 0x90, 0x81, 0x9A))
_LATIN_LETTERS = "åäöÅÄÖéÉüÜ".encode("latin-1")
_NOT_CP437_LETTERS = bytes(b for b in range(256) if b not in _CP437_LETTERS)
_NOT_LATIN_LETTERS = bytes(b for b in range(256) if b not in _LATIN_LETTERS)
_LATIN_LETTER = re.compile(b"[" + re.escape(_LATIN_LETTERS) + b"]")
_CP437_LETTER = re.compile(b"[" + re.escape(_CP437_LETTERS) + b"]")
ENCODING_WARNINGS = frozenset(("latin1_encoding", "mixed_encoding", "replacement_character"))
"""The codes of the warnings about a file's encoding (its names may not read as written)."""
LATIN1 = "iso8859-1"
"""The name (``codecs``) of the encoding of files detected as ISO-8859-1 / Latin-1."""
_FNR = re.compile(rb"^[ \t]*#FNR[^\n]*", re.MULTILINE | re.IGNORECASE)
_ALIASES = {"pc8": "cp437", "pc-8": "cp437", "ibm437": "cp437", "ibmpc": "cp437"}


def unescape(text: str) -> str:
    """Undo the escapes of a quoted field: ``\\"`` to ``"`` and ``\\\\`` to ``\\``."""
    return _ESCAPE.sub(r"\1", text) if "\\" in text else text


def tokenize(line: str) -> list[Token]:
    """Split one line into fields; an object list becomes one ``ObjList`` field.

    Raises ``LexError`` for an unterminated quote or brace, a nested or stray brace.
    """
    tokens: list[Token] = []
    inner: list[str] | None = None
    pos = 0
    end = len(line.rstrip(" \t\r\n\f\v"))
    match = _TOKEN.match
    while pos < end:
        m = match(line, pos)
        if m is None:  # pragma: no cover - the pattern matches any non-blank character
            raise LexError("Oläsbar rad", "bad_line")
        pos = m.end()
        quoted, brace, bare, lone = m.groups()
        if lone is not None:
            raise LexError("Oavslutat citattecken", "unterminated_quote")
        if brace == "{":
            if inner is not None:
                raise LexError("Klammer inuti objektlista", "nested_brace")
            inner = []
        elif brace == "}":
            if inner is None:
                raise LexError("Oväntad klammer '}'", "unexpected_brace")
            tokens.append(ObjList(inner))
            inner = None
        else:
            value = unescape(quoted) if quoted is not None else bare
            if inner is not None:
                inner.append(value)
            else:
                tokens.append(value)
    if inner is not None:
        raise LexError("Oavslutad klammer: objektlistan saknar '}'", "unterminated_brace")
    return tokens


def checksum_text(tokens: list[Token]) -> str:
    """The text one record adds to ``#KSUMMA``: label and fields, no blanks, quotes or braces."""
    return "".join(t if isinstance(t, str) else "".join(t) for t in tokens)


# --------------------------------------------------------------------------------------
# Bytes to lines
# --------------------------------------------------------------------------------------

Note = tuple[Severity, str, str, int]
"""An issue found while decoding: severity, code, message, index of the line in its block."""


def _may_have_long_line(text: str) -> bool:
    """Whether a line of ``text`` may be longer than ``MAX_LINE_BYTES`` (never wrongly no).

    A line of more than twice ``step`` characters holds a whole window
    ``[k * step, (k + 1) * step)`` without a line end; when every window has one, no
    line is that long. A few ``find`` calls instead of the length of every line.
    """
    step = MAX_LINE_BYTES // 2
    find = text.find
    return any(
        find("\n", start, start + step) < 0 for start in range(0, len(text) - step + 1, step)
    )


def _utf8_valid(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class LineSource:
    """Yield the decoded lines of a binary stream in lists, detecting the encoding.

    Memory stays bounded: one block (1 MiB) and its lines at a time; an overlong
    line is skipped while it is read, never held whole.
    """

    def __init__(
        self,
        stream: BinaryIO,
        fatal: Callable[[int | None, str, str], FinsamError],
        encoding: str | None = None,
    ) -> None:
        self._stream = stream
        self._fatal = fatal
        self.notes: list[Note] = []
        self.encoding: str | None = None  # decided encoding; None while all ASCII
        self.forced = encoding is not None
        if encoding is not None:
            self.encoding = self._normalise(encoding)
        self.bom = False
        self._lost = False  # whether a replacement character has been reported
        # The decoded text of the block last yielded: every line of it as decoded, before
        # a line was blanked (a line with a NUL byte, an overlong line).
        self.text = ""
        # Lines of that block that were not in NFC, as written (index in the block -> text).
        self.raw: dict[int, str] = {}

    def _normalise(self, encoding: str) -> str:
        try:
            name = codecs.lookup(_ALIASES.get(encoding.strip().lower(), encoding.strip())).name
        except LookupError:
            raise self._fatal(
                None,
                f"Okänd teckenkodning '{encoding}' (använd t.ex. cp437, utf-8, iso-8859-1 "
                "eller iso-8859-15)",
                "unknown_encoding",
            ) from None
        return name

    # The generator ------------------------------------------------------------------

    def blocks(self) -> Iterator[list[str]]:
        """Yield lists of decoded lines (without line ends), in file order.

        Problems met while decoding a block are left in ``notes`` (line index
        relative to the block) for the caller to pick up with the block.
        """
        read = self._stream.read
        pending = b""  # start of a line not yet complete
        skipping = 0  # >0 while discarding an overlong line: bytes seen so far
        first = True
        while True:
            chunk = read(BLOCK_BYTES)
            if first:
                first = False
                chunk = self._check_start(chunk)
            if not chunk:
                break
            if skipping:
                cut = chunk.find(b"\n")
                if cut < 0:
                    skipping += len(chunk)
                    continue
                self._too_long(skipping + cut - (cut > 0 and chunk[cut - 1] == 13))
                chunk = chunk[cut + 1 :]
                skipping = 0
                self.text = ""
                yield [""]  # the overlong line keeps its line number
            last = chunk.rfind(b"\n")
            if last < 0:
                pending += chunk
                if len(pending) > MAX_LINE_BYTES:
                    skipping = len(pending)
                    pending = b""
                continue
            data = pending + chunk[: last + 1] if pending else chunk[: last + 1]
            pending = chunk[last + 1 :]
            if len(pending) > MAX_LINE_BYTES:
                skipping = len(pending)
                pending = b""
            yield self._decode_block(data)
        if skipping:
            self._too_long(skipping)
            self.text = ""
            yield [""]
        elif pending:
            yield self._decode_block(pending + b"\n")

    # Helpers --------------------------------------------------------------------------

    def _check_start(self, chunk: bytes) -> bytes:
        if chunk.startswith(codecs.BOM_UTF8):
            self.bom = True
            if not self.forced:
                self.encoding = "utf-8"
            return chunk[len(codecs.BOM_UTF8) :]
        if chunk.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or chunk.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        ):
            raise self._fatal(
                1,
                "Okänd teckenkodning: filen är UTF-16/UTF-32, SIE använder CP437",
                "unknown_encoding",
            )
        if b"\x00" in chunk:
            line = chunk[: chunk.index(b"\x00")].count(b"\n") + 1
            raise self._fatal(
                line,
                "Okänd teckenkodning: filen innehåller NUL-tecken (binärfil?)",
                "unknown_encoding",
            )
        return chunk

    def _too_long(self, length: int) -> None:
        # The overlong line is yielded as an empty block of its own, index 0.
        self.notes.append(
            (
                Severity.ERROR,
                "line_too_long",
                f"Raden är för lång ({length} tecken, högst {MAX_LINE_BYTES}); raden hoppas över",
                0,
            )
        )

    def _decode_block(self, data: bytes) -> list[str]:
        encoding = self.encoding
        if encoding is None:
            if data.isascii():
                text = data.decode("ascii")
            else:
                encoding = self.encoding = "utf-8" if _utf8_valid(data) else self._eight_bit(data)
                text = self._decode_known(data, encoding)
                if encoding == "cp437":
                    self._look_for_utf8(data)
        else:
            text = self._decode_known(data, encoding)
        if encoding == "utf-8" and not self._lost and "\ufffd" in text:
            self._replacement_character(text)
        text = self._nfc(text)
        self.text = text
        lines = text.split("\n")
        lines.pop()  # data always ends with a line end
        if data.translate(None, _NOT_CONTROL):  # fast: no pattern search per block
            self._control_characters(data, lines)
        if _may_have_long_line(text) and max(map(len, lines)) > MAX_LINE_BYTES:
            for index, line in enumerate(lines):
                if len(line) > MAX_LINE_BYTES:
                    lines[index] = ""
                    self.notes.append(
                        (
                            Severity.ERROR,
                            "line_too_long",
                            f"Raden är för lång ({len(line.rstrip(chr(13)))} tecken, "
                            f"högst {MAX_LINE_BYTES}); "
                            "raden hoppas över",
                            index,
                        )
                    )
        return lines

    def _nfc(self, text: str) -> str:
        """The block's text in NFC, so that a name in NFD (macOS) reads as the same name.

        ``raw`` keeps, per line index in the block, the text of each line the
        normalisation changed: ``#KSUMMA`` is computed over the text as written.
        """
        self.raw = {}
        if nfc(text) is text:  # the common case, Latin-1 text, without reading it
            return text
        written = text.split("\n")
        lines = [unicodedata.normalize("NFC", line) for line in written]
        self.raw = {i: w for i, (w, n) in enumerate(zip(written, lines, strict=True)) if w != n}
        return "\n".join(lines)

    def _control_characters(self, data: bytes, lines: list[str]) -> None:
        """Report the lines with control characters; a line with a NUL byte is skipped.

        A NUL byte does not belong in a text file: the file is damaged (or binary),
        and the line's content cannot be trusted. Other control characters (but tab,
        line feed, carriage return, vertical tab, form feed) are kept, with a
        warning: they are invisible, and an object id or text with one is not the
        one the user sees.
        """
        search = _CONTROL.search
        found = search(data)
        index = 0
        pos = 0
        while found is not None:
            index += data.count(b"\n", pos, found.start())
            end = data.find(b"\n", found.start())
            raw = data[data.rfind(b"\n", 0, found.start()) + 1 : end]
            if b"\x00" in raw:
                lines[index] = ""
                self.notes.append(
                    (
                        Severity.ERROR,
                        "nul_byte",
                        "Raden innehåller NUL-tecken (binära data): filen är skadad och "
                        "raden hoppas över. Exportera filen på nytt från bokföringsprogrammet.",
                        index,
                    )
                )
            else:
                char = data[found.start()]  # the first in this line
                self.notes.append(
                    (
                        Severity.WARNING,
                        "control_character",
                        f"Raden innehåller ett osynligt styrtecken (0x{char:02X}); det "
                        "behålls, men ett konto, objekt eller en text med det är inte "
                        "det som syns. Rätta raden i bokföringsprogrammet.",
                        index,
                    )
                )
            pos = end
            found = search(data, end)

    def _eight_bit(self, data: bytes) -> str:
        """CP437 or ISO-8859-1 for the first non-ASCII block that is not UTF-8.

        CP437 (the specification's) unless the block has more Swedish letters as
        Latin-1 bytes than as CP437 bytes; Latin-1 gets a warning at its first such
        letter. A line with letters of the other kind is a warning too (mixed
        encoding: an object id or name there is not what the user sees). ``#FNR``
        lines do not count: some programs write the Windows path of the company's
        folder there in the system's encoding, and nothing reads it.
        """
        cp437 = len(data.translate(None, _NOT_CP437_LETTERS))
        latin = len(data.translate(None, _NOT_LATIN_LETTERS))
        if latin and cp437:
            for line in _FNR.findall(data):
                latin -= len(line.translate(None, _NOT_LATIN_LETTERS))
                cp437 -= len(line.translate(None, _NOT_CP437_LETTERS))
        chosen = LATIN1 if latin > cp437 else "cp437"
        if chosen == LATIN1:
            found = _first(_LATIN_LETTER, data)
            self.notes.append(
                (
                    Severity.WARNING,
                    "latin1_encoding",
                    "Filen är kodad som ISO-8859-1 (Latin-1), inte som CP437 (PC8) som SIE "
                    "föreskriver; den läses som ISO-8859-1, så att å, ä och ö blir rätt. Ser "
                    "namnen fel ut, ange teckenkodningen med --teckenkodning.",
                    data.count(b"\n", 0, found),
                )
            )
        if latin and cp437:
            other, name, read = (
                (_CP437_LETTER, "CP437", "ISO-8859-1")
                if chosen == LATIN1
                else (_LATIN_LETTER, "ISO-8859-1 (Latin-1)", "CP437")
            )
            found = _first(other, data)
            self.notes.append(
                (
                    Severity.WARNING,
                    "mixed_encoding",
                    f"Blandad teckenkodning: raden ser ut att vara {name} men filen läses "
                    f"som {read}; namn och objekt på raden blir inte de som syns i "
                    "bokföringen. Rätta raden eller exportera filen på nytt.",
                    data.count(b"\n", 0, found),
                )
            )
        return chosen

    def _replacement_character(self, text: str) -> None:
        """Warn once about U+FFFD in a UTF-8 file: letters were lost before it was read."""
        self._lost = True
        self.notes.append(
            (
                Severity.WARNING,
                "replacement_character",
                "Raden innehåller ersättningstecknet '\ufffd': bokstäver gick förlorade när "
                "filen skapades eller konverterades, så namn och texter med det stämmer inte "
                "med bokföringen. Exportera filen på nytt.",
                text.count("\n", 0, text.index("\ufffd")),
            )
        )

    def _look_for_utf8(self, data: bytes) -> None:
        # A CP437 file with UTF-8 sequences (Ã¥ for å) has probably been pieced together.
        found = _UTF8_LETTER.search(data)
        if found:
            self.notes.append(
                (
                    Severity.WARNING,
                    "mixed_encoding",
                    "Blandad teckenkodning: raden ser ut att vara UTF-8 men filen läses som CP437",
                    data[: found.start()].count(b"\n"),
                )
            )

    def _decode_known(self, data: bytes, encoding: str) -> str:
        if encoding == "utf-8":
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                return self._decode_mixed(data)
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise self._fatal(
                line, f"Filen kan inte avkodas som {encoding}", "unknown_encoding"
            ) from None

    def _decode_mixed(self, data: bytes) -> str:
        # Only reached for a UTF-8 file with a stretch of other bytes: find the lines.
        out: list[str] = []
        for index, raw in enumerate(data.split(b"\n")):
            try:
                out.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                out.append(raw.decode("cp437"))
                self.notes.append(
                    (
                        Severity.ERROR,
                        "mixed_encoding",
                        "Blandad teckenkodning: raden är inte UTF-8 som resten av filen; "
                        "den läses som CP437",
                        index,
                    )
                )
        return "\n".join(out)


def _first(pattern: re.Pattern[bytes], data: bytes) -> int:
    """Where ``pattern`` first matches in ``data`` outside an ``#FNR`` line (else anywhere)."""
    for found in pattern.finditer(data):
        start = data.rfind(b"\n", 0, found.start()) + 1
        if not _FNR.match(data, start):
            return found.start()
    anywhere = pattern.search(data)
    assert anywhere is not None  # only called when there is one
    return anywhere.start()
