"""The ``finsam-xl`` command line (typer + rich), in Swedish.

Commands are thin: they call ``finsam_xl.jobs`` and nothing else of the
package's I/O layers, and print findings the same way as the workbook shows
them. ``jobs`` loads its modules on first use, so ``--help`` stays fast.
Exit codes: 0 ok, 1 the budget has errors (or input errors kept anything from
being written), 2 the file could not be used at all (``_exit_for``, the one map
from the exception family ``finsam_xl.errors`` to exit codes and messages).
"""

from __future__ import annotations

import functools
import io
import json
import re
import sys
from collections.abc import Callable, Sequence
from difflib import get_close_matches
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec

import typer
from typer.core import TyperCommand, TyperGroup

from finsam_xl import jobs
from finsam_xl.errors import FinsamError, UsageError

if TYPE_CHECKING:  # the model loads pydantic: only when a command runs, not for --help
    from decimal import Decimal

    from finsam_xl.model.budget import Budget
    from finsam_xl.model.findings import Finding
    from finsam_xl.model.results import Result

P = ParamSpec("P")

# --- typer's own English, in Swedish ------------------------------------------------------------
# Typer (0.2x) vendors Click without gettext, so its help and usage-error texts are fixed
# English strings. Every text typer shows passes through ``swedish``: the help pages
# (``SwedishCommand.get_help``) and every usage error (``SwedishGroup.main`` renders the
# error with typer's own ``show`` into a buffer). Anchored patterns, so the commands' own
# Swedish help is never touched. tests/test_cli_swedish.py runs every command's --help.
_SWEDISH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.MULTILINE), replacement)
    for pattern, replacement in (
        (r"^Usage: ", "Användning: "),
        (r"^Try '(.+?)' for help\.", r"Se '\1' för hjälp."),
        (r"^Error: ", "Fel: "),
        (r"^Arguments:$", "Argument:"),
        (r"^Options:$", "Alternativ:"),
        (r"^Commands:$", "Kommandon:"),
        (r"\[OPTIONS\]", "[ALTERNATIV]"),
        (r"COMMAND \[ARGS\]\.\.\.", "KOMMANDO [ARGUMENT]..."),
        (r"Show this message and exit\.", "Visa den här hjälpen och avsluta."),
        (r"\[required\]", "[krävs]"),
        (r"; required\]", "; krävs]"),
        (r"\[default: ", "[standard: "),
        (r"Missing argument '(.+?)'\.", r"Argumentet '\1' saknas."),
        (r"Missing option '(.+?)'\.", r"Alternativet '\1' saknas."),
        (r"Missing parameter: (.+)", r"Parametern \1 saknas."),
        (r"Missing command\.", "Ange ett kommando."),
        (r"No such option: (\S+)", r"Okänt alternativ: \1"),
        (r"Did you mean (.+)\?", r"Menade du \1?"),
        (r"\(Possible options: (.+)\)", r"(Möjliga alternativ: \1)"),
        (r"No such command '(.+?)'\.", r"Okänt kommando '\1'."),
        (r"Invalid value for (.+?): ", r"Ogiltigt värde för \1: "),
        (r"Invalid value: ", "Ogiltigt värde: "),
        (r"Option '(.+?)' requires an argument\.", r"Alternativet '\1' kräver ett värde."),
        (r"Option '(.+?)' does not take a value\.", r"Alternativet '\1' tar inget värde."),
        (r"Got unexpected extra argument\(s\) \((.+)\)", r"Oväntade extra argument (\1)"),
        (r"Input should be less than or equal to (\S+)", r"värdet får vara högst \1"),
        (r"Input should be greater than or equal to (\S+)", r"värdet ska vara minst \1"),
        (r"Input should be less than (\S+)", r"värdet ska vara mindre än \1"),
        (r"Input should be greater than (\S+)", r"värdet ska vara större än \1"),
        (r"Input should be a valid integer[^\n]*", "värdet ska vara ett heltal"),
        (r"Input should be a valid number[^\n]*", "värdet ska vara ett tal"),
        (r"Input should be a valid boolean[^\n]*", "värdet ska vara ja eller nej"),
        (r"Value (.+?) is not a valid (\w+)\.", r"\1 är inget giltigt värde (\2)."),
        (r"(\S+) is not one of (.+)\.", r"\1 är inte ett av \2."),
        (r"^Aborted[!.]", "Avbrutet."),
        (r"\(dynamic\)", "(dynamiskt)"),
        (r"<path>", "<sökväg>"),
        (r"<int>", "<heltal>"),
        (r"<float>", "<tal>"),
        (r"<str>", "<text>"),
        (r"<list\[Path\]>", "<sökvägar>"),
        (r"<int range>", "<heltal>"),
        (r"<float range>", "<tal>"),
    )
)


