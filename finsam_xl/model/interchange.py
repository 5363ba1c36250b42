"""The interchange format: a Budget as YAML or JSON, validated by the model.

The format is versioned (``format: finsam_xl/budget``, ``version: 1``); the
JSON Schema generated from the model ships in ``finsam_xl/schema/``. Amounts
are kronor as plain numbers. Loading never guesses: an unknown field, a wrong
type or an inconsistent year list is an ``InterchangeError`` whose message
names the field.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from finsam_xl.errors import FinsamError
from finsam_xl.model.budget import Budget

SCHEMA_FILE = Path(__file__).parent.parent / "schema" / "budget.schema.json"


class InterchangeError(FinsamError, ValueError):
    """A budget file that cannot be read; the message is Swedish and names the place."""


def swedish(item: Any) -> str:
    """A pydantic validation error item as a Swedish sentence (falls back to pydantic's text)."""
    kind = item.get("type", "")
    ctx = {k: str(v).replace(" or ", " eller ") for k, v in (item.get("ctx") or {}).items()}
    given = item.get("input")
    shown = f" (angivet: {given!r})" if isinstance(given, str | int | float) else ""
    messages = {
        "missing": "fältet saknas",
        "extra_forbidden": "okänt fält; kontrollera stavningen",
        "literal_error": f"ska vara {ctx.get('expected', '')}{shown}",
        "enum": f"ska vara {ctx.get('expected', '')}{shown}",
        "decimal_parsing": f"är inte ett tal{shown}",
        "decimal_type": f"är inte ett tal{shown}",
        "int_parsing": f"är inte ett heltal{shown}",
        "int_type": f"är inte ett heltal{shown}",
        "date_from_datetime_parsing": f"är inget datum (ÅÅÅÅ-MM-DD){shown}",
        "date_parsing": f"är inget datum (ÅÅÅÅ-MM-DD){shown}",
        "date_type": f"är inget datum (ÅÅÅÅ-MM-DD){shown}",
        "string_type": f"ska vara text{shown}",
        "bool_parsing": f"ska vara true eller false{shown}",
        "list_type": "ska vara en lista",
        "dict_type": "ska vara ett objekt (nycklar och värden)",
        "model_type": "ska vara ett objekt (nycklar och värden)",
        "string_too_short": "får inte vara tomt",
        "string_pattern_mismatch": f"har fel form{shown}",
        "greater_than_equal": f"ska vara minst {ctx.get('ge', '')}{shown}",
        "less_than_equal": f"ska vara högst {ctx.get('le', '')}{shown}",
    }
    if kind == "value_error":
        return str(ctx.get("error", item.get("msg", "")))
    return messages.get(kind, str(item.get("msg", "")))


def _describe(error: ValidationError, source: str) -> str:
    lines = [f"{source}: budgetfilen följer inte formatet finsam_xl/budget version 1:"]
    for item in error.errors()[:20]:
        path = ".".join(str(p) for p in item["loc"]) or "(roten)"
        lines.append(f"  {path}: {swedish(item)}")
    return "\n".join(lines)


def budget_from_data(data: Any, source: str = "budget") -> Budget:
    """Validate already-parsed data (a dict) into a Budget."""
    if not isinstance(data, dict):
        raise InterchangeError(f"{source}: förväntade ett objekt med fälten forbund, years, ...")
    try:
        return Budget.model_validate(data)
    except ValidationError as error:
        raise InterchangeError(_describe(error, source)) from None


#: PyYAML's safe loader in C (libyaml, in PyYAML's wheels) where it is built: the same
#: documents, about ten times faster than the pure-Python ``SafeLoader``.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def loads(text: str, source: str = "budget.yaml") -> Budget:
    """Parse YAML or JSON text (JSON is YAML) into a Budget."""
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise InterchangeError(f"{where}: filen är inte giltig YAML/JSON ({error})") from None
    return budget_from_data(data, source)


def load(path: str | Path) -> Budget:
    """Read a budget from a .yaml/.yml/.json file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InterchangeError(f"{path}: kan inte läsa filen ({error})") from None
    return loads(text, str(path))


def to_data(budget: Budget) -> dict[str, Any]:
    """The budget as plain JSON-compatible data (defaults left out, format and version kept)."""
    data = budget.model_dump(mode="json", exclude_defaults=True)
    return {"format": budget.format, "version": budget.version, **data}


#: Integers below this many digits are their own plain text (Decimal's 28-digit precision).
_PLAIN_INT = 10**27


def _canonical(value: Any) -> Any:
    """Plain data whose JSON does not depend on how a value was read (10 == 10.0 == 1E+1).

    The types ``model_dump`` gives most (text, Decimal, dict, list, int) are told by their
    exact type, which is what makes the digest of a 2,000-line budget cheap; anything else
    (subclasses, enums, dates, floats) goes through ``_canonical_other``.
    """
    return _Canonical().of(value)


class _Canonical:
    """One ``_canonical`` walk: each distinct number's and year key's text is made once."""

    __slots__ = ("texts", "years")

    def __init__(self) -> None:
        self.texts: dict[Decimal, str] = {}  # Decimals only: equal ones have one text
        self.years: dict[int, str] = {}  # int keys only (True == 1 is no year)

    def number(self, number: Decimal) -> str:
        """``_number_text``; equal numbers (10, 10.0, 1E+1) have the same text."""
        text = self.texts.get(number)
        if text is None:
            text = self.texts[number] = _number_text(number)
        return text

    def line_value(self, value: Any) -> str:
        """What ``of`` makes of a line's Decimal (its number text) or date (its ISO text):
        ``json.dumps``'s ``default`` in ``canonical_json``."""
        if type(value) is Decimal:
            text = self.texts.get(value)
            if text is None:
                text = self.texts[value] = _number_text(value)
            return text
        if isinstance(value, date):
            return value.isoformat()
        raise TypeError(f"{type(value).__name__} in a budget line")

    def of(self, value: Any) -> Any:
        """The canonical form of ``value``."""
        kind = type(value)
        if kind is str or value is None or kind is bool:
            return value
        if kind is Decimal:
            return self.number(value)
        if kind is dict:
            out = {}
            texts, years = self.texts, self.years
            for k, v in value.items():
                plain = type(v)
                if plain is Decimal:  # self.number(v), inline: amounts are most values
                    text = texts.get(v)
                    if text is None:
                        text = texts[v] = _number_text(v)
                    v = text
                elif plain is int and -_PLAIN_INT < v < _PLAIN_INT:
                    v = str(v)  # what the Decimal normalised to plain text gives, without it
                elif plain is str or v is None or plain is bool:
                    pass
                elif plain is dict or plain is list or not isinstance(v, str):
                    v = self.of(v)  # a str subclass (an enum of text) is its own form
                if type(k) is int:  # a year
                    key = years.get(k)
                    if key is None:
                        key = years[k] = _key_text(k)
                    k = key
                elif type(k) is not str:
                    k = _key_text(k)
                out[k] = v
            return out
        if kind is list:
            return [self.of(v) for v in value]
        return _canonical_other(value)


def _key_text(key: Any) -> str:
    """A dict key as text: a year 2025 as '2025' (``_canonical``'s number text)."""
    if type(key) is int and -_PLAIN_INT < key < _PLAIN_INT:
        return str(key)
    return str(_canonical(key))


def _number_text(number: Decimal) -> str:
    """A number as its shortest plain text: Decimal('1E+1'), 10.0 and 10 all give '10'."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _canonical_other(value: Any) -> Any:
    """``_canonical`` of the values that are not of a common exact type."""
    if isinstance(value, dict):
        return {str(_canonical(k)): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Enum):
        return _canonical(value.value)
    if isinstance(value, (int, float, Decimal)):
        return _number_text(Decimal(str(value)) if isinstance(value, float) else Decimal(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def digest(budget: Budget) -> str:
    """A short fingerprint of the budget's inputs: the same budget, read from any view, gives
    the same text. The writer stores it with the computed sheets; ``check`` compares it."""
    text = canonical_json(budget.model_dump(mode="python"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _dumps(data: Any) -> str:
    """The JSON text the digest is made of (ASCII, keys sorted, no spaces)."""
    return json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))


#: The budget's lists of lines: most of a large budget, and of one shape (``_plain_lines``).
_LINE_LISTS = ("costs", "income")


def canonical_json(data: dict[str, Any]) -> str:
    """``_dumps(_canonical(data))`` for a budget's ``model_dump``, made faster for its lines.

    The cost and income lines (``CostLine``, ``IncomeLine``, ``Insats``: text, text enums,
    None, booleans, Decimals, dates, lists and dicts of them, years as keys) are written
    by ``json.dumps``'s own encoder, a Decimal as its ``_number_text`` and a date as its
    ISO text (``_Canonical.line_value``), which is the text ``_canonical`` gives them: the years,
    sorted as numbers there and as text here, are all four-digit (else the general way).
    The rest of the budget goes the general way, with a marker where the lines go.
    tests/test_digest.py checks the text against the general way's.
    """
    lines = {key: data[key] for key in _LINE_LISTS if type(data.get(key)) is list}
    if not lines or not _plain_lines(lines.values()):
        return _dumps(_canonical(data))
    marker = f"lines {uuid.uuid4().hex}"
    text = _dumps(_canonical({**data, **{key: f"{marker} {key}" for key in lines}}))
    memo = _Canonical()
    for key, items in lines.items():
        place = _dumps(f"{marker} {key}")
        if text.count(place) != 1:  # the marker in the budget's own text: the general way
            return _dumps(_canonical(data))
        try:
            part = json.dumps(
                items,
                ensure_ascii=True,
                sort_keys=True,
                separators=(",", ":"),
                default=memo.line_value,
            )
        except TypeError:  # a value of a kind the lines do not have: the general way
            return _dumps(_canonical(data))
        text = text.replace(place, part)
    return text


def _plain_lines(lists: Iterable[list[Any]]) -> bool:
    """True when every line is a dict and every year of its amounts a four-digit int."""
    years: set[Any] = set()
    for items in lists:
        for line in items:
            if type(line) is not dict or type(line.get("amounts")) is not dict:
                return False
            years.update(line["amounts"])
    return all(type(y) is int and 1000 <= y <= 9999 for y in years)


def dumps(budget: Budget, fmt: str = "yaml") -> str:
    """Serialise to YAML (default) or JSON text."""
    data = to_data(budget)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(_year_keys(data), allow_unicode=True, sort_keys=False, width=100)


def _year_keys(value: Any) -> Any:
    """Turn JSON's string year keys back into YAML integers: {'2025': 1} -> {2025: 1}."""
    if isinstance(value, dict):
        return {
            (int(k) if isinstance(k, str) and k.isdigit() else k): _year_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_year_keys(v) for v in value]
    return value


def dump(budget: Budget, path: str | Path) -> None:
    """Write to a file; JSON when the name ends in .json, else YAML."""
    path = Path(path)
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    path.write_text(dumps(budget, fmt), encoding="utf-8")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the interchange format, generated from the model."""
    schema = Budget.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://finsam-xl.example/schema/budget-1.json"
    schema["title"] = "finsam_xl budget, version 1"
    return schema
