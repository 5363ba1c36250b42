"""Reconciliation against a synthetic year of accrual books with planted problems.

The books (tools/synthetic_books.py) are kept as an ekonomiadministration keeps
them: members invoiced each quarter on the receivable 1510 and paying against
the bank, last year's monthly pattern as #PSALDO -1. The same planted problems
must come out, and nothing else, from the SIE file, from the same books as a
general-ledger CSV, and (without the receivable) from cash-basis books.
"""

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
from finsam_xl.core.receivables import capture_predicate, member_books, name_matcher
from finsam_xl.core.recon import Ledger, reconcile
from finsam_xl.model import MappingTarget
from finsam_xl.model.recon import BookedRow, BookedVoucher, Posting, ReconResult

NBSP = "\u00a0"


def money(n: int) -> str:
    return f"{n:,}".replace(",", NBSP).replace("-", "−") + f"{NBSP}kr"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("books")
    vouchers = sb.make_books(path / "sd.se")
    assert 1800 <= vouchers <= 2300
    sb.make_books(path / "kontant.se", accrual=False)
    sb.general_ledger_csv(path / "sd.se", path / "huvudbok.csv")
    sb.make_books(path / "andra.se", other_customers=True)
    return path


def run(folder: Path, name: str, month: int, budget: object = None) -> ReconResult:
    plan = budget or sb.budget_with_mapping()
    capture = capture_predicate(plan)  # type: ignore[arg-type]
    path = folder / name
    if path.suffix == ".csv":
        opening = dict(read_sie_books(folder / "sd.se").ledger.opening)
        data = read_csv_books(path, opening=opening, capture=capture)
    else:
        data = read_sie_books(path, capture=capture)
    assert data.findings == [] and data.year == 2025
    return reconcile(plan, evaluate(plan), data.ledger, 2025, month)  # type: ignore[arg-type]


def found(recon: ReconResult) -> list[tuple[str, str]]:
    return sorted((f.rule, f.ref.key if f.ref else "") for f in recon.findings)


COMMON = [
    ("forecast.equity.below-floor", "forecast"),  # follows from the planted ones: see below
    ("recon.deviation", "section:Samverkansteam Avesta"),
    ("recon.equity-diff", "equity"),
    ("recon.unmapped", "account:6990:20000"),
]
ACCRUAL = sorted(
    [
        *COMMON,
        ("recon.invoice-unpaid", "member:Säters kommun"),
        ("recon.payment-late", "member:Hedemora kommun"),
        ("recon.payment-unmatched", "receivable"),
        ("recon.receivable-diff", "receivable"),
    ]
)


@pytest.mark.parametrize("name", ["sd.se", "huvudbok.csv"])
@pytest.mark.parametrize("month", [8, 12])
def test_accrual_books_report_exactly_the_planted_problems(
    folder: Path, name: str, month: int
) -> None:
    recon = run(folder, name, month)
    assert recon.books_kind == "periodiserad"
    assert found(recon) == ACCRUAL
    by_rule = {f.rule: f for f in recon.findings}
    assert by_rule["recon.payment-late"].message == (
        "Hedemora kommun: fakturan K 14 den 2025-04-01 (123 680 kr) förföll 2025-05-01 men "
        "betalades 2025-06-10, 40 dagar för sent (verifikation I 14)."
    ).replace(" kr", f"{NBSP}kr").replace("123 680", f"123{NBSP}680")
    assert by_rule["recon.invoice-unpaid"].message.startswith(
        f"Säters kommun: fakturan K 19 den 2025-07-01 (92{NBSP}760{NBSP}kr) förföll 2025-07-31 "
        f"och är inte betald per {recon.period_end}"
    )
    assert f"I 21 den 2025-03-20 på {money(12500)}" in by_rule["recon.payment-unmatched"].message
    assert f"(skillnad {money(3000)})" in by_rule["recon.receivable-diff"].message
    assert "M 1 2025-05-15" in by_rule["recon.receivable-diff"].message
    assert "+15,0\u00a0%" in by_rule["recon.deviation"].message
    assert money(-20000) in by_rule["recon.equity-diff"].message
    assert money(6000 * month) in by_rule["recon.unmapped"].message
    for rule in (
        "recon.payment-late",
        "recon.invoice-unpaid",
        "recon.payment-unmatched",
        "recon.unmapped",
    ):
        location = by_rule[rule].location
        assert location is not None and location.startswith(f"{name}:"), rule


