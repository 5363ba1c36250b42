"""The closing equity of a year from the books (SIE ``#UB``), for next year's workbook."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from finsam_xl.books.ledger import BooksError
from finsam_xl.model.budget import Budget, MappingTarget
from finsam_xl.model.findings import Finding, Severity
from finsam_xl.model.labels import os_reason
from finsam_xl.model.money import kr

if TYPE_CHECKING:
    from finsam_xl.sie import FiscalYear

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
    year = budget.years.budget
    rules = [r for r in budget.settings.mappings if r.target is MappingTarget.EQUITY]
    ranges = [r.account_range() for r in rules] or [DEFAULT_EQUITY_ACCOUNTS]
    books = _read_balances(path, encoding)
    findings = books.encoding_findings
    if not books.closing and (books.opening or books.booked):
        books.compute_closing()
        findings.append(_computed_finding(path))
    findings.extend(_year_findings(path, books.fiscal, year))
    accounts = _equity_accounts(path, books.closing, ranges)
    equity = -sum((books.closing[a] for a in accounts), Decimal(0))
    adjustment, finding = _unbooked_result(path, books)
    equity += adjustment
    findings.extend(finding)
    if books.covered is not None and books.covered < date(year, 12, 31):
        findings.append(_partial_finding(path, books.covered, equity))
    findings.append(
        _finding(
            "rollover.books-equity",
            Severity.INFO,
            f"Eget kapital vid utgången av {year} enligt {path.name}: {kr(equity)} "
            f"(#UB 0 för konto {', '.join(accounts)}, kredit som positivt eget kapital).",
            path,
        )
    )
    return equity, findings


@dataclass
class _Balances:
    """What an SIE file says of the year's balances (``#UB``/``#RES``/``#IB`` of year 0)."""

    closing: dict[str, Decimal] = field(default_factory=dict)
    results: dict[str, Decimal] = field(default_factory=dict)
    opening: dict[str, Decimal] = field(default_factory=dict)
    booked: dict[str, Decimal] = field(default_factory=dict)
    """The vouchers' rows summed per account."""
    fiscal: FiscalYear | None = None
    covered: date | None = None
    encoding_findings: list[Finding] = field(default_factory=list)
    """What the encoding detection said: the names were read, but maybe not as written."""

    def compute_closing(self) -> None:
        """Closing balances (and results, when missing) from ``#IB`` and the vouchers."""
        self.closing = _closing_from_postings(self.opening, self.booked)
        self.results = self.results or {
            a: v for a, v in self.booked.items() if _in(a, [RESULT_ACCOUNTS])
        }


def _read_balances(path: Path, encoding: str | None) -> _Balances:
    """Read the balances of year 0 and the vouchers; ``BooksError`` for a file with errors."""
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

    books = _Balances()
    booked = books.booked
    issues: list[Issue] = []
    try:
        for record in iter_records(path, issues=issues, name=path.name, encoding=encoding):
            if isinstance(record, Voucher):
                for row in record.transactions():
                    booked[row.account] = booked.get(row.account, Decimal(0)) + row.amount
            elif isinstance(record, Balance) and record.year_index == 0:
                sums = {"UB": books.closing, "RES": books.results, "IB": books.opening}
                kind = sums[record.kind]
                kind[record.account] = kind.get(record.account, Decimal(0)) + record.amount
            elif isinstance(record, FiscalYear) and record.year_index == 0:
                books.fiscal = record
            elif isinstance(record, Coverage):
                books.covered = record.date
    except SieError as error:
        raise BooksError(f"Bokslutsfilen kan inte läsas: {error}") from None
    except OSError as error:
        raise BooksError(f"{path}: kan inte läsa filen ({os_reason(error)}).") from None
    errors = [i for i in issues if str(i.severity) == "error"]
    if errors:
        raise BooksError("Bokslutsfilen har fel: " + "; ".join(str(i) for i in errors[:3]))
    books.encoding_findings = [
        Finding(
            rule=f"sie.{i.code}", severity=Severity.WARNING, message=i.message, location=i.location
        )
        for i in issues
        if i.code in ENCODING_WARNINGS
    ]
    return books


def _finding(rule: str, severity: Severity, message: str, path: Path) -> Finding:
    """A finding of the closing balances, located at the file."""
    return Finding(rule=rule, severity=severity, message=message, location=path.name)


def _computed_finding(path: Path) -> Finding:
    """The closing balances were computed: the file has no ``#UB``."""
    return _finding(
        "rollover.books-computed",
        Severity.INFO,
        f"{path.name} har inga utgående balanser (#UB); de är beräknade som "
        "ingående balans (#IB) plus verifikationerna.",
        path,
    )


def _year_findings(path: Path, fiscal: FiscalYear | None, year: int) -> list[Finding]:
    """A warning when the file names no fiscal year; ``BooksError`` when it names another."""
    if fiscal is None:
        return [
            _finding(
                "rollover.books-year",
                Severity.WARNING,
                f"{path.name} anger inget räkenskapsår (#RAR 0); kontrollera att bokslutet "
                f"gäller {year}.",
                path,
            )
        ]
    if fiscal.end.year != year:
        raise BooksError(
            f"{path.name}: bokslutet gäller räkenskapsåret {fiscal.start}–{fiscal.end}, men "
            f"arbetsbokens budgetår är {year}; eget kapital vid utgången av {year} behövs."
        )
    return []


def _equity_accounts(
    path: Path, closing: dict[str, Decimal], ranges: list[tuple[int, int]]
) -> list[str]:
    """The equity accounts with a closing balance, sorted; ``BooksError`` when none has."""
    accounts = sorted(a for a in closing if _in(a, ranges))
    if not accounts:
        spans = ", ".join(f"{lo}–{hi}" if lo != hi else str(lo) for lo, hi in ranges)
        raise BooksError(
            f"{path.name}: inga utgående balanser (#UB 0) för eget kapital-kontona ({spans}). "
            "Ange eget kapital med --eget-kapital, eller koppla kontona i Kontomappning."
        )
    return accounts


def _unbooked_result(path: Path, books: _Balances) -> tuple[Decimal, list[Finding]]:
    """What to add to equity when the balance accounts do not sum to zero, and why.

    The year's result (``#RES 0``) not yet booked against equity is added; any
    other difference is only reported.
    """
    closing, results = books.closing, books.results
    balance = sum((v for a, v in closing.items() if _in(a, [BALANCE_ACCOUNTS])), Decimal(0))
    result = sum((v for a, v in results.items() if _in(a, [RESULT_ACCOUNTS])), Decimal(0))
    if abs(balance) < 1:
        return Decimal(0), []
    if results and abs(balance + result) < 1:
        message = (
            f"Årets resultat {kr(balance)} är inte bokfört mot eget kapital i "
            f"{path.name}; det har räknats med i eget kapital."
        )
        return balance, [_finding("rollover.books-result", Severity.INFO, message, path)]
    message = (
        f"Balanskontonas utgående saldon i {path.name} summerar till "
        f"{kr(balance)}, inte 0; kontrollera att filen är komplett. Eget kapital "
        "är taget från eget kapital-kontona utan justering."
    )
    return Decimal(0), [_finding("rollover.books-unbalanced", Severity.WARNING, message, path)]


def _partial_finding(path: Path, covered: date, equity: Decimal) -> Finding:
    """The file covers part of the year (``#OMFATTN``): the equity is preliminary."""
    return _finding(
        "rollover.books-partial",
        Severity.WARNING,
        f"{path.name} omfattar bokföringen till och med {covered}; eget kapital "
        f"{kr(equity)} är preliminärt, inte bokslutets.",
        path,
    )
