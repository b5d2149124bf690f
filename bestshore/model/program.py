"""The LP as arrays: columns, rows and coefficients, handed to HiGHS in one call.

Why arrays. The constraint families (``bestshore.model.constraints``) compute their
coefficients with numpy over the eligible assignments; turning them into one PuLP object
per variable and term, then handing those to HiGHS one by one, costs more than HiGHS's
own solve on large scenarios. So the families write into a :class:`LinearProgram`
(coordinate triplets, bounds, costs, the family and key of every row and column), which
goes to HiGHS as one compressed sparse row matrix (:func:`solve_with_highs`).

PuLP stays the modelling layer users see: :meth:`LinearProgram.to_pulp` builds the very
same model as a :class:`pulp.LpProblem` (same columns and rows, same order, readable
names) for LP/MPS export or any PuLP solver, and :func:`solve_with_pulp` solves through
it. Both paths hand HiGHS the same matrix, so they return the same solution (tested).
"""

from __future__ import annotations

import functools
import math
import os
import sys
import time
from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
import pandas as pd

if TYPE_CHECKING:  # PuLP is loaded when its path solves, not with the package
    import pulp

__all__ = [
    "HighsSession",
    "LinearProgram",
    "ProgramArrays",
    "Section",
    "Solution",
    "as_key",
    "key_text",
    "row_tuples",
    "solve_with_highs",
    "solve_with_pulp",
]

_INF = np.inf
#: LPs with more nonzeros than this are solved by the interior point method.
IPM_NONZEROS = 60_000


def key_text(key: Any) -> str:
    """A row or column key as it appears in names: ``("billing", "fr", 9)`` -> ``billing,fr,9``."""
    return ",".join(map(str, key)) if isinstance(key, tuple) else str(key)


def as_key(label: Any) -> tuple[Hashable, ...]:
    """The key of a label: a tuple of the family's index values (``"lisbon"`` -> ``("lisbon",)``).

    Every key of a program is a tuple, one value per dimension of its family's index set
    (``capacity[s]``: one, ``seats[s,h]``: two), so rows and columns are read back by the
    same convention whatever their family.
    """
    return label if isinstance(label, tuple) else (label,)


@dataclass
class _Block:
    """Columns or rows of one family; ``keys`` a list of tuples, or a DataFrame read
    row-wise on demand (each row a tuple)."""

    family: str
    keys: Sequence[tuple[Hashable, ...]] | pd.DataFrame
    start: int

    def key_list(self) -> list[tuple[Hashable, ...]]:
        if isinstance(self.keys, pd.DataFrame):
            # Large blocks (one column per eligible assignment) are named only when asked.
            return row_tuples(self.keys)
        return list(self.keys)


def row_tuples(frame: pd.DataFrame) -> list[tuple[Hashable, ...]]:
    """Each row of ``frame`` as a tuple of Python values, as ``itertuples(index=False,
    name=None)`` gives them, read column by column (a pandas 3 text column hands out its
    values one by one far more slowly)."""
    if not len(frame.columns):
        return list(frame.itertuples(index=False, name=None))
    return list(zip(*(frame[column].tolist() for column in frame.columns), strict=True))


def _key_list(
    keys: Sequence[Hashable] | pd.DataFrame,
) -> Sequence[tuple[Hashable, ...]] | pd.DataFrame:
    return keys if isinstance(keys, pd.DataFrame) else [as_key(k) for k in keys]


@dataclass(frozen=True)
class Section:
    """What one family wrote into a :class:`LinearProgram`: half-open ranges.

    ``columns`` and ``rows`` are program indices; ``column_blocks``, ``row_blocks``,
    ``terms`` and ``costs`` are positions in the program's lists of column blocks, row
    blocks, coefficient triplets and objective contributions (one entry per call of
    ``add_columns``, ``add_rows``, ``add_terms``, ``add_cost``).
    """

    columns: tuple[int, int]
    rows: tuple[int, int]
    column_blocks: tuple[int, int]
    row_blocks: tuple[int, int]
    terms: tuple[int, int]
    costs: tuple[int, int]


@dataclass(frozen=True)
class ProgramArrays:
    """A linear program in compressed sparse row form (what HiGHS takes).

    ``minimize cost·x + offset`` subject to ``row_lower <= A x <= row_upper`` and
    ``col_lower <= x <= col_upper``; ``integer`` marks integer columns. Row ``i`` of
    ``A`` is ``a_index[a_start[i]:a_start[i+1]]`` with values ``a_value[...]``.
    """

    cost: np.ndarray
    offset: float
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    a_start: np.ndarray
    a_index: np.ndarray
    a_value: np.ndarray

    @property
    def num_col(self) -> int:
        return len(self.cost)

    @property
    def num_row(self) -> int:
        return len(self.row_lower)

    @property
    def num_nz(self) -> int:
        return len(self.a_value)


_NO_COLUMNS = np.zeros(0, dtype=np.int64)
_NO_VALUES = np.zeros(0)


