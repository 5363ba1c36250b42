"""finsam_xl inside the workbook for xlwings Lite: the web-extension part, `finsam-xl lite`.

The strongest check runs the main.py taken out of a generated workbook in a fresh
virtual environment that has only pydantic, PyYAML and xlwings (no finsam_xl;
openpyxl, XlsxWriter, typer, rich and defusedxml blocked), finds the scripts the
way Lite does (functions with an ``xw.Book`` parameter in main.py's namespace)
and presses Beräkna on the stand-in: the computed sheets equal `finsam-xl berakna`.
"""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest
from excel_support import WRITTEN, differences, file_cells
from fakexl_support import FakeBook
from typer.testing import CliRunner

import finsam_xl
from finsam_xl.cli import app
from finsam_xl.parts import lite_part as lite_embed
from finsam_xl.parts.lite_part import (
    LITE_ORDER,
    MARKER,
    MAX_SETTINGS_BYTES,
    REQUIREMENTS,
    embed,
    extract,
    main_py,
    module_closure,
    requirements_txt,
)
from finsam_xl.xlsx.limits import WorkbookError

HERE = Path(__file__).resolve().parent
LITE_PARTS = {
    "xl/webextensions/webextension1.xml",
    "xl/webextensions/taskpanes.xml",
    "xl/webextensions/_rels/taskpanes.xml.rels",
}
TOUCHED = {"_rels/.rels", "[Content_Types].xml"}
HEAVY = ("openpyxl", "xlsxwriter", "typer", "rich", "defusedxml")
#: main.py's size budget (bytes): Lite-saved main.py values seen go up to 107 KB.
MAIN_PY_BUDGET = 120 * 1024


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def plain(edited_book: Path, tmp_path: Path) -> Path:
    """A workbook without Lite code (the edited demo, copied)."""
    path = tmp_path / "Budget.xlsx"
    shutil.copy(edited_book, path)
    assert not any(n.startswith("xl/webextensions/") for n in parts(path))
    return path


# --- what is stored ---------------------------------------------------------------------------
def test_new_writes_lite_code_into_xlsx_and_not_into_xlsm(tmp_path: Path) -> None:
    done = run_cli("ny", "-o", str(tmp_path / "a.xlsx"))
    assert done.exit_code == 0, done.output
    props = extract(tmp_path / "a.xlsx")
    assert props["main.py"] == main_py()
    assert props["requirements.txt"].splitlines() == list(REQUIREMENTS)
    assert list(props) == list(LITE_ORDER)  # Lite's properties, in Lite's order
    assert "Office.AutoShowTaskpaneWithDocument" not in props
    for args, has in ((["--xlsm"], False), (["--xlsm", "--lite"], True), (["--utan-lite"], False)):
        out = tmp_path / f"b{len(args)}{has}.xlsx"
        done = run_cli("ny", *args, "-o", str(out))
        assert done.exit_code == 0, done.output
        written = out.with_suffix(".xlsm") if "--xlsm" in args else out
        assert bool(extract(written)) is has, args


def test_requirements_list_only_what_pyodide_provides_and_lites_lines() -> None:
    names = [lite_embed._requirement_name(line) for line in REQUIREMENTS]
    assert names == ["xlwings", "python-dotenv", "pyodide-http", "black", "pydantic", "pyyaml"]
    assert "finsam" not in requirements_txt()
    mine = "numpy\nfinsam_xl==0.0.1\nxlwings==0.33.11  # required\npolars  # own\n"
    assert requirements_txt(mine).splitlines() == [*REQUIREMENTS, "numpy", "polars  # own"]