@pytest.mark.parametrize("month", [8, 12])
def test_cash_basis_books_report_the_same_problems(folder: Path, month: int) -> None:
    recon = run(folder, "kontant.se", month)
    assert recon.books_kind == "kontantmässig" and recon.receivable is None
    assert found(recon) == sorted(
        [
            *COMMON,
            ("recon.payment-late", "member:Hedemora kommun"),
            ("recon.payment-late", "member:Säters kommun"),
        ]
    )
    hedemora = next(m for m in recon.members if m.name == "Hedemora kommun")
    assert [i.paid_on for i in hedemora.instalments][:2] == [date(2025, 1, 24), date(2025, 6, 10)]
    sater = next(m for m in recon.members if m.name == "Säters kommun")
    assert sater.instalments[2].paid_on is None  # the third instalment, never paid
    assert all(p.method == "kontant" for p in sater.payments)


def test_invoices_payments_and_how_each_matched(folder: Path) -> None:
    recon = run(folder, "sd.se", 8)
    members = {m.name: m for m in recon.members}
    hedemora = members["Hedemora kommun"]
    assert hedemora.accrual and hedemora.owed_year == 494720
    assert [i.amount for i in hedemora.invoices] == [123680] * 3  # Jan, Apr, Jul
    assert hedemora.invoiced_to_date == 371040 == hedemora.received_to_date
    assert hedemora.invoices[1].days_late == 40
    assert hedemora.invoices[1].paid_on == date(2025, 6, 10)
    sater = members["Säters kommun"]
    assert sater.open_to_date == sater.overdue_to_date == 92760
    assert sater.invoices[2].source.startswith("sd.se:")
    methods = {m.name: {p.method for p in m.payments} for m in recon.members}
    assert methods == {
        "Försäkringskassan med Arbetsförmedlingen": {"faktura"},
        "Region Dalarna": {"kund"},
        "Avesta kommun": {"namn"},
        "Hedemora kommun": {"belopp"},
        "Säters kommun": {"namn"},
    }
    rec = recon.receivable
    assert rec is not None and rec.accounts == ["1510"] and not rec.guessed
    # 1510: opening 394 250 (paid in January) + the invoices of Jan, Apr, Jul
    # - their payments - 12 500 unmatched + 3 000 correction
    invoiced = 3 * (773000 + 386500 + 170060 + 123680 + 92760)
    paid = invoiced - 92760
    assert rec.balance == 394250 + invoiced - 394250 - paid - 12500 + 3000 == 83260
    assert rec.open_items == 92760 - 12500 and rec.difference == 3000
    assert [p.method for p in rec.payments if p.day == date(2025, 1, 15)] == ["ingående balans"]


def test_forecast_equity_at_august(folder: Path) -> None:
    recon = run(folder, "sd.se", 8)
    f = recon.forecast
    assert f is not None
    costs = sum(x.forecast for x in recon.lines if x.element == "cost")
    income = sum(x.forecast for x in recon.lines if x.element == "income")
    # every line follows last year's (even) pattern: forecast = actual Jan-Aug x 12/8, to the
    # krona; Avesta spends 15 % more: 1 840 000 x 1.15 = 2 116 000
    avesta = next(x for x in recon.lines if x.cost_centre == "35000")
    assert abs(avesta.forecast - 2116000) <= 2 and avesta.forecast_method == "enligt fjolåret"
    assert abs(costs - (6885000 + 276000)) <= 10 and abs(income - 385000) <= 10
    assert f.unmapped == 6000 * 12  # account 6990, outside the budget
    assert f.contributions == 6184000 and f.budget_result == -316000
    assert f.result == 6184000 + income - costs - 72000
    assert f.equity_start == 680000 and f.equity_start_from == "bokföringen"
    assert f.equity_end == 680000 + f.result
    # 680 000 - 316 000 (planned deficit) - 276 000 (Avesta) - 72 000 (6990) = 16 000
    assert abs(f.equity_end - 16000) <= 10 and f.equity_end == 16000
    assert f.summary == (
        f"Prognos: eget kapital 31/12 blir {money(16000)} (0,3{NBSP}%), under styrelsens "
        f"lägsta nivå {money(400000)}. Resultat {money(-664000)} mot budgeterat {money(-316000)}."
    )
    floor = next(x for x in recon.findings if x.rule == "forecast.equity.below-floor")
    assert floor.message == (
        f"Prognos: Eget kapital vid utgången av 2025 blir {money(16000)}, under styrelsens "
        f"lägsta nivå {money(400000)} ({money(384000)} under)."
    )