@dataclass
class LinearProgram:
    """A minimization LP/MILP under construction, column and row blocks by family.

    Columns and rows are added in blocks (one family, many keys), coefficients as
    coordinate triplets; nothing is per-element Python. Every column and row keeps its
    family and key, so results are read back by name (``share[billing,fr,9,lisbon]``,
    ``capacity[lisbon]``) and :meth:`to_pulp` can name them.
    """

    name: str = "bestshore"
    _col_blocks: list[_Block] = field(default_factory=list)
    _col_lower: list[np.ndarray] = field(default_factory=list)
    _col_upper: list[np.ndarray] = field(default_factory=list)
    _col_integer: list[np.ndarray] = field(default_factory=list)
    _row_blocks: list[_Block] = field(default_factory=list)
    _row_lower: list[np.ndarray] = field(default_factory=list)
    _row_upper: list[np.ndarray] = field(default_factory=list)
    _rows: list[np.ndarray] = field(default_factory=list)
    _cols: list[np.ndarray] = field(default_factory=list)
    _vals: list[np.ndarray] = field(default_factory=list)
    _cost_cols: list[np.ndarray] = field(default_factory=list)
    _cost_vals: list[np.ndarray] = field(default_factory=list)
    num_col: int = 0
    num_row: int = 0
    offset: float = 0.0
    sections: dict[str, Section] = field(default_factory=dict)
    _compiled: ProgramArrays | None = field(default=None, repr=False)

    def copy(self) -> LinearProgram:
        """A copy to add to: blocks and sections are shared (never changed in place),
        the lists holding them are its own."""
        copied = replace(self, sections=dict(self.sections), _compiled=None)
        for name in (
            "_col_blocks", "_col_lower", "_col_upper", "_col_integer", "_row_blocks",
            "_row_lower", "_row_upper", "_rows", "_cols", "_vals", "_cost_cols", "_cost_vals",
        ):  # fmt: skip
            setattr(copied, name, list(getattr(self, name)))
        return copied

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        """Record what the block of code inside writes as the section ``name``.

        The model builder runs each constraint family in its own section, so a re-priced
        model can replace one family's rows and costs (:meth:`replaced`).
        """
        start = self._counts()
        yield
        stop = self._counts()
        self.sections[name] = Section(*zip(start, stop, strict=True))

    def _counts(self) -> tuple[int, ...]:
        return (
            self.num_col, self.num_row, len(self._col_blocks), len(self._row_blocks),
            len(self._rows), len(self._cost_cols),
        )  # fmt: skip

    # -- columns -------------------------------------------------------------------------

    def add_columns(
        self,
        family: str,
        keys: Sequence[Hashable] | pd.DataFrame,
        *,
        lower: float | np.ndarray = 0.0,
        upper: float | np.ndarray = _INF,
        integer: bool = False,
    ) -> np.ndarray:
        """Add one column per key, named ``family[key]``; return their indices.

        ``keys`` may be a DataFrame: each row is a key (a tuple of its values). A key that
        is not a tuple is kept as a 1-tuple (:func:`as_key`).
        """
        n = len(keys)
        self._compiled = None
        self._col_blocks.append(_Block(family, _key_list(keys), self.num_col))
        self._col_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)).copy())
        self._col_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy())
        self._col_integer.append(np.full(n, integer, dtype=bool))
        columns = np.arange(self.num_col, self.num_col + n)
        self.num_col += n
        return columns

    def add_binaries(self, family: str, keys: Sequence[Hashable]) -> np.ndarray:
        """Add one 0/1 column per key (the model becomes a MILP)."""
        return self.add_columns(family, keys, lower=0.0, upper=1.0, integer=True)

    def add_cost(self, columns: np.ndarray, coefficients: np.ndarray | float) -> None:
        """Add ``coefficients`` to the objective coefficients of ``columns`` (repeats add up)."""
        columns = np.asarray(columns, dtype=np.int64)
        self._compiled = None
        self._cost_cols.append(columns)
        self._cost_vals.append(np.broadcast_to(np.asarray(coefficients, float), columns.shape))

    # -- rows ----------------------------------------------------------------------------

    def add_rows(
        self,
        family: str,
        keys: Sequence[Hashable],
        members: Sequence[np.ndarray],
        coefficients: Sequence[np.ndarray],
        *,
        lower: float | np.ndarray = -_INF,
        upper: float | np.ndarray = _INF,
    ) -> np.ndarray:
        """Add ``lower <= Σ coefficients·x[members] <= upper``, one row per key.

        ``members[i]`` and ``coefficients[i]`` are the columns and coefficients of row i
        (a row may be empty). A key that is not a tuple is kept as a 1-tuple
        (:func:`as_key`). Returns the row indices.
        """
        n = len(keys)
        self._compiled = None
        rows = np.arange(self.num_row, self.num_row + n)
        lengths = np.fromiter((len(m) for m in members), dtype=np.int64, count=n)
        if lengths.sum():
            self.add_terms(
                np.repeat(rows, lengths),
                np.concatenate([np.asarray(m, dtype=np.int64) for m in members]),
                np.concatenate([np.asarray(c, dtype=float) for c in coefficients]),
            )
        self._row_blocks.append(_Block(family, _key_list(keys), self.num_row))
        self._row_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)).copy())
        self._row_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy())
        self.num_row += n
        return rows

    def add_rows_of_terms(
        self,
        family: str,
        keys: Sequence[Hashable],
        entry_rows: np.ndarray,
        columns: np.ndarray,
        coefficients: np.ndarray,
        *,
        lower: float | np.ndarray = -_INF,
        upper: float | np.ndarray = _INF,
    ) -> np.ndarray:
        """:meth:`add_rows` with the terms given flat: term ``i`` is ``coefficients[i]``
        times column ``columns[i]`` in the row of key ``keys[entry_rows[i]]``, in any
        order."""
        rows = self.add_rows(family, keys, [_NO_COLUMNS] * len(keys), [_NO_VALUES] * len(keys),
                             lower=lower, upper=upper)  # fmt: skip
        if len(columns):
            order = np.lexsort((columns, entry_rows))  # rows then columns: compressed as is
            entry = np.asarray(entry_rows, dtype=np.int64)[order]
            self.add_terms(rows[entry], np.asarray(columns)[order], np.asarray(coefficients)[order])
        return rows

    def add_terms(self, rows: np.ndarray, columns: np.ndarray, coefficients: np.ndarray) -> None:
        """Add coefficient triplets (to rows already added or being added); repeats add up."""
        self._compiled = None
        self._rows.append(np.asarray(rows, dtype=np.int64))
        self._cols.append(np.asarray(columns, dtype=np.int64))
        self._vals.append(np.asarray(coefficients, dtype=float))

    # -- reading -------------------------------------------------------------------------

    def column_keys(self, family: str) -> dict[tuple[Hashable, ...], int]:
        """Column index of every key of a family, in column order."""
        return _keys(self._col_blocks, family)

    def row_keys(self, family: str) -> dict[tuple[Hashable, ...], int]:
        """Row index of every key of a family, in row order."""
        return _keys(self._row_blocks, family)

    def column_families(self) -> list[str]:
        """The families of the program's columns, each once, in column order."""
        return list(dict.fromkeys(block.family for block in self._col_blocks))

    @property
    def is_mip(self) -> bool:
        return any(block.any() for block in self._col_integer)

    def column_names(self) -> list[str]:
        return _names(self._col_blocks)

    def row_names(self) -> list[str]:
        return _names(self._row_blocks)

    def arrays(self) -> ProgramArrays:
        """The program in compressed sparse row form, duplicate entries summed, zeros dropped.

        Computed once and kept until the program changes.
        """
        if self._compiled is not None:
            if self._compiled.offset != self.offset:
                self._compiled = replace(self._compiled, offset=self.offset)
            return self._compiled
        a_start, a_index, a_value = _compress(self._rows, self._cols, self._vals, self.num_row)
        self._compiled = ProgramArrays(
            cost=_cost_vector(self._cost_cols, self._cost_vals, self.num_col),
            offset=self.offset,
            col_lower=_stack(self._col_lower),
            col_upper=_stack(self._col_upper),
            integer=_stack(self._col_integer, dtype=bool),
            row_lower=_stack(self._row_lower),
            row_upper=_stack(self._row_upper),
            a_start=a_start,
            a_index=a_index,
            a_value=a_value,
        )
        return self._compiled

    def replaced(self, parts: Mapping[str, LinearProgram]) -> LinearProgram | None:
        """This program with some sections written again; None if that changes its shape.

        ``parts[name]`` holds the family of section ``name`` written again into a fresh
        program whose ``num_col`` and ``num_row`` started at the section's first column
        and row, so it numbers its columns and rows as the original build did. The
        result is the program a full build would give with those families' new
        coefficients, bounds and costs: the same lists of blocks, triplets and costs in
        the same order, so its :meth:`arrays` are a fresh build's. They are spliced from
        this program's arrays, not compressed again. None when a part adds other
        columns, rows or keys, writes outside its own rows, or changes the sparsity
        pattern of its rows: the structure changed, build afresh.
        """
        old = self.arrays()
        col_lower, col_upper = old.col_lower.copy(), old.col_upper.copy()
        row_lower, row_upper = old.row_lower.copy(), old.row_upper.copy()
        a_value = old.a_value.copy()
        for name, part in parts.items():
            section = self.sections[name]
            if not _same_shape(self, section, part):
                return None
            (c0, c1), (r0, r1) = section.columns, section.rows
            a0, a1 = old.a_start[r0], old.a_start[r1]
            rows = [r - r0 for r in part._rows]
            if any(len(r) and (r.min() < 0 or r.max() >= r1 - r0) for r in rows):
                return None  # the part writes into rows of other sections
            starts, index, values = _compress(rows, part._cols, part._vals, r1 - r0)
            if not (
                np.array_equal(starts, old.a_start[r0 : r1 + 1] - a0)
                and np.array_equal(index, old.a_index[a0:a1])
            ):
                return None
            a_value[a0:a1] = values
            col_lower[c0:c1], col_upper[c0:c1] = _stack(part._col_lower), _stack(part._col_upper)
            row_lower[r0:r1], row_upper[r0:r1] = _stack(part._row_lower), _stack(part._row_upper)
        program = LinearProgram(
            self.name, num_col=self.num_col, num_row=self.num_row, offset=self.offset
        )
        # Walk the sections in build order: each keeps this program's list entries or
        # takes its part's; the section records are counted again on the way.
        taken = dict.fromkeys(_LISTS, 0)
        for name, section in self.sections.items():  # build order (sections do not nest)
            ranges: dict[str, tuple[int, int]] = {}
            for kind, names in _LISTS.items():
                first, last = getattr(section, kind)
                if first != taken[kind]:
                    return None  # written outside any section: cannot tell who wrote it
                for attribute in names:
                    if name in parts:
                        own = getattr(parts[name], attribute)
                    else:
                        own = getattr(self, attribute)[first:last]
                    getattr(program, attribute).extend(own)
                taken[kind] = last
                stop = len(getattr(program, names[0]))
                ranges[kind] = (stop - len(own), stop)
            program.sections[name] = Section(section.columns, section.rows, **ranges)
        if any(len(getattr(self, names[0])) != taken[kind] for kind, names in _LISTS.items()):
            return None
        program._compiled = replace(
            old,
            cost=_cost_vector(program._cost_cols, program._cost_vals, program.num_col),
            col_lower=col_lower,
            col_upper=col_upper,
            row_lower=row_lower,
            row_upper=row_upper,
            a_value=a_value,
        )
        return program

    def to_pulp(self) -> tuple[pulp.LpProblem, list[Any], list[Any]]:
        """The same program as a PuLP problem, and its variables and constraints in order.

        Columns and rows keep this program's order, so PuLP hands HiGHS the very same
        matrix; names are ``family[key]`` (PuLP may replace characters it does not allow).
        """
        import pulp

        arrays = self.arrays()
        problem = pulp.LpProblem(self.name, pulp.LpMinimize)
        variables = [
            problem.add_variable(
                name,
                lowBound=None if lo == -_INF else float(lo),
                upBound=None if up == _INF else float(up),
                cat="Integer" if integer else "Continuous",
            )
            for name, lo, up, integer in zip(
                self.column_names(),
                arrays.col_lower,
                arrays.col_upper,
                arrays.integer,
                strict=True,
            )
        ]
        constraints = []
        for i, name in enumerate(self.row_names()):
            span = slice(arrays.a_start[i], arrays.a_start[i + 1])
            expression = pulp.lpSum_vars_coefs(
                [
                    (variables[j], v)
                    for j, v in zip(
                        arrays.a_index[span].tolist(), arrays.a_value[span].tolist(), strict=True
                    )
                ]
            )
            lo, up = float(arrays.row_lower[i]), float(arrays.row_upper[i])
            if lo == up:
                constraint = expression == lo
            elif lo == -_INF:
                constraint = expression <= up
            elif up == _INF:
                constraint = expression >= lo
            else:
                raise ValueError(f"row {name} has two finite bounds; not expressible in PuLP")
            constraints.append(problem.addConstraint(constraint, name=name))
        used = np.flatnonzero(arrays.cost)
        objective = pulp.lpSum_vars_coefs([(variables[j], float(arrays.cost[j])) for j in used])
        problem.setObjective(objective + arrays.offset if arrays.offset else objective)
        return problem, variables, constraints


