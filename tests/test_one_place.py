"""Each conversion and each map of Swedish names exists once: a copy that comes back fails here.

Checked on the source (``ast``), so a file that moves keeps its checks:

* zero is ``money.ZERO``: no other module binds a name to ``Decimal(0)``;
* kronor to tkr and Decimal to a plain number are ``money``'s functions: no
  ``x / 1000``, ``Decimal(1000)`` or ``int(x) if x == x.to_integral_value() else
  float(x)`` elsewhere;
* the HYPERLINK formula is written by ``Cell.link_formula`` only;
* the member kinds' order is ``labels.KIND_ORDER``: no tuple or list spells out
  stat, region, kommun;
* the Swedish names of codes live in ``model/labels.py``: no other dict literal
  gives two or more of the same codes the same words as a map there.
"""

from __future__ import annotations

import ast
from enum import Enum
from pathlib import Path

from source_support import package_files, source_of, tree_of

import finsam_xl
from finsam_xl.model import budget as budget_model
from finsam_xl.model import findings as findings_model
from finsam_xl.model import labels
from finsam_xl.model import recon as recon_model

PACKAGE = Path(finsam_xl.__file__).parent
#: Divisions by 1000 that are not kronor to tkr: file name -> the source of each.
NOT_TKR = {"chart.py": {"step / 1000"}}  # a tolerance for float ticks, not a unit


def _trees() -> list[tuple[Path, str, ast.Module]]:
    """(path, source, tree) of every package file (parsed once per process)."""
    return [(path, source_of(path), tree_of(path)) for path in package_files()]


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', 0)}"


def _is_decimal_of(node: ast.AST | None, *values: object) -> bool:
    """``Decimal(v)`` for one of ``values`` (an int or its text)."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Decimal"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value in values
    )


Trees = list[tuple[Path, str, ast.Module]]


def _zeros(trees: Trees) -> list[str]:
    return [
        _where(path, node)
        for path, _source, tree in trees
        if path.name != "money.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and _is_decimal_of(node.value, 0, "0", "0.0", "0.00")
    ]


def test_zero_is_bound_in_money_only() -> None:
    assert _zeros(_trees()) == []


def _tkr_scalings(trees: Trees) -> list[str]:
    copies = []
    for path, source, tree in trees:
        if path.name == "money.py":
            continue
        allowed = NOT_TKR.get(path.name, set())
        for node in ast.walk(tree):
            if _is_decimal_of(node, 1000, "1000", "1E3", "1e3"):
                copies.append(_where(path, node))
            elif (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Div)
                and isinstance(node.right, ast.Constant)
                and node.right.value in (1000, 1000.0)
                and ast.get_source_segment(source, node) not in allowed
            ):
                copies.append(_where(path, node))
    return sorted(copies)


def test_kronor_to_tkr_is_money_s_conversion() -> None:
    assert _tkr_scalings(_trees()) == []


def _is_plain_number(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.IfExp)
        and isinstance(node.body, ast.Call)
        and isinstance(node.body.func, ast.Name)
        and node.body.func.id == "int"
        and isinstance(node.orelse, ast.Call)
        and isinstance(node.orelse.func, ast.Name)
        and node.orelse.func.id == "float"
    )


def _plain_numbers(trees: Trees) -> list[str]:
    return [
        _where(path, node)
        for path, _source, tree in trees
        if path.name != "money.py"
        for node in ast.walk(tree)
        if _is_plain_number(node)
    ]


def test_decimal_to_a_plain_number_is_money_s_conversion() -> None:
    """``int(x) if x == x.to_integral_value() else float(x)`` is ``money.plain_number``."""
    assert _plain_numbers(_trees()) == []


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring constants of a module, its classes and functions."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _hyperlinks(trees: Trees) -> list[str]:
    return sorted(
        {
            _where(path, node)
            for path, _source, tree in trees
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and "HYPERLINK(" in node.value
            and id(node) not in _docstrings(tree)
        }
    )


def test_the_hyperlink_formula_is_written_in_one_place() -> None:
    writers = _hyperlinks(_trees())
    assert len(writers) == 1 and "grid.py:" in writers[0], writers


def _spelt_out(node: ast.AST) -> bool:
    """A tuple, list or set of the three member kinds (as enum members or as codes)."""
    if not isinstance(node, ast.Tuple | ast.List | ast.Set) or len(node.elts) != 3:
        return False
    names = {e.attr for e in node.elts if isinstance(e, ast.Attribute)}
    texts = {e.value for e in node.elts if isinstance(e, ast.Constant)}
    return names == {k.name for k in budget_model.MemberKind} or texts == {
        k.value for k in budget_model.MemberKind
    }


def _kind_lists(trees: Trees) -> list[str]:
    return [
        _where(path, node)
        for path, _source, tree in trees
        if path.name != "labels.py"
        for node in ast.walk(tree)
        if _spelt_out(node)
    ]


def test_the_member_kinds_are_listed_by_kind_order_only() -> None:
    assert _kind_lists(_trees()) == []


#: Every enum a map of Swedish names may be keyed by, by class name.
ENUMS: dict[str, type[Enum]] = {
    name: obj
    for module in (budget_model, findings_model, recon_model)
    for name, obj in vars(module).items()
    if isinstance(obj, type) and issubclass(obj, Enum) and obj is not Enum
}


def _code(node: ast.expr | None) -> str | None:
    """A dict key as its code: 'stat' for ``MemberKind.STAT`` or ``"stat"``; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in ENUMS
        and node.attr in ENUMS[node.value.id].__members__
    ):
        return str(ENUMS[node.value.id][node.attr].value)
    return None


