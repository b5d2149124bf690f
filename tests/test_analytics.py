"""Scenario analytics (issue 17): compare against a baseline, cost-quality frontier,
Monte Carlo risk on Dask. Every written file is read back by an independent reader
(pandas, json, tests/png.py); figures are recomputed from the results, not from the
analysis code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, reject, settings
from scenario_strategies import scenarios
from typer.testing import CliRunner

import bestshore
from bestshore.analysis.frontier import cost_quality_frontier, knee_index
from bestshore.analysis.uncertainty import (
    Distribution,
    apply_factors,
    draw_factors,
    parse_uncertainty,
    variates,
)
from bestshore.cli import app
from bestshore.scenario import ScenarioError, parse_scenario
from tests.png import read_png


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def three_sites(**policies: Any) -> dict[str, Any]:
    """3,000 productive h of French N1 (occupancy 1, shrinkage 0, 1,000 h/FTE): Rabat
    15 EUR/h CSAT 70, Lisbon 20 EUR/h CSAT 85 (1,200 h at most), Paris 30 EUR/h CSAT 90."""
    return {
        "name": "three",
        "market": {"country": "FR", "currency": "EUR"},
        "settings": {
            "annual_hours_per_fte": 1000, "shrinkage": 0.0, "occupancy": 1.0,
            "async_utilisation": 1.0, "peak_factor": 10,
        },
        "call_types": [{
            "id": "n1", "level": "N1", "volume": 36000, "aht_seconds": 300,
            "languages": {"fr": 1.0}, "hours": {"mon-fri": "09:00-17:00"},
        }],
        "vendors": [{"id": "va"}, {"id": "vb"}, {"id": "vc"}],
        "sites": [
            {"id": "paris", "name": "Paris Opéra", "vendor": "va", "country": "FR",
             "city": "Paris", "languages": {"fr": "native"}, "capacity_hours": 10000,
             "cost_per_hour": 30.0, "quality": {"csat": 90}},
            {"id": "rabat", "vendor": "vb", "country": "MA", "city": "Rabat",
             "languages": {"fr": "native"}, "capacity_hours": 10000, "cost_per_hour": 15.0,
             "quality": {"csat": 70}},
            {"id": "lisbon", "vendor": "vc", "country": "PT", "city": "Lisbon",
             "languages": {"fr": "C1"}, "capacity_hours": 1200, "cost_per_hour": 20.0,
             "quality": {"csat": 85}},
        ],
        "policies": policies,
    }  # fmt: skip


def assert_png(path: Path) -> None:
    image = read_png(path.read_bytes())
    assert image.width > 100 and image.height > 100
    assert len({bytes(row) for row in image.rows}) > 10  # not a blank image


# --- compare ---------------------------------------------------------------------------------
def two_scenarios(tmp_path: Path) -> tuple[Path, Path]:
    base = write_yaml(tmp_path / "base.yaml", three_sites())
    floored = three_sites(quality_floors={"n1": 80})
    floored["name"] = "floor80"
    return write_yaml(tmp_path / "floor.yaml", floored), base


def assert_diff_recomputed(changes: pd.DataFrame, results: dict[str, dict[str, Any]]) -> None:
    """allocation_changes against the two results' allocation records, grouped here."""
    for dimension in ("site", "vendor", "country", "shore"):
        totals = {
            name: pd.DataFrame(doc["allocation"]).groupby(dimension)[["fte", "volume"]].sum()
            for name, doc in results.items()
        }
        keys = sorted(set(totals["three"].index) | set(totals["floor80"].index))
        got = changes[(changes["dimension"] == dimension) & (changes["scenario"] == "floor80")]
        got = got.set_index("key").loc[keys]
        for column in ("fte", "volume"):
            mine = totals["floor80"][column].reindex(keys, fill_value=0.0)
            theirs = totals["three"][column].reindex(keys, fill_value=0.0)
            np.testing.assert_allclose(got[f"{column}_change"], (mine - theirs).to_numpy())
    # By hand: a CSAT floor of 80 needs 30,000 point-hours over Rabat's 70: Lisbon's
    # 1,200 h give 18,000, then 600 h in Paris (20 points each) the other 12,000.
    sites = changes[(changes["dimension"] == "site") & (changes["scenario"] == "floor80")]
    moved = sites.set_index("key")["fte_change"]
    assert moved["lisbon"] == pytest.approx(1.2) and moved["paris"] == pytest.approx(0.6)
    assert moved["rabat"] == pytest.approx(-1.8)
    assert sites.set_index("key").loc["paris", "name"] == "Paris Opéra"


