"""The ``finsam-xl`` command line (typer + rich), in Swedish.

Commands are thin: they call ``finsam_xl.jobs`` (or the core for
interchange files) and print findings the same way as the workbook shows them.
Heavy imports happen inside the commands so that ``--help`` stays fast.
Exit codes: 0 ok, 1 the budget has errors (or input errors kept anything from
being written), 2 the file could not be used at all.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from finsam_xl.model.budget import Budget
    from finsam_xl.model.findings import Finding
    from finsam_xl.model.results import Result

app = typer.Typer(
    name="finsam-xl",
    help="Budget för samordningsförbund: räkna, kontrollera och skriv Excel-arbetsboken.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

INTERCHANGE = (".yaml", ".yml", ".json")
DEMO_EXAMPLE = "sodra-dalarna-2025"


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"Fel: {message}", err=True)
    raise typer.Exit(code)


def _guard() -> tuple[type[Exception], ...]:
    """The exception types that mean 'this file cannot be used' (message is Swedish)."""
    from finsam_xl.model.interchange import InterchangeError
    from finsam_xl.workbook.safety import WorkbookError

    return (WorkbookError, InterchangeError)


def _print_findings(findings: list[Finding]) -> None:
    from rich.console import Console
    from rich.markup import escape

    from finsam_xl.workbook.writer import summary_text

    console = Console(highlight=False, soft_wrap=True)
    colours = {"error": "red", "warning": "yellow", "info": "cyan"}
    for finding in findings:
        console.print(f"[{colours[finding.severity.value]}]{escape(finding.format())}[/]")
    console.print(f"Kontroller: {summary_text(findings)}.")


def _print_plan(budget: Budget, result: Result) -> None:
    from rich.console import Console
    from rich.table import Table

    from finsam_xl.model.money import fmt_pct

    unit = budget.forbund.unit.value
    divisor = 1000 if unit == "tkr" else 1
    table = Table(title=f"{budget.forbund.name}: plan ({unit})", title_justify="left")
    table.add_column("År")
    for name in ("Bidrag", "Övr. intäkter", "Kostnader", "Resultat", "EK slut", "EK %"):
        table.add_column(name, justify="right")

    def show(value: object) -> str:
        if value is None:
            return "–"
        text = f"{value / divisor:,.0f}".replace(",", "\u00a0")  # type: ignore[operator]
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


WORKBOOKS = (".xlsx", ".xlsm")


def _expect(path: Path, kinds: tuple[str, ...], what: str) -> None:
    """Refuse a file of the wrong kind with a message that says what the command takes."""
    if path.suffix.lower() not in kinds:
        _fail(f"{path}: {what} ({', '.join(kinds)}).")


def _load_any(path: Path) -> tuple[Budget | None, Result | None, list[Finding]]:
    """Read a workbook or an interchange file and evaluate it."""
    _expect(path, WORKBOOKS + INTERCHANGE, "ange en arbetsbok eller en budgetfil")
    if path.suffix.lower() in INTERCHANGE:
        from finsam_xl.core import evaluate
        from finsam_xl.model.interchange import load

        budget = load(path)
        result = evaluate(budget)
        return budget, result, result.findings
    from finsam_xl import jobs

    outcome = jobs.check(path)
    return outcome.budget, outcome.result, outcome.findings


@app.command("check")
def check_cmd(
    file: Annotated[
        Path, typer.Argument(help="Arbetsbok (.xlsx/.xlsm) eller budgetfil (.yaml/.json)")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Skriv ett JSON-objekt i stället för text")
    ] = False,
) -> None:
    """Kontrollera en budget utan att ändra filen. Avslutar med 1 om det finns fel."""
    from finsam_xl.jobs.output import result_json
    from finsam_xl.model.findings import has_errors

    try:
        budget, result, findings = _load_any(file)
    except _guard() as error:
        if as_json:
            typer.echo(json.dumps({"error": str(error)}, ensure_ascii=False))
            raise typer.Exit(2) from None
        _fail(str(error))
    if as_json:
        typer.echo(json.dumps(result_json(result, findings), ensure_ascii=False, indent=2))
    else:
        if budget is not None and result is not None:
            _print_plan(budget, result)
        _print_findings(findings)
    raise typer.Exit(1 if has_errors(findings) or result is None else 0)


@app.command("recalc")
def recalc_cmd(
    file: Annotated[Path, typer.Argument(help="Arbetsboken som ska räknas om")],
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Skriv till en annan fil")] = None,
) -> None:
    """Räkna om planen, fördelningen och kontrollerna och skriv dem i arbetsboken."""
    from finsam_xl import jobs
    from finsam_xl.model.findings import has_errors
    from finsam_xl.workbook.safety import backup_path

    _expect(file, WORKBOOKS, "recalc tar en arbetsbok")
    try:
        outcome = jobs.recalc(file, out)
    except _guard() as error:
        _fail(str(error))
    if outcome.budget is not None and outcome.result is not None:
        _print_plan(outcome.budget, outcome.result)
    _print_findings(outcome.findings)
    if outcome.written is None:
        typer.echo(f"Inget skrevs: rätta felen i indata först. {file} är oförändrad.", err=True)
        raise typer.Exit(1)
    note = (
        f" (förra versionen sparad som {backup_path(outcome.written).name})"
        if backup_path(outcome.written).exists()
        else ""
    )
    typer.echo(f"Skrev resultaten till {outcome.written}{note}.")
    raise typer.Exit(1 if has_errors(outcome.findings) else 0)


@app.command("new")
def new_cmd(
    out: Annotated[
        Path, typer.Option("-o", "--out", help="Den nya arbetsboken (.xlsx eller .xlsm)")
    ],
    source: Annotated[
        Path | None, typer.Option("--from", help="Budgetfil (.yaml/.json) att fylla i")
    ] = None,
    year: Annotated[int | None, typer.Option("--ar", help="Budgetår för en tom arbetsbok")] = None,
    xlsm: Annotated[
        bool, typer.Option("--xlsm", help="Med makron och knappar (Beräkna m.fl.)")
    ] = False,
    force: Annotated[
        bool, typer.Option("--skriv-over", help="Skriv över en befintlig fil")
    ] = False,
    unprotected: Annotated[
        bool,
        typer.Option("--utan-bladskydd", help="Inget bladskydd (för xlwings Lite och servern)"),
    ] = False,
) -> None:
    """Skapa en ny budgetarbetsbok, tom eller från en budgetfil."""
    from datetime import date

    from finsam_xl import jobs
    from finsam_xl.model.interchange import load
    from finsam_xl.workbook.template import starter_budget

    if source is not None:
        _expect(source, INTERCHANGE, "--from tar en budgetfil i utbytesformatet")
    if out.exists() and not force:
        _fail(f"{out} finns redan; välj ett annat namn eller ange --skriv-over.")
    if xlsm and out.suffix.lower() == ".xlsx":
        out = out.with_suffix(".xlsm")
    try:
        budget = load(source) if source else starter_budget(year or date.today().year + 1)
        outcome = jobs.new(budget, out, xlsm=xlsm, protect=not unprotected)
    except _guard() as error:
        _fail(str(error))
    typer.echo(f"Skapade {out} ({len(outcome.findings)} anmärkningar i bladet Kontroller).")


@app.command("export")
def export_cmd(
    file: Annotated[Path, typer.Argument(help="Arbetsboken")],
    out: Annotated[
        Path, typer.Option("-o", "--out", help="Budgetfil att skriva (.yaml eller .json)")
    ],
) -> None:
    """Exportera arbetsbokens budget till utbytesformatet (YAML eller JSON)."""
    from finsam_xl import jobs
    from finsam_xl.model.interchange import dump

    try:
        outcome = jobs.check(file)
    except _guard() as error:
        _fail(str(error))
    if outcome.budget is None or any(f.blocking for f in outcome.findings):
        _print_findings([f for f in outcome.findings if f.blocking])
        _fail("budgeten kunde inte läsas ur arbetsboken; inget exporterades.", 1)
    _expect(out, INTERCHANGE, "export skriver en budgetfil")
    if not out.resolve().parent.is_dir():
        _fail(f"{out}: mappen {out.resolve().parent} finns inte.")
    dump(outcome.budget, out)
    typer.echo(f"Skrev {out}.")


@app.command("demo")
def demo_cmd(
    out: Annotated[Path, typer.Option("-o", "--out", help="Arbetsboken som skapas")] = Path(
        "finsam-demo.xlsx"
    ),
) -> None:
    """Skapa en arbetsbok av det medföljande exemplet, räkna om den och visa resultatet."""
    from finsam_xl import jobs
    from finsam_xl.model.interchange import load

    example = Path(__file__).parent / "examples" / f"{DEMO_EXAMPLE}.yaml"
    from finsam_xl.workbook.safety import backup_path

    backup = backup_path(out)
    had_backup = backup.exists()
    try:
        jobs.new(load(example), out)
        outcome = jobs.recalc(out)
    except _guard() as error:
        _fail(str(error))
    if outcome.budget is not None and outcome.result is not None:
        _print_plan(outcome.budget, outcome.result)
    _print_findings(outcome.findings)
    if not had_backup:
        backup.unlink(missing_ok=True)  # the demo's own first version is no user data
    typer.echo(f"Exemplet ({DEMO_EXAMPLE}) finns i {out}. Öppna den i Excel eller LibreOffice.")


@app.command("serve")
def serve_cmd(
    host: Annotated[str, typer.Option("--host", help="Adress att lyssna på")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port")] = 8765,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="Nyckel som knapparna skickar (krävs utanför localhost); "
            "helst via miljövariabeln FINSAM_XL_TOKEN",
        ),
    ] = None,
    max_mb: Annotated[float, typer.Option("--max-mb", help="Största arbetsbok i MB")] = 10,
) -> None:
    """Kör servern för Excel-knappar utan lokal Python (xlwings RunServerPython)."""
    import logging

    from finsam_xl.excel.server import ServerConfigError, serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        serve(host, port, token, int(max_mb * 1024 * 1024))
    except (ServerConfigError, OSError) as error:
        _fail(str(error))


@app.command("avstamning")
def recon_cmd(
    file: Annotated[Path, typer.Argument(help="Arbetsboken")],
    books: Annotated[
        Path, typer.Argument(help="Bokföringen: SIE 4-fil (.se) eller huvudbok (.csv)")
    ],
    period: Annotated[
        str | None, typer.Option("--period", help="T.o.m. månad, ÅÅÅÅ-MM (standard: helår)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ett JSON-objekt")] = False,
    no_write: Annotated[
        bool, typer.Option("--skriv-inte", help="Skriv inte bladet Avstämning")
    ] = False,
) -> None:
    """Stäm av budgeten mot bokföringen och skriv bladet Avstämning."""
    from finsam_xl import jobs
    from finsam_xl.books.ledger import BooksError
    from finsam_xl.model.findings import has_errors

    errors: tuple[type[Exception], ...] = (*_guard(), BooksError)
    try:
        outcome = jobs.reconcile_workbook(file, books, period, write=not no_write)
    except errors as error:
        _fail(str(error))
    if as_json:
        data = outcome.recon.model_dump(mode="json", exclude={"findings"}) if outcome.recon else {}
        data["findings"] = [f.as_json() for f in outcome.findings]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        from finsam_xl.core.recon import headline

        for text in headline(outcome.recon) if outcome.recon else []:
            typer.echo(text)
        _print_findings(outcome.findings)
        if outcome.written:
            sheets = " och ".join(outcome.sheets) or "Avstämning"
            noun = "bladen" if len(outcome.sheets) > 1 else "bladet"
            typer.echo(f"Skrev {noun} {sheets} i {outcome.written}.")
    raise typer.Exit(1 if outcome.recon is None or has_errors(outcome.findings) else 0)


@app.command("export-sie")
def export_sie_cmd(
    file: Annotated[Path, typer.Argument(help="Arbetsboken")],
    out: Annotated[Path, typer.Option("-o", "--out", help="SIE-filen som skrivs (.se)")],
) -> None:
    """Exportera budgetårets budget som #PBUDGET per konto, kostnadsställe och månad."""
    from finsam_xl import jobs

    try:
        findings = jobs.export_sie(file, out)
    except _guard() as error:
        _fail(str(error))
    if findings:
        _print_findings(findings)
    typer.echo(f"Skrev {out}.")


