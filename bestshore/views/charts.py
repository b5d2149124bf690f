"""Charts of a solved plan: pure functions from tidy tables to Altair charts.

Each ``chart_<name>(table)`` returns a themed, top-level Altair chart. It reads the
table, never changes it, never displays anything and embeds all its data inline (no URL),
so the chart renders offline. Colours, fonts and sizes come from
:mod:`bestshore.views.theme`; render or save with :mod:`bestshore.views.export`.

Charts write display names, never ids: each takes an optional ``labels`` table (``kind``,
``id``, ``name``, as :attr:`bestshore.Result.labels`) naming the call types, sites,
vendors and countries of its table; an id without a label is written as it is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from bestshore.scenario.hours import HOURS_PER_WEEK, hour_label
from bestshore.views.geo import iso_numeric, load_world
from bestshore.views.theme import (
    COLOURS,
    SHADE_RANGE,
    SHORE_ORDER,
    SIZES,
    apply_theme,
    category_scale,
    shift_length_scale,
    shore_scale,
)

__all__ = [
    "chart_cost_by_site",
    "chart_coverage_heatmap",
    "chart_fte_by_shore",
    "chart_policy_prices",
    "chart_required_vs_staffed",
    "chart_roster",
    "chart_site_map",
    "site_label_boxes",
]

SITE_COLUMNS = ("site", "vendor", "country", "city", "lat", "lon", "shore", "fte", "cost")
ALLOCATION_COLUMNS = ("call_type", "shore", "fte")
MARKET_KEYS = ("name", "country", "lat", "lon")

_MIN_SPAN_DEG = (28.0, 16.0)  # smallest map window, longitude x latitude [deg]
_MARGIN = 0.12  # share of the span added on each side of the map window [-]
_MIN_MARGIN_DEG = 4.0  # at least this much room around the outermost point [deg]
#: How far past the frame the projection cuts the countries' outlines [px]: more than
#: half their border's width, so the frame's clip leaves no border along its edge.
_CUT_MARGIN = 1
_GLOBAL_SPAN_DEG = 200.0  # a window wider than this [deg of longitude] shows the world


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"`{what}` lacks column(s) {missing}; it has {list(frame.columns)}. "
            f"Pass a table with at least {list(columns)}."
        )


def _unit(currency: str | None) -> str:
    return f"{currency}/yr" if currency else "per yr"


LABEL_COLUMNS = ("kind", "id", "name")


def _label_map(labels: pd.DataFrame | None, kind: str) -> dict[str, str]:
    """Display name of each id of ``kind`` in a labels table (``kind``, ``id``, ``name``)."""
    if labels is None or labels.empty:
        return {}
    _require_columns(labels, LABEL_COLUMNS, "labels")
    part = labels[labels["kind"] == kind]
    return {
        str(i): str(n)
        for i, n in zip(part["id"], part["name"], strict=True)
        if isinstance(n, str) and n
    }


def _mapped(ids: pd.Series, labels: pd.DataFrame | None, kind: str) -> pd.Series:
    """``ids`` replaced by their display names (an id without one stays as it is)."""
    names = _label_map(labels, kind)
    return ids.astype(str).map(lambda i: names.get(i, i))


def _named_text(text: str, labels: pd.DataFrame | None) -> str:
    """``text`` with each word that is a call type, site or vendor id replaced by its
    display name (a rule's description, e.g. "mistral capped at 40%"), "eu_eea" as
    "EU/EEA" and the other underscores as spaces."""
    names: dict[str, str] = {}
    for kind in ("vendor", "site", "call_type"):
        names.update(_label_map(labels, kind))
    text = "".join(names.get(word, word) for word in re.split(r"([\w-]+)", text))
    return text.replace("eu_eea", "EU/EEA").replace("_", " ")


def _map_window(lons: np.ndarray, lats: np.ndarray) -> tuple[float, float, float, float]:
    """West, south, east, north [deg] of the area to show: the points plus a margin."""
    west, east = float(lons.min()), float(lons.max())
    south, north = float(lats.min()), float(lats.max())
    for axis, min_span in enumerate(_MIN_SPAN_DEG):
        low, high = (west, east) if axis == 0 else (south, north)
        span = high - low
        if span < min_span:
            low, high = low - (min_span - span) / 2, high + (min_span - span) / 2
            span = min_span
        pad = max(_MARGIN * span, _MIN_MARGIN_DEG)
        low, high = low - pad, high + pad
        if axis == 0:
            west, east = max(low, -180.0), min(high, 180.0)
        else:
            south, north = max(low, -80.0), min(high, 84.0)
    return west, south, east, north


def _window_edge(window: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes [deg] of points along the edges of ``window``.

    Several per edge, so that the projected extent follows the curved meridians.
    """
    west, south, east, north = window
    steps = np.linspace(0.0, 1.0, 9)
    lons = west + steps * (east - west)
    lats = south + steps * (north - south)
    edge_lon = np.concatenate([lons, lons, np.full(9, west), np.full(9, east)])
    edge_lat = np.concatenate([np.full(9, south), np.full(9, north), lats, lats])
    return edge_lon, edge_lat


def _equal_earth(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equal Earth projection (Šavrič, Patterson and Jenny 2018) on the unit sphere.

    x = 2√3 λ cos θ / (3 (A1 + 3 A2 θ² + θ⁶ (7 A3 + 9 A4 θ²))),
    y = θ (A1 + A2 θ² + θ⁶ (A3 + A4 θ²)), with sin θ = (√3 / 2) sin φ.
    Used only to size the map so its frame matches the projected window.
    """
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    theta = np.arcsin(np.sqrt(3) / 2 * np.sin(np.radians(lat)))
    t2 = theta**2
    t6 = t2**3
    x = 2 * np.sqrt(3) * np.radians(lon) * np.cos(theta)
    x = x / (3 * (a1 + 3 * a2 * t2 + t6 * (7 * a3 + 9 * a4 * t2)))
    y = theta * (a1 + a2 * t2 + t6 * (a3 + a4 * t2))
    return x, y


def _sphere_edge() -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes [deg] along the outline of the whole globe (lon ±180)."""
    lats = np.linspace(-90.0, 90.0, 181)
    return np.concatenate([np.full(181, -180.0), np.full(181, 180.0)]), np.concatenate([lats, lats])


@dataclass(frozen=True)
class _Frame:
    """The map's projection and size, and where a point lands in it [px].

    ``scale``, ``x0`` and ``y0`` reproduce d3's ``fitSize([width, height], edge)`` for the
    Equal Earth projection: a point at projected (x, y) is drawn at
    (x0 + scale x, y0 - scale y) pixels from the top left of the plot area.
    """

    projection: dict[str, Any]
    width: int
    height: int
    scale: float
    x0: float
    y0: float

    def pixels(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = _equal_earth(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return self.x0 + self.scale * x, self.y0 - self.scale * y


def _map_frame(lons: np.ndarray, lats: np.ndarray) -> _Frame:
    """Projection (fitted to the points plus a margin), chart size [px] and pixel mapping.

    A window wider than ``_GLOBAL_SPAN_DEG`` of longitude shows the whole world (no ``fit``:
    Vega-Lite then fits all layers, the sphere included); otherwise the projection fits a
    MultiPoint along the window edges (points, unlike a polygon, have no ring orientation
    d3 could read as "the whole globe"). The height follows the window's projected aspect
    ratio, within ``SIZES["map_min_height"]`` and ``SIZES["map_max_height"]``.
    """
    window = _map_window(lons, lats)
    width = SIZES["map_width"]
    projection: dict[str, Any] = {"type": "equalEarth"}
    if window[2] - window[0] > _GLOBAL_SPAN_DEG:
        edge_lon, edge_lat = _sphere_edge()
    else:
        edge_lon, edge_lat = _window_edge(window)
        projection["fit"] = {
            "type": "Feature",
            "properties": {},
            "geometry": {
                "type": "MultiPoint",
                "coordinates": [
                    [round(float(x), 3), round(float(y), 3)]
                    for x, y in zip(edge_lon, edge_lat, strict=True)
                ],
            },
        }
        # The fit reads the rounded coordinates: so does the pixel mapping.
        edge_lon, edge_lat = np.round(edge_lon, 3), np.round(edge_lat, 3)
    x, y = _equal_earth(edge_lon, edge_lat)
    aspect = float(np.ptp(y) / np.ptp(x))
    height = int(np.clip(width * aspect, SIZES["map_min_height"], SIZES["map_max_height"]))
    # d3 fitSize: the largest scale at which the edge's bounds fit, centred.
    screen_y = -y
    scale = min(width / float(np.ptp(x)), height / float(np.ptp(screen_y)))
    x0 = (width - scale * float(x.max() + x.min())) / 2
    y0 = (height - scale * float(screen_y.max() + screen_y.min())) / 2
    # Geometry cut a pixel past the frame (the marks' clip then cuts the frame edge
    # clean, without the border drawn along the cut): a shape reaching thousands of
    # pixels past the frame made the PNG's rasterizer draw it all (seconds a map).
    projection["clipExtent"] = [
        [-_CUT_MARGIN, -_CUT_MARGIN],
        [width + _CUT_MARGIN, height + _CUT_MARGIN],
    ]
    return _Frame(projection, width, height, scale, x0, y0)


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten at or above
    ``value`` (> 0)."""
    power = float(10.0 ** np.floor(np.log10(value)))
    return min(m * power for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * power >= value)


def _size_domain_top(largest: float) -> float:
    """Top of the FTE size scale [FTE]: the largest site's FTE rounded up to a round value,
    so that the legend's largest circle is at least the largest site's."""
    return _nice_ceiling(largest) if largest > 0 else 1.0


def _legend_sizes(largest: float) -> list[float]:
    """FTE values of the size legend: a round top at or above ``largest``, its half and
    its quarter; the top is the size scale's (:func:`_size_domain_top`)."""
    if largest <= 0:
        return []
    top = _size_domain_top(largest)
    return sorted({top / 4, top / 2, top})


_CIRCLE_AREA = (50.0, 900.0)  # area of a 0-FTE and of a top-of-scale site circle [px²]
_CANDIDATE_AREA = 28.0  # area of an unused site's hollow marker [px²]
_MARKET_AREA = 140.0  # area of the market's diamond [px²]
_LABEL_GAP = 3.0  # room between a marker and its label [px]
_LABEL_PAD = 1.5  # room around a label's text inside its box [px]

# Advance widths of DejaVu Sans, the widest of the theme's fonts, rounded up [em].
_NARROW = frozenset("fijlrtI!'(),-./:;[]|\\ ")
_WIDE = frozenset("mwMW%@")


def _text_width(text: str, size: float, bold: bool = False) -> float:
    """Width [px] of ``text`` at ``size`` [px], estimated from above for the theme's fonts."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.41
        elif char in _WIDE:
            em += 1.0
        elif char.isupper() or not char.isalnum():
            em += 0.85
        else:
            em += 0.66
    return em * size * (1.12 if bold else 1.0)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Area [px²] shared by two boxes (x0, y0, x1, y1)."""
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def _candidates(
    x: float, y: float, radius: float, width: float, height: float, first: str
) -> list[tuple[float, float, float, float]]:
    """Boxes (x0, y0, x1, y1) a label of ``width`` x ``height`` may take around a marker of
    ``radius`` at (x, y) [px], in order of preference: right, left, above, below, the
    four corners (``first`` = "left" puts left first), then the same a line further out."""
    boxes = []
    for gap in (_LABEL_GAP, _LABEL_GAP + height):
        r = radius + gap
        d = radius * 0.71 + gap  # corners: off the circle's diagonal
        right = (x + r, y - height / 2)
        left = (x - r - width, y - height / 2)
        sides = [left, right] if first == "left" else [right, left]
        corners = [
            (x + d, y - d - height),  # upper right
            (x - d - width, y - d - height),  # upper left
            (x + d, y + d),  # lower right
            (x - d - width, y + d),  # lower left
        ]
        above, below = (x - width / 2, y - r - height), (x - width / 2, y + r)
        for x0, y0 in [*sides, above, below, *corners]:
            boxes.append((x0, y0, x0 + width, y0 + height))
    return boxes


def _place_labels(
    marks: pd.DataFrame, frame: _Frame, font_size: float
) -> list[tuple[float, float, float, float]]:
    """A box for the label of each row of ``marks`` (columns ``x``, ``y``, ``radius``,
    ``text``, ``bold``, ``labelled``, ``first``), in row order.

    Each label, in turn, takes the first of its candidate boxes (:func:`_candidates`)
    that stays inside the frame and overlaps no marker and no label placed before it;
    when none does, the candidate overlapping least (the first of equals). Rows not
    ``labelled`` are obstacles only (their box is NaN).
    """
    markers = [
        (r.x - r.radius, r.y - r.radius, r.x + r.radius, r.y + r.radius)
        for r in marks.itertuples(index=False)
    ]
    placed: list[tuple[float, float, float, float]] = []
    boxes: list[tuple[float, float, float, float]] = []
    for number, row in enumerate(marks.itertuples(index=False)):
        if not row.labelled:
            boxes.append((np.nan, np.nan, np.nan, np.nan))
            continue
        width = _text_width(str(row.text), font_size, bool(row.bold)) + 2 * _LABEL_PAD
        height = font_size * 1.25 + 2 * _LABEL_PAD
        best, best_cost = None, np.inf
        for box in _candidates(row.x, row.y, row.radius, width, height, str(row.first)):
            outside = box[0] < 0 or box[1] < 0 or box[2] > frame.width or box[3] > frame.height
            cost = sum(_overlap(box, other) for other in placed) + sum(
                _overlap(box, marker) for k, marker in enumerate(markers) if k != number
            )
            cost += 1e6 if outside else 0.0
            if cost < best_cost:
                best, best_cost = box, cost
            if cost == 0:
                break
        assert best is not None
        placed.append(best)
        boxes.append(best)
    return boxes


def _site_names(sites: pd.DataFrame, labels: pd.DataFrame | None) -> dict[str, str]:
    """Display name of each site of ``sites`` (a table with a ``site`` column): a
    ``site_name`` column, else its label, else a ``name`` column, else its city, whichever
    first differs from the id; the id last. Names two sites would share get the vendor's
    name in brackets (where the table has a ``vendor`` column), then the id.
    """
    labelled = _label_map(labels, "site")
    vendors = _label_map(labels, "vendor")
    rows = sites.drop_duplicates("site").to_dict("records")
    names: dict[str, str] = {}
    for row in rows:
        site = str(row["site"])
        options = [row.get("site_name"), labelled.get(site), row.get("name"), row.get("city")]
        names[site] = next(
            (str(o) for o in options if isinstance(o, str) and o and o != site), site
        )
    for extra in ("vendor", "site"):
        counts = Counter(names.values())
        clashing = [str(r["site"]) for r in rows if counts[names[str(r["site"])]] > 1]
        if not clashing or extra not in sites.columns:
            continue
        for row in rows:
            site = str(row["site"])
            if site in clashing:
                tag = vendors.get(str(row[extra]), str(row[extra])) if extra == "vendor" else site
                names[site] = f"{names[site]} ({tag})"
    return names


def _map_marks(
    used: pd.DataFrame, idle: pd.DataFrame, market: Mapping[str, float | str], frame: _Frame
) -> pd.DataFrame:
    """Every marker of the map with its pixel position and radius, in labelling order:
    the market first, then the used sites, largest first, then the unused ones."""
    top = _size_domain_top(float(used["fte"].max()) if len(used) else 0.0)
    area = _CIRCLE_AREA[0] + (_CIRCLE_AREA[1] - _CIRCLE_AREA[0]) * used["fte"] / top
    rows = pd.concat(
        [
            pd.DataFrame(
                {
                    "kind": "market",
                    "site": [""],
                    "text": [str(market["name"])],
                    "lon": [float(market["lon"])],
                    "lat": [float(market["lat"])],
                    "radius": [np.sqrt(_MARKET_AREA / 2)],  # half the diamond's diagonal
                    "bold": [True],
                    "labelled": [True],
                    "first": ["left"],
                }
            ),
            pd.DataFrame(
                {
                    "kind": "site",
                    "site": used["site"].astype(str),
                    "text": used["site_name"].astype(str),
                    "lon": used["lon"].astype(float),
                    "lat": used["lat"].astype(float),
                    "radius": np.sqrt(area / np.pi) + 1.0,  # the white stroke
                    "bold": False,
                    "labelled": True,
                    "first": "right",
                }
            ),
            pd.DataFrame(
                {
                    "kind": "candidate",
                    "site": idle["site"].astype(str),
                    "text": idle["site_name"].astype(str),
                    "lon": idle["lon"].astype(float),
                    "lat": idle["lat"].astype(float),
                    "radius": np.sqrt(_CANDIDATE_AREA / np.pi) + 1.0,
                    "bold": False,
                    "labelled": False,
                    "first": "right",
                }
            ),
        ],
        ignore_index=True,
    )
    rows["x"], rows["y"] = frame.pixels(rows["lon"].to_numpy(), rows["lat"].to_numpy())
    return rows


def _map_layout(
    sites: pd.DataFrame, market: Mapping[str, float | str], labels: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame, _Frame, pd.DataFrame]:
    """The used and unused sites (with display names), the frame and the placed labels."""
    _require_columns(sites, SITE_COLUMNS, "sites")
    missing_keys = [k for k in MARKET_KEYS if k not in market]
    if missing_keys:
        raise ValueError(
            f"`market` lacks key(s) {missing_keys}; it has {list(market)}. "
            f"Pass a mapping with {list(MARKET_KEYS)}."
        )
    extra = [c for c in ("utilisation",) if c in sites.columns]
    table = sites.loc[:, [*SITE_COLUMNS, *extra]].reset_index(drop=True)
    table["site_name"] = table["site"].astype(str).map(_site_names(sites, labels))
    table["vendor_name"] = _mapped(table["vendor"], labels, "vendor")
    table["country_name"] = _mapped(table["country"], labels, "country")
    used = table[table["fte"] > 0].sort_values(["fte", "site"], ascending=[False, True])
    idle = table[~(table["fte"] > 0)].sort_values("site")
    market_lon, market_lat = float(market["lon"]), float(market["lat"])
    frame = _map_frame(
        np.append(used["lon"].to_numpy(dtype=float), market_lon),
        np.append(used["lat"].to_numpy(dtype=float), market_lat),
    )
    marks = _map_marks(used, idle, market, frame)
    boxes = np.array(_place_labels(marks, frame, SIZES["annotation"]), dtype=float).reshape(-1, 4)
    marks[["x0", "y0", "x1", "y1"]] = boxes
    return used, idle, frame, marks


def site_label_boxes(
    sites: pd.DataFrame, market: Mapping[str, float | str], *, labels: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Where :func:`chart_site_map` draws each marker and writes each name, in pixels.

    The labels are placed deterministically: the market first, then the used sites from
    the largest; each takes the first box around its marker (right, left, above, below,
    the corners, then the same a line further out) inside the map that overlaps no
    marker and no label placed before it, or else the one overlapping least. Text
    widths are estimated from above for the theme's widest font (DejaVu Sans).

    Parameters
    ----------
    sites, market, labels
        As for :func:`chart_site_map`.

    Returns
    -------
    pandas.DataFrame
        One row per marker: ``kind`` (``"market"``, ``"site"`` or ``"candidate"``, an
        unused site, not labelled), ``site`` (the id, empty for the market), ``text``
        (the name written), ``x``, ``y`` (marker centre) and ``radius`` [px], ``x0``,
        ``y0``, ``x1``, ``y1`` (the label's box; NaN for candidates) [px from the top
        left of the map's plot area, y down].
    """
    *_, marks = _map_layout(sites, market, labels)
    columns = ["kind", "site", "text", "x", "y", "radius", "x0", "y0", "x1", "y1"]
    return marks[columns].reset_index(drop=True)


def _routes(used: pd.DataFrame, market: Mapping[str, float | str]) -> list[dict[str, Any]]:
    """One LineString feature from the market to each used site (drawn as a great circle)."""
    origin = [float(market["lon"]), float(market["lat"])]
    return [
        {
            "type": "Feature",
            "properties": {"site": row.site_name, "shore": row.shore, "fte": float(row.fte)},
            "geometry": {
                "type": "LineString",
                "coordinates": [origin, [float(row.lon), float(row.lat)]],
            },
        }
        for row in used.itertuples(index=False)
    ]


def _site_tooltip(currency: str | None, utilisation: bool) -> list[alt.Tooltip]:
    tooltip = [
        alt.Tooltip("site_name:N", title="Site"),
        alt.Tooltip("vendor_name:N", title="Vendor"),
        alt.Tooltip("city:N", title="City"),
        alt.Tooltip("country_name:N", title="Country"),
        alt.Tooltip("shore:N", title="Shore"),
        alt.Tooltip("fte:Q", title="FTE", format=",.1f"),
        alt.Tooltip("cost:Q", title=f"Cost [{_unit(currency)}]", format=",.0f"),
    ]
    if utilisation:
        tooltip.append(alt.Tooltip("utilisation:Q", title="Utilisation", format=".0%"))
    return tooltip


SHADE_MEASURES = ("fte", "cost")


def _country_shading(
    table: pd.DataFrame,
    measure: str,
    currency: str | None,
    labels: pd.DataFrame | None,
    frame: _Frame,
) -> list[alt.Chart]:
    """Countries filled by the sum of ``measure`` over their sites (used ones only): their
    outlines' layer and, when one is used, the small countries' markers' layer."""
    totals = table[table["fte"] > 0].groupby("country", sort=True)[measure].sum()
    world = load_world()
    codes = {iso_numeric(str(code)): float(value) for code, value in totals.items()}
    world["value"] = [codes.get(int(n)) if pd.notna(n) else None for n in world["iso_numeric"]]
    shaded = world[world["value"].notna()].copy()
    names = {iso_numeric(str(c)): n for c, n in _label_map(labels, "country").items()}
    shaded["name"] = [
        names.get(int(n), name)
        for n, name in zip(shaded["iso_numeric"], shaded["name"], strict=True)
    ]
    if measure == "fte":
        title, number = "FTE by country", ",.1f"
    else:
        title, number = f"Cost by country [{_unit(currency)}]", ",.0f"
    fill = alt.Fill(
        "value:Q",
        title=title,
        scale=alt.Scale(range=list(SHADE_RANGE), zero=True, nice=True),
        legend=alt.Legend(
            format="~s" if measure == "cost" else ",.0f",
            labelExpr="datum.value == 0 ? '0' : datum.label",
            orient="right",
        ),
    )
    tooltip = [
        alt.Tooltip("name:N", title="Country"),
        alt.Tooltip("value:Q", title=title, format=number),
    ]
    return _land_layers(shaded, frame, fill=fill, tooltip=tooltip)


# Area of a small country's marker (Mauritius, Malta, island states) [px²]: a disc of
# about 2.5 px radius, under any site's circle.
_COUNTRY_MARKER_AREA = 20


def _land_layers(world: pd.DataFrame, frame: _Frame, **encoding: Any) -> list[alt.Chart]:
    """The countries of ``world`` (:func:`~bestshore.views.geo.load_world`) as layers
    with ``encoding``: the outlines (geoshapes) and the small countries' point markers
    (discs at their position, which a world map would otherwise show smaller than a
    pixel) that fall in ``frame``; a layer with no country is left out (an empty layer's
    scale has no extent)."""
    outlines = world[~world["marker"]].drop(columns="marker")
    points = world[world["marker"]]
    # Markers off the map are left out: clipped, they would not show, and a clipped
    # group reaching thousands of pixels past the frame made the PNG's rasterizer
    # (resvg) draw it all (seconds a map).
    x, y = frame.pixels(points.geometry.x.to_numpy(), points.geometry.y.to_numpy())
    reach = np.sqrt(_COUNTRY_MARKER_AREA / np.pi) + 1.0  # its radius and edge [px]
    points = points[
        (x >= -reach) & (x <= frame.width + reach) & (y >= -reach) & (y <= frame.height + reach)
    ]
    markers = pd.DataFrame(
        {
            "iso_numeric": points["iso_numeric"].astype("Int64"),
            "name": points["name"],
            "lon": points.geometry.x.round(3),
            "lat": points.geometry.y.round(3),
            **({"value": points["value"]} if "value" in points.columns else {}),
        }
    )
    layers = []
    if len(outlines):
        layers.append(
            alt.Chart(outlines)
            .mark_geoshape(stroke=COLOURS["border"], strokeWidth=0.6, clip=True)
            .encode(**encoding)
        )
    if len(markers):
        layers.append(
            alt.Chart(markers)
            .mark_circle(
                size=_COUNTRY_MARKER_AREA,
                opacity=1,
                stroke=COLOURS["island_edge"],
                strokeWidth=0.6,
                clip=True,
            )
            .encode(longitude="lon:Q", latitude="lat:Q", **encoding)
        )
    return layers


def chart_site_map(
    sites: pd.DataFrame,
    market: Mapping[str, float | str],
    *,
    currency: str | None = None,
    labels: pd.DataFrame | None = None,
    shade: str | None = None,
) -> alt.LayerChart:
    """World map of the sites, sized by the FTE they carry, with a line from the market.

    The map is zoomed on the market and the used sites (with a margin), so a Europe and
    Africa plan fills the frame and a global plan shows the world. Countries come from the
    bundled Natural Earth map (:func:`bestshore.views.geo.load_world`), inline, a country
    too small for it (Mauritius, Malta, island states) as a small disc; the market
    country is shaded, or with ``shade`` every country by its sites' FTE or cost (a
    choropleth). Projection: Equal Earth. Each used site is named beside its circle
    where the name collides with no other name or marker (:func:`site_label_boxes`).

    Parameters
    ----------
    sites : pandas.DataFrame
        One row per site, columns:

        - ``site``, ``vendor`` : identifiers [str];
        - ``country`` : ISO 3166-1 alpha-2 code [str]; ``city`` [str];
        - ``lat``, ``lon`` : site position [deg, WGS 84];
        - ``shore`` : ``"inshore"``, ``"nearshore"`` or ``"offshore"`` [str];
        - ``fte`` : planned full-time equivalents at the site [FTE]; sites with 0 are
          drawn as small hollow candidates, without a line;
        - ``cost`` : planned annual cost at the site [currency/yr];
        - ``utilisation`` (optional) : share of the site capacity used [0..1];
        - ``site_name`` or ``name`` (optional) : display name [str].
    market : mapping
        The market served: ``name`` [str], ``country`` (ISO alpha-2) [str], ``lat`` and
        ``lon`` [deg].
    currency : str, optional
        Currency code shown in cost titles, e.g. ``"EUR"``.
    labels : pandas.DataFrame, optional
        Display names (``kind``, ``id``, ``name``: :attr:`bestshore.Result.labels`) of the
        sites, vendors and countries. A site is named by, in turn, its ``site_name``
        column, its label, its ``name`` column and its city, the first that is not its id.
    shade : {"fte", "cost"}, optional
        Fill each country by the FTE [FTE] or the cost [currency/yr] of its used sites.

    Returns
    -------
    altair.LayerChart
        Themed, top-level, data inline. ``sites`` is not changed.

    Raises
    ------
    ValueError
        If ``sites`` lacks a column or ``market`` a key listed above, or ``shade`` is
        another value.
    """
    if shade is not None and shade not in SHADE_MEASURES:
        raise ValueError(f"`shade` is {shade!r}; pass one of {list(SHADE_MEASURES)} or None.")
    used, idle, frame, marks = _map_layout(sites, market, labels)
    has_utilisation = "utilisation" in used.columns
    ids = ["site", "vendor", "country"]  # the charts' data carry names, not ids

    market_code = iso_numeric(str(market["country"]))
    land_colour = (
        alt.value(COLOURS["land"])
        if shade is not None
        else alt.when(alt.datum.iso_numeric == (market_code or -1))
        .then(alt.value(COLOURS["market_land"]))
        .otherwise(alt.value(COLOURS["land"]))
    )
    land = _land_layers(
        load_world(), frame, color=land_colour, tooltip=alt.Tooltip("name:N", title="Country")
    )
    ocean = alt.Chart(alt.sphere()).mark_geoshape(fill=COLOURS["ocean"], stroke=None, clip=True)
    graticule = alt.Chart(alt.graticule(step=[15, 15])).mark_geoshape(
        filled=False, stroke=COLOURS["graticule"], strokeWidth=0.5, clip=True
    )
    routes = (
        alt.Chart(alt.Data(values=_routes(used, market)))
        .mark_geoshape(filled=False, strokeWidth=1.6, opacity=0.7, clip=True)
        .encode(color=alt.Color("properties.shore:N", title="Shore", scale=shore_scale()))
    )
    candidates = (
        alt.Chart(idle.drop(columns=ids))
        .mark_point(
            shape="circle",
            size=_CANDIDATE_AREA,
            filled=False,
            strokeWidth=1.2,
            opacity=0.8,
            clip=True,
        )
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            color=alt.Color("shore:N", title="Shore", scale=shore_scale()),
            tooltip=_site_tooltip(currency, has_utilisation),
        )
    )
    largest = float(used["fte"].max()) if len(used) else 0.0
    circles = (
        alt.Chart(used.drop(columns=ids))
        .mark_circle(opacity=0.9, stroke="white", strokeWidth=1, clip=True)
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            size=alt.Size(
                "fte:Q",
                title="FTE",
                scale=alt.Scale(
                    domain=[0, _size_domain_top(largest)], range=list(_CIRCLE_AREA), zero=True
                ),
                legend=alt.Legend(
                    format=",.0f", values=_legend_sizes(largest), symbolFillColor=COLOURS["muted"]
                ),
            ),
            color=alt.Color("shore:N", title="Shore", scale=shore_scale()),
            order=alt.Order("fte:Q", sort="descending"),
            tooltip=_site_tooltip(currency, has_utilisation),
        )
    )
    written = (
        marks[marks["labelled"]]
        .assign(tx=lambda t: t["x0"] + _LABEL_PAD, ty=lambda t: (t["y0"] + t["y1"]) / 2)[
            ["kind", "text", "tx", "ty"]
        ]
        .round({"tx": 2, "ty": 2})
    )
    text_position = {
        "x": alt.X("tx:Q", scale=None, axis=None),
        "y": alt.Y("ty:Q", scale=None, axis=None),
        "text": alt.Text("text:N"),
    }
    site_labels = (
        alt.Chart(written[written["kind"] == "site"])
        .mark_text(align="left", baseline="middle", fontSize=SIZES["annotation"])
        .encode(**text_position)
    )
    market_frame = pd.DataFrame(
        {
            "name": [str(market["name"])],
            "lon": [float(market["lon"])],
            "lat": [float(market["lat"])],
        }
    )
    market_mark = (
        alt.Chart(market_frame)
        .mark_point(
            shape="diamond",
            size=_MARKET_AREA,
            filled=True,
            color=COLOURS["market"],
            opacity=1,
            clip=True,
        )
        .encode(longitude="lon:Q", latitude="lat:Q", tooltip=alt.Tooltip("name:N", title="Market"))
    )
    market_label = (
        alt.Chart(written[written["kind"] == "market"])
        .mark_text(align="left", baseline="middle", fontWeight="bold", fontSize=SIZES["annotation"])
        .encode(**text_position)
    )

    shading = [] if shade is None else _country_shading(used, shade, currency, labels, frame)
    layers = [
        ocean,
        graticule,
        *land,
        *shading,
        routes,
        candidates,
        circles,
        site_labels,
        market_mark,
        market_label,
    ]
    what = {None: "", "fte": "; countries by FTE", "cost": "; countries by annual cost"}[shade]
    chart = alt.LayerChart(
        layer=layers,
        projection=alt.Projection(**frame.projection),
        width=frame.width,
        height=frame.height,
        title=alt.Title(
            f"Where the work for {market['name']} is done",
            subtitle=f"Sites sized by planned FTE, coloured by shore; hollow: not used{what}",
        ),
    )
    return apply_theme(chart)


def _zero_axis(number: str, **options: Any) -> alt.Axis:
    """A quantitative axis in ``number`` format whose zero reads "0" (not "0.0" or "0k")."""
    return alt.Axis(format=number, labelExpr="datum.value == 0 ? '0' : datum.label", **options)


def chart_fte_by_shore(
    allocation: pd.DataFrame, *, labels: pd.DataFrame | None = None
) -> alt.LayerChart:
    """Stacked bars of planned FTE per shore, split by call type, total on top.

    Parameters
    ----------
    allocation : pandas.DataFrame
        The plan, one row per (call type, language, site, ...) cell; columns used:

        - ``call_type`` [str];
        - ``shore`` : ``"inshore"``, ``"nearshore"`` or ``"offshore"`` [str];
        - ``fte`` : planned full-time equivalents [FTE].

        Other columns (language, site, vendor, country, level, channel, share, volume,
        productive_hours, cost_per_hour, cost) are ignored.
    labels : pandas.DataFrame, optional
        Display names (``kind``, ``id``, ``name``) of the call types, for the legend and
        the tooltip.

    Returns
    -------
    altair.LayerChart
        Themed, data inline; shores on x always in the order inshore, nearshore,
        offshore (an unused shore shows as an empty slot). ``allocation`` is not changed.

    Raises
    ------
    ValueError
        If ``allocation`` lacks a column listed above.
    """
    _require_columns(allocation, ALLOCATION_COLUMNS, "allocation")
    by_type = (
        allocation.groupby(["shore", "call_type"], as_index=False, sort=True)["fte"]
        .sum()
        .query("fte > 0")
    )
    by_type["call_type_name"] = _mapped(by_type["call_type"], labels, "call_type")
    by_type = by_type.drop(columns="call_type")
    by_type["shore_fte"] = by_type.groupby("shore")["fte"].transform("sum")
    by_type["share_of_shore"] = by_type["fte"] / by_type["shore_fte"]
    totals = by_type.groupby("shore", as_index=False)["fte"].sum()

    x = alt.X(
        "shore:N",
        title=None,
        scale=alt.Scale(domain=list(SHORE_ORDER)),
        axis=alt.Axis(labelAngle=0, labelFontSize=SIZES["axis_title"]),
    )
    bars = (
        alt.Chart(by_type)
        .mark_bar(width={"band": 0.65}, stroke="white", strokeWidth=0.8)
        .encode(
            x=x,
            y=alt.Y("fte:Q", title="Planned FTE", stack="zero", axis=_zero_axis(",.0f")),
            color=alt.Color("call_type_name:N", title="Call type", scale=category_scale()),
            order=alt.Order("call_type_name:O"),  # stacked by name (nominal warns in Vega-Lite)
            tooltip=[
                alt.Tooltip("shore:N", title="Shore"),
                alt.Tooltip("call_type_name:N", title="Call type"),
                alt.Tooltip("fte:Q", title="FTE", format=",.1f"),
                alt.Tooltip("share_of_shore:Q", title="Share of shore", format=".0%"),
                alt.Tooltip("shore_fte:Q", title="Shore total FTE", format=",.1f"),
            ],
        )
    )
    labels = (
        alt.Chart(totals)
        .mark_text(dy=-6, baseline="bottom", fontWeight="bold")
        .encode(x=x, y=alt.Y("fte:Q"), text=alt.Text("fte:Q", format=",.0f"))
    )
    chart = alt.LayerChart(
        layer=[bars, labels],
        width=SIZES["bar_width"],
        height=SIZES["bar_height"],
        title=alt.Title("Planned FTE by shore", subtitle="Stacked by call type; total on top"),
    )
    return apply_theme(chart)


def chart_cost_by_site(
    sites: pd.DataFrame, *, currency: str | None = None, labels: pd.DataFrame | None = None
) -> alt.LayerChart:
    """Horizontal bars of the annual cost of each used site, largest first, by shore.

    Parameters
    ----------
    sites : pandas.DataFrame
        One row per site, the columns of :func:`chart_site_map`: ``site``, ``vendor``,
        ``country``, ``city`` [str], ``lat``, ``lon`` [deg], ``shore`` [str], ``fte``
        [FTE], ``cost`` [currency/yr] and optionally ``utilisation`` [0..1]. Rows with
        ``fte`` 0 (unused sites) are left out.
    currency : str, optional
        Currency code for the axis title, e.g. ``"EUR"``.
    labels : pandas.DataFrame, optional
        Display names of the sites, vendors and countries, as for :func:`chart_site_map`.

    Returns
    -------
    altair.LayerChart
        Themed, data inline, one bar per used site (named) labelled with its cost.
        ``sites`` is not changed.

    Raises
    ------
    ValueError
        If ``sites`` lacks a column listed above.
    """
    _require_columns(sites, SITE_COLUMNS, "sites")
    has_utilisation = "utilisation" in sites.columns
    columns = [*SITE_COLUMNS, *(["utilisation"] if has_utilisation else [])]
    used = sites.loc[sites["fte"] > 0, columns].reset_index(drop=True)
    used["site_name"] = used["site"].astype(str).map(_site_names(sites, labels))
    used["vendor_name"] = _mapped(used["vendor"], labels, "vendor")
    used["country_name"] = _mapped(used["country"], labels, "country")
    order = used.sort_values(["cost", "site"], ascending=[False, True])["site_name"].tolist()
    y = alt.Y("site_name:N", title=None, sort=order)
    base = alt.Chart(used.drop(columns=["site", "vendor", "country"])).encode(
        y=y,
        x=alt.X("cost:Q", title=f"Annual cost [{_unit(currency)}]", axis=_zero_axis("~s")),
    )
    bars = base.mark_bar(height={"band": 0.75}).encode(
        color=alt.Color("shore:N", title="Shore", scale=shore_scale()),
        tooltip=_site_tooltip(currency, has_utilisation),
    )
    labels = base.mark_text(align="left", dx=4, color=COLOURS["muted"]).encode(
        text=alt.Text("cost:Q", format=".3~s")
    )
    chart = alt.LayerChart(
        layer=[bars, labels],
        width=SIZES["bar_width"],
        height=alt.Step(SIZES["bar_step"]),
        title=alt.Title("Annual cost by site", subtitle="Used sites, largest first"),
    )
    return apply_theme(chart)


COVERAGE_COLUMNS = ("site", "hour", "agents")
REQUIREMENT_COLUMNS = ("call_type", "hour", "required_pooled", "staffed")
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _week_axis(title: str) -> alt.X:
    """Hour of the week on x, ticked at each day's midnight and labelled with the day."""
    label = "['Mon','Tue','Wed','Thu','Fri','Sat','Sun'][floor(datum.value / 24)]"
    return alt.X(
        "hour:Q",
        title=title,
        scale=alt.Scale(domain=[0, 168], nice=False),
        axis=alt.Axis(values=list(range(0, 168, 24)), labelExpr=label, grid=True),
    )


def chart_coverage_heatmap(
    coverage: pd.DataFrame, *, labels: pd.DataFrame | None = None
) -> alt.Chart:
    """Heatmap of agents logged in, hour of the week (market time) x site.

    Parameters
    ----------
    coverage : pandas.DataFrame
        ``Result.coverage``: ``site`` [str], ``hour`` (0-167, Monday 00:00 market time
        = 0), ``agents`` logged in for real-time work [agents].
    labels : pandas.DataFrame, optional
        Display names (``kind``, ``id``, ``name``) of the sites.

    Returns
    -------
    altair.Chart
        Themed; one row per site (by name), one cell per hour, darker for more agents,
        the colour scale from 0. Empty cells: the site takes no real-time work then.
        ``coverage`` is not changed.
    """
    _require_columns(coverage, COVERAGE_COLUMNS, "coverage")
    table = coverage[list(COVERAGE_COLUMNS)].copy()
    table["site_name"] = table["site"].astype(str).map(_site_names(coverage, labels))
    table = table.drop(columns="site")
    table["day"] = [_DAY_NAMES[h // 24] for h in table["hour"]]
    table["time"] = [f"{h % 24:02d}:00" for h in table["hour"]]
    table["hour_end"] = table["hour"] + 1
    chart = (
        alt.Chart(
            table,
            title=alt.Title(
                "Who answers when", subtitle="Agents logged in per hour of the week, market time"
            ),
        )
        .mark_rect()
        .encode(
            x=_week_axis("Hour of the week (market time)"),
            x2="hour_end:Q",
            y=alt.Y("site_name:N", title=None, sort="ascending"),
            color=alt.Color(
                "agents:Q",
                title="Agents",
                scale=alt.Scale(scheme="blues", domainMin=0),
                legend=alt.Legend(labelExpr="datum.value == 0 ? '0' : datum.label"),
            ),
            tooltip=[
                alt.Tooltip("site_name:N", title="Site"),
                alt.Tooltip("day:N", title="Day"),
                alt.Tooltip("time:N", title="Hour"),
                alt.Tooltip("agents:Q", title="Agents", format=",.1f"),
            ],
        )
        .properties(width=SIZES["bar_width"] * 2, height={"step": 16})
    )
    return apply_theme(chart)


_NEEDED, _STAFFED = "needed (one pooled queue)", "staffed (all sites)"


def chart_required_vs_staffed(
    requirements: pd.DataFrame, *, labels: pd.DataFrame | None = None
) -> alt.VConcatChart:
    """Per call type, agents needed if pooled at one site vs agents staffed, by hour.

    Parameters
    ----------
    requirements : pandas.DataFrame
        ``Result.requirements``: ``call_type`` [str], ``hour`` (0-167, market time),
        ``required_pooled`` (Erlang C agents of the whole queue at one site) and
        ``staffed`` (agents across all sites) [agents].
    labels : pandas.DataFrame, optional
        Display names (``kind``, ``id``, ``name``) of the call types, heading the panels.

    Returns
    -------
    altair.VConcatChart
        Themed; one panel per real-time call type, by name: the agents staffed as a
        solid line, the agents one pooled queue would need as a dashed line over it, a
        legend showing which line is which; the gap between them is the pooling loss of
        splitting the queue. The tooltip gives the hour as weekday and time.
        ``requirements`` is not changed.
    """
    _require_columns(requirements, REQUIREMENT_COLUMNS, "requirements")
    long = requirements.melt(
        id_vars=["call_type", "hour"],
        value_vars=["staffed", "required_pooled"],
        var_name="series",
        value_name="agents",
    )
    long["series"] = long["series"].map({"required_pooled": _NEEDED, "staffed": _STAFFED})
    long["when"] = [hour_label(int(h)) for h in long["hour"]]
    names = _label_map(labels, "call_type")
    series = alt.Scale(domain=[_STAFFED, _NEEDED])
    legend = alt.Legend(
        orient="top",
        direction="horizontal",
        symbolType="stroke",
        symbolStrokeWidth=2.2,
        symbolSize=400,
        labelLimit=400,
    )
    panels = []
    for call_type in sorted(long["call_type"].unique(), key=lambda c: names.get(c, c)):
        part = long[long["call_type"] == call_type].drop(columns="call_type")
        panels.append(
            alt.Chart(
                part, title=alt.Title(names.get(call_type, call_type), fontSize=SIZES["label"])
            )
            .mark_line(interpolate="step-after", strokeWidth=1.6)
            .encode(
                x=_week_axis("Hour of the week (market time)"),
                y=alt.Y("agents:Q", title="Agents", axis=_zero_axis(",.0f")),
                color=alt.Color(
                    "series:N",
                    title=None,
                    scale=alt.Scale(
                        domain=[_STAFFED, _NEEDED], range=[COLOURS["staffed"], COLOURS["needed"]]
                    ),
                    legend=legend,
                ),
                strokeDash=alt.StrokeDash(
                    "series:N",
                    title=None,
                    scale=alt.Scale(domain=series.domain, range=[[1, 0], [4, 2]]),
                    legend=legend,
                ),
                order=alt.Order("series:N", sort="descending"),
                tooltip=[
                    alt.Tooltip("series:N", title="Line"),
                    alt.Tooltip("when:N", title="Hour (market time)"),
                    alt.Tooltip("agents:Q", title="Agents", format=",.1f"),
                ],
            )
            .properties(width=SIZES["bar_width"] * 2, height=90)
        )
    chart = alt.vconcat(*panels).properties(
        title=alt.Title(
            "Required versus staffed",
            subtitle="Agents per hour; the gap is the cost of splitting queues",
        )
    )
    return apply_theme(chart)


POLICY_COLUMNS = ("description", "price", "price_low", "price_high", "significant")
_PROVEN, _UNPROVEN = "proven to cost", "may cost nothing (interval reaches 0)"


def chart_policy_prices(
    prices: pd.DataFrame, *, currency: str | None = None, labels: pd.DataFrame | None = None
) -> alt.LayerChart:
    """Horizontal bars of what each rule costs a year, dearest first, with the interval
    each price is proven to lie in.

    Parameters
    ----------
    prices : pandas.DataFrame
        From :func:`bestshore.analysis.price_of_policies`: ``description`` [str],
        ``price``, ``price_low`` and ``price_high`` [currency/yr], ``significant``
        [bool: the interval excludes 0].
    currency : str, optional
        Currency code for the axis title.
    labels : pandas.DataFrame, optional
        Display names (``kind``, ``id``, ``name``): a call type, site or vendor id in a
        description is written as its name.

    Returns
    -------
    altair.LayerChart
        Themed: a bar per rule at its price, a line across its proven interval; rules
        whose interval reaches 0 drawn pale. Descriptions are written whole (no
        ellipsis), the axis's zero as "0".
    """
    _require_columns(prices, POLICY_COLUMNS, "prices")
    table = prices.dropna(subset=["price"])[list(POLICY_COLUMNS)].copy()
    table["description"] = [_named_text(str(d), labels) for d in table["description"]]
    table["certainty"] = np.where(table["significant"], _PROVEN, _UNPROVEN)
    base = alt.Chart(
        table,
        title=alt.Title(
            "Price of each policy",
            subtitle="Annual cost of keeping the rule (re-solved without it); "
            "the line spans the interval it is proven to lie in",
        ),
    )
    # Dearest first, as an explicit order: a sort by field conflicts between the layers.
    ranked = table.sort_values(["price", "description"], ascending=[False, True], kind="stable")
    y = alt.Y(
        "description:N",
        title=None,
        sort=list(dict.fromkeys(ranked["description"])),
        axis=alt.Axis(labelLimit=0),
    )
    tooltip = [
        alt.Tooltip("description:N", title="Rule"),
        alt.Tooltip("price:Q", title="Cost a year", format=",.0f"),
        alt.Tooltip("price_low:Q", title="At least", format=",.0f"),
        alt.Tooltip("price_high:Q", title="At most", format=",.0f"),
    ]
    bars = base.mark_bar().encode(
        x=alt.X(
            "price:Q",
            title=f"Annual cost of the rule [{_unit(currency)}]",
            axis=_zero_axis("~s"),
        ),
        y=y,
        color=alt.Color(
            "certainty:N",
            title=None,
            scale=alt.Scale(
                domain=[_PROVEN, _UNPROVEN], range=[COLOURS["staffed"], COLOURS["grid"]]
            ),
            legend=alt.Legend(orient="bottom", labelLimit=400),
        ),
        tooltip=tooltip,
    )
    intervals = base.mark_rule(color=COLOURS["text"], strokeWidth=1.5).encode(
        x="price_low:Q", x2="price_high:Q", y=y, tooltip=tooltip
    )
    chart = alt.LayerChart(layer=[bars, intervals]).properties(
        width=SIZES["bar_width"], height={"step": SIZES["bar_step"]}
    )
    return apply_theme(chart)


ROSTER_SHIFT_COLUMNS = (
    "site", "site_name", "starts_market", "starts_local", "start_hour", "length_hours",
    "agents", "paid_hours",
)  # fmt: skip
ROSTER_COVERAGE_COLUMNS = ("site", "idle")


def _lanes(intervals: list[list[tuple[int, int]]]) -> list[int]:
    """First-fit lane of each shift, so that no two shifts of a lane overlap.

    ``intervals[i]`` holds the [start, end) hours of shift i (two pieces when it runs past
    Sunday midnight), in the order the shifts are placed: a shift goes to the first lane
    none of whose shifts it overlaps, else to a new lane.
    """
    lanes: list[list[tuple[int, int]]] = []
    found = []
    for pieces in intervals:
        for number, taken in enumerate(lanes):
            if all(end <= a or b <= start for start, end in pieces for a, b in taken):
                taken.extend(pieces)
                found.append(number)
                break
        else:
            lanes.append(list(pieces))
            found.append(len(lanes) - 1)
    return found


def _length_label(hours: int) -> str:
    return f"{int(hours)} h"


def _roster_bars(shifts: pd.DataFrame) -> pd.DataFrame:
    """One row per bar: each shift in its lane from start to end; a shift running past
    Sunday midnight is two bars, the rest of it at the start of the week."""
    rows = []
    table = shifts[shifts["agents"] > 0].sort_values(
        ["site", "start_hour", "length_hours"], ascending=[True, True, False], kind="stable"
    )
    for _, part in table.groupby("site", sort=True):
        spans = []
        for start, length in zip(part["start_hour"], part["length_hours"], strict=True):
            end = int(start) + int(length)
            pieces = [(int(start), min(end, HOURS_PER_WEEK))]
            if end > HOURS_PER_WEEK:
                pieces.append((0, end - HOURS_PER_WEEK))
            spans.append(pieces)
        for row, pieces, lane in zip(
            part.itertuples(index=False), spans, _lanes(spans), strict=True
        ):
            longest = max(range(len(pieces)), key=lambda k: pieces[k][1] - pieces[k][0])
            for k, (start, end) in enumerate(pieces):
                agents = int(row.agents)
                rows.append(
                    {
                        "site": row.site,
                        "site_name": row.site_name,
                        "lane": lane,
                        "start": start,
                        "end": end,
                        "middle": (start + end) / 2,
                        # The count is written on the longer piece, if it fits (~1 h a digit).
                        "labelled": k == longest and end - start >= len(str(agents)) + 1,
                        "starts_market": row.starts_market,
                        "starts_local": row.starts_local,
                        "ends_market": hour_label(
                            (int(row.start_hour) + int(row.length_hours)) % HOURS_PER_WEEK
                        ),
                        "length_hours": int(row.length_hours),
                        "length": _length_label(row.length_hours),
                        "agents": agents,
                        "paid_hours": float(row.paid_hours),
                    }
                )
    return pd.DataFrame(rows)


def _week_grid_axis(labels: bool, title: str | None) -> alt.Axis:
    """Grid every 6 h (darker at midnight); labels, if any, "Mon" at midnight, "12:00" at noon."""
    day = "['Mon','Tue','Wed','Thu','Fri','Sat','Sun'][floor(datum.value / 24)]"
    return alt.Axis(
        values=list(range(0, HOURS_PER_WEEK + 1, 6)),
        labelExpr=(
            f"datum.value % 24 == 0 && datum.value < 168 ? {day} : "
            "(datum.value % 24 == 12 ? '12:00' : '')"
        ),
        labels=labels,
        ticks=labels,
        domain=labels,
        title=title,
        grid=True,
        gridColor=alt.when("datum.value % 24 == 0")
        .then(alt.value(COLOURS["muted"]))
        .otherwise(alt.value(COLOURS["grid"])),
        gridOpacity=alt.when("datum.value % 24 == 0").then(alt.value(0.45)).otherwise(alt.value(1)),
        labelFlush=False,
    )


def chart_roster(
    shifts: pd.DataFrame, coverage: pd.DataFrame, *, timezone: str | None = None
) -> alt.VConcatChart:
    """The roster: each site's shifts through the week, in lanes, with their agents.

    One panel per rostered site, largest first (paid hours a week), headed by its display
    name, its agent-shifts a week and its idle share of paid hours. In each panel, every
    shift pattern used is a bar from its start to its end in market time (a shift running
    past Sunday midnight carries on at the start of the week), in the first lane free
    then, coloured by its length (full time darkest) and labelled with its agents when
    the label fits. The tooltip gives the site, the start in local and market time, the
    end, the length, the agents and the paid hours.

    Parameters
    ----------
    shifts : pandas.DataFrame
        ``Result.shifts``, one row per shift pattern: ``site``, ``site_name`` [str],
        ``starts_market``, ``starts_local`` (e.g. ``"Mon 09:00"``) [str], ``start_hour``
        (0-167, market time, Monday 00:00 = 0), ``length_hours`` [h], ``agents`` [whole
        agents], ``paid_hours`` [agent hours per sizing week]. Not empty.
    coverage : pandas.DataFrame
        ``Result.coverage``: ``site`` [str] and ``idle`` [agent hours of each hour, NaN
        where a site is staffed hour by hour]. May be empty (then no idle share shown).
    timezone : str, optional
        The market's time zone, named in the x axis title, e.g. ``"Europe/Paris"``.

    Returns
    -------
    altair.VConcatChart
        Themed, data inline. ``shifts`` and ``coverage`` are not changed.

    Raises
    ------
    ValueError
        If a table lacks a column listed above, or ``shifts`` holds no shift with agents.
    """
    _require_columns(shifts, ROSTER_SHIFT_COLUMNS, "shifts")
    _require_columns(coverage, ROSTER_COVERAGE_COLUMNS, "coverage")
    bars = _roster_bars(shifts)
    if bars.empty:
        raise ValueError(
            "`shifts` holds no shift with agents; chart_roster draws a roster, so call it "
            "only for a result with shifts (`result.shifts` not empty)."
        )
    labels = [_length_label(h) for h in sorted(bars["length_hours"].unique())]
    # Counts in white on the darker half of the colours, in the text colour on the paler.
    bars["dark"] = bars["length"].isin(labels[len(labels) // 2 :])

    used = shifts[shifts["agents"] > 0]
    per_site = used.groupby("site", sort=True).agg(
        name=("site_name", "first"), agent_shifts=("agents", "sum"), paid=("paid_hours", "sum")
    )
    idle = coverage.groupby("site", sort=True)["idle"].sum(min_count=1)
    per_site["idle"] = idle.reindex(per_site.index)
    per_site = per_site.reset_index().sort_values(["paid", "site"], ascending=[False, True])

    axis_title = "Hour of the week, market time" + (f" ({timezone})" if timezone else "")
    tooltip = [
        alt.Tooltip("site_name:N", title="Site"),
        alt.Tooltip("starts_local:N", title="Starts (local)"),
        alt.Tooltip("starts_market:N", title="Starts (market)"),
        alt.Tooltip("ends_market:N", title="Ends (market)"),
        alt.Tooltip("length_hours:Q", title="Length [h]"),
        alt.Tooltip("agents:Q", title="Agents", format=",d"),
        alt.Tooltip("paid_hours:Q", title="Paid hours [h/week]", format=",.0f"),
    ]
    panels = []
    for number, site in enumerate(per_site.itertuples(index=False)):
        last = number == len(per_site) - 1
        part = bars[bars["site"] == site.site].drop(columns="site")
        share = (
            f" · {site.idle / site.paid:.0%} idle" if site.paid > 0 and pd.notna(site.idle) else ""
        )
        name = str(site.name) if isinstance(site.name, str) and site.name else str(site.site)
        lanes = max(int(part["lane"].max()) + 1, 2)  # a one-lane site keeps thin bars
        x = alt.X(
            "start:Q",
            scale=alt.Scale(domain=[0, HOURS_PER_WEEK], nice=False, zero=False),
            axis=_week_grid_axis(labels=last, title=axis_title if last else None),
        )
        y = alt.Y(
            "lane:O",
            scale=alt.Scale(domain=list(range(lanes)), paddingInner=0.18, paddingOuter=0.1),
            axis=alt.Axis(
                title=[name, f"{int(site.agent_shifts):,} agent-shifts{share}"],
                titleAngle=0,
                titleAlign="right",
                titleBaseline="middle",
                titleFontWeight="normal",
                titlePadding=8,
                labels=False,
                ticks=False,
                domain=False,
            ),
        )
        shift_bars = (
            alt.Chart(part)
            .mark_bar(stroke="white", strokeWidth=0.6, cornerRadius=1.5)
            .encode(
                x=x,
                x2="end:Q",
                y=y,
                color=alt.Color(
                    "length:N",
                    title="Shift length",
                    scale=shift_length_scale(labels),
                    legend=alt.Legend(orient="top", direction="horizontal"),
                ),
                tooltip=tooltip,
            )
        )
        counts = (
            alt.Chart(part[part["labelled"]])
            .mark_text(fontSize=9, baseline="middle")
            .encode(
                x=alt.X("middle:Q"),
                y=alt.Y("lane:O"),
                text=alt.Text("agents:Q", format="d"),
                color=alt.when(alt.datum.dark)
                .then(alt.value("white"))
                .otherwise(alt.value(COLOURS["text"])),
                tooltip=tooltip,
            )
        )
        panels.append(
            alt.layer(shift_bars, counts).properties(
                width=SIZES["week_width"], height=lanes * SIZES["lane_step"]
            )
        )
    chart = (
        alt.vconcat(*panels, spacing=6, bounds="flush")
        .resolve_scale(x="shared", color="shared")
        .resolve_axis(x="independent")
        .properties(
            title=alt.Title(
                "Who is on shift when",
                subtitle="The shift patterns of a week, start to end in market time, each "
                "labelled with its agents; overlapping shifts in separate lanes",
            )
        )
    )
    return apply_theme(chart)
