"""Small line charts drawn on the server as SVG (the pages run no script): the geometry is a
pure function from the figures to the points, and the template draws them."""
import math
from dataclasses import dataclass

WIDTH, HEIGHT, MARGIN = 480, 200, 40


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # the year
    value: float


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    points: list[Point]
    y_ticks: list[tuple[float, float]]  # (y, value) of each horizontal rule
    baseline: float  # the y of zero

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:g},{p.y:g}" for p in self.points)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def line_chart(series: list[tuple[int, float | None]], width: int = WIDTH,
               height: int = HEIGHT, margin: int = MARGIN) -> LineChart:
    """The points of `(year, value)` figures in a `width` x `height` box: years spread
    evenly left to right in order, values from zero at the bottom to a round top; a year
    without a value is left out. One point stands in the middle."""
    known = sorted((year, value) for year, value in series if value is not None)
    top = nice_ceiling(max((v for _, v in known), default=0))
    inner_w, inner_h = width - 2 * margin, height - 2 * margin

    def y_of(value: float) -> float:
        return round(height - margin - value / top * inner_h, 2)

    points = []
    for n, (year, value) in enumerate(known):
        x = margin + (n / (len(known) - 1) * inner_w if len(known) > 1 else inner_w / 2)
        points.append(Point(round(x, 2), y_of(value), str(year), value))
    ticks = [(y_of(top * k / 2), top * k / 2) for k in range(3)]
    return LineChart(width, height, points, ticks, y_of(0))
