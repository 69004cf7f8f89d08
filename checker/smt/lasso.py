"""Lasso-shaped BMC for the temporal properties: a path s_0..s_k from init that loops back.

NOTE(lasso): the reference semantics is the explicit engine's (NOTE(liveness) and
NOTE(fairness) in checker/explicit/liveness.py); a lasso of depth k is what checker.replay.validate
accepts: k+1 states, `loop` = l, states[k] == states[l].
  - a real loop: l < k, the loop's steps are a_l..a_{k-1} (at least one);
  - a stutter: l == k and no action is enabled in s_k (the behaviour stays there for ever).

Fairness on the loop, per fair group (the (machine, instance, transition) of every action with
`fair` set; may_fail outcomes have none): weak = enabled in every loop state => some loop step
fires one of its actions; strong = enabled in some loop state => some loop step fires one.
"Enabled" is "some guard holds", as in replay, also for a step out of range (NOTE(range-fairness)).

Violation shapes (a query is end_k and the shape, under one activation literal):
  eventually P          not P in s_0..s_k;
  always_eventually P   not P in every loop state;
  eventually_always P   not P in some loop state (s_k, or an earlier one on the loop);
  P leads_to Q          some i <= l with P and not Q in s_i, and not Q in s_i..s_k.
Lassos are not required to be simple, so the shortest lasso found is never longer than the
explicit engine's (which is one of the lassos searched), though it may be shorter: that engine
builds its loop greedily.

NOTE(incremental-lasso): every literal that describes the loop is indexed by a *state*, not by
a (depth, state) pair, so depth k adds O(1) terms per fair group and property instead of O(k):
  - one loop selector L_j per state ("the loop starts at s_j"), shared by every depth, and
    in_j == in_{j-1} or L_j ("s_j is on the loop"), with L_j => not in_{j-1} (at most one);
  - one extra copy of the state, the loop state X, with L_j => s_j == X; depth k closes the
    loop with s_k == X and in_{k-1} (so l < k), or stutters (not in_{k-1}, nothing enabled);
  - fairness as running accumulators over the unrolling: fired_j (a loop step before s_j fired
    the group), all_en_j / some_en_j (the group is enabled in every / some loop state up to s_j);
    depth k asserts all_en_{k-1} and en(s_k) => fired_k (weak) or some_en_{k-1} or en(s_k) =>
    fired_k (strong); s_k == s_l, so en(s_k) adds nothing on a real loop, and on a stutter
    nothing is enabled, so both are vacuous there, as the semantics says;
  - the shapes as chains too: off_j (not P in the loop states up to s_j) and, for leads_to,
    held_j == (L_j and trig_j) or (held_{j-1} and not Q(s_j)).
Depth k's literals mean the same as the quadratic encoding's (checker/smt/lasso_quadratic.py,
kept as the measured baseline and a differential reference): a selector L_j with j >= k only
constrains states beyond s_k and is free to be false, so the same lassos of each depth are
searched and the shortest depth found is the same (tests/checker/test_lasso.py compares them).
"""

from __future__ import annotations

from collections.abc import Callable

import z3

from checker.smt.encode import StateVars, conj, disj
from checker.smt.loops import LoopLengths
from checker.smt.unroll import Path
from model.ir import Expr, FairGroup, Property, TransitionSystem

Step = Callable[[z3.BoolRef | None, int], z3.ExprRef]


def fair_groups(ts: TransitionSystem) -> tuple[FairGroup, ...]:
    """The groups of NOTE(fairness): per transition and declared alike (model.ir TransitionSystem.fairness)."""
    return ts.fairness()


