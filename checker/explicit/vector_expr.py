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

NOTE(int64-exact): the reference semantics is exact integer arithmetic (model/evaluate.py); numpy
computes in int64 and wraps around silently (65536**4 is 0). A numpy closure is used for a node
only when it is exact, and that is proved per node, before the search, by interval analysis
(checker/core/intervals.py): every slot holds a value of its sort on every row a closure sees
(rows are explored states, NOTE(range-steps) in checker/explicit/search.py), so the interval of a
node bounds its value on every row, even where NOTE(total-eval) computes a branch whose value is
discarded. When the intervals of the node, of its operands and of every intermediate numpy
result (each partial sum of an n-ary `+`, a map key minus the map's offset) lie within
INT64_SAFE, each numpy operation's exact result fits int64, so it is computed without wrapping
and the node's value is the exact one. INT64_SAFE leaves out -2**63, the one int64 whose
negation and quotient by -1 overflow.
Otherwise the smallest enclosing node whose own value fits int64 (a comparison, a `%`, at the
latest the whole guard or property) is computed exactly instead: the one-state closure of
model/evaluate.py on every row, with Python ints. An update whose value may not fit int64 at
all is computed exactly into an array of Python ints, range-checked on those
(checker/explicit/vector.py), and only in-range values are stored. A literal of 2**63 or more is
such a node: it forces the exact path and never reaches np.int64. So the fast path gives the
exact values wherever it is taken, and the slow path is the reference evaluator itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import reduce

import numpy as np

from checker.core.intervals import Interval, app_interval, cells_interval, interval
from model.evaluate import compile_expr
from model.ir import Const, Expr, Ite, Op, Select, Var

Arr = np.ndarray


class Rows:
    """A block of states as an integer matrix (one row per state) restricted to `idx` rows.

    Columns are gathered on first use and cached, so a slot read by several nodes of one
    expression is gathered once.
    """

    __slots__ = ("x", "idx", "n", "_cols", "_states")

    def __init__(self, x: Arr, idx: Arr | None = None):
        self.x, self.idx = x, idx
        self.n = x.shape[0] if idx is None else len(idx)
        self._cols: dict[int, Arr] = {}
        self._states: list[list[int]] | None = None

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

    def states(self) -> list[list[int]]:
        """The rows as lists of Python ints, for the exact path (NOTE(int64-exact))."""
        if self._states is None:
            self._states = (self.x if self.idx is None else self.x[self.idx]).tolist()
        return self._states


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


INT64_SAFE = Interval(-(2**63 - 1), 2**63 - 1)     # NOTE(int64-exact)


def fits_int64(e: Expr, slots: Sequence[Interval]) -> bool:
    """Whether e's value fits int64 on every state within the sorts (`slots`)."""
    return interval(e, slots).within(INT64_SAFE)


def vcompile(e: Expr, slots: Sequence[Interval]) -> VFn:
    """A closure computing e exactly on every row of a Rows block (NOTE(total-eval),
    NOTE(int64-exact)). `slots` are the intervals of the slots' sorts. The result is an int64 or
    bool array, a numpy scalar, or, when e's value may not fit int64, an object array of Python
    ints."""
    fn, _ = _node(e, slots)
    return fn if fn is not None else _exact(e, wide=True)


def _node(e: Expr, slots: Sequence[Interval]) -> tuple[VFn | None, Interval]:
    """e's numpy closure (exact where it is used: NOTE(int64-exact)) and e's interval; the
    closure is None when e's own value may not fit int64, so that its parent must be exact."""
    if isinstance(e, Const):
        iv = Interval(int(e.value), int(e.value))
        v = np.int64(iv.lo) if iv.within(INT64_SAFE) else None
        return (lambda r: v) if v is not None else None, iv
    if isinstance(e, Var):
        slot, iv = e.slot, slots[e.slot]
        return (lambda r: r.col(slot)) if iv.within(INT64_SAFE) else None, iv
    if isinstance(e, Select):
        f, idx = _node(e.index, slots)
        iv = cells_interval(e, slots)
        steps = [Interval(idx.lo - e.offset, idx.hi - e.offset)]     # the cell's position
        return _fast_or_exact(e, iv, [f], steps, lambda fs: _select(e, fs[0])), iv
    if isinstance(e, Ite):
        parts = [_node(x, slots) for x in (e.cond, e.then, e.other)]
        iv = parts[1][1].union(parts[2][1])
        fns = [f for f, _ in parts]
        return _fast_or_exact(e, iv, fns, [], lambda fs: _ite(*fs)), iv
    parts = [_node(x, slots) for x in e.args]
    ivs = [v for _, v in parts]
    iv = app_interval(e.op, ivs)
    # numpy folds an n-ary `+` left to right: its partial sums must fit too
    steps = [app_interval(Op.ADD, ivs[:k]) for k in range(2, len(ivs))] if e.op is Op.ADD else []
    fns = [f for f, _ in parts]
    return _fast_or_exact(e, iv, fns, steps, lambda fs: _app(e.op, fs)), iv


def _fast_or_exact(e: Expr, iv: Interval, operands: list[VFn | None], steps: list[Interval],
                   fast: Callable[[list[VFn]], VFn]) -> VFn | None:
    """fast(operands) when e, its operands and its steps fit int64; else e's exact closure, or
    None when e's own value may not fit (NOTE(int64-exact))."""
    if not iv.within(INT64_SAFE):
        return None
    fns = [f for f in operands if f is not None]
    if len(fns) == len(operands) and all(s.within(INT64_SAFE) for s in steps):
        return fast(fns)
    return _exact(e, wide=False)


def _exact(e: Expr, wide: bool) -> VFn:
    """e by the one-state evaluator on every row: exact (NOTE(int64-exact)); an object array of
    Python ints when its value may not fit int64."""
    f = compile_expr(e)
    dtype = object if wide else np.int64
    return lambda r: np.fromiter(map(f, r.states()), dtype=dtype, count=r.n)


def _ite(c: VFn, t: VFn, o: VFn) -> VFn:
    return lambda r: np.where(c(r), t(r), o(r))


def _select(e: Select, idx: VFn) -> VFn:
    slots = np.asarray(e.slots, dtype=np.int64)
    off, last = e.offset, len(e.slots) - 1

    def f(r: Rows) -> Arr:
        pos = np.clip(np.asarray(idx(r), dtype=np.int64) - off, 0, last)
        if pos.ndim == 0:
            return r.col(int(slots[int(pos)]))
        return r.cells(slots, pos)
    return f


def _app(op: Op, args: list[VFn]) -> VFn:
    f = VEC_OPS[op]
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
    """An int64 array of n rows from a closure's result, or its object array as it is."""
    v = np.asarray(value)
    if v.dtype != object:
        v = v.astype(np.int64, copy=False)
    return np.broadcast_to(v, (n,)) if v.ndim == 0 else v
