"""finsam_xl inside the workbook for xlwings Lite: the web-extension part as Lite writes it.

xlwings Lite keeps a workbook's code in its Office.js document settings, which
Excel stores in the web-extension part ``xl/webextensions/webextensionN.xml``
([MS-OWEXML]): one ``<we:property name=... value=.../>`` per setting, the value
JSON. What we write, in Lite's order and Office's encoding, and where each value
comes from (workbooks saved by Lite): docs/dev/lite-part.md.

``embed(path)`` (``finsam-xl lite``) and ``new`` (``finsam-xl ny``) write

* ``main.py``: a short loader, then finsam_xl's pure-Python modules (the import
  closure of ``excel.lite`` and ``excel.selftest`` without ``LEAVE_OUT``, docstrings
  and comments removed) and the bundled examples as a deterministic zip, deflated
  as one stream, in base64. The loader checks the SHA-256, writes the zip to
  Pyodide's temporary folder, puts it first on ``sys.path`` (``zipimport``) and
  star-imports ``finsam_xl.excel.lite``: the scripts Beräkna, Kontrollera and
  Självtest. No package index is needed for finsam_xl itself.
* ``requirements.txt``: Lite's four ``# required`` lines, then pydantic and
  PyYAML (from Pyodide). The user's other lines are kept.
* Lite's own settings (``pyodideVersion``, ``addinVersion``, ``xlwingsWorkbookId``,
  ``xlwingsSettingsWorkbook``): added when missing, never overwritten.

Only these properties change. Every other part of the package is copied byte
for byte; the first time, the web-extension part, the task-pane part and its
relationships are added with one relationship in ``_rels/.rels`` and two
content-type overrides (a task pane left dangling by a LibreOffice save is
replaced; ``xlsx.package.dangling_taskpane`` finds such a file for ``check``). Running it again
with the same finsam_xl changes nothing (the output is deterministic); a
workbook whose main.py is someone else's code is refused unless ``force``.

Limits (docs/excel.md): Office documents a 2 MB maximum for an add-in's
settings and reports failures from about 1 MB, so the whole payload is bounded
by ``MAX_SETTINGS_BYTES`` (512 KiB); main.py is about 98 KB.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import json
import re
import tokenize
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import finsam_xl
from finsam_xl.errors import UsageError
from finsam_xl.workbook.output import check_output
from finsam_xl.xlsx.limits import WorkbookError
from finsam_xl.xlsx.package import (
    FIXED_TIME,
    NS_PKG_REL,
    NS_REL,
    NS_WETP,
    TASKPANES,
    TASKPANES_RELS,
    read_parts,
    write_parts,
)
from finsam_xl.xlsx.safety import atomic_write, inspect_package, same_file

PACKAGE_ROOT = Path(finsam_xl.__file__).resolve().parent
ROOTS = ("finsam_xl.excel.lite", "finsam_xl.excel.selftest")
#: Imported only inside functions the scripts never call (reading and patching files, the
#: reconciliation): left out with what only they import. tests/excel/test_excel_pyodide.py and
#: test_excel_lite_embed.py run the scripts with nothing but the embedded code.
LEAVE_OUT = frozenset(
    {
        "finsam_xl.xlsx.zipview",
        "finsam_xl.xlsx.package",
        "finsam_xl.xlsx.safety",
        "finsam_xl.core.recon",
    }
)
#: Kept with their docstrings: Lite renders a script's docstring in its task pane (App Mode).
KEEP_DOCSTRINGS = frozenset({"finsam_xl/excel/lite.py"})
DATA = ("examples/*.yaml", "examples/selftest.json")
#: The AppSource id of xlwings Lite (github:xlwings/xlwings-lite README; observed workbooks).
LITE_STORE_ID = "WA200008175"
MARKER = "# finsam-xl-lite:"
MAX_SETTINGS_BYTES = 512 * 1024
#: ``name=`` on ``@script`` came with xlwings 0.33.21 ("for use by xlwings Lite").
XLWINGS_REQUIREMENT = "xlwings>=0.33.21,<1.0.0  # required"
#: Lite's four ``# required`` lines in Lite's order (ours for xlwings), then what finsam_xl
#: needs; where each comes from: docs/dev/lite-part.md.
REQUIREMENTS = (
    XLWINGS_REQUIREMENT,
    "python-dotenv==1.2.1  # required",
    "pyodide-http  # required",
    "black  # required",
    "pydantic",
    "PyYAML",
)
#: The values of the newest Lite-saved workbook seen (docs/dev/lite-part.md).
LITE_PYODIDE_VERSION = "0.27.5"
LITE_ADDIN_VERSION = "1.0.0.0-35"
#: Lite's workbook setting "Startup Behavior": start Lite and show its task pane.
LITE_SETTINGS_WORKBOOK = {"startupBehavior": "taskpane"}
#: The properties in the order xlwings Lite writes them (main.py first).
LITE_ORDER = (
    "main.py",
    "pyodideVersion",
    "addinVersion",
    "requirements.txt",
    "xlwingsWorkbookId",
    "xlwingsSettingsWorkbook",
)

NS_WE = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
REL_TASKPANES = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
REL_WEBEXTENSION = "http://schemas.microsoft.com/office/2011/relationships/webextension"
CT_WEBEXTENSION = "application/vnd.ms-office.webextension+xml"
CT_TASKPANES = "application/vnd.ms-office.webextensiontaskpanes+xml"

_WEBEXT = re.compile(r"^xl/webextensions/webextension(\d+)\.xml$")


# --- what is embedded ----------------------------------------------------------------------------
def _module_file(name: str) -> Path | None:
    """The source file of a finsam_xl module or package, if it exists."""
    rel = Path(*name.split(".")[1:])
    for candidate in (PACKAGE_ROOT / rel / "__init__.py", (PACKAGE_ROOT / rel).with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imports(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """finsam_xl modules a source imports anywhere (also in functions), except TYPE_CHECKING."""
    found: set[str] = set()
    base = module if is_package else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for branch in node.orelse:
                visit(branch)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = base.split(".")
                target = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{target}.{node.module}" if node.module else target
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {n for n in found if n == "finsam_xl" or n.startswith("finsam_xl.")}


def module_closure(roots: tuple[str, ...] = ROOTS) -> dict[str, Path]:
    """Every finsam_xl module the roots may import (statically), with its parent packages."""
    todo, seen = list(roots), {}
    while todo:
        name = todo.pop()
        if name in seen or name in LEAVE_OUT:
            continue
        path = _module_file(name)
        if path is None:
            continue  # a name imported from a module, not a module
        seen[name] = path
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        todo.extend(_file_imports(path, path.stat().st_mtime_ns, name))
    return dict(sorted(seen.items()))


@lru_cache(maxsize=512)
def _file_imports(path: Path, mtime_ns: int, name: str) -> frozenset[str]:
    """``_imports`` of module ``name`` at ``path``, kept per process while the file's
    modification time (part of the key) stays the same."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return frozenset(_imports(tree, name, path.name == "__init__.py"))