@pytest.mark.parametrize("month", [5, 8, 11])
def test_quarterly_line_with_last_years_pattern_is_no_deviation(folder: Path, month: int) -> None:
    recon = run(folder, "sd.se", month)
    sater = next(x for x in recon.lines if x.cost_centre == "37000")
    assert sater.phasing_method == "fjolåret" and sater.forecast_method == "enligt fjolåret"
    assert sater.deviation == 0 and sater.forecast == 1410000
    assert not [f for f in recon.findings if f.ref and f.ref.key == "section:Samverkansteam Säter"]


def test_without_last_years_pattern_the_quarterly_line_is_a_false_alarm(folder: Path) -> None:
    """What the pattern is for: phased evenly, the quarterly grant looks 20 % too high in May."""
    plan = sb.budget_with_mapping()
    data = read_sie_books(folder / "sd.se", capture=capture_predicate(plan))
    data.ledger.periods.clear()
    recon = reconcile(plan, evaluate(plan), data.ledger, 2025, 5)
    sater = next(x for x in recon.lines if x.cost_centre == "37000")
    assert sater.phasing_method == "jämn"
    assert sater.budget_to_date == 587500 and sater.actual_to_date == 705000  # 5/12 vs 2/4
    assert ("recon.deviation", "section:Samverkansteam Säter") in found(recon)


def test_other_customers_on_the_receivable_are_left_out_and_counted(folder: Path) -> None:
    recon = run(folder, "andra.se", 8)
    rec = recon.receivable
    assert rec is not None
    assert rec.non_member_count == 2 and rec.non_member_amount == 190000
    info = next(f for f in recon.findings if f.rule == "recon.receivable-other-customers")
    assert info.message.startswith(f"2 fakturor på kundfordran ({money(190000)}) gäller andra")
    assert rec.difference == 3000  # ESF invoices paid in full: the same difference as before
    members = {m.name: m for m in recon.members}
    assert members["Avesta kommun"].invoiced_to_date == 3 * 170060
    assert sum(len(m.invoices) for m in recon.members) == 15  # the members' invoices only


def test_receivable_without_mapping_is_recognised_and_named(folder: Path) -> None:
    plan = sb.budget_with_mapping()
    rules = [r for r in plan.settings.mappings if r.target is not MappingTarget.RECEIVABLE]
    plan = plan.model_copy(
        update={"settings": plan.settings.model_copy(update={"mappings": rules})}
    )
    recon = run(folder, "sd.se", 8, plan)
    assert recon.books_kind == "periodiserad"
    assert recon.receivable is not None and recon.receivable.guessed
    assert found(recon) == sorted([*ACCRUAL, ("recon.receivable-guessed", "receivable")])


def test_name_matcher_tells_members_apart() -> None:
    named = name_matcher(
        ["Region Dalarna", "Avesta kommun", "Säters kommun", "Försäkringskassan med AF"]
    )
    assert named("Inbetalning Säter medlemsavgift") == "Säters kommun"
    assert named("INBET. AVESTA KOMMUN") == "Avesta kommun"
    assert named("Kundinbetalning kommun") is None  # a generic word names no one
    assert named("Försäkringskassan") == "Försäkringskassan med AF"
    assert named("Avesta och Säter") is None  # two members: not a match


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
    assert line.phasing_method == "periodisering"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 12), st.integers(-(10**7), 10**7)), max_size=60))
def test_ledger_sums_do_not_depend_on_order(rows: list[tuple[int, int]]) -> None:
    postings = [Posting(date(2025, m, 1), "4710", "10000", Decimal(a), "x") for m, a in rows]
    forward = Ledger().add_all(postings)
    backward = Ledger().add_all(reversed(postings))
    assert dict(forward.sums) == dict(backward.sums)
    assert sum(forward.sums.values(), Decimal(0)) == sum(Decimal(a) for _, a in rows)


