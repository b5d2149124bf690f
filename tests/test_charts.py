"""Charts, the bundled world map and offline export.

Each chart is rendered to PNG and decoded (``tests/png.py``) to check it draws something
real: many colours, land and sea on the map, the shore colours of the sites.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
import struct
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.etree import ElementTree

import altair as alt
import numpy as np
import pandas as pd
import pytest
import shapely
from png import read_png

from bestshore.views.charts import (
    chart_cost_by_site,
    chart_fte_by_shore,
    chart_roster,
    chart_site_map,
)
from bestshore.views.export import chart_to_png_bytes, chart_to_svg, save_chart
from bestshore.views.geo import iso_numeric, load_world
from bestshore.views.theme import (
    COLOURS,
    SHADE_RANGE,
    SHIFT_COLOURS,
    SHORE_COLOURS,
    SHORE_ORDER,
    shift_colours,
)

ROOT = Path(__file__).resolve().parent.parent

MARKET = {"name": "France", "country": "FR", "lat": 48.857, "lon": 2.352}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@pytest.fixture
def sites() -> pd.DataFrame:
    """Four used sites in FR, MA, RO, MG and one unused in FR; cost in EUR/yr."""
    return pd.DataFrame(
        {
            "site": ["paris-a", "casa-b", "buc-c", "tana-d", "lyon-e"],
            "vendor": ["va", "vb", "vc", "vb", "va"],
            "country": ["FR", "MA", "RO", "MG", "FR"],
            "city": ["Paris", "Casablanca", "Bucharest", "Antananarivo", "Lyon"],
            "lat": [48.857, 33.573, 44.433, -18.879, 45.764],
            "lon": [2.352, -7.589, 26.100, 47.508, 4.836],
            "shore": ["inshore", "nearshore", "nearshore", "offshore", "inshore"],
            "fte": [40.0, 120.0, 35.5, 80.0, 0.0],
            "cost": [2.9e6, 3.1e6, 1.2e6, 1.4e6, 0.0],
            "utilisation": [0.5, 1.0, 0.7, 0.9, 0.0],
        }
    )


@pytest.fixture
def allocation() -> pd.DataFrame:
    """Three call types over the four used sites; 276 FTE in all."""
    n = 6
    return pd.DataFrame(
        {
            "call_type": ["sales", "support", "billing", "support", "billing", "sales"],
            "language": ["fr"] * n,
            "site": ["paris-a", "casa-b", "casa-b", "tana-d", "buc-c", "buc-c"],
            "vendor": ["va", "vb", "vb", "vb", "vc", "vc"],
            "country": ["FR", "MA", "MA", "MG", "RO", "RO"],
            "shore": ["inshore", "nearshore", "nearshore", "offshore", "nearshore", "nearshore"],
            "level": ["N1"] * n,
            "channel": ["voice"] * n,
            "share": [1.0] * n,
            "volume": [1e5] * n,
            "productive_hours": [1e4] * n,
            "fte": [40.0, 70.0, 50.0, 80.0, 20.0, 15.5],
            "cost_per_hour": [30.0] * n,
            "cost": [1e6] * n,
        }
    )


# --- helpers ---------------------------------------------------------------------------


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=int)


def _pixels(png: bytes) -> np.ndarray:
    """Decoded RGB pixels, shape (height * width, 3)."""
    image = read_png(png)
    array = np.frombuffer(b"".join(image.rows), dtype=np.uint8)
    return array.reshape(-1, image.channels)[:, :3].astype(int)


def _share_exact(pixels: np.ndarray, hex_colour: str) -> float:
    return float(np.mean(np.all(pixels == _rgb(hex_colour), axis=1)))


def _count_near(pixels: np.ndarray, hex_colour: str, tolerance: int = 30) -> int:
    return int(np.sum(np.abs(pixels - _rgb(hex_colour)).max(axis=1) <= tolerance))


def _assert_not_blank(pixels: np.ndarray, min_colours: int) -> None:
    _, counts = np.unique(pixels, axis=0, return_counts=True)
    assert len(counts) >= min_colours, f"only {len(counts)} distinct colours"
    assert counts.max() / len(pixels) < 0.95, "one colour fills the image"


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


# --- world map data --------------------------------------------------------------------


def test_load_world_has_the_countries_with_france() -> None:
    world = load_world()
    assert len(world) > 150
    assert list(world.columns) == ["iso_numeric", "name", "marker", "geometry"]
    assert world.crs.to_epsg() == 4326
    france = world[world["iso_numeric"] == 250]
    assert france["name"].tolist() == ["France"]
    assert not france["marker"].any()
    for marker in (False, True):  # one outline and at most one marker per country
        assert world.loc[world["marker"] == marker, "iso_numeric"].dropna().is_unique


def test_every_iso_country_is_on_the_map_small_ones_as_a_marker() -> None:
    world = load_world()
    countries = pd.read_csv(ROOT / "bestshore/data/countries.csv", keep_default_na=False)
    assert len(countries) == 249
    drawn = set(world["iso_numeric"].dropna().astype(int))
    missing = countries.loc[~countries["iso_numeric"].isin(drawn), "iso2"].tolist()
    assert missing == []
    markers = world[world["marker"]]
    assert (markers.geometry.geom_type == "Point").all()
    assert (world.loc[~world["marker"]].geometry.geom_type != "Point").all()
    # Mauritius, Malta and Singapore are too small for the 1:110m map: 1:50m outline and
    # a marker inside it, on the main island (Port Louis's, not Rodrigues 560 km east).
    for code, name in ((480, "Mauritius"), (470, "Malta"), (702, "Singapore")):
        rows = world[world["iso_numeric"] == code]
        assert sorted(rows["marker"]) == [False, True], name
        outline = rows.loc[~rows["marker"], "geometry"].iloc[0]
        point = rows.loc[rows["marker"], "geometry"].iloc[0]
        assert outline.contains(point), name
    port_louis = world[(world["iso_numeric"] == 480) & world["marker"]].geometry.iloc[0]
    assert 57.3 < port_louis.x < 57.8 and -20.6 < port_louis.y < -19.9
    # Réunion (part of France's outline in Natural Earth) gets a marker at its position.
    reunion = world[world["iso_numeric"] == 638]
    assert reunion["marker"].tolist() == [True]
    assert reunion.geometry.iloc[0].distance(shapely.Point(55.5, -21.1)) < 1.0


def test_small_countries_are_drawn_on_the_map_and_shaded() -> None:
    # A site in Mauritius: Vega's own SVG has Mauritius's marker as a circle, land grey on
    # the plain map and shaded by cost on the choropleth.
    sites = pd.DataFrame(
        [{"site": "pl", "vendor": "v", "country": "MU", "city": "Port Louis", "lat": -20.16,
          "lon": 57.5, "shore": "offshore", "fte": 30.0, "cost": 1e6}]
    )  # fmt: skip
    market = {"name": "France", "country": "FR", "lat": 48.85, "lon": 2.35}
    for shade in (None, "cost"):
        svg = chart_to_svg(chart_site_map(sites, market, currency="EUR", shade=shade))
        fills = [
            _hex(fill)
            for label, fill in re.findall(
                r'<path aria-label="([^"]*)" role="graphics-symbol" '
                r'aria-roledescription="circle"[^>]*? fill="([^"]+)"',
                svg,
            )
            if label.startswith("lon: 57.581; lat: −20.277;") and "Country: Mauritius" in label
        ]
        if shade is None:
            assert fills == [COLOURS["land"]]
        else:  # the plain layer, then the shaded one in the darkest colour (the only value)
            assert fills == [COLOURS["land"], SHADE_RANGE[1]]


def _hex(colour: str) -> str:
    """``#rrggbb`` of a colour as Vega writes it (``#rrggbb`` or ``rgb(r, g, b)``)."""
    found = re.fullmatch(r"rgb\((\d+), (\d+), (\d+)\)", colour)
    return colour if found is None else "#" + "".join(f"{int(v):02x}" for v in found.groups())