@lru_cache(maxsize=512)
def slim_source(source: str) -> str:
    """``source`` without docstrings and comments, every statement on the line it was on.

    What Lite runs needs neither, and they are half the code's size; keeping the
    line numbers keeps a traceback's lines pointing at the same statements. A pure
    function of the text, so kept per process: a run that embeds the code in several
    workbooks (or the tests) slims each module once.
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    for node in ast.walk(tree):
        if _type_checking_only(node):  # imports for annotations: never run, so left out
            assert isinstance(node, ast.If) and node.end_lineno is not None
            start, end = node.body[0].lineno - 1, node.end_lineno
            indent = " " * node.body[0].col_offset
            lines[start:end] = [f"{indent}pass\n", *["\n"] * (end - start - 1)]
            continue
        if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        first = node.body[0] if node.body else None
        if not (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
            and first.end_lineno is not None
        ):
            continue
        start, end = first.lineno - 1, first.end_lineno
        if (
            lines[start][: first.col_offset].strip()
            or lines[end - 1][first.end_col_offset :].strip()
        ):
            continue  # shares its line with other code: left as it is
        indent = lines[start][: first.col_offset]
        lines[start:end] = [
            f"{indent}pass\n" if len(node.body) == 1 else "\n",
            *["\n"] * (end - start - 1),
        ]
    text = "".join(lines)
    # The index in ``text`` of each line's first character, as tokenize counts lines.
    starts = [0, *(match.end() for match in re.finditer("\n", text))]
    out, last = [], 0
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            row, col = token.start
            offset = starts[row - 1] + col
            out.append(text[last:offset].rstrip(" \t"))
            last = offset + len(token.string)
    out.append(text[last:])
    return "".join(out)


def _type_checking_only(node: ast.AST) -> bool:
    """True for ``if TYPE_CHECKING:`` with imports only and no ``else``."""
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
        and not node.orelse
        and all(isinstance(n, ast.Import | ast.ImportFrom) for n in node.body)
    )


def bundle_files() -> dict[str, bytes]:
    """Zip member name -> bytes: the module closure (slimmed) and the bundled examples."""
    files = {}
    for path in module_closure().values():
        name = path.relative_to(PACKAGE_ROOT.parent).as_posix()
        source = path.read_text(encoding="utf-8")
        files[name] = (source if name in KEEP_DOCSTRINGS else slim_source(source)).encode("utf-8")
    for pattern in DATA:
        for path in sorted(PACKAGE_ROOT.glob(pattern)):
            files[path.relative_to(PACKAGE_ROOT.parent).as_posix()] = path.read_bytes()
    return dict(sorted(files.items()))


def bundle_zip(files: dict[str, bytes] | None = None) -> bytes:
    """A deterministic zip of ``files`` (fixed times and order), for zipimport."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in (files or bundle_files()).items():
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED  # main.py deflates the whole zip at once
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


