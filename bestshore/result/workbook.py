"""The analysts' workbook: each table as people read it.

The CSV files and ``result.json`` keep the tables as the program holds them (ids, hours
0-167, fractions, units in the docs). The workbook shows the same figures for people:

- units in the headers (``cost [EUR/yr]``, ``fte [FTE]``, ``share [%]``);
- number formats: money with thousands separators and the currency, shares as
  percentages, FTE with one decimal, counts and hours as whole numbers;
- display names beside ids (``site`` then ``site name``), from the result's ``labels``;
- hours of the week as weekday and time in market time (``Tue 14:00``; deferred work
  handled over the week reads ``over the week``), not 0-167 and -1;
- KPIs and inputs with a ``unit`` column and a format per row.

Numbers stay numbers (only their display format changes), so sums and filters work.
:func:`sheet_of` gives the presented table and the format of each column;
:func:`bestshore.result.files.excel_bytes` writes and styles the sheets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from bestshore.scenario.hours import hour_label

__all__ = ["DEFERRED", "Sheet", "hour_text", "sheet_of"]

DEFERRED = "over the week"  # the hour label of deferred work (hour -1)

# Number formats (Excel codes, read the same by LibreOffice).
COUNT = "#,##0"
FTE = "#,##0.0"
DECIMAL = "#,##0.00"
SHARE = "0.0%"
SECONDS = "#,##0.0"
DEGREES = "0.000"
SCORE = "0.0"


def money(currency: str, decimals: int = 0) -> str:
    """Money with thousands separators and the currency code: ``#,##0 "EUR"``."""
    digits = "#,##0" + ("." + "0" * decimals if decimals else "")
    return f'{digits} "{currency}"'


# Column -> (unit, format). "{c}" is the currency; formats "money" and "rate" are money
# with 0 and 2 decimals. Units follow Result's docstring.
_COLUMNS: dict[str, tuple[str, str]] = {
    "share": ("%", SHARE),
    "volume": ("contacts/yr", COUNT),
    "productive_hours": ("h/yr", COUNT),
    "fte": ("FTE", FTE),
    "capacity_fte": ("FTE", FTE),
    "rate_per_hour": ("{c}/h", "rate"),
    "cost_per_hour": ("{c}/h", "rate"),
    "cost": ("{c}/yr", "money"),
    "cost_with": ("{c}/yr", "money"),
    "cost_without": ("{c}/yr", "money"),
    "price": ("{c}/yr", "money"),
    "price_low": ("{c}/yr", "money"),
    "price_high": ("{c}/yr", "money"),
    "cost_share": ("%", SHARE),
    "utilisation": ("% of capacity", SHARE),
    "annual_hours_per_fte": ("h/FTE/yr", COUNT),
    "lat": ("°", DEGREES),
    "lon": ("°", DEGREES),
    "csat": ("points", SCORE),
    "fcr": ("%", SHARE),
    "nps": ("points", SCORE),
    "calls": ("contacts/sizing week", FTE),
    "handle_hours": ("h/sizing week", FTE),
    "agents_lp": ("agents", DECIMAL),
    "agents": ("agents", DECIMAL),
    "roster_agents": ("agents", DECIMAL),  # a language pool's shared by load
    "service_level": ("%", SHARE),
    "asa_seconds": ("s", SECONDS),
    "abandon_rate": ("%", SHARE),
    "occupancy": ("%", SHARE),
    "premium": ("× pay", DECIMAL),
    "annual_factor": ("weeks/yr", DECIMAL),
    "annual_hours": ("agent h/yr", COUNT),
    "scheduled": ("agents", DECIMAL),
    "on_shift": ("agents", COUNT),
    "idle": ("agent h", DECIMAL),
    "required_pooled": ("agents", DECIMAL),
    "staffed": ("agents", DECIMAL),
    "traffic": ("Erlang", DECIMAL),
    "pooling_loss": ("agents", DECIMAL),
    "length_hours": ("h", COUNT),
    "paid_hours": ("agent h/week", COUNT),
    "limit": ("", DECIMAL),
    "used": ("", DECIMAL),
    "dual": ("{c}/yr per unit of the limit", "rate"),
}
# Where a table's column has another unit than the default.
_TABLE_COLUMNS: dict[tuple[str, str], tuple[str, str]] = {
    ("months", "volume"): ("contacts/month", COUNT),
    ("months", "agent_hours"): ("h/month", COUNT),
    ("months", "paid_hours"): ("h/month", COUNT),
    ("months", "staffing_cost"): ("{c}/month", "money"),
    ("months", "idle_cost"): ("{c}/month", "money"),
    ("months", "other_cost"): ("{c}/month", "money"),
    ("months", "cost"): ("{c}/month", "money"),
    ("months", "days"): ("days", DECIMAL),
    ("months", "weeks"): ("weeks", DECIMAL),
    ("month_shifts", "paid_hours"): ("agent h/week", COUNT),
    ("shifts", "agents"): ("agents", COUNT),
    ("month_shifts", "agents"): ("agents", COUNT),
    ("coverage", "agents"): ("agents", DECIMAL),
    ("breakdown", "volume"): ("contacts/yr", COUNT),
    ("fte_by_site", "*"): ("FTE", FTE),
    ("fte_by_shore", "*"): ("FTE", FTE),
}
# Units of the KPIs (rows of the kpis sheets), as (unit, format).
_KPIS: dict[str, tuple[str, str]] = {
    "total_cost": ("{c}/yr", "money"),
    "fixed_cost": ("{c}/yr", "money"),
    "total_fte": ("FTE", FTE),
    "total_volume": ("contacts/yr", COUNT),
    "total_productive_hours": ("h/yr", COUNT),
    "cost_per_contact": ("{c}/contact", "rate"),
    "cost_per_productive_hour": ("{c}/h", "rate"),
    "csat": ("points", SCORE),
    "fcr": ("%", SHARE),
    "nps": ("points", SCORE),
    "inshore_share": ("% of volume", SHARE),
    "nearshore_share": ("% of volume", SHARE),
    "offshore_share": ("% of volume", SHARE),
    "sites_used": ("sites", COUNT),
    "vendors_used": ("vendors", COUNT),
    "pooling_loss_agent_hours": ("agent h/week", DECIMAL),
    "abandon_rate": ("% of offered calls", SHARE),
    "today_cost": ("{c}/yr", "money"),
    "saving": ("{c}/yr", "money"),
    "saving_low": ("{c}/yr", "money"),
    "saving_high": ("{c}/yr", "money"),
}
# Units of the inputs sheet's rows (its ``unit`` column) -> (shown unit, format).
_INPUT_UNITS: dict[str, tuple[str, str]] = {
    "fraction": ("%", SHARE),
    "contacts/yr": ("contacts/yr", COUNT),
    "s": ("s", SECONDS),
    "yr": ("yr", "General"),
    "{c}/yr": ("{c}/yr", "money"),
    "FTE": ("FTE", FTE),
}
# Id columns that get their display name beside them, and the kind of label they name.
_IDS = {
    "call_type": "call_type",
    "site": "site",
    "vendor": "vendor",
    "language": "language",
    "country": "country",
}
# Columns already holding a display name for an id column (no second one added).
_NAMED_BY = {"name": "site", "site_name": "site"}
# Hour columns shown as weekday and time; columns left out of the workbook (the same
# start as text is already beside them).
_HOURS = {"hour": "hour", "start_hour": "starts_market"}
_DROPPED = {"shifts": {"start_hour", "local_weekday", "local_start"}}


