"""The command line's names before issue 23 still work for one release (issue 23, section 3).

Every command and option has a Swedish name now (``kontrollera``, ``--utfil``,
``--budgetar`` ...). The English names of 0.1 (``check``, ``--out``, ``--ar`` ...) are
aliases: hidden from --help, the same run (output and exit code) as the new name, and a
one-line Swedish note on stderr that the old name goes in the next version. The table of
old and new names is ``cli.OLD_COMMANDS``/``cli.OLD_OPTIONS``; CHANGELOG.md and
docs/glossary.md show it, and a test keeps them equal.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from support import EXAMPLES, ROOT
from typer.testing import CliRunner, Result

from finsam_xl.cli import OLD_COMMANDS, OLD_OPTIONS, _current_options, app, renamed_note

runner = CliRunner()
GROUP = typer.main.get_command(app)
COMMANDS: dict[str, typer.core.TyperCommand] = GROUP.commands  # type: ignore[attr-defined]
SD = EXAMPLES / "sodra-dalarna-2025.yaml"


def _options(command: str) -> set[str]:
    """Every option name of ``command`` (both halves of a --x/--utan-x flag)."""
    ctx = typer.Context(COMMANDS[command])
    return {
        name
        for param in COMMANDS[command].get_params(ctx)
        if param.param_type_name == "option"
        for name in (*param.opts, *param.secondary_opts)
    }


def _renames() -> Iterator[tuple[str, str, str]]:
    """(command, old option, new option) for every old option name a command takes."""
    for command in COMMANDS:
        have = _options(command)
        for old, candidates in OLD_OPTIONS.items():
            new = next((n for n in candidates if n in have), None)
            if new is not None:
                yield command, old, new


RENAMES = list(_renames())


def test_the_table_is_complete_and_points_at_real_names() -> None:
    assert set(OLD_COMMANDS.values()) <= set(COMMANDS)
    assert not set(OLD_COMMANDS) & set(COMMANDS)
    every = set().union(*(_options(c) for c in COMMANDS))
    assert not set(OLD_OPTIONS) & every  # an old name is never also a current one
    for old, candidates in OLD_OPTIONS.items():
        assert any(n in every for n in candidates), old
    # each old option name is taken by the commands that had it
    assert {(c, o) for c, o, _ in RENAMES} >= {
        *(
            (c, "--out")
            for c in (
                "berakna",
                "ny",
                "exportera",
                "demo",
                "exportera-sie",
                "nytt-ar",
                "oversikt",
                "rapport",
                "medlemsbrev",
                "fakturor",
            )
        ),
        ("ny", "--from"),
        ("ny", "--ar"),
        ("nytt-ar", "--till-ar"),
        ("server", "--host"),
        ("server", "--token"),
        ("demo-bokforing", "--seed"),
    }
    # one name for one notion: the budget year a command creates, the output
    assert {n for c, o, n in RENAMES if o in ("--ar", "--till-ar")} == {"--budgetar"}
    assert {n for c, o, n in RENAMES if o == "--out" and c != "medlemsbrev"} == {"--utfil"}


def test_help_lists_only_the_new_names() -> None:
    top = runner.invoke(app, ["--help"]).stdout
    listed = re.findall(r"^  (\S+)  ", top.split("Kommandon:")[1], re.M)
    assert listed == list(COMMANDS)
    assert not set(listed) & set(OLD_COMMANDS)
    for command in COMMANDS:
        text = runner.invoke(app, [command, "--help"]).stdout
        shown = set(re.findall(r"(?<![\w-])--[\w-]+", text))
        assert not shown & set(OLD_OPTIONS), (command, shown & set(OLD_OPTIONS))
        assert shown - {"--help"} <= _options(command)


@pytest.mark.parametrize(("old", "new"), OLD_COMMANDS.items())
def test_an_old_command_is_the_new_one_with_a_note(old: str, new: str) -> None:
    before, after = runner.invoke(app, [old, "--help"]), runner.invoke(app, [new, "--help"])
    assert before.exit_code == after.exit_code == 0 and before.stdout == after.stdout
    assert f"finsam-xl {new} " in before.stdout
    assert before.stderr == renamed_note(old, new) + "\n" and after.stderr == ""
    assert before.stderr == (
        f"`{old}` heter nu `{new}`; det gamla namnet försvinner i nästa version.\n"
    )


def test_a_typo_of_an_old_command_suggests_the_new_one() -> None:
    done = runner.invoke(app, ["recalk", "a.xlsx"])
    assert done.exit_code == 2 and "Fel: Okänt kommando 'recalk'. Menade du 'berakna'?" in (
        done.stderr
    )


@pytest.mark.parametrize(("command", "old", "new"), RENAMES)
def test_an_old_option_is_read_as_the_new_one(command: str, old: str, new: str) -> None:
    cmd = COMMANDS[command]
    ctx = typer.Context(cmd, resilient_parsing=True)  # no note while testing the rewrite
    assert _current_options(cmd, ctx, [old, "v", "fil"]) == [new, "v", "fil"]
    assert _current_options(cmd, ctx, [f"{old}=v"]) == [f"{new}=v"]
    assert _current_options(cmd, ctx, ["--", old]) == ["--", old]  # after --: an argument


def test_only_option_places_are_renamed() -> None:
    """A value that looks like an old name is left alone, and so is a name the command lacks."""
    letters = COMMANDS["medlemsbrev"]
    ctx = typer.Context(letters, resilient_parsing=True)
    assert _current_options(letters, ctx, ["--kontakt", "--out", "--out", "b"]) == [
        "--kontakt",
        "--out",
        "--utmapp",
        "b",
    ]
    check = COMMANDS["kontrollera"]
    assert _current_options(check, typer.Context(check), ["--out", "x"]) == ["--out", "x"]
    done = runner.invoke(app, ["kontrollera", "--out", "x", "a.xlsx"])
    assert done.exit_code == 2 and "Okänt alternativ: --out" in done.stderr
    assert "heter nu" not in done.stderr


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Södra Dalarna 2025 as ``ny --fran`` writes it, without Lite code (quicker to copy and
    write); copied into each run's folder."""
    out = tmp_path_factory.mktemp("book") / "budget.xlsx"
    done = runner.invoke(app, ["ny", "--fran", str(SD), "--utan-lite", "-o", str(out)])
    assert done.exit_code == 0, done.output
    return out