_LOADER = '''\
# finsam_xl {version} för xlwings Lite: skripten Beräkna, Kontrollera och Självtest.
# Filen skrevs av 'finsam-xl lite' och bär finsam_xl själv (zip i base64 längst ned).
# Ändra den inte; uppdatera med 'finsam-xl lite ARBETSBOK.xlsx' från en nyare finsam_xl.
{marker} version={version} sha256={sha}
"""finsam_xl {version}, embedded: loaded with zipimport from Pyodide's temporary folder."""

import base64
import hashlib
import importlib
import os
import sys
import tempfile
import zlib

FINSAM_XL_VERSION = "{version}"
_SHA256 = "{sha}"


def _finsam_xl_zip() -> str:
    try:
        data = zlib.decompress(base64.urlsafe_b64decode(_CODE))
    except (ValueError, zlib.error):
        data = b""
    if hashlib.sha256(data).hexdigest() != _SHA256:
        raise RuntimeError("finsam_xl-koden i main.py är skadad. Kör 'finsam-xl lite' igen.")
    name = f"finsam_xl-{{FINSAM_XL_VERSION}}-{{_SHA256[:16]}}.zip"
    path = os.path.join(tempfile.gettempdir(), name)
    if not os.path.isfile(path) or os.path.getsize(path) != len(data):
        with open(path + ".tmp", "wb") as handle:
            handle.write(data)
        os.replace(path + ".tmp", path)
    return path


def _activate(path: str) -> None:
    for entry in [p for p in sys.path if os.path.basename(p).startswith("finsam_xl-")]:
        sys.path.remove(entry)
    sys.path.insert(0, path)
    for name in [m for m in sys.modules if m == "finsam_xl" or m.startswith("finsam_xl.")]:
        if not str(getattr(sys.modules[name], "__file__", "") or "").startswith(path):
            del sys.modules[name]
    importlib.invalidate_caches()


_CODE = """
{code}
"""

_activate(_finsam_xl_zip())

from finsam_xl.excel.lite import *  # noqa: E402, F403
'''


