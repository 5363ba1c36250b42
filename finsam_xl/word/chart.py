"""The equity chart as a PNG picture: equity at year end against the recommended level and floor.

Why a picture drawn here: no well-kept Python library writes a native Word
chart (python-docx has had it as an open feature request since 2015; the
proposed patch borrows python-pptx internals). matplotlib would do, but it
brings numpy and half a dozen other packages for one line chart, so this
module draws the few straight lines, ticks and labels itself with Pillow
(one well-kept package, wheels everywhere). It draws at twice the size and
scales down, which smooths the lines.

What the board must be able to read: straight lines between years (no
smoothing), the unit on the axis, a year without data left as a gap (never a
fall to 0), and equity, the recommended level and the floor told apart by
colour, line style and markers, with equity's values written at its points.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFont

from finsam_xl.model.money import KR_PER_TKR, NBSP

SCALE = 2  # supersampling factor
FONT_NAMES = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf", "arial.ttf")
BOLD_NAMES = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf")

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Series:
    """One line: values per year in kronor (None = no data, drawn as a gap)."""

    label: str
    values: Sequence[Decimal | None]
    colour: tuple[int, int, int]
    dash: tuple[int, int] | None = None  # (on, off) in pixels at final size
    marker: str | None = None  # "circle", "square" or None
    value_labels: bool = False
    end_label: bool = False  # write the last value at the line's right end


@dataclass(frozen=True)
class Chart:
    """A line chart over years; amounts in kronor, shown in ``unit`` ('kr' or 'tkr')."""

    title: str
    years: Sequence[int]
    series: Sequence[Series]
    unit: str = "tkr"


def _font(size: int, bold: bool = False) -> Font:
    for name in BOLD_NAMES if bold else FONT_NAMES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` intervals."""
    raw = span / ticks if span > 0 else 1.0
    power = float(10.0 ** math.floor(math.log10(raw)))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * power >= raw:
            return factor * power
    return 10.0 * power


def _amount(value: float, unit: str) -> str:
    shown = value / float(KR_PER_TKR) if unit == "tkr" else value
    rounded = round(shown)
    if abs(shown - rounded) > 1e-9:
        text = f"{shown:,.1f}".replace(",", NBSP).replace(".", ",")
    else:
        text = f"{rounded:,}".replace(",", NBSP)
    return text.replace("-", "\u2212")


def _dashed(
    draw: ImageDraw.ImageDraw,
    a: tuple[float, float],
    b: tuple[float, float],
    colour: tuple[int, int, int],
    width: int,
    dash: tuple[int, int],
) -> None:
    length = math.dist(a, b)
    if length == 0:
        return
    on, off = dash[0] * SCALE * 2, dash[1] * SCALE * 2
    position = 0.0
    while position < length:
        end = min(position + on, length)
        p = (a[0] + (b[0] - a[0]) * position / length, a[1] + (b[1] - a[1]) * position / length)
        q = (a[0] + (b[0] - a[0]) * end / length, a[1] + (b[1] - a[1]) * end / length)
        draw.line([p, q], fill=colour, width=width)
        position += on + off


