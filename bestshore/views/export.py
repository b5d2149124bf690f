"""Render charts to files or bytes, offline, with vl-convert.

vl-convert carries the Vega and Vega-Lite JavaScript itself, so nothing here touches the
network: PNG, SVG and PDF are drawn in-process, and HTML bundles its scripts inline.
External data URLs are refused (``allowed_base_urls=[]``): bestshore charts embed their
data.

The HTML page is built here, not by ``vl_convert.vegalite_to_html``, which writes the spec
into its ``<script>`` unescaped: a site city such as ``</script><script>...`` would end the
script and run its own. Here the spec is written as JSON with ``<``, ``>``, ``&``, U+2028
and U+2029 as ``\\u`` escapes (the same values to JavaScript), and vega-embed's "View
Source" and "View Compiled Vega" actions are off: they ``document.write`` the spec, raw,
into a new window of the page's origin.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import altair as alt
import platformdirs
import vl_convert

from bestshore.result.files import OutputError, atomic_write

__all__ = ["FORMATS", "chart_to_png_bytes", "chart_to_svg", "render_formats", "save_chart"]

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
    return _png(_spec(chart), scale)


def chart_to_svg(chart: Chart) -> str:
    """SVG text of ``chart``, to embed in an HTML report (no script, no external link)."""
    return _svg(_spec(chart))


def _png(spec: dict[str, Any], scale: float) -> bytes:
    png: bytes = vl_convert.vegalite_to_png(
        spec, vl_version=_vl_version(), scale=scale, allowed_base_urls=[]
    )
    return png


def _svg(spec: dict[str, Any]) -> str:
    svg: str = vl_convert.vegalite_to_svg(spec, vl_version=_vl_version(), allowed_base_urls=[])
    return svg


def _pdf(spec: dict[str, Any]) -> bytes:
    pdf: bytes = vl_convert.vegalite_to_pdf(spec, vl_version=_vl_version(), allowed_base_urls=[])
    return pdf


_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}

# vega-embed options: vl-convert's (SVG renderer), with export (PNG/SVG download) only: "View Source"/"View Compiled Vega" write the spec raw
# into a window of the page's origin, and "Open in Vega Editor" posts it, data included,
# to vega.github.io (a client's sites and costs would leave the machine).
_EMBED_OPTIONS = {
    "renderer": "svg",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
}

# vl-convert's page (vegalite_to_html, bundle=True), with the spec and options as slots.
_PAGE = """<!DOCTYPE html>
<html>
  <head>
    <style>
        vega-chart.vega-embed {
          width: 100%;
          display: flex;
        }
        vega-chart.vega-embed details,
        vega-chart.vega-embed details summary {
          position: relative;
        }
    </style>
    <meta charset="UTF-8">
    <title>Chart</title>

    <script type="text/javascript">@BUNDLE@</script>
  </head>
  <body>
    <div id="vega-chart"></div>
    <script type="text/javascript">

{
    const spec = @SPEC@;
    const opts = @OPTIONS@;
    vegaEmbed('#vega-chart', spec, opts).catch(console.error);
}

    </script>
  </body>
