"""The command line speaks Swedish, typer's own texts included (issue 18).

Typer vendors Click without gettext, so "Show this message and exit.", "Usage:",
"Missing argument" … are fixed English; ``cli.swedish`` translates them in help pages
and usage errors. Every command's --help is checked, and each kind of usage error.
The names of the commands and options are Swedish too (issue 23): every word of them is
in ``WORDS``, so an English name (``--out``, ``check``) fails here.
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
        (["kontrollera"], "Fel: Argumentet 'FIL' saknas."),
        (["kontrollera", "--nope", "x.xlsx"], "Fel: Okänt alternativ: --nope"),
        (
            ["oversikt", "--processer", "99", "x"],
            "Ogiltigt värde för '--processer': värdet får vara högst 8",
        ),
        (["oversikt", "--processer", "två", "x"], "värdet ska vara ett heltal"),
        (["nope"], "Fel: Okänt kommando 'nope'."),
        (["kontrolera"], "Menade du 'kontrollera'?"),
        (["chek"], "Menade du 'kontrollera'?"),
        (["nytt-ar", "a.xlsx"], "Fel: Alternativet '-o' / '--utfil' saknas."),
        (["ny", "-o"], "Fel: Alternativet '-o' kräver ett värde."),
        (["kontrollera", "--json=1", "x.xlsx"], "Alternativet '--json' tar inget värde."),
        (["kontrollera", "a.xlsx", "b.xlsx"], "Fel: Oväntade extra argument (b.xlsx)"),
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


#: Every word of a command or option name: Swedish without å/ä/ö (``fran``, ``budgetar``),
#: or the same in Swedish (a file format, xlwings Lite, server, port, period, demo, max, mb).
#: A new name adds its Swedish words here; an English word does not belong.
WORDS = frozenset(
    "kontrollera berakna ny exportera sie demo server avstamning bokforing nytt ar oversikt "
    "lite rapport medlemsbrev fakturor "
    "utfil utmapp fran budgetar skriv over utan bladskydd adress nyckel slumpfro inte "
    "teckenkodning kontantmassig andra kunder fakturaplan eget kapital statlig tilldelning "
    "bokslut matchning processer kontakt forra "
    "json csv pdf xlsm port period max mb help".split()
)
ENGLISH_WORDS = frozenset(
    "check recalc new export serve out from host token seed year output file force".split()
)


def _names() -> dict[str, set[str]]:
    """Each command's name and option names (help included), as typed."""
    group = typer.main.get_command(app)
    names: dict[str, set[str]] = {}
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        ctx = typer.Context(command)
        names[name] = {
            option
            for param in command.get_params(ctx)
            if param.param_type_name == "option"
            for option in (*param.opts, *param.secondary_opts)
        }
    return names


def test_command_and_option_names_are_swedish() -> None:
    names = _names()
    typed = set(names) | set().union(*names.values())
    assert all(re.fullmatch(r"-{0,2}[a-z0-9]+(-[a-z0-9]+)*", n) for n in typed), typed
    words = {w for n in typed for w in n.lstrip("-").split("-")} - {"o"}
    assert words <= WORDS, sorted(words - WORDS)
    assert not WORDS & ENGLISH_WORDS
    assert names["ny"] >= {"-o", "--utfil", "--fran", "--budgetar"}
    assert names["nytt-ar"] >= {"-o", "--utfil", "--budgetar"}  # one name for one notion


def test_one_name_for_the_output_file() -> None:
    """Every command that writes a file takes it as -o/--utfil (medlemsbrev: a folder)."""
    names = _names()
    with_o = {c for c, opts in names.items() if "-o" in opts}
    assert {c for c in with_o if "--utfil" in names[c]} == with_o - {"medlemsbrev"}
    assert "--utmapp" in names["medlemsbrev"]
