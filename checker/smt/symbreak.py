"""NOTE(symmetry-breaking) (checker/symmetry/focus.py) as constraints on BMC's path from init.

Per permutation g used, a literal use_g switches g's lex-leader constraints on: a safety query
at depth d forces it when the focused property's witness at d is one that g fixes; a lasso
query never does. g's constraints are asserted once a query first needs them: per step t, if
g(s_t) == s_t then a_t <= g(a_t) (action indices; one template instantiated per step); and
s_0 <= g(s_0) lexicographically, left out when there is one initial state (g fixes it:
automorphism.py checks the initial values).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias

import z3

from checker.core.budget import Budget
from checker.smt.encode import Encoding, StateVars, conj, disj
from checker.smt.unroll import Path, position_of
from checker.symmetry.automorphism import Automorphism
from checker.symmetry.focus import Focus, focus
from model.ir import Property

Z: TypeAlias = z3.ExprRef


class SymmetricPath(Path):
    """A Path from init whose safety queries skip symmetric images (NOTE(symmetry-breaking))."""

    def __init__(self, enc: Encoding, budget: Budget, autos: Sequence[Automorphism],
                 start: Callable[[StateVars], Z] | None = None):
        super().__init__(enc, budget, "", from_init=True, start=start)
        self.autos, self.ctx = tuple(autos), enc.ctx
        self.use = [z3.Bool(f"$sym{k}", self.ctx) for k in range(len(self.autos))]
        self.focused: dict[str, Focus] = {}
        self._ts, self._ta = enc.state("$s"), enc.action("$s")
        # templates (NOTE(templates) in encode.py), built when a query first needs them: a
        # permutation that fixes no kept witness of any property checked costs nothing
        self._lex: list[Z | None] = [None] * len(self.autos)

    def _member(self, a: Z, xs: Sequence[int]) -> Z:
        """a is one of the action indices xs (as the shorter of the two forms)."""
        n = len(self.enc.ts.actions)
        if 2 * len(xs) <= n:
            return disj(self.ctx, [self.enc.is_action(a, i) for i in xs])
        inside = set(xs)
        return conj(self.ctx, [z3.Not(self.enc.is_action(a, i)) for i in range(n) if i not in inside])

    def _leader(self, g: Automorphism) -> Z:
        """If g fixes the state, the action taken is no greater than its image."""
        le = [i for i, j in enumerate(g.actions) if i <= j]
        s = self._ts
        fixed = [x == y for x, y in zip(s.vars, _image(self.enc, g, s), strict=True) if not x.eq(y)]
        return z3.Implies(conj(self.ctx, fixed), self._member(self._ta, le))

    def _activate(self, k: int) -> None:
        """Assert g_k's constraints (guarded by use_k) on every step so far, and from now on."""
        if self._lex[k] is not None:
            return
        g = self.autos[k]
        self._lex[k] = self._leader(g)
        self._init_order(k, g)
        for t in range(len(self.acts)):
            self._step(k, t)

    def _step(self, k: int, t: int) -> None:
        tmpl = self._lex[k]
        assert tmpl is not None
        pairs = [*zip(self._ts.vars, self.states[t].vars, strict=True), (self._ta, self.acts[t])]
        self.solver.add(z3.Implies(self.use[k], z3.substitute(tmpl, *pairs)))

    def _init_order(self, k: int, g: Automorphism) -> None:
        """s_0 <= g(s_0): the key's first component (nothing to say with one initial state)."""
        if self.enc.ts.init_constraint is None and all(len(set(vs)) == 1 for vs in self.enc.ts.init_values):
            return
        s = self.states[0]
        self.solver.add(z3.Implies(self.use[k], _lex_le(s.vars, _image(self.enc, g, s), self.ctx)))

    def on_step(self, t: int) -> None:
        for k, tmpl in enumerate(self._lex):
            if tmpl is not None:
                self._step(k, t)

    def query(self, p: Property, depth: int) -> Z | None:
        j = position_of(p, depth)
        if j is None:
            return None
        if p.name not in self.focused:
            self.focused[p.name] = focus(p, self.autos)
        fo = self.focused[p.name]
        fs = [self.violation(fo.prop, j)]
        for k, fixed in enumerate(fo.fixed):
            if fixed is not False:
                self._activate(k)
                fs.append(self.use[k] if fixed is True else z3.Implies(self.violation(fixed, j), self.use[k]))
        return conj(self.ctx, fs)


def _image(enc: Encoding, g: Automorphism, s: StateVars) -> list[Z]:
    """g(s) as terms: slots moved, element values renamed."""
    out = [s.vars[k] for k in g.src]
    for d, perm in g.rename:
        x = acc = out[d]
        for old, new in enumerate(perm):
            if old != new:
                acc = z3.If(x == enc.num.val(old), enc.num.val(new), acc)
        out[d] = acc
    return out


def _lex_le(xs: Sequence[Z], ys: Sequence[Z], ctx: z3.Context) -> Z:
    """xs <= ys lexicographically (false < true): a total order on states."""
    acc: Z = z3.BoolVal(True, ctx)
    for x, y in reversed(list(zip(xs, ys, strict=True))):
        lt = z3.And(z3.Not(x), y) if z3.is_bool(x) else x < y
        acc = z3.Or(lt, z3.And(x == y, acc))
    return acc