AMOUNTS = st.integers(1, 500).map(lambda n: Decimal(n * 100))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(1, 300), AMOUNTS), max_size=12),
    st.lists(st.tuples(st.integers(0, 3), st.integers(1, 330), AMOUNTS), max_size=12),
    st.lists(st.tuples(st.integers(1, 330), AMOUNTS), max_size=3),
    AMOUNTS,
)
def test_open_items_and_balance_differ_by_the_other_rows_only(
    invoices: list[tuple[int, int, Decimal]],
    payments: list[tuple[int, int, Decimal]],
    corrections: list[tuple[int, Decimal]],
    opening: Decimal,
) -> None:
    """Whatever matches what: balance - open items = the rows that are neither kind."""
    plan = sb.budget_with_mapping()
    names = ["Region Dalarna", "Avesta kommun", "Säters kommun"]
    accounts = {"Region Dalarna": "3592", "Avesta kommun": "3593", "Säters kommun": "3595"}
    start = date(2025, 1, 1).toordinal()
    vouchers = []
    for n, (who, day, amount) in enumerate(invoices):
        vouchers.append(
            BookedVoucher(
                "K",
                str(n),
                date.fromordinal(start + day),
                "Faktura",
                f"x:{n}",
                (
                    BookedRow("1510", amount),
                    BookedRow(accounts[names[who]], -amount),
                ),
            )
        )
    for n, (who, day, amount) in enumerate(payments):
        text = f"Inbetalning {names[who]}" if who < 3 else "Inbetalning"
        vouchers.append(
            BookedVoucher(
                "I",
                str(n),
                date.fromordinal(start + day),
                text,
                f"y:{n}",
                (
                    BookedRow("1930", amount),
                    BookedRow("1510", -amount),
                ),
            )
        )
    for n, (day, amount) in enumerate(corrections):
        vouchers.append(
            BookedVoucher(
                "M",
                str(n),
                date.fromordinal(start + day),
                "Rättelse",
                f"z:{n}",
                (
                    BookedRow("1510", amount),
                    BookedRow("2890", -amount),
                ),
            )
        )
    balances = {
        "1510": sum((r.amount for v in vouchers for r in v.rows if r.account == "1510"), Decimal(0))
    }
    member = {a: m for m, a in accounts.items()}
    books = member_books(
        plan,
        vouchers,
        lambda r: member.get(r.account),
        {"1510": opening},
        balances,
        2025,
        date(2025, 12, 31),
    )
    rec = books.receivable
    if rec is None:
        assert not vouchers
        return
    assert rec.difference == sum((a for _, a in corrections), Decimal(0))
    paid = sum((i.paid for ms in books.invoices.values() for i in ms), Decimal(0))
    loose = sum((p.amount for p in rec.unmatched), Decimal(0))
    loose += sum((p.overpaid for p in rec.payments if p.member is not None), Decimal(0))
    assert paid + (opening - rec.opening_left) + loose == sum(
        (a for _, _, a in payments), Decimal(0)
    )
    for items in books.invoices.values():
        assert all(Decimal(0) <= i.open <= i.amount for i in items)


def ledger_of(vouchers: list[BookedVoucher]) -> Ledger:
    """A ledger as a reader fills it: the rows' sums, and the vouchers kept whole."""
    ledger = Ledger()
    for v in vouchers:
        for row in v.rows:
            centre = row.object("1") or ""
            ledger.add(Posting(v.day, row.account, centre, row.amount, v.source))
        ledger.add_voucher(v)
    ledger.captured = True
    return ledger


def test_invoice_to_prepaid_income_spread_over_the_months() -> None:
    """1510 against 2970 (prepaid income), then 2970 to the member's account each month."""
    plan = sb.budget_with_mapping()
    day = date(2025, 1, 10)
    vouchers = [
        BookedVoucher(
            "K",
            "1",
            day,
            "Faktura medlemsbidrag 2025 Avesta kommun",
            "b:1",
            (
                BookedRow("1510", Decimal(680240)),
                BookedRow("2970", Decimal(-680240)),
            ),
        ),
        BookedVoucher(
            "I",
            "1",
            date(2025, 2, 5),
            "Kundinbetalning",
            "b:5",
            (
                BookedRow("1930", Decimal(680240)),
                BookedRow("1510", Decimal(-680240)),
            ),
        ),
    ] + [
        BookedVoucher(
            "P",
            str(m),
            date(2025, m, 28),
            "Periodisering",
            f"b:{10 + m}",
            (
                BookedRow("2970", Decimal(56687)),
                BookedRow("3593", Decimal(-56687), (("1", "50000"),)),
            ),
        )
        for m in range(1, 9)
    ]
    recon = reconcile(plan, evaluate(plan), ledger_of(vouchers), 2025, 8)
    avesta = next(m for m in recon.members if m.name == "Avesta kommun")
    assert avesta.accrual and avesta.invoiced_to_date == 680240
    assert [p.method for p in avesta.payments] == ["belopp"]  # the spreading is no payment
    assert avesta.received_to_date == 680240 and avesta.open_to_date == 0
    assert recon.receivable is not None and recon.receivable.difference == 0
    assert recon.receivable.non_member_count == 0


