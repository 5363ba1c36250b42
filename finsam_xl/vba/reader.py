"""A strict reader for VBA project streams: ``dir`` → MODULEOFFSET → decompressed source.

The reader takes the streams of a ``vbaProject.bin`` as a mapping (so any compound
file reader can supply them: olefile, the ``cfb`` package, ...) and parses the
``dir`` stream record by record in the order [MS-OVBA] 2.3.4.2 prescribes, checking
every record id, fixed size and reserved value.  Unlike lenient tools it never
guesses where the source starts: each module's source is decompressed from exactly
MODULEOFFSET in its stream, and any leftover bytes, unknown records or a stream
that does not decompress raise :class:`VbaFormatError`.

It also parses the PROJECT stream's key/value text and decrypts CMG/DPB/GC.

Only the standard library is used.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

from .compression import CompressionError, decompress
from .encryption import decrypt, project_key

__all__ = [
    "ParsedModule",
    "ParsedProject",
    "ParsedReference",
    "VbaFormatError",
    "parse_dir",
    "parse_project_text",
    "read_vba_streams",
]


class VbaFormatError(ValueError):
    """The streams do not follow MS-OVBA."""


@dataclass(frozen=True)
class ParsedReference:
    """One reference record: its kind (``registered``, ``project``, ``control``, ``original``)."""

    name: str | None
    kind: str
    libid: str


@dataclass(frozen=True)
class ParsedModule:
    """A MODULE record of the ``dir`` stream, plus its source once read."""

    name: str
    stream_name: str
    offset: int
    procedural: bool
    read_only: bool = False
    private: bool = False
    source: str | None = None


@dataclass
class ParsedProject:
    """What the ``dir`` (and optionally PROJECT) streams say about a project."""

    sys_kind: int
    compat_version: int | None
    code_page: int
    name: str
    version: tuple[int, int]
    constants: str
    references: list[ParsedReference]
    modules: list[ParsedModule]
    project_text: dict[str, list[str]] = field(default_factory=dict)
    protection: dict[str, bytes] = field(default_factory=dict)


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def peek_id(self) -> int:
        if self.pos + 2 > len(self.data):
            raise VbaFormatError(f"dir stream ends at {self.pos} inside a record")
        return int(struct.unpack_from("<H", self.data, self.pos)[0])

    def take(self, size: int) -> bytes:
        if self.pos + size > len(self.data):
            raise VbaFormatError(f"dir stream ends at {self.pos}, {size} bytes wanted")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def u16(self) -> int:
        return int(struct.unpack("<H", self.take(2))[0])

    def u32(self) -> int:
        return int(struct.unpack("<I", self.take(4))[0])

    def expect_id(self, record_id: int, what: str) -> None:
        found = self.u16()
        if found != record_id:
            raise VbaFormatError(
                f"expected {what} (0x{record_id:04X}) at {self.pos - 2}, found 0x{found:04X}"
            )

    def fixed(self, record_id: int, what: str, size: int) -> bytes:
        self.expect_id(record_id, what)
        stated = self.u32()
        if stated != size:
            raise VbaFormatError(f"{what}: size {stated}, expected {size}")
        return self.take(size)

    def variable(self, record_id: int, what: str) -> bytes:
        self.expect_id(record_id, what)
        return self.take(self.u32())

    def reserved(self, record_id: int, what: str, value: int = 0) -> None:
        """A record that is just an id and a u32 reserved value."""
        self.expect_id(record_id, what)
        found = self.u32()
        if found != value:
            raise VbaFormatError(f"{what}: reserved value {found}, expected {value}")


def _references(cursor: _Cursor, codec: str) -> list[ParsedReference]:
    references: list[ParsedReference] = []
    name: str | None = None
    while True:
        record_id = cursor.peek_id()
        if record_id == 0x000F:  # PROJECTMODULES starts
            if name is not None:
                raise VbaFormatError("REFERENCENAME without a reference record")
            return references
        if record_id == 0x0016:
            name = cursor.variable(0x0016, "REFERENCENAME").decode(codec)
            cursor.variable(0x003E, "REFERENCENAME unicode")
            continue
        if record_id == 0x000D:
            cursor.expect_id(0x000D, "REFERENCEREGISTERED")
            size = cursor.u32()
            body = _Cursor(cursor.take(size))
            libid = body.take(body.u32()).decode(codec)
            if body.u32() != 0 or body.u16() != 0 or body.pos != len(body.data):
                raise VbaFormatError("REFERENCEREGISTERED: bad reserved fields or size")
            references.append(ParsedReference(name, "registered", libid))
        elif record_id == 0x000E:
            cursor.expect_id(0x000E, "REFERENCEPROJECT")
            body = _Cursor(cursor.take(cursor.u32()))
            absolute = body.take(body.u32()).decode(codec)
            body.take(body.u32())  # relative libid
            body.u32()  # major version
            body.u16()  # minor version
            if body.pos != len(body.data):
                raise VbaFormatError("REFERENCEPROJECT: size mismatch")
            references.append(ParsedReference(name, "project", absolute))
        elif record_id in (0x0033, 0x002F):
            original: str | None = None
            if record_id == 0x0033:
                original = cursor.variable(0x0033, "REFERENCEORIGINAL").decode(codec)
            cursor.expect_id(0x002F, "REFERENCECONTROL")
            twiddled = _Cursor(cursor.take(cursor.u32()))
            libid = twiddled.take(twiddled.u32()).decode(codec)
            twiddled.u32()
            twiddled.u16()
            if cursor.peek_id() == 0x0016:  # optional NameRecordExtended
                cursor.variable(0x0016, "REFERENCENAME (extended)")
                cursor.variable(0x003E, "REFERENCENAME unicode (extended)")
            cursor.expect_id(0x0030, "REFERENCECONTROL Reserved3")
            cursor.take(cursor.u32())  # extended part: libid, reserved, GUID, cookie
            references.append(ParsedReference(name, "control", original or libid))
        else:
            raise VbaFormatError(f"unexpected record 0x{record_id:04X} among references")
        name = None


def _module(cursor: _Cursor, codec: str) -> ParsedModule:
    name = cursor.variable(0x0019, "MODULENAME").decode(codec)
    if cursor.peek_id() == 0x0047:
        unicode_name = cursor.variable(0x0047, "MODULENAMEUNICODE").decode("utf-16-le")
        if unicode_name != name:
            raise VbaFormatError(f"MODULENAMEUNICODE {unicode_name!r} differs from {name!r}")
    stream_name = cursor.variable(0x001A, "MODULESTREAMNAME").decode(codec)
    unicode_stream = cursor.variable(0x0032, "MODULESTREAMNAME unicode").decode("utf-16-le")
    if unicode_stream != stream_name:
        raise VbaFormatError(f"stream name {unicode_stream!r} differs from {stream_name!r}")
    cursor.variable(0x001C, "MODULEDOCSTRING")
    cursor.variable(0x0048, "MODULEDOCSTRING unicode")
    (offset,) = struct.unpack("<I", cursor.fixed(0x0031, "MODULEOFFSET", 4))
    cursor.fixed(0x001E, "MODULEHELPCONTEXT", 4)
    cursor.fixed(0x002C, "MODULECOOKIE", 2)
    module_type = cursor.peek_id()
    if module_type not in (0x0021, 0x0022):
        raise VbaFormatError(f"expected MODULETYPE at {cursor.pos}, found 0x{module_type:04X}")
    cursor.reserved(module_type, "MODULETYPE")
    read_only = private = False
    if cursor.peek_id() == 0x0025:
        cursor.reserved(0x0025, "MODULEREADONLY")
        read_only = True
    if cursor.peek_id() == 0x0028:
        cursor.reserved(0x0028, "MODULEPRIVATE")
        private = True
    cursor.reserved(0x002B, "MODULE Terminator")
    return ParsedModule(name, stream_name, offset, module_type == 0x0021, read_only, private)


def parse_dir(data: bytes) -> ParsedProject:
    """Parse a *decompressed* ``dir`` stream strictly (MS-OVBA 2.3.4.2)."""
    cursor = _Cursor(data)
    (sys_kind,) = struct.unpack("<I", cursor.fixed(0x0001, "PROJECTSYSKIND", 4))
    compat: int | None = None
    if cursor.peek_id() == 0x004A:
        (compat,) = struct.unpack("<I", cursor.fixed(0x004A, "PROJECTCOMPATVERSION", 4))
    (lcid,) = struct.unpack("<I", cursor.fixed(0x0002, "PROJECTLCID", 4))
    (lcid_invoke,) = struct.unpack("<I", cursor.fixed(0x0014, "PROJECTLCIDINVOKE", 4))
    if lcid != 0x409 or lcid_invoke != 0x409:
        raise VbaFormatError("PROJECTLCID and PROJECTLCIDINVOKE must be 0x409")
    (code_page,) = struct.unpack("<H", cursor.fixed(0x0003, "PROJECTCODEPAGE", 2))
    codec = f"cp{code_page}"
    try:
        "".encode(codec)
    except LookupError as error:
        raise VbaFormatError(f"unknown code page {code_page}") from error
    name = cursor.variable(0x0004, "PROJECTNAME").decode(codec)
    cursor.variable(0x0005, "PROJECTDOCSTRING")
    cursor.variable(0x0040, "PROJECTDOCSTRING unicode")
    help_1 = cursor.variable(0x0006, "PROJECTHELPFILEPATH")
    help_2 = cursor.variable(0x003D, "PROJECTHELPFILEPATH 2")
    if help_1 != help_2:
        raise VbaFormatError("HelpFile1 and HelpFile2 differ")
    cursor.fixed(0x0007, "PROJECTHELPCONTEXT", 4)
    cursor.fixed(0x0008, "PROJECTLIBFLAGS", 4)
    # PROJECTVERSION: size field says 4 but 6 bytes of data follow.
    cursor.expect_id(0x0009, "PROJECTVERSION")
    if cursor.u32() != 4:
        raise VbaFormatError("PROJECTVERSION reserved field must be 4")
    version = (cursor.u32(), cursor.u16())
    constants = cursor.variable(0x000C, "PROJECTCONSTANTS").decode(codec)
    cursor.variable(0x003C, "PROJECTCONSTANTS unicode")
    references = _references(cursor, codec)
    (count,) = struct.unpack("<H", cursor.fixed(0x000F, "PROJECTMODULES", 2))
    cursor.fixed(0x0013, "PROJECTCOOKIE", 2)
    modules = [_module(cursor, codec) for _ in range(count)]
    cursor.reserved(0x0010, "dir Terminator")
    if cursor.pos != len(data):
        raise VbaFormatError(f"{len(data) - cursor.pos} bytes after the dir Terminator")
    return ParsedProject(sys_kind, compat, code_page, name, version, constants, references, modules)


def parse_project_text(text: str) -> dict[str, list[str]]:
    """Parse the PROJECT stream's properties (before ``[Host Extender Info]``) into key → values."""
    result: dict[str, list[str]] = {}
    for line in text.split("\r\n"):
        if line.startswith("["):
            break
        if not line:
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise VbaFormatError(f"PROJECT line without '=': {line!r}")
        result.setdefault(key, []).append(value)
    return result


