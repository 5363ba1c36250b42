"""A synthetic year of books for the Södra Dalarna example, with planted problems.

``python tools/synthetic_books.py OUT.se`` writes an SIE 4 file; tests import
``make_books`` and ``budget_with_mapping``. About 2,000 vouchers: every budget
line of 2025 booked month by month in several vouchers, quarterly member
payments, and exactly these problems:

* Hedemora kommun pays its second instalment late (2025-06-10, due 2025-05-01);
* account 6990 (cost centre 20000) is booked but mapped to no budget line;
* cost centre 35000 (Samverkansteam Avesta) spends 15 % more than budgeted;
* the opening equity in the books (#IB 2010) is 680 000 kr, 20 000 kr below
  the budget's 700 000 kr.
"""

from __future__ import annotations

import random
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from finsam_xl.core import evaluate
from finsam_xl.core.allocation import largest_remainder
from finsam_xl.model import Budget, MappingRule, MappingTarget
from finsam_xl.model.interchange import load

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "finsam_xl" / "examples" / "sodra-dalarna-2025.yaml"
YEAR = 2025
BANK, EQUITY, UNMAPPED = "1930", "2010", "6990"
MEMBER_ACCOUNTS = {  # one revenue account per member, cost centre 50000
    "Försäkringskassan med Arbetsförmedlingen": "3591",
    "Region Dalarna": "3592",
    "Avesta kommun": "3593",
    "Hedemora kommun": "3594",
    "Säters kommun": "3595",
}
OVERSPEND_CENTRE, OVERSPEND = "35000", Decimal("1.15")
LATE_MEMBER, LATE_INSTALMENT, LATE_DAY = "Hedemora kommun", 1, date(2025, 6, 10)
EQUITY_IN_BOOKS = Decimal(680000)
UNMAPPED_AMOUNT = Decimal(6000)  # per month


def budget_with_mapping() -> Budget:
    """The Södra Dalarna budget with quarterly payments and the account mapping."""
    budget = load(EXAMPLE)
    mappings = [
        MappingRule(accounts=a, target=MappingTarget.MEMBER, name=m)
        for m, a in MEMBER_ACCOUNTS.items()
    ]
    mappings.append(MappingRule(accounts="2010-2099", target=MappingTarget.EQUITY))
    settings = budget.settings.model_copy(
        update={
            "payment_frequency": "kvartal",
            "mappings": [*budget.settings.mappings, *mappings],
        }
    )
    return budget.model_copy(update={"settings": settings})


def _split(total: Decimal, parts: int, rnd: random.Random) -> list[Decimal]:
    weights = [Decimal(rnd.randint(1, 9)) for _ in range(parts)]
    split = largest_remainder(total, weights, [f"{i:03d}" for i in range(parts)])
    assert split is not None
    return split[0]


def make_books(path: Path, seed: int = 2025) -> int:
    """Write the SIE file; returns the number of vouchers."""
    from finsam_xl.sie import (
        Account,
        Balance,
        Dimension,
        SieObject,
        Transaction,
        Voucher,
        header_records,
        write_sie,
    )

    rnd = random.Random(seed)
    budget = budget_with_mapping()
    result = evaluate(budget)
    records: list[object] = [
        *header_records(
            company_name="Södra Dalarnas Samordningsförbund (syntetisk)",
            sie_type=4,
            fiscal_years={0: (date(YEAR, 1, 1), date(YEAR, 12, 31))},
        )
    ]
    accounts: dict[str, str] = {
        BANK: "Bank",
        EQUITY: "Eget kapital",
        UNMAPPED: "Övriga externa tjänster",
    }
    centres = {c.cost_centre: c.section or "" for c in budget.costs if c.cost_centre}
    centres["50000"] = "Medlemsbidrag"
    for line in [*budget.costs, *budget.income]:
        if line.account:
            accounts[f"{line.account}10"] = line.name
    for member, account in MEMBER_ACCOUNTS.items():
        accounts[account] = f"Medlemsbidrag {member}"
    records += [Account(a, n) for a, n in sorted(accounts.items())]
    records.append(Dimension(1, "Kostnadsställe"))
    records += [SieObject(1, c, n) for c, n in sorted(centres.items())]
    records.append(Balance("IB", 0, BANK, EQUITY_IN_BOOKS))
    records.append(Balance("IB", 0, EQUITY, -EQUITY_IN_BOOKS))
    vouchers: list[Voucher] = []

    def voucher(day: date, text: str, account: str, centre: str, amount: Decimal) -> None:
        objects = ((1, centre),) if centre else ()
        rows = [
            Transaction("TRANS", account, objects, amount),
            Transaction("TRANS", BANK, (), -amount),
        ]
        vouchers.append(Voucher("A", str(len(vouchers) + 1), day, text, rows=rows))

    months = list(range(1, 13))
    for line in [*budget.costs, *budget.income]:
        annual = line.amounts.get(YEAR)
        if not annual or not line.account:
            continue
        if line.cost_centre == OVERSPEND_CENTRE:
            annual = annual * OVERSPEND
        sign = 1 if line in budget.costs else -1
        even = largest_remainder(annual, [Decimal(1)] * 12, [f"{m:02d}" for m in months])
        assert even is not None
        for month, amount in zip(months, even[0], strict=True):
            for part in _split(amount, rnd.randint(5, 8), rnd):
                voucher(
                    date(YEAR, month, rnd.randint(1, 28)),
                    line.name,
                    f"{line.account}10",
                    line.cost_centre or "",
                    sign * part,
                )
    allocation = result.allocation_for(YEAR)
    assert allocation is not None
    for index, (member, account) in enumerate(MEMBER_ACCOUNTS.items()):
        owed = allocation.amount(member)
        assert owed is not None
        quarters = largest_remainder(owed, [Decimal(1)] * 4, ["0", "1", "2", "3"])
        assert quarters is not None
        for q, amount in enumerate(quarters[0]):
            day = date(YEAR, 1 + 3 * q, 15)
            if member == LATE_MEMBER and q == LATE_INSTALMENT:
                day = LATE_DAY
            objects = ((1, "50000"),)
            rows = [
                Transaction("TRANS", BANK, (), amount),
                Transaction("TRANS", account, objects, -amount),
            ]
            number = str(4 * index + q + 1)  # unique in the series, as in real books
            vouchers.append(Voucher("B", number, day, f"Medlemsbidrag {member}", rows=rows))
    for month in months:
        voucher(date(YEAR, month, 20), "Konsultarvode", UNMAPPED, "20000", UNMAPPED_AMOUNT)
    vouchers.sort(key=lambda v: (v.date, v.series, int(v.number)))
    write_sie([*records, *vouchers], path)  # type: ignore[list-item]
    return len(vouchers)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "sodra-dalarna-2025-bokforing.se")
    print(f"skrev {out} med {make_books(out)} verifikationer")
