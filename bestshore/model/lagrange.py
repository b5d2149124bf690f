r"""A Lagrangian lower bound that prices each queue by its exact staffing.

The relaxation (:mod:`bestshore.model.curve`) charges each Erlang-staffed row the
convex envelope of its staffing: a queue split between sites pays less than a plan
staffed exactly does. This bound keeps, for each demand unit, the rule that its shares
sum to 1 and prices each site's part with the exact staffing the plan is costed with
(:func:`bestshore.model.plan.price_year`); every row coupling demand units (capacity,
seats, vendor and other caps, bills, rosters' rows...) is moved into the objective with
the LP relaxation's duals.

Notation: the relaxation is :math:`\min c^\top z` s.t. :math:`\ell \le Az \le u`,
:math:`l \le z \le v`. Every plan :math:`P` has a *lift* :math:`z(P)` (its shares,
``e_r = N_r - \kappa_r T_r x_r`` its sizing week's exact agents beyond the first facet,
``y_r`` its exact agent-weeks a year, each binary at the plan's value) that satisfies
every row, the premise of the relaxation's own bound ("The bound" in
``docs/formulation.md``). The rows are split into

* ``K``, kept: each demand unit's ``Σ_s x_{d,s} = 1`` (not for the units of a call
  type and hour with a language pool, see below);
* ``Q``, dropped: the staffing rows of :mod:`bestshore.model.curve` and
  :mod:`bestshore.model.opening` (``queue_hull``, ``queue_year``, ``pooled_staffing``,
  ``pooled_year``, ``pool_cut_year``, ``open_share``, ``open_week``, ``open_year``),
  replaced by the exact staffing itself;
* ``D``, dualized: all others, with multipliers :math:`\mu_i` of the sign the row's
  active side asks for (:math:`\mu_i \ge 0` needs :math:`\ell_i > -\infty`,
  :math:`\mu_i \le 0` needs :math:`u_i < \infty`; a multiplier of the wrong sign is
  set to 0). :math:`\mu` is the row duals of the relaxation's LP, its on/off
  decisions held at the first round's values, or multipliers stepped from them
  (below; any :math:`\mu` of the right signs gives a bound: every column keeps its own
  bounds in the minimum below).

For every plan :math:`P` feasible for the rows ``D``,
:math:`\mu_i (A_i z(P) - b_i) \ge 0` with :math:`b_i = \ell_i` where
:math:`\mu_i > 0`, :math:`u_i` where :math:`\mu_i < 0`, so

.. math:: \mathrm{cost}(P) \ge \mathrm{cost}(P) - \mu^\top (A_D z(P) - b)
          = \mu^\top b + \sum_{\text{blocks}} \phi_B(P) + \sum_{j \notin \text{blocks}}
          (c_j - \pi_j) z_j(P),

with :math:`\pi = A_D^\top \mu`. Minimizing each part on its own over a set containing
every plan gives :math:`L(\mu) \le \mathrm{cost}(P)`:

* a column outside the blocks (binaries, the queue openings' among them, slacks,
  shortfalls, rosters...) contributes
  :math:`\min(\bar c_j l_j, \bar c_j v_j)`, :math:`\bar c = c - \pi` (its LP cost is
  at most what the plan pays for it, the relaxation's premise); an unbounded column
  with a reduced cost of the wrong sign leaves no bound (None is returned);
* a *block* is a demand unit ``d`` with its share columns, their ``e``, ``y`` and
  binaries. A row ``r = (d, s)`` with an envelope pays exactly, at share ``x``, load
  :math:`a = T_r x`:

  .. math:: f_r(x) = g_r x + \alpha^W_r W_r(a) + \alpha^Y_r Y_r(a), \quad
            g_r = c^0_r - \pi_{x_r} + \pi_{e_r} \kappa_r T_r, \quad
            \alpha^W_r = -\pi_{e_r}, \quad \alpha^Y_r = \beta r \pi - \pi_{y_r},

  :math:`W_r(a)` the sizing week's exact agents and :math:`Y_r(a) = \sum_m w_m N(\rho_m
  a)` the year's agent-weeks (planning or whole agents, Erlang C or A, as
  :func:`~bestshore.model.staffing.exact_staffing` staffs the plan), :math:`c^0_r`
  the row's LP cost without its staffing (contact prices, quality credit), and
  :math:`\beta r \pi Y_r(a)` exactly what :func:`~bestshore.model.plan.price_year`
  charges the row's agents (the bill multiplier's volume tier is the tier family's
  columns, dualized as the LP does). A row without an envelope (workload, deferred
  work) is linear, :math:`f_r(x) = \bar c_{x_r} x`. Why no plan is charged more than
  :func:`~bestshore.model.plan.price_year` charges it: ``W`` and ``Y`` are computed by
  the same function at loads no higher than the plan's (the cells below), the price
  :math:`\beta r \pi` and the weeks :math:`w_m` of its months are the ones it uses
  (:func:`~bestshore.model.curve.month_weights`), and the rest of the row's cost,
  :math:`c^0_r`, is linear as in the relaxation; the LP's tie-break on whole agents'
  ``e`` is not charged.

**Cells (the proof of each block's minimum).** :math:`W` and :math:`Y` are
nondecreasing in the load (Erlang C and A's goals worsen with load, planning agents
are continuous and increasing, whole agents a step function; each table is checked
nondecreasing). Each share :math:`x \in [0, 1]` lies in one *cell*: :math:`\{0\}` (cost
0), the interval :math:`((k-1)/K, k/K]` for :math:`k = 1..K-1`, :math:`((K-1)/K, 1)`, or
the point :math:`\{1\}`. On a cell :math:`[p, q]` (cut in ``refine`` pieces, each
bounded so, the cell's bound their least),
:math:`f_r \ge \min(g p, g q) + \alpha^W W^\downarrow + \alpha^Y Y^\downarrow` with
:math:`W^\downarrow = W(T p)` where :math:`\alpha^W \ge 0`, :math:`W(T q)` otherwise (the
same for :math:`Y`); at :math:`p = 0^+` the load is above 0 and the agents at least
:math:`m_0` (:func:`~bestshore.model.opening.first_agent`). ``W`` and ``Y`` are read on
a table of loads :math:`0, h, 2h, \dots` (``h`` the table's step) at the grid point
below (above, for a negative coefficient) the load: monotone, so still a bound; the
point :math:`\{1\}` is staffed exactly, at a load a relative :math:`10^{-9}` below
(above). A queue at a site of ``M`` seats has at most ``M`` agents in every plan: its
share stays below the first table load needing more, and cells past it are dropped.
With the shares of a demand unit in cells :math:`k_s`, :math:`\sum_s x_s = 1` implies
:math:`\sum_s \rho_{k_s} \ge K`, the *reach* :math:`\rho` of a cell being ``k`` for
:math:`((k-1)/K, k/K]`, ``K - 1`` for :math:`((K-1)/K, 1)` (the rest is another site's,
whose cell reaches at least 1), ``K`` for :math:`\{1\}`, 0 for :math:`\{0\}`: the
block's minimum is at least

.. math:: \min \Big\{ \sum_s \underline f_s(k_s) : \sum_s \rho_{k_s} \ge K \Big\}
          + \lambda,

found by a min-plus dynamic program over the sites on the state
:math:`\min(K, \sum \rho)` (:func:`cell_program`), where :math:`\lambda = \min_s g_s`
is taken off every :math:`g_s` first (and added back: :math:`\sum_s x_s = 1` exactly)
so that costs rise with the share and the dropped upper side :math:`\sum_s p_s \le 1`
costs little. The discretization error is at most each used site's rise of :math:`f`
over one cell, about :math:`\kappa T / K` agents (an unsplit queue pays its exact cost
at :math:`\{1\}`). The units whose minimum on ``K`` cells falls under their cheapest
whole-site cost (split, or forced to by seat caps) are bounded again on
``fine_cells`` cells (768, each cut in :data:`PRICED_REFINE` pieces, the grid the
third bound below reads too), each unit keeping the higher of its bounds (all valid).

**Each unit's price taken off** (:func:`_two_sided`). The program above charges each
cell at its lower end but counts it at its upper end: a split unit's bound loses about
the rise of :math:`f` over one cell per site used (on the demo about 10,000 EUR at
768 cells, an estimate from 2,800 cells). Those units are bounded a third time with :math:`\sum_s x_s = 1` written
:math:`\sum_s (f_s(x_s) - \lambda x_s) + \lambda` for the unit's price
:math:`\lambda` (the LP's dual of its demand row, whatever :math:`\mu`: any
:math:`\lambda` is exact), near which :math:`f_s - \lambda x` is flat, each cell cut in
:data:`PRICED_REFINE` pieces, and the program held to both sides: the cells' lower
ends sum to at most ``K`` and, with one cell more per row, reach ``K``. Its costs may
fall with the share, which :func:`cell_program`'s one side would let it overfill. On
the demo, at the LP's duals: 6,666 EUR more (7,833,077 to 7,839,743 EUR), about 0.5 s
more of the evaluation (0.9 s to 1.4 s without the pooled hours' MILPs).

**Language pools.** A pooling site staffs a call type's languages in one queue on
their summed load :math:`A = \sum_l T_l x_l`, which couples the demand units of a call
type and hour. For those call types and hours the demand rows are dualized too (their
LP duals), so that each site is a block of its own: a pool pays, on :math:`A`,
:math:`h(A) + \underline\alpha^W W(A) + \underline\alpha^Y Y(A)` with :math:`h` the
cheapest linear cost of its rows carrying :math:`A` (a fractional knapsack, convex
piecewise linear, minimized exactly on each cell of :math:`A`) and
:math:`\underline\alpha` the least of its rows' coefficients (each row carries the
pool's agents in proportion to its load, a weighted mean); rows of those units at
sites that do not pool are blocks of one row. A pool's rows lift to
:math:`e_r = (a_r/A) W(A) - \kappa_p T_r x_r` and :math:`y_r = (a_r/A) Y(A)`, their
shares of the pool's exact agents. This is valid, but it does not see the loss of
splitting a pool's languages across sites.

**Language pools taken together** (:func:`_vertices`). A second bound of each such
call type and hour ``G`` keeps its demand rows (the dualized :math:`\mu_d` then
cancel: :math:`\sum_s x_{d,s} = 1` holds in the block) and takes its queues (pools,
and rows at sites that do not pool) as one block:

.. math:: \min \Big\{ \sum_{r \in G} g_r x_r + \sum_{q} \big(\underline\alpha^W_q
          W(A_q) + \underline\alpha^Y_q Y(A_q)\big) : \sum_s x_{d,s} = 1,\
          0 \le x \le 1 \Big\}, \qquad A_q = \sum_{r \in q} T_r x_r.

With every :math:`\underline\alpha \ge 0`, ``W`` is bounded below by a *concave*
:math:`\psi \le W` with :math:`\psi(0) = 0` and a jump above it (:func:`concave_minorant`:
a queue taking any load needs :math:`m_0` agents; concave on :math:`[0, \infty)` with
it) and ``Y`` by
:math:`\sum_m w_m \psi(\rho_m a)`: the block's function is then concave on the
polytope (a linear part plus concave functions of linear maps), a product of one
simplex per demand unit, and its least is at a vertex, each unit wholly at one
site: every vertex is evaluated (at most :data:`VERTICES`; past it, or with a share
column not bounded by ``[0, 1]``, a negative coefficient or no minorant, the pools'
own bound stands). Each group keeps the higher of the two bounds. ``ψ`` joins its
jump at :math:`0^+` to the corners :math:`(L(n), n - \delta)` (``δ = 0`` in whole agents), the
planning agents' premise of the relaxation (:mod:`bestshore.model.curve`: ``N`` at
least the corners' line less ``δ``), concave where ``L`` is convex (checked, else no
minorant); on the first step :math:`(0, L(1)]`, which that premise leaves out, the
line from the jump is checked against the table (``N`` nondecreasing, at least
:math:`m_0` above 0; the jump as high as that and concavity allow) and ``ψ`` scaled by
:math:`1 - \varepsilon`, ``ε`` the line's largest relative excess. Seat caps are not kept in this block (dropping a row only lowers a minimum).
It sees the pooling a split loses, which the pools bounded one by one at the LP's
duals do not: on the demo, the multilingual desk's 168 hours are bounded 52,403 EUR
higher (every hour enumerated, 308 vertices at most), and 22,093 more with the jump.

**Pooled hours as MILPs** (:mod:`bestshore.model.pooled_hours`,
``settings.pooled_hours_milp``). A third bound of each such group: the same block, its
staffing not under ``ψ`` but under lines on pieces of each queue's load (cut at the
whole-agent corners), a binary choosing each queue's piece; HiGHS's dual bound on that
small MILP. It sees the planning agents' rise inside each step, which ``ψ`` joins by
the corners' line: the demo's desk hours 33,159 EUR higher at the LP's duals. Each
group keeps the highest of its three bounds; the multiplier steps leave the MILPs out.

**Multiplier steps** (:func:`multiplier_steps`). :class:`LagrangianDual` computes once
what does not depend on :math:`\mu` (the LP, the rows' split, the tables, the staffing
read on the cells, the seat caps, the minorants and the vertices);
:meth:`LagrangianDual.evaluate` is then :math:`L(\mu)` and, asked, the lift
:math:`z^*` of its blocks' minimizers: the cells the program chose (read back,
:func:`cell_choices`; each share at its cell's upper end, scaled to sum to 1 in its
unit), each pool's least cell carried by its cheapest rows, each pooled hour's least
vertex; :math:`e_r = W_r(T_r x_r) - \kappa_r T_r x_r`, :math:`y_r = Y_r(T_r x_r)` (a
pool's rows their parts of its staffing), every other column at the bound its reduced
cost picks (the LP's value where it is 0). The subgradient :math:`s = b - A_D z^*`
(:meth:`LagrangianDual.subgradient`) and Polyak's step toward a plan's cost move the
multipliers a fixed number of times, on coarser cells; the best are evaluated again on
the full cells. The minimizers are approximate: they only choose which multipliers are
tried, every :math:`L` evaluated is a bound. Measured (``docs/formulation.md``):
demo-n2-nearshore's bound 0.33 points of gap higher in 10 steps, the demo's next to
nothing (the duals are nearly the best multipliers; the gap is the decomposition's).

Rostered sites (whole shifts) are not covered, nor Erlang A goals and within-hour
interval shapes (their staffing is computed one load at a time, too slow for the
tables): the function returns None for a scenario with one.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from bestshore.model.build import SourcingModel
from bestshore.model.curve import StaffingEnvelopes, corner_slack, limits_to, month_weights
from bestshore.model.inputs import rostered_sites
from bestshore.model.opening import first_agent
from bestshore.model.pooled_hours import PooledHour, Queue, pooled_hour_bounds, pooled_hours
from bestshore.model.program import solve_with_highs
from bestshore.model.staffing import exact_staffing, queue_goal

__all__ = [
    "CELLS",
    "DROPPED_FAMILIES",
    "Evaluation",
    "LagrangianDual",
    "Steps",
    "cell_choices",
    "cell_program",
    "concave_minorant",
    "lagrangian_bound",
    "multiplier_steps",
    "prepare_dual",
]

#: Cells of a share (``K``): the discretization error is about ``κ T / K`` agents per
#: used site of a split queue.
CELLS = 256
#: Cells of the demand units the program finds split, bounded again.
FINE_CELLS = 768
#: Rows x cells² a cell program may take (about 1 s): past it, fewer cells.
WORK = 6e8
#: Pieces each cell is cut in to bound it (a finer bound, the program as coarse).
REFINE = 1
#: Pieces each cell is cut in by the two-sided program (:func:`_two_sided`), where the
#: unit's price taken off leaves each piece's two ends apart by its whole slope.
PRICED_REFINE = 4
#: Vertices (each demand unit wholly at one site) a pooled call type's hour may have
#: to be bounded as one block; past it, its pools are bounded one by one.
VERTICES = 20000
#: Cells of a share in the multiplier steps' evaluations (:func:`multiplier_steps`):
#: coarser than :data:`CELLS`, so that a step costs a fraction of the bound.
STEP_CELLS = 64
#: The first step's :math:`\theta` in Polyak's step (:func:`multiplier_steps`).
STEP_SIZE = 0.1
#: Steps without a better bound after which :math:`\theta` halves.
STEP_PATIENCE = 2
#: Points of each call type's table of staffing against load.
TABLE_POINTS = 6000
#: The staffing rows the exact staffing replaces.
DROPPED_FAMILIES = frozenset(
    {
        "queue_hull",
        "queue_year",
        "pooled_staffing",
        "pooled_year",
        "pool_cut_year",
        "open_share",
        "open_week",
        "open_year",
    }
)
_BLOCK_COLUMNS = ("share", "queue_agents", "queue_year")
_EDGE = 1e-9  # relative margin of an exactly staffed load
_GRID = 1e-12  # relative margin of a table look-up


def cell_program(costs: np.ndarray, reach: np.ndarray, cells: int) -> np.ndarray:
    """Min-plus program over sites: ``min Σ_s costs[b, s, k_s]`` over cell choices with
    ``Σ_s reach[k_s] ≥ cells``, per block ``b``.

    ``costs`` has shape (blocks, sites, choices) (``inf``: not allowed), ``reach`` the
    whole number of ``1/cells`` each choice may reach (shape (choices,)). Returns the
    minimum per block (``inf`` when none reaches). The state is ``min(cells, Σ reach)``.
    """
    return _min_plus(costs, reach, cells, argmin=False)[0]


def cell_choices(costs: np.ndarray, reach: np.ndarray, cells: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`cell_program`'s minima and a choice reaching each: ``k_s`` per block and
    site (shape (blocks, sites); -1 for a block none reaches)."""
    found, choice = _min_plus(costs, reach, cells, argmin=True)
    assert choice is not None
    return found, choice


