"""The books as postings: adapters from an SIE 4 file and from a general-ledger CSV.

Both stream into ``finsam_xl.core.recon.Ledger``, which keeps only sums, so a
year of a million rows does not become a million objects. Problems carry
``file:line``. Given ``capture`` (which accounts' vouchers to keep; see
``finsam_xl.core.receivables.capture_predicate``), the readers also keep whole
every voucher with a row on such an account (members' invoices and payments),
and an SIE file's ``#PSALDO`` of last year (its monthly pattern).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finsam_xl.core.recon import Ledger
from finsam_xl.errors import FinsamError
from finsam_xl.model.findings import Finding, Severity
from finsam_xl.model.labels import os_reason
from finsam_xl.model.money import (
    NUMBER_LIMIT,
    AmbiguousNumber,
    decimal_mark_of,
    kr,
    parse_number_text,
)
from finsam_xl.model.recon import BookedRow, BookedVoucher, Posting
from finsam_xl.model.text import nfc

if TYPE_CHECKING:
    from finsam_xl.sie import PostingTotals

Capture = Callable[[str], bool]


class BooksError(FinsamError):
    """Books that cannot be used at all; the message is Swedish and names file:line."""


@dataclass
class Books:
    """A ledger read from a file, the fiscal year it covers, and what the reader found."""

    ledger: Ledger
    year: int | None
    findings: list[Finding] = field(default_factory=list)


def read_sie_books(
    path: Path,
    cost_centre_dimension: int = 1,
    capture: Capture | None = None,
    encoding: str | None = None,
) -> Books:
    """Stream an SIE 4 file: #IB of year 0 as opening balances, #TRANS rows as postings.

    The rows are summed per account, cost centre and day while the file is read
    (``finsam_xl.sie.posting_totals``, the same rows and issues as reading every
    record), so a year of a million rows becomes a few thousand sums. With
    ``capture``, the vouchers with a row on a captured account are kept whole,
    and ``#PSALDO`` of last year is kept per month. ``encoding`` overrides the
    detection of the file's encoding (the command line's ``--teckenkodning``).
    """
    from finsam_xl.sie import Issue, SieError, posting_totals

    issues: list[Issue] = []
    ledger = Ledger()
    name = path.name
    try:
        totals = posting_totals(
            path,
            issues=issues,
            name=name,
            cost_centre_dimension=cost_centre_dimension,
            capture=capture,
            encoding=encoding,
        )
    except SieError as error:
        raise BooksError(str(error)) from None
    except OSError as error:
        raise BooksError(f"{path}: kan inte läsa filen ({os_reason(error)}).") from None
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
    ledger.closing.update(totals.closing)
    if capture is not None and not any(i.severity is Severity.ERROR for i in issues):
        ledger.captured = True
        _from_capture(totals, ledger, name)
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


def _from_capture(totals: PostingTotals, ledger: Ledger, name: str) -> None:
    """The vouchers and last year's period balances ``posting_totals`` kept, into the ledger."""
    for voucher in totals.captured:
        ledger.add_voucher(
            BookedVoucher(
                series=voucher.series,
                number=voucher.number,
                day=voucher.date,
                text=voucher.text,
                source=f"{name}:{voucher.line}",
                rows=tuple(
                    BookedRow(r.account, r.amount, r.objects, r.text, f"{name}:{r.line}")
                    for r in voucher.rows
                ),
            )
        )
    entries = [
        (int(period[:4]), int(period[4:6]), account, centre, amount)
        for (index, period, account, centre), amount in totals.period_balances.items()
        if index == -1
    ]
    _add_periods(ledger, entries)