@app.command("nytt-ar")
def next_year_cmd(
    file: Annotated[Path, typer.Argument(help="Årets arbetsbok (.xlsx/.xlsm)")],
    out: Annotated[
        Path, typer.Option("-o", "--out", help="Nästa års arbetsbok (samma filtyp som årets)")
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
        int | None, typer.Option("--till-ar", help="Budgetåret som ska skapas (kontroll)")
    ] = None,
    force: Annotated[
        bool, typer.Option("--skriv-over", help="Skriv över en befintlig fil")
    ] = False,
) -> None:
    """Skapa nästa års arbetsbok: åren flyttas ett steg, eget kapital och insatser förs över."""
    from decimal import Decimal

    from finsam_xl.model.findings import has_errors
    from finsam_xl.model.money import parse_number_text
    from finsam_xl.workbook.rollover import next_year

    def amount(text: str | None, option: str) -> Decimal | None:
        if text is None:
            return None
        try:
            return parse_number_text(text)
        except ValueError:
            _fail(f"{option}: '{text}' är inget belopp i kronor (t.ex. \"1 665 000\").")

    closing, allocation = amount(equity, "--eget-kapital"), amount(state, "--statlig-tilldelning")
    if closing is not None and books is not None:
        _fail("ange eget kapital antingen med --eget-kapital eller --bokslut, inte båda.")
    if allocation is not None and allocation <= 0:
        _fail("--statlig-tilldelning ska vara ett positivt belopp i kronor.")
    if out.exists() and not force:
        _fail(f"{out} finns redan; välj ett annat namn eller ange --skriv-over.")
    try:
        outcome = next_year(
            file,
            out,
            closing_equity=closing,
            state_allocation=allocation,
            books=books,
            target_year=target,
        )
    except _guard() as error:
        _fail(str(error))
    if outcome.budget is not None and outcome.result is not None:
        _print_plan(outcome.budget, outcome.result)
    _print_findings(outcome.findings)
    if outcome.written is None or outcome.budget is None:
        typer.echo(f"Inget skrevs: rätta felen i {file} först.", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"Skapade {outcome.written} med budgetår {outcome.budget.years.budget}; "
        f"{file} är oförändrad."
    )
    raise typer.Exit(1 if has_errors(outcome.findings) else 0)


def main() -> None:
    """Entry point of the ``finsam-xl`` script."""
    if len(sys.argv) > 1 and sys.argv[1] in ("--version", "-V"):
        from finsam_xl import __version__

        typer.echo(f"finsam_xl {__version__}")
        return
    app()


if __name__ == "__main__":
    main()
