"""Fill colour and number format per style role, for the Excel paths.

The file writer copies whole cell styles from the hidden styles sheet. Through
xlwings (desktop, Lite, remote actions) only what all three can set is applied:
the fill colour and the number format. The values mirror ``template._Formats``
(tests/excel compares them), kept here so that the Lite path needs no XlsxWriter.
"""

from __future__ import annotations

#: role -> (fill colour '#RRGGBB' or None for no fill, number format code)
ROLE_FORMATS: dict[str, tuple[str | None, str]] = {
    "title": (None, "General"),
    "header": ("#1F4E78", "General"),
    "label": (None, "General"),
    "label_bold": (None, "General"),
    "amount": ("#EEF3F8", "#,##0"),
    "amount_bold": ("#EEF3F8", "#,##0"),
    "kr": ("#EEF3F8", "#,##0"),
    "pct": ("#EEF3F8", "0.0%"),
    "text": ("#EEF3F8", "General"),
    "wrap": ("#EEF3F8", "General"),
    "error": ("#F4CCCC", "General"),
    "warning": ("#FFF2CC", "General"),
    "info": ("#DDEBF7", "General"),
    "link": ("#EEF3F8", "General"),
    "status": (None, "General"),
    "amount_dec": ("#EEF3F8", "#,##0.0"),
    "amount_bold_dec": ("#EEF3F8", "#,##0.0"),
    "label_wrap": (None, "General"),
    "warning_wrap": ("#FFF2CC", "General"),
}


def role_format(role: str) -> tuple[str | None, str]:
    """The (fill, number format) of a role; unknown roles get no fill and 'General'."""
    return ROLE_FORMATS.get(role, (None, "General"))
