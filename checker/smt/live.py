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
from dataclasses import replace

import z3

from checker.core.budget import Budget
from checker.core.semantics import bounds
from checker.core.verdict import Proved, Unknown, Verdict, Violated
from checker.smt import EngineDisagreement, decode, kind
from checker.smt.encode import Encoding, EncodingOptions, StateVars
from checker.smt.guard import guard
from checker.smt.l2s import PROP, Progress, product
from checker.smt.solver import check as solver_check
from checker.smt.solver import new_solver
from checker.smt.unroll import provenance
from checker.traces.replay import ReplayError, validate
from checker.traces.trace import Trace
from model.ir import Expr, TransitionSystem

METHOD = "liveness-to-safety with k-induction"
PLAIN_K = 8     # k-induction without mined lemmas up to this k first


@guard("kind")
def check(ts: TransitionSystem, prop: str, budget: Budget | None = None, *, engine: str = "kind",
          options: EncodingOptions | None = None) -> Verdict:
    """The temporal property `prop` of ts, by k-induction on its liveness-to-safety product."""
    budget = (budget or Budget()).start()
    t0 = time.monotonic()
    pr = product(ts, prop, progress_facts(ts, budget, prop))
    # the product's symmetry is not the system's (one shadow, one property): none is broken
    opts = options or EncodingOptions(symmetry=False)
    # NOTE(l2s-progress)'s lemmas often make the product k-inductive for a small k; mining
    # (Houdini over the product's much larger state) only where they do not
    first = replace(budget, max_depth=min(budget.max_depth, PLAIN_K))
    v = kind.check(pr, PROP, first, engine=engine, options=opts, mine=False)
    if isinstance(v, Unknown) and v.reason.startswith("induction failed") and budget.max_depth > PLAIN_K:
        v = kind.check(pr, PROP, budget, engine=engine, options=opts)
    prov = provenance(ts, engine, t0, **dict(v.provenance.stats))
    if isinstance(v, Proved):
        return Proved(prop, prov, v.detail.replace("k-induction", METHOD, 1))
    if isinstance(v, Violated):
        return Violated(prop, prov, _replayed(ts, prop, lasso(ts, v.trace)))
    if isinstance(v, Unknown):
        return Unknown(prop, prov, f"{METHOD}: {v.reason}", v.depth_reached)
    return Unknown(prop, prov, f"{METHOD}: no answer")   # k-induction gives no bounded verdict


MAX_VALUES = 64     # a slot with more values gets no value graph (NOTE(l2s-progress))


def _writes(ts: TransitionSystem) -> dict[int, list[tuple[int, Expr]]]:
    out: dict[int, list[tuple[int, Expr]]] = {}
    for i, a in enumerate(ts.actions):
        for slot, e in a.updates:
            out.setdefault(slot, []).append((i, e))
    return out


def progress_facts(ts: TransitionSystem, budget: Budget, prop: str | None = None) -> Progress:
    """NOTE(l2s-progress): per slot, the values each value can reach by the system's steps (for
    a slot of few values), else whether no step lowers (raises) it; for `P leads_to Q`, the
    values a slot can have once triggered (reachable from a value it has in some P and not Q)."""
    enc = Encoding(ts, EncodingOptions(symmetry=False))
    s = enc.state("m")
    reach: dict[int, dict[int, frozenset[int]]] = {}
    mono: list[tuple[int, str]] = []
    for slot, ws in sorted(_writes(ts).items()):
        lo, hi = bounds(ts, slot)
        if hi - lo < MAX_VALUES:
            got = _value_graph(ts, enc, s, slot, ws, budget)
            if got is not None:
                reach[slot] = got
            continue
        mono.extend((slot, d) for d in (">=", "<=") if _never_moves(ts, enc, s, slot, ws, d, budget))
    p = ts.prop(prop) if prop is not None else None
    if p is None or p.kind != "leads_to" or p.pred is None or p.pred2 is None:
        return Progress(reach, tuple(mono))
    start = z3.And(enc.pred(p.pred, s), z3.Not(enc.pred(p.pred2, s)))
    after = {v: _after(enc, s, v, start, r, budget) for v, r in reach.items()}
    return Progress(reach, tuple(mono), {v: a for v, a in after.items() if a is not None})


