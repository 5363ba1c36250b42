"""The Swedish names of the model's kinds, groups, keys and months: one place for all.

Sheets, messages and the command line take their words from here, so a
member kind or a cost group is called the same everywhere.
"""

from __future__ import annotations

import errno

from finsam_xl.model.budget import CostGroup, KeyType, MemberKind

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
