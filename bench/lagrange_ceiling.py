"""How far multipliers can take the Lagrangian bound (issue 13).

For a scenario: its plan, the Lagrangian bound at the LP's duals
(:mod:`bestshore.model.lagrange`), then a *restricted Dantzig-Wolfe master* over the
bound's blocks (each demand unit kept whole, each call type's hour with a language pool
its demand rows kept): columns are points of each block (each unit wholly at each of
its sites, each pooled hour's vertices, the plan's and the LP's shares, the pooled
hours' MILPs' best points at the LP's duals, and at the master's duals round by round
the blocks' minimizers, the MILPs' best points and each split-able unit's best point on
a grid of its shares, :class:`UnitGrid`), costed and lifted (``e``, ``y``) by their
exact staffing, as the plan is; the rows are the
bound's dualized rows, the columns outside the blocks as they are. Its optimum lies
above the best Lagrangian bound any multipliers can prove with these blocks (the
Lagrangian dual equals the full master's optimum, which the restricted one can only
exceed), so it is a *ceiling* on what multiplier steps can reach; its duals are
multipliers too, each evaluated (``L`` on the full cells)::

    .venv/bin/python -m bench.lagrange_ceiling scenarios/demo.yaml --rounds 6

A round whose master needs its artificial columns (a row the columns cannot meet) has
no ceiling. Not part of the package; the figures are in ``docs/formulation.md``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.sparse as sp

import bestshore
from bestshore.model import prepare_inputs
from bestshore.model.build import SourcingModel
from bestshore.model.lagrange import LagrangianDual, prepare_dual
from bestshore.model.plan import Plan, _decisions, plan_sourcing
from bestshore.model.program import ProgramArrays, solve_with_highs

#: Cost of each unit of an artificial column [currency/yr per unit of row].
PENALTY = 1e7


class Master:
    """The restricted master's columns, and what it needs of the bound."""

    def __init__(self, dual: LagrangianDual):
        self.dual = dual
        arrays = dual.arrays
        self.rows = np.flatnonzero(dual.dualized)
        self.matrix = dual.matrix[self.rows].tocsc()
        block = np.where(dual.kept, dual.unit, dual.unit.max() + 1 + dual.group)
        ids, self.block_of = np.unique(block, return_inverse=True)
        self.blocks = int(self.block_of.max()) + 1
        self.whole_units = ids <= dual.unit.max()  # blocks of one demand unit kept whole
        self.col_block = np.full(arrays.num_col, -1)
        self.col_block[dual.share] = self.block_of
        for columns in (dual.extra, dual.year):
            has = columns >= 0
            self.col_block[columns[has]] = self.block_of[has]
        self.linear = np.where(
            dual.enveloped, arrays.cost[dual.share] - dual.staff_on_share, arrays.cost[dual.share]
        )
        self.owner: list[np.ndarray] = []
        self.cost: list[np.ndarray] = []
        self.level: list[sp.csc_matrix] = []

    def repair(self, shares: np.ndarray) -> np.ndarray:
        """Shares within their bounds, each unit's summing to 1 (the room shared out)."""
        dual, unit = self.dual, self.dual.unit
        top = np.minimum(dual.upper_bound, 1.0)
        x = np.clip(shares, dual.lower_bound, top)
        count = unit.max() + 1
        deficit = 1.0 - np.bincount(unit, weights=x, minlength=count)
        room = top - x
        rooms = np.bincount(unit, weights=room, minlength=count)
        fill = room * np.divide(
            deficit[unit], rooms[unit], out=np.zeros(len(x)), where=rooms[unit] > 0
        )
        x = x + np.clip(fill, 0.0, room)
        total = np.bincount(unit, weights=x, minlength=count)
        return np.where(total[unit] > 1.0, x / np.maximum(total[unit], 1e-300), x)

    def add(self, shares: np.ndarray) -> int:
        """Each block's part of ``shares`` as a column where it is a point of the block
        (its units' shares summing to 1, each within its bounds); how many."""
        dual, x = self.dual, shares
        unit = dual.unit
        sums = np.bincount(unit, weights=x, minlength=unit.max() + 1)
        fits = (x <= dual.upper_bound + 1e-12) & (x >= dual.lower_bound - 1e-12)
        fits &= np.abs(sums[unit] - 1.0) < 1e-9
        bad = np.zeros(self.blocks, dtype=bool)
        np.logical_or.at(bad, self.block_of, ~fits)
        good = np.flatnonzero(~bad)
        if not len(good):
            return 0
        # each queue staffed exactly, as the plan is
        carried, week, yearly = dual.queue_staffing(x, exact=True)
        lift = np.zeros(dual.arrays.num_col)
        lift[dual.share] = x
        dual.lift_staffing(lift, x, carried, week, yearly)
        staffing = np.where(dual.enveloped, dual.price * carried * yearly, 0.0)
        cost = np.bincount(self.block_of, weights=self.linear * x + staffing, minlength=self.blocks)
        inside = np.flatnonzero(self.col_block >= 0)
        part = sp.csc_matrix(
            (lift[inside], (inside, self.col_block[inside])),
            shape=(dual.arrays.num_col, self.blocks),
        )
        self.owner.append(good)
        self.cost.append(cost[good])
        self.level.append((self.matrix @ part)[:, good].tocsc())
        return len(good)

    def least(self, multipliers: np.ndarray) -> np.ndarray:
        """Each block's least Lagrangian cost over its columns at ``multipliers``."""
        reduced = np.concatenate(self.cost) - sp.hstack(self.level).T @ multipliers[self.rows]
        found = np.full(self.blocks, np.inf)
        np.minimum.at(found, np.concatenate(self.owner), reduced)
        return found

    def solve(self) -> tuple[float, float, np.ndarray]:
        """The master's optimum, its artificial columns' total and the multipliers (a
        value per row of the relaxation)."""
        dual, arrays = self.dual, self.dual.arrays
        outside = np.flatnonzero(dual.outside)
        owner = np.concatenate(self.owner)
        count, rows = len(owner), len(self.rows)
        convexity = sp.csc_matrix(
            (np.ones(count), (owner, np.arange(count))), shape=(self.blocks, count)
        )
        artificial = sp.hstack([sp.identity(rows), -sp.identity(rows)])
        matrix = sp.vstack(
            [
                sp.hstack([self.matrix[:, outside], sp.hstack(self.level), artificial]),
                sp.hstack(
                    [
                        sp.csc_matrix((self.blocks, len(outside))),
                        convexity,
                        sp.csc_matrix((self.blocks, 2 * rows)),
                    ]
                ),
            ]
        ).tocsr()
        program = ProgramArrays(
            cost=np.concatenate(
                [arrays.cost[outside], np.concatenate(self.cost), np.full(2 * rows, PENALTY)]
            ),
            offset=float(arrays.offset),
            col_lower=np.concatenate([arrays.col_lower[outside], np.zeros(count + 2 * rows)]),
            col_upper=np.concatenate(
                [arrays.col_upper[outside], np.full(count + 2 * rows, np.inf)]
            ),
            integer=np.zeros(matrix.shape[1], dtype=bool),
            row_lower=np.concatenate([arrays.row_lower[self.rows], np.ones(self.blocks)]),
            row_upper=np.concatenate([arrays.row_upper[self.rows], np.ones(self.blocks)]),
            a_start=matrix.indptr.astype(np.int32),
            a_index=matrix.indices.astype(np.int32),
            a_value=matrix.data,
        )
        solution, _ = solve_with_highs(program)
        assert solution.status == "optimal" and solution.values is not None
        assert solution.duals is not None and solution.objective is not None
        used = float(solution.values[len(outside) + count :].sum())
        multipliers = np.zeros(arrays.num_row)
        multipliers[self.rows] = solution.duals[:rows]
        return float(solution.objective), used, multipliers


