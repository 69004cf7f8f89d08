"""The parameterised system (model/lower_param.py) in z3: uninterpreted sorts, functions and
quantifiers. Building terms only; the queries are in forall.py.

NOTE(forall-vocabulary): there is one vocabulary, the pre-state's. A symmetric set is a z3
uninterpreted sort, an option over it a datatype (none | some(elem)); bools are Bool and every
other finite sort an Int held in its range by `type_ok`. A scalar slot is a constant, a function
slot (a map over a symmetric set, a field of a machine family) a z3 function. The post-state of
an action is not a second vocabulary but a `View` of the pre-state: a scalar slot reads its
update, a function slot at element k reads the update with its frame element bound to k. So a
consecution query has no frame axioms and no quantifier the spec did not write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias, cast

import z3

from model.ir import App, Const, Expr, Ite, Op, Select, Var
from model.lower_param import PAction, ParamSystem, Quant, is_sym
from model.sorts import BoolSort, IndexSort, NoneSort, OptionSort, Sort, bounds

Term: TypeAlias = z3.ExprRef


@dataclass
class View:
    """How a state's slots read: a scalar slot -> term, a function slot -> (element -> term)."""

    scalar: Callable[[int], Term]
    fn: Callable[[int, Term], Term]
    bound: dict[int, Term] = field(default_factory=dict)

    def with_bound(self, slot: int, t: Term) -> View:
        return View(self.scalar, self.fn, {**self.bound, slot: t})


