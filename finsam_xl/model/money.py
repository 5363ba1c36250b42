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

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, DecimalException, InvalidOperation, localcontext
from typing import overload

from finsam_xl.errors import FinsamError

ZERO = Decimal(0)
#: Kronor in one tkr: the factor between the two display units (``Unit``).
KR_PER_TKR = Decimal(1000)
#: Numbers at or above this magnitude are refused when parsed (see the module docstring).
NUMBER_LIMIT = Decimal(10) ** 12
#: Amounts in kr a Budget accepts: a number below NUMBER_LIMIT typed in tkr.
AMOUNT_LIMIT_KR = NUMBER_LIMIT * KR_PER_TKR
ONE_DECIMAL = Decimal("0.1")
NBSP = "\u00a0"
#: A number as YAML and JSON write it (no grouping; a point before the decimals).
_MACHINE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def to_decimal(value: object, percent: bool = False) -> Decimal:
    """Convert an int, float, str or Decimal to Decimal without binary-float noise.

    Floats go through ``repr`` so that 0.1 becomes Decimal('0.1'), not the
    binary expansion. This is the interchange format's conversion: a string
    written the way YAML and JSON write numbers ('1234.5', '-0.25', '1E+3') is
    that number (a point is the decimal mark there); any other string follows
    the number policy (``parse_number_text``: Swedish notation, ambiguous
    separators refused; '%' only with ``percent``).
    Raises ``ValueError`` with a Swedish message when the value is not a number.
    """
    if type(value) is Decimal and value.is_finite():  # the common case: a model's own amount
        return value  # already parsed (or computed: sums may exceed the limit of one input)
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
    elif isinstance(value, str) and _MACHINE.fullmatch(value.strip()):
        result = Decimal(value.strip())  # as YAML and JSON write numbers: '1234.5', '1E+3'
    elif isinstance(value, str):
        result = parse_number_text(value, percent=percent)
    else:
        raise ValueError(f"Kan inte tolka {value!r} som ett tal")
    if not result.is_finite():
        raise ValueError(f"{value!r} är inte ett ändligt tal")
    if isinstance(value, Decimal):
        return result  # already parsed (or computed: sums may exceed the limit of one input)
    return bounded(result, value)


class NumberTooLarge(FinsamError, ValueError):
    """A number at or above ``NUMBER_LIMIT``: refused, with a Swedish message."""


def bounded(result: Decimal, typed: object) -> Decimal:
    """``result`` when its magnitude is below ``NUMBER_LIMIT``; else ``NumberTooLarge``."""
    if result.copy_abs() >= NUMBER_LIMIT:  # copy_abs: no context, so no Overflow
        raise NumberTooLarge(
            f"{typed!s} är orimligt stort; tal måste vara mindre än 1 000 000 000 000 "
            "(kontrollera nollorna och enheten)"
        )
    return result


class NumberTextError(FinsamError, ValueError):
    """A number typed as text that the number policy refuses; the message is Swedish and whole."""


class AmbiguousNumber(NumberTextError):
    """'1.234' or '1,234': a thousands separator or a decimal mark; both readings in the message."""


class TooManyDecimals(NumberTextError):
    """An amount in kronor with more than two decimals (öre): '1234,567'."""


class PercentNotAllowed(NumberTextError):
    """'50 %' where an amount is expected."""


#: Characters that group thousands: space, no-break space, narrow no-break space,
#: thin space, figure space.
THOUSANDS_SPACES = " \u00a0\u202f\u2009\u2007"
_MINUS = "-\u2212"
#: The exponent form, ASCII digits only.
_SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?[eE][+-]?\d+", re.ASCII)


def _grouped(digits: str, separator: str) -> bool:
    """True when ``digits`` is 1–3 digits then groups of three, separated by ``separator``."""
    return bool(re.fullmatch(r"\d{1,3}(?:" + re.escape(separator) + r"\d{3})+", digits)) and not (
        digits.startswith("0") and len(digits.split(separator)[0]) > 1
    )


def _show(value: Decimal) -> str:
    """A number the Swedish way, for a message: '1 234', '1,234'."""
    sign = "\u2212" if value < 0 else ""
    whole, _, frac = f"{abs(value):f}".partition(".")
    text = f"{int(whole):,}".replace(",", " ")
    return sign + text + ("," + frac if frac else "")


