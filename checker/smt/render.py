"""IR expressions as spec-language text (docs/spec-language.md), for printed certificates.

Slots print as their display names; a comparison of an enum or option slot with a constant prints
its members (`life == BLOCKED`, `assoc[0] == none`, `pc in {idle, want}`), a bool slot compared
with a constant prints as the slot or its negation. Parentheses are added where the grammar's
precedence needs them; comparisons are never chained by accident.
"""

from __future__ import annotations

from model.ir import App, Const, Expr, Ite, Op, Select, TransitionSystem, Var
from model.sorts import BoolSort, EnumSort, NoneSort, OptionSort, Sort

# precedence: higher binds tighter
P_ITE, P_IMPLIES, P_OR, P_AND, P_NOT, P_CMP, P_ADD, P_MUL, P_NEG, P_ATOM = range(10)
CMP = {Op.EQ: "==", Op.NE: "!=", Op.LT: "<", Op.LE: "<=", Op.GT: ">", Op.GE: ">="}
MIRROR = {Op.EQ: Op.EQ, Op.NE: Op.NE, Op.LT: Op.GT, Op.LE: Op.GE, Op.GT: Op.LT, Op.GE: Op.LE}
TEST = {Op.EQ: int.__eq__, Op.NE: int.__ne__, Op.LT: int.__lt__, Op.LE: int.__le__,
        Op.GT: int.__gt__, Op.GE: int.__ge__}
MULS = {Op.MUL: "*", Op.DIV: "//", Op.MOD: "%"}


def render(e: Expr, ts: TransitionSystem) -> str:
    return _Render(ts).go(e)[0]


def _symbolic(s: Sort) -> bool:
    return isinstance(s, (EnumSort, OptionSort, BoolSort, NoneSort))


class _Render:
    def __init__(self, ts: TransitionSystem):
        self.ts = ts

    def sub(self, e: Expr, least: int) -> str:
        """e rendered, parenthesized unless it binds at least as tightly as `least`."""
        text, p = self.go(e)
        return text if p >= least else f"({text})"

    def go(self, e: Expr) -> tuple[str, int]:
        if isinstance(e, Const):
            return self.const(e.value, e.sort)
        if isinstance(e, Var):
            return self.ts.vars[e.slot].name, P_ATOM
        if isinstance(e, Select):
            first = self.ts.vars[e.slots[0]]
            return first.name_with(_varying_key(self.ts, e.slots), self.go(e.index)[0]), P_ATOM
        if isinstance(e, Ite):
            return (f"{self.sub(e.then, P_OR)} if {self.sub(e.cond, P_OR)} else {self.sub(e.other, P_ITE)}",
                    P_ITE)
        return self.app(e)

    def const(self, v: int, sort: Sort) -> tuple[str, int]:
        if isinstance(sort, BoolSort):
            return ("true" if v else "false"), P_ATOM
        if _symbolic(sort):
            return sort.render(v), P_ATOM
        return str(int(v)), (P_NEG if v < 0 else P_ATOM)

    def app(self, e: App) -> tuple[str, int]:
        op, xs = e.op, e.args
        if op is Op.NOT:
            return f"not {self.sub(xs[0], P_NOT)}", P_NOT
        if op in (Op.AND, Op.OR):
            p = P_AND if op is Op.AND else P_OR
            return f" {op.value} ".join(self.sub(x, p + 1 if op is Op.OR else p) for x in xs), p
        if op is Op.IMPLIES:
            return f"{self.sub(xs[0], P_IMPLIES + 1)} => {self.sub(xs[1], P_IMPLIES)}", P_IMPLIES
        if op in CMP:
            return self.compare(op, xs[0], xs[1])
        if op is Op.ADD:
            return self.sum(xs), P_ADD
        if op is Op.SUB:
            return f"{self.sub(xs[0], P_ADD)} - {self.sub(xs[1], P_MUL)}", P_ADD
        if op is Op.NEG:
            return f"-{self.sub(xs[0], P_NEG)}", P_NEG
        sym = MULS[op]
        return f" {sym} ".join([self.sub(xs[0], P_MUL), *(self.sub(x, P_NEG) for x in xs[1:])]), P_MUL

    def sum(self, xs: tuple[Expr, ...]) -> str:
        out = self.sub(xs[0], P_ADD)
        for x in xs[1:]:
            neg = _negated(x)
            out += f" - {self.sub(neg, P_MUL)}" if neg is not None else f" + {self.sub(x, P_MUL)}"
        return out

    def compare(self, op: Op, a: Expr, b: Expr) -> tuple[str, int]:
        if isinstance(a, Const) and isinstance(b, Var):
            op, a, b = MIRROR[op], b, a
        if isinstance(a, Var) and isinstance(b, Const) and _symbolic(a.sort):
            return self.members(op, a, int(b.value))
        return f"{self.sub(a, P_CMP + 1)} {CMP[op]} {self.sub(b, P_CMP + 1)}", P_CMP

    def members(self, op: Op, v: Var, c: int) -> tuple[str, int]:
        """`v op c` for a symbolic slot, as the members it allows."""
        name, sort = self.ts.vars[v.slot].name, v.sort
        vals = [int(x) for x in sort.values() if TEST[op](int(x), c)]
        if isinstance(sort, BoolSort):
            if len(vals) != 1:
                return ("true" if vals else "false"), P_ATOM
            return (name, P_ATOM) if vals[0] else (f"not {name}", P_NOT)
        if not vals:
            return "false", P_ATOM
        if len(vals) == len(sort.values()):
            return "true", P_ATOM
        if len(vals) == 1:
            return f"{name} == {sort.render(vals[0])}", P_CMP
        rest = [x for x in sort.values() if int(x) not in vals]
        if len(rest) == 1:
            return f"{name} != {sort.render(rest[0])}", P_CMP
        return f"{name} in {{{', '.join(sort.render(x) for x in vals)}}}", P_CMP


def _negated(x: Expr) -> Expr | None:
    """y when x is -y, (-c) * y or a negative constant; for rendering `a - y`."""
    if isinstance(x, App) and x.op is Op.NEG:
        return x.args[0]
    if isinstance(x, Const) and not isinstance(x.sort, BoolSort) and x.value < 0:
        return Const(-x.value, x.sort)
    if isinstance(x, App) and x.op is Op.MUL and len(x.args) == 2 and isinstance(x.args[0], Const) \
            and x.args[0].value < 0:
        c = -x.args[0].value
        return x.args[1] if c == 1 else App(Op.MUL, (Const(c, x.args[0].sort), x.args[1]), x.sort)
    return None


def _varying_key(ts: TransitionSystem, slots: tuple[int, ...]) -> int:
    """Which key of a Select's cells its index picks (NOTE(key-paths): the one they differ in)."""
    if len(slots) < 2:
        return 0
    a, b = ts.vars[slots[0]].key_path, ts.vars[slots[1]].key_path
    return next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), 0)