def test_instalments_not_invoiced_are_a_finding() -> None:
    plan = sb.budget_with_mapping()
    allocation = evaluate(plan).allocation_for(2025)
    assert allocation is not None
    vouchers = []
    for n, (member, account) in enumerate(sb.MEMBER_ACCOUNTS.items()):
        quarter = (allocation.amount(member) or Decimal(0)) / 4
        for q, month in enumerate((1, 4)):  # the third quarter is never invoiced
            vouchers.append(
                BookedVoucher(
                    "K",
                    f"{n}{q}",
                    date(2025, month, 2),
                    "Faktura",
                    "c:1",
                    (
                        BookedRow("1510", quarter),
                        BookedRow(account, -quarter, (("1", "50000"),)),
                    ),
                )
            )
            vouchers.append(
                BookedVoucher(
                    "I",
                    f"{n}{q}",
                    date(2025, month, 20),
                    member,
                    "c:2",
                    (
                        BookedRow("1930", quarter),
                        BookedRow("1510", -quarter),
                    ),
                )
            )
    recon = reconcile(plan, evaluate(plan), ledger_of(vouchers), 2025, 8)
    late = [f for f in recon.findings if f.rule == "recon.not-invoiced"]
    assert len(late) == 5
    hedemora = next(f for f in late if f.message.startswith("Hedemora kommun"))
    assert f"{money(247360)}, men {money(371040)} har förfallit" in hedemora.message
    assert f"{money(123680)} är inte fakturerat" in hedemora.message
    assert not [
        f for f in recon.findings if f.rule in ("recon.invoice-unpaid", "recon.payment-late")
    ]


def test_a_credit_note_cancels_an_invoice_and_is_no_payment() -> None:
    plan = sb.budget_with_mapping()
    amount = Decimal(92760)
    vouchers = [
        BookedVoucher(
            "K",
            "1",
            date(2025, 7, 1),
            "Faktura",
            "d:1",
            (
                BookedRow("1510", amount),
                BookedRow("3595", -amount, (("1", "50000"),)),
            ),
        ),
        BookedVoucher(
            "K",
            "2",
            date(2025, 7, 5),
            "Kreditfaktura",
            "d:2",
            (
                BookedRow("1510", -amount),
                BookedRow("3595", amount, (("1", "50000"),)),
            ),
        ),
    ]
    recon = reconcile(plan, evaluate(plan), ledger_of(vouchers), 2025, 8)
    sater = next(m for m in recon.members if m.name == "Säters kommun")
    assert [p.method for p in sater.payments] == ["kreditering"]
    assert sater.received_to_date == 0 and sater.open_to_date == 0
    assert sater.invoiced_to_date == 0  # invoiced, then credited
    assert not [f for f in recon.findings if f.rule == "recon.invoice-unpaid"]


def test_kept_vouchers_are_those_of_reading_every_record(folder: Path) -> None:
    """The single pass keeps whole every voucher with a member's or receivable row, as read."""
    from finsam_xl.sie import PeriodBalance, Voucher, iter_records

    plan = sb.budget_with_mapping()
    capture = capture_predicate(plan)
    path = folder / "sd.se"
    kept = read_sie_books(path, capture=capture).ledger
    vouchers, periods = [], 0
    for record in iter_records(path):
        if isinstance(record, Voucher):
            rows = list(record.transactions())
            if any(capture(r.account) for r in rows):
                vouchers.append(
                    (
                        record.label,
                        record.date,
                        record.text,
                        [
                            (r.account, r.amount, tuple((str(d), o) for d, o in r.objects), r.text)
                            for r in rows
                        ],
                    )
                )
        elif isinstance(record, PeriodBalance) and record.kind == "PSALDO":
            periods += 1
    assert [
        (v.label, v.day, v.text, [(r.account, r.amount, r.objects, r.text) for r in v.rows])
        for v in kept.vouchers
    ] == vouchers
    assert len(vouchers) == 42 and len(kept.periods) == periods == 300
    assert all(v.source.startswith("sd.se:") for v in kept.vouchers)


@pytest.mark.parametrize(("name", "closing"), [("sd.se", 16000), ("kontant.se", 16000 - 92760)])
def test_december_is_the_year_end_comparison_with_the_closing_balances(
    folder: Path, name: str, closing: int
) -> None:
    """In December every forecast is the actuals, and #UB gives the books' closing equity.

    Accrual books: 680 000 - 664 000 = 16 000 kr, as computed. Cash-basis books have not
    booked Säters kommun's unpaid fourth instalment (92 760 kr) as income.
    """
    recon = run(folder, name, 12)
    assert all(
        x.forecast == x.actual_to_date
        for x in recon.lines
        if x.budget_year and x.forecast_method != "budget (inget konto)"
    )
    f = recon.forecast
    assert f is not None and f.equity_end == 16000 and f.equity_end_books == closing
    assert f.summary.startswith(f"Utfall: eget kapital 31/12 blir {money(16000)}")
    assert f.summary.endswith(f"Enligt bokföringen (#UB): {money(closing)}.")
