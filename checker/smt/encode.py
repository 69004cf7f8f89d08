"""The IR in z3: one copy of the state per step, init, the transition relation, bad conditions.

NOTE(names): z3 constants are named `<display name>@<tag>` (e.g. `assoc[1]@3`) and the action
selector `$act@<tag>`; `@` and `$` cannot occur in identifiers, so names never collide. Names are
for humans reading SMT dumps only: decoding goes through the StateVars tables, never parses names.

NOTE(transition): exactly one action fires per step. `$act@t` picks it: the picked action's
guard holds, and each slot's next value is an if-then-else over the actions that write it, the
default being the old value (the frame). This is one term per slot instead of one frame equation
per (action, slot); docs/encoding.md has the measurements.

Two value encodings (docs/encoding.md): "int" (z3 Int with range constraints; the default) and
"bv" (one signed BitVec width for every integer term, wide enough for every subexpression; only
see intervals.py). Booleans are z3 Bools in both.

NOTE(domains): every state of the system is within its sorts (NOTE(range-steps) in
checker/explicit/search.py), so `domain(s)` is asserted of every state used as a state: the pre-state
of each step and the last state of an invariant trace. The post-state of a step property's bad
step is left unconstrained: a step that stores an out-of-range value is still a step, reported
by `range` (and by any step property it violates) with that post-state in the trace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import TypeAlias

import z3

from checker.smt.intervals import interval, max_magnitude, sort_interval
from model.ir import App, Const, Expr, Ite, Op, Property, Select, TransitionSystem, Var
from model.sorts import BoolSort

Z: TypeAlias = z3.ExprRef
STEP_KINDS = ("step", "range")


def is_step_kind(p: Property) -> bool:
    return p.kind in STEP_KINDS


def conj(ctx: z3.Context, xs: Sequence[Z]) -> Z:
    """And over xs, in ctx even when xs is empty (z3.And() would use the global context)."""
    return z3.And(*xs) if xs else z3.BoolVal(True, ctx)


def disj(ctx: z3.Context, xs: Sequence[Z]) -> Z:
    return z3.Or(*xs) if xs else z3.BoolVal(False, ctx)


class Num:
    """The integer theory in use: literals, coercions and the operations that differ by theory."""

    def __init__(self, width: int | None, ctx: z3.Context | None = None):
        self.width, self.ctx = width, ctx

    def val(self, v: int) -> Z:
        return z3.IntVal(v, self.ctx) if self.width is None else z3.BitVecVal(v, self.width, self.ctx)

    def const(self, name: str) -> Z:
        return z3.Int(name, self.ctx) if self.width is None else z3.BitVec(name, self.width, self.ctx)

    def num(self, x: Z) -> Z:
        return z3.If(x, self.val(1), self.val(0)) if z3.is_bool(x) else x

    def floordiv(self, a: Z, b: Z) -> Z:
        # NOTE(division) in model/evaluate.py: x // 0 == 0; Python floors, SMT-LIB div is
        # Euclidean (bvsdiv truncates), so both are corrected for a negative divisor.
        a, b = self.num(a), self.num(b)
        zero = self.val(0)
        if self.width is None and z3.is_int_value(b):   # no division-by-zero term at all
            v = b.as_long()
            return zero if v == 0 else (a / b if v > 0 else (-a) / self.val(-v))
        if self.width is None:
            q = z3.If(b > 0, a / b, (-a) / (-b))
        else:
            q = (a - a % b) / b    # `%` is bvsmod; a - a mod b is a multiple of b, so / is exact
        return z3.If(b == zero, zero, q)

    def mod(self, a: Z, b: Z) -> Z:
        a, b = self.num(a), self.num(b)
        zero = self.val(0)
        if self.width is None and z3.is_int_value(b):
            v = b.as_long()
            return zero if v == 0 else a - b * self.floordiv(a, b)
        if self.width is None:
            r = a - b * z3.If(b > 0, a / b, (-a) / (-b))
        else:
            r = a % b                      # bvsmod: the sign follows the divisor, as in Python
        return z3.If(b == zero, zero, r)


def boolean(x: Z) -> Z:
    return x if z3.is_bool(x) else x != 0


def _eq(n: Num) -> Callable[[Z, Z], Z]:
    def eq(a: Z, b: Z) -> Z:
        return a == b if z3.is_bool(a) and z3.is_bool(b) else n.num(a) == n.num(b)
    return eq


def make_ops(n: Num) -> dict[Op, Callable[..., Z]]:
    """The table for one integer theory; every ir.Op (tests check it against EVAL_OPS)."""
    eq = _eq(n)
    return {
        Op.NOT: lambda a: z3.Not(boolean(a)),
        Op.AND: lambda *xs: z3.And(*map(boolean, xs)),
        Op.OR: lambda *xs: z3.Or(*map(boolean, xs)),
        Op.IMPLIES: lambda a, b: z3.Implies(boolean(a), boolean(b)),
        Op.EQ: eq,
        Op.NE: lambda a, b: z3.Not(eq(a, b)),
        Op.LT: lambda a, b: n.num(a) < n.num(b),
        Op.LE: lambda a, b: n.num(a) <= n.num(b),
        Op.GT: lambda a, b: n.num(a) > n.num(b),
        Op.GE: lambda a, b: n.num(a) >= n.num(b),
        Op.ADD: lambda *xs: reduce(lambda x, y: x + y, map(n.num, xs)),
        Op.SUB: lambda a, b: n.num(a) - n.num(b),
        Op.NEG: lambda a: -n.num(a),
        Op.MUL: lambda *xs: reduce(lambda x, y: x * y, map(n.num, xs)),
        Op.DIV: n.floordiv,
        Op.MOD: n.mod,
    }


Z3_OPS: dict[Op, Callable[..., Z]] = make_ops(Num(None))   # the table for exact integers


@dataclass(frozen=True)
class EncodingOptions:
    """docs/encoding.md has the measurements behind the defaults."""

    ints: str = "bv"             # "bv" | "int" (PDR always uses int: Spacer needs arithmetic)
    frames: str = "slot-ite"     # "slot-ite" | "per-action" (measured alternative)
    solver: str = "auto"         # "auto" (finite-domain SAT solver for bv, z3's default for int) | "smt"
    # BMC's symmetry breaking (focus and lex-leader, NOTE(symmetry-breaking) in
    # checker/symmetry/focus.py): keeps every verdict and shortest depth; off for differential tests
    symmetry: bool = True
    # BMC's lasso encoding: "incremental" (NOTE(incremental-lasso) in lasso.py) or "quadratic"
    # (lasso_quadratic.py, the former one: the benchmark's baseline and a differential reference)
    lasso: str = "incremental"
    # BMC's lasso search refutes loop lengths for every depth at once, in a side solver
    # (NOTE(loop-lengths) in loops.py; the incremental encoding only); off: the measured baseline
    loop_lengths: bool = True


@dataclass(frozen=True)
class StateVars:
    """One copy of the state: vars[slot] is the z3 constant of that slot (the decode table)."""

    tag: str
    vars: tuple[Z, ...]


class Encoding:
    """Encodes one TransitionSystem; create StateVars with state(tag), then formulas over them."""

    def __init__(self, ts: TransitionSystem, options: EncodingOptions | None = None,
                 ctx: z3.Context | None = None):
        # NOTE(context): each check gets its own z3 context, so that its answers (and traces)
        # do not depend on what earlier checks in the same process created (term ids, caches)
        self.ctx = ctx or z3.Context()
        self.ts = ts
        self.options = options or EncodingOptions()
        names = [v.name for v in ts.vars]
        unique = len(set(names)) == len(names)
        self._names = names if unique else [f"{n}#{i}" for i, n in enumerate(names)]
        self._writers = self._writers_by_slot()
        self.slot_intervals = [sort_interval(v.sort) for v in ts.vars]
        self.num = self._theory()
        # the action selector gets its own width: there may be more actions than values
        self.act_num = self.num if self.num.width is None else \
            Num(max(len(ts.actions).bit_length() + 1, 2), self.ctx)
        self.ops = make_ops(self.num)
        # NOTE(templates): the transition relation, guards and bad conditions are built once
        # over template copies of the state and instantiated per step by z3.substitute (one C
        # call): building them through the Python API every step was half of BMC's time on TDX
        self._tx, self._ty = self.state("$x"), self.state("$y")
        self._ta = self.action("$x")
        self._templates: dict[tuple[str, int], tuple[object, Z]] = {}

    def _theory(self) -> Num:
        if self.options.ints == "int":
            return Num(None, self.ctx)
        if self.options.ints != "bv":
            raise ValueError(f"integer encoding {self.options.ints!r} is not available for {self.ts.name}")
        m = int(max_magnitude(self.ts))
        return Num(max(m.bit_length() + 2, 3), self.ctx)  # sign bit plus one bit of headroom

    def _writers_by_slot(self) -> list[list[tuple[int, Expr]]]:
        out: list[list[tuple[int, Expr]]] = [[] for _ in self.ts.vars]
        for i, a in enumerate(self.ts.actions):
            for slot, e in a.updates:
                out[slot].append((i, e))
        return out

    @property
    def logic(self) -> str | None:
        """The solver for this encoding: with bit-vectors every term is finite, so z3's
        finite-domain solver (bit-blasting to its incremental SAT solver) applies; it was 2-5x
        faster than the default SMT core on TDX BMC. None: z3's default solver."""
        if self.options.solver == "auto" and self.num.width is not None:
            return "QF_FD"
        return None

    # ---- variables -------------------------------------------------------------------------

    def state(self, tag: str) -> StateVars:
        vs = tuple(z3.Bool(f"{n}@{tag}", self.ctx) if isinstance(v.sort, BoolSort) else self.num.const(f"{n}@{tag}")
                   for n, v in zip(self._names, self.ts.vars, strict=True))
        return StateVars(tag, vs)

    def action(self, tag: str) -> Z:
        return self.act_num.const(f"$act@{tag}")

    def is_action(self, a: Z, i: int) -> Z:
        return a == self.act_num.val(i)

    # ---- expressions -----------------------------------------------------------------------

    def expr(self, e: Expr, s: StateVars) -> Z:
        return _Expr(self, s).go(e)

    def pred(self, e: Expr, s: StateVars) -> Z:
        return self._inst(self._template("pred", e, lambda: boolean(self.expr(e, self._tx))), s)

    def _template(self, kind: str, of: object, build: Callable[[], Z]) -> Z:
        """The formula for `of` over the template copies (NOTE(templates)); `of` is kept alive
        with it, so its id is never reused for another object while cached."""
        key = (kind, id(of))
        if key not in self._templates:
            self._templates[key] = (of, build())
        return self._templates[key][1]

    def _inst(self, f: Z, s: StateVars, a: Z | None = None, t: StateVars | None = None) -> Z:
        pairs = list(zip(self._tx.vars, s.vars, strict=True))
        if a is not None:
            pairs.append((self._ta, a))
        if t is not None:
            pairs.extend(zip(self._ty.vars, t.vars, strict=True))
        return z3.substitute(f, *pairs) if pairs else f

    # ---- system ----------------------------------------------------------------------------

    def domain(self, s: StateVars) -> Z:
        cs = []
        for v, x in zip(self.ts.vars, s.vars, strict=True):
            if isinstance(v.sort, BoolSort):
                continue
            iv = sort_interval(v.sort)
            cs.append(x == self.num.val(int(iv.lo)) if iv.lo == iv.hi else
                      z3.And(self.num.val(int(iv.lo)) <= x, x <= self.num.val(int(iv.hi))))
        return conj(self.ctx, cs)

    def init(self, s: StateVars) -> Z:
        cs = [self._one_of(x, vals) for x, vals in zip(s.vars, self.ts.init_values, strict=True)]
        if self.ts.init_constraint is not None:
            cs.append(self.pred(self.ts.init_constraint, s))
        return conj(self.ctx, cs)

    def _one_of(self, x: Z, vals: Sequence[int]) -> Z:
        if z3.is_bool(x):
            return disj(self.ctx, [x if v else z3.Not(x) for v in set(vals)])
        vs = sorted({int(v) for v in vals})
        if vs and vs == list(range(vs[0], vs[-1] + 1)):
            lo, hi = self.num.val(vs[0]), self.num.val(vs[-1])
            return x == lo if vs[0] == vs[-1] else z3.And(lo <= x, x <= hi)
        return disj(self.ctx, [x == self.num.val(v) for v in vs])

    def action_range(self, a: Z) -> Z:
        n = len(self.ts.actions)
        return z3.And(self.act_num.val(0) <= a, a < self.act_num.val(n)) if n else z3.BoolVal(False, self.ctx)

    def trans(self, s: StateVars, a: Z, t: StateVars) -> Z:
        """Exactly one action a fires from s to t (NOTE(transition))."""
        tmpl = self._template("trans", self.ts, lambda: self._trans(self._tx, self._ta, self._ty))
        return self._inst(tmpl, s, a, t)

    def _trans(self, s: StateVars, a: Z, t: StateVars) -> Z:
        ex = _Expr(self, s)
        if self.options.frames == "per-action":
            return self._trans_per_action(ex, a, s, t)
        cs = [self.action_range(a)]
        for i, act in enumerate(self.ts.actions):
            cs.append(z3.Implies(self.is_action(a, i), boolean(ex.go(act.guard))))
        for slot, writers in enumerate(self._writers):
            nxt = s.vars[slot]
            for e, acts in reversed(_by_value(writers)):
                fires = disj(self.ctx, [self.is_action(a, i) for i in acts])
                nxt = z3.If(fires, self._as(ex.go(e), nxt), nxt)
            cs.append(t.vars[slot] == nxt)
        return conj(self.ctx, cs)

    def _trans_per_action(self, ex: _Expr, a: Z, s: StateVars, t: StateVars) -> Z:
        cs = [self.action_range(a)]
        for i, act in enumerate(self.ts.actions):
            upd = dict(act.updates)
            eqs = [t.vars[j] == (self._as(ex.go(upd[j]), s.vars[j]) if j in upd else s.vars[j])
                   for j in range(len(self.ts.vars))]
            cs.append(z3.Implies(self.is_action(a, i), z3.And(boolean(ex.go(act.guard)), *eqs)))
        return conj(self.ctx, cs)

    def _as(self, x: Z, like: Z) -> Z:
        """x coerced to the sort of the slot it is stored in."""
        if z3.is_bool(like):
            return boolean(x)
        return self.num.num(x)

    def bad(self, p: Property, s: StateVars, a: Z | None) -> Z:
        """The property's bad condition at one position: state s (invariant, deadlock) or the
        step firing action a from s (step, range; see NOTE(properties) in model/ir.py)."""
        if not is_step_kind(p):
            return self._inst(self._template("bad", p, lambda: self._bad(p, self._tx, None)), s)
        assert a is not None
        return self._inst(self._template("bad", p, lambda: self._bad(p, self._tx, self._ta)), s, a)

    def hold(self, lemmas: tuple[Property, ...], s: StateVars) -> list[Z]:
        """`Not(bad(lem, s))` for each state lemma, in order: the same terms as one by one, but
        from one template of them all, instantiated by one substitution per state
        (NOTE(templates)): one per lemma per state was most of BMC's time on a spec with 164
        mined lemmas (Chandy-Misra N=5: 1.5 s of CPU to depth 30)."""
        tmpl = self._template("hold", lemmas, lambda: conj(
            self.ctx, [z3.Not(self.bad(lem, self._tx, None)) for lem in lemmas if not is_step_kind(lem)]))
        f = self._inst(tmpl, s)
        return [] if z3.is_true(f) else f.children() if z3.is_and(f) else [f]

    def guards(self, s: StateVars) -> list[Z]:
        """`pred(a.guard, s)` for every action, in order: the same terms, from one template of
        them all and one substitution per state (NOTE(templates); the lasso encoding asks for
        every guard in every state, for fairness and the stutter)."""
        acts = self.ts.actions
        if len(acts) < 2:
            return [self.pred(a.guard, s) for a in acts]
        tmpl = self._template("guards", acts, lambda: z3.And(*(self.pred(a.guard, self._tx) for a in acts)))
        return self._inst(tmpl, s).children()

    def _bad(self, p: Property, s: StateVars, a: Z | None) -> Z:
        if not is_step_kind(p):
            assert p.pred is not None
            return z3.Not(self.pred(p.pred, s))
        assert a is not None
        ex = _Expr(self, s)
        return disj(self.ctx, [z3.And(self.is_action(a, i), boolean(ex.go(b))) for i, b in p.bad])


