"""The xlsx file format, knowing nothing of budgets.

The zip package and its parts (``package``), a fast read-only view of the sheets
from the package XML (``zipview``) and the openpyxl view (``views``), A1
addressing (``cells``), the small formula evaluator (``formulas``), formula and
range shifting for inserted or removed columns (``shift``), and the file-level
safety: limits, atomic write, locks, backups (``safety``).
"""
