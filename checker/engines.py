"""The engine registry: name -> check(ts, prop_name, budget) -> Verdict.

`auto` runs the explicit search first, capped (EXPLICIT_LIMIT states, or the budget's
max_states, and EXPLICIT_SHARE of the time budget), because the product of slot domains says
nothing useful about the reachable state space (9.5e13 for the TDX spec, which explicit
finishes in 3k states, 5k for liveness, at its default size). Only properties that the capped
search leaves undecided go symbolic: BMC on one shared unrolling (`bmc.check_all`; a shortest violation, or a
lasso for a temporal property), then k-induction and PDR for a proof of a safety property.
Liveness is proved by the explicit engine only: beyond its cap a temporal property gets at most
HoldsUpTo. Each verdict names the engine that produced it ("auto:kind", "auto:bmc-lasso").
`auto` checks one property; `auto_all` all of an instance with one explicit search (callers
checking several properties should use it: `auto` repeats the capped search per property).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from checker import bmc, kind, pdr
from checker.budget import Budget
from checker.verdict import HoldsUpTo, Unknown, Verdict
from model.ir import TransitionSystem

Engine = Callable[[TransitionSystem, str, Budget | None], Verdict]

EXPLICIT_LIMIT = 200_000     # states: auto's explicit search stops here and goes symbolic
EXPLICIT_SHARE = 0.5         # of the time left: what auto's explicit search may use


def explicit(ts: TransitionSystem, prop: str, budget: Budget | None = None) -> Verdict:
    from checker.explicit import check  # imported lazily: the registry must not need it to load

    return check(ts, prop, budget)


def estimate_states(ts: TransitionSystem) -> float:
    """An upper bound on reachable states when no slot leaves its sort: the domains' product.
    Often wildly pessimistic (auto no longer uses it to choose)."""
    return math.prod(float(len(v.sort.values())) for v in ts.vars)


def _relabel(v: Verdict) -> Verdict:
    return replace(v, provenance=replace(v.provenance, engine=f"auto:{v.provenance.engine}"))


def _share(budget: Budget, fraction: float) -> Budget:
    """A budget ending after `fraction` of the time left (the whole budget when untimed)."""
    left = budget.remaining_s()
    if left is None:
        return budget
    return replace(budget, deadline=time.monotonic() + fraction * left)


def _explicit_first(ts: TransitionSystem, props: Sequence[str], budget: Budget) -> dict[str, Verdict]:
    """Capped explicit verdicts. Safety and liveness are searched apart: liveness needs the
    whole edge list and no symmetry reduction, which would slow the safety search down."""
    from checker.explicit import explore

    capped = replace(_share(budget, EXPLICIT_SHARE), max_states=budget.max_states or EXPLICIT_LIMIT)
    out: dict[str, Verdict] = {}
    for temporal in (False, True):
        group = [p for p in props if ts.prop(p).temporal == temporal]
        if group:
            out.update((v.prop, v) for v in explore(ts, group, capped).verdicts)
    return out


def _prove(ts: TransitionSystem, bounded: HoldsUpTo, budget: Budget) -> Verdict:
    """k-induction, then PDR, for a safety property BMC found no violation of."""
    for engine in (kind.check, pdr.check):
        if budget.expired():
            break
        v = engine(ts, bounded.prop, budget)
        if not isinstance(v, Unknown):
            return v
    return bounded


def auto_all(ts: TransitionSystem, props: Sequence[str], budget: Budget | None = None) -> list[Verdict]:
    """auto for several properties of one instance, sharing the explicit search and BMC's unrolling."""
    budget = (budget or Budget()).start()
    got = _explicit_first(ts, props, budget)
    rest = [p for p in props if isinstance(got[p], Unknown)]
    if rest and not budget.expired():
        for v in bmc.check_all(ts, rest, budget):
            if isinstance(v, HoldsUpTo) and not ts.prop(v.prop).temporal:
                v = _prove(ts, v, budget)
            got[v.prop] = v
    return [_relabel(got[p]) for p in props]


def auto(ts: TransitionSystem, prop: str, budget: Budget | None = None) -> Verdict:
    return auto_all(ts, [prop], budget)[0]


ENGINES: dict[str, Engine] = {
    "explicit": explicit,
    "bmc": bmc.check,
    "kind": kind.check,
    "pdr": pdr.check,
    "auto": auto,
}

# engines that decide several properties of one instance together (cli may prefer these)
ENGINES_ALL: dict[str, Callable[[TransitionSystem, Sequence[str], Budget | None], list[Verdict]]] = {
    "bmc": bmc.check_all,
    "auto": auto_all,
}
