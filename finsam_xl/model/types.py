"""Annotated field types shared by the models: Money, percentages and per-year amounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

from finsam_xl.model.money import plain_number, to_decimal

#: An amount in kronor. Accepts int, Decimal, float (via repr) and Swedish number text.
Money = Annotated[
    Decimal,
    BeforeValidator(to_decimal),
    PlainSerializer(plain_number, return_type=int | float, when_used="json"),
]


def _quantity(value: object) -> Decimal:
    """A key value or percentage: as Money, and a trailing '%' is allowed in text."""
    return to_decimal(value, percent=True)


#: A plain decimal quantity (key values, percentages): as Money, and text may end in '%'.
Quantity = Annotated[
    Decimal,
    BeforeValidator(_quantity),
    PlainSerializer(plain_number, return_type=int | float, when_used="json"),
]

#: Amounts per calendar year, e.g. ``{2025: Decimal('6184000')}``.
YearAmounts = dict[int, Money]
