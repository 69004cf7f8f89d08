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
    """A closure computing e on a state; short-circuits and/or/implies/ite.

    NOTE(eval-speed): the explicit engine spends its time here, so common shapes get their own
    closures: slot-equals-constant tests are batched into one tuple comparison, and `and`/`or`
    chains are unrolled instead of running a generator per state.
    """
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


def _slot_const(e: Expr) -> tuple[int, int] | None:
    if isinstance(e, App) and e.op is Op.EQ:
        a, b = e.args
        if isinstance(a, Var) and isinstance(b, Const):
            return a.slot, b.value
        if isinstance(b, Var) and isinstance(a, Const):
            return b.slot, a.value
    return None


def _compile_app(e: App) -> Fn:
    if e.op is Op.AND:
        return _and(list(e.args))
    if e.op is Op.OR:
        return _or([compile_expr(a) for a in e.args])
    if e.op is Op.IMPLIES:
        a, b = (compile_expr(x) for x in e.args)
        return lambda s: (not a(s)) or bool(b(s))
    sc = _slot_const(e)
    if sc is not None:
        i, c = sc
        return lambda s: s[i] == c
    if e.op is Op.NOT and (sc := _slot_const(e.args[0])) is not None:
        i, c = sc
        return lambda s: s[i] != c
    if e.op in (Op.EQ, Op.NE) and all(isinstance(a, Var) for a in e.args):
        i, j = (a.slot for a in e.args)  # type: ignore[union-attr]
        return (lambda s: s[i] == s[j]) if e.op is Op.EQ else (lambda s: s[i] != s[j])
    args = [compile_expr(a) for a in e.args]
    f = EVAL_OPS[e.op]
    if len(args) == 1:
        (a,) = args
        return lambda s: f(a(s))
    if len(args) == 2:
        a, b = args
        return lambda s: f(a(s), b(s))
    return lambda s: f(*(g(s) for g in args))


def _and(parts: list[Expr]) -> Fn:
    """Slot-constant tests first, as one tuple comparison; then the rest, unrolled."""
    tests = [t for p in parts if (t := _slot_const(p)) is not None]
    rest = [compile_expr(p) for p in parts if _slot_const(p) is None]
    fns: list[Fn] = []
    if len(tests) == 1:
        i, c = tests[0]
        fns.append(lambda s: s[i] == c)
    elif tests:
        get, want = operator.itemgetter(*(i for i, _ in tests)), tuple(c for _, c in tests)
        fns.append(lambda s: get(s) == want)
    fns.extend(rest)
    return _chain(fns, conj=True)


def _or(fns: list[Fn]) -> Fn:
    return _chain(fns, conj=False)


def _chain(fns: list[Fn], conj: bool) -> Fn:
    if not fns:
        return lambda s: conj
    if len(fns) == 1:
        f = fns[0]
        return lambda s: bool(f(s))
    if len(fns) > 8:   # long chains: a loop, so evaluation never nests deeply
        if conj:
            return lambda s: all(f(s) for f in fns)
        return lambda s: any(f(s) for f in fns)
    head, tail = fns[0], _chain(fns[1:], conj)
    if conj:
        return lambda s: bool(head(s)) and tail(s)
    return lambda s: bool(head(s)) or tail(s)


def evaluate(e: Expr, state: Sequence[int]) -> int:
    """Evaluate once (tests, replay); engines should compile_expr and reuse the closure."""
    return compile_expr(e)(state)
