"""Loop lengths refuted once for every depth: fixed-length loops from any state, in a side solver.

NOTE(loop-lengths): a lasso of any depth whose loop has m steps (s_l..s_{l+m}, s_{l+m} == s_l)
contains a fair loop of exactly m steps through in-domain states, on which the property's loop
part of the violation shape holds (NOTE(lasso) in lasso.py):
  eventually P, always_eventually P   not P in every loop state;
  eventually_always P                 not P in some loop state;
  P leads_to Q                        not Q in every loop state.
So when no state at all (reachable or not) starts such a loop of m steps, no lasso with an
m-step loop violates the property, at any depth: m is *refuted*. This side solver asks exactly
that, for m = 1, 2, ... in turn, over one path c_0 -b_0-> c_1 ... that starts anywhere, with
every index fixed (loop state c_j, step b_j, closing c_m == c_0), so nothing is guarded by a
loop-start selector and what the solver learns about loops of m steps is never shifted along the
path, unlike in the unrolling from init, where the same loop is met again at every depth and
every start. lasso.py asserts "the loop has more than R steps" (R: the longest run 1..R of
refuted lengths) in the depth queries of that property, and only the stutter is left once R
reaches the depth; lengths are tried while they are refuted, and given up at the first that is
not (or a limit), which costs nothing but the one query. Soundness needs only the first
sentence; nothing about the path from init is used, which is why it is cheap, and why it
refutes little where a fair violating loop exists among unreachable states (then the depth
query decides, as before).

NOTE(loop-lemmas): every state of a lasso is reachable, so a proved invariant (the spec's
lemmas or mined ones, NOTE(bmc-lemmas) and NOTE(bmc-mining) in base.py: BMC hands them over as
soon as it assumes them) may be asserted in any loop state; it is asserted in c_0 only (for a
jointly inductive set, as mined lemmas are, that is as strong as in every c_j, and it measured
faster: Chandy-Misra N=5, lengths 1..30 of `hungry_eats` in 14.7 s CPU against 21.8 s). It
removes the loops through unreachable states that keep lengths from being refuted (there,
philosopher 0 starving on a cyclic precedence graph: with the mined lemmas every length up
to 30 is refuted, without them none above 2). A length given up before lemmas came, or a
trigger found unstable (NOTE(stable-trigger), whose state gets the lemmas too), is tried once
more after them.

NOTE(loop-blocks): once single lengths get dear, the next ones are asked together: "a loop of
some length in R+1..H" (H = R + BLOCK_SPAN, or the current depth if further on, at most the
run's max depth), the loop constraints of each length under one disjunction. Unsat refutes every
length in it (the first paragraph, for each of them); sat or not answered refutes none, and
single lengths go on as before. Why: from about 10 steps on a single length costs the SAT
solver 2,000 conflicts, and each depth asks one more (Chandy-Misra N=5 `hungry_eats` with its
mined lemmas, lengths 9..30: about 15 s CPU one by one, 5.4 s in blocks of 8, 4.5-7.3 s as one
block), but for other properties a block is the dear one (`someone_eats_often`, lengths 1..30:
18.5 s as one query, 0.1 s each alone). So a property gets a block only after one of its single
lengths cost BLOCK_AFTER_WORK units of z3's work, or after its last block was refuted, and the
block may use BLOCK_FACTOR times what its lengths would cost at the last query's price per
length (z3's rlimit, deterministic under any load): a block that fails costs about what the
single lengths would have (a ski-rental rule, as NOTE(bmc-mining) in base.py). A stopped block
renews the side solver (NOTE(stopped-solver) in base.py; lengths refuted before the stop stay
refuted). After a sat or stopped block the property gets no other until new lemmas come (they
can turn a sat block unsat).

Before a block, the same dear length first gets one try (per property, and again after new
lemmas) at refuting every length at once by one-step queries (NOTE(no-fair-loop) in
monotone.py): proved, R is EVERY, so each depth query of the property is left with the stutter
alone; not proved (or not answered), the lengths go on in blocks as above. Chandy-Misra N=5
`hungry_eats` with the mined lemmas: 1.0-1.4 s of CPU for every length, where the blocks 8..30
took 3-5 s.

The path's transitions and domains are asserted for good: a state that starts a loop of m steps
has a path of any length (round the loop), so no fixed-length loop query loses a model by them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import z3

from checker.core.budget import Budget
from checker.smt.encode import Encoding, StateVars, conj, disj, is_step_kind
from checker.smt.monotone import no_fair_loop, sampled_steps
from checker.smt.solver import check as solver_check
from checker.smt.solver import new_solver, work
from checker.traces.trace import State
from model.evaluate import compile_expr
from model.ir import Expr, FairGroup, Property

Step = Callable[[z3.BoolRef | None, int], z3.ExprRef]

BLOCK_AFTER_WORK = 500_000   # z3 units of a single length after which the rest go in a block
BLOCK_SPAN = 8               # lengths a block covers (more when the depth is further on)
PROOF_AFTER_WORK = BLOCK_AFTER_WORK   # ... and after which no loop of any length is tried (NOTE(no-fair-loop))
EVERY = 1 << 30              # R once no loop of any length is left
BLOCK_FACTOR = 2             # a block's work limit: this times its lengths at the last one's price


class LoopLengths:
    """Per property, the loop lengths 1..R refuted for every depth (NOTE(loop-lengths))."""

    def __init__(self, enc: Encoding, groups: tuple[FairGroup, ...], budget: Budget):
        self.enc, self.ctx, self.groups = enc, enc.ctx, groups
        self.budget = budget        # the caller sets each property's share before asking
        self._solver: z3.Solver | None = None     # made on first use: most checks have no lasso
        self.states: list[StateVars] = [enc.state("$c0")]
        self._stable_state = (enc.state("$p"), enc.action("$p"), enc.state("$q"))   # NOTE(stable-trigger)
        self.acts: list[z3.ExprRef] = []
        self.chains: dict[tuple[str, str], list[z3.BoolRef]] = {}
        self.refuted: dict[str, int] = {}     # property -> R
        self.given_up: set[str] = set()
        self.blocked: set[str] = set()        # a block was sat or stopped (NOTE(loop-blocks))
        self.by_block: set[str] = set()       # the last lengths were refuted by a block
        self.cost: dict[str, int] = {}        # property -> z3 work of its last single length
        self.stable: dict[str, bool] = {}     # leads_to: P and not Q is kept until Q (NOTE(stable-trigger))
        self.query_s = 0.0                    # time spent in this solver's queries
        self.lemmas: tuple[Property, ...] = ()   # proved invariants assumed (NOTE(loop-lemmas))
        self.sampled: dict[tuple[str, bool], list[tuple[State, State]]] = {}   # NOTE(no-fair-loop)
        self.proofs: dict[str, bool | None] = {}   # property -> NOTE(no-fair-loop)'s answer, per set of lemmas
        self.tried = 0                        # proofs tried (their tags)

    def assume(self, lemmas: tuple[Property, ...]) -> None:
        """NOTE(loop-lemmas): proved invariants hold in the loop state c_0 (and in the stability
        query's state) from now on; the lengths given up and the triggers found unstable are
        tried again."""
        new = tuple(lem for lem in lemmas if lem not in self.lemmas)
        self.lemmas = tuple(lemmas)
        if not any(not is_step_kind(lem) for lem in new):
            return
        if self._solver is not None:   # else made with every lemma
            self._solver.add(*self._lemma_facts(new))
        self.given_up.clear()
        self.blocked.clear()
        self.proofs.clear()   # tried again with the lemmas (NOTE(no-fair-loop) in monotone.py)
        self.stable = {name: True for name, yes in self.stable.items() if yes}

    def longest(self, p: Property, k: int) -> int:
        """R for p, after trying the lengths up to k that were not tried yet (min(R, k))."""
        r = self.refuted.get(p.name, 0)
        while r < k and p.name not in self.given_up:
            if self._proof_due(p) and self._no_loop(p):
                r = self.refuted[p.name] = EVERY
                break
            hi = min(self.budget.max_depth, max(k, r + BLOCK_SPAN))
            if self._block_due(p, r, hi):
                if self._refute_block(p, r + 1, hi):
                    r = self.refuted[p.name] = hi
                    continue
            if not self._refute(p, r + 1):
                self.given_up.add(p.name)
                break
            r = self.refuted[p.name] = r + 1
        return min(r, k)

    @property
    def solver(self) -> z3.Solver:
        if self._solver is None:
            self._solver = new_solver(self.budget, self.ctx, self.enc.logic)
            self._solver.add(*self._lemma_facts(self.lemmas))
        return self._solver

    def _lemma_facts(self, lemmas: tuple[Property, ...]) -> list[z3.ExprRef]:
        """NOTE(loop-lemmas): the invariants, in c_0 and in the stability query's state."""
        return [*self.enc.hold(lemmas, self.states[0]), *self.enc.hold(lemmas, self._stable_state[0])]

    def _check(self, lit: z3.BoolRef, budget: Budget | None = None) -> str:
        """The side solver's answer to lit; after a stop, a fresh solver for the next query
        (NOTE(stopped-solver) in base.py): what was refuted before the stop stays refuted."""
        out = solver_check(self.solver, budget or self.budget, lit)
        self.query_s += out.elapsed_s
        if out.result == "unknown":
            self._solver, self.acts, self.chains = None, [], {}
            del self.states[1:]
        return out.result

    def _refute(self, p: Property, m: int) -> bool:
        if p.kind == "leads_to":
            self._stable(p)   # asked first: a stop there renews the solver this query is built in
        self._extend(m)
        lit = z3.Bool(f"$loops[{p.name}]@{m}", self.ctx)
        self.solver.add(z3.Implies(lit, z3.And(self._closed(m), self._fair(m), self._shape(p, m))))
        before = work(self.solver)
        got = self._check(lit) == "unsat"
        if self._solver is not None:   # not renewed after a stop
            self.cost[p.name] = work(self.solver) - before
        return got

    def _proof_due(self, p: Property) -> bool:
        """NOTE(no-fair-loop): worth trying once lengths get dear (as a block, NOTE(loop-blocks)),
        once per set of lemmas."""
        dear = p.name in self.by_block or self.cost.get(p.name, 0) >= PROOF_AFTER_WORK
        return dear and p.name not in self.proofs

    def _no_loop(self, p: Property) -> bool:
        """NOTE(no-fair-loop) in monotone.py: no lemma state starts a fair loop violating p."""
        steps = self._steps(p)
        self.tried += 1
        got = no_fair_loop(self.enc, self.groups, lambda s: self._region(p, s), self.budget, str(self.tried), steps,
                           self._inside(p))
        self.proofs[p.name] = got
        return got is True

    def _block_due(self, p: Property, r: int, hi: int) -> bool:
        """NOTE(loop-blocks): a block is worth asking for lengths r+1..hi."""
        dear = p.name in self.by_block or self.cost.get(p.name, 0) >= BLOCK_AFTER_WORK
        return hi > r + 1 and p.name not in self.blocked and dear

    def _refute_block(self, p: Property, lo: int, hi: int) -> bool:
        """NOTE(loop-blocks): no loop of any length lo..hi, asked in one query of bounded work."""
        self.blocked.add(p.name)
        self.by_block.discard(p.name)
        if p.kind == "leads_to":
            self._stable(p)   # as in _refute: asked before the block is built
        self._extend(hi)
        lit = z3.Bool(f"$loops[{p.name}]@{lo}..{hi}", self.ctx)
        loops = [z3.And(self._closed(m), self._fair(m), self._shape(p, m)) for m in range(lo, hi + 1)]
        self.solver.add(z3.Implies(lit, z3.Or(*loops)))
        cap = max(1, BLOCK_FACTOR * (hi - lo + 1) * max(1, self.cost.get(p.name, 0)))   # 0: no limit
        own = self.budget.rlimit
        before = work(self.solver)
        got = self._check(lit, replace(self.budget, rlimit=cap if own is None else min(own, cap)))
        if got != "unsat":
            return False
        self.blocked.discard(p.name)   # the next lengths get a block of their own
        self.by_block.add(p.name)
        self.cost[p.name] = (work(self.solver) - before) // (hi - lo + 1)
        return True

    def _extend(self, m: int) -> None:
        while len(self.acts) < m:
            t = len(self.acts)
            c, b, nxt = self.states[t], self.enc.action(f"$c{t}"), self.enc.state(f"$c{t + 1}")
            self.solver.add(self.enc.domain(c), self.enc.trans(c, b, nxt))
            self.acts.append(b)
            self.states.append(nxt)

    def _closed(self, m: int) -> z3.ExprRef:
        a, b = self.states[m], self.states[0]
        return conj(self.ctx, [x == y for x, y in zip(a.vars, b.vars, strict=True)])

    def _chain(self, key: tuple[str, str], j: int, step: Step) -> z3.BoolRef:
        """x_j, with x_i == step(x_{i-1}, i) asserted once per index (as in lasso.py)."""
        xs = self.chains.setdefault(key, [])
        while len(xs) <= j:
            i = len(xs)
            x = z3.Bool(f"${key[0]}[{key[1]}]~{i}", self.ctx)
            self.solver.add(x == step(xs[i - 1] if i else None, i))
            xs.append(x)
        return xs[j]

    # ---- fairness and shapes over c_0..c_{m-1}, steps b_0..b_{m-1} -----------------------------

    def _enabled(self, n: int, j: int) -> z3.ExprRef:
        acts = self.enc.ts.actions
        return disj(self.ctx, [self.enc.pred(acts[i].guard, self.states[j]) for i in self.groups[n].actions])

    def _fires(self, n: int, j: int) -> z3.ExprRef:
        return disj(self.ctx, [self.enc.is_action(self.acts[j], i) for i in self.groups[n].actions])

    def _fair(self, m: int) -> z3.ExprRef:
        """Weak: not (enabled in every loop state and never fired); strong: not (enabled in some
        loop state and never fired)."""
        out = []
        for n, g in enumerate(self.groups):
            fired = self._running(("fired", str(n)), m - 1, self._fires_of(n), any_=True)
            en = self._running(("en", str(n)), m - 1, self._enabled_of(n), any_=g.kind != "weak")
            out.append(z3.Or(z3.Not(en), fired))
        return conj(self.ctx, out)

    def _fires_of(self, n: int) -> Callable[[int], z3.ExprRef]:
        return lambda j: self._fires(n, j)

    def _enabled_of(self, n: int) -> Callable[[int], z3.ExprRef]:
        return lambda j: self._enabled(n, j)

    def _running(self, key: tuple[str, str], j: int, here: Callable[[int], z3.ExprRef], any_: bool) -> z3.BoolRef:
        """here(0) and ... and here(j) (any_: or)."""
        def step(prev: z3.BoolRef | None, i: int) -> z3.ExprRef:
            h = here(i)
            return h if prev is None else (z3.Or(prev, h) if any_ else z3.And(prev, h))
        return self._chain(key, j, step)

    def _shape(self, p: Property, m: int) -> z3.ExprRef:
        """The loop part of p's violation shape on a loop of m steps (NOTE(loop-lengths)), with
        P in every loop state too for a leads_to whose trigger is stable (NOTE(stable-trigger))."""
        e: Expr | None = p.pred2 if p.kind == "leads_to" else p.pred
        assert e is not None
        some = p.kind == "eventually_always"
        off = self._running(("off" if not some else "some_off", p.name), m - 1,
                            lambda j: z3.Not(self.enc.pred(e, self.states[j])), any_=some)
        if p.kind != "leads_to" or not self._stable(p):
            return off
        trig = p.pred
        assert trig is not None
        on = self._running(("on", p.name), m - 1, lambda j: self.enc.pred(trig, self.states[j]), any_=False)
        return z3.And(off, on)

    def _steps(self, p: Property) -> list[tuple[State, State]]:
        """Steps between sampled reachable states inside p's shape (NOTE(no-fair-loop)), per shape."""
        stable = p.kind == "leads_to" and self._stable(p)
        key = (p.name, stable)
        if key not in self.sampled:
            self.sampled[key] = sampled_steps(self.enc, self._shape_of(p))
        return self.sampled[key]

    def _shape_of(self, p: Property) -> Callable[[State], bool]:
        """The per-state part of p's loop shape in Python (as _region has it in z3)."""
        e = p.pred2 if p.kind == "leads_to" else p.pred
        assert e is not None
        off = compile_expr(e)
        on = compile_expr(p.pred) if p.kind == "leads_to" and self._stable(p) and p.pred is not None else None
        every = p.kind == "eventually_always"
        return lambda s: every or (not off(s) and (on is None or bool(on(s))))

    def _inside(self, p: Property) -> Callable[[State], bool]:
        """_region in Python, for in-domain states (NOTE(no-fair-loop))."""
        shape = self._shape_of(p)
        lemmas = [compile_expr(lem.pred) for lem in self.lemmas if not is_step_kind(lem) and lem.pred is not None]
        return lambda s: shape(s) and all(f(s) for f in lemmas)

    def _region(self, p: Property, s: StateVars) -> z3.ExprRef:
        """What every state of a fair loop violating p satisfies (NOTE(no-fair-loop)): the
        lemmas and the per-state part of p's loop shape (NOTE(loop-lengths))."""
        lemmas = self.enc.hold(self.lemmas, s)
        e = p.pred2 if p.kind == "leads_to" else p.pred
        assert e is not None
        shape = [] if p.kind == "eventually_always" else [z3.Not(self.enc.pred(e, s))]
        if p.kind == "leads_to" and self._stable(p):
            assert p.pred is not None
            shape.append(self.enc.pred(p.pred, s))
        return conj(self.ctx, [*lemmas, *shape])

    def _stable(self, p: Property) -> bool:
        """NOTE(stable-trigger): no step from an in-domain state with P and not Q reaches one with
        neither P nor Q. Then in a lasso violating P leads_to Q, P holds from the trigger on (Q
        never does), so in every loop state. One query per property; no answer reads as unstable."""
        if p.name not in self.stable:
            assert p.pred is not None and p.pred2 is not None
            s, a, t = self._stable_state
            pred = self.enc.pred
            leaves = z3.And(self.enc.domain(s), pred(p.pred, s), z3.Not(pred(p.pred2, s)), self.enc.trans(s, a, t),
                            z3.Not(pred(p.pred, t)), z3.Not(pred(p.pred2, t)))
            lit = z3.Bool(f"$stable[{p.name}]", self.ctx)
            self.solver.add(z3.Implies(lit, leaves))
            self.stable[p.name] = self._check(lit) == "unsat"
        return self.stable[p.name]
