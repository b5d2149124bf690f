"""The bundled world map: country outlines for the site map, read offline.

The shapes are Natural Earth 1:110m countries (public domain) as packaged by world-atlas
(ISC); the countries that scale leaves out as too small (Mauritius, Malta, Singapore,
island states) have their 1:50m outline where Natural Earth draws one, and in every case
a point marker, so that each of the 249 ISO 3166-1 countries shows on a world map.
Converted once by ``tools/convert_world_atlas.py``; see ``bestshore/data/world/LICENSE.md``.
Nothing is downloaded at run time.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files

import geopandas as gpd
import pycountry
import shapely

__all__ = ["WORLD_FILE", "iso_numeric", "load_world"]

WORLD_FILE = "countries.geojson"
"""File name of the bundled map in the ``bestshore.data`` package, folder ``world``."""


@lru_cache(maxsize=1)
def _world() -> gpd.GeoDataFrame:
    text = (files("bestshore.data") / "world" / WORLD_FILE).read_text(encoding="utf-8")
    world = gpd.GeoDataFrame.from_features(json.loads(text)["features"], crs="EPSG:4326")
    # d3 (and so Vega) reads a ring's orientation on the sphere: a counter-clockwise
    # exterior (RFC 7946) would mean "everything but this country" and fill the globe.
    world = world.set_geometry(shapely.orient_polygons(world.geometry.values, exterior_cw=True))
    world["iso_numeric"] = world["iso_numeric"].astype("Int64")
    world["marker"] = world["marker"].astype(bool)
    return world[["iso_numeric", "name", "marker", "geometry"]]


def load_world() -> gpd.GeoDataFrame:
    """Country outlines of the world, ready for ``alt.Chart(...).mark_geoshape()``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per outline (238 countries and territories) and per point marker (75, the
        countries too small for the 1:110m map), CRS EPSG:4326, columns:

        - ``iso_numeric`` : ISO 3166-1 numeric code [Int64; <NA> for N. Cyprus,
          Somaliland and Kosovo, which have none];
        - ``name`` : short English name [str];
        - ``marker`` : True for a small country's point marker [bool];
        - ``geometry`` : Polygon or MultiPolygon in degrees (longitude, latitude), exterior
          rings clockwise and holes counter-clockwise, the orientation Vega/d3 expect; a
          Point for a marker (drawn as a small disc).

        A fresh copy on each call; the file is read once per process.
    """
    return _world().copy()


def iso_numeric(iso2: str) -> int | None:
    """ISO 3166-1 numeric code of an alpha-2 country code, as ``load_world`` keys countries.

    Parameters
    ----------
    iso2 : str
        ISO 3166-1 alpha-2 code, e.g. ``"FR"`` (case-insensitive).

    Returns
    -------
    int or None
        The numeric code (``"FR"`` -> 250), or None when the code is unknown.
    """
    country = pycountry.countries.get(alpha_2=iso2.upper()) if len(iso2) == 2 else None
    return None if country is None else int(country.numeric)