def swedish(text: str) -> str:
    """Typer's English help and error texts in Swedish (the commands' own texts unchanged)."""
    for pattern, replacement in _SWEDISH:
        text = pattern.sub(replacement, text)
    return text


# --- The names before issue 23, kept for one release --------------------------------------------
# The command line speaks Swedish throughout: one name per notion (``--utfil`` for every
# output file, ``--budgetar`` for the budget year a command creates). The English names of
# 0.1 still work, hidden from --help, with a note on stderr; they go in the next version.
# docs/glossary.md and CHANGELOG.md show the same table (tests/test_cli_aliases.py).
OLD_COMMANDS: dict[str, str] = {
    "check": "kontrollera",
    "recalc": "berakna",
    "new": "ny",
    "export": "exportera",
    "export-sie": "exportera-sie",
    "serve": "server",
}
# An old option name -> the new names it stands for, the first that the command has
# (``--out`` is ``--utmapp`` for medlemsbrev, which writes a folder).
OLD_OPTIONS: dict[str, tuple[str, ...]] = {
    "--out": ("--utfil", "--utmapp"),
    "--from": ("--fran",),
    "--ar": ("--budgetar",),
    "--till-ar": ("--budgetar",),
    "--host": ("--adress",),
    "--token": ("--nyckel",),
    "--seed": ("--slumpfro",),
}


def renamed_note(old: str, new: str) -> str:
    """The one-line Swedish note printed on stderr when an old name is used."""
    return f"`{old}` heter nu `{new}`; det gamla namnet försvinner i nästa version."


def _current_options(command: Any, ctx: Any, args: list[str]) -> list[str]:
    """``args`` with each old option name of ``command`` replaced by its new name (and a note).

    Only tokens in an option's place are renamed: not an option's value, nor anything
    after ``--``. An old name the command never had is left for Click to refuse.
    """
    options = {
        name: param
        for param in command.get_params(ctx)
        if param.param_type_name == "option"
        for name in (*param.opts, *param.secondary_opts)
    }
    current: list[str] = []
    tokens = iter(args)
    for token in tokens:
        if token == "--":
            current += [token, *tokens]
            break
        name, equals, value = token.partition("=")
        new = next((n for n in OLD_OPTIONS.get(name, ()) if n in options), None)
        if new is not None:
            if not ctx.resilient_parsing:
                typer.echo(renamed_note(name, new), err=True)
            name, token = new, new + equals + value
        current.append(token)
        param = options.get(name)
        if param is not None and not equals and not param.is_flag and not param.count:
            current.extend(islice(tokens, 1))  # the option's value, as it is
    return current


def _format_params(command: Any, ctx: Any, formatter: Any) -> None:
    """Arguments and options as typer lists them, translated before the columns are aligned."""
    rows: dict[str, list[tuple[str, str]]] = {"argument": [], "option": []}
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is not None and param.param_type_name in rows:
            rows[param.param_type_name].append((swedish(record[0]), swedish(record[1])))
    for kind, heading in (("argument", "Argument"), ("option", "Alternativ")):
        if rows[kind]:
            with formatter.section(heading):
                formatter.write_dl(rows[kind])


class SwedishCommand(TyperCommand):
    """A command whose help page (usage line, headings, --help) is in Swedish."""

    def get_help(self, ctx: Any) -> str:
        """The help page, in Swedish."""
        return swedish(super().get_help(ctx))

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """Arguments and options, in Swedish."""
        _format_params(self, ctx, formatter)

    def get_usage(self, ctx: Any) -> str:
        """The usage line, in Swedish."""
        return swedish(super().get_usage(ctx))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Parse the arguments, the option names before issue 23 taken as today's."""
        return super().parse_args(ctx, _current_options(self, ctx, args))


