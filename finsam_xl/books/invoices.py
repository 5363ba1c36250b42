"""The fakturaplan as files for the accounting side: a CSV for Excel and SIE customer invoices.

**CSV** (``fakturaplan.csv``): UTF-8 with a byte-order mark, semicolon
separated, one row per party and instalment, in the columns ``CSV_COLUMNS``.
Amounts are whole kronor written without thousands separators (öre, should
there ever be any, with a decimal comma), dates ``ÅÅÅÅ-MM-DD``: Excel with
Swedish settings opens it as a table with numbers and dates.
``read_previous`` reads such a file back (by header, so columns may be moved)
for ``--forra``.

**SIE** (``fakturaplan.se``): an SIE 4 file (#SIETYP 4) of customer-invoice
vouchers, one per invoice, unnumbered so that the importing program numbers
them: the receivable (debit, the Kundfordran account of Kontomappning, default
1510) with the customer object (dimension 8) and the invoice reference as the
invoice object (dimension 10), and a credit row per member on the account
Kontomappning maps the member to. ``#DIM`` and ``#OBJEKT`` declare the objects.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from finsam_xl.core.members import DIM_CUSTOMER, DIM_INVOICE, InvoicePlan
from finsam_xl.model.budget import Budget
from finsam_xl.model.money import NBSP
from finsam_xl.sie import Account, Dimension, SieObject, header_records
from finsam_xl.sie.records import Record, Transaction, Voucher

CSV_COLUMNS = (
    "Referens",
    "Medlem",
    "Kund",
    "År",
    "Del",
    "Fakturadatum",
    "Förfallodag",
    "Belopp",
    "Konto",
    "Kundfordran",
    "Text",
)
SERIES = "F"


def csv_amount(value: Decimal) -> str:
    """An amount for the CSV: '386500', or '386500,50' with öre."""
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value:.2f}".replace(".", ",")


def plan_csv(plan: InvoicePlan) -> str:
    """The fakturaplan as CSV text (without the byte-order mark; the writer adds it)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for i in plan.invoices:
        writer.writerow(
            [
                i.reference,
                i.party,
                i.customer,
                i.year,
                f"{i.number} av {i.count}",
                i.day.isoformat(),
                i.due.isoformat(),
                csv_amount(i.amount),
                i.account,
                i.receivable,
                i.text,
            ]
        )
    return out.getvalue()


def read_previous(text: str, source: str) -> dict[str, tuple[str, Decimal, date]]:
    """A fakturaplan CSV written before: reference -> (party, amount, due date).

    Raises ValueError with a Swedish message naming ``source`` and the line for
    a file that is not a fakturaplan.
    """
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    if not rows:
        raise ValueError(
            f"{source}: filen är tom; ange en fakturaplan skriven av finsam-xl fakturor."
        )
    header = [h.strip() for h in rows[0]]
    need = ("Referens", "Medlem", "Förfallodag", "Belopp")
    missing = [h for h in need if h not in header]
    if missing:
        raise ValueError(
            f"{source}: kolumnerna {', '.join(missing)} saknas; ange en fakturaplan "
            "skriven av finsam-xl fakturor."
        )
    col = {h: header.index(h) for h in need}
    out: dict[str, tuple[str, Decimal, date]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            ref = row[col["Referens"]].strip()
            amount = Decimal(
                row[col["Belopp"]].strip().replace(NBSP, "").replace(" ", "").replace(",", ".")
            )
            due = date.fromisoformat(row[col["Förfallodag"]].strip())
        except (IndexError, InvalidOperation, ValueError):
            raise ValueError(
                f"{source}:{number}: raden kan inte läsas som en faktura "
                "(referens, belopp, förfallodag)."
            ) from None
        out[ref] = (row[col["Medlem"]].strip(), amount, due)
    return out


def plan_sie_records(budget: Budget, plan: InvoicePlan) -> list[Record]:
    """Header, accounts, dimensions and objects, and one #VER per invoice (see the module doc)."""
    year = plan.year
    records: list[Record] = list(
        header_records(
            company_name=budget.forbund.name,
            orgnr=budget.forbund.org_nr or "",
            sie_type=4,
            fiscal_years={0: (date(year, 1, 1), date(year, 12, 31))},
        )
    )
    accounts: dict[str, str] = {}
    for i in plan.invoices:
        accounts.setdefault(i.receivable, "Kundfordringar")
        for row in i.rows:
            if row.account:
                accounts.setdefault(row.account, f"Medlemsbidrag {row.member}")
    records += [Account(a, n) for a, n in sorted(accounts.items())]
    records += [Dimension(DIM_CUSTOMER, "Kund"), Dimension(DIM_INVOICE, "Faktura")]
    customers = dict.fromkeys((i.customer, i.party) for i in plan.invoices)
    records += [SieObject(DIM_CUSTOMER, code, name) for code, name in customers]
    records += [SieObject(DIM_INVOICE, i.reference, i.text) for i in plan.invoices]
    for i in plan.invoices:
        rows = [
            Transaction(
                "TRANS",
                i.receivable,
                ((DIM_CUSTOMER, i.customer), (DIM_INVOICE, i.reference)),
                i.amount,
                text=i.reference,
            )
        ]
        rows += [
            Transaction("TRANS", r.account or "", (), -r.amount, text=r.member) for r in i.rows
        ]
        records.append(Voucher(SERIES, "", i.day, i.text, rows=rows))
    return records
