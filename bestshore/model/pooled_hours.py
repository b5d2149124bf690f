r"""Each call type's hour with a language pool bounded by a small MILP on its staffing.

The Lagrangian bound (:mod:`bestshore.model.lagrange`) takes a call type's hour ``G``
with a language pool as one block: its demand rows kept, its queues ``q`` (each pool,
and each row at a site that does not pool) paying their staffing on their loads
:math:`A_q = \sum_{r \in q} T_r x_r`,

.. math:: \phi_G = \min \Big\{ \sum_{r \in G} g_r x_r + \sum_q \big(\underline\alpha^W_q
          W(A_q) + \underline\alpha^Y_q Y(A_q)\big) : \sum_s x_{d,s} = 1\ \forall d \in G,\
          l \le x \le v,\ A_q \le \bar A_q \Big\},

``W`` the sizing week's exact agents, ``Y`` the year's agent-weeks
(:math:`Y(a) = \sum_m w_m N(\rho_m a)`), :math:`\underline\alpha` the least of the
queue's rows' coefficients (each row carries the queue's agents in proportion to its
load: a weighted mean) and :math:`\bar A_q` the most load its site's seats allow.
The vertex bound there puts ``W`` over a *concave* minorant ``ψ`` that joins the
whole-agent corners :math:`(L(n), n)`, so that the least is at a vertex; planning agents
rise well above that line inside each step (the service level interpolated between whole
agents), and the bound loses it. This module bounds :math:`\phi_G` without ``ψ``, by a
MILP whose every point costs no more than the staffing it stands for:

* each queue's load range :math:`[0, \bar A_q]` is cut at the corners :math:`L(n)` and
  each step in :data:`PIECES` equal pieces :math:`[P_k, Q_k]`;
* on a piece, ``W`` (and ``Y``) lies above a line :math:`\ell_k(a) = c_k + s_k (a - P_k)`:
  :math:`s_k` the slope from the piece's lower end to its upper end read on the staffing
  table, :math:`c_k = \min_j (v_j - s_k (a_{j+1} - P_k))` over :data:`SAMPLES` loads
  :math:`a_0 = P_k < a_1 < \dots < a_J = Q_k`, :math:`v_j` the table's staffing at the grid
  point at or below :math:`a_j` (:math:`m_0`, the first agent, at :math:`a_0 = 0`): on
  :math:`[a_j, a_{j+1}]`, :math:`\ell_k \le \ell_k(a_{j+1}) \le v_j \le W` (``W``
  nondecreasing, :math:`s_k \ge 0`);
* a binary :math:`z_{q,k}` chooses the piece and :math:`a_{q,k} \in [P_k z_{q,k}, Q_k
  z_{q,k}]` carries the load: :math:`\sum_k z_{q,k} \le 1`, :math:`\sum_k a_{q,k} =
  \sum_{r \in q} T_r x_r`, the queue paying :math:`\sum_k (\underline\alpha^W (c^W_k -
  s^W_k P_k) + \underline\alpha^Y (c^Y_k - s^Y_k P_k)) z_{q,k} + (\underline\alpha^W s^W_k +
  \underline\alpha^Y s^Y_k) a_{q,k}`.

Every point of :math:`\phi_G`'s set lifts to a MILP point (each queue's piece holding its
load, the first holding one where two meet) costing at most its value, so the MILP's
optimum, and HiGHS's dual bound on it (a node limit, :data:`NODES`: no clock), is at most
:math:`\phi_G`: a bound of the group, kept where it is the higher. A negative
coefficient (set-up and transition rows pricing agents, where more agents at a site of
today's FTE move less) takes lines *over* the staffing, read at the grid point at or
above each load (:func:`piece_lines_above`): :math:`\underline\alpha W \ge
\underline\alpha \ell^+` there.

On the demo (the LP's duals): the multilingual desk's 168 hours are bounded 33,159 EUR
higher than under ``ψ`` (``docs/formulation.md``). Each program's best point also tells
where its languages go at those prices: :func:`~bestshore.model.plan.plan_sourcing`
re-plans on those sites. The programs run on
:data:`THREADS` threads (HiGHS releases the interpreter while it solves; each program
alone on one thread, so the result does not depend on the order).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

from bestshore.model.program import ProgramArrays, new_highs, solve_with_highs

__all__ = [
    "BINARIES",
    "GROUP_BINARIES",
    "NODES",
    "PIECES",
    "SAMPLES",
    "PooledHour",
    "Queue",
    "piece_lines",
    "piece_lines_above",
    "pooled_hour_bounds",
    "pooled_hours",
]

#: Pieces each whole-agent step of a queue's load is cut in.
PIECES = 3
#: Loads each piece's lines are checked at (the lines' loss is about a piece's rise over
#: one of these intervals).
SAMPLES = 128
#: Branch-and-bound nodes a group's program may take (its dual bound then stands).
NODES = 1000
#: Programs solved at once.
THREADS = 2
#: Binaries a group's program may have (its pieces); past it, the group is left to the
#: other bounds.
GROUP_BINARIES = 2000
#: Binaries of all the groups' programs (the demo's: 16,665, about 3 s on 2 threads).
BINARIES = 60000

_HEURISTICS = (
    "mip_heuristic_run_feasibility_jump",
    "mip_heuristic_run_rens",
    "mip_heuristic_run_rins",
    "mip_heuristic_run_root_reduced_cost",
)

#: A staffing function of loads read on a table, at the grid point at or below each
#: load (or at or above: the ``*_above`` ones): ``(loads) -> agents`` (the week's) or
#: agent-weeks (the year's).
Staffing = Callable[[np.ndarray], np.ndarray]


@dataclasses.dataclass(frozen=True)
class Queue:
    """A staffed queue of a group: its share rows, the most load its seats allow, and
    its staffing read on the tables at the grid point at or below a load (the week's and
    the year's, each with its value just above no load) and at or above it
    (``*_above``: for a negative coefficient), with the corners :math:`L(n)` its load
    range is cut at."""

    rows: np.ndarray
    cap: float
    week: Staffing
    year: Staffing
    week_first: float
    year_first: float
    corners: np.ndarray
    week_above: Staffing
    year_above: Staffing


@dataclasses.dataclass(frozen=True)
class PooledHour:
    """One call type's hour with a language pool as a MILP whose costs the multipliers
    set (:func:`pooled_hour_bounds`).

    ``group`` is its id, ``rows`` its share rows (one column each, first), ``queues``
    each staffed queue's rows, ``program`` the MILP with zero costs; ``piece_queue``,
    ``piece_z`` and ``piece_a`` each piece's queue (an index into ``queues``) and
    columns, ``week`` and ``year`` its lines under the staffing as (cost on ``z``, cost
    on ``a``) per unit of coefficient, ``week_above`` and ``year_above`` its lines over
    it (what a negative coefficient takes).
    """

    group: int
    rows: np.ndarray
    queues: list[np.ndarray]
    program: ProgramArrays
    piece_queue: np.ndarray
    piece_z: np.ndarray
    piece_a: np.ndarray
    week: tuple[np.ndarray, np.ndarray]
    year: tuple[np.ndarray, np.ndarray]
    week_above: tuple[np.ndarray, np.ndarray]
    year_above: tuple[np.ndarray, np.ndarray]


def piece_lines(
    staffing: Staffing, first: float, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Lines under a nondecreasing staffing on pieces ``[lower, upper]`` (module
    docstring): each piece's value at its lower end ``c`` and slope ``s``, so that
    ``c + s (a - lower) <= staffing(a)`` on the piece; ``first`` is the staffing just
    above no load (the first agent, :func:`~bestshore.model.opening.first_agent`, in
    the week; in the year, it times the weeks of the months with load)."""
    loads, found = _sampled(staffing, lower, upper)
    found[:, 0] = np.where(lower > 0, found[:, 0], first)
    slope = _chord(found, lower, upper)
    room = found[:, :-1] - slope[:, None] * (loads[:, 1:] - lower[:, None])
    return room.min(axis=1), slope


def piece_lines_above(
    staffing: Staffing, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Lines over a nondecreasing staffing on pieces ``[lower, upper]``, ``staffing``
    read at the grid point at or above each load: each piece's value at its lower end
    ``c`` and slope ``s``, so that ``c + s (a - lower) >= staffing(a)`` on the piece (on
    ``[a_j, a_{j+1}]`` the staffing is at most its value at ``a_{j+1}``, and the line at
    least its value at ``a_j``)."""
    loads, found = _sampled(staffing, lower, upper)
    slope = _chord(found, lower, upper)
    room = found[:, 1:] - slope[:, None] * (loads[:, :-1] - lower[:, None])
    return room.max(axis=1), slope


def _sampled(
    staffing: Staffing, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:data:`SAMPLES` + 1 loads from each piece's lower end to its upper end, and the
    staffing there (shape (pieces, SAMPLES + 1) each)."""
    steps = np.arange(SAMPLES + 1) / SAMPLES
    loads = lower[:, None] + (upper - lower)[:, None] * steps[None, :]
    return loads, staffing(loads)


def _chord(found: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Each piece's slope from its first sample to its last, at least 0."""
    width = np.where(upper > lower, upper - lower, 1.0)
    return np.maximum((found[:, -1] - found[:, 0]) / width, 0.0)


def _pieces(corners: np.ndarray, top: float) -> tuple[np.ndarray, np.ndarray]:
    """The pieces ``[lower, upper]`` of ``[0, top]``: cut at the ``corners`` below it,
    each step in :data:`PIECES` equal parts."""
    cuts = np.concatenate([[0.0], corners[(corners > 0) & (corners < top)], [top]])
    parts = np.arange(PIECES + 1) / PIECES
    ends = cuts[:-1, None] + np.diff(cuts)[:, None] * parts[None, :]
    return ends[:, :-1].ravel(), ends[:, 1:].ravel()


def pooled_hours(
    groups: list[tuple[int, np.ndarray, list[Queue]]],
    unit: np.ndarray,
    traffic: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
) -> list[PooledHour]:
    """The MILP of each group (the part that does not depend on the multipliers).

    ``groups``: per group its id, its share rows and its staffed queues; ``unit`` each
    row's demand unit, ``traffic`` its load at share 1, ``lower`` and ``upper`` its
    share's bounds. A group of more than :data:`GROUP_BINARIES` binaries is left out,
    and so is each group that no longer fits in what is left of :data:`BINARIES` (in
    the groups' order: the same ones every time), so that a scenario of many languages
    and sites pays seconds, not minutes.
    """
    found = []
    budget = BINARIES
    for group, rows, queues in groups:
        binaries = sum(len(_pieces(queue.corners, queue.cap)[0]) for queue in queues)
        if binaries > min(GROUP_BINARIES, budget):
            continue
        budget -= binaries
        found.append(_hour_program(group, rows, queues, unit, traffic, lower, upper))
    return found


class _Builder:
    """A small MILP written column by column and row by row."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.entries: list[tuple[int, int, float]] = []  # (row, column, value)
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []

    def column(self, lower: float, upper: float, integer: bool = False) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.lower) - 1

    def row(self, terms: list[tuple[int, float]], low: float, high: float) -> None:
        index = len(self.row_lower)
        self.entries.extend((index, column, value) for column, value in terms)
        self.row_lower.append(low)
        self.row_upper.append(high)

    def arrays(self) -> ProgramArrays:
        at_row, at_col, value = (np.array(v) for v in zip(*self.entries, strict=True))
        matrix = sp.csr_matrix(
            (value.astype(float), (at_row.astype(int), at_col.astype(int))),
            shape=(len(self.row_lower), len(self.lower)),
        )
        return ProgramArrays(
            cost=np.zeros(len(self.lower)),
            offset=0.0,
            col_lower=np.array(self.lower, dtype=float),
            col_upper=np.array(self.upper, dtype=float),
            integer=np.array(self.integer, dtype=bool),
            row_lower=np.array(self.row_lower, dtype=float),
            row_upper=np.array(self.row_upper, dtype=float),
            a_start=matrix.indptr.astype(np.int32),
            a_index=matrix.indices.astype(np.int32),
            a_value=matrix.data,
        )


def _hour_program(
    group: int,
    rows: np.ndarray,
    queues: list[Queue],
    unit: np.ndarray,
    traffic: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
) -> PooledHour:
    """One group's :class:`PooledHour`: its share columns first (their bounds), each
    demand unit's shares summing to 1, each queue's pieces (module docstring)."""
    program = _Builder()
    share = {int(r): program.column(float(lower[r]), float(upper[r])) for r in rows}
    for d in np.unique(unit[rows]):
        program.row([(share[int(r)], 1.0) for r in rows if unit[r] == d], 1.0, 1.0)
    piece_queue, piece_z, piece_a = [], [], []
    lines: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {
        "week": [], "year": [], "week_above": [], "year_above": [],
    }  # fmt: skip
    for q, queue in enumerate(queues):
        start, end = _pieces(queue.corners, queue.cap)
        for name, (at, slope) in (
            ("week", piece_lines(queue.week, queue.week_first, start, end)),
            ("year", piece_lines(queue.year, queue.year_first, start, end)),
            ("week_above", piece_lines_above(queue.week_above, start, end)),
            ("year_above", piece_lines_above(queue.year_above, start, end)),
        ):
            lines[name].append((at - slope * start, slope))  # cost on z, cost on a
        chosen = []
        carried = [(share[int(r)], -float(traffic[r])) for r in queue.rows]
        for low, high in zip(start, end, strict=True):
            z = program.column(0.0, 1.0, integer=True)
            a = program.column(0.0, float(high))
            program.row([(a, 1.0), (z, -float(high))], -np.inf, 0.0)
            if low > 0:
                program.row([(a, 1.0), (z, -float(low))], 0.0, np.inf)
            chosen.append((z, 1.0))
            carried.append((a, 1.0))
            piece_queue.append(q)
            piece_z.append(z)
            piece_a.append(a)
        program.row(chosen, -np.inf, 1.0)  # one piece at most
        program.row(carried, 0.0, 0.0)  # the pieces carry the queue's load
    joined = {
        name: (np.concatenate([z for z, _ in found]), np.concatenate([a for _, a in found]))
        for name, found in lines.items()
    }
    return PooledHour(
        group=group,
        rows=rows,
        queues=[queue.rows for queue in queues],
        program=program.arrays(),
        piece_queue=np.array(piece_queue, dtype=np.int64),
        piece_z=np.array(piece_z, dtype=np.int64),
        piece_a=np.array(piece_a, dtype=np.int64),
        week=joined["week"],
        year=joined["year"],
        week_above=joined["week_above"],
        year_above=joined["year_above"],
    )


def _least(program: ProgramArrays) -> tuple[float, np.ndarray | None]:
    """HiGHS's dual bound on a group's MILP (-inf where it proves none) and the columns'
    values of the best point it found (None: none)."""
    highs = new_highs()
    # Small programs, and only the dual bound is wanted: the demo's took 10.8 s without
    # presolve against 20.8 s with it, and 4.0 s against 7.0 s without the primal
    # heuristics (one thread, two measurements), to the same bounds.
    highs.setOptionValue("presolve", "off")
    for heuristic in _HEURISTICS:
        highs.setOptionValue(heuristic, False)
    highs.setOptionValue("mip_heuristic_effort", 0.0)
    highs.setOptionValue("mip_max_nodes", NODES)
    solution, highs = solve_with_highs(program, highs=highs)
    if solution.status == "infeasible":
        return -np.inf, None  # no plan meets the group's rows: left to the other bounds
    # the proven bound of a solve with a point; a dual bound stands without one too
    bound = solution.bound if solution.bound is not None else highs.getInfo().mip_dual_bound
    values = solution.values if solution.has_solution else None
    return (bound if np.isfinite(bound) and abs(bound) < 1e300 else -np.inf), values


def pooled_hour_bounds(
    hours: list[PooledHour],
    count: int,
    slope: np.ndarray,
    alpha_week: np.ndarray,
    alpha_year: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each group's bound at these coefficients (per group id, ``count`` of them; -inf
    where none is proven), and the shares of the best point each program found (a value
    per share row of ``slope``; NaN outside the groups solved, or where a program found
    none). A queue's coefficient is the least of its rows' (each row carries the
    queue's agents in proportion to its load, a weighted mean); a negative one takes the
    lines over the staffing."""
    out = np.full(count, -np.inf)
    shares = np.full(len(slope), np.nan)
    programs: list[tuple[PooledHour, ProgramArrays]] = []
    for hour in hours:
        week = np.array([alpha_week[q].min() for q in hour.queues])[hour.piece_queue]
        year = np.array([alpha_year[q].min() for q in hour.queues])[hour.piece_queue]
        cost = np.zeros(hour.program.num_col)
        cost[: len(hour.rows)] = slope[hour.rows]
        for coefficient, under, over in (
            (week, hour.week, hour.week_above),
            (year, hour.year, hour.year_above),
        ):
            below = coefficient >= 0
            cost[hour.piece_z] += coefficient * np.where(below, under[0], over[0])
            cost[hour.piece_a] += coefficient * np.where(below, under[1], over[1])
        programs.append((hour, dataclasses.replace(hour.program, cost=cost)))
    if not programs:
        return out, shares
    new_highs()  # the first instance hides HiGHS's banner: made here, not in a thread
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        found = list(pool.map(_least, [p for _, p in programs]))
    for (hour, _), (bound, values) in zip(programs, found, strict=True):
        out[hour.group] = bound
        if values is not None:
            shares[hour.rows] = values[: len(hour.rows)]
    return out, shares