@dataclass(frozen=True)
class Sheet:
    """A table as shown in the workbook.

    Attributes
    ----------
    table : DataFrame
        The presented table: headers with units, names beside ids, hours as text.
    formats : dict
        Number format of each column, by position (``None``: General).
    row_formats : dict
        Number format of single cells, by (row position, column position): the KPI and
        inputs sheets, whose rows differ in unit.
    """

    table: pd.DataFrame
    formats: dict[int, str | None] = field(default_factory=dict)
    row_formats: dict[tuple[int, int], str] = field(default_factory=dict)


def hour_text(hour: object) -> object:
    """Market hour of the week as weekday and time: 38 -> ``"Tue 14:00"``, -1 -> ``"over
    the week"`` (deferred work); missing values are returned unchanged."""
    if hour is None or pd.isna(hour):
        return hour
    value = int(hour)  # type: ignore[call-overload]
    return DEFERRED if value < 0 else hour_label(value)


def _resolve(spec: tuple[str, str], currency: str) -> tuple[str, str | None]:
    unit, code = spec
    if code == "money":
        code = money(currency)
    elif code == "rate":
        code = money(currency, 2)
    return unit.replace("{c}", currency), code


def _spec(name: str, column: str, currency: str, numeric: bool) -> tuple[str, str | None]:
    """Unit and format of a column: the table's own, else the column's; a table's ``*``
    (every column of a comparison is FTE) applies to numeric columns only."""
    spec = _TABLE_COLUMNS.get((name, column))
    if spec is None and numeric:
        spec = _TABLE_COLUMNS.get((name, "*"))
    if spec is None:
        spec = _COLUMNS.get(column)
    return _resolve(spec, currency) if spec is not None else ("", None)


def _header(column: str, unit: str) -> str:
    return f"{column} [{unit}]" if unit else column