def test_load_world_rings_are_clockwise_for_vega() -> None:
    for geometry in load_world().geometry:
        if geometry.geom_type == "Point":  # a small country's marker
            continue
        polygons = getattr(geometry, "geoms", [geometry])
        for polygon in polygons:
            assert not polygon.exterior.is_ccw, "exterior ring must be clockwise for d3"
            assert all(hole.is_ccw for hole in polygon.interiors)


def test_load_world_returns_a_copy() -> None:
    first = load_world()
    first.loc[:, "name"] = "changed"
    assert "France" in load_world()["name"].tolist()


def test_iso_numeric_maps_alpha2_codes() -> None:
    assert iso_numeric("FR") == 250
    assert iso_numeric("mg") == 450
    assert iso_numeric("ZZ") is None


# --- site map --------------------------------------------------------------------------


def test_site_map_spec_is_offline(sites: pd.DataFrame) -> None:
    spec = chart_site_map(sites, MARKET).to_dict()
    assert [key for key, _ in _walk(spec) if key == "url"] == []
    assert spec["projection"]["type"] == "equalEarth"


def test_site_map_png_draws_countries_sites_and_routes(sites: pd.DataFrame) -> None:
    pixels = _pixels(chart_to_png_bytes(chart_site_map(sites, MARKET)))
    _assert_not_blank(pixels, min_colours=100)
    land = _share_exact(pixels, COLOURS["land"])
    ocean = _share_exact(pixels, COLOURS["ocean"])
    assert 0.05 < land < 0.70, f"land covers {land:.0%} of the image"
    assert 0.05 < ocean < 0.70, f"sea covers {ocean:.0%} of the image"
    assert _share_exact(pixels, COLOURS["market_land"]) > 0.0005, "France is not shaded"
    # Paris, the one inshore site, lies under the market's diamond: fewer of its pixels show.
    for shore in SHORE_ORDER:
        assert _count_near(pixels, SHORE_COLOURS[shore]) > 60, f"no {shore} site drawn"