def assert_kpi_changes(kpis: pd.DataFrame) -> None:
    cost = kpis[(kpis["kpi"] == "total_cost")].set_index("scenario")
    assert cost.loc["floor80", "change"] == pytest.approx(60_000 - 45_000)
    assert cost.loc["floor80", "change_pct"] == pytest.approx(15_000 / 45_000)
    assert cost.loc["three", "change"] == 0
    assert set(kpis["status"]) == {"optimal"}


def test_compare_json_diff_recomputed_from_the_two_allocations(tmp_path: Path) -> None:
    floored, base = two_scenarios(tmp_path)
    done = run("compare", str(floored), str(base), "--baseline", "base.yaml", "--json")
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert list(doc) == [
        "results", "kpis", "fte_by_site", "fte_by_shore", "kpi_changes", "allocation_changes",
    ]  # fmt: skip
    alone = json.loads(run("solve", str(base), "--json").stdout)
    assert list(doc["results"]["three"]) == list(alone)  # the layout of solve --json
    assert_diff_recomputed(pd.DataFrame(doc["allocation_changes"]), doc["results"])
    assert_kpi_changes(pd.DataFrame(doc["kpi_changes"]))
    printed = run("compare", str(floored), str(base), "--baseline", "three").stdout
    assert "KPIs against the baseline, three" in printed
    line = next(x for x in printed.splitlines() if x.strip().startswith("nearshore_share"))
    assert line.split() == ["nearshore_share", "%", "100.0%", "80.0%", "-20.0", "pts"]


@pytest.mark.slow
def test_compare_out_files_read_back(tmp_path: Path) -> None:
    """About 95 s on 2 shared cores, most of it rendering the two maps (PNG, SVG, HTML)."""
    floored, base = two_scenarios(tmp_path)
    out = tmp_path / "cmp"
    done = run("compare", str(floored), str(base), "--baseline", "three", "--out", str(out))
    assert done.exit_code == 0, done.output
    index = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert index["baseline"] == "three"
    results = {
        entry["scenario"]: json.loads((out / entry["result"]).read_text(encoding="utf-8"))
        for entry in index["scenarios"]
    }
    assert_diff_recomputed(pd.read_csv(out / "allocation_changes.csv"), results)
    assert_kpi_changes(pd.read_csv(out / "kpi_changes.csv"))
    for chart in ("kpi_changes", "fte_shift_01", "maps"):
        assert_png(out / "charts" / f"{chart}.png")


def test_compare_unknown_baseline_is_one_line_exit_2(tmp_path: Path) -> None:
    first = write_yaml(tmp_path / "a.yaml", three_sites())
    done = run("compare", str(first), str(first), "--baseline", "nope")
    assert done.exit_code == 2
    assert done.stderr.count("\n") == 1 and "--baseline 'nope'" in done.stderr


# --- frontier --------------------------------------------------------------------------------
def test_frontier_by_hand_monotone_and_files(tmp_path: Path) -> None:
    """Floors 70..90 in 5 points. Cheapest CSAT point: Lisbon for Rabat (5 EUR per 15
    points an hour) up to its 1,200 h (CSAT 76), then Paris for Rabat (15 EUR per 20);
    at 90 only Paris. Costs: 45,000; 50,000 (1,000 h in Lisbon); 60,000 (1,200 h
    Lisbon, 600 h Paris: 51,000 + 9,000); 71,250 (51,000 + 27,000 pt-h x 0.75); 90,000."""
    scenario = write_yaml(tmp_path / "s.yaml", three_sites())
    out = tmp_path / "fr"
    done = run("frontier", str(scenario), "--metric", "csat", "--points", "5", "--out", str(out))
    assert done.exit_code == 0, done.output
    table = pd.read_csv(out / "frontier.csv")
    np.testing.assert_allclose(table["floor"], [70, 75, 80, 85, 90])
    np.testing.assert_allclose(table["total_cost"], [45_000, 50_000, 60_000, 71_250, 90_000])
    np.testing.assert_allclose(table["achieved"], table["floor"])
    assert list(table["status"]) == ["optimal"] * 5
    cost, bound = table["total_cost"].to_numpy(), table["lower_bound"].to_numpy()
    assert (cost[1:] >= bound[:-1] - 1e-6).all()  # never falls beyond the proven gap
    assert table["knee"].sum() == 1
    doc = json.loads((out / "frontier.json").read_text(encoding="utf-8"))
    for point in doc["points"]:
        plan = bestshore.Result.read_json(out / point["result"])
        assert plan.total_cost == pytest.approx(point["total_cost"])
        assert plan.stamp["status"] == point["status"]
    assert_png(out / "charts" / "frontier.png")


