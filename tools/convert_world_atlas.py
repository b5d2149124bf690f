"""Convert the world-atlas country TopoJSON into the GeoJSON map bundled with bestshore.

Run by hand, once, when the bundled map should change; the package never runs it::

    python tools/convert_world_atlas.py  # writes bestshore/data/world/countries.geojson

The script fetches the npm package ``world-atlas@2.0.2`` with ``npm pack`` into a temporary
folder and reads ``countries-110m.json`` and ``countries-50m.json`` (Natural Earth Admin 0
countries at 1:110m and 1:50m, as TopoJSON), decodes them with the small decoder below and
writes one GeoJSON FeatureCollection:

- every 1:110m country's outline;
- every country of bestshore's list (``bestshore/data/countries.csv``, the 249 of ISO
  3166-1) that the 1:110m map leaves out as too small (Mauritius, Malta, Singapore, the
  Caribbean and Pacific island states...): its 1:50m outline where Natural Earth has one,
  and in every case a **point marker** (property ``marker: true``, a GeoJSON Point) at the
  outline's largest island, else at the country's position in ``countries.csv``, so that
  it shows on a world map where its outline is smaller than a pixel;
- properties ``iso_numeric`` (ISO 3166-1 numeric code, int; null for the shapes that have
  none: N. Cyprus, Somaliland, Kosovo), ``name`` and ``marker``;
- coordinates in degrees (WGS 84 longitude, latitude) rounded to 3 decimals;
- rings oriented as RFC 7946 asks (exterior counter-clockwise); ``bestshore.views.geo``
  re-orients them for Vega/d3 at load time.

Only the standard library, pandas and shapely (bestshore dependencies) are used.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from shapely.geometry import mapping, shape

PACKAGE = "world-atlas@2.0.2"
MEMBERS = ("package/countries-110m.json", "package/countries-50m.json")
DECIMALS = 3
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bestshore/data/world/countries.geojson"
COUNTRIES = ROOT / "bestshore/data/countries.csv"

Position = tuple[float, float]
Ring = list[Position]


def fetch_topologies(workdir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fetch ``world-atlas`` with ``npm pack`` into ``workdir``; the parsed 1:110m and
    1:50m TopoJSON."""
    subprocess.run(["npm", "pack", PACKAGE], cwd=workdir, check=True, capture_output=True)
    (tarball,) = workdir.glob("world-atlas-*.tgz")
    found = []
    with tarfile.open(tarball) as archive:
        for name in MEMBERS:
            member = archive.extractfile(name)
            if member is None:
                raise FileNotFoundError(f"{name} missing from {tarball.name}")
            found.append(json.load(member))
    return found[0], found[1]


def decode_arcs(topology: dict[str, Any]) -> list[list[Position]]:
    """Absolute longitude/latitude positions of every arc.

    With a ``transform`` the arc positions are quantized and delta-encoded: the first
    position is absolute, each later one is the difference to the previous one, in grid
    units; degrees = grid * scale + translate.
    """
    transform = topology.get("transform")
    arcs: list[list[Position]] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        positions: list[Position] = []
        for dx, dy, *_ in arc:
            x += dx
            y += dy
            positions.append((x * sx + tx, y * sy + ty))
        arcs.append(positions)
    return arcs


def ring_from_arcs(indices: Sequence[int], arcs: list[list[Position]]) -> Ring:
    """Join arcs into one closed ring; a negative index ``~i`` means arc ``i`` reversed.

    Consecutive arcs share their end and start position, so that position is kept once.
    """
    ring: Ring = []
    for index in indices:
        positions = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(positions if not ring else positions[1:])
    return ring


def rounded(ring: Ring) -> Ring | None:
    """The ring rounded to ``DECIMALS`` without repeated positions; None if it collapses."""
    out: Ring = []
    for lon, lat in ring:
        position = (round(lon, DECIMALS), round(lat, DECIMALS))
        if not out or position != out[-1]:
            out.append(position)
    if out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 else None