class SwedishGroup(TyperGroup):
    """The command group: its help and every usage error in Swedish."""

    def get_help(self, ctx: Any) -> str:
        """The help page, in Swedish."""
        return swedish(super().get_help(ctx))

    def get_usage(self, ctx: Any) -> str:
        """The usage line, in Swedish."""
        return swedish(super().get_usage(ctx))

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """Options and commands, in Swedish."""
        _format_params(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """The command named first in ``args``; a name before issue 23 with a note on stderr."""
        new = OLD_COMMANDS.get(args[0]) if args else None
        if new is not None:
            if not ctx.resilient_parsing:
                typer.echo(renamed_note(args[0], new), err=True)
            args = [new, *args[1:]]
        try:
            return super().resolve_command(ctx, args)
        except typer.TyperException as error:  # a typo of an old name suggests its new name
            message = getattr(error, "message", "")
            close = get_close_matches(args[0], OLD_COMMANDS) if args else []
            if close and isinstance(message, str) and "Did you mean" not in message:
                names = ", ".join(repr(OLD_COMMANDS[name]) for name in close)
                error.message = f"{message.rstrip('.')}. Did you mean {names}?"
            raise

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; a usage error is shown in Swedish (exit code 2)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.TyperException as error:
            shown = io.StringIO()
            show = getattr(error, "show", None)
            if callable(show):
                show(file=shown)
            else:
                shown.write(f"Error: {error.format_message()}\n")
            typer.echo(swedish(shown.getvalue()), err=True, nl=False)
            sys.exit(error.exit_code)
        except typer.Abort:
            typer.echo("Avbrutet.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="finsam-xl",
    help="Budget för samordningsförbund: räkna, kontrollera och skriv Excel-arbetsboken.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    cls=SwedishGroup,
)


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"Fel: {message}", err=True)
    raise typer.Exit(code)


def _exit_for(error: Exception) -> tuple[int, str]:
    """The exit code and Swedish message for an exception: the one place that maps them.

    The family (``FinsamError``: a file, books or option that cannot be used, input
    errors that stop a job) exits 2 with its own message. Anything else is a fault of
    the tool: exit 2 with a short notice, never a traceback; the user's files were not
    changed (every write is atomic).
    """
    if isinstance(error, FinsamError):
        return 2, str(error)
    return 2, (
        f"internt fel i finsam_xl ({type(error).__name__}: {error}). Inga filer har "
        "ändrats. Rapportera felet och bifoga filen."
    )


def _has_errors(findings: list[Finding]) -> bool:
    """True when a finding is an error (exit code 1)."""
    return any(f.severity.value == "error" for f in findings)


def _print_findings(findings: list[Finding]) -> None:
    from rich.console import Console
    from rich.markup import escape

    from finsam_xl.model.findings import summary_text

    console = Console(highlight=False, soft_wrap=True)
    colours = {"error": "red", "warning": "yellow", "info": "cyan"}
    for finding in findings:
        console.print(f"[{colours[finding.severity.value]}]{escape(finding.format())}[/]")
    console.print(f"Kontroller: {summary_text(findings)}.")


def _print_outcome_plan(outcome: jobs.Outcome) -> None:
    """The plan table, unless input errors make its figures untrustworthy."""
    if outcome.blocked:
        if outcome.budget is not None:
            typer.echo("Planen visas inte: indata har fel (se nedan).")
        return
    _print_plan(*outcome.computed())


def _print_plan(budget: Budget, result: Result) -> None:
    from rich.console import Console
    from rich.table import Table

    from finsam_xl.model.budget import Unit
    from finsam_xl.model.money import fmt_pct, in_display_unit

    unit = budget.forbund.unit.value
    tkr = budget.forbund.unit is Unit.TKR
    table = Table(title=f"{budget.forbund.name}: plan ({unit})", title_justify="left")
    table.add_column("År")
    for name in ("Bidrag", "Övr. intäkter", "Kostnader", "Resultat", "EK slut", "EK %"):
        table.add_column(name, justify="right")

    def show(value: Decimal | None) -> str:
        if value is None:
            return "–"
        text = f"{in_display_unit(value, tkr):,.0f}".replace(",", "\u00a0")
        return text.replace("-", "\u2212")

    for row in result.plan:
        table.add_row(
            str(row.year),
            show(row.contributions),
            show(row.other_income),
            show(row.costs),
            show(row.result),
            show(row.equity_end),
            fmt_pct(row.equity_pct),
        )
    Console(highlight=False).print(table)


