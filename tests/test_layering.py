"""The package's layers, checked on the source: who may import whom, and no cycles.

Layers, from the inside out (docs/architecture.md):

* ``model``: pydantic models, money, labels, the workbook schema, the interchange format;
* ``rules``: the checks, on the model only;
* ``core``: allocation, plan, evaluate, reconciliation, next year;
* ``sie`` (the file format) and ``books`` (the accounting side of reconciliation);
* ``xlsx``: the xlsx file format (package, views, cells, safety), knowing nothing of budgets;
* ``sheets``: the layouts of the computed sheets, knowing nothing of zip parts;
* ``workbook``: the budget workbook's contract: reader, writer, template, editor;
* ``parts``: the parts added to a package (xlwings Lite's code, the VBA project);
* ``jobs``: the use-case layer every front end calls;
* front ends: ``cli.py``, ``excel/`` (the button), ``vba/`` (builds the .xlsm).

Below them all, ``finsam_xl.errors`` (the exception family) imports nothing of the
package, so every layer may import it.

Function-local imports count like module-level ones; imports under
``if TYPE_CHECKING:`` do not run and are left out.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from source_support import package_files, tree_of

import finsam_xl

PACKAGE = Path(finsam_xl.__file__).parent
OUTER = (
    "xlsx",
    "sheets",
    "workbook",
    "parts",
    "excel",
    "sie",
    "books",
    "jobs",
    "cli",
    "word",
    "vba",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The package modules ``path`` imports when it runs (TYPE_CHECKING blocks left out)."""
    tree = tree_of(path)
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("finsam_xl"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - (node.level - 1)]
                base = ".".join([*parent, base] if base else parent)
            if base.startswith("finsam_xl"):
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    found.add(sub if sub in modules else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in found if m in modules and m != name}


@cache
def _graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports (built once per process, when first asked)."""
    files = package_files()
    modules = {_module_name(p) for p in files}
    return {_module_name(p): _imports(p, modules) for p in files}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _offenders(layers: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{m} -> {target}"
        for m, targets in _graph().items()
        if _layer(m) in layers
        for target in targets
        if _layer(target) in forbidden
    )


def test_the_graph_sees_the_whole_package() -> None:
    assert len(_graph()) > 60
    assert "finsam_xl.core.evaluate" in _graph()["finsam_xl.jobs.evaluate"]
    assert "finsam_xl.rules" in _graph()["finsam_xl.core.evaluate"]


def test_there_is_no_import_cycle() -> None:
    """Tarjan's strongly connected components: every component is a single module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(_graph()[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(_graph()):
        if v not in index:
            connect(v)
    assert cycles == []


def test_the_pure_core_imports_no_outer_layer() -> None:
    assert _offenders(("model", "core", "rules"), OUTER) == []


def test_rules_import_the_model_only() -> None:
    assert _offenders(("rules",), ("core",)) == []
    assert _offenders(("model",), ("core", "rules")) == []


def test_the_file_formats_know_nothing_of_workbooks_or_jobs() -> None:
    assert _offenders(("sie",), ("workbook", "excel", "books", "jobs", "cli", "core")) == []
    assert _offenders(("books",), ("workbook", "excel", "jobs", "cli")) == []
    assert _offenders(("workbook",), ("parts", "excel", "jobs", "cli", "books")) == []
    assert _offenders(("parts",), ("excel", "jobs", "cli", "books", "sie")) == []
    assert _offenders(("jobs",), ("excel", "cli")) == []
    assert _offenders(("vba",), VBA_MAY_NOT) == []


VBA_MAY_NOT = ("xlsx", "sheets", "workbook", "parts", "excel", "jobs", "cli", "books", "sie")
#: What of the model the xlsx file format may use: plain words, no budget.
XLSX_MAY_USE = {"finsam_xl.model.labels", "finsam_xl.model.text", "finsam_xl.model.findings"}
#: The modules of ``xlsx`` that are about the zip package (the sheet layouts never see them).
ZIP_PARTS = {"package", "zipview", "views", "safety"}


def test_the_xlsx_file_format_knows_nothing_of_budgets() -> None:
    """``xlsx`` imports only itself, the model's plain words (labels, text, findings) and
    the exception family."""
    offenders = sorted(
        f"{m} -> {t}"
        for m, targets in _graph().items()
        if _layer(m) == "xlsx"
        for t in targets
        if _layer(t) not in ("xlsx", "", "errors") and t not in XLSX_MAY_USE
    )
    assert offenders == []
    assert "finsam_xl.model.labels" in _graph()["finsam_xl.xlsx.safety"]  # the test sees imports


def test_the_sheet_layouts_know_nothing_of_zip_parts() -> None:
    """``sheets`` builds grids from the core's results: model, core, A1 addressing, itself."""
    offenders = sorted(
        f"{m} -> {t}"
        for m, targets in _graph().items()
        if _layer(m) == "sheets"
        for t in targets
        if _layer(t) not in ("model", "core", "sheets", "xlsx")
        or (_layer(t) == "xlsx" and t.rsplit(".", 1)[1] in ZIP_PARTS)
    )
    assert offenders == []
    assert "finsam_xl.xlsx.cells" in _graph()["finsam_xl.sheets.recon_sheet"]