def _keys(blocks: list[_Block], family: str) -> dict[tuple[Hashable, ...], int]:
    found: dict[tuple[Hashable, ...], int] = {}
    for block in blocks:
        if block.family == family:
            found.update({key: block.start + i for i, key in enumerate(block.key_list())})
    return found


def _names(blocks: list[_Block]) -> list[str]:
    return [f"{family}[{key_text(key)}]" for family, key in _named(blocks)]


def _named(blocks: list[_Block]) -> list[tuple[str, tuple[Hashable, ...]]]:
    """(family, key) of each column or row of ``blocks``, in program order (the blocks
    are kept in the order of their first column or row)."""
    return [(block.family, key) for block in blocks for key in block.key_list()]


def _stack(parts: list[np.ndarray], dtype: Any = float) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


# The program's lists, by the Section range that indexes them.
_LISTS = {
    "column_blocks": ("_col_blocks", "_col_lower", "_col_upper", "_col_integer"),
    "row_blocks": ("_row_blocks", "_row_lower", "_row_upper"),
    "terms": ("_rows", "_cols", "_vals"),
    "costs": ("_cost_cols", "_cost_vals"),
}


def _cost_vector(columns: list[np.ndarray], values: list[np.ndarray], num_col: int) -> np.ndarray:
    """Objective coefficients: the contributions summed in the order they were added."""
    cost = np.zeros(num_col)
    if columns:
        np.add.at(cost, np.concatenate(columns), np.concatenate(values))
    return cost