def _add_periods(ledger: Ledger, entries: Iterable[tuple[int, int, str, str, Decimal]]) -> None:
    """Monthly balances into the ledger; an account's total without object is not counted twice.

    SIE files often give a month's change both per cost centre and for the
    whole account (no object): the rows per cost centre are taken, and what
    the total has beyond them goes on no cost centre.
    """
    totals: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    by_centre: dict[tuple[int, int, str], dict[str, Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    for y, m, account, centre, amount in entries:
        if centre:
            by_centre[(y, m, account)][centre] += amount
        else:
            totals[(y, m, account)] += amount
    for key in set(totals) | set(by_centre):
        y, m, account = key
        centres = by_centre.get(key, {})
        for centre, amount in centres.items():
            ledger.add_period_balance(y, m, account, centre, amount)
        rest = totals[key] - sum(centres.values(), Decimal(0)) if key in totals else Decimal(0)
        if rest:
            ledger.add_period_balance(y, m, account, "", rest)


def _huge_sums(sums: dict[Any, Decimal], opening: dict[str, Decimal]) -> tuple[Any, Decimal] | None:
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
    #: optional: the voucher a row belongs to, its text, the customer and the invoice
    #: (SIE dimensions 8 and 10); the first header found of each list is used
    voucher: tuple[str, ...] = ("Verifikation", "Verifikationsnummer", "Vernr", "Ver.nr", "Ver nr")
    text: tuple[str, ...] = ("Text", "Verifikationstext", "Beskrivning")
    customer: tuple[str, ...] = ("Kund", "Kundnummer")
    invoice: tuple[str, ...] = ("Faktura", "Fakturanummer")


_DELIMITERS = (";", "\t", ",")
"""The column separators a general-ledger CSV may have (Swedish Excel writes ';')."""

_MAX_ROW_FINDINGS = 20
"""Findings of one kind listed row by row; beyond that they are counted in one more."""


def _decode_csv(raw: bytes, name: str, encoding: str | None) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), else Windows-1252, or as told."""
    if encoding is not None:
        try:
            return raw.decode(encoding)
        except LookupError:
            raise BooksError(
                f"{name}: okänd teckenkodning '{encoding}' (använd t.ex. utf-8, cp1252 eller "
                "iso-8859-1)."
            ) from None
        except UnicodeDecodeError as error:
            line = raw.count(b"\n", 0, error.start) + 1
            raise BooksError(f"{name}:{line}: raden kan inte läsas som {encoding}.") from None
    if _is_utf8(raw):
        return raw.decode("utf-8-sig")
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:  # a byte Windows-1252 leaves undefined: Latin-1 reads it
        return raw.decode("latin-1")


def _csv_rows(
    path: Path, encoding: str | None = None
) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[Finding]]:
    """The header, the rows (each with the line it starts on) and the ragged rows' findings.

    The separator is the one that splits the header into the most columns. A row
    starts on the line after the previous row ended, so a quoted line break in a
    field does not shift the line numbers of the rows after it. A row with another
    number of fields than the header is an error at its line (it is not read); a
    row that only has empty fields after the last column is read.
    """
    name = path.name
    text = nfc(_decode_csv(path.read_bytes(), name, encoding))  # one Unicode form
    if "\x00" in text:  # a damaged or binary file: no row of it can be trusted
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise BooksError(f"{name}:{line}: raden innehåller NUL-tecken (binärfil?).")
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        return [], [], []
    delimiter = max(_DELIMITERS, key=lambda d: len(next(csv.reader([first], delimiter=d))))
    header_fields = next(csv.reader([first], delimiter=delimiter), [])
    if len(header_fields) < 2:
        raise BooksError(
            f"{name}:1: hittar ingen kolumnavgränsare i rubrikraden (semikolon, tabb eller "
            "komma); spara huvudboken som CSV med en rubrikrad, t.ex. Datum;Konto;Belopp."
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    ragged: list[tuple[int, int]] = []
    start = 1
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not fields or not any(f.strip() for f in fields):
                continue
            if header is None:
                header = [f.strip() for f in fields]
                continue
            if len(fields) > len(header) and not any(f.strip() for f in fields[len(header) :]):
                fields = fields[: len(header)]
            if len(fields) != len(header):
                ragged.append((line, len(fields)))
                continue
            rows.append((line, dict(zip(header, fields, strict=True))))
    except csv.Error:  # e.g. a field longer than the csv module's limit
        raise BooksError(
            f"{name}:{start}: raden kan inte läsas som CSV (kontrollera citattecknen)."
        ) from None
    if header is None:
        return [], [], []
    columns = len(header)
    findings = [
        Finding(
            rule="csv.ragged-row",
            severity=Severity.ERROR,
            message=(
                f"Raden har {count} fält men rubrikraden har {columns} (avgränsare "
                f"'{_SEPARATOR_NAMES[delimiter]}'); raden räknas inte. Kontrollera "
                "avgränsarna och citattecknen på raden."
            ),
            location=f"{name}:{line}",
        )
        for line, count in ragged[:_MAX_ROW_FINDINGS]
    ]
    if len(ragged) > _MAX_ROW_FINDINGS:
        findings.append(
            Finding(
                rule="csv.ragged-row",
                severity=Severity.ERROR,
                message=(
                    f"Ytterligare {len(ragged) - _MAX_ROW_FINDINGS} rader har fel antal fält "
                    "och räknas inte."
                ),
                location=name,
            )
        )
    return header, rows, findings


_SEPARATOR_NAMES = {";": "semikolon", "\t": "tabb", ",": "komma"}


def _fiscal_year(
    dated: list[tuple[int, date, Decimal]], name: str
) -> tuple[int | None, list[Finding]]:
    """The fiscal year of a CSV ledger from its rows' dates, and findings about the others.

    The year most rows have, or the year after it when that one has at least a
    tenth as many rows (five or more): a two-year export made during the year,
    whose earlier year gives last year's months. Rows of that earlier year are
    used as last year's (said in a note when they are the more); a row of any
    other year is an error at its line, since the reconciliation would leave its
    amount out.
    """
    if not dated:
        return None, []
    counts = Counter(day.year for _, day, _ in dated)
    year, most = max(counts.items(), key=lambda item: (item[1], item[0]))
    later = counts.get(year + 1, 0)
    if later >= 5 and later * 10 >= most:
        year = year + 1
    findings: list[Finding] = []
    outside = [
        (line, day, amount) for line, day, amount in dated if day.year not in (year, year - 1)
    ]
    in_year = counts[year]
    for line, day, amount in outside[:_MAX_ROW_FINDINGS]:
        findings.append(
            Finding(
                rule="csv.outside-year",
                severity=Severity.ERROR,
                message=(
                    f"Raden är daterad {day:%Y-%m-%d}, utanför räkenskapsåret {year} (det år "
                    f"{in_year} av filens {len(dated)} rader har); dess {kr(amount)} kommer "
                    "inte med i årets siffror. Rätta datumet, eller ta bort raderna från andra år."
                ),
                location=f"{name}:{line}",
            )
        )
    if len(outside) > _MAX_ROW_FINDINGS:
        findings.append(
            Finding(
                rule="csv.outside-year",
                severity=Severity.ERROR,
                message=(
                    f"Ytterligare {len(outside) - _MAX_ROW_FINDINGS} rader är daterade utanför "
                    f"räkenskapsåret {year} och kommer inte med i årets siffror."
                ),
                location=name,
            )
        )
    if counts.get(year - 1, 0) > in_year:  # not the year most rows have: say so
        findings.append(
            Finding(
                rule="csv.previous-year",
                severity=Severity.INFO,
                message=(
                    f"Räkenskapsåret är {year} ({in_year} rader); filens {counts[year - 1]} "
                    f"rader från {year - 1} används som förra årets månader."
                ),
                location=name,
            )
        )
    return year, findings


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _header(headers: set[str], names: tuple[str, ...]) -> str | None:
    folded = {h.strip().casefold(): h for h in headers if h}
    return next((folded[n.casefold()] for n in names if n.casefold() in folded), None)


def read_csv_books(
    path: Path,
    columns: CsvColumns | None = None,
    opening: dict[str, Decimal] | None = None,
    capture: Capture | None = None,
    encoding: str | None = None,
) -> Books:
    """Read a general-ledger CSV (one row per posting; amount, or debit and credit).

    With ``capture`` the rows are grouped into vouchers by the voucher column
    (and date); without one, by date and text; without either, each row is
    its own voucher. The vouchers with a row on a captured account are kept.
    The fiscal year is decided from the rows' dates (``_fiscal_year``); a row of
    another year, or with another number of fields than the header, is an error
    at its line. ``encoding`` overrides the detection (UTF-8, else Windows-1252).
    """
    cols = columns or CsvColumns()
    ledger = Ledger()
    name = path.name
    try:
        header, rows, findings = _csv_rows(path, encoding)
    except OSError as error:
        raise BooksError(f"{path}: kan inte läsa filen ({os_reason(error)}).") from None
    if not header or not (rows or findings):
        raise BooksError(f"{path}: filen har inga rader.")
    headers = _checked_headers(name, cols, header)
    dated: list[tuple[int, date, Decimal]] = []
    vouchers = _CsvVouchers(cols, headers) if capture is not None else None
    mark = _decimal_mark(rows, cols, headers)
    order = slash_date_order(row.get(cols.day) or "" for _, row in rows)
    for number, row in rows:
        where = f"{name}:{number}"
        try:
            day = _day(row[cols.day], order)
            amount = _amount(row, cols, headers, mark)
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
        dated.append((number, day, amount))
        account = row[cols.account].strip()
        centre = (row.get(cols.cost_centre) or "").strip()
        ledger.add(Posting(day, account, centre, amount, where))
        if capture is not None and vouchers is not None:
            vouchers.add(row, day, account, amount, where, capture(account))
    if vouchers is not None:
        vouchers.keep(ledger)
    for account, amount in (opening or {}).items():
        ledger.add_opening_balance(account, amount)
    year, year_findings = _fiscal_year(dated, name)
    return Books(ledger, year, findings + year_findings)


def _checked_headers(name: str, cols: CsvColumns, header: list[str]) -> set[str]:
    """The header's names; ``BooksError`` when the date, account or amount columns are missing."""
    headers = set(header)
    needed = [cols.day, cols.account, *_amount_columns(cols, headers)]
    missing = [h for h in needed if h not in headers]
    if missing:
        raise BooksError(
            f"{name}:1: kolumnerna {', '.join(missing)} saknas "
            f"(finns: {', '.join(sorted(headers))})."
        )
    return headers


class _CsvVouchers:
    """The rows of a CSV ledger grouped into vouchers, for ``capture``.

    A voucher is the rows of one voucher number and date (a voucher column), or
    else of one date and text (a text column), or else one row. The vouchers
    with a row on a captured account are kept.
    """

    def __init__(self, cols: CsvColumns, headers: set[str]) -> None:
        self.cost_centre = cols.cost_centre
        self.voucher_col = _header(headers, cols.voucher)
        self.text_col = _header(headers, cols.text)
        self.customer_col = _header(headers, cols.customer)
        self.invoice_col = _header(headers, cols.invoice)
        self.groups: dict[tuple[str, ...], list[tuple[date, str, BookedRow]]] = {}
        self.kept: set[tuple[str, ...]] = set()

    def add(
        self,
        row: dict[str, str],
        day: date,
        account: str,
        amount: Decimal,
        where: str,
        captured: bool,
    ) -> None:
        """Add a row that was read to its voucher; keep the voucher when ``captured``."""
        text_col, voucher_col = self.text_col, self.voucher_col
        text = (row.get(text_col) or "").strip() if text_col else ""
        if voucher_col:
            key: tuple[str, ...] = ((row.get(voucher_col) or "").strip(), day.isoformat())
        elif text_col:
            key = (day.isoformat(), text)
        else:
            key = (where,)
        columns = (("1", self.cost_centre), ("8", self.customer_col), ("10", self.invoice_col))
        objects = tuple(
            (dim, value) for dim, col in columns if col and (value := (row.get(col) or "").strip())
        )
        booked = BookedRow(account, amount, objects, text, where)
        self.groups.setdefault(key, []).append((day, text, booked))
        if captured:
            self.kept.add(key)

    def keep(self, ledger: Ledger) -> None:
        """Give the ledger the kept vouchers (and mark it as captured)."""
        ledger.captured = True
        for key in self.kept:
            group = self.groups[key]
            day, text, first = group[0]
            ledger.add_voucher(
                BookedVoucher(
                    series="",
                    number=key[0] if self.voucher_col else "",
                    day=day,
                    text=text,
                    source=first.source,
                    rows=tuple(r for _, _, r in group),
                )
            )


def _amount_columns(cols: CsvColumns, headers: set[str]) -> list[str]:
    return [cols.amount] if cols.amount in headers else [cols.debit, cols.credit]


def _decimal_mark(
    rows: list[tuple[int, dict[str, str]]], cols: CsvColumns, headers: set[str]
) -> str | None:
    """The decimal mark the file's amounts settle ('12,50' anywhere: comma), or None."""
    names = _amount_columns(cols, headers)
    return decimal_mark_of(row.get(n) or "" for _, row in rows for n in names)


def _amount(row: dict[str, str], cols: CsvColumns, headers: set[str], mark: str | None) -> Decimal:
    """A row's amount in kr (amount, or debit − credit) by the number policy (docs/limits.md).

    At most two decimals; '1.234' or '1,234' only when the file's other amounts
    settle the decimal mark, else refused with both readings (a Swedish ValueError).
    """

    def one(text: str) -> Decimal:
        try:
            return parse_number_text(text, decimals=2, decimal_mark=mark)
        except AmbiguousNumber as error:
            raise AmbiguousNumber(
                f"beloppet {error}; filens övriga belopp avgör inte vilket tecken som är "
                "decimaltecken"
            ) from None

    if cols.amount in headers:
        return one(row[cols.amount])
    return one(row[cols.debit] or "0") - one(row[cols.credit] or "0")


_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


def slash_date_order(texts: Iterable[str]) -> str | None:
    """The order the file's slash dates settle: 'dm' (24/01/2025), 'md' (01/24/2025) or None.

    A date settles it when one part is over 12. None when no date settles it, or
    the dates disagree (then every ambiguous date is refused, ``_day``).
    """
    found: set[str] = set()
    for text in texts:
        match = _SLASH_DATE.fullmatch(text.strip())
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            if first > 12 >= second:
                found.add("dm")
            elif second > 12 >= first:
                found.add("md")
    return found.pop() if len(found) == 1 else None


def _day(text: str, order: str | None = None) -> date:
    """A CSV date: ISO, ÅÅÅÅMMDD, DD.MM.ÅÅÅÅ, or a slash date in the order the file settles.

    A slash date whose day and month could be swapped ('05/01/2025': 5 January or
    1 May) is refused with both readings unless the file's other dates settle the
    order (``slash_date_order``): a guess would move a voucher to another month.
    """
    text = text.strip()
    slash = _SLASH_DATE.fullmatch(text)
    if slash:
        first, second, year = (int(g) for g in slash.groups())
        if order is None and first != second and first <= 12 and second <= 12:
            as_dm, as_md = date(year, second, first), date(year, first, second)
            raise ValueError(
                f"datumet '{text}' kan läsas både som {as_dm.isoformat()} (dag/månad) och som "
                f"{as_md.isoformat()} (månad/dag), och filens övriga datum avgör inte vilket; "
                "skriv datumen ÅÅÅÅ-MM-DD"
            )
        day, month = (second, first) if order == "md" else (first, second)
        try:
            return date(year, month, day)
        except ValueError:
            raise ValueError(f"'{text}' är inget datum") from None
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' är inget datum")
