"""Bounded model checking: one incremental solver, depth by depth, so the first counterexample
found is a shortest one (the same depth as BFS). Never proves anything: HoldsUpTo at the bound."""

from __future__ import annotations

import time

import z3

from checker.budget import Budget, Progress
from checker.smt import decode
from checker.smt.encode import Encoding, EncodingOptions
from checker.smt.solver import check as solver_check
from checker.smt.unroll import Path, position_of, provenance, unsupported
from checker.verdict import HoldsUpTo, Provenance, Unknown, Verdict, Violated
from model.ir import Property, TransitionSystem


class BaseCase:
    """Paths from the initial states; at(depth) asks for a violation at exactly that depth.

    Depths must be asked in increasing order: once a depth is clean its bad condition is
    asserted false, which is implied (so sound) and helps later queries.
    """

    def __init__(self, ts: TransitionSystem, p: Property, budget: Budget, enc: Encoding, engine: str):
        self.ts, self.p, self.budget, self.engine = ts, p, budget, engine
        self.path = Path(enc, budget, "", from_init=True)
        self.t0 = time.monotonic()
        self.clean_to = -1   # every depth <= clean_to is known violation-free

    def at(self, depth: int) -> Violated | Unknown | None:
        j = position_of(self.p, depth)
        if j is None:
            self.clean_to = depth
            return None
        s = self.path.solver
        lit = z3.Bool(f"$bad@{depth}", s.ctx)
        s.add(z3.Implies(lit, self.path.bad(self.p, j)))
        out = solver_check(s, self.budget, lit)
        self.budget.on_progress(Progress(self.engine, depth=depth, elapsed_s=time.monotonic() - self.t0,
                                         query_s=out.elapsed_s))
        if out.result == "unknown":
            return Unknown(self.p.name, self._prov(depth), out.reason, depth_reached=max(self.clean_to, 0))
        if out.result == "unsat":
            s.add(z3.Not(lit))
            self.clean_to = depth
            return None
        tr = decode.trace(s.model(), self.path.states, self.path.acts, depth)
        tr = decode.validated(self.ts, tr, self.p, self.engine)
        return Violated(self.p.name, self._prov(depth), tr)

    def _prov(self, depth: int) -> Provenance:
        return provenance(self.ts, self.engine, self.t0, depth=depth, max_depth=self.budget.max_depth)


def check(ts: TransitionSystem, prop: str, budget: Budget | None = None, *,
          engine: str = "bmc", options: EncodingOptions | None = None) -> Verdict:
    """BMC from depth 0 to budget.max_depth; Violated (shortest, replayed), HoldsUpTo or Unknown."""
    budget = (budget or Budget()).start()
    if (no := unsupported(ts, ts.prop(prop), engine, time.monotonic())) is not None:
        return no
    base = BaseCase(ts, ts.prop(prop), budget, Encoding(ts, options), engine)
    for depth in range(budget.max_depth + 1):
        got = base.at(depth)
        if got is not None:
            return got
    prov = provenance(ts, engine, base.t0, depth=budget.max_depth, max_depth=budget.max_depth)
    return HoldsUpTo(prop, prov, budget.max_depth)
