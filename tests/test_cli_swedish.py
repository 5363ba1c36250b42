"""The command line speaks Swedish, typer's own texts included (issue 18).

Typer vendors Click without gettext, so "Show this message and exit.", "Usage:",
"Missing argument" … are fixed English; ``cli.swedish`` translates them in help pages
and usage errors. Every command's --help is checked, and each kind of usage error.
"""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from finsam_xl.cli import app

runner = CliRunner()
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
ENGLISH = re.compile(
    r"Show this message|Usage|Options|Arguments|Commands|\[required\]|default:|<path>|<int|"
    r"<str>|<float|<list|Missing|No such|Invalid value|Try '|Error|requires an|unexpected|"
    r"Did you mean|Input should|OPTIONS|COMMAND|ARGS"
)


def test_every_command_is_checked() -> None:
    assert len(COMMANDS) >= 13 and {"oversikt", "demo-bokforing"} <= set(COMMANDS)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_swedish(command: str | None) -> None:
    args = [command, "--help"] if command else ["--help"]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert done.output.startswith("Användning: finsam-xl")
    assert "--help" in done.output and "Visa den här hjälpen och avsluta." in done.output
    assert "Alternativ:" in done.output
    assert not ENGLISH.search(done.output), ENGLISH.search(done.output)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check"], "Fel: Argumentet 'FIL' saknas."),
        (["check", "--nope", "x.xlsx"], "Fel: Okänt alternativ: --nope"),
        (["oversikt", "--processer", "99", "x"], "Ogiltigt värde för '--processer': värdet får "
                                                  "vara högst 8"),
        (["oversikt", "--processer", "två", "x"], "värdet ska vara ett heltal"),
        (["nope"], "Fel: Okänt kommando 'nope'."),
        (["chek"], "Menade du 'check'?"),
        (["nytt-ar", "a.xlsx"], "Fel: Alternativet '-o' / '--out' saknas."),
        (["new", "-o"], "Fel: Alternativet '-o' kräver ett värde."),
        (["check", "--json=1", "x.xlsx"], "Alternativet '--json' tar inget värde."),
        (["check", "a.xlsx", "b.xlsx"], "Fel: Oväntade extra argument (b.xlsx)"),
    ],
)
def test_usage_errors_are_swedish(args: list[str], message: str) -> None:
    done = runner.invoke(app, args)
    assert done.exit_code == 2, done.output
    assert message in done.output, done.output
    assert not ENGLISH.search(done.output), done.output


def test_no_arguments_shows_the_swedish_help() -> None:
    done = runner.invoke(app, [])
    assert "Användning: finsam-xl [ALTERNATIV] KOMMANDO [ARGUMENT]..." in done.output
    assert "Kommandon:" in done.output and not ENGLISH.search(done.output)