def _names(labels: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    if labels is None or labels.empty:
        return {}
    return {
        str(kind): dict(zip(group["id"], group["name"], strict=True))
        for kind, group in labels.groupby("kind", sort=False)
    }


def _breakdown_name(dimension: str, key: object, names: dict[str, dict[str, str]]) -> object:
    """The display name of a breakdown key (``vendor:alpha`` for fixed costs)."""
    if not isinstance(key, str):
        return key
    if dimension == "fixed_cost" and ":" in key:
        kind, _, ident = key.partition(":")
        return names.get(kind, {}).get(ident, key)
    return names.get(dimension, {}).get(key, key)


def _unit_rows(
    units: list[tuple[str, str | None]], value_columns: list[int]
) -> dict[tuple[int, int], str]:
    """The format of each row's value cells, from the row's (unit, format)."""
    found = {}
    for row, (_, code) in enumerate(units):
        if code is not None:
            for column in value_columns:
                found[(row, column)] = code
    return found


def _kpi_unit(kpi: str) -> tuple[str, str]:
    """A KPI's (unit, format); ``abandon_rate_<call type>`` as ``abandon_rate``."""
    if kpi.startswith("abandon_rate_"):
        kpi = "abandon_rate"
    return _KPIS.get(kpi, ("", "General"))


def _kpi_sheet(table: pd.DataFrame, currency: str, key: str) -> Sheet:
    """A table whose rows are KPIs (``key`` column): a ``unit`` column, a format per row."""
    units = [_resolve(_kpi_unit(str(k)), currency) for k in table[key]]
    shown = table.copy()
    shown.insert(1, "unit", [unit for unit, _ in units])
    return Sheet(shown, {}, _unit_rows(units, list(range(2, shown.shape[1]))))


def _inputs_sheet(table: pd.DataFrame, currency: str) -> Sheet:
    units: list[tuple[str, str | None]] = []
    for unit in table["unit"].fillna("").astype(str):
        generic = unit.replace(currency, "{c}") if currency else unit
        spec = _INPUT_UNITS.get(generic)
        units.append(_resolve(spec, currency) if spec is not None else (unit, None))
    shown = table.copy()
    shown["unit"] = [unit for unit, _ in units]
    return Sheet(shown, {}, _unit_rows(units, [list(shown.columns).index("value")]))


def sheet_of(
    name: str,
    table: pd.DataFrame,
    *,
    currency: str = "",
    labels: pd.DataFrame | None = None,
) -> Sheet:
    """The sheet of table ``name``: units in headers, names beside ids, hours as text.

    Parameters
    ----------
    name : str
        The table's name in :meth:`bestshore.Result.tables` (or in
        :func:`bestshore.compare`'s tables): it picks the units where they differ by
        table (``months`` are per month, not per year).
    table : DataFrame
        The table as the program holds it; not changed.
    currency : str
        ISO 4217 code of the money columns (shown in their headers and formats).
    labels : DataFrame, optional
        Display names (``kind``, ``id``, ``name``, :attr:`bestshore.Result.labels`).
    """
    if name == "kpis" and "kpi" in table.columns:
        return _kpi_sheet(table, currency, "kpi")
    if name in ("inputs", "savings") and {"unit", "value"} <= set(table.columns):
        return _inputs_sheet(table, currency)
    names = _names(labels)
    named = {_NAMED_BY[c] for c in table.columns if c in _NAMED_BY}
    dropped = _DROPPED.get(name, set())
    if name == "month_shifts" and {"local_weekday", "local_start"} <= set(table.columns):
        dropped = {"local_weekday", "local_start"}
    columns: dict[str, pd.Series] = {}
    formats: dict[int, str | None] = {}
    for column in table.columns:
        values = table[column]
        text = str(column)
        if text in dropped:
            if name == "month_shifts" and text == "local_start":
                local = 24 * table["local_weekday"].astype(int) + table["local_start"].astype(int)
                columns["starts_local"] = local.map(hour_text)
                formats[len(columns) - 1] = None
            continue
        if text in _HOURS:
            label = "hour [market time]" if text == "hour" else "starts_market"
            columns[label] = values.map(hour_text)
            formats[len(columns) - 1] = None
            continue
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        # A column with a unit keeps it even when empty (an empty table's header is the
        # same as a full one's).
        unit, code = _spec(name, text, currency, numeric)
        columns[_header(text, unit)] = values
        formats[len(columns) - 1] = code
        kind = _IDS.get(text)
        if kind is not None and kind in names and kind not in named and not numeric:
            columns[f"{text} name"] = values.map(lambda v, k=kind: names[k].get(v, v))
            formats[len(columns) - 1] = None
        if name == "breakdown" and text == "key" and "dimension" in table.columns:
            columns["name"] = pd.Series(
                [
                    _breakdown_name(d, k, names)
                    for d, k in zip(table["dimension"], values, strict=True)
                ],
                index=table.index,
                dtype=object,
            )
            formats[len(columns) - 1] = None
    shown = pd.DataFrame(columns, index=table.index)
    return Sheet(shown.reset_index(drop=True), formats)