def parse_number_text(
    text: str,
    *,
    percent: bool = False,
    decimals: int | None = None,
    decimal_mark: str | None = None,
) -> Decimal:
    """Parse a number typed as text by the number policy (docs/limits.md, "Tal").

    The one place that turns typed text into a number, for workbook cells, CLI
    arguments, CSV amounts and the interchange format:

    * spaces of any kind group thousands ('1 234', '1\u00a0234,50'), in groups of
      three; '-' or the typographic minus '\u2212' is the sign;
    * the decimal mark is a comma or a point; with both ('1.234,50', '1,234.50')
      the last is the decimal mark and the other groups thousands; one mark used
      several times ('1.234.567') groups thousands;
    * a single ',' or '.' followed by exactly three digits after one to three
      digits ('1,234', '12.500') is ambiguous: ``AmbiguousNumber`` shows both
      readings, unless ``decimal_mark`` (',' or '.', e.g. settled by the other
      amounts of a file) says which mark is the decimal one;
    * ``decimals``: the most decimals allowed (2 for an amount in kronor), else
      ``TooManyDecimals``;
    * a trailing '%' only where ``percent`` is True (the caller decides what a
      percentage means), else ``PercentNotAllowed``; the exponent form ('1e6',
      '1,5E+06') is read; units ('kr', 'tkr') and anything else are not numbers.

    Every refusal is a ``ValueError`` with a Swedish message.
    """
    cleaned = text.strip()
    _refuse_foreign_digits(cleaned)
    cleaned = _without_percent(cleaned, text, percent).strip(THOUSANDS_SPACES + "\t")
    if not cleaned:
        raise ValueError("Tom text är inte ett tal")
    sign, cleaned = _sign(cleaned)
    not_a_number = ValueError(f"'{text}' är inte ett tal")
    if _SCIENTIFIC.fullmatch(cleaned):  # '1e300', '1,5E+06': the exponent form Excel shows
        return _scientific(sign + cleaned, text)
    if not cleaned or not re.fullmatch(r"[\d.,\u00a0\u202f\u2009\u2007 ]+", cleaned):
        raise not_a_number
    whole, fraction = _split_marks(_join_spaced(cleaned, text), text, decimal_mark, sign)
    if not whole and not fraction or not (whole + fraction).isdigit():
        raise not_a_number
    try:
        result = Decimal(f"{sign}{whole or '0'}" + (f".{fraction}" if fraction else ""))
    except DecimalException:
        raise not_a_number from None
    if decimals is not None and len(fraction) > decimals:
        raise TooManyDecimals(
            f"'{text}' har {len(fraction)} decimaler; ett belopp i kronor har högst "
            f"{decimals} (öre)"
        )
    return bounded(result, text)


def _refuse_foreign_digits(cleaned: str) -> None:
    """``NumberTextError`` when the text has digits other than 0–9."""
    foreign = list(dict.fromkeys(c for c in cleaned if c.isdigit() and not c.isascii()))
    if foreign:  # '৪00' reads as 400 but looks like 800; '１２３' is not what Excel counts
        raise NumberTextError(
            f"'{cleaned}' har andra siffror än 0–9 ({''.join(foreign)}); skriv talet med "
            "siffrorna 0–9"
        )


def _without_percent(cleaned: str, text: str, percent: bool) -> str:
    """The text without a trailing '%'; ``PercentNotAllowed`` where an amount is expected."""
    if not cleaned.endswith("%"):
        return cleaned
    if not percent:
        raise PercentNotAllowed(
            f"'{text.strip()}' är en procentsats, inte ett belopp; skriv beloppet utan %"
        )
    return cleaned[:-1]


def _sign(cleaned: str) -> tuple[str, str]:
    """('-' or '', the rest): a leading '-', '\u2212' or '+' and the spaces after it."""
    if cleaned[0] not in _MINUS + "+":
        return "", cleaned
    return ("-" if cleaned[0] in _MINUS else ""), cleaned[1:].lstrip(THOUSANDS_SPACES)


def _scientific(signed: str, text: str) -> Decimal:
    """A number in the exponent form ('1e300', '-1,5E+06'), finite and bounded."""
    try:
        scientific = Decimal(signed.replace(",", "."))
    except DecimalException:  # InvalidOperation, Overflow ('1e999999999999')
        raise ValueError(f"'{text}' är inte ett tal") from None
    if not scientific.is_finite():
        raise ValueError(f"'{text}' är inte ett tal")
    return bounded(scientific, text)


def _join_spaced(cleaned: str, text: str) -> str:
    """The digits with the spaces that group thousands taken out: 1–3 digits, then groups of
    three; ``NumberTextError`` for spaces anywhere else."""
    spaced = re.split(r"[ \u00a0\u202f\u2009\u2007]+", cleaned)
    if len(spaced) == 1:
        return cleaned
    head, tail = spaced[:-1], spaced[-1]
    last_int = re.match(r"\d*", tail).group()  # type: ignore[union-attr]
    if not (all(p.isdigit() for p in head) and _grouped(" ".join([*head, last_int]), " ")):
        raise NumberTextError(
            f"'{text}' har mellanslag som inte skiljer tusental (grupper om tre siffror)"
        )
    return "".join(spaced)


