"""Value intervals of IR expressions, in exact integers.

`interval(e, slots)` is the least and greatest value e can take on any state whose slots hold
values of their sorts. Every state an engine explores is within its slots' sorts (NOTE(range-steps)
in checker/explicit/search.py: the post-state of an out-of-range step is shown but never
explored), so the bound holds for every subexpression evaluated on an explored state, including
an if-then-else branch whose value is then discarded, and a map read through any of its cells.
The explicit engine uses it to prove that int64 arithmetic cannot overflow (NOTE(int64-exact) in
checker/explicit/vector_expr.py). Sorts are finite and constants are Python ints, so every bound
is an exact int: no infinities, no rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from model.ir import Const, Expr, Ite, Op, Select, TransitionSystem, Var
from model.sorts import BoolSort, EnumSort, IndexSort, IntSort, NoneSort, OptionSort, Sort

BOOL_OPS = frozenset({Op.NOT, Op.AND, Op.OR, Op.IMPLIES, Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE})


@dataclass(frozen=True)
class Interval:
    lo: int
    hi: int

    def union(self, o: Interval) -> Interval:
        return Interval(min(self.lo, o.lo), max(self.hi, o.hi))

    def within(self, o: Interval) -> bool:
        return o.lo <= self.lo and self.hi <= o.hi

    @property
    def magnitude(self) -> int:
        return max(abs(self.lo), abs(self.hi))


BOOL_INTERVAL = Interval(0, 1)


def sort_interval(s: Sort) -> Interval:
    """The least and greatest value of s (NOTE(value-encoding) in model/sorts.py), computed
    without enumerating it."""
    if isinstance(s, BoolSort):
        return BOOL_INTERVAL
    if isinstance(s, IntSort):
        return Interval(s.lo, s.hi)
    if isinstance(s, EnumSort):
        return Interval(0, len(s.members) - 1)
    if isinstance(s, IndexSort):
        return Interval(0, s.size - 1)
    if isinstance(s, OptionSort):
        return Interval(-1, sort_interval(s.inner).hi)
    assert isinstance(s, NoneSort)
    return Interval(-1, -1)


def slot_intervals(ts: TransitionSystem) -> tuple[Interval, ...]:
    return tuple(sort_interval(v.sort) for v in ts.vars)


def _mul(a: Interval, b: Interval) -> Interval:
    ps = [x * y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
    return Interval(min(ps), max(ps))


def app_interval(op: Op, xs: Sequence[Interval]) -> Interval:
    """The interval of op applied to arguments within xs (model/evaluate.py's EVAL_OPS)."""
    if op in BOOL_OPS:
        return BOOL_INTERVAL
    if op is Op.ADD:
        return Interval(sum(x.lo for x in xs), sum(x.hi for x in xs))
    if op is Op.SUB:
        return Interval(xs[0].lo - xs[1].hi, xs[0].hi - xs[1].lo)
    if op is Op.NEG:
        return Interval(-xs[0].hi, -xs[0].lo)
    if op is Op.MUL:
        acc = xs[0]
        for x in xs[1:]:
            acc = _mul(acc, x)
        return acc
    if op is Op.DIV:    # |a // b| <= |a| when b != 0, and a // 0 is 0 (NOTE(division))
        m = xs[0].magnitude
        return Interval(-m, m)
    assert op is Op.MOD     # a % b lies between 0 and b (exclusive), and a % 0 is 0
    b = xs[1]
    return Interval(min(0, b.lo + 1), max(0, b.hi - 1))


def interval(e: Expr, slots: Sequence[Interval]) -> Interval:
    """The values e can take on states within the sorts whose slot intervals are `slots`."""
    if isinstance(e, Const):
        return Interval(int(e.value), int(e.value))
    if isinstance(e, Var):
        return slots[e.slot]
    if isinstance(e, Select):
        return cells_interval(e, slots)
    if isinstance(e, Ite):
        return interval(e.then, slots).union(interval(e.other, slots))
    return app_interval(e.op, [interval(a, slots) for a in e.args])


def cells_interval(e: Select, slots: Sequence[Interval]) -> Interval:
    """A map read yields the value of one of its cells."""
    acc = slots[e.slots[0]]
    for s in e.slots[1:]:
        acc = acc.union(slots[s])
    return acc
