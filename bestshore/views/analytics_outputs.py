"""The files of an analysis (``compare --out``, ``frontier``, ``risk``), as bytes by name.

Each function returns ``{relative path: bytes}`` for
:func:`bestshore.result.files.write_folder`, which replaces the output folder as a
whole (all or nothing, with a manifest). Charts are rendered offline in
:data:`CHART_FORMATS`; tables are CSV (:func:`bestshore.result.files.csv_bytes`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from bestshore.result import Result
from bestshore.result.files import csv_bytes
from bestshore.views.export import render_formats

__all__ = ["CHART_FORMATS", "chart_files", "json_bytes", "table_files"]

CHART_FORMATS = ("png", "svg", "html")


def chart_files(
    charts: Mapping[str, Any], formats: tuple[str, ...] = CHART_FORMATS
) -> dict[str, bytes]:
    """Each chart rendered in each format: ``{"charts/<stem>.<format>": bytes}``."""
    files: dict[str, bytes] = {}
    for stem, chart in charts.items():
        for suffix, content in render_formats(chart, formats).items():
            files[f"charts/{stem}.{suffix}"] = (
                content.encode("utf-8") if isinstance(content, str) else content
            )
    return files


def table_files(tables: Mapping[str, pd.DataFrame], folder: str = "") -> dict[str, bytes]:
    """One CSV per table: ``{"<folder>/<name>.csv": bytes}``."""
    prefix = f"{folder}/" if folder else ""
    return {f"{prefix}{name}.csv": csv_bytes(table) for name, table in tables.items()}


def json_bytes(document: Any) -> bytes:
    """``document`` as indented UTF-8 JSON text, with a final newline."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def result_files(results: Mapping[str, Result], folder: str) -> dict[str, bytes]:
    """Each result's JSON (``result.json``'s layout, without wall time, so the same run
    gives the same bytes): ``{"<folder>/<key>.json": bytes}``."""
    return {
        f"{folder}/{key}.json": result.to_json(with_timing=False).encode("utf-8")
        for key, result in results.items()
    }
