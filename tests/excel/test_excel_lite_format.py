"""The Lite part as xlwings Lite itself writes it, compared with workbooks Lite saved.

tests/data/lite/lite-saved-parts.json transcribes the structure of the part in six
workbooks saved by xlwings Lite (source, commit and what was left out are in the
file; docs/dev/lite-part.md says where each value comes from). The part that
`finsam-xl ny` writes must match them property by property, apart from the code.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from support import ROOT
from typer.testing import CliRunner

import finsam_xl
from finsam_xl.cli import app
from finsam_xl.parts import lite_part
from finsam_xl.parts.lite_part import (
    LITE_ADDIN_VERSION,
    LITE_ORDER,
    LITE_PYODIDE_VERSION,
    embed,
    extract,
)

SAMPLES: dict[str, Any] = json.loads(
    (ROOT / "tests" / "data" / "lite" / "lite-saved-parts.json").read_text(encoding="utf-8")
)
NS_WE = "{http://schemas.microsoft.com/office/webextensions/webextension/2010/11}"
PART = "xl/webextensions/webextension1.xml"
PROPERTY = re.compile(r'<we:property name="([^"]*)" value="([^"]*)"/>')


def office_encoding(value: object) -> str:
    """How Office stores a setting (checked against the six samples when transcribed)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lite-format") / "Budget.xlsx"
    done = CliRunner().invoke(app, ["ny", "-o", str(path)])
    assert done.exit_code == 0, done.output
    return path


def raw_properties(path: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(path) as archive:
        return PROPERTY.findall(archive.read(PART).decode("utf-8"))


def newest_sample() -> dict[str, Any]:
    """The Lite-saved part of the newest Lite version among the samples, with requirements."""
    full = [
        s
        for s in SAMPLES["samples"]
        if any(p["name"] == "requirements.txt" for p in s["properties"])
    ]
    return max(full, key=lambda s: [int(n) for n in re.findall(r"\d+", _value(s, "addinVersion"))])


def _value(sample: dict[str, Any], name: str) -> Any:
    return next(p for p in sample["properties"] if p["name"] == name).get("value")


def test_properties_are_lites_in_lites_order(written: Path) -> None:
    sample = newest_sample()
    names = [name for name, _ in raw_properties(written)]
    lite_names = [p["name"] for p in sample["properties"]]
    assert names == [*lite_names, *SAMPLES["reported_newer"]["new_properties"]]
    assert tuple(names) == LITE_ORDER
    for other in SAMPLES["samples"]:  # every sample has Lite's properties in this order
        seen = [p["name"] for p in other["properties"]]
        assert seen == [n for n in lite_names if n in seen], other["file"]


def test_values_of_lites_own_properties(written: Path) -> None:
    props = extract(written)
    seen_pyodide = {_value(s, "pyodideVersion") for s in SAMPLES["samples"]}
    assert props["pyodideVersion"] == LITE_PYODIDE_VERSION
    assert LITE_PYODIDE_VERSION in seen_pyodide | {SAMPLES["reported_newer"]["pyodideVersion"]}
    assert props["addinVersion"] == LITE_ADDIN_VERSION == SAMPLES["reported_newer"]["addinVersion"]
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+-\d+", _value(newest_sample(), "addinVersion"))
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", props["xlwingsWorkbookId"]
    )
    assert (
        json.loads(props["xlwingsSettingsWorkbook"])
        == SAMPLES["reported_newer"]["xlwingsSettingsWorkbook"]
    )


def test_requirements_start_with_lites_required_lines(written: Path) -> None:
    ours = extract(written)["requirements.txt"].splitlines()
    for sample in [*SAMPLES["samples"], SAMPLES["reported_newer"]]:
        lines = sample.get("required_lines") or next(
            (p["required_lines"] for p in sample.get("properties", ()) if "required_lines" in p),
            None,
        )
        if lines is None:
            continue  # one sample has no requirements.txt at all
        names = [lite_part._requirement_name(line) for line in lines]
        assert [lite_part._requirement_name(line) for line in ours[:4]] == names
        assert all(line.endswith("  # required") for line in ours[:4])
    assert [lite_part._requirement_name(line) for line in ours[4:]] == ["pydantic", "pyyaml"]


def test_encoding_is_offices(written: Path) -> None:
    """JSON with raw non-ASCII, '/' escaped, XML entities: byte for byte Office's form."""
    raw = dict(raw_properties(written))
    for name, text in raw.items():
        value = json.loads(html.unescape(text))
        assert office_encoding(value) == text, name
    main = raw["main.py"]
    assert "för" in main and "\\u00" not in main  # raw non-ASCII, as in every sample
    assert re.search(r"(?<!\\)/", main) is None  # every '/' escaped, as in every sample
    for sample in SAMPLES["samples"]:
        code = sample["properties"][0]
        assert code["name"] == "main.py"
        assert code["raw_slashes"] == 0 and code["unicode_escapes"] == 0
        assert code["escaped_slashes"] > 0 and code["raw_non_ascii"] > 0


