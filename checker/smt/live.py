"""Liveness proved by SMT: the liveness-to-safety product (l2s.py) checked by k-induction.

`check(ts, prop, budget)` answers a temporal property: Proved ("liveness-to-safety with
k-induction, k=N"), Violated (a lasso of the system, replayed), or Unknown. The product's
counterexample is a path to an accepting state (NOTE(l2s)); `lasso` turns it into the system's
lasso: the save step is dropped and marks the loop start, the rest are the system's own steps.
The lasso is replayed on the system (checker/traces/replay.py) before it is returned; one that
does not replay is an internal error (EngineDisagreement), as for every other SMT trace.
"""

from __future__ import annotations

import time

import z3

from checker.core.budget import Budget
from checker.core.verdict import Proved, Unknown, Verdict, Violated
from checker.smt import EngineDisagreement, kind
from checker.smt.encode import Encoding, EncodingOptions
from checker.smt.l2s import PROP, product
from checker.smt.solver import check as solver_check
from checker.smt.solver import new_solver
from checker.smt.unroll import provenance
from checker.traces.replay import ReplayError, validate
from checker.traces.trace import Trace
from model.ir import Expr, TransitionSystem

METHOD = "liveness-to-safety with k-induction"


def check(ts: TransitionSystem, prop: str, budget: Budget | None = None, *, engine: str = "kind",
          options: EncodingOptions | None = None) -> Verdict:
    """The temporal property `prop` of ts, by k-induction on its liveness-to-safety product."""
    budget = (budget or Budget()).start()
    t0 = time.monotonic()
    pr = product(ts, prop, monotone_slots(ts, budget))
    # the product's symmetry is not the system's (one shadow, one property): none is broken
    v = kind.check(pr, PROP, budget, engine=engine, options=options or EncodingOptions(symmetry=False))
    prov = provenance(ts, engine, t0, **dict(v.provenance.stats))
    if isinstance(v, Proved):
        return Proved(prop, prov, v.detail.replace("k-induction", METHOD, 1))
    if isinstance(v, Violated):
        return Violated(prop, prov, _replayed(ts, prop, lasso(ts, v.trace)))
    if isinstance(v, Unknown):
        return Unknown(prop, prov, f"{METHOD}: {v.reason}", v.depth_reached)
    return Unknown(prop, prov, f"{METHOD}: no answer")   # k-induction gives no bounded verdict


def monotone_slots(ts: TransitionSystem, budget: Budget) -> tuple[tuple[int, str], ...]:
    """NOTE(l2s-monotone): (slot, ">=") for a slot that no step lowers, from any in-domain state,
    (slot, "<=") for one no step raises; a query without an answer (rlimit, time) gives none."""
    enc = Encoding(ts, EncodingOptions(symmetry=False))
    s = enc.state("m")
    writes: dict[int, list[tuple[int, Expr]]] = {}
    for i, a in enumerate(ts.actions):
        for slot, e in a.updates:
            writes.setdefault(slot, []).append((i, e))
    out: list[tuple[int, str]] = []
    for slot, ws in sorted(writes.items()):
        old = enc.num.num(s.vars[slot])
        for d, worse in ((">=", lambda new, x=old: new < x), ("<=", lambda new, x=old: new > x)):
            moves = [z3.And(enc.pred(ts.actions[i].guard, s), worse(enc.num.num(enc.expr(e, s))))
                     for i, e in ws]
            solver = new_solver(budget, enc.ctx, enc.logic)
            solver.add(enc.domain(s), z3.Or(*moves))
            if solver_check(solver, budget).result == "unsat":
                out.append((slot, d))
    return tuple(out)


def lasso(ts: TransitionSystem, tr: Trace) -> Trace:
    """The system's lasso in the product's counterexample (NOTE(l2s)): the states projected on
    the system's slots, the save step dropped; the loop starts where it was taken when the path
    closes on the shadow, else (a stutter) at the last state."""
    n, save = len(ts.vars), len(ts.actions)
    states = [tr.states[0][:n]]
    actions: list[int] = []
    loop = None
    for a, post in zip(tr.actions, tr.states[1:], strict=True):
        if a == save:
            loop = len(actions)
            continue
        actions.append(a)
        states.append(post[:n])
    closed = loop is not None and loop < len(actions) and states[-1] == states[loop]
    return Trace(tuple(states), tuple(actions), loop if closed else len(actions))


def _replayed(ts: TransitionSystem, prop: str, tr: Trace) -> Trace:
    try:
        validate(ts, tr, prop)
    except ReplayError as e:
        raise EngineDisagreement(f"{METHOD}: the lasso for '{prop}' does not replay: {e}") from e
    return tr