def test_site_map_zooms_on_market_and_used_sites(sites: pd.DataFrame) -> None:
    far_unused = pd.DataFrame(
        [["manila", "vd", "PH", "Manila", 14.6, 121.0, "offshore", 0.0, 0.0, 0.0]],
        columns=sites.columns,
    )
    spec = chart_site_map(pd.concat([sites, far_unused]), MARKET).to_dict()
    points = np.array(spec["projection"]["fit"]["geometry"]["coordinates"])
    west, south = points.min(axis=0)
    east, north = points.max(axis=0)
    used = sites[sites["fte"] > 0]
    assert west < used["lon"].min() and east > used["lon"].max()
    assert south < used["lat"].min() and north > MARKET["lat"]
    assert east < 100, "an unused site must not widen the map"


def test_site_map_of_a_global_plan_shows_the_world(sites: pd.DataFrame) -> None:
    global_sites = sites.copy()
    global_sites.loc[len(global_sites)] = [
        *["manila", "vd", "PH", "Manila", 14.6, 121.0, "offshore"],
        *[60.0, 0.9e6, 0.8],
    ]
    global_sites.loc[len(global_sites)] = [
        *["mexico", "vd", "MX", "Mexico City", 19.43, -99.13, "offshore"],
        *[30.0, 0.6e6, 0.8],
    ]
    chart = chart_site_map(global_sites, MARKET)
    assert "fit" not in chart.to_dict()["projection"]
    pixels = _pixels(chart_to_png_bytes(chart))
    _assert_not_blank(pixels, min_colours=100)
    assert 0.05 < _share_exact(pixels, COLOURS["land"]) < 0.70


def _mark_coordinates(svg: str) -> tuple[tuple[float, float], np.ndarray]:
    """The plot area's size [px] and every absolute point of the marks Vega drew in
    it: the shapes' path points (absolute commands) and the symbols' positions."""
    root = ElementTree.fromstring(svg)
    tag = "{http://www.w3.org/2000/svg}"
    frame = re.fullmatch(r"M0,0h([\d.]+)v([\d.]+)h-[\d.]+Z", _background(root, tag))
    assert frame is not None
    points: list[tuple[float, float]] = []
    for group in root.iter(f"{tag}g"):
        role = group.get("class", "")
        if "role-mark" not in role:
            continue
        for path in group.findall(f"{tag}path"):
            move = re.fullmatch(r"translate\(([-\d.e]+),([-\d.e]+)\)", path.get("transform", ""))
            if "mark-shape" in role:  # absolute points, the translation (0, 0)
                numbers = re.findall(r"[-]?\d*\.?\d+(?:e[-+]?\d+)?", path.get("d", ""))
                pairs = [float(v) for v in numbers]
                points += list(zip(pairs[0::2], pairs[1::2], strict=False))
            elif "mark-symbol" in role and move is not None:
                points.append((float(move.group(1)), float(move.group(2))))
    return (float(frame.group(1)), float(frame.group(2))), np.array(points)


def _background(root: ElementTree.Element, tag: str) -> str:
    for path in root.iter(f"{tag}path"):
        if path.get("class") == "background":
            return str(path.get("d"))
    raise AssertionError("no plot background")


@pytest.mark.parametrize("shade", [None, "cost"])
def test_the_map_draws_nothing_far_past_its_frame(sites: pd.DataFrame, shade: str | None) -> None:
    # The countries are cut a pixel past the frame and the small countries' markers off
    # it left out: clipped groups reaching thousands of pixels past the frame made each
    # map's PNG take seconds to rasterize. The markers on the map are still drawn
    # (Mauritius, Malta), those far off it are not.
    far = pd.DataFrame(
        [["manila", "vd", "PH", "Manila", 14.6, 121.0, "offshore", 60.0, 0.9e6, 0.8],
         ["mexico", "vd", "MX", "Mexico City", 19.43, -99.13, "offshore", 30.0, 0.6e6, 0.8]],
        columns=sites.columns,
    )  # fmt: skip
    for chart in (  # zoomed on Europe and Africa, then the world
        chart_site_map(sites, MARKET, shade=shade),
        chart_site_map(pd.concat([sites, far], ignore_index=True), MARKET, shade=shade),
    ):
        (width, height), points = _mark_coordinates(chart_to_svg(chart))
        assert len(points) > 1000
        reach = 6.0  # a marker's radius and edge, the cut margin and Vega's rounding [px]
        assert points[:, 0].min() >= -reach and points[:, 0].max() <= width + reach
        assert points[:, 1].min() >= -reach and points[:, 1].max() <= height + reach
    spec = chart_site_map(sites, MARKET, shade=shade).to_dict()
    markers = [
        row["name"]
        for data in spec["datasets"].values()
        for row in data
        if isinstance(row, dict) and "lon" in row and "iso_numeric" in row
    ]
    assert "Mauritius" in markers and "Malta" in markers
    assert "Fiji" not in markers and "Samoa" not in markers  # far off this map