def _guarded(command: Callable[P, None]) -> Callable[P, None]:
    """Run a command so that no Python traceback reaches the user (``_exit_for``)."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            code, message = _exit_for(error)
            _fail(message, code)

    return run


@app.command("kontrollera", cls=SwedishCommand)
@_guarded
def check_cmd(
    file: Annotated[
        Path,
        typer.Argument(metavar="FIL", help="Arbetsbok (.xlsx/.xlsm) eller budgetfil (.yaml/.json)"),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Skriv ett JSON-objekt i stället för text")
    ] = False,
) -> None:
    """Kontrollera en budget utan att ändra filen. Avslutar med 1 om det finns fel."""
    from finsam_xl.jobs.output import result_json

    try:
        outcome = jobs.check(file, freshness=True)
    except FinsamError as error:
        if as_json:
            code, message = _exit_for(error)
            typer.echo(json.dumps({"error": message}, ensure_ascii=False))
            raise typer.Exit(code) from None
        raise
    if as_json:
        data = result_json(outcome.result, outcome.findings)
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_outcome_plan(outcome)
        _print_findings(outcome.findings)
    raise typer.Exit(1 if outcome.blocked or _has_errors(outcome.findings) else 0)


@app.command("berakna", cls=SwedishCommand)
@_guarded
def recalc_cmd(
    file: Annotated[Path, typer.Argument(metavar="FIL", help="Arbetsboken som ska räknas om")],
    out: Annotated[
        Path | None, typer.Option("-o", "--utfil", help="Skriv till en annan fil")
    ] = None,
) -> None:
    """Räkna om planen, fördelningen och kontrollerna och skriv dem i arbetsboken."""
    outcome = jobs.recalc(file, out)
    _print_outcome_plan(outcome)
    _print_findings(outcome.findings)
    if outcome.written is None:
        typer.echo(f"Inget skrevs: rätta felen i indata först. {file} är oförändrad.", err=True)
        raise typer.Exit(1)
    note = f" (förra versionen sparad som {outcome.backup.name})" if outcome.backup else ""
    typer.echo(f"Skrev resultaten till {outcome.written}{note}.")
    raise typer.Exit(1 if _has_errors(outcome.findings) else 0)


@app.command("ny", cls=SwedishCommand)
@_guarded
def new_cmd(
    out: Annotated[
        Path, typer.Option("-o", "--utfil", help="Den nya arbetsboken (.xlsx eller .xlsm)")
    ],
    source: Annotated[
        Path | None, typer.Option("--fran", help="Budgetfil (.yaml/.json) att fylla i")
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--budgetar", help="Budgetåret för en tom arbetsbok (standard: nästa kalenderår)"
        ),
    ] = None,
    xlsm: Annotated[
        bool, typer.Option("--xlsm", help="Med makron och knappar (Beräkna m.fl.)")
    ] = False,
    force: Annotated[
        bool, typer.Option("--skriv-over", help="Skriv över en befintlig fil")
    ] = False,
    unprotected: Annotated[
        bool,
        typer.Option(
            "--utan-bladskydd",
            help="Inget bladskydd (för --xlsm på Mac; Lite och --server har inget)",
        ),
    ] = False,
    lite: Annotated[
        bool | None,
        typer.Option(
            "--lite/--utan-lite",
            help="Med koden för xlwings Lite (standard för .xlsx, inte för .xlsm)",
        ),
    ] = None,
    server: Annotated[
        str | None,
        typer.Option("--server", help="Knapparna anropar servern på adressen (med --xlsm)"),
    ] = None,
) -> None:
    """Skapa en ny budgetarbetsbok, tom eller från en budgetfil."""
    if xlsm and out.suffix.lower() == ".xlsx":
        out = out.with_suffix(".xlsm")
    budget = jobs.load_budget(source, year)
    outcome = jobs.new(
        budget,
        out,
        xlsm=xlsm,
        protect=not unprotected,
        lite=lite,
        server=server,
        replace=force,
        source=source,
    )
    typer.echo(f"Skapade {out} ({len(outcome.findings)} anmärkningar i bladet Kontroller).")


@app.command("exportera", cls=SwedishCommand)
@_guarded
def export_cmd(
    file: Annotated[Path, typer.Argument(metavar="FIL", help="Arbetsboken")],
    out: Annotated[
        Path, typer.Option("-o", "--utfil", help="Budgetfil att skriva (.yaml eller .json)")
    ],
) -> None:
    """Exportera arbetsbokens budget till utbytesformatet (YAML eller JSON)."""
    outcome = jobs.export(file, out)
    if outcome.written is None:
        _print_findings(outcome.findings)
        _fail("budgeten kunde inte läsas ur arbetsboken; inget exporterades.", 1)
    typer.echo(f"Skrev {out}.")


@app.command("demo", cls=SwedishCommand)
@_guarded
def demo_cmd(
    out: Annotated[Path, typer.Option("-o", "--utfil", help="Arbetsboken som skapas")] = Path(
        "finsam-demo.xlsx"
    ),
) -> None:
    """Skapa en arbetsbok av det medföljande exemplet, räkna om den och visa resultatet."""
    from finsam_xl.jobs.budget import DEMO_EXAMPLE

    outcome = jobs.demo(out)
    _print_outcome_plan(outcome)
    _print_findings(outcome.findings)
    caught = sum(1 for f in outcome.findings if f.rule.startswith("published."))
    if caught:
        typer.echo(
            f"Felen ovan är verktygets fynd i den publicerade budgeten: {caught} tryckta summor "
            "stämmer inte med budgetens rader. Demonstrationen har gått som den ska (slutkod 0); "
            "kontrollera och berakna av samma fil avslutas med 1, eftersom budgeten har fel."
        )
    typer.echo(f"Exemplet ({DEMO_EXAMPLE}) finns i {out}. Öppna den i Excel eller LibreOffice.")


@app.command("server", cls=SwedishCommand)
@_guarded
def serve_cmd(
    host: Annotated[str, typer.Option("--adress", help="Adress att lyssna på")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port")] = 8765,
    token: Annotated[
        str | None,
        typer.Option(
            "--nyckel",
            help="Nyckel som knapparna skickar (krävs utanför localhost); "
            "helst via miljövariabeln FINSAM_XL_TOKEN",
        ),
    ] = None,
    max_mb: Annotated[float, typer.Option("--max-mb", help="Största arbetsbok i MB")] = 10,
) -> None:
    """Kör servern för Excel-knappar utan lokal Python (xlwings RunServerPython)."""
    import logging

    from finsam_xl.excel.server import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        serve(host, port, token, int(max_mb * 1024 * 1024))
    except OSError as error:  # the port is taken; settings the server refuses are a FinsamError
        _fail(str(error))


_ENCODING_HELP = (
    "Bokföringsfilens teckenkodning, om den inte känns igen: cp437 (PC8, SIE:s), utf-8, "
    "iso-8859-1 eller iso-8859-15"
)


@app.command("avstamning", cls=SwedishCommand)
@_guarded
def recon_cmd(
    file: Annotated[Path, typer.Argument(metavar="FIL", help="Arbetsboken")],
    books: Annotated[
        Path,
        typer.Argument(
            metavar="BOKFÖRING", help="Bokföringen: SIE 4-fil (.se) eller huvudbok (.csv)"
        ),
    ],
    period: Annotated[
        str | None, typer.Option("--period", help="T.o.m. månad, ÅÅÅÅ-MM (standard: helår)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ett JSON-objekt")] = False,
    no_write: Annotated[
        bool, typer.Option("--skriv-inte", help="Skriv inte bladet Avstämning")
    ] = False,
    encoding: Annotated[str | None, typer.Option("--teckenkodning", help=_ENCODING_HELP)] = None,
) -> None:
    """Stäm av budgeten mot bokföringen och skriv bladet Avstämning."""
    outcome = jobs.reconcile_workbook(file, books, period, write=not no_write, encoding=encoding)
    if as_json:
        data = outcome.recon.model_dump(mode="json", exclude={"findings"}) if outcome.recon else {}
        data["findings"] = [f.as_json() for f in outcome.findings]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for text in outcome.headline():
            typer.echo(text)
        _print_findings(outcome.findings)
        if outcome.written:
            sheets = " och ".join(outcome.sheets) or "Avstämning"
            noun = "bladen" if len(outcome.sheets) > 1 else "bladet"
            typer.echo(f"Skrev {noun} {sheets} i {outcome.written}.")
    raise typer.Exit(1 if outcome.blocked or _has_errors(outcome.findings) else 0)


@app.command("exportera-sie", cls=SwedishCommand)
@_guarded
def export_sie_cmd(
    file: Annotated[Path, typer.Argument(metavar="FIL", help="Arbetsboken")],
    out: Annotated[Path, typer.Option("-o", "--utfil", help="SIE-filen som skrivs (.se)")],
) -> None:
    """Exportera budgetårets budget som #PBUDGET per konto, kostnadsställe och månad."""
    done = jobs.export_sie(file, out)
    if done.findings:
        _print_findings(done.findings)
    typer.echo(f"Skrev {out}.")