def test_no_folder_holds_more_than_a_fifth_of_the_lines() -> None:
    """A newcomer finds a concern by its folder: no folder is a third of the house."""
    lines: dict[str, int] = {}
    for path in PACKAGE.rglob("*.py"):
        folder = path.parent.relative_to(PACKAGE).as_posix()
        lines[folder] = lines.get(folder, 0) + len(path.read_text("utf-8").splitlines())
    total = sum(lines.values())
    assert len(lines) >= 10 and total > 20_000
    assert {f: n for f, n in lines.items() if n > total / 5} == {}


def test_the_exception_family_sits_below_every_layer() -> None:
    assert _graph()["finsam_xl.errors"] == set()
    users = {_layer(m) for m, targets in _graph().items() if "finsam_xl.errors" in targets}
    assert {"model", "core", "sie", "books", "xlsx", "jobs", "cli", "excel"} <= users


def test_the_command_line_goes_through_jobs() -> None:
    allowed = {"jobs", "model", "errors", ""}
    used = _graph()["finsam_xl.cli"]
    outside = sorted(m for m in used if _layer(m) not in allowed and m != "finsam_xl.excel.server")
    assert outside == []
    assert any(_layer(m) == "jobs" for m in used)


def test_the_button_uses_jobs_and_the_workbook_reader_and_writer() -> None:
    """An open Excel book is another view of a workbook: its reader, schema and writer
    (with their vocabulary: the BookView protocol, A1 addressing and the writer's Grid);
    jobs for the rest."""
    allowed = {
        "finsam_xl.workbook.reader",
        "finsam_xl.workbook.writer",
        "finsam_xl.xlsx.views",
        "finsam_xl.xlsx.cells",
        "finsam_xl.sheets.grid",
    }
    offenders = sorted(
        f"{m} -> {t}"
        for m, targets in _graph().items()
        if _layer(m) == "excel"
        for t in targets
        if (_layer(t) in ("workbook", "xlsx", "sheets", "parts") and t not in allowed)
        or _layer(t) in ("sie", "books", "cli")
    )
    assert offenders == []


def test_no_job_is_named_like_a_module_of_jobs() -> None:
    """Importing ``jobs.x`` sets the attribute ``x``: a job named like a module would vanish."""
    import finsam_xl.jobs as jobs

    modules = {p.stem for p in (PACKAGE / "jobs").glob("*.py")}
    assert sorted(set(jobs.__all__) & modules) == []


def test_test_helpers_follow_one_naming_style() -> None:
    """Helper modules of the tests are named ``*_support.py``; nothing imports a conftest."""
    tests = PACKAGE.parent / "tests"
    helpers = [
        p.name
        for p in tests.rglob("*.py")
        if not p.name.startswith(("test_", "conftest")) and p.name != "lo_probe.py"
    ]
    assert helpers and all(h == "support.py" or h.endswith("_support.py") for h in helpers)
    importing = [
        str(p.relative_to(tests))
        for p in tests.rglob("*.py")
        if p.name != "test_layering.py" and "from conftest " + "import" in p.read_text("utf-8")
    ]
    assert importing == []


#: The floors, lowest first: a folder imports only folders on lower floors (and itself).
FLOORS: tuple[tuple[str, ...], ...] = (
    ("", "errors"),  # finsam_xl/__init__.py (the version) and the exception family
    ("model", "vba"),
    ("rules", "sie", "xlsx"),
    ("core",),
    ("books", "sheets", "word"),
    ("workbook",),
    ("parts",),
    ("jobs",),
    ("excel",),
    ("cli",),
    ("__main__",),
)
FLOOR = {folder: n for n, floor in enumerate(FLOORS) for folder in floor}


def _folder_edges() -> set[tuple[str, str]]:
    return {
        (_layer(m), _layer(t))
        for m, targets in _graph().items()
        for t in targets
        if _layer(m) != _layer(t)
    }


def test_every_arrow_runs_down_a_floor() -> None:
    """No import from a lower floor to a higher one, or between folders on one floor."""
    assert set(FLOOR) == {_layer(m) for m in _graph()}
    up = sorted(f"{a} -> {b}" for a, b in _folder_edges() if FLOOR[a] <= FLOOR[b])
    assert up == []


def _mermaid() -> str:
    lines = ["```mermaid", "flowchart TD"]
    for a, b in sorted(_folder_edges()):
        if a and b and b != "errors":  # the root's version and the exception family (every
            # folder may raise it) are left out of the picture
            lines.append(f"  {a.strip('_')} --> {b.strip('_')}")
    lines.append("```")
    return "\n".join(lines)


def test_the_architecture_doc_draws_the_import_graph_of_the_code() -> None:
    """docs/architecture.md carries the folder graph as the code has it (regenerate with
    FINSAM_UPDATE_SNAPSHOTS=1)."""
    import os
    import re

    doc = PACKAGE.parent / "docs" / "architecture.md"
    text = doc.read_text("utf-8")
    block = re.compile(r"```mermaid\nflowchart TD\n.*?```", re.DOTALL)
    assert block.search(text), "docs/architecture.md has no mermaid import graph"
    if os.environ.get("FINSAM_UPDATE_SNAPSHOTS"):
        doc.write_text(block.sub(lambda _m: _mermaid(), text, count=1), "utf-8")
        text = doc.read_text("utf-8")
    assert block.search(text).group(0) == _mermaid()  # type: ignore[union-attr]
