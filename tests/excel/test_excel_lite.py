"""The xlwings Lite scripts: found the way Lite finds scripts, callable as Lite calls them.

What Lite does (docs/dev/xlwings-lite-and-remote.md, A2/A3): it imports the
workbook's main.py and lists the functions decorated with ``@script`` whose
``xw.Book``-typed argument it fills with the workbook. Outside Lite the
decorator is a no-op, so the test replaces it by a recorder to see what it
would be given, and runs the scripts on the stand-in.
"""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
import typing
from collections.abc import Iterator
from importlib.metadata import requires
from pathlib import Path
from typing import Any

import pytest
import xlwings as xw
from excel_support import COMPUTED, WHEN
from fakexl_support import FakeBook
from payload_support import payload_bytes

import finsam_xl.excel.lite as lite

MAIN_PY = "from finsam_xl.excel.lite import *  # noqa: F403\n"
HEAVY = ("openpyxl", "xlsxwriter", "typer", "rich")


def scripts_in(namespace: dict[str, Any]) -> dict[str, Any]:
    """Functions with a parameter typed xw.Book: what a script scan of main.py finds."""
    found = {}
    for name, value in namespace.items():
        if inspect.isfunction(value) and not name.startswith("_"):
            hints = typing.get_type_hints(value)
            if any(hint is xw.Book for key, hint in hints.items() if key != "return"):
                found[name] = value
    return found


def test_main_py_one_line_exposes_exactly_the_three_scripts() -> None:
    namespace: dict[str, Any] = {}
    exec(compile(MAIN_PY, "main.py", "exec"), namespace)
    assert set(scripts_in(namespace)) == {
        "finsam_berakna",
        "finsam_kontrollera",
        "finsam_sjalvtest",
    }


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[dict[str, Any], Any]]]:
    """Re-import lite.py with xlwings.script replaced by a recorder (the real one is Lite's)."""
    calls: list[tuple[dict[str, Any], Any]] = []

    def script(f: Any = None, **options: Any) -> Any:
        def inner(fn: Any) -> Any:
            calls.append((options, fn))
            return fn

        return inner if f is None else inner(f)

    monkeypatch.setattr(xw, "script", script)
    importlib.reload(lite)
    yield calls
    monkeypatch.undo()
    importlib.reload(lite)


def test_scripts_are_registered_with_their_swedish_names(
    recorded: list[tuple[dict[str, Any], Any]],
) -> None:
    assert [(options, fn.__name__) for options, fn in recorded] == [
        ({"name": "Beräkna"}, "finsam_berakna"),
        ({"name": "Kontrollera"}, "finsam_kontrollera"),
        ({"name": "Självtest"}, "finsam_sjalvtest"),
    ]


@pytest.mark.parametrize("name", ["finsam_berakna", "finsam_kontrollera", "finsam_sjalvtest"])
def test_script_signature_is_what_lite_calls(name: str) -> None:
    fn = getattr(lite, name)
    params = list(inspect.signature(fn).parameters.values())
    assert len(params) == 1
    assert params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert params[0].annotation is xw.Book  # a real object, not a string annotation
    assert fn.__doc__ and fn.__doc__.startswith("# ")  # rendered as Markdown in Lite


def test_scripts_run_on_the_stand_in(edited_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = FakeBook.from_xlsx(edited_book, com=False, protect=False)
    lite.finsam_kontrollera(book)  # type: ignore[arg-type]
    assert "Kontroll klar: 1 fel" in capsys.readouterr().out
    lite.finsam_berakna(book)  # type: ignore[arg-type]
    assert "Beräknat: 1 fel, 0 varningar, 2 info." in capsys.readouterr().out
    assert book.app.alerts == []  # Lite: status in the workbook and print(), no message box
    assert book.sheets["Plan"].cells[(2, 1)].startswith("Beräknad ")
    for sheet in COMPUTED:
        assert book.sheets[sheet].cells


BLOCKER = """
import sys
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in BLOCKED:
            raise ImportError('blocked for the Lite path: ' + name)
        return None
sys.meta_path.insert(0, Blocker())
"""


def _run_lite_path(tmp_path: Path, body: bytes, blocked: tuple[str, ...]) -> dict[str, Any]:
    """In a fresh interpreter with ``blocked`` unimportable: import lite, press on a payload."""
    payload = tmp_path / "payload.json"
    payload.write_bytes(body)
    code = (
        f"BLOCKED = {blocked!r}\n"
        + BLOCKER
        + f"""
import json
from finsam_xl.excel.lite import finsam_berakna
from finsam_xl.excel.remote import Payload, RemoteBook
book = RemoteBook(Payload.model_validate_json(open({str(payload)!r}, 'rb').read()))
finsam_berakna(book)
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & {{'openpyxl', 'xlsxwriter', 'typer',
                 'rich', 'defusedxml'}})
print(json.dumps({{'actions': len(book.actions), 'heavy': heavy}}))
"""
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_lite_path_runs_without_openpyxl_xlsxwriter_typer_rich(
    edited_book: Path, tmp_path: Path
) -> None:
    result = _run_lite_path(tmp_path, payload_bytes(edited_book), HEAVY)
    assert result["actions"] > 10
    assert not set(result["heavy"]) & set(HEAVY)


def test_lite_path_runs_without_defusedxml(edited_book: Path, tmp_path: Path) -> None:
    result = _run_lite_path(tmp_path, payload_bytes(edited_book), (*HEAVY, "defusedxml"))
    assert result["heavy"] == []


def test_core_dependencies_leave_out_the_desktop_libraries() -> None:
    """What a requirements.txt line 'finsam_xl' installs in Pyodide (no extras)."""
    base = [r for r in requires("finsam_xl") or [] if "extra ==" not in r]
    names = {
        r.split(";")[0].split("[")[0].split("<")[0].split(">")[0].split("=")[0].strip().lower()
        for r in base
    }
    assert names == {"pydantic", "pyyaml"}


def test_press_time_is_fixed_by_when_in_lite_path(edited_book: Path) -> None:
    from finsam_xl.excel.xlbook import press

    book = FakeBook.from_xlsx(edited_book, com=False, protect=False)
    press(book, "recalc", when=WHEN, alert=False)
    assert book.sheets["Plan"].cells[(2, 1)].startswith("Beräknad 2025-03-14 09:26")
