"""A z3 formula over one StateVars copy -> an IR expression, so that the certificate PDR prints
is exactly the one re-checked (both go through the IR, not through z3's own terms).

`translate` is total: whatever Spacer answers, it returns an IR expression or raises
Untranslatable with what could not be expressed (a quantifier or bound variable left after
quantifier elimination, a real or a function z3 invented, a term too deep or too large), never
a z3 error; PDR then reports Unknown with that reason.
"""

from __future__ import annotations

from collections.abc import Callable

import z3

from checker.smt.encode import StateVars
from model.ir import App, Const, Expr, Ite, Op, TransitionSystem, Var
from model.sorts import BOOL, IntSort

WIDE = IntSort(-(2**63), 2**63)   # the sort of arithmetic terms z3 invents


MAX_NODES = 20_000   # distinct subterms: a certificate larger than this is no use to a reader
MAX_DEPTH = 200      # nesting: deeper terms would exhaust Python's stack here or in the encoder


class Untranslatable(Exception):
    """The certificate uses a z3 construct with no spec-language counterpart."""


def translate(f: z3.ExprRef, s: StateVars, ts: TransitionSystem) -> Expr:
    """f as a tidied IR expression (to_ir, then tidy); Untranslatable if it cannot be one."""
    try:
        return tidy(to_ir(f, s, ts))
    except z3.Z3Exception as e:   # a z3 accessor refusing a term the checks below let through
        msg = e.value.decode(errors="replace") if isinstance(e.value, bytes) else str(e.value)
        raise Untranslatable(f"z3: {msg}") from e
    except RecursionError as e:
        raise Untranslatable("nested too deeply") from e


NARY: dict[int, Op] = {z3.Z3_OP_AND: Op.AND, z3.Z3_OP_OR: Op.OR, z3.Z3_OP_ADD: Op.ADD, z3.Z3_OP_MUL: Op.MUL}
BINARY: dict[int, Op] = {
    z3.Z3_OP_IMPLIES: Op.IMPLIES, z3.Z3_OP_EQ: Op.EQ, z3.Z3_OP_IFF: Op.EQ, z3.Z3_OP_XOR: Op.NE,
    z3.Z3_OP_LE: Op.LE, z3.Z3_OP_LT: Op.LT, z3.Z3_OP_GE: Op.GE, z3.Z3_OP_GT: Op.GT,
}
# SMT-LIB div/mod agree with Python's // and % (NOTE(division)) only for a positive divisor
DIVS: dict[int, Op] = {z3.Z3_OP_IDIV: Op.DIV, z3.Z3_OP_MOD: Op.MOD}
BOOL_RESULT = {Op.AND, Op.OR, Op.IMPLIES, Op.EQ, Op.NE, Op.LE, Op.LT, Op.GE, Op.GT, Op.NOT}


def to_ir(f: z3.ExprRef, s: StateVars, ts: TransitionSystem) -> Expr:
    slots = {x.get_id(): i for i, x in enumerate(s.vars)}
    memo: dict[int, Expr] = {}

    depth = 0

    def go(t: z3.ExprRef) -> Expr:
        nonlocal depth
        k = t.get_id()
        if k not in memo:
            if len(memo) >= MAX_NODES:
                raise Untranslatable(f"more than {MAX_NODES} distinct subterms")
            if depth >= MAX_DEPTH:
                raise Untranslatable(f"nested more than {MAX_DEPTH} deep")
            depth += 1
            try:
                memo[k] = _node(t, go, slots, ts)
            finally:
                depth -= 1
        return memo[k]

    return go(f)


def _app(op: Op, args: tuple[Expr, ...]) -> Expr:
    return App(op, args, BOOL if op in BOOL_RESULT else WIDE)


