"""The embedded main.py in real Pyodide under Node: Beräkna on the three examples equals recalc.

This is the closest the tests come to xlwings Lite without Excel: the main.py
taken out of each workbook's web-extension part runs in Pyodide (WebAssembly
CPython, the runtime Lite uses) with the wasm/pure wheels from the package index
and xlwings' own pure-Python wheel (what Lite installs from requirements.txt).
The scripts are found the way Lite finds them (functions with an ``xw.Book``
parameter) and called with the project's stand-in of Lite's ``Book``
(fakexl_support.FakeBook, pickled from CPython), not xlwings' commercial engine.
Pyodide is loaded once for all three examples. Without Node the test is skipped
and says why; the versions it ran with are asserted and shown in the report
header (conftest.py) and docs/excel-acceptance.md.
"""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from excel_support import COMPUTED, WHEN, differences, edit_inputs, file_cells
from fakexl_support import FakeBook
from pyodide_support import (
    PYODIDE,
    RUNNER,
    WHEELS,
    NotAvailable,
    copy_pure_yaml,
    node,
    prepare,
    wheel_files,
)
from support import EXAMPLES

from finsam_xl import jobs
from finsam_xl.model.interchange import load
from finsam_xl.parts.lite_part import embed, extract

HERE = Path(__file__).resolve().parent
NAMES = ("sodra-dalarna-2025", "fryksdalen-2022", "sodra-lappland-2024")

DRIVER = """
import inspect, json, pickle, sys, typing
sys.path.insert(0, '/work/site')
sys.path.insert(0, '/work/lite')
import main                      # what Lite does with the workbook's main.py
import xlwings as xw
scripts = {name: fn for name, fn in vars(main).items() if inspect.isfunction(fn)
           and any(h is xw.Book for k, h in typing.get_type_hints(fn).items() if k != 'return')}
sys.path.insert(0, '/work/tests')
import finsam_xl, pydantic, pydantic_core, pyodide, yaml
out = {'scripts': sorted(scripts), 'finsam_xl': finsam_xl.__file__, 'books': {},
       'versions': {'pyodide': pyodide.__version__, 'python': sys.version.split()[0],
                    'pydantic': pydantic.VERSION, 'pydantic_core': pydantic_core.__version__,
                    'xlwings': xw.__version__, 'PyYAML': yaml.__version__},
       'platform': sys.platform}
for name in NAMES:
    with open(f'/work/{name}.pickle', 'rb') as handle:
        book = pickle.load(handle)
    scripts['finsam_berakna'](book)
    out['books'][name] = {s.name: s.cells for s in book.sheet_list}
with open(f'/work/{NAMES[0]}.pickle', 'rb') as handle:
    book = pickle.load(handle)
scripts['finsam_sjalvtest'](book)
out['selftest'] = [v for s in book.sheet_list for v in s.cells.values()
                   if isinstance(v, str) and v.startswith('Självtest')]
with open('/work/out.pickle', 'wb') as handle:
    pickle.dump(out, handle)
"""


@pytest.fixture(scope="module")
def pyodide_cache() -> Path:
    try:
        node()
        return prepare()
    except NotAvailable as error:
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def ran(pyodide_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Each example's workbook, its main.py run once in Pyodide; the results and references."""
    work = tmp_path_factory.mktemp("pyodide")
    refs: dict[str, Path] = {}
    main = None
    for name in NAMES:
        workbook = work / f"{name}.xlsx"
        jobs.new(load(EXAMPLES / f"{name}.yaml"), workbook, when=WHEN)
        if name == "sodra-dalarna-2025":  # inputs edited: the press must change values
            edit_inputs(workbook, workbook)
        embed(workbook)  # what `finsam-xl ny` adds to an .xlsx
        code = extract(workbook)["main.py"]
        assert main in (None, code)  # the same finsam_xl code in every workbook
        main = code
        book = FakeBook.from_xlsx(workbook, com=False, protect=False)
        (work / f"{name}.pickle").write_bytes(pickle.dumps(book))
        refs[name] = work / f"{name}-recalc.xlsx"
        shutil.copy(workbook, work / f"{name}-source.xlsx")
        jobs.recalc(work / f"{name}-source.xlsx", refs[name], when=WHEN)
    assert main is not None
    (work / "lite").mkdir()
    (work / "lite" / "main.py").write_text(main, encoding="utf-8")
    shutil.copytree(HERE, work / "tests", ignore=shutil.ignore_patterns("__pycache__", "*.mjs"))
    (work / "site").mkdir()
    yaml_version = copy_pure_yaml(work / "site")
    script = work / "driver.py"
    script.write_text(f"NAMES = {NAMES!r}\n" + DRIVER, encoding="utf-8")
    job = {
        "pyodide": str(pyodide_cache / "node_modules" / "pyodide"),
        "wheels": [str(p) for p in wheel_files(pyodide_cache)],
        "work": str(work),
        "script": str(script),
    }
    (work / "job.json").write_text(json.dumps(job), encoding="utf-8")
    done = subprocess.run(
        [node(), str(RUNNER), str(work / "job.json")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=work,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    result: dict[str, Any] = pickle.loads((work / "out.pickle").read_bytes())
    result["refs"], result["stdout"], result["yaml"] = refs, done.stdout, yaml_version
    return result


def test_runs_in_the_pinned_pyodide_with_the_pinned_wheels(ran: dict[str, Any]) -> None:
    versions = ran["versions"]
    print("Pyodide run:", json.dumps(versions))  # shown with -rP / -s
    assert ran["platform"] == "emscripten"
    assert versions["pyodide"] == PYODIDE and versions["python"].startswith("3.14")
    assert versions["pydantic"] == WHEELS["pydantic"]
    assert versions["pydantic_core"] == WHEELS["pydantic_core"]
    assert versions["xlwings"] == WHEELS["xlwings"] and versions["PyYAML"] == ran["yaml"]


def test_scripts_are_found_as_lite_finds_them(ran: dict[str, Any]) -> None:
    assert ran["scripts"] == ["finsam_berakna", "finsam_kontrollera", "finsam_sjalvtest"]
    assert ".zip" in ran["finsam_xl"]  # finsam_xl came from the code inside main.py


@pytest.mark.parametrize("name", NAMES)
def test_berakna_in_pyodide_equals_recalc(ran: dict[str, Any], name: str) -> None:
    expected = file_cells(ran["refs"][name])
    cells = ran["books"][name]
    for sheet in COMPUTED:
        assert differences(expected[sheet], cells[sheet], stamp=True) == [], (name, sheet)
    assert "Beräknat:" in ran["stdout"]


def test_sjalvtest_in_pyodide(ran: dict[str, Any]) -> None:
    assert ran["selftest"] and ran["selftest"][0].startswith(
        "Självtest OK: 3 budgetar, alla siffror stämmer"
    ), ran["selftest"]
