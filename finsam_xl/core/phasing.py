"""Phasing of a budget line over the months, and the full-year forecast that follows it.

Which weights a line gets, first that applies (``LineRecon.phasing_method``):

* ``periodisering``: the line's own 12 weights (column *Periodisering*), as
  the user entered them;
* ``fjolåret``: last year's actual monthly pattern of the line, when the books
  carry it (``#TRANS`` rows of the year before, or ``#PSALDO`` of year -1);
  months with a negative amount weigh nothing;
* ``jämn``: one twelfth a month.

An entered weight is the user's word, so it comes before the pattern the
books suggest. The forecast (``forecast_method``) is the entered *Prognos
helår* (``angiven``) or the actuals to date scaled by the same weights (the
year's weights over those up to the period: ``linjär`` for even weights,
``enligt periodisering``, ``enligt fjolåret``). With no weight up to the
period yet the forecast is the budget (``budget``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from finsam_xl.model.budget import CostLine, IncomeLine
from finsam_xl.model.money import ZERO
from finsam_xl.model.recon import ForecastMethod, PhasingMethod

EVEN = [Decimal(1)] * 12
FORECAST_METHOD = {
    PhasingMethod.JAMN: ForecastMethod.LINJAR,
    PhasingMethod.PERIODISERING: ForecastMethod.ENLIGT_PERIODISERING,
    PhasingMethod.FJOLARET: ForecastMethod.ENLIGT_FJOLARET,
}


def krona(value: Decimal) -> Decimal:
    """Rounded to whole kronor, half up."""
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def weights_for(
    line: CostLine | IncomeLine, last_year: list[Decimal] | None
) -> tuple[list[Decimal], PhasingMethod]:
    """The line's 12 monthly weights and the method's name.

    ``last_year`` is the line's actuals per month of the year before (costs and
    income positive), or None when the books do not carry them.
    """
    if line.phasing:
        return list(line.phasing), PhasingMethod.PERIODISERING
    if last_year is not None:
        pattern = [max(ZERO, v) for v in last_year]
        if sum(pattern, ZERO) > 0:
            return pattern, PhasingMethod.FJOLARET
    return list(EVEN), PhasingMethod.JAMN


def to_date(annual: Decimal, weights: list[Decimal], months: int) -> Decimal:
    """The budget up to the end of month ``months``, to the krona."""
    return krona(annual * sum(weights[:months], ZERO) / sum(weights, ZERO))


def forecast(
    line: CostLine | IncomeLine,
    annual: Decimal,
    actual_to_date: Decimal,
    weights: list[Decimal],
    method: PhasingMethod,
    months: int,
) -> tuple[Decimal, ForecastMethod]:
    """The full-year forecast of a line and how it was made."""
    if line.forecast is not None:
        return line.forecast, ForecastMethod.ANGIVEN
    share = sum(weights[:months], ZERO)
    if share <= 0:
        return annual, ForecastMethod.BUDGET
    return krona(actual_to_date * sum(weights, ZERO) / share), FORECAST_METHOD[method]
