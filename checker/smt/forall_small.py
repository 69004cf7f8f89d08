"""The parameterised encoding in a small universe: every quantifier over a symmetric sort expanded
over a few named elements, for the Houdini queries of `--for-all` liveness that fail
(checker/smt/forall_live.py, NOTE(houdini-small)).

NOTE(houdini-small-encoding): the terms are those of forall_encode.py in the same z3 context (the
same sorts, functions and constants), with `all`/`any` over a sort, and the range of a function
slot, written out over the constants u0..u(n-1) of that sort; one axiom per sort, "every element
is one of them", keeps the expansion exact. A query in this encoding is the original query with
the sort's size bounded by n, so a model of it is a model of the original (a counterexample to
induction of at most n elements per sort); "unsat" here says nothing about larger sizes and is
never read as a proof. Z3 finds such models fast: the only quantifier left is the axiom.
"""

from __future__ import annotations

from typing import cast

import z3

from checker.smt.forall_encode import ParamEncoding, Term, View
from model.ir import Expr
from model.lower_param import PAction, PProperty, Quant
from model.sorts import BoolSort, IndexSort


class SmallEncoding(ParamEncoding):
    """ParamEncoding with each symmetric sort bounded by `size[name]` named elements."""

    def __init__(self, big: ParamEncoding, size: dict[str, int]):
        # the declarations of `big`, shared (the same sorts, functions and constants)
        self.ps, self.ctx, self.sorts, self.opts = big.ps, big.ctx, big.sorts, big.opts
        self.consts, self.fns, self.pre = big.consts, big.fns, big.pre
        self.universe = {name: [z3.Const(f"{name}$u{k}", srt) for k in range(size[name])]
                         for name, srt in self.sorts.items()}

    def axioms(self) -> list[z3.BoolRef]:
        """Every element of each sort is one of its named ones."""
        out = []
        for name, srt in self.sorts.items():
            x = z3.FreshConst(srt, "x")
            out.append(z3.ForAll([x], z3.Or(*(x == c for c in self.universe[name]))))
        return out

    def enc(self, e: Expr, v: View) -> Term:
        x = cast(object, e)
        if isinstance(x, Quant):
            inner = cast(IndexSort, x.var.sort)
            parts = [self.enc(x.body, v.with_bound(x.var.slot, c)) for c in self.universe[inner.name]]
            return z3.And(*parts) if x.forall else z3.Or(*parts)
        return super().enc(e, v)

    def type_ok(self, v: View, slots: set[int] | None = None) -> Term:
        parts = []
        for i, sv in enumerate(self.ps.vars):
            if isinstance(sv.sort, BoolSort) or (slots is not None and i not in slots):
                continue
            if i in self.fns:
                ks = cast(IndexSort, sv.key_sort)
                parts += [self.in_range(v.fn(i, c), sv.sort) for c in self.universe[ks.name]]
            else:
                parts.append(self.in_range(v.scalar(i), sv.sort))
        return z3.And(*parts) if parts else z3.BoolVal(True, self.ctx)


class SmallTerms:
    """The claims of a Houdini run in the small encoding, each built once (NOTE(forall-terms))."""

    def __init__(self, big: ParamEncoding, size: dict[str, int]):
        self.ps, self.enc = big.ps, SmallEncoding(big, size)
        self._pre: dict[str, Term] = {}
        self._posts: dict[int, View] = {}
        self._after: dict[tuple[str, int], Term] = {}

    def base(self) -> list[Term]:
        """What every state is: the sorts' bound, each sort's least size, the slots' ranges, the
        rigid axioms (as forall._Queries.solver states them)."""
        least = [z3.Distinct(*(z3.Const(f"{ps.name}$min{i}", self.enc.sorts[ps.name]) for i in range(ps.min)))
                 for ps in self.ps.sorts if ps.min > 1]
        return [*self.enc.axioms(), *least, self.enc.type_ok(self.enc.pre), self.enc.enc(self.ps.axioms, self.enc.pre)]

    def holds(self, m: PProperty) -> Term:
        if m.name not in self._pre:
            assert m.pred is not None
            self._pre[m.name] = self.enc.enc(m.pred, self.enc.pre)
        return self._pre[m.name]

    def step(self, i: int) -> list[Term]:
        """Action i taken: its guard and its written slots' ranges."""
        a: PAction = self.ps.actions[i]
        return [self.enc.enc(a.guard, self.enc.pre), self.enc.type_ok(self.post(i), a.written)]

    def post(self, i: int) -> View:
        if i not in self._posts:
            self._posts[i] = self.enc.post(self.ps.actions[i], self.enc.pre)
        return self._posts[i]

    def holds_after(self, m: PProperty, i: int) -> Term:
        key = (m.name, i)
        if key not in self._after:
            assert m.pred is not None
            self._after[key] = self.enc.enc(m.pred, self.post(i))
        return self._after[key]