def test_frontier_keeps_an_infeasible_floor_and_refuses_fcr(tmp_path: Path) -> None:
    data = three_sites()
    data["sites"][0]["capacity_hours"] = 1000  # Paris: 1,000 h, CSAT 90 unreachable
    scenario = write_yaml(tmp_path / "s.yaml", data)
    frontier = cost_quality_frontier(bestshore.load_scenario(scenario), "csat", 3)
    assert list(frontier.table["status"]) == ["optimal", "optimal", "infeasible"]
    assert frontier.table["total_cost"].isna().tolist() == [False, False, True]
    assert sorted(frontier.results) == [1, 2]
    done = run("frontier", str(scenario), "--metric", "fcr", "--out", str(tmp_path / "x"))
    assert done.exit_code == 2 and "no FCR floor" in done.stderr
    assert done.stderr.count("\n") == 1


def test_knee_is_farthest_below_the_chord() -> None:
    x = np.array([0.0, 1.0, 2.0, 3.0])
    assert knee_index(x, np.array([0.0, 0.1, 0.3, 3.0])) == 2
    assert knee_index(x, x) is None  # a straight line has no knee
    assert knee_index(x[:2], x[:2]) is None


# --- uncertainty --------------------------------------------------------------------------
UNCERTAINTY = {
    "factors": [
        {"name": "volume", "parameter": "volume", "distribution": {"kind": "lognormal", "sigma": 0.1}},
        {"name": "aht", "parameter": "aht",
         "distribution": {"kind": "triangular", "low": 0.9, "mode": 1.0, "high": 1.2}},
        {"name": "wages", "parameter": "rate", "countries": ["MA", "PT"], "group_by": "country",
         "correlation": 0.5, "distribution": {"kind": "normal", "sd": 0.1}},
        {"name": "mad", "parameter": "fx", "currency": "MAD", "countries": ["MA"],
         "distribution": {"kind": "uniform", "low": 0.9, "high": 1.1}},
    ],
    "correlations": [{"factors": ["mad", "wages"], "rho": 0.3}],
}  # fmt: skip


def risky(**changes: Any) -> dict[str, Any]:
    data = three_sites()
    data["sites"][1]["capacity_hours"] = 2500  # Rabat cannot take it all
    data["uncertainty"] = {**UNCERTAINTY, **changes}
    return data


def test_uncertainty_draws_and_applies_factors() -> None:
    scenario = parse_scenario(risky())
    found = variates(scenario, parse_uncertainty(scenario))
    assert found.names == ["volume:n1", "aht:n1", "wages:rabat", "wages:lisbon", "mad:MAD"]
    seed = np.random.SeedSequence(11).spawn(3)[2]
    factors = draw_factors(found, seed)
    assert np.array_equal(factors, draw_factors(found, np.random.SeedSequence(11).spawn(3)[2]))
    changed = apply_factors(scenario, found, factors)
    assert changed.call_type("n1").volume == pytest.approx(36000 * factors[0])
    assert changed.call_type("n1").aht_seconds == pytest.approx(300 * factors[1])
    assert changed.site("rabat").cost_per_hour == pytest.approx(15 * factors[2] * factors[4])
    assert changed.site("lisbon").cost_per_hour == pytest.approx(20 * factors[3])
    assert changed.site("paris").cost_per_hour == 30.0