def _node(t: z3.ExprRef, go: Callable[[z3.ExprRef], Expr], slots: dict[int, int],
          ts: TransitionSystem) -> Expr:
    if z3.is_quantifier(t):
        raise Untranslatable(f"a quantifier: {_short(t)}")
    if not z3.is_app(t):   # a bound (de Bruijn) variable outside its quantifier
        raise Untranslatable(f"a bound variable: {_short(t)}")
    if z3.is_true(t) or z3.is_false(t):
        return Const(bool(z3.is_true(t)), BOOL)
    if z3.is_int_value(t):
        assert isinstance(t, z3.IntNumRef)
        v = t.as_long()
        return Const(v, IntSort(v, v))
    if z3.is_const(t):
        if t.get_id() not in slots:
            raise Untranslatable(f"unknown constant {_short(t)}")
        i = slots[t.get_id()]
        return Var(i, ts.vars[i].sort)
    k = t.decl().kind()
    args = tuple(go(c) for c in t.children())
    if k in NARY and not args:
        raise Untranslatable(f"z3 operator {t.decl().name()} without arguments")
    if k in NARY:
        return args[0] if len(args) == 1 else _app(NARY[k], args)
    if k in BINARY and len(args) == 2:
        return _app(BINARY[k], args)
    if k in DIVS and len(args) == 2 and isinstance(args[1], Const) and args[1].value > 0:
        return _app(DIVS[k], args)
    if k == z3.Z3_OP_NOT and len(args) == 1:
        return _app(Op.NOT, args)
    if k == z3.Z3_OP_UMINUS and len(args) == 1:
        return _app(Op.NEG, args)
    if k == z3.Z3_OP_SUB and args:
        acc = args[0]
        for a in args[1:]:
            acc = _app(Op.SUB, (acc, a))
        return acc
    if k == z3.Z3_OP_DISTINCT and len(args) < 2:
        return Const(True, BOOL)
    if k == z3.Z3_OP_DISTINCT:
        pairs = [_app(Op.NE, (a, b)) for i, a in enumerate(args) for b in args[i + 1:]]
        return pairs[0] if len(pairs) == 1 else _app(Op.AND, tuple(pairs))
    if k == z3.Z3_OP_ITE and len(args) == 3:
        c, a, b = args
        return Ite(c, a, b, BOOL if z3.is_bool(t) else WIDE)
    raise Untranslatable(f"z3 operator {t.decl().name()} in {_short(t)}")


def _short(t: z3.ExprRef, limit: int = 200) -> str:
    text = " ".join(str(t).split())
    return text if len(text) <= limit else text[:limit] + "..."


NEGATED = {Op.EQ: Op.NE, Op.NE: Op.EQ, Op.LT: Op.GE, Op.LE: Op.GT, Op.GT: Op.LE, Op.GE: Op.LT}


def tidy(e: Expr) -> Expr:
    """Readable and equivalent: negations pushed into comparisons, constant operands of
    and/or dropped (`not count >= 4` becomes `count < 4`). Applied before the re-check, so the
    printed certificate is the checked one."""
    if not isinstance(e, App):
        return e
    args = tuple(tidy(a) for a in e.args)
    if e.op is Op.NOT:
        return _not(args[0])
    if e.op in (Op.AND, Op.OR):
        unit = e.op is Op.AND           # the neutral constant: true for and, false for or
        if any(isinstance(a, Const) and bool(a.value) != unit for a in args):
            return Const(not unit, BOOL)
        kept = tuple(a for a in args if not isinstance(a, Const))
        if not kept:
            return Const(unit, BOOL)
        return kept[0] if len(kept) == 1 else App(e.op, kept, BOOL)
    if e.op in NEGATED:
        return _by_domain(e.op, args) or App(e.op, args, e.sort)
    return App(e.op, args, e.sort)


TEST = {Op.EQ: int.__eq__, Op.NE: int.__ne__, Op.LT: int.__lt__, Op.LE: int.__le__,
        Op.GT: int.__gt__, Op.GE: int.__ge__}
MIRROR = {Op.EQ: Op.EQ, Op.NE: Op.NE, Op.LT: Op.GT, Op.LE: Op.GE, Op.GT: Op.LT, Op.GE: Op.LE}


def _by_domain(op: Op, args: tuple[Expr, ...]) -> Const | None:
    """A slot-versus-constant comparison that the slot's sort alone decides (`turn > -1` for an
    index): the certificate is re-checked together with the domain constraints."""
    a, b = args
    if isinstance(a, Const) and isinstance(b, Var):
        op, a, b = MIRROR[op], b, a
    if not (isinstance(a, Var) and isinstance(b, Const)):
        return None
    outcomes = {bool(TEST[op](int(v), int(b.value))) for v in a.sort.values()}
    return Const(outcomes.pop(), BOOL) if len(outcomes) == 1 else None


def _not(x: Expr) -> Expr:
    if isinstance(x, Const):
        return Const(not x.value, BOOL)
    if isinstance(x, App) and x.op is Op.NOT:
        return x.args[0]
    if isinstance(x, App) and x.op in NEGATED and not any(a.sort == BOOL for a in x.args):
        return App(NEGATED[x.op], x.args, BOOL)
    return App(Op.NOT, (x,), BOOL)
