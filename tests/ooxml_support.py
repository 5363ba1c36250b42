"""Validate an OOXML package (.xlsx, .xlsm, .docx) against the ECMA-376 transitional schemas.

The schemas are vendored under ``tests/data/schemas`` (see the README there for their
source). They are compiled once, into one driver schema that imports every namespace,
so that one :class:`lxml.etree.XMLSchema` validates any part whatever its root element.
Imports are resolved offline: every ``schemaLocation`` that is an URL is mapped to the
local copy by :class:`_LocalResolver`; nothing is fetched from the network.

Before validation each part goes through Markup Compatibility processing (ECMA-376
Part 3), as Excel and Word do when they read it:

- attributes and elements in a namespace listed in ``mc:Ignorable`` that the schemas do
  not cover (x14ac, xr, x15, w14, ...) are removed;
- ``mc:AlternateContent`` is replaced by its first ``mc:Choice`` whose ``Requires``
  namespaces are all covered, or else by its ``mc:Fallback``;
- the content of an extension list (``ext`` with a ``uri``) is left alone: the schemas
  declare it ``processContents="lax"``, which is where Excel takes its x14/x15/xr
  extensions.

A namespace that is neither covered nor ignorable, outside an ``ext``, is reported: Excel
refuses such content ("We found a problem with some content").

The package check (:func:`package_problems`) looks at the relationships: every internal
target exists, every part has a content type, every part is reachable from
``_rels/.rels``, no part name is stored twice. :func:`spreadsheet_problems` adds the
cross-part references that Excel repairs although the schemas allow them (style and
shared-string indices, row and cell order, table names and header cells).
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent / "data" / "schemas"
ECMA = SCHEMAS / "ecma376"
DCMI = SCHEMAS / "dcmi"
OWEXML = SCHEMAS / "ms-owexml"

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_TYPE_CORE = (
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
)

#: URL schemaLocations in the vendored schemas -> the local copy.
_URLS = {
    "http://dublincore.org/schemas/xmls/qdc/2003/04/02/dc.xsd": DCMI / "dc.xsd",
    "http://dublincore.org/schemas/xmls/qdc/2003/04/02/dcterms.xsd": DCMI / "dcterms.xsd",
    "http://dublincore.org/schemas/xmls/qdc/2003/04/02/dcmitype.xsd": DCMI / "dcmitype.xsd",
    "http://www.w3.org/2001/xml.xsd": DCMI / "xml.xsd",
    "http://www.w3.org/2001/03/xml.xsd": DCMI / "xml.xsd",
}


class _LocalResolver(etree.Resolver):
    """Resolve the schemas' URL imports to the vendored copies; refuse anything else."""

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        local = _URLS.get(system_url)
        if local is not None:
            return self.resolve_filename(str(local), context)
        if system_url.startswith(("http:", "https:")):
            raise OSError(f"schema import not vendored: {system_url}")
        return None


def _target_namespaces() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in (ECMA, DCMI, OWEXML):
        for path in sorted(folder.glob("*.xsd")):
            root = etree.parse(str(path)).getroot()
            namespace = root.get("targetNamespace")
            if namespace and namespace not in found:
                found[namespace] = path
    return found


@cache
def schema() -> tuple[etree.XMLSchema, frozenset[str]]:
    """The compiled driver schema and the namespaces it covers (compiled once)."""
    namespaces = _target_namespaces()
    xs = "http://www.w3.org/2001/XMLSchema"
    driver = etree.Element(f"{{{xs}}}schema", nsmap={"xs": xs})
    for namespace, path in namespaces.items():
        etree.SubElement(
            driver, f"{{{xs}}}import", namespace=namespace, schemaLocation=path.as_uri()
        )
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(_LocalResolver())
    # Parse the driver through the resolving parser, with a base URL in the schema folder.
    document = etree.fromstring(
        etree.tostring(driver), parser, base_url=(ECMA / "driver.xsd").as_uri()
    )
    return etree.XMLSchema(document), frozenset(namespaces) | {XML_NS, XSI}


@dataclass(frozen=True)
class Problem:
    """One schema or package problem: the part and lxml's message with its line."""

    part: str
    message: str

    def __str__(self) -> str:
        return f"{self.part}: {self.message}"


