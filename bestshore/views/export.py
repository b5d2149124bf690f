"""Render charts to files or bytes, offline, with vl-convert.

vl-convert carries the Vega and Vega-Lite JavaScript itself, so nothing here touches the
network: PNG, SVG and PDF are drawn in-process, and HTML bundles its scripts inline.
External data URLs are refused (``allowed_base_urls=[]``): bestshore charts embed their
data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert

from bestshore.result.files import atomic_write

__all__ = ["FORMATS", "chart_to_png_bytes", "chart_to_svg", "save_chart"]

Chart = alt.TopLevelMixin


def _vl_version() -> str | None:
    """The Vega-Lite version vl-convert should use: the one Altair writes specs for."""
    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return major_minor if major_minor in vl_convert.get_vegalite_versions() else None


def _spec(chart: Chart) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()
    return spec


def chart_to_png_bytes(chart: Chart, scale: float = 1) -> bytes:
    """PNG image of ``chart``.

    Parameters
    ----------
    chart : altair chart
        A top-level chart with its data inline.
    scale : float
        Pixel density: 1 draws one pixel per chart pixel [-], 2 for print.

    Returns
    -------
    bytes
        The PNG file content.
    """
    png: bytes = vl_convert.vegalite_to_png(
        _spec(chart), vl_version=_vl_version(), scale=scale, allowed_base_urls=[]
    )
    return png


def chart_to_svg(chart: Chart) -> str:
    """SVG text of ``chart``, to embed in an HTML report (no script, no external link)."""
    svg: str = vl_convert.vegalite_to_svg(
        _spec(chart), vl_version=_vl_version(), allowed_base_urls=[]
    )
    return svg


def _to_pdf(chart: Chart) -> bytes:
    pdf: bytes = vl_convert.vegalite_to_pdf(
        _spec(chart), vl_version=_vl_version(), allowed_base_urls=[]
    )
    return pdf


def _to_html(chart: Chart) -> str:
    html: str = vl_convert.vegalite_to_html(_spec(chart), vl_version=_vl_version(), bundle=True)
    return html


FORMATS: dict[str, Callable[[Chart], bytes | str]] = {
    "png": lambda chart: chart_to_png_bytes(chart, scale=2),
    "svg": chart_to_svg,
    "pdf": _to_pdf,
    "html": _to_html,
}
"""File formats :func:`save_chart` writes: suffix -> renderer (PNG at scale 2)."""


def save_chart(
    chart: Chart, path_stem: Path, formats: Iterable[str] = ("png", "svg", "html")
) -> list[Path]:
    """Render ``chart`` offline and write one file per format.

    Parameters
    ----------
    chart : altair chart
        A top-level chart with its data inline.
    path_stem : pathlib.Path
        Output path without suffix, e.g. ``out/site_map``; its folder must exist. The
        suffix of each format is appended (``out/site_map.png``).
    formats : iterable of str
        Any of ``"png"`` (scale 2), ``"svg"``, ``"pdf"`` and ``"html"`` (self-contained:
        Vega scripts inline, opens without network).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``formats``. Each file is written to a
        temporary file in the same folder, then renamed over the target.

    Raises
    ------
    ValueError
        If a format is not one of the above (before anything is written).
    """
    wanted = list(formats)
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ValueError(f"formats {unknown} are not supported; choose from {sorted(FORMATS)}")
    stem = Path(path_stem)
    written = []
    for suffix in wanted:
        path = stem.with_name(f"{stem.name}.{suffix}")
        content = FORMATS[suffix](chart)
        atomic_write(path, content.encode("utf-8") if isinstance(content, str) else content)
        written.append(path)
    return written