# --- bar charts ------------------------------------------------------------------------


def test_fte_by_shore_png_and_totals(allocation: pd.DataFrame) -> None:
    chart = chart_fte_by_shore(allocation)
    pixels = _pixels(chart_to_png_bytes(chart))
    _assert_not_blank(pixels, min_colours=20)
    spec = chart.to_dict()
    bars = pd.DataFrame(spec["datasets"][spec["layer"][0]["data"]["name"]])
    assert bars.groupby("shore")["fte"].sum().to_dict() == {
        "inshore": 40.0,
        "nearshore": 155.5,
        "offshore": 80.0,
    }
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == list(SHORE_ORDER)
    tooltips = {t["field"] for t in spec["layer"][0]["encoding"]["tooltip"]}
    assert {"shore_fte", "fte", "call_type_name"} <= tooltips


def test_cost_by_site_png_sorted_used_sites(sites: pd.DataFrame) -> None:
    chart = chart_cost_by_site(sites, currency="EUR")
    pixels = _pixels(chart_to_png_bytes(chart))
    _assert_not_blank(pixels, min_colours=20)
    for shore in SHORE_ORDER:
        assert _count_near(pixels, SHORE_COLOURS[shore], tolerance=3) > 100
    spec = chart.to_dict()
    # Sites without a name are named by their city.
    assert spec["layer"][0]["encoding"]["y"]["sort"] == [
        "Casablanca",
        "Paris",
        "Antananarivo",
        "Bucharest",
    ]


def test_charts_leave_their_inputs_unchanged(sites: pd.DataFrame, allocation: pd.DataFrame) -> None:
    sites_before, allocation_before = sites.copy(), allocation.copy()
    market_before = dict(MARKET)
    chart_site_map(sites, MARKET)
    chart_cost_by_site(sites)
    chart_fte_by_shore(allocation)
    pd.testing.assert_frame_equal(sites, sites_before)
    pd.testing.assert_frame_equal(allocation, allocation_before)
    assert market_before == MARKET


def test_missing_column_is_named(sites: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"`sites` lacks column\(s\) \['fte'\]"):
        chart_cost_by_site(sites.drop(columns="fte"))
    with pytest.raises(ValueError, match=r"`market` lacks key\(s\) \['lat'\]"):
        chart_site_map(sites, {"name": "France", "country": "FR", "lon": 2.3})


# --- export ----------------------------------------------------------------------------


def test_save_chart_writes_every_format_atomically(
    tmp_path: Path, allocation: pd.DataFrame
) -> None:
    chart = chart_fte_by_shore(allocation)
    written = save_chart(chart, tmp_path / "fte", formats=("png", "svg", "html", "pdf"))
    assert written == [tmp_path / f"fte.{s}" for s in ("png", "svg", "html", "pdf")]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)
    assert read_png((tmp_path / "fte.png").read_bytes()).width > 0
    assert (tmp_path / "fte.svg").read_text(encoding="utf-8").startswith("<svg")
    assert (tmp_path / "fte.pdf").read_bytes().startswith(b"%PDF")
    html = (tmp_path / "fte.html").read_text(encoding="utf-8")
    assert re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", html) is None
    assert "vega" in html.lower() and len(html) > 100_000, "scripts are not inline"


