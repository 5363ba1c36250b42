"""The number policy (model.money.parse_number_text; docs/limits.md, "Tal") as properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finsam_xl.model.money import (
    AmbiguousNumber,
    PercentNotAllowed,
    TooManyDecimals,
    decimal_mark_of,
    parse_number_text,
)

SPACES = [" ", "\u00a0", "\u202f", "\u2009"]
MINUS = ["-", "\u2212"]


def swedish(value: Decimal, space: str, minus: str) -> str:
    """'−1 234,50' with the given thousands space and minus sign."""
    whole, _, frac = f"{abs(value):f}".partition(".")
    text = f"{int(whole):,}".replace(",", space) + (f",{frac}" if frac else "")
    return (minus if value < 0 else "") + text


@given(
    st.decimals(min_value=-(10**11), max_value=10**11, places=2, allow_nan=False),
    st.sampled_from(SPACES),
    st.sampled_from(MINUS),
)
def test_every_swedish_amount_reads_back_exactly(value: Decimal, space: str, minus: str) -> None:
    typed = swedish(value, space, minus)
    assert parse_number_text(typed, decimals=2) == value
    assert parse_number_text(typed.replace(space, ""), decimals=2) == value


@given(st.integers(1, 999), st.integers(0, 999), st.sampled_from([",", "."]))
def test_one_mark_before_three_digits_is_never_guessed(head: int, tail: int, mark: str) -> None:
    typed = f"{head}{mark}{tail:03d}"
    with pytest.raises(AmbiguousNumber) as error:
        parse_number_text(typed)
    grouped, decimal = Decimal(head * 1000 + tail), Decimal(f"{head}.{tail:03d}")
    message = str(error.value)
    assert f"{grouped:,}".replace(",", " ") in message  # both readings are shown
    assert f"{decimal}".replace(".", ",") in message
    # the file's own amounts settle it
    other = "," if mark == "." else "."
    assert parse_number_text(typed, decimal_mark=other) == grouped
    assert parse_number_text(typed, decimal_mark=mark) == decimal
    with pytest.raises(TooManyDecimals):
        parse_number_text(typed, decimal_mark=mark, decimals=2)


def test_percent_only_where_a_percentage_is_expected() -> None:
    with pytest.raises(PercentNotAllowed, match="är en procentsats, inte ett belopp"):
        parse_number_text("50%")
    assert parse_number_text("12,5 %", percent=True) == Decimal("12.5")


@pytest.mark.parametrize(
    ("texts", "mark"),
    [
        (["12,50", "1.234"], ","),
        (["1.234,50"], ","),
        (["12.5", "1,234"], "."),
        (["1,234.50"], "."),
        (["1.234.567"], ","),
        (["1.234", "1,234"], None),
        (["12,50", "12.50"], None),
        (["100", "-250"], None),
    ],
)
def test_the_decimal_mark_a_file_settles(texts: list[str], mark: str | None) -> None:
    assert decimal_mark_of(texts) == mark


@pytest.mark.parametrize("typed", ["1e999999999999", "-1e999999999999", "1e5000000000000000000"])
def test_an_exponent_beyond_the_decimal_context_is_refused_not_a_crash(typed: str) -> None:
    """decimal.Overflow is not a ValueError: it must never leave the parser."""
    with pytest.raises(ValueError):
        parse_number_text(typed)
