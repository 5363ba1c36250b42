"""Every walkthrough in the user docs runs as written, from an empty folder.

A walkthrough is a ```bash block right after the line ``<!-- walkthrough -->``
in README.md or docs/*.md. It starts in an empty folder with the virtual
environment activated (README: ``source .venv/bin/activate``), so the test runs
each doc's blocks in a fresh temporary folder with only the venv's ``bin`` and the
system's on PATH, one line at a time, and asserts (a doc with several blocks,
such as docs/members.md, runs them in order in one folder: a later block
continues where the earlier left off):

* the exit code: 0, or N when the line's comment starts ``slutkod N``;
* the output: a comment after a command (``  # text``) is text its output
  contains (``…`` stands for anything);
* a ```text block right after ``<!-- walkthrough-output -->`` is exactly what
  the last command of the walkthrough above it prints.

Every other ```bash block in the docs says why it is not a walkthrough
(``<!-- not-a-walkthrough: … -->``), so a new one cannot be left untested.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent
MARK = "<!-- walkthrough -->"
OUTPUT_MARK = "<!-- walkthrough-output -->"
EXCUSE = "<!-- not-a-walkthrough:"


@dataclass
class Command:
    """One line of a walkthrough: the command, what its output contains, its exit code."""

    line: int
    text: str
    shows: list[str] = field(default_factory=list)
    code: int = 0


@dataclass
class Walkthrough:
    """A marked block of a doc, and the exact output shown after it (if any)."""

    doc: Path
    line: int
    commands: list[Command] = field(default_factory=list)
    output: str | None = None

    @property
    def name(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def _fences(text: str) -> list[tuple[int, str, str, list[str]]]:
    """Each fenced block: (line of the fence, info string, the line before it, its lines)."""
    lines = text.split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("```"):
            start, info = i, lines[i][3:].strip()
            before = next((x.strip() for x in reversed(lines[:i]) if x.strip()), "")
            j = i + 1
            while not lines[j].startswith("```"):
                j += 1
            blocks.append((start + 1, info, before, lines[i + 1 : j]))
            i = j
        i += 1
    return blocks


def _command(number: int, raw: str) -> Command:
    """A walkthrough line: the command, and its comment (shown output or ``slutkod N``)."""
    text, _, comment = raw.partition("  # ")
    command = Command(number, text.strip())
    comment = comment.strip()
    exit_code = re.match(r"slutkod (\d+):?\s*", comment)
    if exit_code:
        command.code = int(exit_code.group(1))
        comment = comment[exit_code.end() :]
    command.shows = [piece.strip() for piece in comment.split("…") if piece.strip()]
    return command


def walkthroughs() -> list[Walkthrough]:
    """All walkthroughs of the user docs, in order."""
    found: list[Walkthrough] = []
    for doc in DOCS:
        for line, info, before, body in _fences(doc.read_text(encoding="utf-8")):
            if before == MARK:
                assert info == "bash", f"{doc}:{line}: a walkthrough is a ```bash block"
                walk = Walkthrough(doc, line)
                for k, raw in enumerate(body, start=line + 1):
                    if raw.strip() and not raw.lstrip().startswith("#"):
                        walk.commands.append(_command(k, raw))
                found.append(walk)
            elif before == OUTPUT_MARK:
                assert found and found[-1].doc == doc, f"{doc}:{line}: output of no walkthrough"
                found[-1].output = "\n".join(body) + "\n"
    return found


WALKTHROUGHS = walkthroughs()


def test_the_docs_have_their_walkthroughs() -> None:
    names = {w.doc.name for w in WALKTHROUGHS}
    assert {"README.md", "reconciliation.md", "report.md", "overview.md", "next-year.md"} <= names
    recon = next(w for w in WALKTHROUGHS if w.doc.name == "reconciliation.md")
    assert recon.output is not None and "Skrev bladen Avstämning och Uppföljning" in recon.output


def test_every_bash_block_is_a_walkthrough_or_says_why_not() -> None:
    untested = [
        f"{doc.relative_to(ROOT)}:{line}"
        for doc in DOCS
        for line, info, before, _ in _fences(doc.read_text(encoding="utf-8"))
        if info == "bash" and before != MARK and not before.startswith(EXCUSE)
    ]
    assert untested == []


def test_walkthroughs_need_nothing_of_the_repository() -> None:
    """They start in an empty folder with the venv active: no .venv/bin/, tools/, workbooks/."""
    offenders = [
        f"{w.name}: {c.text}"
        for w in WALKTHROUGHS
        for c in w.commands
        if re.search(r"\.venv/|tools/|workbooks/|finsam_xl/|\bcd\b", c.text)
    ]
    assert offenders == []


def test_the_readme_says_once_how_to_activate_the_venv() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count("source .venv/bin/activate") == 1
    docs = {d.name: d.read_text(encoding="utf-8") for d in DOCS if d.name != "README.md"}
    assert [n for n, t in docs.items() if ".venv/bin/" in t] == []


#: Each doc's walkthroughs, in order: a later one continues in the folder the earlier left.
BY_DOC = [[w for w in WALKTHROUGHS if w.doc == d] for d in DOCS]


@pytest.mark.parametrize("walks", [g for g in BY_DOC if g], ids=lambda g: g[0].name)
def test_the_walkthrough_runs_as_written(walks: list[Walkthrough], tmp_path: Path) -> None:
    env = {
        "PATH": f"{BIN}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(tmp_path),
        "PYTHONIOENCODING": "utf-8",
        "LANG": "C.UTF-8",
        "COLUMNS": "100",
    }
    folder = tmp_path / "tom-mapp"
    folder.mkdir()
    for walk in walks:
        stdout = ""
        for command in walk.commands:
            run = subprocess.run(
                ["bash", "-c", command.text],
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                encoding="utf-8",
                check=False,
                timeout=300,
            )
            where = f"{walk.doc.relative_to(ROOT)}:{command.line}: {command.text}"
            assert run.returncode == command.code, f"{where}\n{run.stdout}\n{run.stderr}"
            # amounts are printed with no-break spaces (as the sheets show them); the docs use
            # spaces
            stdout = run.stdout.replace("\u00a0", " ")
            for piece in command.shows:
                assert piece in stdout, f"{where}: '{piece}' not in\n{stdout}"
        if walk.output is not None:
            assert stdout == walk.output


def test_the_quick_start_is_two_lines_setup_with_the_demo_then_the_tests() -> None:
    """The README's quick start: line one sets up and runs the main job on the bundled
    example, line two runs the tests, the same line .ci/run ends with."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    first, second = block.strip().splitlines()  # exactly two lines
    assert first.startswith("python3 -m venv .venv && .venv/bin/pip install -e")
    assert first.endswith("&& .venv/bin/finsam-xl demo")
    assert second == ".venv/bin/python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == second


def test_ci_runs_the_pre_commit_hooks_ruff_format_and_mypy() -> None:
    """CONTRIBUTING.md's pre-commit hooks are the ones CI runs, on every file."""
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert hooks == {"ruff", "ruff-format", "mypy"}
    assert "pre-commit run --all-files" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