def test_a_charts_formats_share_one_spec_and_match_each_format_alone(
    allocation: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Validating a chart's spec takes a quarter of a second for a map: render_formats
    # builds it once for all its formats, and each file is the one its format alone gives
    # (vl-convert numbers an SVG's clip paths across a process: the numbers aside).
    import bestshore.views.export as export

    chart = chart_fte_by_shore(allocation)
    alone = {suffix: export.FORMATS[suffix](chart) for suffix in ("png", "svg", "html", "pdf")}
    built = []
    spec = export._spec
    monkeypatch.setattr(export, "_spec", lambda c: built.append(c) or spec(c))
    together = export.render_formats(chart, ("png", "svg", "html", "pdf"))
    assert built == [chart]
    assert list(together) == ["png", "svg", "html", "pdf"]
    assert together["png"] == alone["png"] and together["html"] == alone["html"]

    def numbered(svg: object) -> str:
        assert isinstance(svg, str)
        return re.sub(r"clip\d+", "clip", svg)

    assert numbered(together["svg"]) == numbered(alone["svg"])
    assert isinstance(together["pdf"], bytes) and together["pdf"].startswith(b"%PDF")


def test_the_pages_vega_scripts_are_kept_between_runs_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, allocation: pd.DataFrame
) -> None:
    # vl-convert bundles the scripts anew in each process (2.5 s): they are kept in the
    # user's cache with their SHA-256 and read back only when they still hash to it
    import hashlib

    import vl_convert

    from bestshore.views import export

    chart = chart_fte_by_shore(allocation)
    version = export._vl_version()
    fresh = vl_convert.javascript_bundle(None, vl_version=version)  # type: ignore[arg-type]
    monkeypatch.setenv("BESTSHORE_CACHE_DIR", str(tmp_path / "cache"))
    export._bundle.cache_clear()
    page = export._html(export._spec(chart))
    (kept,) = (tmp_path / "cache").iterdir()
    stamp, _, text = kept.read_bytes().partition(b"\n")
    assert text.decode("utf-8") == fresh and fresh in page
    assert stamp == b"// sha256:" + hashlib.sha256(text).hexdigest().encode()
    # the next run reads it: vl-convert is not asked
    export._bundle.cache_clear()
    with monkeypatch.context() as patched:
        patched.setattr(vl_convert, "javascript_bundle", _refuse)
        assert export._html(export._spec(chart)) == page
    # bytes that no longer hash to their stamp are bundled again, and replaced
    kept.write_bytes(stamp + b"\n" + text.replace(b"vega", b"evil", 1))
    export._bundle.cache_clear()
    assert export._html(export._spec(chart)) == page
    assert kept.read_bytes() == stamp + b"\n" + text
    # no cache (empty setting) or one that cannot be written: bundled, nothing kept
    for setting in ("", str(kept / "below-a-file")):
        monkeypatch.setenv("BESTSHORE_CACHE_DIR", setting)
        export._bundle.cache_clear()
        assert export._html(export._spec(chart)) == page
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [kept.name]
    export._bundle.cache_clear()


def _refuse(*args: Any, **kwargs: Any) -> str:
    raise AssertionError("the cached scripts were not read")


def test_save_chart_rejects_an_unknown_format_before_writing(
    tmp_path: Path, allocation: pd.DataFrame
) -> None:
    with pytest.raises(ValueError, match=r"formats \['gif'\] are not supported"):
        save_chart(chart_fte_by_shore(allocation), tmp_path / "fte", formats=("png", "gif"))
    assert list(tmp_path.iterdir()) == []


def test_export_refuses_external_data() -> None:
    chart = alt.Chart(alt.UrlData("https://example.org/data.csv")).mark_point()
    with pytest.raises(ValueError, match="not allowed"):
        chart_to_png_bytes(chart.encode(x="a:Q"))


def test_chart_to_svg_is_embeddable(allocation: pd.DataFrame) -> None:
    svg = chart_to_svg(chart_fte_by_shore(allocation))
    assert svg.startswith("<svg") and "<script" not in svg


# --- the test PNG reader and the TopoJSON converter themselves --------------------------