def _split_marks(digits: str, text: str, decimal_mark: str | None, sign: str) -> tuple[str, str]:
    """(whole digits, fraction digits) of a number without spaces, by the policy above."""
    commas, points = digits.count(","), digits.count(".")
    if not commas and not points:
        return digits, ""
    bad = ValueError(f"'{text}' är inte ett tal")
    if commas and points:
        mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        group = "." if mark == "," else ","
        whole, _, fraction = digits.rpartition(mark)
        if digits.count(mark) != 1 or not _grouped(whole, group):
            raise bad
        return whole.replace(group, ""), fraction
    mark = "," if commas else "."
    if commas + points > 1:  # one mark several times: thousands only
        if decimal_mark == mark or not _grouped(digits, mark):
            raise bad
        return digits.replace(mark, ""), ""
    whole, _, fraction = digits.partition(mark)
    if len(fraction) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0"):
        if decimal_mark is None:
            grouped = Decimal(sign + whole + fraction)
            decimal = Decimal(f"{sign}{whole}.{fraction}")
            name = "komma" if mark == "," else "punkt"
            raise AmbiguousNumber(
                f"'{text.strip()}' kan läsas både som {_show(grouped)} ({name} mellan tusental) "
                f"och som {_show(decimal)} ({name} före decimaler); skriv "
                f"{_show(grouped)} (med mellanslag) om tusental menas"
            )
        if decimal_mark != mark:
            return whole + fraction, ""
    return whole, fraction


def decimal_mark_of(texts: Iterable[str]) -> str | None:
    """The decimal mark that a set of typed numbers settles (',' or '.'), or None.

    A number settles it when only one reading is possible: '12,50' or
    '1.234,50' (comma), '12.5' or '1,234.50' (point), '1.234.567' (point groups
    thousands, so comma). When the numbers disagree, or none settles it, None.
    """
    found: set[str] = set()
    for text in texts:
        digits = re.sub(r"[\s\u00a0\u202f\u2009\u2007%+\-\u2212]", "", text)
        if not re.fullmatch(r"[\d.,]+", digits or "x"):
            continue
        commas, points = digits.count(","), digits.count(".")
        if commas and points:
            found.add("," if digits.rfind(",") > digits.rfind(".") else ".")
        elif commas + points > 1:
            found.add("." if commas else ",")
        elif commas + points == 1:
            mark = "," if commas else "."
            whole, _, fraction = digits.partition(mark)
            if len(fraction) != 3 or not 1 <= len(whole) <= 3 or whole.startswith("0"):
                found.add(mark)
    return found.pop() if len(found) == 1 else None


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


def unit_kronor(tkr: bool) -> Decimal:
    """Kronor in one of the display unit: 1000 in tkr, else 1 (typed amounts times this)."""
    return KR_PER_TKR if tkr else Decimal(1)


@overload
def in_display_unit(amount: Decimal, tkr: bool) -> Decimal: ...
@overload
def in_display_unit(amount: None, tkr: bool) -> None: ...
@overload
def in_display_unit(amount: Decimal | None, tkr: bool) -> Decimal | None: ...
def in_display_unit(amount: Decimal | None, tkr: bool) -> Decimal | None:
    """An amount in kronor as the number the display unit shows: divided by 1000 in tkr.

    The one conversion from kronor to the workbook's unit (sheets, documents, the
    command line); None stays None.
    """
    if amount is None:
        return None
    return amount / KR_PER_TKR if tkr else amount


@overload
def plain_number(value: Decimal) -> int | float: ...
@overload
def plain_number(value: None) -> None: ...
@overload
def plain_number(value: Decimal | None) -> int | float | None: ...
def plain_number(value: Decimal | None) -> int | float | None:
    """A Decimal as the number a cell or JSON holds: int when whole, else float.

    The one conversion from Decimal to a plain number (workbook cells, Excel,
    JSON); None stays None.
    """
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def display_number(amount: Decimal | None, tkr: bool) -> int | float | None:
    """An amount in kronor as the number a cell shows in the display unit (None stays None)."""
    return plain_number(in_display_unit(amount, tkr))


def tkr_text(amount: Decimal | int) -> str:
    """An amount in kronor shown in tkr with the decimals it needs: '1 255,5 tkr'."""
    value = Decimal(amount) / KR_PER_TKR
    sign = "\u2212" if value < 0 else ""
    whole, _, frac = f"{abs(value).normalize():f}".partition(".")
    text = f"{int(whole):,}".replace(",", NBSP) + ("," + frac if frac else "")
    return f"{sign}{text}{NBSP}tkr"


def in_unit(amount: Decimal | int, tkr: bool) -> str:
    """An amount in kronor as the user typed it: '1 505 000 kr', or in a tkr workbook
    '1 255,5 tkr (1 255 500 kr)': the unit typed first, the kronor in brackets."""
    return f"{tkr_text(amount)} ({kr(amount)})" if tkr else kr(amount)


def fmt_pct(value: Decimal | None) -> str:
    """Format a percentage with a decimal comma: '49,2 %'; '–' when undefined."""
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",").replace("-", "\u2212") + f"{NBSP}%"
