"""Build a source-only VBA project (``vbaProject.bin``) following [MS-OVBA].

The compound file written by :func:`build_vba_project` contains::

    PROJECT            text: module list, name, encrypted CMG/DPB/GC, workspace
    PROJECTwm          module names in MBCS and UTF-16
    VBA/_VBA_PROJECT   CC 61 FF FF 00 01 00  (version 0xFFFF: no cache, compile from source)
    VBA/dir            compressed project information, references and module records
    VBA/<module>       compressed source at MODULEOFFSET 0, no p-code

Document modules are written for ``ThisWorkbook`` (or another workbook code name)
and for every worksheet code name, so they match the ``codeName`` attributes in
``workbook.xml`` and the sheets.  Standard and class modules come from
:class:`~finsam_xl.vba.modules.VbaModule` objects.

All output is deterministic: the project ID defaults to a UUID derived from the
project name and the CMG/DPB/GC seeds are derived from the ID.

Only the standard library is used.
"""

from __future__ import annotations

import hashlib
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from .cfb import build_compound_file
from .compression import compress
from .encryption import encrypt
from .modules import WORKBOOK_BASE, WORKSHEET_BASE, ModuleKind, VbaModule, check_identifier

__all__ = [
    "CODE_PAGE",
    "OFFICE_REFERENCE",
    "STDOLE_REFERENCE",
    "VBA_PROJECT_STREAM",
    "RegisteredReference",
    "build_vba_project",
    "build_vba_streams",
    "document_modules",
]

CODE_PAGE = 1252
"""PROJECTCODEPAGE: Windows-1252, the code page of Western-European Excel (incl. Swedish)."""
_CODEC = "cp1252"
_LCID = 0x0409  # PROJECTLCID and PROJECTLCIDINVOKE MUST be 0x409
_SYSKIND_WIN64 = 0x00000003  # what current 64-bit Excel writes; ignored when compiling from source
PROJECT_COMPAT_VERSION = 5
"""PROJECTCOMPATVERSION as current Excel writes it (the Excel-saved ``quickstart.xlsm`` of
xlwings 0.37.8; older Excel and xlwings' standalone project omit the record)."""
PROJECT_VERSION = (0x645BE109, 11)
"""PROJECTVERSION (major, minor): what NetOfficeFw/vbamc (MIT) writes for Microsoft 365.
Excel writes a different 32-bit major per project (seen: 1.64e9-1.80e9, minor 2-8);
no writer other than finsam_xl's first version wrote 1.0."""

VBA_PROJECT_STREAM = bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x01, 0x00])
"""The whole ``_VBA_PROJECT`` stream: Reserved1 0x61CC, Version 0xFFFF, Reserved2 0, Reserved3 1."""

_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
_UUID_NAMESPACE = uuid.UUID("6f1c8a52-4a7e-4f0e-9d51-5b3c1f0e8a11")


@dataclass(frozen=True)
class RegisteredReference:
    """A reference to a registered type library (REFERENCEREGISTERED, MS-OVBA 2.3.4.2.2.5).

    ``libid`` has the form ``*\\G{GUID}#major.minor#lcid#path#description``.
    """

    name: str
    libid: str


STDOLE_REFERENCE = RegisteredReference(
    "stdole",
    "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
    "C:\\Windows\\System32\\stdole2.tlb#OLE Automation",
)
"""The OLE Automation library that Excel adds to new projects (not needed by finsam_xl)."""
OFFICE_REFERENCE = RegisteredReference(
    "Office",
    "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
    "C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL#"
    "Microsoft Office 16.0 Object Library",
)
"""The Office object library that Excel adds to new projects (not needed by finsam_xl)."""


def _mbcs(text: str, what: str) -> bytes:
    try:
        return text.encode(_CODEC)
    except UnicodeEncodeError as error:
        raise ValueError(
            f"{what} is not representable in code page {CODE_PAGE}: {text!r}"
        ) from error