def test_part_skeleton_and_task_pane_as_lite_writes_them(written: Path) -> None:
    from defusedxml import ElementTree as SafeET

    sample = newest_sample()
    with zipfile.ZipFile(written) as archive:
        root = SafeET.fromstring(archive.read(PART))
        pane = SafeET.fromstring(archive.read("xl/webextensions/taskpanes.xml"))
    children = [child.tag.removeprefix(NS_WE) for child in root]
    assert children == sample["webextension_children"]
    reference = root.find(f"{NS_WE}reference")
    assert reference is not None
    assert {k: reference.get(k) for k in ("id", "version", "storeType")} == sample["reference"]
    alternate = root.find(f"{NS_WE}alternateReferences/{NS_WE}reference")
    assert alternate is not None
    expected = dict(sample["alternate_reference"])
    assert alternate.get("id", "").lower() == expected.pop("id").lower()
    assert {k: alternate.get(k) for k in expected} == expected
    attributes = dict(next(iter(pane)).attrib)
    assert {k: attributes[k] for k in ("dockstate", "visibility", "width")} == {
        k: sample["taskpane"][k] for k in ("dockstate", "visibility", "width")
    }


def test_workbook_ids_differ_between_workbooks_and_repeat_for_the_same_content(
    written: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.xlsx"
    example = ROOT / "finsam_xl" / "examples" / "fryksdalen-2022.yaml"
    assert CliRunner().invoke(app, ["ny", "--fran", str(example), "-o", str(other)]).exit_code == 0
    assert extract(written)["xlwingsWorkbookId"] != extract(other)["xlwingsWorkbookId"]
    with zipfile.ZipFile(other) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    assert lite_part.lite_settings(parts) == lite_part.lite_settings(dict(parts))


def test_update_keeps_what_lite_wrote_and_adds_what_is_missing(
    written: Path, tmp_path: Path
) -> None:
    """A workbook Lite saved keeps Lite's values; properties it lacks go where Lite puts them."""
    path = tmp_path / "saved-by-lite.xlsx"
    shutil.copy(written, path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    text = parts[PART].decode()
    for name in ("xlwingsWorkbookId", "addinVersion"):  # as an older Lite wrote it
        text = re.sub(rf'<we:property name="{name}" value="[^"]*"/>', "", text)
    text = text.replace('value="&quot;0.27.5&quot;"', 'value="&quot;314.0.2&quot;"')
    text = text.replace("pydantic\\nPyYAML\\n", "pydantic\\nPyYAML\\nnumpy\\n")
    text = text.replace(f"version={finsam_xl.__version__}", "version=0.0.1", 1)  # older finsam_xl
    parts[PART] = text.encode()
    with zipfile.ZipFile(path, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)
    outcome = embed(path)
    assert outcome.changed
    props = extract(path)
    assert list(props) == list(LITE_ORDER)
    assert props["pyodideVersion"] == "314.0.2"  # Lite's own value is kept
    assert props["addinVersion"] == LITE_ADDIN_VERSION
    assert props["requirements.txt"].endswith("PyYAML\nnumpy\n")


def test_compare_names_what_lite_changed_when_it_saved(written: Path, tmp_path: Path) -> None:
    """The acceptance check's before/after comparison (docs/excel-acceptance.md)."""
    assert all(line.endswith("oförändrad") for line in lite_part.compare(written, written))
    saved = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(written) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    text = parts[PART].decode().replace("&quot;0.27.5&quot;", "&quot;314.0.2&quot;")
    text = text.replace(
        "</we:properties>",
        '<we:property name="requirements-pinned.txt" '
        'value="&quot;pydantic==2.12.5\\n&quot;"/></we:properties>',
    )
    parts[PART] = text.encode()
    panes = "xl/webextensions/taskpanes.xml"
    parts[panes] = parts[panes].replace(b'visibility="0"', b'visibility="1"')
    with zipfile.ZipFile(saved, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)
    lines = lite_part.compare(written, saved)
    assert "main.py: oförändrad" in lines
    assert "pyodideVersion: 0.27.5 -> 314.0.2" in lines
    assert "requirements-pinned.txt: ny (pydantic==2.12.5\n)" in lines
    assert "uppgiftsfönster visibility: 0 -> 1" in lines