def main_py(code: bytes | None = None) -> str:
    """The main.py that Lite runs: loader, the zip (deflated as one, base64), the star import.

    The zip's members are stored and the whole zip deflated once: one stream shares
    what the modules have in common (71 KB instead of 89 KB as a deflated zip).
    """
    data = bundle_zip() if code is None else code
    packed = zlib.compress(data, 9)
    text = base64.urlsafe_b64encode(packed).decode("ascii")  # no "/", which Office escapes
    lines = "\n".join(text[i : i + 100] for i in range(0, len(text), 100))
    return _LOADER.format(
        version=finsam_xl.__version__,
        sha=hashlib.sha256(data).hexdigest(),
        marker=MARKER,
        code=lines,
    )


def _requirement_name(line: str) -> str:
    text = line.split("#", 1)[0].strip()
    return re.split(r"[\s<>=!~\[;@]", text, maxsplit=1)[0].lower().replace("_", "-")


def requirements_txt(existing: str | None = None) -> str:
    """Lite's requirements: ours first, then the user's own lines (finsam_xl itself dropped)."""
    ours = {_requirement_name(r) for r in REQUIREMENTS} | {"finsam-xl"}
    kept = [
        line
        for line in (existing or "").splitlines()
        if line.strip() and _requirement_name(line) not in ours
    ]
    return "\n".join([*REQUIREMENTS, *kept]) + "\n"


