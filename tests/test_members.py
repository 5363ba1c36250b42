"""Issue 21: the members' letters, the fakturaplan (sheet, CSV, SIE), the overview's instalments."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shlex
import shutil
import subprocess
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import EXAMPLE_NAMES, EXAMPLES
from typer.testing import CliRunner

from finsam_xl.books.invoices import plan_csv, read_previous
from finsam_xl.cli import app
from finsam_xl.core.document import not1_table
from finsam_xl.core.evaluate import evaluate
from finsam_xl.core.letters import member_letters
from finsam_xl.core.members import (
    REFERENCE_RE,
    compare_plans,
    find_references,
    instalment_schedule,
    invoice_plan,
    parties,
)
from finsam_xl.core.overview import build_overview, summarise
from finsam_xl.model import interchange
from finsam_xl.model.budget import Budget, PaymentFrequency, Unit
from finsam_xl.sie import read_sie

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
WHEN = datetime(2026, 1, 15, 9, 0)
runner = CliRunner()


def _budget(name: str) -> Budget:
    return interchange.load(EXAMPLES / f"{name}.yaml")


def own_tkr_budget() -> Budget:
    """A budget of our own in tkr: an odd total, monthly instalments, population keys."""
    budget = _budget("sodra-dalarna-2025")
    data = interchange.to_data(budget)
    data["forbund"]["unit"] = "tkr"
    data["settings"]["payment_frequency"] = "manad"
    data["keys"]["kommun"] = "befolkning"
    data["keys"]["note"] = "befolkning 2023-11-01"
    for member, population in zip(
        [m for m in data["members"] if m["kind"] == "kommun"],
        [23_456, 15_321, 11_017],
        strict=True,
    ):
        member["key"] = population
    for entry in data["contributions"]:
        if entry["year"] == 2025:
            entry["amount"] = 6_184_003
            entry["mode"] = "total"
    return interchange.budget_from_data(data)


BUDGETS = {**{n: (lambda n=n: _budget(n)) for n in EXAMPLE_NAMES}, "egen-tkr": own_tkr_budget}


@pytest.mark.parametrize("name", list(BUDGETS))
def test_letters_carry_not1_and_allocation_and_instalments_sum_to_the_krona(name: str) -> None:
    budget = BUDGETS[name]()
    result = evaluate(budget)
    year = budget.years.budget
    allocation = result.allocation_for(year)
    assert allocation is not None
    note = {r.name: r for r in not1_table(budget, result).rows}
    letters = member_letters(budget, result)
    assert [letter.party.name for letter in letters] == [p.name for p in parties(budget)]
    covered = [m for letter in letters for m in letter.party.members]
    assert sorted(covered) == sorted(m.name for m in budget.members)
    for letter in letters:
        expected = sum((allocation.amount(m) or Decimal(0)) for m in letter.party.members)
        assert letter.amount == expected  # Fördelning
        assert letter.amount == sum(note[m].amounts[year] for m in letter.party.members)  # Not 1
        for y in letter.years:  # every plan year as in Not 1
            assert y.amount == sum(note[m].amounts[y.year] for m in letter.party.members)
        assert sum(i.amount for i in letter.instalments) == letter.amount
        assert all(i.reference in letter.payment_text or i.number > 1 for i in letter.instalments)
        text = " ".join(letter.paragraphs)
        assert f"{int(letter.amount):,}".replace(",", "\u00a0") in text
    plan = invoice_plan(budget, result)
    assert sum(i.amount for i in plan.invoices) == allocation.total
    for member in budget.members:  # each member row's parts add up to its contribution
        rows = [r.amount for i in plan.invoices for r in i.rows if r.member == member.name]
        assert sum(rows) == (allocation.amount(member.name) or 0)


def test_the_state_side_is_one_party_with_its_half() -> None:
    budget = _budget("fryksdalen-2022")
    letters = member_letters(budget, evaluate(budget))
    state = letters[0]
    assert state.party.members == ["Försäkringskassan", "Arbetsförmedlingen"]
    assert state.party.name == "Försäkringskassan och Arbetsförmedlingen"
    assert state.amount == Decimal(1_505_000)
    # Fryksdalen's state pays fixed amounts (49.3 %); the letter gives the lawful half too
    assert "hade det varit 1\u00a0528\u00a0070\u00a0kr" in state.key_text
    assert state.instalments[0].reference == "FRYK-2022-STATEN-1"
    assert [r.amount for r in state.instalments[0].rows] == [752_500, 752_500]


def test_odd_kronor_go_to_the_first_instalments() -> None:
    budget = own_tkr_budget()
    parts = [a for _d, _due, a in instalment_schedule(budget, Decimal(1003), 2025)]
    assert parts == [84] * 7 + [83] * 5 and sum(parts) == 1003
    quarterly = budget.model_copy(
        update={"settings": budget.settings.model_copy(update={"payment_frequency": "kvartal"})}
    )
    schedule = instalment_schedule(quarterly, Decimal(1003), 2025)
    assert [a for *_, a in schedule] == [251, 251, 251, 250]
    assert [(d.isoformat(), due.isoformat()) for d, due, _ in schedule][1] == (
        "2025-04-01",
        "2025-05-01",
    )


def test_references_are_stable_and_a_changed_amount_keeps_them() -> None:
    budget = _budget("sodra-dalarna-2025")
    first = invoice_plan(budget, evaluate(budget))
    again = invoice_plan(_budget("sodra-dalarna-2025"), evaluate(_budget("sodra-dalarna-2025")))
    assert [i.reference for i in first.invoices] == [i.reference for i in again.invoices]
    assert first.invoices[8].reference == "SD-2025-AVESTA-1"
    assert all(REFERENCE_RE.fullmatch(i.reference) for i in first.invoices)
    data = interchange.to_data(budget)
    for entry in data["contributions"]:
        if entry["year"] == 2025:
            entry["amount"] = int(entry["amount"]) + 10_000
    changed = interchange.budget_from_data(data)
    later = invoice_plan(changed, evaluate(changed))
    assert [i.reference for i in later.invoices] == [i.reference for i in first.invoices]
    previous = read_previous(plan_csv(first), "fakturaplan.csv")
    changes = compare_plans(previous, later)
    assert changes and all(c.before is not None and c.after is not None for c in changes)
    avesta = next(c for c in changes if c.reference == "SD-2025-AVESTA-1")
    assert avesta.message.startswith("SD-2025-AVESTA-1 (Avesta kommun): beloppet 170")
    assert compare_plans(previous, first) == []


def test_references_are_found_in_voucher_texts_and_a_prefix_name_stays_apart() -> None:
    text = "Inbet. Ale kommun ref sd-2025-ale-2, även SD-2025-ALESUND-1"
    assert find_references(text) == ["SD-2025-ALE-2", "SD-2025-ALESUND-1"]
    assert find_references("XSD-2025-ALE-22-") == []


def test_plan_csv_opens_in_excel_and_reads_back(tmp_path: Path) -> None:
    source = EXAMPLES / "sodra-dalarna-2025.yaml"
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    out = tmp_path / "fakturaplan.csv"
    result = runner.invoke(app, ["fakturor", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Skrev" in result.output and "20 fakturor för 2025, summa 6 184 000 kr" in result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Referens", "Medlem", "Kund"] and len(rows) == 21
    assert sum(int(r[7]) for r in rows[1:]) == 6_184_000
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    again = runner.invoke(
        app, ["fakturor", str(source), "-o", str(tmp_path / "b.csv"), "--forra", str(out)]
    )
    assert "Inget ändrat sedan fakturaplan.csv." in again.output


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_plan_csv_round_trips_through_libreoffice(tmp_path: Path) -> None:
    out = tmp_path / "fakturaplan.csv"
    assert (
        runner.invoke(
            app, ["fakturor", str(EXAMPLES / "sodra-dalarna-2025.yaml"), "-o", str(out)]
        ).exit_code
        == 0
    )
    profile = (tmp_path / "profile").as_uri()
    # semicolon (59), UTF-8 (76), first line 1, Swedish locale; back to .xlsx
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--infilter=CSV:59,34,76,1,,1053",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    import openpyxl

    ws = openpyxl.load_workbook(tmp_path / "fakturaplan.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Referens"
    plan = invoice_plan(_budget("sodra-dalarna-2025"), evaluate(_budget("sodra-dalarna-2025")))
    assert [(r[0], r[7]) for r in rows[1:]] == [(i.reference, int(i.amount)) for i in plan.invoices]
    assert all(isinstance(r[7], int | float) for r in rows[1:])  # numbers, not text


def test_plan_as_sie_customer_invoices(tmp_path: Path) -> None:
    out = tmp_path / "fakturaplan.se"
    result = runner.invoke(
        app, ["fakturor", str(EXAMPLES / "sodra-dalarna-2025.yaml"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    sie = read_sie(out)
    vouchers = sie.vouchers
    assert len(vouchers) == 20
    dims = {k: getattr(v, "name", v) for k, v in sie.dimensions.items()}
    assert dims == {8: "Kund", 10: "Faktura"}
    for voucher in vouchers:
        assert voucher.total() == 0
        debit = [t for t in voucher.transactions() if t.amount > 0]
        assert len(debit) == 1 and debit[0].account == "1510"
        objects = dict(debit[0].objects)
        assert voucher.text.endswith(objects[10]) and REFERENCE_RE.fullmatch(objects[10])
    first = vouchers[8]
    assert [(t.account, t.amount) for t in first.transactions()] == [
        ("1510", Decimal(170_060)),
        ("3593", Decimal(-170_060)),
    ]


def test_sie_is_refused_when_a_member_has_no_account(tmp_path: Path) -> None:
    source = EXAMPLES / "fryksdalen-2022.yaml"
    out = tmp_path / "f.se"
    result = runner.invoke(app, ["fakturor", str(source), "-o", str(out)])
    assert result.exit_code == 1
    assert "Inget intäktskonto för Försäkringskassan, Arbetsförmedlingen" in result.output
    assert not out.exists()


def test_letters_are_refused_for_a_workbook_with_input_errors(tmp_path: Path) -> None:
    data = interchange.to_data(_budget("sodra-dalarna-2025"))
    data["members"].append(dict(data["members"][-1]))  # the same member twice: an input error
    source = tmp_path / "fel.yaml"
    interchange.dump(interchange.budget_from_data(data), source)
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    result = runner.invoke(app, ["medlemsbrev", str(source), "-o", str(tmp_path / "brev")])
    assert result.exit_code == 1
    assert "Inga brev skrevs: rätta felen i fel.yaml först." in result.output
    assert not (tmp_path / "brev").exists() or not list((tmp_path / "brev").iterdir())
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before


def test_letter_document_has_the_figures(tmp_path: Path) -> None:
    from finsam_xl.jobs import write_letters

    done = write_letters(
        EXAMPLES / "sodra-dalarna-2025.yaml",
        tmp_path / "brev",
        when=WHEN,
        contact="Anna Berg, förbundschef, 070-123 45 67",
    )
    names = sorted(p.name for p in done.files)
    assert names == [
        f"medlemsbrev-2025-{c}.docx" for c in ("avesta", "dalarna", "hedemora", "saters", "staten")
    ]
    xml = (
        zipfile.ZipFile(tmp_path / "brev" / "medlemsbrev-2025-avesta.docx")
        .read("word/document.xml")
        .decode("utf-8")
    )
    text = re.sub(r"<[^>]+>", "", xml)
    for expected in (
        "Begäran om medlemsbidrag 2025 med plan 2026–2028",
        "Till: Avesta kommun",
        "fastställde den 20 november 2024",
        "680\u00a0240",
        "SD-2025-AVESTA-4",
        "170\u00a0060",
        "2025-05-01",
        "Anna Berg, förbundschef",
    ):
        assert expected in text, expected


def test_new_workbook_has_the_fakturaplan_and_an_older_one_still_recalculates(
    tmp_path: Path,
) -> None:
    import openpyxl

    book = tmp_path / "b.xlsx"
    assert runner.invoke(
        app, ["ny", "--fran", str(EXAMPLES / "sodra-dalarna-2025.yaml"), "-o", str(book)]
    ).exit_code in (0, 1)
    runner.invoke(app, ["berakna", str(book)])
    ws = openpyxl.load_workbook(book)["Fakturaplan"]
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert rows[0][:2] == ("SD-2025-STATEN-1", "Försäkringskassan med Arbetsförmedlingen")
    summa = next(r for r in rows if r[0] == "Summa")
    assert summa[6] == 6_184_000
    # a workbook made before the sheet: the same book without its defined name
    copy = tmp_path / "old.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(copy, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                text = re.sub(
                    r'<definedName name="fx_fakturaplan"[^>]*>[^<]*</definedName>', "", text
                )
                assert "fx_fakturaplan" not in text
                data = text.encode("utf-8")
            dst.writestr(info, data)
    result = runner.invoke(app, ["berakna", str(copy)])
    assert result.exit_code in (0, 1), result.output
    assert "Internt" not in result.output and "internt" not in result.output
    status = openpyxl.load_workbook(copy)["Plan"]
    found = [
        c.value
        for row in status.iter_rows()
        for c in row
        if isinstance(c.value, str) and "Fakturaplan finns inte" in c.value
    ]
    assert found


def test_overview_lists_a_members_instalments_by_due_date() -> None:
    a = _budget("sodra-dalarna-2025")
    data = interchange.to_data(a)
    data["forbund"]["name"] = "Samordningsförbundet Västra Dalarna"
    data["settings"]["payment_frequency"] = "halvar"
    b = interchange.budget_from_data(data)
    summaries = [summarise(x, evaluate(x), [], f"{i}.xlsx") for i, x in enumerate((a, b))]
    overview = build_overview(summaries)
    avesta = [i for i in overview.instalments if i.member == "Avesta kommun"]
    assert [i.due for i in avesta] == sorted(i.due for i in avesta)
    assert {i.forbund for i in avesta} == {a.forbund.name, b.forbund.name}
    assert len(avesta) == 4 + 2
    assert {i.reference[:3] for i in avesta} == {"SD-", "VD-"}
    assert sum(i.amount for i in avesta) == 2 * 680_240
    assert {i.member for i in overview.instalments if i.kind.value == "stat"} == {"Staten"}


def test_overview_workbook_has_the_inbetalningar_sheet(tmp_path: Path) -> None:
    import openpyxl

    folder = tmp_path / "in"
    folder.mkdir()
    for name in EXAMPLE_NAMES:
        shutil.copy(EXAMPLES / f"{name}.yaml", folder)
    out = tmp_path / "ov.xlsx"
    result = runner.invoke(app, ["oversikt", str(folder), "-o", str(out)])
    assert out.exists(), result.output
    ws = openpyxl.load_workbook(out)["Inbetalningar"]
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert rows[0][:2] == ("Staten", "2022-01-31")
    assert sum(r[5] for r in rows) == sum(
        invoice_plan(b, evaluate(b)).invoices[0].amount * 0
        + sum(i.amount for i in invoice_plan(b, evaluate(b)).invoices)
        for b in (_budget(n) for n in EXAMPLE_NAMES)
    )


def test_unit_does_not_change_invoiced_kronor() -> None:
    budget = own_tkr_budget()
    assert budget.forbund.unit is Unit.TKR
    plan = invoice_plan(budget, evaluate(budget))
    assert sum(i.amount for i in plan.invoices) == 6_184_003
    assert len({i.number for i in plan.invoices}) == 12


def test_the_members_walkthrough_runs_from_an_empty_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every ```bash block after a ``<!-- walkthrough -->`` comment in docs/members.md runs,
    and leaves the files it says. In process: tests/test_walkthroughs.py runs the same
    blocks in a shell, with the installed command."""
    from support import ROOT
    from typer.testing import CliRunner

    from finsam_xl.cli import app

    text = (ROOT / "docs" / "members.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- walkthrough -->\n```bash\n(.*?)```", text, re.S)
    assert len(blocks) == 6
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        for line in filter(None, (x.strip() for x in block.splitlines())):
            assert line.startswith("finsam-xl ")
            command, _, shown = line.partition("  # ")  # the comment: what it prints
            done = CliRunner().invoke(app, shlex.split(command)[1:])
            assert done.exit_code == 0, (line, done.stdout, done.stderr)
            assert shown.strip() in done.stdout.replace("\u00a0", " "), (line, done.stdout)
    assert len(list((tmp_path / "brev").glob("*.docx"))) == 5
    assert (tmp_path / "fakturaplan.se").exists() and (tmp_path / "fakturaplan-ny.csv").exists()
    assert "Inbetalningar matchade på referens (20)." in done.stdout  # the last: avstamning


def test_the_letter_states_the_decision_and_a_revision() -> None:
    from datetime import date

    budget = _budget("sodra-dalarna-2025").model_copy(update={"revised": date(2025, 3, 12)})
    letter = member_letters(budget, evaluate(budget))[0]
    assert letter.decision == (
        "Styrelsen för Södra Dalarnas Samordningsförbund fastställde den 20 november 2024 "
        "budgeten för 2025 med plan för 2026–2028 och reviderade den den 12 mars 2025."
    )


@settings(max_examples=200, deadline=None)
@given(
    amount=st.integers(min_value=0, max_value=10**12),
    frequency=st.sampled_from(list(PaymentFrequency)),
)
def test_instalments_add_up_and_the_first_carry_the_odd_kronor(
    amount: int, frequency: PaymentFrequency
) -> None:
    budget = _budget("sodra-dalarna-2025")
    budget = budget.model_copy(
        update={"settings": budget.settings.model_copy(update={"payment_frequency": frequency})}
    )
    parts = [a for *_, a in instalment_schedule(budget, Decimal(amount), 2025)]
    assert sum(parts) == amount
    assert max(parts) - min(parts) <= 1
    assert parts == sorted(parts, reverse=True)  # the odd kronor on the first instalments
