"""Money and percentages as Decimal: parsing at the edge, formatting for Swedish text.

Rounding rules (written down once, used everywhere):

* Amounts are kronor as ``Decimal``. Inputs may carry öre; the allocation of
  contributions produces whole kronor only (see ``finsam_xl.core.allocation``).
* Percentages shown to users are rounded half-up to one decimal
  (``pct``); comparisons between amounts are exact.
* ``kr()`` formats whole kronor with a non-breaking thin space as thousands
  separator, the Swedish way: ``1 505 000 kr``.
* Every number that enters the model is bounded: its magnitude must be below
  ``NUMBER_LIMIT`` (10^12, tens of thousands of times the largest förbund's
  turnover). Larger numbers are refused where they are parsed from text, int
  or float (the workbook cells, YAML/JSON), with a Swedish message; a Decimal is
  taken as already parsed, since computed sums may exceed one input's limit.
  ``Budget`` itself refuses amounts of ``AMOUNT_LIMIT_KR`` (the limit in tkr)
  or more, whoever built it. So no sum, percentage or rounding further on can
  overflow the 28-digit decimal context (``decimal.InvalidOperation``); ``pct``
  is also safe on its own.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

ZERO = Decimal(0)
#: Numbers at or above this magnitude are refused when parsed (see the module docstring).
NUMBER_LIMIT = Decimal(10) ** 12
#: Amounts in kr a Budget accepts: a number below NUMBER_LIMIT typed in tkr.
AMOUNT_LIMIT_KR = NUMBER_LIMIT * 1000
ONE_DECIMAL = Decimal("0.1")
NBSP = "\u00a0"


def to_decimal(value: object) -> Decimal:
    """Convert an int, float, str or Decimal to Decimal without binary-float noise.

    Floats go through ``repr`` so that 0.1 becomes Decimal('0.1'), not the
    binary expansion. Strings may use Swedish notation: spaces or
    non-breaking spaces as thousands separators and a decimal comma.
    Raises ``ValueError`` with a Swedish message when the value is not a number.
    """
    if isinstance(value, bool):
        raise ValueError("Ett sanningsvärde är inte ett belopp")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        # Excel hands every number over as a float: 32 arrives as 32.0. A whole number
        # keeps no decimal place it never had (a published "32 %" is compared as 32,
        # as the file reader reads it), other floats their shortest repr.
        result = Decimal(int(value)) if value.is_integer() else Decimal(repr(value))
    elif isinstance(value, str):
        result = parse_number_text(value)
    else:
        raise ValueError(f"Kan inte tolka {value!r} som ett tal")
    if not result.is_finite():
        raise ValueError(f"{value!r} är inte ett ändligt tal")
    if isinstance(value, Decimal):
        return result  # already parsed (or computed: sums may exceed the limit of one input)
    return bounded(result, value)


class NumberTooLarge(ValueError):
    """A number at or above ``NUMBER_LIMIT``: refused, with a Swedish message."""


def bounded(result: Decimal, typed: object) -> Decimal:
    """``result`` when its magnitude is below ``NUMBER_LIMIT``; else ``NumberTooLarge``."""
    if abs(result) >= NUMBER_LIMIT:
        raise NumberTooLarge(
            f"{typed!s} är orimligt stort; tal måste vara mindre än 1 000 000 000 000 "
            "(kontrollera nollorna och enheten)"
        )
    return result


def parse_number_text(text: str) -> Decimal:
    """Parse a number typed as text: '1 234 567', '1\u00a0234,50', '-380', '12,5 %'.

    A trailing '%' is dropped (the caller decides what a percentage means);
    'kr' and 'tkr' suffixes are not accepted, since the unit must be explicit.
    """
    cleaned = text.strip()
    for space in (" ", NBSP, "\u202f", "\u2009", "\t"):
        cleaned = cleaned.replace(space, "")
    cleaned = cleaned.removesuffix("%")
    cleaned = cleaned.replace("\u2212", "-")  # typographic minus
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not cleaned:
        raise ValueError("Tom text är inte ett tal")
    try:
        result = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"'{text}' är inte ett tal") from None
    if not result.is_finite():
        raise ValueError(f"'{text}' är inte ett ändligt tal")
    return bounded(result, text)


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    """Return part/whole in percent, rounded half-up to one decimal; None when whole is 0.

    Computed in a wide decimal context, so even amounts beyond ``NUMBER_LIMIT``
    (which the readers refuse) give a number rather than ``InvalidOperation``;
    None when the percentage itself cannot be represented.
    """
    if whole == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 80
        try:
            return +(part * 100 / whole).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
        except InvalidOperation:
            return None


def kr(amount: Decimal | int) -> str:
    """Format an amount in whole kronor the Swedish way: '1 505 000 kr' (öre kept if any)."""
    value = Decimal(amount)
    if value == value.to_integral_value():
        text = f"{int(value):,}".replace(",", NBSP)
    else:
        text = f"{value:,.2f}".replace(",", NBSP).replace(".", ",")
    return text.replace("-", "\u2212") + f"{NBSP}kr"


def fmt_pct(value: Decimal | None) -> str:
    """Format a percentage with a decimal comma: '49,2 %'; '–' when undefined."""
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",").replace("-", "\u2212") + f"{NBSP}%"
