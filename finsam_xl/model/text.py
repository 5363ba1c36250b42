"""Text as the tool compares it: one Unicode form (NFC) for every name and text.

"Säters kommun" typed on macOS or pasted from some web forms arrives in NFD
(``a`` followed by a combining diaeresis); Excel on Windows writes NFC. The two
look the same and must be the same member, line or text. Every edge that
turns outside text into a ``str`` (the workbook reader, the SIE and CSV
readers, the matching table, the command line's arguments) passes it through
``nfc``, so that the core only ever sees NFC.
"""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C (cheap for ASCII and for text already in NFC)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)