def _png(width: int, rows: list[bytes], filters: list[int]) -> bytes:
    """An RGB PNG whose row ``y`` is encoded with filter ``filters[y]`` (test encoder)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    bpp, encoded, previous = 3, b"", bytes(len(rows[0]))
    for row, kind in zip(rows, filters, strict=True):
        out = bytearray()
        for i, value in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            p = a + b - c
            paeth = min((abs(p - a), 0, a), (abs(p - b), 1, b), (abs(p - c), 2, c))[2]
            predictor = [0, a, b, (a + b) // 2, paeth][kind]
            out.append((value - predictor) & 0xFF)
        encoded += bytes([kind]) + bytes(out)
        previous = row
    header = struct.pack(">IIBBBBB", width, len(rows), 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(encoded))
        + chunk(b"IEND", b"")
    )


def test_png_reader_undoes_all_five_filters() -> None:
    rng = np.random.default_rng(7)
    rows = [bytes(rng.integers(0, 256, 3 * 6, dtype=np.uint8)) for _ in range(10)]
    image = read_png(_png(6, rows, filters=[0, 1, 2, 3, 4, 4, 3, 2, 1, 0]))
    assert (image.width, image.height, image.channels) == (6, 10, 3)
    assert image.rows == rows


def _load_tool() -> ModuleType:
    path = ROOT / "tools" / "convert_world_atlas.py"
    spec = importlib.util.spec_from_file_location("convert_world_atlas", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_topojson_converter_on_a_hand_made_topology() -> None:
    # Two unit squares sharing the arc x=1: A = [0,1]x[0,1], B = [1,2]x[0,1], in a
    # quantized, delta-encoded topology with scale 0.5 and translate (10, 20).
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
        "arcs": [
            [[2, 0], [0, 2]],  # shared edge (1,0) -> (1,1), in grid units (2,0) -> (2,2)
            [[2, 2], [-2, 0], [0, -2], [2, 0]],  # rest of A: (1,1) -> (0,1) -> (0,0) -> (1,0)
            [[2, 0], [2, 0], [0, 2], [-2, 0]],  # rest of B: (1,0) -> (2,0) -> (2,1) -> (1,1)
        ],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]], "id": "250", "properties": {"name": "A"}},
                    {"type": "Polygon", "arcs": [[~0, 2]], "properties": {"name": "B"}},
                ],
            }
        },
    }
    collection = _load_tool().to_feature_collection(topology)
    a, b = collection["features"]
    assert a["properties"] == {"iso_numeric": 250, "name": "A", "marker": False}
    assert b["properties"] == {"iso_numeric": None, "name": "B", "marker": False}
    ring_a = [tuple(p) for p in a["geometry"]["coordinates"][0]]
    assert set(ring_a) == {(11.0, 20.0), (11.0, 21.0), (10.0, 21.0), (10.0, 20.0)}
    ring_b = [tuple(p) for p in b["geometry"]["coordinates"][0]]
    assert set(ring_b) == {(11.0, 20.0), (11.0, 21.0), (12.0, 21.0), (12.0, 20.0)}
    for ring in (ring_a, ring_b):
        assert ring[0] == ring[-1]
        area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
        assert area2 > 0, "the file keeps RFC 7946 orientation: exterior counter-clockwise"


def test_small_countries_get_their_medium_scale_outline_and_a_marker() -> None:
    def square(x: float, y: float, side: float) -> dict[str, Any]:
        ring = [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]
        return {"type": "Polygon", "coordinates": [ring]}

    def feature(code: int, name: str, geometry: dict[str, Any]) -> dict[str, Any]:
        props = {"iso_numeric": code, "name": name, "marker": False}
        return {"type": "Feature", "properties": props, "geometry": geometry}

    big = feature(250, "France", square(0, 40, 5))
    small = {"type": "FeatureCollection", "features": [big]}
    # Mauritius at 1:50m: a main island and a smaller one 5 degrees east (Rodrigues).
    islands = {
        "type": "MultiPolygon",
        "coordinates": [
            square(57.3, -20.5, 0.4)["coordinates"],
            square(63.3, -19.8, 0.1)["coordinates"],
        ],
    }
    medium = {"type": "FeatureCollection", "features": [big, feature(480, "Mauritius", islands)]}
    countries = pd.DataFrame(
        {"iso_numeric": [250, 480, 638], "name": ["France", "Mauritius", "Réunion"],
         "lat": [48.9, -20.2, -20.9], "lon": [2.3, 57.5, 55.5]}
    )  # fmt: skip
    features = _load_tool().with_small_countries(small, medium, countries)["features"]
    found = [
        (f["properties"]["name"], f["properties"]["marker"], f["geometry"]["type"])
        for f in features
    ]
    assert found == [
        ("France", False, "Polygon"),
        ("Mauritius", False, "MultiPolygon"),
        ("Mauritius", True, "Point"),
        ("Réunion", True, "Point"),  # no outline of its own: at its listed position
    ]
    lon, lat = features[2]["geometry"]["coordinates"]
    assert 57.3 < lon < 57.7 and -20.5 < lat < -20.1  # on the main island
    assert features[3]["geometry"]["coordinates"] == [55.5, -20.9]


# --- roster ------------------------------------------------------------------------------


@pytest.fixture
def shifts() -> pd.DataFrame:
    """Two sites' shifts (``Result.shifts``).

    Paris Bercy: 3 agents Mon 09:00-17:00 and 1 agent Mon 11:00-15:00 (they overlap:
    two lanes); 28 paid hours. Rabat Agdal, an hour behind the market: 2 agents Tue
    08:00-12:00 and 1 agent Sun 22:00 for 6 h, into Monday 04:00; 14 paid hours.
    """
    return pd.DataFrame(
        {
            "site": ["paris", "paris", "rabat", "rabat"],
            "site_name": ["Paris Bercy", "Paris Bercy", "Rabat Agdal", "Rabat Agdal"],
            "starts_market": ["Mon 09:00", "Mon 11:00", "Tue 08:00", "Sun 22:00"],
            "starts_local": ["Mon 09:00", "Mon 11:00", "Tue 07:00", "Sun 21:00"],
            "start_hour": [9, 11, 32, 166],
            "local_weekday": [0, 0, 1, 6],
            "local_start": [9, 11, 7, 21],
            "length_hours": [8, 4, 4, 6],
            "agents": [3, 1, 2, 1],
            "paid_hours": [24.0, 4.0, 8.0, 6.0],
        }
    )


@pytest.fixture
def roster_coverage() -> pd.DataFrame:
    """Idle hours: 7 of Paris's 28 paid (25%), 2.8 of Rabat's 14 (20%); Lyon is staffed
    hour by hour (NaN)."""
    return pd.DataFrame(
        {
            "site": ["paris", "paris", "rabat", "rabat", "lyon"],
            "hour": [9, 12, 33, 0, 10],
            "agents": [3.0, 2.0, 1.0, 0.2, 4.0],
            "on_shift": [3.0, 4.0, 2.0, 1.0, np.nan],
            "idle": [3.0, 4.0, 2.0, 0.8, np.nan],
        }
    )


def _panels(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Each site's panel: its y-axis title, and the bar and text layers' data and encodings."""
    panels = []
    for panel in spec["vconcat"]:
        bars, text = panel["layer"]
        panels.append(
            {
                "title": bars["encoding"]["y"]["axis"]["title"],
                "bars": pd.DataFrame(spec["datasets"][bars["data"]["name"]]),
                "text": pd.DataFrame(spec["datasets"][text["data"]["name"]]),
                "bar_encoding": bars["encoding"],
                "text_encoding": text["encoding"],
                "mark": bars["mark"]["type"],
            }
        )
    return panels


