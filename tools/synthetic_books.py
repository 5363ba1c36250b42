"""The synthetic books of the example, under the name the tests import.

The generator lives in the package (``finsam_xl/jobs/demo_books.py``) so that a
user without the repository can write the books: ``finsam-xl demo-bokforing``.
"""

from finsam_xl.jobs.demo_books import (
    MEMBER_ACCOUNTS,
    budget_with_mapping,
    general_ledger_csv,
    make_books,
    mapping_rules,
    write_demo_books,
)

__all__ = [
    "MEMBER_ACCOUNTS",
    "budget_with_mapping",
    "general_ledger_csv",
    "make_books",
    "mapping_rules",
    "write_demo_books",
]
