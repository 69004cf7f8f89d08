"""The engine registry: name -> check(ts, prop_name, budget) -> Verdict.

`auto` picks per property: the explicit search when the state space is small enough (by the
product of slot domains, and within a state limit), otherwise BMC for a shortest violation,
k-induction for a proof, then PDR. Its verdict names the engine that produced it ("auto:kind").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from checker import bmc, kind, pdr
from checker.budget import Budget
from checker.smt.unroll import SAFETY_KINDS
from checker.verdict import HoldsUpTo, Unknown, Verdict, Violated
from model.ir import TransitionSystem

Engine = Callable[[TransitionSystem, str, Budget | None], Verdict]

EXPLICIT_LIMIT = 200_000     # states: above this estimate, auto goes symbolic


def explicit(ts: TransitionSystem, prop: str, budget: Budget | None = None) -> Verdict:
    from checker.explicit import check  # imported lazily: the registry must not need it to load

    return check(ts, prop, budget)


def estimate_states(ts: TransitionSystem) -> float:
    """An upper bound on reachable states when no slot leaves its sort: the domains' product."""
    return math.prod(float(len(v.sort.values())) for v in ts.vars)


def _relabel(v: Verdict, name: str) -> Verdict:
    return replace(v, provenance=replace(v.provenance, engine=name))


def auto(ts: TransitionSystem, prop: str, budget: Budget | None = None) -> Verdict:
    budget = (budget or Budget()).start()
    if ts.prop(prop).kind not in SAFETY_KINDS:   # liveness: only the explicit engine checks it
        return _relabel(explicit(ts, prop, budget), "auto:explicit")
    if estimate_states(ts) <= EXPLICIT_LIMIT:
        limit = min(budget.max_states or EXPLICIT_LIMIT, EXPLICIT_LIMIT)
        v = explicit(ts, prop, replace(budget, max_states=limit))
        if not isinstance(v, Unknown) or budget.expired():
            return _relabel(v, "auto:explicit")
    first = bmc.check(ts, prop, budget)
    if isinstance(first, (Violated, Unknown)) or budget.expired():
        return _relabel(first, "auto:bmc")
    for name, engine in (("kind", kind.check), ("pdr", pdr.check)):
        v = engine(ts, prop, budget)
        if not isinstance(v, Unknown):
            return _relabel(v, f"auto:{name}")
        if budget.expired():
            break
    assert isinstance(first, HoldsUpTo)
    return _relabel(first, "auto:bmc")


ENGINES: dict[str, Engine] = {
    "explicit": explicit,
    "bmc": bmc.check,
    "kind": kind.check,
    "pdr": pdr.check,
    "auto": auto,
}