class Lassos:
    """Lasso constraints over a from-init Path (shared with the safety queries); NOTE(incremental-lasso)."""

    def __init__(self, path: Path, loops: LoopLengths | None = None):
        self.path, self.enc = path, path.enc
        self.ctx = self.enc.ctx
        self.groups = fair_groups(self.enc.ts)
        self.loops = loops      # loop lengths refuted for every depth (NOTE(loop-lengths) in loops.py)
        self.loop_state = self.enc.state("$loop")
        self.selectors: list[z3.BoolRef] = []
        self.ends: dict[int, z3.BoolRef] = {}
        self.idles: dict[int, z3.BoolRef] = {}
        self.guards_at: dict[int, list[z3.BoolRef]] = {}
        self.chains: dict[tuple[str, str], list[z3.BoolRef]] = {}

    def _b(self, name: str) -> z3.BoolRef:
        return z3.Bool(name, self.ctx)

    def _add(self, *fs: z3.ExprRef) -> None:
        self.path.solver.add(*fs)

    def _chain(self, key: tuple[str, str], k: int, step: Step) -> list[z3.BoolRef]:
        """Literals x_0..x_k defined by x_j == step(x_{j-1}, j) (x_{-1} is None): one term per state."""
        xs = self.chains.setdefault(key, [])
        while len(xs) <= k:
            j = len(xs)
            x = self._b(f"${key[0]}[{key[1]}]@{j}")
            self._add(x == step(xs[j - 1] if j else None, j))
            xs.append(x)
        return xs

    # ---- the loop ------------------------------------------------------------------------------

    def _selector(self, j: int) -> z3.BoolRef:
        """L_j, with its link to the loop state, asserted once per state."""
        while len(self.selectors) <= j:
            t = len(self.selectors)
            x = self._b(f"$L@{t}")
            self._add(z3.Implies(x, _same(self.ctx, self.path.states[t], self.loop_state)))
            self.selectors.append(x)
        return self.selectors[j]

    def _in(self, k: int) -> list[z3.BoolRef]:
        """in_j for j <= k: s_j is on the loop (some L_i, i <= j); at most one L_j is true."""
        def step(prev: z3.BoolRef | None, j: int) -> z3.ExprRef:
            sel = self._selector(j)
            if prev is None:
                return sel
            self._add(z3.Implies(sel, z3.Not(prev)))
            return z3.Or(prev, sel)
        return self._chain(("in", ""), k, step)

    def end(self, k: int) -> z3.BoolRef:
        """end_k: the lasso ends at depth k (its constraints are built on first use)."""
        if k not in self.ends:
            self.ends[k] = self._build(k)
        return self.ends[k]

    def stutter(self, k: int) -> z3.BoolRef:
        return self._b(f"$stutter@{k}")

    def _build(self, k: int) -> z3.BoolRef:
        while len(self.path.acts) < k:
            self.path.extend()
        s_k = self.path.states[k]
        end, stutter = self._b(f"$end@{k}"), self.stutter(k)
        before = self._in(k - 1)[k - 1] if k else z3.BoolVal(False, self.ctx)
        closed = z3.And(before, _same(self.ctx, s_k, self.loop_state))
        # s_k's domain only under end_k: in the shared unrolling s_k may be the out-of-range
        # post-state of a range violation at depth k (NOTE(domains) in encode.py)
        # NOTE(stutter): with `stutter: true` any state may stutter, fairness permitting
        idle = z3.BoolVal(True, self.ctx) if self.enc.ts.stutter else self._idle(k)
        self._add(z3.Implies(stutter, z3.And(z3.Not(before), idle)),
                  z3.Implies(end, z3.And(z3.Or(stutter, closed), self.enc.domain(s_k))))
        self._add(*(z3.Implies(end, f) for f in self._fairness(k)))
        return end

    def _idle(self, k: int) -> z3.BoolRef:
        """No action is enabled in s_k (one term per depth, shared by every property's stutter)."""
        if k not in self.idles:
            self.idles[k] = z3.Not(disj(self.ctx, self._guards(k)))
        return self.idles[k]

    def deadlocked(self, k: int) -> z3.BoolRef | None:
        """"s_k is an in-domain state with nothing enabled", the condition of every stutter lasso
        ending at depth k (NOTE(stutter-fact)); None with `stutter: true` (any state may stutter)."""
        if self.enc.ts.stutter:
            return None
        while len(self.path.acts) < k:
            self.path.extend()
        return z3.And(self.enc.domain(self.path.states[k]), self._idle(k))

    # ---- fairness as accumulators --------------------------------------------------------------

    def _guards(self, j: int) -> list[z3.BoolRef]:
        """Every action's guard in s_j, instantiated once per state (encode.guards)."""
        if j not in self.guards_at:
            self.guards_at[j] = self.enc.guards(self.path.states[j])
        return self.guards_at[j]

    def _enabled(self, n: int, j: int) -> z3.BoolRef:
        """Group n has an action enabled in s_j."""
        g = self.groups[n]

        def step(prev: z3.BoolRef | None, t: int) -> z3.ExprRef:
            return disj(self.ctx, [self._guards(t)[i] for i in g.actions])
        return self._chain(("en", str(n)), j, step)[j]

    def _fired(self, n: int, k: int) -> z3.BoolRef:
        """fired_k: some loop step a_t (t < k) fires group n."""
        g, acts = self.groups[n], self.path.acts

        def step(prev: z3.BoolRef | None, j: int) -> z3.ExprRef:
            if prev is None:
                return z3.BoolVal(False, self.ctx)
            fires = disj(self.ctx, [self.enc.is_action(acts[j - 1], i) for i in g.actions])
            return z3.Or(prev, z3.And(self._in(j - 1)[j - 1], fires))
        return self._chain(("fired", str(n)), k, step)[k]

    def _over_loop(self, n: int, k: int) -> z3.BoolRef:
        """Weak: enabled in every loop state s_0..s_k; strong: in some."""
        weak = self.groups[n].kind == "weak"

        def step(prev: z3.BoolRef | None, j: int) -> z3.ExprRef:
            on, en = self._in(j)[j], self._enabled(n, j)
            if weak:
                here = z3.Or(z3.Not(on), en)
                return here if prev is None else z3.And(prev, here)
            here = z3.And(on, en)
            return here if prev is None else z3.Or(prev, here)
        return self._chain(("all_en" if weak else "some_en", str(n)), k, step)[k]

    def _fairness(self, k: int) -> list[z3.ExprRef]:
        if k == 0:     # only a stutter: nothing owed where nothing is enabled, else no group may be
            return [z3.Not(self._enabled(n, 0)) for n in range(len(self.groups))] if self.enc.ts.stutter else []
        out = []
        for n, g in enumerate(self.groups):
            en_k = self._enabled(n, k)
            loop = self._over_loop(n, k - 1)
            due = z3.And(loop, en_k) if g.kind == "weak" else z3.Or(loop, en_k)
            out.append(z3.Implies(due, self._fired(n, k)))
        return out

    # ---- violation shapes ----------------------------------------------------------------------

    def shape(self, p: Property, k: int) -> z3.ExprRef:
        """p's violation shape on the lasso ending at depth k (NOTE(lasso)), with end_k."""
        end = z3.And(self.end(k), self._longer(p, k))
        st, pred = self.path.states, self.enc.pred
        assert p.pred is not None
        if p.kind == "eventually":
            return z3.And(end, self._never(p, k))
        if p.kind == "always_eventually":
            return z3.And(end, z3.Not(pred(p.pred, st[k])), *([self._off(p, "off", p.pred, k - 1)] if k else []))
        if p.kind == "eventually_always":
            return z3.And(end, z3.Or(z3.Not(pred(p.pred, st[k])), *([self._some_off(p, k - 1)] if k else [])))
        assert p.kind == "leads_to" and p.pred2 is not None
        start = z3.And(self.stutter(k), self._triggered(p, k)[k])
        if k:
            start = z3.Or(start, self._held(p, k - 1))
        return z3.And(end, start, z3.Not(pred(p.pred2, st[k])))

    def _longer(self, p: Property, k: int) -> z3.ExprRef:
        """The loop has more than R steps, R the refuted lengths (NOTE(loop-lengths)): s_{k-R-1}
        is on it, or, once R reaches k, the lasso is a stutter."""
        r = self.loops.longest(p, k) if self.loops is not None else 0
        if r == 0:
            return z3.BoolVal(True, self.ctx)
        if r >= k:
            return self.stutter(k)
        return z3.Or(self.stutter(k), self._in(k - r - 1)[k - r - 1])

    def _never(self, p: Property, k: int) -> z3.BoolRef:
        """"not P in s_0..s_k" (a chain, so each depth adds one term)."""
        assert p.pred is not None
        pred, st, P = self.enc.pred, self.path.states, p.pred

        def step(prev: z3.BoolRef | None, j: int) -> z3.ExprRef:
            here = z3.Not(pred(P, st[j]))
            return here if prev is None else z3.And(prev, here)
        return self._chain(("never", p.name), k, step)[k]

    def _off(self, p: Property, tag: str, e: Expr, k: int) -> z3.BoolRef:
        """"not e in every loop state up to s_k"."""
        pred, st = self.enc.pred, self.path.states

        def step(prev: z3.BoolRef | None, j: int) -> z3.ExprRef:
            here = z3.Implies(self._in(j)[j], z3.Not(pred(e, st[j])))
            return here if prev is None else z3.And(prev, here)
        return self._chain((tag, p.name), k, step)[k]

    def _some_off(self, p: Property, k: int) -> z3.BoolRef:
        """"not P in some loop state up to s_k"."""
        assert p.pred is not None
        pred, st, P = self.enc.pred, self.path.states, p.pred

        def step(prev: z3.BoolRef | None, j: int) -> z3.ExprRef:
            here = z3.And(self._in(j)[j], z3.Not(pred(P, st[j])))
            return here if prev is None else z3.Or(prev, here)
        return self._chain(("some_off", p.name), k, step)[k]

    def _triggered(self, p: Property, k: int) -> list[z3.BoolRef]:
        """trig[j]: some i <= j has P and not Q in s_i, and not Q holds in s_i..s_j."""
        assert p.pred is not None and p.pred2 is not None
        pred, st, P, Q = self.enc.pred, self.path.states, p.pred, p.pred2

        def step(prev: z3.BoolRef | None, j: int) -> z3.ExprRef:
            nq = z3.Not(pred(Q, st[j]))
            fresh = z3.And(pred(P, st[j]), nq)
            return fresh if prev is None else z3.Or(fresh, z3.And(prev, nq))
        return self._chain(("trig", p.name), k, step)

    def _held(self, p: Property, k: int) -> z3.BoolRef:
        """held_k: the loop starts at some l <= k triggered (trig_l), and not Q in s_l..s_k."""
        assert p.pred2 is not None
        pred, st, Q = self.enc.pred, self.path.states, p.pred2

        def step(prev: z3.BoolRef | None, j: int) -> z3.ExprRef:
            here = z3.And(self._selector(j), self._triggered(p, j)[j])
            return here if prev is None else z3.Or(here, z3.And(prev, z3.Not(pred(Q, st[j]))))
        return self._chain(("held", p.name), k, step)[k]

    # ---- decoding ------------------------------------------------------------------------------

    def loop_index(self, m: z3.ModelRef, k: int) -> int:
        for idx, x in enumerate(self.selectors[:k]):
            if z3.is_true(m.eval(x, model_completion=True)):
                return idx
        return k


def _same(ctx: z3.Context, a: StateVars, b: StateVars) -> z3.ExprRef:
    return conj(ctx, [x == y for x, y in zip(a.vars, b.vars, strict=True)])
