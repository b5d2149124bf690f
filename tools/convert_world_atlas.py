"""Convert the world-atlas 1:110m country TopoJSON into the GeoJSON bundled with bestshore.

Run by hand, once, when the bundled map should change; the package never runs it::

    python tools/convert_world_atlas.py  # writes bestshore/data/world/countries-110m.geojson

The script fetches the npm package ``world-atlas@2.0.2`` with ``npm pack`` into a temporary
folder, reads ``countries-110m.json`` (Natural Earth Admin 0 countries, 1:110m, as TopoJSON),
decodes it with the small decoder below and writes a GeoJSON FeatureCollection:

- properties ``iso_numeric`` (ISO 3166-1 numeric code, int; null for the three shapes that
  have none: N. Cyprus, Somaliland, Kosovo) and ``name``;
- coordinates in degrees (WGS 84 longitude, latitude) rounded to 3 decimals;
- rings oriented as RFC 7946 asks (exterior counter-clockwise); ``bestshore.views.geo``
  re-orients them for Vega/d3 at load time.

Only the standard library and shapely (already a bestshore dependency) are used.
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

import shapely
from shapely.geometry import mapping, shape

PACKAGE = "world-atlas@2.0.2"
MEMBER = "package/countries-110m.json"
DECIMALS = 3
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "bestshore/data/world/countries-110m.geojson"

Position = tuple[float, float]
Ring = list[Position]


def fetch_topology(workdir: Path) -> dict[str, Any]:
    """Fetch ``world-atlas`` with ``npm pack`` into ``workdir`` and return the parsed TopoJSON."""
    subprocess.run(["npm", "pack", PACKAGE], cwd=workdir, check=True, capture_output=True)
    (tarball,) = workdir.glob("world-atlas-*.tgz")
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise FileNotFoundError(f"{MEMBER} missing from {tarball.name}")
        topology: dict[str, Any] = json.load(member)
    return topology


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
                },
                "geometry": geometry,
            }
        )
    features.sort(key=lambda f: f["properties"]["name"])
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
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        topology = fetch_topology(Path(tmp))
    collection = _as_lists(to_feature_collection(topology))
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"{args.out}: {len(collection['features'])} countries, {len(text):,} characters")


if __name__ == "__main__":
    main()
