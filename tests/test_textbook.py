"""Textbook transportation problems, written as bestshore scenarios, with their published optima.

A transportation problem maps onto bestshore directly: supply points are sites (capacity
in productive hours), demand points are call types (volume x AHT 3,600 s = hours at
occupancy 1), unit costs are the sites' rate cards per call type.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import solve_dict, tiny
from scipy.optimize import linprog


def transportation(
    supply: list[float], demand: list[float], cost: list[list[float]]
) -> dict[str, Any]:
    data = tiny(name="transportation")
    data["call_types"] = [
        {
            "id": f"d{j + 1}",
            "level": "N1",
            "channel": "email",
            "volume": amount,
            "aht_seconds": 3600,
            "languages": {"fr": 1.0},
        }
        for j, amount in enumerate(demand)
    ]
    data["vendors"] = []
    data["sites"] = [
        {
            "id": f"s{i + 1}",
            "country": "FR",
            "city": f"Source {i + 1}",
            "languages": {"fr": "native"},
            "capacity_hours": amount,
            "cost_per_hour": 0.0,
            "rates": {f"d{j + 1}": c for j, c in enumerate(cost[i])},
        }
        for i, amount in enumerate(supply)
    ]
    return data


def test_winston_powerco() -> None:
    # Winston, Operations Research: Applications and Algorithms, 4th ed., Example 7.1
    # (Powerco): plants supply 35, 50, 40 million kWh; cities demand 45, 20, 30, 30;
    # published optimal cost z = $1,020.
    supply = [35, 50, 40]
    demand = [45, 20, 30, 30]
    cost = [[8, 6, 10, 9], [9, 12, 13, 7], [14, 9, 16, 5]]
    result = solve_dict(transportation(supply, demand, cost))
    assert result.total_cost == pytest.approx(1020)


def test_hillier_lieberman_p_and_t_company() -> None:
    # Hillier & Lieberman, Introduction to Operations Research, section 8.1 (P & T
    # Company): canneries ship 75, 125, 100 truckloads of peas to warehouses needing 80,
    # 65, 70, 85; published optimal shipping cost Z = $152,535.
    supply = [75, 125, 100]
    demand = [80, 65, 70, 85]
    cost = [[464, 513, 654, 867], [352, 416, 690, 791], [995, 682, 388, 685]]
    result = solve_dict(transportation(supply, demand, cost))
    assert result.total_cost == pytest.approx(152_535)
    # Every truckload shipped: 300 in all.
    assert result.kpis["total_productive_hours"] == pytest.approx(300)


@pytest.mark.parametrize("seed", range(12))
def test_random_transportation_agrees_with_scipy(seed: int) -> None:
    # An independent formulation solved by scipy's linprog (HiGHS via SciPy's own build,
    # dense matrices written here from scratch) must give the same optimum.
    rng = np.random.default_rng(seed)
    m, n = rng.integers(2, 6), rng.integers(2, 7)
    demand = rng.integers(5, 60, size=n).astype(float)
    supply = rng.integers(10, 80, size=m).astype(float)
    supply *= demand.sum() * rng.uniform(1.0, 1.6) / supply.sum()  # enough capacity
    cost = rng.uniform(5, 50, size=(m, n)).round(2)
    result = solve_dict(transportation(list(supply), list(demand), cost.tolist()))

    a_ub = np.zeros((m, m * n))
    for i in range(m):
        a_ub[i, i * n : (i + 1) * n] = 1
    a_eq = np.zeros((n, m * n))
    for j in range(n):
        a_eq[j, j::n] = 1
    reference = linprog(
        cost.ravel(), A_ub=a_ub, b_ub=supply, A_eq=a_eq, b_eq=demand, method="highs"
    )
    assert reference.status == 0
    assert result.total_cost == pytest.approx(reference.fun, rel=1e-7)