</html>
"""


def _json_for_script(value: Any) -> str:
    """``value`` as JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` (which could close the script or open a comment) and the line
    separators U+2028 and U+2029 are written as ``\\u`` escapes. They only occur inside
    JSON strings, so the text is still JSON, and a JavaScript literal of the same value.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_SCRIPT_ESCAPES)


_BEFORE_BUNDLE, _AFTER_BUNDLE = _PAGE.replace("@OPTIONS@", _json_for_script(_EMBED_OPTIONS)).split(
    "@BUNDLE@"
)
_BEFORE_SPEC, _AFTER_SPEC = _AFTER_BUNDLE.split("@SPEC@")


@functools.lru_cache(maxsize=4)
def _bundle(vl_version: str | None) -> str:
    """The Vega scripts every page inlines (the same for every chart: read once).

    vl-convert bundles them anew in each process (2.5 s): the bundle is kept in the
    user's cache (:func:`_bundle_cache`) under vl-convert's version and Vega-Lite's,
    with its SHA-256, and read from there when its bytes still hash to it."""
    cached = _bundle_cache(vl_version)
    if cached is not None and cached.is_file():  # a regular file: never a pipe to wait on
        try:
            stamp, _, text = cached.read_bytes().partition(b"\n")
            if stamp == _stamp(text):
                return text.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            pass  # none yet, or unreadable: bundled again below
    # No snippet: vl-convert's default, the one its own pages run (its stub wants a str).
    bundle: str = vl_convert.javascript_bundle(None, vl_version=vl_version)  # type: ignore[arg-type]
    if cached is not None:
        data = bundle.encode("utf-8")
        with contextlib.suppress(OutputError):  # unwritable: bundled again next time
            atomic_write(cached, _stamp(data) + b"\n" + data)
    return bundle


def _stamp(data: bytes) -> bytes:
    """The first line of the kept scripts: the SHA-256 of the rest."""
    return b"// sha256:" + hashlib.sha256(data).hexdigest().encode()


def _bundle_cache(vl_version: str | None) -> Path | None:
    """Where the HTML pages' Vega scripts are kept between runs: ``$BESTSHORE_CACHE_DIR``,
    else the user's cache folder for ``bestshore`` (platformdirs: ``$XDG_CACHE_HOME`` or
    ``~/.cache`` on Linux, ``~/Library/Caches`` on macOS, ``%LOCALAPPDATA%`` on Windows);
    None when ``BESTSHORE_CACHE_DIR`` is empty (no cache) or no home is known."""
    root = os.environ.get("BESTSHORE_CACHE_DIR")
    if root == "":
        return None
    if root is None:
        root = platformdirs.user_cache_dir("bestshore", appauthor=False)
        if root.startswith("~"):  # no home to expand it in
            return None
    version = importlib.metadata.version("vl-convert-python")
    return Path(root) / f"vega-{version}-vl{vl_version or 'default'}.js"


def _html(spec: dict[str, Any]) -> str:
    script = _json_for_script(spec)
    return _BEFORE_BUNDLE + _bundle(_vl_version()) + _BEFORE_SPEC + script + _AFTER_SPEC


# Each renderer draws a chart's Vega-Lite spec (``chart.to_dict()``, which validates it:
# a quarter of a second for a map, so a chart's formats share one).
_RENDERERS: dict[str, Callable[[dict[str, Any]], bytes | str]] = {
    "png": lambda spec: _png(spec, scale=2),
    "svg": _svg,
    "pdf": _pdf,
    "html": _html,
}


def _of_chart(render: Callable[[dict[str, Any]], bytes | str]) -> Callable[[Chart], bytes | str]:
    return lambda chart: render(_spec(chart))


FORMATS: dict[str, Callable[[Chart], bytes | str]] = {
    suffix: _of_chart(render) for suffix, render in _RENDERERS.items()
}
"""File formats :func:`save_chart` writes: suffix -> renderer (PNG at scale 2)."""


def render_formats(chart: Chart, formats: Iterable[str]) -> dict[str, bytes | str]:
    """``chart`` in each of ``formats`` (keys of :data:`FORMATS`), its spec built once."""
    wanted = list(formats)
    unknown = [f for f in wanted if f not in _RENDERERS]
    if unknown:
        raise ValueError(f"formats {unknown} are not supported; choose from {sorted(FORMATS)}")
    spec = _spec(chart)
    return {suffix: _RENDERERS[suffix](spec) for suffix in wanted}


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
    stem = Path(path_stem)
    written = []
    for suffix, content in render_formats(chart, formats).items():
        path = stem.with_name(f"{stem.name}.{suffix}")
        atomic_write(path, content.encode("utf-8") if isinstance(content, str) else content)
        written.append(path)
    return written
