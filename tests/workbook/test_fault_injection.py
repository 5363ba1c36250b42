"""Kill -9 at random points of `finsam-xl berakna` and `finsam-xl avstamning` (issue 10).

Each time: the file at the original path is either the old file (byte-identical) or the new
one (every part outside the written sheets byte-identical to the original, every part
unpacks and parses), the backup is the file as it was before the run that wrote it, and
the next successful run (after every fourth kill) leaves no temporary file and no lock.
Two runs at once serialise, and the backup stays the original. The randomness is seeded;
the kill points cover the whole run, half of them from 60 % of its length on, where the
write happens. The runs are forked from a process with the package imported
(zygote_support.py), so each is the command itself, not Python's start and the imports.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
import synthetic_books as sb
from zygote_support import Zygote

from finsam_xl import jobs
from finsam_xl.xlsx.package import Package
from finsam_xl.xlsx.safety import backup_path, verify_package, write_lock_path

SEED = 20261130
KILLS = 12  # three rounds of four kills, each round ended by a successful run
LINES = 200  # four times the budget lines of a large förbund
CLI = [sys.executable, "-m", "finsam_xl"]
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.skipif(os.name != "posix", reason="SIGKILL"), pytest.mark.slow]


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def written_sheets(path: Path, names: tuple[str, ...]) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        pkg = Package.read(archive)
    return {pkg.sheet_parts[pkg.anchor(n)[0]] for n in names}


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    sys.path.insert(0, str(ROOT / "bench"))
    from synth import big_budget

    folder = tmp_path_factory.mktemp("fault-originals")
    book = folder / "stor.xlsx"
    jobs.new(big_budget(lines=LINES), book, when=datetime(2000, 1, 1))  # so a run changes it
    backup_path(book).unlink(missing_ok=True)
    books = folder / "bokforing.se"
    sb.make_books(books)
    return book, books


def _ours(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("job", ["berakna", "avstamning"])
def test_kill_at_random_points_leaves_old_or_new_and_the_original_backup(
    originals: tuple[Path, Path], tmp_path: Path, job: str
) -> None:
    original, books = originals
    book = tmp_path / "stor.xlsx"
    old = original.read_bytes()
    if job == "berakna":
        command = ["berakna", str(book)]
        names: tuple[str, ...] = ("fx_plan", "fx_fordelning", "fx_kontroller")

    else:
        command = ["avstamning", str(book), str(books)]
        names = ("fx_avstamning", "fx_uppfoljning")

    book.write_bytes(old)
    with Zygote() as zygote:
        _kill_rounds(zygote, command, book, old, names, tmp_path, job)


def _kill_rounds(
    zygote: Zygote,
    command: list[str],
    book: Path,
    old: bytes,
    names: tuple[str, ...],
    folder: Path,
    job: str,
) -> None:
    """KILLS runs killed at seeded random points, each checked; see the module's text."""
    old_parts = parts(book)
    # The kill points scale with a whole run's time: the median of three, so that one slow
    # or fast run (a cold cache, the other worker's load) does not put every kill before
    # or after the rename.
    backup = backup_path(book)
    times = []
    for _ in range(3):
        book.write_bytes(old)
        backup.unlink(missing_ok=True)
        times.append(zygote.timed(command))
    full = sorted(times)[1]
    sheets = written_sheets(book, names)
    backup.unlink()
    book.write_bytes(old)
    rnd = random.Random(f"{SEED}-{job}")
    outcomes = {"old": 0, "new": 0, "finished": 0}
    before, previous_backup = old, None
    for i in range(KILLS):
        delay = full * (rnd.uniform(0.6, 1.2) if i % 2 else rnd.uniform(0.05, 1.0))
        code = zygote.run(command, kill_after=delay)
        outcomes["finished"] += code is not None
        now = parts(book)
        if book.read_bytes() == before:
            outcomes["old"] += 1
        else:  # the new file: only the job's sheets differ from the original, and all parses
            changed = {n for n in now if now[n] != old_parts.get(n)}
            assert set(now) == set(old_parts) and changed <= sheets, (i, delay, changed)
            verify_package(book)
            outcomes["new"] += 1
        if backup.exists():  # the file as it was before the run that made the backup
            assert backup.read_bytes() in (previous_backup, before), (i, delay)
            previous_backup = backup.read_bytes()
        if i % 4 == 3:  # the next successful run removes what the killed runs left
            jobs.recalc(book)
            verify_package(book)
            assert _ours(folder) == [], (i, delay, _ours(folder))
            assert not write_lock_path(book).exists()
            previous_backup = backup.read_bytes()
        before = book.read_bytes()
    # the seed puts kills both before and after the rename
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes


def test_two_recalcs_at_once_serialise_and_keep_the_original_as_backup(
    originals: tuple[Path, Path], tmp_path: Path
) -> None:
    original, _ = originals
    book = tmp_path / "stor.xlsx"
    shutil.copy(original, book)
    old = original.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.Popen(
            [*CLI, "berakna", str(book)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=ROOT,
        )
        for _ in range(3)
    ]
    for run in runs:
        _out, err = run.communicate(timeout=120)
        assert run.returncode in (0, 1), err.decode()
        assert b"Traceback" not in err
    assert backup_path(book).read_bytes() == old
    verify_package(book)
    assert jobs.check(book).budget == jobs.check(original).budget
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stor.backup.xlsx", "stor.xlsx"]