def _ns(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _prefixes(element: etree._Element, value: str) -> set[str]:
    out = set()
    for prefix in value.split():
        namespace = element.nsmap.get(prefix)
        if namespace:
            out.add(namespace)
    return out


def _is_extension(element: etree._Element) -> bool:
    return etree.QName(element).localname == "ext" and element.get("uri") is not None


_DECLARED = re.compile(rb"""xmlns(?::[^\s=]+)?\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _foreign_nodes(data: bytes, root: etree._Element, understood: frozenset[str]) -> list[Any]:
    """Every element and attribute in the MC namespace or in a namespace the schemas do
    not cover: the only nodes Markup Compatibility processing acts on.

    A node can only be in a namespace the part declares, so the declarations in the raw
    bytes tell which namespaces to look for; each is then found by a name test in C.
    """
    if b"\x00" in data[:200]:  # UTF-16: no byte search; every element is on the way
        return list(root.iter())
    declared = {html.unescape((a or b).decode()) for a, b in _DECLARED.findall(data)}
    foreign = sorted(ns for ns in declared if ns and (ns == MC or ns not in understood))
    if not foreign:
        return []
    prefixes = {f"f{i}": ns for i, ns in enumerate(foreign)}
    query = " | ".join(f"//{p}:* | //@{p}:*" for p in prefixes)
    return list(etree.XPath(query, namespaces=prefixes)(root))


def _paths_to(nodes: list[Any]) -> set[etree._Element]:
    """The elements on the way from the root to each node (an attribute: to its element)."""
    marked: set[etree._Element] = set()
    for node in nodes:
        element = node if isinstance(node, etree._Element) else node.getparent()
        while element is not None and element not in marked:
            marked.add(element)
            element = element.getparent()
    return marked


def mce_process(root: etree._Element, understood: frozenset[str], data: bytes) -> list[str]:
    """Apply Markup Compatibility processing in place; return namespaces Excel would refuse.

    ``data`` is the part as written. Only the elements on the way to a foreign node
    (``_foreign_nodes``) are walked: in any other subtree the processing would neither
    remove nor refuse anything. Walking every cell of a large sheet took most of the
    validation's time.
    """
    refused: list[str] = []
    marked = _paths_to(_foreign_nodes(data, root, understood))
    if not marked:
        return refused

    def walk(element: etree._Element, ignorable: frozenset[str]) -> None:
        own = element.get(f"{{{MC}}}Ignorable")
        if own:
            ignorable = ignorable | _prefixes(element, own)
        must = _prefixes(element, element.get(f"{{{MC}}}MustUnderstand", ""))
        refused.extend(f"mc:MustUnderstand {namespace}" for namespace in must - understood)
        for name in list(element.attrib):
            namespace = _ns(name)
            if namespace == MC:
                del element.attrib[name]
            elif namespace and namespace not in understood:
                if namespace not in ignorable:
                    refused.append(f"{name} on {element.tag}")
                del element.attrib[name]
        if _is_extension(element):
            return
        for child in list(element):
            if child not in marked or not isinstance(child.tag, str):
                continue
            namespace = _ns(child.tag)
            if namespace == MC and etree.QName(child).localname == "AlternateContent":
                chosen = None
                for branch in child:
                    if not isinstance(branch.tag, str):
                        continue
                    local = etree.QName(branch).localname
                    if (
                        local == "Choice"
                        and _prefixes(branch, branch.get("Requires", "")) <= understood
                    ):
                        chosen = branch
                        break
                    if local == "Fallback":
                        chosen = branch
                        break
                index = element.index(child)
                element.remove(child)
                if chosen is not None:
                    for offset, grandchild in enumerate(list(chosen)):
                        element.insert(index + offset, grandchild)
                        walk(grandchild, ignorable)
                continue
            if namespace and namespace not in understood:
                if namespace not in ignorable:
                    refused.append(child.tag)
                element.remove(child)
                continue
            walk(child, ignorable)

    walk(root, frozenset())
    return refused


SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _drop_known_schema_gaps(root: etree._Element) -> None:
    """Remove what Excel itself writes but the ECMA-376 schemas do not declare.

    Only one case: ``xml:space="preserve"`` on SpreadsheetML text (``<t>``, in shared
    strings, inline strings, rich-text runs and header/footer text). The schema types
    ``t`` as the simple type ``ST_Xstring``, which cannot carry attributes, yet Excel
    writes the attribute on every text with leading or trailing blanks (ECMA-376 Part 1,
    18.4.12 shows it in its own example) and openpyxl/XlsxWriter do as Excel does.
    """
    space = f"{{{XML_NS}}}space"
    for element in root.iter(f"{{{SML}}}t"):
        element.attrib.pop(space, None)


def validate_part(name: str, data: bytes) -> list[Problem]:
    """Schema problems of one XML part (empty when it is valid)."""
    compiled, understood = schema()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        return [Problem(name, f"not well-formed XML: {error}")]
    refused = mce_process(root, understood, data)
    _drop_known_schema_gaps(root)
    problems = [
        Problem(name, f"not in the schemas and not mc:Ignorable: {what}") for what in refused
    ]
    targets = [root]
    if name.endswith(".vml") and etree.QName(root).localname == "xml":
        # Legacy VML parts wrap their shapes in a bare <xml> element, which no schema
        # declares (ECMA-376 Part 4, 19.1): validate each shape on its own.
        targets = [child for child in root if isinstance(child.tag, str)]
    for target in targets:
        # Validate the processed tree itself (a copy for a VML shape): its elements keep
        # the line numbers of the part as written.
        document = root.getroottree() if target is root else etree.ElementTree(deepcopy(target))
        if not compiled.validate(document):
            for entry in compiled.error_log:
                problems.append(Problem(name, f"line {entry.line}: {entry.message}"))
    return problems


def _is_xml(name: str, content_type: str | None) -> bool:
    if content_type is None:
        return name.endswith((".xml", ".rels", ".vml"))
    return content_type.endswith("+xml") or content_type in {
        "application/xml",
        "text/xml",
        "application/vnd.openxmlformats-officedocument.vmlDrawing",
    }


def content_types(archive: zipfile.ZipFile) -> tuple[dict[str, str], dict[str, str]]:
    """(Default by extension, Override by part name) of the package."""
    root = etree.fromstring(archive.read("[Content_Types].xml"))
    defaults = {
        e.get("Extension", "").lower(): e.get("ContentType", "")
        for e in root.iter(f"{{{CT_NS}}}Default")
    }
    overrides = {
        e.get("PartName", ""): e.get("ContentType", "") for e in root.iter(f"{{{CT_NS}}}Override")
    }
    return defaults, overrides


def content_type_of(name: str, defaults: dict[str, str], overrides: dict[str, str]) -> str | None:
    """The content type of a part (None when it has none)."""
    if "/" + name in overrides:
        return overrides["/" + name]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return defaults.get(extension)


def _rels_part(name: str) -> str:
    folder, base = posixpath.split(name)
    return posixpath.join(folder, "_rels", base + ".rels")


def _relationships(archive: zipfile.ZipFile, source: str) -> Iterator[tuple[str, str, str]]:
    """(id, target part or URL, mode) of the relationships of ``source`` ('' = package)."""
    rels = "_rels/.rels" if source == "" else _rels_part(source)
    if rels not in archive.namelist():
        return
    root = etree.fromstring(archive.read(rels))
    base = posixpath.dirname(source)
    for rel in root.iter(f"{{{REL_NS}}}Relationship"):
        target = rel.get("Target", "")
        mode = rel.get("TargetMode", "Internal")
        if mode == "External" or target.startswith("#"):
            # "#Sheet!A1" (a hyperlink to a place in the workbook) names no part.
            yield rel.get("Id", ""), target, "External"
            continue
        if target.startswith("/"):
            resolved = target.lstrip("/")
        else:
            resolved = posixpath.normpath(posixpath.join(base, target))
        yield rel.get("Id", ""), resolved, mode


def package_problems(archive: zipfile.ZipFile) -> list[Problem]:
    """Relationship and content-type problems of the package."""
    problems: list[Problem] = []
    names = [n for n in archive.namelist() if not n.endswith("/")]
    present = set(names)
    seen: dict[str, str] = {}
    for name in names:
        # Part names are compared case-insensitively (ECMA-376 Part 2, 6.2.2.3); a zip
        # that holds one twice is a corrupt package to Excel.
        key = name.lower()
        if key in seen:
            problems.append(Problem(name, f"stored twice in the zip (also as {seen[key]})"))
        seen.setdefault(key, name)
    defaults, overrides = content_types(archive)
    for name in names:
        if name == "[Content_Types].xml":
            continue
        if content_type_of(name, defaults, overrides) is None:
            problems.append(Problem(name, "has no content type (no Default, no Override)"))
    for part_name in overrides:
        if part_name.lstrip("/") not in present:
            problems.append(Problem("[Content_Types].xml", f"Override for missing {part_name}"))
    reached = {"[Content_Types].xml"}
    queue = [""]
    while queue:
        source = queue.pop()
        for rel_id, target, mode in _relationships(archive, source):
            if mode == "External":
                continue
            if target not in present:
                rels = "_rels/.rels" if source == "" else _rels_part(source)
                problems.append(Problem(rels, f"{rel_id} points at missing part {target}"))
                continue
            if target not in reached:
                reached.add(target)
                queue.append(target)
    for name in names:
        if "/_rels/" in "/" + name and name.endswith(".rels"):
            source = name.replace("_rels/", "", 1)[: -len(".rels")]
            if source.startswith("/"):
                source = source[1:]
            if name != "_rels/.rels" and source not in present:
                problems.append(Problem(name, f"relationships of missing part {source}"))
            continue
        if name not in reached:
            problems.append(Problem(name, "orphaned: no relationship reaches it"))
    return problems


def _custom_xml_data(name: str) -> bool:
    """A Custom XML Data Storage part: the user's own XML, in no OOXML vocabulary."""
    folder, base = posixpath.split(name)
    return folder == "customXml" and base.startswith("item") and "Props" not in base


def xml_parts(archive: zipfile.ZipFile) -> list[str]:
    """The XML parts of the package (by content type, else by extension).

    Custom XML data parts (``customXml/itemN.xml``, ECMA-376 Part 1, 22.5) are left
    out: they hold any XML the document's owner chose, which no schema here describes.
    """
    defaults, overrides = content_types(archive)
    return [
        n
        for n in archive.namelist()
        if not n.endswith("/")
        and not _custom_xml_data(n)
        and _is_xml(n, content_type_of(n, defaults, overrides))
    ]


def problems_of(path: Path) -> list[Problem]:
    """Every schema and package problem of the file at ``path``."""
    with zipfile.ZipFile(path) as archive:
        problems = package_problems(archive)
        for name in xml_parts(archive):
            problems.extend(validate_part(name, archive.read(name)))
        if not problems:  # the cross-part checks need a sound package
            problems.extend(spreadsheet_problems(archive))
    return problems


# What Excel repairs though the schemas allow it: references between parts of a
# SpreadsheetML package (the checks Open XML SDK calls semantic validation).

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return "".join(t.text or "" for t in element.iter(f"{{{SML}}}t"))


def _workbook_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Relationship type (last path segment) -> part, for xl/workbook.xml's own parts."""
    out: dict[str, str] = {}
    rels = "xl/_rels/workbook.xml.rels"
    if rels not in archive.namelist():
        return out
    for rel in etree.fromstring(archive.read(rels)).iter(f"{{{REL_NS}}}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        out.setdefault(rel.get("Type", "").rsplit("/", 1)[-1], posixpath.normpath(path))
    return out


def _header_cell(table: etree._Element) -> tuple[int, int] | None:
    """(row, column) of a table's first header cell (None without a header row or a
    readable ref)."""
    first = _REF.match(table.get("ref", "").split(":")[0])
    if table.get("headerRowCount", "1") == "0" or first is None:
        return None
    return int(first.group(2)), _col(first.group(1))


def spreadsheet_problems(archive: zipfile.ZipFile) -> list[Problem]:
    """Cross-part references Excel checks on opening (and repairs when wrong).

    Rows and cells in ascending order with matching references; style indices within
    ``cellXfs`` (cells, rows, columns) and ``dxfs`` (conditional formats); shared-string
    indices within the table; table names and ids unique in the workbook; a table's
    column names equal to its header cells.
    """
    problems: list[Problem] = []
    parts = _workbook_parts(archive)
    if "styles" not in parts:
        return problems
    styles = etree.fromstring(archive.read(parts["styles"]))
    xfs = styles.find(f"{{{SML}}}cellXfs")
    n_xf = len(xfs) if xfs is not None else 0
    dxfs = styles.find(f"{{{SML}}}dxfs")
    n_dxf = len(dxfs) if dxfs is not None else 0
    strings: list[str] = []
    if "sharedStrings" in parts:
        sst = etree.fromstring(archive.read(parts["sharedStrings"]))
        strings = [_text(si) for si in sst.iter(f"{{{SML}}}si")]
    table_names: dict[str, str] = {}
    table_ids: dict[str, str] = {}
    for name in archive.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        sheet = etree.fromstring(archive.read(name))
        tables = {
            p: etree.fromstring(archive.read(p))
            for _, p, mode in _relationships(archive, name)
            if mode != "External" and "/tables/" in p and p in archive.namelist()
        }
        header_rows = {cell[0] for cell in map(_header_cell, tables.values()) if cell}
        cells: dict[tuple[int, int], str] = {}
        last_row = 0
        columns: dict[str, int] = {}
        v_tag, c_tag = f"{{{SML}}}v", f"{{{SML}}}c"
        for row in sheet.iter(f"{{{SML}}}row"):
            r = int(row.get("r", last_row + 1))
            if r <= last_row:
                problems.append(Problem(name, f"row {r} after row {last_row}"))
            last_row = r
            style = row.get("s")
            if style is not None and int(style) >= n_xf:
                problems.append(Problem(name, f"row {r}: style {style} of {n_xf}"))
            last_col = 0
            headers = r in header_rows
            for cell in row.iter(c_tag):
                ref = cell.get("r", "")
                match = _REF.match(ref)
                if match is None or int(match.group(2)) != r:
                    problems.append(Problem(name, f"cell {ref!r} in row {r}"))
                    continue
                letters = match.group(1)
                col = columns.get(letters) or columns.setdefault(letters, _col(letters))
                if col <= last_col:
                    problems.append(Problem(name, f"cell {ref} out of order in row {r}"))
                last_col = col
                style = cell.get("s", "0")
                if int(style) >= n_xf:
                    problems.append(Problem(name, f"{ref}: style {style} of {n_xf}"))
                kind = cell.get("t")
                if kind == "s":
                    value = cell.find(v_tag)
                    index = int(value.text or "-1") if value is not None else -1
                    if not 0 <= index < len(strings):
                        problems.append(Problem(name, f"{ref}: shared string {index}"))
                        continue
                    if headers:
                        cells[(r, col)] = strings[index]
                elif not headers:
                    continue
                elif kind == "inlineStr":
                    cells[(r, col)] = _text(cell.find(f"{{{SML}}}is"))
                elif (value := cell.find(v_tag)) is not None:
                    cells[(r, col)] = value.text or ""
        for col_element in sheet.iter(f"{{{SML}}}col"):
            style = col_element.get("style")
            if style is not None and int(style) >= n_xf:
                problems.append(Problem(name, f"column style {style} of {n_xf}"))
        for rule in sheet.iter(f"{{{SML}}}cfRule"):
            dxf = rule.get("dxfId")
            if dxf is not None and int(dxf) >= n_dxf:
                problems.append(Problem(name, f"conditional format dxfId {dxf} of {n_dxf}"))
        for table_part, table in tables.items():
            for key, seen in (("displayName", table_names), ("id", table_ids)):
                value_ = table.get(key, "")
                other = seen.get(value_.lower())
                if other is not None:
                    problems.append(Problem(table_part, f"table {key} {value_!r} also in {other}"))
                seen[value_.lower()] = table_part
            header = _header_cell(table)
            if header is None:
                continue
            r, c = header
            for offset, column in enumerate(table.iter(f"{{{SML}}}tableColumn")):
                want = _unescape(column.get("name", ""))
                got = _unescape(cells.get((r, c + offset), ""))
                if got != want:
                    message = f"column {offset + 1} is {want!r}, its header cell {got!r}"
                    problems.append(Problem(table_part, message))
    return problems