def render_png(chart: Chart, width_px: int = 1400, height_px: int = 680) -> bytes:
    """Draw ``chart`` and return PNG bytes of ``width_px`` x ``height_px``.

    Raises ValueError when there is nothing to draw (no year or no value).
    """
    if not chart.years:
        raise ValueError("diagrammet har inga år")
    values = [float(v) for s in chart.series for v in s.values if v is not None]
    if not values:
        raise ValueError("diagrammet har inga värden")
    size = (width_px * SCALE, height_px * SCALE)
    image = Image.new("RGB", size, "white")
    plot = _Plot(chart, ImageDraw.Draw(image), size, _Scale.of(values))
    plot.title_and_legend()
    plot.axes()
    # Lines: straight segments between consecutive years that both have values. Drawn last
    # to first, so the first series (equity) lies on top where lines meet.
    for series in reversed(chart.series):
        plot.line(series)
    out = image.resize((width_px, height_px), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    out.save(buffer, format="PNG", dpi=(200, 200))
    return buffer.getvalue()


_GREY, _DARK, _AXIS = (200, 200, 200), (60, 60, 60), (120, 120, 120)

_Point = tuple[float, float]


@dataclass(frozen=True)
class _Scale:
    """The value axis: from ``bottom`` to ``top``, grid lines at ``ticks``."""

    bottom: float
    top: float
    ticks: list[float]

    @classmethod
    def of(cls, values: list[float]) -> _Scale:
        """Round steps from 0 (or below the lowest value) to above the highest value."""
        low = min(0.0, min(values))
        high = max(values)
        step = _nice_step((high - low) * 1.15 or abs(high) or 1.0)
        top_value = math.ceil(high * 1.12 / step) * step if high > 0 else step
        bottom_value = math.floor(low / step) * step
        ticks = []
        tick = bottom_value
        while tick <= top_value + step / 1000:
            ticks.append(tick)
            tick += step
        return cls(bottom_value, top_value, ticks)


class _Plot:
    """One chart being drawn at supersampled size: its fonts, plot area and scales."""

    def __init__(
        self, chart: Chart, draw: ImageDraw.ImageDraw, size: tuple[int, int], scale: _Scale
    ) -> None:
        self.chart, self.draw, self.scale = chart, draw, scale
        w, h = size
        self.font = _font(26 * SCALE)
        self.small = _font(25 * SCALE)
        self.bold = _font(30 * SCALE, bold=True)
        font, small = self.font, self.small
        label_width = max(draw.textlength(self.amount(t), font=font) for t in scale.ticks)
        self.left = int(label_width + 30 * SCALE)
        self.right = (
            w
            - 30 * SCALE
            - max(
                (
                    draw.textlength(self.amount(float(v)), font=small) + 20 * SCALE
                    for s in chart.series
                    if s.end_label
                    for v in s.values[-1:]
                    if v is not None
                ),
                default=0,
            )
        )
        self.legend_rows = _legend_layout(draw, chart.series, small, self.left, self.right)
        self.top = (80 + 40 * len(self.legend_rows)) * SCALE
        self.bottom = h - 60 * SCALE
        self.slot = (self.right - self.left) / len(chart.years)

    def amount(self, value: float) -> str:
        """An amount as the axis and the labels write it (in the chart's unit)."""
        return _amount(value, self.chart.unit)

    def y_of(self, value: float) -> float:
        """The vertical position of a value."""
        scale = self.scale
        return self.bottom - (value - scale.bottom) / (scale.top - scale.bottom) * (
            self.bottom - self.top
        )

    def x_of(self, index: int) -> float:
        """The horizontal position of the year at ``index`` (the middle of its slot)."""
        return self.left + self.slot * (index + 0.5)

    def title_and_legend(self) -> None:
        """The title and the legend above the plot."""
        draw, left = self.draw, self.left
        draw.text((left, 8 * SCALE), self.chart.title, font=self.bold, fill=_DARK)
        ly = 56 * SCALE
        for legend_row in self.legend_rows:
            for lx, series in legend_row:
                a, b = (lx, ly + 14 * SCALE), (lx + 56 * SCALE, ly + 14 * SCALE)
                _stroke(draw, a, b, series)
                if series.marker:
                    _marker(draw, ((a[0] + b[0]) / 2, a[1]), series)
                draw.text((lx + 66 * SCALE, ly), series.label, font=self.small, fill=_DARK)
            ly += 40 * SCALE

    def axes(self) -> None:
        """The grid, the axis labels, the unit and the years."""
        draw, font, left, right = self.draw, self.font, self.left, self.right
        for t in self.scale.ticks:
            y = self.y_of(t)
            draw.line([(left, y), (right, y)], fill=_AXIS if t == 0 else _GREY, width=SCALE)
            text = self.amount(t)
            tw = draw.textlength(text, font=font)
            draw.text((left - 12 * SCALE - tw, y - 14 * SCALE), text, font=font, fill=_DARK)
        unit_text = self.chart.unit
        unit_x = left - 12 * SCALE - draw.textlength(unit_text, font=font)
        draw.text((unit_x, self.top - 44 * SCALE), unit_text, font=font, fill=_DARK)
        draw.line([(left, self.top), (left, self.bottom)], fill=_AXIS, width=SCALE)
        for index, year in enumerate(self.chart.years):
            text = str(year)
            tw = draw.textlength(text, font=font)
            draw.text(
                (self.x_of(index) - tw / 2, self.bottom + 14 * SCALE), text, font=font, fill=_DARK
            )

    def line(self, series: Series) -> None:
        """One series: its segments, markers, end label and value labels."""
        draw = self.draw
        points = [
            (self.x_of(i), self.y_of(float(v))) if v is not None else None
            for i, v in enumerate(series.values)
        ]
        for p, q in zip(points, points[1:], strict=False):
            if p is not None and q is not None:
                _stroke(draw, p, q, series)
        for point in points:
            if point is not None and series.marker:
                _marker(draw, point, series)
        last = next((i for i in range(len(points) - 1, -1, -1) if points[i] is not None), None)
        if series.end_label and last is not None:
            point, value = points[last], series.values[last]
            assert point is not None and value is not None
            draw.text(
                (point[0] + 14 * SCALE, point[1] - 14 * SCALE),
                self.amount(float(value)),
                font=self.small,
                fill=series.colour,
            )
        if series.value_labels:
            for index, (point, value) in enumerate(zip(points, series.values, strict=False)):
                if point is not None and value is not None:
                    self.value_label(series, points, index, point, value)

    def value_label(
        self,
        series: Series,
        points: list[_Point | None],
        index: int,
        point: _Point,
        value: Decimal,
    ) -> None:
        """The value at one point, on the side where no other line, and not its own, runs."""
        text = self.amount(float(value))
        tw = self.draw.textlength(text, font=self.small)
        others = [
            self.y_of(float(v))
            for o in self.chart.series
            if o is not series
            for v in o.values[index : index + 1]
            if v is not None
        ]
        above = point[1] - 44 * SCALE
        below = point[1] + 12 * SCALE
        # Put the label on the side where no other line runs close by.
        clear_above = min((abs(point[1] - 24 * SCALE - y) for y in others), default=1e9)
        clear_below = min((abs(point[1] + 24 * SCALE - y) for y in others), default=1e9)
        y_text = above if clear_above >= clear_below and above > self.top else below
        # Move the label off the line's own segments: a line coming down from the
        # left and a label above would overlap, so shift it to the right (and so on).
        before = points[index - 1] if index > 0 else None
        after = points[index + 1] if index + 1 < len(points) else None
        label_above = y_text == above

        def on_side(other: _Point | None) -> bool:
            if other is None or other[1] == point[1]:
                return False
            return (other[1] < point[1]) == label_above

        x_text = point[0] - tw / 2
        left_on_side, right_on_side = on_side(before), on_side(after)
        if left_on_side and not right_on_side:
            x_text = point[0] + 10 * SCALE
        elif right_on_side and not left_on_side:
            x_text = point[0] - tw - 10 * SCALE
        self.draw.text((x_text, y_text), text, font=self.small, fill=series.colour)


def _legend_layout(
    draw: ImageDraw.ImageDraw, series: Sequence[Series], font: Font, left: float, right: float
) -> list[list[tuple[float, Series]]]:
    """Legend entries placed left to right, wrapping to a new row when the width runs out."""
    rows: list[list[tuple[float, Series]]] = [[]]
    x = left
    for item in series:
        width = 66 * SCALE + draw.textlength(item.label, font=font) + 36 * SCALE
        if rows[-1] and x + width > right:
            rows.append([])
            x = left
        rows[-1].append((x, item))
        x += width
    return rows


def _stroke(
    draw: ImageDraw.ImageDraw, a: tuple[float, float], b: tuple[float, float], series: Series
) -> None:
    width = 5 * SCALE if series.dash is None else 4 * SCALE
    if series.dash is None:
        draw.line([a, b], fill=series.colour, width=width)
    else:
        _dashed(draw, a, b, series.colour, width, series.dash)


def _marker(draw: ImageDraw.ImageDraw, p: tuple[float, float], series: Series) -> None:
    r = 8 * SCALE
    box = [p[0] - r, p[1] - r, p[0] + r, p[1] + r]
    if series.marker == "circle":
        draw.ellipse(box, fill=series.colour, outline="white", width=SCALE)
    elif series.marker == "square":
        draw.rectangle(box, fill=series.colour, outline="white", width=SCALE)
