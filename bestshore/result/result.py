"""The answer: a frozen object of tidy tables, with units in column names and docs."""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bestshore.result.files import atomic_write, csv_bytes, write_folder

__all__ = [
    "INPUT_COLUMNS",
    "LABEL_COLUMNS",
    "MONTH_COLUMNS",
    "MONTH_SHIFT_COLUMNS",
    "UNRESTORED",
    "Result",
    "table_records",
]

ALLOCATION_COLUMNS = [
    "call_type",
    "language",
    "site",
    "vendor",
    "country",
    "shore",
    "level",
    "channel",
    "share",
    "volume",
    "productive_hours",
    "fte",
    "rate_per_hour",
    "cost",
]

STAFFING_COLUMNS = [
    "call_type",
    "language",
    "site",
    "hour",
    "vendor",
    "share",
    "calls",
    "handle_hours",
    "agents_lp",
    "agents",
    "roster_agents",
    "fte",
    "service_level",
    "asa_seconds",
    "abandon_rate",
    "occupancy",
    "rate_per_hour",
    "premium",
    "annual_factor",
    "annual_hours",
    "cost",
    "pool",
]

COVERAGE_COLUMNS = ["site", "hour", "agents", "scheduled", "open", "on_shift", "idle"]
BREAKDOWN_COLUMNS = ["dimension", "key", "cost", "fte", "volume", "cost_share"]
CONSTRAINT_COLUMNS = ["family", "key", "limit", "used", "binding", "dual", "message"]
#: The tables a summary result (``stamp["tables"] == "summary"``: a Monte Carlo draw's)
#: leaves empty: what the plan binds on and how its cost splits, which a draw's row does
#: not show. Every other table, and every figure of the plan, is as a full result's.
SUMMARY_OMITS = ("breakdown", "constraints", "coverage")
SHIFT_TABLE_COLUMNS = [
    "site", "site_name", "starts_market", "starts_local", "start_hour", "local_weekday",
    "local_start", "length_hours", "agents", "paid_hours",
]  # fmt: skip

# The year month by month (bestshore.model.months.MONTH_COLUMNS, checked equal in tests).
MONTH_COLUMNS = [
    "month", "days", "weeks", "volume", "agent_hours", "paid_hours", "fte",
    "staffing_cost", "idle_cost", "other_cost", "cost", "over_capacity",
]  # fmt: skip
MONTH_SHIFT_COLUMNS = [
    "month", "site", "start_hour", "length_hours", "local_weekday", "local_start",
    "agents", "paid_hours",
]  # fmt: skip

LABEL_COLUMNS = ["kind", "id", "name"]
INPUT_COLUMNS = ["section", "item", "value", "unit"]

# Tables result.json does not carry: Result.from_dict gives them empty, with these columns.
UNRESTORED = {
    "exclusions": ["call_type", "language", "site", "rule", "reason"],
    "coverage": COVERAGE_COLUMNS,
    "requirements": [
        "call_type",
        "hour",
        "required_pooled",
        "staffed",
        "traffic",
        "pooling_loss",
        "abandon_rate",
    ],
}


_STAMP_UNITS = {
    "time_limit_seconds": "s",
    "amortization_years": "yr",
    "wall_seconds": "s",
    "gap": "fraction",
    "gap_tolerance": "fraction",
    "milp_gap": "fraction",
    "lp_objective": "currency/yr",
    "exact_cost": "currency/yr",
    "proportional_cost": "currency/yr",
    "lower_bound": "currency/yr",
}


def _clean(value: Any) -> Any:
    """JSON-safe scalars: NaN -> None, numpy -> Python, floats rounded to 9 significant digits."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return float(f"{value:.9g}")
    return value


def table_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``table`` as JSON-safe records (NaN as None, numpy as Python)."""
    return [{k: _clean(v) for k, v in row.items()} for row in table.to_dict(orient="records")]