def read_vba_streams(streams: Mapping[str, bytes]) -> ParsedProject:
    """Read a project from its streams (keys like ``"VBA/dir"``; case-sensitive).

    Every module's source is decompressed from its MODULEOFFSET and decoded with
    the project code page.  If a ``PROJECT`` stream is present, its properties are
    parsed and CMG/DPB/GC are decrypted into ``protection`` (checking ProjKey
    against ``ID``).
    """
    try:
        project = parse_dir(decompress(streams["VBA/dir"]))
    except CompressionError as error:
        raise VbaFormatError(f"dir stream: {error}") from error
    codec = f"cp{project.code_page}"
    modules: list[ParsedModule] = []
    for module in project.modules:
        stream = streams.get(f"VBA/{module.stream_name}")
        if stream is None:
            raise VbaFormatError(f"module stream VBA/{module.stream_name} is missing")
        if module.offset > len(stream):
            raise VbaFormatError(f"MODULEOFFSET of {module.name} is past the end of its stream")
        try:
            source = decompress(stream[module.offset :]).decode(codec)
        except CompressionError as error:
            raise VbaFormatError(f"module {module.name}: {error}") from error
        modules.append(
            ParsedModule(
                module.name,
                module.stream_name,
                module.offset,
                module.procedural,
                module.read_only,
                module.private,
                source,
            )
        )
    project.modules = modules
    if "PROJECT" in streams:
        text = streams["PROJECT"].decode(codec)
        project.project_text = parse_project_text(text)
        project_id = project.project_text.get("ID", ['""'])[0].strip('"')
        for key in ("CMG", "DPB", "GC"):
            values = project.project_text.get(key)
            if values:
                data, key_byte = decrypt(bytes.fromhex(values[0].strip('"')))
                if key_byte != project_key(project_id):
                    raise VbaFormatError(f"{key}: ProjKey does not match the project ID")
                project.protection[key] = data
    return project
