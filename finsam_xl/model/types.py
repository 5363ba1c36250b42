"""Annotated field types shared by the models: Money, percentages and per-year amounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

from finsam_xl.model.money import to_decimal


def _number_out(value: Decimal) -> int | float:
    """Serialise a Decimal as a JSON number: int when whole, else float (öre survive repr)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


#: An amount in kronor. Accepts int, Decimal, float (via repr) and Swedish number text.
Money = Annotated[
    Decimal,
    BeforeValidator(to_decimal),
    PlainSerializer(_number_out, return_type=int | float, when_used="json"),
]

def _quantity(value: object) -> Decimal:
    """A key value or percentage: as Money, and a trailing '%' is allowed in text."""
    return to_decimal(value, percent=True)


#: A plain decimal quantity (key values, percentages): as Money, and text may end in '%'.
Quantity = Annotated[
    Decimal,
    BeforeValidator(_quantity),
    PlainSerializer(_number_out, return_type=int | float, when_used="json"),
]

#: Amounts per calendar year, e.g. ``{2025: Decimal('6184000')}``.
YearAmounts = dict[int, Money]
