"""The one place for chart colours, fonts and sizes.

Every chart of ``bestshore.views.charts`` colours shores with :func:`shore_scale` and goes
through :func:`apply_theme` before it is returned.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Final

import altair as alt

__all__ = [
    "CATEGORY_COLOURS",
    "COLOURS",
    "FONT",
    "SHADE_RANGE",
    "SHIFT_COLOURS",
    "SHORE_COLOURS",
    "SHORE_ORDER",
    "SIZES",
    "THEME_CONFIG",
    "apply_theme",
    "category_scale",
    "shift_colours",
    "shift_length_scale",
    "shore_scale",
]

SHORE_ORDER: Final[tuple[str, ...]] = ("inshore", "nearshore", "offshore")
"""Shores in their fixed display order: market country, near time zones, far."""

SHORE_COLOURS: Final = MappingProxyType(
    {
        "inshore": "#1f5a99",  # deep blue: at home
        "nearshore": "#2a9d8f",  # teal
        "offshore": "#e07b39",  # burnt orange: far away
    }
)
"""Colour of each shore, the same in every chart."""

CATEGORY_COLOURS: Final[tuple[str, ...]] = (
    "#6d597a",  # plum
    "#c9a227",  # ochre
    "#117733",  # green
    "#66ccee",  # sky
    "#ff9da7",  # pink
    "#332288",  # indigo
    "#dbdb8d",  # sand
    "#9467bd",  # violet
    "#e15759",  # red
    "#f0e442",  # yellow
)
"""Colours of categories other than shores (call types), in turn.

Chosen apart in CIELAB (ΔE*ab) from each other and from the shore colours, also as seen
with deuteranopia and protanopia (Machado et al. 2009): the first eight differ by 30 or
more with normal sight and 20 or more with either deficiency, and each of the ten by 25
or more from every shore colour (``tests/test_charts.py`` recomputes these), so that a
call type is neither confused with another nor read as a shore."""

SHIFT_COLOURS: Final[tuple[str, str]] = ("#b9bbd3", "#4a4e69")
"""Shift lengths from the shortest (pale lilac grey) to full time (dusk), interpolated in
between; away from the shore colours, as the roster is not about shores."""

SHADE_RANGE: Final[tuple[str, str]] = ("#efe9f4", "#54278f")
"""Countries shaded by FTE or cost, from the least (pale lilac) to the most (purple); away
from the shore colours of the sites drawn over them."""

COLOURS: Final = MappingProxyType(
    {
        "ocean": "#eef3f7",
        "land": "#dcdfe3",
        "border": "#ffffff",
        "island_edge": "#a3abb5",
        "market_land": "#bcd0e6",
        "market": "#1d2733",
        "route": "#5b6b7b",
        "graticule": "#dde6ee",
        "text": "#1d2733",
        "muted": "#5b6b7b",
        "grid": "#e3e8ee",
        "staffed": "#1f5f99",
        "needed": "#c0392b",
    }
)
"""Colours of everything that is not a shore: map background, text, grid lines."""

FONT: Final = "Helvetica, Arial, 'DejaVu Sans', sans-serif"
"""Font stack; the renderer takes the first one installed."""

SIZES: Final = MappingProxyType(
    {
        "title": 15,
        "subtitle": 12,
        "label": 11,
        "axis_title": 12,
        "annotation": 11,
        "map_width": 640,
        "map_min_height": 320,
        "map_max_height": 560,
        "bar_width": 360,
        "bar_height": 300,
        "bar_step": 22,
        "week_width": 840,
        "lane_step": 14,
    }
)
"""Font sizes [px] and default chart sizes [px]."""

THEME_CONFIG: Final[dict[str, Any]] = {
    "font": FONT,
    "background": "#ffffff",
    "padding": 8,
    "view": {"stroke": None},
    "title": {
        "fontSize": SIZES["title"],
        "fontWeight": "bold",
        "color": COLOURS["text"],
        "subtitleFontSize": SIZES["subtitle"],
        "subtitleColor": COLOURS["muted"],
        "anchor": "start",
        "offset": 10,
    },
    "axis": {
        "labelFontSize": SIZES["label"],
        "titleFontSize": SIZES["axis_title"],
        "titleFontWeight": "normal",
        "labelColor": COLOURS["text"],
        "titleColor": COLOURS["muted"],
        "domainColor": COLOURS["muted"],
        "tickColor": COLOURS["muted"],
        "gridColor": COLOURS["grid"],
        "labelLimit": 0,  # labels whole: names are never cut with an ellipsis
    },
    "legend": {
        "labelFontSize": SIZES["label"],
        "titleFontSize": SIZES["label"],
        "titleFontWeight": "bold",
        "labelColor": COLOURS["text"],
        "titleColor": COLOURS["text"],
        "symbolStrokeWidth": 0,
        "labelLimit": 0,
    },
    "text": {"font": FONT, "fontSize": SIZES["annotation"], "color": COLOURS["text"]},
}
"""The Vega-Lite ``config`` block every bestshore chart carries."""


def category_scale() -> alt.Scale:
    """Colour scale of other categories (call types): :data:`CATEGORY_COLOURS` in turn."""
    return alt.Scale(range=list(CATEGORY_COLOURS))


def _mix(start: str, end: str, weight: float) -> str:
    """The colour ``weight`` of the way from ``start`` to ``end`` (hex, in RGB) [0..1]."""
    low = [int(start[i : i + 2], 16) for i in (1, 3, 5)]
    high = [int(end[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(
        f"{round(a + weight * (b - a)):02x}" for a, b in zip(low, high, strict=True)
    )


def shift_colours(count: int) -> list[str]:
    """``count`` colours from the shortest shift to the longest (:data:`SHIFT_COLOURS`)."""
    if count <= 1:
        return [SHIFT_COLOURS[1]] * count
    return [_mix(*SHIFT_COLOURS, k / (count - 1)) for k in range(count)]


def shift_length_scale(labels: list[str]) -> alt.Scale:
    """Colour scale of shift lengths: ``labels`` from the shortest to the longest, the
    longest (full time) darkest."""
    return alt.Scale(domain=list(labels), range=shift_colours(len(labels)))


def shore_scale() -> alt.Scale:
    """Colour scale of the shores: fixed domain order and colours, whatever the data holds."""
    return alt.Scale(domain=list(SHORE_ORDER), range=[SHORE_COLOURS[s] for s in SHORE_ORDER])


def apply_theme[
    ChartT: (alt.Chart, alt.LayerChart, alt.ConcatChart, alt.HConcatChart, alt.VConcatChart)
](chart: ChartT) -> ChartT:
    """A copy of ``chart`` carrying the bestshore fonts, sizes and colours.

    Pure: ``chart`` is not changed. The result is a top-level chart (Vega-Lite forbids a
    ``config`` inside a layer or concatenation), so compose charts first, theme last.

    Parameters
    ----------
    chart : altair chart
        Any top-level Altair chart.

    Returns
    -------
    altair chart
        Same type as ``chart``, with ``config`` set to :data:`THEME_CONFIG`.
    """
    themed = chart.copy(deep=True)
    themed.config = alt.Config.from_dict(THEME_CONFIG)
    return themed