# --- the web-extension part --------------------------------------------------------------
def _attr(value: object) -> str:
    """A property value as Office writes it: JSON, XML-escaped for an attribute.

    Exactly Office's form in Lite-saved workbooks: non-ASCII characters raw, a
    backslash before every ``/``, no spaces in objects, then ``& < > "`` as entities.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")
    return escape(text, {'"': "&quot;"})


def webextension_xml(properties: dict[str, object], ident: str) -> bytes:
    """A web-extension part for xlwings Lite carrying ``properties`` (JSON-encoded)."""
    props = "".join(
        f'<we:property name="{escape(k, {chr(34): "&quot;"})}" value="{_attr(v)}"/>'
        for k, v in properties.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<we:webextension xmlns:we="{NS_WE}" id="{ident}">'
        f'<we:reference id="{LITE_STORE_ID.lower()}" version="1.0.0.0" store="en-US" '
        'storeType="OMEX"/>'
        f'<we:alternateReferences><we:reference id="{LITE_STORE_ID}" version="1.0.0.0" '
        f'store="{LITE_STORE_ID}" storeType="OMEX"/></we:alternateReferences>'
        f"<we:properties>{props}</we:properties><we:bindings/>"
        f'<we:snapshot xmlns:r="{NS_REL}"/></we:webextension>'
    ).encode()


def read_properties(xml: bytes) -> dict[str, str] | None:
    """The JSON-decoded properties of an xlwings Lite web-extension part, else None."""
    from defusedxml import ElementTree as SafeET

    root = SafeET.fromstring(xml)
    refs = [r.get("id", "") for r in root.iter(f"{{{NS_WE}}}reference")]
    if not any(r.upper() == LITE_STORE_ID for r in refs):
        return None
    out: dict[str, str] = {}
    for prop in root.iter(f"{{{NS_WE}}}property"):
        raw = prop.get("value", "")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        out[prop.get("name", "")] = (
            value
            if isinstance(value, str)
            else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        )
    return out


def lite_settings(parts: dict[str, bytes]) -> dict[str, object]:
    """Lite's own properties for a workbook that gets Lite code (kept where it has them).

    ``xlwingsWorkbookId`` is Lite's id of the workbook (its trust prompt is per
    workbook): a UUID derived from the package's content, so that different
    workbooks get different ids and the same input gives the same file.
    """
    digest = hashlib.sha256()
    for name in sorted(parts):
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(parts[name]).digest())
    return {
        "pyodideVersion": LITE_PYODIDE_VERSION,
        "addinVersion": LITE_ADDIN_VERSION,
        "xlwingsWorkbookId": str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"finsam_xl/lite/{digest.hexdigest()}")
        ),
        "xlwingsSettingsWorkbook": dict(LITE_SETTINGS_WORKBOOK),
    }


def _replace_properties(
    xml: bytes, properties: dict[str, object], missing: dict[str, object] | None = None
) -> bytes:
    """Set ``properties`` (and ``missing`` where absent) in a part, the rest of its text unchanged.

    A property that is not there yet goes where xlwings Lite puts it (``LITE_ORDER``):
    after the nearest property that Lite writes before it; others go last.
    """
    text = xml.decode("utf-8")
    prefix_match = re.search(r"<(\w+):properties\b", text)
    prefix = prefix_match.group(1) if prefix_match else "we"
    if f"<{prefix}:properties/>" in text:
        text = text.replace(
            f"<{prefix}:properties/>", f"<{prefix}:properties></{prefix}:properties>", 1
        )

    def find(name: str) -> re.Match[str] | None:
        return re.search(
            rf'<{prefix}:property\s+name="{re.escape(name)}"\s+value="[^"]*"\s*/>', text
        )

    todo = [(k, v, True) for k, v in properties.items()]
    todo += [(k, v, False) for k, v in (missing or {}).items() if k not in properties]
    for name, value, replace in todo:
        element = f'<{prefix}:property name="{name}" value="{_attr(value)}"/>'
        found = find(name)
        if found:
            if replace:
                text = text[: found.start()] + element + text[found.end() :]
            continue
        if name in LITE_ORDER:
            before = [m for k in LITE_ORDER[: LITE_ORDER.index(name)] if (m := find(k))]
            opening = re.search(rf"<{prefix}:properties>", text)
            at = max((m.end() for m in before), default=opening.end() if opening else -1)
        else:
            at = text.find(f"</{prefix}:properties>")
        if at < 0:
            raise WorkbookError("xlwings Lite-delen saknar <we:properties>")
        text = text[:at] + element + text[at:]
    return text.encode("utf-8")


def _taskpanes_xml(rel_id: str) -> bytes:
    """Lite's task pane as Lite-saved workbooks have it: docked right, hidden until Lite starts."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<wetp:taskpanes xmlns:wetp="{NS_WETP}"><wetp:taskpane dockstate="right" '
        'visibility="0" width="438" row="2">'
        f'<wetp:webextensionref xmlns:r="{NS_REL}" r:id="{rel_id}"/></wetp:taskpane>'
        "</wetp:taskpanes>"
    ).encode()


def _add_relationship(xml: bytes, rel_type: str, target: str) -> tuple[bytes, str]:
    """Append a relationship (a fresh rId) before ``</Relationships>``; the new xml and id."""
    text = xml.decode("utf-8")
    used = set(re.findall(r'Id="([^"]+)"', text))
    n = 1
    while f"rId{n}" in used:
        n += 1
    rel = f'<Relationship Id="rId{n}" Type="{rel_type}" Target="{target}"/>'
    if "</Relationships>" not in text:
        raise WorkbookError("relationsdelen saknar </Relationships>")
    return text.replace("</Relationships>", rel + "</Relationships>", 1).encode("utf-8"), f"rId{n}"


def _add_override(xml: bytes, part: str, content_type: str) -> bytes:
    text = xml.decode("utf-8")
    if f'PartName="/{part}"' in text:
        return xml
    entry = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
    return text.replace("</Types>", entry + "</Types>", 1).encode("utf-8")