def _min_plus(
    costs: np.ndarray, reach: np.ndarray, cells: int, argmin: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`cell_program`, with ``argmin`` its choices too (the choice and the state
    before it kept per site and state, then read back from the state ``cells``).

    The first site starts from the state 0 alone, so each of its choices lands on its
    own reach; the last one is asked for the state ``cells`` alone (a choice of reach
    ``r`` gets there from the least of the states from ``cells - r`` on): both are a
    pass over the choices, not over the choices and states. Ties go as a pass over
    the choices in order keeping only a strictly lower cost would send them."""
    blocks, sites, _ = costs.shape
    reach = np.asarray(reach, dtype=np.int64)
    best = np.full((blocks, cells + 1), np.inf)
    # per site but the last: the choice and the state before it, per state (argmin)
    picked: list[np.ndarray] = []
    came: list[np.ndarray] = []
    for s in range(sites - 1):
        nxt = np.full_like(best, np.inf)
        choices = (
            (np.full(best.shape, -1, dtype=np.int32), np.full(best.shape, -1, dtype=np.int32))
            if argmin
            else None
        )
        if s == 0:  # from the state 0 alone, at cost 0 (+ 0.0 as 0 + cost gives: -0.0 is 0.0)
            for k, step in enumerate(reach):
                cost = costs[:, 0, k] + 0.0
                better = cost < nxt[:, step]
                if choices is not None:
                    choices[0][better, step], choices[1][better, step] = k, 0
                nxt[better, step] = cost[better]
        else:
            _site_pass(best, costs[:, s], reach, cells, nxt, choices)
        if choices is not None:
            picked.append(choices[0])
            came.append(choices[1])
        best = nxt
    if sites <= 1:
        best[:, 0] = 0.0  # the one site (or none) starts from the state 0
    if sites == 0:
        return best[:, cells], (np.zeros((blocks, 0), dtype=np.int64) if argmin else None)
    # the last site: to the state cells from the least of the states from cells - r on
    tail = np.minimum.accumulate(best[:, ::-1], axis=1)[:, ::-1]
    last = costs[:, sites - 1]
    if not argmin:
        return np.min(tail[:, cells - reach] + last, axis=1), None
    # each choice's two ways in, in a pass's order: from the state cells - r, then from
    # the least state past the cap (none for a choice of reach 0)
    keep = cells + 1 - reach
    tail_at = _tail_at(best, tail)
    direct = best[:, cells - reach] + last
    over = np.where(reach > 0, tail[:, np.minimum(keep, cells)] + last, np.inf)
    ways = np.stack([direct, over], axis=2).reshape(blocks, -1)
    way = np.argmin(ways, axis=1)
    rows = np.arange(blocks)
    found = ways[rows, way]
    taken = way // 2
    state = np.where(
        way % 2 == 0, cells - reach[taken], tail_at[rows, np.minimum(keep[taken], cells)]
    )
    choice = np.full((blocks, sites), -1, dtype=np.int64)
    reached = np.isfinite(found)
    choice[:, sites - 1] = np.where(reached, taken, -1)
    for s in range(sites - 2, -1, -1):
        choice[:, s] = np.where(reached, picked[s][rows, state], -1)
        state = np.where(reached, came[s][rows, state], state)
    return found, choice


def _tail_at(best: np.ndarray, tail: np.ndarray) -> np.ndarray:
    """Where each state's tail least is: the last state from the right holding it."""
    cells = best.shape[1] - 1
    ahead = best[:, ::-1] == tail[:, ::-1]
    marks = np.maximum.accumulate(np.where(ahead, np.arange(cells + 1), 0), axis=1)
    return np.asarray((cells - marks)[:, ::-1])


def _site_pass(
    best: np.ndarray,
    costs: np.ndarray,
    reach: np.ndarray,
    cells: int,
    nxt: np.ndarray,
    choices: tuple[np.ndarray, np.ndarray] | None,
) -> None:
    """One site of the program over every state: ``nxt`` from ``best`` and the site's
    choices ``costs`` (blocks x choices); with ``choices`` (pick, back), each state's
    choice and the state before it too."""
    states = np.arange(cells + 1)
    # least of the states from j on: those a step of cells + 1 - j or more caps
    tail = np.minimum.accumulate(best[:, ::-1], axis=1)[:, ::-1]
    if choices is not None:
        pick, back = choices
        tail_at = _tail_at(best, tail)
    for k, step in enumerate(reach):
        cost = costs[:, k][:, None]
        if not np.isfinite(cost).any():
            continue
        step = int(step)
        if step == 0:
            if choices is not None:
                better = best + cost < nxt
                pick[better], back[better] = k, np.broadcast_to(states, better.shape)[better]
            np.minimum(nxt, best + cost, out=nxt)
            continue
        keep = cells + 1 - step  # states that stay below the cap
        if keep > 0:
            if choices is not None:
                better = best[:, :keep] + cost < nxt[:, step:]
                pick[:, step:][better] = k
                back[:, step:][better] = np.broadcast_to(states[:keep], better.shape)[better]
            np.minimum(nxt[:, step:], best[:, :keep] + cost, out=nxt[:, step:])
        over = tail[:, max(keep, 0)]
        if choices is not None:
            better = over + cost[:, 0] < nxt[:, cells]
            pick[better, cells], back[better, cells] = k, tail_at[better, max(keep, 0)]
        nxt[:, cells] = np.minimum(nxt[:, cells], over + cost[:, 0])


class _Table:
    """Exact staffing of one call type (and staffing model) on a grid of loads, read
    below or above a load (monotone: a bound either way)."""

    def __init__(self, call_type, whole: bool, occupancy: float, top: float, points: int):
        self.call_type, self.whole, self.occupancy = call_type, whole, occupancy
        self.step = max(top, 1e-6) * (1 + 1e-6) / points
        loads = np.arange(points + 2) * self.step
        self.agents = np.maximum.accumulate(self.exact(loads))
        if not np.allclose(self.agents, self.exact(loads), rtol=0, atol=1e-9):
            raise ValueError(f"staffing of {call_type.id} falls with the load")
        self.first = first_agent(call_type, whole)

    def exact(self, loads: np.ndarray) -> np.ndarray:
        frame = pd.DataFrame({"call_type": self.call_type.id, "handle_hours": loads})
        staffed = exact_staffing(
            frame, {self.call_type.id: self.call_type}, self.occupancy, self.whole
        )
        return staffed["agents"].to_numpy(dtype=float)

    def below(self, loads: np.ndarray) -> np.ndarray:
        at = np.floor(loads / self.step * (1 - _GRID)).astype(np.int64)
        found = self.agents[np.clip(at, 0, len(self.agents) - 1)]
        return np.where(loads > 0, np.maximum(found, self.first), 0.0)

    def beyond(self, seats: float) -> float:
        """A load no queue within ``seats`` agents reaches: the first grid load whose
        agents exceed them (inf past the table)."""
        at = int(np.searchsorted(self.agents, seats * (1 + _GRID), side="right"))
        return float(at * self.step) if at < len(self.agents) else np.inf

    def above(self, loads: np.ndarray) -> np.ndarray:
        at = np.ceil(loads / self.step * (1 + _GRID)).astype(np.int64)
        if (at >= len(self.agents)).any():
            raise ValueError("a load above the staffing table")
        return self.agents[at]


@dataclasses.dataclass(frozen=True)
class _Grid:
    """The staffing of rows on the pieces of their cells, read from a table (what
    :func:`_staffing_cells` weighs by the multipliers' coefficients): per piece the
    agents at its lower end (at least ``m_0``) and at its upper end, at share 1 a
    relative :math:`10^{-9}` below and above, for the sizing week and the year."""

    week: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    year: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _staffing_grid(
    table: _Table,
    traffic: np.ndarray,
    months: tuple[np.ndarray, np.ndarray],
    cells: int,
    refine: int = 1,
) -> _Grid:
    """The :class:`_Grid` of rows of loads ``traffic`` at share 1."""
    ratios, weeks = months
    fine = cells * refine
    lo = np.arange(fine) / fine  # left ends of the pieces
    hi = np.arange(1, fine + 1) / fine
    parts = []
    for yearly in (False, True):
        scales = (ratios, weeks) if yearly else (np.ones(1), np.ones(1))
        low = np.zeros((len(traffic), fine))
        high = np.zeros((len(traffic), fine))
        full_low = np.zeros(len(traffic))
        full_high = np.zeros(len(traffic))
        for ratio, week in zip(*scales, strict=True):
            if ratio <= 0:
                continue
            found = table.below(traffic[:, None] * lo[None, :] * ratio)
            found[:, 0] = table.first  # the load is above 0: at least m_0
            low += week * found
            high += week * table.above(traffic[:, None] * hi[None, :] * ratio)
            full_low += week * table.exact(traffic * ratio * (1 - _EDGE))
            full_high += week * table.exact(traffic * ratio * (1 + _EDGE))
        parts.append((low, high, full_low, full_high))
    return _Grid(week=parts[0], year=parts[1])


def _staffing_cells(
    grid: _Grid,
    alpha_week: np.ndarray,
    alpha_year: np.ndarray,
    cells: int,
    slope: np.ndarray | None = None,
    refine: int = 1,
    linear: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """``g x + α^W W + α^Y Y`` bounded below on each cell of each row of ``grid`` (shape
    (rows, cells+2): ``{0}``, the ``cells`` intervals, ``{1}``), ``g`` the ``slope``
    (none: 0). Each interval is cut in ``refine`` pieces, each bounded on its own (the
    linear part at its lower end, each staffing term at the end its sign asks for), and
    the interval's bound is their least."""
    rows = len(grid.week[2])
    fine = cells * refine
    lo = np.arange(fine) / fine
    hi = np.arange(1, fine + 1) / fine
    pieces = np.zeros((rows, fine))
    full = np.zeros(rows)
    for alpha, (low, high, full_low, full_high) in (
        (alpha_week, grid.week),
        (alpha_year, grid.year),
    ):
        if not np.any(alpha):
            continue
        positive = (alpha >= 0)[:, None]
        pieces += alpha[:, None] * np.where(positive, low, high)
        full += alpha * np.where(alpha >= 0, full_low, full_high)
    if slope is not None:
        pieces += np.minimum(slope[:, None] * lo[None, :], slope[:, None] * hi[None, :])
        full += slope
    if linear is not None:  # per piece, already bounded: added as given
        pieces += linear[0]
        full += linear[1]
    out = np.zeros((rows, cells + 2))
    out[:, 1:-1] = pieces.reshape(rows, cells, refine).min(axis=2)
    out[:, -1] = full
    return out


def _linear_cells(slope: np.ndarray, cells: int) -> np.ndarray:
    """``g x`` bounded below on each cell (``{0}``, intervals, ``{1}``)."""
    lo = np.arange(cells) / cells
    hi = np.arange(1, cells + 1) / cells
    out = np.zeros((len(slope), cells + 2))
    out[:, 1:-1] = np.minimum(slope[:, None] * lo, slope[:, None] * hi)
    out[:, -1] = slope
    return out


def _within_bounds(lower: np.ndarray, upper: np.ndarray, cells: int) -> np.ndarray:
    """Which cells each share column's bounds allow (shape (rows, cells+2)): ``{0}``
    when the lower bound is 0, ``(p, q]`` when some share above ``p`` and at most
    ``q`` is within the bounds, ``{1}`` when the upper bound is 1."""
    lo = np.arange(cells) / cells
    hi = np.arange(1, cells + 1) / cells
    ok = np.zeros((len(lower), cells + 2), dtype=bool)
    ok[:, 0] = lower <= 0.0
    ok[:, 1:-1] = (lo[None, :] < upper[:, None]) & (hi[None, :] >= lower[:, None])
    ok[:, -1] = upper >= 1.0
    return ok


def _families(blocks: list, count: int) -> np.ndarray:
    names = np.empty(count, dtype=object)
    starts = [b.start for b in blocks] + [count]
    for block, start, end in zip(blocks, starts[:-1], starts[1:], strict=True):
        names[start:end] = block.family
    return names


@dataclasses.dataclass(frozen=True)
class Evaluation:
    r"""``L(μ)`` at one multiplier vector, and what the blocks' minimizers lift to.

    Attributes
    ----------
    value : float
        ``L(μ)``, a lower bound on every plan's cost [currency/yr].
    lift : array or None
        ``z*``, a value per column of the relaxation: each block's (approximate)
        minimizer's shares, their ``e`` and ``y`` staffed from the tables, every other
        column at the bound its reduced cost picks (the LP's value where that cost is
        0); None when not asked for.
    parts : dict
        ``value`` by part [currency/yr]: ``rows`` (:math:`\mu^\top b` and the
        objective's constant), ``outside`` (the columns outside the blocks), ``units``
        (the demand units kept whole) and ``pooled`` (the call types' hours with a
        language pool).
    pooled_shares : array or None
        The shares of the pooled hours' MILPs' best points
        (:func:`~bestshore.model.pooled_hours.pooled_hour_bounds`: a value per share
        row, NaN outside them); None when they were not solved.
    """

    value: float
    lift: np.ndarray | None = None
    parts: dict[str, float] = dataclasses.field(default_factory=dict)
    pooled_shares: np.ndarray | None = None


def prepare_dual(
    model: SourcingModel,
    *,
    time_limit: float | None = None,
    fixed: np.ndarray | None = None,
) -> LagrangianDual | None:
    """The parts of the Lagrangian bound of a built relaxation that do not depend on
    the multipliers (:class:`LagrangianDual`), its starting multipliers the row duals
    of the relaxation's LP, its integer columns held at ``fixed`` (a value per column,
    NaN where free: the relaxation's on/off decisions, as
    :func:`~bestshore.model.plan.plan_sourcing` holds them), else relaxed. None when no
    bound is proven so (rostered sites, Erlang A or within-hour peaks, an LP that does
    not solve to optimality)."""
    inputs = model.inputs
    if rostered_sites(inputs):
        return None
    for kind in inputs.scenario.call_types:
        goal = queue_goal(kind)
        if kind.service_level is not None and (goal.patience is not None or goal.peak != 1.0):
            return None  # Erlang A, within-hour peaks: staffed one load at a time, slow
    arrays = model.program.arrays()
    lower, upper = arrays.col_lower, arrays.col_upper
    if fixed is not None:
        held = ~np.isnan(fixed) & arrays.integer
        lower, upper = lower.copy(), upper.copy()
        lower[held] = upper[held] = fixed[held]
    relaxed = dataclasses.replace(
        arrays,
        integer=np.zeros(arrays.num_col, dtype=bool),
        col_lower=lower,
        col_upper=upper,
    )
    solution, _ = solve_with_highs(relaxed, time_limit=time_limit)
    if solution.status != "optimal" or solution.duals is None or solution.values is None:
        return None
    return LagrangianDual(model, solution.duals, solution.values)


class LagrangianDual:
    r"""The Lagrangian bound as a function of its multipliers, :meth:`evaluate`.

    Everything that does not depend on :math:`\mu` is computed once here: the rows'
    split (kept, dropped, dualized), the blocks, the staffing tables and their reading
    on the cells, the seat caps, the concave minorants and the vertices of the
    language pools' hours. ``start`` is the multipliers the LP's duals give (their
    signs made right), ``values`` the LP's column values.
    """

    def __init__(self, model: SourcingModel, duals: np.ndarray, values: np.ndarray):
        inputs = model.inputs
        program = model.program
        self.arrays = arrays = program.arrays()
        self.values = values
        self.matrix = sp.csr_matrix(
            (arrays.a_value, arrays.a_index, arrays.a_start),
            shape=(arrays.num_row, arrays.num_col),
        )
        v = model.variables
        self.env = env = v.envelopes
        rows = v.assignments
        self.n = n = len(rows)
        row_family = _families(program._row_blocks, arrays.num_row)
        col_family = _families(program._col_blocks, arrays.num_col)
        scenario = inputs.scenario
        occupancy = scenario.settings.occupancy
        call_types = {c.id: c for c in scenario.call_types}
        self.months = months = month_weights(inputs)

        # which rows carry an envelope, and which are in a language pool
        position = np.full(n, -1, dtype=np.int64)
        if env is not None and len(env.rows):
            position[env.rows] = np.arange(len(env.rows))
        self.enveloped = enveloped = position >= 0
        self.pool_of = pool_of = np.full(n, -1, dtype=np.int64)
        if env is not None:
            for p, members in enumerate(env.pools):
                pool_of[env.rows[members]] = p
        self.unit = rows.groupby(["call_type", "language", "hour"], sort=False).ngroup().to_numpy()
        self.group = group = rows.groupby(["call_type", "hour"], sort=False).ngroup().to_numpy()
        self.pooled_group = pooled_group = np.zeros(group.max() + 1 if n else 0, dtype=bool)
        pooled_group[group[pool_of >= 0]] = True
        in_pooled = pooled_group[group] if n else np.zeros(0, dtype=bool)

        # rows: demand rows of pooled groups are dualized, the others kept
        dualized = ~np.isin(row_family, list(DROPPED_FAMILIES | {"demand"}))
        demand_rows = program.row_keys("demand")
        pooled_units = set(
            zip(
                rows["call_type"][in_pooled],
                rows["language"][in_pooled],
                rows["hour"][in_pooled],
                strict=True,
            )
        )
        for unit_key in pooled_units:
            dualized[demand_rows[unit_key]] = True
        self.dualized = dualized
        self.start = self.project(duals)
        # each demand unit's price: the LP's dual of its demand row (0 where none)
        self.unit_price = np.zeros(self.unit.max() + 1 if n else 0)
        lead = rows.groupby(self.unit, sort=True)[["call_type", "language", "hour"]].first()
        for u, key in zip(lead.index, lead.itertuples(index=False, name=None), strict=True):
            if key in demand_rows:
                self.unit_price[u] = duals[demand_rows[key]]
        self.outside = ~np.isin(col_family, _BLOCK_COLUMNS)

        # each row's cost without its staffing, and its columns
        self.share = v.share
        self.traffic = traffic = (rows["handle_hours"] * rows["repeat_factor"]).to_numpy(
            dtype=float
        )
        self.price = price = (rows["rate_per_hour"] * rows["premium"] * rows["incentive"]).to_numpy(
            dtype=float
        )
        self.extra = v.extra if len(v.extra) else np.full(n, -1)
        self.year = v.year if len(v.year) else np.full(n, -1)
        self.agent_hours = v.agent_hours
        self.staff_on_share = np.zeros(n)
        if env is not None and len(env.rows):
            planning = enveloped & (self.year < 0)
            self.staff_on_share[planning] = (price * env.year_factor * traffic)[planning]
        self.whole = whole = np.zeros(n, dtype=bool)
        if env is not None and len(env.rows):
            whole[env.rows] = env.whole

        # staffing tables per (call type, staffing model), up to the busiest load asked
        tops: dict[tuple[str, bool], float] = {}
        self.kinds = kinds = rows["call_type"].to_numpy()
        self.pool_traffic = pool_traffic = (
            np.array([traffic[env.rows[m]].sum() for m in env.pools])
            if env is not None
            else np.zeros(0)
        )
        for r in np.flatnonzero(enveloped):
            key = (kinds[r], bool(whole[r]))
            load = pool_traffic[pool_of[r]] if pool_of[r] >= 0 else traffic[r]
            top = load * max(1.0, float(months[kinds[r]][0].max()))
            tops[key] = max(tops.get(key, 0.0), top)
        self.tables = tables = {
            key: _Table(call_types[key[0]], key[1], occupancy, top * 1.01, TABLE_POINTS)
            for key, top in tops.items()
        }

        # a queue at a site of M seats has at most M agents: its load stays below the
        # first load that needs more (every plan within the seats)
        self.lower_bound = arrays.col_lower[self.share]
        seats = rows["site"].map(inputs.sites["max_agents"]).to_numpy(dtype=float)
        self.most = most = np.full(n, np.inf)
        for r in np.flatnonzero(enveloped & np.isfinite(seats)):
            load = pool_traffic[pool_of[r]] if pool_of[r] >= 0 else traffic[r]
            if load > 0:
                most[r] = tables[(kinds[r], bool(whole[r]))].beyond(seats[r]) / load
        # a share below it: cells starting below
        self.upper_bound = np.minimum(arrays.col_upper[self.share], most)
        self.single = single = pool_of < 0
        self.kept = single & ~in_pooled
        self.alone = np.flatnonzero(single & in_pooled)
        self._grids: dict[tuple[str, int, int], list[tuple[np.ndarray, _Grid]]] = {}

        # the language pools' hours as blocks: their vertices and staffing under ψ, and
        # each as a MILP on its exact staffing (:mod:`bestshore.model.pooled_hours`)
        self.items: list[np.ndarray] = []
        self.vertices: list[_Vertices] = []
        self.hours: list[PooledHour] = []
        if env is not None and env.pools:
            self.items = [env.rows[m] for m in env.pools] + [np.array([r]) for r in self.alone]
            minorants = {}
            corners = {}  # each table's whole-agent corners L(n), past its busiest pool
            for key, table in tables.items():
                loads = [traffic[r].sum() for r in self.items if (kinds[r[0]], whole[r[0]]) == key]
                busiest = max(loads, default=0.0) * max(1.0, float(months[key[0]][0].max()))
                if busiest > 0:
                    kind = call_types[key[0]]
                    dip = 0.0 if key[1] else corner_slack(kind, occupancy)
                    corners[key] = limits_to(kind, occupancy, 1.5 * busiest + 1.0)
                    minorants[key] = concave_minorant(table, corners[key], dip, busiest)
            self.vertices = _vertex_blocks(
                self.items, group, self.unit, traffic, arrays.col_lower[self.share],
                arrays.col_upper[self.share], enveloped, minorants, kinds, whole, months,
            )  # fmt: skip
            if scenario.settings.pooled_hours_milp:
                self.hours = self._pooled_hours(corners)

    def _pooled_hours(self, corners: dict[tuple[str, bool], np.ndarray]) -> list[PooledHour]:
        """The MILPs of the call types' hours with a language pool whose queues are
        each wholly staffed or wholly linear (:func:`~bestshore.model.pooled_hours.
        pooled_hours`): a queue's most load is its full load within its seats, its load
        range cut at its table's ``corners``."""
        lead = np.array([r[0] for r in self.items])
        staffed = np.array([bool(self.enveloped[r].all()) for r in self.items])
        linear = np.array([not self.enveloped[r].any() for r in self.items])
        owner = self.group[lead]
        groups = []
        for g in np.flatnonzero(self.pooled_group):
            members = np.flatnonzero(owner == g)
            if np.any(~staffed[members] & ~linear[members]) or not staffed[members].any():
                continue
            queues = []
            for i in members[staffed[members]]:
                rows = self.items[i]
                key = (str(self.kinds[rows[0]]), bool(self.whole[rows[0]]))
                table = self.tables[key]
                ratios, weeks = self.months[key[0]]
                scales = [
                    (ratio, week) for ratio, week in zip(ratios, weeks, strict=True) if ratio > 0
                ]
                full = float(self.traffic[rows].sum())
                room = self.most[rows[0]] if len(rows) > 1 else self.upper_bound[rows[0]]
                queues.append(
                    Queue(
                        rows=rows,
                        cap=full * min(1.0, float(room)),
                        week=table.below,
                        year=functools.partial(_yearly, table.below, scales),
                        week_first=table.first,
                        year_first=table.first * sum(week for _, week in scales),
                        corners=corners[key],
                        week_above=table.above,
                        year_above=functools.partial(_yearly, table.above, scales),
                    )
                )
            rows = np.concatenate([self.items[i] for i in members])
            groups.append((int(g), np.sort(rows), queues))
        upper = np.minimum(self.arrays.col_upper[self.share], 1.0)
        return pooled_hours(groups, self.unit, self.traffic, self.lower_bound, upper)

    def project(self, mu: np.ndarray) -> np.ndarray:
        """``μ`` with the signs each row allows: 0 off the dualized rows, and where the
        side its sign asks for is infinite."""
        lower, upper = self.arrays.row_lower, self.arrays.row_upper
        mu = np.where(self.dualized, mu, 0.0)
        mu = np.where((mu > 0) & ~np.isfinite(lower), 0.0, mu)
        return np.where((mu < 0) & ~np.isfinite(upper), 0.0, mu)

    def subgradient(self, mu: np.ndarray, lift: np.ndarray) -> np.ndarray:
        """``b - A_D z*`` on the dualized rows at ``mu`` (0 elsewhere): the side each
        multiplier's sign takes; a multiplier at 0 moves toward the side ``z*``
        breaks, if any."""
        lower, upper = self.arrays.row_lower, self.arrays.row_upper
        level = self.matrix @ lift
        below = np.where(np.isfinite(lower), lower - level, 0.0)
        above = np.where(np.isfinite(upper), upper - level, 0.0)
        step = np.where(mu > 0, below, np.where(mu < 0, above, 0.0))
        zero = mu == 0
        step[zero] = np.maximum(below[zero], 0.0) + np.minimum(above[zero], 0.0)
        return np.where(self.dualized, step, 0.0)

    def coefficients(self, pi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r"""Each row's linear slope ``g`` and staffing coefficients ``α^W``, ``α^Y`` at
        the column prices ``pi`` (:math:`A_D^\top \mu`): its Lagrangian cost is
        ``g x + α^W W + α^Y Y`` (module docstring)."""
        cost, share, extra, year = self.arrays.cost, self.share, self.extra, self.year
        pi_e = np.where(extra >= 0, pi[np.maximum(extra, 0)], 0.0)
        pi_y = np.where(year >= 0, pi[np.maximum(year, 0)], 0.0)
        slope = cost[share] - self.staff_on_share - pi[share] + pi_e * self.agent_hours
        slope = np.where(self.enveloped, slope, cost[share] - pi[share])
        return slope, -pi_e, self.price - pi_y

    def _row_grids(
        self, name: str, at: np.ndarray, cells: int, refine: int
    ) -> list[tuple[np.ndarray, _Grid]]:
        """The staffing grids of the rows ``at`` per table, kept under ``name``."""
        key = (name, cells, refine)
        if key in self._grids:
            return self._grids[key]
        found = []
        for table_key, table in self.tables.items():
            of = np.flatnonzero(
                self.enveloped[at]
                & (self.kinds[at] == table_key[0])
                & (self.whole[at] == table_key[1])
            )
            if len(of):
                grid = _staffing_grid(
                    table, self.traffic[at[of]], self.months[table_key[0]], cells, refine
                )
                found.append((of, grid))
        if name:
            self._grids[key] = found
        return found

    def evaluate(
        self,
        mu: np.ndarray,
        *,
        cells: int = CELLS,
        refine: int = REFINE,
        fine_cells: int = FINE_CELLS,
        lift: bool = False,
        exact_pools: bool = True,
    ) -> Evaluation | None:
        """``L(μ)`` (module docstring) and, with ``lift``, the lift of its blocks'
        minimizers; None when an unbounded column has a reduced cost of the wrong sign
        (no bound). ``mu`` is projected first (:meth:`project`). ``exact_pools``: the
        pooled hours' MILPs too (:mod:`~bestshore.model.pooled_hours`; the multiplier
        steps leave them out, a step then costs what it did)."""
        arrays = self.arrays
        mu = self.project(mu)
        pooled_shares = None
        n, unit, group, traffic = self.n, self.unit, self.group, self.traffic
        kept = self.kept
        lower, upper = arrays.row_lower, arrays.row_upper
        side = np.where(mu > 0, lower, upper)
        constant = float(np.sum(mu[mu != 0] * side[mu != 0]))
        pi = np.asarray(self.matrix.T @ mu).ravel()
        cost = arrays.cost
        reduced = cost - pi

        # columns outside the blocks: by their bounds
        outside = self.outside
        rc = reduced[outside]
        lo, up = arrays.col_lower[outside], arrays.col_upper[outside]
        take = np.where(rc > 0, lo, np.where(rc < 0, up, 0.0))
        if not np.all(np.isfinite(take)):
            return None
        total = constant + float(np.sum(rc * np.where(rc != 0, take, 0.0)))
        parts = {"rows": constant + float(arrays.offset), "outside": total - constant}

        slope, alpha_week, alpha_year = self.coefficients(pi)

        # each demand unit kept whole pays its cheapest slope on the share it covers, 1:
        # its rows' slopes less it (λ of the module docstring) rise with the share
        least = np.full(unit.max() + 1 if n else 0, np.inf)
        np.minimum.at(least, unit[kept], slope[kept])
        lifted = np.where(kept, least[unit] if n else 0.0, 0.0)
        slope = slope - lifted
        total += float(np.sum(least[np.isfinite(least)]))
        parts["units"] = float(np.sum(least[np.isfinite(least)]))
        parts["pooled"] = 0.0
        shares = np.zeros(n) if lift else None

        def row_cells(
            at: np.ndarray,
            cells: int,
            name: str,
            pieces: int = refine,
            off: float | np.ndarray = 0.0,
            grids: list[tuple[np.ndarray, _Grid]] | None = None,
        ) -> np.ndarray:
            """Cell bounds of the rows at ``at`` (rows outside pools), shape
            (len, cells+2), each cut in ``pieces``, their slopes less ``off``; the grids
            of ``name`` kept (none: not kept), or ``grids`` given."""
            g = slope[at] - off
            found = _linear_cells(g, cells)
            if grids is None:
                grids = self._row_grids(name, at, cells, pieces)
            for of, grid in grids:
                r = at[of]
                found[of] = _staffing_cells(
                    grid, alpha_week[r], alpha_year[r], cells, g[of], pieces
                )
            found[~_within_bounds(self.lower_bound[at], self.upper_bound[at], cells)] = np.inf
            found[:, 0] = np.where(self.lower_bound[at] <= 0, 0.0, np.inf)
            return found

        # call types and hours with a language pool: each pool, and each row at a site
        # that does not pool, bounded on its own (their demand rows dualized); and each
        # group as one block keeping its demand rows, its staffing under a concave
        # minorant, at its vertices: each group keeps the higher of its two bounds
        env = self.env
        if env is not None and env.pools:
            alone = self.alone
            sites = np.zeros(self.pooled_group.size)
            if len(alone):
                found = row_cells(alone, cells, "alone")
                np.add.at(sites, group[alone], np.min(found, axis=1))
                if shares is not None:
                    shares[alone] = _cell_shares(np.argmin(found, axis=1), cells)
            pools, filled = _pools(
                env, self.most, slope, alpha_week, alpha_year, traffic, cells, refine,
                self._pool_grids(cells, refine), lift,
            )  # fmt: skip
            np.add.at(sites, group[env.rows[[m[0] for m in env.pools]]], pools)
            if shares is not None:
                for members, x in zip(env.pools, filled, strict=True):
                    shares[env.rows[members]] = x
            vertex, picks = _vertex_least(
                self.vertices, sites.size, slope, alpha_week, alpha_year, self.items
            )
            best = np.maximum(sites, vertex)
            if exact_pools and self.hours:
                milp, pooled_shares = pooled_hour_bounds(
                    self.hours, sites.size, slope, alpha_week, alpha_year
                )
                best = np.maximum(best, milp)
            total += float(np.sum(best[self.pooled_group]))
            parts["pooled"] = float(np.sum(best[self.pooled_group]))
            if shares is not None:
                for g, (rows_of, picked) in picks.items():
                    if vertex[g] >= sites[g]:
                        shares[rows_of] = 0.0
                        shares[picked] = 1.0

        # demand units of the other groups: the min-plus program over their sites; the
        # units it finds split (under the cheapest site taking them whole) again on finer
        # cells, each unit keeping the higher of its two bounds
        at = np.flatnonzero(kept)
        if len(at):
            # the programs' work grows as rows x cells²: scenarios with many sites per
            # unit get fewer cells (a coarser bound, as valid)
            cells = max(16, min(cells, int(np.sqrt(WORK / len(at)))))
            costs = row_cells(at, cells, "kept")
            units, found, choice = _units(costs, unit[at], cells, argmin=lift)
            if shares is not None and choice is not None:
                shares[at] = _unit_shares(choice, unit[at], cells)
            whole_site = np.full(len(units), np.inf)
            np.minimum.at(whole_site, np.searchsorted(units, unit[at]), costs[:, -1])
            margin = 1e-9 * np.abs(np.where(np.isfinite(whole_site), whole_site, 0.0))
            split = units[found < whole_site - margin]
            again = at[np.isin(unit[at], split)]
            if len(again):
                fine_cells = min(fine_cells, int(np.sqrt(WORK / len(again))))
            if fine_cells > cells and len(again):
                # the finer cells' grids, each cell cut in pieces, read once for both
                grids = self._row_grids("", again, fine_cells, PRICED_REFINE)
                finer_costs = row_cells(again, fine_cells, "", PRICED_REFINE, grids=grids)
                finer, better, _ = _units(finer_costs, unit[again], fine_cells)
                where = np.searchsorted(units, finer)
                found[where] = np.maximum(found[where], better)
                # and with each unit's price off its rows' slopes, held to Σ x = 1 from
                # both sides (:func:`_two_sided`)
                off = self.unit_price[unit[again]] - least[unit[again]]
                priced_costs = row_cells(again, fine_cells, "", PRICED_REFINE, off, grids)
                priced, lowest = _two_sided(priced_costs, unit[again], fine_cells)
                offset = self.unit_price[priced] - least[priced]
                where = np.searchsorted(units, priced)
                found[where] = np.maximum(found[where], lowest + offset)
            total += float(np.sum(found))
            parts["units"] += float(np.sum(found))
        value = total + float(arrays.offset)
        if shares is None:
            return Evaluation(value, parts=parts, pooled_shares=pooled_shares)
        return Evaluation(value, self._lift(shares, reduced), parts, pooled_shares)

    def _pool_grids(self, cells: int, refine: int) -> list[tuple[np.ndarray, _Grid]]:
        """Per table, the pools it staffs and their grids on their summed loads."""
        key = ("pools", cells, refine)
        if key not in self._grids:
            env = self.env
            assert env is not None
            found = []
            members = [env.rows[m] for m in env.pools]
            keys = [(str(self.kinds[r[0]]), bool(self.whole[r[0]])) for r in members]
            for table_key in sorted(set(keys)):
                at = np.array(
                    [i for i, k in enumerate(keys) if k == table_key and self.pool_traffic[i] > 0],
                    dtype=int,
                )
                if len(at):
                    grid = _staffing_grid(
                        self.tables[table_key], self.pool_traffic[at],
                        self.months[table_key[0]], cells, refine,
                    )  # fmt: skip
                    found.append((at, grid))
            self._grids[key] = found
        return self._grids[key]

    def _lift(self, shares: np.ndarray, reduced: np.ndarray) -> np.ndarray:
        """``z*`` of the blocks' shares (:class:`Evaluation`)."""
        arrays = self.arrays
        lift = np.clip(self.values, arrays.col_lower, arrays.col_upper)
        outside = self.outside
        lift[outside & (reduced > 0)] = arrays.col_lower[outside & (reduced > 0)]
        lift[outside & (reduced < 0)] = arrays.col_upper[outside & (reduced < 0)]
        lift[self.share] = shares
        self.lift_staffing(lift, shares, *self.queue_staffing(shares))
        return np.clip(lift, arrays.col_lower, arrays.col_upper)

    def queue_staffing(
        self, shares: np.ndarray, exact: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """At ``shares``: each row's part of its queue (1, or its load's part of its
        pool's), and its queue's agents in the sizing week and agent-weeks a year, read
        below on the tables, or ``exact`` (staffed as the plan is, 0 at no load)."""
        load = self.traffic * shares
        carried = np.ones(self.n)
        pooled = self.pool_of >= 0
        sums = np.zeros(len(self.pool_traffic))
        np.add.at(sums, self.pool_of[pooled], load[pooled])
        queue = sums[self.pool_of[pooled]]
        carried[pooled] = np.divide(
            load[pooled], queue, out=np.zeros(int(pooled.sum())), where=queue > 0
        )
        load[pooled] = queue

        def staffed(table: _Table, loads: np.ndarray) -> np.ndarray:
            if not exact:
                return table.below(loads)
            return np.where(loads > 0, table.exact(loads), 0.0)

        week = np.zeros(self.n)
        yearly = np.zeros(self.n)
        for (kind, whole), table in self.tables.items():
            at = np.flatnonzero(self.enveloped & (self.kinds == kind) & (self.whole == whole))
            week[at] = staffed(table, load[at])
            for ratio, weeks in zip(*self.months[kind], strict=True):
                if ratio > 0:
                    yearly[at] += weeks * staffed(table, ratio * load[at])
        return carried, week, yearly

    def lift_staffing(
        self,
        lift: np.ndarray,
        shares: np.ndarray,
        carried: np.ndarray,
        week: np.ndarray,
        yearly: np.ndarray,
    ) -> None:
        """Write into ``lift`` each staffed row's ``e`` (its part of its queue's week
        beyond the first facet) and ``y`` (its part of the year), from
        :meth:`queue_staffing`."""
        has_extra = self.enveloped & (self.extra >= 0)
        e = carried * week - self.agent_hours * shares
        lift[self.extra[has_extra]] = e[has_extra]
        has_year = self.enveloped & (self.year >= 0)
        lift[self.year[has_year]] = (carried * yearly)[has_year]


def _yearly(
    read: Callable[[np.ndarray], np.ndarray],
    scales: list[tuple[float, float]],
    loads: np.ndarray,
) -> np.ndarray:
    """A queue's agent-weeks a year at ``loads`` of the sizing week, each month's
    staffing ``read`` on a table (:meth:`_Table.below` or :meth:`_Table.above`) at its
    load (``scales``: each month's load ratio and weeks)."""
    found = np.zeros(np.shape(loads))
    for ratio, weeks in scales:
        found += weeks * read(ratio * loads)
    return found


def _cell_shares(choice: np.ndarray, cells: int) -> np.ndarray:
    """A share in each chosen cell (index into ``{0}``, the intervals, ``{1}``): its
    upper end, ``(K-1)/K`` for ``((K-1)/K, 1)``."""
    return np.minimum(choice, cells - 1 + (choice == cells + 1)) / cells


def _unit_shares(choice: np.ndarray, unit: np.ndarray, cells: int) -> np.ndarray:
    """Shares of the rows from their cells chosen by the cell program, scaled to sum
    to 1 in each demand unit (``unit``: each row's)."""
    found = _cell_shares(np.maximum(choice, 0), cells)
    units, which = np.unique(unit, return_inverse=True)
    sums = np.bincount(which, weights=found, minlength=len(units))
    return np.divide(found, sums[which], out=np.zeros(len(found)), where=sums[which] > 0)


@dataclasses.dataclass(frozen=True)
class Steps:
    """What :func:`multiplier_steps` found.

    Attributes
    ----------
    value : float or None
        The best bound found [currency/yr]: the largest ``L(μ)`` evaluated, ``L`` at the
        best multipliers evaluated again on the full cells; None when none was.
    multipliers : array or None
        The multipliers of the best ``L`` on the steps' cells (a value per row).
    values : array
        ``L`` at the start and after each step, on the steps' cells [currency/yr];
        NaN where it proved none.
    """

    value: float | None
    multipliers: np.ndarray | None
    values: np.ndarray


def multiplier_steps(
    dual: LagrangianDual,
    steps: int,
    target: float,
    *,
    cells: int = STEP_CELLS,
    start: np.ndarray | None = None,
) -> Steps:
    r"""Projected subgradient steps on the multipliers from the LP's duals.

    Each step evaluates ``L(μ)`` on ``cells`` cells (coarser than the bound's, as valid,
    faster) with the lift ``z*`` of its blocks' minimizers, takes the subgradient
    :math:`s = b - A_D z^*` (:meth:`LagrangianDual.subgradient`) and moves by Polyak's
    step toward ``target`` (an upper bound on the best ``L``, a plan's cost):
    :math:`\mu \leftarrow \mathrm{proj}(\mu + \theta (\text{target} - L(\mu)) s /
    \lVert s \rVert^2)`, the projection giving each multiplier the sign its row
    allows. :math:`\theta` starts at :data:`STEP_SIZE` and halves after
    :data:`STEP_PATIENCE` steps without a better ``L``, the multipliers then back at the
    best; a step to multipliers that prove no bound (an unbounded column's reduced
    cost of the wrong sign) goes back the same way. ``steps`` is fixed: the result
    depends on the terms alone. The minimizers are approximate (cells' ends, shares
    scaled to sum to 1): they only choose which multipliers are tried, every ``L``
    itself is a bound. ``start``: the first multipliers (default the LP's duals,
    ``dual.start``), projected. ``value`` is then the best of the steps' bounds and of
    ``L`` at the best multipliers on the full cells, evaluated only when a step found
    better ones than ``start``: the caller keeps the larger of it and its own bound at
    ``start``.
    """
    mu = dual.project(dual.start if start is None else start)
    first = mu
    at = dual.evaluate(mu, cells=cells, fine_cells=0, lift=True, exact_pools=False)
    values = np.full(steps + 1, np.nan)
    if at is None:
        return Steps(None, None, values)
    values[0] = at.value
    best, best_mu = at.value, mu
    theta, stalled = STEP_SIZE, 0
    for k in range(1, steps + 1):
        assert at.lift is not None
        direction = dual.subgradient(mu, at.lift)
        norm = float(direction @ direction)
        if norm <= 0.0 or target <= at.value:
            break  # z* meets every dualized row, or no room below the target
        mu = dual.project(mu + theta * (target - at.value) / norm * direction)
        found = dual.evaluate(mu, cells=cells, fine_cells=0, lift=True, exact_pools=False)
        if found is not None:
            values[k] = found.value
        if found is not None and found.value > best:
            best, best_mu, stalled = found.value, mu, 0
            at = found
            continue
        stalled += 1
        if found is None or stalled >= STEP_PATIENCE:
            theta, stalled = theta / 2, 0
            mu = best_mu
            found = dual.evaluate(mu, cells=cells, fine_cells=0, lift=True, exact_pools=False)
            assert found is not None
        at = found
    value = best
    if best_mu is not first:
        again = dual.evaluate(best_mu)
        if again is not None:
            value = max(value, again.value)
    return Steps(value, best_mu, values)


def lagrangian_bound(
    model: SourcingModel,
    *,
    cells: int = CELLS,
    refine: int = REFINE,
    time_limit: float | None = None,
    fixed: np.ndarray | None = None,
    fine_cells: int = FINE_CELLS,
    steps: int = 0,
    target: float | None = None,
) -> float | None:
    """The Lagrangian bound of a built relaxation [currency/yr], None when it proves
    none (rostered sites, an LP that does not solve to optimality, an unbounded column
    of the wrong reduced cost). See the module docstring.

    The multipliers are the row duals of the relaxation's LP: its integer columns held
    at ``fixed`` (:func:`prepare_dual`), else relaxed; with ``steps``, then that many
    subgradient steps toward ``target`` (:func:`multiplier_steps`; a plan's cost), the
    larger bound kept. Any multipliers of the right signs give a bound; every column
    keeps its own bounds in the bound's minimum. ``cells`` is ``K``, ``refine`` the
    pieces each cell is bounded on.
    """
    dual = prepare_dual(model, time_limit=time_limit, fixed=fixed)
    if dual is None:
        return None
    found = dual.evaluate(dual.start, cells=cells, refine=refine, fine_cells=fine_cells)
    if found is None:
        return None
    if steps <= 0:
        return found.value
    if target is None:
        raise ValueError("multiplier steps need a target: an upper bound, a plan's cost")
    stepped = multiplier_steps(dual, steps, target)
    if stepped.value is None:
        return found.value
    return max(found.value, stepped.value)


def _units(
    cell_costs: np.ndarray, unit: np.ndarray, cells: int, *, argmin: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The cell program's minimum of each demand unit (``unit``: each row's), from its
    rows' cell bounds: the units (sorted), their minima and, with ``argmin``, each
    row's cell in a choice reaching its unit's minimum."""
    # the last interval, (1 - 1/K, 1), leaves some share to another site: it reaches
    # K - 1 (any other cell but {0} reaches at least 1); {1} reaches K
    reach = np.concatenate([[0], np.arange(1, cells), [cells - 1, cells]])
    return _programs(cell_costs, unit, reach, cells, argmin=argmin)


def _two_sided(
    cell_costs: np.ndarray, unit: np.ndarray, cells: int
) -> tuple[np.ndarray, np.ndarray]:
    r"""Each demand unit's least (``unit``: each row's) over cell choices whose lower ends
    sum to at most 1 and reach, with one cell more per row, at least 1: the units
    (sorted) and their minima.

    A share in the interval ``((k-1)/K, k/K]`` has its lower end ``k - 1`` (in ``1/K``),
    ``{0}`` 0 and ``{1}`` ``K``; :math:`\sum_s x_s = 1` holds the lower ends' sum ``S``
    to ``K - n ≤ S ≤ K``, ``n`` the unit's rows (at least its intervals). Unlike
    :func:`cell_program` (whose cells' costs must rise with the share, the lower ends'
    side left out), this one holds with costs of any sign: a unit's price taken off its
    rows' slopes, each cell's bound then within the slope's difference over a piece."""
    low = np.concatenate([[0], np.arange(cells), [cells]])
    units, which, sizes, order, slot = _slots(unit)
    # all units in one program, each unit's rows in order, padded to the largest with
    # rows at {0} alone (on the demo as fast as a program per size of unit)
    grid = np.full((len(units), int(sizes.max(initial=0)), cells + 2), np.inf)
    grid[:, :, 0] = 0.0
    grid[which[order], slot] = cell_costs[order]
    best = np.full((len(units), cells + 1), np.inf)
    best[:, 0] = 0.0
    for s in range(grid.shape[1]):
        nxt = np.full_like(best, np.inf)
        for k in np.flatnonzero(np.isfinite(grid[:, s]).any(axis=0)):  # a choice some take
            start, cost = low[k], grid[:, s, k]
            np.minimum(
                nxt[:, start:], best[:, : cells + 1 - start] + cost[:, None], out=nxt[:, start:]
            )
        best = nxt
    allowed = np.arange(cells + 1)[None, :] >= (cells - sizes)[:, None]
    return units, np.where(allowed, best, np.inf).min(axis=1)


def _slots(unit: np.ndarray) -> tuple[np.ndarray, ...]:
    """The blocks (sorted) of items ``unit`` (each item's block), each item's block
    index, the blocks' sizes, the items in block order and each item's slot there."""
    units, which = np.unique(unit, return_inverse=True)
    sizes = np.bincount(which, minlength=len(units))
    order = np.argsort(which, kind="stable")
    slot = np.arange(len(unit)) - (np.cumsum(sizes) - sizes)[which[order]]
    return units, which, sizes, order, slot


def _programs(
    cell_costs: np.ndarray,
    unit: np.ndarray,
    reach: np.ndarray,
    cells: int,
    *,
    argmin: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """:func:`cell_program` of each block (``unit``: each item's), its items' cell
    bounds ``cell_costs`` (one column per entry of ``reach``): the blocks (sorted),
    their minima and, with ``argmin``, each item's choice in a minimum; the items of
    blocks of equal size programmed together."""
    units, which, sizes, order, slot = _slots(unit)
    ranked = which[order]
    minima = np.zeros(len(units))
    choices = np.full(len(unit), -1, dtype=np.int64) if argmin else None
    for size in np.unique(sizes):
        members = np.flatnonzero(sizes == size)
        local = np.full(len(units), -1)
        local[members] = np.arange(len(members))
        chosen = sizes[ranked] == size
        grid = np.full((len(members), int(size), len(reach)), np.inf)
        grid[local[ranked[chosen]], slot[chosen]] = cell_costs[order[chosen]]
        found, choice = _min_plus(grid, reach, cells, argmin)
        if not np.all(np.isfinite(found)):
            raise ValueError("a demand unit no choice of cells covers")
        minima[members] = found
        if choices is not None and choice is not None:
            choices[order[chosen]] = choice[local[ranked[chosen]], slot[chosen]]
    return units, minima, choices


def _pools(
    env: StaffingEnvelopes,
    most: np.ndarray,
    slope: np.ndarray,
    alpha_week: np.ndarray,
    alpha_year: np.ndarray,
    traffic: np.ndarray,
    cells: int,
    refine: int,
    grids: list[tuple[np.ndarray, _Grid]],
    argmin: bool = False,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each language pool's least cost on its load (module docstring), its staffing
    read on ``grids`` (per table: its pools, and their :class:`_Grid`); with
    ``argmin``, its rows' shares at a least (the cheapest rows carrying the load of
    its least cell), else an empty list."""
    fine = cells * refine
    lo = np.arange(fine) / fine
    hi = np.arange(1, fine + 1) / fine
    members = [env.rows[m] for m in env.pools]
    full = np.array([traffic[r].sum() for r in members])
    # h(A) on each piece of the pool's load: the cheapest linear cost of its rows
    # carrying A (a fractional knapsack, rows by cost per Erlang), convex: least at
    # the piece's point nearest its argmin
    linear = np.zeros((len(members), fine))
    whole_cost = np.zeros(len(members))
    carried = np.zeros(len(members))  # the unconstrained argmin of h [Erlangs]
    orders = []
    for i, r in enumerate(members):
        if full[i] <= 0:
            orders.append(np.arange(len(r)))
            continue
        rate = slope[r] / traffic[r]
        order = np.argsort(rate)
        orders.append(order)
        rates, width = rate[order], traffic[r][order]
        start = np.concatenate([[0.0], np.cumsum(width)[:-1]])
        best = float(start[np.searchsorted(rates, 0.0)]) if (rates >= 0).any() else full[i]
        carried[i] = best
        amount = np.clip(best, full[i] * lo, full[i] * hi)
        linear[i] = np.sum(rates * np.clip(amount[:, None] - start, 0.0, width), axis=1)
        whole_cost[i] = float(slope[r].sum())
    week = np.array([alpha_week[r].min() for r in members])
    year = np.array([alpha_year[r].min() for r in members])
    found = np.zeros((len(members), cells + 2))
    for at, grid in grids:
        found[at] = _staffing_cells(
            grid, week[at], year[at], cells, refine=refine, linear=(linear[at], whole_cost[at])
        )
    # the pool's load within its seats (``most``: a share of the pool's full load)
    cap = np.array([most[r[0]] for r in members])
    allowed = np.ones((len(members), cells + 2), dtype=bool)
    allowed[:, 1:-1] = (np.arange(cells) / cells)[None, :] < cap[:, None]
    allowed[:, -1] = cap > 1.0
    found[~allowed] = np.inf
    least = np.min(found, axis=1)
    for empty in np.flatnonzero(full <= 0):
        least[empty] = float(np.minimum(slope[members[int(empty)]], 0.0).sum())
    if not argmin:
        return least, []
    # the load of the least cell, the knapsack's argmin within it, the rows carrying it
    # cheapest first
    cell = np.argmin(found, axis=1)
    upper = np.where(cell == cells + 1, 1.0, cell / cells)
    lower = np.where(cell == cells + 1, 1.0, np.maximum(cell - 1, 0) / cells)
    load = np.clip(carried, full * lower, full * upper)
    filled = []
    for i, r in enumerate(members):
        if full[i] <= 0:
            filled.append((slope[r] < 0).astype(float))
            continue
        width = traffic[r][orders[i]]
        start = np.concatenate([[0.0], np.cumsum(width)[:-1]])
        x = np.zeros(len(r))
        x[orders[i]] = np.clip(load[i] - start, 0.0, width) / np.where(width > 0, width, 1.0)
        filled.append(x)
    return least, filled


def concave_minorant(
    table: _Table, limits: np.ndarray, dip: float, busiest: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """Vertices ``(load, agents)`` of a concave ``ψ`` with ``ψ ≤ N`` on ``[0, busiest]``
    (``N`` the table's exact staffing), None where there is none so built: ``ψ(0) = 0``
    and, above no load, the vertices read by interpolation, the first ``(0, c)``: a
    jump ``c ≥ 0`` at ``0+`` (a queue taking any load needs at least ``m_0`` agents),
    then the corners ``(L(n), n - δ)``, all times ``1 - ε``.

    Concave on ``[0, busiest]`` with its jump: for ``a > 0`` and ``t`` in ``[0, 1]``,
    ``ψ(t a) = c + φ(t a) ≥ t (c + φ(a))`` (``φ = ψ - c`` concave, ``φ(0) = 0``). On
    the steps past the first ``N ≥ P - δ`` (``P`` the line through the corners; whole
    agents: ``δ = 0``, exact), as the relaxation's envelopes take it; concave where
    ``L`` is convex (checked up to ``busiest``, else None). ``c`` is the largest that
    keeps the first slope at least the next one and the line from ``(0, c)`` to
    ``(L(1), 1 - δ)`` under ``N`` on the first step, checked on the table: ``N`` on
    ``(a_j, a_{j+1}]`` is at least its value at ``a_j`` (nondecreasing) and at least
    ``m_0`` on ``(0, a_1]``; ``ε`` is the largest relative excess of the line at
    ``a_{j+1}`` over it, in the cell that holds ``L(1)``.
    """
    top = int(np.searchsorted(limits, busiest, side="left"))
    if top + 1 >= len(limits) or limits[1] <= 0:
        return None
    loads = limits[: top + 2].astype(float)
    agents = np.arange(top + 2, dtype=float) - dip
    agents[0] = 0.0
    slopes = np.diff(agents) / np.diff(loads)
    if np.any(np.diff(slopes) > 1e-9 * slopes[:-1]):
        return None  # L not convex over the loads met: P not concave
    # the first step, (0, L(1)]: N on the table's cells there
    grid = np.arange(len(table.agents)) * table.step
    first = np.flatnonzero(grid[:-1] < loads[1])
    if len(first) == len(grid) - 1:
        return None  # the table ends inside the first step
    floor = table.agents[first].copy()
    floor[0] = max(floor[0], table.first)
    ends = np.minimum(grid[first + 1], loads[1])  # each cell's end, within the step
    rise = ends / loads[1]  # where each end lies along the first step [0, 1]
    corner = agents[1]  # 1 - δ
    # the jump: the first slope (corner - c) / L(1) at least the next one's, and the
    # line under the floors of the cells ending inside the step
    jump = corner - loads[1] * slopes[1] if len(slopes) > 1 else corner
    inside = rise < 1.0
    if inside.any():
        room = (floor[inside] - corner * rise[inside]) / (1.0 - rise[inside])
        jump = min(jump, float(room.min()))
    jump = max(jump, 0.0)
    line = jump + (corner - jump) * rise
    excess = np.max(np.where(line > floor, (line - floor) / line, 0.0))
    agents[0] = jump
    return loads, agents * (1.0 - min(float(excess), 1.0))


@dataclasses.dataclass(frozen=True)
class _Vertices:
    """A call type's hour with a language pool taken as one block (module docstring,
    "Language pools taken together"): its vertices and their staffing under ``ψ``.

    ``members`` are its items (pools, rows at sites that do not pool), ``linear`` which
    of them carry no staffing, ``rows`` its share rows, ``picks`` the row each demand
    unit takes at each vertex (shape (vertices, units)), ``week`` and ``year`` each
    item's ``ψ(A)`` and ``Σ_m w_m ψ(ρ_m A)`` at each vertex (shape (vertices,
    members); 0 for items without staffing)."""

    group: int
    members: np.ndarray
    linear: np.ndarray
    rows: np.ndarray
    picks: np.ndarray
    week: np.ndarray
    year: np.ndarray


def _vertex_blocks(
    items: list[np.ndarray],
    group: np.ndarray,
    unit: np.ndarray,
    traffic: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    enveloped: np.ndarray,
    minorants: dict[tuple[str, bool], tuple[np.ndarray, np.ndarray] | None],
    kinds: np.ndarray,
    whole: np.ndarray,
    months: dict[str, tuple[np.ndarray, np.ndarray]],
) -> list[_Vertices]:
    """The call types' hours with a language pool that can be bounded as one block
    (:class:`_Vertices`, the part that does not depend on the multipliers). Groups
    with more than :data:`VERTICES` vertices, a share column not bounded by ``[0, 1]``,
    an item partly staffed or no minorant are not (a negative staffing coefficient is
    checked by :func:`_vertex_least`)."""
    if not items:
        return []
    item_of = np.full(len(group), -1, dtype=np.int64)
    for i, r in enumerate(items):
        item_of[r] = i
    lead = np.array([r[0] for r in items])
    staffed = np.array([bool(enveloped[r].all()) for r in items])
    linear = np.array([not enveloped[r].any() for r in items])
    owner = group[lead]
    rows = np.concatenate(items)
    blocks = []
    for g in np.unique(owner):
        members = np.flatnonzero(owner == g)
        at = rows[np.isin(item_of[rows], members)]
        if (
            np.any(col_lower[at] > 0)
            or np.any(col_upper[at] < 1)
            or np.any(~staffed[members] & ~linear[members])
        ):
            continue
        units, which = np.unique(unit[at], return_inverse=True)
        choices = [at[which == k] for k in range(len(units))]
        if np.prod([float(len(c)) for c in choices]) > VERTICES:
            continue
        keys = {(str(kinds[lead[i]]), bool(whole[lead[i]])) for i in members if staffed[i]}
        if any(minorants.get(key) is None for key in keys):
            continue
        # every vertex: a row per unit
        grid = np.indices([len(c) for c in choices]).reshape(len(choices), -1)
        picks = np.stack([c[k] for c, k in zip(choices, grid, strict=True)], axis=1)
        local = np.searchsorted(members, item_of[picks])
        load = np.zeros((len(picks), len(members)))
        np.add.at(load, (np.arange(len(picks))[:, None], local), traffic[picks])
        week = np.zeros_like(load)
        year = np.zeros_like(load)
        for j, item in enumerate(members):
            if linear[item]:
                continue
            kind = str(kinds[lead[item]])
            found = minorants[(kind, bool(whole[lead[item]]))]
            assert found is not None
            loads, agents = found
            taken = load[:, j] > 0  # ψ(0) = 0: the jump is paid above no load only
            week[:, j] = np.where(taken, np.interp(load[:, j], loads, agents), 0.0)
            for ratio, w in zip(*months[kind], strict=True):
                if ratio > 0:
                    month = np.interp(ratio * load[:, j], loads, agents)
                    year[:, j] += w * np.where(taken, month, 0.0)
        blocks.append(_Vertices(int(g), members, linear[members], at, picks, week, year))
    return blocks


def _vertex_least(
    blocks: list[_Vertices],
    count: int,
    slope: np.ndarray,
    alpha_week: np.ndarray,
    alpha_year: np.ndarray,
    items: list[np.ndarray],
) -> tuple[np.ndarray, dict[int, tuple[np.ndarray, np.ndarray]]]:
    """The least cost of each call type and hour with a language pool, its demand rows
    kept (per group id, ``count`` of them; -inf where not bounded so): each queue's
    staffing bounded below by a concave ``ψ`` (:func:`concave_minorant`), the block's
    cost is concave on the product of its units' simplices, whose least is at a vertex,
    each unit wholly at one site: all are tried (module docstring, "Language pools
    taken together"). A group with a negative staffing coefficient is not bounded so.
    Also, per group bounded, its share rows and the rows of its least vertex."""
    out = np.full(count, -np.inf)
    picks: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for block in blocks:
        week = np.array([alpha_week[items[i]].min() for i in block.members])
        year = np.array([alpha_year[items[i]].min() for i in block.members])
        week = np.where(block.linear, 0.0, week)
        year = np.where(block.linear, 0.0, year)
        if np.any((week < 0) | (year < 0)):
            continue
        cost = slope[block.picks].sum(axis=1) + block.week @ week + block.year @ year
        best = int(np.argmin(cost))
        out[block.group] = float(cost[best])
        picks[block.group] = (block.rows, block.picks[best])
    return out, picks
