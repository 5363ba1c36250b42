"""The closing equity of a year from the books (SIE ``#UB``), for next year's workbook."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from finsam_xl.books.ledger import BooksError
from finsam_xl.model.budget import Budget, MappingTarget
from finsam_xl.model.findings import Finding, Severity
from finsam_xl.model.labels import os_reason
from finsam_xl.model.money import kr

DEFAULT_EQUITY_ACCOUNTS = (2000, 2099)
BALANCE_ACCOUNTS = (1000, 2999)
RESULT_ACCOUNTS = (3000, 8999)


def _in(account: str, ranges: list[tuple[int, int]]) -> bool:
    return account.isdigit() and any(lo <= int(account) <= hi for lo, hi in ranges)


def _closing_from_postings(
    opening: dict[str, Decimal], booked: dict[str, Decimal]
) -> dict[str, Decimal]:
    """Closing balances of the balance accounts: opening balance plus the year's postings."""
    accounts = {a for a in (*opening, *booked) if _in(a, [BALANCE_ACCOUNTS])}
    return {a: opening.get(a, Decimal(0)) + booked.get(a, Decimal(0)) for a in accounts}


def closing_equity_from_sie(
    path: Path, budget: Budget, encoding: str | None = None
) -> tuple[Decimal, list[Finding]]:
    """The equity at the end of the budget year from an SIE file's closing balances.

    Equity = −Σ ``#UB 0`` of the equity accounts (credit is negative): the
    accounts the Kontomappning table maps to Eget kapital, else 2000–2099. A
    file without any ``#UB`` gets them computed as ``#IB 0`` plus the ``#TRANS``
    rows of its vouchers (and the result from the vouchers when ``#RES`` is
    missing). When
    the balance accounts (1000–2999) do not sum to zero and the difference is
    exactly the year's result (``#RES 0``, 3000–8999), the result has not been
    booked against equity yet; it is added, and a finding says so. ``encoding``
    overrides the detection of the file's encoding; a warning about it becomes a
    finding. Raises
    ``BooksError`` for an unreadable file, the wrong fiscal year, or no
    equity balances.
    """
    from finsam_xl.sie import (
        ENCODING_WARNINGS,
        Balance,
        Coverage,
        FiscalYear,
        Issue,
        SieError,
        Voucher,
        iter_records,
    )

    year = budget.years.budget
    rules = [r for r in budget.settings.mappings if r.target is MappingTarget.EQUITY]
    ranges = [r.account_range() for r in rules] or [DEFAULT_EQUITY_ACCOUNTS]
    issues: list[Issue] = []
    closing: dict[str, Decimal] = {}
    results: dict[str, Decimal] = {}
    opening: dict[str, Decimal] = {}
    booked: dict[str, Decimal] = {}
    fiscal: FiscalYear | None = None
    covered: date | None = None
    try:
        for record in iter_records(path, issues=issues, name=path.name, encoding=encoding):
            if isinstance(record, Voucher):
                for row in record.transactions():
                    booked[row.account] = booked.get(row.account, Decimal(0)) + row.amount
            elif isinstance(record, Balance) and record.year_index == 0:
                sums = {"UB": closing, "RES": results, "IB": opening}[record.kind]
                sums[record.account] = sums.get(record.account, Decimal(0)) + record.amount
            elif isinstance(record, FiscalYear) and record.year_index == 0:
                fiscal = record
            elif isinstance(record, Coverage):
                covered = record.date
    except SieError as error:
        raise BooksError(f"Bokslutsfilen kan inte läsas: {error}") from None
    except OSError as error:
        raise BooksError(f"{path}: kan inte läsa filen ({os_reason(error)}).") from None
    errors = [i for i in issues if str(i.severity) == "error"]
    if errors:
        raise BooksError("Bokslutsfilen har fel: " + "; ".join(str(i) for i in errors[:3]))
    # What the encoding detection said: the names were read, but maybe not as written.
    findings: list[Finding] = [
        Finding(rule=f"sie.{i.code}", severity=Severity.WARNING, message=i.message,
                location=i.location)
        for i in issues
        if i.code in ENCODING_WARNINGS
    ]
    if not closing and (opening or booked):
        closing = _closing_from_postings(opening, booked)
        results = results or {a: v for a, v in booked.items() if _in(a, [RESULT_ACCOUNTS])}
        findings.append(
            Finding(
                rule="rollover.books-computed",
                severity=Severity.INFO,
                message=(
                    f"{path.name} har inga utgående balanser (#UB); de är beräknade som "
                    "ingående balans (#IB) plus verifikationerna."
                ),
                location=path.name,
            )
        )
    if fiscal is None:
        findings.append(
            Finding(
                rule="rollover.books-year",
                severity=Severity.WARNING,
                message=(
                    f"{path.name} anger inget räkenskapsår (#RAR 0); kontrollera att bokslutet "
                    f"gäller {year}."
                ),
                location=path.name,
            )
        )
    elif fiscal.end.year != year:
        raise BooksError(
            f"{path.name}: bokslutet gäller räkenskapsåret {fiscal.start}–{fiscal.end}, men "
            f"arbetsbokens budgetår är {year}; eget kapital vid utgången av {year} behövs."
        )
    accounts = sorted(a for a in closing if _in(a, ranges))
    if not accounts:
        spans = ", ".join(f"{lo}–{hi}" if lo != hi else str(lo) for lo, hi in ranges)
        raise BooksError(
            f"{path.name}: inga utgående balanser (#UB 0) för eget kapital-kontona ({spans}). "
            "Ange eget kapital med --eget-kapital, eller koppla kontona i Kontomappning."
        )
    equity = -sum((closing[a] for a in accounts), Decimal(0))
    balance = sum((v for a, v in closing.items() if _in(a, [BALANCE_ACCOUNTS])), Decimal(0))
    result = sum((v for a, v in results.items() if _in(a, [RESULT_ACCOUNTS])), Decimal(0))
    if abs(balance) >= 1:
        if results and abs(balance + result) < 1:
            equity += balance
            findings.append(
                Finding(
                    rule="rollover.books-result",
                    severity=Severity.INFO,
                    message=(
                        f"Årets resultat {kr(balance)} är inte bokfört mot eget kapital i "
                        f"{path.name}; det har räknats med i eget kapital."
                    ),
                    location=path.name,
                )
            )
        else:
            findings.append(
                Finding(
                    rule="rollover.books-unbalanced",
                    severity=Severity.WARNING,
                    message=(
                        f"Balanskontonas utgående saldon i {path.name} summerar till "
                        f"{kr(balance)}, inte 0; kontrollera att filen är komplett. Eget kapital "
                        "är taget från eget kapital-kontona utan justering."
                    ),
                    location=path.name,
                )
            )
    if covered is not None and covered < date(year, 12, 31):
        findings.append(
            Finding(
                rule="rollover.books-partial",
                severity=Severity.WARNING,
                message=(
                    f"{path.name} omfattar bokföringen till och med {covered}; eget kapital "
                    f"{kr(equity)} är preliminärt, inte bokslutets."
                ),
                location=path.name,
            )
        )
    findings.append(
        Finding(
            rule="rollover.books-equity",
            severity=Severity.INFO,
            message=(
                f"Eget kapital vid utgången av {year} enligt {path.name}: {kr(equity)} "
                f"(#UB 0 för konto {', '.join(accounts)}, kredit som positivt eget kapital)."
            ),
            location=path.name,
        )
    )
    return equity, findings
