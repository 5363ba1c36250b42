"""Text as the tool compares it: one Unicode form (NFC) for every name and text.

"Säters kommun" typed on macOS or pasted from some web forms arrives in NFD
(``a`` followed by a combining diaeresis); Excel on Windows writes NFC. The two
look the same and must be the same member, line or text. Every edge that
turns outside text into a ``str`` (the budget model's validation, the workbook
reader, the SIE and CSV readers, the matching table) passes it through
``nfc``, so that the core only ever sees NFC.
"""

from __future__ import annotations

import sys
import unicodedata


def _latin1(text: str) -> bool:
    """True when every character is below U+0100, told without reading the text.

    CPython stores such a string with one byte per character, anything else
    with at least two: a size below two bytes a character is proof. (Any other
    answer only means the text is checked character by character.)
    """
    return len(text) > 256 and sys.getsizeof(text) < 2 * len(text)


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C; cheap for text that is NFC already.

    Text whose characters are all below U+0300 is in NFC (composition needs a
    combining mark, and they start there): ASCII and Latin-1 text (Swedish in
    UTF-8 or CP437) is returned as it is without a character-by-character check.
    """
    if text.isascii() or _latin1(text) or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def name_key(text: str) -> str:
    """A name as names are compared: NFC, runs of white space (tab, line break, no-break
    space) as one space, case ignored: 'Avesta\tkommun' ~ 'avesta  kommun'."""
    return " ".join(nfc(text).split()).casefold()


def list_words(items: list[str]) -> str:
    """'a', 'a och b', 'a, b och c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]