def _by_value(writers: list[tuple[int, Expr]]) -> list[tuple[Expr, list[int]]]:
    """The actions writing a slot, grouped by the (structurally equal) value they write: one
    if-then-else per distinct value. TDX has 63 writers of vm_dead but 2 distinct values."""
    groups: dict[Expr, list[int]] = {}
    for i, e in writers:
        groups.setdefault(e, []).append(i)
    return list(groups.items())


CASE_SPLIT = (Op.MUL, Op.DIV, Op.MOD)
MAX_CASES = 16


class _Expr:
    """Encodes expressions over one state, sharing subterms (memo keyed by node identity)."""

    def __init__(self, enc: Encoding, s: StateVars):
        self.enc, self.s = enc, s
        self.memo: dict[int, Z] = {}

    def go(self, e: Expr) -> Z:
        k = id(e)
        got = self.memo.get(k)
        if got is None:
            got = self.memo[k] = self._encode(e)
        return got

    def _encode(self, e: Expr) -> Z:
        n = self.enc.num
        if isinstance(e, Const):
            return z3.BoolVal(bool(e.value), self.enc.ctx) if isinstance(e.sort, BoolSort) else n.val(int(e.value))
        if isinstance(e, Var):
            return self.s.vars[e.slot]
        if isinstance(e, Select):
            idx = n.num(self.go(e.index))
            cells = [self.s.vars[x] for x in e.slots]
            acc = cells[-1]
            for k in range(len(cells) - 2, -1, -1):
                acc = z3.If(idx == n.val(k + e.offset), cells[k], acc)
            return acc
        if isinstance(e, Ite):
            c, t, o = boolean(self.go(e.cond)), self.go(e.then), self.go(e.other)
            if z3.is_bool(t) != z3.is_bool(o):
                t, o = n.num(t), n.num(o)
            return z3.If(c, t, o)
        assert isinstance(e, App)
        if e.op in CASE_SPLIT and len(e.args) == 2 and not isinstance(e.args[1], Const):
            split = self._by_cases(e)
            if split is not None:
                return split
        return self.enc.ops[e.op](*(self.go(x) for x in e.args))

    def _by_cases(self, e: App) -> Z | None:
        """x * y, x // y, x % y with a variable y of few possible values: an if-then-else over
        them, so that every term is linear (Spacer rejects division by a variable, and
        nonlinear integer arithmetic is undecidable in general). Sound because every state
        is within its sorts (NOTE(domains)), so y's interval lists all its values."""
        iv = interval(e.args[1], self.enc.slot_intervals)
        if not iv.bounded or iv.hi - iv.lo >= MAX_CASES:
            return None
        a, b, f = self.go(e.args[0]), self.enc.num.num(self.go(e.args[1])), self.enc.ops[e.op]
        n = self.enc.num
        acc = f(a, n.val(int(iv.hi)))
        for v in range(int(iv.hi) - 1, int(iv.lo) - 1, -1):
            acc = z3.If(b == n.val(v), f(a, n.val(v)), acc)
        return acc
