"""The Swedish names of the model's codes (kinds, groups, keys, units, ...): one place for all.

Sheets, messages and the command line take their words from here, so a
member kind or a cost group is called the same everywhere. Two kinds of map:

* ``*_SV``: the word in running text, lower case ("regionerna", "styrelse");
* ``*_LABELS``: the word as the workbook shows it, in a cell, a heading or a
  list of choices ("Region", "Styrelse"); the reader accepts these back.

tests/test_one_place.py fails when one of these maps is defined anywhere else.
"""

from __future__ import annotations

import errno

from finsam_xl.model.budget import (
    ActualStatus,
    ComparisonKind,
    CostGroup,
    EntryMode,
    KeyType,
    MappingTarget,
    MemberKind,
    PaymentFrequency,
    Unit,
    YearKind,
)

#: The order the three parts of the 50/25/25 split are listed and allocated in.
KIND_ORDER = (MemberKind.STAT, MemberKind.REGION, MemberKind.KOMMUN)

#: The parts as a group of members, in running text ("staten", "regionerna", ...).
KIND_PLURAL_SV = {
    MemberKind.STAT: "staten",
    MemberKind.REGION: "regionerna",
    MemberKind.KOMMUN: "kommunerna",
}

#: The parts as a heading ("Staten", "Regionerna", ...).
KIND_HEADING_SV = {kind: text.capitalize() for kind, text in KIND_PLURAL_SV.items()}

#: Cost groups in running text.
GROUP_SV = {
    CostGroup.STYRELSE: "styrelse",
    CostGroup.ADMINISTRATION: "administration",
    CostGroup.INSATS_INDIVID: "insats individinriktad",
    CostGroup.INSATS_STRUKTUR: "insats strukturinriktad",
    CostGroup.KOMPETENS: "kompetensutveckling",
    CostGroup.OVRIGT: "övrigt",
}

#: Keys for splitting a part between its members.
KEY_SV = {KeyType.BEFOLKNING: "befolkning", KeyType.PROCENT: "procent", KeyType.LIKA: "lika delar"}

#: The member kinds as the workbook shows them (Medlemmar's "Typ", Not 1, the overview).
KIND_LABELS = {MemberKind.STAT: "Staten", MemberKind.REGION: "Region", MemberKind.KOMMUN: "Kommun"}

#: Cost groups as the workbook shows them (Rader's "Grupp").
GROUP_LABELS = {group: text.capitalize() for group, text in GROUP_SV.items()}

#: Keys as the workbook's choices (Inställningar).
KEY_LABELS = {KeyType.LIKA: "lika", KeyType.PROCENT: "procent", KeyType.BEFOLKNING: "befolkning"}

#: How a year's contribution is entered (Medelstilldelning's "Inmatning").
MODE_LABELS = {EntryMode.TOTAL: "Total ram", EntryMode.STAT: "Statens belopp"}

#: The display units (settings, titles, "Belopp i tkr.").
UNIT_LABELS = {Unit.KR: "kr", Unit.TKR: "tkr"}

#: Payment frequencies (``Settings.payment_frequency``) as the workbook's choices.
FREQUENCY_LABELS = {
    PaymentFrequency.AR: "år",
    PaymentFrequency.HALVAR: "halvår",
    PaymentFrequency.KVARTAL: "kvartal",
    PaymentFrequency.MANAD: "månad",
}

#: An instalment's period in running text, by payment frequency ("en per kvartal").
PERIOD_SV = {
    PaymentFrequency.AR: "helår",
    PaymentFrequency.HALVAR: "halvår",
    PaymentFrequency.KVARTAL: "kvartal",
    PaymentFrequency.MANAD: "månad",
}

#: Yes and no in the workbook's yes/no columns.
YES, NO = "Ja", "Nej"

#: Rader's "Typ": a cost line or an income line.
LINE_TYPE_COST = "Kostnad"
LINE_TYPE_INCOME = "Intäkt"

#: The kind of a plan year, in column labels ("Budget 2025", "Plan 2026").
YEAR_KIND_LABELS = {
    YearKind.JAMFORELSE: "Jämförelse",
    YearKind.BUDGET: "Budget",
    YearKind.PLAN: "Plan",
}

#: What a comparison year's figures are, in column labels ("Budget 2024", "Utfall 2023").
COMPARISON_LABELS = {
    ComparisonKind.BUDGET: "Budget",
    ComparisonKind.UTFALL: "Utfall",
    ComparisonKind.PROGNOS: "Prognos",
}

#: Whether a past year's figures are actuals or a forecast (Utfall's "Utfall eller prognos"),
#: by code: the same words as the comparison kinds of the same name.
ACTUAL_STATUS_LABELS = {s.value: COMPARISON_LABELS[ComparisonKind(s.value)] for s in ActualStatus}

#: What a printed year's figures are (``core.document.ColumnKind``, by its value: the
#: model does not import the core), as the Eget kapital sheet's "Avser" column shows it:
#: a past year's actuals or forecast, last year's budget, this year's budget, a plan year.
COLUMN_KIND_LABELS = {
    **ACTUAL_STATUS_LABELS,
    ComparisonKind.BUDGET.value: COMPARISON_LABELS[ComparisonKind.BUDGET],
    "budgetar": YEAR_KIND_LABELS[YearKind.BUDGET],
    "plan": YEAR_KIND_LABELS[YearKind.PLAN],
}

#: Kontomappning's "Mål": where an account's postings go.
TARGET_LABELS = {
    MappingTarget.LINE: "Budgetrad",
    MappingTarget.MEMBER: "Medlem",
    MappingTarget.EQUITY: "Eget kapital",
    MappingTarget.RECEIVABLE: "Kundfordran",
    MappingTarget.IGNORE: "Ignorera",
}

#: Severities by code (``Severity`` is a str enum, so ``SEVERITY_LABELS[Severity.ERROR]``
#: works): Kontroller's "Nivå", the command line, the overview.
SEVERITY_LABELS = {"error": "Fel", "warning": "Varning", "info": "Info"}

#: Months, abbreviated as Swedish accounts print them.
MONTHS_SV = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


_OS_REASONS = {
    errno.ENOSPC: "disken är full",
    errno.EROFS: "skrivskyddad disk",
    errno.EACCES: "behörighet saknas",
    errno.EPERM: "behörighet saknas",
    errno.ENOENT: "finns inte",
    errno.EISDIR: "är en mapp",
    errno.EBUSY: "används av ett annat program",
}


def os_reason(error: OSError) -> str:
    """A short Swedish reason for an OS error ("finns inte", "disken är full", ...)."""
    return _OS_REASONS.get(error.errno or 0, error.strerror or type(error).__name__)
