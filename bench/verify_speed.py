"""How long the independent checker takes on a Monte Carlo draw (issue 17's budget).

Solves ``scenarios/demo-study.yaml``, draws ``--draws`` variants of it as the Monte Carlo
study does (quick re-solves, unchecked), then times :func:`bestshore.verify` once on
each draw's plan: each draw is a scenario of its own, checked for the first time, as in
the study. Prints the mean, median and fastest check [s]::

    .venv/bin/python -m bench.verify_speed --draws 12
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import bestshore
from bestshore.analysis.uncertainty import (
    apply_factors,
    draw_factors,
    parse_uncertainty,
    variates,
)
from bestshore.workbench import Workbench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/demo-study.yaml")
    parser.add_argument("--draws", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    scenario = bestshore.load_scenario(args.scenario)
    found = variates(scenario, parse_uncertainty(scenario))
    bench = Workbench(scenario, check=False)
    base = bench.solve()
    assert bestshore.verify(scenario, base) == []  # imports and calendars warm
    plans = []
    for seed in np.random.SeedSequence(args.seed).spawn(args.draws):
        draw = apply_factors(scenario, found, draw_factors(found, seed))
        variant = bench.variant(draw, quick=True)
        if variant.result is not None:
            plans.append((variant.scenario, variant.result))
    seconds = []
    for draw, result in plans:
        start = time.perf_counter()
        problems = bestshore.verify(draw, result)
        seconds.append(time.perf_counter() - start)
        assert problems == [], problems
    print(
        f"verify per draw ({len(seconds)} draws of {args.scenario}): "
        f"mean {statistics.mean(seconds):.4f} s, median {statistics.median(seconds):.4f} s, "
        f"fastest {min(seconds):.4f} s"
    )


if __name__ == "__main__":
    main()
