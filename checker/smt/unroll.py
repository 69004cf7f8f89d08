"""Incrementally unrolled paths in one solver, and positions where a property can go bad.

NOTE(positions): a property goes bad at a *position*: for invariant and deadlock properties
position j is state s_j (a trace of depth j); for step and range properties it is the step
s_j -a_j-> s_{j+1} (a trace of depth j + 1). BMC and k-induction both count in positions.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import z3

from checker.core.budget import Budget
from checker.core.verdict import Provenance, Unknown
from checker.smt.encode import Encoding, StateVars, disj, is_step_kind
from checker.smt.solver import new_solver
from model.ir import Property, TransitionSystem


def depth_of(p: Property, position: int) -> int:
    return position + 1 if is_step_kind(p) else position


def position_of(p: Property, depth: int) -> int | None:
    """The position whose violation is a trace of this depth (None: no such position)."""
    j = depth - 1 if is_step_kind(p) else depth
    return j if j >= 0 else None


class Path:
    """s_0 -a_0-> s_1 -a_1-> ... in one solver, extended on demand; from init or from anywhere.

    A state is "settled" (its domain asserted for good, hooks run) once it is used as a state of
    the system: as the pre-state of a step, or as a position of `bad` (k-induction). BMC's
    queries (`query`) put a state position's domain in the query instead (NOTE(domains) in
    encode.py).
    """

    def __init__(self, enc: Encoding, budget: Budget, prefix: str, from_init: bool,
                 start: Callable[[StateVars], z3.ExprRef] | None = None):
        """start: a condition on s_0 in place of init (BMC's frontier, NOTE(explicit-prefix))."""
        self.enc, self.prefix = enc, prefix
        self.solver = new_solver(budget, enc.ctx, enc.logic)
        self.states: list[StateVars] = [enc.state(f"{prefix}0")]
        self.acts: list[z3.ExprRef] = []
        self.settled = 0
        self.invariants: tuple[Property, ...] = ()   # proved lemmas asserted (NOTE(bmc-lemmas))
        if start is not None:
            self.solver.add(start(self.states[0]))
        elif from_init:
            self.solver.add(enc.init(self.states[0]))

    def settle(self, j: int) -> None:
        while self.settled <= j:
            s = self.states[self.settled]
            self.solver.add(self.enc.domain(s))
            self.on_state(self.settled, s)
            self._hold(self.settled)
            self.settled += 1

    def distinct(self, j: int, s: StateVars) -> None:
        """Simple path: state j differs from every earlier one (k-induction's step cases)."""
        for old in self.states[:j]:
            self.solver.add(disj(self.enc.ctx, [x != y for x, y in zip(old.vars, s.vars, strict=True)]))

    def assume(self, lemmas: tuple[Property, ...]) -> None:
        """Assert proved invariants (lemmas) in every settled state and on every step, from now
        on and on what is unrolled already (NOTE(bmc-lemmas) in base.py)."""
        self.invariants = lemmas
        for j in range(self.settled):
            self._hold(j)
        for t in range(len(self.acts)):
            self._hold_step(t)

    def _hold(self, j: int) -> None:
        self.solver.add(*self.enc.hold(self.invariants, self.states[j]))

    def _hold_step(self, t: int) -> None:
        for lem in self.invariants:
            if is_step_kind(lem):
                self.solver.add(z3.Not(self.enc.bad(lem, self.states[t], self.acts[t])))

    def extend(self) -> None:
        t = len(self.acts)
        self.settle(t)
        a, nxt = self.enc.action(f"{self.prefix}{t}"), self.enc.state(f"{self.prefix}{t + 1}")
        self.solver.add(self.enc.trans(self.states[t], a, nxt))
        self.acts.append(a)
        self.states.append(nxt)
        self.on_step(t)
        self._hold_step(t)

    def on_state(self, j: int, s: StateVars) -> None:
        """Hook: state j became a state of the system (simple-path constraints, lemmas)."""

    def on_step(self, t: int) -> None:
        """Hook: step t was added (step lemmas)."""

    def query(self, p: Property, depth: int) -> z3.ExprRef | None:
        """"p is violated at exactly this depth" (SymmetricPath narrows it: NOTE(symmetry-breaking)
        in checker/symmetry/focus.py); None: no position has this depth."""
        j = position_of(p, depth)
        return None if j is None else self.violation(p, j)

    def violation(self, p: Property, j: int) -> z3.ExprRef:
        """p bad at position j. For a state property, s_j's domain is part of the formula, not
        asserted for good: in a shared unrolling s_j is also the post-state of a step property's
        (or range's) last step, which may be out of range (NOTE(domains) in encode.py)."""
        if is_step_kind(p):
            return self.bad(p, j)
        while len(self.acts) < j:
            self.extend()
        s = self.states[j]
        return z3.And(self.enc.domain(s), self.enc.bad(p, s, None))

    def bad(self, p: Property, j: int) -> z3.ExprRef:
        while len(self.acts) < depth_of(p, j):
            self.extend()
        self.settle(j)
        return self.enc.bad(p, self.states[j], self.acts[j] if is_step_kind(p) else None)


def provenance(ts: TransitionSystem, engine: str, t0: float, **stats: int) -> Provenance:
    from checker.smt import Z3_VERSION

    return Provenance(engine, ts.params, ts.variant, time.monotonic() - t0, Z3_VERSION,
                      tuple(sorted(stats.items())))


SAFETY_KINDS = ("invariant", "deadlock", "step", "range")


def unsupported(ts: TransitionSystem, p: Property, engine: str, t0: float, lasso: bool = False) -> Unknown | None:
    """Unknown for a property the engine does not check. Liveness is proved by the explicit
    engine and by k-induction on its liveness-to-safety product (live.py, which calls kind.check
    on an invariant); BMC (lasso=True) searches for lasso counterexamples to it (lasso.py)."""
    if p.kind in SAFETY_KINDS or (lasso and p.temporal):
        return None
    return Unknown(p.name, provenance(ts, engine, t0),
                   f"{engine} checks safety properties only, not {p.kind}: liveness is proved by the "
                   "explicit engine and by --engine kind (liveness to safety), and bmc searches for "
                   "lasso counterexamples")


def dag_size(f: z3.ExprRef) -> int:
    """The number of distinct subterms of f (shared ones counted once): the size z3 works on."""
    seen: set[int] = set()
    todo = [f]
    while todo:
        t = todo.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        todo.extend(t.children())
    return len(seen)


def step_size(enc: Encoding) -> int:
    """The encoding size of one step of the unrolling: the distinct subterms of the transition
    relation from one state copy to the next (bench/README.md, "BMC on the filter lock")."""
    return dag_size(enc.trans(enc.state("size0"), enc.action("size0"), enc.state("size1")))