def geometry_of(obj: dict[str, Any], arcs: list[list[Position]]) -> dict[str, Any] | None:
    """GeoJSON geometry of one TopoJSON Polygon or MultiPolygon, RFC 7946 orientation."""
    if obj["type"] == "Polygon":
        polygons_arcs = [obj["arcs"]]
    elif obj["type"] == "MultiPolygon":
        polygons_arcs = obj["arcs"]
    else:
        raise ValueError(f"unexpected geometry type {obj['type']!r} in the country layer")
    polygons: list[list[Ring]] = []
    for rings_arcs in polygons_arcs:
        rings = [rounded(ring_from_arcs(indices, arcs)) for indices in rings_arcs]
        if rings[0] is None:  # the exterior vanished at this precision
            continue
        polygons.append([ring for ring in rings if ring is not None])
    if not polygons:
        return None
    geometry = shape({"type": "MultiPolygon", "coordinates": polygons})
    if len(polygons) == 1:
        geometry = geometry.geoms[0]
    geometry = shapely.orient_polygons(geometry, exterior_cw=False)
    return dict(mapping(geometry))


def to_feature_collection(topology: dict[str, Any], layer: str = "countries") -> dict[str, Any]:
    """Decode the TopoJSON ``layer`` into a GeoJSON FeatureCollection."""
    arcs = decode_arcs(topology)
    features: list[dict[str, Any]] = []
    for obj in topology["objects"][layer]["geometries"]:
        geometry = geometry_of(obj, arcs)
        if geometry is None:
            continue
        iso = obj.get("id")
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "iso_numeric": int(iso) if iso is not None else None,
                    "name": obj["properties"]["name"],
                    "marker": False,
                },
                "geometry": geometry,
            }
        )
    features.sort(key=lambda f: f["properties"]["name"])
    return {"type": "FeatureCollection", "features": features}


def marker_position(geometry: dict[str, Any] | None, lon: float, lat: float) -> Position:
    """Where a small country's marker goes: inside its largest island, else ``lon, lat``."""
    if geometry is None:
        return (round(lon, DECIMALS), round(lat, DECIMALS))
    found = shape(geometry)
    largest = max(getattr(found, "geoms", [found]), key=lambda polygon: polygon.area)
    point = largest.representative_point()
    return (round(point.x, DECIMALS), round(point.y, DECIMALS))


def with_small_countries(
    small_scale: dict[str, Any], medium_scale: dict[str, Any], countries: pd.DataFrame
) -> dict[str, Any]:
    """``small_scale`` (1:110m) plus, for each of ``countries`` it leaves out, its
    ``medium_scale`` (1:50m) outline when there is one and a point marker.

    ``countries``: ``iso_numeric``, ``name``, ``lat``, ``lon`` (the bundled list).
    """
    features = list(small_scale["features"])
    present = {f["properties"]["iso_numeric"] for f in features}
    medium = {
        f["properties"]["iso_numeric"]: f
        for f in medium_scale["features"]
        if f["properties"]["iso_numeric"] is not None
    }
    for row in countries.sort_values("iso_numeric").itertuples(index=False):
        code = int(row.iso_numeric)
        if code in present:
            continue
        outline = medium.get(code)
        if outline is not None:
            features.append(outline)
        name = outline["properties"]["name"] if outline is not None else str(row.name)
        lon, lat = marker_position(
            outline["geometry"] if outline is not None else None, float(row.lon), float(row.lat)
        )
        features.append(
            {
                "type": "Feature",
                "properties": {"iso_numeric": code, "name": name, "marker": True},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        )
    features.sort(key=lambda f: (f["properties"]["name"], f["properties"]["marker"]))
    return {"type": "FeatureCollection", "features": features}


def _as_lists(value: Any) -> Any:
    """Tuples (as shapely's ``mapping`` returns them) to lists, for ``json.dumps``."""
    if isinstance(value, tuple | list):
        return [_as_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_lists(v) for k, v in value.items()}
    return value


def main(argv: Sequence[str] | None = None) -> None:
    """Fetch, convert and write the GeoJSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--topologies", type=Path, help="a folder holding the two TopoJSON files (no npm)"
    )
    args = parser.parse_args(argv)
    if args.topologies is not None:
        small, medium = (
            json.loads((args.topologies / Path(m).name).read_text(encoding="utf-8"))
            for m in MEMBERS
        )
    else:
        with tempfile.TemporaryDirectory() as tmp:
            small, medium = fetch_topologies(Path(tmp))
    countries = pd.read_csv(COUNTRIES, keep_default_na=False)
    collection = _as_lists(
        with_small_countries(to_feature_collection(small), to_feature_collection(medium), countries)
    )
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    markers = sum(f["properties"]["marker"] for f in collection["features"])
    print(
        f"{args.out}: {len(collection['features']) - markers} outlines, {markers} markers, "
        f"{len(text):,} characters"
    )


if __name__ == "__main__":
    main()
