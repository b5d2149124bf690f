"""The demo's charts as a reader sees them (issue 14, charts).

Display names and never ids in what a chart writes; map labels that collide with no
other label or marker, placed where the renderer really draws them; a size legend that
reaches the largest site; labels written whole; zero written "0"; a legend telling the
two lines of required-vs-staffed apart; colours apart for every eye; the choropleth.
Everything is checked on the rendered SVG (parsed with ElementTree) or PNG (decoded by
``tests/png.py``), or on the Vega-Lite spec itself.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest
from png import read_png

import bestshore
from bestshore.analysis import price_of_policies
from bestshore.views import charts as charts_module
from bestshore.views.charts import chart_site_map, site_label_boxes
from bestshore.views.export import chart_to_png_bytes, chart_to_svg
from bestshore.views.limits import display_names
from bestshore.views.outputs import render_charts
from bestshore.views.theme import CATEGORY_COLOURS, SHADE_RANGE, SHORE_COLOURS, SIZES

SVG = "{http://www.w3.org/2000/svg}"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.fixture(scope="module")
def demo() -> tuple[bestshore.Scenario, bestshore.Result]:
    scenario = bestshore.load_scenario("scenarios/demo.yaml")
    return scenario, bestshore.solve(scenario)


@pytest.fixture(scope="module")
def prices(demo: tuple[bestshore.Scenario, bestshore.Result]) -> pd.DataFrame:
    scenario, result = demo
    return price_of_policies(scenario, result)


@pytest.fixture(scope="module")
def drawn(
    demo: tuple[bestshore.Scenario, bestshore.Result], prices: pd.DataFrame
) -> dict[str, Any]:
    """Every chart of the demo (prices included) as written to files."""
    return render_charts(demo[1], prices)


@pytest.fixture(scope="module")
def svgs(drawn: dict[str, Any]) -> dict[str, str]:
    return {stem: chart_to_svg(chart) for stem, chart in drawn.items()}


@pytest.fixture(scope="module")
def labels(demo: tuple[bestshore.Scenario, bestshore.Result]) -> pd.DataFrame:
    names = display_names(demo[1])
    return pd.DataFrame(
        [(k, i, n) for (k, i), n in sorted(names.items())], columns=["kind", "id", "name"]
    )


def _texts(svg: str) -> list[str]:
    root = ElementTree.fromstring(svg)
    return [
        " ".join(t.strip() for t in element.itertext() if t.strip())
        for element in root.iter(f"{SVG}text")
    ]


def _sized_by_fte(layer: dict[str, Any]) -> bool:
    """The site circles' layer of a map (not the small countries' markers)."""
    return layer.get("encoding", {}).get("size", {}).get("field") == "fte"


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, str):
        yield node


def _named_ids(result: bestshore.Result) -> set[str]:
    """Ids whose display name differs from them: these must never be written."""
    return {i for (_, i), name in display_names(result).items() if name != i}


# --- names, never ids --------------------------------------------------------------------


def test_no_id_in_any_string_of_any_spec(
    demo: tuple[bestshore.Scenario, bestshore.Result], drawn: dict[str, Any]
) -> None:
    ids = _named_ids(demo[1])
    assert {"port-louis", "n1_billing", "atlantica", "MA"} <= ids
    for stem, chart in drawn.items():
        if stem == "roster":
            continue
        spec = chart.to_dict()
        found = sorted({s for s in _strings(spec) if s in ids})
        assert found == [], f"{stem} writes ids {found}"


def test_svgs_write_the_names(
    demo: tuple[bestshore.Scenario, bestshore.Result], svgs: dict[str, str]
) -> None:
    ids = _named_ids(demo[1])
    for stem, svg in svgs.items():
        texts = _texts(svg)
        words = {w for t in texts for w in re.split(r"[\s,()]+", t)}
        assert not words & ids, f"{stem} shows ids {sorted(words & ids)}"
    assert {"Port Louis", "Antananarivo", "Casablanca", "Rennes"} <= set(_texts(svgs["map"]))
    assert "Billing and moving house (phone)" in _texts(svgs["fte_by_shore"])
    assert "Level-2 escalations and solidarity desk" in _texts(svgs["required_vs_staffed"])
    assert {"Port Louis", "Poitiers (in-house)"} & set(_texts(svgs["coverage"]))
    assert "sensitive financial data processed in EU/EEA only" in _texts(svgs["policy_prices"])


def test_tooltips_name_vendors_and_countries(drawn: dict[str, Any]) -> None:
    spec = drawn["map"].to_dict()
    circles = next(layer for layer in spec["layer"] if _sized_by_fte(layer))
    fields = [t["field"] for t in circles["encoding"]["tooltip"]]
    assert fields[:4] == ["site_name", "vendor_name", "city", "country_name"]
    data = pd.DataFrame(spec["datasets"][circles["data"]["name"]])
    assert "Atlantica Relation Client" in set(data["vendor_name"])
    assert "Morocco" in set(data["country_name"])


def test_two_sites_of_one_city_are_told_apart_by_vendor() -> None:
    sites = pd.DataFrame(
        {
            "site": ["casa-a", "casa-b"],
            "vendor": ["va", "vb"],
            "country": ["MA", "MA"],
            "city": ["Casablanca", "Casablanca"],
            "lat": [33.57, 33.60],
            "lon": [-7.59, -7.50],
            "shore": ["nearshore", "nearshore"],
            "fte": [10.0, 20.0],
            "cost": [1e5, 2e5],
        }
    )
    labels = pd.DataFrame(
        {"kind": ["vendor", "vendor"], "id": ["va", "vb"], "name": ["Vendor A", "Vendor B"]}
    )
    spec = charts_module.chart_cost_by_site(sites, labels=labels).to_dict()
    assert spec["layer"][0]["encoding"]["y"]["sort"] == [
        "Casablanca (Vendor B)",
        "Casablanca (Vendor A)",
    ]


# --- map labels ----------------------------------------------------------------------------


def _box(row: Any) -> tuple[float, float, float, float]:
    return (row.x0, row.y0, row.x1, row.y1)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def test_demo_labels_collide_with_no_label_and_no_marker(
    demo: tuple[bestshore.Scenario, bestshore.Result], labels: pd.DataFrame
) -> None:
    result = demo[1]
    boxes = site_label_boxes(result.sites, result.market, labels=labels)
    written = boxes[boxes["kind"] != "candidate"]
    assert len(written) == int((result.sites["fte"] > 0).sum()) + 1  # the market too
    for a, b in itertools.combinations(written.itertuples(), 2):
        assert not _overlap(_box(a), _box(b)), f"{a.text!r} overlaps {b.text!r}"
    for label in written.itertuples():
        for mark in boxes.itertuples():
            if mark.Index == label.Index:
                continue
            r = mark.radius
            marker = (mark.x - r, mark.y - r, mark.x + r, mark.y + r)
            assert not _overlap(_box(label), marker), f"{label.text!r} covers {mark.text!r}"
        assert label.x0 >= 0 and label.y0 >= 0
        assert label.x1 <= SIZES["map_width"] and label.y1 <= SIZES["map_max_height"]
    # Each label sits beside its own marker: within two lines of text of its edge.
    for label in written.itertuples():
        dx = max(label.x0 - label.x, 0, label.x - label.x1)
        dy = max(label.y0 - label.y, 0, label.y - label.y1)
        assert np.hypot(dx, dy) <= label.radius + 3 * SIZES["annotation"], label.text


def _translates(svg: str, role: str) -> list[tuple[str, float, float]]:
    """(aria-label or text, x, y) of each SVG element of ``role`` (aria-roledescription)."""
    found = []
    root = ElementTree.fromstring(svg)
    for element in root.iter():
        if element.get("aria-roledescription") != role:
            continue
        match = re.match(r"translate\(([-\d.e]+),([-\d.e]+)\)", element.get("transform", ""))
        assert match, element.attrib
        text = "".join(element.itertext()) if role == "text mark" else element.get("aria-label")
        found.append((str(text), float(match.group(1)), float(match.group(2))))
    return found


@pytest.mark.parametrize("world", [False, True], ids=["zoomed", "global"])
def test_computed_positions_are_where_vega_draws(
    demo: tuple[bestshore.Scenario, bestshore.Result], labels: pd.DataFrame, world: bool
) -> None:
    result = demo[1]
    sites = result.sites.copy()
    if world:  # a site in Manila widens the map to the whole world
        sites.loc[len(sites)] = sites.iloc[0]
        sites.loc[len(sites) - 1, ["site", "city", "lat", "lon"]] = ["manila", "Manila", 14.6, 121]
    chart = chart_site_map(sites, result.market, labels=labels)
    assert ("fit" not in chart.to_dict()["projection"]) is world
    svg = chart_to_svg(chart)
    boxes = site_label_boxes(sites, result.market, labels=labels)
    circles = _translates(svg, "circle")
    used = boxes[boxes["kind"] == "site"]
    assert len([c for c in circles if "FTE" in c[0]]) >= len(used)
    for mark in used.itertuples():
        nearest = min(np.hypot(x - mark.x, y - mark.y) for _, x, y in circles)
        assert nearest < 0.5, f"{mark.text} drawn {nearest:.1f} px from where it was computed"
    texts = {text: (x, y) for text, x, y in _translates(svg, "text mark")}
    for mark in boxes[boxes["kind"] != "candidate"].itertuples():
        x, y = texts[mark.text]
        assert abs(x - (mark.x0 + 1.5)) < 0.5
        assert mark.y0 <= y <= mark.y1 + 4  # the baseline, a little below the middle


def test_text_width_is_estimated_from_above() -> None:
    pil = pytest.importorskip("PIL.ImageFont")
    if not DEJAVU.exists():
        pytest.skip("DejaVu Sans not installed")
    font = pil.truetype(str(DEJAVU), 11)
    for text in ["Antananarivo", "Poitiers (in-house)", "MMWW", "illi", "Port Louis 24/7"]:
        measured = font.getlength(text)
        estimate = charts_module._text_width(text, 11)
        assert measured <= estimate <= 1.35 * measured + 2, text


def test_size_legend_covers_the_largest_site(
    demo: tuple[bestshore.Scenario, bestshore.Result], drawn: dict[str, Any]
) -> None:
    spec = drawn["map"].to_dict()
    circles = next(layer for layer in spec["layer"] if _sized_by_fte(layer))
    size = circles["encoding"]["size"]
    values = size["legend"]["values"]
    largest = float(demo[1].sites["fte"].max())
    assert max(values) >= largest
    assert max(values) < 1.5 * largest  # and not far above it
    assert size["scale"]["domain"] == [0, max(values)]


# --- whole labels, zero, legends -----------------------------------------------------------


def test_no_label_is_cut(svgs: dict[str, str], prices: pd.DataFrame) -> None:
    for stem, svg in svgs.items():
        cut = [t for t in _texts(svg) if t.endswith(("…", "..."))]
        assert cut == [], f"{stem}: {cut}"
    texts = _texts(svgs["policy_prices"])
    assert "no vendor above 45% of the work" in texts


@pytest.mark.parametrize(
    "stem", ["fte_by_shore", "cost_by_site", "policy_prices", "coverage", "required_vs_staffed"]
)
def test_zero_is_written_zero(svgs: dict[str, str], stem: str) -> None:
    texts = _texts(svgs[stem])
    assert "0" in texts
    assert not {"0.0", "0k", "0.0M", "0M", "0.00"} & set(texts)


def test_required_vs_staffed_legend_tells_the_lines_apart(
    drawn: dict[str, Any], svgs: dict[str, str]
) -> None:
    spec = drawn["required_vs_staffed"].to_dict()
    encoding = spec["vconcat"][0]["encoding"]
    colour, dash = encoding["color"], encoding["strokeDash"]
    assert colour["field"] == dash["field"] == "series"
    assert colour["scale"]["domain"] == dash["scale"]["domain"]
    assert colour["legend"]["symbolType"] == dash["legend"]["symbolType"] == "stroke"
    assert colour["legend"]["symbolStrokeWidth"] > 0  # the theme's 0 would hide the line
    assert dash["scale"]["range"][0] != dash["scale"]["range"][1]
    assert colour["scale"]["range"][0] != colour["scale"]["range"][1]
    texts = _texts(svgs["required_vs_staffed"])
    assert texts.count("staffed (all sites)") == 1 and texts.count("needed (one pooled queue)") == 1
    # The legend symbols are drawn: stroked paths in the legend group.
    root = ElementTree.fromstring(svgs["required_vs_staffed"])
    legend = [g for g in root.iter(f"{SVG}g") if "role-legend-symbol" in g.get("class", "")]
    strokes = [p for g in legend for p in g.iter(f"{SVG}path") if p.get("stroke")]
    assert len(strokes) == 2
    assert len({p.get("stroke-dasharray") for p in strokes}) == 2


# --- colours -------------------------------------------------------------------------------


def _lab(hex_colour: str) -> np.ndarray:
    """CIELAB (D65) of an sRGB colour."""
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


# Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
_DEFICIENCIES = {
    "deuteranopia": [[0.367, 0.861, -0.228], [0.280, 0.673, 0.047], [-0.012, 0.043, 0.969]],
    "protanopia": [[0.152, 1.053, -0.205], [0.115, 0.786, 0.099], [-0.004, -0.048, 1.052]],
}


def _seen(hex_colour: str, deficiency: str | None) -> str:
    if deficiency is None:
        return hex_colour
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    out = np.clip(np.array(_DEFICIENCIES[deficiency]) @ linear, 0, 1)
    srgb = np.where(out <= 0.0031308, 12.92 * out, 1.055 * out ** (1 / 2.4) - 0.055)
    return "#" + "".join(f"{round(v * 255):02x}" for v in srgb)


def _delta(a: str, b: str, deficiency: str | None = None) -> float:
    return float(np.linalg.norm(_lab(_seen(a, deficiency)) - _lab(_seen(b, deficiency))))


def test_category_colours_are_apart_for_every_eye() -> None:
    first = CATEGORY_COLOURS[:8]
    for a, b in itertools.combinations(first, 2):
        assert _delta(a, b) >= 30, (a, b)
        for deficiency in _DEFICIENCIES:
            assert _delta(a, b, deficiency) >= 20, (a, b, deficiency)
    for colour in CATEGORY_COLOURS:
        for shore in SHORE_COLOURS.values():
            assert _delta(colour, shore) >= 25, (colour, shore)
    shores = list(SHORE_COLOURS.values())
    for a, b in itertools.combinations(shores, 2):
        for deficiency in [None, *_DEFICIENCIES]:
            assert _delta(a, b, deficiency) >= 40, (a, b, deficiency)


def test_the_colour_check_can_fail() -> None:
    # The palette this replaced: plum and dusk were 12 apart.
    assert _delta("#6d597a", "#4a4e69") < 15


# --- choropleth ----------------------------------------------------------------------------


def test_cost_by_country_shades_each_country_by_its_sites(
    demo: tuple[bestshore.Scenario, bestshore.Result], drawn: dict[str, Any]
) -> None:
    result = demo[1]
    spec = drawn["cost_by_country"].to_dict()
    # The shaded countries: their outlines, and the small ones' markers (Mauritius).
    shaded = [layer for layer in spec["layer"] if "fill" in layer.get("encoding", {})]
    assert [layer["mark"]["type"] for layer in shaded] == ["geoshape", "circle"]
    values: dict[str, float] = {}
    for layer in shaded:
        assert layer["encoding"]["fill"]["field"] == "value"
        assert layer["encoding"]["fill"]["title"] == "Cost by country [EUR/yr]"
        values |= {row["name"]: row["value"] for row in spec["datasets"][layer["data"]["name"]]}
    used = result.sites[result.sites["fte"] > 0]
    expected = used.groupby("country")["cost"].sum()
    assert values["Morocco"] == pytest.approx(expected["MA"])
    assert values["France"] == pytest.approx(expected["FR"])
    assert values["Madagascar"] == pytest.approx(expected["MG"])
    # Too small for the 1:110m map, Mauritius is shaded as its 1:50m outline and marker.
    assert values["Mauritius"] == pytest.approx(expected["MU"])
    pixels = read_png(chart_to_png_bytes(drawn["cost_by_country"]))
    flat = np.frombuffer(b"".join(pixels.rows), dtype=np.uint8).reshape(-1, pixels.channels)
    dark = np.array([int(SHADE_RANGE[1][i : i + 2], 16) for i in (1, 3, 5)])
    assert int(np.sum(np.abs(flat[:, :3].astype(int) - dark).max(axis=1) <= 40)) > 50


def test_shade_must_be_fte_or_cost(demo: tuple[bestshore.Scenario, bestshore.Result]) -> None:
    result = demo[1]
    with pytest.raises(ValueError, match=r"`shade` is 'volume'; pass one of \['fte', 'cost'\]"):
        chart_site_map(result.sites, result.market, shade="volume")
    spec = chart_site_map(result.sites, result.market, shade="fte").to_dict()
    titles = [
        layer["encoding"]["fill"]["title"]
        for layer in spec["layer"]
        if "fill" in layer.get("encoding", {})
    ]
    assert titles == ["FTE by country"] * 2  # the outlines and the small countries' markers
