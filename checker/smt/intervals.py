"""Value intervals of IR expressions: how wide a bit-vector must be so no term overflows.

Every state of the system is within its slots' sorts (NOTE(range-steps) in checker/explicit/search.py:
the post-state of an out-of-range step is shown in a counterexample but never explored), so the
slots' sorts bound every subexpression evaluated on a state. No z3 here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from model.ir import App, Const, Expr, Ite, Op, Select, TransitionSystem, Var
from model.sorts import BoolSort, EnumSort, IndexSort, IntSort, NoneSort, OptionSort, Sort

Bound = int | float          # float only for +-inf

BOOL_OPS = frozenset({Op.NOT, Op.AND, Op.OR, Op.IMPLIES, Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE})


@dataclass(frozen=True)
class Interval:
    lo: Bound
    hi: Bound

    def union(self, o: Interval) -> Interval:
        return Interval(min(self.lo, o.lo), max(self.hi, o.hi))

    def within(self, o: Interval) -> bool:
        return o.lo <= self.lo and self.hi <= o.hi

    @property
    def bounded(self) -> bool:
        return not (math.isinf(self.lo) or math.isinf(self.hi))



def sort_interval(s: Sort) -> Interval:
    if isinstance(s, BoolSort):
        return Interval(0, 1)
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


def _mul(a: Interval, b: Interval) -> Interval:
    # 0 * inf is 0 here: an exact zero times anything is zero
    ps = [0 if (x == 0 or y == 0) else x * y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
    return Interval(min(ps), max(ps))


def _mag(a: Interval) -> Bound:
    return max(abs(a.lo), abs(a.hi))


def _app(op: Op, xs: list[Interval]) -> Interval:
    if op in BOOL_OPS:
        return Interval(0, 1)
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
    if op is Op.DIV:   # |a // b| <= |a| for b != 0, and 0 for b == 0
        m = _mag(xs[0])
        return Interval(-m, m)
    assert op is Op.MOD  # |a % b| < |b|, and 0 for b == 0
    m = _mag(xs[1])
    return Interval(-(m - 1), m - 1) if m >= 1 else Interval(0, 0)


def interval(e: Expr, slots: Sequence[Interval]) -> Interval:
    if isinstance(e, Const):
        return Interval(int(e.value), int(e.value))
    if isinstance(e, Var):
        return slots[e.slot]
    if isinstance(e, Select):
        acc = slots[e.slots[0]]
        for s in e.slots[1:]:
            acc = acc.union(slots[s])
        return acc
    if isinstance(e, Ite):
        return interval(e.then, slots).union(interval(e.other, slots))
    return _app(e.op, [interval(a, slots) for a in e.args])


def subexprs(e: Expr) -> Iterator[Expr]:
    yield e
    if isinstance(e, Select):
        yield from subexprs(e.index)
    elif isinstance(e, Ite):
        for x in (e.cond, e.then, e.other):
            yield from subexprs(x)
    elif isinstance(e, App):
        for x in e.args:
            yield from subexprs(x)


def all_exprs(ts: TransitionSystem) -> Iterator[Expr]:
    """Every expression an engine may encode."""
    if ts.init_constraint is not None:
        yield ts.init_constraint
    for a in ts.actions:
        yield a.guard
        yield from (e for _, e in a.updates)
    for p in (*ts.properties, *ts.lemmas):
        if p.pred is not None:
            yield p.pred
        yield from (b for _, b in p.bad)


def max_magnitude(ts: TransitionSystem) -> Bound:
    """The largest |value| of any subexpression evaluated on a state within the sorts."""
    ivs = [sort_interval(v.sort) for v in ts.vars]
    m: Bound = max((_mag(iv) for iv in ivs), default=1)
    for e in all_exprs(ts):
        for x in subexprs(e):
            m = max(m, _mag(interval(x, ivs)))
    return m