@app.command("demo-bokforing", cls=SwedishCommand)
@_guarded
def demo_books_cmd(
    out: Annotated[
        Path,
        typer.Argument(help="SIE-filen som skrivs (standard: sodra-dalarna-2025-bokforing.se)"),
    ] = Path("sodra-dalarna-2025-bokforing.se"),
    seed: Annotated[int, typer.Option("--slumpfro", help="Slumpfrö")] = 2025,
    cash: Annotated[
        bool,
        typer.Option(
            "--kontantmassig",
            help="Kontantmässig bokföring: medlemmarnas konton krediteras direkt mot banken",
        ),
    ] = False,
    other_customers: Annotated[
        bool,
        typer.Option(
            "--andra-kunder",
            help="Lägg till fakturor på kundfordran till en kund som inte är medlem (ESF)",
        ),
    ] = False,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Skriv också samma bokföring som huvudbok (CSV)")
    ] = None,
    plan: Annotated[
        Path | None,
        typer.Option(
            "--fakturaplan",
            help="Fakturaplanen som SIE (finsam-xl fakturor -o plan.se): bokför dess fakturor "
            "och inbetalningar som anger referenserna, i stället för exemplets år",
        ),
    ] = None,
) -> None:
    """Skriv ett syntetiskt bokföringsår som passar exemplet (demo), med planterade fel."""
    if plan is not None and not plan.is_file():
        raise UsageError(f"{plan}: fakturaplanen finns inte.")
    count = jobs.write_demo_books(
        out, seed=seed, accrual=not cash, other_customers=other_customers, csv=csv, plan=plan
    )
    typer.echo(f"Skrev {out} med {count} verifikationer.")
    if csv is not None:
        typer.echo(f"Skrev {csv}.")


