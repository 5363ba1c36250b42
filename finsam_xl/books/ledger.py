"""The books as postings: adapters from an SIE 4 file and from a general-ledger CSV.

Both stream into ``finsam_xl.core.recon.Ledger``, which keeps only sums, so a
year of a million rows does not become a million objects. Problems carry
``file:line``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from finsam_xl.core.recon import Ledger
from finsam_xl.model.findings import Finding, Severity
from finsam_xl.model.money import NUMBER_LIMIT, kr, parse_number_text
from finsam_xl.model.recon import Posting


class BooksError(Exception):
    """Books that cannot be used at all; the message is Swedish and names file:line."""


@dataclass
class Books:
    """A ledger read from a file, the fiscal year it covers, and what the reader found."""

    ledger: Ledger
    year: int | None
    findings: list[Finding] = field(default_factory=list)


def read_sie_books(path: Path, cost_centre_dimension: int = 1) -> Books:
    """Stream an SIE 4 file: #IB of year 0 as opening balances, #TRANS rows as postings.

    The rows are summed per account, cost centre and day while the file is read
    (``finsam_xl.sie.posting_totals``, the same rows and issues as reading every
    record), so a year of a million rows becomes a few thousand sums.
    """
    from finsam_xl.sie import Issue, SieError, posting_totals

    issues: list[Issue] = []
    ledger = Ledger()
    name = path.name
    try:
        totals = posting_totals(
            path, issues=issues, name=name, cost_centre_dimension=cost_centre_dimension
        )
    except SieError as error:
        raise BooksError(str(error)) from None
    except OSError as error:
        raise BooksError(f"{path}: kan inte läsa filen ({error.strerror}).") from None
    sources = {key: f"{name}:{line}" for key, line in totals.first_lines.items()}
    huge = _huge_sums(totals.sums, totals.opening)
    if huge is not None:  # refused before any sum reaches the reconciliation's arithmetic
        key, amount = huge
        return Books(
            Ledger(),
            None,
            [
                Finding(
                    rule="sie.amount-too-large",
                    severity=Severity.ERROR,
                    message=(
                        f"Konto {key[0] if isinstance(key, tuple) else key}: {kr(amount)} är "
                        "orimligt stort (gränsen är 1 000 000 000 000 kr); kontrollera filen. "
                        "Inget stämdes av."
                    ),
                    location=sources.get(key, name) if isinstance(key, tuple) else name,
                )
            ],
        )
    ledger.add_sums(totals.sums, sources, totals.rows)
    for account, amount in totals.opening.items():
        ledger.add_opening_balance(account, amount)
    year = totals.fiscal_year.start.year if totals.fiscal_year is not None else None
    findings = [
        Finding(
            rule=f"sie.{i.code}",
            severity=i.severity,
            message=i.message,
            location=i.location,
        )
        for i in issues
    ]
    return Books(ledger, year, findings)


def _huge_sums(
    sums: dict[Any, Decimal], opening: dict[str, Decimal]
) -> tuple[Any, Decimal] | None:
    """The first sum or opening balance at or above money.NUMBER_LIMIT, or None."""
    for key, amount in [*sums.items(), *opening.items()]:
        if abs(amount) >= NUMBER_LIMIT:
            return key, amount
    return None


@dataclass(frozen=True)
class CsvColumns:
    """Which columns of a general-ledger CSV hold what (headers as in the file)."""

    day: str = "Datum"
    account: str = "Konto"
    cost_centre: str = "Kostnadsställe"
    amount: str = "Belopp"
    debit: str = "Debet"
    credit: str = "Kredit"


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if _is_utf8(raw) else raw.decode("cp1252")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    yield from enumerate(reader, start=2)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_csv_books(
    path: Path, columns: CsvColumns | None = None, opening: dict[str, Decimal] | None = None
) -> Books:
    """Read a general-ledger CSV (one row per posting; amount, or debit and credit)."""
    cols = columns or CsvColumns()
    ledger = Ledger()
    findings: list[Finding] = []
    name = path.name
    try:
        rows = list(_csv_rows(path))
    except (OSError, csv.Error, UnicodeDecodeError) as error:
        raise BooksError(f"{path}: kan inte läsas som CSV ({error}).") from None
    if not rows:
        raise BooksError(f"{path}: filen har inga rader.")
    headers = set(rows[0][1])
    needed = [cols.day, cols.account] + (
        [cols.amount] if cols.amount in headers else [cols.debit, cols.credit]
    )
    missing = [h for h in needed if h not in headers]
    if missing:
        raise BooksError(
            f"{name}:1: kolumnerna {', '.join(missing)} saknas "
            f"(finns: {', '.join(sorted(headers))})."
        )
    years: set[int] = set()
    for number, row in rows:
        where = f"{name}:{number}"
        try:
            day = _day(row[cols.day])
            if cols.amount in headers:
                amount = parse_number_text(row[cols.amount])
            else:
                amount = parse_number_text(row[cols.debit] or "0") - parse_number_text(
                    row[cols.credit] or "0"
                )
        except ValueError as error:
            findings.append(
                Finding(
                    rule="csv.bad-row",
                    severity=Severity.ERROR,
                    message=f"Raden kan inte läsas: {error}",
                    location=where,
                )
            )
            continue
        years.add(day.year)
        ledger.add(
            Posting(
                day,
                row[cols.account].strip(),
                (row.get(cols.cost_centre) or "").strip(),
                amount,
                where,
            )
        )
    for account, amount in (opening or {}).items():
        ledger.add_opening_balance(account, amount)
    return Books(ledger, max(years) if years else None, findings)


def _day(text: str) -> date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' är inget datum")
