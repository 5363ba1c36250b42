"""Matching payments by the fakturaplan's reference (issue 21, part 3).

The fakturaplan is exported as SIE (``books.invoices.plan_sie_records``, as
``finsam-xl fakturor -o plan.se`` writes it), the synthetic books generator
takes its vouchers as the issued invoices and pays each with a payment quoting
its reference (``jobs.demo_books.plan_books``, ``demo-bokforing --fakturaplan``),
and ``reconcile`` matches every payment by reference: also two members paying
the same amount on the same day, and a member whose name is a prefix of
another's. Then: the rule on each match, a reference that names no invoice,
Uppföljning's sentences, and recon's instalments being the fakturaplan's.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import synthetic_books as sb
from typer.testing import Result

from finsam_xl.books.invoices import plan_sie_records
from finsam_xl.books.ledger import read_sie_books
from finsam_xl.core import evaluate
from finsam_xl.core.members import instalment_schedule, invoice_plan
from finsam_xl.core.receivables import capture_predicate
from finsam_xl.core.recon import Ledger, headline, reconcile
from finsam_xl.jobs.demo_books import PLAN_PAYMENT_DAYS, plan_books
from finsam_xl.model import Budget
from finsam_xl.model.recon import ReconResult
from finsam_xl.sheets.followup_sheet import member_deviations
from finsam_xl.sie import write_sie

D = Decimal


def mora_budget() -> Budget:
    """A budget of our own: Avesta and Hedemora become Mora and Morastrand, with equal keys."""
    plan = sb.budget_with_mapping()
    names = {"Avesta kommun": "Mora kommun", "Hedemora kommun": "Morastrand kommun"}
    members = [
        m.model_copy(update={"name": names[m.name], "key": D("9.5")}) if m.name in names else m
        for m in plan.members
    ]
    rules = [
        r.model_copy(update={"name": names.get(r.name, r.name)}) if r.name else r
        for r in plan.settings.mappings
    ]
    return plan.model_copy(
        update={
            "members": members,
            "settings": plan.settings.model_copy(update={"mappings": rules}),
        }
    )


def books_of(
    budget: Budget, tmp: Path, months: int = 12, skip: str = ""
) -> tuple[ReconResult, Path]:
    """Export the plan as SIE (less invoice ``skip``), write books paying it by reference,
    reconcile them."""
    plan_se, books_se = tmp / "plan.se", tmp / "bokforing.se"
    plan = invoice_plan(budget, evaluate(budget))
    plan = plan.model_copy(update={"invoices": [i for i in plan.invoices if i.reference != skip]})
    write_sie(plan_sie_records(budget, plan), plan_se)
    plan_books(plan_se, books_se)
    read = read_sie_books(books_se, capture=capture_predicate(budget))
    assert [f for f in read.findings if f.severity.value == "error"] == []
    return reconcile(budget, evaluate(budget), read.ledger, 2025, months), books_se


def payment_rules(recon: ReconResult) -> list[str]:
    return sorted(
        {
            f.rule
            for f in recon.findings
            if f.rule.startswith("recon.")
            and (
                "payment" in f.rule
                or "reference" in f.rule
                or "receivable" in f.rule
                or "credit" in f.rule
                or "invoice" in f.rule
            )
        }
    )


def test_every_payment_of_the_example_matches_by_reference(tmp_path: Path) -> None:
    budget = sb.budget_with_mapping()
    recon, _ = books_of(budget, tmp_path)
    rec = recon.receivable
    assert rec is not None and len(rec.payments) == 20
    assert {(p.method, p.rule) for p in rec.payments} == {("referens", "referens")}
    assert payment_rules(recon) == []
    for m in recon.members:
        assert m.open_to_date == 0 and m.invoiced_to_date == m.received_to_date == m.owed_year
        assert len(m.payments) == 4 and all(len(p.invoices) == 1 for p in m.payments)
    assert rec.difference == 0 and not rec.unmatched
    assert headline(recon)[1] == "Inbetalningar matchade på referens (20)."


def test_same_amount_same_day_and_a_prefix_name_match_by_reference(tmp_path: Path) -> None:
    budget = mora_budget()
    plan = invoice_plan(budget, evaluate(budget))
    mora, morastrand = plan.of("Mora kommun"), plan.of("Morastrand kommun")
    # the two pay the same amount on the same day: only the reference tells them apart
    assert [(i.day, i.amount) for i in mora] == [(i.day, i.amount) for i in morastrand]
    assert [i.reference for i in mora][:1] == ["SD-2025-MORA-1"]
    assert [i.reference for i in morastrand][:1] == ["SD-2025-MORASTRAND-1"]
    recon, books = books_of(budget, tmp_path)
    assert "Inbetalning SD-2025-MORASTRAND-1" in books.read_text(encoding="cp437")
    rec = recon.receivable
    assert rec is not None
    assert {p.rule for p in rec.payments} == {"referens"}
    assert payment_rules(recon) == []  # no ambiguity, nothing unmatched
    by_name = {m.name: m for m in recon.members}
    for name, planned in (("Mora kommun", mora), ("Morastrand kommun", morastrand)):
        m = by_name[name]
        assert m.open_to_date == 0 and m.credit_to_date == 0
        # each payment paid its own member's invoice of the same instalment
        owner = {i.voucher: i for i in m.invoices}
        assert [owner[p.invoices[0]].day for p in m.payments] == [i.day for i in planned]
        assert [p.day for p in m.payments] == [
            date.fromordinal(i.day.toordinal() + PLAN_PAYMENT_DAYS) for i in planned
        ]


def test_without_references_the_same_books_are_ambiguous(tmp_path: Path) -> None:
    """The control: strip the references and the old rules cannot tell Mora from Morastrand."""
    budget = mora_budget()
    _, books = books_of(budget, tmp_path)
    text = books.read_text(encoding="cp437")
    stripped = tmp_path / "utan.se"
    stripped.write_text(
        "\n".join(
            line.replace('"Inbetalning SD-2025-', '"Kundinbetalning X').replace(
                ' 10 "SD-2025-', ' 10 "X-'
            )
            for line in text.splitlines()
        ),
        encoding="cp437",
    )
    read = read_sie_books(stripped, capture=capture_predicate(budget))
    recon = reconcile(budget, evaluate(budget), read.ledger, 2025, 12)
    assert "recon.payment-ambiguous" in payment_rules(recon)


def test_a_reference_in_the_invoice_object_matches_and_an_unknown_one_is_a_finding(
    tmp_path: Path,
) -> None:
    budget = sb.budget_with_mapping()
    _, books = books_of(budget, tmp_path)
    text = books.read_text(encoding="cp437")
    assert '"Inbetalning SD-2025-AVESTA-1"\n{\n#TRANS 1930 {} 170060\n' in text
    assert '"Inbetalning SD-2025-SATERS-2"' in text
    # Avesta's first payment quotes its reference as the invoice object instead of in the text
    text = text.replace(
        '"Inbetalning SD-2025-AVESTA-1"\n{\n#TRANS 1930 {} 170060\n#TRANS 1510 {}',
        '"Kundinbetalning"\n{\n#TRANS 1930 {} 170060\n#TRANS 1510 {10 "SD-2025-AVESTA-1"}',
    )
    # Säter's second quotes a reference that no invoice carries
    text = text.replace('"Inbetalning SD-2025-SATERS-2"', '"Inbetalning Säter SD-2025-SATERS-9"')
    path = tmp_path / "b.se"
    path.write_text(text, encoding="cp437")
    read = read_sie_books(path, capture=capture_predicate(budget))
    recon = reconcile(budget, evaluate(budget), read.ledger, 2025, 12)
    rec = recon.receivable
    assert rec is not None
    avesta = next(m for m in recon.members if m.name == "Avesta kommun")
    assert [p.rule for p in avesta.payments] == ["referens"] * 4
    unknown = [f for f in recon.findings if f.rule == "recon.reference-unknown"]
    assert len(unknown) == 1
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "SD-2025-SATERS-9" in s)
    assert unknown[0].location is not None
    assert unknown[0].location.endswith(f"b.se:{line + 3}")  # its 1510 row
    assert "anger referensen SD-2025-SATERS-9" in unknown[0].message
    assert "har matchats på namn" in unknown[0].message
    sater = next(m for m in recon.members if m.name == "Säters kommun")
    assert sorted(p.rule for p in sater.payments) == ["namn", "referens", "referens", "referens"]
    assert sater.open_to_date == 0


def test_uppfoljning_states_invoiced_against_planned_and_paid_against_invoiced(
    tmp_path: Path,
) -> None:
    budget = sb.budget_with_mapping()
    recon, _ = books_of(budget, tmp_path, months=12)
    assert member_deviations(recon) == [
        "Alla medlemmar är fakturerade enligt fakturaplanen och har betalat det fakturerade."
    ]
    # the demo books: Säter's third invoice is never paid
    books = tmp_path / "demo.se"
    sb.make_books(books)
    read = read_sie_books(books, capture=capture_predicate(budget))
    recon = reconcile(budget, evaluate(budget), read.ledger, 2025, 12)
    sater = next(m for m in recon.members if m.name == "Säters kommun")
    assert sater.planned_to_date == sater.owed_year
    sentences = [s.replace("\u00a0", " ") for s in member_deviations(recon)]
    assert sentences == [
        "Hedemora kommun betalade en faktura för sent (40 dagar).",
        "Säters kommun har betalat 278 280 kr av fakturerade 371 040 kr; 92 760 kr är obetalt, "
        "varav 92 760 kr har förfallit.",
    ]
    # Region Dalarna's second invoice was never issued: invoiced against planned
    recon, _ = books_of(budget, tmp_path, months=6, skip="SD-2025-DALARNA-2")
    region = next(m for m in recon.members if m.name == "Region Dalarna")
    quarter = region.owed_year / 4
    assert region.planned_to_date == 2 * quarter and region.invoiced_to_date == quarter
    assert [s.replace("\u00a0", " ") for s in member_deviations(recon)] == [
        "Region Dalarna har fakturerats 386 500 kr t.o.m. 2025-06-30, 386 500 kr mindre än "
        "fakturaplanens 773 000 kr."
    ]


def test_recon_instalments_are_the_fakturaplans() -> None:
    budget = sb.budget_with_mapping()
    recon = reconcile(budget, evaluate(budget), Ledger(), 2025, 12)
    for m in recon.members:
        schedule = instalment_schedule(budget, m.owed_year, 2025)
        assert [(i.due, i.amount) for i in m.instalments] == [(d, a) for _, d, a in schedule]
        assert m.planned_to_date == m.owed_year


def test_json_and_sheet_show_the_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``avstamning --json`` carries each payment's rule; the CLI writes the plan's books."""
    from typer.testing import CliRunner

    from finsam_xl.cli import app

    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, list(args))

    assert run("demo").exit_code == 0
    assert run("fakturor", "finsam-demo.xlsx", "-o", "plan.se").exit_code == 0
    done = run("demo-bokforing", "b.se", "--fakturaplan", "plan.se")
    assert done.exit_code == 0 and "40 verifikationer" in done.stdout
    missing = run("demo-bokforing", "c.se", "--fakturaplan", "saknas.se")
    assert missing.exit_code == 2 and "saknas.se: fakturaplanen finns inte." in missing.stderr
    done = run("avstamning", "finsam-demo.xlsx", "b.se", "--period", "2025-12", "--json")
    data = json.loads(done.stdout)
    rules = {p["rule"] for p in data["receivable"]["payments"]}
    assert rules == {"referens"}
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "finsam-demo.xlsx", data_only=True)["Avstämning"]
    cells = [c.value for row in ws.iter_rows() for c in row]
    assert cells.count("referens") == 20
    follow = load_workbook(tmp_path / "finsam-demo.xlsx", data_only=True)["Uppföljning"]
    texts = [c.value for row in follow.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Enligt fakturaplanen" in texts


def test_default_demo_books_are_unchanged(tmp_path: Path) -> None:
    """The option leaves the default books as they were (docs/reconciliation.md shows them)."""
    a, b = tmp_path / "a.se", tmp_path / "b.se"
    sb.make_books(a)
    from finsam_xl.jobs.demo_books import write_demo_books

    write_demo_books(b)
    assert a.read_bytes() == b.read_bytes()