def test_embedded_code_is_the_pure_core_and_small() -> None:
    modules = set(module_closure())
    assert {
        "finsam_xl.excel.lite",
        "finsam_xl.excel.selftest",
        "finsam_xl.core.evaluate",
        "finsam_xl.rules.published",
        "finsam_xl.workbook.reader",
    } <= modules
    assert not modules & {
        "finsam_xl.cli",
        "finsam_xl.workbook.template",
        "finsam_xl.jobs.budget",
        "finsam_xl.excel.server",
        "finsam_xl.excel.button",
        "finsam_xl.vba",
    }
    text = main_py()
    assert text == main_py()  # deterministic: same finsam_xl, same bytes
    size = len(text.encode("utf-8"))
    assert size < MAX_SETTINGS_BYTES // 2, size  # well under Office's settings limits
    assert size <= MAIN_PY_BUDGET, size  # the largest Lite-saved main.py seen is 107 KB
    assert max(len(line) for line in text.splitlines()) <= 110  # the editor shows it as lines
    assert f"{MARKER} version={finsam_xl.__version__}" in text


def test_slim_source_leaves_out_imports_for_type_checking_only() -> None:
    source = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:  # types\n"
        "    from decimal import (\n"
        "        Decimal,\n"
        "    )\n"
        "x: Decimal = 1\n"
        "if TYPE_CHECKING:\n"
        "    y = 2\n"
    )
    slim = lite_embed.slim_source(source)
    assert slim.splitlines() == [
        "from __future__ import annotations",
        "from typing import TYPE_CHECKING",
        "if TYPE_CHECKING:",
        "    pass",
        "",
        "",
        "x: Decimal = 1",
        "if TYPE_CHECKING:",  # not only imports: kept
        "    y = 2",
    ]
    exec(compile(slim, "slim", "exec", dont_inherit=True), {})  # runs without the imports


# --- `finsam-xl lite` ---------------------------------------------------------------------------
def test_lite_changes_nothing_else(plain: Path) -> None:
    before = parts(plain)
    done = run_cli("lite", str(plain))
    assert done.exit_code == 0, done.output
    assert "Lade in finsam_xl" in done.output
    after = parts(plain)
    assert set(after) == set(before) | LITE_PARTS
    for name, data in before.items():
        if name not in TOUCHED:
            assert after[name] == data, name
    for name in TOUCHED:  # one element inserted, nothing else changed
        old, new = before[name].decode(), after[name].decode()
        end = "</Types>" if name.startswith("[") else "</Relationships>"
        added = new[len(old) - len(end) : -len(end)]
        assert new == old.replace(end, added + end) and "webextension" in added, name
    with zipfile.ZipFile(plain) as archive:  # parts keep their order and compression
        assert archive.namelist()[: len(before)] == list(before)
    assert extract(plain)["main.py"] == main_py()


def test_lite_twice_is_idempotent(plain: Path) -> None:
    assert run_cli("lite", str(plain)).exit_code == 0
    first = plain.read_bytes()
    backup = plain.with_name("Budget.backup.xlsx")
    backup.unlink()
    done = run_cli("lite", str(plain))
    assert done.exit_code == 0 and "inget ändrades" in done.output
    assert plain.read_bytes() == first
    assert not backup.exists()  # nothing was written at all


def test_lite_replaces_an_older_version_and_keeps_the_rest(plain: Path) -> None:
    assert run_cli("lite", str(plain)).exit_code == 0
    old = parts(plain)
    part = "xl/webextensions/webextension1.xml"
    text = old[part].decode()
    text = text.replace(f"version={finsam_xl.__version__}", "version=0.0.1", 1)
    text = text.replace(
        "<we:properties>",
        '<we:properties><we:property name="pyodideVersion" value="&quot;0.27.5&quot;"/>',
        1,
    )
    text = text.replace("pydantic\\nPyYAML\\n", "pydantic\\nPyYAML\\nnumpy\\n", 1)
    with zipfile.ZipFile(plain, "w") as out:
        for name, data in old.items():
            out.writestr(name, text.encode() if name == part else data)
    assert "version=0.0.1" in extract(plain)["main.py"]
    done = run_cli("lite", str(plain))
    assert done.exit_code == 0, done.output
    assert f"från version 0.0.1 till {finsam_xl.__version__}" in done.output
    props = extract(plain)
    assert props["main.py"] == main_py()
    assert props["pyodideVersion"] == "0.27.5"  # Lite's own settings are kept
    assert props["requirements.txt"].splitlines() == [*REQUIREMENTS, "numpy"]
    new = parts(plain)
    assert [n for n in new if new[n] != old[n]] == [part]


