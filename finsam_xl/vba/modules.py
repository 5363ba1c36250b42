"""VBA modules as source text: parsing ``.bas``/``.cls`` exports and rendering module streams.

A module stream holds the module's source text ("CompressedSourceCode", MS-OVBA
2.3.4.3) in the project code page with CRLF line ends.  The source starts with an
attribute block that the VBA editor hides, for example for a standard module::

    Attribute VB_Name = "FinsamXL"

and for document and class modules a fixed set (``VB_Base``, ``VB_GlobalNameSpace``,
``VB_Creatable``, ``VB_PredeclaredId``, ``VB_Exposed``, ``VB_TemplateDerived``,
``VB_Customizable``).  The values written here are the ones Excel itself writes
for a workbook, a worksheet and a class module.

Only the standard library is used.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

__all__ = [
    "CLASS_BASE",
    "WORKBOOK_BASE",
    "WORKSHEET_BASE",
    "ModuleKind",
    "VbaModule",
    "check_identifier",
    "normalize_newlines",
    "public_macros",
]

WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
"""``VB_Base`` of an Excel workbook document module (``ThisWorkbook``)."""
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
"""``VB_Base`` of an Excel worksheet document module."""
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"
"""``VB_Base`` of a class module."""

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}\Z")
_ATTRIBUTE = re.compile(r"Attribute\s+(VB_\w+)\s*=\s*(.*?)\s*\Z")
_SUB = re.compile(
    r"^[ \t]*(?:(Public|Private|Friend)[ \t]+)?(?:Static[ \t]+)?Sub[ \t]+(\w+)[ \t]*\(([^)]*)\)",
    re.IGNORECASE | re.MULTILINE,
)
_CLASS_DEFAULTS: tuple[tuple[str, str], ...] = (
    ("VB_GlobalNameSpace", "False"),
    ("VB_Creatable", "False"),
    ("VB_PredeclaredId", "False"),
    ("VB_Exposed", "False"),
    ("VB_TemplateDerived", "False"),
    ("VB_Customizable", "False"),
)
_DOCUMENT_DEFAULTS: tuple[tuple[str, str], ...] = (
    ("VB_GlobalNameSpace", "False"),
    ("VB_Creatable", "False"),
    ("VB_PredeclaredId", "True"),
    ("VB_Exposed", "True"),
    ("VB_TemplateDerived", "False"),
    ("VB_Customizable", "True"),
)


class ModuleKind(enum.Enum):
    """The three kinds of module a workbook project holds; values are PROJECT stream keys."""

    STANDARD = "Module"
    CLASS = "Class"
    DOCUMENT = "Document"


def check_identifier(name: str, what: str = "name") -> str:
    """Return ``name`` if it is an ASCII VBA identifier (max 31 chars); else raise ValueError."""
    if not _IDENTIFIER.match(name):
        raise ValueError(
            f"{what} {name!r} is not a VBA identifier (ASCII letter, then letters, "
            "digits or '_', at most 31 characters)"
        )
    return name


def normalize_newlines(text: str) -> str:
    """Return ``text`` with CRLF line ends and a final CRLF (empty text stays empty)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return "".join(line + "\r\n" for line in lines)


@dataclass(frozen=True)
class VbaModule:
    """One VBA module: its name, kind, body code and any extra header attributes.

    ``code`` is the source after the attribute block (any line ends).
    ``attributes`` holds header attributes other than ``VB_Name`` as
    ``(name, raw value)`` pairs in file order, e.g. ``("VB_Description", '"..."')``;
    for class and document modules they override the standard defaults.
    """

    name: str
    code: str
    kind: ModuleKind = ModuleKind.STANDARD
    attributes: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        check_identifier(self.name, "module name")

    @classmethod
    def from_source(cls, text: str, kind: ModuleKind | None = None) -> VbaModule:
        """Parse a VBA editor export (``.bas`` or ``.cls``) into a module.

        The ``VERSION ... CLASS`` / ``BEGIN ... END`` preamble of a ``.cls`` file is
        dropped, the leading ``Attribute`` lines become the header, and
        ``Attribute VB_Name`` gives the name.  ``kind`` defaults to CLASS when the
        preamble is present, else STANDARD.
        """
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        index = 0
        is_class = False
        first = lines[0].strip().upper() if lines else ""
        if first.startswith("VERSION ") and first.endswith("CLASS"):
            is_class = True
            index = 1
            if index < len(lines) and lines[index].strip().upper() == "BEGIN":
                while index < len(lines) and lines[index].strip().upper() != "END":
                    index += 1
                index += 1
        name: str | None = None
        attributes: list[tuple[str, str]] = []
        while index < len(lines):
            match = _ATTRIBUTE.match(lines[index].strip())
            if not match:
                break
            key, value = match.group(1), match.group(2)
            if key == "VB_Name":
                name = value.strip('"')
            else:
                attributes.append((key, value))
            index += 1
        if name is None:
            raise ValueError('module source has no leading Attribute VB_Name = "..." line')
        if kind is None:
            kind = ModuleKind.CLASS if is_class else ModuleKind.STANDARD
        return cls(
            name=name,
            code="\n".join(lines[index:]),
            kind=kind,
            attributes=tuple(attributes),
        )

    def header(self, base: str | None = None) -> list[tuple[str, str]]:
        """Return the attribute block as ``(name, raw value)`` pairs, ``VB_Name`` first.

        ``base`` is the ``VB_Base`` of a document module (``WORKBOOK_BASE`` or
        ``WORKSHEET_BASE``); class modules always use ``CLASS_BASE``.
        """
        pairs: list[tuple[str, str]] = [("VB_Name", f'"{self.name}"')]
        given = dict(self.attributes)
        if self.kind is ModuleKind.STANDARD:
            pairs += list(self.attributes)
            return pairs
        if self.kind is ModuleKind.CLASS:
            base, defaults = CLASS_BASE, _CLASS_DEFAULTS
        else:
            if base is None:
                raise ValueError(f"document module {self.name} needs a VB_Base")
            defaults = _DOCUMENT_DEFAULTS
        pairs.append(("VB_Base", f'"{base}"'))
        standard = {key for key, _ in defaults} | {"VB_Base"}
        pairs += [(key, given.get(key, value)) for key, value in defaults]
        pairs += [(key, value) for key, value in self.attributes if key not in standard]
        return pairs

    def stream_text(self, base: str | None = None) -> str:
        """Return the full source as stored in the module stream (CRLF line ends)."""
        head = "".join(f"Attribute {key} = {value}\r\n" for key, value in self.header(base))
        return head + normalize_newlines(self.code)


def public_macros(module: VbaModule) -> list[str]:
    """Return the public parameterless ``Sub`` names of a standard module (button targets)."""
    if module.kind is not ModuleKind.STANDARD:
        return []
    option_private = re.search(
        r"^[ \t]*Option[ \t]+Private[ \t]+Module\b", module.code, re.IGNORECASE | re.MULTILINE
    )
    if option_private:
        return []
    names: list[str] = []
    for match in _SUB.finditer(module.code):
        scope, name, params = match.group(1), match.group(2), match.group(3)
        if (scope or "Public").lower() == "public" and not params.strip():
            names.append(name)
    return names