@app.command("nytt-ar", cls=SwedishCommand)
@_guarded
def next_year_cmd(
    file: Annotated[Path, typer.Argument(metavar="FIL", help="Årets arbetsbok (.xlsx/.xlsm)")],
    out: Annotated[
        Path, typer.Option("-o", "--utfil", help="Nästa års arbetsbok (samma filtyp som årets)")
    ],
    equity: Annotated[
        str | None,
        typer.Option(
            "--eget-kapital",
            help='Eget kapital vid årets slut enligt bokslutet, i kr ("1 665 000")',
        ),
    ] = None,
    state: Annotated[
        str | None,
        typer.Option(
            "--statlig-tilldelning", help="Statens tilldelning för det nya budgetåret, i kr"
        ),
    ] = None,
    books: Annotated[
        Path | None,
        typer.Option("--bokslut", help="SIE-fil med bokslutet: eget kapital ur #UB"),
    ] = None,
    target: Annotated[
        int | None, typer.Option("--budgetar", help="Budgetåret som ska skapas (kontroll)")
    ] = None,
    force: Annotated[
        bool, typer.Option("--skriv-over", help="Skriv över en befintlig fil")
    ] = False,
    encoding: Annotated[str | None, typer.Option("--teckenkodning", help=_ENCODING_HELP)] = None,
) -> None:
    """Skapa nästa års arbetsbok: åren flyttas ett steg, eget kapital och insatser förs över."""
    if encoding is not None and books is None:
        raise UsageError("--teckenkodning gäller bokslutsfilen; ange den med --bokslut.")
    closing = jobs.parse_amount(equity, "--eget-kapital")
    allocation = jobs.parse_amount(state, "--statlig-tilldelning")
    if closing is not None and books is not None:
        raise UsageError(
            "ange eget kapital antingen med --eget-kapital eller --bokslut, inte båda."
        )
    if allocation is not None and allocation <= 0:
        raise UsageError("--statlig-tilldelning ska vara ett positivt belopp i kronor.")
    outcome = jobs.write_next_year(
        file,
        out,
        closing_equity=closing,
        state_allocation=allocation,
        books=books,
        books_encoding=encoding,
        target_year=target,
        replace=force,
    )
    _print_outcome_plan(outcome)
    _print_findings(outcome.findings)
    if outcome.written is None or outcome.budget is None:
        typer.echo(f"Inget skrevs: rätta felen i {file} först.", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"Skapade {outcome.written} med budgetår {outcome.budget.years.budget}; "
        f"{file} är oförändrad."
    )
    raise typer.Exit(1 if _has_errors(outcome.findings) else 0)