def test_distribution_quantiles_by_hand() -> None:
    triangle = Distribution(kind="triangular", low=0.9, mode=1.0, high=1.2)
    u = np.array([1 / 3, 0.5])  # the mode sits at u = (1.0 - 0.9) / 0.3 = 1/3
    np.testing.assert_allclose(triangle.quantile(u), [1.0, 1.2 - np.sqrt(0.5 * 0.3 * 0.2)])
    uniform = Distribution(kind="uniform", low=0.8, high=1.2)
    np.testing.assert_allclose(uniform.quantile(np.array([0.25])), [0.9])
    lognormal = Distribution(kind="lognormal", sigma=0.2)
    np.testing.assert_allclose(lognormal.quantile(np.array([0.5])), [1.0])


def test_correlation_one_moves_a_country_together() -> None:
    data = risky()
    data["sites"].append({**data["sites"][1], "id": "casablanca", "city": "Casablanca"})
    data["uncertainty"]["factors"][2]["correlation"] = 1.0
    scenario = parse_scenario(data)
    found = variates(scenario, parse_uncertainty(scenario))
    draws = np.array([draw_factors(found, s) for s in np.random.SeedSequence(5).spawn(20)])
    names = found.names
    rabat, casablanca = names.index("wages:rabat"), names.index("wages:casablanca")
    lisbon = names.index("wages:lisbon")
    np.testing.assert_allclose(draws[:, rabat], draws[:, casablanca])
    assert not np.allclose(draws[:, rabat], draws[:, lisbon])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"factors": [{"name": "v", "parameter": "volume", "distribution": {"kind": "normal"}}]},
         "uncertainty.factors.0.distribution: a normal distribution needs sd"),
        ({"factors": [{"name": "v", "parameter": "rate", "sites": ["nowhere"],
                       "distribution": {"kind": "normal", "sd": 0.1}}]},
         "uncertainty.factors.0.sites: 'nowhere' is not one of the scenario's sites"),
        ({"correlations": [{"factors": ["volume", "ghost"], "rho": 0.2}]},
         "uncertainty.correlations.0.factors: unknown factor 'ghost'"),
    ],
)  # fmt: skip
def test_uncertainty_errors_are_one_line(change: dict[str, Any], expected: str) -> None:
    scenario = parse_scenario(risky(**change))
    with pytest.raises(ScenarioError) as caught:
        parse_uncertainty(scenario)
    assert expected in str(caught.value) and "\n" not in str(caught.value)


# --- risk --------------------------------------------------------------------------------
def test_risk_cli_files_read_back_and_percentiles_recomputed(tmp_path: Path) -> None:
    scenario = write_yaml(tmp_path / "r.yaml", risky())
    out = tmp_path / "risk"
    done = run("risk", str(scenario), "--draws", "6", "--seed", "3", "--batch-size", "2",
               "--out", str(out), "-q")  # fmt: skip
    assert done.exit_code == 0, done.output
    suffix = "parquet" if (out / "draws.parquet").exists() else "csv"
    read = pd.read_parquet if suffix == "parquet" else pd.read_csv
    draws = read(out / f"draws.{suffix}")
    assert list(draws["draw"]) == list(range(6))  # every draw kept, infeasible ones too
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["feasible"] + summary["infeasible"] == 6
    assert summary["infeasible"] == int(draws["total_cost"].isna().sum())
    assert sum(summary["statuses"].values()) == 6
    percentiles = pd.read_csv(out / "percentiles.csv").set_index("metric")
    feasible = draws[draws["total_cost"].notna()]
    for metric in ("total_cost", "fixed_plan_cost", "regret"):
        expected = np.percentile(feasible[metric], [5, 25, 50, 75, 95])
        got = percentiles.loc[metric, ["p5", "p25", "p50", "p75", "p95"]].to_numpy(float)
        np.testing.assert_allclose(got, expected)
    # Each re-optimized cost is the plan's own: re-derive one draw by solving it here.
    scenario_obj = bestshore.load_scenario(scenario)
    found = variates(scenario_obj, parse_uncertainty(scenario_obj))
    factors = draw_factors(found, np.random.SeedSequence(3).spawn(6)[4])
    np.testing.assert_allclose(draws.loc[4, found.names].to_numpy(float), factors)
    again = bestshore.solve(apply_factors(scenario_obj, found, factors))
    assert draws.loc[4, "total_cost"] == pytest.approx(again.total_cost)
    usage = pd.read_csv(out / "usage.csv")
    sites = read(out / f"draw_sites.{suffix}")
    used = sites[sites["fte"] > 1e-9].groupby("site")["draw"].nunique() / summary["feasible"]
    got_usage = usage[usage["kind"] == "site"].set_index("id")["used_share"]
    pd.testing.assert_series_equal(
        got_usage.sort_index(), used.sort_index(), check_names=False, check_index_type=False
    )
    assert bestshore.Result.read_json(out / "baseline.json").total_cost == pytest.approx(
        summary["baseline"]["total_cost"]
    )
    for chart in ("cost_distribution", "site_usage"):
        assert_png(out / "charts" / f"{chart}.png")


