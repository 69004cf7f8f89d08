"""k-induction with simple-path constraints and lemmas.

For k = 0, 1, ...: the step case asks for a path of positions 0..k (NOTE(positions) in unroll.py)
from ANY in-domain state, not bad at 0..k-1, bad at k, with pairwise distinct states and every
lemma holding in every state. Unsat, with the base case clean at positions 0..k-1, proves the
property. Otherwise the base case is asked for a violation at position k (a shortest one, as the
earlier positions are clean). Lemmas are proved first, each assuming only the ones before it, so
the reasoning is never circular.
"""

from __future__ import annotations

import time

import z3

from checker.budget import Budget, Progress
from checker.smt import decode
from checker.smt.bmc import BaseCase
from checker.smt.encode import Encoding, EncodingOptions, StateVars, disj, is_step_kind
from checker.smt.solver import check as solver_check
from checker.smt.unroll import Path, depth_of, provenance, unsupported
from checker.trace import Trace
from checker.verdict import Proved, Unknown, Verdict, Violated
from model.ir import Property, TransitionSystem


class StepCase(Path):
    def __init__(self, enc: Encoding, budget: Budget, p: Property, lemmas: tuple[Property, ...]):
        super().__init__(enc, budget, "k", from_init=False)
        self.p, self.lemmas = p, lemmas

    def on_state(self, j: int, s: StateVars) -> None:
        # simple path: a shortest counterexample never revisits a state. Only settled states
        # count: the post-state of a step property's bad step may revisit an earlier one.
        for old in self.states[:j]:
            self.solver.add(disj(self.enc.ctx, [x != y for x, y in zip(old.vars, s.vars, strict=True)]))
        # every state on a real counterexample is reachable, so every lemma holds in it
        for lem in self.lemmas:
            if not is_step_kind(lem):
                self.solver.add(z3.Not(self.enc.bad(lem, s, None)))

    def on_step(self, t: int) -> None:
        for lem in self.lemmas:
            if is_step_kind(lem):
                self.solver.add(z3.Not(self.enc.bad(lem, self.states[t], self.acts[t])))


def _induct(ts: TransitionSystem, p: Property, budget: Budget, lemmas: tuple[Property, ...],
            enc: Encoding, engine: str) -> Verdict:
    t0 = time.monotonic()
    base = BaseCase(ts, p, budget, enc, engine)
    step = StepCase(enc, budget, p, lemmas)
    cti: Trace | None = None
    for k in range(budget.max_depth + 1):
        lit = z3.Bool(f"$step@{k}", enc.ctx)
        step.solver.add(z3.Implies(lit, step.bad(p, k)))
        out = solver_check(step.solver, budget, lit)
        budget.on_progress(Progress(engine, depth=k, elapsed_s=time.monotonic() - t0, query_s=out.elapsed_s))
        if out.result == "unknown":
            return Unknown(p.name, provenance(ts, engine, t0, k=k), out.reason, depth_reached=max(k - 1, 0))
        if out.result == "unsat":
            return Proved(p.name, provenance(ts, engine, t0, k=k, lemmas=len(lemmas)), f"k-induction, k={k}")
        cti = decode.trace(step.solver.model(), step.states, step.acts, depth_of(p, k))
        got = base.at(depth_of(p, k))
        if got is not None:
            return got
        step.solver.add(z3.Not(lit), z3.Not(step.bad(p, k)))
    return Unknown(p.name, provenance(ts, engine, t0, k=budget.max_depth),
                   f"induction failed at k={budget.max_depth}", depth_reached=budget.max_depth, cti=cti)


def prove_lemmas(ts: TransitionSystem, budget: Budget, enc: Encoding,
                 engine: str) -> tuple[tuple[Property, ...], str | None]:
    """The lemmas, each proved assuming the earlier ones; or the reason the first one failed."""
    proved: tuple[Property, ...] = ()
    for lem in ts.lemmas:
        if (no := unsupported(ts, lem, engine, time.monotonic())) is not None:
            return proved, f"lemma '{lem.name}': {no.reason}"
        v = _induct(ts, lem, budget, proved, enc, engine)
        if isinstance(v, Violated):
            return proved, f"lemma '{lem.name}' is violated (a trace of depth {v.trace.depth})"
        if isinstance(v, Unknown):
            return proved, f"lemma '{lem.name}' not proved: {v.reason}"
        if not isinstance(v, Proved):
            return proved, f"lemma '{lem.name}' not proved"
        proved = (*proved, lem)
    return proved, None


def check(ts: TransitionSystem, prop: str, budget: Budget | None = None, *,
          engine: str = "kind", options: EncodingOptions | None = None) -> Verdict:
    budget = (budget or Budget()).start()
    t0 = time.monotonic()
    if (no := unsupported(ts, ts.prop(prop), engine, t0)) is not None:
        return no
    enc = Encoding(ts, options)
    lemmas, failed = prove_lemmas(ts, budget, enc, engine)
    if failed is not None:
        return Unknown(prop, provenance(ts, engine, t0, lemmas=len(lemmas)), failed)
    return _induct(ts, ts.prop(prop), budget, lemmas, enc, engine)