@app.command("oversikt", cls=SwedishCommand)
@_guarded
def overview_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILER", help="Budgetfiler och mappar (.xlsx, .xlsm, .yaml, .json)"),
    ],
    out: Annotated[
        Path | None, typer.Option("-o", "--utfil", help="Översikten som skrivs (.xlsx)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv tabellerna som JSON")] = False,
    matching: Annotated[
        Path | None,
        typer.Option("--matchning", help="CSV med kolumnerna 'Namn i budgeten' och 'Medlem'"),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--processer", help="Antal processer (standard: 2)", min=1, max=8)
    ] = None,
) -> None:
    """Översikt över flera förbund: nyckeltal, medlemmarnas bidrag till alla förbund, kontroller."""
    if out is None and not as_json:
        raise UsageError("ange -o oversikt.xlsx, --json eller båda.")
    done = jobs.overview_of(files, out, matching, workers)
    result, written = done.overview, done.written
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        for refused in result.refused:
            typer.echo(f"Ej inläst: {refused.message}", err=True)
        if done.findings:
            _print_findings(done.findings)
    if written is not None:
        count = len({(r.forbund, r.budget_year) for r in result.forbund})
        typer.echo(
            f"Skrev {written}: {count} förbund, {len(result.members)} medlemmar, "
            f"{len(result.refused)} {'fil' if len(result.refused) == 1 else 'filer'} kunde inte "
            "läsas.",
            err=as_json,
        )
    raise typer.Exit(1 if result.has_problems else 0)


@app.command("lite", cls=SwedishCommand)
@_guarded
def lite_cmd(
    file: Annotated[Path, typer.Argument(metavar="FIL", help="Arbetsboken (.xlsx/.xlsm)")],
    force: Annotated[
        bool, typer.Option("--skriv-over", help="Ersätt annan Python-kod i arbetsbokens Lite")
    ] = False,
) -> None:
    """Lägg in eller uppdatera finsam_xl:s kod för xlwings Lite i en befintlig arbetsbok."""
    typer.echo(jobs.embed_lite(file, force=force))


@app.command("rapport", cls=SwedishCommand)
@_guarded
def report_cmd(
    file: Annotated[Path, typer.Argument(metavar="FIL", help="Arbetsboken (.xlsx/.xlsm)")],
    out: Annotated[
        Path, typer.Option("-o", "--utfil", help="Word-dokumentet som skrivs (.docx)")
    ] = Path("budgetavsnitt.docx"),
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Skriv även en PDF (kräver LibreOffice)")
    ] = False,
) -> None:
    """Skriv budgetavsnittet (text, tabeller, diagram) som Word-dokument att redigera."""
    done = jobs.write_report(file, out, pdf=pdf)
    if done.blocked:
        _print_findings([f for f in done.findings if f.blocking])
        _fail("; ".join(done.notes), 1)
    errors = [f for f in done.findings if f.severity.value == "error"]
    if errors:
        _print_findings(errors)
        typer.echo("Dokumentet visar arbetsbokens beräknade belopp; se över felen ovan.")
    typer.echo(f"Skrev {done.written}" + (f" och {done.pdf}" if done.pdf else "") + ".")
    if done.backup is not None:
        typer.echo(f"Den tidigare versionen sparades som {done.backup.name}.")
    for note in done.notes:
        typer.echo(note, err=True)
    raise typer.Exit(1 if pdf and done.pdf is None else 0)