def _svg_text(svg: str) -> list[str]:
    """Every text element of an SVG, its lines joined by a space (read with ElementTree)."""
    root = ElementTree.fromstring(svg)
    return [
        " ".join(t.strip() for t in element.itertext() if t.strip())
        for element in root.iter("{http://www.w3.org/2000/svg}text")
    ]


def test_roster_spec_draws_each_shift_from_start_to_end(
    shifts: pd.DataFrame, roster_coverage: pd.DataFrame
) -> None:
    spec = chart_roster(shifts, roster_coverage, timezone="Europe/Paris").to_dict()
    paris, rabat = _panels(spec)  # largest first: 28 paid hours before 14
    assert paris["title"] == ["Paris Bercy", "4 agent-shifts · 25% idle"]
    assert rabat["title"] == ["Rabat Agdal", "3 agent-shifts · 20% idle"]
    columns = ["lane", "start", "end", "length", "agents", "starts_market", "ends_market"]
    assert paris["bars"][columns].values.tolist() == [
        [0, 9, 17, "8 h", 3, "Mon 09:00", "Mon 17:00"],
        [1, 11, 15, "4 h", 1, "Mon 11:00", "Mon 15:00"],  # overlaps the first: next lane
    ]
    # Sunday 22:00 for 6 h: two bars, to the week's end and from its start to Mon 04:00.
    assert rabat["bars"][columns].values.tolist() == [
        [0, 32, 36, "4 h", 2, "Tue 08:00", "Tue 12:00"],
        [0, 166, 168, "6 h", 1, "Sun 22:00", "Mon 04:00"],
        [0, 0, 4, "6 h", 1, "Sun 22:00", "Mon 04:00"],
    ]
    assert rabat["bars"]["starts_local"].tolist() == ["Tue 07:00", "Sun 21:00", "Sun 21:00"]
    # The count is written once per shift, mid-bar, on the longer piece of a split one.
    assert paris["text"][["middle", "agents"]].values.tolist() == [[13.0, 3], [13.0, 1]]
    assert rabat["text"][["middle", "agents"]].values.tolist() == [[34.0, 2], [2.0, 1]]
    for panel in (paris, rabat):
        encoding = panel["bar_encoding"]
        assert panel["mark"] == "bar"
        assert (encoding["x"]["field"], encoding["x2"]["field"]) == ("start", "end")
        assert encoding["x"]["scale"]["domain"] == [0, 168]
        assert encoding["y"]["field"] == "lane"
        assert encoding["color"]["field"] == "length"
        assert encoding["color"]["scale"]["domain"] == ["4 h", "6 h", "8 h"]
        assert encoding["color"]["scale"]["range"][-1] == SHIFT_COLOURS[1]  # full time
        tooltip = [t["field"] for t in encoding["tooltip"]]
        assert tooltip == [
            "site_name", "starts_local", "starts_market", "ends_market", "length_hours",
            "agents", "paid_hours",
        ]  # fmt: skip
        assert panel["text_encoding"]["text"]["field"] == "agents"
        assert panel["text_encoding"]["x"]["field"] == "middle"
    bottom_axis = paris["bar_encoding"]["x"]["axis"], rabat["bar_encoding"]["x"]["axis"]
    assert bottom_axis[0]["labels"] is False and bottom_axis[1]["labels"] is True
    assert bottom_axis[1]["title"] == "Hour of the week, market time (Europe/Paris)"
    assert bottom_axis[1]["values"] == list(range(0, 169, 6))
    assert [key for key, _ in _walk(spec) if key == "url"] == []