def test_lite_refuses_someone_elses_code_unless_forced(plain: Path) -> None:
    assert run_cli("lite", str(plain)).exit_code == 0
    old = parts(plain)
    part = "xl/webextensions/webextension1.xml"
    props = extract(plain)
    foreign = lite_embed._replace_properties(old[part], {"main.py": "import xlwings as xw\n"})
    with zipfile.ZipFile(plain, "w") as out:
        for name, data in old.items():
            out.writestr(name, foreign if name == part else data)
    before = plain.read_bytes()
    done = run_cli("lite", str(plain))
    assert done.exit_code == 2
    assert "har redan egen Python-kod" in done.output and "--skriv-over" in done.output
    assert plain.read_bytes() == before
    done = run_cli("lite", "--skriv-over", str(plain))
    assert done.exit_code == 0, done.output
    assert extract(plain)["main.py"] == props["main.py"]


def test_lite_refuses_what_is_not_a_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "budget.xlsx"
    bad.write_bytes(b"inte en arbetsbok")
    done = run_cli("lite", str(bad))
    assert done.exit_code == 2 and "ingen Excel-arbetsbok" in done.output
    assert bad.read_bytes() == b"inte en arbetsbok"
    with pytest.raises(WorkbookError):
        embed(tmp_path / "saknas.xlsx")


def test_recalc_keeps_the_lite_code(plain: Path) -> None:
    """The zip-level writer copies the web-extension parts (openpyxl would drop them)."""
    from finsam_xl import jobs

    embed(plain)
    props = extract(plain)
    jobs.recalc(plain)
    assert extract(plain) == props


def test_next_year_keeps_the_lite_code(tmp_path: Path) -> None:
    """`nytt-ar` rebuilds the workbook; the Lite code is carried over when it was there."""
    example = Path(finsam_xl.__file__).parent / "examples" / "sodra-dalarna-2025.yaml"
    this, plain = tmp_path / "i år.xlsx", tmp_path / "utan.xlsx"
    assert run_cli("ny", "--fran", str(example), "-o", str(this)).exit_code == 0
    assert run_cli("ny", "--utan-lite", "--fran", str(example), "-o", str(plain)).exit_code == 0
    for source, has in ((this, True), (plain, False)):
        out = tmp_path / f"nästa {source.stem}.xlsx"
        done = run_cli("nytt-ar", str(source), "-o", str(out), "--eget-kapital", "400 000")
        assert done.exit_code in (0, 1), done.output
        assert extract(out).get("main.py") == (main_py() if has else None)


# --- the embedded main.py in a bare environment ------------------------------------------------
@pytest.fixture(scope="session")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with only pydantic, PyYAML and xlwings (from the configured index), once per run."""
    home = tmp_path_factory.mktemp("lite-venv")
    venv.EnvBuilder(with_pip=False).create(home)  # this venv's pip installs into it
    python = home / "bin" / "python"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-compile",
            "pydantic",
            "PyYAML",
            "xlwings",
        ],
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return python


RUNNER = """
import importlib.util, inspect, json, os, pickle, sys, typing
BLOCKED = set({blocked!r})
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in BLOCKED:
            raise ImportError('blocked for the Lite path: ' + name)
        return None
sys.meta_path.insert(0, Blocker())
before = importlib.util.find_spec('finsam_xl') is not None
sys.path.insert(0, {lite_dir!r})
import main                      # what Lite does with the workbook's main.py
import xlwings as xw
scripts = {{name: fn for name, fn in vars(main).items() if inspect.isfunction(fn)
           and any(h is xw.Book for k, h in typing.get_type_hints(fn).items() if k != 'return')}}