@app.command("medlemsbrev", cls=SwedishCommand)
@_guarded
def letters_cmd(
    file: Annotated[
        Path, typer.Argument(help="Arbetsboken (.xlsx/.xlsm) eller budgetfilen (.yaml)")
    ],
    out: Annotated[
        Path, typer.Option("-o", "--utmapp", help="Mappen som breven skrivs i (skapas vid behov)")
    ] = Path("brev"),
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Skriv även en PDF av varje brev (kräver LibreOffice)")
    ] = False,
    contact: Annotated[
        str | None,
        typer.Option(
            "--kontakt", help='Kontaktraden, t.ex. "Anna Berg, förbundschef, 070-123 45 67"'
        ),
    ] = None,
) -> None:
    """Skriv ett brev per medlem: begäran om medlemsbidrag med belopp, delar och referenser."""
    done = jobs.write_letters(file, out, pdf=pdf, contact=contact)
    if done.written is None:  # blocked, or a budget without members: the notes say which
        _print_findings([f for f in done.findings if f.blocking])
        _fail("; ".join(done.notes), 1)
    errors = [f for f in done.findings if f.severity.value == "error"]
    if errors:
        _print_findings(errors)
        typer.echo("Breven visar arbetsbokens beräknade belopp; se över felen ovan.")
    docx = [p for p in done.files if p.suffix == ".docx"]
    typer.echo(
        f"Skrev {len(docx)} brev i {out}"
        + (" (och PDF)" if pdf and len(done.files) > len(docx) else "")
        + "."
    )
    for letter in done.letters:
        typer.echo(f"  {letter.party.name}: {letter.amount:,.0f} kr".replace(",", " "))
    for note in done.notes:
        typer.echo(note, err=True)
    raise typer.Exit(1 if pdf and len(done.files) == len(docx) else 0)


@app.command("fakturor", cls=SwedishCommand)
@_guarded
def invoices_cmd(
    file: Annotated[
        Path, typer.Argument(help="Arbetsboken (.xlsx/.xlsm) eller budgetfilen (.yaml)")
    ],
    out: Annotated[
        Path,
        typer.Option(
            "-o", "--utfil", help="Fakturaplanen: .csv (för Excel) eller .se (SIE-verifikat)"
        ),
    ] = Path("fakturaplan.csv"),
    previous: Annotated[
        Path | None,
        typer.Option("--forra", help="En tidigare fakturaplan (.csv): visa vad som ändrats"),
    ] = None,
) -> None:
    """Skriv fakturaplanen: en rad per medlem och delbetalning, med referens och förfallodag."""
    done = jobs.write_invoices(file, out, previous)
    if done.blocked or done.plan is None:
        _print_findings([f for f in done.findings if f.blocking])
        _fail("; ".join(done.notes), 1)
    if done.plan_findings:
        _print_findings(done.plan_findings)
    if done.written is None:
        _fail("Inget skrevs.", 1)
    plan = done.plan
    total = sum(i.amount for i in plan.invoices)
    typer.echo(
        f"Skrev {out}: {len(plan.invoices)} fakturor för {plan.year}, "
        + f"summa {total:,.0f} kr.".replace(",", " ")
    )
    if previous is not None:
        if done.changes:
            typer.echo(f"Ändrat sedan {previous.name}:")
            for change in done.changes:
                typer.echo(f"  {change.message}")
        else:
            typer.echo(f"Inget ändrat sedan {previous.name}.")
    for note in done.notes:
        typer.echo(note, err=True)


def main() -> None:
    """Entry point of the ``finsam-xl`` script."""
    if len(sys.argv) > 1 and sys.argv[1] in ("--version", "-V"):
        from finsam_xl import __version__

        typer.echo(f"finsam_xl {__version__}")
        return
    app()


if __name__ == "__main__":
    main()