class UnitGrid:
    """Each split-able demand unit kept whole (more than one row) searched on a grid of
    ``1/points`` of its shares, its rows staffed exactly: a point of the block (a
    column), near its least at given multipliers, where the cell programs' minimizers
    are a coarse guess. The staffing on the grid does not depend on the multipliers:
    computed once."""

    def __init__(self, dual: LagrangianDual, points: int = 200):
        self.dual, self.points = dual, points
        kept = np.flatnonzero(dual.kept)
        sizes = np.bincount(dual.unit[kept])
        self.rows = kept[sizes[dual.unit[kept]] > 1]
        share = np.arange(points + 1) / points
        self.week = np.zeros((len(self.rows), points + 1))
        self.year = np.zeros((len(self.rows), points + 1))
        for j, x in enumerate(share):  # every row at share x (a kept row is its queue)
            _, week, yearly = dual.queue_staffing(np.full(dual.n, x), exact=True)
            self.week[:, j], self.year[:, j] = week[self.rows], yearly[self.rows]
        lower, upper = dual.lower_bound[self.rows], np.minimum(dual.upper_bound[self.rows], 1.0)
        self.allowed = (share[None, :] >= lower[:, None] - 1e-12) & (
            share[None, :] <= upper[:, None] + 1e-12
        )

    def shares(self, multipliers: np.ndarray) -> np.ndarray:
        """Each unit's best grid point at ``multipliers`` (a share per row of the
        relaxation, NaN outside the units searched)."""
        dual, points, r = self.dual, self.points, self.rows
        pi = np.asarray(dual.matrix.T @ dual.project(multipliers)).ravel()
        slope, alpha_week, alpha_year = dual.coefficients(pi)
        grid = np.arange(points + 1) / points
        cost = slope[r][:, None] * grid[None, :]
        staffed = dual.enveloped[r][:, None]
        cost += np.where(staffed, alpha_week[r][:, None] * self.week, 0.0)
        cost += np.where(staffed, alpha_year[r][:, None] * self.year, 0.0)
        cost = np.where(self.allowed, cost, np.inf)
        found = np.full(dual.n, np.nan)
        states = np.arange(points + 1)[:, None]  # (state, step)
        steps = np.arange(points + 1)[None, :]
        units, which = np.unique(dual.unit[r], return_inverse=True)
        for u in range(len(units)):
            members = np.flatnonzero(which == u)
            best = np.full(points + 1, np.inf)
            best[0] = 0.0
            picks = []
            for m in members:  # min-plus over the rows, each state's step kept
                ways = np.where(steps <= states, best[np.maximum(states - steps, 0)], np.inf)
                ways = ways + cost[m][None, :]
                came = np.argmin(ways, axis=1)
                picks.append(came)
                best = ways[np.arange(points + 1), came]
            if not np.isfinite(best[points]):
                continue
            at = points
            for m, came in zip(members[::-1], picks[::-1], strict=True):
                step = int(came[at])
                found[r[m]] = step / points
                at -= step
        return found


