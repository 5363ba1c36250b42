"""The code vocabularies are enums: a misspelt code fails in mypy, and the strings stay the same.

Each enum's values are the strings the fields held before they were enums, so
JSON, the interchange YAML, the sheets and the snapshots are unchanged. mypy
(with ``init_typed``) rejects a misspelt member and a bare string passed to an
enum field; ``test_no_bare_codes_in_the_package`` catches the one thing mypy
cannot: a string literal *compared* to such a field.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

import pytest
from source_support import package_files, tree_of
from support import EXAMPLES, ROOT

import finsam_xl
from finsam_xl.core.document import ColumnKind, equity_history, year_columns
from finsam_xl.model import budget as budget_module
from finsam_xl.model.budget import ActualStatus, PaymentFrequency, Settings
from finsam_xl.model.findings import Element, Ref
from finsam_xl.model.interchange import SCHEMA_FILE, dumps, load, loads
from finsam_xl.model.recon import (
    BooksKind,
    ForecastMethod,
    Payment,
    PaymentMethod,
    PhasingMethod,
)

PACKAGE = Path(finsam_xl.__file__).parent

#: Every enum of this issue with the strings its field held before (issue 23, part 3).
TODAYS_CODES: dict[type[StrEnum], list[str]] = {
    Element: [
        "member",
        "cost",
        "income",
        "contribution",
        "equity",
        "settings",
        "published",
        "plan",
        "years",
        "adopted",
        "revised",
        "forbund",
        "actual",
        "mapping",
        "recon",
    ],
    PaymentMethod: [
        "kontant",
        "referens",
        "faktura",
        "kund",
        "namn",
        "belopp",
        "ingående balans",
        "kreditering",
        "återbetalning",
        "tvetydig",
        "ingen",
    ],
    BooksKind: ["periodiserad", "kontantmässig", "blandad", "okänd"],
    ForecastMethod: [
        "angiven",
        "budget",
        "budget (inget konto)",
        "linjär",
        "enligt periodisering",
        "enligt fjolåret",
    ],
    PhasingMethod: ["periodisering", "fjolåret", "jämn"],
    ColumnKind: ["budget", "utfall", "prognos", "budgetar", "plan"],
    PaymentFrequency: ["ar", "halvar", "kvartal", "manad"],
}


@pytest.mark.parametrize("enum", list(TODAYS_CODES), ids=lambda e: e.__name__)
def test_enum_values_are_todays_strings(enum: type[StrEnum]) -> None:
    assert [m.value for m in enum] == TODAYS_CODES[enum]
    for member in enum:  # a StrEnum prints and formats as its value, in f-strings too
        assert str(member) == f"{member}" == member.value


def test_the_schemas_enums_are_the_models() -> None:
    """Every enumeration the shipped JSON schema lists is a model enum with the same values."""
    shipped = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    listed = {name: d["enum"] for name, d in shipped["$defs"].items() if "enum" in d}
    assert listed["PaymentFrequency"] == TODAYS_CODES[PaymentFrequency]
    for name, values in listed.items():
        enum = getattr(budget_module, name)
        assert issubclass(enum, StrEnum), name
        assert [m.value for m in enum] == values, name
    frequency = shipped["$defs"]["Settings"]["properties"]["payment_frequency"]
    assert frequency == {"$ref": "#/$defs/PaymentFrequency", "default": "ar"}


def test_interchange_and_json_carry_the_same_strings() -> None:
    budget = load(EXAMPLES / "sodra-dalarna-2025.yaml")
    assert budget.settings.payment_frequency is PaymentFrequency.KVARTAL
    text = dumps(budget)
    assert "payment_frequency: kvartal" in text
    assert "PaymentFrequency" not in text
    assert text == (EXAMPLES / "sodra-dalarna-2025.yaml").read_text(encoding="utf-8")
    data = json.loads(dumps(budget, "json"))
    assert data["settings"]["payment_frequency"] == "kvartal"
    assert loads(dumps(budget, "json"), "x.json") == budget
    # the default is left out of the file, as before
    assert Settings().model_dump(mode="json", exclude_defaults=True) == {}
    assert Settings().payment_frequency is PaymentFrequency.AR

    payment = Payment(
        day=date(2025, 3, 1),
        amount=Decimal(5),
        source="a.se:3",
        method=PaymentMethod.INGAENDE_BALANS,
    )
    dumped = payment.model_dump(mode="json")
    assert dumped["method"] == "ingående balans"
    assert Payment.model_validate(dumped).method is PaymentMethod.INGAENDE_BALANS
    assert str(Ref(element=Element.COST, index=2, year=2025)) == "cost[3].2025"
    assert Ref.model_validate({"element": "recon"}).element is Element.RECON


def test_document_columns_and_equity_rows_use_the_enum() -> None:
    from finsam_xl.core.evaluate import evaluate

    budget = load(EXAMPLES / "sodra-dalarna-2025.yaml")
    columns = year_columns(budget)
    assert {type(c.kind) for c in columns} == {ColumnKind}
    assert [c.kind for c in columns if c.year >= budget.years.budget][:1] == [ColumnKind.BUDGETAR]
    rows = equity_history(budget, evaluate(budget)).rows
    assert {type(r.status) for r in rows} == {ColumnKind}
    assert ColumnKind(ActualStatus.PROGNOS) is ColumnKind.PROGNOS


# --- mypy catches a misspelt code -------------------------------------------------------------
SNIPPET = """\
from datetime import date
from decimal import Decimal

