"""The former lasso encoding, quadratic in the depth: kept as the baseline that bench/lasso.py
measures the incremental one (lasso.py, NOTE(incremental-lasso)) against in the same run, and as
a differential reference in tests/checker/test_lasso.py. Chosen by EncodingOptions(lasso="quadratic").

Each depth k gets fresh loop literals loop_{k,l} and in_{k,j} for every j < k, and its fairness
and shapes are disjunctions and conjunctions over all of them: O(k) new terms per depth (and
an equality of two whole states per candidate l), O(k^2) over a run to depth k.

NOTE(lasso): the reference semantics is the explicit engine's (NOTE(liveness) and
NOTE(fairness) in checker/explicit/liveness.py); a lasso of depth k is what checker.replay.validate
accepts: k+1 states, `loop` = l, states[k] == states[l].
  - a real loop: l < k, the loop's steps are a_l..a_{k-1} (at least one);
  - a stutter: l == k and no action is enabled in s_k (the behaviour stays there for ever).
For each depth k, fresh literals choose the loop: loop_{k,l} (s_k == s_l) or stutter_k, exactly
one of them; in_{k,j} says that s_j (j < k) lies on the loop (s_k always does). Everything
about depth k is guarded by the literal end_k, so one solver serves every depth and property.

Fairness on the loop, per fair group (the (machine, instance, transition) of every action with
`fair` set; may_fail outcomes have none): weak = enabled in every loop state => some loop step
fires one of its actions; strong = enabled in some loop state => some loop step fires one.
"Enabled" is "some guard holds", as in replay.

Violation shapes (a query is end_k and the shape, under one activation literal):
  eventually P          not P in s_0..s_k;
  always_eventually P   not P in every loop state;
  P leads_to Q          some i <= l with P and not Q in s_i, and not Q in s_i..s_k.
Lassos are not required to be simple, so the shortest lasso found is never longer than the
explicit engine's (which is one of the lassos searched), though it may be shorter: that engine
builds its loop greedily.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import z3

from checker.smt.encode import StateVars, conj, disj
from checker.smt.lasso import FairGroup, fair_groups
from checker.smt.unroll import Path
from model.ir import Property

Step = Callable[[z3.BoolRef | None, int], z3.ExprRef]


@dataclass(frozen=True)
class LoopEnd:
    """The literals of depth k: end (the lasso ends here), loop[l], stutter, in_loop[j] (j < k)."""

    depth: int
    end: z3.BoolRef
    loop: tuple[z3.BoolRef, ...]
    stutter: z3.BoolRef
    in_loop: tuple[z3.BoolRef, ...]


class QuadraticLassos:
    """Lasso constraints over a from-init Path (shared with the safety queries)."""

    def __init__(self, path: Path):
        self.path, self.enc = path, path.enc
        self.ctx = self.enc.ctx
        self.groups = fair_groups(self.enc.ts)
        self.enabled: list[tuple[z3.BoolRef, ...]] = []    # per state: one literal per group
        self.ends: dict[int, LoopEnd] = {}
        self.chains: dict[tuple[str, str], list[z3.BoolRef]] = {}

    def _b(self, name: str) -> z3.BoolRef:
        return z3.Bool(name, self.ctx)

    def _add(self, *fs: z3.ExprRef) -> None:
        self.path.solver.add(*fs)

    def _reach(self, k: int) -> None:
        while len(self.path.acts) < k:
            self.path.extend()

    def _enabled(self, j: int) -> tuple[z3.BoolRef, ...]:
        """Per group, a literal defined as "some action of the group is enabled in s_j"."""
        while len(self.enabled) <= j:
            t = len(self.enabled)
            s = self.path.states[t]
            lits = []
            for n, g in enumerate(self.groups):
                x = self._b(f"$en{n}@{t}")
                self._add(x == disj(self.ctx, [self.enc.pred(self.enc.ts.actions[i].guard, s) for i in g.actions]))
                lits.append(x)
            self.enabled.append(tuple(lits))
        return self.enabled[j]

    def _fired(self, g: FairGroup, j: int) -> z3.ExprRef:
        return disj(self.ctx, [self.enc.is_action(self.path.acts[j], i) for i in g.actions])

    def end(self, k: int) -> LoopEnd:
        """The literals of depth k, building its constraints on first use."""
        if k not in self.ends:
            self._reach(k)
            self.ends[k] = self._build(k)
        return self.ends[k]

    def _build(self, k: int) -> LoopEnd:
        st = self.path.states
        end, stutter = self._b(f"$end@{k}"), self._b(f"$stutter@{k}")
        loop = tuple(self._b(f"$loop@{k}.{m}") for m in range(k))
        in_loop: list[z3.BoolRef] = []
        before: z3.ExprRef = z3.BoolVal(False, self.ctx)     # some loop_{k,m} with m < l
        for m in range(k):
            x = self._b(f"$in@{k}.{m}")
            # at most one loop start: the first one ends the search for another
            self._add(x == z3.Or(before, loop[m]), z3.Implies(loop[m], z3.Not(before)),
                      z3.Implies(loop[m], _same(self.ctx, st[k], st[m])))
            in_loop.append(x)
            before = x
        guards = [self.enc.pred(a.guard, st[k]) for a in self.enc.ts.actions]
        # s_k's domain only under end_k: in the shared unrolling s_k may be the out-of-range
        # post-state of a range violation at depth k (NOTE(domains) in encode.py)
        # NOTE(stutter) in checker/explicit/liveness.py: fairness alone limits a stutter there
        idle = z3.BoolVal(True, self.ctx) if self.enc.ts.stutter else z3.Not(disj(self.ctx, guards))
        self._add(z3.Implies(stutter, z3.And(z3.Not(before), idle)),
                  z3.Implies(end, z3.And(z3.Or(stutter, *loop), self.enc.domain(st[k]))))
        e = LoopEnd(k, end, loop, stutter, tuple(in_loop))
        self._add(*(z3.Implies(end, f) for f in self._fairness(e)))
        return e

    def _fairness(self, e: LoopEnd) -> list[z3.ExprRef]:
        k, out = e.depth, []
        en = [self._enabled(j) for j in range(k + 1)]
        for n, g in enumerate(self.groups):
            taken = disj(self.ctx, [z3.And(e.in_loop[j], self._fired(g, j)) for j in range(k)])
            if g.kind == "weak":
                always = conj(self.ctx, [*(z3.Implies(e.in_loop[j], en[j][n]) for j in range(k)), en[k][n]])
                out.append(z3.Implies(always, taken))
            else:
                some = disj(self.ctx, [*(z3.And(e.in_loop[j], en[j][n]) for j in range(k)), en[k][n]])
                out.append(z3.Implies(some, taken))
        return out

    # ---- violation shapes ----------------------------------------------------------------------

    def shape(self, p: Property, k: int) -> z3.ExprRef:
        """p's violation shape on the lasso ending at depth k (NOTE(lasso)), with end_k."""
        e = self.end(k)
        st, pred = self.path.states, self.enc.pred
        assert p.pred is not None
        if p.kind == "eventually":
            return z3.And(e.end, self._never(p, k))
        if p.kind == "always_eventually":
            body = [z3.Implies(e.in_loop[j], z3.Not(pred(p.pred, st[j]))) for j in range(k)]
            return z3.And(e.end, z3.Not(pred(p.pred, st[k])), *body)
        if p.kind == "eventually_always":
            some = [z3.And(e.in_loop[j], z3.Not(pred(p.pred, st[j]))) for j in range(k)]
            return z3.And(e.end, z3.Or(z3.Not(pred(p.pred, st[k])), *some))
        assert p.kind == "leads_to" and p.pred2 is not None
        trig = self._triggered(p, k)
        q = p.pred2
        start = [z3.And(e.loop[m], trig[m]) for m in range(k)]
        stay = [z3.Implies(e.in_loop[j], z3.Not(pred(q, st[j]))) for j in range(k)]
        return z3.And(e.end, z3.Or(z3.And(e.stutter, trig[k]), *start), z3.Not(pred(q, st[k])), *stay)

    def _chain(self, p: Property, tag: str, k: int, step: Step) -> list[z3.BoolRef]:
        """Literals x_0..x_k defined by x_j == step(x_{j-1}, j): one new term per depth."""
        xs = self.chains.setdefault((p.name, tag), [])
        while len(xs) <= k:
            j = len(xs)
            x = self._b(f"${tag}[{p.name}]@{j}")
            self._add(x == step(xs[j - 1] if j else None, j))
            xs.append(x)
        return xs

    def _never(self, p: Property, k: int) -> z3.BoolRef:
        """A literal defined as "not P in s_0..s_k" (a chain, so each depth adds one term)."""
        assert p.pred is not None
        pred, st, P = self.enc.pred, self.path.states, p.pred

        def step(prev: z3.BoolRef | None, j: int) -> z3.ExprRef:
            here = z3.Not(pred(P, st[j]))
            return here if prev is None else z3.And(prev, here)
        return self._chain(p, "never", k, step)[k]

    def _triggered(self, p: Property, k: int) -> list[z3.BoolRef]:
        """trig[j]: some i <= j has P and not Q in s_i, and not Q holds in s_i..s_j."""
        assert p.pred is not None and p.pred2 is not None
        pred, st, P, Q = self.enc.pred, self.path.states, p.pred, p.pred2

        def step(prev: z3.BoolRef | None, j: int) -> z3.ExprRef:
            nq = z3.Not(pred(Q, st[j]))
            fresh = z3.And(pred(P, st[j]), nq)
            return fresh if prev is None else z3.Or(fresh, z3.And(prev, nq))
        return self._chain(p, "trig", k, step)

    # ---- decoding ------------------------------------------------------------------------------

    def loop_index(self, m: z3.ModelRef, k: int) -> int:
        e = self.ends[k]
        for idx, x in enumerate(e.loop):
            if z3.is_true(m.eval(x, model_completion=True)):
                return idx
        return k


def _same(ctx: z3.Context, a: StateVars, b: StateVars) -> z3.ExprRef:
    return conj(ctx, [x == y for x, y in zip(a.vars, b.vars, strict=True)])