def _record(record_id: int, data: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _u32_record(record_id: int, value: int) -> bytes:
    return struct.pack("<HII", record_id, 4, value)


def _text_pair(record_id: int, text: str, unicode_id: int) -> bytes:
    """A record with MBCS text followed by its Unicode twin (DOCSTRING, CONSTANTS, ...)."""
    return _record(record_id, _mbcs(text, "text")) + _record(unicode_id, text.encode("utf-16-le"))


def document_modules(
    sheet_code_names: Sequence[str], workbook_code_name: str = "ThisWorkbook"
) -> list[VbaModule]:
    """Return empty document modules for the workbook and each worksheet code name."""
    return [VbaModule(workbook_code_name, "", ModuleKind.DOCUMENT)] + [
        VbaModule(name, "", ModuleKind.DOCUMENT) for name in sheet_code_names
    ]


def _project_id(project_name: str) -> str:
    return "{" + str(uuid.uuid5(_UUID_NAMESPACE, project_name)).upper() + "}"


def _dir_stream(
    project_name: str,
    modules: Sequence[VbaModule],
    references: Sequence[RegisteredReference],
) -> bytes:
    out = bytearray()
    # PROJECTINFORMATION (2.3.4.2.1), with the optional PROJECTCOMPATVERSION after SYSKIND.
    out += _u32_record(0x0001, _SYSKIND_WIN64)
    out += _u32_record(0x004A, PROJECT_COMPAT_VERSION)
    out += _u32_record(0x0002, _LCID)
    out += _u32_record(0x0014, _LCID)
    out += _record(0x0003, struct.pack("<H", CODE_PAGE))
    out += _record(0x0004, _mbcs(project_name, "project name"))
    out += _text_pair(0x0005, "", 0x0040)  # PROJECTDOCSTRING
    # PROJECTHELPFILEPATH: HelpFile1 and HelpFile2 are both MBCS and MUST be equal.
    out += _record(0x0006, b"") + _record(0x003D, b"")
    out += _u32_record(0x0007, 0)  # PROJECTHELPCONTEXT
    out += _u32_record(0x0008, 0)  # PROJECTLIBFLAGS
    # PROJECTVERSION: the size field MUST be 4 although 6 bytes follow (major u32, minor u16).
    out += struct.pack("<HIIH", 0x0009, 4, *PROJECT_VERSION)
    out += _text_pair(0x000C, "", 0x003C)  # PROJECTCONSTANTS
    # PROJECTREFERENCES (2.3.4.2.2)
    for reference in references:
        out += _record(0x0016, _mbcs(reference.name, "reference name"))
        out += _record(0x003E, reference.name.encode("utf-16-le"))
        libid = _mbcs(reference.libid, "libid")
        out += _record(0x000D, struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0))
    # PROJECTMODULES (2.3.4.2.3)
    out += _record(0x000F, struct.pack("<H", len(modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
    for module in modules:
        name = _mbcs(module.name, "module name")
        unicode_name = module.name.encode("utf-16-le")
        out += _record(0x0019, name)  # MODULENAME
        out += _record(0x0047, unicode_name)  # MODULENAMEUNICODE
        out += _record(0x001A, name) + _record(0x0032, unicode_name)  # MODULESTREAMNAME
        out += _text_pair(0x001C, "", 0x0048)  # MODULEDOCSTRING
        out += _u32_record(0x0031, 0)  # MODULEOFFSET: source starts at byte 0
        out += _u32_record(0x001E, 0)  # MODULEHELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        # MODULETYPE: 0x21 procedural; 0x22 document, class or designer.
        module_type = 0x0021 if module.kind is ModuleKind.STANDARD else 0x0022
        out += struct.pack("<HI", module_type, 0)
        out += struct.pack("<HI", 0x002B, 0)  # module Terminator
    out += struct.pack("<HI", 0x0010, 0)  # dir Terminator
    return bytes(out)


def _encrypted_hex(data: bytes, project_id: str, label: str) -> str:
    digest = hashlib.sha256(f"{project_id}/{label}".encode("ascii")).digest()
    seed = digest[0] or 1
    return encrypt(data, project_id, seed, digest[1:4]).hex().upper()


def _project_stream(project_name: str, project_id: str, modules: Sequence[VbaModule]) -> bytes:
    lines = [f'ID="{project_id}"']
    for module in modules:
        if module.kind is ModuleKind.DOCUMENT:
            lines.append(f"Document={module.name}/&H00000000")
        else:
            lines.append(f"{module.kind.value}={module.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{_encrypted_hex(bytes(4), project_id, "CMG")}"',  # not protected
        f'DPB="{_encrypted_hex(bytes(1), project_id, "DPB")}"',  # no password
        f'GC="{_encrypted_hex(bytes([0xFF]), project_id, "GC")}"',  # visible
        "",
        "[Host Extender Info]",
        _HOST_EXTENDER,
        "",
        "[Workspace]",
    ]
    lines += [f"{module.name}=0, 0, 0, 0, C" for module in modules]
    return _mbcs("".join(line + "\r\n" for line in lines), "PROJECT stream")


def _projectwm_stream(modules: Sequence[VbaModule]) -> bytes:
    out = bytearray()
    for module in modules:
        out += _mbcs(module.name, "module name") + b"\x00"
        out += module.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def _ordered_modules(
    modules: Sequence[VbaModule],
    sheet_code_names: Sequence[str],
    workbook_code_name: str,
) -> list[tuple[VbaModule, str | None]]:
    """Return ``(module, VB_Base)`` pairs: workbook, sheets, then the other modules."""
    check_identifier(workbook_code_name, "workbook code name")
    for name in sheet_code_names:
        check_identifier(name, "sheet code name")
    given_documents = {m.name.upper(): m for m in modules if m.kind is ModuleKind.DOCUMENT}
    ordered: list[tuple[VbaModule, str | None]] = []
    for index, name in enumerate([workbook_code_name, *sheet_code_names]):
        module = given_documents.pop(name.upper(), None) or VbaModule(name, "", ModuleKind.DOCUMENT)
        if module.name != name:
            raise ValueError(f"document module {module.name!r} differs in case from {name!r}")
        ordered.append((module, WORKBOOK_BASE if index == 0 else WORKSHEET_BASE))
    if given_documents:
        unknown = ", ".join(sorted(m.name for m in given_documents.values()))
        raise ValueError(f"document modules without a matching code name: {unknown}")
    ordered += [(m, None) for m in modules if m.kind is not ModuleKind.DOCUMENT]
    seen: set[str] = set()
    for module, _ in ordered:
        if module.name.upper() in seen:
            raise ValueError(f"duplicate module name (case-insensitive): {module.name}")
        seen.add(module.name.upper())
    return ordered


def build_vba_streams(
    modules: Sequence[VbaModule],
    sheet_code_names: Sequence[str],
    project_name: str = "VBAProject",
    *,
    workbook_code_name: str = "ThisWorkbook",
    references: Sequence[RegisteredReference] = (),
    project_id: str | None = None,
) -> dict[str, bytes]:
    """Return the project's streams as ``{path: bytes}`` (see :func:`build_vba_project`)."""
    check_identifier(project_name, "project name")
    ordered = _ordered_modules(modules, sheet_code_names, workbook_code_name)
    if project_id is None:
        project_id = _project_id(project_name)
    else:
        project_id = "{" + str(uuid.UUID(project_id)).upper() + "}"
    for module, _ in ordered:
        if module.name.upper() == project_name.upper():
            raise ValueError(f"module {module.name} has the same name as the project")
    plain = [module for module, _ in ordered]
    streams: dict[str, bytes] = {
        "PROJECT": _project_stream(project_name, project_id, plain),
        "PROJECTwm": _projectwm_stream(plain),
        "VBA/_VBA_PROJECT": VBA_PROJECT_STREAM,
        "VBA/dir": compress(_dir_stream(project_name, plain, references), allow_raw=False),
    }
    for module, base in ordered:
        source = _mbcs(module.stream_text(base), f"source of module {module.name}")
        streams[f"VBA/{module.name}"] = compress(source, allow_raw=False)
    return streams


def build_vba_project(
    modules: Sequence[VbaModule],
    sheet_code_names: Sequence[str],
    project_name: str = "VBAProject",
    *,
    workbook_code_name: str = "ThisWorkbook",
    references: Sequence[RegisteredReference] = (),
    project_id: str | None = None,
) -> bytes:
    """Return a ``vbaProject.bin`` (MS-CFB compound file) with a source-only VBA project.

    ``modules`` are the standard and class modules (and optionally document modules
    whose name is the workbook or a sheet code name, to give them code); empty
    document modules are made for ``workbook_code_name`` and each entry of
    ``sheet_code_names``.  ``references`` defaults to none: the VBA and Excel
    libraries are always available and finsam_xl's code needs nothing else.
    ``project_id`` is a GUID string; by default it is derived from ``project_name``.
    Source text must be representable in code page 1252.
    """
    return build_compound_file(
        build_vba_streams(
            modules,
            sheet_code_names,
            project_name,
            workbook_code_name=workbook_code_name,
            references=references,
            project_id=project_id,
        )
    )