@dataclass
class EmbedOutcome:
    """What ``embed`` did: the part written, whether anything changed, the previous version."""

    part: str
    changed: bool
    previous_version: str | None
    size: int


def _previous_version(main: str | None) -> str | None:
    if main is None:
        return None
    match = re.search(rf"^{re.escape(MARKER)} version=(\S+)", main, re.MULTILINE)
    return match.group(1) if match else "okänd"


def embedded_parts(
    parts: dict[str, bytes],
    force: bool = False,
    main: str | None = None,
) -> tuple[dict[str, bytes], EmbedOutcome]:
    """The package ``parts`` with finsam_xl's Lite code set; every other part unchanged."""
    main = main_py() if main is None else main
    new_parts = dict(parts)
    lite_part, props = None, None
    for name in sorted(parts, key=lambda n: int(m.group(1)) if (m := _WEBEXT.match(n)) else 0):
        if _WEBEXT.match(name):
            props = read_properties(parts[name])
            if props is not None:
                lite_part = name
                break
    if lite_part is not None and props is not None:
        old_main = props.get("main.py")
        if old_main and MARKER not in old_main and old_main.strip() and not force:
            raise WorkbookError(
                "arbetsboken har redan egen Python-kod i xlwings Lite (main.py). Den skrivs inte "
                "över; ange --skriv-over om finsam_xl:s kod ska ersätta den."
            )
        update: dict[str, object] = {
            "main.py": main,
            "requirements.txt": requirements_txt(props.get("requirements.txt")),
        }
        size = sum(len(str(v).encode("utf-8")) for v in update.values())
        _check_size(size)
        new_parts[lite_part] = _replace_properties(parts[lite_part], update, lite_settings(parts))
        changed = new_parts[lite_part] != parts[lite_part]
        return new_parts, EmbedOutcome(lite_part, changed, _previous_version(old_main), size)
    # No Lite part yet: add it with its task pane.
    numbers = [int(m.group(1)) for n in parts if (m := _WEBEXT.match(n))]
    part = f"xl/webextensions/webextension{max(numbers, default=0) + 1}.xml"
    settings = lite_settings(parts)
    properties = {"main.py": main, "requirements.txt": requirements_txt(), **settings}
    properties = {name: properties[name] for name in LITE_ORDER}
    size = sum(len(str(v).encode("utf-8")) for v in (main, properties["requirements.txt"]))
    _check_size(size)
    ident = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "finsam_xl/lite")).upper() + "}"
    new_parts[part] = webextension_xml(properties, ident)
    target = Path(part).name
    if TASKPANES in parts:
        rels = parts.get(TASKPANES_RELS, _EMPTY_RELS)
        panes = _without_dangling_panes(parts[TASKPANES], rels, set(parts))
        new_parts[TASKPANES_RELS], rel_id = _add_relationship(rels, REL_WEBEXTENSION, target)
        pane = _taskpanes_xml(rel_id).decode("utf-8")
        inner = pane[pane.index("<wetp:taskpane ") : pane.index("</wetp:taskpanes>")]
        new_parts[TASKPANES] = panes.replace(
            b"</wetp:taskpanes>", inner.encode("utf-8") + b"</wetp:taskpanes>", 1
        )
    else:
        new_parts[TASKPANES_RELS], rel_id = _add_relationship(_EMPTY_RELS, REL_WEBEXTENSION, target)
        new_parts[TASKPANES] = _taskpanes_xml(rel_id)
        new_parts["_rels/.rels"], _ = _add_relationship(
            parts["_rels/.rels"], REL_TASKPANES, TASKPANES
        )
    types = _add_override(parts["[Content_Types].xml"], part, CT_WEBEXTENSION)
    new_parts["[Content_Types].xml"] = _add_override(types, TASKPANES, CT_TASKPANES)
    return new_parts, EmbedOutcome(part, True, None, size)