def _run(folder: Path, book: Path, args: list[str]) -> tuple[Result, str, str]:
    """Run ``args`` in ``folder`` (with budget.xlsx and budget.yaml), paths shown as <mapp>."""
    folder.mkdir()
    shutil.copyfile(book, folder / "budget.xlsx")
    shutil.copyfile(SD, folder / "budget.yaml")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        patch.delenv("FINSAM_XL_TOKEN", raising=False)
        done = runner.invoke(app, args)
    return (
        done,
        done.stdout.replace(str(folder), "<mapp>"),
        done.stderr.replace(str(folder), "<mapp>"),
    )


#: (as typed before issue 23, as typed now): every old command and every old option name.
RUNS = [
    ("check budget.yaml", "kontrollera budget.yaml"),
    ("check budget.xlsx --json", "kontrollera budget.xlsx --json"),
    ("recalc budget.xlsx --out ut.xlsx", "berakna budget.xlsx --utfil ut.xlsx"),
    ("new --out tom.xlsx --ar 2027 --utan-lite", "ny --utfil tom.xlsx --budgetar 2027 --utan-lite"),
    (
        "new --from budget.yaml -o ny.xlsx --utan-lite",
        "ny --fran budget.yaml -o ny.xlsx --utan-lite",
    ),
    ("export budget.xlsx --out ut.yaml", "exportera budget.xlsx --utfil ut.yaml"),
    ("export-sie budget.xlsx -o ut.se", "exportera-sie budget.xlsx -o ut.se"),
    ("serve --host 0.0.0.0", "server --adress 0.0.0.0"),
    ("serve --token kort", "server --nyckel kort"),
    (
        "nytt-ar budget.xlsx --out nasta.xlsx --till-ar 2026",
        "nytt-ar budget.xlsx --utfil nasta.xlsx --budgetar 2026",
    ),
    ("demo-bokforing b.se --seed 7", "demo-bokforing b.se --slumpfro 7"),
    ("fakturor budget.yaml --out plan.csv", "fakturor budget.yaml --utfil plan.csv"),
]


@pytest.mark.parametrize(("typed_before", "typed_now"), RUNS, ids=[o for o, _ in RUNS])
def test_an_old_name_runs_as_the_new_one(
    book: Path, tmp_path: Path, typed_before: str, typed_now: str
) -> None:
    old, new = typed_before.split(), typed_now.split()
    before, out_before, err_before = _run(tmp_path / "old", book, old)
    after, out_after, err_after = _run(tmp_path / "new", book, new)
    assert before.exit_code == after.exit_code, (before.output, after.output)
    assert out_before == out_after
    notes = [renamed_note(o, n) for o, n in zip(old, new, strict=True) if o != n]
    assert err_before == "".join(f"{note}\n" for note in notes) + err_after
    written = sorted(p.name for p in (tmp_path / "new").iterdir())
    assert sorted(p.name for p in (tmp_path / "old").iterdir()) == written


def _table_rows(path: Path) -> set[tuple[str, str]]:
    """(old, new) of each table row ``| `old` | `new` ... |`` in a doc."""
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r"^\s*\| `(-{0,2}[\w-]+)` \| `(-{0,2}[\w-]+)`", text, re.M))


@pytest.mark.parametrize("doc", ["CHANGELOG.md", "docs/glossary.md"])
def test_the_docs_show_the_table_of_old_and_new_names(doc: str) -> None:
    rows = _table_rows(ROOT / doc)
    wanted = set(OLD_COMMANDS.items()) | {(old, new[0]) for old, new in OLD_OPTIONS.items()}
    assert wanted <= rows, sorted(wanted - rows)
    assert "`--utmapp`" in (ROOT / doc).read_text(encoding="utf-8")


def test_an_old_command_that_runs_says_so_once() -> None:
    """A run, not only --help: one note on stderr, and the workbook left as it was."""
    from pathlib import Path

    book = Path(__file__).parent.parent / "workbooks" / "examples" / "fryksdalen-2022.xlsx"
    before = book.read_bytes()
    done = runner.invoke(app, ["check", str(book)])
    assert done.exit_code in (0, 1), done.stderr
    assert done.stderr.count("heter nu") == 1, done.stderr
    assert book.read_bytes() == before
