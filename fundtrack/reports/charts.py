"""Bar charts as plain geometry, drawn as SVG by a template: no script, readable on paper and on screen.

Each chart carries a text alternative (its title, and a description naming every value) for screen
readers and for anyone who prefers the numbers; the page also shows the numbers in a table beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 84, 12, 22, 46  # room for the axis labels and the bar labels


@dataclass
class Bar:
    label: str
    value: float
    text: str  # the value as shown, e.g. "1.250.000 kr."
    href: str | None
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0


@dataclass
class Chart:
    key: str
    title: str
    bars: list[Bar]
    gridlines: list[tuple[float, str]] = field(default_factory=list)  # (y, label)
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - BOTTOM
    left: float = LEFT  # where the plot starts (the axis labels end just before)
    right: float = WIDTH - RIGHT

    @property
    def description(self) -> str:
        return "; ".join(f"{bar.label}: {bar.text}" for bar in self.bars)


# Round tops for an axis, each with the number of gridlines that gives round steps between them.
STEPS = ((1, 5), (2, 4), (2.5, 5), (4, 4), (5, 5), (10, 5))


def nice_ceiling(value: float) -> tuple[float, int]:
    """The smallest round top at or above `value` (1, 2, 2.5, 4 or 5 times a power of ten) and its gridlines."""
    if value <= 0:
        return 1, 4
    power = 10 ** math.floor(math.log10(value))
    for step, ticks in STEPS:
        if value <= step * power * (1 + 1e-9):
            return step * power, ticks
    return 10 * power, 5


def bar_chart(key: str, title: str, bars: list[Bar], axis_text, *, top: float | None = None) -> Chart:
    """Lay the bars out side by side, scaled to a rounded maximum (or `top`, e.g. 1 for rates)."""
    ceiling, ticks = (top, 4) if top is not None else nice_ceiling(max((bar.value for bar in bars), default=0))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(bars), 1)
    for index, bar in enumerate(bars):
        bar.width = round(slot * 0.62, 1)
        bar.x = round(LEFT + slot * index + (slot - bar.width) / 2, 1)
        bar.height = round(plot_height * max(bar.value, 0) / ceiling, 1) if ceiling else 0
        bar.y = round(TOP + plot_height - bar.height, 1)
    gridlines = [
        (round(TOP + plot_height - plot_height * i / ticks, 1), axis_text(ceiling * i / ticks)) for i in range(ticks + 1)
    ]
    return Chart(key=key, title=title, bars=bars, gridlines=gridlines)
