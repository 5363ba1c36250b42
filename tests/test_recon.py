"""Reconciliation against a synthetic year of books with four planted problems."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import synthetic_books as sb
from hypothesis import given, settings
from hypothesis import strategies as st

from finsam_xl.books.ledger import read_csv_books, read_sie_books
from finsam_xl.core import evaluate
from finsam_xl.core.recon import Ledger, reconcile
from finsam_xl.model.recon import Posting


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("books") / "sd.se"
    vouchers = sb.make_books(path)
    assert 1800 <= vouchers <= 2300
    return path


@pytest.mark.parametrize("month", [8, 12])
def test_reports_exactly_the_planted_problems(books: Path, month: int) -> None:
    budget = sb.budget_with_mapping()
    data = read_sie_books(books)
    assert data.findings == [] and data.year == 2025
    recon = reconcile(budget, evaluate(budget), data.ledger, 2025, month)
    found = sorted((f.rule, f.ref.key if f.ref else "") for f in recon.findings)
    assert found == [
        ("recon.deviation", "section:Samverkansteam Avesta"),
        ("recon.equity-diff", "equity"),
        ("recon.payment-late", "member:Hedemora kommun"),
        ("recon.unmapped", "account:6990:20000"),
    ]
    by_rule = {f.rule: f for f in recon.findings}
    assert "+15,0\u00a0%" in by_rule["recon.deviation"].message
    assert "2025-06-10" in by_rule["recon.payment-late"].message
    assert "−20\u00a0000\u00a0kr" in by_rule["recon.equity-diff"].message
    assert by_rule["recon.unmapped"].location is not None
    assert by_rule["recon.unmapped"].location.startswith("sd.se:")
    assert f"{6000 * month:,}".replace(",", "\u00a0") in by_rule["recon.unmapped"].message


def test_figures_per_line_member_and_equity(books: Path) -> None:
    budget = sb.budget_with_mapping()
    recon = reconcile(budget, evaluate(budget), read_sie_books(books).ledger, 2025, 8)
    avesta = next(s for s in recon.sections if s.section == "Samverkansteam Avesta")
    assert avesta.budget_year == 1840000
    assert avesta.budget_to_date == Decimal(1840000 * 8 / 12).quantize(Decimal(1))
    assert abs(avesta.actual_to_date - Decimal("1.15") * avesta.budget_to_date) < 2
    admin = next(s for s in recon.sections if s.section == "Administration")
    # net of the ESF income netted in it; each line's phased budget rounds to the krona,
    # and the books put a line's odd kronor in its first months
    assert abs(admin.actual_to_date - admin.budget_to_date) <= 14
    hedemora = next(m for m in recon.members if m.name == "Hedemora kommun")
    assert hedemora.owed_year == 494720 and hedemora.owed_to_date == 494720 * 3 / 4
    assert [i.late for i in hedemora.instalments] == [False, True, False, False]
    assert recon.equity.books == 680000 and recon.equity.assumed == 700000
    line = next(x for x in recon.lines if x.name == "Bidrag" and x.cost_centre == "36000")
    assert line.actual_by_month[8:] == [0, 0, 0, 0]  # after the period: not counted
    assert abs(sum(line.actual_by_month) - 1615000 * Decimal(8) / 12) < 2
    assert abs(line.forecast - 1615000) <= 3 and line.forecast_method == "linjär"


def test_entered_forecast_and_phasing_are_used() -> None:
    budget = sb.budget_with_mapping()
    costs = list(budget.costs)
    weights = [Decimal(1)] * 6 + [Decimal(0)] + [Decimal(1)] * 5  # nothing in July
    costs[0] = costs[0].model_copy(update={"forecast": Decimal(50000), "phasing": weights})
    budget = budget.model_copy(update={"costs": costs})
    ledger = Ledger()
    ledger.add(Posting(date(2025, 3, 1), "4710", "10000", Decimal(30000), "x:1"))
    recon = reconcile(budget, evaluate(budget), ledger, 2025, 8)
    line = recon.lines[0]
    assert line.budget_to_date == (Decimal(45000) * 7 / 11).quantize(Decimal(1))
    assert line.forecast == 50000 and line.forecast_method == "angiven"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 12), st.integers(-(10**7), 10**7)), max_size=60))
def test_ledger_sums_do_not_depend_on_order(rows: list[tuple[int, int]]) -> None:
    postings = [Posting(date(2025, m, 1), "4710", "10000", Decimal(a), "x") for m, a in rows]
    forward = Ledger().add_all(postings)
    backward = Ledger().add_all(reversed(postings))
    assert dict(forward.sums) == dict(backward.sums)
    assert sum(forward.sums.values(), Decimal(0)) == sum(Decimal(a) for _, a in rows)


def test_general_ledger_csv_feeds_the_same_reconciliation(tmp_path: Path, books: Path) -> None:
    data = read_sie_books(books)
    csv_path = tmp_path / "huvudbok.csv"
    lines = ["Datum;Konto;Kostnadsställe;Belopp"]
    for (account, centre, day), amount in sorted(data.ledger.sums.items()):
        lines.append(f"{day.isoformat()};{account};{centre};{str(amount).replace('.', ',')}")
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    csv_books = read_csv_books(csv_path, opening=dict(data.ledger.opening))
    budget = sb.budget_with_mapping()
    result = evaluate(budget)
    a = reconcile(budget, result, data.ledger, 2025, 8)
    b = reconcile(budget, result, csv_books.ledger, 2025, 8)
    assert [s.actual_to_date for s in a.sections] == [s.actual_to_date for s in b.sections]
    assert sorted(f.rule for f in a.findings) == sorted(f.rule for f in b.findings)
