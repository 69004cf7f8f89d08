"""Concrete evaluation of IR expressions: compiled once into closures over a state tuple.

No Python source is generated or evaluated: each IR node becomes a small closure. The table
EVAL_OPS covers every ir.Op (a test checks it against the SMT encoder's table).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from functools import reduce

from model.ir import App, Const, Expr, Ite, Op, Select, Var

State = tuple[int, ...]
Fn = Callable[[Sequence[int]], int]


def _floordiv(a: int, b: int) -> int:
    # NOTE(division): division by zero yields 0 in every engine (as SMT-LIB leaves it free,
    # the SMT encoder pins it to 0 too), so no engine can crash or disagree on it.
    return a // b if b else 0


def _mod(a: int, b: int) -> int:
    return a % b if b else 0


EVAL_OPS: dict[Op, Callable[..., int]] = {
    Op.NOT: operator.not_,
    Op.AND: lambda *xs: all(xs),
    Op.OR: lambda *xs: any(xs),
    Op.IMPLIES: lambda a, b: (not a) or bool(b),
    Op.EQ: operator.eq,
    Op.NE: operator.ne,
    Op.LT: operator.lt,
    Op.LE: operator.le,
    Op.GT: operator.gt,
    Op.GE: operator.ge,
    Op.ADD: lambda *xs: reduce(operator.add, xs),
    Op.SUB: operator.sub,
    Op.NEG: operator.neg,
    Op.MUL: operator.mul,
    Op.DIV: _floordiv,
    Op.MOD: _mod,
}


def compile_expr(e: Expr) -> Fn:
    """A closure computing e on a state; short-circuits and/or/implies/ite."""
    if isinstance(e, Const):
        v = e.value
        return lambda s: v
    if isinstance(e, Var):
        return operator.itemgetter(e.slot)
    if isinstance(e, Select):
        return _compile_select(e)
    if isinstance(e, Ite):
        c, t, o = compile_expr(e.cond), compile_expr(e.then), compile_expr(e.other)
        return lambda s: t(s) if c(s) else o(s)
    return _compile_app(e)


def _compile_select(e: Select) -> Fn:
    slots, off, idx = e.slots, e.offset, compile_expr(e.index)
    return lambda s: s[slots[idx(s) - off]]


def _compile_app(e: App) -> Fn:
    args = [compile_expr(a) for a in e.args]
    if e.op is Op.AND:
        return _and(args)
    if e.op is Op.OR:
        return _or(args)
    if e.op is Op.IMPLIES:
        a, b = args
        return lambda s: (not a(s)) or bool(b(s))
    f = EVAL_OPS[e.op]
    if len(args) == 1:
        (a,) = args
        return lambda s: f(a(s))
    if len(args) == 2:
        a, b = args
        return lambda s: f(a(s), b(s))
    return lambda s: f(*(g(s) for g in args))


def _and(args: list[Fn]) -> Fn:
    if len(args) == 2:
        a, b = args
        return lambda s: bool(a(s)) and bool(b(s))
    return lambda s: all(g(s) for g in args)


def _or(args: list[Fn]) -> Fn:
    if len(args) == 2:
        a, b = args
        return lambda s: bool(a(s)) or bool(b(s))
    return lambda s: any(g(s) for g in args)


def evaluate(e: Expr, state: Sequence[int]) -> int:
    """Evaluate once (tests, replay); engines should compile_expr and reuse the closure."""
    return compile_expr(e)(state)
