"""A deliberately small evaluator for formulas typed into input cells.

Files written by openpyxl (or by this tool's template with formulas) have no
cached values; rather than guess, the reader evaluates plain arithmetic
(numbers, + - * /, parentheses, SUM/SUMMA of numbers) exactly with Decimal and
refuses anything else (cell references, other functions) with a message that
names the cell. Why not a formula library: the few on PyPI (formulas, pycel)
pull in numpy and much more, and arithmetic is all an input cell needs.
"""

from __future__ import annotations

import ast
from decimal import Decimal, DecimalException

from finsam_xl.errors import FinsamError

_FUNCTIONS = {"SUM", "SUMMA"}
#: Excel's own limit on the length of a formula.
MAX_FORMULA_CHARS = 8192
#: Deepest formula evaluated (nested signs, parentheses or terms in one chain). Checked on
#: the parsed formula, so the answer never depends on the interpreter's recursion limit
#: (which another library in the process may have raised).
MAX_FORMULA_DEPTH = 400


class FormulaError(FinsamError, ValueError):
    """A formula this evaluator will not compute."""


def evaluate_formula(text: str) -> Decimal:
    """Evaluate '=1000*3+500' or '=SUM(1;2)' to a Decimal; FormulaError otherwise."""
    body = text.lstrip("=").strip().replace(";", ",")
    if not body:
        raise FormulaError("tom formel")
    if len(body) > MAX_FORMULA_CHARS:
        raise FormulaError(f"formeln är längre än Excels gräns på {MAX_FORMULA_CHARS} tecken")
    too_deep = FormulaError("formeln är för lång eller för djupt nästlad för att räknas här")
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError:
        raise FormulaError("formeln kan inte tolkas") from None
    except (RecursionError, MemoryError):  # thousands of terms or of nested signs
        raise too_deep from None
    if _depth(tree.body) > MAX_FORMULA_DEPTH:
        raise too_deep
    try:
        return _eval(tree.body)
    except (DecimalException, ZeroDivisionError):  # also Overflow: =1e308*1e308*…
        raise FormulaError("formeln ger inget tal (division med noll eller för stort?)") from None
    except (RecursionError, MemoryError):
        raise too_deep from None


def _depth(root: ast.AST) -> int:
    """The depth of the formula's tree, counted without recursion."""
    deepest, todo = 0, [(root, 1)]
    while todo:
        node, depth = todo.pop()
        deepest = max(deepest, depth)
        todo.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _eval(node: ast.expr) -> Decimal:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return Decimal(repr(node.value)) if isinstance(node.value, float) else Decimal(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            return left / right
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.upper() in _FUNCTIONS
        and not node.keywords
    ):
        return sum((_eval(arg) for arg in node.args), Decimal(0))
    raise FormulaError("formeln innehåller cellreferenser eller funktioner som inte räknas här")