def _without_dangling_panes(panes: bytes, rels: bytes, names: set[str]) -> bytes:
    """``taskpanes.xml`` without the panes whose web-extension part is gone (a LibreOffice save)."""
    targets = {
        m.group(1): m.group(2)
        for m in re.finditer(rb'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)
    }

    def gone(match: re.Match[bytes]) -> bytes:
        ref = re.search(rb'r:id="([^"]+)"', match.group(0))
        target = targets.get(ref.group(1)) if ref else None
        if target is not None and f"xl/webextensions/{target.decode()}" in names:
            return match.group(0)
        return b""

    return re.sub(rb"<wetp:taskpane\b.*?</wetp:taskpane>", gone, panes, flags=re.DOTALL)


_EMPTY_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    f'<Relationships xmlns="{NS_PKG_REL}"></Relationships>'
).encode()


def _check_size(size: int) -> None:
    if size > MAX_SETTINGS_BYTES:
        raise WorkbookError(
            f"finsam_xl:s kod för xlwings Lite blev {size // 1024} KB, mer än gränsen "
            f"{MAX_SETTINGS_BYTES // 1024} KB för ett tilläggs inställningar i arbetsboken."
        )


def embed(path: Path, out: Path | None = None, force: bool = False) -> EmbedOutcome:
    """Add or update finsam_xl's xlwings Lite code in the workbook ``path`` (``finsam-xl lite``).

    A file that is not a workbook, or whose Lite code is someone else's, raises
    WorkbookError and is left byte-identical. Nothing is written when the code
    is already current (``changed`` False) and ``out`` is not given.
    """
    if out is not None and same_file(out, path):
        out = None
    if out is not None:
        check_output(out, (path.suffix.lower(),), "arbetsboken", [path])
    inspect_package(path)
    parts, infos = read_parts(path)
    new_parts, outcome = embedded_parts(parts, force=force)
    target = out or path
    if outcome.changed or target != path:
        atomic_write(
            target, lambda tmp: write_parts(tmp, new_parts, infos), keep_backup=target == path
        )
    return outcome


def embed_into_new(path: Path) -> EmbedOutcome:
    """The step ``finsam-xl ny`` runs after writing a workbook (no backup of its own file)."""
    parts, infos = read_parts(path)
    new_parts, outcome = embedded_parts(parts)
    atomic_write(path, lambda tmp: write_parts(tmp, new_parts, infos), keep_backup=False)
    return outcome


def extract(path: Path) -> dict[str, str]:
    """The xlwings Lite properties stored in a workbook (empty if it has none)."""
    parts, _ = read_parts(path)
    for name in sorted(parts):
        if _WEBEXT.match(name):
            props = read_properties(parts[name])
            if props is not None:
                return props
    return {}


def check_new_options(path: Path, server: str | None) -> None:
    """Refuse ``new`` options that cannot work, before anything is written."""
    if server is None:
        return
    from finsam_xl.vba.server import check_url
    from finsam_xl.vba.sources import xlwings_package_dir

    if path.suffix.lower() != ".xlsm":
        raise UsageError("--server gäller knappar i en .xlsm: ange också --xlsm.")
    try:
        check_url(server)
    except ValueError as error:  # an address the buttons cannot call
        raise UsageError(str(error)) from None
    xlwings_package_dir()  # the client's VBA comes from the installed xlwings (XlwingsMissing)


def after_new(path: Path, lite: bool | None = None, server: str | None = None) -> None:
    """What ``finsam-xl ny`` adds after the workbook is written.

    ``lite`` None means: Lite code in an .xlsx, none in an .xlsm (whose buttons
    use desktop Python or the server). ``server`` rebuilds an .xlsm's VBA project
    so that its buttons call the server at that address.
    """
    xlsm = path.suffix.lower() == ".xlsm"
    if server is not None:
        if not xlsm:
            raise UsageError("--server gäller knappar i en .xlsm: ange också --xlsm.")
        from finsam_xl.parts.vba_part import use_server

        use_server(path, server)
    if lite if lite is not None else not xlsm:
        embed_into_new(path)