def _value_graph(ts: TransitionSystem, enc: Encoding, s: StateVars, slot: int, ws: list[tuple[int, Expr]],
                 budget: Budget) -> dict[int, frozenset[int]] | None:
    """For each value X of the slot, the values reachable from X along its writes (an edge X -> Y
    for every writer whose guard holds, and whose written value is Y, in some in-domain state
    with the slot at X: z3 enumerates the pairs); None when a query had no answer."""
    lo, hi = bounds(ts, slot)
    edges: dict[int, set[int]] = {x: set() for x in range(lo, hi + 1)}
    solver = new_solver(budget, enc.ctx, enc.logic)
    solver.add(_states(enc, s))
    x = enc.num.num(s.vars[slot])
    for i, e in ws:
        new = enc.num.num(enc.expr(e, s))
        solver.push()
        solver.add(enc.pred(ts.actions[i].guard, s), enc.num.val(lo) <= new, new <= enc.num.val(hi))
        while (out := solver_check(solver, budget)).result == "sat":
            m = solver.model()
            old, got = decode.value(m, x), decode.value(m, new)
            edges[int(old)].add(int(got))
            solver.add(z3.Not(z3.And(x == enc.num.val(int(old)), new == enc.num.val(int(got)))))
        solver.pop()
        if out.result == "unknown":
            return None
    return {v: closure(edges, v) for v in edges}


def _states(enc: Encoding, s: StateVars) -> z3.ExprRef:
    """The states the value graphs range over: in the domain, the spec's invariant lemmas holding
    (they are invariants of the product too, proved with these lemmas: NOTE(l2s-progress))."""
    lemmas = [enc.pred(lem.pred, s) for lem in enc.ts.lemmas if lem.kind == "invariant" and lem.pred is not None]
    return z3.And(enc.domain(s), *lemmas)


def _after(enc: Encoding, s: StateVars, slot: int, start: z3.ExprRef, reach: dict[int, frozenset[int]],
           budget: Budget) -> frozenset[int] | None:
    """The values reachable from those the slot has in some in-domain state satisfying start."""
    solver = new_solver(budget, enc.ctx, enc.logic)
    solver.add(_states(enc, s), start)
    x = enc.num.num(s.vars[slot])
    out: set[int] = set()
    while (got := solver_check(solver, budget)).result == "sat":
        v = int(decode.value(solver.model(), x))
        out |= reach[v]
        solver.add(x != enc.num.val(v))
    return frozenset(out) if got.result == "unsat" else None


def closure(edges: dict[int, set[int]], v: int) -> frozenset[int]:
    """The values a slot reaches from v along its value graph, v included (NOTE(l2s-progress))."""
    seen, todo = {v}, [v]
    while todo:
        for w in edges[todo.pop()]:
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return frozenset(seen)


def _never_moves(ts: TransitionSystem, enc: Encoding, s: StateVars, slot: int, ws: list[tuple[int, Expr]],
                 d: str, budget: Budget) -> bool:
    """No step from an in-domain state lowers (d = ">=") or raises (d = "<=") the slot."""
    old = enc.num.num(s.vars[slot])
    moves = []
    for i, e in ws:
        new = enc.num.num(enc.expr(e, s))
        moves.append(z3.And(enc.pred(ts.actions[i].guard, s), new < old if d == ">=" else new > old))
    solver = new_solver(budget, enc.ctx, enc.logic)
    solver.add(_states(enc, s), z3.Or(*moves))
    return solver_check(solver, budget).result == "unsat"


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