from finsam_xl.core.document import Column, ColumnKind
from finsam_xl.model.budget import PaymentFrequency, Settings
from finsam_xl.model.findings import Element, Ref
from finsam_xl.model.recon import BooksKind, ForecastMethod, Payment, PaymentMethod, PhasingMethod

ok = Ref(element=Element.COST, index=0)
a = Element.LINEE
b = Ref(element="linee")
c = Payment(day=date(2025, 1, 1), amount=Decimal(1), source="", method="kontnat")
d = Settings(payment_frequency="manadsvis")
e = Column(year=2025, kind="budgetår", label="Budget 2025")
f = PaymentMethod.KONTNAT
g = BooksKind.KONTANT
h = ForecastMethod.LINEAR
i = PhasingMethod.JAMNT
j = PaymentFrequency.MONTH
"""

#: line of the snippet -> what mypy must say there
EXPECTED = {
    10: '"type[Element]" has no attribute "LINEE"',
    11: 'Argument "element" to "Ref" has incompatible type "str"; expected "Element"',
    12: 'Argument "method" to "Payment" has incompatible type "str"; expected "PaymentMethod"',
    13: 'Argument "payment_frequency" to "Settings" has incompatible type "str"; '
    'expected "PaymentFrequency"',
    14: 'Argument "kind" to "Column" has incompatible type "str"; expected "ColumnKind"',
    15: '"type[PaymentMethod]" has no attribute "KONTNAT"',
    16: '"type[BooksKind]" has no attribute "KONTANT"',
    17: '"type[ForecastMethod]" has no attribute "LINEAR"',
    18: '"type[PhasingMethod]" has no attribute "JAMNT"',
    19: '"type[PaymentFrequency]" has no attribute "MONTH"',
}


@pytest.mark.slow
def test_mypy_catches_a_misspelt_code(tmp_path: Path) -> None:
    """One mypy run (the project's configuration) over a snippet of typos.

    With the project's own cache (.mypy_cache, which .ci/run's mypy has just filled and a
    developer's mypy keeps), the package is not analysed again: 0.4 s instead of 4 s. mypy
    checks each cached module against its source, so the cache cannot hide a change."""
    pytest.importorskip("mypy")
    snippet = tmp_path / "typos.py"
    snippet.write_text(SNIPPET, encoding="utf-8")
    # In a process of its own: mypy raises the interpreter's recursion limit for good.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            "--no-error-summary",
            "--hide-error-context",
            str(snippet),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out, err, status = done.stdout, done.stderr, done.returncode
    assert status == 1, out + err
    errors: dict[int, list[str]] = {}
    for line in out.splitlines():
        _, number, _, message = line.split(":", 3)
        errors.setdefault(int(number), []).append(message.strip())
    assert set(errors) == set(EXPECTED), out  # line 9, spelt right, is clean
    for number, message in EXPECTED.items():
        assert any(message in m for m in errors[number]), (number, errors[number])


# --- no bare code compared to an enum field -------------------------------------------------
#: Field (or variable) names that hold one of these codes, and the codes that would be bare.
_ENUMS: dict[str, tuple[type[StrEnum], ...]] = {
    "element": (Element,),
    "method": (PaymentMethod,),
    "books_kind": (BooksKind,),
    "forecast_method": (ForecastMethod,),
    "phasing_method": (PhasingMethod,),
    "payment_frequency": (PaymentFrequency,),
    "frequency": (PaymentFrequency,),
    "status": (ColumnKind,),
    "kind": (ColumnKind, BooksKind),
}
_CODES = {name: {m.value for e in enums for m in e} for name, enums in _ENUMS.items()}


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a dict key
        return node.value
    return None


def _strings(node: ast.AST) -> list[str]:
    """The string literals ``node`` is or holds (a tuple, set or list of them, an if-else)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [s for e in node.elts for s in _strings(e)]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _bare(name: str | None, value: ast.AST) -> list[str]:
    if name not in _CODES:
        return []
    return [s for s in _strings(value) if s in _CODES[name]]


def _bare_codes(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        pairs: list[tuple[ast.AST, ast.AST]] = []
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            pairs = [(a, b) for a in sides for b in sides if a is not b]
        elif isinstance(node, ast.Call):
            pairs = [(ast.Name(id=k.arg), k.value) for k in node.keywords if k.arg]
        elif isinstance(node, ast.Dict):
            pairs = [(k, v) for k, v in zip(node.keys, node.values, strict=True) if k]
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            pairs = [(t, node.value) for t in targets if node.value is not None]
        for holder, value in pairs:
            found += [(node.lineno, s) for s in _bare(_name(holder), value)]
    return sorted(found)


def test_no_bare_codes_in_the_package() -> None:
    """No string literal of a code is compared to, passed as or stored in an enum field."""
    problems = []
    for path in package_files():
        tree = tree_of(path)
        problems += [
            f"{path.relative_to(PACKAGE.parent)}:{line}: {code!r}"
            for line, code in _bare_codes(tree)
        ]
    assert not problems, "use the enum member:\n" + "\n".join(problems)


def test_the_bare_code_check_finds_one() -> None:
    source = (
        'if p.method == "kontant": pass\n'
        'x = Ref(element="cost")\n'
        'ok = row.kind == "TRANS"\n'
        'if books.kind in ("periodiserad", "blandad"): pass\n'
        'y = {"payment_frequency": "kvartal"}\n'
        'status = "utfall" if a else "plan"\n'
    )
    assert _bare_codes(ast.parse(source)) == [
        (1, "kontant"),
        (2, "cost"),
        (4, "blandad"),
        (4, "periodiserad"),
        (5, "kvartal"),
        (6, "plan"),
        (6, "utfall"),
    ]