@dataclass(frozen=True)
class Result:
    """An optimal (or limit-reached) sourcing plan and how it was obtained.

    **The year adds up month by month.** The allocation (each assignment's share of its
    demand unit) is decided on the sizing week (``settings.sizing``, the peak month's by
    default); each month is then staffed at its own volume: a call type's week in month
    m carries its annual volume times its seasonality share of m over the month's
    365.25 / 12 / 7 = 4.348 weeks, the plan's queues are staffed exactly at that load
    (Erlang C or workload) and rostered sites rostered again in whole shifts. Every
    annual figure (``cost``, ``productive_hours``, ``total_cost``) is the sum of the 12
    months (``months``); ``fte`` and ``utilisation`` are the sizing week's (the staff to
    have at the peak); ``stamp["proportional_cost"]`` is the same plan costed as the
    sizing week times the annual factor, as the LP prices it.

    Attributes
    ----------
    scenario_name : str
    currency : str
        ISO 4217 code of every money column.
    status : str
        Solver status (see :class:`bestshore.model.Solution`).
    allocation : DataFrame
        One row per (call_type, language, site) carrying work: ``vendor``, ``country``,
        ``shore``, ``level``, ``channel``, ``share`` of the workload [fraction],
        ``volume`` [contacts/yr handled, repeat contacts included], ``productive_hours``
        [h/yr, the months' sum], ``fte`` [FTE in the sizing week],
        ``rate_per_hour`` [currency/h], ``cost`` [currency/yr, the months' sum].
    sites : DataFrame
        One row per candidate site (used or not): ``site``, ``name``, ``vendor``,
        ``country``, ``city``, ``lat``, ``lon``, ``shore``, ``capacity_fte``,
        ``annual_hours_per_fte`` [paid h/FTE/yr: the site's own, else the scenario's
        setting, else its country's bundled figure], ``fte``,
        ``utilisation`` [fraction of capacity], ``productive_hours``, ``volume``,
        ``cost``, ``csat``, ``fcr``, ``nps`` (site-level scores).
    breakdown : DataFrame
        Long table of totals by ``dimension`` (shore, vendor, country, call_type,
        level, and fixed_cost for vendors and sites with a yearly fixed cost) and
        ``key``: ``cost``, ``fte``, ``volume``, ``cost_share``.
    kpis : dict
        Headline figures: ``total_cost`` [currency/yr, fixed costs included],
        ``fixed_cost``, ``total_fte``, ``total_volume``,
        ``cost_per_contact`` [currency], ``cost_per_productive_hour`` [currency/h],
        ``csat``, ``fcr`` and ``nps`` (volume-weighted, each site's score for the call
        type, over sites that report one), shares of
        volume by shore, ``sites_used``, ``vendors_used``.
    constraints : DataFrame
        Every site capacity, vendor cap and binding seat-hour: ``family``, ``key``,
        ``limit`` and ``used`` (capacity: productive h/week; vendor cap: handle h/week;
        seats: agents), ``binding``, ``dual`` [currency/yr per unit of the limit: per
        productive hour of *weekly* capacity, per handle hour a week, per seat]
        (0 for a MILP), ``message``; then every policy row (site, country and shore
        caps, inshore minimum, preferred partner, k-site spread, CSAT and NPS floors,
        commitments, panel size) with its bound and activity in the row's own units and
        its dual per unit (each family's ``dual_unit``, :mod:`bestshore.model.families`).
    exclusions : DataFrame
        Why some (call_type, language, site) triples could take no work.
    staffing : DataFrame
        Hour by hour, one row per (call_type, language, site, hour) carrying work
        (``hour`` 0-167 in market time, Monday 00:00 = 0; -1 for deferred work over the
        week): ``share`` of that hour's demand, ``calls`` and ``handle_hours`` handled,
        repeat contacts included [per sizing week], ``agents`` (planning staffing at the actual load: Erlang C
        in fractional agents for queues with a service level, the workload at
        ``settings.occupancy`` otherwise; agent hours per week for deferred rows),
        ``roster_agents`` (whole agents the hour needs), ``agents_lp`` (the LP's
        linear estimate), ``fte``, ``service_level`` and ``asa_seconds`` the roster
        achieves (under Erlang A: the share of offered calls answered in time, the mean
        wait of all offered calls), ``abandon_rate`` (share of offered calls abandoning,
        Erlang A queues; NaN elsewhere), ``occupancy`` (carried load over agents), ``rate_per_hour``, ``premium`` (pay
        multiplier), ``annual_factor`` [weeks/yr: annual volume over the sizing week's],
        ``annual_hours`` [agent h/yr] and ``cost`` [currency/yr]: the row's agent hours
        and cost summed over the 12 months, each staffed at its own load; ``pool``, the
        languages (joined by ``+``) of the site's queue the row is staffed in when the
        site pools a call type's languages (``settings.pool_languages``), else ``""``:
        a pool's ``agents`` and ``roster_agents`` are shared among its rows in
        proportion to their handle hours, its ``service_level``, ``asa_seconds`` and
        ``occupancy`` are the pool's.
    coverage : DataFrame
        Agents logged in per ``site`` and ``hour`` (real-time work), and ``scheduled``
        agents (grossed up by shrinkage); at rostered sites, the whole agents
        ``on_shift`` and the ``idle`` agent hours of each hour (NaN elsewhere).
    requirements : DataFrame
        Per ``call_type`` and ``hour``: ``required_pooled`` agents (one queue at one
        site; a call type's languages one queue where sites pool them), ``staffed`` agents, ``traffic`` [Erlang], ``pooling_loss`` [agents],
        ``abandon_rate`` [fraction of offered calls abandoning, weighted by calls; NaN
        where no queue of the hour models abandonment (Erlang A)].
    market : dict
        Market country, name, time zone, currency and coordinates.
    stamp : dict
        How the plan was obtained and what is proven of it: scenario hash, bestshore
        version, solver; ``status`` (``optimal`` when the plan's cost is proven within
        ``gap_tolerance`` of the best possible plan's, ``feasible`` otherwise), ``gap``
        (the proven relative gap ``(exact_cost - lower_bound) / exact_cost``; None when
        no bound is proven), ``lower_bound`` [currency/yr], ``lower_bound_source`` (which
        bound it is: ``relaxation``, the relaxation's LP or MILP dual bound;
        ``lagrangian``, the exact-staffing Lagrangian bound,
        :mod:`bestshore.model.lagrange`; ``step_milp``), ``solver_status`` (how the
        solver's last accepted round ended: ``optimal``, ``time_limit``...),
        ``milp_gap`` (that round's own MILP gap; None for an LP), ``milp``,
        ``time_limit_seconds``, wall time [s]; ``tables``: ``full``, or ``summary`` for
        a result that leaves the tables of :data:`SUMMARY_OMITS` empty (a Monte Carlo
        draw's, :meth:`bestshore.Workbench.variant` with ``summary=True``).
    warnings : list of str
    shifts : DataFrame
        The roster of rostered sites (``settings.roster``), one row per shift pattern
        used: ``site``, ``site_name``, ``starts_market`` and ``starts_local`` (weekday
        and time), ``start_hour`` (0-167, market time), ``local_weekday`` (0 = Monday)
        and ``local_start`` [h], ``length_hours`` [h], ``agents`` (whole),
        ``paid_hours`` [agent hours per sizing week]. Empty without a roster.
    months : DataFrame
        The year month by month, one row per month: ``month`` (1-12), ``days`` (30.44:
        a year of 365.25 days in 12 equal months) and ``weeks`` (4.348) in it,
        ``volume`` [contacts handled, repeats included], ``agent_hours`` [productive h],
        ``paid_hours`` [h on shift at rostered sites; NaN without a roster], ``fte``
        [FTE working in a week of the month], ``staffing_cost`` (the staffing rows at
        the month's load), ``idle_cost`` (idle paid hours of the month's roster),
        ``other_cost`` (recording storage by the month's contacts, and a twelfth of
        the yearly costs outside the staffing rows: fixed costs, SCC, set-up and
        transition, take-or-pay) and ``cost`` [currency, the three together; the 12
        sum to ``total_cost``], ``over_capacity`` (the month's staffing exceeds a
        capacity or seat limit: possible when the sizing week is not the peak's; each
        such month is also in ``warnings``).
    month_shifts : DataFrame
        Each month's roster of the rostered sites: ``month``, ``site``, ``start_hour``,
        ``length_hours``, ``local_weekday``, ``local_start``, ``agents`` (whole),
        ``paid_hours`` [agent hours per week of the month]. Empty without a roster.
    labels : DataFrame
        Display names of the ids in the tables: ``kind`` (call_type, site, vendor,
        language, country), ``id``, ``name``. Empty for a result saved without them.
    inputs : DataFrame
        The scenario's key figures (market, currency, demand per call type, settings,
        rules in force): ``section``, ``item``, ``value``, ``unit``. The workbook's
        ``inputs`` sheet adds the stamp below them.
    """

    scenario_name: str
    currency: str
    status: str
    allocation: pd.DataFrame
    sites: pd.DataFrame
    breakdown: pd.DataFrame
    kpis: dict[str, Any]
    constraints: pd.DataFrame
    exclusions: pd.DataFrame
    staffing: pd.DataFrame
    coverage: pd.DataFrame
    requirements: pd.DataFrame
    market: dict[str, Any]
    stamp: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    shifts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SHIFT_TABLE_COLUMNS))
    months: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MONTH_COLUMNS))
    month_shifts: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=MONTH_SHIFT_COLUMNS)
    )
    labels: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LABEL_COLUMNS))
    inputs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=INPUT_COLUMNS))

    @property
    def total_cost(self) -> float:
        return float(self.kpis["total_cost"])

    @property
    def total_fte(self) -> float:
        return float(self.kpis["total_fte"])

    @property
    def binding(self) -> pd.DataFrame:
        """The constraints that bind, in plain words."""
        # A boolean mask, not the column itself: an empty object column would select
        # columns (none), not rows, and the empty table would lose its ``message``.
        binding = self.constraints["binding"].eq(True)
        return self.constraints[binding].reset_index(drop=True)

    # --- serialisation -------------------------------------------------------------
    def to_dict(self, *, with_timing: bool = True) -> dict[str, Any]:
        stamp = dict(self.stamp)
        if not with_timing:
            stamp.pop("wall_seconds", None)
        return {
            "scenario": self.scenario_name,
            "status": self.status,
            "currency": self.currency,
            "total_cost": _clean(self.total_cost),
            "kpis": {k: _clean(v) for k, v in self.kpis.items()},
            "allocation": table_records(self.allocation),
            "sites": table_records(self.sites),
            "breakdown": table_records(self.breakdown),
            "constraints": table_records(self.constraints),
            "staffing": table_records(self.staffing),
            "shifts": table_records(self.shifts),
            "months": table_records(self.months),
            "month_shifts": table_records(self.month_shifts),
            "labels": table_records(self.labels),
            "inputs": table_records(self.inputs),
            "market": {k: _clean(v) for k, v in self.market.items()},
            "warnings": list(self.warnings),
            "stamp": {k: _clean(v) for k, v in stamp.items()},
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Result:
        """Rebuild a result from :meth:`to_dict` output (e.g. a ``result.json`` file).

        Restored: the scenario name, status, currency, KPIs, ``allocation``, ``sites``,
        ``breakdown``, ``constraints``, ``staffing``, ``shifts``, ``months``,
        ``month_shifts``, ``labels``, ``inputs``, ``market``, ``stamp`` and ``warnings``
        (a file saved before months were costed has none: ``months`` comes back empty;
        likewise ``labels`` and ``inputs`` from a file saved before they were written). Not restored,
        because ``result.json`` does not carry them:
        ``exclusions``, ``coverage`` and ``requirements`` come back empty, with their
        columns (:data:`UNRESTORED`); solve the scenario again for them, or read the
        CSV tables written beside the JSON.

        Raises ``ValueError`` for a document that is not a result, or whose
        ``total_cost`` is not its ``kpis.total_cost``.
        """
        missing = {"scenario", "status", "currency", "kpis", "allocation"} - set(doc)
        if missing:
            raise ValueError(f"not a bestshore result: missing {', '.join(sorted(missing))}")
        allocation = pd.DataFrame(doc["allocation"], columns=ALLOCATION_COLUMNS)
        kpis = {
            k: (float("nan") if v is None and k == "total_cost" else v)
            for k, v in doc["kpis"].items()
        }
        total, headline = doc.get("total_cost"), kpis.get("total_cost")
        if isinstance(total, (int, float)) and isinstance(headline, (int, float)):
            gap = abs(float(total) - float(headline))
            if gap > 1e-9 * max(1.0, abs(float(total)), abs(float(headline))):
                raise ValueError(f"total_cost {total!r} differs from kpis.total_cost {headline!r}")
        return cls(
            scenario_name=doc["scenario"],
            currency=doc["currency"],
            status=doc["status"],
            allocation=allocation,
            sites=pd.DataFrame(doc.get("sites", [])),
            breakdown=pd.DataFrame(doc.get("breakdown", [])),
            kpis=kpis,
            constraints=pd.DataFrame(doc.get("constraints", [])),
            exclusions=pd.DataFrame(columns=UNRESTORED["exclusions"]),
            staffing=pd.DataFrame(doc.get("staffing", []), columns=STAFFING_COLUMNS),
            coverage=pd.DataFrame(columns=UNRESTORED["coverage"]),
            requirements=pd.DataFrame(columns=UNRESTORED["requirements"]),
            market=doc.get("market", {}),
            stamp=doc.get("stamp", {}),
            warnings=list(doc.get("warnings", [])),
            shifts=pd.DataFrame(doc.get("shifts", []), columns=SHIFT_TABLE_COLUMNS),
            months=pd.DataFrame(doc.get("months", []), columns=MONTH_COLUMNS),
            month_shifts=pd.DataFrame(doc.get("month_shifts", []), columns=MONTH_SHIFT_COLUMNS),
            labels=pd.DataFrame(doc.get("labels", []), columns=LABEL_COLUMNS),
            inputs=pd.DataFrame(doc.get("inputs", []), columns=INPUT_COLUMNS),
        )

    @classmethod
    def read_json(cls, path: str | Path) -> Result:
        """Read a ``result.json`` written by :meth:`to_json`."""
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def to_json(self, path: str | Path | None = None, *, with_timing: bool = True) -> str:
        """The result as JSON text; also written atomically to ``path`` if given."""
        text = (
            json.dumps(self.to_dict(with_timing=with_timing), indent=2, ensure_ascii=False) + "\n"
        )
        if path is not None:
            atomic_write(Path(path), text.encode("utf-8"))
        return text

    def input_table(self) -> pd.DataFrame:
        """The scenario's key figures (:attr:`inputs`), then the stamp (units in ``unit``).

        The solve's wall time is left out, so the same result gives the same files.
        """
        stamp = [
            (
                "stamp",
                key,
                _clean(value),
                _STAMP_UNITS.get(key, "").replace("currency", self.currency),
            )
            for key, value in self.stamp.items()
            if key != "wall_seconds"  # the same result gives the same files
        ]
        rows = pd.DataFrame(stamp, columns=INPUT_COLUMNS)
        parts = [t for t in (self.inputs, rows) if len(t)]
        if not parts:
            return pd.DataFrame(columns=INPUT_COLUMNS)
        table = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        return table.astype({"value": object}).reset_index(drop=True)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: KPIs as a two-column table, then ``inputs`` (the
        scenario's key figures and the stamp, :meth:`input_table`), the result's tables
        and ``labels`` (display names of the ids)."""
        kpis = pd.DataFrame(
            {"kpi": list(self.kpis), "value": [_clean(v) for v in self.kpis.values()]}
        )
        return {
            "kpis": kpis,
            "inputs": self.input_table(),
            "allocation": self.allocation,
            "sites": self.sites,
            "breakdown": self.breakdown,
            "constraints": self.constraints,
            "staffing": self.staffing,
            "shifts": self.shifts,
            "months": self.months,
            "month_shifts": self.month_shifts,
            "coverage": self.coverage,
            "requirements": self.requirements,
            "exclusions": self.exclusions,
            "labels": self.labels,
        }

    def to_csv(self, folder: str | Path) -> list[Path]:
        """One CSV per table in ``folder``, the folder replaced as a whole.

        All or nothing, with a manifest (:func:`bestshore.result.files.write_folder`): a
        failure leaves ``folder`` as it was, and a folder holding files bestshore did not
        write is refused (:class:`~bestshore.result.files.OutputError`). Text cells
        starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return get a leading
        ``'`` so spreadsheets do not run them as formulas
        (:func:`bestshore.result.files.csv_bytes`).
        """
        files = {f"{name}.csv": csv_bytes(table) for name, table in self.tables().items()}
        return write_folder(folder, files)

    def to_excel(self, path: str | Path) -> Path:
        """A workbook with one sheet per table, written atomically; text cells are text."""
        from bestshore.result.files import excel_bytes

        path = Path(path)
        atomic_write(path, excel_bytes(self.tables()))
        return path

    # --- display -------------------------------------------------------------------
    @property
    def solve_note(self) -> str:
        """What is proven of the plan, in words: its gap to the best possible plan, and
        how the solver's last round ended (a time limit, on/off decisions)."""
        stamp = self.stamp
        gap, bound = stamp.get("gap"), stamp.get("lower_bound")
        if gap is None:
            proven = "no lower bound proven, so no gap"
        else:
            tolerance = float(stamp.get("gap_tolerance") or 0.0)
            within = f" (tolerance {tolerance:.2%})" if self.status == "optimal" else ""
            proven = (
                f"within {gap:.2%} of the best possible plan{within}: none costs less "
                f"than {bound:,.0f} {self.currency}"
            )
        limit = stamp.get("time_limit_seconds")
        if stamp.get("solver_status") == "time_limit":
            proven += f"; the solver stopped at its {limit:g} s time limit"
        if stamp.get("lower_bound_source") == "lagrangian":
            proven += "; the bound from each queue staffed exactly (Lagrangian)"
        elif stamp.get("milp"):
            proven += "; the bound from a MILP (on/off decisions or queue openings)"
        return proven

    def summary(self) -> str:
        k = self.kpis
        lines = [
            f"{self.scenario_name}: {self.status}",
            f"  annual cost  {k['total_cost']:,.0f} {self.currency}"
            f"  ({k['cost_per_contact']:.2f} {self.currency}/contact)",
            f"  staffing     {k['total_fte']:,.1f} FTE at {k['sites_used']} sites, "
            f"{k['vendors_used']} vendors",
            f"  by shore     inshore {k['inshore_share']:.0%}, nearshore {k['nearshore_share']:.0%},"
            f" offshore {k['offshore_share']:.0%} of volume",
        ]
        scores = [
            f"{label} {k[key]:{fmt}}"
            for key, label, fmt in (("csat", "CSAT", ".1f"), ("nps", "NPS", "+.0f"))
            if k.get(key) is not None and not pd.isna(k.get(key))
        ]
        if scores:
            lines.append(f"  quality      {', '.join(scores)} (volume-weighted)")
        lines.append(f"  proven       {self.solve_note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Result {self.summary()}>"

    def _repr_html_(self) -> str:
        k = self.kpis
        head = (
            f"<h4>{html.escape(self.scenario_name)} — {html.escape(self.status)}</h4>"
            f"<p><b>{k['total_cost']:,.0f} {html.escape(self.currency)}</b> per year · "
            f"{k['total_fte']:,.1f} FTE · {k['sites_used']} sites · {k['vendors_used']} vendors · "
            f"inshore {k['inshore_share']:.0%} / nearshore {k['nearshore_share']:.0%} / "
            f"offshore {k['offshore_share']:.0%}</p>"
        )
        sites = self.sites[self.sites["fte"] > 0][
            ["site", "vendor", "country", "shore", "fte", "utilisation", "cost"]
        ]
        table = sites.to_html(
            index=False,
            float_format=lambda v: f"{v:,.1f}",
            border=0,
            classes="bestshore",
        )
        return f"<div>{head}{table}</div>"
