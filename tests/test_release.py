"""The release: `python -m build` makes a wheel and an sdist; the wheel works on its own.

One wheel is built from a clean copy of the source tree and installed, not
editable, into a fresh virtual environment (dependencies from the configured
package index). From that install the commands IT runs are tried: --version,
demo, new --xlsm, lite, the self-test, and serve answering one request on
127.0.0.1. About a minute; marked slow but part of the default run.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

import finsam_xl

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__",
                                ".*_cache", ".hypothesis", "*.backup.*", "out")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """wheel + sdist built from a copy of the tree (the worktree gets no build/ folder)."""
    base = tmp_path_factory.mktemp("release")
    source = base / "src"
    shutil.copytree(ROOT, source, ignore=IGNORE)
    out = base / "dist"
    done = subprocess.run([sys.executable, "-m", "build", "-o", str(out), str(source)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bin/ of a fresh venv with the wheel (and its [cli] extra) installed, not editable."""
    home = tmp_path_factory.mktemp("release-venv")
    venv.EnvBuilder(with_pip=True).create(home)
    wheel = next(dist.glob("*.whl"))
    done = subprocess.run([str(home / "bin" / "python"), "-m", "pip", "install", "-q",
                           "--disable-pip-version-check", f"{wheel}[cli]"],
                          capture_output=True, text=True, timeout=420)
    assert done.returncode == 0, done.stderr[-2000:]
    return home / "bin"


def run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(cwd), "TMPDIR": str(cwd)}
    return subprocess.run(list(args), capture_output=True, text=True, timeout=180, cwd=cwd,
                          env=env)


def test_build_makes_wheel_and_sdist_with_the_package_data(dist: Path) -> None:
    version = finsam_xl.__version__
    assert sorted(p.name for p in dist.iterdir()) == [
        f"finsam_xl-{version}-py3-none-any.whl", f"finsam_xl-{version}.tar.gz"]
    with zipfile.ZipFile(dist / f"finsam_xl-{version}-py3-none-any.whl") as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"finsam_xl-{version}.dist-info/METADATA").decode()
        entry_points = wheel.read(f"finsam_xl-{version}.dist-info/entry_points.txt").decode()
    for data in ("py.typed", "schema/budget.schema.json", "examples/selftest.json",
                 "examples/sodra-dalarna-2025.yaml", "examples/fryksdalen-2022.yaml",
                 "examples/sodra-lappland-2024.yaml", "vba/src/FinsamXL.bas",
                 "vba/src/XlwingsBridge.bas", "vba/src/FinsamServer.bas"):
        assert f"finsam_xl/{data}" in names, data
    assert not [n for n in names if n.startswith(("tests/", "bench/", "docs/"))]
    assert f"Version: {version}" in metadata
    assert "Requires-Dist: pydantic" in metadata and "Provides-Extra: cli" in metadata
    assert "finsam-xl = finsam_xl.cli:main" in entry_points


def test_installed_wheel_runs_the_commands_it_needs(installed: Path, tmp_path: Path) -> None:
    python = str(installed / "python")
    where = run(installed, python, "-I", "-c", "import finsam_xl; print(finsam_xl.__file__)",
                cwd=tmp_path)
    assert "site-packages" in where.stdout and str(ROOT) not in where.stdout  # not editable
    done = run(installed, "finsam-xl", "--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"finsam_xl {finsam_xl.__version__}"
    done = run(installed, "finsam-xl", "demo", "-o", "demo.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Exemplet (sodra-dalarna-2025) finns i demo.xlsx" in done.stdout
    done = run(installed, "finsam-xl", "new", "--xlsm", "-o", "Budget.xlsm", cwd=tmp_path)
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
    server = subprocess.Popen([str(installed / "finsam-xl"), "serve", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=env, cwd=tmp_path, start_new_session=True)
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
