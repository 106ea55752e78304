"""Bar charts drawn on the server as SVG (issue 15 item 3): no script, no inline style, readable
without the picture — each chart has a title and a description, and the page puts the same figures
in a table beside it.

This module only does the geometry; `templates/macros/charts.html` writes the markup. A suppressed
figure (R34) gets no bar, only its text ("< 5", "geschützt"), so the picture reveals no more than
the table.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The drawing's coordinate system (it scales with the page through its viewBox).
WIDTH = 640
#: room to the right of the longest bar for its value text ("Median 12,5 Std., 90 % bis 3,5 Tage")
BAR_AREA = 380
ROW_HEIGHT = 40
LABEL_BASELINE = 14
BAR_TOP = 20
BAR_HEIGHT = 14


@dataclass(frozen=True)
class Bar:
    label: str
    #: None: nothing to draw (a suppressed figure); `text` says why
    value: float | None
    text: str
    #: a second, shorter value drawn inside the bar (the median inside the 90th percentile)
    inner: float | None = None
    #: the label's language when it is not the page's (a German step name on an English page)
    label_lang: str | None = None


@dataclass(frozen=True)
class DrawnBar:
    label: str
    text: str
    label_y: int
    bar_y: int
    width: float
    inner_width: float | None
    text_x: float
    label_lang: str | None = None


@dataclass(frozen=True)
class Chart:
    height: int
    bars: list[DrawnBar]
    bar_height: int = BAR_HEIGHT
    width: int = WIDTH


def chart(bars: list[Bar]) -> Chart:
    """Bars scaled to the largest value; a value of 0 or none gets no bar, only its text."""
    largest = max((b.value for b in bars if b.value), default=0.0)
    drawn = []
    for row, bar in enumerate(bars):
        top = row * ROW_HEIGHT
        width = BAR_AREA * bar.value / largest if bar.value and largest else 0.0
        inner = BAR_AREA * bar.inner / largest if bar.inner and largest else None
        drawn.append(
            DrawnBar(bar.label, bar.text, top + LABEL_BASELINE, top + BAR_TOP, width, inner, width + 6, bar.label_lang)
        )
    return Chart(max(1, len(bars)) * ROW_HEIGHT, drawn)