def report(path: Path, outcome: EmbedOutcome) -> str:
    """The Swedish sentence ``finsam-xl lite`` prints."""
    size = f"{outcome.size // 1024} KB"
    if not outcome.changed:
        return (
            f"{path} har redan finsam_xl {finsam_xl.__version__} för xlwings Lite; inget ändrades."
        )
    if outcome.previous_version:
        return (
            f"Uppdaterade finsam_xl för xlwings Lite i {path} från version "
            f"{outcome.previous_version} till {finsam_xl.__version__} ({size})."
        )
    return (
        f"Lade in finsam_xl {finsam_xl.__version__} för xlwings Lite i {path} ({size}). "
        "Öppna arbetsboken, starta xlwings Lite och kör Beräkna."
    )


def carry_over(source: Path, out: Path) -> bool:
    """Give ``out`` finsam_xl's Lite code when ``source`` had it (``nytt-ar`` rewrites the file).

    Only finsam_xl's own main.py is carried (in the current version); True if it was.
    """
    main = extract(source).get("main.py")
    if not main or MARKER not in main or not out.is_file():
        return False
    parts, infos = read_parts(out)
    new_parts, outcome = embedded_parts(parts)
    if outcome.changed:
        atomic_write(out, lambda tmp: write_parts(tmp, new_parts, infos), keep_backup=False)
    return True


def task_pane(path: Path) -> dict[str, str]:
    """The attributes of the workbook's first task pane (empty if it has none)."""
    from defusedxml import ElementTree as SafeET

    parts, _ = read_parts(path)
    if TASKPANES not in parts:
        return {}
    pane = next(SafeET.fromstring(parts[TASKPANES]).iter(f"{{{NS_WETP}}}taskpane"), None)
    return dict(pane.attrib) if pane is not None else {}


def compare(before: Path, after: Path) -> list[str]:
    """Swedish lines: how the Lite part of ``after`` (saved by Lite) differs from ``before``.

    For the acceptance check in Excel (docs/excel-acceptance.md): run ``new``, open
    and save the file in Excel with Lite, then compare the two files.
    """
    old, new = extract(before), extract(after)
    lines = []
    for name in [*old, *(n for n in new if n not in old)]:
        a, b = old.get(name), new.get(name)
        if a == b:
            lines.append(f"{name}: oförändrad")
        elif a is None:
            shown = b if b is not None and len(b) <= 80 else f"{len(b or '')} tecken"
            lines.append(f"{name}: ny ({shown})")
        elif b is None:
            lines.append(f"{name}: borttagen")
        elif name in ("main.py", "requirements.txt"):
            gone = [x for x in a.splitlines() if x not in b.splitlines()]
            added = [x for x in b.splitlines() if x not in a.splitlines()]
            lines.append(
                f"{name}: ändrad ({len(gone)} rader borta, {len(added)} nya)"
                + "".join(f"\n  - {x[:100]}" for x in gone[:10])
                + "".join(f"\n  + {x[:100]}" for x in added[:10])
            )
        else:
            lines.append(f"{name}: {a} -> {b}")
    if list(new) and [n for n in old if n in new] != [n for n in new if n in old]:
        lines.append(f"ordning: {', '.join(old)} -> {', '.join(new)}")
    pane_a, pane_b = task_pane(before), task_pane(after)
    for key in sorted(set(pane_a) | set(pane_b)):
        if pane_a.get(key) != pane_b.get(key):
            lines.append(f"uppgiftsfönster {key}: {pane_a.get(key)} -> {pane_b.get(key)}")
    return lines


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 3:
        sys.exit("användning: python -m finsam_xl.parts.lite_part FÖRE.xlsx EFTER.xlsx")
    print("\n".join(compare(Path(sys.argv[1]), Path(sys.argv[2]))))
