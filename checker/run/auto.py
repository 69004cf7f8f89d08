"""`--engine auto`: the explicit search first, capped, then the SMT engines for what it left open.

The explicit search is capped (EXPLICIT_LIMIT states, or the budget's max_states, and
EXPLICIT_SHARE of the time budget), because the product of slot domains says nothing useful
about the reachable state space (9.5e13 for the TDX spec, which explicit finishes in 3k states,
5k for liveness, at its default size). Only properties that the capped search leaves undecided
go symbolic: BMC on one shared unrolling (a shortest violation, or a lasso for a temporal
property), then k-induction and PDR for a proof of a safety property, and for a temporal one
k-induction on its liveness-to-safety product (checker/smt/live.py). Each
verdict names the engine that produced it ("auto:kind", "auto:bmc-lasso").

NOTE(auto-depth): the capped search has visited every state of its BFS levels below the one it
stopped in, so no violation is shallower than that diameter; BMC then unrolls to at least the
diameter plus one (one step past what explicit saw), else to the depth asked for, and its
"holds up to depth k" says which bound it used.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Unknown, Verdict
from checker.run.engines import EngineRun, explicit, smt
from model.ir import TransitionSystem

EXPLICIT_LIMIT = 200_000     # states: auto's explicit search stops here and goes symbolic
EXPLICIT_SHARE = 0.5         # of the time left: what auto's explicit search may use


def _relabel(v: Verdict) -> Verdict:
    return replace(v, provenance=replace(v.provenance, engine=f"auto:{v.provenance.engine}"))


def _share(budget: Budget, fraction: float) -> Budget:
    """A budget ending after `fraction` of the time left (the whole budget when untimed)."""
    left = budget.remaining_s()
    if left is None:
        return budget
    return replace(budget, deadline=time.monotonic() + fraction * left)


def _explicit_first(ts: TransitionSystem, props: Sequence[str], budget: Budget) -> tuple[dict[str, Verdict], int]:
    """Capped explicit verdicts and the least diameter its searches reached. Safety and
    liveness are searched apart: liveness needs the whole edge list and no symmetry reduction,
    which would slow the safety search down."""
    capped = replace(_share(budget, EXPLICIT_SHARE), max_states=budget.max_states or EXPLICIT_LIMIT)
    out: dict[str, Verdict] = {}
    diameters = []
    for temporal in (False, True):
        group = [p for p in props if ts.prop(p).temporal == temporal]
        if group:
            run = explicit(ts, group, capped)
            out.update((v.prop, v) for v in run.verdicts)
            diameters += [p.diameter for p in run.phases]
    return out, min(diameters, default=0)


def _prove(ts: TransitionSystem, bounded: HoldsUpTo, budget: Budget) -> Verdict:
    """k-induction, then PDR, for a property BMC found no violation of; a temporal one gets
    k-induction on its liveness-to-safety product (checker/smt/live.py) alone."""
    for engine in ("kind",) if ts.prop(bounded.prop).temporal else ("kind", "pdr"):
        if budget.expired():
            break
        v = smt(ts, [bounded.prop], budget, engine).verdicts[0]
        if not isinstance(v, Unknown):
            return v
    return bounded


def auto(ts: TransitionSystem, props: Sequence[str], budget: Budget, bmc_prefix: int | None = None) -> EngineRun:
    """Every property of one instance, sharing the capped explicit search and BMC's unrolling
    (bmc_prefix: the state cap of BMC's explicit prefix, NOTE(explicit-prefix))."""
    budget = budget.start()
    got, diameter = _explicit_first(ts, props, budget)
    rest = [p for p in props if isinstance(got[p], Unknown)]
    if rest and not budget.expired():
        deep = replace(budget, max_depth=max(budget.max_depth, diameter + 1))   # NOTE(auto-depth)
        bounded = smt(ts, rest, deep, "bmc", prefix_states=bmc_prefix).verdicts
        open_ = sum(isinstance(v, HoldsUpTo) for v in bounded)
        for v in bounded:
            if isinstance(v, HoldsUpTo):
                v = _prove(ts, v, budget.share(open_))    # NOTE(timeout-share) in checker/core/budget.py
                open_ -= 1
            got[v.prop] = v
    return EngineRun(tuple(_relabel(got[p]) for p in props))
