"""A counterexample to induction of the parameterised encoding, as a small concrete instance:
the size z3's model gives each symmetric set, the state before and the state after, printed
like a trace (mypyvy and Ivy show theirs the same way)."""

from __future__ import annotations

import itertools
import re
from typing import cast

import z3

from checker.smt.forall_encode import ParamEncoding, Term, View
from model.ir import StateVar
from model.lower_param import PAction, is_sym
from model.sorts import BoolSort, IndexSort, OptionSort, Sort


class _Names:
    """The model's elements of each symmetric sort, named VCPU0, VCPU1, ... in universe order."""

    def __init__(self, enc: ParamEncoding, m: z3.ModelRef):
        self.enc, self.m = enc, m
        self.univ: dict[str, list[z3.ExprRef]] = {}
        for name, srt in enc.sorts.items():
            u = m.get_universe(srt)
            self.univ[name] = list(u) if u is not None else []

    def elem(self, sort_name: str, t: Term) -> str:
        v = self.m.eval(t, model_completion=True)
        u = self.univ[sort_name]
        for i, e in enumerate(u):
            if v.eq(e):
                return f"{sort_name}{i}"
        u.append(v)
        return f"{sort_name}{len(u) - 1}"

    def value(self, t: Term, s: Sort) -> str:
        if is_sym(s):
            inner = cast(IndexSort, s.inner if isinstance(s, OptionSort) else s)
            if isinstance(s, OptionSort):
                d = self.enc.opts[inner.name]
                if z3.is_true(self.m.eval(d.is_none(t), model_completion=True)):
                    return "none"
                return self.elem(inner.name, d.elem(t))
            return self.elem(inner.name, t)
        v = self.m.eval(t, model_completion=True)
        if not z3.is_int_value(v) and not z3.is_true(v) and not z3.is_false(v):
            v = self.m.eval(_grounded(self.m, v), model_completion=True)   # NOTE(cti-ground)
        if isinstance(s, BoolSort):
            return "true" if z3.is_true(v) else "false"
        return s.render(v.as_long()) if z3.is_int_value(v) else str(v)


def _grounded(m: z3.ModelRef, e: z3.ExprRef) -> z3.ExprRef:
    """e with each quantifier over the model's finite universes written out as a conjunction or
    disjunction of its instances. NOTE(cti-ground): z3's model evaluation leaves a quantifier as
    it is, so a post-state value chosen by one (a loop's `last(w)`: `all(tdone[u] or u == w ...)`)
    printed as `If(ForAll(q!505, ...), 2, 1)`; over the model's universe the quantifier is a finite
    conjunction, which the model evaluates. A sort without a finite universe is left alone."""
    if z3.is_quantifier(e):
        q = cast(z3.QuantifierRef, e)
        univs = [m.get_universe(q.var_sort(i)) for i in range(q.num_vars())]
        if any(u is None for u in univs) or q.is_lambda():
            return e
        body = q.body()
        insts = [_grounded(m, z3.substitute_vars(body, *reversed(c))) for c in itertools.product(*univs)]
        return z3.And(*insts, e.ctx) if q.is_forall() else z3.Or(*insts, e.ctx)
    if z3.is_app(e) and e.num_args() > 0:
        return e.decl()(*(_grounded(m, c) for c in e.children()))
    return e


def _cells(enc: ParamEncoding, names: _Names, v: View) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, sv in enumerate(enc.ps.vars):
        if i in enc.fns:
            ks = cast(IndexSort, sv.key_sort)
            for e in list(names.univ[ks.name]):
                en = names.elem(ks.name, e)
                out[_cell_name(sv, en)] = names.value(v.fn(i, e), sv.sort)
        else:
            out[sv.name] = names.value(v.scalar(i), sv.sort)
    return out


def _cell_name(sv: StateVar, elem: str) -> str:
    return sv.name.replace(f"[{sv.key}]", f"[{elem}]", 1) if sv.key is not None else f"{sv.name}[{elem}]"


def render(enc: ParamEncoding, m: z3.ModelRef, a: PAction | None, post: View | None, what: str) -> str:
    names = _Names(enc, m)
    label = a.label if a is not None else ""
    for j in sorted({int(x) for x in re.findall(r"#(\d+)", label)}, reverse=True):
        label = label.replace(f"#{j}", names.value(enc.element(j), enc.ps.bound[j][1]))
    before = _cells(enc, names, enc.pre)
    sizes = ", ".join(f"{n} = {{{', '.join(f'{n}{i}' for i in range(len(u)))}}}" for n, u in names.univ.items())
    lines = [f"a model with {sizes}" if sizes else "a model", "state 0:"]
    lines += [f"  {k} = {v}" for k, v in before.items()]
    if a is not None and post is not None:
        after = _cells(enc, names, post)
        lines += [f"step 1: {label}", f"state 1 ({what} fails here; changes only):"]
        lines += [f"  {k} = {v}" for k, v in after.items() if before.get(k) != v] or ["  (no change)"]
    return "\n".join(lines)
