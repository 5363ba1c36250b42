"""SIE 4 files (SIE 4B, 2008-09-30): a strict, streaming reader and a writer, stdlib only.

Reading::

    from finsam_xl.sie import read_sie, read_vouchers, monthly_totals

    sie = read_sie("bokforing.se")            # small files: everything in memory
    for issue in sie.issues:                  # Swedish messages with file:line
        print(issue)

    issues = []
    totals = monthly_totals(read_vouchers("stor.se", issues=issues), dimensions={1})

    books = posting_totals("stor.se")         # sums per account, cost centre, day (fast)

Writing a budget as ``#PBUDGET``::

    from finsam_xl.sie import budget_records, header_records, write_sie

    write_sie([*header_records(company_name="Finsam X", fiscal_years={0: (start, end)}),
               *budget_records(rows)], "budget.se")

See docs/sie.md for the encoding rule, the record classes and the limits.
"""

from finsam_xl.model.findings import Severity

from ._lexer import ENCODING_WARNINGS, MAX_LINE_BYTES
from .postings import PeriodKey, PostingKey, PostingTotals, posting_totals
from .reader import (
    KNOWN_LABELS,
    MAX_ISSUES,
    MonthKey,
    ReadOptions,
    SieFile,
    SieReader,
    Source,
    iter_records,
    monthly_totals,
    parse_date,
    read_sie,
    read_vouchers,
)
from .records import (
    Account,
    AccountType,
    Address,
    Balance,
    CapturedRow,
    CapturedVoucher,
    ChartType,
    Checksum,
    CompanyId,
    CompanyName,
    CompanyType,
    Coverage,
    Currency,
    Dimension,
    FileFormat,
    FiscalYear,
    Flag,
    Generated,
    IndustryCode,
    Issue,
    ObjectBalance,
    ObjectList,
    ObjectRef,
    OrgNumber,
    Period,
    PeriodBalance,
    ProgramInfo,
    Prose,
    Record,
    SieError,
    SieObject,
    SieType,
    SieWriteError,
    SruCode,
    SubDimension,
    TaxYear,
    Transaction,
    Unit,
    Voucher,
)
from .writer import (
    BudgetRow,
    Destination,
    budget_records,
    format_amount,
    format_date,
    format_record,
    header_records,
    quote,
    write_sie,
)

__all__ = [
    "ENCODING_WARNINGS",
    "KNOWN_LABELS",
    "MAX_ISSUES",
    "MAX_LINE_BYTES",
    "Account",
    "AccountType",
    "Address",
    "Balance",
    "BudgetRow",
    "CapturedRow",
    "CapturedVoucher",
    "ChartType",
    "Checksum",
    "CompanyId",
    "CompanyName",
    "CompanyType",
    "Coverage",
    "Currency",
    "Destination",
    "Dimension",
    "FileFormat",
    "FiscalYear",
    "Flag",
    "Generated",
    "IndustryCode",
    "Issue",
    "MonthKey",
    "ObjectBalance",
    "ObjectList",
    "ObjectRef",
    "OrgNumber",
    "Period",
    "PeriodBalance",
    "PeriodKey",
    "PostingKey",
    "PostingTotals",
    "ProgramInfo",
    "Prose",
    "ReadOptions",
    "Record",
    "Severity",
    "SieError",
    "SieFile",
    "SieObject",
    "SieReader",
    "SieType",
    "SieWriteError",
    "Source",
    "SruCode",
    "SubDimension",
    "TaxYear",
    "Transaction",
    "Unit",
    "Voucher",
    "budget_records",
    "format_amount",
    "format_date",
    "format_record",
    "header_records",
    "iter_records",
    "monthly_totals",
    "parse_date",
    "posting_totals",
    "quote",
    "read_sie",
    "read_vouchers",
    "write_sie",
]
