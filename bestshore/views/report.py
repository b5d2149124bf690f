"""The one-page executive report: headline figures, charts and plain-word findings.

Self-contained HTML (charts inline as SVG, no script, no network), readable printed.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bestshore.result import Result
from bestshore.scenario.hours import hour_label
from bestshore.views.limits import display_names, limits_by_money
from bestshore.views.summary import _named, savings_sentence

if TYPE_CHECKING:
    from bestshore.analysis.savings import Savings

__all__ = ["MAX_LIMITS", "render_report", "roster_figures", "weighted_median"]

MAX_LIMITS = 12  # lines of "What limits the plan"; the rest as "and N more"

_CSS = """
body{font-family:Helvetica,Arial,sans-serif;color:#1d2733;margin:24px auto;max-width:1100px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:15px;margin:22px 0 8px;color:#33475b}
.sub{color:#5b6b7b;margin:0 0 16px;font-size:13px}
.tiles{display:grid;grid-auto-flow:column;grid-auto-columns:1fr;gap:10px}
.tile{background:#f3f6f9;border-radius:6px;padding:10px 12px}
.tile b{display:block;font-size:20px;margin-top:2px} .tile span{font-size:12px;color:#5b6b7b}
.charts{display:grid;grid-template-columns:3fr 2fr;gap:14px;align-items:start}
.charts svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:12px;width:100%}
th,td{padding:4px 8px;border-bottom:1px solid #e3e8ee;text-align:left}
td.n,th.n{text-align:right} ul{font-size:13px;margin:4px 0;padding-left:18px}
.foot{color:#8795a1;font-size:11px;margin-top:18px}
@media print{body{margin:8mm}}
"""


def _tile(label: str, value: str) -> str:
    return f'<div class="tile"><span>{html.escape(label)}</span><b>{html.escape(value)}</b></div>'


def _table(frame: pd.DataFrame, numeric: Mapping[str, str]) -> str:
    head = "".join(
        f'<th class="{"n" if c in numeric else ""}">{html.escape(c.replace("_", " "))}</th>'
        for c in frame.columns
    )
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, record, strict=True):
            if column in numeric:
                cells.append(f'<td class="n">{format(value, numeric[column])}</td>')
            else:
                cells.append(f"<td>{html.escape(str(value))}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _where_each_call_type_goes(result: Result) -> pd.DataFrame:
    rows = []
    for call_type, part in result.allocation.groupby("call_type", sort=True):
        by_site = part.groupby("site")["fte"].sum().sort_values(ascending=False)
        total = by_site.sum()
        shown = by_site[by_site >= 0.005 * total]  # below half a percent is noise here
        placement = ", ".join(f"{site} {fte / total:.0%}" for site, fte in shown.items())
        if len(shown) < len(by_site):
            placement += f", {len(by_site) - len(shown)} more below 0.5%"
        rows.append(
            {
                "call_type": call_type,
                "level": part["level"].iloc[0],
                "fte": total,
                "cost": part["cost"].sum(),
                "where": placement,
            }
        )
    return pd.DataFrame(rows)


_BOUND_NAMES = {
    "relaxation": "pooled-queue bound",
    "lagrangian": "Lagrangian bound, each queue staffed exactly",
    "step_milp": "step-by-step bound",
}


def _staffing_section(result: Result, charts_svg: Mapping[str, str]) -> str:
    """Hour-by-hour staffing: who answers when, needed versus staffed, the bound."""
    if "coverage" not in charts_svg:
        return ""
    stamp = result.stamp
    gap = stamp.get("gap")
    bound = (
        f"No plan can cost less than {stamp['lower_bound']:,.0f} {html.escape(result.currency)} "
        f"({_BOUND_NAMES.get(str(stamp.get('lower_bound_source')), 'pooled-queue bound')}); "
        f"this plan is within {gap:.1%} of it."
        if gap is not None
        else "No lower bound is proven for this plan (an average-speed-of-answer goal, a "
        "month busier than the sizing week, or a what-if started from an earlier plan)."
    )
    loss = result.kpis.get("pooling_loss_agent_hours", 0.0)
    return (
        "<h2>Hour by hour</h2>"
        f"<p class='sub'>Staffed by Erlang C where a service level is set. {_pooling_text(loss)} "
        f"{_abandonment_words(result)}{bound}</p>"
        f"<div>{charts_svg['coverage']}</div>"
        + (
            f"<div>{charts_svg['required_vs_staffed']}</div>"
            if "required_vs_staffed" in charts_svg
            else ""
        )
    )


def _abandonment_words(result: Result) -> str:
    """One sentence on abandonment where callers are modelled as hanging up (Erlang A)."""
    rate = result.kpis.get("abandon_rate")
    if rate is None:
        return ""
    per_type = [
        f"{html.escape(name.removeprefix('abandon_rate_'))} {value:.1%}"
        for name, value in result.kpis.items()
        if name.startswith("abandon_rate_") and value is not None
    ]
    detail = f" ({', '.join(per_type)})" if len(per_type) > 1 else ""
    return (
        f"Where callers hang up when kept waiting (Erlang A), {rate:.1%} of the calls "
        f"offered in the sizing week abandon{detail}. "
    )


def _prices_section(
    result: Result, prices: pd.DataFrame | None, charts_svg: Mapping[str, str]
) -> str:
    if prices is None or prices.empty:
        return ""
    table = prices.assign(
        price=[f"{p:,.0f}" if p == p else "—" for p in prices["price"]],
        interval=[price_words(row) for row in prices.to_dict(orient="records")],
        note=[
            s if s != "ok" else ("" if sig else "may cost nothing: the interval reaches 0")
            for s, sig in zip(prices["status"], prices["significant"], strict=True)
        ],
    )[["description", "price", "interval", "note"]]
    table = table.rename(
        columns={"description": "rule", "price": f"cost a year ({result.currency})"}
    )
    chart = f"<div>{charts_svg['policy_prices']}</div>" if "policy_prices" in charts_svg else ""
    return (
        "<h2>Price of each policy</h2><p class='sub'>What keeping each rule costs a year: the "
        "plan re-solved with that one rule lifted, and the interval the price is proven to "
        "lie in (from both solves' lower bounds). Prices do not add up when rules overlap.</p>"
        f"{_table(table, {})}{chart}"
    )


def price_words(row: Mapping[str, object]) -> str:
    """A price's proven interval in words: "between 120,000 and 180,000"."""
    low, high = row.get("price_low"), row.get("price_high")
    if not isinstance(low, float | int) or not isinstance(high, float | int):
        return "—"
    return f"between {low:,.0f} and {high:,.0f}"


_OTHER_COSTS = {
    "idle": "Idle shift hours at rostered sites (paid, no work to do)",
    "vendor": "Vendors on the panel (yearly fixed cost)",
    "site": "Sites opened (yearly fixed cost)",
    "commitment": "Take-or-pay shortfalls on volume commitments",
    "scc": "Data transfers under standard contractual clauses (compliance)",
    "recording": "Call recordings kept (storage)",
    "setup": "Set-up and training of new FTE (one-off)",
    "transition": "Transition of today's work to other sites (one-off)",
}


def _other_costs_section(result: Result) -> str:
    """Costs outside the hourly bill, by kind; one-off costs also as their total."""
    lines = result.breakdown[result.breakdown["dimension"] == "fixed_cost"]
    if lines.empty:
        return ""
    kinds = lines["key"].str.split(":", n=1).str[0]
    years = float(result.stamp.get("amortization_years") or 1.0)
    rows = []
    for kind, part in lines.groupby(kinds, sort=False):
        ids = part["key"].str.split(":", n=1).str[1]
        one_off = kind in ("setup", "transition")
        rows.append(
            {
                "cost": _OTHER_COSTS.get(str(kind), str(kind)),
                "where": ", ".join(sorted(ids)),
                f"a year ({result.currency})": float(part["cost"].sum()),
                f"one-off total ({result.currency})": f"{part['cost'].sum() * years:,.0f}"
                if one_off
                else "",
            }
        )
    table = pd.DataFrame(rows).sort_values(f"a year ({result.currency})", ascending=False)
    return (
        "<h2>Costs outside the hourly bill</h2><p class='sub'>Included in the annual cost. "
        f"One-off costs are spread over the {years:g}-year term.</p>"
        + _table(table, {f"a year ({result.currency})": ",.0f"})
    )


def weighted_median(values: pd.Series, weights: pd.Series) -> float:
    """The lower weighted median: the smallest value with at least half the weight at or
    below it (e.g. shift lengths weighted by their agents)."""
    order = np.argsort(values.to_numpy(), kind="stable")
    sorted_values = values.to_numpy()[order]
    cumulative = np.cumsum(weights.to_numpy(dtype=float)[order])
    return float(sorted_values[np.searchsorted(cumulative, cumulative[-1] / 2)])


def roster_figures(
    result: Result, full_time_hours: Mapping[str, int] | None = None
) -> dict[str, float | int | str | None]:
    """The headline figures of the roster (``result.shifts``), for the report.

    - ``sites``: sites rostered (with at least one agent on shift); ``teams``: (site,
      call type) pairs of ``result.allocation`` with FTE at those sites;
    - ``shifts``: shift patterns used, ``agent_shifts``: agents summed over them [per
      sizing week]; ``paid_hours`` [agent hours per sizing week];
    - ``shortest_hours`` and ``median_hours``: the shortest length used and the median
      length weighted by agents (:func:`weighted_median`) [h];
    - ``idle_hours`` (Σ ``coverage.idle``) and ``idle_share`` (over Σ paid hours), None
      without coverage; ``idle_cost`` [currency/yr] from the breakdown's ``idle:`` lines;
    - ``part_time_share``: share of agent-shifts shorter than their site's full-time
      length (``full_time_hours``, by site; else the longest length used at the site);
    - ``peak_agents`` and ``peak_hour`` ("Tue 10:00", market time): most agents on
      shift at once over all rostered sites, and the first hour it happens (None
      without coverage).
    """
    shifts = result.shifts[result.shifts["agents"] > 0]
    sites = sorted(shifts["site"].unique())
    allocation = result.allocation
    teams = allocation[allocation["site"].isin(sites) & (allocation["fte"] > 0)]
    agents = shifts["agents"].astype(float)
    longest = shifts.groupby("site")["length_hours"].transform("max")
    if full_time_hours is not None:
        known = shifts["site"].map(dict(full_time_hours))
        longest = known.where(known.notna(), longest)
    part_time = float(agents[shifts["length_hours"] < longest].sum() / agents.sum())
    paid = float(shifts["paid_hours"].sum())
    coverage = result.coverage[result.coverage["site"].isin(sites)]
    idle = coverage["idle"].dropna()
    on_shift = coverage.dropna(subset=["on_shift"]).groupby("hour")["on_shift"].sum()
    fixed = result.breakdown[result.breakdown["dimension"] == "fixed_cost"]
    idle_cost = fixed.loc[fixed["key"].str.startswith("idle:"), "cost"].sum()
    return {
        "sites": len(sites),
        "teams": int(teams[["site", "call_type"]].drop_duplicates().shape[0]),
        "shifts": len(shifts),
        "agent_shifts": int(agents.sum()),
        "paid_hours": paid,
        "shortest_hours": int(shifts["length_hours"].min()),
        "median_hours": weighted_median(shifts["length_hours"], agents),
        "idle_hours": float(idle.sum()) if len(idle) else None,
        "idle_share": float(idle.sum()) / paid if len(idle) and paid > 0 else None,
        "idle_cost": float(idle_cost),
        "part_time_share": part_time,
        "peak_agents": float(on_shift.max()) if len(on_shift) else None,
        "peak_hour": hour_label(int(on_shift.idxmax())) if len(on_shift) else None,
    }


def _roster_section(
    result: Result, charts_svg: Mapping[str, str], full_time_hours: Mapping[str, int] | None
) -> str:
    """Teams and shifts: the roster's figures and chart (rostered results only)."""
    if result.shifts.empty or not (result.shifts["agents"] > 0).any():
        return ""
    f, cur = roster_figures(result, full_time_hours), result.currency
    idle = "—" if f["idle_share"] is None else f"{f['idle_share']:.0%}"
    peak = "—" if f["peak_agents"] is None else f"{f['peak_agents']:,.0f} · {f['peak_hour']}"
    tiles = [
        _tile("Rostered sites / teams", f"{f['sites']} / {f['teams']}"),
        _tile("Shifts / agent-shifts a week", f"{f['shifts']:,} / {f['agent_shifts']:,}"),
        _tile("Shortest / median shift", f"{f['shortest_hours']} h / {f['median_hours']:g} h"),
        _tile("Idle share of paid hours", idle),
        _tile("Part-time agent-shifts", f"{f['part_time_share']:.0%}"),
        _tile("Most agents on shift", peak),
    ]
    idle_words = (
        ""
        if f["idle_hours"] is None
        else f"Of {f['paid_hours']:,.0f} paid shift hours a week, {f['idle_hours']:,.0f} are "
        f"idle, at a cost of {f['idle_cost']:,.0f} {cur} a year. "
    )
    zone = result.market.get("timezone")
    chart = f"<div>{charts_svg['roster']}</div>" if "roster" in charts_svg else ""
    return (
        "<h2>Teams and shifts</h2>"
        f'<div class="tiles">{"".join(tiles)}</div>'
        "<p class='sub'>"
        + html.escape(
            "Agents work whole shifts. A team is a rostered site's agents on one call type; "
            "an agent-shift is one agent on one shift of the sizing week; part time is "
            "shorter than the site's full-time shift; the median shift is weighted by "
            f"agents. {idle_words}Times are market time" + (f" ({zone})." if zone else ".")
        )
        + f"</p>{chart}"
    )


def _today_section(result: Result, savings: Savings | None) -> str:
    """Today's cost, the plan's, the saving and its proven interval, and what "today" is."""
    if savings is None or savings.status == "no incumbent":
        return ""
    cur = result.currency
    sentence = f"<p>{html.escape(savings_sentence(savings, cur))}</p>"
    if not savings.priced:
        return f"<h2>Against today</h2>{sentence}"
    names = display_names(result)

    def money(value: float | None) -> str:
        return "—" if value is None else f"{value:,.0f} {cur}"

    rows = [
        ("Today's allocation, priced like the plan", money(savings.today_cost),
         f"none costs less than {money(savings.today_bound)}" if savings.today_bound is not None
         else "no lower bound proven"),
        ("The plan, switching costs included", money(savings.plan_cost),
         f"none costs less than {money(savings.plan_bound)}" if savings.plan_bound is not None
         else "no lower bound proven"),
        ("Saving a year (today less the plan)", money(savings.saving),
         f"proven between {money(savings.saving_low)} and {money(savings.saving_high)}"),
        ("FTE today: as the scenario gives them, as the model staffs them",
         f"{savings.fte_given:,.1f} / {savings.fte_staffed or 0.0:,.1f} FTE", ""),
    ]  # fmt: skip
    body = "".join(
        f"<tr><td>{html.escape(a)}</td><td class='n'>{html.escape(b)}</td>"
        f"<td>{html.escape(c)}</td></tr>"
        for a, b, c in rows
    )
    lifted = ", ".join(_named(rule, names) for rule in savings.lifted_rules) or "none"
    free = ", ".join(names.get(("call_type", c), c) for c in savings.free_call_types)
    notes = (
        f"<p class='sub'>Rules of the plan not applied to today: {html.escape(lifted)}."
        + (f" Placed freely in both (no FTE today): {html.escape(free)}." if free else "")
        + "</p>"
    )
    return (
        "<h2>Against today</h2>"
        f"{sentence}<table><thead><tr><th>What</th><th class='n'>A year</th>"
        f"<th>Proven</th></tr></thead><tbody>{body}</tbody></table>{notes}"
    )


def render_report(
    result: Result,
    charts_svg: Mapping[str, str],
    prices: pd.DataFrame | None = None,
    description: str | None = None,
    full_time_hours: Mapping[str, int] | None = None,
    savings: Savings | None = None,
) -> str:
    """The report as one HTML document.

    Parameters
    ----------
    result : Result
    charts_svg : mapping
        Chart name -> SVG text; ``map``, ``fte_by_shore``, ``cost_by_site``,
        ``coverage``, ``required_vs_staffed``, ``roster`` and ``policy_prices`` are
        placed when present.
    prices : DataFrame, optional
        The price of each policy (:func:`bestshore.analysis.price_of_policies`).
    description : str, optional
        The scenario's own description, quoted under the title.
    full_time_hours : mapping, optional
        Full-time shift length [h] of each rostered site (the longest of its roster),
        for the part-time share; without it, the longest length used at the site.
    savings : Savings, optional
        The plan against today's cost (:func:`bestshore.analysis.savings_against_today`):
        a tile and the section "Against today".
    """
    k, cur = result.kpis, result.currency
    tiles = [
        _tile("Annual cost", f"{k['total_cost'] / 1e6:,.2f} M{cur}"),
        _tile("Cost per contact", f"{k['cost_per_contact']:.2f} {cur}"),
        _tile("Staffing", f"{k['total_fte']:,.0f} FTE"),
        _tile("Sites / vendors", f"{k['sites_used']} / {k['vendors_used']}"),
        _tile(
            "Inshore / near / off",
            f"{k['inshore_share']:.0%} / {k['nearshore_share']:.0%} / {k['offshore_share']:.0%}",
        ),
        _tile(
            "CSAT / NPS (weighted)" if k.get("nps") is not None else "CSAT (weighted)",
            ("—" if k.get("csat") is None else f"{k['csat']:.1f}")
            + ("" if k.get("nps") is None else f" / {k['nps']:+.0f}"),
        ),
    ]
    if savings is not None and savings.priced and savings.saving is not None:
        word, shown = {
            "saving": ("Saving against today", abs(savings.saving)),
            "extra cost": ("Extra cost against today", abs(savings.saving)),
        }.get(savings.proven, ("Against today (not proven)", savings.saving))
        tiles.append(_tile(word, f"{shown / 1e6:,.2f} M{cur}"))
    used = result.sites[result.sites["fte"] > 0].sort_values("cost", ascending=False)
    sites = used[["site", "vendor", "country", "shore", "fte", "utilisation", "cost"]]
    limits = limits_by_money(result)
    findings = "".join(f"<li>{html.escape(m)}</li>" for m in limits["message"].head(MAX_LIMITS))
    findings = findings or "<li>No capacity, seat or rule binds.</li>"
    if len(limits) > MAX_LIMITS:
        findings += f"<li>and {len(limits) - MAX_LIMITS} more</li>"
    warnings = "".join(f"<li>{html.escape(w)}</li>" for w in result.warnings)
    charts = "".join(
        f"<div>{charts_svg[name]}</div>" for name in ("map", "fte_by_shore") if name in charts_svg
    )
    stamp = result.stamp
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(result.scenario_name)}: sourcing plan</title><style>{_CSS}</style></head>
<body>
<h1>Sourcing plan — {html.escape(result.scenario_name)}</h1>
<p class="sub">Customers in {html.escape(str(result.market.get("name", "")))} · plan
{html.escape(result.status)}: {html.escape(result.solve_note)} · all figures per year, in
{html.escape(cur)}</p>
{f'<p class="sub">{html.escape(description)}</p>' if description else ""}
<div class="tiles">{"".join(tiles)}</div>
{_today_section(result, savings)}
<h2>Where the work goes</h2>
<div class="charts">{charts}</div>
<h2>Call types</h2>
{_table(_where_each_call_type_goes(result), {"fte": ",.1f", "cost": ",.0f"})}
<h2>Sites used</h2>
{_table(sites, {"fte": ",.1f", "utilisation": ".0%", "cost": ",.0f"})}
{f"<div>{charts_svg['cost_by_site']}</div>" if "cost_by_site" in charts_svg else ""}
{_other_costs_section(result)}
{_staffing_section(result, charts_svg)}
{_roster_section(result, charts_svg, full_time_hours)}
{_prices_section(result, prices, charts_svg)}
<h2>What limits the plan</h2>
<p class="sub">Largest saving first: what one more unit of each limit would save a year
(LP duals of the plan; a plan in whole agents prices none).</p>
<ul>{findings}</ul>
{f"<h2>Warnings</h2><ul>{warnings}</ul>" if warnings else ""}
<p class="foot">bestshore {html.escape(str(stamp.get("bestshore_version")))} ·
{html.escape(str(stamp.get("solver")))} · scenario {html.escape(str(stamp.get("scenario_hash", ""))[:12])}</p>
</body></html>
"""


def _pooling_text(loss: float) -> str:
    """The agent hours a week staffed over (or under) one queue per call type and
    language at one site: splits across sites add, languages pooled at a site save."""
    if loss >= 0:
        return (
            f"Splitting queues across sites costs {loss:,.0f} agent hours a week over "
            "fully pooled queues."
        )
    return (
        f"Languages pooled at their sites save {-loss:,.0f} agent hours a week over one "
        "queue per language at one site, net of what splits across sites cost."
    )
