"""IR expressions evaluated on many states at once (numpy), for the vector engine.

Each IR node becomes a closure over a `Rows` view (a block of states, one per row), built once
per search, like model/evaluate.py's closures over one state. The result of a closure is an
int64 or bool array with one entry per row, or a numpy scalar when the node reads no slot
(broadcast by the caller). No Python source is generated or evaluated.

NOTE(total-eval): the one-state evaluator short-circuits `and`, `or`, `=>` and if-then-else;
here every operand is evaluated on every row and the results are combined. That gives the same
values because IR expressions have no side effects and every operator is total on the rows
where its value is used: division by zero is 0 (NOTE(division) in model/evaluate.py), and a map
read whose key is out of the map's range (possible only in a branch whose value is discarded)
is clamped to a valid cell instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce

import numpy as np

from model.ir import App, Const, Expr, Ite, Op, Select, Var

Arr = np.ndarray


class Rows:
    """A block of states as an integer matrix (one row per state) restricted to `idx` rows.

    Columns are gathered on first use and cached, so a slot read by several nodes of one
    expression is gathered once.
    """

    __slots__ = ("x", "idx", "n", "_cols")

    def __init__(self, x: Arr, idx: Arr | None = None):
        self.x, self.idx = x, idx
        self.n = x.shape[0] if idx is None else len(idx)
        self._cols: dict[int, Arr] = {}

    def col(self, slot: int) -> Arr:
        c = self._cols.get(slot)
        if c is None:
            c = self.x[:, slot] if self.idx is None else self.x[:, slot][self.idx]
            self._cols[slot] = c
        return c

    def cells(self, slots: Arr, pos: Arr) -> Arr:
        """x[row, slots[pos[row]]] for every row (a map read with a per-row key)."""
        rows = np.arange(self.n) if self.idx is None else self.idx
        return self.x[rows, slots[pos]]


VFn = Callable[[Rows], "Arr | np.generic"]


def _i64(x: Arr) -> Arr:
    """Arithmetic in int64: states are stored in the narrowest integer type that holds every
    slot's values, where a sum of two slots could wrap."""
    return np.asarray(x, dtype=np.int64)


def _div(a: Arr, b: Arr) -> Arr:
    a, b = _i64(a), _i64(b)
    safe = np.where(b == 0, 1, b)
    return np.where(b == 0, 0, np.floor_divide(a, safe))


def _mod(a: Arr, b: Arr) -> Arr:
    a, b = _i64(a), _i64(b)
    safe = np.where(b == 0, 1, b)
    return np.where(b == 0, 0, np.remainder(a, safe))


VEC_OPS: dict[Op, Callable[..., Arr]] = {
    Op.NOT: np.logical_not,
    Op.AND: lambda *xs: reduce(np.logical_and, xs),
    Op.OR: lambda *xs: reduce(np.logical_or, xs),
    Op.IMPLIES: lambda a, b: np.logical_or(np.logical_not(a), b),
    Op.EQ: np.equal,
    Op.NE: np.not_equal,
    Op.LT: np.less,
    Op.LE: np.less_equal,
    Op.GT: np.greater,
    Op.GE: np.greater_equal,
    Op.ADD: lambda *xs: reduce(np.add, map(_i64, xs)),
    Op.SUB: lambda a, b: np.subtract(_i64(a), _i64(b)),
    Op.NEG: lambda a: np.negative(_i64(a)),
    Op.MUL: lambda a, b: np.multiply(_i64(a), _i64(b)),
    Op.DIV: _div,
    Op.MOD: _mod,
}


def vcompile(e: Expr) -> VFn:
    """A closure computing e on every row of a Rows block (see NOTE(total-eval))."""
    if isinstance(e, Const):
        v = np.int64(int(e.value))
        return lambda r: v
    if isinstance(e, Var):
        slot = e.slot
        return lambda r: r.col(slot)
    if isinstance(e, Select):
        return _select(e)
    if isinstance(e, Ite):
        c, t, o = vcompile(e.cond), vcompile(e.then), vcompile(e.other)
        return lambda r: np.where(c(r), t(r), o(r))
    return _app(e)


def _select(e: Select) -> VFn:
    slots = np.asarray(e.slots, dtype=np.int64)
    off, last, idx = e.offset, len(e.slots) - 1, vcompile(e.index)

    def f(r: Rows) -> Arr:
        pos = np.clip(np.asarray(idx(r), dtype=np.int64) - off, 0, last)
        if pos.ndim == 0:
            return r.col(int(slots[int(pos)]))
        return r.cells(slots, pos)
    return f


def _app(e: App) -> VFn:
    args = [vcompile(a) for a in e.args]
    f = VEC_OPS[e.op]
    if len(args) == 1:
        (a,) = args
        return lambda r: f(a(r))
    if len(args) == 2:
        a, b = args
        return lambda r: f(a(r), b(r))
    return lambda r: f(*(g(r) for g in args))


def as_mask(value: Arr | np.generic, n: int) -> Arr:
    """A boolean array of n rows from a closure's result (a scalar means every row)."""
    m = np.asarray(value).astype(bool, copy=False)
    return np.broadcast_to(m, (n,)) if m.ndim == 0 else m


def as_values(value: Arr | np.generic, n: int) -> Arr:
    v = np.asarray(value, dtype=np.int64)
    return np.broadcast_to(v, (n,)) if v.ndim == 0 else v
