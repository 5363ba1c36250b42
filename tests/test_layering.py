"""The package's layers, checked on the source: who may import whom, and no cycles.

Layers, from the inside out (docs/architecture.md):

* ``model``: pydantic models, money, labels, the interchange format;
* ``rules``: the checks, on the model only;
* ``core``: allocation, plan, evaluate, reconciliation, next year;
* ``sie`` (the file format) and ``books`` (the accounting side of reconciliation);
* ``workbook``: reader, writer, template, editor of the Excel file;
* ``jobs``: the use-case layer every front end calls;
* front ends: ``cli.py``, ``excel/`` (the button), ``vba/`` (builds the .xlsm).

Function-local imports count like module-level ones; imports under
``if TYPE_CHECKING:`` do not run and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import finsam_xl

PACKAGE = Path(finsam_xl.__file__).parent
OUTER = ("workbook", "excel", "sie", "books", "jobs", "cli")


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
    tree = ast.parse(path.read_text(encoding="utf-8"))
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


def _graph() -> dict[str, set[str]]:
    files = list(PACKAGE.rglob("*.py"))
    modules = {_module_name(p) for p in files}
    return {_module_name(p): _imports(p, modules) for p in files}


GRAPH = _graph()


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _offenders(layers: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{m} -> {target}"
        for m, targets in GRAPH.items()
        if _layer(m) in layers
        for target in targets
        if _layer(target) in forbidden
    )


def test_the_graph_sees_the_whole_package() -> None:
    assert len(GRAPH) > 60
    assert "finsam_xl.core.evaluate" in GRAPH["finsam_xl.jobs.evaluate"]
    assert "finsam_xl.rules" in GRAPH["finsam_xl.core.evaluate"]


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
        for w in sorted(GRAPH[v]):
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

    for v in sorted(GRAPH):
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
    assert _offenders(("workbook",), ("excel", "jobs", "cli", "books")) == []
    assert _offenders(("jobs",), ("excel", "cli")) == []
    assert _offenders(("vba",), ("workbook", "excel", "jobs", "cli", "books", "sie")) == []


def test_the_command_line_goes_through_jobs() -> None:
    allowed = {"jobs", "model", ""}
    used = GRAPH["finsam_xl.cli"]
    outside = sorted(m for m in used if _layer(m) not in allowed and m != "finsam_xl.excel.server")
    assert outside == []
    assert any(_layer(m) == "jobs" for m in used)


def test_the_button_uses_jobs_and_the_workbook_reader_and_writer() -> None:
    """An open Excel book is another view of a workbook: its reader, schema and writer
    (with their vocabulary: the BookView protocol, A1 addressing and the writer's Grid);
    jobs for the rest."""
    allowed = {
        "finsam_xl.workbook.reader",
        "finsam_xl.workbook.schema",
        "finsam_xl.workbook.writer",
        "finsam_xl.workbook.grid",
        "finsam_xl.workbook.views",
        "finsam_xl.workbook.cells",
    }
    offenders = sorted(
        f"{m} -> {t}"
        for m, targets in GRAPH.items()
        if _layer(m) == "excel"
        for t in targets
        if (_layer(t) == "workbook" and t not in allowed) or _layer(t) in ("sie", "books", "cli")
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
