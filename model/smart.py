"""Smart constructors for IR expressions: the one way to build them, keeping the IR normal.

And() is true, And(x) is x, operations on constants fold, Ite on a constant picks a branch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from model.evaluate import EVAL_OPS
from model.ir import App, Const, Expr, Ite, Op, Select, Var
from model.sorts import BOOL, IntSort, Sort

TRUE = Const(True, BOOL)
FALSE = Const(False, BOOL)


def const_int(v: int) -> Const:
    return Const(v, IntSort(v, v))


def is_true(e: Expr) -> bool:
    return isinstance(e, Const) and bool(e.value)


def is_false(e: Expr) -> bool:
    return isinstance(e, Const) and not e.value


def And(*xs: Expr) -> Expr:  # noqa: N802
    out: list[Expr] = []
    for x in xs:
        if is_false(x):
            return FALSE
        if isinstance(x, App) and x.op is Op.AND:
            out.extend(x.args)
        elif not is_true(x):
            out.append(x)
    if not out:
        return TRUE
    return out[0] if len(out) == 1 else App(Op.AND, tuple(out), BOOL)


def Or(*xs: Expr) -> Expr:  # noqa: N802
    out: list[Expr] = []
    for x in xs:
        if is_true(x):
            return TRUE
        if isinstance(x, App) and x.op is Op.OR:
            out.extend(x.args)
        elif not is_false(x):
            out.append(x)
    if not out:
        return FALSE
    return out[0] if len(out) == 1 else App(Op.OR, tuple(out), BOOL)


def Not(x: Expr) -> Expr:  # noqa: N802
    if isinstance(x, Const):
        return Const(not x.value, BOOL)
    if isinstance(x, App) and x.op is Op.NOT:
        return x.args[0]
    return App(Op.NOT, (x,), BOOL)


def Implies(a: Expr, b: Expr) -> Expr:  # noqa: N802
    if is_true(a):
        return b
    if is_false(a) or is_true(b):
        return TRUE
    return App(Op.IMPLIES, (a, b), BOOL)


def Eq(a: Expr, b: Expr) -> Expr:  # noqa: N802
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(a.value == b.value, BOOL)
    if a == b:
        return TRUE
    return App(Op.EQ, (a, b), BOOL)


def Ite_(c: Expr, t: Expr, o: Expr, sort: Sort) -> Expr:  # noqa: N802
    if isinstance(c, Const):
        return t if c.value else o
    if t == o:
        return t
    return Ite(c, t, o, sort)


def app(op: Op, args: Sequence[Expr], sort: Sort) -> Expr:
    """Generic constructor: dispatches to the folding ones, folds constants for the rest."""
    special: dict[Op, Callable[..., Expr]] = {Op.AND: And, Op.OR: Or, Op.NOT: Not,
                                              Op.IMPLIES: Implies, Op.EQ: Eq}
    if op in special:
        return special[op](*args)
    if all(isinstance(a, Const) for a in args):
        v = EVAL_OPS[op](*(a.value for a in args))  # type: ignore[union-attr]
        return Const(bool(v), BOOL) if sort == BOOL else Const(v, sort if not isinstance(
            sort, IntSort) else IntSort(v, v))
    return App(op, tuple(args), sort)


def subst(e: Expr, mapping: dict[int, Expr]) -> Expr:
    """Replace reads of slots by expressions (used for post-state values of a step)."""
    if isinstance(e, Var):
        return mapping.get(e.slot, e)
    if isinstance(e, Const):
        return e
    if isinstance(e, Select):
        idx = subst(e.index, mapping)
        cells = [mapping.get(s, Var(s, e.sort)) for s in e.slots]
        return select(cells, idx, e.offset, e.sort, e.slots)
    if isinstance(e, Ite):
        return Ite_(subst(e.cond, mapping), subst(e.then, mapping), subst(e.other, mapping), e.sort)
    return app(e.op, [subst(a, mapping) for a in e.args], e.sort)


def select(cells: Sequence[Expr], idx: Expr, offset: int, sort: Sort,
           slots: tuple[int, ...]) -> Expr:
    """Read cell idx-offset: a Var for a constant index, a Select when all cells are plain
    slot reads, else an if-then-else chain over the keys."""
    if isinstance(idx, Const):
        return cells[idx.value - offset]
    if all(isinstance(c, Var) and c.slot == s for c, s in zip(cells, slots, strict=True)):
        return Select(slots, idx, offset, sort)
    acc = cells[-1]
    for k in range(len(cells) - 2, -1, -1):
        acc = Ite_(Eq(idx, Const(k + offset, idx.sort)), cells[k], acc, sort)
    return acc