def test_unreachable_scheduler_is_one_line_exit_2(tmp_path: Path) -> None:
    scenario = write_yaml(tmp_path / "r.yaml", risky())
    done = run("risk", str(scenario), "--draws", "2", "--scheduler", "tcp://127.0.0.1:9",
               "--out", str(tmp_path / "o"))  # fmt: skip
    assert done.exit_code == 2
    assert done.stderr.startswith("error: --scheduler tcp://127.0.0.1:9: cannot reach")
    assert done.stderr.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_embedded_workers_keep_the_trim_threshold_and_run_no_profiler() -> None:
    """Dask's default MALLOC_TRIM_THRESHOLD_=65536 made each draw fault in about 3,800
    fresh pages (100 without), 6-8 % of its time: the embedded cluster's workers start
    without it, one BLAS thread each as Dask sets, and without the statistical profiler
    (4-9 % of a draw); Dask's own settings are left as they were for clusters
    started elsewhere."""
    import os

    import dask

    from bestshore.analysis.risk import _client

    def seen() -> tuple[str | None, str, bool, int]:
        import threading

        # the profiler's thread is the one named "Profile" (distributed.profile.watch)
        threads = sum(t.name.startswith("Profile") for t in threading.enumerate())
        return (
            os.environ.get("MALLOC_TRIM_THRESHOLD_"),
            os.environ["OMP_NUM_THREADS"],
            dask.config.get("distributed.worker.profile.enabled"),
            threads,
        )

    import distributed  # noqa: F401  (its defaults in dask.config)

    before = dict(dask.config.get("distributed.nanny.pre-spawn-environ"))
    profiled = dask.config.get("distributed.worker.profile.enabled")
    client, cluster = _client(1, None)
    try:
        found = list(client.run(seen).values())
    finally:
        client.close()
        cluster.close()
    assert found == [(None, "1", False, 0)]
    assert dict(dask.config.get("distributed.nanny.pre-spawn-environ")) == before
    assert dask.config.get("distributed.worker.profile.enabled") == profiled


@pytest.mark.slow
def test_same_seed_same_draws_with_one_and_two_workers(tmp_path: Path) -> None:
    """Two real LocalClusters (processes), the second with another batch size: each draw
    starts from the worker's kept baseline, so neither changes a figure. About 45 s on 2
    shared cores."""
    from bestshore.analysis.risk import run_risk

    scenario = parse_scenario(risky())
    one = run_risk(scenario, 6, 21, workers=1, batch_size=2)
    two = run_risk(scenario, 6, 21, workers=2, batch_size=3)
    assert two.meta["workers"] == 2
    pd.testing.assert_frame_equal(one.draws, two.draws)
    pd.testing.assert_frame_equal(one.sites, two.sites)