def _compress(
    row_parts: list[np.ndarray],
    col_parts: list[np.ndarray],
    val_parts: list[np.ndarray],
    num_row: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coordinate triplets to CSR (row starts, columns, values): sorted by row then
    column, duplicate entries summed, exact zeros dropped."""
    rows, cols, vals = (
        (np.concatenate(p) for p in (row_parts, col_parts, val_parts))
        if row_parts
        else (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    )
    same_row = rows[1:] == rows[:-1]
    in_order = bool(
        np.all(rows[1:] >= rows[:-1]) and np.all(cols[1:][same_row] > cols[:-1][same_row])
    )
    if not in_order:  # families write rows in order; slacks and binaries come after
        order = np.lexsort((cols, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
    if len(rows) and not in_order:  # sum duplicate (row, column) entries
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        starts = np.flatnonzero(first)
        rows, cols, vals = rows[starts], cols[starts], np.add.reduceat(vals, starts)
    keep = vals != 0.0  # exact zeros carry nothing
    if not keep.all():
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
    a_start = np.zeros(num_row + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=num_row), out=a_start[1:])
    return a_start, cols.astype(np.int32), vals


def _same_shape(program: LinearProgram, section: Section, part: LinearProgram) -> bool:
    """Whether ``part`` writes the columns and rows ``section`` of ``program`` holds."""
    if (part.num_col, part.num_row) != (section.columns[1], section.rows[1]):
        return False
    for kind, attribute in (("column_blocks", "_col_blocks"), ("row_blocks", "_row_blocks")):
        first, last = getattr(section, kind)
        mine, theirs = getattr(program, attribute)[first:last], getattr(part, attribute)
        if len(mine) != len(theirs):
            return False
        for a, b in zip(mine, theirs, strict=True):
            if (a.family, a.start, len(a.keys)) != (b.family, b.start, len(b.keys)):
                return False
            if not isinstance(a.keys, pd.DataFrame) and list(a.keys) != list(b.keys):
                return False
    first, last = section.column_blocks
    return all(
        np.array_equal(a, b)
        for a, b in zip(program._col_integer[first:last], part._col_integer, strict=True)
    )


# -- solving ---------------------------------------------------------------------------

_HIGHS_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kObjectiveBound: "gap_limit",
    highspy.HighsModelStatus.kObjectiveTarget: "gap_limit",
    highspy.HighsModelStatus.kIterationLimit: "iteration_limit",
    highspy.HighsModelStatus.kSolutionLimit: "gap_limit",
    highspy.HighsModelStatus.kModelEmpty: "optimal",
}


@dataclass(frozen=True)
class Solution:
    """How a solve ended and what it returned.

    Attributes
    ----------
    status : str
        ``optimal``, ``infeasible``, ``unbounded``, ``time_limit``, ``gap_limit``,
        ``iteration_limit``, ``numerical_error`` or ``undefined``.
    has_solution : bool
        Whether the solver returned a feasible plan (true for ``optimal``, and for a
        limit reached after a plan was found).
    objective : float or None
        Objective value of the returned plan [currency/yr].
    gap : float or None
        Relative optimality gap proven (0 for an optimal LP; None when unknown).
    bound : float or None
        No solution of the program is cheaper [currency/yr]: the objective of an optimal
        LP, the dual bound of a MILP (HiGHS's ``mip_dual_bound``, below its incumbent by
        the proven gap); None when the solver proved none.
    values, duals : array or None
        Value of every column, dual of every row (None for a MILP); None when no plan
        was found.
    handover_seconds, solve_seconds : float
        The hand-over of the model to the solver, and the solver's own run [s].
    solver : str
        Solver name and version, e.g. ``HiGHS 1.15.1``.
    num_col, num_row : int
        Size of the program solved: columns (variables) and rows (constraints).
    """

    status: str
    has_solution: bool
    objective: float | None
    gap: float | None
    values: np.ndarray | None
    duals: np.ndarray | None
    handover_seconds: float
    solve_seconds: float
    solver: str
    num_col: int = 0
    num_row: int = 0
    bound: float | None = None

    @property
    def wall_seconds(self) -> float:
        """Time spent in the solver call, hand-over included [s]."""
        return self.handover_seconds + self.solve_seconds


@functools.lru_cache(maxsize=1)
def highs_version() -> str:
    return f"HiGHS {new_highs().version()}"


_BANNER_SHOWN = False


def new_highs() -> highspy.Highs:
    """A quiet HiGHS instance (no log output, one thread, seeded: deterministic).

    HiGHS prints a copyright banner on standard output the first time a process creates
    an instance, before any option can be set; it would corrupt ``bestshore solve
    --json`` and notebook output, so the first construction runs with file descriptor 1
    pointed at /dev/null.
    """
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        instance = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as sink:
                os.dup2(sink.fileno(), 1)
                instance = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SHOWN = True
    instance.setOptionValue("output_flag", False)
    instance.setOptionValue("threads", 1)
    instance.setOptionValue("random_seed", 0)
    return instance


def solve_with_highs(
    arrays: ProgramArrays,
    *,
    time_limit: float | None = None,
    highs: highspy.Highs | None = None,
    gap_tolerance: float | None = None,
    start: np.ndarray | None = None,
    basis: highspy.HighsBasis | None = None,
) -> tuple[Solution, highspy.Highs]:
    """Solve with HiGHS from arrays in one hand-over (single thread: deterministic).

    Pass a previous ``highs`` instance to reuse it and its options. ``gap_tolerance`` is
    the relative gap at which a MILP stops (HiGHS's ``mip_rel_gap``, default 1e-4).
    ``start``, a value for every column, is a MILP's first incumbent (when feasible).
    ``basis``, an LP's: the simplex starts from it (:func:`extended_basis`); the
    optimum is the same, the vertex may be another of equal cost.
    """
    began = time.perf_counter()
    if highs is None:
        highs = new_highs()
    if time_limit is not None:
        highs.setOptionValue("time_limit", float(time_limit))
    if gap_tolerance is not None:
        highs.setOptionValue("mip_rel_gap", float(gap_tolerance))
    if not arrays.integer.any() and arrays.num_nz > IPM_NONZEROS:
        # Large LPs (rostered years): the interior point method, then crossover to a
        # vertex, is several times faster than the simplex here; same optimum.
        highs.setOptionValue("solver", "ipm")
    integrality = arrays.integer.astype(np.int32)  # kContinuous 0, kInteger 1
    passed = highs.passModel(
        arrays.num_col,
        arrays.num_row,
        arrays.num_nz,
        2,  # MatrixFormat.kRowwise
        1,  # ObjSense.kMinimize
        float(arrays.offset),
        arrays.cost,
        arrays.col_lower,
        arrays.col_upper,
        arrays.row_lower,
        arrays.row_upper,
        arrays.a_start[:-1] if arrays.num_row else np.zeros(0, np.int32),
        arrays.a_index,
        arrays.a_value,
        integrality,
    )
    if passed == highspy.HighsStatus.kError:
        raise ValueError("HiGHS rejected the model arrays")
    if basis is not None and not arrays.integer.any():
        # an alien basis (KeyedBasis.for_program): HiGHS makes a basis of it
        found = basis if basis.alien else extended_basis(basis, arrays.num_col, arrays.num_row)
        if found is not None:
            highs.setOptionValue("solver", "simplex")  # from the basis, not interior
            highs.setBasis(found)  # one HiGHS refuses leaves the solve cold, as it was
    if start is not None:
        incumbent = highspy.HighsSolution()
        incumbent.col_value = np.asarray(start, dtype=float).tolist()
        incumbent.value_valid = True
        highs.setSolution(incumbent)
    handed = time.perf_counter()
    highs.run()
    if highs.getModelStatus() == highspy.HighsModelStatus.kUnknown:
        # HiGHS leaves some infeasible LPs "Unknown" after presolve (a flat rostered
        # fuzz case whose infeasibility turns on an 8-hour shift); solved again without
        # presolve, it proves them infeasible (or solves them).
        _, presolve = highs.getOptionValue("presolve")
        highs.setOptionValue("presolve", "off")
        highs.clearSolver()  # from scratch, not the first run's basis
        highs.run()
        highs.setOptionValue("presolve", presolve)
    solved = time.perf_counter()
    return _read_solution(highs, arrays, handed - began, solved - handed), highs


def extended_basis(
    basis: highspy.HighsBasis, num_col: int, num_row: int
) -> highspy.HighsBasis | None:
    """``basis`` of a program, for one with the same columns and the same rows first,
    more rows after them (their slacks basic: still a basis); None when the program is
    not so (other columns, fewer rows) or the basis is not valid."""
    cols, rows = list(basis.col_status), list(basis.row_status)
    if not basis.valid or len(cols) != num_col or len(rows) > num_row:
        return None
    found = highspy.HighsBasis()
    found.col_status = cols
    found.row_status = rows + [highspy.HighsBasisStatus.kBasic] * (num_row - len(rows))
    found.valid = True
    return found


def _read_solution(
    highs: highspy.Highs, arrays: ProgramArrays, handover: float, solve: float
) -> Solution:
    is_mip = bool(arrays.integer.any())
    model_status = highs.getModelStatus()
    status = _HIGHS_STATUS.get(model_status, "undefined")
    if model_status == highspy.HighsModelStatus.kModelEmpty and not (
        np.all(arrays.row_lower <= 0.0) and np.all(arrays.row_upper >= 0.0)
    ):
        status = "infeasible"  # no columns: every row is 0, and some row forbids 0
    info = highs.getInfo()
    has_solution = status == "optimal" or (
        status in {"time_limit", "gap_limit", "iteration_limit"}
        and info.primal_solution_status == 2
    )
    values = duals = None
    objective = gap = bound = None
    if has_solution:
        solution = highs.getSolution()
        values = np.asarray(solution.col_value, dtype=float)
        duals = None if is_mip else np.asarray(solution.row_dual, dtype=float)
        if model_status == highspy.HighsModelStatus.kModelEmpty:
            values, duals = np.zeros(arrays.num_col), np.zeros(arrays.num_row)
        objective = float(info.objective_function_value)
        gap = float(info.mip_gap) if is_mip else 0.0
        if status == "optimal" and is_mip and gap > 1.0:
            gap = 0.0  # HiGHS reports an infinite gap on a MILP solved in presolve
        bound = _proven_bound(status, is_mip, objective, gap, float(info.mip_dual_bound))
    return Solution(
        status=status,
        has_solution=has_solution,
        objective=objective,
        gap=gap,
        values=values,
        duals=duals,
        handover_seconds=handover,
        solve_seconds=solve,
        solver=highs_version(),
        num_col=arrays.num_col,
        num_row=arrays.num_row,
        bound=bound,
    )


def _proven_bound(
    status: str, is_mip: bool, objective: float, gap: float | None, dual_bound: float
) -> float | None:
    """The lower bound a solve proved on its program's optimum (None: none proven).

    An optimal LP's objective is its optimum. A MILP's is its incumbent: the bound is
    the dual bound, or, where the solver reports none (solved in presolve), the
    incumbent less its proven gap.
    """
    if not is_mip:
        return objective if status == "optimal" else None
    if math.isfinite(dual_bound) and abs(dual_bound) < 1e300:
        return min(dual_bound, objective)
    if gap is not None and gap <= 1.0:
        return objective - gap * abs(objective)
    return None


@dataclass(frozen=True)
class KeyedBasis:
    """An LP's basis by the names of its columns and rows (family and key), to start
    the simplex of another program from: a Monte Carlo draw's relaxation has the
    baseline's columns and most of its rows, numbered otherwise (its envelopes' facets
    differ). The optimum is the same from any start; where several plans tie for it,
    the vertex reached may be another.

    ``column_blocks`` and ``row_blocks`` keep each block's keys and statuses: a block of
    the other program with the same family, place and keys takes its statuses whole,
    without naming its keys one by one (a draw's assignment columns: 15 ms a draw)."""

    columns: dict[tuple[str, tuple[Hashable, ...]], highspy.HighsBasisStatus]
    rows: dict[tuple[str, tuple[Hashable, ...]], highspy.HighsBasisStatus]
    column_blocks: dict[tuple[str, int], tuple[Any, list[highspy.HighsBasisStatus]]] = field(
        default_factory=dict
    )
    row_blocks: dict[tuple[str, int], tuple[Any, list[highspy.HighsBasisStatus]]] = field(
        default_factory=dict
    )

    @classmethod
    def of(cls, program: LinearProgram, basis: highspy.HighsBasis) -> KeyedBasis:
        """``basis`` (of ``program``'s optimum) by name."""
        col_status, row_status = list(basis.col_status), list(basis.row_status)
        return cls(
            dict(zip(_named(program._col_blocks), col_status, strict=True)),
            dict(zip(_named(program._row_blocks), row_status, strict=True)),
            _statuses_by_block(program._col_blocks, col_status),
            _statuses_by_block(program._row_blocks, row_status),
        )

    def for_program(self, program: LinearProgram) -> highspy.HighsBasis:
        """The statuses of ``program``'s columns and rows found by name (a new column at
        its lower bound, a new row's slack basic), as an *alien* basis: HiGHS repairs
        it into a basis of the program (:func:`solve_with_highs`)."""
        found = highspy.HighsBasis()
        found.col_status = _statuses_of(
            program._col_blocks, self.column_blocks, self.columns, highspy.HighsBasisStatus.kLower
        )
        found.row_status = _statuses_of(
            program._row_blocks, self.row_blocks, self.rows, highspy.HighsBasisStatus.kBasic
        )
        found.alien = True
        found.valid = False
        return found


def _statuses_by_block(
    blocks: list[_Block], statuses: list[highspy.HighsBasisStatus]
) -> dict[tuple[str, int], tuple[Any, list[highspy.HighsBasisStatus]]]:
    """Each block's keys (a list copied; a frame is never changed once written) and
    statuses, by family and first column or row."""
    return {
        (block.family, block.start): (
            block.keys if isinstance(block.keys, pd.DataFrame) else list(block.keys),
            statuses[block.start : block.start + len(block.keys)],
        )
        for block in blocks
    }


def _same_keys(mine: Any, theirs: Any) -> bool:
    if isinstance(mine, pd.DataFrame) or isinstance(theirs, pd.DataFrame):
        return (
            isinstance(mine, pd.DataFrame)
            and isinstance(theirs, pd.DataFrame)
            and (mine is theirs or (mine.shape == theirs.shape and mine.equals(theirs)))
        )
    return bool(list(mine) == theirs)


def _statuses_of(
    blocks: list[_Block],
    kept: dict[tuple[str, int], tuple[Any, list[highspy.HighsBasisStatus]]],
    by_name: dict[tuple[str, tuple[Hashable, ...]], highspy.HighsBasisStatus],
    default: highspy.HighsBasisStatus,
) -> list[highspy.HighsBasisStatus]:
    """The status of each of ``blocks``' columns or rows, in program order: a block kept
    with the same keys whole, any other key by key (``default`` where unnamed)."""
    found: list[highspy.HighsBasisStatus] = []
    for block in blocks:
        same = kept.get((block.family, block.start))
        if same is not None and _same_keys(block.keys, same[0]):
            found += same[1]
        else:
            family = block.family
            found += [by_name.get((family, key), default) for key in block.key_list()]
    return found


class HighsSession:
    """One HiGHS instance kept across solves, for fast what-ifs.

    When the next program has the same matrix as the last one (a price, a cap or a
    capacity changed: only costs and bounds differ), only the changed costs and bounds
    are passed and the simplex restarts from the last optimal basis, usually a few
    iterations away. Any other program is passed whole and solved from scratch, so the
    solve's rounds stay exactly as a fresh solve would make them. The optimum
    is the same either way; where several plans tie for it, a restarted solve may
    return another of them.
    """

    def __init__(self) -> None:
        self.highs: highspy.Highs | None = None
        self.arrays: ProgramArrays | None = None
        self.restarts = 0

    def basis(self) -> highspy.HighsBasis | None:
        """The basis of the last LP solved (None before one, or after a MILP)."""
        if self.highs is None or self.arrays is None or self.arrays.integer.any():
            return None
        found = self.highs.getBasis()
        return found if found.valid else None

    def _same_matrix(self, arrays: ProgramArrays) -> bool:
        last = self.arrays
        return (
            last is not None
            and last.num_col == arrays.num_col
            and last.num_row == arrays.num_row
            and last.num_nz == arrays.num_nz
            and np.array_equal(last.integer, arrays.integer)
            and np.array_equal(last.a_start, arrays.a_start)
            and np.array_equal(last.a_index, arrays.a_index)
            and np.array_equal(last.a_value, arrays.a_value)
        )

    def solve(
        self,
        arrays: ProgramArrays,
        *,
        time_limit: float | None = None,
        gap_tolerance: float | None = None,
        basis: highspy.HighsBasis | None = None,
    ) -> Solution:
        """Solve ``arrays``: restarted from the last solve's basis when only costs and
        bounds changed, else afresh (from ``basis`` where given, see
        :func:`solve_with_highs`)."""
        if self.highs is None or self.arrays is None or not self._same_matrix(arrays):
            # A fresh instance: exactly the solve a first-time caller gets.
            solution, self.highs = solve_with_highs(
                arrays, time_limit=time_limit, gap_tolerance=gap_tolerance, basis=basis
            )
            self.arrays = arrays
            return solution
        start = time.perf_counter()
        highs, last = self.highs, self.arrays
        highs.setOptionValue("solver", "choose")  # from the last basis: the simplex
        if time_limit is not None:
            highs.setOptionValue("time_limit", float(time_limit))
        if gap_tolerance is not None:
            highs.setOptionValue("mip_rel_gap", float(gap_tolerance))
        changed = np.flatnonzero(last.cost != arrays.cost).astype(np.int32)
        if len(changed):
            highs.changeColsCost(len(changed), changed, arrays.cost[changed])
        changed = np.flatnonzero(
            (last.col_lower != arrays.col_lower) | (last.col_upper != arrays.col_upper)
        ).astype(np.int32)
        if len(changed):
            highs.changeColsBounds(
                len(changed), changed, arrays.col_lower[changed], arrays.col_upper[changed]
            )
        changed = np.flatnonzero(
            (last.row_lower != arrays.row_lower) | (last.row_upper != arrays.row_upper)
        ).astype(np.int32)
        if len(changed):
            highs.changeRowsBounds(  # type: ignore[attr-defined]  # missing from the stubs
                len(changed), changed, arrays.row_lower[changed], arrays.row_upper[changed]
            )
        if arrays.offset != last.offset:
            highs.changeObjectiveOffset(float(arrays.offset))
        handed = time.perf_counter()
        highs.run()
        solved = time.perf_counter()
        self.arrays = arrays
        self.restarts += 1
        return _read_solution(highs, arrays, handed - start, solved - handed)


def _pulp_status(status: Any) -> str:
    """A PuLP solve status in this module's words."""
    import pulp

    return {
        pulp.LpSolveStatus.Optimal: "optimal",
        pulp.LpSolveStatus.Infeasible: "infeasible",
        pulp.LpSolveStatus.Unbounded: "unbounded",
        pulp.LpSolveStatus.TimeLimit: "time_limit",
        pulp.LpSolveStatus.GapLimit: "gap_limit",
        pulp.LpSolveStatus.IterationLimit: "iteration_limit",
        pulp.LpSolveStatus.NumericalError: "numerical_error",
    }.get(status, "undefined")


def solve_with_pulp(
    program: LinearProgram,
    solver: pulp.LpSolver | None = None,
    *,
    time_limit: float | None = None,
    gap_tolerance: float | None = None,
    fixed: np.ndarray | None = None,
) -> Solution:
    """Solve through PuLP (the plain path): ``solver`` defaults to PuLP's HiGHS interface.
    ``fixed`` holds columns at its values where not NaN (as continuous columns)."""
    import pulp

    start = time.perf_counter()
    problem, variables, constraints = program.to_pulp()
    if fixed is not None:
        for column in np.flatnonzero(~np.isnan(fixed)):
            variable = variables[int(column)]
            variable.cat = pulp.LpContinuous
            variable.lowBound = variable.upBound = float(fixed[column])
    name = highs_version() if solver is None else type(solver).__name__
    solver = solver or pulp.HiGHS(msg=False, timeLimit=time_limit, threads=1, gapRel=gap_tolerance)
    built = time.perf_counter()
    stats = problem.solve(solver)
    solved = time.perf_counter()
    status = _pulp_status(stats.status)
    has_solution = bool(stats.has_solution)
    gap = stats.gap_rel
    if status == "optimal" and (gap is None or not program.is_mip):
        gap = 0.0
    objective = float(stats.objective or 0.0) if has_solution else None
    bound = None
    if objective is not None and gap is not None and status == "optimal":
        bound = objective - gap * abs(objective)
    values = duals = None
    if has_solution:
        values = np.array([v.varValue or 0.0 for v in variables], dtype=float)
        if not program.is_mip:
            duals = np.array([c.pi or 0.0 for c in constraints], dtype=float)
    return Solution(
        status=status,
        has_solution=has_solution,
        objective=objective,
        gap=gap,
        values=values,
        duals=duals,
        handover_seconds=built - start,
        solve_seconds=solved - built,
        solver=name,
        num_col=program.num_col,
        num_row=program.num_row,
        bound=bound,
    )
