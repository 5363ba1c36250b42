"""The interchange format: YAML/JSON round trips, the shipped schema, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from support import EXAMPLE_NAMES, EXAMPLES

from finsam_xl.model.interchange import (
    _SAFE_LOADER,
    SCHEMA_FILE,
    InterchangeError,
    dumps,
    json_schema,
    load,
    loads,
)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_round_trip_is_identity(name: str, fmt: str) -> None:
    budget = load(EXAMPLES / f"{name}.yaml")
    again = loads(dumps(budget, fmt), f"x.{fmt}")
    assert again == budget
    assert dumps(again, fmt) == dumps(budget, fmt)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_bundled_files_are_in_canonical_form(name: str) -> None:
    path = EXAMPLES / f"{name}.yaml"
    assert dumps(load(path)) == path.read_text(encoding="utf-8")


def _normalised(schema: object) -> object:
    """Drop what differs between pydantic releases, not between models: Decimal's pattern."""
    if isinstance(schema, dict):
        return {
            k: _normalised(v)
            for k, v in schema.items()
            if not (k == "pattern" and str(v).startswith("^(?!^[-+.]*$)"))
        }
    if isinstance(schema, list):
        return [_normalised(v) for v in schema]
    return schema


def test_shipped_schema_is_generated_from_the_model() -> None:
    shipped = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert _normalised(shipped) == _normalised(json_schema())


def test_examples_validate_against_the_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema()
    for name in EXAMPLE_NAMES:
        data = json.loads(dumps(load(EXAMPLES / f"{name}.yaml"), "json"))
        jsonschema.validate(data, schema)


def test_unknown_field_and_bad_years_are_named(tmp_path: Path) -> None:
    text = (EXAMPLES / "fryksdalen-2022.yaml").read_text(encoding="utf-8")
    with pytest.raises(InterchangeError) as err:
        loads(text.replace("forbund:", "forbundd:"), "b.yaml")
    assert "forbundd" in str(err.value) and "b.yaml" in str(err.value)
    with pytest.raises(InterchangeError) as err:
        loads(text.replace("- 2024", "- 2025"), "b.yaml")
    assert "planåren" in str(err.value)
    with pytest.raises(InterchangeError) as err:
        loads("forbund: [", "c.yaml")
    assert "c.yaml:" in str(err.value) and "YAML" in str(err.value)
    with pytest.raises(InterchangeError) as err:
        loads(text.replace("2022: 752500", "2022: mycket"), "d.yaml")
    assert "mycket" in str(err.value)
    with pytest.raises(InterchangeError) as err:
        loads("forbund: x\nyears: [2025\nfoo: : :\n", "e.yaml")
    assert str(err.value).startswith("e.yaml:3: filen är inte giltig YAML/JSON")


def test_the_c_loader_reads_the_examples_as_the_python_loader_does() -> None:
    """interchange reads with libyaml's CSafeLoader where PyYAML has it: the same data."""
    for name in EXAMPLE_NAMES:
        text = (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")
        assert yaml.load(text, Loader=_SAFE_LOADER) == yaml.safe_load(text)  # noqa: S506
    assert _SAFE_LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def test_decimal_amounts_survive_without_float_noise() -> None:
    text = (EXAMPLES / "fryksdalen-2022.yaml").read_text(encoding="utf-8")
    budget = loads(text.replace("2022: 752500", "2022: 752500.1", 1), "x.yaml")
    assert str(budget.members[0].amounts[2022]) == "752500.1"
    assert "752500.1" in dumps(budget, "json")