def whole_sites(master: Master) -> int:
    """Columns of each demand unit kept whole at each of its sites, and of each pooled
    hour's vertices (each unit wholly at one site); how many."""
    dual = master.dual
    kept = np.flatnonzero(dual.kept)
    order = np.argsort(dual.unit[kept], kind="stable")
    ranked = kept[order]
    units = dual.unit[ranked]
    first = np.searchsorted(units, units, side="left")
    slot = np.arange(len(ranked)) - first
    most = max((len(b.picks) for b in dual.vertices), default=0)
    added = 0
    for k in range(max(int(slot.max(initial=-1)) + 1, most)):
        x = np.zeros(dual.n)
        x[ranked[slot == k]] = 1.0
        for block in dual.vertices:
            if k < len(block.picks):
                x[block.picks[k]] = 1.0
        added += master.add(x)
    return added


def plan_shares(plan: Plan, model: SourcingModel) -> np.ndarray:
    """The plan's shares on ``model``'s assignment rows (0 where it has none): a
    re-planned plan's model is a narrower set's."""
    keys = ["call_type", "language", "hour", "site"]
    taken = plan.model.variables.assignments[keys].assign(share=plan.model.shares())
    rows = model.variables.assignments[keys]
    return rows.merge(taken, on=keys, how="left")["share"].fillna(0.0).to_numpy(dtype=float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    inputs = prepare_inputs(bestshore.load_scenario(args.scenario))
    planning = plan_sourcing(inputs)
    assert planning.plan is not None
    cost = planning.plan.exact_cost
    model = planning.first_model
    dual = prepare_dual(model, fixed=_decisions(model, planning.first_solution))
    assert dual is not None
    start = dual.evaluate(dual.start)
    assert start is not None
    print(f"plan {cost:,.0f}  bound at the LP's duals {start.value:,.0f}")
    began = time.perf_counter()
    master = Master(dual)
    grid = UnitGrid(dual)
    print(f"grid of the split-able units staffed ({time.perf_counter() - began:.1f} s)")
    seeds = whole_sites(master)
    seeds += master.add(master.repair(plan_shares(planning.plan, model)))
    if start.pooled_shares is not None:  # the pooled hours' MILPs' best points
        lp = np.clip(dual.values[dual.share], 0.0, 1.0)
        milp = start.pooled_shares
        seeds += master.add(master.repair(np.where(np.isnan(milp), lp, milp)))
    seeds += master.add(master.repair(np.clip(dual.values[dual.share], 0.0, 1.0)))
    print(f"{master.blocks} blocks, {seeds} first columns ({time.perf_counter() - began:.1f} s)")
    best = start.value
    ceiling = np.inf
    for k in range(args.rounds):
        began = time.perf_counter()
        value, used, multipliers = master.solve()
        if used <= 1e-9:
            ceiling = min(ceiling, value)
        at = dual.evaluate(multipliers, cells=64, fine_cells=0, lift=True)
        found = dual.evaluate(multipliers)
        if found is not None:
            best = max(best, found.value)
        added = 0
        if at is not None and at.lift is not None:
            added = master.add(master.repair(at.lift[dual.share]))
            # the units' grid points and the pooled hours' MILPs' best points
            better = at.lift[dual.share].copy()
            searched = grid.shares(multipliers)
            better = np.where(np.isnan(searched), better, searched)
            if found is not None and found.pooled_shares is not None:
                milp = found.pooled_shares
                better = np.where(np.isnan(milp), better, milp)
            added += master.add(master.repair(better))
        print(
            f"round {k}: master {value:,.0f} (artificial {used:.3g}), L at its duals "
            f"{found.value if found else float('nan'):,.0f}, best {best:,.0f}, "
            f"+{added} columns ({time.perf_counter() - began:.1f} s)",
            flush=True,
        )
    # L's parts against the least of each block's columns (at least each block's true
    # least, which is at least L's): at the LP's duals and at the master's last
    for label, at_mu, mu in (
        ("the LP's duals", start, dual.start),
        ("the last duals", found, multipliers),
    ):
        if at_mu is None:
            continue
        least = master.least(dual.project(mu))
        units = float(least[master.whole_units].sum())
        pooled = float(least[~master.whole_units].sum())
        print(
            f"at {label}, L against its blocks' columns: units kept whole "
            f"{at_mu.parts['units']:,.0f} against {units:,.0f} "
            f"({units - at_mu.parts['units']:+,.0f}), pooled hours "
            f"{at_mu.parts['pooled']:,.0f} against {pooled:,.0f} "
            f"({pooled - at_mu.parts['pooled']:+,.0f})"
        )
    print(
        f"ceiling {ceiling:,.0f} (gap at least {(cost - ceiling) / cost:.2%}); "
        f"best bound {best:,.0f} (gap {(cost - best) / cost:.2%})"
    )


if __name__ == "__main__":
    main()
