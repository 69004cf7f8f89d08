"""From z3 models back to traces (through the StateVars tables), and their independent replay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import z3

from checker.smt import EngineDisagreement
from checker.smt.encode import StateVars
from checker.traces.trace import State, Trace
from model.ir import Property, TransitionSystem


def value(m: z3.ModelRef, x: z3.ExprRef) -> int:
    v = m.eval(x, model_completion=True)
    if z3.is_bool(v):
        return bool(z3.is_true(v))
    if z3.is_bv(v):
        assert isinstance(v, z3.BitVecNumRef)
        return v.as_signed_long()
    assert isinstance(v, z3.IntNumRef)
    return v.as_long()


def state(m: z3.ModelRef, s: StateVars) -> State:
    return tuple(value(m, x) for x in s.vars)


def trace(m: z3.ModelRef, states: Sequence[StateVars], acts: Sequence[z3.ExprRef], depth: int) -> Trace:
    """The first depth+1 states and depth actions of an unrolling, as a Trace."""
    return Trace(tuple(state(m, s) for s in states[: depth + 1]),
                 tuple(int(value(m, a)) for a in acts[:depth]))


def validated(ts: TransitionSystem, tr: Trace, p: Property, engine: str) -> Trace:
    """tr, once it replays on the concrete semantics and ends violating p; else an internal error."""
    from checker.traces.replay import ReplayError, validate

    if p not in ts.properties:   # a lemma: replay against a system that lists it
        ts = replace(ts, properties=(*ts.properties, p))
    try:
        validate(ts, tr, p.name)
    except ReplayError as e:
        raise EngineDisagreement(f"{engine}: the counterexample for '{p.name}' does not replay: {e}") from e
    return tr