def test_infeasible_draws_are_counted_reported_and_their_fixed_plan_priced(
    tmp_path: Path,
) -> None:
    """3,300 h of capacity (Paris 1,000, Rabat 1,500, Lisbon 800) for 3,000 h x f of work,
    f uniform on [0.8, 1.3]: a draw has a plan iff f <= 1.1. The baseline fills Rabat and
    Lisbon and puts 700 h in Paris (59,500 EUR); held fixed it costs 59,500 f (workload
    staffing is linear) and exceeds Rabat's and Lisbon's capacities iff f > 1."""
    data = three_sites()
    for site, hours in (("paris", 1000), ("rabat", 1500), ("lisbon", 800)):
        next(s for s in data["sites"] if s["id"] == site)["capacity_hours"] = hours
    data["uncertainty"] = {
        "factors": [
            {"name": "volume", "parameter": "volume",
             "distribution": {"kind": "uniform", "low": 0.8, "high": 1.3}},
        ]
    }  # fmt: skip
    scenario = write_yaml(tmp_path / "tight.yaml", data)
    out = tmp_path / "risk"
    done = run("risk", str(scenario), "--draws", "6", "--seed", "0", "--out", str(out), "-q")
    assert done.exit_code == 0, done.output
    suffix = "parquet" if (out / "draws.parquet").exists() else "csv"
    draws = (pd.read_parquet if suffix == "parquet" else pd.read_csv)(out / f"draws.{suffix}")
    factor = draws["volume:n1"].to_numpy(float)
    assert list(draws["draw"]) == list(range(6))
    without = sorted(int(d) for d in draws["draw"][factor > 1.1])
    assert without and len(without) < 6  # the seed gives both kinds
    assert sorted(int(d) for d in draws["draw"][draws["total_cost"].isna()]) == without
    assert set(draws.loc[factor > 1.1, "status"]) == {"infeasible"}
    np.testing.assert_allclose(draws["fixed_plan_cost"], 59_500 * factor)
    assert draws["fixed_over_capacity"].tolist() == (factor > 1 + 1e-9).tolist()
    assert set(draws.loc[factor > 1, "fixed_over_sites"]) == {"lisbon; rabat"}
    feasible = draws[draws["total_cost"].notna()]
    np.testing.assert_allclose(
        feasible["regret"], feasible["fixed_plan_cost"] - feasible["total_cost"]
    )
    np.testing.assert_allclose(
        feasible["regret_max"], feasible["fixed_plan_cost"] - feasible["lower_bound"]
    )
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["infeasible"] == len(without) and summary["feasible"] == 6 - len(without)
    assert [d["draw"] for d in summary["draws_without_plan"]] == without
    assert summary["statuses"]["infeasible"] == len(without)
    assert f"{len(without)} infeasible" in done.stdout
    listed = ", ".join(f"{d} (infeasible)" for d in without)
    assert f"draws without a plan: {listed}" in done.stdout


# --- frontier acceptance: monotone on random scenarios and on the demo -----------------------
def assert_monotone(table: pd.DataFrame) -> None:
    """A higher floor never costs less than the proven bound of a lower one, and a floor
    proven infeasible stays infeasible above it (each floor's rows hold the one's below)."""
    proven = np.flatnonzero(table["status"].to_numpy() == "infeasible")
    if len(proven):
        assert table["total_cost"].iloc[proven[0] :].isna().all(), table
    rows = table[table["total_cost"].notna()]
    cost, bound = rows["total_cost"].to_numpy(float), rows["lower_bound"].to_numpy(float)
    for i in range(len(rows) - 1):
        if np.isfinite(bound[i]):
            assert cost[i + 1] >= bound[i] * (1 - 1e-9) - 1e-6, (i, cost, bound)
    scored = rows.dropna(subset=["achieved"])  # a plan with no work has no score
    assert (scored["achieved"].to_numpy(float) >= scored["floor"].to_numpy(float) - 1e-6).all()


@settings(
    max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(scenarios(max_sites=4, max_call_types=2))
def test_frontier_monotone_on_random_scenarios(data: dict[str, Any]) -> None:
    scenario = parse_scenario(data)
    try:
        frontier = cost_quality_frontier(scenario, "csat", 4)
    except bestshore.InfeasibleScenarioError:
        reject()
    except bestshore.SolveError as exc:
        assert exc.status == "staffing_not_converged", exc
        reject()
    assert_monotone(frontier.table)


@pytest.mark.slow
def test_frontier_monotone_on_the_demo() -> None:
    """Six solves of the demo: about 15 s on 2 shared cores."""
    frontier = cost_quality_frontier(bestshore.load_scenario("scenarios/demo.yaml"), "csat", 5)
    assert frontier.table["total_cost"].notna().sum() >= 2
    assert_monotone(frontier.table)
