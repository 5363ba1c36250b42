"""The release: `python -m build` makes a wheel and an sdist; the wheel works on its own.

One wheel and one sdist are built from a clean copy of the source tree. The build
prints no warning (setuptools' deprecations included); the wheel carries the licence
and the PEP 639 metadata; the sdist carries the licence, the docs, the changelog and the
whole test suite, whose tests run from the unpacked sdist without ../shared. The wheel is
installed, not editable, into a fresh virtual environment (dependencies from the
configured package index). From that install the commands IT runs are tried: --version,
demo, new --xlsm, lite, the self-test, and serve answering one request on 127.0.0.1.
About a minute; marked slow but part of the default run.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest
import trove_classifiers

import finsam_xl

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(
    ".venv",
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
    "*.backup.*",
    "out",
)
#: Folders the sdist carries whole, besides the package: every tracked file in them.
SDIST_FOLDERS = ("docs", "tests", "tools", "bench", "workbooks")
CLASSIFIERS = (
    "Natural Language :: Swedish",
    "Topic :: Office/Business :: Financial :: Spreadsheet",
    "Programming Language :: Python :: 3.11",
    "Programming Language :: Python :: 3 :: Only",
)


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(dist folder, build output): wheel + sdist built from a copy of the tree.

    The worktree gets no build/ folder. PYTHONDONTWRITEBYTECODE is dropped for the build
    so that distutils' "byte-compiling is disabled" notice does not hide a real warning.
    """
    base = tmp_path_factory.mktemp("release")
    source = base / "src"
    shutil.copytree(ROOT, source, ignore=IGNORE)
    out = base / "dist"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(
        [sys.executable, "-m", "build", "-o", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return out, done.stdout + done.stderr


@pytest.fixture(scope="module")
def dist(build: tuple[Path, str]) -> Path:
    """The folder with the wheel and the sdist."""
    return build[0]


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bin/ of a fresh venv with the wheel (and its [cli] extra) installed, not editable."""
    home = tmp_path_factory.mktemp("release-venv")
    venv.EnvBuilder(with_pip=False).create(home)  # this venv's pip installs into it
    wheel = next(dist.glob("*.whl"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(home / "bin" / "python"),
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-compile",
            f"{wheel}[cli]",
        ],
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return home / "bin"


def run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(cwd), "TMPDIR": str(cwd)}
    return subprocess.run(list(args), capture_output=True, text=True, timeout=180, cwd=cwd, env=env)


def test_build_makes_wheel_and_sdist_with_the_package_data(dist: Path) -> None:
    version = finsam_xl.__version__
    assert sorted(p.name for p in dist.iterdir()) == [
        f"finsam_xl-{version}-py3-none-any.whl",
        f"finsam_xl-{version}.tar.gz",
    ]
    with zipfile.ZipFile(dist / f"finsam_xl-{version}-py3-none-any.whl") as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"finsam_xl-{version}.dist-info/METADATA").decode()
        entry_points = wheel.read(f"finsam_xl-{version}.dist-info/entry_points.txt").decode()
    for data in (
        "py.typed",
        "schema/budget.schema.json",
        "examples/selftest.json",
        "examples/sodra-dalarna-2025.yaml",
        "examples/fryksdalen-2022.yaml",
        "examples/sodra-lappland-2024.yaml",
        "vba/src/FinsamXL.bas",
        "vba/src/XlwingsBridge.bas",
        "vba/src/FinsamServer.bas",
    ):
        assert f"finsam_xl/{data}" in names, data
    assert not [n for n in names if n.startswith(("tests/", "bench/", "docs/"))]
    assert f"Version: {version}" in metadata
    assert "Requires-Dist: pydantic" in metadata and "Provides-Extra: cli" in metadata
    assert "finsam-xl = finsam_xl.cli:main" in entry_points


def test_build_prints_no_warning(build: tuple[Path, str]) -> None:
    """setuptools warns about deprecated metadata (e.g. a licence table) in the build log."""
    lines = [
        line for line in build[1].splitlines() if re.search(r"warn|deprecat", line, re.IGNORECASE)
    ]
    assert lines == []


def test_wheel_carries_the_licence_and_the_metadata(dist: Path) -> None:
    version = finsam_xl.__version__
    with zipfile.ZipFile(dist / f"finsam_xl-{version}-py3-none-any.whl") as wheel:
        licence = wheel.read(f"finsam_xl-{version}.dist-info/licenses/LICENSE").decode()
        metadata = wheel.read(f"finsam_xl-{version}.dist-info/METADATA").decode()
    assert licence == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n") and "finsam_xl contributors" in licence
    headers = metadata.split("\n\n", 1)[0].splitlines()
    assert "Metadata-Version: 2.4" in headers
    assert "License-Expression: MIT" in headers and "License-File: LICENSE" in headers
    assert not [h for h in headers if h.startswith("License:")]  # the legacy field
    assert "Requires-Python: >=3.11" in headers
    classifiers = [h.removeprefix("Classifier: ") for h in headers if h.startswith("Classifier:")]
    assert set(CLASSIFIERS) <= set(classifiers), classifiers
    unknown = [c for c in classifiers if c not in trove_classifiers.classifiers]
    assert unknown == []
    assert not [c for c in classifiers if c.startswith("License ::")]  # PEP 639: not both


def _tracked(folder: str) -> set[str]:
    """Files under ``folder`` that git tracks (all files when the tree is not a git clone)."""
    done = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", folder], capture_output=True, text=True
    )
    if done.returncode == 0 and (ROOT / ".git").exists():
        return {name for name in done.stdout.split("\0") if name}
    skipped = {"__pycache__", ".pytest_cache", ".hypothesis"}
    return {
        str(p.relative_to(ROOT))
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and not skipped & set(p.parts) and ".backup." not in p.name
    }


def test_sdist_carries_licence_docs_changelog_and_the_test_suite(dist: Path) -> None:
    version = finsam_xl.__version__
    prefix = f"finsam_xl-{version}/"
    with tarfile.open(dist / f"finsam_xl-{version}.tar.gz") as sdist:
        members = {m.name.removeprefix(prefix) for m in sdist.getmembers() if m.isfile()}
        licence = sdist.extractfile(prefix + "LICENSE")
        assert licence is not None
        assert licence.read() == (ROOT / "LICENSE").read_bytes()
    for name in (
        "LICENSE",
        "README.md",
        "CHANGELOG.md",
        "pyproject.toml",
        "MANIFEST.in",
        "docs/architecture.md",
        "tests/support.py",
        "tests/test_release.py",
        "tests/data/figures/fryksdalen-2022.yaml",
        "workbooks/examples/sodra-dalarna-2025.xlsx",
    ):
        assert name in members, name
    for folder in SDIST_FOLDERS:
        missing = sorted(_tracked(folder) - members)
        assert missing == [], f"{folder}: MANIFEST.in has no pattern for {missing}"
    assert not [m for m in members if "__pycache__" in m or ".backup." in m]


def test_sdist_tests_run_without_shared(dist: Path, tmp_path: Path) -> None:
    """The unpacked sdist's tests use its own copies; the ../shared comparison skips."""
    version = finsam_xl.__version__
    with tarfile.open(dist / f"finsam_xl-{version}.tar.gz") as sdist:
        sdist.extractall(tmp_path, filter="data")
    unpacked = tmp_path / f"finsam_xl-{version}"
    assert not (tmp_path / "shared").exists()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "0",
            "-p",
            "no:cacheprovider",
            "-rs",
            "tests/test_examples.py",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=unpacked,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "../shared finns inte bredvid klonen" in done.stdout
    assert re.search(r"\d+ passed, 1 skipped", done.stdout), done.stdout[-500:]


def test_installed_wheel_runs_the_commands_it_needs(installed: Path, tmp_path: Path) -> None:
    python = str(installed / "python")
    where = run(
        installed, python, "-I", "-c", "import finsam_xl; print(finsam_xl.__file__)", cwd=tmp_path
    )
    assert "site-packages" in where.stdout and str(ROOT) not in where.stdout  # not editable
    done = run(installed, "finsam-xl", "--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"finsam_xl {finsam_xl.__version__}"
    done = run(installed, "finsam-xl", "demo", "-o", "demo.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Exemplet (sodra-dalarna-2025) finns i demo.xlsx" in done.stdout
    done = run(installed, "finsam-xl", "ny", "--xlsm", "-o", "Budget.xlsm", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "Budget.xlsm") as book:
        assert "xl/vbaProject.bin" in book.namelist()
    done = run(installed, "finsam-xl", "lite", "demo.xlsx", cwd=tmp_path)
    assert done.returncode == 0 and "Lade in finsam_xl" in done.stdout, done.stderr
    done = run(installed, python, "-I", "-m", "finsam_xl.excel.selftest", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Självtest OK: 3 budgetar, alla siffror stämmer")


def test_installed_wheel_serves_one_request(installed: Path, tmp_path: Path) -> None:
    env = {"PATH": f"{installed}:/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [str(installed / "finsam-xl"), "server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        with urllib.request.urlopen(f"http://127.0.0.1:{match.group(1)}/", timeout=30) as reply:
            assert reply.status == 200
            assert "finsam_xl-servern är igång" in reply.read().decode("utf-8")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