sys.path.insert(0, {tests!r})
with open({book!r}, 'rb') as handle:
    book = pickle.load(handle)
scripts['finsam_berakna'](book)
with open({book!r}, 'rb') as handle:
    other = pickle.load(handle)
scripts['finsam_sjalvtest'](other)
import finsam_xl
result = {{
    'finsam_xl_before': before,
    'scripts': sorted(scripts),
    'file': finsam_xl.__file__,
    'heavy': sorted({{m.split('.')[0] for m in sys.modules}} & BLOCKED),
    'cells': {{s.name: s.cells for s in book.sheet_list}},
    'selftest': [v for s in other.sheet_list for v in s.cells.values()
                 if isinstance(v, str) and v.startswith('Självtest')],
}}
with open({out!r}, 'wb') as handle:
    pickle.dump(result, handle)
"""


@pytest.mark.slow
def test_embedded_main_py_runs_alone_and_equals_recalc(
    bare_python: Path, edited_book: Path, tmp_path: Path
) -> None:
    workbook = tmp_path / "Budget.xlsx"
    shutil.copy(edited_book, workbook)
    embed(workbook)
    props = extract(workbook)  # taken out of the workbook's web-extension part
    lite_dir = tmp_path / "lite"
    lite_dir.mkdir()
    (lite_dir / "main.py").write_text(props["main.py"], encoding="utf-8")
    requirements = props["requirements.txt"]
    assert {lite_embed._requirement_name(r) for r in requirements.splitlines()} == {
        "xlwings",
        "python-dotenv",
        "pyodide-http",
        "black",
        "pydantic",
        "pyyaml",
    }
    book = FakeBook.from_xlsx(edited_book, com=False, protect=False)
    (tmp_path / "book.pickle").write_bytes(pickle.dumps(book))
    code = RUNNER.format(
        blocked=HEAVY,
        lite_dir=str(lite_dir),
        tests=str(HERE),
        book=str(tmp_path / "book.pickle"),
        out=str(tmp_path / "out.pickle"),
    )
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path), "HOME": str(tmp_path)}
    done = subprocess.run(
        [str(bare_python), "-I", "-c", code],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = pickle.loads((tmp_path / "out.pickle").read_bytes())
    assert result["finsam_xl_before"] is False  # not installed: only the embedded copy
    assert result["file"].startswith(str(tmp_path))  # ... loaded from the zip in TMPDIR
    assert ".zip" in result["file"]
    assert result["scripts"] == ["finsam_berakna", "finsam_kontrollera", "finsam_sjalvtest"]
    assert result["heavy"] == []
    expected = file_cells(_recalc_cli(edited_book, tmp_path))
    for sheet in WRITTEN:
        assert differences(expected[sheet], result["cells"][sheet], stamp=True) == [], sheet
    assert "Beräknat:" in done.stdout
    assert result["selftest"] and result["selftest"][0].startswith(
        "Självtest OK: 3 budgetar, alla siffror stämmer"
    ), result["selftest"]


def _recalc_cli(source: Path, tmp_path: Path) -> Path:
    """`finsam-xl berakna` on a copy: the reference for the Lite run."""
    target = tmp_path / "recalc.xlsx"
    shutil.copy(source, target)
    done = subprocess.run(
        [sys.executable, "-m", "finsam_xl.cli", "berakna", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    return target


def test_main_py_refuses_a_damaged_payload(tmp_path: Path) -> None:
    text = main_py()
    lines = text.splitlines()
    index = lines.index('_CODE = """') + 1  # the first line of the base64 block
    lines[index + 3] = "A" * len(lines[index + 3])
    broken = tmp_path / "main.py"
    broken.write_text("\n".join(lines), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"TMPDIR": str(tmp_path)},
    )
    assert done.returncode != 0
    assert "finsam_xl-koden i main.py är skadad" in done.stderr