def _label_maps() -> dict[str, dict[str, str]]:
    """labels.py's maps of codes to words, keyed by code, words in lower case."""
    return {
        name: {str(getattr(k, "value", k)): v.casefold() for k, v in value.items()}
        for name, value in vars(labels).items()
        if isinstance(value, dict)
        and name.isupper()
        and all(isinstance(v, str) for v in value.values())
    }


def _label_copies(trees: Trees) -> list[str]:
    maps = _label_maps()
    copies = []
    for path, _source, tree in trees:
        if path.name == "labels.py":
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Dict):
                continue
            words = {
                code: value.value.casefold()
                for key, value in zip(node.keys, node.values, strict=True)
                if (code := _code(key)) is not None
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            }
            for name, known in maps.items():
                same = {c for c, w in words.items() if known.get(c) == w}
                if len(same) >= 2:
                    copies.append(f"{_where(path, node)} repeats labels.{name}: {sorted(same)}")
    return copies


def test_the_swedish_names_of_codes_are_in_labels_only() -> None:
    assert {"KIND_LABELS", "SEVERITY_LABELS", "UNIT_LABELS", "COMPARISON_LABELS"} <= set(
        _label_maps()
    )
    assert _label_copies(_trees()) == []


def test_the_checks_see_what_they_look_for() -> None:
    """Each scan finds its copy in a made-up module (so an empty answer means something)."""
    source = (
        "ZERO = Decimal(0)\n"
        "shown = amount / 1000 if tkr else amount\n"
        "factor = Decimal(1000)\n"
        "n = int(v) if v == v.to_integral_value() else float(v)\n"
        'link = f\'=HYPERLINK("#{target}","{text}")\'\n'
        "for kind in (MemberKind.STAT, MemberKind.REGION, MemberKind.KOMMUN): pass\n"
        "ok = text in ('stat', 'region', 'kommun')\n"
        "words = {Severity.ERROR: 'fel', Severity.WARNING: 'varning'}\n"
        "frequency = {'ar': 'år', 'halvar': 'halvår'}\n"
    )
    fake = [(PACKAGE / "fake.py", source, ast.parse(source))]
    assert _zeros(fake) == ["finsam_xl/fake.py:1"]
    assert _tkr_scalings(fake) == ["finsam_xl/fake.py:2", "finsam_xl/fake.py:3"]
    assert _plain_numbers(fake) == ["finsam_xl/fake.py:4"]
    assert _hyperlinks(fake) == ["finsam_xl/fake.py:5"]
    assert _kind_lists(fake) == ["finsam_xl/fake.py:6", "finsam_xl/fake.py:7"]
    copies = _label_copies(fake)
    assert [c.split(" repeats ")[1].split(":")[0] for c in copies] == [
        "labels.SEVERITY_LABELS",
        "labels.FREQUENCY_LABELS",
    ]


def test_no_module_defines_a_name_twice() -> None:
    """A constant written twice in one module (the schema once had T_HISTORY three times)
    silently keeps the last; each module-level name is assigned once."""
    import ast
    from collections import Counter
    from pathlib import Path

    import finsam_xl

    twice = []
    for path in sorted(Path(finsam_xl.__file__).parent.rglob("*.py")):
        names: Counter[str] = Counter()
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names[node.target.id] += 1
        twice += [f"{path.name}: {n}" for n, count in names.items() if count > 1]
    assert twice == []