def test_roster_svg_shows_names_weekdays_and_times(
    shifts: pd.DataFrame, roster_coverage: pd.DataFrame
) -> None:
    texts = _svg_text(chart_to_svg(chart_roster(shifts, roster_coverage)))
    assert "Paris Bercy 4 agent-shifts · 25% idle" in texts
    assert "Rabat Agdal 3 agent-shifts · 20% idle" in texts
    assert not any(t.startswith(("paris", "rabat")) for t in texts), "ids instead of names"
    axis = [t for t in texts if t in {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "12:00"}]
    assert axis == [label for day in _DAYS for label in (day, "12:00")]
    assert not any(t.isdigit() and int(t) > 7 for t in texts), "hours 0-167 on the axis"
    assert sorted(t for t in texts if t in {"1", "2", "3"}) == ["1", "1", "2", "3"]
    assert {"4 h", "6 h", "8 h"} <= set(texts)


def test_roster_png_draws_the_shift_colours(
    shifts: pd.DataFrame, roster_coverage: pd.DataFrame
) -> None:
    pixels = _pixels(chart_to_png_bytes(chart_roster(shifts, roster_coverage)))
    _assert_not_blank(pixels, min_colours=20)
    for colour in shift_colours(3):  # 4 h, 6 h and 8 h bars
        assert _count_near(pixels, colour, tolerance=3) > 60, f"no {colour} bar"


def test_roster_lanes_never_overlap_and_keep_every_agent_hour() -> None:
    # 80 random shifts at three sites, some across Sunday midnight.
    rng = np.random.default_rng(12)
    n = 80
    start = rng.integers(0, 168, n)
    length = rng.choice([4, 6, 8], n)
    agents = rng.integers(1, 30, n)
    site = rng.choice(["a", "b", "c"], n)
    table = pd.DataFrame(
        {
            "site": site,
            "site_name": [f"Site {s.upper()}" for s in site],
            "starts_market": [f"{_DAYS[h // 24]} {h % 24:02d}:00" for h in start],
            "starts_local": [f"{_DAYS[h // 24]} {h % 24:02d}:00" for h in start],
            "start_hour": start,
            "length_hours": length,
            "agents": agents,
            "paid_hours": (agents * length).astype(float),
        }
    )
    coverage = pd.DataFrame({"site": ["a"], "idle": [1.0]})
    spec = chart_roster(table, coverage).to_dict()
    drawn = np.zeros((3, 168))
    for panel in _panels(spec):
        bars = panel["bars"]
        for _, lane in bars.groupby("lane"):
            spans = sorted(zip(lane["start"], lane["end"], strict=True))
            assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), "bars overlap"
        name = panel["title"][0]
        for bar in bars.itertuples():
            drawn["ABC".index(name[-1]), bar.start : bar.end] += bar.agents
    expected = np.zeros((3, 168))
    for row in table.itertuples():
        hours = (row.start_hour + np.arange(row.length_hours)) % 168
        expected["abc".index(row.site), hours] += row.agents
    np.testing.assert_array_equal(drawn, expected)
    assert len(spec["vconcat"]) == 3


def test_roster_leaves_its_inputs_unchanged_and_names_missing_columns(
    shifts: pd.DataFrame, roster_coverage: pd.DataFrame
) -> None:
    shifts_before, coverage_before = shifts.copy(), roster_coverage.copy()
    chart_roster(shifts, roster_coverage)
    pd.testing.assert_frame_equal(shifts, shifts_before)
    pd.testing.assert_frame_equal(roster_coverage, coverage_before)
    with pytest.raises(ValueError, match=r"`shifts` lacks column\(s\) \['paid_hours'\]"):
        chart_roster(shifts.drop(columns="paid_hours"), roster_coverage)
    with pytest.raises(ValueError, match=r"`coverage` lacks column\(s\) \['idle'\]"):
        chart_roster(shifts, roster_coverage.drop(columns="idle"))
    with pytest.raises(ValueError, match="holds no shift with agents"):
        chart_roster(shifts.iloc[:0], roster_coverage)
    # A result read back from result.json has no coverage: no idle share, still a chart.
    empty = roster_coverage.iloc[:0]
    titles = [p["title"] for p in _panels(chart_roster(shifts, empty).to_dict())]
    assert titles == [["Paris Bercy", "4 agent-shifts"], ["Rabat Agdal", "3 agent-shifts"]]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG folders are Linux's")
def test_the_vega_scripts_are_kept_in_the_users_cache_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bestshore.views import export

    monkeypatch.delenv("BESTSHORE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    kept = export._bundle_cache("5.20.1")
    assert kept is not None and kept.parent == tmp_path / "xdg" / "bestshore"
    assert kept.name.startswith("vega-") and kept.name.endswith("-vl5.20.1.js")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert export._bundle_cache(None) == (
        tmp_path / "home" / ".cache" / "bestshore" / kept.name.replace("5.20.1", "default")
    )
    monkeypatch.setenv("BESTSHORE_CACHE_DIR", "")
    assert export._bundle_cache(None) is None