class ParamEncoding:
    def __init__(self, ps: ParamSystem, ctx: z3.Context):
        self.ps, self.ctx = ps, ctx
        self.sorts = {s.name: z3.DeclareSort(s.name, ctx) for s in ps.sorts}
        self.opts: dict[str, z3.DatatypeSortRef] = {}
        for name, srt in self.sorts.items():
            d = z3.Datatype(f"{name}?", ctx)
            d.declare("none")
            d.declare("some", ("elem", srt))
            self.opts[name] = d.create()
        self.consts: dict[int, Term] = {}
        self.fns: dict[int, z3.FuncDeclRef] = {}
        for i, v in enumerate(ps.vars):
            if ps.is_fn(i):
                ks = cast(IndexSort, v.key_sort)
                self.fns[i] = z3.Function(v.base, self.sorts[ks.name], self.z3sort(v.sort))
            else:
                self.consts[i] = z3.Const(v.name, self.z3sort(v.sort))
        self.pre = View(lambda s: self.consts[s], lambda s, k: self.fns[s](k))

    # ---- sorts ---------------------------------------------------------------------------
    def z3sort(self, s: Sort) -> z3.SortRef:
        if isinstance(s, BoolSort):
            return z3.BoolSort(self.ctx)
        if is_sym(s):
            inner = s.inner if isinstance(s, OptionSort) else s
            return self.opts[inner.name] if isinstance(s, OptionSort) else self.sorts[inner.name]  # type: ignore[union-attr]
        return z3.IntSort(self.ctx)

    def element(self, j: int) -> Term:
        """The z3 constant of bound element Var(-(j+1)) (free: existential in a query)."""
        name, s = self.ps.bound[j]
        return z3.Const(f"{name}#{j}", self.z3sort(s))

    def lift(self, t: Term, frm: Sort, to: Sort) -> Term:
        """A value of sort frm as one of sort to (an element or none into an option)."""
        if isinstance(to, OptionSort) and is_sym(to):
            d = self.opts[to.inner.name]
            if isinstance(frm, NoneSort):
                return d.none
            if not isinstance(frm, OptionSort):
                return d.some(t)
        return t

    def in_range(self, t: Term, s: Sort) -> Term:
        if isinstance(s, BoolSort) or is_sym(s):
            return z3.BoolVal(True, self.ctx)
        lo, hi = bounds(s)
        if isinstance(s, OptionSort):
            lo = min(lo, -1)
        return z3.And(t >= lo, t <= hi)  # type: ignore[operator]

    # ---- expressions ---------------------------------------------------------------------
    def enc(self, e: Expr, v: View) -> Term:
        x = cast(object, e)
        if isinstance(x, Quant):
            c = z3.FreshConst(self.z3sort(x.var.sort), "q")
            body = self.enc(x.body, v.with_bound(x.var.slot, c))
            return z3.ForAll([c], body) if x.forall else z3.Exists([c], body)
        if isinstance(x, Const):
            if isinstance(x.sort, BoolSort):
                return z3.BoolVal(bool(x.value), self.ctx)
            if isinstance(x.sort, OptionSort) and is_sym(x.sort):   # only `none` can be named
                return self.opts[x.sort.inner.name].none
            return z3.IntVal(int(x.value), self.ctx)
        if isinstance(x, Var):
            if x.slot < 0:
                return v.bound.get(x.slot) if x.slot in v.bound else self.element(-x.slot - 1)
            return v.scalar(x.slot)
        if isinstance(x, Select):
            slot = x.slots[0]
            if slot in self.fns:
                return v.fn(slot, self.enc(x.index, v))
            cells = [v.scalar(s) for s in x.slots]
            idx = self.enc(x.index, v)
            acc = cells[-1]
            for k in range(len(cells) - 2, -1, -1):
                acc = z3.If(idx == k + x.offset, cells[k], acc)
            return acc
        if isinstance(x, Ite):
            return z3.If(self.enc(x.cond, v), self.lift(self.enc(x.then, v), x.then.sort, x.sort),
                         self.lift(self.enc(x.other, v), x.other.sort, x.sort))
        assert isinstance(x, App)
        return self._app(x, v)

    def _app(self, x: App, v: View) -> Term:
        if x.op in (Op.EQ, Op.NE):
            a, b = x.args
            eq = self._eq(a, b, v)
            return eq if x.op is Op.EQ else z3.Not(eq)
        args = [self.enc(a, v) for a in x.args]
        ops: dict[Op, Callable[..., Term]] = {
            Op.NOT: z3.Not, Op.AND: lambda *xs: z3.And(*xs), Op.OR: lambda *xs: z3.Or(*xs),
            Op.IMPLIES: z3.Implies, Op.LT: lambda a, b: a < b, Op.LE: lambda a, b: a <= b,
            Op.GT: lambda a, b: a > b, Op.GE: lambda a, b: a >= b, Op.NEG: lambda a: -a,
            Op.ADD: lambda *xs: z3.Sum(*xs), Op.SUB: lambda a, b: a - b,
            Op.MUL: lambda *xs: z3.Product(*xs),
            # Python's floor division and modulo (z3's are Euclidean: the same for b > 0)
            Op.DIV: lambda a, b: z3.If(b > 0, a / b, -((-a) / b)),
            Op.MOD: lambda a, b: z3.If(b > 0, a % b, -((-a) % (-b))),
        }
        return ops[x.op](*args)

    def _eq(self, a: Expr, b: Expr, v: View) -> Term:
        ta, tb = self.enc(a, v), self.enc(b, v)
        if is_sym(a.sort) or is_sym(b.sort):
            wide = a.sort if isinstance(a.sort, OptionSort) else b.sort if isinstance(b.sort, OptionSort) else None
            if wide is not None:
                return self.lift(ta, a.sort, wide) == self.lift(tb, b.sort, wide)
            if isinstance(a.sort, NoneSort) or isinstance(b.sort, NoneSort):
                return z3.BoolVal(False, self.ctx) if not (isinstance(a.sort, NoneSort) and isinstance(
                    b.sort, NoneSort)) else z3.BoolVal(True, self.ctx)
        return ta == tb  # type: ignore[no-any-return]

    # ---- states --------------------------------------------------------------------------
    def post(self, a: PAction, v: View) -> View:
        """The post-state of action a taken in the state v reads (NOTE(forall-vocabulary))."""
        ups = dict(a.updates)
        fns = {u.slot: u for u in a.fn_updates}
        sorts = self.ps.vars

        memo: dict[int, Term] = {}   # a scalar's update reads v only, never the view's bound elements

        def scalar(s: int) -> Term:
            if s not in ups:
                return v.scalar(s)
            if s not in memo:
                memo[s] = self.lift(self.enc(ups[s], v), ups[s].sort, sorts[s].sort)
            return memo[s]

        def fn(s: int, k: Term) -> Term:
            u = fns.get(s)
            if u is None:
                return v.fn(s, k)
            return self.lift(self.enc(u.value, v.with_bound(u.frame.slot, k)), u.value.sort, sorts[s].sort)
        return View(scalar, fn, dict(v.bound))

    def type_ok(self, v: View, slots: set[int] | None = None) -> Term:
        """Every slot (of `slots`, default all) within its sort: what a state is (NOTE(range-steps)
        in checker/explicit/search.py)."""
        parts = []
        for i, sv in enumerate(self.ps.vars):
            if isinstance(sv.sort, BoolSort) or is_sym(sv.sort) or (slots is not None and i not in slots):
                continue
            if i in self.fns:
                ks = cast(IndexSort, sv.key_sort)
                k = z3.FreshConst(self.sorts[ks.name], "k")
                parts.append(z3.ForAll([k], self.in_range(v.fn(i, k), sv.sort)))
            else:
                parts.append(self.in_range(v.scalar(i), sv.sort))
        return z3.And(*parts) if parts else z3.BoolVal(True, self.ctx)
